"""Load one repository's whole stored history into plain records (storage.records), one bulk
query per table: what the classifiers read.

The classifiers are pure functions over a `RepoData`; nothing here issues a query per issue
(the N+1 pattern Perceval pays for). Everything is grouped by issue/pull number in memory.
The reports read a window instead (storage.read.load_snapshot).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from sys import intern
from typing import Any

from sqlalchemy import Connection, case, literal, select
from sqlalchemy.orm import Session, aliased

import rules.github as rules
from storage.chat_read import ChatAnswer, ChatMention, load_answers, load_mentions
from storage.models import (
    ChatUser,
    DiscordChannel,
    DiscordMessage,
    Issue,
    IssueComment,
    IssueEvent,
    MessageIssueLink,
    PullFile,
    PullRequest,
    RepoFile,
    Review,
    ReviewComment,
    User,
)
from storage.read import repo_row
from storage.records import (
    NO_NAMES,
    ChatRec,
    CommentRec,
    EventRec,
    IssueRec,
    PullRec,
    ReviewCommentRec,
    ReviewRec,
)
from storage.types import json_reader, time_reader

log = logging.getLogger(__name__)

# The issue events any classifier reads (triage, assignment, labels); the rest are not loaded.
EVENTS_READ = ("labeled", "unlabeled", "assigned", "unassigned", "closed", "reopened", "milestoned", "merged",
               "review_requested")
# GitHub shows deleted accounts as "ghost": many different people, so no identity at all.
GHOST = "ghost"


def _who(login: str | None) -> str | None:
    return None if login is None or login == GHOST else intern(login)


def _name(value: str | None) -> str:
    """A short value repeated over many rows (an association, a state, a path), stored once:
    the driver makes a new string for every row (a year of vLLM: ~100 MB of copies)."""
    return intern(value) if value else ""


def _names_reader(conn: Connection) -> tuple[Any, Any]:
    """(wrap a JSON list column, read it as a tuple of names): most label and assignee lists are
    empty, and share one empty tuple."""
    J, js = json_reader(conn.dialect)
    return J, (lambda v: NO_NAMES if not v or v == "[]" else tuple(js(v)))


@dataclass
class RepoData:
    """Everything the classifiers read about one repository."""

    repo_id: int
    full_name: str
    issues: dict[int, IssueRec] = field(default_factory=dict)
    pulls: dict[int, PullRec] = field(default_factory=dict)
    comments: dict[int, list[CommentRec]] = field(default_factory=lambda: defaultdict(list))
    reviews: dict[int, list[ReviewRec]] = field(default_factory=lambda: defaultdict(list))
    review_comments: dict[int, list[ReviewCommentRec]] = field(default_factory=lambda: defaultdict(list))
    files: dict[int, list[tuple[str, int]]] = field(default_factory=lambda: defaultdict(list))
    events: dict[int, list[EventRec]] = field(default_factory=lambda: defaultdict(list))
    chat: list[ChatRec] = field(default_factory=list)
    # Slack and Discourse (classifiers.chat_evidence): linked answerers, and messages naming issues
    chat_answers: list[ChatAnswer] = field(default_factory=list)
    chat_mentions: dict[int, list[ChatMention]] = field(default_factory=dict)
    bots: set[str] = field(default_factory=set)
    codeowners: str | None = None
    label_rule_files: dict[str, str] = field(default_factory=dict)  # the repo's label rules (repo_rules)
    memo: dict[str, object] = field(default_factory=dict, repr=False)  # derived views, computed once per load

    def plain_issues(self) -> list[IssueRec]:
        return [i for i in self.issues.values() if not i.is_pull]

    def is_bot(self, login: str | None) -> bool:
        """A bot by `rules.is_bot` (config bots and stored Bot accounts are in `bots`); no login
        (a deleted account) counts too: nobody to credit or to wait for."""
        return login is None or rules.is_bot(login, known=self.bots)


def _fetch(conn: Connection, stmt: Any) -> list[Any]:
    """Every row of `stmt` as the driver's plain tuples, fetched at once. Over a million rows,
    SQLAlchemy's result rows cost ~1.5 s that nothing here needs. The statements' only values are
    the repo id and fixed names, rendered inline."""
    sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    cur = conn.connection.cursor()  # the session's own connection (and transaction)
    try:
        cur.execute(sql)
        return list(cur.fetchall())
    finally:
        cur.close()


def load_repo(session: Session, full_name: str, bots: tuple[str, ...] = (),
              codeowners_paths: tuple[str, ...] = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"),
              with_chat: bool = True, rule_files: Collection[str] = rules.LABEL_RULE_FILES) -> RepoData:
    """All stored activity of one repo (about ten queries in all, whatever its size); `rule_files`:
    the repo files holding label rules to read (those the collector fetches)."""
    repo = repo_row(session, full_name)
    rid, name = repo.id, repo.full_name
    conn = session.connection()  # Core execution: plain rows, no ORM bookkeeping for a million of them
    T, ts = time_reader(conn.dialect)
    J, js = _names_reader(conn)
    data = RepoData(repo_id=rid, full_name=name)
    data.bots = set(bots)
    data.bots.update(session.scalars(select(User.login).where(User.type == "Bot")).all())
    bot_memo: dict[str | None, bool] = {}

    def is_bot(login: str | None) -> bool:
        found = bot_memo.get(login)
        if found is None:
            found = bot_memo[login] = rules.is_bot(login, known=data.bots)
        return found

    U = aliased(User)
    for r in _fetch(conn,
        select(Issue.number, Issue.is_pull, Issue.title, Issue.body, Issue.state, Issue.state_reason, U.login,
               Issue.author_association, J(Issue.labels), J(Issue.assignees), Issue.comments, T(Issue.created_at),
               T(Issue.updated_at), T(Issue.closed_at))
        .outerjoin(U, U.id == Issue.user_id).where(Issue.repo_id == rid)
    ):
        author = _who(r[6])
        data.issues[r[0]] = IssueRec(r[0], bool(r[1]), r[2] or "", _name(r[4]), author, _name(r[7] or "NONE"),
                                     js(r[8]), js(r[9]), r[10] or 0, ts(r[11]), ts(r[12]), ts(r[13]),
                                     is_bot(author), r[3] or "", r[5])

    M = aliased(User)
    for r in _fetch(conn,
        select(PullRequest.number, PullRequest.title, PullRequest.body, PullRequest.state, PullRequest.draft, U.login,
               PullRequest.author_association, J(PullRequest.labels), J(PullRequest.requested_reviewers), M.login,
               T(PullRequest.created_at), T(PullRequest.closed_at), T(PullRequest.merged_at))
        .outerjoin(U, U.id == PullRequest.user_id).outerjoin(M, M.id == PullRequest.merged_by_id)
        .where(PullRequest.repo_id == rid)
    ):
        issue = data.issues.get(r[0])  # the issue side usually holds the same title and body: keep one copy
        title = issue.title if issue is not None and issue.title == r[1] else r[1] or ""
        body = issue.body if issue is not None and issue.body == r[2] else r[2] or ""
        author = _who(r[5])
        data.pulls[r[0]] = PullRec(r[0], title, _name(r[3]), bool(r[4]), author, _name(r[6] or "NONE"), js(r[8]),
                                   _who(r[9]), ts(r[10]), ts(r[11]), ts(r[12]), is_bot(author), body, js(r[7]))

    # Comment bodies are read on plain issues only (signals, GFI features); on PRs who and when suffice.
    thread = aliased(Issue)
    body = case((thread.is_pull.is_(True), literal("")), else_=IssueComment.body)
    for r in _fetch(conn,
        select(IssueComment.issue_number, U.login, IssueComment.author_association, body, T(IssueComment.created_at))
        .outerjoin(U, U.id == IssueComment.user_id)
        .outerjoin(thread, (thread.repo_id == IssueComment.repo_id) & (thread.number == IssueComment.issue_number))
        .where(IssueComment.repo_id == rid)
        .order_by(IssueComment.issue_number, IssueComment.created_at, IssueComment.id)
    ):
        data.comments[r[0]].append(CommentRec(r[0], _who(r[1]), _name(r[2] or "NONE"), r[3] or "", ts(r[4])))

    for r in _fetch(
        conn,
        select(
            Review.pull_number, U.login, Review.author_association, Review.state, Review.body, T(Review.submitted_at)
        )
        .outerjoin(U, U.id == Review.user_id)
        .where(Review.repo_id == rid)
        .order_by(Review.pull_number, Review.submitted_at, Review.id),
    ):
        data.reviews[r[0]].append(ReviewRec(r[0], _who(r[1]), _name(r[2] or "NONE"), _name((r[3] or "").upper()),
                                            r[4] or "", ts(r[5])))

    for r in _fetch(conn,
        select(ReviewComment.pull_number, U.login, ReviewComment.author_association, ReviewComment.path,
               literal(""), T(ReviewComment.created_at))
        .outerjoin(U, U.id == ReviewComment.user_id).where(ReviewComment.repo_id == rid)
        .order_by(ReviewComment.pull_number, ReviewComment.created_at, ReviewComment.id)
    ):
        data.review_comments[r[0]].append(ReviewCommentRec(r[0], _who(r[1]), _name(r[2] or "NONE"), _name(r[3]),
                                                          r[4] or "", ts(r[5])))

    for r in _fetch(conn,
        select(PullFile.pull_number, PullFile.filename, PullFile.changes).where(PullFile.repo_id == rid)
    ):
        data.files[r[0]].append((_name(r[1]), r[2] or 0))

    for r in _fetch(conn,
        select(IssueEvent.issue_number, U.login, IssueEvent.event, IssueEvent.label, IssueEvent.assignee_login,
               T(IssueEvent.created_at), IssueEvent.requested_reviewer_login)
        .outerjoin(U, U.id == IssueEvent.actor_id)
        .where(IssueEvent.repo_id == rid, IssueEvent.event.in_(EVENTS_READ))
        .order_by(IssueEvent.issue_number, IssueEvent.created_at, IssueEvent.id)
    ):
        data.events[r[0]].append(EventRec(r[0], _who(r[1]), _name(r[2]), r[3] and _name(r[3]), r[4] and _name(r[4]),
                                          ts(r[5]), _who(r[6])))
    # GitHub's pull-request lists carry no `merged_by`; the `merged` event's actor is the same person.
    for number, pull in data.pulls.items():
        if pull.merged_at is not None and pull.merged_by is None:
            pull.merged_by = next(
                (e.actor for e in data.events.get(number, ()) if e.event == "merged" and e.actor), None
            )

    for path in codeowners_paths:
        text = session.scalar(select(RepoFile.content).where(RepoFile.repo_id == rid, RepoFile.path == path))
        if text:
            data.codeowners = text
            break
    for path, text in session.execute(select(RepoFile.path, RepoFile.content)
                                      .where(RepoFile.repo_id == rid, RepoFile.path.in_(sorted(rule_files)))):
        if text:
            data.label_rule_files[path] = text

    if with_chat:
        data.chat = load_discord_messages(session, rid)
        data.chat_answers = load_answers(session)
        data.chat_mentions = load_mentions(session, name)
    log.debug("loaded %s: %d issues/pulls, %d comments", name, len(data.issues),
              sum(len(v) for v in data.comments.values()))
    return data


def load_discord_messages(session: Session, repo_id: int) -> list[ChatRec]:
    """Chat messages with channel names (threads carry their parent's name) and linked issues."""
    channels = {cid: (name, parent) for cid, name, parent in
                session.execute(select(DiscordChannel.id, DiscordChannel.name, DiscordChannel.parent_id))}
    links: dict[int, list[int]] = defaultdict(list)
    for mid, num in session.execute(select(MessageIssueLink.message_id, MessageIssueLink.issue_number)
                                    .where(MessageIssueLink.repo_id == repo_id)):
        links[mid].append(num)
    out = []
    conn = session.connection()
    T, ts = time_reader(conn.dialect)
    # Who answered whom, and where: the words themselves are not needed here.
    for mid, cid, aid, login, bot, content, at, ref in _fetch(conn,
        select(DiscordMessage.id, DiscordMessage.channel_id, DiscordMessage.author_id, ChatUser.github_login,
               ChatUser.bot, literal(""), T(DiscordMessage.timestamp), DiscordMessage.referenced_message_id)
        .join(ChatUser, ChatUser.id == DiscordMessage.author_id).order_by(DiscordMessage.channel_id, DiscordMessage.id)
    ):
        name, parent_id = channels.get(cid, ("", None))
        parent = channels.get(parent_id, (None, None))[0] if parent_id else None
        out.append(ChatRec(mid, name, parent, aid, login, bool(bot), content or "", ts(at), ref, links.get(mid, [])))
    return out
