"""The daily digest in Discord: built by the report stage, rendered as one compact channel post
(`reports.render.discord.digest_discord`) posted to the repo's digest channel (`digest_channel_for`,
a name or an id), with the details and the chart in a public thread the bot opens from that post;
recorded on the stored digest (`Digest.posted_at`, `channel_id`, `message_ids`: the post first,
then the thread's messages).

    post = await post_daily_digest(bot)                  # the scheduler's call (issue 7)
    post = await post_daily_digest(bot, "vllm-project/vllm", date(2026, 11, 26))

At most one post per repo and local day: a second call for the same day returns the recorded
post (`already_posted=True`) without posting; concurrent calls in one bot wait for each other;
a post that went out but was never recorded (the process died in between) is found in the
channel's recent history and recorded instead of posted again.
`/digest` (bot/exts/digest) shows the same digest privately without posting or storing it.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import discord
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.answers import attachment_of, flatten, repo_name, stored_repo
from bot.posting import TITLE_MAX, FileLike, resolve_channel, safe_text, send_embeds
from config.errors import ReportError
from storage.db import session_scope
from storage.models import Digest as DigestRow

if TYPE_CHECKING:
    from bot.app import Services
    from reports.digest import Digest

log = logging.getLogger(__name__)

THREAD_ARCHIVE_MINUTES: Literal[60, 1440, 4320, 10080] = 1440  # the details thread hides itself after a quiet day
HISTORY_CHECK = 50  # recent channel messages searched for an unrecorded earlier post

_locks: weakref.WeakKeyDictionary[discord.Client, dict[tuple[str, str], asyncio.Lock]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class DigestPost:
    """A digest as posted: where, which messages, and whether this call posted it."""

    digest_id: int
    repo: str
    day: str
    channel_id: int
    message_ids: tuple[int, ...]
    posted_at: datetime
    already_posted: bool


@dataclass(frozen=True)
class RenderedDigest:
    """A digest ready for Discord (within limits, mention-free): the channel post's embeds, the
    thread's embeds and files; `embeds`/`files` are all of it in one list (the private `/digest`)."""

    digest: Digest
    post: list[dict[str, Any]]
    thread: list[dict[str, Any]]
    thread_files: list[FileLike]
    thread_name: str
    digest_id: int | None = None

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return [*self.post, *self.thread]

    @property
    def files(self) -> list[FileLike]:
        return list(self.thread_files)


def digest_day(services: Services, day: date | None = None) -> str:
    """The local day (digest.timezone) a digest made now for `day` is filed under."""
    from reports.digest import digest_window

    watch = services.settings.watch
    return digest_window(services.now(), watch.digest.timezone, day, watch.digest.days)[2]


def render_digest(services: Services, repo: str | None, day: date | None = None, *, store: bool,
                  chart_dir: Path | None = None) -> RenderedDigest:
    """Build the digest (blocking: database reads, the chart) and render it for Discord.

    `store=True` keeps it in `digests` (the daily post); otherwise nothing about the digest is
    stored and the chart goes to `chart_dir` (read into memory here, so the folder may go)."""
    from pipeline import publish_digest
    from reports.render.discord import digest_discord

    settings = services.settings
    name = repo_name(settings.watch, repo)
    with session_scope(services.engine) as session:
        full = stored_repo(session, name) or name
        chart_path = None
        if chart_dir is not None:
            chart_path = chart_dir / f"digest-{full.replace('/', '__')}.png"
        published = publish_digest(session, settings.watch, full, services.now(), settings.output_dir, day=day,
                                   store=store, chart_path=chart_path)
        d, digest_id = published.digest, published.row_id
        rendered = digest_discord(d)
        post, _ = flatten([rendered.post])
        thread, files = flatten(rendered.thread)
        if chart_dir is not None:  # a temporary chart: attach its bytes, not the path
            files = [attachment_of(f) if isinstance(f, Path) else f for f in files]
    return RenderedDigest(d, post, thread, files, rendered.thread_name, digest_id)


def _posted(session: Session, repo: str, day: str) -> DigestRow | None:
    return session.scalars(select(DigestRow).where(func.lower(DigestRow.repo) == repo.lower(), DigestRow.day == day,
                                                   DigestRow.posted_at.is_not(None))
                           .order_by(DigestRow.posted_at, DigestRow.id).limit(1)).first()


def find_posted(services: Services, repo: str | None = None, day: date | None = None) -> DigestPost | None:
    """The recorded post of a repo's digest for a local day, if any (blocking)."""
    name = repo_name(services.settings.watch, repo)
    day_s = digest_day(services, day)
    with session_scope(services.engine) as session:
        row = _posted(session, name, day_s)
        if row is None or row.posted_at is None:
            return None
        return DigestPost(row.id, row.repo or name, row.day, int(row.channel_id or 0),
                          tuple(int(m) for m in row.message_ids or ()), row.posted_at, already_posted=True)


def _record(services: Services, digest_id: int, channel_id: int, message_ids: Sequence[int], at: datetime) -> None:
    with session_scope(services.engine) as session:
        row = session.get(DigestRow, digest_id)
        if row is None:
            raise ReportError(
                f"stored digest {digest_id} is gone; posted messages {list(message_ids)} are not recorded"
            )
        row.posted_at, row.channel_id, row.message_ids = at, channel_id, [str(m) for m in message_ids]


async def _already_in_channel(bot: discord.Client, channel: Any, head_title: str,
                              limit: int = HISTORY_CHECK) -> list[discord.Message]:
    """The bot's latest post in `channel` whose first embed is titled `head_title`, with the
    messages of the thread under it; empty when there is none. This is how a post that went out
    but was never recorded (the process died in between) is found again."""
    me = bot.user.id if bot.user else None
    async for m in channel.history(limit=limit):  # newest first
        if m.author.id == me and m.embeds and m.embeds[0].title == head_title:
            found = [m]
            thread = getattr(m, "thread", None) or (m.guild.get_thread(m.id) if m.guild else None)
            if thread is not None:
                found += [x async for x in thread.history(limit=limit, oldest_first=True) if x.author.id == me]
            return found
    return []


async def post_with_thread(channel: Any, rendered: RenderedDigest) -> list[discord.Message]:
    """The compact post in the channel, then a public thread from it holding the details. Without
    the permission to open threads (or in a channel that has none) the details follow the post in
    the channel instead, with one warning in the log: the digest is never lost for a thread."""
    posted = await send_embeds(channel, rendered.post)
    try:
        thread = await posted[0].create_thread(name=rendered.thread_name,
                                               auto_archive_duration=THREAD_ARCHIVE_MINUTES)
    except (discord.HTTPException, ValueError, AttributeError) as exc:
        log.warning("digest %s %s: could not open its thread (%s); details posted in the channel",
                    rendered.digest.repo, rendered.digest.day, getattr(exc, "text", None) or type(exc).__name__)
        return posted + await send_embeds(channel, rendered.thread, rendered.thread_files)
    return posted + await send_embeds(thread, rendered.thread, rendered.thread_files)


def _lock(bot: discord.Client, repo: str, day: str) -> asyncio.Lock:
    per_bot = _locks.setdefault(bot, {})
    return per_bot.setdefault((repo.lower(), day), asyncio.Lock())


async def post_daily_digest(bot: discord.Client, repo: str | None = None, day: date | None = None) -> DigestPost:
    """Build, post and record the digest of `repo` (default: the first watched repo) for `day`
    (default: the window ending now, filed under today's local date). Returns the post; if one
    was already recorded for that repo and day, returns it and posts nothing (also when the
    channel already shows that day's digest by this bot, unrecorded: it is recorded then).

    Raises ReportError (e.g. the channel does not exist, nothing stored for the repo)."""
    services: Services = bot.services  # type: ignore[attr-defined]
    settings = services.settings
    name = repo_name(settings.watch, repo)
    day_s = digest_day(services, day)
    async with _lock(bot, name, day_s):
        existing = await asyncio.to_thread(find_posted, services, name, day)
        if existing is not None:
            log.info("digest %s %s already posted (messages %s); not posting again", name, day_s,
                     list(existing.message_ids))
            return existing
        target = settings.watch.digest_channel_for(name)
        channel = await resolve_channel(bot, target)  # a missing channel fails before anything is built
        rendered = await asyncio.to_thread(render_digest, services, name, day, store=True)
        if rendered.digest_id is None:
            raise ReportError(f"the digest of {name} for {day_s} was not stored")
        head = safe_text(rendered.embeds[0].get("title") or "", TITLE_MAX) if rendered.embeds else ""
        earlier = await _already_in_channel(bot, channel, head) if head else []
        if earlier:  # posted before, but the record was lost: record it now, post nothing
            log.warning("digest %s %s found in the channel unrecorded (messages %s); recording it, not posting again",
                        rendered.digest.repo, rendered.digest.day, [m.id for m in earlier])
            messages, at, again = earlier, earlier[0].created_at, True
        else:
            messages = await post_with_thread(channel, rendered)
            at, again = services.now(), False
        ids = [m.id for m in messages]
        channel_id = messages[0].channel.id
        await asyncio.to_thread(_record, services, rendered.digest_id, channel_id, ids, at)
        log.info("digest %s %s %s in %s: messages %s", rendered.digest.repo, rendered.digest.day,
                 "recorded" if again else "posted", channel_id, ids)
        return DigestPost(rendered.digest_id, rendered.digest.repo, rendered.digest.day, channel_id, tuple(ids), at,
                          already_posted=again)
