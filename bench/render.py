"""Render a bench spec for a backend: a SkyPilot task YAML, a GitHub Actions workflow_dispatch
request (plus the workflow that receives it), or the argv lists the local runner executes."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bench.results import result_name
from bench.spec import _SHA, BenchSpec, Measure
from config.errors import ReportError

SCRIPTS_DIR = Path(__file__).resolve().parent / "scripts"
# Remote paths are ours (no spaces or quotes) and use $HOME so the shell expands them.
REMOTE_SCRIPTS = "$HOME/scout-bench"
REMOTE_SRC = "$HOME/scout-src"
REMOTE_RESULTS = "$HOME/scout-results"
WORKFLOW_SCRIPTS = ".scout-scripts"  # the workflow copies .github/scout/*.py there first


def script_path(name: str) -> Path:
    """A script shipped in bench/scripts (names are validated by the config)."""
    p = (SCRIPTS_DIR / name).resolve()
    if p.parent != SCRIPTS_DIR or not p.is_file():
        raise ReportError(f"bench script {name!r} is not in {SCRIPTS_DIR}")
    return p


_OUR_PATH = re.compile(r"[A-Za-z0-9_./$-]+")


def instantiate(command: str, result: str, script: str | None, quote: bool = True) -> str:
    """Fill the render-time placeholders with paths: shell-quoted, or (`quote=False`, for our own
    `$HOME/...` paths that must expand) checked to hold nothing a shell would act on."""
    def q(path: str) -> str:
        if quote:
            return shlex.quote(path)
        if not _OUR_PATH.fullmatch(path):
            raise ReportError(f"unsafe path in a bench command: {path!r}")
        return path

    out = command.replace("{result}", q(result))
    if "{script}" in out:
        if script is None:
            raise ReportError("a command uses {script} but the target names no script")
        out = out.replace("{script}", q(script))
    return out


class _Literal(str):
    """A string YAML writes as a `|` block."""


def _literal_representer(dumper: yaml.SafeDumper, data: _Literal) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(data), style="|")


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Literal, _literal_representer)


def _dump(doc: dict[str, Any]) -> str:
    return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=1000)


def _checkout(m: Measure) -> list[str]:
    lines = [f"# measure: {m.label} ({m.ref}{' from ' + m.remote if m.remote else ''})"]
    if m.remote:
        lines.append(f"git fetch --quiet {shlex.quote(m.remote)} {shlex.quote(m.ref)}")
        lines.append("git checkout --quiet --force FETCH_HEAD")
    elif _SHA.fullmatch(m.ref):
        if m.pull_number is not None:
            lines.append(f"git fetch --quiet origin {shlex.quote(f'pull/{m.pull_number}/head')} || true")
        lines.append(f"git checkout --quiet --force {shlex.quote(m.ref)}")
    else:
        lines.append(f"git fetch --quiet origin {shlex.quote(m.ref)}")
        lines.append(f"git checkout --quiet --force {shlex.quote('origin/' + m.ref)}")
    return lines


HEALTH_WAIT_S = 900  # a server that is not healthy by then counts as failed


def _timed_commands(spec: BenchSpec, m: Measure, script: str | None, secs: int) -> list[str]:
    """The measure's commands, each repeated, each under `timeout`; with a server, started first
    (its log in the results folder), waited for on /health, and stopped after."""
    runs = [f"timeout {secs} "
            + instantiate(c, f"{REMOTE_RESULTS}/{result_name(m.label, i, r)}", script, quote=False) + " || status=$?"
            for r in range(spec.repetitions) for i, c in enumerate(spec.commands)]
    if not spec.server:
        return runs
    log = f"{REMOTE_RESULTS}/server-{m.label}.log"
    return [
        f"{spec.server} > {log} 2>&1 &",
        "server_pid=$!",
        "ready=0",
        f"for _ in $(seq 1 {HEALTH_WAIT_S}); do",
        f"  if curl -sf http://127.0.0.1:{spec.port}/health > /dev/null; then ready=1; break; fi",
        '  kill -0 "$server_pid" 2> /dev/null || break',
        "  sleep 1",
        "done",
        'if [ "$ready" = 1 ]; then',
        *(f"  {r}" for r in runs),
        "else",
        f'  echo "the server did not answer /health within {HEALTH_WAIT_S} s; see {log}"; tail -n 50 {log}; status=1',
        "fi",
        'kill "$server_pid" 2> /dev/null; wait "$server_pid" 2> /dev/null || true',
    ]


def skypilot_yaml(spec: BenchSpec) -> str:
    """A SkyPilot task on the spec's hardware (an accelerator, or a CPU instance): the run checks
    out each measured commit, installs it, runs the commands (server first where there is one)
    `repetitions` times under `timeout`, and prints every JSON result at the end. No header: the
    caller adds one that says whether SkyPilot's parser accepted it (`bench.validate`)."""
    if not spec.needed:
        raise ReportError(f"no benchmark needed for {spec.repo}#{spec.issue_number}: {spec.no_gpu_reason}")
    secs = spec.timeout_minutes * 60
    envs = {"BENCH_REPO_URL": f"https://github.com/{spec.repo}.git", "BENCH_ISSUE": str(spec.issue_number),
            "BENCH_TARGET": spec.target, "BENCH_MODEL": spec.model}
    resources: dict[str, Any] = {}
    if spec.gpu:
        resources["accelerators"] = spec.gpu
    if spec.cpus:
        resources["cpus"] = spec.cpus
    doc: dict[str, Any] = {"name": spec.name, "resources": resources, "envs": envs}
    script = None
    if spec.script:
        local = script_path(spec.script)
        script = f"{REMOTE_SCRIPTS}/{spec.script}"
        doc["file_mounts"] = {f"~/scout-bench/{spec.script}": str(local)}
    setup = ["set -euo pipefail"]
    run = ["set -uo pipefail", f"mkdir -p {REMOTE_RESULTS}", "status=0"]
    if spec.kind == "torch-op":
        setup.append('python -c "import torch; print(torch.__version__)" || pip install torch')
        run.extend(_timed_commands(spec, spec.measures[0], script, secs))
    else:
        setup.append(f'[ -d {REMOTE_SRC}/.git ] || git clone --quiet --filter=blob:none "$BENCH_REPO_URL" {REMOTE_SRC}')
        run.append(f"cd {REMOTE_SRC}")
        for m in spec.measures:
            run.extend(_checkout(m))
            run.extend(f"{s} || status=$?" for s in spec.setup)
            run.extend(_timed_commands(spec, m, script, secs))
    run.append(f'for f in {REMOTE_RESULTS}/*.json; do [ -f "$f" ] && echo "=== $f" && cat "$f" && echo; done')
    run.append('exit "$status"')
    doc["setup"] = _Literal("\n".join(setup) + "\n")
    doc["run"] = _Literal("\n".join(run) + "\n")
    return _dump(doc)


def skypilot_header(validated_by: str | None) -> str:
    """The YAML's first line: "validated" only when SkyPilot's parser accepted it in this run."""
    if validated_by:
        return f"# oss-scout bench job (validated: {validated_by}); launch: sky jobs launch -y THIS.yaml\n"
    return ("# oss-scout bench job (NOT validated: SkyPilot is not installed where it was rendered; "
            "check with `sky launch --dryrun THIS.yaml`); launch: sky jobs launch -y THIS.yaml\n")


# ----------------------------------------------------------------------------- GitHub Actions

WORKFLOW_FILE = Path(__file__).resolve().parent / "workflows" / "scout-bench.yml"
WORKFLOW_INPUTS = ("issue", "target", "runner", "job", "timeout_minutes")


@dataclass(frozen=True)
class Dispatch:
    """A workflow_dispatch request: run `workflow` from `ref` with string `inputs` (at most 10)."""

    workflow: str
    ref: str
    inputs: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        return {"workflow": self.workflow, "ref": self.ref, "inputs": dict(self.inputs)}


def workflow_job(spec: BenchSpec) -> dict[str, Any]:
    """What the shipped workflow runs (its `job` input): per measured commit, the checkout, the
    setup, the server and each repetition's commands with the result file it writes."""
    script = f"{WORKFLOW_SCRIPTS}/{spec.script}" if spec.script else None
    measures = []
    for m in spec.measures:
        runs = [{"command": instantiate(c, f"results/{result_name(m.label, i, r)}", script),
                 "result": result_name(m.label, i, r)}
                for r in range(spec.repetitions) for i, c in enumerate(spec.commands)]
        measures.append({"label": m.label, "ref": m.ref, "remote": m.remote or "", "pull": m.pull_number or 0,
                         "checkout": spec.kind != "torch-op", "runs": runs})
    return {"setup": list(spec.setup), "server": spec.server or "", "port": spec.port or 0, "measures": measures}


def github_dispatch(spec: BenchSpec, workflow: str, ref: str) -> Dispatch:
    """The inputs of the shipped workflow (bench/workflows/scout-bench.yml): everything as strings;
    `runner` is the self-hosted runner label of the spec's hardware."""
    if not spec.needed:
        raise ReportError(f"no benchmark needed for {spec.repo}#{spec.issue_number}: {spec.no_gpu_reason}")
    inputs = {"issue": str(spec.issue_number), "target": spec.target, "runner": runner_label(spec),
              "job": json.dumps(workflow_job(spec), separators=(",", ":")),
              "timeout_minutes": str(spec.timeout_minutes)}
    return Dispatch(workflow=workflow, ref=ref, inputs=inputs)


def runner_label(spec: BenchSpec) -> str:
    """The self-hosted runner label for the spec's hardware: `gpu-h100`, `gpu-mi300x`, `tpu-v6e-8`, `cpu`."""
    if not spec.gpu:
        return "cpu"
    name = spec.gpu.split(":", 1)[0].lower()
    return name if name.startswith("tpu") else f"gpu-{name}"


# ----------------------------------------------------------------------------- local


@dataclass(frozen=True)
class LocalCommand:
    label: str
    argv: tuple[str, ...]
    env: dict[str, str]
    result: str  # the JSON file it writes (relative to the job's folder)


def _split(command: str) -> tuple[dict[str, str], tuple[str, ...]]:
    """argv of a command template (no shell); leading NAME=value words become environment."""
    words = shlex.split(command)
    env: dict[str, str] = {}
    while words and "=" in words[0] and words[0].split("=", 1)[0].isidentifier():
        k, v = words.pop(0).split("=", 1)
        env[k] = v
    if not words:
        raise ReportError(f"empty command in bench target: {command!r}")
    return env, tuple(words)


def _python(argv: tuple[str, ...], python: str) -> tuple[str, ...]:
    return (python, *argv[1:]) if argv[0] in ("python", "python3") else argv


def local_commands(spec: BenchSpec, python: str = "python") -> list[LocalCommand]:
    """What the local runner executes, in order, `repetitions` times (no shell; `python` replaces a
    leading `python`). The local backend measures the code installed on this host: one label."""
    script = str(script_path(spec.script)) if spec.script else None
    label = spec.measures[0].label if spec.kind == "torch-op" else "local"
    out = []
    for r in range(spec.repetitions):
        for i, c in enumerate(spec.commands):
            result = result_name(label, i, r)
            env, argv = _split(instantiate(c, result, script))
            out.append(LocalCommand(label=label, argv=_python(argv, python), env=env, result=result))
    return out


def local_server(spec: BenchSpec, python: str = "python") -> LocalCommand | None:
    """The server the local runner starts before the commands (None for targets without one)."""
    if not spec.server:
        return None
    env, argv = _split(instantiate(spec.server, "", None))
    return LocalCommand(label="server", argv=_python(argv, python), env=env, result="")
