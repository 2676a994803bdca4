"""The shortlist a newcomer reads: 5 open issues that are safe first picks and the 3 maintainers
to talk to about them.

Issues: the highest good-first-issue probabilities among open issues nobody has claimed (signal,
assignee, or an open PR that references it) and nothing blocks, spread over subsystems unless the
caller narrows them. Maintainers: for the subsystems of those issues, round-robin over subsystems
(most issues first) taking each one's best active, responsive owner. Ties break on issue number
and login, so the same database always gives the same shortlist.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.clock import iso_z
from config.errors import ReportError
from config.watch import WatchConfig
from reports.queries import UNCLASSIFIED, GfiRec, IssueRec, OwnerRec, RepoSnapshot

log = logging.getLogger(__name__)

N_ISSUES = 5
N_MAINTAINERS = 3
MIN_SUBSYSTEM_CONFIDENCE = 0.3
NOT_COUNTS = frozenset({"items", "score", "rank"})  # evidence integers that are not counts of actions


@dataclass(frozen=True)
class BenchLink:
    """Where a shortlisted issue's bench job lives: a YAML path, a run URL, or a stored result."""

    id: int | None
    backend: str
    target: str
    link: str
    status: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "backend": self.backend, "target": self.target, "link": self.link,
                "status": self.status}


@dataclass(frozen=True)
class ShortlistIssue:
    number: int
    url: str
    title: str
    subsystems: tuple[str, ...]
    probability: float
    reasons: tuple[str, ...]
    from_prior: bool
    labels: tuple[str, ...]
    last_maintainer_word: str
    acknowledged_by: tuple[str, ...]
    bench_job: BenchLink | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "url": self.url, "title": self.title, "subsystems": list(self.subsystems),
                "probability": round(self.probability, 4), "reasons": list(self.reasons),
                "from_prior": self.from_prior, "labels": list(self.labels),
                "last_maintainer_word": self.last_maintainer_word, "acknowledged_by": list(self.acknowledged_by),
                "bench_job": self.bench_job.to_dict() if self.bench_job else None}


@dataclass(frozen=True)
class ShortlistMaintainer:
    login: str
    subsystems: tuple[str, ...]
    evidence: Mapping[str, Any] = field(hash=False)

    def to_dict(self) -> dict[str, Any]:
        return {"login": self.login, "subsystems": list(self.subsystems), "evidence": dict(self.evidence)}


@dataclass(frozen=True)
class Shortlist:
    repo: str
    generated_at: datetime
    subsystem_filter: tuple[str, ...]
    issues: tuple[ShortlistIssue, ...]
    maintainers: tuple[ShortlistMaintainer, ...]
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"repo": self.repo, "generated_at": iso_z(self.generated_at),
                "subsystem_filter": list(self.subsystem_filter),
                "maintainers": [m.to_dict() for m in self.maintainers],
                "issues": [i.to_dict() for i in self.issues], "notes": list(self.notes)}


# ----------------------------------------------------------------------------- issues


def listed_subsystems(snap: RepoSnapshot, number: int, min_confidence: float = MIN_SUBSYSTEM_CONFIDENCE) -> tuple[str, ...]:
    """The subsystems shown for an issue: the best one always, others above `min_confidence`."""
    rec = snap.subsystem_rec(number)
    if rec is None or not rec.names:
        return (UNCLASSIFIED,)
    out = [n for i, (n, c) in enumerate(zip(rec.names, rec.confidences, strict=False)) if i == 0 or c >= min_confidence]
    if rec.primary and rec.primary not in out:
        out.insert(0, rec.primary)
    return tuple(dict.fromkeys(out))


def claimed_by_pull(snap: RepoSnapshot) -> dict[int, int]:
    """Issue number -> the open PR that references it (a PR in flight is a claim)."""
    out: dict[int, int] = {}
    for p in snap.pulls:
        if p.state == "open":
            for n in p.refs:
                out.setdefault(n, p.number)
    return out


def exclusion(snap: RepoSnapshot, issue: IssueRec, in_flight: Mapping[int, int]) -> str | None:
    """Why an open issue cannot be recommended, or None when it can."""
    sig = snap.signal(issue.number)
    if sig is not None and sig.claimed:
        return "claimed" + (f" by {', '.join(sig.claimed_by)}" if sig.claimed_by else "")
    if sig is not None and sig.blocked:
        return "blocked" + (f" ({'; '.join(sig.blockers)})" if sig.blockers else "")
    if issue.assignees:
        return f"assigned to {', '.join(issue.assignees)}"
    if issue.number in in_flight:
        return f"PR #{in_flight[issue.number]} in flight"
    if issue.locked:
        return "locked"
    return None


def candidates(snap: RepoSnapshot, subsystems: Sequence[str] = ()) -> list[tuple[IssueRec, GfiRec, tuple[str, ...]]]:
    """Open plain issues with a score and nothing against them, best first (probability, number)."""
    in_flight = claimed_by_pull(snap)
    wanted = {s.lower() for s in subsystems}
    out = []
    for issue in snap.issues:
        if issue.is_pull or issue.state != "open" or issue.author_is_bot:
            continue
        score = snap.gfi_of(issue.number)
        if score is None or exclusion(snap, issue, in_flight) is not None:
            continue
        subs = listed_subsystems(snap, issue.number)
        if wanted and not wanted & {s.lower() for s in subs}:
            continue
        out.append((issue, score, subs))
    out.sort(key=lambda t: (-round(t[1].probability, 6), t[0].number))
    return out


def pick_issues(ranked: Sequence[tuple[IssueRec, GfiRec, tuple[str, ...]]], n: int = N_ISSUES,
                per_subsystem: int | None = 2) -> list[tuple[IssueRec, GfiRec, tuple[str, ...]]]:
    """The best `n`, at most `per_subsystem` per primary subsystem while others are available;
    the cap is relaxed (in rank order) only when the candidates run out."""
    if per_subsystem is None:
        return list(ranked[:n])
    chosen: list[int] = []
    count: dict[str, int] = defaultdict(int)
    for i, (_, _, subs) in enumerate(ranked):
        if len(chosen) >= n:
            break
        if count[subs[0]] < per_subsystem:
            chosen.append(i)
            count[subs[0]] += 1
    for i in range(len(ranked)):
        if len(chosen) >= n:
            break
        if i not in chosen:
            chosen.append(i)
    chosen.sort()
    return [ranked[i] for i in chosen]


# ----------------------------------------------------------------------------- maintainers


def _counts(evidence: Mapping[str, Any]) -> dict[str, int]:
    src = evidence.get("counts") if isinstance(evidence.get("counts"), Mapping) else evidence
    return {str(k): int(v) for k, v in src.items()
            if isinstance(v, int) and not isinstance(v, bool) and k not in NOT_COUNTS}


def _jsonable(v: Any) -> Any:
    if isinstance(v, datetime):
        return iso_z(v)
    if isinstance(v, Mapping):
        return {str(k): _jsonable(x) for k, x in sorted(v.items(), key=lambda kv: str(kv[0]))}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    return v


def pick_maintainers(snap: RepoSnapshot, issues: Sequence[ShortlistIssue], n: int = N_MAINTAINERS,
                     active_days: float = 30.0, max_review_hours: float = 7 * 24.0,
                     top_owners: int = 3) -> list[ShortlistMaintainer]:
    """Owners of the shortlisted issues' subsystems: each subsystem (most issues first) offers its
    best active, responsive owner in turn; inactive or slow owners only fill what is left."""
    weight: dict[str, float] = defaultdict(float)
    for i in issues:
        for rank, s in enumerate(i.subsystems):
            if s != UNCLASSIFIED:
                weight[s] += 1.0 if rank == 0 else 0.5
    subsystems = sorted(weight, key=lambda s: (-weight[s], s))
    cutoff = snap.now - timedelta(days=active_days)

    def eligible(o: OwnerRec, strict: bool) -> bool:
        if snap.is_bot(o.login) or o.score <= 0:
            return False
        if not strict:
            return True
        active = o.last_active_at is not None and o.last_active_at >= cutoff
        mfr = o.median_first_review_hours
        return active and (mfr is None or mfr <= max_review_hours)

    rel: dict[tuple[str, str], float] = {}
    for s in subsystems:
        owners = snap.owners_of(s)
        top = max((o.score for o in owners), default=0.0) or 1.0
        for o in owners:
            rel[(o.login, s)] = o.score / top
    combined: dict[str, float] = defaultdict(float)
    for (login, s), r in rel.items():
        combined[login] += weight[s] * r

    chosen: list[str] = []
    picked_for: dict[str, str] = {}
    for strict in (True, False):
        progress = True
        while len(chosen) < n and progress:
            progress = False
            for s in subsystems:
                if len(chosen) >= n:
                    break
                pool = [o for o in snap.owners_of(s) if o.login not in chosen and eligible(o, strict)]
                if not pool:
                    continue
                best = min(pool, key=lambda o: (-rel[(o.login, s)], -combined[o.login], o.login))
                chosen.append(best.login)
                picked_for[best.login] = s
                progress = True
    out = []
    for login in chosen:
        main = picked_for[login]
        # Where they matter: the subsystem they were picked for, and others where they rank high.
        mine = [o for s in subsystems for o in snap.owners_of(s) if o.login == login
                and (o.subsystem == main or rel[(login, o.subsystem)] >= 0.5
                     or [x.login for x in snap.owners_of(o.subsystem)][:top_owners].count(login))]
        mine.sort(key=lambda o: (o.subsystem != main, -rel[(login, o.subsystem)], o.subsystem))
        counts: dict[str, int] = defaultdict(int)
        for o in mine:
            for k, v in _counts(o.evidence).items():
                counts[k] += v
        lead = mine[0]
        last = max((o.last_active_at for o in mine if o.last_active_at), default=None)
        evidence = {
            "score": round(lead.score, 4),
            "declared": lead.declared,
            "last_active": iso_z(last) if last else None,
            "median_first_review_hours": (round(lead.median_first_review_hours, 2)
                                          if lead.median_first_review_hours is not None else None),
            "counts": dict(sorted(counts.items())),
            "by_subsystem": {o.subsystem: {"score": round(o.score, 4), "declared": o.declared,
                                           "rank": [x.login for x in snap.owners_of(o.subsystem)].index(login) + 1,
                                           "evidence": _jsonable(o.evidence)} for o in mine},
        }
        out.append(ShortlistMaintainer(login=login, subsystems=tuple(o.subsystem for o in mine), evidence=evidence))
    return out


# ----------------------------------------------------------------------------- the whole list


def build_shortlist(snap: RepoSnapshot, subsystems: Sequence[str] = (), bench_links: Mapping[int, BenchLink] | None = None,
                    n_issues: int = N_ISSUES, n_maintainers: int = N_MAINTAINERS) -> Shortlist:
    """Pure: the shortlist for a snapshot; `bench_links` maps issue numbers to their bench jobs."""
    bench_links = bench_links or {}
    ranked = candidates(snap, subsystems)
    picked = pick_issues(ranked, n_issues, per_subsystem=None if subsystems else 2)
    notes = []
    if len(picked) < n_issues:
        notes.append(f"only {len(picked)} open issue(s) are unclaimed, unblocked and scored"
                     + (f" in {', '.join(subsystems)}" if subsystems else ""))
    if any(g.from_prior for _, g, _ in picked):
        notes.append("some probabilities come from the prior (too few labelled examples to train on)")
    issues = []
    for issue, score, subs in picked:
        sig = snap.signal(issue.number)
        issues.append(ShortlistIssue(
            number=issue.number, url=issue.url or f"{snap.html_url}/issues/{issue.number}", title=issue.title,
            subsystems=subs, probability=score.probability, reasons=score.reasons, from_prior=score.from_prior,
            labels=issue.labels, last_maintainer_word=sig.last_maintainer_word if sig else "",
            acknowledged_by=sig.acknowledged_by if sig else (), bench_job=bench_links.get(issue.number)))
    maintainers = pick_maintainers(snap, issues, n_maintainers)
    if len(maintainers) < n_maintainers:
        notes.append(f"only {len(maintainers)} owner(s) known for these subsystems (run `scout classify`)")
    return Shortlist(repo=snap.repo, generated_at=snap.now, subsystem_filter=tuple(subsystems),
                     issues=tuple(issues), maintainers=tuple(maintainers), notes=tuple(notes))


def with_bench_links(sl: Shortlist, links: Mapping[int, BenchLink]) -> Shortlist:
    """The same shortlist with bench links filled in."""
    from dataclasses import replace

    return replace(sl, issues=tuple(replace(i, bench_job=links.get(i.number, i.bench_job)) for i in sl.issues))


# ----------------------------------------------------------------------------- I/O


def make_shortlist(session: Session, watch: WatchConfig, repo: str | None, now: datetime, out_dir: Path,
                   subsystems: Sequence[str] = (), backend: str | None = None, store: bool = True,
                   snapshot: RepoSnapshot | None = None) -> Shortlist:
    """The shortlist for `repo` (the first watched one by default), each issue with its bench job
    (prepared for `backend`, the config's default, and reused when the spec is unchanged), stored
    in `shortlists` unless `store` is False."""
    from reports.bench.jobs import prepare_job
    from reports.queries import issue_context, load_snapshot

    rw = watch.repo(repo)
    known = {s.lower(): s for s in watch.taxonomy_for(rw.name).names} | {UNCLASSIFIED: UNCLASSIFIED}
    unknown = [s for s in subsystems if s.lower() not in known]
    if unknown:
        raise ReportError(f"unknown subsystem(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    wanted = tuple(known[s.lower()] for s in subsystems)
    snap = snapshot or load_snapshot(session, rw.name, now, now - timedelta(days=7), now, bots=rw.bots)
    sl = build_shortlist(snap, wanted)
    links: dict[int, BenchLink] = {}
    for i in sl.issues:
        try:
            job = prepare_job(session, issue_context(session, snap.repo, i.number), watch,
                              backend or watch.bench.default_backend, out_dir)
        except ReportError as exc:  # e.g. no target for the subsystem and no default: say so, keep going
            log.warning("no bench job for %s#%d: %s", snap.repo, i.number, exc)
            continue
        links[i.number] = job.bench_link
    sl = with_bench_links(sl, links)
    if store:
        from storage.models import Shortlist as ShortlistRow

        session.add(ShortlistRow(repo=snap.repo, subsystems=list(wanted), payload=sl.to_dict(), created_at=now))
        session.flush()
    return sl


def latest_shortlist(session: Session, repo: str) -> dict[str, Any] | None:
    """The payload of the newest stored shortlist of `repo` (for the bot's /shortlist without recomputing)."""
    from storage.models import Shortlist as ShortlistRow

    row = session.scalars(select(ShortlistRow).where(ShortlistRow.repo == repo)
                          .order_by(ShortlistRow.created_at.desc(), ShortlistRow.id.desc()).limit(1)).first()
    return dict(row.payload) if row is not None else None
