"""A collection killed mid-run leaves its `sync_runs` row open; the next run of the same
collection closes it as abandoned (a killed process cannot), and never touches other scopes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, select

from collectors.github import ClientOptions, GitHubClient, GitHubCollector
from collectors.github.checkpoints import start_run
from storage.db import session_scope
from storage.health import ABANDONED
from storage.models import SyncRun
from tests.helpers.github_data import NOW, build_github_dataset

FAST = ClientOptions(backoff=0.01, max_backoff=0.05, secondary_wait=0.05, max_rate_wait=10)


def _runs(engine: Engine) -> list[tuple[str, bool, bool, str | None]]:
    with session_scope(engine) as s:
        return [(r.scope, r.finished_at is not None, r.ok, r.error)
                for r in s.scalars(select(SyncRun).order_by(SyncRun.id))]


def test_the_next_run_closes_a_killed_runs_row(engine: Engine, github_sandbox, tmp_path: Path) -> None:
    sb = github_sandbox(build_github_dataset(tmp_path / "d", issues=3, pulls=1, comments=1, events=1, reviews=1))
    start_run(engine, "acme/engine", NOW - timedelta(hours=2))  # what a SIGKILLed collection leaves behind
    start_run(engine, "other/repo", NOW - timedelta(hours=2))  # another collection's row is not ours to close
    assert _runs(engine) == [("acme/engine", False, False, None), ("other/repo", False, False, None)]
    client = GitHubClient(sb.url, "test-token", FAST)
    try:
        result = GitHubCollector(engine, client, "acme/engine", since=NOW - timedelta(days=7)).run()
    finally:
        client.close()
    assert result.ok
    assert _runs(engine) == [("acme/engine", True, False, ABANDONED), ("other/repo", False, False, None),
                             ("acme/engine", True, True, None)]
