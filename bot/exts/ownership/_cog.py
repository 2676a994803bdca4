"""`/maintainers`: thin over `reports.maintainers_card` and `reports.render.discord.maintainers_messages`."""

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
from bot.interactions import reply

if TYPE_CHECKING:
    from bot.app import ScoutBot


class Ownership(commands.Cog):
    def __init__(self, bot: ScoutBot) -> None:
        self.bot = bot

    @app_commands.command(name="maintainers", description="Who really maintains a subsystem, with the evidence")
    @app_commands.describe(
        subsystem="A subsystem of the repo's taxonomy",
        repo="OWNER/REPO (default: the first watched repo)",
        top="How many people to list (default 3)",
    )
    @app_commands.autocomplete(subsystem=subsystem_autocomplete, repo=repo_autocomplete)
    @limited()
    async def maintainers(self, interaction: discord.Interaction, subsystem: app_commands.Range[str, 1, 100],
                          repo: app_commands.Range[str, 1, 140] | None = None,
                          top: app_commands.Range[int, 1, 10] = 3) -> None:
        """Public answer: the subsystem's top owners, declared vs active."""
        from reports import maintainers_card
        from reports.render.discord import maintainers_messages

        services = self.bot.services
        watch = services.settings.watch
        name = repo_name(watch, repo)  # config-only checks first: a typo gets a private answer at once
        sub = watch.taxonomy_for(name).require(subsystem)
        now = services.now()

        def work(session: Any) -> list[Any]:
            stored = require_judgement(session, name)
            return maintainers_messages(maintainers_card(session, watch, sub, now, stored, top=top))

        messages = await within_deadline(interaction, lambda: read(services, work), ephemeral=False)
        embeds, _ = flatten(messages)
        await reply(interaction, embeds=embeds)
