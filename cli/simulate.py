"""`scout simulate`: write a realistic generated community as a dataset directory."""

from __future__ import annotations

import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli._app import app, out, settings

SIMULATE_DAYS_MAX = 1830  # five years of a vLLM-sized community: five times the largest bundled scale


class ScaleName(StrEnum):
    small = "small"
    vllm_week = "vllm-week"
    vllm_year = "vllm-year"


@app.command()
def simulate(
    out_dir: Annotated[
        Path, typer.Option("--out", help="Dataset directory to write (created; an old dataset there is replaced).")
    ],
    seed: Annotated[
        int,
        typer.Option(min=0, max=2**63 - 1, help="Random seed: the same seed and options give byte-identical files."),
    ] = 7,
    days: Annotated[
        int | None,
        typer.Option(min=1, max=SIMULATE_DAYS_MAX, help="Length of the recent window in days (default: the scale's)."),
    ] = None,
    scale: Annotated[ScaleName, typer.Option(help="How big a community to generate.")] = ScaleName.vllm_week,
    now: Annotated[str | None, typer.Option(help="The dataset's present moment (ISO 8601).")] = None,
    history: Annotated[
        bool,
        typer.Option(
            "--history/--window-only",
            help="Also write the older slice the community "
            "was simulated from (default: only what a collection of the window sees).",
        ),
    ] = False,
) -> None:
    """Generate a vLLM-like community (GitHub + Discord + planted truth) as a dataset directory."""
    from sandbox.community import DEFAULT_NOW
    from sandbox.community import simulate as run

    started = time.perf_counter()
    summary = run(out_dir, seed=seed, scale=scale.value, days=days, watch=settings().watch, now=now or DEFAULT_NOW,
              history=history)
    took = time.perf_counter() - started
    table = Table(title=f"{summary.out} · {summary.scale} · seed {summary.seed} · {summary.days} days to {summary.now}")
    table.add_column("file")
    table.add_column("objects", justify="right")
    for name, n in summary.files.items():
        table.add_row(name, str(n))
    out.print(table)
    out.print("in the window: " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in summary.window.items()))
    out.print("planted: " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in summary.truth.items()
                                      if k in ("good_first_issue", "claimed", "blocked", "owners", "subsystem_of")))
    out.print(f"written in {took:.1f} s")
