#!/usr/bin/env python3
"""Run one of vLLM's kernel benchmark scripts and write the timing it prints as JSON.

vLLM's `benchmarks/kernels/benchmark_*.py` scripts print their result ("Kernel running time:
12.345 us", or "Batch size: 64, Kernel time: 12.34 us" for benchmark_moe.py) rather than writing a
file; this keeps their output and writes {"kernel_us": <median of the timings found>, ...} to
--json, so every bench target leaves a JSON result. Exit status: the script's, or 3 when it
printed no timing. Standard library only.

    python capture.py --json out.json -- python benchmarks/kernels/benchmark_quant.py ...
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time

PATTERNS = (
    re.compile(r"Kernel running time:\s*([0-9.]+)\s*us"),
    re.compile(r"Batch size:\s*(?P<batch>\d+),\s*Kernel time:\s*([0-9.]+)\s*us"),
)


def timings(text: str) -> tuple[list[float], dict[str, float]]:
    """Every timing (us) the script printed, and those by batch size where it says."""
    values: list[float] = []
    by_batch: dict[str, float] = {}
    for line in text.splitlines():
        for p in PATTERNS:
            m = p.search(line)
            if m:
                v = float(m.groups()[-1])
                values.append(v)
                if "batch" in p.groupindex:
                    by_batch[m["batch"]] = v
                break
    return values, by_batch


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", dest="json_path", required=True)
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args(argv)
    cmd = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not cmd:
        ap.error("give the command after --")
    t0 = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    sys.stdout.write(proc.stdout)
    sys.stderr.write(proc.stderr)
    values, by_batch = timings(proc.stdout)
    result: dict[str, object] = {"command": cmd, "returncode": proc.returncode,
                                 "seconds": round(time.monotonic() - t0, 3), "timings_us": values}
    if by_batch:
        result["by_batch_us"] = by_batch
    if values:
        result["kernel_us"] = statistics.median(values)
    else:
        result["error"] = "the script printed no kernel timing"
        result["stdout_tail"] = proc.stdout[-2000:]
        result["stderr_tail"] = proc.stderr[-2000:]
    with open(args.json_path, "w", encoding="utf-8") as f:
        json.dump(result, f, sort_keys=True)
        f.write("\n")
    return proc.returncode or (0 if values else 3)


if __name__ == "__main__":
    sys.exit(main())
