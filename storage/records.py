"""The rows the readers hand out: plain records, no ORM objects, nothing lazy.

Two loaders fill them. `storage.history.load_repo` reads a repo's whole history for the
classifiers (every row, bodies included; speed-tuned: positional construction, slots, interned
names); `storage.read.load_snapshot` reads what the reports need for a window. An issue or a pull
request is the same thing to both, so each has one record; a field one loader does not read keeps
its default, as its comment says. The other records are one loader's own view and say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

NO_NAMES: tuple[str, ...] = ()


@dataclass(slots=True)
class IssueRec:
    """An issue, or the issue side of a PR."""

    number: int
    is_pull: bool
    title: str
    state: str
    author: str | None  # None: a deleted account (history: also GitHub's "ghost")
    author_association: str
    labels: tuple[str, ...]
    assignees: tuple[str, ...]
    comments: int  # GitHub's count of comments
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    author_is_bot: bool = False
    body: str = ""  # history only
    state_reason: str | None = None  # history only
    locked: bool | None = None  # snapshot only
    url: str = ""  # snapshot only


@dataclass(slots=True)
class PullRec:
    """A pull request. `merged_by`: who merged it (history: from the `merged` event when the list lacked it)."""

    number: int
    title: str
    state: str
    draft: bool
    author: str | None
    author_association: str
    requested_reviewers: tuple[str, ...]
    merged_by: str | None
    created_at: datetime
    closed_at: datetime | None
    merged_at: datetime | None
    author_is_bot: bool = False
    body: str = ""  # history only
    labels: tuple[str, ...] = NO_NAMES  # history only
    url: str = ""  # snapshot only
    head_sha: str = ""  # snapshot only
    base_ref: str = ""  # snapshot only
    size: int = 0  # snapshot only: additions + deletions over its files (0 when files are unknown)
    files: int = 0  # snapshot only: how many files it changes
    refs: tuple[int, ...] = ()  # snapshot only: issue numbers of this repo it closes by GitHub's keywords


# The history's own rows (storage.history), by issue or PR number.


@dataclass(slots=True)
class CommentRec:  # `body` is loaded for plain issues only (empty on pull requests)
    number: int
    author: str | None
    author_association: str
    body: str
    created_at: datetime


@dataclass(slots=True)
class ReviewRec:
    number: int
    author: str | None
    author_association: str
    state: str
    body: str
    submitted_at: datetime | None


@dataclass(slots=True)
class ReviewCommentRec:  # `body` is not loaded (empty): nothing reads review-comment words
    number: int
    author: str | None
    author_association: str
    path: str
    body: str
    created_at: datetime


@dataclass(slots=True)
class EventRec:
    number: int
    actor: str | None
    event: str
    label: str | None
    assignee: str | None
    created_at: datetime
    reviewer: str | None = None  # `review_requested`: who was asked


@dataclass(slots=True)
class ChatRec:  # one Discord message; `content` is not loaded (empty): ownership only needs who answered where
    id: int
    channel: str
    parent: str | None
    author_id: int
    github_login: str | None
    bot: bool
    content: str
    timestamp: datetime
    reply_to: int | None
    issues: list[int] = field(default_factory=list)


# The snapshot's own rows (storage.read): activity folded into one kind of action, stored judgements.


@dataclass(frozen=True)
class ActionRec:
    """One thing a person did on an issue/PR: a review, a review comment, a comment or an event."""

    number: int
    login: str
    is_bot: bool
    kind: str  # "review", "review_comment", "comment", or "event"
    detail: str  # review state, event name ("labeled", "closed", ...), or association for comments
    at: datetime


@dataclass(frozen=True)
class SubsystemRec:
    number: int
    is_pull: bool
    names: tuple[str, ...]  # best first
    confidences: tuple[float, ...]
    primary: str | None


@dataclass(frozen=True)
class GfiRec:
    number: int
    probability: float
    reasons: tuple[str, ...]
    from_prior: bool


@dataclass(frozen=True)
class SignalRec:
    number: int
    claimed: bool
    claimed_by: tuple[str, ...]
    blocked: bool
    blockers: tuple[str, ...]
    acknowledged: bool
    acknowledged_by: tuple[str, ...]
    last_maintainer_word: str


@dataclass(frozen=True)
class OwnerRec:
    subsystem: str
    login: str
    score: float
    declared: bool
    evidence: dict[str, Any] = field(hash=False, compare=False)
    last_active_at: datetime | None

    @property
    def median_first_review_hours(self) -> float | None:
        v = self.evidence.get("median_first_review_hours")
        return float(v) if isinstance(v, int | float) else None


@dataclass(frozen=True)
class ChatThreadRec:
    """A channel or thread with its activity in the window and the issues it mentions."""

    channel_id: int
    guild_id: int | None
    name: str
    parent_name: str | None
    messages: int
    authors: int
    first_at: datetime
    last_at: datetime
    issue_numbers: tuple[int, ...]
    source: str = "discord"  # or "slack", "discourse" (storage.chat_read)
