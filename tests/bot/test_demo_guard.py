"""`scout demo --out DIR` deletes and rewrites only what it made: a folder it marked and a database
carrying its SQLite application_id. In Docker `--out /data` is the production database's folder."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from bot.demo import DEMO_MARKER, claim_output, create_demo_database, is_demo_database, run_demo
from config.errors import OssScoutError
from storage.db import make_engine, upgrade
from tests.helpers import run_scout


def _production_db(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    eng = make_engine(f"sqlite:///{path}")
    upgrade(eng)
    eng.dispose()
    return path


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_database_it_did_not_make_is_never_touched(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _production_db(data / "scout.db")
    before = _snapshot(data)
    with pytest.raises(OssScoutError, match="not empty and was not made by `scout demo`"):
        run_demo(data)
    assert _snapshot(data) == before


def test_the_cli_says_so_in_one_line_and_keeps_the_file(tmp_path: Path) -> None:
    keep = tmp_path / "keep"
    _production_db(keep / "scout.db")
    before = _snapshot(keep)
    proc = run_scout("demo", "--out", str(keep), check=False, timeout=120, env={"COLUMNS": "400"})
    assert proc.returncode == 1 and "was not made by `scout demo`" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert _snapshot(keep) == before


def test_a_foreign_database_in_a_demo_folder_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    claim_output(out)  # a demo folder ...
    _production_db(out / "scout.db")  # ... where someone put a real database
    before = _snapshot(out)
    with pytest.raises(OssScoutError, match="is not a database `scout demo` made"):
        claim_output(out)
    with pytest.raises(OssScoutError, match="is not a database `scout demo` made"):
        create_demo_database(out / "scout.db")
    assert _snapshot(out) == before


def test_non_databases_and_other_files_are_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(OssScoutError, match="not empty"):
        claim_output(out)
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(OssScoutError, match="is a file"):
        claim_output(tmp_path / "a-file")
    demo = tmp_path / "demo"
    claim_output(demo)
    (demo / "scout.db").write_text("not SQLite at all")
    assert not is_demo_database(demo / "scout.db")
    with pytest.raises(OssScoutError):
        claim_output(demo)


def test_its_own_folder_and_database_are_reused(tmp_path: Path) -> None:
    out = tmp_path / "new" / "out"
    claim_output(out)
    assert (out / DEMO_MARKER).is_file()
    eng = create_demo_database(out / "scout.db")
    eng.dispose()
    assert is_demo_database(out / "scout.db")
    claim_output(out)  # the second run may replace it
    eng = create_demo_database(out / "scout.db")
    eng.dispose()
    assert is_demo_database(out / "scout.db")
    shutil.rmtree(out)
