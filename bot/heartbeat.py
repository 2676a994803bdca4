"""Liveness of the running service, for a container health check: `scout run` rewrites a small
heartbeat file from inside the bot's event loop every `INTERVAL_S`; `scout status --live` reads it.

A heartbeat that keeps coming means the process and its event loop are alive (the loop that runs
the gateway and the scheduler). It says nothing about GitHub or Discord being reachable: a GitHub
outage shows in plain `scout status` (stale sources), and is no reason to restart the container.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from config.clock import iso_z, parse_utc

log = logging.getLogger(__name__)

INTERVAL_S = 30.0
MAX_AGE_S = 120.0  # four missed beats: the loop is stuck or the process is gone
FILE_NAME = "heartbeat.json"


def heartbeat_path(output_dir: Path) -> Path:
    return output_dir / FILE_NAME


def write_heartbeat(path: Path, at: datetime, *, ready: bool, pid: int | None = None) -> None:
    """Replace the heartbeat atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"at": iso_z(at), "pid": pid or os.getpid(), "discord_ready": ready}), encoding="utf-8")
    tmp.replace(path)


@dataclass(frozen=True)
class Liveness:
    alive: bool
    line: str  # one line for people and health-check logs
    beat: dict[str, Any] | None


def liveness(path: Path, now: datetime, max_age_s: float = MAX_AGE_S) -> Liveness:
    """Pure over the file's content: alive when the last beat is at most `max_age_s` old."""
    try:
        beat = json.loads(path.read_text(encoding="utf-8"))
        at = parse_utc(beat["at"])
    except FileNotFoundError:
        return Liveness(False, f"not alive: no heartbeat at {path} (is `scout run` running?)", None)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return Liveness(False, f"not alive: unreadable heartbeat {path} ({type(exc).__name__})", None)
    age = (now - at).total_seconds()
    if age > max_age_s:
        return Liveness(False, f"not alive: last heartbeat {iso_z(at)}, {age:.0f} s ago (> {max_age_s:g} s)", beat)
    ready = "connected to Discord" if beat.get("discord_ready") else "not connected to Discord yet"
    return Liveness(True, f"alive: heartbeat {max(age, 0):.0f} s ago, pid {beat.get('pid')}, {ready}", beat)


async def beat_forever(path: Path, now: Callable[[], datetime], ready: Callable[[], bool],
                       interval_s: float = INTERVAL_S) -> None:
    """The service's heartbeat task: write, sleep, repeat, until cancelled. A failed write is
    logged (once per failure streak) and retried; it never stops the service."""
    failing = False
    while True:
        try:
            await asyncio.to_thread(write_heartbeat, path, now(), ready=ready())
            failing = False
        except OSError as exc:
            if not failing:
                log.warning("heartbeat %s not written (%s); the container health check will fail", path, exc)
            failing = True
        await asyncio.sleep(interval_s)
