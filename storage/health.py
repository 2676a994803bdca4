"""What `scout status` reports: stored counts, last successful syncs, models, digests, problems."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.clock import iso_z
from config.watch import WatchConfig
from storage.models import Digest, ModelVersion, SyncRun
from storage.queries import stored_counts

ABANDONED = "did not finish: the process stopped before it could record an end (killed or crashed)"


def close_abandoned_runs(session: Session, source: str, scope: str, now: datetime) -> int:
    """Close the runs of (source, scope) that never recorded an end: a new run of the same collection
    starts, so no earlier one is still going (a killed process cannot close its own). Returns how
    many were closed; a run that does finish after all still records its own end over this one."""
    runs = session.scalars(select(SyncRun).where(SyncRun.source == source, SyncRun.scope == scope,
                                                 SyncRun.finished_at.is_(None))).all()
    for run in runs:
        run.finished_at, run.ok, run.error = now, False, ABANDONED
    return len(runs)


def _last_ok(session: Session, scope: str, sources: tuple[str, ...]) -> SyncRun | None:
    return session.scalars(
        select(SyncRun).where(SyncRun.scope == scope, SyncRun.ok.is_(True), SyncRun.source.in_(sources))
        .order_by(SyncRun.finished_at.desc()).limit(1)
    ).first()


def status_report(session: Session, watch: WatchConfig, now: datetime) -> dict[str, Any]:
    """Everything a health check needs; `problems` is empty when nothing is stale."""
    counts = stored_counts(session)
    stale_after = timedelta(hours=watch.schedule.stale_after_hours)
    problems: list[str] = []
    repos: dict[str, Any] = counts["repos"]
    for r in watch.enabled_repos:
        entry = repos.setdefault(r.name, {"issues": 0, "pulls": 0, "issue_comments": 0, "reviews": 0,
                                          "review_comments": 0, "issue_events": 0})
        run = _last_ok(session, r.name, ("github", "import"))
        if run is None or run.finished_at is None:
            entry["last_sync"] = None
            problems.append(f"{r.name}: never synced")
            continue
        age = now - run.finished_at
        entry["last_sync"] = iso_z(run.finished_at)
        entry["last_sync_source"] = run.source
        entry["last_sync_age_seconds"] = max(0, int(age.total_seconds()))
        entry["rate_limit_remaining"] = run.rate_limit_remaining
        if age > stale_after:
            problems.append(
                f"{r.name}: last sync {iso_z(run.finished_at)} is older than {watch.schedule.stale_after_hours} h"
            )
    chat = _last_ok(session, "discord", ("discord", "import"))
    counts["discord"]["last_sync"] = iso_z(chat.finished_at) if chat and chat.finished_at else None
    for source in ("slack", "discourse"):
        run = _last_ok(session, source, (source, "import"))
        counts[source]["last_sync"] = iso_z(run.finished_at) if run and run.finished_at else None

    latest = (select(ModelVersion.repo, ModelVersion.name, func.max(ModelVersion.created_at).label("at"))
              .group_by(ModelVersion.repo, ModelVersion.name).subquery())
    models = session.scalars(select(ModelVersion).join(
        latest, (ModelVersion.repo == latest.c.repo) & (ModelVersion.name == latest.c.name)
        & (ModelVersion.created_at == latest.c.at)).order_by(ModelVersion.repo, ModelVersion.name)).all()
    digest = session.scalars(select(Digest).where(Digest.posted_at.is_not(None))
                             .order_by(Digest.posted_at.desc()).limit(1)).first()
    return {
        **counts,
        "models": [
            {
                "repo": m.repo,
                "name": m.name,
                "version": m.version,
                "created_at": iso_z(m.created_at),
                "metrics": m.metrics,
            }
            for m in models
        ],
        "last_digest": {"day": digest.day, "posted_at": iso_z(digest.posted_at)}
        if digest and digest.posted_at
        else None,
        "now": iso_z(now),
        "healthy": not problems,
        "problems": problems,
    }
