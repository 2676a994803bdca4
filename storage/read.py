"""Bulk reads for the reports: a few set-based queries per repo turned into frozen records.

Everything downstream (PR flow, digest, shortlist) is a pure function of a `RepoSnapshot`, so it
can be tested on hand-made snapshots and is deterministic for the same database: every tuple here
is sorted by a stable key.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, or_, select, tuple_
from sqlalchemy.orm import Session, aliased

from config.errors import StorageError
from rules.github import closed_numbers, is_bot
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
from storage.records import (
    NO_NAMES,
    ActionRec,
    ChatThreadRec,
    GfiRec,
    IssueRec,
    OwnerRec,
    PullRec,
    SignalRec,
    SubsystemRec,
)
from storage.types import json_reader

UNCLASSIFIED = "unclassified"
# Only what the reports read of a PR (issue bodies can be long; PR bodies are read for "Fixes #N").
PULL_COLUMNS = (PullRequest.number, PullRequest.title, PullRequest.body, PullRequest.state, PullRequest.draft,
                PullRequest.author_association, PullRequest.html_url, PullRequest.head_sha, PullRequest.base_ref,
                PullRequest.created_at, PullRequest.closed_at, PullRequest.merged_at)


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
    reviews: tuple[ActionRec, ...]  # every review of the PRs in view (first-review latency needs their history)
    actions: tuple[ActionRec, ...]  # comments, review comments, events in the window or on open PRs
    subsystems: tuple[SubsystemRec, ...]
    gfi: tuple[GfiRec, ...]
    signals: tuple[SignalRec, ...]
    owners: tuple[OwnerRec, ...]
    chat: tuple[ChatThreadRec, ...]
    bots: frozenset[str] = frozenset()
    first_pulls: frozenset[int] | None = None  # PRs that are their author's first (None: judge from `pulls`)

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
        return is_bot(login, known=self.bots)

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
        return NO_NAMES
    return tuple(str(x.get("name", x.get("login", ""))) if isinstance(x, dict) else str(x) for x in v)


def find_repo(session: Session, repo: str) -> Repo | None:
    """The stored repo by name (GitHub names are case-insensitive), or None."""
    return session.scalar(select(Repo).where(func.lower(Repo.full_name) == repo.lower()))


def stored_repos(session: Session) -> list[str]:
    """The names of the stored repos, sorted."""
    return list(session.scalars(select(Repo.full_name).order_by(Repo.full_name)))


def repo_row(session: Session, repo: str) -> Repo:
    """The stored repo by name (case-insensitive), or a StorageError that says what is stored."""
    found = find_repo(session, repo)
    if found is None:
        stored = ", ".join(stored_repos(session)) or "none"
        raise StorageError(f"repo {repo} has no stored data (stored: {stored}); "
                           "run `scout import` or `scout collect` first")
    return found


def _subsystem_rec(number: int, is_pull: bool, subsystems: Any, primary: str | None) -> SubsystemRec:
    items = [x for x in (subsystems or []) if isinstance(x, dict) and x.get("name")]
    names = tuple(str(x["name"]) for x in items)
    conf = tuple(float(x.get("confidence", 1.0) or 0.0) for x in items)
    return SubsystemRec(number=number, is_pull=bool(is_pull), names=names, confidences=conf, primary=primary)


CHUNK = 5000  # numbers per `IN (...)` list (rendered inline: no bound-parameter limit applies)


def _in(col: Any, numbers: Sequence[int]) -> Any:
    return col.in_(bindparam(f"in_{col.key}", list(numbers), expanding=True, literal_execute=True))


def _rows(session: Session, stmt: Any, col: Any, numbers: Sequence[int] | Select[Any] | None) -> list[Any]:
    """`stmt`'s rows, restricted to `col IN numbers` (a subquery, or a list taken a chunk at a
    time; None: all rows)."""
    if numbers is None:
        return list(session.execute(stmt).all())
    if isinstance(numbers, Select):
        return list(session.execute(stmt.where(col.in_(numbers))).all())
    out: list[Any] = []
    for i in range(0, len(numbers), CHUNK):
        out += session.execute(stmt.where(_in(col, numbers[i:i + CHUNK]))).all()
    return out


def numbers_in_view(session: Session, repo_id: int, since: datetime, until: datetime,
                    also: Iterable[int] = ()) -> list[int]:
    """The issues and PRs a snapshot for [since, until) needs: the open ones, those created,
    updated, closed or merged since `since`, those reviewed in the window, and `also` (numbers
    with comments, events or chat in the window). Closed history outside the window is never read."""
    merged = select(PullRequest.number).where(PullRequest.repo_id == repo_id,
                                              or_(PullRequest.state == "open", PullRequest.merged_at >= since))
    direct = set(session.scalars(
        select(Issue.number).where(Issue.repo_id == repo_id,
                                   or_(Issue.state == "open", Issue.updated_at >= since, Issue.created_at >= since,
                                       Issue.closed_at >= since, Issue.number.in_(merged)))))
    reviewed = set(session.scalars(
        select(Review.pull_number).where(Review.repo_id == repo_id, Review.submitted_at >= since,
                                         Review.submitted_at < until).distinct()))
    return sorted(direct | reviewed | set(also))


def first_pulls(session: Session, repo_id: int) -> frozenset[int]:
    """Numbers of the PRs that are their author's first in the repo (oldest by creation, then
    number), over the whole stored history: "first-time author" needs it, the rest of a snapshot not."""
    author = aliased(User)
    seen: set[str] = set()
    out = set()
    for number, login in session.execute(
            select(PullRequest.number, author.login).outerjoin(author, author.id == PullRequest.user_id)
            .where(PullRequest.repo_id == repo_id).order_by(PullRequest.created_at, PullRequest.number)):
        if login is not None and login not in seen:
            seen.add(login)
            out.add(number)
    return frozenset(out)


VIEWS = ("window", "open", "all")


def load_snapshot(session: Session, repo: str, now: datetime, since: datetime, until: datetime | None = None,
                  bots: tuple[str, ...] = (), *, view: str = "window") -> RepoSnapshot:
    """Read what the reports need about `repo` in a fixed number of queries, whatever its size.

    `view` says which issues and PRs are read, with their reviews, subsystems, scores and signals:
    "window" (the digest, PR flow): the open ones and those with activity since `since`
    (`numbers_in_view`), with comments, review comments and events in the window and, on open PRs,
    their authors' (a stalled PR waits on its author's answer), and chat in the window;
    "open" (the shortlist): the open ones only, no activity or chat; "all": every stored item
    and action, whatever the window (the reports come out the same as with "window"; tests
    compare them). Owners are always read whole."""
    if view not in VIEWS:
        raise ValueError(f"view must be one of {VIEWS}, got {view!r}")
    r = repo_row(session, repo)
    rid = r.id
    until = until or now
    author = aliased(User)
    J, js = json_reader(session.get_bind().dialect)
    bot_memo: dict[tuple[str | None, str | None], bool] = {}

    def bot(login: str | None, utype: str | None) -> bool:
        found = bot_memo.get((login, utype))
        if found is None:
            found = bot_memo[(login, utype)] = is_bot(login, utype, bots)
        return found

    actions: list[ActionRec] = []
    chat: tuple[ChatThreadRec, ...] = ()
    if view != "open":
        open_pull = select(Issue.number).where(Issue.repo_id == rid, Issue.is_pull.is_(True), Issue.state == "open")
        if view == "all":
            def on_open_pull(number: Any, login: Any) -> Any:
                return number.in_(open_pull)
        else:
            pull_author = aliased(User)
            by_author = (select(PullRequest.number, pull_author.login)
                         .join(pull_author, pull_author.id == PullRequest.user_id)
                         .where(PullRequest.repo_id == rid, PullRequest.number.in_(open_pull)))

            def on_open_pull(number: Any, login: Any) -> Any:
                return tuple_(number, login).in_(by_author)

        for n, login, utype, assoc, at in session.execute(
                select(IssueComment.issue_number, User.login, User.type, IssueComment.author_association,
                       IssueComment.created_at)
                .join(User, User.id == IssueComment.user_id)
                .where(IssueComment.repo_id == rid,
                       or_(and_(IssueComment.created_at >= since, IssueComment.created_at < until),
                           on_open_pull(IssueComment.issue_number, User.login)))):
            actions.append(ActionRec(n, login, bot(login, utype), "comment", assoc or "NONE", at))
        for n, login, utype, at in session.execute(
                select(ReviewComment.pull_number, User.login, User.type, ReviewComment.created_at)
                .join(User, User.id == ReviewComment.user_id)
                .where(ReviewComment.repo_id == rid,
                       or_(and_(ReviewComment.created_at >= since, ReviewComment.created_at < until),
                           on_open_pull(ReviewComment.pull_number, User.login)))):
            actions.append(ActionRec(n, login, bot(login, utype), "review_comment", "", at))
        for n, login, utype, ev, at in session.execute(
                select(IssueEvent.issue_number, User.login, User.type, IssueEvent.event, IssueEvent.created_at)
                .join(User, User.id == IssueEvent.actor_id)
                .where(IssueEvent.repo_id == rid,
                       or_(and_(IssueEvent.created_at >= since, IssueEvent.created_at < until),
                           on_open_pull(IssueEvent.issue_number, User.login)))):
            actions.append(ActionRec(n, login, bot(login, utype), "event", ev, at))
        actions.sort(key=lambda a: (a.at, a.number, a.kind, a.login, a.detail))
        chat = load_chat(session, rid, since, until)

    numbers: list[int] | Select[Any] | None = None
    if view == "open":
        numbers = select(Issue.number).where(Issue.repo_id == rid, Issue.state == "open")
    elif view == "window":  # the items the actions and chat of the window touch are in view too
        numbers = numbers_in_view(
            session, rid, since, until,
            also={a.number for a in actions if since <= a.at < until} | {n for c in chat for n in c.issue_numbers})

    issues = tuple(
        IssueRec(number=n, is_pull=is_pull, title=title, state=state, author=login,
                 author_is_bot=is_bot(login, utype),
                 author_association=assoc or "NONE", labels=_tuple(js(labels)), assignees=_tuple(js(assignees)),
                 locked=locked, comments=comments or 0, url=url or "", created_at=created, updated_at=updated,
                 closed_at=closed)
        for n, is_pull, title, state, assoc, labels, assignees, locked, comments, url, created, updated, closed, login,
        utype in _rows(session, select(Issue.number, Issue.is_pull, Issue.title, Issue.state, Issue.author_association,
                                       J(Issue.labels), J(Issue.assignees), Issue.locked, Issue.comments,
                                       Issue.html_url, Issue.created_at, Issue.updated_at, Issue.closed_at,
                                       author.login, author.type)
                       .outerjoin(author, author.id == Issue.user_id).where(Issue.repo_id == rid)
                       .order_by(Issue.number), Issue.number, numbers))

    sizes = {n: (int(a or 0) + int(d or 0), int(c)) for n, a, d, c in _rows(
        session, select(PullFile.pull_number, func.sum(PullFile.additions), func.sum(PullFile.deletions), func.count())
        .where(PullFile.repo_id == rid).group_by(PullFile.pull_number), PullFile.pull_number, numbers)}
    merger = aliased(User)
    pulls = tuple(
        _pull_rec(p, p.login, p.utype, p.merged_by, r.default_branch, r.full_name, sizes.get(p.number, (0, 0)),
                  reviewers=js(p.requested_reviewers))
        for p in _rows(session, select(*PULL_COLUMNS, J(PullRequest.requested_reviewers).label("requested_reviewers"),
                                       author.login.label("login"), author.type.label("utype"),
                                       merger.login.label("merged_by"))
                       .outerjoin(author, author.id == PullRequest.user_id)
                       .outerjoin(merger, merger.id == PullRequest.merged_by_id)
                       .where(PullRequest.repo_id == rid).order_by(PullRequest.number), PullRequest.number, numbers))

    reviews: tuple[ActionRec, ...] = ()
    if view != "open":
        reviews = tuple(sorted(
            (ActionRec(number=n, login=login, is_bot=bot(login, utype), kind="review", detail=state, at=at)
             for n, login, utype, state, at in _rows(
                 session, select(Review.pull_number, User.login, User.type, Review.state, Review.submitted_at)
                 .join(User, User.id == Review.user_id)
                 .where(Review.repo_id == rid, Review.submitted_at.is_not(None)), Review.pull_number, numbers)),
            key=lambda a: (a.number, a.at, a.login)))

    subsystems = tuple(_subsystem_rec(n, is_pull, js(subs), primary) for n, is_pull, subs, primary in _rows(
        session, select(SubsystemLabel.number, SubsystemLabel.is_pull, J(SubsystemLabel.subsystems),
                        SubsystemLabel.primary)
        .where(SubsystemLabel.repo_id == rid).order_by(SubsystemLabel.number), SubsystemLabel.number, numbers))
    gfi = tuple(GfiRec(n, float(p), tuple(str(x) for x in (js(reasons) or [])), bool(prior))
                for n, p, reasons, prior in _rows(
        session, select(GoodFirstIssueScore.number, GoodFirstIssueScore.probability, J(GoodFirstIssueScore.reasons),
                        GoodFirstIssueScore.from_prior)
        .where(GoodFirstIssueScore.repo_id == rid).order_by(GoodFirstIssueScore.number),
        GoodFirstIssueScore.number, numbers))
    signals = tuple(
        SignalRec(number=n, claimed=bool(claimed), claimed_by=_tuple(js(claimed_by)), blocked=bool(blocked),
                  blockers=_tuple(js(blockers)), acknowledged=bool(acked), acknowledged_by=_tuple(js(acked_by)),
                  last_maintainer_word=word or "")
        for n, claimed, claimed_by, blocked, blockers, acked, acked_by, word in _rows(
            session, select(ThreadSignal.number, ThreadSignal.claimed, J(ThreadSignal.claimed_by), ThreadSignal.blocked,
                            J(ThreadSignal.blockers), ThreadSignal.acknowledged, J(ThreadSignal.acknowledged_by),
                            ThreadSignal.last_maintainer_word)
            .where(ThreadSignal.repo_id == rid).order_by(ThreadSignal.number), ThreadSignal.number, numbers))
    owners = load_owners(session, rid)

    return RepoSnapshot(
        repo=r.full_name, repo_id=rid, default_branch=r.default_branch or "main",
        html_url=r.html_url or f"https://github.com/{r.full_name}", now=now, since=since, until=until,
        issues=issues, pulls=pulls, reviews=reviews, actions=tuple(actions), subsystems=subsystems,
        gfi=gfi, signals=signals, owners=owners, chat=chat, bots=frozenset(bots),
        first_pulls=None if view == "open" else first_pulls(session, rid))


def load_owners(session: Session, repo_id: int, subsystems: Iterable[str] | None = None) -> tuple[OwnerRec, ...]:
    """The stored owners of a repo (of `subsystems` only, when given), by subsystem and login."""
    stmt = (select(OwnershipScore.subsystem, OwnershipScore.login, OwnershipScore.score, OwnershipScore.declared,
                   OwnershipScore.evidence, OwnershipScore.last_active_at)
            .where(OwnershipScore.repo_id == repo_id).order_by(OwnershipScore.subsystem, OwnershipScore.login))
    if subsystems is not None:
        stmt = stmt.where(OwnershipScore.subsystem.in_(sorted(subsystems)))
    return tuple(OwnerRec(subsystem=o.subsystem, login=o.login, score=float(o.score), declared=o.declared,
                          evidence=dict(o.evidence or {}), last_active_at=o.last_active_at)
                 for o in session.execute(stmt))


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
    repo = session.scalar(select(Repo.full_name).where(Repo.id == repo_id))
    if repo:  # Slack threads and forum topics compete for "hottest" too
        from storage.chat_read import chat_source_threads

        out += [ChatThreadRec(**rec) for rec in chat_source_threads(session, repo, since, until)]
    return tuple(sorted(out, key=lambda c: (-c.messages, -c.authors, c.source, c.channel_id)))


@dataclass(frozen=True)
class IssueContext:
    """One issue or PR with what its card and a bench job need: text, subsystems, the PR to measure."""

    repo: str
    default_branch: str
    html_url: str
    issue: IssueRec
    text: str  # title and body (read only to pick an op among fixed names)
    subsystems: SubsystemRec | None  # as classified, best first with their confidences
    pull: PullRec | None  # the PR itself, or the first open PR that closes the issue


def _pull_rec(p: Any, login: str | None, utype: str | None, merged_by: str | None, default_branch: str,
              repo: str, size: tuple[int, int] = (0, 0), reviewers: Any = None) -> PullRec:
    refs = sorted(closed_numbers(f"{p.title}\n{p.body or ''}", repo) - {p.number})
    return PullRec(
        number=p.number, title=p.title, state=p.state, draft=p.draft, author=login,
        author_is_bot=is_bot(login, utype),
        author_association=p.author_association or "NONE", url=p.html_url or "", head_sha=p.head_sha or "",
        base_ref=p.base_ref or default_branch, merged_by=merged_by,
        requested_reviewers=_tuple(p.requested_reviewers if reviewers is None else reviewers),
        created_at=p.created_at, closed_at=p.closed_at,
        merged_at=p.merged_at, size=size[0], files=size[1], refs=tuple(refs))


def closing_pull(session: Session, repo: Repo, number: int) -> int | None:
    """The first open PR (by number) whose title or body closes issue `number` by GitHub's keywords
    (`rules.github.closed_numbers`): the PR a bench job or an issue card points at."""
    like = or_(PullRequest.body.contains(f"#{number}"), PullRequest.title.contains(f"#{number}"),
               PullRequest.body.contains(f"/issues/{number}"))
    for n, title, body in session.execute(
            select(PullRequest.number, PullRequest.title, PullRequest.body)
            .where(PullRequest.repo_id == repo.id, PullRequest.state == "open", like).order_by(PullRequest.number)):
        if n != number and number in closed_numbers(f"{title}\n{body or ''}", repo.full_name):
            return int(n)
    return None


def issue_context(session: Session, repo: str, number: int) -> IssueContext:
    """An issue/PR by number, its subsystems and the PR a bench job should measure."""
    r = repo_row(session, repo)
    author = aliased(User)
    row = session.execute(select(Issue, author.login, author.type).outerjoin(author, author.id == Issue.user_id)
                          .where(Issue.repo_id == r.id, Issue.number == number)).first()
    if row is None:
        raise StorageError(f"{r.full_name}#{number} is not stored (run `scout collect` or `scout import`)")
    i, login, utype = row
    rec = IssueRec(number=i.number, is_pull=i.is_pull, title=i.title, state=i.state, author=login,
                   author_is_bot=is_bot(login, utype),
                   author_association=i.author_association or "NONE", labels=_tuple(i.labels),
                   assignees=_tuple(i.assignees), locked=i.locked, comments=i.comments or 0, url=i.html_url or "",
                   created_at=i.created_at, updated_at=i.updated_at, closed_at=i.closed_at)
    label = session.get(SubsystemLabel, (r.id, number))
    subs = _subsystem_rec(number, label.is_pull, label.subsystems, label.primary) if label is not None else None
    pull = None
    merger = aliased(User)
    base = (select(PullRequest, author.login, author.type, merger.login)
            .outerjoin(author, author.id == PullRequest.user_id)
            .outerjoin(merger, merger.id == PullRequest.merged_by_id).where(PullRequest.repo_id == r.id))
    measured = number if i.is_pull else closing_pull(session, r, number)
    if measured is not None:
        found = session.execute(base.where(PullRequest.number == measured)).first()
        if found is not None:
            pull = _pull_rec(*found, default_branch=r.default_branch or "main", repo=r.full_name)
    return IssueContext(repo=r.full_name, default_branch=r.default_branch or "main",
                        html_url=r.html_url or f"https://github.com/{r.full_name}", issue=rec,
                        text=f"{i.title}\n{i.body or ''}", subsystems=subs, pull=pull)
