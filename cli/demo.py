"""`scout demo`: the whole bot offline, from nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markdown import Markdown
from rich.text import Text

from cli._app import app, console, out
from cli.simulate import ScaleName


@app.command("demo")
def demo_cmd(
    out_dir: Annotated[Path, typer.Option("--out", help="Where the dataset, database, models and reports go.")] = Path(
        "demo-out"
    ),
    seed: Annotated[int, typer.Option("--seed", min=0, max=2**63 - 1, help="Seed of the generated community.")] = 7,
    scale: Annotated[ScaleName, typer.Option("--scale", help="How big a community to generate.")] = ScaleName.vllm_week,
    fresh: Annotated[bool, typer.Option("--fresh", help="Regenerate the dataset even if one is there.")] = False,
) -> None:
    """Generate a vLLM week, serve it, collect it with the real clients, train, classify, report."""
    from bot.demo import run_demo

    def step(name: str, seconds: float, detail: str) -> None:
        console.print(Text.assemble(("✓", "bold green"), f" {name:<16} {seconds:6.1f} s  {detail}"), highlight=False)

    result = run_demo(out_dir, seed=seed, scale=scale.value, fresh=fresh, step=step)
    out.print(Markdown(result.digest_markdown))
    total = sum(s for _, s, _ in result.steps)
    console.print(f"\ndone in {total:.0f} s; files:", highlight=False)
    for name, path in result.files.items():
        console.print(f"  {name}: {path}", highlight=False, markup=False)
    out.print("\nExplore the result (the dataset's present is its SCOUT_NOW; without it the digest is empty):",
              markup=False)
    for line in explore_lines(result.database_url, result.now, out_dir):
        out.print(f"  {line}", markup=False, soft_wrap=True)
    out.print("then: scout digest · scout maintainers kernel · scout shortlist · scout status", markup=False)


def explore_lines(database_url: str, now: str, out_dir: Path) -> list[str]:
    """The three lines that point a shell at the demo's result: the venv, the database, the present."""
    import shlex
    import sys

    venv = Path(sys.prefix)
    try:
        venv = venv.relative_to(Path.cwd())
    except ValueError:
        pass
    activate = (f"source {shlex.quote(str(venv / 'bin' / 'activate'))}" if sys.prefix != sys.base_prefix
                else "# scout is on your PATH (no virtual environment to activate)")
    models = shlex.quote(str((out_dir / "models").resolve()))
    return [activate, f"export SCOUT_DATABASE_URL={shlex.quote(database_url)} SCOUT_MODEL_DIR={models}",
            f"export SCOUT_NOW={shlex.quote(now)}"]
