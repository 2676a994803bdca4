"""PR flow: how fast PRs get a first review and land, per subsystem, size and author history;
and which PRs stall now, with the owners who could unblock them. Pure functions of a snapshot."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from storage.read import UNCLASSIFIED, RepoSnapshot
from storage.records import ActionRec, PullRec

# Size buckets on additions + deletions (the usual XS..XL PR-size labels).
SIZE_BUCKETS: tuple[tuple[str, int], ...] = (("XS", 10), ("S", 50), ("M", 250), ("L", 1000), ("XL", math.inf))  # type: ignore[assignment]
REVIEW_STATES = frozenset({"APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED"})
FIRST_TIME_ASSOC = frozenset({"FIRST_TIME_CONTRIBUTOR", "FIRST_TIMER"})


@dataclass(frozen=True)
class LatencyStats:
    """Hours: count, median and 90th percentile (None when there is nothing to measure)."""

    n: int
    median_hours: float | None
    p90_hours: float | None


@dataclass(frozen=True)
class FlowGroup:
    key: str
    first_review: LatencyStats
    merge: LatencyStats


@dataclass(frozen=True)
class PullBrief:
    number: int
    title: str
    url: str
    author: str | None
    subsystems: tuple[str, ...]
    size: int
    hours_to_first_review: float | None
    hours_to_merge: float | None


@dataclass(frozen=True)
class StalledPull:
    number: int
    title: str
    url: str
    author: str | None
    subsystems: tuple[str, ...]
    waiting_on: str  # "review" (none yet), "author" (changes requested, no answer), "reviewer" (answered, no re-review)
    idle_days: float
    age_days: float
    owners: tuple[str, ...]  # who could review it


@dataclass(frozen=True)
class PrFlow:
    since: datetime
    until: datetime
    stall_days: float
    overall: FlowGroup
    by_subsystem: tuple[FlowGroup, ...]
    by_size: tuple[FlowGroup, ...]
    by_author: tuple[FlowGroup, ...]  # "first-time" / "returning"
    fast: tuple[PullBrief, ...]
    stalling: tuple[StalledPull, ...]  # the `stall_limit` most recently stalled
    stalling_total: int = 0


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100); None for no values."""
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def latency(values: Iterable[float]) -> LatencyStats:
    xs = list(values)
    med, p90 = percentile(xs, 50), percentile(xs, 90)
    return LatencyStats(len(xs), None if med is None else round(med, 2), None if p90 is None else round(p90, 2))


def size_bucket(size: int) -> str:
    for name, upper in SIZE_BUCKETS:
        if size < upper:
            return name
    return SIZE_BUCKETS[-1][0]


def _hours(a: datetime, b: datetime) -> float:
    return (b - a).total_seconds() / 3600.0


def first_reviews(snap: RepoSnapshot) -> dict[int, datetime]:
    """When each PR got its first review from someone other than its author (bots do not count)."""
    authors = {p.number: p.author for p in snap.pulls}
    first: dict[int, datetime] = {}
    for r in snap.reviews:
        if r.is_bot or snap.is_bot(r.login) or r.login == authors.get(r.number) or r.detail not in REVIEW_STATES:
            continue
        if r.number not in first or r.at < first[r.number]:
            first[r.number] = r.at
    return first


def first_time_authors(snap: RepoSnapshot) -> dict[int, bool]:
    """Whether each PR is its author's first in the repo (by stored history; the author association
    FIRST_TIME_CONTRIBUTOR also counts, for authors whose earlier PRs we never stored). A loaded
    snapshot knows the first PRs over the whole history (`first_pulls`), as it reads only the PRs
    in view; a hand-made one is judged by its own PRs."""
    if snap.first_pulls is not None:
        return {p.number: (p.author is None or p.number in snap.first_pulls
                           or p.author_association in FIRST_TIME_ASSOC) for p in snap.pulls}
    seen: set[str] = set()
    out: dict[int, bool] = {}
    for p in sorted(snap.pulls, key=lambda p: (p.created_at, p.number)):
        first = p.author not in seen or p.author_association in FIRST_TIME_ASSOC
        if p.author:
            seen.add(p.author)
        out[p.number] = first
    return out


def _group(key: str, pulls: Iterable[PullRec], first: dict[int, datetime], since: datetime,
           until: datetime) -> FlowGroup:
    ttfr, ttm = [], []
    for p in pulls:
        fr = first.get(p.number)
        if fr is not None and since <= fr < until:
            ttfr.append(_hours(p.created_at, fr))
        if p.merged_at is not None and since <= p.merged_at < until:
            ttm.append(_hours(p.created_at, p.merged_at))
    return FlowGroup(key, latency(ttfr), latency(ttm))


def reviewers_for(snap: RepoSnapshot, subsystems: Sequence[str], exclude: Iterable[str | None] = (),
                  top: int = 3) -> tuple[str, ...]:
    """The best-scored owners over `subsystems` (in order), skipping `exclude` and bots."""
    skip = {x for x in exclude if x}
    out: list[str] = []
    for sub in subsystems:
        for o in snap.owners_of(sub):
            if o.login in skip or o.login in out or snap.is_bot(o.login):
                continue
            out.append(o.login)
            break
    if len(out) < top:
        pool = sorted({o for sub in subsystems for o in snap.owners_of(sub)}, key=lambda o: (-o.score, o.login))
        for o in pool:
            if len(out) >= top:
                break
            if o.login not in skip and o.login not in out and not snap.is_bot(o.login):
                out.append(o.login)
    return tuple(out[:top])


def stalling_pulls(snap: RepoSnapshot, stall_days: float = 3.0, limit: int | None = None,
                   owners_for: int | None = None) -> tuple[StalledPull, ...]:
    """Open, non-draft PRs waiting `stall_days` or more: on a first review, on the author after a
    change request, or on the reviewer after the author answered. Most recently stalled first
    (the ones still worth a nudge; months-old ones are usually abandoned). Only the first
    `owners_for` (None: all) get their possible reviewers looked up; the rest carry none."""
    now = snap.now
    by_pull: dict[int, list[ActionRec]] = defaultdict(list)
    for a in (*snap.reviews, *snap.actions):
        if a.at <= now:
            by_pull[a.number].append(a)
    out: list[StalledPull] = []
    for p in snap.pulls:
        if p.state != "open" or p.draft or p.author_is_bot or p.created_at > now:
            continue
        acts = sorted(by_pull.get(p.number, []), key=lambda a: (a.at, a.login))
        reviews = [a for a in acts if a.kind == "review" and a.login != p.author and not a.is_bot
                   and a.detail in REVIEW_STATES]
        if not reviews:
            idle_since, waiting = p.created_at, "review"
        else:
            last_change = max((a for a in reviews if a.detail == "CHANGES_REQUESTED"), key=lambda a: a.at, default=None)
            if last_change is None or any(a.detail == "APPROVED" and a.at > last_change.at for a in reviews):
                continue  # reviewed, nothing outstanding from a reviewer
            answers = [a for a in acts if a.login == p.author and a.at > last_change.at]
            if not answers:
                idle_since, waiting = last_change.at, "author"
            else:
                later = [a for a in reviews if a.at > answers[-1].at]
                if later:
                    continue
                idle_since, waiting = answers[-1].at, "reviewer"
        idle = (now - idle_since).total_seconds() / 86400.0
        if idle < stall_days:
            continue
        subs = snap.subsystems_of(p.number) or (UNCLASSIFIED,)
        out.append(StalledPull(
            number=p.number, title=p.title, url=p.url, author=p.author, subsystems=subs, waiting_on=waiting,
            idle_days=round(idle, 1), age_days=round((now - p.created_at).total_seconds() / 86400.0, 1),
            owners=()))
    out.sort(key=lambda s: (s.idle_days, s.number))
    if limit is not None:
        out = out[:limit]
    n = len(out) if owners_for is None else min(owners_for, len(out))
    out[:n] = [replace(s, owners=reviewers_for(snap, s.subsystems, exclude=[s.author])) for s in out[:n]]
    return tuple(out)


def pr_flow(snap: RepoSnapshot, stall_days: float = 3.0, fast_limit: int = 5, stall_limit: int = 15) -> PrFlow:
    """PR flow over the snapshot's window: first review and merge latency (median, p90) by
    subsystem (primary), size bucket and first-time vs returning author; the fastest merges; the
    PRs stalling now."""
    since, until = snap.since, snap.until
    first = first_reviews(snap)
    human = [p for p in snap.pulls if not p.author_is_bot]
    by_sub: dict[str, list[PullRec]] = defaultdict(list)
    by_size: dict[str, list[PullRec]] = defaultdict(list)
    by_author: dict[str, list[PullRec]] = defaultdict(list)
    newcomer = first_time_authors(snap)
    for p in human:
        by_sub[snap.primary_of(p.number)].append(p)
        by_size[size_bucket(p.size)].append(p)
        by_author["first-time" if newcomer.get(p.number) else "returning"].append(p)

    def groups(d: dict[str, list[PullRec]], order: Sequence[str] | None = None) -> tuple[FlowGroup, ...]:
        keys = [k for k in order if k in d] if order else sorted(d)
        gs = [_group(k, d[k], first, since, until) for k in keys]
        return tuple(g for g in gs if g.first_review.n or g.merge.n)

    stalled = stalling_pulls(snap, stall_days, owners_for=stall_limit)  # owners only for the ones shown
    merged = [p for p in human if p.merged_at is not None and since <= p.merged_at < until]
    merged.sort(key=lambda p: (p.merged_at - p.created_at, p.number))  # type: ignore[operator]
    fast = tuple(
        PullBrief(number=p.number, title=p.title, url=p.url, author=p.author,
                  subsystems=snap.subsystems_of(p.number) or (UNCLASSIFIED,), size=p.size,
                  hours_to_first_review=round(_hours(p.created_at, first[p.number]), 2) if p.number in first else None,
                  hours_to_merge=round(_hours(p.created_at, p.merged_at), 2))  # type: ignore[arg-type]
        for p in merged[:fast_limit])
    return PrFlow(
        since=since, until=until, stall_days=stall_days, overall=_group("all", human, first, since, until),
        by_subsystem=groups(by_sub), by_size=groups(by_size, [b for b, _ in SIZE_BUCKETS]),
        by_author=groups(by_author, ["first-time", "returning"]), fast=fast,
        stalling=stalled[:stall_limit], stalling_total=len(stalled))


def window(now: datetime, days: float) -> tuple[datetime, datetime]:
    return now - timedelta(days=days), now
