"""Fixtures for the report tests: the planted world in a fresh database, and its watch config."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from config import load_watch_config
from config.watch import WatchConfig
from storage.db import session_scope
from storage.read import RepoSnapshot, load_snapshot
from tests.reports.world import NOW, REPO, build_world


@pytest.fixture
def watch() -> WatchConfig:
    return load_watch_config()


@pytest.fixture
def world(engine: Engine) -> Iterator[Engine]:
    """The planted world of tests/reports/world.py in a migrated database (SQLite, and PostgreSQL when set)."""
    build_world(engine)
    yield engine


@pytest.fixture
def snap(world: Engine) -> RepoSnapshot:
    """The world's snapshot for the day before NOW."""
    from datetime import timedelta

    with session_scope(world) as s:
        return load_snapshot(s, REPO, NOW, NOW - timedelta(days=1), NOW, bots=("mergify[bot]",))


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    return tmp_path / "out"
