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
    Discord's limits, with no mentions allowed. An answer longer than one message becomes pages of
    one message with ◀ / ▶ buttons (`bot.pagination.Pager`); files ride on it."""
    from bot.pagination import Pager

    batches = fit_embeds(embeds) or [[]]
    text = safe_text(content, CONTENT_MAX) if content else None
    kwargs: dict[str, Any] = {"embeds": [discord.Embed.from_dict(e) for e in batches[0]], "content": text,
                              "files": [_to_file(f) for f in files], "allowed_mentions": discord.AllowedMentions.none(),
                              "ephemeral": ephemeral}
    pager = Pager(batches, interaction.user.id) if len(batches) > 1 else None
    if pager is not None:
        kwargs["view"] = pager
    if not interaction.response.is_done():
        await interaction.response.send_message(**kwargs)
        if pager is not None:
            pager.interaction = interaction
    else:
        sent = await interaction.followup.send(wait=True, **kwargs)
        if pager is not None:
            pager.message = sent
