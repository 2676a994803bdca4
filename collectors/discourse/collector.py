"""What to fetch from Discourse: its categories, then every topic bumped since the checkpoint (or
`days` back on a first run) with all its posts, and the profiles of their authors (for identity
links).

/latest.json lists topics most recently bumped first; the changed ones are gathered page by page
until a page holds nothing newer than the checkpoint, then stored oldest first. Each topic is stored
with its posts, its new authors and the checkpoint (its bump time and id) in one transaction, so a
crash loses nothing and a rerun starts after the last stored topic. Posts already stored are not
fetched again (`post_stream.stream` lists a topic's post ids; the first 20 come with the topic).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from collectors.discourse.client import DiscourseClient, DiscourseError, Payload
from config.clock import parse_utc, utcnow
from config.errors import CollectorError, DatasetError
from storage.chat_links import apply_discourse_links
from storage.chat_upsert import (
    upsert_discourse_categories,
    upsert_discourse_posts,
    upsert_discourse_topics,
    upsert_discourse_users,
)
from storage.db import session_scope
from storage.models import DiscoursePost, DiscourseUser, SyncCheckpoint, SyncRun

log = logging.getLogger(__name__)

SOURCE = "discourse"
ENDPOINT = "topics"
CATEGORIES = ("category", "topic", "post", "user")


@dataclass
class DiscourseCollectStats:
    categories: int = 0
    topics: int = 0
    posts: int = 0
    new_posts: int = 0
    users: int = 0
    links: int = 0
    requests: int = 0
    errors: list[str] = field(default_factory=list)

    def stored(self) -> dict[str, int]:
        return {"categories": self.categories, "topics": self.topics, "posts": self.posts,
                "new_posts": self.new_posts, "users": self.users}


def _bump(topic: Payload) -> tuple[datetime, int]:
    return parse_utc(str(topic.get("bumped_at") or topic.get("last_posted_at") or topic["created_at"])), int(
        topic["id"]
    )


class DiscourseCollector:
    def __init__(self, client: DiscourseClient, engine: Engine, *, now: datetime, scope: str,
                 github_links: dict[str, str] | None = None, categories: tuple[str, ...] = ()) -> None:
        self.client = client
        self.engine = engine
        self.now = now
        self.scope = scope  # the forum's base URL: one checkpoint per forum
        self.github_links = dict(github_links or {})
        self.only = frozenset(c.strip().lower() for c in categories if c.strip())

    # ------------------------------------------------------------------ storage
    def _checkpoint(self) -> tuple[datetime, int] | None:
        with session_scope(self.engine) as s:
            cp = s.get(SyncCheckpoint, (SOURCE, self.scope, ENDPOINT))
            if cp is None or cp.cursor_at is None:
                return None
            return cp.cursor_at, int(cp.cursor_id or 0)

    def _known_posts(self, ids: list[int]) -> set[int]:
        if not ids:
            return set()
        with session_scope(self.engine) as s:
            return set(s.scalars(select(DiscoursePost.id).where(DiscoursePost.id.in_(ids))))

    def _known_users(self, usernames: set[str]) -> set[str]:
        if not usernames:
            return set()
        with session_scope(self.engine) as s:
            return set(s.scalars(select(DiscourseUser.username).where(DiscourseUser.username.in_(sorted(usernames)))))

    def _store_topic(self, topic: Payload, posts: list[Payload], users: list[Payload], new_posts: int,
                     stats: DiscourseCollectStats) -> None:
        at, tid = _bump(topic)
        with session_scope(self.engine) as s:
            if users:
                stats.users += upsert_discourse_users(s, users)
            upsert_discourse_topics(s, [topic])
            stats.posts += upsert_discourse_posts(s, posts) if posts else 0
            s.merge(SyncCheckpoint(source=SOURCE, scope=self.scope, endpoint=ENDPOINT, cursor_at=at, cursor_id=tid,
                                   state={}, updated_at=self.now))
        stats.topics += 1
        stats.new_posts += new_posts

    # ------------------------------------------------------------------ fetching
    def changed_topics(self, after: tuple[datetime, int] | None, since: datetime) -> list[Payload]:
        """Topics bumped after the checkpoint (or since `since`), oldest first."""
        found: dict[int, Payload] = {}
        for page in self.client.latest():
            newer = False
            for t in page:
                key = _bump(t)
                if (key > after) if after is not None else (key[0] >= since):
                    found.setdefault(int(t["id"]), t)
                    newer = newer or not (t.get("pinned") or t.get("pinned_globally"))
            if not newer:  # pinned topics head the list whatever their age: they do not end it
                break
        return sorted(found.values(), key=_bump)

    def _authors(self, posts: list[Payload]) -> list[Payload]:
        """Profiles of authors not stored yet (a deleted or hidden profile: what the post says)."""
        names = {str(p["username"]) for p in posts if p.get("username")}
        out = []
        for name in sorted(names - self._known_users(names)):
            user = self.client.user(name)
            if user is None:
                sample = next(p for p in posts if p.get("username") == name)
                user = {"id": sample.get("user_id"), "username": name, "name": sample.get("name")}
            if user.get("id") is not None:
                out.append(user)
        return out

    def _topic(self, listed: Payload, category_slugs: dict[int, str], stats: DiscourseCollectStats) -> None:
        tid = int(listed["id"])
        if self.only and category_slugs.get(int(listed.get("category_id") or 0), "") not in self.only:
            return
        full = self.client.topic(tid)
        if full is None:  # deleted or made private since it was listed
            return
        stream = full.get("post_stream") or {}
        first = [p for p in stream.get("posts") or [] if isinstance(p, dict)]
        ids = [int(i) for i in stream.get("stream") or [p["id"] for p in first]]
        known = self._known_posts(ids)
        have = {int(p["id"]) for p in first}
        missing = [i for i in ids if i not in have and i not in known]
        posts = [p for p in first if int(p["id"]) not in known] + (self.client.posts(tid, missing) if missing else [])
        for p in posts:
            p.setdefault("topic_id", tid)
        self._store_topic(listed, posts, self._authors(posts), len(posts), stats)

    def collect(self, days: float = 7) -> DiscourseCollectStats:
        stats = DiscourseCollectStats()
        started = utcnow()
        error: str | None = None
        try:
            cats = self.client.categories()
            with session_scope(self.engine) as s:
                stats.categories = upsert_discourse_categories(s, cats)
            slugs = {int(c["id"]): str(c.get("slug", "")).lower() for c in cats if "id" in c}
            for listed in self.changed_topics(self._checkpoint(), self.now - timedelta(days=days)):
                self._topic(listed, slugs, stats)
            with session_scope(self.engine) as s:
                stats.links = apply_discourse_links(s, self.github_links)
        except (DiscourseError, DatasetError) as exc:
            error = str(exc)
            raise CollectorError(f"Discourse collection interrupted ({exc}); the checkpoint keeps what was stored, "
                                 "the next run resumes there") from None
        except BaseException:
            error = "interrupted"
            raise
        finally:
            stats.requests = self.client.requests
            self._record_run(started, stats, error)
        log.info("discourse: %d topic(s), %d post(s) (%d new), %d user(s), %d request(s)", stats.topics, stats.posts,
                 stats.new_posts, stats.users, stats.requests)
        return stats

    def _record_run(self, started: datetime, stats: DiscourseCollectStats, error: str | None) -> None:
        with session_scope(self.engine) as s:
            s.add(SyncRun(source=SOURCE, scope="discourse", started_at=started, finished_at=utcnow(),
                          ok=error is None, stored=stats.stored(), requests=stats.requests, error=error))


def summary(stats: DiscourseCollectStats) -> dict[str, Any]:
    return {**stats.stored(), "requests": stats.requests, "links": stats.links}
