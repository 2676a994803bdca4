"""`scout sandbox`: serve a dataset directory as GitHub (and, when asked, Discord) on loopback,
all servers in one process and one event loop, until stopped.

Each service is one clearly separated start function returning a `RunningServer` (a `url` and an
async `stop()`); `serve` starts the ones asked for, announces their base URLs, waits for a stop
signal and stops them in reverse order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from config.errors import ConfigError, DatasetError

log = logging.getLogger(__name__)


class RunningServer(Protocol):
    @property
    def url(self) -> str | None: ...

    async def stop(self) -> None: ...


@dataclass(frozen=True)
class SandboxOptions:
    """What every sandbox service shares: where the data is and how badly to behave."""

    dataset: Path
    host: str = "127.0.0.1"
    latency_ms: float = 0.0
    faults: str | None = None
    request_log: Path | None = None


@dataclass
class Started:
    servers: list[tuple[str, RunningServer]] = field(default_factory=list)

    def url(self, name: str) -> str | None:
        return next((s.url for n, s in self.servers if n == name), None)


async def start_github(opts: SandboxOptions, port: int) -> RunningServer:
    """The GitHub REST + GraphQL sandbox (sandbox/github)."""
    from sandbox.github import GitHubSandbox

    server = GitHubSandbox(opts.dataset, latency_ms=opts.latency_ms, faults=opts.faults,
                           request_log=opts.request_log)
    await server.start(opts.host, port)
    return server


async def start_discord(opts: SandboxOptions, port: int) -> RunningServer:
    """The Discord REST + gateway sandbox: `sandbox.discord.start(opts, port)` (issue 6 provides it)."""
    try:
        from sandbox.discord import start
    except ImportError as exc:
        raise ConfigError("--discord-port: the Discord sandbox is not part of this build yet") from exc
    return await start(opts, port)


async def start_slack(opts: SandboxOptions, port: int) -> RunningServer:
    """The Slack Web API sandbox (sandbox/slack), under `/api/`."""
    from sandbox.slack import start

    return await start(opts, port)


async def start_discourse(opts: SandboxOptions, port: int) -> RunningServer:
    """The Discourse JSON API sandbox (sandbox/discourse)."""
    from sandbox.discourse import start

    return await start(opts, port)


async def serve(opts: SandboxOptions, github_port: int | None = 0, discord_port: int | None = None,
                announce: Callable[[str, str], None] | None = None, stop: asyncio.Event | None = None,
                slack_port: int | None = None, discourse_port: int | None = None) -> None:
    """Start the requested servers, announce each (name, base URL), and run until `stop` is set
    (SIGINT/SIGTERM set it when running as the main program)."""
    if not opts.dataset.is_dir():
        raise DatasetError(f"{opts.dataset}: not a dataset directory")
    stop = stop or asyncio.Event()
    started = Started()
    try:
        if github_port is not None:
            started.servers.append(("github", await start_github(opts, github_port)))
        if discord_port is not None:
            started.servers.append(("discord", await start_discord(opts, discord_port)))
        if slack_port is not None:
            started.servers.append(("slack", await start_slack(opts, slack_port)))
        if discourse_port is not None:
            started.servers.append(("discourse", await start_discourse(opts, discourse_port)))
        for name, server in started.servers:
            if announce and server.url:
                announce(name, server.url)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    finally:
        for _name, server in reversed(started.servers):
            await server.stop()


def run(dataset: Path | str, host: str = "127.0.0.1", github_port: int | None = 0, discord_port: int | None = None,
        latency_ms: float = 0.0, faults: str | None = None, request_log: Path | str | None = None,
        announce: Callable[[str, str], None] | None = None, slack_port: int | None = None,
        discourse_port: int | None = None) -> None:
    """Blocking entry point used by `scout sandbox`."""
    opts = SandboxOptions(dataset=Path(dataset), host=host, latency_ms=latency_ms, faults=faults,
                          request_log=Path(request_log) if request_log else None)
    if faults:
        from sandbox.github.faults import FaultSpec

        FaultSpec.parse(faults)  # a bad spec fails before anything listens
    asyncio.run(serve(opts, github_port=github_port, discord_port=discord_port, announce=announce,
                      slack_port=slack_port, discourse_port=discourse_port))
