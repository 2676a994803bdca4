"""`/digest`: today's digest now, privately, with the chart attached. Thin over
`bot.digest_post.render_digest` (the same rendering the daily post uses); nothing is posted to the
channel and no digest is stored (so the daily post and tomorrow's "rising" scores are unaffected)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.answers import has_judgement, read, repo_autocomplete, repo_name
from bot.cooldowns import limited
from bot.digest_post import RenderedDigest, render_digest
from bot.interactions import defer, reply, run_blocking

if TYPE_CHECKING:
    from bot.app import ScoutBot, Services

NOT_CLASSIFIED = ("Note: no classifier results yet (`scout train`, `scout classify`), so subsystems, "
                  "good-first-issue candidates and the shortlist are empty.")


def digest_now(services: Services, repo: str) -> tuple[RenderedDigest, str | None]:
    """The digest of the window ending now (blocking), and a note when classification is missing."""
    note = None if read(services, lambda s: has_judgement(s, repo)) else NOT_CLASSIFIED
    with tempfile.TemporaryDirectory(prefix="scout-digest-") as tmp:
        return render_digest(services, repo, store=False, chart_dir=Path(tmp)), note


class DigestCommand(commands.Cog):
    def __init__(self, bot: ScoutBot) -> None:
        self.bot = bot

    @app_commands.command(name="digest", description="Today's digest now (only you see it)")
    @app_commands.describe(repo="OWNER/REPO (default: the first watched repo)")
    @app_commands.autocomplete(repo=repo_autocomplete)
    @limited(0.2)
    async def digest(
        self, interaction: discord.Interaction, repo: app_commands.Range[str, 1, 140] | None = None
    ) -> None:
        services = self.bot.services
        name = repo_name(services.settings.watch, repo)
        await defer(interaction, ephemeral=True)  # the digest and its chart take a second or more
        rendered, note = await run_blocking(digest_now, services, name)
        await reply(interaction, note, embeds=rendered.embeds, files=rendered.files, ephemeral=True)
