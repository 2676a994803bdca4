"""Slack and Discourse reads: the busiest threads and topics of a window, as the digest's "hottest
threads" read them (beside Discord's channels and threads; see storage.read.load_chat), and the
judgement's chat evidence (linked answerers, messages naming issues; mapped in
classifiers.chat_evidence)."""

from __future__ import annotations

import html
import re
import zlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from rules.github import as_thread_speech, issue_refs
from storage.models import (
    DiscourseCategory,
    DiscoursePost,
    DiscourseTopic,
    DiscourseUser,
    SlackChannel,
    SlackMessage,
    SlackUser,
)

_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
SLACK = "slack_answers"
FORUM = "forum_answers"


@dataclass(frozen=True, slots=True)
class ChatAnswer:
    """Someone (linked) answering in a chat place: `kind` is SLACK or FORUM."""

    login: str
    place: str
    at: datetime
    kind: str


@dataclass(frozen=True, slots=True)
class ChatMention:
    """A chat message naming an issue: who said what, where and when (for claims and blockers)."""

    number: int
    login: str | None      # the GitHub login when the chat account is linked
    handle: str            # the chat name (what a claim names when no link is known)
    text: str              # as said, with the reference to the issue read as "this" ("I'll take #12")
    at: datetime
    source: str            # "slack" or "discourse"


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


def load_answers(session: Session) -> list[ChatAnswer]:
    out: list[ChatAnswer] = []
    parent = aliased(SlackMessage)
    rows = session.execute(
        select(SlackUser.github_login, SlackChannel.name, SlackMessage.posted_at)
        .join(SlackUser, SlackUser.id == SlackMessage.user_id)
        .join(SlackChannel, SlackChannel.id == SlackMessage.channel_id)
        .join(parent, (parent.channel_id == SlackMessage.channel_id) & (parent.ts == SlackMessage.thread_ts))
        .where(SlackMessage.thread_ts.is_not(None), SlackMessage.thread_ts != SlackMessage.ts,
               SlackUser.github_login.is_not(None), SlackUser.is_bot.is_(False),
               (parent.user_id.is_(None)) | (parent.user_id != SlackMessage.user_id)))
    out += [ChatAnswer(login, name, at, SLACK) for login, name, at in rows if login]
    first = aliased(DiscoursePost)
    rows = session.execute(
        select(DiscourseUser.github_login, DiscourseCategory.slug, DiscoursePost.created_at)
        .join(DiscourseUser, DiscourseUser.username == DiscoursePost.username)
        .join(DiscourseTopic, DiscourseTopic.id == DiscoursePost.topic_id)
        .join(DiscourseCategory, DiscourseCategory.id == DiscourseTopic.category_id)
        .join(first, (first.topic_id == DiscoursePost.topic_id) & (first.post_number == 1))
        .where(DiscoursePost.post_number > 1, DiscourseUser.github_login.is_not(None),
               first.username != DiscoursePost.username))
    out += [ChatAnswer(login, slug, at, FORUM) for login, slug, at in rows if login]
    return out


def load_mentions(session: Session, repo: str) -> dict[int, list[ChatMention]]:
    """Chat messages naming an issue of `repo` (`#N` means one of `repo`'s), by issue number, oldest first."""
    found: dict[int, list[ChatMention]] = defaultdict(list)
    key = repo.lower()
    slack = session.execute(
        select(SlackMessage.text, SlackMessage.posted_at, SlackUser.github_login, SlackUser.name)
        .outerjoin(SlackUser, SlackUser.id == SlackMessage.user_id)
        .where(SlackMessage.text.contains("#") | SlackMessage.text.contains("github.com/")))
    for text, at, login, name in slack:
        for r, num, _kind in issue_refs(text, repo):
            if r == key:
                said = as_thread_speech(html.unescape(text), num, repo)
                found[num].append(ChatMention(num, login, name or "someone", said, at, "slack"))
    forum = session.execute(
        select(DiscoursePost.cooked, DiscoursePost.created_at, DiscourseUser.github_login, DiscoursePost.username)
        .outerjoin(DiscourseUser, DiscourseUser.username == DiscoursePost.username)
        .where(DiscoursePost.cooked.contains("#") | DiscoursePost.cooked.contains("github.com/")))
    for cooked, at, login, name in forum:
        text = html.unescape(_TAGS.sub(" ", cooked))
        for r, num, _kind in issue_refs(text, repo):
            if r == key:
                found[num].append(ChatMention(num, login, name, as_thread_speech(text, num, repo), at, "discourse"))
    for lst in found.values():
        lst.sort(key=lambda m: m.at)
    return dict(found)
