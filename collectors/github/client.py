"""How oss-scout talks to GitHub: PyGithub's Requester (auth, base URL, GHE prefix, connection
pool) with our own retries, conditional requests and rate-limit pacing on top.

Why not PyGithub's PaginatedList and GithubRetry: lists never send `If-None-Match` (no 304s), a
truncated body raises mid-iteration with no way to retry that page, and GithubRetry does not back
off on 500 (it retries ten times in 0.4 s, then raises `requests.exceptions.RetryError`). Here every
request is one call: 5xx, dropped connections and malformed JSON are retried with exponential
backoff; a primary rate limit waits for the reset (or stops cleanly); a secondary limit honours
Retry-After; and every request, 304 and retry is counted for the run's record.
"""

from __future__ import annotations

import http.client
import json
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests
import urllib3
from github import Auth, Github

from config.errors import CollectorError

log = logging.getLogger(__name__)

_LINK = re.compile(r'<([^>]+)>;\s*rel="([^"]+)"')
TRANSIENT_STATUS = frozenset({500, 502, 503, 504})
GRAPHQL_RESERVE = 100  # points kept back: the heaviest query we send costs less than this
CONNECTION_ERRORS = (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
                     requests.exceptions.ChunkedEncodingError, http.client.HTTPException,
                     urllib3.exceptions.HTTPError, ConnectionError)


class NotFoundError(CollectorError):
    """GitHub answered 404 (a repository, file or pull request that does not exist)."""


class RateLimitStop(CollectorError):
    """The rate limit is spent and its reset is further away than we are willing to wait."""

    exit_code = 3


class CollectionStopped(CollectorError):
    """The caller asked the collection to stop (the service is shutting down): everything up to the
    last stored page is checkpointed, and the next run resumes there. Not a failure."""


class PagingLimited(CollectorError):
    """GitHub refuses to page a list this deep (422 "pagination is limited for this resource")."""


class QueryTimeout(CollectorError):
    """GitHub gave up on a GraphQL query (502 "Something went wrong while executing your query. This
    may be the result of a timeout..."): the same query would time out again; ask for less."""


class MalformedResponse(CollectorError):
    """A body that is not the JSON GitHub promises, still after every retry."""


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    data: Any
    url: str

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    def link(self, rel: str) -> str | None:
        for url, name in _LINK.findall(self.headers.get("link", "")):
            if name == rel:
                return url
        return None

    @property
    def last_page(self) -> int | None:
        last = self.link("last")
        m = re.search(r"[?&]page=(\d+)", last or "")
        return int(m.group(1)) if m else None


@dataclass
class RequestStats:
    """What a run cost; shared by the worker threads of one run."""

    requests: int = 0
    not_modified: int = 0
    retries: int = 0
    rate_remaining: int | None = None
    rate_limit: int | None = None
    rate_reset: int | None = None
    graphql_remaining: int | None = None
    graphql_reset: int | None = None
    graphql_limit: int | None = None
    graphql_points: int = 0  # points spent, from each query's `rateLimit { cost }`
    secondary_waits: int = 0
    rate_waits: int = 0
    waited_seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **counts: int) -> None:
        with self._lock:
            for k, v in counts.items():
                setattr(self, k, getattr(self, k) + v)


@dataclass(frozen=True)
class ClientOptions:
    """Retry and pacing policy. Defaults suit api.github.com; tests shrink the waits."""

    per_page: int = 100
    timeout: int = 30
    max_retries: int = 6  # per request, for 5xx, dropped connections, malformed bodies
    backoff: float = 0.5  # first retry waits this long, doubling each time ...
    max_backoff: float = 30.0  # ... up to this
    max_rate_wait: float = 900.0  # wait for a rate-limit reset at most this long, else stop cleanly (the CLI: an hour)
    secondary_wait: float = 60.0  # when a secondary limit gives no Retry-After (GitHub: "at least a minute")
    max_secondary: int = 8  # secondary limits met in a row by one request before we stop (GitHub: "throw an error")
    # PyGithub's default throttle (0.25 s per GET) would dominate a sync; GitHub asks for serial, not slow,
    # requests, and our concurrency is bounded by --workers. Writes keep a 1 s gap (GitHub's guidance).
    seconds_between_requests: float = 0.0
    seconds_between_writes: float = 1.0


class GitHubClient:
    """One per run. Thread-safe: each thread gets its own PyGithub instance (its connection is not)."""

    def __init__(self, base_url: str, token: str | None, options: ClientOptions | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.options = options or ClientOptions()
        self.sleep = sleep
        self.stats = RequestStats()
        self._local = threading.local()
        self._pace = threading.Lock()
        # Told of every wait (why, seconds): the CLI shows it with the time the run resumes.
        self.on_wait: Callable[[str, float], None] | None = None

    def github(self) -> Github:
        """This thread's PyGithub instance (lazy objects; no retry or throttle of its own)."""
        gh = getattr(self._local, "gh", None)
        if gh is None:
            o = self.options
            gh = Github(base_url=self.base_url, auth=Auth.Token(self._token) if self._token else None,
                        per_page=o.per_page, timeout=o.timeout, retry=None, lazy=True,
                        seconds_between_requests=o.seconds_between_requests,
                        seconds_between_writes=o.seconds_between_writes)
            self._local.gh = gh
        return gh

    def close(self) -> None:
        gh = getattr(self._local, "gh", None)
        if gh is not None:
            gh.close()
            self._local.gh = None

    # ------------------------------------------------------------------ rate limits

    def _note_rate(self, headers: dict[str, str]) -> None:
        try:
            remaining = int(float(headers["x-ratelimit-remaining"]))
            limit = int(float(headers["x-ratelimit-limit"]))
            reset = int(float(headers["x-ratelimit-reset"]))
        except (KeyError, ValueError):
            return
        with self.stats._lock:
            if headers.get("x-ratelimit-resource", "core") == "graphql":
                self.stats.graphql_remaining, self.stats.graphql_reset = remaining, reset
                self.stats.graphql_limit = limit
            else:
                self.stats.rate_remaining, self.stats.rate_limit, self.stats.rate_reset = remaining, limit, reset

    def _reserve(self) -> int:
        limit = self.stats.rate_limit or 5000
        return max(1, min(50, limit // 100))

    def _wait(self, reason: str, seconds: float) -> None:
        """Sleep, counted and told to `on_wait` (the progress bar shows it with its end)."""
        with self.stats._lock:
            self.stats.waited_seconds += seconds
        if self.on_wait is not None:
            self.on_wait(reason, seconds)
        self.sleep(seconds)

    def _wait_for_reset(self, reason: str, resource: str = "core") -> None:
        reset = (self.stats.graphql_reset if resource == "graphql" else self.stats.rate_reset) or int(time.time()) + 60
        wait = max(0.0, reset - time.time()) + 1.0
        if wait > self.options.max_rate_wait:
            at = datetime.fromtimestamp(reset, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
            raise RateLimitStop(f"GitHub rate limit {reason}: it resets at {at} (in {wait / 60:.0f} min), longer than "
                                f"the {self.options.max_rate_wait / 60:.0f} min we wait; stopped cleanly, progress is "
                                "saved, run again after the reset")
        log.warning("GitHub rate limit %s: waiting %.0f s for the reset", reason, wait)
        self.stats.add(rate_waits=1)
        self._wait(f"rate limit {reason}", wait)
        with self.stats._lock:
            if resource == "graphql":
                self.stats.graphql_remaining = None
            else:
                self.stats.rate_remaining = None

    def _pace_before_request(self, resource: str = "core") -> None:
        """Slow down before the wall: with the quota nearly spent, wait for the reset first (GraphQL:
        when the points left could not pay for a heavy query)."""
        with self._pace:
            if resource == "graphql":
                left, reset = self.stats.graphql_remaining, self.stats.graphql_reset
                reserve = max(1, min(GRAPHQL_RESERVE, (self.stats.graphql_limit or 5000) // 50))
                if left is not None and left <= reserve and (reset or 0) > time.time():
                    self._wait_for_reset(f"nearly spent ({left} GraphQL points left)", "graphql")
                return
            remaining = self.stats.rate_remaining
            if remaining is not None and remaining <= self._reserve() and (self.stats.rate_reset or 0) > time.time():
                self._wait_for_reset(f"nearly spent ({remaining} of {self.stats.rate_limit} left)")

    def _secondary_wait(self, headers: dict[str, str], hits: int) -> float:
        """GitHub's documented order: Retry-After; else the primary reset when none is left; else at
        least a minute; doubling while the limit keeps answering."""
        retry_after = headers.get("retry-after", "")
        if retry_after.strip().isdigit():
            base = float(retry_after)
        elif headers.get("x-ratelimit-remaining") == "0" and headers.get("x-ratelimit-reset", "").isdigit():
            base = max(1.0, float(headers["x-ratelimit-reset"]) - time.time())
        else:
            base = self.options.secondary_wait
        return base * (2 ** (hits - 1))

    # ------------------------------------------------------------------ requests

    def _backoff(self, attempt: int) -> float:
        return min(self.options.max_backoff, self.options.backoff * (2 ** attempt))

    def request(self, method: str, url: str, params: dict[str, Any] | None = None, etag: str | None = None,
                body: Any = None, what: str | None = None, expect_json: bool = True) -> Response:
        """One logical request, retried until it yields a usable answer (2xx or 304).

        Raises NotFoundError on 404, RateLimitStop when the limit outlasts our patience, and
        CollectorError for other refusals or when retries run out."""
        what = what or url
        headers = {"If-None-Match": etag} if etag else {}
        attempt = 0
        rate_waits = 0
        secondary = 0
        problem = ""
        resource = "graphql" if method == "POST" and url.rstrip("/").endswith("graphql") else "core"
        while True:
            if attempt > self.options.max_retries:
                if problem.startswith("malformed"):
                    raise MalformedResponse(f"{what}: {problem} (after {self.options.max_retries} retries)")
                raise CollectorError(f"{what}: {problem} (after {self.options.max_retries} retries)")
            if attempt:
                self.stats.add(retries=1)
                delay = self._backoff(attempt - 1)
                log.info("%s: %s; retry %d in %.1f s", what, problem, attempt, delay)
                self.sleep(delay)
            self._pace_before_request(resource)
            self.stats.add(requests=1)
            try:
                status, resp_headers, text = self.github().requester.requestJson(
                    method, url, parameters=params, headers=dict(headers), input=body)
            except CONNECTION_ERRORS as exc:
                problem = f"connection failed ({type(exc).__name__})"
                self.close()  # a half-read connection must not be reused
                attempt += 1
                continue
            self._note_rate(resp_headers)
            if status == 304:
                self.stats.add(not_modified=1)
                return Response(304, resp_headers, None, url)
            if (
                status == 502
                and resource == "graphql"
                and "something went wrong while executing your query" in text.lower()
            ):
                raise QueryTimeout(f"{what}: GitHub timed out on the query (502)")
            if status in TRANSIENT_STATUS:
                problem = f"HTTP {status}"
                retry_after = resp_headers.get("retry-after")
                if retry_after and retry_after.isdigit():
                    self.sleep(min(float(retry_after), self.options.max_rate_wait))
                attempt += 1
                continue
            if status in (403, 429):
                message = _message(text)
                low = message.lower()
                if low.startswith(("api rate limit exceeded", "api rate limit already exceeded")) or (
                        status == 403 and resp_headers.get("x-ratelimit-remaining") == "0" and "rate limit" in low):
                    rate_waits += 1
                    if rate_waits > 3:
                        raise RateLimitStop(
                            f"{what}: still rate limited after {rate_waits - 1} resets; stopped cleanly"
                        )
                    self._wait_for_reset("exhausted", resource)
                    continue  # waiting for a reset is not a failed attempt
                if "secondary rate limit" in low or status == 429 or "retry-after" in resp_headers:
                    secondary += 1
                    wait = self._secondary_wait(resp_headers, secondary)
                    if secondary > self.options.max_secondary or wait > self.options.max_rate_wait:
                        raise RateLimitStop(f"{what}: secondary rate limit {secondary} times in a row (next wait "
                                            f"{wait:.0f} s); stopped cleanly, progress is saved")
                    log.warning("%s: secondary rate limit, waiting %.0f s", what, wait)
                    self.stats.add(retries=1, secondary_waits=1)
                    self._wait("secondary rate limit", wait)
                    continue
                raise CollectorError(f"{what}: HTTP {status}: {message or 'forbidden'}")
            if status == 404:
                raise NotFoundError(f"{what}: not found (404)")
            if status == 422 and "pagination is limited" in _message(text).lower():
                raise PagingLimited(f"{what}: GitHub limits how deep this list pages (422)")
            if status >= 400:
                raise CollectorError(f"{what}: HTTP {status}: {_message(text) or text[:200]}")
            if not expect_json or status == 204:
                return Response(status, resp_headers, None, url)
            try:
                data = json.loads(text) if text else None
            except json.JSONDecodeError as exc:
                problem = f"malformed JSON ({exc.msg} at character {exc.pos} of {len(text)})"
                attempt += 1
                continue
            return Response(status, resp_headers, data, url)

    def get(self, url: str, params: dict[str, Any] | None = None, etag: str | None = None,
            what: str | None = None) -> Response:
        return self.request("GET", url, params=params, etag=etag, what=what)

    def graphql(
        self, query: str, variables: dict[str, Any], what: str = "graphql"
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """(data, errors) of a GraphQL query; field errors come back to the caller, not raised.

        A response without data, or one whose only error is GitHub's RATE_LIMITED, is retried like
        a transient failure (RATE_LIMITED waits for the reset)."""
        url = self.github().requester.graphql_url
        for _ in range(self.options.max_retries + 1):
            resp = self.request("POST", url, body={"query": query, "variables": variables}, what=what)
            payload = resp.data if isinstance(resp.data, dict) else {}
            errors = payload.get("errors") or []
            if any(e.get("type") == "RATE_LIMITED" for e in errors):
                with self.stats._lock:
                    self.stats.graphql_reset = int(float(resp.headers.get("x-ratelimit-reset", time.time() + 60)))
                self._wait_for_reset("exhausted (GraphQL)", "graphql")
                continue
            rate = (payload.get("data") or {}).get("rateLimit") if isinstance(payload.get("data"), dict) else None
            if isinstance(rate, dict) and isinstance(rate.get("cost"), int):
                self.stats.add(graphql_points=rate["cost"])
            if payload.get("data") is None:
                raise CollectorError(f"{what}: GraphQL refused the query: "
                                     + "; ".join(str(e.get("message")) for e in errors[:3]))
            return payload["data"], errors
        raise CollectorError(f"{what}: GraphQL rate limit did not reset")


def _message(text: str) -> str:
    try:
        data = json.loads(text)
    except (ValueError, TypeError):
        return ""
    return str(data.get("message", "")) if isinstance(data, dict) else ""
