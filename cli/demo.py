"""`scout demo`: the whole bot offline, from nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markdown import Markdown

from cli._app import app, console, out


@app.command("demo")
def demo_cmd(
    out_dir: Annotated[Path, typer.Option("--out", help="Where the dataset, database, models and reports go.")] = Path("demo-out"),
    seed: Annotated[int, typer.Option("--seed", help="Seed of the generated community.")] = 7,
    scale: Annotated[str, typer.Option("--scale", help="small, vllm-week or vllm-year.")] = "vllm-week",
    fresh: Annotated[bool, typer.Option("--fresh", help="Regenerate the dataset even if one is there.")] = False,
) -> None:
    """Generate a vLLM week, serve it, collect it with the real clients, train, classify, report."""
    from bot.demo import run_demo

    def step(name: str, seconds: float, detail: str) -> None:
        console.print(f"[bold green]✓[/] {name:<16} {seconds:6.1f} s  {detail}", highlight=False)

    result = run_demo(out_dir, seed=seed, scale=scale, fresh=fresh, step=step)
    out.print(Markdown(result.digest_markdown))
    total = sum(s for _, s, _ in result.steps)
    console.print(f"\ndone in {total:.0f} s; files:", highlight=False)
    for name, path in result.files.items():
        console.print(f"  {name}: {path}", highlight=False)
