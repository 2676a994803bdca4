"""`/issue number:<int> [repo]`: subsystem, good-first-issue probability, claims/blockers, who to ask, bench job."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import ScoutBot


async def setup(bot: ScoutBot) -> None:
    from bot.exts.issues._cog import Issues

    await bot.add_cog(Issues(bot))
