"""The busiest Slack threads and Discourse topics of a window, as the digest's "hottest threads"
read them (beside Discord's channels and threads; see storage.read.load_chat)."""

from __future__ import annotations

import html
import re
import zlib
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rules.github import issue_refs
from storage.models import DiscourseCategory, DiscoursePost, DiscourseTopic, SlackChannel, SlackMessage, SlackUser

_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def _title(text: str, width: int = 60) -> str:
    t = _SPACE.sub(" ", html.unescape(_TAGS.sub(" ", text))).strip()
    return t if len(t) <= width else t[: width - 1] + "…"


def chat_source_threads(session: Session, repo: str, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Per Slack thread (or channel, for messages outside threads) and per Discourse topic: messages
    and distinct human authors in [since, until), and the issues of `repo` they mention (the fields
    of storage.read.ChatThreadRec, which builds them)."""
    key = repo.lower()
    groups: dict[tuple[str, str], dict[str, Any]] = {}

    def add(gkey: tuple[str, str], author: Any, at: datetime, text: str, **meta: Any) -> None:
        g = groups.setdefault(gkey, {"n": 0, "authors": set(), "lo": at, "hi": at, "issues": set(), **meta})
        g["n"] += 1
        if author is not None:
            g["authors"].add(author)
        g["lo"], g["hi"] = min(g["lo"], at), max(g["hi"], at)
        g["issues"].update(n for r, n, _k in issue_refs(html.unescape(text), repo) if r == key)

    for cid, cname, thread_ts, user, is_bot, text, at in session.execute(
            select(SlackMessage.channel_id, SlackChannel.name, SlackMessage.thread_ts,
                   SlackMessage.user_id, SlackUser.is_bot, SlackMessage.text, SlackMessage.posted_at)
            .join(SlackChannel, SlackChannel.id == SlackMessage.channel_id)
            .outerjoin(SlackUser, SlackUser.id == SlackMessage.user_id)
            .where(SlackMessage.posted_at >= since, SlackMessage.posted_at < until)):
        if user is None or is_bot:
            continue
        root = thread_ts or ""
        add(("slack", f"{cid}:{root}"), user, at, text, channel=cname, root=root)
    roots = {(k[1].split(":")[0], g["root"]) for k, g in groups.items() if g["root"]}
    parents = {}
    if roots:
        for cid, ts, text in session.execute(select(SlackMessage.channel_id, SlackMessage.ts, SlackMessage.text)
                                             .where(SlackMessage.ts.in_(sorted({r for _c, r in roots})))):
            parents[(cid, ts)] = text
    for tid, title, cat, username, cooked, at in session.execute(
            select(DiscourseTopic.id, DiscourseTopic.title, DiscourseCategory.name, DiscoursePost.username,
                   DiscoursePost.cooked, DiscoursePost.created_at)
            .join(DiscoursePost, DiscoursePost.topic_id == DiscourseTopic.id)
            .outerjoin(DiscourseCategory, DiscourseCategory.id == DiscourseTopic.category_id)
            .where(DiscoursePost.created_at >= since, DiscoursePost.created_at < until)):
        add(("discourse", str(tid)), username, at, cooked, title=title, category=cat)

    out = []
    for (source, ident), g in groups.items():
        if source == "slack":
            cid, _, root = ident.partition(":")
            name = _title(parents.get((cid, root), "thread")) if root else f"#{g['channel']}"
            parent = f"Slack #{g['channel']}" if root else "Slack"
            num = int(root.replace(".", "")) if root else zlib.crc32(cid.encode())
        else:
            name, parent, num = _title(g["title"] or "topic"), f"Forum {g['category'] or ''}".strip(), int(ident)
        out.append({"channel_id": num, "guild_id": None, "name": name, "parent_name": parent, "messages": g["n"],
                    "authors": len(g["authors"]), "first_at": g["lo"], "last_at": g["hi"],
                    "issue_numbers": tuple(sorted(g["issues"])), "source": source})
    return out
