"""Helpers shared by tests (import as `tests.helpers`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_scout(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
              timeout: float = 300, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the real `scout` console entry point in a subprocess (as a user would)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("SCOUT_") or k == "SCOUT_TEST_POSTGRES_URL"}
    full_env.update(env or {})
    proc = subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True,
                          env=full_env, cwd=cwd, timeout=timeout, check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"scout {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc
