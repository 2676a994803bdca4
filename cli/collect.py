"""`scout collect ...`: pull activity into the database (one command per source)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Annotated

import typer

from cli._app import DAYS_MAX, collect_app, console, engine, out, settings

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

# ----------------------------------------------------------------------------- scout collect github

Repo = Annotated[
    list[str] | None, typer.Option("--repo", help="OWNER/REPO (repeatable; default: the watch config's enabled repos).")
]
Days = Annotated[float | None, typer.Option("--days", min=0.0, max=DAYS_MAX,
                                            help="Collect the last N days (default 7).")]
Since = Annotated[str | None, typer.Option("--since", help="Collect since this ISO 8601 time instead of --days.")]
Workers = Annotated[
    int, typer.Option("--workers", min=1, max=16, help="Concurrent requests for per-pull-request work.")
]
NoGraphQL = Annotated[bool, typer.Option("--no-graphql", help="REST only (GitHub Enterprise servers without GraphQL).")]


class _RichProgress:
    """One bar per endpoint, advanced per page (the total is known once GitHub's Link names the last page)."""

    def __init__(self, bar: Progress, repo: str) -> None:
        self.bar = bar
        self.repo = repo
        self.tasks: dict[str, TaskID] = {}
        self.items: dict[str, int] = {}

    def _task(self, endpoint: str) -> TaskID:
        if endpoint not in self.tasks:
            self.tasks[endpoint] = self.bar.add_task(f"{self.repo} {endpoint}", total=None)
            self.items[endpoint] = 0
        return self.tasks[endpoint]

    def page(self, endpoint: str, items: int, total_pages: int | None) -> None:
        task = self._task(endpoint)
        self.items[endpoint] += items
        self.bar.update(task, advance=1, description=f"{self.repo} {endpoint} ({self.items[endpoint]})")
        if total_pages:
            t = self.bar.tasks[[x.id for x in self.bar.tasks].index(task)]
            self.bar.update(task, total=max(total_pages, t.completed))

    def done(self, endpoint: str) -> None:
        task = self._task(endpoint)
        t = self.bar.tasks[[x.id for x in self.bar.tasks].index(task)]
        self.bar.update(task, total=max(1.0, t.completed), completed=max(1.0, t.completed))

    def waiting(self, reason: str, seconds: float) -> None:
        """A rate-limit wait: its length and when the run resumes, on a bar of its own."""
        from datetime import UTC, datetime

        resume = datetime.now(UTC) + timedelta(seconds=seconds)
        text = f"{self.repo} waiting {seconds:.0f} s ({reason}); resumes {resume:%H:%M:%S} UTC"
        if "wait" not in self.tasks:
            self.tasks["wait"] = self.bar.add_task(text, total=None)
        self.bar.update(self.tasks["wait"], description=text)


@collect_app.command("github")
def collect_github_cmd(
    repo: Repo = None,
    days: Days = None,
    since: Since = None,
    workers: Workers = 4,
    no_graphql: NoGraphQL = False,
) -> None:
    """Collect issues, pull requests, reviews, comments, events, labels and CODEOWNERS from GitHub
    (SCOUT_GITHUB_API_URL), incrementally from the last checkpoint."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from collectors.github import ClientOptions
    from config import parse_utc
    from pipeline import collect_repo

    if days is not None and since is not None:
        raise typer.BadParameter("give --days or --since, not both", param_hint="'--since'")
    s = settings()
    if since is not None:
        try:
            start = parse_utc(since)
        except ValueError:
            raise typer.BadParameter(f"expected an ISO 8601 time such as 2026-11-20T00:00:00Z, got {since!r}",
                                     param_hint="'--since'") from None
        if start > s.present():
            raise typer.BadParameter(f"{since} is in the future (now is {s.present():%Y-%m-%dT%H:%M:%SZ})",
                                     param_hint="'--since'")
    else:
        start = s.present() - timedelta(days=7 if days is None else days)
    eng = engine()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TimeRemainingColumn(), console=console, transient=not console.is_terminal) as bar:
        # At a terminal a spent budget is waited out (GitHub's hour at most), shown on the bar.
        results = collect_repo(s, eng, start, repo, use_graphql=not no_graphql, workers=workers,
                               progress=lambda name: _RichProgress(bar, name),
                               options=ClientOptions(max_rate_wait=3660.0))
    for r in results:
        out.print(r.summary(), markup=False)
    failed = [r for r in results if r.exception is not None]
    if failed:
        raise failed[0].exception  # type: ignore[misc]
