"""`/bench issue:<int>`: create an issue's bench job; only for `bench.allowed_roles` / `bench.allowed_users`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import ScoutBot


async def setup(bot: ScoutBot) -> None:
    from bot.exts.bench._cog import Bench

    await bot.add_cog(Bench(bot))
