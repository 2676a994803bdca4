"""Bench jobs, when someone asks for one: prepare (store and render) and run (launch, record).

The launch holds no session (a local run can take the target's whole timeout); the outcome is
recorded in a unit of work of its own."""

from __future__ import annotations

from pathlib import Path

from bench import BenchJobView, NamedChange, authorize, launch, prepare_for_issue, record, record_log
from config.settings import Settings
from pipeline.sessions import SessionFactory


def prepare_bench_job(settings: Settings, sessions: SessionFactory, repo: str, number: int, backend: str | None = None,
                      target: str | None = None, requested_by: str = "", named: NamedChange | None = None,
                      roles: tuple[str, ...] = ()) -> BenchJobView:
    """The stored bench job of an issue for `backend` (the config's default): reused when its spec
    is unchanged, else a new one. `named` is a change the caller (with the bench role) asks to measure."""
    watch = settings.watch
    with sessions() as session:
        return prepare_for_issue(session, watch.repo(repo).name, number, watch,
                                 backend or watch.bench.default_backend, settings.output_dir, target=target,
                                 requested_by=requested_by, named=named, roles=roles)


def record_bench_log(settings: Settings, sessions: SessionFactory, job: BenchJobView, log_text: str) -> BenchJobView:
    """Take in a remote run's results from its log (parsed, summarised, stored with the job, redacted)."""
    with sessions() as session:
        return record_log(session, job.id, log_text, settings.watch)


def run_bench_job(settings: Settings, sessions: SessionFactory, job: BenchJobView, *, user: str | None,
                  roles: tuple[str, ...] = (), cwd: Path | None = None) -> BenchJobView:
    """Launch a prepared job on its backend (BenchRefused unless the caller may) and record how it went."""
    authorize(settings.watch.bench, user, roles)
    token = settings.github_token.get_secret_value() if settings.github_token else None
    outcome = launch(job, settings.watch, user=user, roles=roles, out_dir=settings.output_dir,
                     github_api_url=settings.github_api_url, github_token=token, cwd=cwd)
    with sessions() as session:
        return record(session, job.id, outcome, user or "")
