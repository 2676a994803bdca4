"""`/maintainers subsystem:<autocomplete> [repo]`: who really owns a subsystem, with evidence."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import ScoutBot


async def setup(bot: ScoutBot) -> None:
    from bot.exts.ownership._cog import Ownership

    await bot.add_cog(Ownership(bot))
