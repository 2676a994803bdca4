"""Bench jobs as stored rows: prepare (spec + rendering, written once per spec and backend),
launch (after `authorize`), record the outcome. The caller owns the sessions; a long local run
happens between two short transactions, never inside one."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bench.render import bench_workflow_yaml, github_dispatch, local_commands, skypilot_yaml
from bench.run import (
    LaunchResult,
    authorize,
    dispatch_github,
    launch_skypilot,
    run_local,
)
from bench.spec import BenchSpec, Measure, build_spec
from config.clock import utcnow
from config.errors import ReportError
from config.watch import WatchConfig
from storage.models import BenchJob
from storage.read import IssueContext, issue_context

log = logging.getLogger(__name__)

BACKENDS = ("skypilot", "github-actions", "local")


@dataclass(frozen=True)
class BenchLink:
    """Where a shortlisted issue's bench job lives: a YAML path, a run URL, or a stored result."""

    id: int | None
    backend: str
    target: str
    link: str
    status: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "backend": self.backend, "target": self.target, "link": self.link,
                "status": self.status}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> BenchLink:
        return cls(id=d.get("id"), backend=str(d["backend"]), target=str(d["target"]), link=str(d["link"]),
                   status=str(d["status"]))


@dataclass(frozen=True)
class BenchJobView:
    """A stored bench job, detached from its session."""

    id: int
    repo: str
    issue_number: int
    subsystem: str
    target: str
    backend: str
    status: str
    link: str
    spec: BenchSpec
    rendered: str
    requested_by: str
    result: dict[str, Any] = field(hash=False, compare=False)

    @property
    def bench_link(self) -> BenchLink:
        return BenchLink(id=self.id, backend=self.backend, target=self.target, link=self.link, status=self.status)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "repo": self.repo, "issue_number": self.issue_number, "subsystem": self.subsystem,
                "target": self.target, "backend": self.backend, "status": self.status, "link": self.link,
                "spec": self.spec.to_dict(), "rendered": self.rendered, "requested_by": self.requested_by,
                "result": self.result}


def job_view(job: BenchJob) -> BenchJobView:
    spec = BenchSpec.from_dict(job.spec)
    return BenchJobView(id=job.id, repo=job.repo, issue_number=job.issue_number, subsystem=job.subsystem,
                        target=spec.target, backend=job.backend, status=job.status, link=job.link, spec=spec,
                        rendered=job.rendered, requested_by=job.requested_by, result=dict(job.result or {}))


def measures_for(ctx: IssueContext) -> tuple[tuple[Measure, ...], int | None]:
    """What to measure: a PR (the issue itself, or an open PR that references the issue) before
    and after its change; otherwise the default branch head as a baseline."""
    p = ctx.pull
    if p is not None and p.head_sha:
        return (Measure("before", p.base_ref or ctx.default_branch), Measure("after", p.head_sha)), p.number
    return (Measure("baseline", ctx.default_branch),), None


def spec_for(ctx: IssueContext, watch: WatchConfig, target: str | None = None) -> BenchSpec:
    measures, pull_number = measures_for(ctx)
    return build_spec(repo=ctx.repo, issue_number=ctx.issue.number, subsystems=ctx.subsystems,
                      taxonomy=watch.taxonomy_for(ctx.repo), bench=watch.bench, measures=measures,
                      issue_text=ctx.text, target=target, pull_number=pull_number)


def render(spec: BenchSpec, backend: str, watch: WatchConfig, default_branch: str) -> str:
    if backend == "skypilot":
        return skypilot_yaml(spec)
    if backend == "github-actions":
        return json.dumps(github_dispatch(spec, watch.bench.workflow, default_branch).to_dict(), indent=2)
    if backend == "local":
        return json.dumps([{"label": c.label, "argv": list(c.argv), "env": c.env, "result": c.result}
                           for c in local_commands(spec)], indent=2)
    raise ReportError(f"unknown bench backend {backend!r} (one of: {', '.join(BACKENDS)})")


def _initial_link(spec: BenchSpec, backend: str, watch: WatchConfig, out_dir: Path, rendered: str) -> str:
    if backend == "skypilot":
        path = (out_dir / "bench" / f"{spec.name}.yaml").resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rendered, encoding="utf-8")
        return str(path)
    if backend == "github-actions":
        return f"https://github.com/{spec.repo}/actions/workflows/{watch.bench.workflow}"
    return f"local: {(out_dir / 'bench' / spec.name).resolve()}"


def prepare_job(session: Session, ctx: IssueContext, watch: WatchConfig, backend: str, out_dir: Path,
                target: str | None = None, requested_by: str = "") -> BenchJobView:
    """The bench job for an issue and backend: the stored one with the same spec, or a new row
    (the SkyPilot YAML is written under `out_dir/bench/`)."""
    if backend not in BACKENDS:
        raise ReportError(f"unknown bench backend {backend!r} (one of: {', '.join(BACKENDS)})")
    spec = spec_for(ctx, watch, target)
    want = spec.to_dict()
    existing = session.scalars(select(BenchJob).where(
        BenchJob.repo == ctx.repo, BenchJob.issue_number == ctx.issue.number, BenchJob.backend == backend)
        .order_by(BenchJob.id.desc())).all()
    rendered = render(spec, backend, watch, ctx.default_branch)
    for job in existing:
        if job.spec == want:
            if job.status == "created" and job.rendered != rendered:  # rendering improved since: refresh
                job.rendered = rendered
                if backend == "skypilot":
                    job.link = _initial_link(spec, backend, watch, out_dir, rendered)
            if backend == "skypilot" and job.link and not Path(job.link).is_file():
                Path(job.link).parent.mkdir(parents=True, exist_ok=True)
                Path(job.link).write_text(job.rendered, encoding="utf-8")
            return job_view(job)
    job = BenchJob(repo=ctx.repo, issue_number=ctx.issue.number, subsystem=spec.subsystem, backend=backend,
                   spec=want, rendered=rendered, link=_initial_link(spec, backend, watch, out_dir, rendered),
                   status="created", result={}, requested_by=requested_by, created_at=utcnow())
    session.add(job)
    session.flush()
    log.info("bench job %s stored for %s#%d (%s, %s)", job.id, ctx.repo, ctx.issue.number, backend, spec.target)
    return job_view(job)


def prepare_for_issue(session: Session, repo: str, number: int, watch: WatchConfig, backend: str, out_dir: Path,
                      target: str | None = None, requested_by: str = "") -> BenchJobView:
    return prepare_job(session, issue_context(session, repo, number), watch, backend, out_dir, target, requested_by)


def launch(job: BenchJobView, watch: WatchConfig, *, user: str | None, roles: tuple[str, ...] = (),
           out_dir: Path, github_api_url: str = "https://api.github.com", github_token: str | None = None,
           cwd: Path | None = None, extra_users: tuple[str, ...] = (), extra_roles: tuple[str, ...] = ()) -> LaunchResult:
    """Start a prepared job on its backend, after checking the caller may (BenchRefused if not).
    Holds no database session: a local run can take the target's whole timeout."""
    authorize(watch.bench, user, roles, extra_users, extra_roles)
    if job.backend == "skypilot":
        return launch_skypilot(job.spec, Path(job.link))
    if job.backend == "github-actions":
        d = json.loads(job.rendered)
        from bench.render import Dispatch

        return dispatch_github(Dispatch(d["workflow"], d["ref"], d["inputs"]), job.repo, github_api_url, github_token)
    workdir = (out_dir / "bench" / f"{job.spec.name}-job{job.id}").resolve()
    return run_local(job.spec, workdir, cwd=cwd)


def record(session: Session, job_id: int, outcome: LaunchResult, requested_by: str) -> BenchJobView:
    """Store a launch's status, link and (for local runs) captured results."""
    job = session.get(BenchJob, job_id)
    if job is None:
        raise ReportError(f"bench job {job_id} is gone")
    job.status, job.link, job.result = outcome.status, outcome.link, outcome.result
    job.requested_by = requested_by or job.requested_by
    job.finished_at = outcome.finished_at
    session.flush()
    return job_view(job)


def job_views(session: Session, repo: str, issue_number: int | None = None, limit: int = 20) -> list[BenchJobView]:
    """Stored bench jobs, newest first."""
    stmt = select(BenchJob).where(BenchJob.repo == repo)
    if issue_number is not None:
        stmt = stmt.where(BenchJob.issue_number == issue_number)
    return [job_view(j) for j in session.scalars(stmt.order_by(BenchJob.id.desc()).limit(limit))]


def latest_links(session: Session, repo: str, numbers: Sequence[int], backend: str) -> dict[int, BenchLink]:
    """The newest stored job of each issue for `backend`, as links (nothing is created: a job is
    prepared only when someone asks for one)."""
    if not numbers:
        return {}
    rows = session.scalars(select(BenchJob).where(BenchJob.repo == repo, BenchJob.backend == backend,
                                                  BenchJob.issue_number.in_(list(numbers)))
                           .order_by(BenchJob.id.desc()))
    links: dict[int, BenchLink] = {}
    for job in rows:
        links.setdefault(job.issue_number, job_view(job).bench_link)
    return links


def workflow_file() -> str:
    """The GitHub Actions workflow (`bench.workflow`) that receives the dispatches."""
    return bench_workflow_yaml()
