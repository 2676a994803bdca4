"""Pytest fixtures for the Discord sandbox and real discord.py clients against it.

Use in a test module with `from tests.helpers.discord_fixtures import *  # noqa: F403`
(or list this module in the root conftest's `pytest_plugins`).

- `discord_dataset`: a small generated guild (tests.helpers.discord_data), written to tmp_path;
- `discord_sandbox`: a started `DiscordSandbox` on a free loopback port (request log in tmp_path);
- `discord_endpoints`: discord.py pointed at that sandbox for the test, restored afterwards;
- `discord_settings`: `Settings` for the sandbox and the conftest `engine` database (SQLite, and
  PostgreSQL when configured);
- `github_profiles`: a GitHub sandbox (in a thread) serving two profiles, `octocat` and `gistfan`,
  whose `bio` / gists a test edits through `.data.profiles` / `.data.gists` (for `/link`);
- `connect(client)`: async context manager, the client started and READY (collectors' `connected`);
- `running_bot(settings, engine, ...)`: a `ScoutBot` connected to the sandbox and READY.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import discord
import pytest
from sqlalchemy import Engine

from collectors.discord.client import configure_endpoints, connected, restore_endpoints
from config.settings import Settings, get_settings
from sandbox.discord import DiscordSandbox
from tests.helpers.discord_data import DiscordDataset, build_discord_dataset

TOKEN = "test-bot-token"

__all__ = ["TOKEN", "connect", "discord_dataset", "discord_endpoints", "discord_sandbox", "discord_settings",
           "github_profiles", "running_bot"]


@pytest.fixture
def discord_dataset(tmp_path: Path) -> DiscordDataset:
    return build_discord_dataset(tmp_path / "dataset", per_channel=30)


@pytest.fixture
async def discord_sandbox(discord_dataset: DiscordDataset, tmp_path: Path) -> AsyncIterator[DiscordSandbox]:
    sb = await DiscordSandbox(discord_dataset.path, request_log=tmp_path / "discord-requests.jsonl").start()
    try:
        yield sb
    finally:
        await sb.stop()


@pytest.fixture
def discord_endpoints(discord_sandbox: DiscordSandbox) -> Iterator[DiscordSandbox]:
    previous = configure_endpoints(discord_sandbox.api_url, discord_sandbox.gateway_url)
    try:
        yield discord_sandbox
    finally:
        restore_endpoints(previous)


@pytest.fixture
def discord_settings(discord_sandbox: DiscordSandbox, discord_dataset: DiscordDataset, db_url: str, engine: Engine,
                     monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings (from the environment, as the CLI builds them) for the sandbox and the `engine` database."""
    env = {"SCOUT_DATABASE_URL": db_url, "SCOUT_DISCORD_API_URL": discord_sandbox.api_url,
           "SCOUT_DISCORD_GATEWAY_URL": discord_sandbox.gateway_url, "SCOUT_DISCORD_TOKEN": TOKEN,
           "SCOUT_NOW": discord_dataset.now.strftime("%Y-%m-%dT%H:%M:%SZ")}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return get_settings()


@asynccontextmanager
async def connect(client: discord.Client, token: str = TOKEN, timeout: float = 15.0) -> AsyncIterator[discord.Client]:
    async with connected(client, token, timeout=timeout) as c:
        yield c


@pytest.fixture
def github_profiles(tmp_path: Path) -> Iterator[Any]:
    import json

    from sandbox.github.testing import serve_in_thread

    root = tmp_path / "github-profiles"
    (root / "github").mkdir(parents=True)
    (root / "meta.json").write_text(json.dumps({"format": 1, "now": "2026-11-27T00:00:00Z"}))
    (root / "github" / "users.json").write_text(json.dumps([
        {"login": "octocat", "id": 583231, "type": "User", "bio": "I like cats", "name": "The Octocat"},
        {"login": "gistfan", "id": 583232, "type": "User", "bio": None},
    ]))
    with serve_in_thread(root) as sb:
        yield sb


@asynccontextmanager
async def running_bot(settings: Settings, engine: Engine, *, github_url: str | None = None,
                      extensions: list[str] | None = None, hooks: tuple[Any, ...] = ()) -> AsyncIterator[Any]:
    """A `ScoutBot` with real services (PyGithub at `github_url`), READY against the sandbox."""
    from bot.app import ScoutBot, Services
    from collectors.discord.identity import make_github

    github = (lambda: make_github(github_url, fast=True)) if github_url else None
    bot = ScoutBot(Services.from_settings(settings, engine, github=github), extensions=extensions,
                   guild_ready_timeout=0.05)
    bot.startup_hooks.extend(hooks)
    async with connect(bot) as b:
        yield b
