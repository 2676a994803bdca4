#!/usr/bin/env python3
"""Wall time of importing a module in fresh interpreters (a CPU-only check for build and
packaging changes: a new requirement or an eager import shows up here). Writes
{"median_s", "values_s", ...} to --json. Standard library only."""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--module", required=True)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", dest="json_path", required=True)
    args = ap.parse_args(argv)
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", args.module):
        ap.error("not a module name")
    values: list[float] = []
    error = ""
    for _ in range(max(1, args.repeat)):
        t0 = time.perf_counter()
        p = subprocess.run([sys.executable, "-c", f"import {args.module}"], capture_output=True, text=True)
        if p.returncode != 0:
            error = (p.stderr.strip().splitlines() or ["import failed"])[-1]
            break
        values.append(time.perf_counter() - t0)
    result: dict[str, object] = {"module": args.module, "python": sys.version.split()[0], "values_s": values}
    if values and not error:
        result["median_s"] = statistics.median(values)
    else:
        result["error"] = error
    with open(args.json_path, "w", encoding="utf-8") as f:
        json.dump(result, f, sort_keys=True)
        f.write("\n")
    return 0 if values and not error else 1


if __name__ == "__main__":
    sys.exit(main())
