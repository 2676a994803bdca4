"""`/help`: what each slash command does, with an example (private)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import ScoutBot


async def setup(bot: ScoutBot) -> None:
    from bot.exts.help._cog import Help

    await bot.add_cog(Help(bot))
