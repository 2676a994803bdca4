"""Slack and Discourse objects (API-shaped dicts) into their tables, through the same idempotent
INSERT .. ON CONFLICT as every other source: storing a page twice stores it once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session

from storage.models import (
    DiscourseCategory,
    DiscoursePost,
    DiscourseTopic,
    DiscourseUser,
    SlackChannel,
    SlackMessage,
    SlackUser,
)
from storage.upsert import Payload, _convert, _int, _str, _text, _time, _time_opt, _upsert_rows


def _table(model: type) -> Table:
    return model.__table__  # type: ignore[attr-defined]


def slack_time(ts: Any) -> datetime:
    """A Slack `ts` ("1712345678.000200") as a UTC time."""
    if not isinstance(ts, str) or not ts.replace(".", "", 1).isdigit():
        raise ValueError(f"ts: expected a Slack timestamp such as '1712345678.000200', got {ts!r}")
    return datetime.fromtimestamp(float(ts), UTC)


def _opt_str(value: Any, what: str, limit: int) -> str | None:
    if value is None or value == "":
        return None
    return _str(value, what)[:limit]


# ----------------------------------------------------------------------------- Slack


def upsert_slack_channels(session: Session, payloads: Sequence[Payload]) -> int:
    def row(c: Payload) -> dict[str, Any]:
        purpose = c.get("purpose")
        created = c.get("created")
        return {"id": _str(c["id"], "id"), "name": _text(c.get("name"))[:200],
                "is_private": bool(c.get("is_private")), "is_archived": bool(c.get("is_archived")),
                "purpose": _text(purpose.get("value")) if isinstance(purpose, dict) else None,
                "created_at": datetime.fromtimestamp(_int(created, "created"), UTC) if created is not None else None}

    return _upsert_rows(session, _table(SlackChannel), _convert(payloads, "slack channel", row), ["id"])


def upsert_slack_users(session: Session, payloads: Sequence[Payload]) -> int:
    """Users' names and profiles; links are kept (see storage.chat_links)."""
    def row(u: Payload) -> dict[str, Any]:
        profile = u.get("profile") or {}
        if not isinstance(profile, dict):
            raise TypeError("profile: expected an object")
        return {"id": _str(u["id"], "id"), "name": _text(u.get("name"))[:100],
                "real_name": _opt_str(u.get("real_name") or profile.get("real_name"), "real_name", 200),
                "display_name": _opt_str(profile.get("display_name"), "display_name", 200),
                "title": _opt_str(profile.get("title"), "title", 300),
                "is_bot": bool(u.get("is_bot")) or u.get("id") == "USLACKBOT"}

    return _upsert_rows(session, _table(SlackUser), _convert(payloads, "slack user", row), ["id"])


def upsert_slack_messages(session: Session, channel_id: str, payloads: Sequence[Payload]) -> int:
    def row(m: Payload) -> dict[str, Any]:
        ts = _str(m["ts"], "ts")
        return {"channel_id": channel_id, "ts": ts, "user_id": _opt_str(m.get("user"), "user", 32),
                "bot_id": _opt_str(m.get("bot_id"), "bot_id", 32), "subtype": _opt_str(m.get("subtype"), "subtype", 50),
                "text": _text(m.get("text")), "thread_ts": _opt_str(m.get("thread_ts"), "thread_ts", 32),
                "reply_count": _int(m.get("reply_count", 0), "reply_count"),
                "latest_reply": _opt_str(m.get("latest_reply"), "latest_reply", 32), "posted_at": slack_time(ts)}

    rows = _convert(payloads, "slack message", row)
    # A reply seen again inside conversations.replies has no reply_count: keep a parent's counters.
    return _upsert_rows(session, _table(SlackMessage), rows, ["channel_id", "ts"])


# ----------------------------------------------------------------------------- Discourse


def upsert_discourse_categories(session: Session, payloads: Sequence[Payload]) -> int:
    def row(c: Payload) -> dict[str, Any]:
        parent = c.get("parent_category_id")
        return {"id": _int(c["id"], "id"), "name": _text(c.get("name"))[:200], "slug": _text(c.get("slug"))[:200],
                "parent_category_id": _int(parent, "parent_category_id") if parent is not None else None}

    return _upsert_rows(session, _table(DiscourseCategory), _convert(payloads, "discourse category", row), ["id"])


def upsert_discourse_users(session: Session, payloads: Sequence[Payload]) -> int:
    def row(u: Payload) -> dict[str, Any]:
        return {"id": _int(u["id"], "id"), "username": _str(u["username"], "username")[:100],
                "name": _opt_str(u.get("name"), "name", 200), "website": _opt_str(u.get("website"), "website", 500),
                "bio": _opt_str(u.get("bio_raw"), "bio_raw", 10_000)}

    return _upsert_rows(session, _table(DiscourseUser), _convert(payloads, "discourse user", row), ["id"])


def upsert_discourse_topics(session: Session, payloads: Sequence[Payload]) -> int:
    def row(t: Payload) -> dict[str, Any]:
        cat = t.get("category_id")
        return {"id": _int(t["id"], "id"), "category_id": _int(cat, "category_id") if cat is not None else None,
                "title": _text(t.get("title")), "slug": _text(t.get("slug"))[:300],
                "posts_count": _int(t.get("posts_count", 0), "posts_count"), "created_at": _time(t["created_at"]),
                "last_posted_at": _time_opt(t.get("last_posted_at")), "bumped_at": _time_opt(t.get("bumped_at"))}

    return _upsert_rows(session, _table(DiscourseTopic), _convert(payloads, "discourse topic", row), ["id"])


def upsert_discourse_posts(session: Session, payloads: Sequence[Payload]) -> int:
    def row(p: Payload) -> dict[str, Any]:
        reply = p.get("reply_to_post_number")
        uid = p.get("user_id")
        return {"id": _int(p["id"], "id"), "topic_id": _int(p["topic_id"], "topic_id"),
                "post_number": _int(p["post_number"], "post_number"), "username": _str(p["username"], "username")[:100],
                "user_id": _int(uid, "user_id") if uid is not None else None,
                "reply_to_post_number": _int(reply, "reply_to_post_number") if reply is not None else None,
                "cooked": _text(p.get("cooked")), "created_at": _time(p["created_at"]),
                "updated_at": _time_opt(p.get("updated_at"))}

    return _upsert_rows(session, _table(DiscoursePost), _convert(payloads, "discourse post", row), ["id"])
