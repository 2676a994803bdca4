"""The simulator's compact internal model of a community. Times are integer UTC epoch seconds;
API ids are assigned at the end (monotonic in time, like GitHub's and Discord's)."""

from __future__ import annotations

from sandbox.community.people import Person


class Comment:
    __slots__ = ("author", "body", "id", "t")

    def __init__(self, t: int, author: Person, body: str) -> None:
        self.t, self.author, self.body, self.id = t, author, body, 0


class Event:
    __slots__ = ("actor", "assignee", "commit", "id", "kind", "label", "rename", "reviewer", "t")

    def __init__(
        self,
        t: int,
        actor: Person,
        kind: str,
        label: str | None = None,
        assignee: Person | None = None,
        reviewer: Person | None = None,
        commit: str | None = None,
        rename: tuple[str, str] | None = None,
    ) -> None:
        self.t, self.actor, self.kind = t, actor, kind
        self.label, self.assignee, self.reviewer, self.commit, self.rename = label, assignee, reviewer, commit, rename
        self.id = 0


class ReviewComment:
    __slots__ = ("author", "body", "commit", "hunk", "id", "line", "path", "reply_to", "review", "t")

    def __init__(self, t: int, author: Person, path: str, body: str, hunk: str, line: int, commit: str,
                 reply_to: ReviewComment | None = None) -> None:
        self.t, self.author, self.path, self.body, self.hunk, self.line, self.commit = (
            t,
            author,
            path,
            body,
            hunk,
            line,
            commit,
        )
        self.reply_to = reply_to
        self.review: Review | None = None
        self.id = 0


class Review:
    __slots__ = ("author", "body", "comments", "commit", "id", "state", "t")

    def __init__(self, t: int, author: Person, state: str, body: str, commit: str) -> None:
        self.t, self.author, self.state, self.body, self.commit = t, author, state, body, commit
        self.comments: list[ReviewComment] = []
        self.id = 0


class FileChange:
    __slots__ = ("additions", "deletions", "patch", "path", "sha", "status")

    def __init__(self, path: str, status: str, additions: int, deletions: int, patch: str, sha: str) -> None:
        self.path, self.status, self.additions, self.deletions, self.patch, self.sha = (
            path,
            status,
            additions,
            deletions,
            patch,
            sha,
        )


class Item:
    """An issue or a pull request with its whole thread."""

    __slots__ = (
        "assignees",
        "author",
        "base_sha",
        "block_kind",
        "body",
        "claim_kind",
        "closed",
        "closed_by",
        "cls",
        "comments",
        "created",
        "draft",
        "end",
        "events",
        "files",
        "fixed_by",
        "fixes",
        "head_ref",
        "head_sha",
        "id",
        "idx",
        "is_pr",
        "kind",
        "labels",
        "last",
        "merge_sha",
        "merged",
        "merged_by",
        "number",
        "pull_id",
        "rcomments",
        "refs",
        "requested",
        "reviews",
        "role",
        "state",
        "state_reason",
        "subs",
        "text_sub",
        "title",
        "truth",
        "updated",
    )

    def __init__(self, idx: int, is_pr: bool, created: int, cls: str) -> None:
        self.idx, self.is_pr, self.created, self.cls = idx, is_pr, created, cls
        self.number = 0
        self.id = 0
        self.pull_id = 0
        self.author: Person | None = None
        self.kind = ""            # issue template kind, or PR kind (bugfix, feature, perf, refactor, test)
        self.role = "plain"       # planted scenario
        self.subs: tuple[str, ...] = ()
        self.text_sub = ""
        self.title = ""
        self.body = ""
        self.labels: list[str] = []
        self.assignees: list[Person] = []
        self.state = "open"
        self.state_reason: str | None = None
        self.closed: int | None = None
        self.closed_by: Person | None = None
        self.merged: int | None = None
        self.merged_by: Person | None = None
        self.merge_sha: str | None = None
        self.draft = False
        self.comments: list[Comment] = []
        self.events: list[Event] = []
        self.reviews: list[Review] = []
        self.rcomments: list[ReviewComment] = []
        self.files: list[FileChange] = []
        self.requested: list[Person] = []
        self.head_ref = ""
        self.head_sha = ""
        self.base_sha = ""
        self.updated = created
        self.last = created
        self.end = created
        self.fixes: Item | None = None      # PR -> the issue it closes
        self.fixed_by: Item | None = None   # issue -> the PR that closes it
        self.refs: list[int] = []
        self.claim_kind = ""
        self.block_kind = ""
        self.truth: dict[str, object] = {}

    def touch(self, t: int) -> None:
        if t > self.updated:
            self.updated = t
