"""Watch configs for tests: the bundled vLLM config with some sections changed."""

from __future__ import annotations

import re
from pathlib import Path

from config.watch import BUNDLED_VLLM, load_watch_config


def write_config(path: Path, *, enable_all: bool = False, schedule: dict[str, float] | None = None,
                 digest: dict[str, str] | None = None) -> Path:
    """The bundled vLLM config with its schedule/digest sections (and repo switches) changed."""
    text = BUNDLED_VLLM.read_text(encoding="utf-8")
    if enable_all:
        text = text.replace("enabled = false", "enabled = true")
    if schedule is not None:
        body = "".join(f"{k} = {v}\n" for k, v in schedule.items())
        text = re.sub(r"\[schedule\]\n(?:[^\[\n][^\n]*\n|\n)*", "[schedule]\n" + body + "\n", text, count=1)
    if digest is not None:
        body = "".join(f'{k} = "{v}"\n' if isinstance(v, str) else f"{k} = {v}\n" for k, v in digest.items())
        text = re.sub(r"\[digest\]\n(?:[^\[\n][^\n]*\n|\n)*", "[digest]\n" + body + "\n", text, count=1)
    path.write_text(text, encoding="utf-8")
    load_watch_config(path)  # fail here, not in the test, on a bad edit
    return path
