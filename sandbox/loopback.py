"""What the Slack and Discourse sandboxes share: an aiohttp server on loopback, added latency,
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO, TypeVar

from aiohttp import web

from sandbox.github.faults import Fault, FaultPlan, FaultSpec

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


def malform(body: bytes, variant: float) -> bytes:
    """A truncated body (a connection dying mid-transfer) or one with a syntax error."""
    if len(body) < 2:
        return b"{"
    cut = max(1, min(len(body) - 1, int(len(body) * (0.2 + 0.6 * variant))))
    return body[:cut] if variant < 0.5 else body[:cut] + b'"}\x00,]' + body[cut:]


class LoopbackServer:
    """Base of the chat sandboxes; subclasses set `name` and implement `answer` and `bucket`."""

    name = "loopback"

    def __init__(self, *, latency_ms: float = 0.0, faults: FaultSpec | str | None = None,
                 request_log: Path | str | None = None, limiter: WindowLimiter | None = None) -> None:
        spec = faults if isinstance(faults, FaultSpec) else FaultSpec.parse(faults)
        self.faults = FaultPlan(spec)
        self.latency = max(0.0, latency_ms) / 1000.0
        self.limiter = limiter
        self.request_log = Path(request_log) if request_log else None
        self._log_file: TextIO | None = None
        self.requests: list[dict[str, Any]] = []
        self._runner: web.AppRunner | None = None
        self.url: str | None = None
        self.port = 0

    # ------------------------------------------------------------------ lifecycle
    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        return app

    def base_url(self, host: str, port: int) -> str:
        return f"http://{host}:{port}"

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        if self.request_log is not None:
            self.request_log.parent.mkdir(parents=True, exist_ok=True)
            self._log_file = self.request_log.open("a", encoding="utf-8", buffering=1)
        self._runner = web.AppRunner(self.make_app(), access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port, reuse_address=True)
        await site.start()
        addresses = self._runner.addresses  # the bound port when `port` was 0
        self.port = addresses[0][1] if addresses else port
        self.url = self.base_url(host, self.port)
        log.info("%s sandbox on %s", self.name, self.url)
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

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
        self.requests.append(line)
        if self._log_file is not None:
            self._log_file.write(json.dumps(line) + "\n")

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


S = TypeVar("S", bound=LoopbackServer)


@contextmanager
def serve_in_thread(server: S, host: str = "127.0.0.1") -> Iterator[S]:
    """`server` started on a free loopback port for the `with` block (its `.url` is set), in a background
    thread: for synchronous clients (slack_sdk, requests) in tests and benchmarks."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    failure: list[BaseException] = []

    def main() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(server.start(host, 0))
        except BaseException as exc:  # noqa: BLE001 - reported to the caller's thread
            failure.append(exc)
            ready.set()
            return
        ready.set()
        loop.run_forever()
        loop.run_until_complete(server.stop())
        loop.close()

    thread = threading.Thread(target=main, name=f"{server.name}-sandbox", daemon=True)
    thread.start()
    ready.wait(30)
    if failure:
        raise failure[0]
    try:
        yield server
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
