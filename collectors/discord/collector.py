"""What to fetch from Discord: the guilds the bot has joined, every text channel, thread (active and
archived) and forum post it can read (narrowed by the watch config), and their messages since the
last checkpoint per channel, paging by snowflake `after`.

Each page is stored with its checkpoint in one transaction, so a crash mid-run loses nothing and
a rerun starts where the last stored page ended; upserts are keyed by snowflake, so a message seen
twice (history after a live MESSAGE_CREATE, or a gap refilled after downtime) is stored once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import discord
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from collectors.discord.client import ChatReader, Payload, raise_for
from config.clock import Clock, parse_utc, utcnow
from config.errors import CollectorError, DatasetError
from config.watch import DiscordWatch
from storage.db import session_scope
from storage.models import DiscordMessage, SyncCheckpoint, SyncRun
from storage.upsert import existing_ids, upsert_channels, upsert_guild, upsert_messages

log = logging.getLogger(__name__)

SOURCE = "discord"
ENDPOINT_MESSAGES = "messages"
CATEGORY_CHANNEL = "channel"
CATEGORY_MESSAGE = "message"
CATEGORIES = (CATEGORY_CHANNEL, CATEGORY_MESSAGE)

# Channel types (discord.ChannelType values)
THREAD_TYPES = frozenset({10, 11, 12})
MESSAGEABLE_TYPES = frozenset({0, 2, 5, 13}) | THREAD_TYPES
THREAD_PARENT_TYPES = frozenset({0, 5, 15, 16})   # text, announcement, forum, media
CATEGORY_TYPE = 4

DISCORD_EPOCH_MS = 1420070400000


def snowflake_before(dt: datetime) -> int:
    """The largest snowflake older than `dt`: `after=` this id returns messages from `dt` on."""
    return max(0, ((int(dt.timestamp() * 1000) - DISCORD_EPOCH_MS) << 22) - 1)


def _norm(value: str) -> str:
    return value.strip().lstrip("#").lower()


@dataclass(frozen=True)
class ChannelFilter:
    """The watch config's narrowing: guilds and channels by name or id (empty: everything).

    A named category brings its channels, a named channel or forum brings its threads and posts.
    """

    guilds: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()

    @classmethod
    def from_watch(cls, watch: DiscordWatch) -> ChannelFilter:
        return cls(frozenset(_norm(g) for g in watch.guilds), frozenset(_norm(c) for c in watch.channels))

    def guild(self, guild_id: int | str, name: str) -> bool:
        return not self.guilds or str(guild_id) in self.guilds or _norm(name) in self.guilds

    def _named(self, c: Payload) -> bool:
        return str(c["id"]) in self.channels or _norm(str(c.get("name") or "")) in self.channels

    def select(self, channels: Iterable[Payload]) -> list[Payload]:
        """The subset of a guild's channels and threads the config asks for."""
        chans = list(channels)
        if not self.channels:
            return chans
        by_id = {str(c["id"]): c for c in chans}
        chosen: set[str] = set()
        for c in chans:
            parent = by_id.get(str(c.get("parent_id")))
            grand = by_id.get(str(parent.get("parent_id"))) if parent else None
            if self._named(c) or (parent and self._named(parent)) or (grand and self._named(grand)
                                                                      and int(c.get("type", 0)) in THREAD_TYPES):
                chosen.add(str(c["id"]))
        return [c for c in chans if str(c["id"]) in chosen]

    def wants(self, channel: Payload, parent: Payload | None, grandparent: Payload | None = None) -> bool:
        """For a single channel seen live (a new thread, a message in an unknown channel)."""
        if not self.channels:
            return True
        family = [x for x in (channel, parent, grandparent) if x is not None]
        return any(self._named(x) for x in family)


@dataclass
class ChatCollectStats:
    guilds: int = 0
    channels: int = 0
    messages: int = 0
    new_messages: int = 0
    requests: int = 0
    channels_read: int = 0
    channels_skipped: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"guilds": self.guilds, "channels": self.channels, "messages": self.messages,
                "new_messages": self.new_messages, "requests": self.requests, "channels_read": self.channels_read,
                "channels_skipped": self.channels_skipped, "errors": self.errors}


def get_checkpoint(session: Session, channel_id: int) -> SyncCheckpoint | None:
    return session.get(SyncCheckpoint, (SOURCE, str(channel_id), ENDPOINT_MESSAGES))


def set_checkpoint(session: Session, channel_id: int, cursor_id: int, cursor_at: datetime | None,
                   now: datetime) -> None:
    cp = get_checkpoint(session, channel_id)
    if cp is None:
        cp = SyncCheckpoint(source=SOURCE, scope=str(channel_id), endpoint=ENDPOINT_MESSAGES, state={})
        session.add(cp)
    if cp.cursor_id is None or cursor_id > cp.cursor_id:
        cp.cursor_id = cursor_id
        cp.cursor_at = cursor_at
    cp.updated_at = now


class DiscordCollector:
    """Collects the chat of every guild a connected discord.py client has joined."""

    def __init__(self, client: discord.Client, engine: Engine, watch: DiscordWatch, *, now: datetime,
                 default_repo: str | None = None, concurrency: int = 4, clock: Clock = utcnow) -> None:
        self.client = client
        self.clock = clock  # the present (Settings.present): the sync run's times
        self.engine = engine
        self.filter = ChannelFilter.from_watch(watch)
        self.now = now
        self.default_repo = default_repo
        self.reader = ChatReader(client)
        self._sem = asyncio.Semaphore(max(1, concurrency))
        self._db = asyncio.Lock()  # one writer at a time (SQLite)

    # ------------------------------------------------------------------ storage (off the event loop)
    async def _write(self, fn: Any, *args: Any) -> Any:
        async with self._db:
            return await asyncio.to_thread(fn, *args)

    def _store_structure(self, guild: Payload, channels: list[Payload]) -> None:
        with session_scope(self.engine) as s:
            upsert_guild(s, guild)
            upsert_channels(s, channels, guild_id=int(guild["id"]))

    def _cursors(self, channel_ids: list[int]) -> dict[int, int]:
        with session_scope(self.engine) as s:
            rows = s.execute(select(SyncCheckpoint.scope, SyncCheckpoint.cursor_id).where(
                SyncCheckpoint.source == SOURCE, SyncCheckpoint.endpoint == ENDPOINT_MESSAGES,
                SyncCheckpoint.scope.in_([str(c) for c in channel_ids])))
            return {int(scope): int(cur) for scope, cur in rows if cur is not None}

    def _store_page(self, channel_id: int, page: list[Payload], checkpoint: Payload | None) -> tuple[int, int]:
        """Upsert a page of messages and, when given, move the channel's checkpoint to `checkpoint`."""
        with session_scope(self.engine) as s:
            ids = [int(m["id"]) for m in page]
            new = len(ids) - len(existing_ids(s, DiscordMessage, ids)) if ids else 0
            n = upsert_messages(s, page, default_repo=self.default_repo) if page else 0
            if checkpoint is not None:
                set_checkpoint(s, channel_id, int(checkpoint["id"]), parse_utc(checkpoint["timestamp"]), self.now)
            return n, new

    # ------------------------------------------------------------------ planning
    def _guilds(self) -> list[discord.Guild]:
        guilds = [g for g in self.client.guilds if self.filter.guild(g.id, g.name)]
        if self.filter.guilds and not guilds:
            joined = ", ".join(f"{g.name} ({g.id})" for g in self.client.guilds) or "none"
            raise CollectorError(f"none of the configured discord.guilds {sorted(self.filter.guilds)} is joined "
                                 f"by the bot (joined: {joined})")
        return guilds

    def _permissions(self, guild: discord.Guild, channel: Payload) -> discord.Permissions | None:
        """The bot's permissions in a channel (threads use their parent's), from the gateway cache."""
        me = guild.me
        cid = int(channel.get("parent_id") or 0) if int(channel.get("type", 0)) in THREAD_TYPES else int(channel["id"])
        target = guild.get_channel(cid)
        if me is None or target is None:
            return None
        return target.permissions_for(me)

    async def plan(self, guild: discord.Guild) -> tuple[Payload, list[Payload]]:
        """The guild and the channels/threads to store (raw payloads), stored now."""
        try:
            g = await self.reader.guild(guild.id)
            channels = await self.reader.channels(guild.id)
            threads = await self.reader.active_threads(guild.id)
        except discord.HTTPException as exc:
            raise raise_for(exc, f"guild {guild.name} ({guild.id})") from exc
        parents = [c for c in self.filter.select(channels) if int(c.get("type", 0)) in THREAD_PARENT_TYPES]
        for c in parents:
            perms = self._permissions(guild, c)
            if perms is None or not (perms.view_channel and perms.read_message_history):
                continue
            try:
                threads += await self.reader.archived_threads(int(c["id"]))
                if int(c.get("type", 0)) in (0, 5) and perms.manage_threads:
                    threads += await self.reader.archived_threads(int(c["id"]), private=True)
            except discord.Forbidden:
                log.warning("no access to archived threads of #%s", c.get("name"))
        seen: dict[str, Payload] = {}
        for c in channels + threads:
            seen.setdefault(str(c["id"]), {**c, "guild_id": str(guild.id)})
        chosen = self.filter.select(seen.values())
        await self._write(self._store_structure, g, chosen)
        return g, chosen

    # ------------------------------------------------------------------ fetching
    async def fetch(self, channel_id: int, since_id: int) -> AsyncIterator[list[Payload]]:
        """Pages of raw messages newer than snowflake `since_id`, ascending (Perceval-style `fetch`)."""
        async for page in self.reader.messages_after(channel_id, since_id):
            yield page

    async def _collect_channel(self, channel: Payload, cursor: int | None, since: datetime | None,
                               stats: ChatCollectStats) -> None:
        cid = int(channel["id"])
        last = channel.get("last_message_id", "absent")
        if last is None or (cursor is not None and last != "absent" and int(last) <= cursor):
            return  # Discord says nothing is newer than the cursor (or the channel is empty): no request
        async with self._sem:
            try:
                if cursor is not None:
                    # Each ascending page is contiguous from the checkpoint: store it with its end.
                    async for page in self.fetch(cid, cursor):
                        n, new = await self._write(self._store_page, cid, page, page[-1])
                        stats.messages += n
                        stats.new_messages += new
                else:
                    await self._backfill(cid, since, stats)
            except discord.Forbidden:
                stats.channels_skipped.append(f"#{channel.get('name')} ({cid}): 403")
                return
            except discord.HTTPException as exc:
                stats.errors.append(str(raise_for(exc, f"#{channel.get('name')} ({cid})")))
                return
            except DatasetError as exc:  # a malformed message: this channel stops before it, others go on
                stats.errors.append(f"#{channel.get('name')} ({cid}): {exc}")
                return
            stats.channels_read += 1

    async def _backfill(self, cid: int, since: datetime | None, stats: ChatCollectStats) -> None:
        """A channel's first read: newest first, back to the window's start by timestamp (so the
        window holds even where ids and times disagree). Pages are stored as they come; the
        checkpoint (the newest id) is written last, so a crash mid-backfill repeats the backfill
        instead of leaving a hole."""
        newest: Payload | None = None
        async for page in self.reader.messages_before(cid):
            newest = newest or page[0]
            keep = [m for m in page if since is None or parse_utc(m["timestamp"]) >= since]
            n, new = await self._write(self._store_page, cid, keep, None)
            stats.messages += n
            stats.new_messages += new
            if len(keep) < len(page):
                break
        if newest is not None:
            await self._write(self._store_page, cid, [], newest)

    async def collect(self, days: float | None = 7) -> ChatCollectStats:
        """Store guilds, channels and messages (since each channel's checkpoint, or `days` back when
        a channel has none; `days=None` reads all history); records a SyncRun."""
        stats = ChatCollectStats()
        started = self.clock()
        since = self.now - timedelta(days=days) if days is not None else None
        error: str | None = None
        try:
            for guild in self._guilds():
                _, chosen = await self.plan(guild)
                stats.guilds += 1
                stats.channels += len(chosen)
                readable = []
                for c in chosen:
                    if int(c.get("type", 0)) not in MESSAGEABLE_TYPES:
                        continue
                    perms = self._permissions(guild, c)
                    if perms is not None and not (perms.view_channel and perms.read_message_history):
                        stats.channels_skipped.append(f"#{c.get('name')} ({c['id']}): no read permission")
                        continue
                    if int(c.get("type", 0)) == 12 and perms is not None and not perms.manage_threads:
                        stats.channels_skipped.append(f"#{c.get('name')} ({c['id']}): private thread")
                        continue
                    readable.append(c)
                cursors = await self._write(self._cursors, [int(c["id"]) for c in readable])
                # A channel with a checkpoint resumes there, however old (a gap after downtime is
                # filled); one without is read back to the window's start.
                await asyncio.gather(*(self._collect_channel(c, cursors.get(int(c["id"])), since, stats)
                                       for c in readable))
            if stats.errors:
                error = "; ".join(stats.errors[:5])
        except CollectorError as exc:
            error = str(exc)
            raise
        except (discord.DiscordException, OSError, TimeoutError) as exc:
            error = f"{type(exc).__name__}: {exc}"
            raise CollectorError(f"Discord collection interrupted ({error}); checkpoints keep what was stored, "
                                 "the next run resumes there") from exc
        except BaseException:
            error = "interrupted"
            raise
        finally:
            stats.requests = self.reader.requests
            await self._write(self._record_run, started, stats, error)
        if error:
            raise CollectorError(f"Discord collection incomplete (checkpoints keep what was stored): {error}")
        log.info("discord: %d guild(s), %d channel(s), %d message(s) (%d new), %d request(s)", stats.guilds,
                 stats.channels, stats.messages, stats.new_messages, stats.requests)
        return stats

    def _record_run(self, started: datetime, stats: ChatCollectStats, error: str | None) -> None:
        with session_scope(self.engine) as s:
            s.add(
                SyncRun(
                    source=SOURCE,
                    scope="discord",
                    started_at=started,
                    finished_at=self.clock(),
                    ok=error is None,
                    stored={
                        "guilds": stats.guilds,
                        "channels": stats.channels,
                        "messages": stats.messages,
                        "new_messages": stats.new_messages,
                    },
                    requests=stats.requests,
                    error=error,
                )
            )


__all__ = ["CATEGORIES", "ChannelFilter", "ChatCollectStats", "DiscordCollector", "get_checkpoint",
           "snowflake_before"]
