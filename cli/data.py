"""`scout import` and `scout status`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from cli._app import app, console, engine, out, settings


@app.command("import")
def import_cmd(
    dataset: Annotated[Path, typer.Argument(help="A dataset directory (format: docs/dataset.md).", exists=True,
                                            file_okay=False, dir_okay=True)],
) -> None:
    """Load a dataset directory into the database (idempotent; all or nothing)."""
    from storage.db import session_scope
    from storage.importer import import_dataset, repo_dirs
    from storage.models import SyncRun

    eng = engine(create=True)
    files = sum(1 for r in repo_dirs(dataset) for _ in range(8)) + (2 if (dataset / "discord").is_dir() else 0) \
        + (3 if (dataset / "slack").is_dir() else 0) + (4 if (dataset / "discourse").is_dir() else 0)
    clock = settings().present  # the replay-aware present: status compares these times with it
    started = clock()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console,
                  transient=True) as bar:
        task = bar.add_task("importing", total=files)
        summary = import_dataset(eng, dataset, progress=lambda name, _n: bar.update(task, advance=1, description=name))
    finished = clock()
    with session_scope(eng) as s:
        for name, counts in summary.repos.items():
            s.add(SyncRun(source="import", scope=name, started_at=started, finished_at=finished, ok=True,
                          stored=counts))
        if summary.discord:
            s.add(SyncRun(source="import", scope="discord", started_at=started, finished_at=finished, ok=True,
                          stored=summary.discord))
        for part, counts in summary.chat.items():  # slack, discourse
            s.add(SyncRun(source="import", scope=part, started_at=started, finished_at=finished, ok=True,
                          stored=counts))
    for name, counts in summary.repos.items():
        out.print(f"{name}: " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items()))
    if summary.discord:
        out.print("discord: " + ", ".join(f"{v} {k}" for k, v in summary.discord.items()))
    for part, counts in summary.chat.items():
        out.print(f"{part}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))


def _age(seconds: int) -> str:
    """`3h 05m`, `2d 4h`, `45s`: how long ago, for people."""
    if seconds < 60:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h {minutes:02d}m"
    return f"{hours // 24}d {hours % 24}h"


@app.command("status")
def status_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    live: Annotated[bool, typer.Option("--live", help="Liveness only: is `scout run` alive (its heartbeat in "
                                       "SCOUT_OUTPUT_DIR is recent)? Exit 0 or 1; reads no database, asks no API. "
                                       "The container health check.")] = False,
    max_age: Annotated[float, typer.Option("--max-age", min=1.0, max=86400.0,
                                           help="With --live: the oldest heartbeat that still counts, in seconds.")]
    = 120.0,
) -> None:
    """What is stored, how fresh it is, models and digests; exits 1 when something is stale.
    With --live, only whether the service is alive (a GitHub outage is reported here, not there)."""
    from storage.db import session_scope
    from storage.health import status_report

    if live:
        from bot.heartbeat import heartbeat_path, liveness

        s = settings()
        result = liveness(heartbeat_path(s.output_dir), s.present(), max_age)
        if as_json:
            out.print(json.dumps({"alive": result.alive, "line": result.line, "heartbeat": result.beat}), markup=False)
        else:
            out.print(result.line, markup=False)
        raise typer.Exit(0 if result.alive else 1)
    s = settings()
    with session_scope(engine()) as session:
        report = status_report(session, s.watch, s.present())
    try:
        from bot.scheduler import job_status  # the service's scheduler, when present

        report["jobs"] = job_status(s)
    except ImportError:
        report["jobs"] = []
    if as_json:
        out.print(json.dumps(report, indent=2, sort_keys=True), markup=False)
    else:
        table = Table(title="oss-scout status")
        for col in ("repo", "issues", "pulls", "comments", "reviews", "review comments", "events", "last sync",
                    "age", "rate limit left"):
            table.add_column(col)
        for name, c in report["repos"].items():
            age = c.get("last_sync_age_seconds")
            remaining = c.get("rate_limit_remaining")
            table.add_row(name, *(str(c.get(k, 0)) for k in ("issues", "pulls", "issue_comments", "reviews",
                                                               "review_comments", "issue_events")),
                          str(c.get("last_sync") or "never"), _age(age) if age is not None else "-",
                          str(remaining) if remaining is not None else "-")
        out.print(table)
        d = report["discord"]
        out.print(
            f"discord: {d['channels']} channels, {d['messages']} messages, last sync {d.get('last_sync') or 'never'}"
        )
        for part, (a, b) in (("slack", ("channels", "messages")), ("discourse", ("topics", "posts"))):
            c = report.get(part) or {}
            out.print(f"{part}: {c.get(a, 0)} {a}, {c.get(b, 0)} {b}, last sync {c.get('last_sync') or 'never'}")
        for m in report["models"]:
            out.print(f"model {m['repo']} {m['name']} {m['version']} {m['metrics']}", markup=False)
        last = report.get("last_digest")
        out.print(f"last digest posted: {last['day']} at {last['posted_at']}" if last else "last digest posted: never")
        if report["jobs"]:
            for j in report["jobs"]:
                out.print(f"job {j['id']}: next run {j['next_run'] or 'paused'} ({j['trigger']})", markup=False)
        else:
            out.print("jobs: none stored (`scout run` has not run on this database)")
        for p in report["problems"]:
            console.print(Text.assemble(("stale:", "yellow"), f" {p}"))
    if not report["healthy"]:
        raise typer.Exit(1)
