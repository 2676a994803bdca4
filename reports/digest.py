"""The daily digest: what happened by subsystem, who was active where, PRs landing fast and
stalling, new and rising good-first-issue candidates, the hottest chat threads, and the current
shortlist. `build_digest` is pure over a snapshot; `pipeline.publish_digest` does the I/O around it."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.clock import iso_z
from config.errors import ReportError
from reports.prflow import PrFlow, pr_flow
from reports.shortlist import Shortlist, claimed_by_pull, listed_subsystems
from rules.github import ACTIVITY_WEIGHTS, TRIAGE_EVENTS, has_write_access
from storage.read import UNCLASSIFIED, RepoSnapshot

log = logging.getLogger(__name__)

GFI_THRESHOLD = 0.5
RISE = 0.1
# What counts towards "active where", each kind weighed as its `rules.ACTIVITY_WEIGHTS` kind: a
# review body is review discussion, a comment by an owner or member an answer in a thread.
WEIGHTS = {kind: ACTIVITY_WEIGHTS[rule] for kind, rule in (
    ("approvals", "approvals"), ("changes_requested", "changes_requested"), ("merges", "merges"),
    ("reviews", "review_comments"), ("review_comments", "review_comments"), ("triage", "triage"),
    ("comments", "thread_answers"))}


@dataclass(frozen=True)
class SubsystemActivity:
    subsystem: str
    opened_issues: int = 0
    opened_pulls: int = 0
    merged_pulls: int = 0
    closed_issues: int = 0
    closed_pulls: int = 0  # closed without merging
    reviews: int = 0

    @property
    def total(self) -> int:
        return (self.opened_issues + self.opened_pulls + self.merged_pulls + self.closed_issues + self.closed_pulls
                + self.reviews)


@dataclass(frozen=True)
class ActivePerson:
    login: str
    weight: float
    counts: tuple[tuple[str, int], ...]  # (kind, n), kinds as in WEIGHTS, in that order
    owner: bool  # has an ownership score in this subsystem


@dataclass(frozen=True)
class ActiveSubsystem:
    subsystem: str
    people: tuple[ActivePerson, ...]


@dataclass(frozen=True)
class GfiCandidate:
    number: int
    title: str
    url: str
    subsystems: tuple[str, ...]
    probability: float
    reasons: tuple[str, ...]
    why: str  # "new", "rising" or "top"
    previous: float | None
    claimed: bool
    claimed_by: tuple[str, ...]
    blocked: bool
    blockers: tuple[str, ...]


@dataclass(frozen=True)
class ChatIssue:
    number: int
    title: str
    state: str
    url: str


@dataclass(frozen=True)
class ChatThread:
    channel_id: int
    name: str
    parent: str | None
    messages: int
    authors: int
    url: str
    issues: tuple[ChatIssue, ...]


@dataclass(frozen=True)
class Newcomer:
    """Someone whose first PR in the repo was opened in the window (the digest welcomes them)."""

    login: str
    number: int
    title: str
    url: str


@dataclass(frozen=True)
class Digest:
    repo: str
    day: str
    since: datetime
    until: datetime
    activity: tuple[SubsystemActivity, ...]
    totals: SubsystemActivity
    active: tuple[ActiveSubsystem, ...]
    flow: PrFlow
    gfi: tuple[GfiCandidate, ...]
    chat: tuple[ChatThread, ...]
    shortlist: Shortlist | None = None
    chart_path: str | None = None
    gfi_scores: Mapping[str, float] = field(default_factory=dict, hash=False)  # for "rising" tomorrow
    newcomers: tuple[Newcomer, ...] = ()
    shortlist_changed: bool = True  # False: the same issues and maintainers as the previous day's digest

    def to_dict(self) -> dict[str, Any]:
        return _plain({
            "repo": self.repo, "day": self.day, "since": self.since, "until": self.until,
            "activity": self.activity, "totals": self.totals, "active": self.active, "flow": self.flow,
            "gfi": self.gfi, "chat": self.chat,
            "shortlist": self.shortlist.to_dict() if self.shortlist else None,
            "chart_path": self.chart_path, "gfi_scores": dict(self.gfi_scores),
            "newcomers": self.newcomers, "shortlist_changed": self.shortlist_changed,
        })


def _plain(v: Any) -> Any:
    """Dataclasses, tuples and datetimes as JSON-ready values (keys kept in field order)."""
    from dataclasses import fields, is_dataclass

    if is_dataclass(v) and not isinstance(v, type):
        if hasattr(v, "to_dict") and not isinstance(v, Digest):
            return v.to_dict()
        return {f.name: _plain(getattr(v, f.name)) for f in fields(v)}
    if isinstance(v, datetime):
        return iso_z(v)
    if isinstance(v, Mapping):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    if isinstance(v, float):
        return round(v, 4)
    return v


# ----------------------------------------------------------------------------- sections


def activity(snap: RepoSnapshot) -> tuple[tuple[SubsystemActivity, ...], SubsystemActivity]:
    """New, merged and closed issues/PRs and reviews in the window, by primary subsystem."""
    since, until = snap.since, snap.until
    c: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def inside(t: datetime | None) -> bool:
        return t is not None and since <= t < until

    pulls = {p.number: p for p in snap.pulls}
    for i in snap.issues:
        sub = snap.primary_of(i.number)
        if i.is_pull:
            p = pulls.get(i.number)
            if inside(i.created_at):
                c[sub]["opened_pulls"] += 1
            if p is not None and inside(p.merged_at):
                c[sub]["merged_pulls"] += 1
            elif i.state == "closed" and inside(i.closed_at):
                c[sub]["closed_pulls"] += 1
        else:
            if inside(i.created_at):
                c[sub]["opened_issues"] += 1
            if i.state == "closed" and inside(i.closed_at):
                c[sub]["closed_issues"] += 1
    for r in snap.reviews:
        if inside(r.at) and not r.is_bot:
            c[snap.primary_of(r.number)]["reviews"] += 1
    rows = [SubsystemActivity(sub, **dict(v)) for sub, v in c.items()]
    rows = [r for r in rows if r.total]
    rows.sort(key=lambda r: (-r.total, r.subsystem == UNCLASSIFIED, r.subsystem))
    keys = ("opened_issues", "opened_pulls", "merged_pulls", "closed_issues", "closed_pulls", "reviews")
    totals = SubsystemActivity("all", **{k: sum(getattr(r, k) for r in rows) for k in keys})
    return tuple(rows), totals


def active_people(snap: RepoSnapshot, per_subsystem: int = 3, max_subsystems: int = 8,
                  top_owners: int = 3) -> tuple[ActiveSubsystem, ...]:
    """Per active subsystem, the people doing maintainer work there in the window (reviews,
    merges, triage; comments only from owners and members), most weighted first."""
    since, until = snap.since, snap.until
    authors = {i.number: i.author for i in snap.issues}
    counts: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    # "Owner" = among the subsystem's top scored owners (everyone active there has some score).
    owners_by_sub = {(o.subsystem, o.login) for sub in {x.subsystem for x in snap.owners}
                     for o in snap.owners_of(sub)[:top_owners]}
    any_owner = {o.login for o in snap.owners}

    def add(number: int, login: str | None, kind: str) -> None:
        if not login or snap.is_bot(login):
            return
        counts[snap.primary_of(number)][login][kind] += 1

    for r in snap.reviews:
        if since <= r.at < until and not r.is_bot and r.login != authors.get(r.number):
            kind = {"APPROVED": "approvals", "CHANGES_REQUESTED": "changes_requested"}.get(r.detail, "reviews")
            add(r.number, r.login, kind)
    for a in snap.actions:
        if not (since <= a.at < until) or a.is_bot or a.login == authors.get(a.number):
            continue
        if a.kind == "review_comment":
            add(a.number, a.login, "review_comments")
        elif a.kind == "event" and a.detail in TRIAGE_EVENTS:
            add(a.number, a.login, "triage")
        elif a.kind == "comment" and (has_write_access(a.detail) or a.login in any_owner):
            add(a.number, a.login, "comments")
    for p in snap.pulls:
        if p.merged_at is not None and since <= p.merged_at < until and p.merged_by and p.merged_by != p.author:
            add(p.number, p.merged_by, "merges")

    out = []
    for sub, people in counts.items():
        rows = []
        for login, kinds in people.items():
            if set(kinds) == {"comments"} and (sub, login) not in owners_by_sub:
                continue
            weight = sum(WEIGHTS[k] * n for k, n in kinds.items())
            rows.append(ActivePerson(login=login, weight=round(weight, 2),
                                     counts=tuple((k, kinds[k]) for k in WEIGHTS if kinds.get(k)),
                                     owner=(sub, login) in owners_by_sub))
        rows.sort(key=lambda p: (-p.weight, p.login))
        if rows:
            out.append(ActiveSubsystem(sub, tuple(rows[:per_subsystem])))
    out.sort(key=lambda s: (-sum(p.weight for p in s.people), s.subsystem))
    return tuple(out[:max_subsystems])


def gfi_candidates(snap: RepoSnapshot, previous: Mapping[int, float] | None = None, limit: int = 8,
                   threshold: float = GFI_THRESHOLD) -> tuple[GfiCandidate, ...]:
    """New (opened in the window) and rising (up by RISE since the last digest, or newly over the
    threshold) candidates, flagged when claimed or blocked; topped up with the best clean ones."""
    previous = previous or {}
    in_flight = claimed_by_pull(snap)
    picked: dict[int, GfiCandidate] = {}
    open_issues = [i for i in snap.issues if not i.is_pull and i.state == "open" and not i.author_is_bot]
    scored = [(i, g) for i in open_issues if (g := snap.gfi_of(i.number)) is not None]
    scored.sort(key=lambda t: (-round(t[1].probability, 6), t[0].number))

    def make(i: Any, g: Any, why: str) -> GfiCandidate:
        sig = snap.signal(i.number)
        claimed_by = tuple(sig.claimed_by) if sig else ()
        claimed = bool(sig and sig.claimed) or bool(i.assignees) or i.number in in_flight
        if not claimed_by and i.assignees:
            claimed_by = i.assignees
        if not claimed_by and i.number in in_flight:
            claimed_by = (f"PR #{in_flight[i.number]}",)
        return GfiCandidate(
            number=i.number, title=i.title, url=i.url or f"{snap.html_url}/issues/{i.number}",
            subsystems=listed_subsystems(snap, i.number), probability=g.probability, reasons=g.reasons, why=why,
            previous=previous.get(i.number), claimed=claimed, claimed_by=claimed_by,
            blocked=bool(sig and sig.blocked), blockers=tuple(sig.blockers) if sig else ())

    for i, g in scored:
        if g.probability < threshold:
            continue
        prev = previous.get(i.number)
        if snap.since <= i.created_at < snap.until:
            picked[i.number] = make(i, g, "new")
        elif previous and (prev is None or prev < threshold or g.probability - prev >= RISE):
            picked[i.number] = make(i, g, "rising")
    for i, g in scored:
        if len(picked) >= limit:
            break
        if i.number not in picked:
            c = make(i, g, "top")
            if not (c.claimed or c.blocked):
                picked[i.number] = c
    order = {"new": 0, "rising": 1, "top": 2}
    out = sorted(picked.values(), key=lambda c: (order[c.why], -round(c.probability, 6), c.number))
    return tuple(out[:limit])


def chat_threads(snap: RepoSnapshot, limit: int = 5) -> tuple[ChatThread, ...]:
    """The busiest channels/threads of the window (two messages or more) and the issues they mention."""
    out = []
    for t in snap.chat:
        if t.messages < 2:
            continue
        issues = []
        for n in t.issue_numbers:
            i = snap.issue(n)
            issues.append(ChatIssue(n, i.title if i else "", i.state if i else "unknown",
                                    (i.url if i and i.url else f"{snap.html_url}/issues/{n}")))
        url = f"https://discord.com/channels/{t.guild_id}/{t.channel_id}" if t.guild_id else ""
        out.append(ChatThread(t.channel_id, t.name, t.parent_name, t.messages, t.authors, url, tuple(issues)))
        if len(out) >= limit:
            break
    return tuple(out)


def newcomers(snap: RepoSnapshot) -> tuple[Newcomer, ...]:
    """Authors (not bots) whose first PR in the repo was opened in the window, oldest first."""
    from reports.prflow import first_time_authors

    first = first_time_authors(snap)
    seen: set[str] = set()
    out = []
    for p in sorted(snap.pulls, key=lambda p: (p.created_at, p.number)):
        if (p.author and not p.author_is_bot and p.author not in snap.bots and first.get(p.number)
                and snap.since <= p.created_at < snap.until and p.author not in seen):
            seen.add(p.author)
            out.append(Newcomer(p.author, p.number, p.title, p.url))
    return tuple(out)


def shortlist_key(shortlist: Mapping[str, Any] | None) -> tuple[tuple[int, ...], tuple[str, ...]] | None:
    """What makes a shortlist news: its issues and maintainers (scores and times move daily)."""
    if not shortlist:
        return None
    return (tuple(int(i["number"]) for i in shortlist.get("issues") or ()),
            tuple(str(m["login"]) for m in shortlist.get("maintainers") or ()))


def build_digest(snap: RepoSnapshot, day: str, previous_gfi: Mapping[int, float] | None = None,
                 shortlist: Shortlist | None = None, stall_days: float = 3.0,
                 chart_path: str | None = None, previous_shortlist: Mapping[str, Any] | None = None) -> Digest:
    """Pure: the digest of a snapshot's window. `previous_shortlist` is the last day's (its
    `to_dict` form): the same issues and maintainers again is no news (`shortlist_changed`)."""
    rows, totals = activity(snap)
    scores = {str(g.number): round(g.probability, 4) for g in snap.gfi
              if (i := snap.issue(g.number)) is not None and i.state == "open"}
    return Digest(repo=snap.repo, day=day, since=snap.since, until=snap.until, activity=rows, totals=totals,
                  active=active_people(snap), flow=pr_flow(snap, stall_days), gfi=gfi_candidates(snap, previous_gfi),
                  chat=chat_threads(snap), shortlist=shortlist, chart_path=chart_path, gfi_scores=scores,
                  newcomers=newcomers(snap),
                  shortlist_changed=(shortlist is None or previous_shortlist is None
                                     or shortlist_key(shortlist.to_dict()) != shortlist_key(previous_shortlist)))


# ----------------------------------------------------------------------------- I/O


def digest_window(now: datetime, tz: str, day: date | None = None, days: int = 1) -> tuple[datetime, datetime, str]:
    """(since, until, local day): `days` whole local days ending with `day` (clipped at now), or
    the `days` days before now when no day is given."""
    if days < 1:
        raise ReportError("--days must be at least 1")
    zone = ZoneInfo(tz)
    if day is None:
        return now - timedelta(days=days), now, now.astimezone(zone).date().isoformat()
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(now.tzinfo)
    start = datetime.combine(day - timedelta(days=days - 1), time(0), tzinfo=zone).astimezone(now.tzinfo)
    if start >= now:
        raise ReportError(f"{day.isoformat()} has not begun yet (now is {iso_z(now)})")
    return start, min(end, now), day.isoformat()


def previous_payload(session: Session, repo: str, before_day: str) -> dict[str, Any]:
    """The payload of the latest stored digest of an earlier day ({} when there is none)."""
    from storage.models import Digest as DigestRow

    row = session.scalars(select(DigestRow).where(DigestRow.repo == repo, DigestRow.day < before_day)
                          .order_by(DigestRow.day.desc(), DigestRow.id.desc()).limit(1)).first()
    return dict(row.payload or {}) if row is not None else {}


def previous_scores(session: Session, repo: str, before_day: str) -> dict[int, float]:
    """GFI probabilities recorded by the latest stored digest of an earlier day."""
    raw = previous_payload(session, repo, before_day).get("gfi_scores") or {}
    return {int(k): float(v) for k, v in raw.items() if str(k).isdigit() and isinstance(v, int | float)}


def store_digest(session: Session, d: Digest, markdown: str, now: datetime) -> int:
    """Keep a digest in `digests` (payload, its Markdown, the chart's path); returns the row id."""
    from storage.models import Digest as DigestRow

    row = DigestRow(repo=d.repo, day=d.day, payload=d.to_dict(), markdown=markdown, chart_path=d.chart_path,
                    created_at=now, message_ids=[])
    session.add(row)
    session.flush()
    return row.id
