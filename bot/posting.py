"""Posting within Discord's limits, pinging nobody: text and embed clamping, embed batching, and the
daily digest post (embeds + the chart attachment). The digest's content comes from the report
stage; this module only makes it fit and sends it.

Limits: https://discord.com/developers/docs/resources/message#embed-object-embed-limits
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord

from config.errors import ReportError
from reports.render.discord import LIMITS, batch_embeds

log = logging.getLogger(__name__)

# Discord's limits, from the one table the renderers check every message against.
CONTENT_MAX = LIMITS["content"]
TITLE_MAX = LIMITS["title"]
DESCRIPTION_MAX = LIMITS["description"]
FIELDS_MAX = LIMITS["fields"]
FIELD_NAME_MAX = LIMITS["field_name"]
FIELD_VALUE_MAX = LIMITS["field_value"]
FOOTER_MAX = LIMITS["footer"]
AUTHOR_MAX = LIMITS["author"]
FILES_PER_MESSAGE = 10
ELLIPSIS = "…"
EMPTY = "\u200b"  # Discord refuses empty field names/values


def safe_text(text: Any, limit: int) -> str:
    """`text` as a string of at most `limit` characters, mentions defused (defence in depth beside
    AllowedMentions.none(): an issue title saying @everyone stays inert text)."""
    s = discord.utils.escape_mentions(str(text if text is not None else ""))
    return s if len(s) <= limit else s[: limit - 1] + ELLIPSIS


def clamp_embed(embed: dict[str, Any]) -> dict[str, Any]:
    """A copy of an embed dict that Discord accepts: every text within its limit, ≤ 25 fields."""
    e = dict(embed)
    if e.get("title") is not None:
        e["title"] = safe_text(e["title"], TITLE_MAX)
    if e.get("description") is not None:
        e["description"] = safe_text(e["description"], DESCRIPTION_MAX)
    if isinstance(e.get("footer"), dict) and e["footer"].get("text") is not None:
        e["footer"] = {**e["footer"], "text": safe_text(e["footer"]["text"], FOOTER_MAX)}
    if isinstance(e.get("author"), dict) and e["author"].get("name") is not None:
        e["author"] = {**e["author"], "name": safe_text(e["author"]["name"], AUTHOR_MAX)}
    fields = list(e.get("fields") or [])
    if len(fields) > FIELDS_MAX:
        log.warning("embed %r: %d fields, keeping %d", e.get("title"), len(fields), FIELDS_MAX)
    e["fields"] = [{**f, "name": safe_text(f.get("name") or EMPTY, FIELD_NAME_MAX) or EMPTY,
                    "value": safe_text(f.get("value") or EMPTY, FIELD_VALUE_MAX) or EMPTY}
                   for f in fields[:FIELDS_MAX]]
    if not e["fields"]:
        e.pop("fields")
    return e


def fit_embeds(embeds: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Clamp each embed and group them into messages of ≤ 10 embeds and ≤ 6000 characters."""
    return batch_embeds([clamp_embed(e) for e in embeds])


@dataclass(frozen=True)
class Attachment:
    """A file to attach: bytes (e.g. the chart PNG) under a name embeds can use as attachment://name."""

    filename: str
    data: bytes
    description: str | None = None

    def to_file(self) -> discord.File:
        return discord.File(io.BytesIO(self.data), filename=self.filename, description=self.description)


FileLike = Attachment | Path | discord.File


def _to_file(f: FileLike) -> discord.File:
    if isinstance(f, discord.File):
        return f
    if isinstance(f, Path):
        return discord.File(f, filename=f.name)
    return f.to_file()


def _file_name(f: FileLike) -> str:
    return f.filename if isinstance(f, discord.File | Attachment) else f.name


async def resolve_channel(bot: discord.Client, channel: int | str) -> discord.abc.Messageable:
    """A channel by id, or by name (`oss-scout` / `#oss-scout`) in the bot's guilds."""
    if isinstance(channel, int) or str(channel).isdigit():
        cid = int(channel)
        found = bot.get_channel(cid)
        if found is None:
            try:
                found = await bot.fetch_channel(cid)
            except discord.HTTPException as exc:
                raise ReportError(f"digest channel {cid} is not reachable ({exc.status})") from None
        if not isinstance(found, discord.abc.Messageable):
            raise ReportError(f"digest channel {cid} cannot hold messages")
        return found
    name = str(channel).lstrip("#").lower()
    for guild in bot.guilds:
        for ch in guild.text_channels:
            if ch.name.lower() == name:
                return ch
    raise ReportError(f"no text channel named #{name} in the bot's guilds")


async def post_digest(bot: discord.Client, channel_id: int | str, embeds: Sequence[dict[str, Any]],
                      files: Sequence[FileLike] = (), *, content: str | None = None) -> list[discord.Message]:
    """Post a digest: embeds split across as few messages as the limits allow, files (the chart)
    on the message whose embed references them (`attachment://name`), else the first. Returns the
    messages posted. Nothing in it can ping: AllowedMentions.none() on every send."""
    if not embeds and not content:
        raise ReportError("the digest is empty: nothing to post")
    if len(files) > FILES_PER_MESSAGE:
        raise ReportError(f"a digest message holds at most {FILES_PER_MESSAGE} files, got {len(files)}")
    channel = await resolve_channel(bot, channel_id)
    return await send_embeds(channel, embeds, files, content=content)


async def send_embeds(channel: discord.abc.Messageable, embeds: Sequence[dict[str, Any]],
                      files: Sequence[FileLike] = (), *, content: str | None = None) -> list[discord.Message]:
    """`post_digest` into a channel (or thread) object already in hand."""
    if len(files) > FILES_PER_MESSAGE:
        raise ReportError(f"a digest message holds at most {FILES_PER_MESSAGE} files, got {len(files)}")
    channel_id = getattr(channel, "id", "?")
    batches = fit_embeds(embeds) or [[]]
    by_batch: dict[int, list[FileLike]] = {}
    for f in files:
        ref = f"attachment://{_file_name(f)}"
        index = next((i for i, b in enumerate(batches) if any(ref in str(e) for e in b)), 0)
        by_batch.setdefault(index, []).append(f)
    posted = []
    for i, batch in enumerate(batches):
        text = safe_text(content, CONTENT_MAX) if (content and i == 0) else None
        msg = await channel.send(content=text, embeds=[discord.Embed.from_dict(e) for e in batch],
                                 files=[_to_file(f) for f in by_batch.get(i, [])],
                                 allowed_mentions=discord.AllowedMentions.none())
        posted.append(msg)
    log.info("digest posted in %s: %d message(s), %d embed(s), %d file(s)", channel_id, len(posted),
             sum(len(b) for b in batches), len(files))
    return posted
