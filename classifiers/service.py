"""Read functions over the judgement tables, for the report stage, the bot and the CLI.

Every function takes an open Session (the caller owns the unit of work) and returns frozen
dataclasses; nothing here writes. The tables are filled by `scout classify`
(`classifiers.classify` documents their contents).

- `maintainers(session, repo, subsystem, top=3)` -> [Maintainer] best first
- `maintainers_report(session, watch, repo, subsystem, top=3)` -> MaintainersReport (with
  declared vs actual owners; accepts a subsystem label as well as a name)
- `ownership_table(session, repo, top=3)` -> {subsystem: [Maintainer]}
- `issue_insight(session, repo, number)` -> IssueInsight | None (subsystems, GFI probability and
  reasons, claim/block/ack signals, and `caveats`: what to say before recommending it)
- `gfi_candidates(session, repo, limit=5, include_taken=False)` -> [IssueInsight] best first;
  claimed or blocked issues are left out unless `include_taken`, and then carry their caveats
- `latest_models(session, repo)` -> [ModelInfo] one per model name, newest first
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.errors import ClassifierError
from config.watch import WatchConfig
from rules.ownership import declared_inactive, is_active
from storage.models import (
    GoodFirstIssueScore,
    Issue,
    ModelVersion,
    OwnershipScore,
    SubsystemLabel,
    ThreadSignal,
)
from storage.read import repo_row


@dataclass(frozen=True)
class Maintainer:
    login: str
    subsystem: str
    score: float
    declared: bool
    evidence: dict[str, Any]
    last_active_at: datetime | None


@dataclass(frozen=True)
class MaintainersReport:
    repo: str
    subsystem: str
    maintainers: tuple[Maintainer, ...]
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
class IssueInsight:
    number: int
    title: str
    state: str
    url: str
    subsystems: tuple[dict[str, Any], ...]
    primary: str | None
    gfi_probability: float | None
    gfi_reasons: tuple[str, ...]
    gfi_from_prior: bool
    claimed: bool
    claimed_by: tuple[str, ...]
    blocked: bool
    blockers: tuple[str, ...]
    acknowledged: bool
    acknowledged_by: tuple[str, ...]
    last_maintainer_word: str
    evidence: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    @property
    def caveats(self) -> tuple[str, ...]:
        """What must be said before recommending this issue (empty when it is free to take)."""
        out = []
        if self.claimed:
            out.append("claimed by " + ", ".join(self.claimed_by))
        if self.blocked:
            out.append("blocked: " + ", ".join(self.blockers))
        if self.state != "open":
            out.append(f"{self.state}")
        return tuple(out)


@dataclass(frozen=True)
class ModelInfo:
    name: str
    version: str
    created_at: datetime
    n_train: int
    metrics: dict[str, Any]


def _repo_id(session: Session, repo: str) -> tuple[int, str]:
    found = repo_row(session, repo)
    return found.id, found.full_name


def _maintainer(row: OwnershipScore) -> Maintainer:
    return Maintainer(row.login, row.subsystem, float(row.score), bool(row.declared), dict(row.evidence or {}),
                      row.last_active_at)


def maintainers(session: Session, repo: str, subsystem: str, top: int = 3) -> list[Maintainer]:
    """The top people of one subsystem by ownership score."""
    rid, _ = _repo_id(session, repo)
    rows = session.scalars(
        select(OwnershipScore)
        .where(OwnershipScore.repo_id == rid, OwnershipScore.subsystem == subsystem)
        .order_by(OwnershipScore.score.desc(), OwnershipScore.login)
        .limit(top)
    )
    return [_maintainer(r) for r in rows]


def ownership_table(session: Session, repo: str, top: int = 3) -> dict[str, list[Maintainer]]:
    """Every subsystem's top people (one query)."""
    rid, _ = _repo_id(session, repo)
    out: dict[str, list[Maintainer]] = defaultdict(list)
    for r in session.scalars(select(OwnershipScore).where(OwnershipScore.repo_id == rid)
                             .order_by(OwnershipScore.subsystem, OwnershipScore.score.desc(), OwnershipScore.login)):
        if len(out[r.subsystem]) < top:
            out[r.subsystem].append(_maintainer(r))
    return dict(out)


def resolve_subsystem(watch: WatchConfig, repo: str, subsystem: str) -> str:
    """A taxonomy name from a name or a label (case-insensitive); a clear error listing the names otherwise."""
    from classifiers.train import RepoContext

    tax = RepoContext.of(watch, repo).taxonomy
    found = tax.resolve(subsystem)
    if found is not None:
        return found
    raise ClassifierError(unknown_subsystem(subsystem, tax.names, tax.label_map()))


def unknown_subsystem(wanted: str, names: Sequence[str], labels: dict[str, str] | None = None) -> str:
    """`unknown subsystem 'kernal'; did you mean kernel?` (the nearest names or labels), else every name."""
    import difflib

    candidates = {n.lower(): n for n in names} | {k.lower(): v for k, v in (labels or {}).items()}
    near = [candidates[k] for k in difflib.get_close_matches(wanted.lower(), list(candidates), n=3, cutoff=0.6)]
    if near:
        return f"unknown subsystem {wanted[:80]!r}; did you mean {' or '.join(dict.fromkeys(near))}?"
    return f"unknown subsystem {wanted[:80]!r}; known: {', '.join(names)}"


def maintainers_report(session: Session, watch: WatchConfig, repo: str, subsystem: str, now: datetime,
                       top: int = 3) -> MaintainersReport:
    """Top people with evidence, and declared (CODEOWNERS) vs actual owners side by side."""
    name = resolve_subsystem(watch, repo, subsystem)
    rid, full = _repo_id(session, repo)
    rows = list(
        session.scalars(
            select(OwnershipScore)
            .where(OwnershipScore.repo_id == rid, OwnershipScore.subsystem == name)
            .order_by(OwnershipScore.score.desc(), OwnershipScore.login)
        )
    )
    people = [_maintainer(r) for r in rows]
    declared = declared_owners(session, watch, repo, name)
    standing = {p.login: (p.score, p.last_active_at) for p in people}
    active = [p.login for p in people[:top] if is_active(p.score, p.last_active_at, now)]
    computed = max((r.computed_at for r in rows), default=None)
    return MaintainersReport(
        full, name, tuple(people[:top]), tuple(declared), declared_inactive(declared, standing, now),
        tuple(a for a in active if a not in declared), computed)


def declared_owners(session: Session, watch: WatchConfig, repo: str, subsystem: str) -> list[str]:
    """The subsystem's declared owners (people and teams): the stored CODEOWNERS file's, then any
    other owner the last classification marked declared."""
    found = _codeowners(session, watch, repo, subsystem)
    rid, _ = _repo_id(session, repo)
    flagged = session.scalars(select(OwnershipScore.login).where(
        OwnershipScore.repo_id == rid, OwnershipScore.subsystem == subsystem, OwnershipScore.declared.is_(True))
        .order_by(OwnershipScore.score.desc(), OwnershipScore.login))
    return found + [login for login in flagged if login not in found]


def _codeowners(session: Session, watch: WatchConfig, repo: str, subsystem: str) -> list[str]:
    from classifiers.codeowners import declared_by_subsystem, parse_codeowners
    from classifiers.paths import PathMatcher
    from classifiers.train import RepoContext
    from storage.models import RepoFile

    ctx = RepoContext.of(watch, repo)
    rid, _ = _repo_id(session, repo)
    for path in ctx.repo.codeowners_paths:
        text = session.scalar(select(RepoFile.content).where(RepoFile.repo_id == rid, RepoFile.path == path))
        if text:
            return declared_by_subsystem(parse_codeowners(text), PathMatcher.for_taxonomy(ctx.taxonomy)).get(
                subsystem, []
            )
    return []


def _insights(session: Session, rid: int, numbers: list[int] | None) -> list[IssueInsight]:
    def where(model: Any) -> list[Any]:
        conds = [model.repo_id == rid]
        if numbers is not None:
            conds.append(model.number.in_(numbers))
        return conds

    labels = {r.number: r for r in session.scalars(select(SubsystemLabel).where(*where(SubsystemLabel)))}
    scores = {r.number: r for r in session.scalars(select(GoodFirstIssueScore).where(*where(GoodFirstIssueScore)))}
    signals = {r.number: r for r in session.scalars(select(ThreadSignal).where(*where(ThreadSignal)))}
    q = select(Issue.number, Issue.title, Issue.state, Issue.html_url).where(
        Issue.repo_id == rid, Issue.is_pull.is_(False)
    )
    if numbers is not None:
        q = q.where(Issue.number.in_(numbers))
    out = []
    for number, title, state, url in session.execute(q):
        lab, sc, sig = labels.get(number), scores.get(number), signals.get(number)
        out.append(IssueInsight(
            number=number, title=title, state=state, url=url or "",
            subsystems=tuple(lab.subsystems) if lab else (), primary=lab.primary if lab else None,
            gfi_probability=float(sc.probability) if sc else None, gfi_reasons=tuple(sc.reasons) if sc else (),
            gfi_from_prior=bool(sc.from_prior) if sc else False,
            claimed=bool(sig.claimed) if sig else False, claimed_by=tuple(sig.claimed_by) if sig else (),
            blocked=bool(sig.blocked) if sig else False, blockers=tuple(sig.blockers) if sig else (),
            acknowledged=bool(sig.acknowledged) if sig else False,
            acknowledged_by=tuple(sig.acknowledged_by) if sig else (),
            last_maintainer_word=sig.last_maintainer_word if sig else "",
            evidence=tuple(sig.evidence) if sig else ()))
    return out


def issue_insight(session: Session, repo: str, number: int) -> IssueInsight | None:
    """Everything the classifiers said about one issue (None if it is not stored)."""
    rid, _ = _repo_id(session, repo)
    found = _insights(session, rid, [number])
    return found[0] if found else None


def gfi_candidates(session: Session, repo: str, limit: int = 5, include_taken: bool = False,
                   subsystem: str | None = None) -> list[IssueInsight]:
    """Open issues by good-first-issue probability; claimed/blocked ones only with `include_taken`."""
    rid, _ = _repo_id(session, repo)
    numbers = list(session.scalars(select(GoodFirstIssueScore.number).where(GoodFirstIssueScore.repo_id == rid)))
    found = [i for i in _insights(session, rid, numbers) if i.state == "open" and i.gfi_probability is not None]
    if subsystem:
        found = [i for i in found if i.primary == subsystem or any(s.get("name") == subsystem for s in i.subsystems)]
    if not include_taken:
        found = [i for i in found if not i.claimed and not i.blocked]
    found.sort(key=lambda i: (-(i.gfi_probability or 0.0), i.number))
    return found[:limit]


def latest_models(session: Session, repo: str) -> list[ModelInfo]:
    """The newest recorded version of each model of a repo."""
    seen: dict[str, ModelInfo] = {}
    for r in session.scalars(select(ModelVersion).where(func.lower(ModelVersion.repo) == repo.lower())
                             .order_by(ModelVersion.created_at.desc(), ModelVersion.id.desc())):
        seen.setdefault(r.name, ModelInfo(r.name, r.version, r.created_at, r.n_train, dict(r.metrics or {})))
    return list(seen.values())
