"""Who really owns each subsystem: a recency-weighted score of what people do there, with evidence.

Each action on an item counts for the item's subsystems (asserted guesses, times their
confidence; a review comment counts for the subsystem of the file it is on when that is known):

    approvals, changes requested   WEIGHTS["approvals"] = WEIGHTS["changes_requested"] = 4
    review comments, review bodies WEIGHTS["review_comments"] = 2   (once per person per PR: a
                                                                    review thread is one unit of work,
                                                                    however many comments it has)
    merges                         WEIGHTS["merges"] = 1.5   (`mergedBy`, or the `merged` event's actor)
    review requests                WEIGHTS["review_requests"] = 1   (`review_requested` events, or the
                                                                    PR's pending requested reviewers:
                                                                    authors and CODEOWNERS ask owners)
    triage (label, assign, close   WEIGHTS["triage"] = 1   (others' issues only)
      others' issues)
    answers in issue/PR threads    WEIGHTS["thread_answers"] = 0.5 (not in one's own thread)
    answers in the subsystem's     WEIGHTS["chat_answers"] = 0.3   (linked chat identities only:
      chat channels                                                 ChatUser.github_login)
    answers in its Slack channels  WEIGHTS["slack_answers"] = 0.3, WEIGHTS["forum_answers"] = 0.4
      and Discourse categories                                      (linked profiles; chat_evidence)
    authored PRs (merged or open)  WEIGHTS["authored"] = 1     (code owners write much of their
                                                                    area's code; closed unmerged PRs
                                                                    do not count)

An approval or change request only counts as such from someone with write access (review
`author_association` OWNER, MEMBER or COLLABORATOR: GitHub's branch protection ignores other
approvals); from anyone else it counts as a unit of review comments. Data without associations
(all NONE, as in converted archives) is taken at face value.

A person's score in a subsystem is then multiplied by `share ** FOCUS` (share: the part of their
whole weighted activity that falls in this subsystem; FOCUS = 0.5, a geometric blend of volume
and focus), so a maintainer of another area who reviewed one PR here ranks after the people who
work here mostly. Evidence carries `share`.

GitHub lets only people with write access be code owners, so when associations are known, the
score of someone never seen with write access is multiplied by `NO_WRITE_ACCESS` (they still
appear, after the committers). Data without associations (converted archives) uses
`maintainer_set`'s core responders as the stand-in for write access. Evidence carries
`write_access`.

An action `d` days before `now` weighs `0.5 ** (d / half_life_days)`. Bots, and people with
fewer than `min_actions` actions in the whole repo (one-off commenters), are left out. Declared
owners come from CODEOWNERS (RepoFile); `declared` marks them, and `rules.ownership.declared_inactive` lists
declared owners who are inactive and active people who are not declared.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from classifiers.chat_evidence import answers_by_subsystem
from classifiers.codeowners import declared_by_subsystem, parse_codeowners
from classifiers.subsystem import THRESHOLD, Guess, Rules
from config.watch import Taxonomy
from rules.github import ACTIVITY_WEIGHTS, MAINTAINER_ASSOCIATIONS, TRIAGE_EVENTS
from storage.history import RepoData
from storage.records import CommentRec, PullRec, ReviewCommentRec, ReviewRec

WEIGHTS: Mapping[str, float] = ACTIVITY_WEIGHTS
KINDS = tuple(WEIGHTS)
_ZERO_COUNTS = dict.fromkeys(KINDS, 0)
NO_WRITE_ACCESS = 0.25
FOCUS = 0.5
REVIEW_COMMENT_UNITS = 1.0  # a PR's review comments by one person count as this many units


@dataclass(slots=True)
class Standing:
    """One person's standing in one subsystem (mutable while accumulating)."""

    login: str
    subsystem: str
    score: float = 0.0
    counts: dict[str, int] = field(default_factory=lambda: _ZERO_COUNTS.copy())
    last_active: datetime | None = None
    first_review_hours: list[float] = field(default_factory=list)
    items: set[int] = field(default_factory=set)
    declared: bool = False
    write_access: bool | None = None
    share: float = 0.0  # this subsystem's part of the person's whole (weighted) activity

    def evidence(self) -> dict[str, object]:
        """The OwnershipScore.evidence dict (see storage.models.judgement)."""
        ev: dict[str, object] = dict(self.counts)
        ev["last_active"] = self.last_active.strftime("%Y-%m-%dT%H:%M:%SZ") if self.last_active else None
        ev["median_first_review_hours"] = (round(statistics.median(self.first_review_hours), 1)
                                           if self.first_review_hours else None)
        ev["items"] = len(self.items)
        ev["examples"] = sorted(self.items)[-3:]
        ev["declared"] = self.declared
        ev["write_access"] = self.write_access
        ev["share"] = round(self.share, 3)
        return ev


@dataclass
class OwnershipResult:
    by_subsystem: dict[str, list[Standing]]  # best first
    declared: dict[str, list[str]]
    maintainers: set[str]


def _asserted(guesses: Sequence[Guess]) -> list[tuple[str, float]]:
    return [(g.name, g.confidence) for i, g in enumerate(guesses) if i == 0 or g.confidence >= THRESHOLD]


def authored(pull: PullRec) -> bool:
    """A PR that counts as its author's work in the area: merged, or still open (not abandoned)."""
    return bool(pull.author) and (pull.merged_at is not None or pull.state == "open")


def activity_counts(data: RepoData) -> dict[str, int]:
    """Actions per person over the whole repo (to leave out one-off participants)."""
    n: dict[str, int] = defaultdict(int)
    for reviews in data.reviews.values():
        for r in reviews:
            if r.author:
                n[r.author] += 1
    for review_comments in data.review_comments.values():
        for rc in review_comments:
            if rc.author:
                n[rc.author] += 1
    for comments in data.comments.values():
        for c in comments:
            if c.author:
                n[c.author] += 1
    for p in data.pulls.values():
        if p.merged_by:
            n[p.merged_by] += 1
        if authored(p) and p.author:
            n[p.author] += 1
    for events in data.events.values():
        for e in events:
            if e.actor and e.event in TRIAGE_EVENTS:
                n[e.actor] += 1
    for m in data.chat:
        if m.github_login:
            n[m.github_login] += 1
    for a in data.chat_answers:
        n[a.login] += 1
    return n


def compute(data: RepoData, taxonomy: Taxonomy, labels: Mapping[int, Sequence[Guess]], now: datetime,
            half_life_days: float = 90.0, min_actions: int = 2) -> OwnershipResult:
    """Score every (person, subsystem) from stored activity; pure over `data` and `labels`."""
    rules = Rules(taxonomy)
    activity = activity_counts(data)
    standing: dict[tuple[str, str], Standing] = {}

    eligible = {login for login, n in activity.items() if n >= min_actions and not data.is_bot(login)}
    now_ts = now.timestamp()
    per_day = 1.0 / 86400.0

    def credit(login: str | None, subs: Sequence[tuple[str, float]], kind: str, when: datetime | None,
               number: int, count: int = 1, weight_count: float | None = None) -> None:
        if not subs or login not in eligible or when is None:
            return
        age = max(0.0, (now_ts - when.timestamp()) * per_day)
        d = 0.5 ** (age / half_life_days) if half_life_days > 0 else 1.0
        w = WEIGHTS[kind] * (weight_count if weight_count is not None else count) * d
        for sub, conf in subs:
            st = standing.get((login, sub))
            if st is None:
                st = standing[(login, sub)] = Standing(login, sub)
            st.score += w * conf
            st.counts[kind] += count
            st.items.add(number)
            if when is not None and (st.last_active is None or when > st.last_active):
                st.last_active = when

    issue_subs = {n: _asserted(g) for n, g in labels.items()}
    known_assoc = any(r.author_association not in ("NONE", "") for lst in data.reviews.values() for r in lst)

    # Reviews, review comments, merges on pull requests.
    for number, pull in data.pulls.items():
        subs = issue_subs.get(number, [])
        first_review: dict[str, datetime] = {}
        # One unit of review work per person, PR and subsystem: COMMENTED review bodies and
        # review comments (each comment's file says which subsystem it is about).
        per_person: dict[tuple[str, str | None], list[datetime]] = defaultdict(list)
        for r in data.reviews.get(number, []):
            if r.author == pull.author or not r.author:
                continue
            if r.submitted_at is not None:
                first_review[r.author] = min(first_review.get(r.author, r.submitted_at), r.submitted_at)
            kind = {"APPROVED": "approvals", "CHANGES_REQUESTED": "changes_requested"}.get(r.state)
            binding = not known_assoc or r.author_association in MAINTAINER_ASSOCIATIONS
            if kind and binding:
                credit(r.author, subs, kind, r.submitted_at, number)
            elif (kind or (r.state == "COMMENTED" and r.body.strip())) and r.submitted_at is not None:
                per_person[(r.author, None)].append(r.submitted_at)
        for rc in data.review_comments.get(number, []):
            if rc.author == pull.author or not rc.author:
                continue
            sub = rules.paths.match(rc.path) if rc.path else None
            per_person[(rc.author, str(sub) if sub else None)].append(rc.created_at)
            first_review[rc.author] = min(first_review.get(rc.author, rc.created_at), rc.created_at)
        for (login, sub), times in per_person.items():
            target = [(sub, 1.0)] if sub else subs
            credit(login, target, "review_comments", max(times), number, count=len(times),
                   weight_count=REVIEW_COMMENT_UNITS)
        if pull.merged_by and pull.merged_at:
            credit(pull.merged_by, subs, "merges", pull.merged_at, number)
        asked = {e.reviewer: e.created_at for e in data.events.get(number, ())
                 if e.event == "review_requested" and e.reviewer and e.reviewer != pull.author}
        for login in pull.requested_reviewers:
            if login != pull.author:
                asked.setdefault(login, pull.created_at)
        for login, when in asked.items():
            credit(login, subs, "review_requests", when, number)
        if authored(pull):
            credit(pull.author, subs, "authored", pull.merged_at or pull.created_at, number)
        for login, when in first_review.items():
            for sub, _ in subs:
                st = standing.get((login, sub))
                if st is not None:
                    st.first_review_hours.append(max(0.0, (when - pull.created_at).total_seconds() / 3600.0))

    # Thread answers (issue and PR conversations) and triage events.
    for number, comments in data.comments.items():
        rec = data.issues.get(number)
        if rec is None:
            continue
        subs = issue_subs.get(number, [])
        seen: set[str] = set()
        for c in comments:
            if c.author and c.author != rec.author and c.author not in seen:
                seen.add(c.author)
                credit(c.author, subs, "thread_answers", c.created_at, number)
    for number, events in data.events.items():
        rec = data.issues.get(number)
        if rec is None:
            continue
        subs = issue_subs.get(number, [])
        for e in events:
            if e.event in TRIAGE_EVENTS and e.actor and e.actor != rec.author:
                credit(e.actor, subs, "triage", e.created_at, number)

    # Chat answers in the subsystems' channels (replies to someone else, linked identities only).
    channel_sub = {ch.lower().lstrip("#"): s.name for s in taxonomy.subsystems for ch in s.channels}
    author_of = {m.id: m.author_id for m in data.chat}
    first_in_channel: dict[str, int] = {}
    for m in data.chat:
        first_in_channel.setdefault(m.channel, m.author_id)
    for m in data.chat:
        sub = channel_sub.get((m.parent or "").lower()) or channel_sub.get(m.channel.lower())
        if sub is None or m.bot or not m.github_login:
            continue
        replying = (m.reply_to is not None and author_of.get(m.reply_to) not in (None, m.author_id)) or (
            m.parent is not None and first_in_channel.get(m.channel) != m.author_id)
        if replying:
            credit(m.github_login, [(sub, 1.0)], "chat_answers", m.timestamp, 0)

    # Answers in Slack channels and Discourse categories of a subsystem (their own weights).
    for answer, sub in answers_by_subsystem(data.chat_answers, taxonomy):
        credit(answer.login, [(sub, 1.0)], answer.kind, answer.at, 0)

    totals: dict[str, float] = defaultdict(float)
    for st in standing.values():
        totals[st.login] += st.score
    for st in standing.values():
        st.share = st.score / totals[st.login] if totals[st.login] > 0 else 0.0
        st.score *= st.share ** FOCUS
    access = write_access(data)
    if access is None:  # no associations (converted archives): the core responders stand in
        core = maintainer_set(data)
        access = {st.login: st.login in core for st in standing.values()}
    for st in standing.values():
        if access is not None:
            st.write_access = access.get(st.login)  # None: never seen with an association (events only)
            if st.write_access is False:
                st.score *= NO_WRITE_ACCESS

    declared: dict[str, list[str]] = {}
    if data.codeowners:
        declared = declared_by_subsystem(parse_codeowners(data.codeowners), rules.paths)
    for (login, sub), st in standing.items():
        st.declared = login in declared.get(sub, ())
        st.items.discard(0)

    by_sub: dict[str, list[Standing]] = defaultdict(list)
    for st in standing.values():
        by_sub[st.subsystem].append(st)
    for sub in by_sub:
        by_sub[sub].sort(key=lambda s: (-s.score, s.login))
    return OwnershipResult(dict(by_sub), declared, maintainer_set(data))


def write_access(data: RepoData) -> dict[str, bool] | None:
    """Login -> seen with write access (latest association OWNER/MEMBER/COLLABORATOR); None when the
    data carries no associations at all."""
    latest: dict[str, tuple[datetime, str]] = {}

    def see(login: str | None, assoc: str, when: datetime | None) -> None:
        if login and when is not None and (login not in latest or when >= latest[login][0]):
            latest[login] = (when, assoc)

    for rec in data.issues.values():
        see(rec.author, rec.author_association, rec.created_at)
    for comments in data.comments.values():
        for c in comments:
            see(c.author, c.author_association, c.created_at)
    for reviews in data.reviews.values():
        for r in reviews:
            see(r.author, r.author_association, r.submitted_at)
    for review_comments in data.review_comments.values():
        for rc in review_comments:
            see(rc.author, rc.author_association, rc.created_at)
    if all(assoc in ("NONE", "") for _, assoc in latest.values()):
        return None
    out = {login: assoc in MAINTAINER_ASSOCIATIONS for login, (_, assoc) in latest.items()}
    for p in data.pulls.values():
        if p.merged_by:
            out[p.merged_by] = True  # merging needs write access
    return out


def maintainer_set(data: RepoData) -> set[str]:
    """People whose word counts in a thread: members/owners/collaborators by association, those who
    merged PRs or gave two or more binding reviews (approve / request changes), and declared owners.
    Data without author associations (converted archives) adds the core responders: people who
    answered in at least max(4, 1 % of all threads) other people's threads."""
    memo = data.memo.get("maintainers")
    if memo is not None:
        return set(cast(frozenset[str], memo))
    out: set[str] = set()
    known = write_access(data) is not None
    for rec in data.issues.values():
        if rec.author and rec.author_association in MAINTAINER_ASSOCIATIONS:
            out.add(rec.author)
    binding: dict[str, int] = defaultdict(int)
    for reviews in data.reviews.values():
        for r in reviews:
            if r.author and r.author_association in MAINTAINER_ASSOCIATIONS:
                out.add(r.author)
            if r.author and r.state in ("APPROVED", "CHANGES_REQUESTED") and (
                    not known or r.author_association in MAINTAINER_ASSOCIATIONS):
                binding[r.author] += 1
    said: list[Sequence[CommentRec | ReviewCommentRec]] = [*data.comments.values(), *data.review_comments.values()]
    for comments_or_notes in said:
        for c in comments_or_notes:
            if c.author and c.author_association in MAINTAINER_ASSOCIATIONS:
                out.add(c.author)
    out.update(login for login, n in binding.items() if n >= 2)
    out.update(p.merged_by for p in data.pulls.values() if p.merged_by)
    if data.codeowners:
        for rule in parse_codeowners(data.codeowners):
            out.update(o for o in rule.owners if "/" not in o and "@" not in o)
    if not known:
        threads: dict[str, set[int]] = defaultdict(set)
        answered: list[Sequence[CommentRec | ReviewCommentRec | ReviewRec]] = [
            *data.comments.values(), *data.review_comments.values(), *data.reviews.values()]
        for items in answered:
            for said_item in items:
                thread = data.issues.get(said_item.number)
                if said_item.author and thread is not None and said_item.author != thread.author:
                    threads[said_item.author].add(said_item.number)
        need = max(4, math.ceil(0.01 * len(data.issues)))
        out.update(login for login, nums in threads.items() if len(nums) >= need)
    result = {m for m in out if not data.is_bot(m)}
    data.memo["maintainers"] = frozenset(result)
    return result


def ranked(result: OwnershipResult, subsystem: str, top: int) -> list[Standing]:
    return result.by_subsystem.get(subsystem, [])[:top]
