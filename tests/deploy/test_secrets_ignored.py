"""compose.yaml reads its secrets from `.env` beside it: git must never pick that file up."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", [".env", ".env.production", "deploy/.env"])
def test_env_files_are_git_ignored(name: str) -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    proc = subprocess.run(["git", "check-ignore", "--no-index", "-q", name], cwd=ROOT, check=False)
    assert proc.returncode == 0, f"{name} is not git-ignored"


def test_compose_says_where_the_secrets_go() -> None:
    assert ".env" in (ROOT / "compose.yaml").read_text()
