"""What to fetch from Slack: the team, its users (with the GitHub logins their profiles name), every
channel the app can list, and in each channel it is a member of, the messages since the channel's
checkpoint, threads included.

Per channel, history is read newest first from the checkpoint (or `days` back on a first read),
reaching `THREAD_LOOKBACK` further back so that new replies in recent threads are seen; each page is
stored with the replies of its threads whose `latest_reply` changed. The checkpoint (the newest
top-level `ts` and the known threads' `latest_reply`) is written last, so a crash mid-channel
repeats that channel instead of leaving a hole; upserts keyed by (channel, ts) make the repeat
harmless.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from collectors.slack.client import Payload, SlackError, SlackReader
from config.clock import utcnow
from config.errors import CollectorError, DatasetError
from storage.chat_links import apply_slack_links
from storage.chat_upsert import slack_time, upsert_slack_channels, upsert_slack_messages, upsert_slack_users
from storage.db import session_scope
from storage.models import SlackMessage, SyncCheckpoint, SyncRun

log = logging.getLogger(__name__)

SOURCE = "slack"
ENDPOINT = "messages"
CATEGORIES = ("user", "channel", "message")
THREAD_LOOKBACK = timedelta(days=3)


def slack_ts(dt: datetime) -> str:
    return f"{dt.timestamp():.6f}"


@dataclass
class SlackCollectStats:
    channels: int = 0
    channels_read: int = 0
    messages: int = 0
    new_messages: int = 0
    threads: int = 0
    users: int = 0
    links: int = 0
    requests: int = 0
    channels_skipped: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def stored(self) -> dict[str, int]:
        return {"channels": self.channels, "messages": self.messages, "new_messages": self.new_messages,
                "threads": self.threads, "users": self.users}


class SlackCollector:
    """Collects a Slack workspace through a `SlackReader` into the database behind `engine`."""

    def __init__(self, reader: SlackReader, engine: Engine, *, now: datetime,
                 github_links: dict[str, str] | None = None, channels: tuple[str, ...] = ()) -> None:
        self.reader = reader
        self.engine = engine
        self.now = now
        self.github_links = dict(github_links or {})
        self.only = frozenset(c.strip().lstrip("#").lower() for c in channels if c.strip())

    # ------------------------------------------------------------------ storage
    def _checkpoint(self, channel_id: str) -> tuple[str | None, dict[str, str]]:
        with session_scope(self.engine) as s:
            cp = s.get(SyncCheckpoint, (SOURCE, channel_id, ENDPOINT))
            if cp is None:
                return None, {}
            state = dict(cp.state or {})
            threads = state.get("threads")
            return state.get("ts"), dict(threads) if isinstance(threads, dict) else {}

    def _store(self, channel_id: str, messages: list[Payload]) -> tuple[int, int]:
        with session_scope(self.engine) as s:
            ts = [str(m.get("ts")) for m in messages]
            known = set(s.scalars(select(SlackMessage.ts).where(SlackMessage.channel_id == channel_id,
                                                                SlackMessage.ts.in_(ts)))) if ts else set()
            n = upsert_slack_messages(s, channel_id, messages)
            return n, len(set(ts) - known)

    def _save_checkpoint(self, channel_id: str, newest: str | None, threads: dict[str, str]) -> None:
        with session_scope(self.engine) as s:
            cp = s.get(SyncCheckpoint, (SOURCE, channel_id, ENDPOINT))
            if cp is None:
                cp = SyncCheckpoint(source=SOURCE, scope=channel_id, endpoint=ENDPOINT, state={})
                s.add(cp)
            old = (cp.state or {}).get("ts")
            if newest is None or (old is not None and float(old) >= float(newest)):
                newest = old
            cp.state = {"ts": newest, "threads": threads}
            cp.cursor_at = slack_time(newest) if newest else None
            cp.updated_at = self.now

    # ------------------------------------------------------------------ fetching
    def _thread(self, channel_id: str, ts: str, stats: SlackCollectStats) -> None:
        for page in self.reader.replies(channel_id, ts):
            page = [m for m in page if m.get("ts") != ts]  # the parent heads every page; history stored it
            n, new = self._store(channel_id, page)
            stats.messages += n
            stats.new_messages += new
        stats.threads += 1

    def _channel(self, channel: Payload, since: datetime, stats: SlackCollectStats) -> None:
        cid = str(channel["id"])
        cursor, threads = self._checkpoint(cid)
        if cursor is not None:
            start = min(slack_time(cursor), self.now) - THREAD_LOOKBACK
        else:
            start = since
        newest: str | None = None
        seen_threads: dict[str, str] = {}
        for page in self.reader.history(cid, slack_ts(start), inclusive=cursor is None):
            if newest is None and page:
                newest = str(page[0]["ts"])
            n, new = self._store(cid, page)  # the lookback's parents too: their reply counters move
            stats.messages += n
            stats.new_messages += new
            for m in page:
                latest = m.get("latest_reply")
                if int(m.get("reply_count") or 0) > 0 and latest:
                    seen_threads[str(m["ts"])] = str(latest)
                    if threads.get(str(m["ts"])) != latest:
                        self._thread(cid, str(m["ts"]), stats)
        # Threads the next run's lookback will list again (parents after its start) keep their latest_reply.
        newest_at = max(float(x) for x in (newest, cursor) if x is not None) if (newest or cursor) else None
        keep_after = (min(newest_at, self.now.timestamp()) if newest_at is not None else self.now.timestamp()) \
            - THREAD_LOOKBACK.total_seconds()
        merged = {ts: latest for ts, latest in {**threads, **seen_threads}.items() if float(ts) >= keep_after}
        self._save_checkpoint(cid, newest, merged)
        stats.channels_read += 1

    def collect(self, days: float = 7) -> SlackCollectStats:
        """Store the workspace's users, channels and messages since each channel's checkpoint (or
        `days` back for a channel read for the first time); records a SyncRun."""
        stats = SlackCollectStats()
        started = utcnow()
        since = self.now - timedelta(days=days)
        error: str | None = None
        try:
            self.reader.auth_test()
            for page in self.reader.users():
                with session_scope(self.engine) as s:
                    stats.users += upsert_slack_users(s, page)
            with session_scope(self.engine) as s:
                stats.links = apply_slack_links(s, self.github_links)
            channels: list[Payload] = []
            for page in self.reader.channels():
                with session_scope(self.engine) as s:
                    upsert_slack_channels(s, page)
                channels.extend(page)
            stats.channels = len(channels)
            for c in channels:
                if self.only and str(c.get("name", "")).lower() not in self.only and str(c.get("id")) not in self.only:
                    continue
                if not c.get("is_member"):
                    stats.channels_skipped.append(f"#{c.get('name')} ({c.get('id')}): the app is not a member")
                    continue
                try:
                    self._channel(c, since, stats)
                except SlackError as exc:
                    if exc.code in ("not_in_channel", "channel_not_found", "missing_scope"):
                        stats.channels_skipped.append(f"#{c.get('name')} ({c.get('id')}): {exc.code}")
                    else:
                        stats.errors.append(f"#{c.get('name')}: {exc}")
                except DatasetError as exc:  # a malformed message: this channel stops before it, others go on
                    stats.errors.append(f"#{c.get('name')}: {exc}")
            if stats.errors:
                error = "; ".join(stats.errors[:5])
        except SlackError as exc:
            error = str(exc)
            if exc.code in ("invalid_auth", "not_authed", "token_revoked", "account_inactive"):
                raise CollectorError(f"Slack refused the token (SCOUT_SLACK_TOKEN): {exc.code}") from None
            raise CollectorError(f"Slack collection interrupted ({exc}); checkpoints keep what was stored, "
                                 "the next run resumes there") from None
        except BaseException:
            error = "interrupted"
            raise
        finally:
            stats.requests = self.reader.requests
            self._record_run(started, stats, error)
        if error:
            raise CollectorError(f"Slack collection incomplete (checkpoints keep what was stored): {error}")
        log.info("slack: %d channel(s), %d message(s) (%d new), %d thread(s), %d request(s)", stats.channels,
                 stats.messages, stats.new_messages, stats.threads, stats.requests)
        return stats

    def _record_run(self, started: datetime, stats: SlackCollectStats, error: str | None) -> None:
        with session_scope(self.engine) as s:
            s.add(SyncRun(source=SOURCE, scope="slack", started_at=started, finished_at=utcnow(), ok=error is None,
                          stored=stats.stored(), requests=stats.requests, error=error))


def summary(stats: SlackCollectStats) -> dict[str, Any]:
    return {**stats.stored(), "requests": stats.requests, "links": stats.links}
