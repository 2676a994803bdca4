"""Fixtures for the slash-command tests: the generated small community judged once per session
(import + `scout train` + `scout classify`, ~10 s), then per test a private copy of that database,
the Discord sandbox serving the same community's guild, and settings for both."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from collectors.discord.client import configure_endpoints, restore_endpoints
from config.settings import Settings, get_settings
from sandbox.discord import DiscordSandbox
from storage.db import make_engine
from tests.helpers.bot_answers import copy_db, judge_dataset
from tests.helpers.discord_fixtures import TOKEN


@pytest.fixture(scope="session")
def judged_small_db(small_dataset: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return judge_dataset(small_dataset, tmp_path_factory.mktemp("judged"))


@dataclass
class Community:
    """The judged small community for one test: its truth, database, sandbox and settings."""

    dataset: Path
    truth: dict[str, Any]
    now: str
    engine: Engine
    db_url: str
    sandbox: DiscordSandbox
    tmp: Path
    monkeypatch: pytest.MonkeyPatch

    def settings(self, config: Path | None = None) -> Settings:
        env = {"SCOUT_DATABASE_URL": self.db_url, "SCOUT_DISCORD_API_URL": self.sandbox.api_url,
               "SCOUT_DISCORD_GATEWAY_URL": self.sandbox.gateway_url, "SCOUT_DISCORD_TOKEN": TOKEN,
               "SCOUT_NOW": self.now}
        for k, v in env.items():
            self.monkeypatch.setenv(k, v)
        if config is not None:
            self.monkeypatch.setenv("SCOUT_CONFIG", str(config))
        return get_settings()

    def channel_id(self, name: str) -> int:
        chans = json.loads((self.dataset / "discord" / "channels.json").read_text())
        return int(next(c["id"] for c in chans if c["name"] == name))

    def member(self, login: str) -> dict[str, Any]:
        members = json.loads((self.dataset / "discord" / "members.json").read_text())
        return next(m for m in members if m["user"]["username"] == login)


@pytest.fixture
async def community(small_dataset: Path, judged_small_db: Path, tmp_path: Path,
                    monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Community]:
    url = copy_db(judged_small_db, tmp_path / "scout.db")
    eng = make_engine(url)
    sb = await DiscordSandbox(small_dataset, request_log=tmp_path / "discord-requests.jsonl").start()
    previous = configure_endpoints(sb.api_url, sb.gateway_url)
    try:
        meta = json.loads((small_dataset / "meta.json").read_text())
        yield Community(small_dataset, json.loads((small_dataset / "truth.json").read_text()), meta["now"], eng, url,
                        sb, tmp_path, monkeypatch)
    finally:
        restore_endpoints(previous)
        await sb.stop()
        eng.dispose()


@pytest.fixture
def unjudged_small_db(small_dataset: Path, tmp_path: Path) -> Iterator[str]:
    """The small community imported but not trained or classified (the "no data yet" case)."""
    from storage.db import upgrade
    from storage.importer import import_dataset

    url = f"sqlite:///{tmp_path}/imported.db"
    eng = make_engine(url)
    upgrade(eng)
    import_dataset(eng, small_dataset)
    eng.dispose()
    yield url
