"""Shared fixtures: a real database per test (SQLite file, and PostgreSQL when available),
and generated datasets made once per session."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from storage.db import make_engine, upgrade

pytest_plugins = ["tests.helpers.discord_fixtures"]

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("SCOUT_TEST_POSTGRES_URL")  # e.g. postgresql+psycopg://postgres@127.0.0.1:54329/postgres
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's SCOUT_* settings or writes into the working tree."""
    for key in list(os.environ):
        if key.startswith("SCOUT_") and key != "SCOUT_TEST_POSTGRES_URL":
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("SCOUT_MODEL_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("SCOUT_OUTPUT_DIR", str(tmp_path / "out"))


def _postgres_database() -> Iterator[str]:
    assert PG_URL
    name = f"scout_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    base, _, _ = PG_URL.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL: an SQLite file, and (when configured) a PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/scout.db"
    else:
        yield from _postgres_database()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """An SQLite file only (for tests whose subject is not the database backend)."""
    return f"sqlite:///{tmp_path}/scout.db"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated engine on `db_url`."""
    eng = make_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


def _simulate(out: Path, seed: int, scale: str) -> Path:
    try:
        from sandbox.community import simulate
    except ImportError:
        pytest.skip("the community simulator is not available yet")
    from config import load_watch_config

    simulate(out, seed=seed, scale=scale, watch=load_watch_config())
    return out


@pytest.fixture(scope="session")
def small_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated `--scale small` community (seed 5), made once per test session. Treat as read-only."""
    return _simulate(tmp_path_factory.mktemp("small") / "d", seed=5, scale="small")


@pytest.fixture(scope="session")
def small_dataset_b(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second generated `--scale small` community with another seed (seed 6), for train/test splits."""
    return _simulate(tmp_path_factory.mktemp("small_b") / "d", seed=6, scale="small")
