"""`/link github-login`: link a Discord account to a GitHub login, verified with a code."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import ScoutBot


async def setup(bot: ScoutBot) -> None:
    from bot.exts.identity._cog import Identity

    await bot.add_cog(Identity(bot))
