"""The people of the generated community: maintainers who own one to three subsystems each,
regular contributors, newcomers, issue reporters, bots, and declared-but-inactive code owners."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from sandbox.community.vocab import FIRST_NAMES, LAST_NAMES

MAINTAINER, CONTRIBUTOR, NEWCOMER, USER, BOT, EMERITUS = (
    "maintainer",
    "contributor",
    "newcomer",
    "user",
    "bot",
    "emeritus",
)

# Subsystems that tend to share owners (vLLM's areas); owners are drawn within a group first.
AFFINITY = (
    ("kernel", "quantization", "attention", "nvidia", "rocm", "cpu", "tpu"),
    ("v1", "scheduler", "engine", "sampling", "speculative-decoding", "kv-connector", "distributed", "compilation"),
    ("frontend", "tool-calling", "structured-output", "config", "documentation"),
    ("new-model", "multi-modality", "lora"),
    ("ci/build", "performance"),
)


@dataclass(slots=True)
class Person:
    idx: int
    login: str
    name: str
    kind: str
    gh_id: int
    subsystems: tuple[str, ...] = ()   # owned (maintainers, emeritus) or home (contributors)
    lead: bool = False
    member: bool = True                # maintainers: org MEMBER vs COLLABORATOR
    association: str = "NONE"          # as of `now` (computed after the simulation)
    activity: float = 1.0              # how busy a person is (relative)
    merged_prs: int = 0
    prs: int = 0
    chat: dict = field(default_factory=dict)  # discord identity, if any

    @property
    def is_bot(self) -> bool:
        return self.kind == BOT


def _login(rnd: random.Random, first: str, last: str, taken: set[str]) -> str:
    f = re.sub(r"[^a-z0-9]", "", first.lower())
    last_ = re.sub(r"[^a-z0-9]", "", last.lower())
    styles: tuple[str, ...] = (
        f"{f}{last_}",
        f"{f}-{last_}",
        f"{f[0]}{last_}",
        f"{f}_{last_}",
        f"{f}{last_}{rnd.randint(1, 99)}",
        f"{f}-dev",
        f"{last_}{f}",
        f"{f}{last_[0]}",
        f"{f}-{last_}-ai",
        f"{f}.{last_}".replace(".", ""),
        f"{f[:3]}{last_[:4]}",
        f"{last_}-{f}",
    )
    for _ in range(50):
        login = rnd.choice(styles)
        if rnd.random() < 0.15:
            login = login.capitalize()
        if login.lower() not in taken and 2 < len(login) <= 39:
            taken.add(login.lower())
            return login
        styles = tuple(s + str(rnd.randint(2, 999)) for s in styles)
    raise RuntimeError("could not find a free login")  # pragma: no cover - 50 tries over 12 styles


class Population:
    """Everyone, indexed by position; bots first."""

    def __init__(self) -> None:
        self.people: list[Person] = []
        self.by_kind: dict[str, list[Person]] = {}

    def add(self, p: Person) -> Person:
        self.people.append(p)
        self.by_kind.setdefault(p.kind, []).append(p)
        return p

    def of(self, kind: str) -> list[Person]:
        return self.by_kind.get(kind, [])

    def by_login(self, login: str) -> Person:
        for p in self.people:
            if p.login == login:
                return p
        raise KeyError(login)


def _assign_owners(rnd: random.Random, subsystems: list[str], per: int) -> list[tuple[str, ...]]:
    """Owner groups: every subsystem gets `per` (sometimes one more) owners, each maintainer owns 1-3."""
    group_of = {s: i for i, g in enumerate(AFFINITY) for s in g}
    maintainers: list[list[str]] = []
    capacity: list[int] = []
    order = list(subsystems)
    rnd.shuffle(order)
    for sub in order:
        need = per + (1 if rnd.random() < 0.25 else 0)
        chosen: list[int] = []
        g = group_of.get(sub, -1)
        for _ in range(need):
            pool = [i for i, owned in enumerate(maintainers) if capacity[i] > len(owned) and i not in chosen]
            related = [i for i in pool if any(group_of.get(o, -2) == g for o in maintainers[i])]
            pick_from = related if related and rnd.random() < 0.8 else pool
            if pick_from and rnd.random() < 0.75:
                i = rnd.choice(pick_from)
            else:
                maintainers.append([])
                capacity.append(rnd.choices((1, 2, 3), weights=(0.3, 0.45, 0.25))[0])
                i = len(maintainers) - 1
            maintainers[i].append(sub)
            chosen.append(i)
    return [tuple(sorted(owned)) for owned in maintainers]


def build_population(rnd: random.Random, subsystems: list[str], weights: dict[str, float], *, per_subsystem: int,
                     contributors: int, newcomers: int, users: int) -> Population:
    pop = Population()
    taken: set[str] = set()
    used_ids: set[int] = set()

    def gh_id(lo: int, hi: int) -> int:
        while True:
            v = rnd.randint(lo, hi)
            if v not in used_ids:
                used_ids.add(v)
                return v

    pop.add(Person(0, "mergify[bot]", "Mergify", BOT, 37929162, association="NONE"))
    pop.add(Person(1, "github-actions[bot]", "GitHub Actions", BOT, 41898282, association="NONE"))
    taken.update({"mergify[bot]", "github-actions[bot]"})

    def person(kind: str, subs: tuple[str, ...] = (), lo: int = 1_000_000, hi: int = 240_000_000) -> Person:
        first, last = rnd.choice(FIRST_NAMES), rnd.choice(LAST_NAMES)
        p = Person(len(pop.people), _login(rnd, first, last, taken), f"{first} {last}", kind, gh_id(lo, hi), subs)
        return pop.add(p)

    for owned in _assign_owners(rnd, subsystems, per_subsystem):
        m = person(MAINTAINER, owned, 200_000, 160_000_000)
        m.member = rnd.random() < 0.8
        m.activity = rnd.uniform(0.7, 1.5)
    # Two leads: they merge across the codebase, but still review mostly where they own.
    for m in sorted(pop.of(MAINTAINER), key=lambda p: -len(p.subsystems))[:2]:
        m.lead = True
    for _ in range(max(2, len(subsystems) // 4)):
        person(EMERITUS, tuple(rnd.sample(subsystems, 1)), 100_000, 60_000_000)
    subs = list(subsystems)
    w = [weights.get(s, 1.0) for s in subs]
    for _ in range(contributors):
        home = tuple(sorted(set(rnd.choices(subs, weights=w, k=rnd.choice((1, 1, 2))))))
        c = person(CONTRIBUTOR, home)
        c.activity = rnd.paretovariate(2.0)
    for _ in range(newcomers):
        n = person(NEWCOMER, tuple(rnd.choices(subs, weights=w, k=1)), 120_000_000, 250_000_000)
        n.activity = rnd.uniform(0.5, 1.0)
    for _ in range(users):
        u = person(USER, (), 1_000_000, 250_000_000)
        u.activity = rnd.paretovariate(2.5)
    return pop


def owners_of(pop: Population, sub: str) -> list[Person]:
    return [m for m in pop.of(MAINTAINER) if sub in m.subsystems]


def finalize_associations(pop: Population) -> None:
    """author_association as GitHub reports it at `now` (computed from the person's state then)."""
    for p in pop.people:
        if p.kind == MAINTAINER:
            p.association = "MEMBER" if p.member else "COLLABORATOR"
        elif p.kind == EMERITUS:
            p.association = "MEMBER"
        elif p.kind == BOT:
            p.association = "NONE"
        elif p.kind == CONTRIBUTOR:
            p.association = "CONTRIBUTOR"
        elif p.merged_prs:
            p.association = "CONTRIBUTOR"
        elif p.prs:
            p.association = "FIRST_TIME_CONTRIBUTOR"
        else:
            p.association = "NONE"
