"""What every HTTP sandbox shares, whatever it speaks: an aiohttp server on loopback (start, stop,
the bound URL), its request log (kept in memory for tests and appended to a file, one JSON line a
request), a malformed body for injected faults, and a run in a background thread for synchronous
clients. The GitHub sandbox (sandbox.github.app) and the chat ones (sandbox.loopback) build on it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO, TypeVar

from aiohttp import web

log = logging.getLogger(__name__)


def malform(body: bytes, variant: float) -> bytes:
    """A truncated body (a connection dying mid-transfer) or one with a syntax error."""
    if len(body) < 2:
        return b"{"
    cut = max(1, min(len(body) - 1, int(len(body) * (0.2 + 0.6 * variant))))
    return body[:cut] if variant < 0.5 else body[:cut] + b'"}\x00,]' + body[cut:]


class LoopbackService:
    """One sandbox server: subclasses set `name` (and `max_body`) and answer every request in `_handle`."""

    name = "loopback"
    max_body = 1024 * 1024  # the largest request body accepted

    def __init__(self, request_log: Path | str | None = None) -> None:
        self.request_log = Path(request_log) if request_log else None
        self._log_file: TextIO | None = None
        self.requests: list[dict[str, Any]] = []  # the same lines as the request log, for tests
        self._runner: web.AppRunner | None = None
        self.url: str | None = None
        self.port = 0

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=self.max_body)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        return app

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raise NotImplementedError

    def base_url(self, host: str, port: int) -> str:
        return f"http://{host}:{port}"

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on host:port (0 picks a free port); returns the base URL."""
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

    def record(self, line: dict[str, Any]) -> None:
        """One request's log line (never a token: the subclass leaves secrets out)."""
        self.requests.append(line)
        if self._log_file is not None:
            self._log_file.write(json.dumps(line) + "\n")


def read_request_log(path: Path) -> list[dict[str, Any]]:
    """The lines a sandbox wrote to its request log (none when it wrote no file)."""
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def free_port() -> int:
    """A loopback port free now (for a sandbox started in another process)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


S = TypeVar("S", bound=LoopbackService)


@contextmanager
def serve_in_thread(server: S, host: str = "127.0.0.1", port: int = 0) -> Iterator[S]:
    """`server` started on loopback (a free port unless `port` is given) for the `with` block (its
    `.url` is set), in a background thread: for synchronous clients in tests and benchmarks."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    failure: list[BaseException] = []

    def main() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(server.start(host, port))
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
