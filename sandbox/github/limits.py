"""GitHub's primary rate limits: a quota per token and resource, in fixed windows that start at the
first counted request (as on GitHub: 5000 an hour for a token, 60 for anonymous callers)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Quota:
    limit: int
    remaining: int
    used: int
    reset: int  # epoch seconds (real time: clients compute their wait against their own clock)
    resource: str

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
            "X-RateLimit-Used": str(self.used),
            "X-RateLimit-Resource": self.resource,
        }

    def as_json(self) -> dict[str, int]:
        """As one entry of GET /rate_limit's `resources` (GitHub's fields, no more)."""
        return {"limit": self.limit, "used": self.used, "remaining": self.remaining, "reset": self.reset}


class RateLimiter:
    """Counts requests per (caller, resource); thread-safe (the sandbox may run in a test's thread)."""

    def __init__(self, limit: int = 5000, window: float = 3600.0, anonymous_limit: int = 60,
                 clock: Callable[[], float] = time.time) -> None:
        self.limit = limit
        self.window = window
        self.anonymous_limit = anonymous_limit
        self.clock = clock
        self._buckets: dict[tuple[str, str], tuple[float, int]] = {}  # -> (window start, used)
        self._lock = threading.Lock()

    def _limit_for(self, caller: str, limit: int | None = None) -> int:
        if caller.startswith("ip:"):
            return self.anonymous_limit
        return self.limit if limit is None else limit

    def _current(self, caller: str, resource: str, now: float, window: float) -> tuple[float, int]:
        start, used = self._buckets.get((caller, resource), (now, 0))
        if now >= start + window:
            start, used = now, 0
        return start, used

    def _quota(self, caller: str, resource: str, start: float, used: int, fresh: bool, limit: int | None = None,
               window: float | None = None) -> Quota:
        cap = self._limit_for(caller, limit)
        reset = math.ceil((self.clock() if fresh else start) + (self.window if window is None else window))
        return Quota(cap, max(0, cap - used), used, reset, resource)

    def peek(self, caller: str, resource: str = "core", *, limit: int | None = None,
             window: float | None = None) -> Quota:
        """The quota as it stands, without counting a request (`limit`/`window`: a resource's own)."""
        now = self.clock()
        span = self.window if window is None else window
        with self._lock:
            key = (caller, resource)
            fresh = key not in self._buckets or now >= self._buckets[key][0] + span
            start, used = self._current(caller, resource, now, span)
            return self._quota(caller, resource, start, used, fresh, limit, span)

    def take(self, caller: str, resource: str = "core", amount: int = 1) -> tuple[bool, Quota]:
        """Count a request of `amount` points (GraphQL's cost; 1 for REST); False (and the quota)
        when the window's quota cannot pay for it."""
        now = self.clock()
        with self._lock:
            start, used = self._current(caller, resource, now, self.window)
            limit = self._limit_for(caller)
            if used + amount > limit:
                self._buckets[(caller, resource)] = (start, used)
                return False, self._quota(caller, resource, start, used, False)
            used += amount
            self._buckets[(caller, resource)] = (start, used)
            return True, self._quota(caller, resource, start, used, False)
