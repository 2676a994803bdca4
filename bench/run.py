"""Starting bench jobs: who may, and the three backends (SkyPilot managed job, GitHub Actions
workflow_dispatch, a local run on this host's GPU with a timeout).

A bench job runs code, so every launch goes through `authorize` first; the commands come from the
config (see spec.py), never from issue text.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.render import Dispatch, local_commands
from bench.spec import BenchSpec
from config.clock import iso_z, utcnow
from config.errors import ReportError
from config.watch import BenchConfig

log = logging.getLogger(__name__)

TAIL = 4000


class BenchRefused(ReportError):
    """The caller may not start bench jobs (config: bench.allowed_users / allowed_roles)."""

    exit_code = 3


def authorize(bench: BenchConfig, user: str | None, roles: Iterable[str] = (), extra_users: Iterable[str] = (),
              extra_roles: Iterable[str] = ()) -> str:
    """The caller's name if they may launch bench jobs, else BenchRefused.

    Allowed: a login in `bench.allowed_users` (or `extra_users`), or a holder of a role in
    `bench.allowed_roles` (or `extra_roles`); names compare case-insensitively. With no identity
    nothing is allowed: a bench job never starts from untrusted input alone.
    """
    if not user or not user.strip():
        raise BenchRefused("launching a bench job needs the caller's identity (--as LOGIN or SCOUT_BENCH_USER)")
    users = {u.lower() for u in (*bench.allowed_users, *extra_users)}
    allowed_roles = {r.lower() for r in (*bench.allowed_roles, *extra_roles)}
    have = {r.lower() for r in roles}
    if user.lower() in users or have & allowed_roles:
        return user
    raise BenchRefused(
        f"{user} may not launch bench jobs: not in bench.allowed_users"
        + (f" and no role among {', '.join(sorted(allowed_roles))}" if allowed_roles else ""))


@dataclass(frozen=True)
class LaunchResult:
    status: str  # "launched", "succeeded", "failed", "timeout"
    link: str
    result: dict[str, Any]
    finished_at: datetime | None = None


# ----------------------------------------------------------------------------- local


def _tail(data: bytes | str | None) -> str:
    if not data:
        return ""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    return text[-TAIL:]


def _json_from(path: Path, stdout: str) -> Any:
    """The command's JSON result: its result file, else the last stdout line that is JSON."""
    if path.is_file():
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            return {"error": f"result file {path.name} is not JSON: {exc}"}
    for line in reversed(stdout.splitlines()):
        line = line.strip()
        if line.startswith(("{", "[")):
            try:
                return json.loads(line)
            except ValueError:
                continue
    return None


def run_local(spec: BenchSpec, workdir: Path, cwd: Path | None = None, python: str | None = None,
              timeout_s: float | None = None) -> LaunchResult:
    """Run the spec's commands here, one after another, within the target's timeout in total;
    each command's JSON result (its `{result}` file, or its last JSON stdout line) is captured.

    No shell is involved; a command that runs past the deadline is killed with its process group.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + (timeout_s if timeout_s is not None else spec.timeout_minutes * 60)
    started = utcnow()
    steps: list[dict[str, Any]] = []
    status = "succeeded"
    for cmd in local_commands(spec, python=python or sys.executable):
        remaining = deadline - time.monotonic()
        step: dict[str, Any] = {"label": cmd.label, "argv": list(cmd.argv), "result_file": cmd.result}
        if remaining <= 0:
            step.update(returncode=None, seconds=0.0, skipped="timeout")
            status = "timeout"
            steps.append(step)
            continue
        env = {**os.environ, **cmd.env, "PYTHONUNBUFFERED": "1"}
        t0 = time.monotonic()
        try:
            proc = subprocess.Popen(cmd.argv, cwd=cwd or workdir, env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, start_new_session=True)
        except OSError as exc:
            step.update(returncode=None, seconds=0.0, error=f"cannot start {cmd.argv[0]}: {exc.strerror or exc}")
            status = "failed"
            steps.append(step)
            continue
        try:
            out, err = proc.communicate(timeout=remaining)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            out, err = proc.communicate()
            step["timed_out"] = True
            status = "timeout"
        stdout = _tail(out)
        step.update(returncode=proc.returncode, seconds=round(time.monotonic() - t0, 3), stdout_tail=stdout,
                    stderr_tail=_tail(err))
        result_path = (cwd or workdir) / cmd.result
        step["result"] = _json_from(result_path, out.decode("utf-8", "replace") if out else "")
        if result_path.is_file() and (cwd or workdir) != workdir:
            shutil.copy2(result_path, workdir / cmd.result)
        if proc.returncode != 0 and status == "succeeded":
            status = "failed"
        steps.append(step)
    finished = utcnow()
    result = {"backend": "local", "host": platform.node(), "started_at": iso_z(started),
              "finished_at": iso_z(finished), "status": status, "workdir": str(workdir), "steps": steps}
    (workdir / "result.json").write_text(json.dumps(result, indent=2, sort_keys=True), encoding="utf-8")
    log.info("bench job %s ran locally: %s", spec.name, status)
    return LaunchResult(status=status, link=str(workdir / "result.json"), result=result, finished_at=finished)


# ----------------------------------------------------------------------------- SkyPilot


def skypilot_configured() -> str | None:
    """Why SkyPilot cannot launch here, or None when it can (the `sky` CLI is installed and
    `sky check` found at least one enabled infrastructure)."""
    sky = shutil.which("sky")
    if sky is None:
        return "the SkyPilot CLI `sky` is not installed (pip install 'oss-scout[skypilot]')"
    try:
        out = subprocess.run([sky, "check", "-o", "json"], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"`sky check` failed: {exc}"
    # `sky check -o json` prints {"<workspace>": {<enabled infra>...}}; {"default": {}} means none.
    text = out.stdout or ""
    try:
        doc = json.loads(text[text.index("{"):]) if "{" in text else {}
    except ValueError:
        doc = {}
    if out.returncode != 0 or not isinstance(doc, dict) or not any(doc.values()):
        return "SkyPilot has no enabled cloud or Kubernetes context (`sky check`)"
    return None


def launch_skypilot(spec: BenchSpec, yaml_path: Path) -> LaunchResult:
    """`sky jobs launch -y -n NAME YAML` (a managed job); refused where SkyPilot is not configured."""
    why = skypilot_configured()
    if why:
        raise ReportError(f"cannot launch on SkyPilot: {why}; the task YAML is at {yaml_path}")
    cmd = ["sky", "jobs", "launch", "-y", "-d", "-n", spec.name, str(yaml_path)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ReportError(f"`{' '.join(cmd)}` failed: {exc}") from exc
    if out.returncode != 0:
        raise ReportError(f"`{' '.join(cmd)}` exited {out.returncode}: {_tail(out.stderr)[-500:]}")
    return LaunchResult(status="launched", link=str(yaml_path),
                        result={"backend": "skypilot", "stdout_tail": _tail(out.stdout)})


# ----------------------------------------------------------------------------- GitHub Actions


def dispatch_github(dispatch: Dispatch, repo: str, api_url: str, token: str | None) -> LaunchResult:
    """POST .../actions/workflows/{workflow}/dispatches through PyGithub; the link is the run's
    URL when GitHub returns run details, else the workflow's runs page."""
    import requests
    from github import Auth, Github, GithubException

    if not token:
        raise ReportError("dispatching a GitHub Actions bench job needs SCOUT_GITHUB_TOKEN")
    g = Github(base_url=api_url.rstrip("/"), auth=Auth.Token(token), seconds_between_requests=0,
               seconds_between_writes=0, retry=None, timeout=30, lazy=True)
    try:
        repository = g.get_repo(repo)
        workflow = repository.get_workflow(dispatch.workflow)
        run = workflow.create_dispatch(dispatch.ref, dispatch.inputs, throw=True, return_run_details=True)
        if isinstance(run, bool):
            # No run details (older API, 204): the newest dispatched run of this workflow on that ref.
            runs = workflow.get_runs(event="workflow_dispatch", branch=dispatch.ref)
            run = next(iter(runs.get_page(0)), True)
    except GithubException as exc:
        msg = exc.data.get("message") if isinstance(exc.data, dict) else exc.data
        raise ReportError(f"GitHub refused the bench dispatch to {repo} {dispatch.workflow}: {exc.status} {msg}") from exc
    except (requests.RequestException, OSError) as exc:  # connection refused, retries exhausted
        raise ReportError(f"cannot reach GitHub at {api_url} to dispatch {dispatch.workflow}: {exc}") from exc
    finally:
        g.close()
    html = getattr(run, "html_url", None) if not isinstance(run, bool) else None
    link = html or f"https://github.com/{repo}/actions/workflows/{dispatch.workflow}"
    result: dict[str, Any] = {"backend": "github-actions", "workflow": dispatch.workflow, "ref": dispatch.ref}
    if not isinstance(run, bool):
        result["run_id"] = run.id
    return LaunchResult(status="launched", link=link, result=result)
