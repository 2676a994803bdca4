"""`/shortlist`: thin over `reports.stored_shortlist` / `pipeline.refresh_shortlist`; the answer is
private (only the caller sees the list) and carries the Markdown, CSV and JSON exports as files."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.answers import (
    flatten,
    read,
    repo_autocomplete,
    repo_name,
    require_judgement,
    subsystem_autocomplete,
    within_deadline,
)
from bot.cooldowns import limited
from bot.interactions import defer, reply, run_blocking
from bot.posting import Attachment

if TYPE_CHECKING:
    from bot.app import ScoutBot
    from reports.shortlist import Shortlist as ShortlistReport


def export_files(sl: ShortlistReport) -> list[Attachment]:
    """The shortlist as `shortlist-<owner>-<repo>[-<subsystem>].md/.csv/.json` attachments."""
    from reports.render.markdown import shortlist_csv, shortlist_json, shortlist_markdown

    stem = "shortlist-" + sl.repo.replace("/", "-")
    if sl.subsystem_filter:
        stem += "-" + "-".join(s.replace("/", "-") for s in sl.subsystem_filter)
    stem = "".join(c if c.isalnum() or c in "-_." else "-" for c in stem)[:80]
    return [Attachment(f"{stem}.md", shortlist_markdown(sl).encode(), "the shortlist (Markdown)"),
            Attachment(f"{stem}.csv", shortlist_csv(sl).encode(), "the shortlist (CSV)"),
            Attachment(f"{stem}.json", shortlist_json(sl).encode(), "the shortlist (JSON)")]


class Shortlist(commands.Cog):
    def __init__(self, bot: ScoutBot) -> None:
        self.bot = bot

    @app_commands.command(name="shortlist", description="3 maintainers to talk to and 5 safe first issues (private)")
    @app_commands.describe(subsystem="Only this subsystem (default: spread over all)",
                           repo="OWNER/REPO (default: the first watched repo)")
    @app_commands.autocomplete(subsystem=subsystem_autocomplete, repo=repo_autocomplete)
    @limited(0.5)
    async def shortlist(
        self,
        interaction: discord.Interaction,
        subsystem: app_commands.Range[str, 1, 100] | None = None,
        repo: app_commands.Range[str, 1, 140] | None = None,
    ) -> None:
        """Private answer with the exports attached; an issue shows its bench job once someone asked
        for one (`/bench`): viewing a list creates none. The stored shortlist answers at once while it
        is still what a fresh computation would give (nothing it was computed from changed); otherwise
        a fresh one is computed (and stored)."""
        from pipeline import refresh_shortlist
        from reports import stored_shortlist
        from reports.render.discord import shortlist_messages

        services = self.bot.services
        settings = services.settings
        name = repo_name(settings.watch, repo)
        subs = (settings.watch.taxonomy_for(name).require(subsystem),) if subsystem else ()
        now = services.now()

        def answer(sl: ShortlistReport) -> tuple[list[Any], list[Attachment]]:
            return shortlist_messages(sl), export_files(sl)

        def stored(session: Any) -> tuple[list[Any], list[Attachment]] | None:
            sl = stored_shortlist(session, settings.watch, require_judgement(session, name), now, subsystems=subs)
            return answer(sl) if sl is not None else None

        def fresh(session: Any) -> tuple[list[Any], list[Attachment]]:
            found = require_judgement(session, name)
            return answer(refresh_shortlist(session, settings.watch, found, now, settings.output_dir, subsystems=subs))

        done = await within_deadline(interaction, lambda: read(services, stored), ephemeral=True)
        if done is None:
            await defer(interaction, ephemeral=True)  # a fresh shortlist reads the whole repo: may take a while
            messages, files = await run_blocking(read, services, fresh)
        else:
            messages, files = done
        embeds, _ = flatten(messages)
        await reply(interaction, embeds=embeds, files=files, ephemeral=True)
