"""`scout status` as a health check: exit 1 when a watched repo never synced or its last successful
sync is older than `schedule.stale_after_hours`; per-repo sync age and rate limit, and the next
run of each scheduled job (read from the job table the service keeps in the same database)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from bot import scheduler as sched
from cli import app
from config import get_settings, iso_z, load_watch_config, parse_utc
from storage.db import session_scope
from storage.models import SyncRun
from tests.helpers import run_scout
from tests.helpers.watch_config import write_config

NOW = parse_utc("2026-11-27T12:00:00Z")


@pytest.fixture
def status_env(engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("SCOUT_DATABASE_URL", db_url)
    monkeypatch.setenv("SCOUT_NOW", iso_z(NOW))
    return engine


def add_run(engine: Engine, repo: str, finished: datetime, *, ok: bool = True, source: str = "github",
            remaining: int | None = 4321) -> None:
    with session_scope(engine) as s:
        s.add(SyncRun(source=source, scope=repo, started_at=finished - timedelta(minutes=2), finished_at=finished,
                      ok=ok, stored={"issues": 3}, requests=12, rate_limit_remaining=remaining,
                      error=None if ok else "boom"))


def status(*args: str) -> tuple[int, dict]:
    res = CliRunner().invoke(app, ["status", "--json", *args])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output
    return res.exit_code, json.loads(res.stdout)


def test_never_synced_is_unhealthy(status_env: Engine) -> None:
    code, report = status()
    assert code == 1
    assert report["healthy"] is False
    assert report["problems"] == ["vllm-project/vllm: never synced"]
    assert report["jobs"] == []  # the service never ran here


def test_last_sync_older_than_threshold_exits_non_zero(status_env: Engine) -> None:
    add_run(status_env, "vllm-project/vllm", NOW - timedelta(hours=4))
    add_run(status_env, "vllm-project/vllm", NOW - timedelta(minutes=10), ok=False)  # a failed run is no sync
    code, report = status()
    assert code == 1
    repo = report["repos"]["vllm-project/vllm"]
    assert repo["last_sync"] == iso_z(NOW - timedelta(hours=4))
    assert repo["last_sync_age_seconds"] == 4 * 3600
    assert report["problems"] == [f"vllm-project/vllm: last sync {iso_z(NOW - timedelta(hours=4))} is older than 3.0 h"]


def test_fresh_sync_is_healthy_with_age_and_rate_limit(status_env: Engine) -> None:
    add_run(status_env, "vllm-project/vllm", NOW - timedelta(hours=4))
    add_run(status_env, "vllm-project/vllm", NOW - timedelta(hours=1), remaining=4999)
    code, report = status()
    assert code == 0, report["problems"]
    repo = report["repos"]["vllm-project/vllm"]
    assert (repo["last_sync_age_seconds"], repo["rate_limit_remaining"], repo["last_sync_source"]) == (
        3600,
        4999,
        "github",
    )
    assert report["healthy"] is True and report["problems"] == []


def test_threshold_comes_from_the_config_and_each_enabled_repo_counts(status_env: Engine, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    config = write_config(tmp_path / "all.toml", enable_all=True, schedule={
        "github_every_minutes": 10, "discord_every_minutes": 15, "retrain_every_days": 7,
        "misfire_grace_seconds": 600, "stale_after_hours": 0.5})
    monkeypatch.setenv("SCOUT_CONFIG", str(config))
    add_run(status_env, "vllm-project/vllm", NOW - timedelta(minutes=10))
    add_run(status_env, "sgl-project/sglang", NOW - timedelta(minutes=45))
    add_run(status_env, "triton-lang/triton", NOW - timedelta(minutes=5))
    code, report = status()
    assert code == 1
    assert report["problems"] == [
        f"sgl-project/sglang: last sync {iso_z(NOW - timedelta(minutes=45))} is older than 0.5 h"
    ]
    assert set(report["repos"]) >= {"vllm-project/vllm", "sgl-project/sglang", "triton-lang/triton"}


async def test_status_lists_next_run_of_each_job(
    status_env: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_config(tmp_path / "all.toml", enable_all=True)
    monkeypatch.setenv("SCOUT_CONFIG", str(config))
    watch = load_watch_config(config)
    s = sched.make_scheduler(status_env, watch)
    s.start(paused=True)
    sched.install_jobs(s, sched.job_specs(watch))
    expected = {j.id: iso_z(j.next_run_time) for j in s.get_jobs()}
    s.shutdown(wait=False)
    for repo in ("vllm-project/vllm", "sgl-project/sglang", "triton-lang/triton"):
        add_run(status_env, repo, NOW - timedelta(minutes=30))
    code, report = status()
    assert code == 0, report["problems"]
    assert {j["id"]: j["next_run"] for j in report["jobs"]} == expected
    assert len(expected) == 8
    assert sched.job_status(get_settings()) == report["jobs"]


def test_status_through_the_real_entry_point(sqlite_url: str, tmp_path: Path) -> None:
    """The health check the Docker image runs: a stale database makes `scout status` exit 1."""
    from storage.db import make_engine, upgrade

    env = {"SCOUT_DATABASE_URL": sqlite_url, "SCOUT_NOW": iso_z(NOW)}
    eng = make_engine(sqlite_url)
    upgrade(eng)
    add_run(eng, "vllm-project/vllm", NOW - timedelta(hours=3, minutes=1))
    stale = run_scout("status", env=env, check=False)
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert "older than 3.0 h" in stale.stderr
    add_run(eng, "vllm-project/vllm", NOW - timedelta(minutes=1))
    eng.dispose()
    fresh = run_scout("status", env=env, check=False)
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr


async def test_status_table_shows_age_rate_limit_jobs_and_last_digest(status_env: Engine, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from storage.models import Digest

    watch = load_watch_config()
    s = sched.make_scheduler(status_env, watch)
    s.start(paused=True)
    sched.install_jobs(s, sched.job_specs(watch))
    expected = {j.id: iso_z(j.next_run_time) for j in s.get_jobs()}
    s.shutdown(wait=False)
    add_run(status_env, "vllm-project/vllm", NOW - timedelta(hours=2, minutes=5), remaining=4321)
    with session_scope(status_env) as session:
        session.add(Digest(repo="vllm-project/vllm", day="2026-11-26", payload={}, markdown="", chart_path=None,
                           created_at=NOW - timedelta(hours=20), posted_at=NOW - timedelta(hours=19), message_ids=[1]))
    from rich.console import Console

    monkeypatch.setattr("cli.data.out", Console(width=200, soft_wrap=True, highlight=False))
    res = CliRunner().invoke(app, ["status"])
    assert res.exit_code == 0, res.output
    assert "2h 05m" in res.stdout and "4321" in res.stdout
    assert f"last digest posted: 2026-11-26 at {iso_z(NOW - timedelta(hours=19))}" in res.stdout
    for job_id, next_run in expected.items():
        assert f"job {job_id}: next run {next_run}" in res.stdout
