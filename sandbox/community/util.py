"""Small deterministic helpers: time arithmetic, delays, weighted picks, ids and hashes."""

from __future__ import annotations

import base64
import bisect
import hashlib
import itertools
import math
import random
import time
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")
MINUTE, HOUR, DAY = 60, 3600, 86400


def iso(ts: int) -> str:
    """GitHub's timestamp format."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def iso_discord(ms: int) -> str:
    """Discord's timestamp format (microseconds and an explicit offset)."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + f".{(ms % 1000) * 1000:06d}+00:00"


def delay(rnd: random.Random, median_s: float, sigma: float = 1.0) -> int:
    """A log-normally distributed delay (people answer fast or very late, rarely in between)."""
    return max(30, int(median_s * math.exp(rnd.gauss(0.0, sigma))))


def poisson(rnd: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, int(rnd.gauss(lam, math.sqrt(lam)) + 0.5))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rnd.random()
        if p <= limit:
            return k
        k += 1


class Picker:
    """Weighted choice over a fixed population with precomputed cumulative weights."""

    def __init__(self, items: Sequence[T], weights: Sequence[float] | None = None) -> None:
        self.items = list(items)
        ws = list(weights) if weights is not None else [1.0] * len(self.items)
        self.cum = list(itertools.accumulate(ws))

    def __bool__(self) -> bool:
        return bool(self.items)

    def pick(self, rnd: random.Random) -> T:
        x = rnd.random() * self.cum[-1]
        return self.items[bisect.bisect_right(self.cum, x)]


def sha(rnd: random.Random) -> str:
    return f"{rnd.getrandbits(160):040x}"


def node_id(prefix: str, *parts: object) -> str:
    """A GitHub-style global node id (`I_kwDO...`): opaque, stable, unique per object."""
    raw = hashlib.sha256(":".join(map(str, parts)).encode()).digest()[:12]
    return prefix + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def assign_ids(objs: Sequence[object], key_t: str, base: int, per_second: int, t_ref: int) -> None:
    """Ids increasing with creation time, unique, as GitHub allocates them."""
    order = sorted(range(len(objs)), key=lambda i: (getattr(objs[i], key_t), i))
    last = 0
    for i in order:
        cand = base + max(0, getattr(objs[i], key_t) - t_ref) * per_second
        last = cand if cand > last else last + 1
        objs[i].id = last
