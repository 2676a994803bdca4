"""Bulk reads for the reports: a few set-based queries per repo turned into frozen records.

Everything downstream (PR flow, digest, shortlist) is a pure function of a `RepoSnapshot`, so it
can be tested on hand-made snapshots and is deterministic for the same database: every tuple here
is sorted by a stable key.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from config.errors import ReportError
from storage.models import (
    ChatUser,
    DiscordChannel,
    DiscordMessage,
    GoodFirstIssueScore,
    Issue,
    IssueComment,
    IssueEvent,
    MessageIssueLink,
    OwnershipScore,
    PullFile,
    PullRequest,
    Repo,
    Review,
    ReviewComment,
    SubsystemLabel,
    ThreadSignal,
    User,
)
from storage.refs import closing_refs

UNCLASSIFIED = "unclassified"
# Only what the reports read (issue bodies can be long; PR bodies are read for "Fixes #N").
ISSUE_COLUMNS = (Issue.number, Issue.is_pull, Issue.title, Issue.state, Issue.author_association, Issue.labels,
                 Issue.assignees, Issue.locked, Issue.comments, Issue.html_url, Issue.created_at, Issue.updated_at,
                 Issue.closed_at)
PULL_COLUMNS = (PullRequest.number, PullRequest.title, PullRequest.body, PullRequest.state, PullRequest.draft,
                PullRequest.author_association, PullRequest.html_url, PullRequest.head_sha, PullRequest.base_ref,
                PullRequest.requested_reviewers, PullRequest.created_at, PullRequest.closed_at, PullRequest.merged_at)


@dataclass(frozen=True)
class IssueRec:
    """An issue or the issue side of a PR (title, state, author, dates)."""

    number: int
    is_pull: bool
    title: str
    state: str
    author: str | None
    author_is_bot: bool
    author_association: str
    labels: tuple[str, ...]
    assignees: tuple[str, ...]
    locked: bool
    comments: int
    url: str
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None


@dataclass(frozen=True)
class PullRec:
    number: int
    title: str
    state: str
    draft: bool
    author: str | None
    author_is_bot: bool
    author_association: str
    url: str
    head_sha: str
    base_ref: str
    merged_by: str | None
    requested_reviewers: tuple[str, ...]
    created_at: datetime
    closed_at: datetime | None
    merged_at: datetime | None
    size: int  # additions + deletions over its files (0 when files are unknown)
    files: int
    refs: tuple[int, ...]  # issue numbers of this repo it closes by GitHub's keywords ("Fixes #12")


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


@dataclass(frozen=True)
class RepoSnapshot:
    """What the reports read about one repo, as of `now`, with activity details for [since, until)."""

    repo: str
    repo_id: int
    default_branch: str
    html_url: str
    now: datetime
    since: datetime
    until: datetime
    issues: tuple[IssueRec, ...]
    pulls: tuple[PullRec, ...]
    reviews: tuple[ActionRec, ...]  # every review of the repo (first-review latency needs history)
    actions: tuple[ActionRec, ...]  # comments, review comments, events in the window or on open PRs
    subsystems: tuple[SubsystemRec, ...]
    gfi: tuple[GfiRec, ...]
    signals: tuple[SignalRec, ...]
    owners: tuple[OwnerRec, ...]
    chat: tuple[ChatThreadRec, ...]
    bots: frozenset[str] = frozenset()

    # Lookups (cheap to rebuild; kept off the dataclass fields so equality stays on data).
    def issue(self, number: int) -> IssueRec | None:
        return self._issues().get(number)

    def pull(self, number: int) -> PullRec | None:
        return self._pulls().get(number)

    def subsystem_rec(self, number: int) -> SubsystemRec | None:
        return self._subs().get(number)

    def subsystems_of(self, number: int) -> tuple[str, ...]:
        rec = self._subs().get(number)
        return rec.names if rec and rec.names else ()

    def primary_of(self, number: int) -> str:
        rec = self._subs().get(number)
        if rec is None:
            return UNCLASSIFIED
        return rec.primary or (rec.names[0] if rec.names else UNCLASSIFIED)

    def signal(self, number: int) -> SignalRec | None:
        return self._signals().get(number)

    def gfi_of(self, number: int) -> GfiRec | None:
        return self._gfi().get(number)

    def owners_of(self, subsystem: str) -> tuple[OwnerRec, ...]:
        """Owners of a subsystem, best first (score, then login)."""
        return self._owners().get(subsystem, ())

    def is_bot(self, login: str | None) -> bool:
        return bool(login) and (login in self.bots or login.endswith("[bot]"))

    def _cache(self, name: str, build: Any) -> Any:
        cache = self.__dict__.setdefault("_lookup_cache", {})
        if name not in cache:
            cache[name] = build()
        return cache[name]

    def _issues(self) -> dict[int, IssueRec]:
        return self._cache("issues", lambda: {i.number: i for i in self.issues})

    def _pulls(self) -> dict[int, PullRec]:
        return self._cache("pulls", lambda: {p.number: p for p in self.pulls})

    def _subs(self) -> dict[int, SubsystemRec]:
        return self._cache("subs", lambda: {s.number: s for s in self.subsystems})

    def _signals(self) -> dict[int, SignalRec]:
        return self._cache("signals", lambda: {s.number: s for s in self.signals})

    def _gfi(self) -> dict[int, GfiRec]:
        return self._cache("gfi", lambda: {g.number: g for g in self.gfi})

    def _owners(self) -> dict[str, tuple[OwnerRec, ...]]:
        def build() -> dict[str, tuple[OwnerRec, ...]]:
            by: dict[str, list[OwnerRec]] = defaultdict(list)
            for o in self.owners:
                by[o.subsystem].append(o)
            return {k: tuple(sorted(v, key=lambda o: (-o.score, o.login))) for k, v in by.items()}
        return self._cache("owners", build)


def _tuple(v: Any) -> tuple[str, ...]:
    if not v:
        return ()
    return tuple(str(x.get("name", x.get("login", ""))) if isinstance(x, dict) else str(x) for x in v)


def repo_row(session: Session, repo: str) -> Repo:
    """The stored repo by name (case-insensitive), or a ReportError that says what is stored."""
    found = session.scalar(select(Repo).where(func.lower(Repo.full_name) == repo.lower()))
    if found is None:
        stored = ", ".join(session.scalars(select(Repo.full_name).order_by(Repo.full_name))) or "none"
        raise ReportError(f"repo {repo} has no stored data (stored: {stored}); run `scout import` or `scout collect` first")
    return found


def _subsystem_rec(row: SubsystemLabel) -> SubsystemRec:
    items = [s for s in (row.subsystems or []) if isinstance(s, dict) and s.get("name")]
    names = tuple(str(s["name"]) for s in items)
    conf = tuple(float(s.get("confidence", 1.0) or 0.0) for s in items)
    return SubsystemRec(number=row.number, is_pull=row.is_pull, names=names, confidences=conf, primary=row.primary)


def load_snapshot(session: Session, repo: str, now: datetime, since: datetime, until: datetime | None = None,
                  bots: tuple[str, ...] = ()) -> RepoSnapshot:
    """Read everything the reports need about `repo` in a fixed number of queries."""
    r = repo_row(session, repo)
    rid = r.id
    until = until or now
    author = aliased(User)

    issues = tuple(
        IssueRec(number=i.number, is_pull=i.is_pull, title=i.title, state=i.state, author=login,
                 author_is_bot=(utype == "Bot") or bool(login and login.endswith("[bot]")),
                 author_association=i.author_association or "NONE", labels=_tuple(i.labels),
                 assignees=_tuple(i.assignees), locked=i.locked, comments=i.comments, url=i.html_url or "",
                 created_at=i.created_at, updated_at=i.updated_at, closed_at=i.closed_at)
        for i in session.execute(
            select(*ISSUE_COLUMNS, author.login.label("login"), author.type.label("utype"))
            .outerjoin(author, author.id == Issue.user_id).where(Issue.repo_id == rid).order_by(Issue.number))
        for login, utype in [(i.login, i.utype)]
    )

    sizes = {n: (int(a or 0) + int(d or 0), int(c)) for n, a, d, c in session.execute(
        select(PullFile.pull_number, func.sum(PullFile.additions), func.sum(PullFile.deletions), func.count())
        .where(PullFile.repo_id == rid).group_by(PullFile.pull_number))}
    merger = aliased(User)
    pulls = []
    for p in session.execute(
            select(*PULL_COLUMNS, author.login.label("login"), author.type.label("utype"),
                   merger.login.label("merged_by"))
            .outerjoin(author, author.id == PullRequest.user_id)
            .outerjoin(merger, merger.id == PullRequest.merged_by_id)
            .where(PullRequest.repo_id == rid).order_by(PullRequest.number)):
        pulls.append(_pull_rec(p, p.login, p.utype, p.merged_by, r.default_branch, r.full_name,
                               sizes.get(p.number, (0, 0))))

    def is_bot(login: str | None, utype: str | None) -> bool:
        return utype == "Bot" or bool(login and (login.endswith("[bot]") or login in bots))

    reviews = tuple(sorted(
        (ActionRec(number=n, login=login, is_bot=is_bot(login, utype), kind="review", detail=state, at=at)
         for n, login, utype, state, at in session.execute(
             select(Review.pull_number, User.login, User.type, Review.state, Review.submitted_at)
             .join(User, User.id == Review.user_id)
             .where(Review.repo_id == rid, Review.submitted_at.is_not(None)))),
        key=lambda a: (a.number, a.at, a.login)))

    open_pull = select(Issue.number).where(Issue.repo_id == rid, Issue.is_pull.is_(True), Issue.state == "open")
    actions: list[ActionRec] = []
    for n, login, utype, assoc, at in session.execute(
            select(IssueComment.issue_number, User.login, User.type, IssueComment.author_association,
                   IssueComment.created_at)
            .join(User, User.id == IssueComment.user_id)
            .where(IssueComment.repo_id == rid,
                   or_(and_(IssueComment.created_at >= since, IssueComment.created_at < until),
                       IssueComment.issue_number.in_(open_pull)))):
        actions.append(ActionRec(n, login, is_bot(login, utype), "comment", assoc or "NONE", at))
    for n, login, utype, at in session.execute(
            select(ReviewComment.pull_number, User.login, User.type, ReviewComment.created_at)
            .join(User, User.id == ReviewComment.user_id)
            .where(ReviewComment.repo_id == rid,
                   or_(and_(ReviewComment.created_at >= since, ReviewComment.created_at < until),
                       ReviewComment.pull_number.in_(open_pull)))):
        actions.append(ActionRec(n, login, is_bot(login, utype), "review_comment", "", at))
    for n, login, utype, ev, at in session.execute(
            select(IssueEvent.issue_number, User.login, User.type, IssueEvent.event, IssueEvent.created_at)
            .join(User, User.id == IssueEvent.actor_id)
            .where(IssueEvent.repo_id == rid,
                   or_(and_(IssueEvent.created_at >= since, IssueEvent.created_at < until),
                       IssueEvent.issue_number.in_(open_pull)))):
        actions.append(ActionRec(n, login, is_bot(login, utype), "event", ev, at))
    actions.sort(key=lambda a: (a.at, a.number, a.kind, a.login, a.detail))

    subsystems = tuple(_subsystem_rec(s) for s in session.scalars(
        select(SubsystemLabel).where(SubsystemLabel.repo_id == rid).order_by(SubsystemLabel.number)))
    gfi = tuple(GfiRec(g.number, float(g.probability), tuple(str(x) for x in (g.reasons or [])), g.from_prior)
                for g in session.scalars(select(GoodFirstIssueScore).where(GoodFirstIssueScore.repo_id == rid)
                                         .order_by(GoodFirstIssueScore.number)))
    signals = tuple(
        SignalRec(number=t.number, claimed=t.claimed, claimed_by=_tuple(t.claimed_by), blocked=t.blocked,
                  blockers=_tuple(t.blockers), acknowledged=t.acknowledged,
                  acknowledged_by=_tuple(t.acknowledged_by), last_maintainer_word=t.last_maintainer_word or "")
        for t in session.scalars(select(ThreadSignal).where(ThreadSignal.repo_id == rid)
                                 .order_by(ThreadSignal.number)))
    owners = tuple(
        OwnerRec(subsystem=o.subsystem, login=o.login, score=float(o.score), declared=o.declared,
                 evidence=dict(o.evidence or {}), last_active_at=o.last_active_at)
        for o in session.scalars(select(OwnershipScore).where(OwnershipScore.repo_id == rid)
                                 .order_by(OwnershipScore.subsystem, OwnershipScore.login)))

    return RepoSnapshot(
        repo=r.full_name, repo_id=rid, default_branch=r.default_branch or "main",
        html_url=r.html_url or f"https://github.com/{r.full_name}", now=now, since=since, until=until,
        issues=issues, pulls=tuple(pulls), reviews=reviews, actions=tuple(actions), subsystems=subsystems,
        gfi=gfi, signals=signals, owners=owners, chat=load_chat(session, rid, since, until), bots=frozenset(bots))


def load_chat(session: Session, repo_id: int, since: datetime, until: datetime) -> tuple[ChatThreadRec, ...]:
    """Per channel/thread: messages and distinct human authors in the window, and the issues of
    `repo_id` its messages mention."""
    parent = aliased(DiscordChannel)
    rows = session.execute(
        select(DiscordMessage.channel_id, DiscordChannel.guild_id, DiscordChannel.name, parent.name,
               func.count(DiscordMessage.id), func.count(func.distinct(DiscordMessage.author_id)),
               func.min(DiscordMessage.timestamp), func.max(DiscordMessage.timestamp))
        .join(DiscordChannel, DiscordChannel.id == DiscordMessage.channel_id)
        .outerjoin(parent, parent.id == DiscordChannel.parent_id)
        .join(ChatUser, ChatUser.id == DiscordMessage.author_id)
        .where(DiscordMessage.timestamp >= since, DiscordMessage.timestamp < until, ChatUser.bot.is_(False))
        .group_by(DiscordMessage.channel_id, DiscordChannel.guild_id, DiscordChannel.name, parent.name)).all()
    links: dict[int, set[int]] = defaultdict(set)
    for ch, number in session.execute(
            select(DiscordMessage.channel_id, MessageIssueLink.issue_number)
            .join(MessageIssueLink, MessageIssueLink.message_id == DiscordMessage.id)
            .where(MessageIssueLink.repo_id == repo_id, DiscordMessage.timestamp >= since,
                   DiscordMessage.timestamp < until)):
        links[ch].add(number)
    from storage.types import UTCDateTime

    conv = UTCDateTime()

    def utc(v: Any) -> datetime:
        # min()/max() over a TypeDecorator column come back raw on SQLite (a string or naive datetime).
        if isinstance(v, str):
            v = datetime.fromisoformat(v)
        return conv.process_result_value(v, session.get_bind().dialect)  # type: ignore[return-value]

    out = [ChatThreadRec(channel_id=ch, guild_id=g, name=name or "", parent_name=pname, messages=int(n),
                         authors=int(a), first_at=utc(lo), last_at=utc(hi), issue_numbers=tuple(sorted(links[ch])))
           for ch, g, name, pname, n, a, lo, hi in rows]
    return tuple(sorted(out, key=lambda c: (-c.messages, -c.authors, c.channel_id)))


@dataclass(frozen=True)
class IssueContext:
    """One issue or PR with what a bench job needs: text, subsystems, the PR to measure."""

    repo: str
    default_branch: str
    html_url: str
    issue: IssueRec
    text: str  # title and body (read only to pick an op among fixed names)
    subsystems: tuple[str, ...]
    pull: PullRec | None  # the PR itself, or an open PR that references the issue


def _pull_rec(p: Any, login: str | None, utype: str | None, merged_by: str | None, default_branch: str,
              repo: str, size: tuple[int, int] = (0, 0)) -> PullRec:
    refs = sorted({n for repo_name, n, _ in closing_refs(f"{p.title}\n{p.body or ''}", repo)
                   if repo_name == repo.lower() and n != p.number})
    return PullRec(
        number=p.number, title=p.title, state=p.state, draft=p.draft, author=login,
        author_is_bot=(utype == "Bot") or bool(login and login.endswith("[bot]")),
        author_association=p.author_association or "NONE", url=p.html_url or "", head_sha=p.head_sha or "",
        base_ref=p.base_ref or default_branch, merged_by=merged_by,
        requested_reviewers=_tuple(p.requested_reviewers), created_at=p.created_at, closed_at=p.closed_at,
        merged_at=p.merged_at, size=size[0], files=size[1], refs=tuple(refs))


def issue_context(session: Session, repo: str, number: int) -> IssueContext:
    """An issue/PR by number, its subsystems and the PR a bench job should measure."""
    r = repo_row(session, repo)
    author = aliased(User)
    row = session.execute(select(Issue, author.login, author.type).outerjoin(author, author.id == Issue.user_id)
                          .where(Issue.repo_id == r.id, Issue.number == number)).first()
    if row is None:
        raise ReportError(f"{r.full_name}#{number} is not stored (run `scout collect` or `scout import`)")
    i, login, utype = row
    rec = IssueRec(number=i.number, is_pull=i.is_pull, title=i.title, state=i.state, author=login,
                   author_is_bot=(utype == "Bot") or bool(login and login.endswith("[bot]")),
                   author_association=i.author_association or "NONE", labels=_tuple(i.labels),
                   assignees=_tuple(i.assignees), locked=i.locked, comments=i.comments, url=i.html_url or "",
                   created_at=i.created_at, updated_at=i.updated_at, closed_at=i.closed_at)
    label = session.get(SubsystemLabel, (r.id, number))
    subs = _subsystem_rec(label).names if label is not None else ()
    pull = None
    merger = aliased(User)
    base = (select(PullRequest, author.login, author.type, merger.login)
            .outerjoin(author, author.id == PullRequest.user_id)
            .outerjoin(merger, merger.id == PullRequest.merged_by_id).where(PullRequest.repo_id == r.id))
    if i.is_pull:
        found = session.execute(base.where(PullRequest.number == number)).first()
        if found is not None:
            pull = _pull_rec(*found, default_branch=r.default_branch, repo=r.full_name)
    else:
        like = or_(PullRequest.body.contains(f"#{number}"), PullRequest.title.contains(f"#{number}"),
                   PullRequest.body.contains(f"/issues/{number}"))
        for found in session.execute(base.where(PullRequest.state == "open", like).order_by(PullRequest.number)):
            cand = _pull_rec(*found, default_branch=r.default_branch, repo=r.full_name)
            if number in cand.refs:
                pull = cand
                break
    return IssueContext(repo=r.full_name, default_branch=r.default_branch or "main",
                        html_url=r.html_url or f"https://github.com/{r.full_name}", issue=rec,
                        text=f"{i.title}\n{i.body or ''}", subsystems=subs, pull=pull)
