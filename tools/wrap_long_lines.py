"""Reformat only the statements that hold a line over 120 characters (`ruff format --range`, bottom
up, so earlier line numbers stay valid); what it cannot wrap (long strings, comments) it lists.

    python tools/wrap_long_lines.py        # from the repository root, with .venv installed

Mechanical: run it again after merging branches instead of merging its output by hand.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict

RUFF = ".venv/bin/ruff"


def long_lines() -> dict[str, set[int]]:
    out = subprocess.run([RUFF, "check", "--select", "E501", "--output-format", "json", "."],
                         capture_output=True, text=True, check=False).stdout
    by_file: dict[str, set[int]] = defaultdict(set)
    for d in json.loads(out or "[]"):
        by_file[d["filename"]].add(d["location"]["row"])
    return by_file


def main() -> int:
    by_file = long_lines()
    for f, rows in by_file.items():
        for row in sorted(rows, reverse=True):
            r = subprocess.run([RUFF, "format", "--range", f"{row}:1-{row}:9999", f], capture_output=True, text=True,
                               check=False)
            if r.returncode:
                print(f, row, r.stderr.strip()[:200], file=sys.stderr)
    left = long_lines()
    for f, rows in sorted(left.items()):
        for row in sorted(rows):
            print(f"{f}:{row}: still too long (a string or comment: wrap it by hand)", file=sys.stderr)
    print(f"{sum(len(r) for r in by_file.values())} long lines in {len(by_file)} files; "
          f"{sum(len(r) for r in left.values())} left", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
