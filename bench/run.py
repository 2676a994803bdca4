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
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.hygiene import redact_tree, runner_env, secret_values
from bench.render import HEALTH_WAIT_S, Dispatch, local_commands, local_server
from bench.results import parse_log, summarize, verdict_of
from bench.spec import BenchSpec
from config.clock import iso_z, utcnow
from config.errors import CollectorError, ReportError
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


def _stop(proc: subprocess.Popen[bytes], grace_s: float = 20.0) -> None:
    """SIGTERM the process group, SIGKILL it after `grace_s`."""
    for sig, wait in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:  # loopback only
            return bool(r.status == 200)
    except (OSError, ValueError):
        return False


def _start_server(spec: BenchSpec, workdir: Path, cwd: Path, env: dict[str, str], python: str,
                  deadline: float) -> tuple[subprocess.Popen[bytes] | None, dict[str, Any]]:
    """Start the target's server and wait for /health (or its exit, or the deadline)."""
    cmd = local_server(spec, python)
    assert cmd is not None and spec.port is not None
    step: dict[str, Any] = {"label": "server", "argv": list(cmd.argv), "log": "server.log"}
    log_file = (workdir / "server.log").open("wb")
    try:
        proc = subprocess.Popen(cmd.argv, cwd=cwd, env={**env, **runner_env({}, cmd.env)}, stdout=log_file,
                                stderr=subprocess.STDOUT, start_new_session=True)
    except OSError as exc:
        log_file.close()
        step["error"] = f"cannot start {cmd.argv[0]}: {exc.strerror or exc}"
        return None, step
    log_file.close()
    t0 = time.monotonic()
    while time.monotonic() < min(deadline, t0 + HEALTH_WAIT_S):
        if proc.poll() is not None:
            step["error"] = f"the server exited with {proc.returncode} before /health answered"
            return None, step
        if _healthy(spec.port):
            step["ready_after_s"] = round(time.monotonic() - t0, 3)
            return proc, step
        time.sleep(0.2)
    _stop(proc)
    step["error"] = f"the server did not answer /health on port {spec.port} in {time.monotonic() - t0:.0f} s"
    return None, step


def run_local(spec: BenchSpec, workdir: Path, cwd: Path | None = None, python: str | None = None,
              timeout_s: float | None = None, environ: Mapping[str, str] | None = None,
              noise_sigmas: float = 2.0) -> LaunchResult:
    """Run the spec here: its server first where it has one (stopped after), then its commands
    `repetitions` times, within the target's timeout in total. Each command's JSON result (its
    `{result}` file, or its last JSON stdout line) is captured, summarised and stored redacted.

    No shell is involved; the processes get a minimal environment (`hygiene.runner_env`), and a
    command that runs past the deadline is killed with its process group.
    """
    if not spec.needed:
        raise ReportError(f"no benchmark needed for {spec.repo}#{spec.issue_number}: {spec.no_gpu_reason}")
    parent = dict(os.environ if environ is None else environ)
    secrets = secret_values(parent)
    workdir.mkdir(parents=True, exist_ok=True)
    where = cwd or workdir
    python = python or sys.executable
    env = runner_env(parent)
    deadline = time.monotonic() + (timeout_s if timeout_s is not None else spec.timeout_minutes * 60)
    started = utcnow()
    steps: list[dict[str, Any]] = []
    files: dict[str, Any] = {}
    status = "succeeded"
    server = None
    if spec.server:
        server, step = _start_server(spec, workdir, where, env, python, deadline)
        steps.append(step)
        if server is None:
            status = "failed"
    try:
        for cmd in local_commands(spec, python=python) if status == "succeeded" else []:
            remaining = deadline - time.monotonic()
            step = {"label": cmd.label, "argv": list(cmd.argv), "result_file": cmd.result}
            steps.append(step)
            if remaining <= 0:
                step.update(returncode=None, seconds=0.0, skipped="timeout")
                status = "timeout"
                continue
            t0 = time.monotonic()
            try:
                proc = subprocess.Popen(cmd.argv, cwd=where, env={**env, **runner_env({}, cmd.env)},
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
            except OSError as exc:
                step.update(returncode=None, seconds=0.0, error=f"cannot start {cmd.argv[0]}: {exc.strerror or exc}")
                status = "failed"
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
            step.update(returncode=proc.returncode, seconds=round(time.monotonic() - t0, 3), stdout_tail=_tail(out),
                        stderr_tail=_tail(err))
            result_path = where / cmd.result
            step["result"] = files[cmd.result] = _json_from(result_path, out.decode("utf-8", "replace") if out else "")
            if result_path.is_file() and where != workdir:
                shutil.copy2(result_path, workdir / cmd.result)
            if proc.returncode != 0 and status == "succeeded":
                status = "failed"
    finally:
        if server is not None:
            _stop(server)
    summaries = summarize(spec, files, noise_sigmas)
    finished = utcnow()
    result: dict[str, Any] = {
        "backend": "local", "host": platform.node(), "started_at": iso_z(started), "finished_at": iso_z(finished),
        "status": status, "workdir": str(workdir), "steps": steps,
        "summary": [s.to_dict() for s in summaries], "summary_lines": [s.line() for s in summaries],
        "verdict": verdict_of(summaries)}
    result = dict(redact_tree(result, secrets))  # type: ignore[call-overload]
    (workdir / "result.json").write_text(json.dumps(result, indent=2, sort_keys=True), encoding="utf-8")
    log.info("bench job %s ran locally: %s", spec.name, status)
    return LaunchResult(status=status, link=str(workdir / "result.json"), result=result, finished_at=finished)


def results_from_log(spec: BenchSpec, log_text: str, noise_sigmas: float = 2.0,
                     environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A SkyPilot or GitHub Actions job's results, from its log (`sky jobs logs`, the run's log):
    the printed result files, summarised, redacted."""
    files = parse_log(log_text)
    if not files:
        raise ReportError("no result files in that log (lines `=== PATH.json` followed by the JSON)")
    summaries = summarize(spec, files, noise_sigmas)
    result = {"files": files, "summary": [s.to_dict() for s in summaries],
              "summary_lines": [s.line() for s in summaries], "verdict": verdict_of(summaries)}
    secrets = secret_values(dict(os.environ if environ is None else environ))
    return dict(redact_tree(result, secrets))  # type: ignore[call-overload]


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
    """POST .../actions/workflows/{workflow}/dispatches through the shared GitHub client (its
    retries and rate-limit handling); the link is the run's URL when GitHub returns run details,
    else the newest dispatched run of the workflow on that ref, else the workflow's runs page."""
    from collectors.github.client import GitHubClient

    if not token:
        raise ReportError("dispatching a GitHub Actions bench job needs SCOUT_GITHUB_TOKEN")
    client = GitHubClient(api_url, token)
    path = f"/repos/{repo}/actions/workflows/{dispatch.workflow}"
    try:
        resp = client.request("POST", f"{path}/dispatches", body={"ref": dispatch.ref, "inputs": dispatch.inputs,
                                                                   "return_run_details": True},
                              what=f"dispatch {dispatch.workflow} on {repo}")
        run = resp.data if isinstance(resp.data, dict) else None
        if run is None:  # 204, no run details: the newest dispatched run of this workflow on that ref
            runs = client.get(f"{path}/runs", params={"event": "workflow_dispatch", "branch": dispatch.ref,
                                                      "per_page": 1}, what="dispatched runs").data
            found = (runs or {}).get("workflow_runs") or [] if isinstance(runs, dict) else []
            run = found[0] if found else None
    except CollectorError as exc:
        raise ReportError(f"GitHub refused or did not answer the bench dispatch to {repo} {dispatch.workflow}: "
                          f"{exc}") from exc
    finally:
        client.close()
    link = (run or {}).get("html_url") or f"https://github.com/{repo}/actions/workflows/{dispatch.workflow}"
    result: dict[str, Any] = {"backend": "github-actions", "workflow": dispatch.workflow, "ref": dispatch.ref}
    run_id = (run or {}).get("workflow_run_id") or (run or {}).get("id")
    if run_id:
        result["run_id"] = run_id
    return LaunchResult(status="launched", link=str(link), result=result)
