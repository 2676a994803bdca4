"""Live chat collection: MESSAGE_CREATE / THREAD_CREATE stored while the bot runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import ScoutBot


async def setup(bot: ScoutBot) -> None:
    from bot.exts.chat._cog import Chat

    await bot.add_cog(Chat(bot))
