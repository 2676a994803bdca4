"""`scout digest`, `scout shortlist`, `scout prflow` and `scout bench`: thin over `reports`."""

from __future__ import annotations

import json
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cli._app import DAYS_MAX, ISSUE_NUMBER_MAX, app, check_subsystems, console, engine, out, settings

RepoOpt = Annotated[str | None, typer.Option("--repo", help="OWNER/REPO (default: the first watched repo).")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Write to this file instead of stdout.")]


class DigestFormat(StrEnum):
    md = "md"
    json = "json"


class ShortlistFormat(StrEnum):
    md = "md"
    csv = "csv"
    json = "json"


class Backend(StrEnum):
    skypilot = "skypilot"
    github_actions = "github-actions"
    local = "local"


def _emit(text: str, path: Path | None, what: str) -> None:
    if path is None:
        out.print(text, markup=False, end="" if text.endswith("\n") else "\n")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    console.print(f"{what} written to {path}", markup=False)


@app.command("digest")
def digest_cmd(
    day: Annotated[
        str | None, typer.Option("--date", help="Local day YYYY-MM-DD (default: the last --days days).")
    ] = None,
    days: Annotated[
        int | None, typer.Option("--days", min=1, max=DAYS_MAX, help="Days covered (default: config digest.days).")
    ] = None,
    fmt: Annotated[
        DigestFormat,
        typer.Option(
            "--format",
            help='md, or json ({"digests": [the digest, its Discord post and thread, chart path, per repo]}).',
        ),
    ] = DigestFormat.md,
    out_path: OutOpt = None,
    repo: Annotated[
        str | None, typer.Option("--repo", help="OWNER/REPO (default: every enabled repo with stored data).")
    ] = None,
    stall_days: Annotated[float, typer.Option("--stall-days", help="A PR idle this long is stalling.")] = 3.0,
    chart: Annotated[bool, typer.Option("--chart/--no-chart", help="Draw the PNG chart (one per repo).")] = True,
) -> None:
    """The daily digest: activity by subsystem, who is active, PR flow, GFI candidates, chat, shortlist."""
    from config.errors import ReportError
    from pipeline import publish_digest
    from reports.render.discord import digest_discord
    from reports.render.markdown import digest_markdown
    from storage.db import session_scope
    from storage.queries import stored_repo_names

    s = settings()
    try:
        when = date.fromisoformat(day) if day else None
    except ValueError:
        raise typer.BadParameter(f"expected YYYY-MM-DD, got {day!r}", param_hint="'--date'") from None
    if when is not None and when > s.present().date() + timedelta(days=1):  # +1: any time zone's today
        raise typer.BadParameter(f"{day} is in the future (now is {s.present():%Y-%m-%d})", param_hint="'--date'")
    with session_scope(engine()) as session:
        if repo is not None:
            names = [s.watch.repo(repo).name]
        else:
            stored = stored_repo_names(session)
            names = [r.name for r in s.watch.enabled_repos if r.name.lower() in stored]
            if not names:
                raise ReportError(
                    "no enabled repo has stored data yet: run `scout collect github` or `scout import` first"
                )
        digests = []
        for name in names:
            chart_path = None
            if out_path is not None and chart:
                chart_path = (out_path.with_suffix(".png") if len(names) == 1
                              else out_path.with_name(f"{out_path.stem}-{name.replace('/', '__')}.png"))
            digests.append(publish_digest(session, s.watch, name, s.present(), s.output_dir, day=when, days=days,
                                          stall_days=stall_days, chart=chart, chart_path=chart_path).digest)
    if fmt is DigestFormat.json:
        payload = {"digests": [{"digest": d.to_dict(), "chart": d.chart_path,
                                "discord": digest_discord(d).to_payload()}
                               for d in digests]}
        _emit(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", out_path, "digest (JSON)")
    else:
        _emit("\n---\n\n".join(digest_markdown(d) for d in digests), out_path, "digest")
    for d in digests:
        if d.chart_path:
            console.print(f"chart: {d.chart_path}", markup=False)


@app.command("shortlist")
def shortlist_cmd(
    subsystem: Annotated[
        list[str] | None, typer.Option("--subsystem", help="Only these subsystems (repeatable).")
    ] = None,
    fmt: Annotated[ShortlistFormat, typer.Option("--format", help="md, csv or json.")] = ShortlistFormat.md,
    out_path: OutOpt = None,
    repo: RepoOpt = None,
    backend: Annotated[
        Backend | None, typer.Option("--backend", help="Backend of the bench jobs (default: config).")
    ] = None,
    bench: Annotated[bool, typer.Option("--bench/--no-bench", help="Prepare a bench job for each issue.")] = True,
) -> None:
    """3 maintainers and 5 safe first issues, each issue with its bench job (prepared, or reused when
    unchanged, unless --no-bench); the list is stored for the digest and `/shortlist`."""
    from pipeline import refresh_shortlist
    from reports.render.markdown import shortlist_csv, shortlist_json, shortlist_markdown
    from storage.db import session_scope

    s = settings()
    check_subsystems(s.watch, repo, subsystem or ())
    with session_scope(engine()) as session:
        sl = refresh_shortlist(session, s.watch, repo, s.present(), s.output_dir, subsystems=tuple(subsystem or ()),
                               backend=backend.value if backend else None, prepare_bench=bench)
    render = {ShortlistFormat.md: shortlist_markdown, ShortlistFormat.csv: shortlist_csv,
              ShortlistFormat.json: shortlist_json}[fmt]
    _emit(render(sl), out_path, "shortlist")


@app.command("prflow")
def prflow_cmd(
    days: Annotated[int, typer.Option("--days", min=1, max=DAYS_MAX, help="Window in days before now.")] = 7,
    stall_days: Annotated[float, typer.Option("--stall-days", help="A PR idle this long is stalling.")] = 3.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    repo: RepoOpt = None,
) -> None:
    """PR flow: first-review and merge latency by subsystem, size and author; stalling PRs."""
    from reports.digest import _plain
    from reports.prflow import pr_flow
    from reports.render.markdown import prflow_markdown
    from storage.db import session_scope
    from storage.read import load_snapshot

    s = settings()
    now = s.present()
    rw = s.watch.repo(repo)
    with session_scope(engine()) as session:
        snap = load_snapshot(session, rw.name, now, now - timedelta(days=days), now, bots=rw.bots)
    flow = pr_flow(snap, stall_days)
    if as_json:
        out.print(json.dumps(_plain(flow), indent=2), markup=False)
    else:
        out.print(prflow_markdown(flow, heading="#"), markup=False)


@app.command("bench")
def bench_cmd(
    issue: Annotated[int, typer.Argument(min=1, max=ISSUE_NUMBER_MAX, help="Issue or PR number.")],
    backend: Annotated[Backend | None, typer.Option("--backend", help="Default: config bench.default_backend.")] = None,
    launch: Annotated[bool, typer.Option("--launch", help="Start it (needs an allowed caller).")] = False,
    repo: RepoOpt = None,
    target: Annotated[
        str | None, typer.Option("--target", help="A bench target other than the subsystem's (e.g. torch-op).")
    ] = None,
    user: Annotated[
        str | None,
        typer.Option("--as", help="Who is asking (checked against bench.allowed_users; default SCOUT_BENCH_USER)."),
    ] = None,
    role: Annotated[
        list[str] | None, typer.Option("--role", help="A role the caller holds (checked against bench.allowed_roles).")
    ] = None,
    pull: Annotated[
        int | None, typer.Option("--pull", help="Measure this PR against its base (an allowed caller names it).")
    ] = None,
    ref: Annotated[
        str | None,
        typer.Option("--ref", help="Measure this branch against the default branch (an allowed caller names it)."),
    ] = None,
    fork: Annotated[
        str | None, typer.Option("--fork", help="The fork --ref lives in (https://github.com/OWNER/REPO).")
    ] = None,
    results: Annotated[
        Path | None,
        typer.Option(
            "--results",
            exists=True,
            dir_okay=False,
            help="Store a remote run's results from its log (`sky jobs logs`, the Actions run log).",
        ),
    ] = None,
    cwd: Annotated[Path | None, typer.Option("--cwd", help="local: run the commands in this checkout.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the stored job as JSON.")] = False,
) -> None:
    """Build, store and render the bench job for an issue; --launch starts it on the backend;
    --results takes in a remote run's results."""
    from bench import NamedChange, authorize
    from pipeline import prepare_bench_job, record_bench_log, run_bench_job, sessions_for

    s = settings()
    name = s.watch.repo(repo).name
    user = user or s.bench_user
    roles = tuple(role or ()) + s.bench_roles
    named = NamedChange(pull=pull, ref=ref, fork=fork) if (pull or ref or fork) else None
    sessions = sessions_for(engine())
    if launch or named is not None:
        authorize(s.watch.bench, user, roles)  # refuse before anything is stored or started
    job = prepare_bench_job(s, sessions, name, issue, backend.value if backend else None, target=target,
                            requested_by=user or "", named=named, roles=roles)
    if results is not None:
        job = record_bench_log(s, sessions, job, results.read_text(encoding="utf-8", errors="replace"))
    if launch:
        console.print(f"launching bench job {job.id} ({job.backend}, {job.target}) for {name}#{issue}", markup=False)
        job = run_bench_job(s, sessions, job, user=user, roles=roles, cwd=cwd)
    if as_json:
        out.print(json.dumps(job.to_dict(), indent=2), markup=False)
        return
    if not job.spec.needed:
        out.print(f"bench job {job.id}: {name}#{issue} · no benchmark needed: {job.spec.no_gpu_reason}", markup=False)
        return
    hardware = job.spec.gpu or f"CPU instance ({job.spec.cpus or 'any'} vCPUs)"
    out.print(f"bench job {job.id}: {name}#{issue} · subsystem {job.subsystem} · target {job.target} "
              f"({job.spec.kind}) on {hardware} · {job.backend} · {job.status}", markup=False)
    out.print("measures: " + ", ".join(f"{m.label}={m.ref}" for m in job.spec.measures)
              + f" · {job.spec.repetitions} repetition(s)", markup=False)
    for m in job.spec.metrics:
        out.print(f"metric: {m.measures} [{m.unit}, {m.better} is better]", markup=False)
    for n in job.spec.notes:
        out.print(f"note: {n}", markup=False)
    out.print(f"link: {job.link}", markup=False)
    if not launch and results is None:
        out.print(job.rendered, markup=False)
    for line in job.result.get("summary_lines", []):
        out.print(f"  {line}", markup=False)
    if job.verdict:
        out.print(f"verdict: {job.verdict}", markup=False)
    if job.status in ("failed", "timeout"):
        raise typer.Exit(1)


@app.command("bench-workflow")
def bench_workflow_cmd(
    out_dir: Annotated[Path, typer.Option("--out", help="The root of the watched repository's checkout.")] = Path("."),
) -> None:
    """Write the GitHub Actions workflow the github-actions backend dispatches, and the scripts its
    targets use, into a checkout (.github/workflows/ and .github/scout/)."""
    import shutil

    from bench.render import SCRIPTS_DIR, WORKFLOW_FILE

    s = settings()
    wf = out_dir / ".github" / "workflows" / s.watch.bench.workflow
    scripts = out_dir / ".github" / "scout"
    wf.parent.mkdir(parents=True, exist_ok=True)
    scripts.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(WORKFLOW_FILE, wf)
    for p in sorted(SCRIPTS_DIR.glob("*.py")):
        shutil.copyfile(p, scripts / p.name)
    out.print(f"wrote {wf} and {len(list(SCRIPTS_DIR.glob('*.py')))} scripts in {scripts}; run it on a self-hosted "
              "runner labelled gpu-h100 (or the label of the job's hardware)", markup=False)
