"""Evidence from Slack and Discourse for the judgement: who answers in a subsystem's channels and
forum categories (ownership evidence with its own weight per source), and what chat says about an
issue (`#N` or its URL) for claims and blockers.

Places map to subsystems through the taxonomy alone: a Slack channel or Discourse category slug
that is one of a subsystem's `channels`, or equals it without its `sig-`/`feat-` prefix, or the
subsystem's own name (`#feat-spec-decode`, category `spec-decode` -> speculative-decoding).
An answer is a thread reply (Slack) or a post after the first (Discourse) by someone other than
who opened the thread; it counts only for an author linked to a GitHub login
(storage.chat_links). Loading is storage.chat_read's (one query per source); mapping is pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from config.watch import Taxonomy
from storage.chat_read import ChatAnswer

_PREFIX = re.compile(r"^(sig|feat|wg)[-_]")


def _slug(name: str) -> str:
    return _PREFIX.sub("", name.strip().lstrip("#").lower()).replace("/", "-").replace(" ", "-")


def place_map(taxonomy: Taxonomy) -> dict[str, str]:
    """Channel or category slug (lower case, prefix dropped) -> subsystem."""
    out: dict[str, str] = {}
    for sub in taxonomy.subsystems:
        out.setdefault(_slug(sub.name), sub.name)
    for sub in taxonomy.subsystems:  # a subsystem's own channels win over another's name
        for ch in sub.channels:
            out[_slug(ch)] = sub.name
    return out


def answers_by_subsystem(answers: Iterable[ChatAnswer], taxonomy: Taxonomy) -> list[tuple[ChatAnswer, str]]:
    places = place_map(taxonomy)
    return [(a, places[_slug(a.place)]) for a in answers if _slug(a.place) in places]
