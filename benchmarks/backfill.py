"""A first backfill through GitHub's real limits: what a year of history costs with one token.

Generates a dataset (default `--scale vllm-year`, or takes `--dataset`), serves it with `scout
sandbox --faults <GitHub's limits> --request-log`, runs `scout collect github --since
2000-01-01T00:00:00Z` into a fresh SQLite database, then an unchanged re-sync. From the sandbox's
request log: REST requests, GraphQL queries and the points they cost (`rateLimit.cost`, charged by
the sandbox as GitHub computes it), paging-depth refusals (422), GraphQL timeouts (502) and
secondary limits met; the hours of one token's budget needed (5,000 REST requests and 5,000
points an hour); wall time and the collector's peak memory (RSS of the `scout` process).

Beside them: the REST pagination floor of the endpoints used (every list page of the history at
100 per page, plus one reviews and one files call per pull request), and Perceval's requests,
scaled per issue/pull request from its measured week (benchmarks/github_collect.md: 10,425
requests for 448 issues + 550 pull requests).

    python -m benchmarks.backfill [--scale vllm-year] [--seed 7] [--history] [--dataset DIR]
        [--faults events-depth=2,gql-timeout-nodes=2000,secondary=0.05] [--out bench-out/backfill.json]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sandbox.serving import free_port, read_request_log

FAULTS = "events-depth=2,gql-timeout-nodes=2000,secondary=0.05"
PERCEVAL_WEEK = (10_425, 448 + 550)  # requests, issues + pull requests in the window (github_collect.md)
HOUR_REST, HOUR_POINTS = 5000, 5000


def dataset_counts(dataset: Path) -> dict[str, int]:
    out: dict[str, int] = {}
    for repo in sorted((dataset / "github").glob("*__*")):
        for name in ("issues", "pulls", "issue_comments", "reviews", "review_comments", "issue_events", "labels"):
            p = repo / f"{name}.json"
            out[name] = out.get(name, 0) + (len(json.loads(p.read_text())) if p.exists() else 0)
    return out


def rest_floor(counts: dict[str, int]) -> int:
    """The fewest REST requests that read the whole history: every list page at 100 per page, with
    the issue-events list paged to its end (no depth limit), plus reviews and files per pull request."""
    pages = sum(math.ceil(counts[k] / 100) for k in ("issues", "issue_comments", "review_comments", "issue_events"))
    return pages + max(1, math.ceil(counts["labels"] / 100)) + 2 * counts["pulls"]


def summarize(lines: list[dict[str, Any]]) -> dict[str, int]:
    gql = [r for r in lines if r["path"].endswith("/graphql")]
    rest = [r for r in lines if not r["path"].endswith("/graphql")]
    return {
        "requests": len(lines), "rest_requests": len(rest), "graphql_queries": len(gql),
        "graphql_points": sum(int(r.get("cost") or 0) for r in gql),
        "not_modified": sum(1 for r in lines if r["status"] == 304),
        "paging_refusals": sum(1 for r in lines if r["status"] == 422),
        "graphql_timeouts": sum(1 for r in lines if r["status"] == 502 and r.get("fault") == "gql-timeout"),
        "secondary_limits": sum(1 for r in lines if r.get("fault") == "secondary"),
        "per_issue_event_pages": sum(1 for r in rest if r["path"].endswith("/events")
                                     and not r["path"].endswith("/issues/events")),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dataset", type=Path, help="an existing dataset directory (default: simulate one)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--scale", default="vllm-year")
    ap.add_argument("--history", action="store_true", help="simulate the older slice too")
    ap.add_argument("--faults", default=FAULTS)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--out", type=Path, default=Path("bench-out") / "backfill.json")
    args = ap.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="bench-backfill-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCOUT_")}
    scout = [sys.executable, "-m", "bot"]
    dataset = args.dataset
    if dataset is None:
        dataset = work / "dataset"
        t0 = time.perf_counter()
        subprocess.run([*scout, "simulate", "--out", str(dataset), "--seed", str(args.seed), "--scale", args.scale,
                        *(["--history"] if args.history else [])], env=env, check=True, capture_output=True)
        print(f"simulated {args.scale} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    counts = dataset_counts(dataset)
    now = json.loads((dataset / "meta.json").read_text())["now"]
    port = free_port()
    log = work / "requests.log"
    sandbox = subprocess.Popen([*scout, "sandbox", "--dataset", str(dataset), "--github-port", str(port),
                                "--faults", args.faults, "--request-log", str(log)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert sandbox.stdout is not None
        sandbox.stdout.readline()  # "github sandbox: URL" once the data is loaded and the port listens
        run_env = {**env, "SCOUT_GITHUB_API_URL": f"http://127.0.0.1:{port}", "SCOUT_GITHUB_TOKEN": "bench-token",
                   "SCOUT_NOW": now, "SCOUT_DATABASE_URL": f"sqlite:///{work}/scout.db"}
        subprocess.run([*scout, "db", "upgrade"], env=run_env, check=True, capture_output=True)
        collect = [*scout, "collect", "github", "--since", "2000-01-01T00:00:00Z", "--workers", str(args.workers)]
        t0 = time.perf_counter()
        proc = subprocess.run(collect, env=run_env, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest child so far
        if proc.returncode != 0:
            sys.stderr.write(proc.stdout[-2000:] + proc.stderr[-2000:])
            return 1
        backfill = summarize(read_request_log(log))
        before = len(read_request_log(log))
        subprocess.run(collect, env=run_env, capture_output=True, text=True, check=True)
        resync = summarize(read_request_log(log)[before:])
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=30)
    items = counts["issues"]  # GitHub's issue list holds the pull requests too
    perceval = round(PERCEVAL_WEEK[0] / PERCEVAL_WEEK[1] * items)
    hours = max(backfill["rest_requests"] / HOUR_REST, backfill["graphql_points"] / HOUR_POINTS)
    result = {
        "dataset": str(dataset),
        "scale": None if args.dataset else args.scale,
        "seed": None if args.dataset else args.seed,
        "history": args.history,
        "faults": args.faults,
        "counts": counts,
        "backfill": backfill,
        "wall_s": round(wall, 1),
        "peak_rss_mib": round(peak_kib / 1024, 1),
        "budget_hours_one_token": round(hours, 2),
        "rest_floor": rest_floor(counts),
        "perceval_scaled": perceval,
        "resync": resync,
        "summary": proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else "",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))
    b = backfill
    print(json.dumps(result, indent=1))
    print(
        f"\n{dataset.name if args.dataset else args.scale}: {counts['issues']} issues+PRs ({counts['pulls']} PRs), "
        f"{counts['issue_comments']} comments, "
        f"{counts['reviews']} reviews, {counts['review_comments']} review comments, {counts['issue_events']} events"
    )
    print(f"backfill: {b['rest_requests']} REST requests, {b['graphql_queries']} GraphQL queries = "
          f"{b['graphql_points']} points; {hours:.2f} h of one token; {wall:.0f} s; peak {peak_kib / 1024:.0f} MiB")
    print(f"limits met: {b['paging_refusals']} paging refusals, {b['graphql_timeouts']} GraphQL timeouts, "
          f"{b['secondary_limits']} secondary limits; per-issue event pages {b['per_issue_event_pages']}")
    print(f"REST floor {result['rest_floor']}; Perceval (scaled) {perceval}; "
          f"re-sync {resync['requests']} requests ({resync['not_modified']} x 304)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
