"""Plan and simulate a community: who files what, which scenario each thread plays (good first
issue, claimed, blocked, fixed by a newcomer's PR ...), then run every thread."""

from __future__ import annotations

import bisect
import random
from collections import defaultdict

from config import Taxonomy
from config.watch import Subsystem
from sandbox.community import issues as issue_sim
from sandbox.community import pulls as pull_sim
from sandbox.community.model import Comment, Event, Item
from sandbox.community.paths import PathMatcher, is_test_path, neutral_paths, path_pools
from sandbox.community.people import (
    AFFINITY,
    BOT,
    CONTRIBUTOR,
    EMERITUS,
    MAINTAINER,
    NEWCOMER,
    USER,
    Person,
    Population,
    build_population,
    finalize_associations,
    owners_of,
)
from sandbox.community.scales import Scale
from sandbox.community.text import Ctx
from sandbox.community.util import DAY, HOUR, MINUTE, Picker, delay
from sandbox.community.vocab import words_for

# How busy each vLLM area is (relative); unknown subsystems get 2.
SUB_WEIGHTS = {
    "frontend": 10,
    "new-model": 8,
    "ci/build": 8,
    "kernel": 7,
    "quantization": 7,
    "multi-modality": 6,
    "documentation": 6,
    "v1": 5,
    "tool-calling": 5,
    "rocm": 5,
    "engine": 5,
    "speculative-decoding": 4,
    "scheduler": 4,
    "attention": 4,
    "distributed": 4,
    "structured-output": 3,
    "compilation": 3,
    "sampling": 3,
    "performance": 3,
    "kv-connector": 3,
    "nvidia": 3,
    "lora": 2,
    "config": 2,
    "tpu": 1.5,
    "cpu": 1.5,
}
ISSUE_KINDS = {"bug": 0.42, "feature": 0.2, "usage": 0.1, "rfc": 0.03, "performance": 0.04, "installation": 0.05,
               "new_model": 0.05, "doc": 0.04, "ci_failure": 0.05, "misc": 0.02}
FIXED_SUB = {"doc": "documentation", "installation": "ci/build", "ci_failure": "ci/build", "new_model": "new-model",
             "performance": "performance"}
EASY_KINDS = ("feature", "feature", "feature", "feature", "bug", "bug", "doc", "misc")
PLATFORM_SUBS = ("rocm", "cpu", "tpu", "nvidia")
VENDOR = {"rocm": "AMD", "nvidia": "NVIDIA", "tpu": "Google", "cpu": "Intel"}
NUMBERS_PER_DAY = 120


class World:
    def __init__(self, seed: int, scale: Scale, taxonomy: Taxonomy, repo: str, now: int,
                 window_only: bool = True) -> None:
        # window_only: planted open-issue signals go on issues active in the window, since only those
        # are written (and collected); with the history slice written, old quiet ones may carry them too
        self.window_only = window_only
        self.seed = seed
        self.scale = scale
        self.tax = taxonomy
        self.repo = repo
        self.now = now
        self.w0 = now - scale.days * DAY
        self.h0 = self.w0 - scale.history_days * DAY
        self.rnd = random.Random(f"{seed}:world")
        self.matcher = PathMatcher(taxonomy)
        self.pools = path_pools(taxonomy, self.matcher, seed)
        self.neutral = neutral_paths(self.matcher)
        subs = [s.name for s in taxonomy.subsystems if self.pools.get(s.name)]
        subs.sort(key=lambda s: (-SUB_WEIGHTS.get(s, 2.0), taxonomy.names.index(s)))
        self.active = sorted(subs[: scale.max_subsystems], key=taxonomy.names.index)
        self.weights = {s: SUB_WEIGHTS.get(s, 2.0) for s in self.active}
        self.sub_picker = Picker(self.active, [self.weights[s] for s in self.active])
        self.pop: Population = build_population(
            random.Random(f"{seed}:people"), self.active, self.weights, per_subsystem=scale.maintainers_per_subsystem,
            contributors=scale.contributors, newcomers=scale.newcomers, users=scale.users)
        self.owners = {s: owners_of(self.pop, s) for s in self.active}
        self.emeritus = {s: [e for e in self.pop.of(EMERITUS) if s in e.subsystems] for s in self.active}
        self.bot_mergify, self.bot_actions = self.pop.people[0], self.pop.people[1]
        self.maintainers = self.pop.of(MAINTAINER)
        self.leads = [m for m in self.maintainers if m.lead]
        self.users = Picker(self.pop.of(USER), [p.activity for p in self.pop.of(USER)])
        self.contributors = Picker(self.pop.of(CONTRIBUTOR), [p.activity for p in self.pop.of(CONTRIBUTOR)])
        self.contributors_by_sub: dict[str, list[Person]] = defaultdict(list)
        for c in self.pop.of(CONTRIBUTOR):
            for s in c.subsystems:
                self.contributors_by_sub[s].append(c)
        # Busy non-maintainers: a regular contributor who reviews a lot in one area (non-binding
        # approvals included) - the hard case for telling owners from active reviewers.
        srnd = random.Random(f"{seed}:shadow")
        self.shadow: dict[str, Person] = {}
        for s in self.active:
            if self.contributors_by_sub.get(s) and srnd.random() < 0.35:
                self.shadow[s] = srnd.choice(self.contributors_by_sub[s])
        self._newcomers = list(self.pop.of(NEWCOMER))
        self.rnd.shuffle(self._newcomers)
        self._next_newcomer = 0
        self.group_of = {s: i for i, g in enumerate(AFFINITY) for s in g}
        # Some areas review and merge fast, others are slow (the digest's "lands fast vs stalls").
        speed_rnd = random.Random(f"{seed}:speed")
        self.sub_speed = {s: round(speed_rnd.choice((0.4, 0.6, 0.8, 1.0, 1.0, 1.3, 1.8, 2.6)), 2) for s in self.active}
        self._ctx_cache: dict[tuple[str, str | None], Ctx] = {}
        self._owner_pickers: dict[str, Picker[Person]] = {}
        self.code_of = {s: [p for p in ps if not is_test_path(p)] or ps for s, ps in self.pools.items()}
        self.tests_of = {s: [p for p in ps if is_test_path(p)] for s, ps in self.pools.items()}
        self.items: list[Item] = []
        self.issues: list[Item] = []
        self.pulls: list[Item] = []
        self.by_number: dict[int, Item] = {}

    # ------------------------------------------------------------------ people helpers

    def newcomer(self) -> Person:
        """A fresh newcomer (each appears in few threads); recycled when the pool runs out."""
        p = self._newcomers[self._next_newcomer % len(self._newcomers)]
        self._next_newcomer += 1
        return p

    def owner(self, rnd: random.Random, sub: str, exclude: Person | None = None) -> Person:
        """An owner of `sub` (busier owners more often), never `exclude`."""
        picker = self._owner_pickers.get(sub)
        if picker is None:
            owners = self.owners.get(sub) or self.maintainers
            picker = self._owner_pickers[sub] = Picker(owners, [o.activity for o in owners])
        for _ in range(6):
            o = picker.pick(rnd)
            if o is not exclude:
                return o
        return next((m for m in self.maintainers if m is not exclude), self.maintainers[0])

    def contributor_for(self, rnd: random.Random, sub: str) -> Person:
        pool = self.contributors_by_sub.get(sub)
        if pool and rnd.random() < 0.8:
            return rnd.choice(pool)
        return self.contributors.pick(rnd)

    def related_sub(self, rnd: random.Random, sub: str) -> str:
        g = self.group_of.get(sub)
        same = [s for s in self.active if s != sub and g is not None and self.group_of.get(s) == g]
        if same and rnd.random() < 0.7:
            return rnd.choice(same)
        others = [s for s in self.active if s != sub]
        return rnd.choice(others) if others else sub

    # ------------------------------------------------------------------ text context

    def ctx(self, primary: str, extra: str | None = None) -> Ctx:
        key = (primary, extra)
        c = self._ctx_cache.get(key)
        if c is None:
            c = self._ctx_cache[key] = self._make_ctx(primary, extra)
        return c

    def subsystem(self, name: str) -> Subsystem:
        """A subsystem of the taxonomy (the world only ever names its own)."""
        found = self.tax.get(name)
        if found is None:
            raise KeyError(f"no subsystem {name!r} in the taxonomy")
        return found

    def _make_ctx(self, primary: str, extra: str | None) -> Ctx:
        sub = self.subsystem(primary)
        files = self.pools[primary]
        tests = [f for f in files if is_test_path(f)]
        code = [f for f in files if not is_test_path(f)] or files
        kws = tuple(sub.keywords)
        xw = xf = None
        xs = self.tax.get(extra) if extra and extra != primary else None
        if extra and xs is not None:
            xw, xf = words_for(xs), self.pools[extra]
            kws = kws + tuple(xs.keywords)
        return Ctx(self.repo, words_for(sub), code, tests, primary, kws, tuple(sub.title_tags), xw, xf)

    def label_of(self, sub: str) -> str:
        s = self.tax.get(sub)
        return s.labels[0] if s and s.labels else sub

    # ------------------------------------------------------------------ actions on threads

    def comment(self, it: Item, t: int, who: Person, body: str) -> Comment | None:
        if t >= it.end or t < it.created:
            return None
        c = Comment(t, who, body)
        it.comments.append(c)
        it.touch(t)
        return c

    def event(self, it: Item, t: int, actor: Person, kind: str, **kw: object) -> Event | None:
        if t >= it.end or t < it.created:
            return None
        e = Event(t, actor, kind, **kw)  # type: ignore[arg-type]
        it.events.append(e)
        it.touch(t)
        return e

    def add_label(self, it: Item, t: int, actor: Person, name: str) -> None:
        if name in it.labels:
            return
        if self.event(it, t, actor, "labeled", label=name):
            it.labels.append(name)

    def remove_label(self, it: Item, t: int, actor: Person, name: str) -> None:
        if name in it.labels and self.event(it, t, actor, "unlabeled", label=name):
            it.labels.remove(name)

    def assign(self, it: Item, t: int, actor: Person, who: Person) -> None:
        if who not in it.assignees and self.event(it, t, actor, "assigned", assignee=who):
            it.assignees.append(who)

    def unassign(self, it: Item, t: int, actor: Person, who: Person) -> None:
        if who in it.assignees and self.event(it, t, actor, "unassigned", assignee=who):
            it.assignees.remove(who)

    def close(self, it: Item, t: int, actor: Person, reason: str = "completed", commit: str | None = None) -> bool:
        if it.state == "closed" or not self.event(it, t, actor, "closed", commit=commit):
            return False
        it.state, it.closed, it.closed_by = "closed", t, actor
        it.state_reason = None if it.is_pr else reason
        return True

    def reopen(self, it: Item, t: int, actor: Person) -> None:
        if it.state == "closed" and self.event(it, t, actor, "reopened"):
            it.state, it.closed, it.closed_by = "open", None, None
            it.state_reason = "reopened"

    # ------------------------------------------------------------------ planning

    def run(self) -> None:
        self._plan_issues()
        self._plan_roles()
        self._plan_pulls()
        self._number()
        for it in self.issues:
            issue_sim.write_text(self, it)
        self.build_ref_index()
        for pr in self.pulls:
            pull_sim.simulate(self, pr)
        self.build_ref_index()
        for it in self.issues:
            issue_sim.simulate(self, it)
        for it in self.items:
            it.comments.sort(key=lambda c: c.t)
            it.events.sort(key=lambda e: e.t)
            it.reviews.sort(key=lambda r: r.t)
            it.rcomments.sort(key=lambda c: c.t)
        self._count_prs()
        finalize_associations(self.pop)

    def _created(self, rnd: random.Random, cls: str, pr: bool = False) -> int:
        if cls == "window":
            return rnd.randint(self.w0, self.now - 20 * MINUTE)
        if cls == "touched":
            return rnd.randint(self.w0 - (45 if pr else 200) * DAY, self.w0 - DAY)
        return rnd.randint(self.h0, self.w0 - 2 * DAY)

    def _pick_subs(self, rnd: random.Random, kind: str) -> tuple[str, tuple[str, ...], str]:
        """(kind, subsystems, subsystem whose words the text uses)."""
        fixed = FIXED_SUB.get(kind)
        if fixed and fixed not in self.active:
            kind, fixed = ("feature" if kind == "doc" else "bug"), None
        if fixed:
            extra: str | None = None
            if kind == "ci_failure" and rnd.random() < 0.7:
                extra = self.sub_picker.pick(rnd)
            elif kind == "installation" and rnd.random() < 0.3:
                plats = [s for s in PLATFORM_SUBS if s in self.active]
                extra = rnd.choice(plats) if plats else None
            elif kind in ("doc", "performance") and rnd.random() < (0.3 if kind == "doc" else 0.5):
                extra = self.sub_picker.pick(rnd)
            elif kind == "new_model" and rnd.random() < 0.2 and "multi-modality" in self.active:
                extra = "multi-modality"
            subs = tuple(sorted({s for s in (fixed, extra) if s is not None}))
            return kind, subs, extra if extra and extra != fixed else fixed
        primary = self.sub_picker.pick(rnd)
        if rnd.random() < 0.12:
            second = self.related_sub(rnd, primary)
            return kind, tuple(sorted({primary, second})), primary
        return kind, (primary,), primary

    def _issue_author(self, rnd: random.Random, kind: str, sub: str) -> Person:
        x = rnd.random()
        if kind in ("rfc", "ci_failure"):
            return self.owner(rnd, sub) if x < 0.6 else self.contributor_for(rnd, sub)
        if kind in ("feature", "misc", "doc"):
            if x < 0.12:
                return self.owner(rnd, sub)
            if x < 0.35:
                return self.contributor_for(rnd, sub)
            if x < 0.42:
                return self.newcomer()
            return self.users.pick(rnd)
        if x < 0.04:
            return self.owner(rnd, sub)
        if x < 0.17:
            return self.contributor_for(rnd, sub)
        if x < 0.22:
            return self.newcomer()
        return self.users.pick(rnd)

    def _plan_issues(self) -> None:
        sc, rnd = self.scale, self.rnd
        counts = (("window", round(sc.issues_per_day * sc.days)), ("touched", round(sc.touched_issues * sc.days)),
                  ("history", sc.history_issues))
        kinds = Picker(list(ISSUE_KINDS), list(ISSUE_KINDS.values()))
        for cls, n in counts:
            for _ in range(n):
                it = Item(len(self.items), False, 0, cls)
                it.created = self._created(rnd, cls)
                it.kind, it.subs, it.text_sub = self._pick_subs(rnd, kinds.pick(rnd))
                it.author = self._issue_author(rnd, it.kind, it.text_sub)
                it.end = self.now - MINUTE if cls != "history" else self.w0 - HOUR
                self.items.append(it)
                self.issues.append(it)

    def _plan_roles(self) -> None:
        """Decide each issue's fate and planted signals, with floors so small slices carry them all."""
        rnd, sc = self.rnd, self.scale
        p_closed = {"window": 0.3, "touched": 0.4, "history": 0.8}
        opened: list[Item] = []
        closed: list[Item] = []
        for it in self.issues:
            (closed if rnd.random() < p_closed[it.cls] else opened).append(it)
        # resolved history to learn from: older issues, closed before or (window-only) during the window
        past = ("history", "touched") if self.window_only else ("history",)
        for it in closed:
            x = rnd.random()
            if it.cls in past and x < 0.09:
                it.role = "gfi_closed"
            elif it.cls in past and x < 0.15:
                it.role = "newcomer_fixed"
            elif x < (0.5 if it.cls == "history" else 0.4):
                it.role = "fixed"
            else:
                it.role = "closed_other"
            if it.kind in ("usage", "rfc") and it.role != "closed_other" and it.role != "gfi_closed":
                it.role = "closed_other"
        if self.window_only:  # floors, so even a small window carries resolved examples of both kinds
            for role, floor in (("gfi_closed", 3), ("newcomer_fixed", 3)):
                spare = [i for i in closed if i.role in ("fixed", "closed_other") and i.kind not in ("usage", "rfc")
                         and i.cls != "history"]
                for it in spare[: max(0, floor - sum(1 for i in closed if i.role == role and i.cls != "history"))]:
                    it.role = role
        # good first issues among open issues: mostly recent, some older ones still waiting
        n_open = len(opened)
        n_gfi = max(sc.min_open_gfi, round(0.065 * n_open))
        settled = [i for i in opened if i.created < self.now - 12 * HOUR  # room for a thread to happen
                   and not (self.window_only and i.cls == "history")]
        recent = [i for i in settled if i.cls != "history"]
        old = [i for i in settled if i.cls == "history"]
        rnd.shuffle(recent)
        rnd.shuffle(old)
        n_old = min(len(old), n_gfi // 4)
        gfis = recent[: n_gfi - n_old] + old[:n_old]
        for it in gfis:
            it.role = "gfi"
        rest = [i for i in opened if i.role == "plain"]
        rnd.shuffle(rest)
        n_easy = max(3, round(0.9 * n_gfi))
        for it in rest[:n_easy]:
            it.role = "easy_neg"
        for it in gfis + [i for i in closed if i.role == "gfi_closed"] + rest[:n_easy]:
            it.kind = rnd.choice(EASY_KINDS)
            if it.kind == "doc" and "documentation" in self.active:
                it.subs, it.text_sub = ("documentation",), "documentation"
            else:
                if it.kind == "doc":
                    it.kind = "feature"
                primary = it.text_sub if it.text_sub not in ("ci/build", "performance") else self.sub_picker.pick(rnd)
                it.subs, it.text_sub = (primary,), primary
            if it.role in ("gfi", "gfi_closed"):
                x = rnd.random()
                it.author = (self.owner(rnd, it.text_sub) if x < 0.45 else
                             self.contributor_for(rnd, it.text_sub) if x < 0.7 else self.users.pick(rnd))
        for it in [i for i in closed if i.role == "newcomer_fixed"]:
            if rnd.random() < 0.5 and it.kind not in ("ci_failure", "new_model", "installation"):
                it.kind = rnd.choice(EASY_KINDS[:6])
                it.truth["easy"] = True
        # claims and blockers (disjoint on good first issues; look-alike negatives elsewhere)
        others = [i for i in settled if i.role != "gfi" and i.kind not in ("usage", "rfc", "installation")]
        rnd.shuffle(others)
        n_claim_gfi = max(2, round(0.3 * len(gfis)))
        n_block_gfi = max(2, round(0.15 * len(gfis)))
        n_claim_other = max(sc.min_claimed - n_claim_gfi, round(0.045 * len(others)))
        n_block_other = max(sc.min_blocked - n_block_gfi, round(0.045 * len(others)))
        for it in gfis[:n_claim_gfi]:
            it.claim_kind = self._claim_kind(rnd)
        for it in gfis[n_claim_gfi:n_claim_gfi + n_block_gfi]:
            it.block_kind = self._block_kind(rnd, it)
        k = 0
        for it in others[k:k + n_claim_other]:
            it.claim_kind = self._claim_kind(rnd)
        k += n_claim_other
        for it in others[k:k + n_block_other]:
            it.block_kind = self._block_kind(rnd, it)
        k += n_block_other
        n_neg = max(2, round(0.03 * n_open))
        free_gfis = gfis[n_claim_gfi + n_block_gfi:]
        aged = [i for i in others[k:] + free_gfis if i.created < self.now - 4 * DAY]
        negs = aged[:2 * n_neg] + [i for i in free_gfis if i in aged][: max(1, len(free_gfis) // 5)]
        negs = list(dict.fromkeys(negs))
        rnd.shuffle(negs)
        for it in negs[: len(negs) // 2]:
            it.claim_kind = "released"
        for it in negs[len(negs) // 2:]:
            it.block_kind = "unblocked"
        for it in opened:
            it.truth["open"] = True

    def _claim_kind(self, rnd: random.Random) -> str:
        return rnd.choices(("comment", "comment+assign", "comment+pr", "assign", "pr"),
                           weights=(0.38, 0.25, 0.22, 0.08, 0.07))[0]

    def _block_kind(self, rnd: random.Random, it: Item) -> str:
        sub = it.text_sub
        opts = ["ref", "ref", "ref", "body", "upstream"]
        if sub in VENDOR:
            opts += ["vendor", "vendor"]
        if sub in ("v1", "engine", "scheduler", "sampling", "speculative-decoding", "kv-connector", "attention"):
            opts += ["v1", "v1"]
        return rnd.choice(opts)

    # ------------------------------------------------------------------ pull requests

    def _new_pr(self, created: int, cls: str, author: Person, sub: str, kind: str) -> Item:
        pr = Item(len(self.items), True, created, cls)
        pr.author, pr.kind, pr.text_sub = author, kind, sub
        pr.end = self.now - MINUTE if cls != "history" else self.w0 - HOUR
        self.items.append(pr)
        self.pulls.append(pr)
        return pr

    def _pr_cls(self, created: int, issue_cls: str) -> str:
        if created >= self.w0:
            return "window"
        return "history" if issue_cls == "history" else "touched"

    def _plan_pulls(self) -> None:
        rnd, sc = self.rnd, self.scale
        for it in self.issues:
            if it.role in ("fixed", "gfi_closed", "newcomer_fixed"):
                if it.cls == "touched":
                    lo = max(it.created + HOUR, self.w0 - 2 * DAY)
                    created = rnd.randint(lo, self.now - 8 * HOUR)
                else:
                    created = min(it.created + delay(rnd, 1.5 * DAY, 0.8), it.end - 6 * HOUR)
                    created = max(created, it.created + 10 * MINUTE)
                if it.role == "fixed":
                    author = (
                        self.owner(rnd, it.text_sub) if rnd.random() < 0.5 else self.contributor_for(rnd, it.text_sub)
                    )
                elif it.role == "gfi_closed" and rnd.random() < 0.15:
                    author = self.contributor_for(rnd, it.text_sub)
                else:
                    author = self.newcomer()
                kind = "bugfix" if it.kind in ("bug", "ci_failure", "installation", "performance") else "feature"
                pr = self._new_pr(created, self._pr_cls(created, it.cls), author, it.text_sub, kind)
                pr.subs = it.subs
                pr.fixes, it.fixed_by = it, pr
                pr.role = "fix"
                it.truth["claimant"] = author
            elif it.claim_kind in ("comment+pr", "pr"):
                author = self.newcomer() if rnd.random() < 0.7 else self.contributor_for(rnd, it.text_sub)
                lo = it.created + 2 * HOUR
                if it.cls == "touched" and rnd.random() < 0.6:
                    lo = max(lo, self.w0)
                created = min(max(lo, it.created + delay(rnd, 3 * DAY, 0.8)), it.end - 2 * HOUR)
                if created <= lo:
                    created = min(lo, it.end - 2 * HOUR)
                pr = self._new_pr(created, self._pr_cls(created, it.cls), author, it.text_sub,
                                  "bugfix" if it.kind == "bug" else "feature")
                pr.subs = it.subs
                pr.fixes = it
                pr.role = "claim"
                it.truth["claimant"] = author
                it.truth["claim_pr"] = pr
        have: defaultdict[str, int] = defaultdict(int)
        for pr in self.pulls:
            have[pr.cls] += 1
        want = {"window": round(sc.prs_per_day * sc.days), "touched": round(sc.touched_prs * sc.days),
                "history": sc.history_prs}
        kinds = ("bugfix", "feature", "refactor", "perf", "test")
        kind_w = (0.36, 0.3, 0.15, 0.1, 0.09)
        for cls in ("window", "touched", "history"):
            for _ in range(max(0, want[cls] - have[cls])):
                x = rnd.random()
                if x < 0.3:
                    author = rnd.choices(self.maintainers, weights=[m.activity for m in self.maintainers])[0]
                    sub = rnd.choice([s for s in author.subsystems if s in self.active] or self.active)
                elif x < 0.82:
                    author = self.contributors.pick(rnd)
                    sub = rnd.choice(author.subsystems) if rnd.random() < 0.8 else self.sub_picker.pick(rnd)
                else:
                    author = self.newcomer()
                    sub = self.sub_picker.pick(rnd)
                pr = self._new_pr(self._created(rnd, cls, pr=True), cls, author, sub, rnd.choices(kinds, kind_w)[0])

    def _number(self) -> None:
        """Issue/PR numbers in creation order, ~120 a day as on vLLM (gaps are threads not in the slice)."""
        self.items.sort(key=lambda i: (i.created, i.idx))
        top = 51_000 + random.Random(f"{self.seed}:numbers").randint(0, 800)
        prev = 0
        for it in self.items:
            n = top - int((self.now - it.created) / DAY * NUMBERS_PER_DAY)
            prev = max(prev + 1, n)
            it.number = prev
            self.by_number[prev] = it
        self.issues.sort(key=lambda i: i.number)
        self.pulls.sort(key=lambda i: i.number)

    def _count_prs(self) -> None:
        for pr in self.pulls:
            author = pr.author
            if author is not None and author.kind not in (BOT,):
                author.prs += 1
                if pr.merged is not None:
                    author.merged_prs += 1

    # ------------------------------------------------------------------ lookups for references

    def build_ref_index(self) -> None:
        """Per subsystem, items by creation time: all of them, and those still open at `now`."""
        self._all_idx: dict[str, list[Item]] = defaultdict(list)
        self._open_idx: dict[str, list[Item]] = defaultdict(list)
        for it in self.items:  # sorted by creation (numbering order)
            open_now = it.state == "open" if it.is_pr else bool(it.truth.get("open"))
            for s in it.subs or (it.text_sub,):
                self._all_idx[s].append(it)
                if open_now and it.is_pr:
                    self._open_idx[s].append(it)
            self._all_idx[""].append(it)
            if open_now and it.is_pr:
                self._open_idx[""].append(it)
        self._all_t = {k: [i.created for i in v] for k, v in self._all_idx.items()}
        self._open_t = {k: [i.created for i in v] for k, v in self._open_idx.items()}

    def _ref(self, rnd: random.Random, idx: dict[str, list[Item]], times: dict[str, list[int]], sub: str, before: int,
             exclude: int) -> int | None:
        for key in (sub, ""):
            lst = idx.get(key) or []
            n = bisect.bisect_left(times.get(key, []), before)
            if n > 1 or (n == 1 and lst[0].number != exclude):
                for _ in range(4):
                    cand = lst[rnd.randrange(max(0, n - 400), n)]
                    if cand.number != exclude:
                        return cand.number
        return None

    def open_ref(self, rnd: random.Random, sub: str, before: int, exclude: int) -> int | None:
        """An open pull request near `sub`, created before `before` (a blocker that has not landed)."""
        return self._ref(rnd, self._open_idx, self._open_t, sub, before, exclude)

    def any_ref(self, rnd: random.Random, sub: str, before: int, exclude: int) -> int | None:
        """Any earlier thread near `sub` (related / duplicate / fixed-by references)."""
        return self._ref(rnd, self._all_idx, self._all_t, sub, before, exclude)

    def merged_ref(self, rnd: random.Random, sub: str, before: int) -> int | None:
        cands = [i for i in self._all_idx.get(sub, [])[-400:] if i.is_pr and i.merged is not None and i.merged < before]
        return rnd.choice(cands).number if cands else None
