"""What the Slack and Discourse sandboxes share, on top of sandbox.serving's server: added latency,
injected faults (`--faults`, as for GitHub: 5xx, dropped connections, malformed bodies; draws
depend only on the request and how often it was seen), rate limits in fixed windows, and a
request log whose lines never hold a token.

A subclass answers `answer(request, body) -> Reply`; everything else happens here in one order:
latency -> rate limit (`limited`) -> injected fault -> the answer.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from sandbox.github.faults import Fault, FaultPlan, FaultSpec
from sandbox.serving import LoopbackService, malform

log = logging.getLogger(__name__)

JSON_TYPE = "application/json; charset=utf-8"
_SECRET_PARAMS = ("token", "api_key")


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


class WindowLimiter:
    """Requests per (caller, bucket) in fixed windows that start at the first counted request."""

    def __init__(
        self, limits: dict[str, int], window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits = dict(limits)
        self.window = window
        self.clock = clock
        self._buckets: dict[tuple[str, str], tuple[float, int]] = {}
        self._lock = threading.Lock()

    def take(self, caller: str, bucket: str) -> int | None:
        """Count one request; None when allowed, else the seconds until the window ends (>= 1)."""
        limit = self.limits.get(bucket)
        if limit is None:
            return None
        now = self.clock()
        with self._lock:
            start, used = self._buckets.get((caller, bucket), (now, 0))
            if now >= start + self.window:
                start, used = now, 0
            if used >= limit:
                self._buckets[(caller, bucket)] = (start, used)
                return max(1, math.ceil(start + self.window - now))
            self._buckets[(caller, bucket)] = (start, used + 1)
            return None


def redact_query(query: str) -> str:
    """The query string with secret parameters' values replaced (request logs never hold tokens)."""
    parts = []
    for part in query.split("&") if query else []:
        key, sep, _ = part.partition("=")
        parts.append(f"{key}=(redacted)" if sep and key.lower() in _SECRET_PARAMS else part)
    return "&".join(parts)


class LoopbackServer(LoopbackService):
    """Base of the chat sandboxes; subclasses set `name` and implement `answer` and `bucket`."""

    def __init__(self, *, latency_ms: float = 0.0, faults: FaultSpec | str | None = None,
                 request_log: Path | str | None = None, limiter: WindowLimiter | None = None) -> None:
        super().__init__(request_log)
        spec = faults if isinstance(faults, FaultSpec) else FaultSpec.parse(faults)
        self.faults = FaultPlan(spec)
        self.latency = max(0.0, latency_ms) / 1000.0
        self.limiter = limiter

    # ------------------------------------------------------------------ the pipeline
    def caller(self, request: web.Request, form: dict[str, str]) -> str:
        """Whose quota a request counts against (a hash of its credentials, or its address)."""
        auth = request.headers.get("Authorization") or request.headers.get("Api-Key") or form.get("token") or ""
        if auth:
            return "key:" + hashlib.sha256(auth.encode()).hexdigest()[:16]
        return f"ip:{request.remote or '127.0.0.1'}"

    def bucket(self, request: web.Request) -> str:
        return "all"

    def rate_limited(self, retry_after: int) -> Reply:
        raise NotImplementedError

    async def answer(self, request: web.Request, form: dict[str, str]) -> Reply:
        raise NotImplementedError

    def _log(self, request: web.Request, status: int, nbytes: int, fault: str | None) -> None:
        line: dict[str, Any] = {"method": request.method, "path": request.path,
                                "query": redact_query(request.query_string), "status": status, "bytes": nbytes}
        if fault:
            line["fault"] = fault
        self.record(line)

    def _respond(self, request: web.Request, reply: Reply, raw: bytes | None = None,
                 fault: str | None = None) -> web.Response:
        data = raw if raw is not None else json.dumps(reply.body, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {"Content-Type": JSON_TYPE, **reply.headers}
        self._log(request, reply.status, len(data), fault)
        return web.Response(status=reply.status, body=data, headers=headers)

    async def read_form(self, request: web.Request) -> dict[str, str]:
        """Query parameters plus a form or JSON body (Slack takes arguments either way)."""
        form: dict[str, str] = {k: v for k, v in request.query.items()}
        if request.method == "POST" and request.can_read_body:
            ctype = request.headers.get("Content-Type", "")
            if ctype.startswith("application/json"):
                try:
                    body = json.loads(await request.read() or b"{}")
                except ValueError:
                    body = {}
                if isinstance(body, dict):
                    form.update({str(k): str(v) for k, v in body.items()})
            else:
                post = await request.post()
                form.update({k: str(v) for k, v in post.items()})
        return form

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if self.latency:
            await asyncio.sleep(self.latency)
        form = await self.read_form(request)
        if self.limiter is not None:
            wait = self.limiter.take(self.caller(request, form), self.bucket(request))
            if wait is not None:
                return self._respond(request, self.rate_limited(wait), fault="ratelimit")
        key = f"{request.method} {request.path} {redact_query(request.query_string)}"
        fault, variant = self.faults.draw(key)
        if fault is Fault.DROP:
            self._log(request, 0, 0, "drop")
            if request.transport is not None:
                request.transport.abort()
            raise web.HTTPServiceUnavailable
        if fault is Fault.SECONDARY:
            return self._respond(request, self.rate_limited(self.faults.spec.retry_after), fault="ratelimit")
        if fault is Fault.SERVER_ERROR:
            status = 500 if variant < 0.5 else 503
            return self._respond(request, Reply(status, {"ok": False, "error": "internal_error"}), fault="5xx")
        reply = await self.answer(request, form)
        if fault is Fault.MALFORMED and reply.status == 200:
            data = json.dumps(reply.body, ensure_ascii=False, separators=(",", ":")).encode()
            return self._respond(request, reply, raw=malform(data, variant), fault="malformed")
        return self._respond(request, reply)


def load_list(path: Path) -> list[dict[str, Any]]:
    """A dataset list file (missing: empty); anything but a list of objects is an error."""
    from config.errors import DatasetError

    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(data, list) or not all(isinstance(x, dict) for x in data):
        raise DatasetError(f"{path}: expected a JSON list of objects")
    return data


def load_object(path: Path) -> dict[str, Any]:
    from config.errors import DatasetError

    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise DatasetError(f"{path}: expected a JSON object")
    return data
