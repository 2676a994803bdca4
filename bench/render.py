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

from bench.spec import _SHA, BenchSpec, Measure
from config.errors import ReportError

SCRIPTS_DIR = Path(__file__).resolve().parent / "scripts"
# Remote paths are ours (no spaces or quotes) and use $HOME so the shell expands them.
REMOTE_SCRIPTS = "$HOME/scout-bench"
REMOTE_SRC = "$HOME/scout-src"
REMOTE_RESULTS = "$HOME/scout-results"
WORKFLOW_SCRIPTS = ".github/scout"


def script_path(name: str) -> Path:
    """A script shipped in bench/scripts (names are validated by the config)."""
    p = (SCRIPTS_DIR / name).resolve()
    if p.parent != SCRIPTS_DIR or not p.is_file():
        raise ReportError(f"bench script {name!r} is not in {SCRIPTS_DIR}")
    return p


def result_name(label: str, index: int) -> str:
    return f"{label}-{index + 1}.json"


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


def _checkout(m: Measure, pull_number: int | None) -> list[str]:
    lines = [f"# measure: {m.label} ({m.ref})"]
    if _SHA.fullmatch(m.ref):
        if pull_number is not None:
            lines.append(f"git fetch --quiet origin {shlex.quote(f'pull/{pull_number}/head')} || true")
        lines.append(f"git checkout --quiet --force {shlex.quote(m.ref)}")
    else:
        lines.append(f"git fetch --quiet origin {shlex.quote(m.ref)}")
        lines.append(f"git checkout --quiet --force {shlex.quote('origin/' + m.ref)}")
    return lines


def skypilot_yaml(spec: BenchSpec) -> str:
    """A SkyPilot task: one GPU of the configured type; the run checks out each measured commit,
    installs it, runs the commands under `timeout`, and prints every JSON result at the end."""
    secs = spec.timeout_minutes * 60
    envs = {"SCOUT_REPO_URL": f"https://github.com/{spec.repo}.git", "SCOUT_ISSUE": str(spec.issue_number),
            "SCOUT_TARGET": spec.target, "SCOUT_MODEL": spec.model}
    doc: dict[str, Any] = {"name": spec.name, "resources": {"accelerators": spec.gpu}, "envs": envs}
    script = None
    if spec.script:
        local = script_path(spec.script)
        script = f"{REMOTE_SCRIPTS}/{spec.script}"
        doc["file_mounts"] = {f"~/scout-bench/{spec.script}": str(local)}
    setup = ["set -euo pipefail"]
    run = ["set -uo pipefail", f"mkdir -p {REMOTE_RESULTS}", "status=0"]
    if spec.kind == "torch-op":
        setup.append('python -c "import torch; print(torch.__version__)" || pip install torch')
        m = spec.measures[0]
        for i, c in enumerate(spec.commands):
            cmd = instantiate(c, f"{REMOTE_RESULTS}/{result_name(m.label, i)}", script, quote=False)
            run.append(f"timeout {secs} {cmd} || status=$?")
    else:
        setup.append(f'[ -d {REMOTE_SRC}/.git ] || git clone --quiet --filter=blob:none "$SCOUT_REPO_URL" {REMOTE_SRC}')
        run.append(f"cd {REMOTE_SRC}")
        for m in spec.measures:
            run.extend(_checkout(m, spec.pull_number))
            run.extend(f"{s} || status=$?" for s in spec.setup)
            for i, c in enumerate(spec.commands):
                cmd = instantiate(c, f"{REMOTE_RESULTS}/{result_name(m.label, i)}", script, quote=False)
                run.append(f"timeout {secs} {cmd} || status=$?")
    run.append(f'for f in {REMOTE_RESULTS}/*.json; do [ -f "$f" ] && echo "=== $f" && cat "$f" && echo; done')
    run.append('exit "$status"')
    doc["setup"] = _Literal("\n".join(setup) + "\n")
    doc["run"] = _Literal("\n".join(run) + "\n")
    return "# oss-scout bench job (validated with sky.Task.from_yaml); launch: sky jobs launch -y THIS.yaml\n" + _dump(doc)


# ----------------------------------------------------------------------------- GitHub Actions


@dataclass(frozen=True)
class Dispatch:
    """A workflow_dispatch request: run `workflow` from `ref` with string `inputs` (at most 10)."""

    workflow: str
    ref: str
    inputs: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        return {"workflow": self.workflow, "ref": self.ref, "inputs": dict(self.inputs)}


def github_dispatch(spec: BenchSpec, workflow: str, ref: str) -> Dispatch:
    """The inputs of the bench workflow (`bench_workflow_yaml`): everything as strings."""
    script = f"{WORKFLOW_SCRIPTS}/{spec.script}" if spec.script else None
    commands = [[instantiate(c, f"results/{result_name(m.label, i)}", script) for i, c in enumerate(spec.commands)]
                for m in spec.measures]
    inputs = {
        "issue": str(spec.issue_number),
        "target": spec.target,
        "kind": spec.kind,
        "gpu": spec.gpu,
        "measures": json.dumps([{"label": m.label, "ref": m.ref} for m in spec.measures]),
        "pull": str(spec.pull_number or ""),
        "setup": json.dumps(list(spec.setup)),
        "commands": json.dumps(commands),
        "timeout_minutes": str(spec.timeout_minutes),
    }
    return Dispatch(workflow=workflow, ref=ref, inputs=inputs)


def bench_workflow_yaml(runner_label: str = "gpu") -> str:
    """The workflow a repo installs as `.github/workflows/<bench.workflow>` to receive dispatches.

    Inputs are passed through the environment, never spliced into the script by the expression
    engine, so they cannot inject shell; only people allowed to dispatch can start it anyway.
    """
    names = ("issue", "target", "kind", "gpu", "measures", "pull", "setup", "commands", "timeout_minutes")
    doc = {
        "name": "oss-scout bench",
        "on": {"workflow_dispatch": {"inputs": {n: {"required": n in ("issue", "measures", "commands"), "type": "string",
                                                     "default": ""} for n in names}}},
        "permissions": {"contents": "read"},
        "jobs": {"bench": {
            "runs-on": ["self-hosted", runner_label],
            "timeout-minutes": 180,
            "steps": [
                {"uses": "actions/checkout@v4", "with": {"fetch-depth": 0}},
                {"name": "bench", "shell": "bash",
                 "env": {f"SCOUT_{n.upper()}": "${{ inputs." + n + " }}" for n in names},
                 "run": _Literal(_WORKFLOW_RUN)},
                {"uses": "actions/upload-artifact@v4", "with": {"name": "bench-results", "path": "results/"}},
            ],
        }},
    }
    return _dump(doc).replace("'on':", "on:")


_WORKFLOW_RUN = """set -uo pipefail
mkdir -p results
python3 - <<'PY'
import json, os, subprocess, sys
measures = json.loads(os.environ["SCOUT_MEASURES"])
setup = json.loads(os.environ.get("SCOUT_SETUP") or "[]")
commands = json.loads(os.environ["SCOUT_COMMANDS"])
timeout = int(os.environ.get("SCOUT_TIMEOUT_MINUTES") or "30") * 60
pull = os.environ.get("SCOUT_PULL") or ""
status = 0
for m, cmds in zip(measures, commands):
    if m["ref"] and m["label"] != "baseline":
        if pull:
            subprocess.run(["git", "fetch", "--quiet", "origin", f"pull/{pull}/head"])
        subprocess.run(["git", "checkout", "--quiet", "--force", m["ref"]], check=True)
    for c in setup + cmds:
        rc = subprocess.run(["bash", "-c", c], timeout=timeout).returncode
        status = status or rc
sys.exit(status)
PY
"""


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


def local_commands(spec: BenchSpec, python: str = "python") -> list[LocalCommand]:
    """What the local runner executes, in order (no shell; `python` replaces a leading `python`).
    The local backend measures the code installed on this host, so it runs the commands once."""
    script = str(script_path(spec.script)) if spec.script else None
    label = spec.measures[0].label if spec.kind == "torch-op" else "local"
    out = []
    for i, c in enumerate(spec.commands):
        result = result_name(label, i)
        env, argv = _split(instantiate(c, result, script))
        if argv[0] in ("python", "python3"):
            argv = (python, *argv[1:])
        out.append(LocalCommand(label=label, argv=argv, env=env, result=result))
    return out
