"""The shortlist a newcomer reads: 5 open issues that are safe first picks and the 3 maintainers
to talk to about them.

Issues: the highest good-first-issue probabilities among open issues nobody has claimed (signal,
assignee, or an open PR that references it) and nothing blocks, spread over subsystems unless the
caller narrows them. Only issues at or above the safe-pick threshold
(`classifiers.thresholds.SAFE_PICK_PROBABILITY`) are presented as safe first picks; when fewer
than five qualify the notes say "only N", and the best of the others follow as "stretch" picks
that say why (`split_safe`, `stretch_issue`). Maintainers: for the subsystems of those issues,
round-robin over subsystems (most issues first) taking each one's best active, responsive owner.
Ties break on issue number and login, so the same database always gives the same shortlist.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.jobs import BenchLink
from classifiers.thresholds import LISTED_SUBSYSTEM_CONFIDENCE, SAFE_PICK_PROBABILITY
from config.clock import iso_z
from config.watch import WatchConfig
from rules.ownership import ACTIVE_DAYS as OWNER_ACTIVE_DAYS
from storage.read import UNCLASSIFIED, RepoSnapshot, load_owners, repo_row
from storage.records import GfiRec, IssueRec, OwnerRec

log = logging.getLogger(__name__)

N_ISSUES = 5
N_MAINTAINERS = 3
MIN_SUBSYSTEM_CONFIDENCE = LISTED_SUBSYSTEM_CONFIDENCE
ACTIVE_DAYS = OWNER_ACTIVE_DAYS  # a maintainer active within this many days is preferred...
MAX_REVIEW_HOURS = 7 * 24.0  # ...and one whose median first review comes within this
NOT_COUNTS = frozenset({"items", "score", "rank"})  # evidence integers that are not counts of actions


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
    stretch: bool = False  # below the safe-pick threshold: shown only because too few issues reach it

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "url": self.url, "title": self.title, "subsystems": list(self.subsystems),
                "probability": round(self.probability, 4), "reasons": list(self.reasons),
                "from_prior": self.from_prior, "labels": list(self.labels),
                "last_maintainer_word": self.last_maintainer_word, "acknowledged_by": list(self.acknowledged_by),
                "bench_job": self.bench_job.to_dict() if self.bench_job else None, "stretch": self.stretch}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ShortlistIssue:
        """An issue as `to_dict` wrote it (the probability as rounded there)."""
        job = d.get("bench_job")
        return cls(number=int(d["number"]), url=str(d["url"]), title=str(d["title"]),
                   subsystems=tuple(d["subsystems"]), probability=float(d["probability"]),
                   reasons=tuple(d["reasons"]), from_prior=bool(d["from_prior"]), labels=tuple(d["labels"]),
                   last_maintainer_word=str(d["last_maintainer_word"]), acknowledged_by=tuple(d["acknowledged_by"]),
                   bench_job=BenchLink.from_dict(job) if job else None, stretch=bool(d.get("stretch", False)))


@dataclass(frozen=True)
class ShortlistMaintainer:
    login: str
    subsystems: tuple[str, ...]
    evidence: Mapping[str, Any] = field(hash=False)

    def to_dict(self) -> dict[str, Any]:
        return {"login": self.login, "subsystems": list(self.subsystems), "evidence": dict(self.evidence)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ShortlistMaintainer:
        return cls(login=str(d["login"]), subsystems=tuple(d["subsystems"]), evidence=dict(d["evidence"]))


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

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Shortlist:
        """A shortlist from its `to_dict` form (a stored payload, a JSON export). That form rounds
        probabilities to 4 places and times to the second; a stored shortlist keeps the exact
        values beside it (see `stored_shortlist`)."""
        from config.clock import parse_utc

        return cls(repo=str(d["repo"]), generated_at=parse_utc(d["generated_at"]),
                   subsystem_filter=tuple(d["subsystem_filter"]),
                   issues=tuple(ShortlistIssue.from_dict(i) for i in d["issues"]),
                   maintainers=tuple(ShortlistMaintainer.from_dict(m) for m in d["maintainers"]),
                   notes=tuple(d.get("notes", ())))


# ----------------------------------------------------------------------------- issues


def listed_subsystems(
    snap: RepoSnapshot, number: int, min_confidence: float = MIN_SUBSYSTEM_CONFIDENCE
) -> tuple[str, ...]:
    """The subsystems shown for an issue: those at or above `min_confidence` (none: unclassified)."""
    rec = snap.subsystem_rec(number)
    if rec is None or not rec.names:
        return (UNCLASSIFIED,)
    out = [n for n, c in zip(rec.names, rec.confidences, strict=False) if c >= min_confidence]
    if rec.primary in out:  # the primary first
        out.insert(0, out.pop(out.index(rec.primary)))
    return tuple(dict.fromkeys(out)) or (UNCLASSIFIED,)


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
    found = evidence.get("counts")
    src: Mapping[str, Any] = found if isinstance(found, Mapping) else evidence
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
                     active_days: float = ACTIVE_DAYS, max_review_hours: float = MAX_REVIEW_HOURS,
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


def build_shortlist(
    snap: RepoSnapshot,
    subsystems: Sequence[str] = (),
    bench_links: Mapping[int, BenchLink] | None = None,
    n_issues: int = N_ISSUES,
    n_maintainers: int = N_MAINTAINERS,
) -> Shortlist:
    """Pure: the shortlist for a snapshot; `bench_links` maps issue numbers to their bench jobs."""
    bench_links = bench_links or {}
    safe, below = split_safe(candidates(snap, subsystems))
    cap = None if subsystems else 2
    picked = pick_issues(safe, n_issues, per_subsystem=cap)
    stretch = pick_issues(below, n_issues - len(picked), per_subsystem=cap) if len(picked) < n_issues else []
    issues = []
    for k, (issue, score, subs) in enumerate([*picked, *stretch]):
        sig = snap.signal(issue.number)
        item = ShortlistIssue(
            number=issue.number, url=issue.url or f"{snap.html_url}/issues/{issue.number}", title=issue.title,
            subsystems=subs, probability=score.probability, reasons=score.reasons, from_prior=score.from_prior,
            labels=issue.labels, last_maintainer_word=sig.last_maintainer_word if sig else "",
            acknowledged_by=sig.acknowledged_by if sig else (), bench_job=bench_links.get(issue.number))
        issues.append(stretch_issue(item) if k >= len(picked) else item)
    maintainers = pick_maintainers(snap, issues, n_maintainers)
    return Shortlist(repo=snap.repo, generated_at=snap.now, subsystem_filter=tuple(subsystems),
                     issues=tuple(issues), maintainers=tuple(maintainers),
                     notes=shortlist_notes(issues, subsystems, maintainers, n_issues, n_maintainers))


def split_safe(
    ranked: Sequence[tuple[IssueRec, GfiRec, tuple[str, ...]]],
    threshold: float = SAFE_PICK_PROBABILITY,
) -> tuple[list[tuple[IssueRec, GfiRec, tuple[str, ...]]], list[tuple[IssueRec, GfiRec, tuple[str, ...]]]]:
    """(safe first picks, the others), each in rank order: safe means a probability at or above `threshold`."""
    safe = [t for t in ranked if t[1].probability >= threshold]
    return safe, [t for t in ranked if t[1].probability < threshold]


def stretch_issue(issue: ShortlistIssue, threshold: float = SAFE_PICK_PROBABILITY) -> ShortlistIssue:
    """A pick below the threshold, marked and saying why it is shown at all."""
    why = (f"stretch pick: probability {issue.probability:.2f} is below the {threshold:.2f} safe-pick threshold; "
           "shown because too few issues reach it")
    return replace(issue, stretch=True, reasons=(why, *issue.reasons))


def shortlist_notes(
    issues: Sequence[ShortlistIssue],
    subsystems: Sequence[str],
    maintainers: Sequence[ShortlistMaintainer],
    n_issues: int = N_ISSUES,
    n_maintainers: int = N_MAINTAINERS,
) -> tuple[str, ...]:
    """What the reader should know about a short list."""
    notes = []
    n_safe = sum(1 for i in issues if not i.stretch)
    if n_safe < n_issues:
        notes.append(f"only {n_safe} issue(s) reach the safe-pick threshold (good-first-issue probability "
                     f"≥ {SAFE_PICK_PROBABILITY:.2f})"
                     + (f"; {len(issues) - n_safe} stretch pick(s) below it follow" if len(issues) > n_safe else ""))
    if len(issues) < n_issues:
        notes.append(f"only {len(issues)} open issue(s) are unclaimed, unblocked and scored"
                     + (f" in {', '.join(subsystems)}" if subsystems else ""))
    if any(i.from_prior for i in issues):
        notes.append("some probabilities come from the prior (too few labelled examples to train on)")
    if len(maintainers) < n_maintainers:
        notes.append(f"only {len(maintainers)} owner(s) known for these subsystems (run `scout classify`)")
    return tuple(notes)


def with_bench_links(sl: Shortlist, links: Mapping[int, BenchLink]) -> Shortlist:
    """The same shortlist with bench links filled in."""
    return replace(sl, issues=tuple(replace(i, bench_job=links.get(i.number, i.bench_job)) for i in sl.issues))


# ----------------------------------------------------------------------------- I/O


def canonical_filter(watch: WatchConfig, repo: str, subsystems: Sequence[str]) -> tuple[str, ...]:
    """The subsystem filter in the taxonomy's spelling (names or labels, and "unclassified"); an
    unknown one is an UnknownSubsystem naming the nearest ones."""
    tax = watch.taxonomy_for(repo)
    return tuple(UNCLASSIFIED if s.strip().lower() == UNCLASSIFIED else tax.require(s) for s in subsystems)


def _options_key(watch: WatchConfig, repo: str, wanted: Sequence[str], backend: str) -> str:
    """A digest of everything a shortlist depends on besides the database and the clock: the repo's
    config (bots, labels), its taxonomy, the bench config and backend, the filter and list sizes."""
    blob = {
        "repo": watch.repo(repo).model_dump(mode="json"),
        "taxonomy": watch.taxonomy_for(repo).model_dump(mode="json"),
        "bench": watch.bench.model_dump(mode="json"),
        "backend": backend,
        "subsystems": list(wanted),
        "sizes": [N_ISSUES, N_MAINTAINERS, ACTIVE_DAYS, MAX_REVIEW_HOURS, MIN_SUBSYSTEM_CONFIDENCE],
    }
    return hashlib.sha256(json.dumps(blob, sort_keys=True, default=str).encode()).hexdigest()[:32]


def inputs_state(session: Session, repo: str) -> dict[str, Any]:
    """What a shortlist of `repo` is computed from, in a few cheap aggregate queries: the stored
    issues and PRs (counts, open count, latest updates), the classification (latest computed_at
    of each judgement table, row counts) and the latest model versions. Equal states give equal
    shortlists (with the same options, at a time when no owner crossed the activity cutoff)."""
    from storage.models import (
        GoodFirstIssueScore,
        Issue,
        ModelVersion,
        OwnershipScore,
        PullRequest,
        SubsystemLabel,
        ThreadSignal,
    )

    r = repo_row(session, repo)

    def stamp(v: Any) -> str | None:  # an aggregate may come back as raw text or naive UTC on SQLite
        v = datetime.fromisoformat(v) if isinstance(v, str) else v
        if not isinstance(v, datetime):
            return None
        return (v.replace(tzinfo=UTC) if v.tzinfo is None else v.astimezone(UTC)).isoformat()

    state: dict[str, Any] = {"repo": r.full_name}
    # One aggregate per query, each answered from an index (combined, they scan the table).
    stored: tuple[tuple[str, type[Issue] | type[PullRequest], Any], ...] = (
        ("issues", Issue, Issue.state == "open"), ("pulls", PullRequest, None))
    for name, item, extra in stored:
        where = item.repo_id == r.id
        state[name] = [session.scalar(select(func.count()).select_from(item).where(where)),
                       session.scalar(select(func.count()).select_from(item).where(where, extra))
                       if extra is not None else None,
                       stamp(session.scalar(select(func.max(item.updated_at)).where(where)))]
    # A classification rewrites all ownership rows and the rows of what it recomputed, at its `now`.
    for name, model, at in (("subsystem_labels", SubsystemLabel, False), ("gfi_scores", GoodFirstIssueScore, True),
                            ("thread_signals", ThreadSignal, True), ("ownership_scores", OwnershipScore, True)):
        where = model.repo_id == r.id
        state[name] = [session.scalar(select(func.count()).select_from(model).where(where)),
                       stamp(session.scalar(select(func.max(model.computed_at)).where(where))) if at else None]
    latest: dict[str, str] = {}
    for name, version in session.execute(
            select(ModelVersion.name, ModelVersion.version).where(func.lower(ModelVersion.repo) == r.full_name.lower())
            .order_by(ModelVersion.created_at.desc(), ModelVersion.id.desc())):
        latest.setdefault(name, version)
    state["models"] = dict(sorted(latest.items()))
    return state


def store_shortlist(session: Session, watch: WatchConfig, sl: Shortlist, now: datetime, backend: str | None = None,
                    state: Mapping[str, Any] | None = None) -> None:
    """Keep `sl` in `shortlists` with what it was computed from (`state`: the `inputs_state` read
    before its snapshot), so that `stored_shortlist` can serve it again while nothing changed."""
    from storage.models import Shortlist as ShortlistRow

    rw = watch.repo(sl.repo)
    basis = {"state": dict(state or {}),
             "options": _options_key(watch, rw.name, sl.subsystem_filter, backend or watch.bench.default_backend),
             "probabilities": [i.probability for i in sl.issues]}
    session.add(ShortlistRow(repo=sl.repo, subsystems=list(sl.subsystem_filter), payload={**sl.to_dict(), BASIS: basis},
                             created_at=now))
    session.flush()


BASIS = "_basis"  # the stored payload's key for what the shortlist was computed from
RECENT_ROWS = 50  # stored shortlists looked at for one with the same filter


def stored_shortlist(session: Session, watch: WatchConfig, repo: str | None, now: datetime,
                     subsystems: Sequence[str] = (), backend: str | None = None) -> Shortlist | None:
    """The newest stored shortlist of `repo` with the same filter and options when it is still what
    `pipeline.refresh_shortlist` would compute now, else None. Its issues are served when nothing they were
    computed from changed since (stored issues and PRs, classification, model versions, config)
    and their bench jobs are still stored; the maintainers (who depend on the clock: active in
    the last ACTIVE_DAYS) are picked again as of now from the stored owners, the bench jobs show
    their current status, and the list is dated now."""
    from bench.jobs import view as job_view
    from storage.models import BenchJob
    from storage.models import Shortlist as ShortlistRow

    rw = watch.repo(repo)
    wanted = canonical_filter(watch, rw.name, subsystems)
    backend = backend or watch.bench.default_backend
    state = inputs_state(session, rw.name)
    rows = session.execute(select(ShortlistRow.id, ShortlistRow.subsystems, ShortlistRow.created_at)
                           .where(ShortlistRow.repo == state["repo"])
                           .order_by(ShortlistRow.created_at.desc(), ShortlistRow.id.desc()).limit(RECENT_ROWS)).all()
    pick = next((row.id for row in rows if list(row.subsystems or []) == list(wanted) and row.created_at <= now), None)
    if pick is None:
        return None
    payload = session.scalar(select(ShortlistRow.payload).where(ShortlistRow.id == pick)) or {}
    basis = payload.get(BASIS)
    if (not isinstance(basis, dict) or basis.get("state") != state
            or basis.get("options") != _options_key(watch, rw.name, wanted, backend)):
        return None
    sl = Shortlist.from_dict(payload)
    exact = basis.get("probabilities") or []
    if len(exact) != len(sl.issues):
        return None
    issues = tuple(replace(i, probability=float(p)) for i, p in zip(sl.issues, exact, strict=True))
    # The maintainers depend on the clock too (who was active in the last ACTIVE_DAYS): picked
    # again as of now from the owners of the issues' subsystems, as a fresh computation would.
    rid = repo_row(session, state["repo"]).id
    owners = load_owners(session, rid, {x for i in issues for x in i.subsystems if x != UNCLASSIFIED})
    snap = RepoSnapshot(repo=state["repo"], repo_id=rid, default_branch="", html_url="", now=now, since=now,
                        until=now, issues=(), pulls=(), reviews=(), actions=(), subsystems=(), gfi=(), signals=(),
                        owners=owners, chat=(), bots=frozenset(rw.bots))
    maintainers = tuple(pick_maintainers(snap, issues))
    sl = replace(sl, generated_at=now, issues=issues, maintainers=maintainers,
                 notes=shortlist_notes(issues, sl.subsystem_filter, maintainers))
    ids = [i.bench_job.id for i in sl.issues if i.bench_job is not None and i.bench_job.id is not None]
    jobs = {j.id: j for j in session.scalars(select(BenchJob).where(BenchJob.id.in_(ids)))} if ids else {}
    links: dict[int, BenchLink] = {}
    for i in sl.issues:
        if i.bench_job is None:
            continue
        job = jobs.get(i.bench_job.id) if i.bench_job.id is not None else None
        if job is None or (job.backend == "skypilot" and job.link and not Path(job.link).is_file()):
            return None  # gone, or its YAML file is (a fresh computation would write it again)
        links[i.number] = job_view(job).bench_link
    return with_bench_links(sl, links)


def latest_shortlist(session: Session, repo: str) -> dict[str, Any] | None:
    """The payload of the newest stored shortlist of `repo` (its `to_dict` form)."""
    from storage.models import Shortlist as ShortlistRow

    row = session.scalars(select(ShortlistRow).where(ShortlistRow.repo == repo)
                          .order_by(ShortlistRow.created_at.desc(), ShortlistRow.id.desc()).limit(1)).first()
    return {k: v for k, v in row.payload.items() if k != BASIS} if row is not None else None
