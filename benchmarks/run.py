"""Run every benchmark at a small default scale (`make bench`); each writes its JSON under --out.

    python -m benchmarks.run [--scale small] [--out bench-out] [--only scale|github_collect]

The README's figures come from the full runs (`python -m benchmarks.scale --scale vllm-year`,
`python -m benchmarks.github_collect`); this driver is the quick check that they still run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

BENCHMARKS = ("scale", "github_collect")


def commands(scale: str, out: Path) -> dict[str, list[str]]:
    """Each benchmark's command line at the given scale (Perceval skipped: it installs a venv of its own)."""
    return {
        "scale": [sys.executable, "-m", "benchmarks.scale", "--scale", scale, "--commands", "10",
                  "--out", str(out / "scale")],
        "github_collect": [sys.executable, "-m", "benchmarks.github_collect", "--scale", scale, "--skip-perceval",
                           "--latency-ms", "0", "--out", str(out / "github_collect.json")],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", default="small", help="small, vllm-week or vllm-year")
    ap.add_argument("--out", type=Path, default=Path("bench-out"))
    ap.add_argument("--only", action="append", choices=BENCHMARKS, help="run only these (repeatable)")
    args = ap.parse_args(argv)
    failed = []
    for name, argv_ in commands(args.scale, args.out).items():
        if args.only and name not in args.only:
            continue
        print(f"== {name}: {' '.join(argv_[1:])}", flush=True)
        if subprocess.run(argv_, check=False).returncode != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
