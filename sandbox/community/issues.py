"""Issue threads: the template text, triage, discussion, and the planted scenario (good first
issue with a maintainer's word, claims, blockers and their look-alikes, fixes, stale closes)."""

from __future__ import annotations

import random
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from sandbox.community import phrases as P
from sandbox.community import text as T
from sandbox.community.model import Item
from sandbox.community.people import Person
from sandbox.community.util import DAY, HOUR, MINUTE, delay, poisson

if TYPE_CHECKING:
    from sandbox.community.world import World

MEAN_COMMENTS = {"bug": 9.0, "feature": 5.0, "usage": 4.5, "rfc": 11.0, "performance": 7.0, "installation": 5.0,
                 "new_model": 6.0, "doc": 3.0, "ci_failure": 4.0, "misc": 4.0}
VENDORS = {"rocm": "AMD", "nvidia": "NVIDIA", "tpu": "Google", "cpu": "Intel"}



def _truth_time(it: Item, key: str, default: int) -> int:
    """A time (epoch seconds) the plan recorded in `it.truth`, or `default`."""
    value = it.truth.get(key, default)
    if not isinstance(value, int | float):
        raise TypeError(f"truth[{key!r}] of #{it.number} is not a time: {value!r}")
    return int(value)

def _ctx(w: World, it: Item) -> T.Ctx:
    extra = next((s for s in it.subs if s != it.text_sub), None)
    return w.ctx(it.text_sub, extra)


def write_text(w: World, it: Item) -> None:
    rnd = random.Random(f"{w.seed}:issue-text:{it.idx}")
    style = "normal"
    if it.role in ("gfi", "gfi_closed", "easy_neg") or it.truth.get("easy"):
        style = "easy" if rnd.random() < 0.85 else "normal"
    it.title, it.body = T.issue_title_body(rnd, it.kind, _ctx(w, it), style)
    if it.body and rnd.random() < 0.04:
        it.body = it.body.replace("\n\n### ", "\n\n### ", 1)


def _fmt(rnd: random.Random, ctx: T.Ctx, s: str, who: str = "", m: int | None = None, vendor: str = "NVIDIA") -> str:
    return s.format(file=rnd.choice(ctx.files), func=rnd.choice(ctx.words.funcs), flag=rnd.choice(ctx.words.flags),
                    test=rnd.choice(ctx.tests) if ctx.tests else "tests/", who=who, m=m, vendor=vendor,
                    thing=rnd.choice(ctx.words.things), sub=ctx.sub_name)


def _between(rnd: random.Random, lo: int, hi: int) -> int:
    return rnd.randint(lo, hi) if hi > lo else lo


def simulate(w: World, it: Item) -> None:
    rnd = random.Random(f"{w.seed}:issue:{it.idx}")
    ctx = _ctx(w, it)
    sub = it.text_sub
    a: Person = it.author  # type: ignore[assignment]
    c0 = it.created
    planned_open = bool(it.truth.get("open"))
    owner = w.owner(rnd, sub, exclude=a)

    # When the thread goes quiet (the last planned activity).
    if it.cls == "touched":
        last = _between(rnd, w.w0, it.end - MINUTE)
    elif it.cls == "window":
        last = min(it.end - MINUTE, c0 + delay(rnd, 2.5 * DAY, 1.1))
    else:
        last = min(it.end - MINUTE, c0 + delay(rnd, 6 * DAY, 1.0))
    fix = it.fixed_by
    close_t = None
    if not planned_open:
        if fix is not None and fix.merged is not None:
            close_t = fix.merged + rnd.randint(2, 40)
        else:
            close_t = min(last, it.end - MINUTE)
        last = max(last, close_t)
    last = min(last, it.end - MINUTE)

    # Creation: the template's label, applied by the author's form submission.
    w.add_label(it, c0, a, T.TEMPLATES[it.kind][1])
    if rnd.random() < 0.04 and (it.role == "plain"):
        w.event(it, c0 + delay(rnd, 2 * HOUR), owner, "renamed", rename=(it.title.split(": ", 1)[-1], it.title))

    # Triage: an owner (or the autolabel workflow) adds the subsystem labels.
    if rnd.random() < (0.75 if it.role in ("gfi", "gfi_closed") else 0.6):
        t = c0 + delay(rnd, 6 * HOUR, 1.2)
        bot_label = sub in VENDORS and rnd.random() < 0.6
        for s in it.subs:
            w.add_label(it, min(t, last) if not bot_label else c0 + rnd.randint(5, 60),
                        w.bot_actions if bot_label else owner, w.label_of(s))

    _discussion(w, rnd, it, ctx, a, owner, c0, last, close_t)
    if it.role in ("gfi", "gfi_closed"):
        _good_first_issue(w, rnd, it, ctx, owner, c0, last)
    elif it.role == "easy_neg":
        _looks_easy(w, rnd, it, ctx, owner, c0, last)
    elif it.role == "plain" and planned_open and rnd.random() < 0.03:
        w.add_label(it, _between(rnd, c0 + HOUR, last), owner, "help wanted")  # wanted, but not beginner material
    elif it.role == "plain" and planned_open and rnd.random() < 0.06:
        if w.comment(it, _between(rnd, c0 + HOUR, last), owner, noisy(rnd, _fmt(rnd, ctx, rnd.choice(P.ACK)), 0.1)):
            it.truth["ack"] = True
    if it.claim_kind and not _claim(w, rnd, it, ctx, owner, c0, last):
        it.claim_kind = ""
    if it.block_kind and not _block(w, rnd, it, ctx, owner, c0, last):
        it.block_kind = ""
    if rnd.random() < 0.12:
        m = w.any_ref(rnd, sub, last, it.number)
        if m:
            w.comment(it, _between(rnd, c0 + HOUR, last), rnd.choice((owner, a, w.users.pick(rnd))),
                      _fmt(rnd, ctx, rnd.choice(P.NOT_BLOCK), m=m))
    if planned_open and not it.claim_kind and rnd.random() < 0.06:
        w.comment(it, _between(rnd, c0 + HOUR, last), w.users.pick(rnd), noisy(rnd, rnd.choice(P.NOT_CLAIM)))

    if not planned_open:
        _close(w, rnd, it, ctx, owner, close_t)  # type: ignore[arg-type]
    else:
        _maybe_stale(w, rnd, it, c0, last)
        if it.role == "plain" and not it.claim_kind and not it.block_kind and rnd.random() < 0.02:
            t = _between(rnd, c0 + HOUR, last - HOUR)
            w.close(it, t, owner, "completed")
            w.comment(it, t + rnd.randint(HOUR, DAY), a, "Still happening on the latest release, reopening.")
            w.reopen(it, t + rnd.randint(HOUR, DAY) + 5, a)
    if it.cls == "touched" and it.updated < w.w0:
        t = _between(rnd, w.w0, it.end - MINUTE)
        if it.state == "open":
            w.comment(
                it,
                t,
                rnd.choice((a, w.users.pick(rnd))),
                rnd.choice(
                    ("Any update on this?", "Still seeing this on the latest nightly.", "+1, hitting this as well.")
                ),
            )
        else:
            w.comment(it, t, w.users.pick(rnd), T.bystander_comment(rnd, ctx))
    it.truth["open"] = it.state == "open"


def _discussion(w: World, rnd: random.Random, it: Item, ctx: T.Ctx, a: Person, owner: Person, c0: int, last: int,
                close_t: int | None) -> None:
    mean = MEAN_COMMENTS.get(it.kind, 4.0)
    if it.role in ("gfi", "gfi_closed", "easy_neg"):
        mean = 1.5
    elif it.cls == "history":
        mean *= 0.8
    n = poisson(rnd, rnd.gammavariate(0.8, 1.3 * mean / 0.8))
    n_recent = poisson(rnd, 5.0) if it.cls == "touched" else 0
    stop = close_t if close_t is not None else last
    if n and rnd.random() < 0.7 and it.kind not in ("feature", "rfc", "misc", "doc", "usage") and it.role not in (
            "gfi", "gfi_closed", "easy_neg"):
        t = min(c0 + delay(rnd, 8 * HOUR, 1.3), stop)
        cc = w.owner(rnd, it.text_sub, exclude=owner) if rnd.random() < 0.3 else None
        ref = w.any_ref(rnd, it.text_sub, c0, it.number) if rnd.random() < 0.2 else None
        w.comment(it, t, owner, T.triage_comment(rnd, ctx, cc.login if cc else None, ref))
        n -= 1
    times = sorted([_between(rnd, c0 + 5 * MINUTE, stop) for _ in range(n)]
                   + [_between(rnd, max(w.w0, c0), stop) for _ in range(n_recent)])
    said: set[str] = set()

    def say(t: int, who: Person, make: Callable[[], str]) -> None:
        for _ in range(3):
            body = make()
            if body not in said:
                break
        said.add(body)
        w.comment(it, t, who, body)

    chatty = it.kind in ("feature", "rfc", "misc", "doc") or it.role in ("gfi", "gfi_closed", "easy_neg")
    for t in times:
        x = rnd.random()
        if chatty:
            ref = w.any_ref(rnd, it.text_sub, t, it.number) if rnd.random() < 0.1 else None
            if x < 0.3:
                say(t, a, lambda: T.feature_comment(rnd, ctx, "author"))
            elif x < 0.55:
                say(t, owner if rnd.random() < 0.7 else rnd.choice(w.maintainers),
                    partial(T.feature_comment, rnd, ctx, "maintainer", ref))
            else:
                say(t, w.users.pick(rnd) if rnd.random() < 0.8 else w.contributor_for(rnd, it.text_sub),
                    lambda: T.feature_comment(rnd, ctx, "user"))
        elif it.kind == "usage":
            if x < 0.35:
                say(t, a, lambda: T.usage_comment(rnd, ctx, "author"))
            elif x < 0.7:
                say(t, owner if rnd.random() < 0.6 else w.contributor_for(rnd, it.text_sub),
                    lambda: T.usage_comment(rnd, ctx, "maintainer"))
            else:
                say(t, w.users.pick(rnd), lambda: T.usage_comment(rnd, ctx, "user"))
        elif x < 0.33:
            say(t, a, lambda: T.reporter_followup(rnd, ctx))
        elif x < 0.55:
            say(
                t,
                owner if rnd.random() < 0.7 else rnd.choice(w.maintainers),
                lambda: T.triage_comment(rnd, ctx, None, None),
            )
        elif x < 0.9:
            say(t, w.users.pick(rnd), lambda: T.bystander_comment(rnd, ctx))
        else:
            say(t, w.contributor_for(rnd, it.text_sub), lambda: T.triage_comment(rnd, ctx, None, None))


def _good_first_issue(w: World, rnd: random.Random, it: Item, ctx: T.Ctx, owner: Person, c0: int, last: int) -> None:
    if it.cls == "touched" and rnd.random() < 0.5:
        t_label = _between(rnd, w.w0, last)  # a rising candidate: labelled this week
    else:
        t_label = min(c0 + delay(rnd, 10 * HOUR, 1.0), last)
    t_label = min(t_label, it.end - 2 * HOUR)
    if it.fixed_by is not None:  # labelled before someone picked it up
        t_label = min(t_label, it.fixed_by.created - HOUR)
    t_label = max(c0 + MINUTE, t_label)
    labeler = it.author if it.author is not None and it.author in w.owners.get(it.text_sub, ()) else owner
    w.add_label(it, t_label, labeler, "good first issue")
    if rnd.random() < 0.35:
        w.add_label(it, t_label + rnd.randint(1, 30), labeler, "help wanted")
    if rnd.random() < 0.75 and w.comment(
        it, t_label + rnd.randint(5, 3 * HOUR), owner, noisy(rnd, _fmt(rnd, ctx, rnd.choice(P.ACK)), 0.1)
    ):
        it.truth["ack"] = True
    it.truth["gfi_label_t"] = t_label
    if rnd.random() < 0.2:
        w.comment(
            it,
            _between(rnd, t_label, last),
            w.newcomer(),
            rnd.choice(
                (
                    "Hi, I'm new to vLLM. Is this suitable for a beginner, or does it need deep engine knowledge?",
                    "Could someone point me to where the tests for this live? Just trying to understand the code.",
                    "Is there a doc on setting up a dev environment for this?",
                )
            ),
        )
    if rnd.random() < 0.15:
        w.comment(it, _between(rnd, t_label, last), w.users.pick(rnd), rnd.choice(P.NOT_CLAIM))


def _looks_easy(w: World, rnd: random.Random, it: Item, ctx: T.Ctx, owner: Person, c0: int, last: int) -> None:
    x = rnd.random()
    t = min(c0 + delay(rnd, 12 * HOUR, 1.0), last)
    if x < 0.45:
        w.comment(it, t, owner, _fmt(rnd, ctx, rnd.choice(P.NOT_EASY)))
    elif x < 0.65:
        w.comment(it, t, owner, T.triage_comment(rnd, ctx, None, None))
    if rnd.random() < 0.2:
        w.comment(it, _between(rnd, c0, last), w.users.pick(rnd), _fmt(rnd, ctx, rnd.choice(P.NOT_ACK)))


def noisy(rnd: random.Random, text: str, p: float = 0.15) -> str:
    """People type fast: sometimes all lower case, no final stop, or one transposed letter pair."""
    if rnd.random() >= p or "`" in text or "#" in text:
        return text
    x = rnd.random()
    if x < 0.35:
        return text.lower()
    if x < 0.6:
        return text.rstrip(".!")
    words = text.split(" ")
    long_words = [i for i, wd in enumerate(words) if len(wd) > 4 and wd.isalpha()]
    if not long_words:
        return text
    i = rnd.choice(long_words)
    wd = words[i]
    k = rnd.randrange(1, len(wd) - 2)
    words[i] = wd[:k] + wd[k + 1] + wd[k] + wd[k + 2:]
    return " ".join(words)


def _claim_text(rnd: random.Random, ctx: T.Ctx, owner: Person) -> str:
    if rnd.random() < 0.05:
        return rnd.choice(P.CLAIM_OTHER_LANGUAGE)
    phrase = noisy(rnd, _fmt(rnd, ctx, rnd.choice(P.CLAIM)))
    prefix = (
        "" if phrase.lower().startswith(("hi", "hey", "hello")) else rnd.choice(P.CLAIM_PREFIX).format(who=owner.login)
    )
    return (prefix + phrase + rnd.choice(P.CLAIM_SUFFIX)).strip()


def _window_floor(w: World, latest: int) -> int:
    """Without the history slice only the window's comments and events are written: a planted
    claim or blocker said before the window would be lost while truth.json still lists it."""
    return min(w.w0 + MINUTE, latest) if w.window_only else 0


def _claim(w: World, rnd: random.Random, it: Item, ctx: T.Ctx, owner: Person, c0: int, last: int) -> bool:
    """Plant a claim (or a claim taken back); False when nothing could be placed in the slice."""
    kind = it.claim_kind
    claimant: Person = it.truth.get("claimant") or (
        w.newcomer() if rnd.random() < 0.65 else w.contributor_for(rnd, it.text_sub)
    )  # type: ignore[assignment]
    it.truth["claimant"] = claimant
    latest = it.end - (3 * DAY if kind == "released" else 30 * MINUTE)
    lo = min(_truth_time(it, "gfi_label_t", c0 + HOUR) + MINUTE, latest)
    lo = max(lo, c0 + 5 * MINUTE, _window_floor(w, latest))
    pr = it.truth.get("claim_pr")
    hi = pr.created - 10 * MINUTE if isinstance(pr, Item) else max(last, lo)
    t = _between(rnd, lo, max(lo, min(hi, latest)))
    if kind == "released":
        done = w.comment(it, t, claimant, _claim_text(rnd, ctx, owner)) is not None
        assigned = rnd.random() < 0.5
        if assigned:
            w.assign(it, t + rnd.randint(MINUTE, 6 * HOUR), owner, claimant)
        t2 = _between(rnd, t + DAY, max(t + DAY, it.end - HOUR))
        done = done and w.comment(it, t2, claimant, rnd.choice(P.CLAIM_RELEASE)) is not None
        if assigned:
            w.unassign(it, t2 + rnd.randint(5, 600), claimant, claimant)
        return done and claimant not in it.assignees
    done = isinstance(pr, Item)
    if kind in ("comment", "comment+assign", "comment+pr"):
        done = (w.comment(it, t, claimant, _claim_text(rnd, ctx, owner)) is not None) or done
        if rnd.random() < (0.7 if kind == "comment+assign" else 0.45):
            w.comment(it, t + delay(rnd, 4 * HOUR), owner, _fmt(rnd, ctx, rnd.choice(P.CLAIM_ACK), who=claimant.login))
        if kind == "comment+assign":
            w.assign(it, min(t + delay(rnd, 5 * HOUR), it.end - 5 * MINUTE), owner, claimant)
        if kind == "comment+pr" and isinstance(pr, Item) and rnd.random() < 0.5:
            w.comment(
                it,
                pr.created + rnd.randint(MINUTE, 2 * HOUR),
                claimant,
                rnd.choice(
                    (f"Opened #{pr.number}", f"PR is up: #{pr.number}", f"Draft PR: #{pr.number}, feedback welcome.")
                ),
            )
    elif kind == "assign":
        if rnd.random() < 0.6:
            w.comment(
                it,
                t,
                owner,
                rnd.choice(
                    (
                        f"@{claimant.login} is working on this.",
                        f"Assigning to @{claimant.login}.",
                        f"@{claimant.login} has a fix in progress, assigning.",
                    )
                ),
            )
        w.assign(it, t + rnd.randint(5, 300), owner, claimant)
        done = done or claimant in it.assignees
    return done


def _block(w: World, rnd: random.Random, it: Item, ctx: T.Ctx, owner: Person, c0: int, last: int) -> bool:
    """Plant a blocker (or one that was lifted); False when nothing could be placed in the slice."""
    kind = it.block_kind
    latest = it.end - (3 * DAY if kind == "unblocked" else 30 * MINUTE)
    first = max(min(c0 + HOUR, latest), _window_floor(w, latest))
    t = _between(rnd, first, max(first, min(last, latest)))
    sayer = owner if rnd.random() < 0.7 else (it.author or owner)
    if kind in ("ref", "body"):
        m = w.open_ref(rnd, it.text_sub, t, it.number)
        if m is None:
            kind = "upstream"
        elif kind == "body":
            it.body += "\n\n" + rnd.choice((f"Note: this depends on #{m}, so it can only be done after that lands.",
                                            f"Blocked by #{m}.", f"This needs #{m} to be merged first."))
            it.refs.append(m)
            return True
        else:
            it.refs.append(m)
            return w.comment(it, t, sayer, _fmt(rnd, ctx, rnd.choice(P.BLOCK_REF), m=m)) is not None
    if kind == "v1":
        return w.comment(it, t, owner, noisy(rnd, _fmt(rnd, ctx, rnd.choice(P.BLOCK_V1)))) is not None
    if kind == "vendor":
        return (
            w.comment(
                it, t, owner, _fmt(rnd, ctx, rnd.choice(P.BLOCK_VENDOR), vendor=VENDORS.get(it.text_sub, "NVIDIA"))
            )
            is not None
        )
    if kind == "upstream":
        return w.comment(it, t, owner, noisy(rnd, _fmt(rnd, ctx, rnd.choice(P.BLOCK_UPSTREAM)))) is not None
    if kind == "unblocked":
        m = w.merged_ref(rnd, it.text_sub, it.end - HOUR)
        merged_at = w.by_number[m].merged if m else None
        tb = _between(rnd, c0 + HOUR, (merged_at or last) - HOUR) if merged_at and merged_at > c0 + 2 * HOUR else t
        tb = max(tb, _window_floor(w, latest))
        if m and merged_at and merged_at > tb and merged_at < it.end - 2 * HOUR:
            a = w.comment(it, tb, owner, _fmt(rnd, ctx, rnd.choice(P.BLOCK_REF), m=m))
            b = w.comment(it, min(merged_at + delay(rnd, 8 * HOUR), it.end - 5 * MINUTE), owner,
                          _fmt(rnd, ctx, rnd.choice(P.UNBLOCK), m=m))
        else:
            a = w.comment(it, tb, owner, noisy(rnd, _fmt(rnd, ctx, rnd.choice(P.BLOCK_UPSTREAM))))
            b = w.comment(
                it, _between(rnd, tb + DAY, it.end - HOUR), owner, "The blocker is resolved; feel free to go ahead."
            )
        return (a is None) == (b is None)  # both said (a lifted blocker), or neither (nothing planted)
    return False


def _close(w: World, rnd: random.Random, it: Item, ctx: T.Ctx, owner: Person, t: int) -> None:
    fix = it.fixed_by
    if fix is not None and fix.merged is not None:
        if rnd.random() < 0.5:
            w.event(it, fix.created + rnd.randint(60, 3 * HOUR), fix.author, "referenced", commit=fix.head_sha)  # type: ignore[arg-type]
        w.close(it, t, fix.merged_by, "completed", commit=fix.merge_sha)  # type: ignore[arg-type]
        if rnd.random() < 0.3:
            w.comment(it, t + rnd.randint(MINUTE, 2 * HOUR), owner, T.fixed_comment(rnd, fix.number))
        if it.role in ("gfi_closed", "newcomer_fixed"):
            _history_claim(w, rnd, it, ctx, owner, fix)
        return
    x = rnd.random()
    if it.kind == "usage" and x < 0.6:
        w.comment(it, t - rnd.randint(MINUTE, HOUR), it.author, T.closing_comment(rnd, "answered", None))  # type: ignore[arg-type]
        w.close(it, t, it.author, "completed")  # type: ignore[arg-type]
    elif x < 0.25:
        m = w.any_ref(rnd, it.text_sub, it.created, it.number)
        w.comment(it, t - rnd.randint(5, 600), owner, T.closing_comment(rnd, "duplicate", m))
        w.close(it, t, owner, "duplicate" if m else "not_planned")
    elif x < 0.5 and t - it.created > 100 * DAY:
        ts = max(it.created + 90 * DAY, t - 30 * DAY)
        if ts < t:
            w.add_label(it, ts, w.bot_actions, "stale")
            w.comment(it, ts + 1, w.bot_actions, T.STALE_MARK)
        w.comment(it, t - 1, w.bot_actions, T.STALE_CLOSE)
        w.close(it, t, w.bot_actions, "not_planned")
    else:
        w.comment(it, t - rnd.randint(5, 600), owner, T.closing_comment(rnd, "other", None))
        w.close(it, t, owner, "completed" if rnd.random() < 0.6 else "not_planned")
    if it.state != "closed":  # the planned time fell outside the slice: close at the last moment allowed
        w.close(it, it.end - MINUTE, owner, "completed")


def _history_claim(w: World, rnd: random.Random, it: Item, ctx: T.Ctx, owner: Person, fix: Item) -> None:
    """A resolved beginner task: the newcomer said they'd take it before opening the fixing PR."""
    if rnd.random() < (0.8 if it.role == "gfi_closed" else 0.5):
        lo = _truth_time(it, "gfi_label_t", it.created + HOUR)
        t = _between(rnd, lo, max(lo, fix.created - 10 * MINUTE))
        w.comment(it, t, fix.author, _claim_text(rnd, ctx, owner))  # type: ignore[arg-type]
        if rnd.random() < 0.4:
            w.assign(it, t + rnd.randint(MINUTE, 4 * HOUR), owner, fix.author)  # type: ignore[arg-type]


def _maybe_stale(w: World, rnd: random.Random, it: Item, c0: int, last: int) -> None:
    """Old open issues get the stale bot's label; a reply takes it off again."""
    if it.role == "gfi" or it.claim_kind or it.block_kind:
        return
    ts = max(it.updated, c0) + 90 * DAY
    if ts < it.end - HOUR and rnd.random() < 0.6:
        w.add_label(it, ts, w.bot_actions, "stale")
        w.comment(it, ts + 1, w.bot_actions, T.STALE_MARK)
        if rnd.random() < 0.3:
            t2 = _between(rnd, ts + HOUR, it.end - MINUTE)
            w.comment(it, t2, it.author, "Still relevant, please keep this open.")  # type: ignore[arg-type]
            w.remove_label(it, t2 + rnd.randint(60, 3600), w.bot_actions, "stale")
