"""Bench jobs as stored rows: prepare (spec + rendering, written once per spec and backend),
launch (after `authorize`), record the outcome, take in a remote run's results. The caller owns
the sessions; a long local run happens between two short transactions, never inside one."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bench.context import BenchContext, PullCandidate, bench_context, stored_pull
from bench.render import Dispatch, github_dispatch, local_commands, local_server, skypilot_header, skypilot_yaml
from bench.run import (
    LaunchResult,
    authorize,
    dispatch_github,
    launch_skypilot,
    results_from_log,
    run_local,
)
from bench.spec import BenchSpec, Measure, build_spec, fork_url
from bench.validate import validate_skypilot
from config.clock import utcnow
from config.errors import ReportError
from config.watch import BenchConfig, WatchConfig
from storage.models import BenchJob

log = logging.getLogger(__name__)

BACKENDS = ("skypilot", "github-actions", "local")
NOT_NEEDED = "not-needed"


@dataclass(frozen=True)
class BenchLink:
    """Where an issue's bench job lives (a YAML path, a run URL, a stored result), its status and
    verdict; `note` says why there is none to run ("no benchmark needed: ...")."""

    id: int | None
    backend: str
    target: str
    link: str
    status: str
    verdict: str = ""
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "backend": self.backend, "target": self.target, "link": self.link,
                "status": self.status, "verdict": self.verdict, "note": self.note}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> BenchLink:
        return cls(id=d.get("id"), backend=str(d["backend"]), target=str(d["target"]), link=str(d["link"]),
                   status=str(d["status"]), verdict=str(d.get("verdict") or ""), note=str(d.get("note") or ""))

    def describe(self) -> str:
        """One line for the digest, the shortlist and /issue."""
        if self.status == NOT_NEEDED:
            return self.note or "no benchmark needed"
        head = f"#{self.id} {self.target} on {self.backend}, {self.status}"
        return head + (f": {self.verdict}" if self.verdict else "") + (f" ({self.link})" if self.link else "")


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
    verdict: str = ""
    result: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def bench_link(self) -> BenchLink:
        note = f"no benchmark needed: {self.spec.no_gpu_reason}" if not self.spec.needed else ""
        return BenchLink(id=self.id, backend=self.backend, target=self.target, link=self.link, status=self.status,
                         verdict=self.verdict, note=note)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "repo": self.repo, "issue_number": self.issue_number, "subsystem": self.subsystem,
                "target": self.target, "backend": self.backend, "status": self.status, "link": self.link,
                "spec": self.spec.to_dict(), "rendered": self.rendered, "requested_by": self.requested_by,
                "verdict": self.verdict, "result": self.result}


def view(job: BenchJob) -> BenchJobView:
    spec = BenchSpec.from_dict(job.spec)
    return BenchJobView(id=job.id, repo=job.repo, issue_number=job.issue_number, subsystem=job.subsystem,
                        target=spec.target, backend=job.backend, status=job.status, link=job.link, spec=spec,
                        rendered=job.rendered, requested_by=job.requested_by, verdict=job.verdict or "",
                        result=dict(job.result or {}))


_view = view  # the name reports.shortlist used


@dataclass(frozen=True)
class NamedChange:
    """The change a caller names for an issue's job: a stored PR, or a branch (`ref`) of the repo
    or of a contributor's fork (`fork`, a GitHub URL). Only a caller allowed to launch may name one."""

    pull: int | None = None
    ref: str | None = None
    fork: str | None = None

    def __post_init__(self) -> None:
        if self.pull is not None and (self.ref or self.fork):
            raise ReportError("name either a PR (--pull) or a branch (--ref, with --fork for a fork), not both")
        if self.fork and not self.ref:
            raise ReportError("--fork needs --ref, the branch of the fork to measure")
        if self.fork:
            fork_url(self.fork)


def trusted(pull: PullCandidate, bench: BenchConfig) -> bool:
    """A PR measured without anyone naming it: its author has write access."""
    return pull.author_association.upper() in {a.upper() for a in bench.trusted_associations}


def measures_for(ctx: BenchContext, bench: BenchConfig, named: NamedChange | None = None,
                 named_pull: PullCandidate | None = None, named_by: str = "",
                 ) -> tuple[tuple[Measure, ...], int | None, tuple[str, ...]]:
    """What to measure, the PR it is, and notes: the change a caller named (main against it);
    else the issue's PR when its author has write access; else the default branch alone."""
    base = ctx.default_branch
    if named_pull is not None:
        p = named_pull
        if not p.head_sha:
            raise ReportError(f"PR #{p.number} has no stored head commit to measure")
        return ((Measure("before", p.base_ref or base), Measure("after", p.head_sha, pull_number=p.number)), p.number,
                (f"PR #{p.number} by {p.author or 'unknown'} measured because {named_by} named it",))
    if named is not None and named.ref:
        where = f" of {named.fork}" if named.fork else ""
        return ((Measure("before", base), Measure("after", named.ref, remote=named.fork)), None,
                (f"branch {named.ref}{where} measured because {named_by} named it",))
    found = ctx.pull
    if found is not None and found.head_sha:
        p = found
        if trusted(p, bench):
            return ((Measure("before", p.base_ref or base), Measure("after", p.head_sha, pull_number=p.number)),
                    p.number, ())
        return ((Measure("baseline", base),), None,
                (f"PR #{p.number} by {p.author or 'unknown'} ({p.author_association}) is not measured: its author has "
                 "no write access; a caller with the bench role can name it (--pull)",))
    return (Measure("baseline", base),), None, ()


def spec_for(ctx: BenchContext, watch: WatchConfig, target: str | None = None, named: NamedChange | None = None,
             named_pull: PullCandidate | None = None, named_by: str = "") -> BenchSpec:
    bench = watch.bench_for(ctx.repo)  # the repo's own targets laid over [bench]
    measures, pull_number, notes = measures_for(ctx, bench, named, named_pull, named_by)
    return build_spec(repo=ctx.repo, issue_number=ctx.number, subsystems=ctx.subsystems,
                      taxonomy=watch.taxonomy_for(ctx.repo), bench=bench, measures=measures,
                      issue_text=ctx.text, target=target, pull_number=pull_number, notes=notes)


def render(spec: BenchSpec, backend: str, watch: WatchConfig, default_branch: str) -> str:
    """The job as its backend takes it; for SkyPilot with a header saying whether SkyPilot's own
    parser accepted it just now."""
    if not spec.needed:
        return f"no benchmark needed: {spec.no_gpu_reason}\n"
    if backend == "skypilot":
        body = skypilot_yaml(spec)
        check = validate_skypilot(body)
        if check.accepted is False:
            raise ReportError(f"SkyPilot's parser refused the task for {spec.name}: {check.error}")
        return skypilot_header(check.by if check.accepted else None) + body
    if backend == "github-actions":
        return json.dumps(github_dispatch(spec, watch.bench.workflow, default_branch).to_dict(), indent=2)
    if backend == "local":
        server = local_server(spec)
        return json.dumps({"server": {"argv": list(server.argv), "env": server.env, "health":
                                      f"http://127.0.0.1:{spec.port}/health"} if server else None,
                           "commands": [{"label": c.label, "argv": list(c.argv), "env": c.env, "result": c.result}
                                        for c in local_commands(spec)]}, indent=2)
    raise ReportError(f"unknown bench backend {backend!r} (one of: {', '.join(BACKENDS)})")


def _initial_link(spec: BenchSpec, backend: str, watch: WatchConfig, out_dir: Path, rendered: str) -> str:
    if not spec.needed:
        return ""
    if backend == "skypilot":
        path = (out_dir / "bench" / f"{spec.name}.yaml").resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rendered, encoding="utf-8")
        return str(path)
    if backend == "github-actions":
        return f"https://github.com/{spec.repo}/actions/workflows/{watch.bench.workflow}"
    return f"local: {(out_dir / 'bench' / spec.name).resolve()}"


def prepare_job(session: Session, ctx: BenchContext, watch: WatchConfig, backend: str, out_dir: Path,
                target: str | None = None, requested_by: str = "", named: NamedChange | None = None,
                roles: Iterable[str] = ()) -> BenchJobView:
    """The bench job for an issue and backend: the stored one with the same spec, or a new row
    (the SkyPilot YAML is written under `out_dir/bench/`). Naming a change needs a caller who may
    launch (BenchRefused otherwise)."""
    if backend not in BACKENDS:
        raise ReportError(f"unknown bench backend {backend!r} (one of: {', '.join(BACKENDS)})")
    named_pull = None
    if named is not None:
        authorize(watch.bench, requested_by, roles)
        if named.pull is not None:
            named_pull = stored_pull(session, ctx.repo, named.pull)
    spec = spec_for(ctx, watch, target, named, named_pull, requested_by)
    want = spec.to_dict()
    existing = session.scalars(select(BenchJob).where(
        BenchJob.repo == ctx.repo, BenchJob.issue_number == ctx.number, BenchJob.backend == backend)
        .order_by(BenchJob.id.desc())).all()
    for job in existing:
        if job.spec == want:
            if job.status == "created" and backend == "skypilot" and job.link and not Path(job.link).is_file():
                Path(job.link).parent.mkdir(parents=True, exist_ok=True)
                Path(job.link).write_text(job.rendered, encoding="utf-8")
            return view(job)
    rendered = render(spec, backend, watch, ctx.default_branch)
    job = BenchJob(repo=ctx.repo, issue_number=ctx.number, subsystem=spec.subsystem, backend=backend,
                   spec=want, rendered=rendered, link=_initial_link(spec, backend, watch, out_dir, rendered),
                   status="created" if spec.needed else NOT_NEEDED, result={}, requested_by=requested_by,
                   verdict="", created_at=utcnow())
    session.add(job)
    session.flush()
    log.info("bench job %s stored for %s#%d (%s, %s)", job.id, ctx.repo, ctx.number, backend,
             spec.target or "no benchmark needed")
    return view(job)


def prepare_for_issue(session: Session, repo: str, number: int, watch: WatchConfig, backend: str, out_dir: Path,
                      target: str | None = None, requested_by: str = "", named: NamedChange | None = None,
                      roles: Iterable[str] = ()) -> BenchJobView:
    ctx = bench_context(session, repo, number, watch.bench_for(repo).min_subsystem_confidence)
    return prepare_job(session, ctx, watch, backend, out_dir, target, requested_by, named, roles)


def launch(job: BenchJobView, watch: WatchConfig, *, user: str | None, roles: tuple[str, ...] = (),
           out_dir: Path, github_api_url: str = "https://api.github.com", github_token: str | None = None,
           cwd: Path | None = None, extra_users: tuple[str, ...] = (),
           extra_roles: tuple[str, ...] = ()) -> LaunchResult:
    """Start a prepared job on its backend, after checking the caller may (BenchRefused if not).
    Holds no database session: a local run can take the target's whole timeout."""
    authorize(watch.bench, user, roles, extra_users, extra_roles)
    if not job.spec.needed:
        raise ReportError(f"nothing to launch for {job.repo}#{job.issue_number}: no benchmark needed "
                          f"({job.spec.no_gpu_reason})")
    if job.backend == "skypilot":
        return launch_skypilot(job.spec, Path(job.link))
    if job.backend == "github-actions":
        d = json.loads(job.rendered)
        return dispatch_github(Dispatch(d["workflow"], d["ref"], d["inputs"]), job.repo, github_api_url, github_token)
    workdir = (out_dir / "bench" / f"{job.spec.name}-job{job.id}").resolve()
    return run_local(job.spec, workdir, cwd=cwd, noise_sigmas=watch.bench.noise_sigmas)


def record(session: Session, job_id: int, outcome: LaunchResult, requested_by: str) -> BenchJobView:
    """Store a launch's status, link and (for local runs) captured results and verdict."""
    job = session.get(BenchJob, job_id)
    if job is None:
        raise ReportError(f"bench job {job_id} is gone")
    job.status, job.link, job.result = outcome.status, outcome.link, outcome.result
    job.verdict = str(outcome.result.get("verdict") or "")[:300]
    job.requested_by = requested_by or job.requested_by
    job.finished_at = outcome.finished_at
    session.flush()
    return view(job)


def record_log(session: Session, job_id: int, log_text: str, watch: WatchConfig) -> BenchJobView:
    """Take in a remote run's results from its log (SkyPilot `sky jobs logs`, a GitHub Actions
    run log): parsed, summarised, stored with the job, redacted."""
    job = session.get(BenchJob, job_id)
    if job is None:
        raise ReportError(f"bench job {job_id} is gone")
    spec = BenchSpec.from_dict(job.spec)
    if not spec.needed:
        raise ReportError(f"bench job {job_id} needs no benchmark ({spec.no_gpu_reason}): no results to store")
    result = results_from_log(spec, log_text, watch.bench.noise_sigmas)
    job.result = {**(job.result or {}), **result}
    job.verdict = str(result.get("verdict") or "")[:300]
    job.status = "succeeded" if result["verdict"] else "failed"
    job.finished_at = utcnow()
    session.flush()
    return view(job)


def job_views(session: Session, repo: str, issue_number: int | None = None, limit: int = 20) -> list[BenchJobView]:
    """Stored bench jobs, newest first."""
    stmt = select(BenchJob).where(BenchJob.repo == repo)
    if issue_number is not None:
        stmt = stmt.where(BenchJob.issue_number == issue_number)
    return [view(j) for j in session.scalars(stmt.order_by(BenchJob.id.desc()).limit(limit))]


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
        links.setdefault(job.issue_number, view(job).bench_link)
    return links
