"""Read functions over the judgement tables, for the report stage, the bot and the CLI.

Every function takes an open Session (the caller owns the unit of work) and returns frozen
dataclasses; nothing here writes. The tables are filled by `scout classify`
(`classifiers.classify` documents their contents).

- `maintainers_report(session, watch, repo, subsystem, now, top=3)` -> MaintainersReport (with
  declared vs actual owners; accepts a subsystem label as well as a name): `scout maintainers`
- `resolve_subsystem`, `unknown_subsystem`: a subsystem named by name or label, or a clear error
- `declared_owners(session, watch, repo, subsystem)`: CODEOWNERS' and the classification's
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.errors import ClassifierError
from config.watch import WatchConfig
from rules.ownership import declared_inactive, is_active
from storage.models import (
    OwnershipScore,
)
from storage.read import repo_row
from storage.records import OwnerRec


@dataclass(frozen=True)
class MaintainersReport:
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


def _repo_id(session: Session, repo: str) -> tuple[int, str]:
    found = repo_row(session, repo)
    return found.id, found.full_name


def _maintainer(row: OwnershipScore) -> OwnerRec:
    return OwnerRec(subsystem=row.subsystem, login=row.login, score=float(row.score), declared=bool(row.declared),
                    evidence=dict(row.evidence or {}), last_active_at=row.last_active_at)


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
