"""The one error handler: domain errors become clear ephemeral replies, anything else a generic one."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import ScoutBot


async def setup(bot: ScoutBot) -> None:
    from bot.exts.backend.error_handler._cog import ErrorHandler

    await bot.add_cog(ErrorHandler(bot))
