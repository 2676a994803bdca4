"""Run a GitHub sandbox in a background thread (tests, benchmarks): real HTTP on loopback."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sandbox.github.app import GitHubSandbox
from sandbox.github.data import GitHubData


@contextmanager
def serve_in_thread(data: GitHubData | Path | str, host: str = "127.0.0.1", port: int = 0,
                    **options: Any) -> Iterator[GitHubSandbox]:
    """A started sandbox (`.url`, `.requests`, `.data`) for the duration of the `with` block.

    `options` are GitHubSandbox's (latency_ms, faults, request_log, rate_limit, rate_window)."""
    sandbox = GitHubSandbox(data, **options)
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    failure: list[BaseException] = []

    def main() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(sandbox.start(host, port))
        except BaseException as exc:  # noqa: BLE001 - reported to the caller's thread
            failure.append(exc)
            ready.set()
            return
        ready.set()
        loop.run_forever()
        loop.run_until_complete(sandbox.stop())
        loop.close()

    thread = threading.Thread(target=main, name="github-sandbox", daemon=True)
    thread.start()
    ready.wait(30)
    if failure:
        raise failure[0]
    try:
        yield sandbox
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
