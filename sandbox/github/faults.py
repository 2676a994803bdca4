"""Injected failures: 5xx answers, dropped connections, malformed bodies, secondary and primary
rate limits, deterministic for a seed.

Each draw depends only on (seed, request, how many times that same request was seen before), never
on the order in which concurrent requests arrive, so a run with the same requests meets the same
faults whatever the client's concurrency. A retried request is a new occurrence and draws again.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from enum import Enum

from config.errors import ConfigError


class Fault(Enum):
    SERVER_ERROR = "5xx"
    DROP = "drop"
    MALFORMED = "malformed"
    SECONDARY = "secondary"


_KEYS = {
    "5xx": "p_5xx",
    "drop": "p_drop",
    "malformed": "p_malformed",
    "secondary": "p_secondary",
    "ratelimit-after": "ratelimit_after",
    "ratelimit-window": "ratelimit_window",
    "retry-after": "retry_after",
    "seed": "seed",
    "events-depth": "events_depth",
    "gql-timeout-nodes": "gql_timeout_nodes",
    "hour": "hour",
}


@dataclass(frozen=True)
class FaultSpec:
    """What `--faults` asks for. Rates are per request in [0, 1]."""

    p_5xx: float = 0.0
    p_drop: float = 0.0
    p_malformed: float = 0.0
    p_secondary: float = 0.0
    ratelimit_after: int | None = None  # primary quota per window (GitHub's is 5000 an hour)
    ratelimit_window: float = 5.0  # seconds a quota window lasts when `ratelimit-after` is set
    retry_after: int = 1  # seconds in Retry-After of secondary-limit answers
    seed: int = 0
    events_depth: int | None = None  # pages of the repository-wide issue-events list served before GitHub's 422
    gql_timeout_nodes: int | None = None  # a GraphQL query that may return more nodes times out (502)
    hour: float | None = None  # seconds GitHub's hour lasts (5000 REST requests, 5000 GraphQL points per hour)

    @classmethod
    def parse(cls, text: str | None) -> FaultSpec:
        """Parse `5xx=0.1,drop=0.02,malformed=0.01,ratelimit-after=400,seed=7` (any subset, any order).

        GitHub's own limits: `events-depth=N` (the repository-wide issue-events list refuses pages past
        N), `gql-timeout-nodes=N` (GraphQL queries of more possible nodes time out), `secondary=P`,
        and `hour=S` (GitHub's hourly budgets, 5000 requests and 5000 points, renewed every S seconds)."""
        if not text:
            return cls()
        values: dict[str, float | int] = {}
        for part in text.split(","):
            part = part.strip()
            if not part:
                continue
            key, sep, raw = part.partition("=")
            key = key.strip().lower()
            if not sep or key not in _KEYS:
                raise ConfigError(
                    f"--faults: unknown item {part!r}; expected KEY=VALUE with KEY one of {', '.join(_KEYS)}"
                )
            try:
                num = float(raw)
            except ValueError:
                raise ConfigError(f"--faults: {key} needs a number, got {raw!r}") from None
            attr = _KEYS[key]
            if attr.startswith("p_"):
                if not 0.0 <= num <= 1.0:
                    raise ConfigError(f"--faults: {key} is a rate between 0 and 1, got {raw}")
                values[attr] = num
            elif attr in ("ratelimit_window", "hour"):
                if num <= 0:
                    raise ConfigError(f"--faults: {key} must be positive seconds, got {raw}")
                values[attr] = num
            else:
                if num < 0 or num != int(num):
                    raise ConfigError(f"--faults: {key} needs a whole number >= 0, got {raw}")
                values[attr] = int(num)
        spec = cls(**values)  # type: ignore[arg-type]
        if spec.p_5xx + spec.p_drop + spec.p_malformed + spec.p_secondary > 1.0:
            raise ConfigError("--faults: the rates add up to more than 1")
        return spec

    @property
    def any(self) -> bool:
        return bool(self.p_5xx or self.p_drop or self.p_malformed or self.p_secondary or self.ratelimit_after
                    or self.events_depth or self.gql_timeout_nodes or self.hour)


class FaultPlan:
    """Draws the fault (or none) for each request of a running sandbox."""

    def __init__(self, spec: FaultSpec) -> None:
        self.spec = spec
        self._seen: dict[str, int] = {}
        self._lock = threading.Lock()

    def _uniforms(self, key: str) -> tuple[float, float]:
        with self._lock:
            n = self._seen.get(key, 0)
            self._seen[key] = n + 1
        digest = hashlib.sha256(f"{self.spec.seed}|{key}|{n}".encode()).digest()
        a = int.from_bytes(digest[:8], "big") / 2**64
        b = int.from_bytes(digest[8:16], "big") / 2**64
        return a, b

    def draw(self, key: str) -> tuple[Fault | None, float]:
        """The fault for this occurrence of request `key`, and a second uniform to pick its variant."""
        s = self.spec
        if not (s.p_5xx or s.p_drop or s.p_malformed or s.p_secondary):
            return None, 0.0
        u, v = self._uniforms(key)
        for fault, p in ((Fault.SERVER_ERROR, s.p_5xx), (Fault.DROP, s.p_drop),
                         (Fault.MALFORMED, s.p_malformed), (Fault.SECONDARY, s.p_secondary)):
            if u < p:
                return fault, v
            u -= p
        return None, v
