"""Alembic brings an empty database to head, and the migrations match the models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from storage.db import current_revision, head_revision, make_engine, upgrade
from storage.models import Base
from tests.helpers import run_scout


def test_upgrade_empty_database_to_head_and_models_match(db_url: str) -> None:
    engine = make_engine(db_url)
    assert current_revision(engine) is None
    assert upgrade(engine) == head_revision()
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == [], f"models and migrations differ; run tools/regen_initial_migration.py: {diff}"
    assert set(inspect(engine).get_table_names()) >= {t for t in Base.metadata.tables}
    # upgrading again is a no-op
    assert upgrade(engine) == head_revision()


def test_sqlite_runs_with_wal_and_foreign_keys(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_db_upgrade_command(tmp_path) -> None:
    proc = run_scout("db", "upgrade", env={"SCOUT_DATABASE_URL": f"sqlite:///{tmp_path}/a.db"})
    assert f"at revision {head_revision()}" in proc.stdout
