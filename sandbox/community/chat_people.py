"""Who of the generated community is also on Slack and on the Discourse forum (the same people as on
GitHub and Discord, some with their GitHub login in their profile, some without), and the text
helpers both chat sources share. Each source draws from its own seeded stream, so adding one never
changes what another writes."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sandbox.community.chat import _ChatBuilder
from sandbox.community.people import BOT, CONTRIBUTOR, EMERITUS, MAINTAINER, NEWCOMER, USER, Person
from sandbox.community.util import MINUTE

if TYPE_CHECKING:
    from sandbox.community.world import World

# Per source: how likely a person of each kind (active on GitHub in the slice) is there at all.
SLACK_SHARE = {MAINTAINER: 0.9, CONTRIBUTOR: 0.5, NEWCOMER: 0.3, USER: 0.08, EMERITUS: 0.3}
FORUM_SHARE = {MAINTAINER: 0.6, CONTRIBUTOR: 0.3, NEWCOMER: 0.25, USER: 0.12, EMERITUS: 0.2}
CHAT_ONLY_NAMES = (
    "alex",
    "sam",
    "kai",
    "robin",
    "jules",
    "nik",
    "mo",
    "lee",
    "ari",
    "dev",
    "zed",
    "ola",
    "yuki",
    "ines",
)


@dataclass
class Member:
    """One account on a chat source; `person` is None for people seen only there."""

    key: str                 # the source's id (Slack "U...", Discourse numeric id as text)
    handle: str              # Slack `name`, Discourse `username`
    real_name: str
    person: Person | None
    shows_github: bool       # the profile names the GitHub login (a discoverable identity link)
    created: int             # epoch seconds


def handle_of(text: str, limit: int = 20) -> str:
    h = re.sub(r"[^a-z0-9_.-]", "_", text.lower()).strip("_.-")
    return h[:limit] or "user"


def active_people(w: World) -> list[Person]:
    """People seen on GitHub in the slice, in population order (a link to nobody is no evidence)."""
    active: set[int] = set()
    for it in w.items:
        if it.author is not None:
            active.add(it.author.idx)
        active.update(c.author.idx for c in it.comments)
        active.update(r.author.idx for r in it.reviews)
    return [p for p in w.pop.people if p.idx in active and p.kind != BOT]


def members(w: World, rnd: random.Random, share: dict[str, float], show_github: float, chat_only: int,
            make_key: Callable[[int], str]) -> list[Member]:
    """Accounts for one source: people drawn by kind, some under another handle, plus strangers."""
    out: list[Member] = []
    taken: set[str] = set()

    def add(person: Person | None, handle: str, real: str) -> None:
        base, k = handle, 1
        while handle in taken:
            k += 1
            handle = f"{base}{k}"
        taken.add(handle)
        created = rnd.randint(1_600_000_000, w.w0 - 86400)
        shows = person is not None and rnd.random() < show_github
        out.append(Member(make_key(len(out)), handle, real, person, shows, created))

    for p in active_people(w):
        if rnd.random() >= share.get(p.kind, 0.0):
            continue
        first, _, last = p.name.partition(" ")
        x = rnd.random()
        if x < 0.55:
            handle = handle_of(p.login)
        elif x < 0.9:
            handle = handle_of(rnd.choice((f"{first}{last[:1]}", f"{first}.{last}", f"{first}_{last}", first)))
        else:
            handle = handle_of(rnd.choice(("kvcache", "tensorfan", "gpu_person", "token_pusher", "moe_lab")) +
                               str(rnd.randint(1, 999)))
        add(p, handle, p.name)
    for _ in range(chat_only):
        first = rnd.choice(CHAT_ONLY_NAMES)
        add(None, handle_of(f"{first}{rnd.choice(('_ml', '', '.dev', '_gpu'))}{rnd.randint(1, 9999)}"),
            first.capitalize())
    return out


def slack_escape(text: str) -> str:
    """Slack's message text escapes `&`, `<` and `>` (its own markup uses angle brackets)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def place_slug(channel: str) -> str:
    """The subsystem part of a sig channel name (`sig-spec-decode` -> `spec-decode`)."""
    return re.sub(r"^(sig|feat)-", "", channel.lower().lstrip("#"))


class ChatPlace:
    """What the Slack workspace and the forum generators share: their own random stream (so the
    GitHub and Discord parts stay byte-identical), the text builder, the window, and who is there."""

    def __init__(self, w: World, stream: str) -> None:
        self.w = w
        self.rnd = random.Random(f"{w.seed}:{stream}")
        self.text = _ChatBuilder(w)
        self.text.rnd = self.rnd
        self.start = w.w0
        self.end = w.now - MINUTE
        self.members: list[Member] = []
        self.by_person: dict[int, Member] = {}

    def pick(self, kinds: tuple[str, ...], sub: str | None = None) -> Member:
        """A member of one of `kinds`, mostly one active in `sub` (the first member after 20 misses)."""
        rnd = self.rnd
        for _ in range(20):
            m = rnd.choice(self.members)
            kind = m.person.kind if m.person else USER
            if kind in kinds and (sub is None or m.person is None or sub in m.person.subsystems or rnd.random() < 0.3):
                return m
        return self.members[0]

    def owner(self, sub: str) -> Member | None:
        """One of the subsystem's planted owners who is a member here, if any."""
        cands = [self.by_person[o.idx] for o in self.w.owners.get(sub, []) if o.idx in self.by_person]
        return self.rnd.choice(cands) if cands else None
