"""Small deterministic helpers: time arithmetic, delays, weighted picks, ids and hashes."""

from __future__ import annotations

import base64
import bisect
import itertools
import math
import random
import struct
import time
import zlib
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

T = TypeVar("T")
MINUTE, HOUR, DAY = 60, 3600, 86400


_DAYS: dict[int, str] = {}


def iso(ts: int) -> str:
    """GitHub's timestamp format (`2026-11-27T00:00:00Z`)."""
    day, sec = divmod(ts, 86400)
    d = _DAYS.get(day)
    if d is None:
        d = _DAYS[day] = time.strftime("%Y-%m-%dT", time.gmtime(day * 86400))
    h, rem = divmod(sec, 3600)
    m, s = divmod(rem, 60)
    return f"{d}{h:02d}:{m:02d}:{s:02d}Z"


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


class Picker(Generic[T]):
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


def node_id(prefix: str, scope: int, obj: int | str) -> str:
    """A GitHub-style global node id (`I_kwDO...`): like GitHub's, the packed (scope, object id) in base64."""
    num = obj if isinstance(obj, int) else zlib.crc32(obj.encode())
    raw = struct.pack(">IQ", scope & 0xFFFFFFFF, num & 0xFFFFFFFFFFFFFFFF)
    return prefix + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def next_node_id(prefix: str, *ids: int) -> str:
    """GitHub's next-format global id (`LE_lADO...`): the type prefix, `_`, then URL-safe base64 of
    the MessagePack array [0 (format version), *ids], the database id last; an issue event's ids are
    (repository, issue, event). The collector decodes the event id back from it."""
    out = bytearray([0x90 | (len(ids) + 1), 0])
    for n in ids:
        if not 0 <= n < 2 ** 64:
            raise ValueError(f"node id parts are unsigned 64-bit integers, got {n}")
        if n <= 0x7F:
            out.append(n)
            continue
        size = next(s for s in (1, 2, 4, 8) if n < 2 ** (8 * s))
        out.append({1: 0xCC, 2: 0xCD, 4: 0xCE, 8: 0xCF}[size])
        out += n.to_bytes(size, "big")
    return f"{prefix}_{base64.urlsafe_b64encode(bytes(out)).decode().rstrip('=')}"


def assign_ids(objs: Sequence[Any], key_t: str, base: int, per_second: int, t_ref: int) -> None:
    """Ids increasing with creation time, unique, as GitHub allocates them."""
    order = sorted(range(len(objs)), key=lambda i: (getattr(objs[i], key_t), i))
    last = 0
    for i in order:
        cand = base + max(0, getattr(objs[i], key_t) - t_ref) * per_second
        last = cand if cand > last else last + 1
        objs[i].id = last
