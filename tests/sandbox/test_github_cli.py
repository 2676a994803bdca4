"""`scout sandbox` serves a dataset until stopped and prints its base URL; a bad --faults is refused."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import requests


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("SCOUT_")}


def test_scout_sandbox_serves_and_stops(github_dataset: Path, tmp_path: Path) -> None:
    log = tmp_path / "requests.log"
    proc = subprocess.Popen([sys.executable, "-m", "bot", "sandbox", "--dataset", str(github_dataset),
                             "--github-port", "0", "--latency-ms", "1", "--request-log", str(log)],
                            env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        assert first.startswith("github sandbox: http://127.0.0.1:")
        url = first.split(": ", 1)[1]
        assert proc.stdout.readline().strip() == f"export SCOUT_GITHUB_API_URL={url}"
        r = requests.get(f"{url}/api/v3/repos/acme/engine", headers={"Authorization": "token t"}, timeout=10)
        assert r.status_code == 200 and r.json()["full_name"] == "acme/engine"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)
    assert proc.returncode == 0
    assert '"path": "/api/v3/repos/acme/engine"' in log.read_text()


def test_bad_faults_are_refused(github_dataset: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "bot", "sandbox", "--dataset", str(github_dataset),
                           "--faults", "5xx=0.1,oops=1"], env=_env(), capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--faults: unknown item 'oops=1'" in done.stderr
