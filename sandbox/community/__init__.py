"""A realistic generated vLLM-like community, written as a dataset directory (shared/DATASET.md).

`simulate(out, seed=7, scale="vllm-week")` plans people and threads from the watch config's
taxonomy, runs every thread, and writes GitHub and Discord payloads plus `truth.json` (every
planted answer). Deterministic for a seed: one `random.Random` per concern, seeded by strings.
"""

from __future__ import annotations

import gc
import logging
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from config import DatasetError, WatchConfig, load_watch_config, parse_utc
from sandbox.community.scales import SCALES, Scale, get_scale

log = logging.getLogger(__name__)

DEFAULT_NOW = "2026-11-27T00:00:00Z"
GENERATOR = "oss-scout simulate"
__all__ = ["DEFAULT_NOW", "SCALES", "Scale", "SimulationSummary", "simulate"]


@dataclass
class SimulationSummary:
    out: Path
    seed: int
    scale: str
    days: int
    now: str
    files: dict[str, int] = field(default_factory=dict)     # file -> objects written
    window: dict[str, int] = field(default_factory=dict)    # what falls in the last `days` days
    truth: dict[str, int] = field(default_factory=dict)     # sizes of the planted answers


def _prepare(out: Path) -> None:
    if out.exists() and any(out.iterdir()):
        if not (out / "meta.json").exists():
            raise DatasetError(f"{out}: not empty and not a dataset directory; refusing to write into it")
        for name in ("github", "discord", "slack", "discourse"):
            if (out / name).is_dir():
                shutil.rmtree(out / name)
        for name in ("meta.json", "truth.json"):
            (out / name).unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)


def simulate(out: Path | str, *, seed: int = 7, scale: str = "vllm-week", days: int | None = None,
             watch: WatchConfig | None = None, now: str | datetime | None = None, repo: str | None = None,
             history: bool = False) -> SimulationSummary:
    """Generate a community and write it to `out` (replacing a dataset already there)."""
    from sandbox.community.output import write_dataset
    from sandbox.community.world import World

    watch = watch or load_watch_config()
    rw = watch.repo(repo)
    sc = get_scale(scale, days)
    now_dt = parse_utc(now or DEFAULT_NOW).replace(microsecond=0)
    out = Path(out)
    _prepare(out)
    # Millions of small acyclic objects: the cycle collector would only rescan them over and over.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        world = World(seed, sc, watch.taxonomy_for(rw.name), rw.name, int(now_dt.timestamp()), window_only=not history)
        world.run()
        summary = SimulationSummary(out, seed, sc.name, sc.days, now_dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
        write_dataset(world, out, summary, history=history)
    finally:
        if gc_was_enabled:
            gc.enable()
    log.info("simulated %s (seed %d, %d days) into %s", sc.name, seed, sc.days, out)
    return summary
