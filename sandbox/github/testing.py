"""Run a GitHub sandbox in a background thread (tests, benchmarks): real HTTP on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sandbox.github.app import GitHubSandbox
from sandbox.github.data import GitHubData
from sandbox.serving import serve_in_thread as serve_server


@contextmanager
def serve_in_thread(data: GitHubData | Path | str, host: str = "127.0.0.1", port: int = 0,
                    **options: Any) -> Iterator[GitHubSandbox]:
    """A started sandbox (`.url`, `.requests`, `.data`) for the duration of the `with` block.

    `options` are GitHubSandbox's (latency_ms, faults, request_log, rate_limit, rate_window)."""
    with serve_server(GitHubSandbox(data, **options), host, port) as sandbox:
        yield sandbox
