"""`/link`: thin over `collectors.discord.identity.link_github` (the code flow lives there)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.cooldowns import limited
from bot.interactions import defer, reply, run_blocking
from collectors.discord.identity import LinkLimiter, link_github

if TYPE_CHECKING:
    from bot.app import ScoutBot


def _user_payload(user: discord.abc.User) -> dict[str, object]:
    return {"id": str(user.id), "username": user.name, "global_name": user.global_name, "bot": user.bot}


class Identity(commands.Cog):
    def __init__(self, bot: ScoutBot) -> None:
        self.bot = bot
        self.limiter = LinkLimiter()  # each verification costs GitHub requests of the bot's token

    @app_commands.command(
        name="link", description="Link your Discord account to your GitHub login (verified by a code)"
    )
    @app_commands.rename(github_login="github-login")
    @app_commands.describe(github_login="Your GitHub login, e.g. octocat")
    @limited(0.2)
    async def link(self, interaction: discord.Interaction, github_login: app_commands.Range[str, 1, 39]) -> None:
        """First run: get a code. Second run (code published): verified. Private replies."""
        await defer(interaction, ephemeral=True)  # GitHub lookups may take longer than 3 s
        services = self.bot.services
        result = await run_blocking(
            lambda: link_github(
                services.engine,
                services.github(),
                _user_payload(interaction.user),
                github_login,
                services.now(),
                self.limiter,
            )
        )
        await reply(interaction, result.message(), ephemeral=True)
