"""Feeds raw gateway frames to `collectors.discord.LiveChat`, and offers the history sync the
scheduler runs (`collect_history`), over the bot's own connection."""

from __future__ import annotations

from typing import TYPE_CHECKING

from discord.ext import commands

from collectors.discord.collector import ChatCollectStats
from collectors.discord.command import collect_with_client
from collectors.discord.live import LiveChat

if TYPE_CHECKING:
    from bot.app import ScoutBot


class Chat(commands.Cog):
    def __init__(self, bot: ScoutBot) -> None:
        self.bot = bot
        s = bot.services
        self.live = LiveChat(bot, s.engine, s.settings.watch.discord, default_repo=s.default_repo)

    @commands.Cog.listener()
    async def on_socket_raw_receive(self, raw: str) -> None:
        await self.live.on_socket_raw_receive(raw)

    async def collect_history(self, days: float | None = 7) -> ChatCollectStats:
        """History since each channel's checkpoint (fills gaps after downtime); for the scheduler."""
        return await collect_with_client(self.bot, self.bot.services.settings, self.bot.services.engine, days=days)
