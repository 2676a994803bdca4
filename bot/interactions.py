"""Replying to slash commands safely: within the 3-second deadline (defer first when work may take
longer), within limits, pinging nobody, ephemeral where asked. Cogs use these instead of
touching `interaction.response` / `followup` directly.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import discord

from bot.posting import CONTENT_MAX, FileLike, _to_file, fit_embeds, safe_text

T = TypeVar("T")


async def defer(interaction: discord.Interaction, *, ephemeral: bool) -> None:
    """Acknowledge now (Discord shows "thinking…"); the answer follows with `reply`."""
    if not interaction.response.is_done():
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)


async def run_blocking(fn: Callable[..., T], *args: Any) -> T:
    """Database and PyGithub calls block: run them off the event loop (the gateway keeps beating)."""
    return await asyncio.to_thread(fn, *args)


async def reply(interaction: discord.Interaction, content: str | None = None, *,
                embeds: Sequence[dict[str, Any]] = (), files: Sequence[FileLike] = (), ephemeral: bool = False) -> None:
    """Answer an interaction (first response, or a follow-up once deferred/answered), clamped to
    Discord's limits, with no mentions allowed. Extra embeds beyond one message go in follow-ups."""
    batches = fit_embeds(embeds) or [[]]
    text = safe_text(content, CONTENT_MAX) if content else None
    none = discord.AllowedMentions.none()
    for i, batch in enumerate(batches):
        kwargs: dict[str, Any] = {"embeds": [discord.Embed.from_dict(e) for e in batch],
                                  "allowed_mentions": none, "ephemeral": ephemeral}
        if i == 0:
            kwargs["content"] = text
            kwargs["files"] = [_to_file(f) for f in files]
        if not interaction.response.is_done():
            await interaction.response.send_message(**kwargs)
        else:
            await interaction.followup.send(**kwargs)
