"""`scout import` and `scout status`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from bot.cli._app import app, console, engine, out, settings


@app.command("import")
def import_cmd(
    dataset: Annotated[Path, typer.Argument(help="A dataset directory (see DATASET.md).")],
) -> None:
    """Load a dataset directory into the database (idempotent; all or nothing)."""
    from config.clock import utcnow
    from storage.db import session_scope
    from storage.importer import import_dataset, repo_dirs
    from storage.models import SyncRun

    eng = engine()
    files = sum(1 for r in repo_dirs(dataset) for _ in range(8)) + (2 if (dataset / "discord").is_dir() else 0)
    started = utcnow()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console,
                  transient=True) as bar:
        task = bar.add_task("importing", total=files)
        summary = import_dataset(eng, dataset, progress=lambda name, _n: bar.update(task, advance=1, description=name))
    finished = utcnow()
    with session_scope(eng) as s:
        for name, counts in summary.repos.items():
            s.add(SyncRun(source="import", scope=name, started_at=started, finished_at=finished, ok=True,
                          stored=counts))
        if summary.discord:
            s.add(SyncRun(source="import", scope="discord", started_at=started, finished_at=finished, ok=True,
                          stored=summary.discord))
    for name, counts in summary.repos.items():
        out.print(f"{name}: " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items()))
    if summary.discord:
        out.print("discord: " + ", ".join(f"{v} {k}" for k, v in summary.discord.items()))


@app.command("status")
def status_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """What is stored, how fresh it is, models and digests; exits 1 when something is stale."""
    from storage.db import session_scope
    from storage.health import status_report

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
        for col in ("repo", "issues", "pulls", "comments", "reviews", "review comments", "events", "last sync"):
            table.add_column(col)
        for name, c in report["repos"].items():
            table.add_row(name, *(str(c.get(k, 0)) for k in ("issues", "pulls", "issue_comments", "reviews",
                                                               "review_comments", "issue_events")),
                          str(c.get("last_sync") or "never"))
        out.print(table)
        d = report["discord"]
        out.print(f"discord: {d['channels']} channels, {d['messages']} messages, last sync {d.get('last_sync') or 'never'}")
        for m in report["models"]:
            out.print(f"model {m['repo']} {m['name']} {m['version']} {m['metrics']}")
        for p in report["problems"]:
            console.print(f"[yellow]stale:[/] {p}")
    if not report["healthy"]:
        raise typer.Exit(1)
