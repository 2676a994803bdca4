"""Whether SkyPilot's own parser accepts a task YAML, checked in this process when SkyPilot is
installed (the `skypilot` extra), or by `SCOUT_SKY_PYTHON`, an interpreter that has it. A YAML's
header says "validated" only after one of these accepted it in this run."""

from __future__ import annotations

import functools
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

_CHECK = "import sys, sky; t = sky.Task.from_yaml(sys.argv[1]); print(sky.__version__)"


@dataclass(frozen=True)
class Validation:
    accepted: bool | None  # None: no SkyPilot to ask
    by: str  # "sky.Task.from_yaml (SkyPilot 0.10.3)", or why it could not be checked
    error: str = ""


@functools.cache
def _sky_version() -> str | None:
    try:
        import sky  # type: ignore[import-not-found,unused-ignore]
    except Exception:  # noqa: BLE001 - a broken install is "not installed" here
        return None
    return str(getattr(sky, "__version__", "?"))


def _check_in_process(path: Path) -> Validation:
    import sky  # type: ignore[import-not-found,unused-ignore]

    try:
        sky.Task.from_yaml(str(path))
    except Exception as exc:  # noqa: BLE001 - any refusal of the parser is the answer
        return Validation(False, f"sky.Task.from_yaml (SkyPilot {_sky_version()})", f"{type(exc).__name__}: {exc}")
    return Validation(True, f"sky.Task.from_yaml (SkyPilot {_sky_version()})")


def _check_with(python: str, path: Path) -> Validation:
    try:
        p = subprocess.run([python, "-c", _CHECK, str(path)], capture_output=True, text=True, timeout=180)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Validation(None, f"SCOUT_SKY_PYTHON={python} could not run: {exc}")
    version = (p.stdout.strip().splitlines() or ["?"])[-1]
    if p.returncode != 0:
        return Validation(False, "sky.Task.from_yaml", (p.stderr.strip().splitlines() or ["failed"])[-1][:500])
    return Validation(True, f"sky.Task.from_yaml (SkyPilot {version})")


def validate_skypilot(text: str) -> Validation:
    """SkyPilot's verdict on a task YAML (`accepted` None when no SkyPilot is at hand)."""
    python = os.environ.get("SCOUT_SKY_PYTHON")
    if not python and _sky_version() is None:
        return Validation(None, "SkyPilot is not installed here")
    with tempfile.TemporaryDirectory(prefix="scout-sky-") as d:
        path = Path(d) / "task.yaml"
        path.write_text(text, encoding="utf-8")
        return _check_with(python, path) if python else _check_in_process(path)
