"""Evidence from Slack and Discourse for the judgement: who answers in a subsystem's channels and
forum categories (ownership evidence with its own weight per source), and what chat says about an
issue (`#N` or its URL) for claims and blockers.

Places map to subsystems through the taxonomy alone: a Slack channel or Discourse category slug
that is one of a subsystem's `channels`, or equals it without its `sig-`/`feat-` prefix, or the
subsystem's own name (`#feat-spec-decode`, category `spec-decode` -> speculative-decoding).
An answer is a thread reply (Slack) or a post after the first (Discourse) by someone other than
who opened the thread; it counts only for an author linked to a GitHub login
(collectors.chat_identity). Loading is one query per source; mapping is pure.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from config.watch import Taxonomy
from rules.github import issue_refs
from storage.models import (
    DiscourseCategory,
    DiscoursePost,
    DiscourseTopic,
    DiscourseUser,
    SlackChannel,
    SlackMessage,
    SlackUser,
)

SLACK = "slack_answers"
FORUM = "forum_answers"
_PREFIX = re.compile(r"^(sig|feat|wg)[-_]")
_TAGS = re.compile(r"<[^>]+>")


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


def _slug(name: str) -> str:
    return _PREFIX.sub("", name.strip().lstrip("#").lower()).replace("/", "-").replace(" ", "-")


def place_map(taxonomy: Taxonomy) -> dict[str, str]:
    """Channel or category slug (lower case, prefix dropped) -> subsystem."""
    out: dict[str, str] = {}
    for sub in taxonomy.subsystems:
        out.setdefault(_slug(sub.name), sub.name)
    for sub in taxonomy.subsystems:  # a subsystem's own channels win over another's name
        for ch in sub.channels:
            out[_slug(ch)] = sub.name
    return out


def answers_by_subsystem(answers: Iterable[ChatAnswer], taxonomy: Taxonomy) -> list[tuple[ChatAnswer, str]]:
    places = place_map(taxonomy)
    return [(a, places[_slug(a.place)]) for a in answers if _slug(a.place) in places]


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


def as_thread_speech(text: str, number: int, repo: str) -> str:
    """Chat names an issue where its own thread says "this": `I'll take #12` reads `I'll take this`."""
    owner_repo = re.escape(repo)
    pattern = (rf"https?://github\.com/{owner_repo}/(?:issues|pull)/{number}\b|(?<![\w/]){owner_repo}#{number}\b"
               rf"|(?<![\w/&#])#{number}\b")
    return re.sub(pattern, "this", text, flags=re.IGNORECASE)


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
