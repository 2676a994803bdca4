"""Small answers for chat commands: one issue (/issue) and one subsystem's maintainers
(/maintainers), as frozen records built from stored rows."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from bench.jobs import job_views
from classifiers.thresholds import LISTED_SUBSYSTEM_CONFIDENCE
from config.watch import WatchConfig
from reports.shortlist import BenchLink
from rules.github import is_bot
from rules.ownership import declared_inactive, is_active
from storage.models import (
    GoodFirstIssueScore,
    MessageIssueLink,
    OwnershipScore,
    RepoFile,
    ThreadSignal,
)
from storage.read import UNCLASSIFIED, issue_context, repo_row
from storage.records import OwnerRec


@dataclass(frozen=True)
class OwnerLine:
    login: str
    subsystem: str
    score: float
    declared: bool
    last_active_at: datetime | None
    median_first_review_hours: float | None
    counts: tuple[tuple[str, int], ...]
    active: bool
    discord: str | None = None  # their Discord username, when linked for sure (/link or the config)
    examples: tuple[int, ...] = ()  # issues/PRs of theirs in this subsystem (the evidence's examples)


@dataclass(frozen=True)
class IssueCard:
    repo: str
    number: int
    is_pull: bool
    title: str
    url: str
    state: str
    author: str | None
    labels: tuple[str, ...]
    subsystems: tuple[tuple[str, float], ...]  # (name, confidence), best first
    probability: float | None
    reasons: tuple[str, ...]
    claimed: bool
    claimed_by: tuple[str, ...]
    blocked: bool
    blockers: tuple[str, ...]
    last_maintainer_word: str
    not_recommended: str | None  # why it is not a first pick (claimed, blocked, assigned, PR in flight), if so
    pull: int | None  # the PR itself or an open PR referencing it
    owners: tuple[OwnerLine, ...]
    bench_jobs: tuple[BenchLink, ...]
    chat_mentions: int


@dataclass(frozen=True)
class MaintainersCard:
    repo: str
    subsystem: str
    owners: tuple[OwnerLine, ...]  # best first
    declared_inactive: tuple[str, ...]  # declared owners with no recent activity
    active_undeclared: tuple[str, ...]  # among the top, active but not declared
    extra: dict[str, Any] = field(default_factory=dict, hash=False)


TRUSTED_LINKS = ("verified", "config")  # guessed links are not shown next to a login


def discord_handles(session: Session, logins: Collection[str]) -> dict[str, str]:
    """GitHub login -> Discord username, for the logins linked by /link or the operator's config."""
    from storage.models import ChatUser

    if not logins:
        return {}
    rows = session.execute(select(ChatUser.github_login, ChatUser.username).where(
        ChatUser.github_login.in_(list(logins)), ChatUser.link_source.in_(TRUSTED_LINKS)).order_by(ChatUser.id))
    out: dict[str, str] = {}
    for login, username in rows:
        out.setdefault(str(login), str(username))
    return out


def _owner_lines(rows: list[OwnershipScore], now: datetime,
                 handles: Mapping[str, str] | None = None) -> list[OwnerLine]:
    if handles is None:
        session = object_session(rows[0]) if rows else None
        handles = discord_handles(session, {o.login for o in rows}) if session is not None else {}
    out = []
    for o in rows:
        ev = o.evidence or {}
        examples = tuple(int(x) for x in ev.get("examples") or () if isinstance(x, int) and not isinstance(x, bool))
        found = ev.get("counts")
        counts: dict[str, Any] = found if isinstance(found, dict) else ev
        mfr = ev.get("median_first_review_hours")
        out.append(OwnerLine(
            login=o.login, subsystem=o.subsystem, score=round(float(o.score), 4), declared=o.declared,
            last_active_at=o.last_active_at,
            median_first_review_hours=float(mfr) if isinstance(mfr, int | float) else None,
            counts=tuple(sorted((str(k), int(v)) for k, v in counts.items()
                                if isinstance(v, int) and not isinstance(v, bool))),
            active=is_active(o.score, o.last_active_at, now),
            discord=handles.get(o.login), examples=examples[-3:]))
    return out


@dataclass(frozen=True)
class MaintainersReport:
    """`scout maintainers`: the top owners with their full evidence, declared vs actual."""

    repo: str
    subsystem: str
    maintainers: tuple[OwnerRec, ...]
    declared: tuple[str, ...]
    declared_inactive: tuple[str, ...]
    active_undeclared: tuple[str, ...]
    computed_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["computed_at"] = self.computed_at.strftime("%Y-%m-%dT%H:%M:%SZ") if self.computed_at else None
        for m in d["maintainers"]:
            m["last_active_at"] = m["last_active_at"].strftime("%Y-%m-%dT%H:%M:%SZ") if m["last_active_at"] else None
        return d


@dataclass(frozen=True)
class _Owners:
    repo: str
    subsystem: str
    rows: list[OwnershipScore]  # best score first, bots left out
    declared: list[str]
    declared_inactive: tuple[str, ...]


def _subsystem_owners(session: Session, watch: WatchConfig, subsystem: str, now: datetime,
                      repo: str | None) -> _Owners:
    """The one answer to "who owns this subsystem" that `/maintainers` and `scout maintainers` show:
    the stored owners (bots left out), the declared ones, and which of those are inactive."""
    rw = watch.repo(repo)
    sub = watch.taxonomy_for(rw.name).require(subsystem)
    r = repo_row(session, rw.name)
    rows = [o for o in session.scalars(select(OwnershipScore).where(
        OwnershipScore.repo_id == r.id, OwnershipScore.subsystem == sub)
        .order_by(OwnershipScore.score.desc(), OwnershipScore.login))
        if not is_bot(o.login, known=rw.bots)]
    declared = declared_owners(session, watch, r.full_name, sub)
    standing = {o.login: (float(o.score), o.last_active_at) for o in rows}
    return _Owners(r.full_name, sub, rows, declared, declared_inactive(declared, standing, now))


def maintainers_card(session: Session, watch: WatchConfig, subsystem: str, now: datetime, repo: str | None = None,
                     top: int = 3) -> MaintainersCard:
    """The owners of a subsystem for `/maintainers` (best score first), declared vs actual."""
    found = _subsystem_owners(session, watch, subsystem, now, repo)
    best = _owner_lines(found.rows, now)[:top]
    return MaintainersCard(
        repo=found.repo, subsystem=found.subsystem, owners=tuple(best), declared_inactive=found.declared_inactive,
        active_undeclared=tuple(o.login for o in best if o.active and o.login not in found.declared))


def maintainers_report(session: Session, watch: WatchConfig, subsystem: str, now: datetime, repo: str | None = None,
                       top: int = 3) -> MaintainersReport:
    """The same owners for `scout maintainers`, with each one's full evidence."""
    found = _subsystem_owners(session, watch, subsystem, now, repo)
    people = [OwnerRec(subsystem=o.subsystem, login=o.login, score=float(o.score), declared=bool(o.declared),
                       evidence=dict(o.evidence or {}), last_active_at=o.last_active_at) for o in found.rows[:top]]
    active = [p.login for p in people if is_active(p.score, p.last_active_at, now)]
    return MaintainersReport(
        found.repo, found.subsystem, tuple(people), tuple(found.declared), found.declared_inactive,
        tuple(a for a in active if a not in found.declared), max((o.computed_at for o in found.rows), default=None))


def declared_owners(session: Session, watch: WatchConfig, repo: str, subsystem: str) -> list[str]:
    """The subsystem's declared owners (people and teams): the stored CODEOWNERS file's, then any
    other owner the last classification marked declared."""
    found = _codeowners(session, watch, repo, subsystem)
    rid = repo_row(session, repo).id
    flagged = session.scalars(select(OwnershipScore.login).where(
        OwnershipScore.repo_id == rid, OwnershipScore.subsystem == subsystem, OwnershipScore.declared.is_(True))
        .order_by(OwnershipScore.score.desc(), OwnershipScore.login))
    return found + [login for login in flagged if login not in found]


def _codeowners(session: Session, watch: WatchConfig, repo: str, subsystem: str) -> list[str]:
    from classifiers.codeowners import declared_by_subsystem, parse_codeowners
    from classifiers.paths import PathMatcher

    rid = repo_row(session, repo).id
    for path in watch.repo(repo).codeowners_paths:
        text = session.scalar(select(RepoFile.content).where(RepoFile.repo_id == rid, RepoFile.path == path))
        if text:
            matcher = PathMatcher.for_taxonomy(watch.taxonomy_for(repo))
            return declared_by_subsystem(parse_codeowners(text), matcher).get(subsystem, [])
    return []


def issue_card(session: Session, watch: WatchConfig, number: int, now: datetime, repo: str | None = None,
               top_owners: int = 3) -> IssueCard:
    """Everything oss-scout knows about one issue or PR."""
    rw = watch.repo(repo)
    ctx = issue_context(session, rw.name, number)
    r = repo_row(session, ctx.repo)
    subs: tuple[tuple[str, float], ...] = ()
    if ctx.subsystems is not None:
        subs = tuple((name, round(conf, 3)) for name, conf in zip(ctx.subsystems.names, ctx.subsystems.confidences,
                                                                   strict=True)
                     if conf >= LISTED_SUBSYSTEM_CONFIDENCE)
    gfi = session.get(GoodFirstIssueScore, (r.id, number))
    sig = session.get(ThreadSignal, (r.id, number))
    owners: list[OwnerLine] = []
    for name, _ in subs[:2]:
        rows = list(session.scalars(select(OwnershipScore).where(
            OwnershipScore.repo_id == r.id, OwnershipScore.subsystem == name)
            .order_by(OwnershipScore.score.desc(), OwnershipScore.login).limit(top_owners + 2)))
        owners += [o for o in _owner_lines(rows, now)
                   if not is_bot(o.login) and o.login not in {x.login for x in owners}][:top_owners]
    why_not = None
    if not ctx.issue.is_pull:
        if ctx.issue.state != "open":
            why_not = "closed"
        elif sig is not None and sig.claimed:
            why_not = "claimed"
        elif sig is not None and sig.blocked:
            why_not = "blocked"
        elif ctx.issue.assignees:
            why_not = f"assigned to {', '.join(ctx.issue.assignees)}"
        elif ctx.pull is not None:
            why_not = f"PR #{ctx.pull.number} in flight"
    mentions = session.scalar(select(func.count()).select_from(MessageIssueLink).where(
        MessageIssueLink.repo_id == r.id, MessageIssueLink.issue_number == number)) or 0
    return IssueCard(
        repo=ctx.repo, number=number, is_pull=ctx.issue.is_pull, title=ctx.issue.title,
        url=ctx.issue.url or f"{ctx.html_url}/issues/{number}", state=ctx.issue.state, author=ctx.issue.author,
        labels=ctx.issue.labels, subsystems=subs or ((UNCLASSIFIED, 0.0),),
        probability=float(gfi.probability) if gfi else None, reasons=tuple(gfi.reasons or ()) if gfi else (),
        claimed=bool(sig and sig.claimed), claimed_by=tuple(sig.claimed_by or ()) if sig else (),
        blocked=bool(sig and sig.blocked), blockers=tuple(sig.blockers or ()) if sig else (),
        last_maintainer_word=(sig.last_maintainer_word or "") if sig else "", not_recommended=why_not,
        pull=ctx.pull.number if ctx.pull else None, owners=tuple(owners),
        bench_jobs=tuple(j.bench_link for j in job_views(session, ctx.repo, number, limit=5)),
        chat_mentions=int(mentions))
