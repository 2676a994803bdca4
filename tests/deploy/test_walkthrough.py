"""The README's "Run it for your community" walk-through, run as written: every `scout` command of
its first block, in order, against the GitHub and Discord sandboxes (a generated community whose
present is now), with made-up tokens. Only the real tokens and the real server are left out."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from config.clock import iso_z
from config.watch import load_watch_config

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "123456789012345678"


def walkthrough() -> list[str]:
    """The first ```bash block of the README section "Run it for your community", one command a line."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Run it for your community", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [line.split("   #")[0].split("  #")[0].strip() for line in block.splitlines() if line.strip()]


def test_the_walkthrough_starts_from_a_clone_and_uses_the_env_example() -> None:
    steps = walkthrough()
    assert steps[0].startswith("git clone ") and steps[1] == "make install && source .venv/bin/activate"
    assert steps[2] == "cp .env.example .env" and steps[3] == "set -a && source .env && set +a"
    assert steps[-2:] == ["scout run", "scout status --live"]
    # .env.example: plain KEY=VALUE lines that bash can source, naming only settings that exist
    from config.settings import Settings

    known = {f"SCOUT_{k.upper()}" for k in Settings.model_fields} | {"SCOUT_DISCORD_CLIENT_ID", "POSTGRES_PASSWORD",
                                                                       "SCOUT_CONFIG_DIR", "SCOUT_CONFIG_NAME"}
    keys = re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M)
    assert {"SCOUT_DISCORD_TOKEN", "SCOUT_GITHUB_TOKEN", "SCOUT_DISCORD_CLIENT_ID"} <= set(keys) <= known
    sourced = subprocess.run(["bash", "-c", "set -a && source .env.example && set +a && env"], cwd=ROOT,
                             capture_output=True, text=True, check=True)
    assert "SCOUT_DATABASE_URL=sqlite:///scout.db" in sourced.stdout.splitlines()


@pytest.fixture(scope="module")
def community(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sandbox.community import simulate

    out = tmp_path_factory.mktemp("walk") / "d"
    simulate(out, seed=11, scale="small", watch=load_watch_config(), now=iso_z(datetime.now(UTC)))
    return out


@pytest.fixture
def sandbox(community: Path, tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCOUT_")}
    proc = subprocess.Popen([sys.executable, "-m", "bot", "sandbox", "--dataset", str(community), "--github-port", "0",
                             "--discord-port", "0", "--request-log", str(tmp_path / "requests.jsonl")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    urls: dict[str, str] = {}
    while len(urls) < 3:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        assert line, f"scout sandbox exited {proc.wait()}"
        if line.strip().startswith("export SCOUT_"):
            key, value = line.strip().removeprefix("export ").split("=", 1)
            urls[key] = value
    try:
        yield urls
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)


@pytest.mark.slow
def test_every_scout_command_of_the_walkthrough_runs_against_the_sandbox(sandbox: dict[str, str],
                                                                         tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCOUT_")} | sandbox | {
        # what .env holds once filled in (made-up tokens: the sandbox takes any)
        "SCOUT_DISCORD_CLIENT_ID": CLIENT_ID, "SCOUT_DISCORD_TOKEN": "MTIz.walkthrough.token",
        "SCOUT_GITHUB_TOKEN": "github_pat_" + "w" * 40, "SCOUT_DATABASE_URL": f"sqlite:///{tmp_path}/scout.db",
        "SCOUT_MODEL_DIR": str(tmp_path / "models"), "SCOUT_OUTPUT_DIR": str(tmp_path / "out"),
        "SCOUT_LOG_LEVEL": "INFO"}
    commands = [s for s in walkthrough() if s.startswith("scout ")]
    assert len(commands) >= 10
    service: subprocess.Popen | None = None
    outputs: dict[str, subprocess.CompletedProcess[str]] = {}
    try:
        for command in commands:
            argv = [a.replace("$SCOUT_DISCORD_CLIENT_ID", CLIENT_ID) for a in shlex.split(command)][1:]
            if argv == ["run"]:
                log = (tmp_path / "run.log").open("w")
                service = subprocess.Popen([sys.executable, "-m", "bot", *argv], stdout=log, stderr=subprocess.STDOUT,
                                           env=env, cwd=tmp_path)
                continue
            if argv == ["status", "--live"]:
                deadline = time.monotonic() + 60
                while True:  # the service beats from its start, and says so once it has logged in to Discord
                    proc = _scout(argv, env, tmp_path)
                    connected = proc.returncode == 0 and "not connected" not in proc.stdout
                    if connected or time.monotonic() > deadline:
                        break
                    assert service is not None and service.poll() is None, (tmp_path / "run.log").read_text()[-3000:]
                    time.sleep(0.5)
            else:
                proc = _scout(argv, env, tmp_path)
            outputs[command] = proc
            if argv == ["status", "--live"]:  # commands are registered on READY: give it its moment
                _wait_for(lambda: _command_puts(tmp_path), 30)
            ok = {0} if argv[0] != "status" or "--live" in argv else {0, 1}  # status: 1 only means "stale"
            said = f"{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
            assert proc.returncode in ok, f"{command} exited {proc.returncode}\n{said}"
            assert "Traceback" not in proc.stderr, command
    finally:
        if service is not None:
            service.send_signal(signal.SIGTERM)
            assert service.wait(60) == 0, (tmp_path / "run.log").read_text()[-3000:]
    out = {c.split("   ")[0].strip(): p.stdout for c, p in outputs.items()}
    assert f"client_id={CLIENT_ID}" in out['scout invite-url --client-id "$SCOUT_DISCORD_CLIENT_ID"']
    assert "stored" in out["scout collect github --days 30"] and "message(s)" in out["scout collect discord --days 30"]
    assert out["scout digest --no-chart"].startswith("# oss-scout digest · vllm-project/vllm")
    assert "kernel" in out["scout maintainers kernel"]
    live = out["scout status --live"]
    assert live.startswith("alive: heartbeat") and "connected to Discord" in live
    # the bot registered its commands in the sandbox's guild, not globally
    puts = _command_puts(tmp_path)
    assert puts and all(re.search(r"/applications/\d+/guilds/\d+/commands$", p) for p in puts), puts


def _command_puts(tmp_path: Path) -> list[str]:
    return [r["path"] for r in _requests(tmp_path) if r["method"] == "PUT" and r["path"].endswith("/commands")]


def _wait_for(found: Callable[[], Any], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not found() and time.monotonic() < deadline:
        time.sleep(0.2)


def _scout(argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *argv], capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=300, check=False)


def _requests(tmp_path: Path) -> list[dict]:
    log = tmp_path / "requests.jsonl"
    return [json.loads(x) for x in log.read_text().splitlines()] if log.exists() else []
