"""Discord-style rate limits: per-route buckets with X-RateLimit-* headers, 429 + `retry_after`.

Every answer carries the bucket headers (discord.py reads them to pace itself). A bucket is
(method, route template, top-level id), as Discord keys them by "major parameter". Tests and
scripts can force the next N matching requests into a 429 (`force`).
See https://discord.com/developers/docs/topics/rate-limits
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class _Bucket:
    remaining: int
    reset_at: float


@dataclass
class ForcedLimit:
    """The next `times` requests matching `method` and the `path` regex get a 429."""

    path: re.Pattern[str]
    method: str | None
    times: int
    retry_after: float
    is_global: bool = False
    hits: int = 0


@dataclass
class RateLimitDecision:
    limited: bool
    headers: dict[str, str]
    body: dict[str, Any] | None = None


@dataclass
class RateLimits:
    """`limit` requests per `window` seconds per bucket; `None` limit means never 429 on its own."""

    limit: int | None = 50
    window: float = 1.0
    forced: list[ForcedLimit] = field(default_factory=list)
    _buckets: dict[tuple[str, str, str], _Bucket] = field(default_factory=dict)

    def force(self, path: str = ".*", *, method: str | None = None, times: int = 1, retry_after: float = 0.25,
              is_global: bool = False) -> ForcedLimit:
        """Make the next `times` requests whose API path matches `path` (a regex) answer 429."""
        f = ForcedLimit(re.compile(path), method.upper() if method else None, times, retry_after, is_global)
        self.forced.append(f)
        return f

    @staticmethod
    def bucket_hash(method: str, template: str) -> str:
        return hashlib.sha1(f"{method} {template}".encode(), usedforsecurity=False).hexdigest()[:16]

    def check(self, method: str, path: str, template: str, major: str) -> RateLimitDecision:
        now = time.monotonic()
        key = (method, template, major)
        limit = self.limit if self.limit is not None else 10_000
        b = self._buckets.get(key)
        if b is None or now >= b.reset_at:
            b = self._buckets[key] = _Bucket(remaining=limit, reset_at=now + self.window)
        bucket = self.bucket_hash(method, template)
        for f in self.forced:
            if f.hits < f.times and (f.method in (None, method)) and f.path.search(path):
                f.hits += 1
                return self._limited(bucket, limit, f.retry_after, f.is_global)
        if self.limit is not None and b.remaining <= 0:
            return self._limited(bucket, limit, max(0.001, b.reset_at - now), False)
        b.remaining -= 1
        reset_after = max(0.0, b.reset_at - now)
        return RateLimitDecision(False, {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(b.remaining),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": bucket,
        })

    @staticmethod
    def _limited(bucket: str, limit: int, retry_after: float, is_global: bool) -> RateLimitDecision:
        headers = {
            "Retry-After": str(max(1, math.ceil(retry_after))),
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
            "X-RateLimit-Reset-After": f"{retry_after:.3f}",
            "X-RateLimit-Bucket": bucket,
            "X-RateLimit-Scope": "global" if is_global else "user",
            # Discord's edge adds Via; discord.py treats a 429 without it as a Cloudflare ban.
            "Via": "1.1 google",
        }
        if is_global:
            headers["X-RateLimit-Global"] = "true"
        body = {"message": "You are being rate limited.", "retry_after": round(retry_after, 3), "global": is_global,
                "code": 0}
        return RateLimitDecision(True, headers, body)
