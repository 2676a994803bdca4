"""A mistyped SQLite path is an error, not a new empty database: only `scout db upgrade`,
`scout import` and the demo (and the service's first start) create one."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.errors import StorageError
from storage.db import ensure_schema, make_engine
from tests.helpers import run_scout

MINI = Path(__file__).resolve().parents[1] / "data" / "mini_dataset"


def test_ensure_schema_refuses_a_missing_file_and_creates_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "typo" / "scout.db"
    eng = make_engine(f"sqlite:///{path}")
    with pytest.raises(StorageError, match=f"database {path} does not exist"):
        ensure_schema(eng)
    assert not path.exists() and not path.parent.exists()
    ensure_schema(eng, create=True)
    assert path.is_file()
    ensure_schema(eng)  # now it exists
    eng.dispose()


@pytest.mark.parametrize("args", [("status",), ("shortlist",), ("collect", "github", "--days", "1")])
def test_commands_that_read_say_the_database_does_not_exist(tmp_path: Path, args: tuple[str, ...]) -> None:
    path = tmp_path / "scuot.db"
    proc = run_scout(*args, env={"SCOUT_DATABASE_URL": f"sqlite:///{path}", "COLUMNS": "400",
                                 "SCOUT_GITHUB_API_URL": "http://127.0.0.1:9"}, check=False, timeout=120)
    assert proc.returncode == 1
    assert f"database {path} does not exist" in proc.stderr and "Traceback" not in proc.stderr
    assert not path.exists()


def test_import_and_db_upgrade_create_one(tmp_path: Path) -> None:
    imported = tmp_path / "a" / "imported.db"
    run_scout("import", str(MINI), env={"SCOUT_DATABASE_URL": f"sqlite:///{imported}"})
    upgraded = tmp_path / "b" / "upgraded.db"
    run_scout("db", "upgrade", env={"SCOUT_DATABASE_URL": f"sqlite:///{upgraded}"})
    assert imported.is_file() and upgraded.is_file()
