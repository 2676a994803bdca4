"""Checkpoints (one per repository and endpoint) and run records, in the database.

A checkpoint is written in the same transaction as the objects it covers, so after a crash at
any point the stored rows and the checkpoint agree: the next run resumes from the checkpoint,
re-reads at most the page that was in flight, and upserts make the overlap harmless.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from config.clock import utcnow
from storage.db import session_scope
from storage.health import close_abandoned_runs
from storage.models import SyncCheckpoint, SyncRun

SOURCE = "github"


@dataclass
class Checkpoint:
    """A detached copy of one `sync_checkpoints` row."""

    endpoint: str
    cursor_at: datetime | None = None
    cursor_id: int | None = None
    etag: str | None = None
    state: dict[str, Any] = field(default_factory=dict)


def load_checkpoints(engine: Engine, scope: str) -> dict[str, Checkpoint]:
    with session_scope(engine) as s:
        rows = s.scalars(select(SyncCheckpoint).where(SyncCheckpoint.source == SOURCE, SyncCheckpoint.scope == scope))
        return {r.endpoint: Checkpoint(r.endpoint, r.cursor_at, r.cursor_id, r.etag, dict(r.state or {})) for r in rows}


def save_checkpoint(session: Session, scope: str, cp: Checkpoint) -> None:
    """Write `cp` inside the caller's transaction (with the objects it covers)."""
    session.merge(SyncCheckpoint(source=SOURCE, scope=scope, endpoint=cp.endpoint, cursor_at=cp.cursor_at,
                                 cursor_id=cp.cursor_id, etag=cp.etag, state=dict(cp.state), updated_at=utcnow()))


def start_run(engine: Engine, scope: str, at: datetime) -> int:
    with session_scope(engine) as s:
        close_abandoned_runs(s, SOURCE, scope, at)  # a killed earlier run never closed its row
        run = SyncRun(source=SOURCE, scope=scope, started_at=at, ok=False, stored={})
        s.add(run)
        s.flush()
        return run.id


def finish_run(engine: Engine, run_id: int, *, at: datetime, ok: bool, stored: dict[str, int], requests: int,
               not_modified: int, retries: int, rate_remaining: int | None, error: str | None) -> None:
    with session_scope(engine) as s:
        run = s.get(SyncRun, run_id)
        if run is None:
            return
        run.finished_at = at
        run.ok = ok
        run.stored = dict(stored)
        run.requests = requests
        run.not_modified = not_modified
        run.retries = retries
        run.rate_limit_remaining = rate_remaining
        run.error = error
