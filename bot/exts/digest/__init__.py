"""`/digest [repo]`: today's digest now, privately (the daily post is `bot.digest_post`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import ScoutBot


async def setup(bot: ScoutBot) -> None:
    from bot.exts.digest._cog import DigestCommand

    await bot.add_cog(DigestCommand(bot))
