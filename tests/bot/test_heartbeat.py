"""Liveness for the container health check: the service's heartbeat file and `scout status --live`."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.heartbeat import beat_forever, heartbeat_path, liveness, write_heartbeat
from tests.helpers import run_scout

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def test_liveness_reads_the_last_beat(tmp_path: Path) -> None:
    path = heartbeat_path(tmp_path)
    assert not liveness(path, NOW).alive and "no heartbeat" in liveness(path, NOW).line
    write_heartbeat(path, NOW - timedelta(seconds=45), ready=True, pid=4242)
    ok = liveness(path, NOW)
    assert ok.alive and ok.line == "alive: heartbeat 45 s ago, pid 4242, connected to Discord"
    stale = liveness(path, NOW + timedelta(minutes=5))
    assert not stale.alive and stale.line == "not alive: last heartbeat 2026-11-27T08:59:15Z, 345 s ago (> 120 s)"
    path.write_text("{half a fi")
    assert not liveness(path, NOW).alive and "unreadable heartbeat" in liveness(path, NOW).line


async def test_the_beat_keeps_coming_until_cancelled(tmp_path: Path) -> None:
    path = heartbeat_path(tmp_path / "out")
    clock = iter(NOW + timedelta(seconds=i) for i in range(1000))
    task = asyncio.create_task(beat_forever(path, lambda: next(clock), lambda: False, interval_s=0.01))
    for _ in range(200):
        await asyncio.sleep(0.01)
        if path.exists() and json.loads(path.read_text())["at"] >= "2026-11-27T09:00:03Z":
            break
    task.cancel()
    beat = json.loads(path.read_text())
    assert beat["at"] >= "2026-11-27T09:00:03Z" and beat["discord_ready"] is False
    assert not path.with_suffix(".json.tmp").exists()


def test_status_live_is_liveness_only(tmp_path: Path) -> None:
    env = {"SCOUT_OUTPUT_DIR": str(tmp_path), "SCOUT_NOW": "2026-11-27T09:00:30Z",
           # no database at all: liveness must not need one (a database outage is no reason to restart)
           "SCOUT_DATABASE_URL": "postgresql+psycopg://scout:pw@127.0.0.1:1/scout"}
    down = run_scout("status", "--live", env=env, check=False)
    assert down.returncode == 1 and down.stdout.startswith("not alive: no heartbeat at ")
    assert "Traceback" not in down.stderr
    write_heartbeat(heartbeat_path(tmp_path), NOW, ready=True, pid=7)
    up = run_scout("status", "--live", "--json", env=env)
    assert json.loads(up.stdout) == {"alive": True, "line": "alive: heartbeat 30 s ago, pid 7, connected to Discord",
                                     "heartbeat": {"at": "2026-11-27T09:00:00Z", "pid": 7, "discord_ready": True}}
    late = run_scout("status", "--live", "--max-age", "10", env=env, check=False)
    assert late.returncode == 1 and "(> 10 s)" in late.stdout
