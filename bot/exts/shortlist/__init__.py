"""`/shortlist [subsystem] [repo]`: 3 maintainers + 5 safe first issues, private, with md/csv/json exports."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import ScoutBot


async def setup(bot: ScoutBot) -> None:
    from bot.exts.shortlist._cog import Shortlist

    await bot.add_cog(Shortlist(bot))
