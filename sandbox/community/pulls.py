"""Pull-request threads: files under the subsystem's paths, title tags and description, CODEOWNERS
review requests, mergify labels, review rounds (mostly by the subsystem's owners) with inline
comments and replies, and the end: merged by a maintainer, closed, or still open."""

from __future__ import annotations

import random
import re
from typing import TYPE_CHECKING

from sandbox.community import text as T
from sandbox.community.model import FileChange, Item, Review, ReviewComment
from sandbox.community.paths import is_test_path
from sandbox.community.people import CONTRIBUTOR, MAINTAINER, NEWCOMER, Person
from sandbox.community.util import DAY, HOUR, MINUTE, delay, poisson, sha
from sandbox.community.vocab import NEW_MODELS

if TYPE_CHECKING:
    from sandbox.community.world import World

OUTCOME = {"window": (0.45, 0.07), "touched": (0.40, 0.12), "history": (0.72, 0.18)}  # (merged, closed)
FIRST_REVIEW = {MAINTAINER: 6 * HOUR, CONTRIBUTOR: 16 * HOUR, NEWCOMER: 36 * HOUR}


def _between(rnd: random.Random, lo: int, hi: int) -> int:
    return rnd.randint(lo, hi) if hi > lo else lo


def _files(w: World, rnd: random.Random, pr: Item) -> list[str]:
    sub = pr.text_sub
    code = w.code_of[sub]
    tests = w.tests_of[sub]
    chosen: list[str] = []
    if pr.kind == "test" and tests:
        chosen += rnd.sample(tests, min(len(tests), 1 + poisson(rnd, 0.6)))
    else:
        chosen += rnd.sample(code, min(len(code), 1 + poisson(rnd, 1.3)))
        if tests and rnd.random() < 0.6:
            chosen.append(rnd.choice(tests))
    if sub == "new-model" and pr.kind == "feature":  # a new architecture: a new model file plus the registry
        name = re.sub(r"[^a-z0-9]+", "_", rnd.choice(NEW_MODELS)[0].split("/")[-1].lower()).strip("_")
        for p in (
            f"vllm/model_executor/models/{name}.py",
            "vllm/model_executor/models/registry.py",
            "tests/models/registry.py",
        ):
            if w.matcher.subsystem(p) == sub:
                chosen.append(p)
    for s in pr.subs:  # a fix touches every subsystem of its issue
        if s != sub and w.pools.get(s):
            chosen.append(rnd.choice(w.pools[s]))
    if pr.role == "plain":
        if rnd.random() < 0.12:
            extra = "documentation" if "documentation" in w.active and rnd.random() < 0.35 else w.related_sub(rnd, sub)
            chosen.append(rnd.choice(w.pools[extra]))
    if w.neutral and rnd.random() < 0.2:
        chosen.append(rnd.choice(w.neutral))
    seen: set[str] = set()
    return [p for p in chosen if not (p in seen or seen.add(p))]  # type: ignore[func-returns-value]


def _patch(rnd: random.Random, ctx: T.Ctx, path: str, adds: int, dels: int) -> str:
    """The first hunk of the file's diff (GitHub sends the whole patch; one hunk keeps files small)."""
    start = rnd.randint(5, 600)
    func, v = rnd.choice(ctx.words.funcs), rnd.choice(T._VARS)
    d, a = min(dels, 4), min(adds, 8)
    minus = "".join(f"\n-    {v} = {func}({v}, {i})" for i in range(d))
    plus = "".join(f"\n+    {v} = self.{func}({v}, step={i})" for i in range(a))
    return (
        f"@@ -{start},{d + 2} +{start},{a + 2} @@ def {func}(self, {v}):\n     # context{minus}{plus}\n     return {v}"
    )


def _reviewer(w: World, rnd: random.Random, pr: Item, sub: str) -> Person:
    a = pr.author
    shadow = w.shadow.get(sub)
    if shadow is not None and shadow is not a and rnd.random() < 0.28:
        return shadow
    x = rnd.random()
    if x < 0.8:
        return w.owner(rnd, sub, exclude=a)
    if x < 0.88:
        other = w.related_sub(rnd, sub)
        return w.owner(rnd, other, exclude=a)
    c = w.contributor_for(rnd, sub)
    return c if c is not a else w.owner(rnd, sub, exclude=a)


def simulate(w: World, pr: Item) -> None:
    rnd = random.Random(f"{w.seed}:pull:{pr.idx}")
    sub = pr.text_sub
    a: Person = pr.author  # type: ignore[assignment]
    ctx = w.ctx(sub)
    paths = _files(w, rnd, pr)
    subs = w.matcher.subsystems(paths)
    if not subs:  # every PR touches at least one of its subsystem's files
        paths.insert(0, rnd.choice(w.pools[sub]))
        subs = w.matcher.subsystems(paths)
    pr.subs = tuple(subs)
    for p in paths:
        added = (rnd.random() < 0.12 and is_test_path(p)) or (
            sub == "new-model" and p.endswith(".py") and p not in w.pools[sub] and p not in w.neutral
        )
        adds = max(1, int(rnd.paretovariate(1.3) * 6))
        dels = 0 if added else int(rnd.paretovariate(1.5) * 3) - 2
        dels = max(0, dels)
        pr.files.append(
            FileChange(p, "added" if added else "modified", adds, dels, _patch(rnd, ctx, p, adds, dels), sha(rnd))
        )

    def tags_of(name: str) -> tuple[str, ...]:
        found = w.tax.get(name)
        return tuple(found.title_tags) if found else ()

    tags = tuple(dict.fromkeys(t for s in pr.subs for t in tags_of(s)))[:3] or ()
    own_tags = tuple(t for t in tags_of(sub) if "Failure" not in t and "Installation" not in t)
    fixes = pr.fixes
    pr.title = T.pr_title(rnd, pr.kind, ctx, own_tags or tags, fixes.title if fixes else None)
    refs: tuple[int, ...] = ()
    if pr.role == "plain" and rnd.random() < 0.1:
        m = w.any_ref(rnd, sub, pr.created, 0)
        refs = (m,) if m else ()
    tests = [f.path for f in pr.files if is_test_path(f.path)] or ctx.tests
    pr.body = T.pr_body(rnd, pr.kind, ctx, fixes.number if fixes else None, refs, tests, fixes.title if fixes else None)
    slug = re.sub(r"[^a-z0-9]+", "-", pr.title.split("] ")[-1].lower()).strip("-")[:40] or "patch"
    pr.head_ref = rnd.choice((slug, f"fix-{slug}", f"{a.login.lower()}/{slug}", f"dev/{slug}", f"{slug}-v2"))
    pr.base_sha = sha(rnd)
    commits = [sha(rnd)]

    # ---- outcome
    t0 = pr.created
    if pr.role == "fix":
        outcome = "merged"
    elif pr.role == "claim":
        outcome = "open"
    else:
        pm, pc = OUTCOME[pr.cls]
        x = rnd.random()
        outcome = "merged" if x < pm else "closed" if x < pm + pc else "open"
    if pr.cls == "touched" and outcome != "open":
        stop = _between(rnd, max(w.w0, t0 + HOUR), pr.end - 2 * MINUTE)
    elif outcome == "open":
        stop = (_between(rnd, w.w0, pr.end - 2 * MINUTE) if pr.cls == "touched"
                else min(pr.end - 2 * MINUTE, t0 + delay(rnd, 3 * DAY, 1.0)))
    else:
        stop = t0 + delay(rnd, (1.8 * DAY if outcome == "merged" else 4 * DAY) * w.sub_speed.get(sub, 1.0), 1.0)
        if stop >= pr.end - 2 * MINUTE:
            if pr.cls == "window" and pr.role != "fix":
                outcome, stop = "open", pr.end - 2 * MINUTE
            else:
                stop = _between(rnd, t0 + 30 * MINUTE, pr.end - 2 * MINUTE)
    stop = max(stop, t0 + 10 * MINUTE)
    draft0 = rnd.random() < 0.15

    # ---- opening: bot welcome, path labels, CODEOWNERS review requests
    w.comment(pr, t0 + rnd.randint(10, 90), w.bot_actions, T.PR_WELCOME)
    for s in pr.subs:
        w.add_label(pr, t0 + rnd.randint(20, 200), w.bot_mergify, w.label_of(s))
    declared = [o for o in w.owners.get(sub, []) + w.emeritus.get(sub, []) if o is not a]
    k = rnd.choices((0, 1, 2), weights=(0.1, 0.45, 0.45))[0]
    requested: list[Person] = []
    for o in rnd.sample(declared, min(k, len(declared))):
        if w.event(pr, t0 + rnd.randint(5, 60), a, "review_requested", reviewer=o):
            requested.append(o)
    if draft0 and outcome != "open":
        w.event(pr, _between(rnd, t0 + HOUR, stop - HOUR), a, "ready_for_review")
    pr.draft = draft0 and outcome == "open" and rnd.random() < 0.8

    # ---- reviews
    reviewed: set[int] = set()
    stalled = outcome == "open" and rnd.random() < min(
        0.6, (0.3 if a.kind == NEWCOMER else 0.14) * w.sub_speed.get(sub, 1.0)
    )
    approvers: list[Person] = []
    if not stalled:
        first = t0 + delay(rnd, FIRST_REVIEW.get(a.kind, 12 * HOUR) * w.sub_speed.get(sub, 1.0), 1.2)
        if first >= stop - 20 * MINUTE:
            first = t0 + int((stop - t0) * rnd.uniform(0.2, 0.6))
        rounds = 1 + poisson(rnd, 2.0 * w.scale.review_rate)
        lo = first
        if pr.cls == "touched":  # a long-running PR: most of its review rounds are the recent ones
            lo = max(first, w.w0) if rnd.random() < 0.7 else first
        times = sorted(_between(rnd, lo, stop - 15 * MINUTE) for _ in range(rounds))
        for i, t in enumerate(times):
            reviewer = _reviewer(w, rnd, pr, sub)
            final = outcome == "merged" and i == len(times) - 1
            if final:
                reviewer = w.owner(rnd, sub, exclude=a)
                state = "APPROVED"
            else:
                state = rnd.choices(("COMMENTED", "CHANGES_REQUESTED", "APPROVED"), weights=(0.6, 0.14, 0.26))[0]
                if reviewer.kind != MAINTAINER and state != "COMMENTED":
                    binding = reviewer is w.shadow.get(sub) and rnd.random() < 0.5
                    state = state if binding or rnd.random() < 0.1 else "COMMENTED"
            n_inline = 1 + poisson(rnd, 1.6 * w.scale.review_rate) if state != "APPROVED" else poisson(rnd, 0.25)
            body = rnd.choice(
                T.APPROVE_BODIES
                if state == "APPROVED"
                else T.CHANGES_BODIES
                if state == "CHANGES_REQUESTED"
                else T.COMMENT_BODIES
            )
            if state == "COMMENTED" and n_inline == 0 and not body:
                body = "Left a question."
            if t >= pr.end:
                continue
            rv = Review(t, reviewer, state, body, commits[-1])
            pr.reviews.append(rv)
            pr.touch(t)
            reviewed.add(reviewer.idx)
            if state == "APPROVED":
                approvers.append(reviewer)
            for _ in range(n_inline):
                f = rnd.choice(pr.files)
                line = rnd.randint(10, 800)
                rc = ReviewComment(
                    t,
                    reviewer,
                    f.path,
                    T.review_comment_body(rnd, ctx),
                    T.diff_hunk(rnd, ctx, f.path, line),
                    line,
                    commits[-1],
                )
                rc.review = rv
                rv.comments.append(rc)
                pr.rcomments.append(rc)
                if rnd.random() < 0.6:
                    tr = t + delay(rnd, 3 * HOUR, 1.0)
                    if tr < stop and tr < pr.end:
                        rr = Review(tr, a, "COMMENTED", "", commits[-1])
                        rep = ReviewComment(
                            tr, a, f.path, T.review_reply_body(rnd, commits[-1]), rc.hunk, line, commits[-1], rc
                        )
                        rep.review = rr
                        rr.comments.append(rep)
                        pr.reviews.append(rr)
                        pr.rcomments.append(rep)
                        pr.touch(tr)
            if state != "APPROVED" and n_inline and rnd.random() < 0.7:
                tp = t + delay(rnd, 6 * HOUR, 1.0)
                if tp < stop:
                    commits.append(sha(rnd))
                    if rnd.random() < 0.4:
                        w.event(pr, tp, a, "head_ref_force_pushed")
                    pr.touch(tp)
        for other in pr.subs:  # CODEOWNERS also asks the owners of every other area the PR touches
            if other == sub or other not in w.owners or rnd.random() > 0.7:
                continue
            o = w.owner(rnd, other, exclude=a)
            if o not in requested and w.event(pr, t0 + rnd.randint(5, 60), a, "review_requested", reviewer=o):
                requested.append(o)
            t2 = _between(rnd, first, stop - 5 * MINUTE)
            if t2 < pr.end:
                state = "APPROVED" if rnd.random() < 0.6 else "COMMENTED"
                pr.reviews.append(Review(t2, o, state, rnd.choice(T.APPROVE_BODIES) if state == "APPROVED" else
                                         f"The {other} part looks fine to me.", commits[-1]))
                reviewed.add(o.idx)
                pr.touch(t2)
        if outcome == "merged" and rnd.random() < 0.25:
            second = w.owner(rnd, sub, exclude=a)
            if second not in approvers:
                t2 = _between(rnd, first, stop - 5 * MINUTE)
                if t2 < pr.end:
                    pr.reviews.append(Review(t2, second, "APPROVED", rnd.choice(T.APPROVE_BODIES), commits[-1]))
                    approvers.append(second)

    # ---- conversation on the PR
    owner = w.owner(rnd, sub, exclude=a)
    for _ in range(poisson(rnd, 3.4)):
        t = _between(
            rnd, max(t0 + 5 * MINUTE, w.w0) if pr.cls == "touched" and rnd.random() < 0.6 else t0 + 5 * MINUTE, stop
        )
        x = rnd.random()
        if x < 0.4:
            w.comment(pr, t, a, T.pr_author_comment(rnd, [o.login for o in requested] or [owner.login],
                                                    rnd.choice(tests) if tests else "tests/"))
        elif x < 0.85:
            ref = w.any_ref(rnd, sub, t, pr.number) if rnd.random() < 0.3 else None
            w.comment(
                pr,
                t,
                owner if rnd.random() < 0.8 else rnd.choice(w.maintainers),
                T.pr_maintainer_comment(rnd, ctx, ref),
            )
        else:
            w.comment(
                pr,
                t,
                w.contributors.pick(rnd),
                rnd.choice(
                    ("Thanks for working on this!", "Tested locally, works for me.", "Would love to see this land.")
                ),
            )
    if rnd.random() < 0.12:
        t = _between(rnd, t0 + HOUR, stop - 10 * MINUTE)
        w.comment(pr, t, w.bot_mergify, T.MERGE_CONFLICT.format(author=a.login))
        w.add_label(pr, t, w.bot_mergify, "needs-rebase")
        if outcome == "merged" or rnd.random() < 0.6:
            t2 = _between(rnd, t + 10 * MINUTE, stop - 5 * MINUTE)
            commits.append(sha(rnd))
            w.remove_label(pr, t2, w.bot_mergify, "needs-rebase")

    # ---- the end
    pr.head_sha = commits[-1]
    if outcome == "merged":
        merger = a if a.kind == MAINTAINER and rnd.random() < 0.5 else (
            rnd.choice(w.leads) if w.leads and rnd.random() < 0.2 else w.owner(rnd, sub, exclude=a))
        if rnd.random() < 0.7:
            w.add_label(pr, max(t0 + 10 * MINUTE, stop - delay(rnd, 3 * HOUR)), owner, "ready")
        pr.merge_sha = sha(rnd)
        if w.event(pr, stop, merger, "merged", commit=pr.merge_sha):
            pr.merged, pr.merged_by = stop, merger
            w.close(pr, stop, merger)
            if rnd.random() < 0.5:
                w.event(pr, stop + rnd.randint(2, 30), a, "head_ref_deleted")
        else:  # pragma: no cover - the planner keeps merges inside the slice
            pr.merge_sha = None
    elif outcome == "closed":
        x = rnd.random()
        if x < 0.3:
            m = w.any_ref(rnd, sub, stop, pr.number)
            w.comment(
                pr,
                stop - rnd.randint(5, 300),
                owner,
                f"Closing in favor of #{m}." if m else "Closing, superseded by another fix.",
            )
            w.close(pr, stop, owner)
        elif x < 0.45 and stop - t0 > 60 * DAY:
            w.comment(pr, stop - 1, w.bot_actions, "This pull request has been automatically closed due to inactivity. "
                                                  "Please feel free to reopen if you intend to continue working on it.")
            w.close(pr, stop, w.bot_actions)
        else:
            w.close(pr, stop, a)
    else:
        if reviewed and rnd.random() < 0.3:
            w.add_label(pr, _between(rnd, t0 + HOUR, stop), owner, "ready")
        if pr.cls == "touched" and pr.updated < w.w0:
            w.comment(
                pr,
                _between(rnd, w.w0, pr.end - MINUTE),
                a,
                "Rebased on main. @" + owner.login + " could you take another look?",
            )
        if pr.draft and rnd.random() < 0.3:
            w.event(pr, _between(rnd, t0 + MINUTE, stop), a, "convert_to_draft")
    if outcome != "merged":
        pr.merge_sha = sha(rnd) if outcome == "open" else (sha(rnd) if rnd.random() < 0.5 else None)
    pr.requested = [o for o in requested if o.idx not in reviewed]
    pr.truth["outcome"] = outcome
