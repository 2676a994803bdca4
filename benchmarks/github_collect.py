"""GitHub collection side by side: `scout collect github` vs Perceval's GitHub backend.

Generates a `vllm-week` dataset (or takes `--dataset`), serves it with `scout sandbox
--latency-ms 100 --request-log`, then runs against the same sandbox, each with a fresh state:
(a) `scout collect github --days 7`, (b) Perceval's `github` backend, categories `issue` and
`pull_request`, from the same date, through `--enterprise-url` (Perceval is installed in a
virtual environment of its own, never in the project's), and (c) a no-change re-run of (a).
Requests are counted from the sandbox's request log; wall time includes each tool's start-up.

Prints JSON (also written to `--out`) and a short table, with the REST minimum for the dataset:
the pages of each repository-wide list for the window plus one reviews and one files call per
pull request updated in the window.

    python -m benchmarks.github_collect [--seed 11] [--latency-ms 100] [--skip-perceval]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from config.clock import parse_utc
from sandbox.serving import free_port, read_request_log

PERCEVAL_VERSION = "1.6.1"
WHAT = {
    "scout": "issues and PRs (issue side), PR details (merge state, draft, branches, requested reviewers), "
             "issue comments, reviews, review comments, issue events, changed files, labels, CODEOWNERS",
    "perceval": "issues with their comments and reactions, PRs with reviews, review comments (and their "
                "reactions), requested reviewers and commit hashes, plus every user's profile and organizations; "
                "no issue events, changed files, labels or CODEOWNERS",
}


def rest_minimum(dataset: Path, days: float = 7.0) -> dict[str, int]:
    """Requests a REST-only collector needs at least: list pages for the window + 2 per updated PR."""
    now = parse_utc(json.loads((dataset / "meta.json").read_text())["now"])
    since = now - timedelta(days=days)
    out: dict[str, int] = {}
    for repo in sorted((dataset / "github").glob("*__*")):
        def load(name: str, repo: Path = repo) -> list[dict[str, Any]]:
            p = repo / name
            return json.loads(p.read_text()) if p.exists() else []

        def recent(items: list[dict[str, Any]], key: str = "updated_at") -> int:
            return sum(1 for i in items if parse_utc(i[key]) >= since)

        issues = load("issues.json")
        updated_prs = sum(1 for i in issues if "pull_request" in i and parse_utc(i["updated_at"]) >= since)
        pages = {
            "issues": math.ceil(recent(issues) / 100),
            "issue_comments": math.ceil(recent(load("issue_comments.json")) / 100),
            "review_comments": math.ceil(recent(load("review_comments.json")) / 100),
            "issue_events": math.ceil(recent(load("issue_events.json"), "created_at") / 100),
            "labels": max(1, math.ceil(len(load("labels.json")) / 100)),
        }
        out[repo.name.replace("__", "/")] = sum(pages.values()) + 2 * updated_prs
    out["total"] = sum(out.values())
    return out


def ensure_perceval(venv: Path) -> Path:
    exe = venv / "bin" / "perceval"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", f"perceval=={PERCEVAL_VERSION}"], check=True)
    return exe


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dataset", type=Path, help="an existing dataset directory (default: simulate one)")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--scale", default="vllm-week")
    ap.add_argument("--latency-ms", type=float, default=100.0)
    ap.add_argument("--days", type=float, default=7.0)
    ap.add_argument("--skip-perceval", action="store_true", help="only measure scout (quick)")
    ap.add_argument("--perceval-venv", type=Path, default=Path(tempfile.gettempdir()) / "perceval-venv")
    ap.add_argument("--out", type=Path, default=Path("bench-out") / "github_collect.json")
    args = ap.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="bench-github-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCOUT_")}
    scout = [sys.executable, "-m", "bot"]
    try:
        dataset = args.dataset
        if dataset is None:
            dataset = work / "dataset"
            subprocess.run([*scout, "simulate", "--out", str(dataset), "--seed", str(args.seed), "--scale", args.scale],
                           env=env, check=True, capture_output=True)
        now = json.loads((dataset / "meta.json").read_text())["now"]
        port = free_port()
        log = work / "requests.log"
        sandbox = subprocess.Popen([*scout, "sandbox", "--dataset", str(dataset), "--github-port", str(port),
                                    "--latency-ms", str(args.latency_ms), "--request-log", str(log)],
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            assert sandbox.stdout is not None
            sandbox.stdout.readline()  # "github sandbox: URL" once the data is loaded and the port listens
            url = f"http://127.0.0.1:{port}"
            run_env = {**env, "SCOUT_GITHUB_API_URL": url, "SCOUT_GITHUB_TOKEN": "bench-token", "SCOUT_NOW": now,
                       "SCOUT_DATABASE_URL": f"sqlite:///{work}/scout.db"}
            subprocess.run([*scout, "db", "upgrade"], env=run_env, check=True, capture_output=True)

            def timed(cmd: list[str], cmd_env: dict[str, str]) -> tuple[float, int, subprocess.CompletedProcess[str]]:
                before = len(read_request_log(log))
                t0 = time.perf_counter()
                proc = subprocess.run(cmd, env=cmd_env, capture_output=True, text=True)
                return time.perf_counter() - t0, len(read_request_log(log)) - before, proc

            collect = [*scout, "collect", "github", "--days", str(args.days)]
            ours_s, ours_n, proc = timed(collect, run_env)
            if proc.returncode != 0:
                sys.stderr.write(proc.stdout + proc.stderr)
                return 1
            summary = proc.stdout.strip().splitlines()[-1]
            rerun_s, rerun_n, _ = timed(collect, run_env)
            rerun_lines = read_request_log(log)[-rerun_n:] if rerun_n else []
            result: dict[str, Any] = {
                "dataset": str(dataset),
                "scale": args.scale,
                "seed": args.seed,
                "now": now,
                "latency_ms": args.latency_ms,
                "days": args.days,
                "rest_minimum": rest_minimum(dataset, args.days)["total"],
                "scout": {
                    "requests": ours_n,
                    "wall_s": round(ours_s, 1),
                    "summary": summary,
                    "collects": WHAT["scout"],
                },
                "scout_rerun": {
                    "requests": rerun_n,
                    "wall_s": round(rerun_s, 1),
                    "all_304": all(x["status"] == 304 for x in rerun_lines),
                },
            }
            if not args.skip_perceval:
                exe = ensure_perceval(args.perceval_venv)
                start = (parse_utc(now) - timedelta(days=args.days)).strftime("%Y-%m-%d %H:%M:%S")
                before = len(read_request_log(log))
                t0 = time.perf_counter()
                for repo in sorted((dataset / "github").glob("*__*")):
                    owner, name = repo.name.split("__", 1)
                    for category in ("issue", "pull_request"):
                        subprocess.run([str(exe), "github", owner, name, "--category", category, "--from-date", start,
                                        "--enterprise-url", url, "--api-token", "perceval-token", "--sleep-for-rate",
                                        "--max-retries", "5", "--sleep-time", "1", "-o", os.devnull],
                                       env=env, capture_output=True, text=True)
                theirs_s, theirs_n = time.perf_counter() - t0, len(read_request_log(log)) - before
                result["perceval"] = {"requests": theirs_n, "wall_s": round(theirs_s, 1), "version": PERCEVAL_VERSION,
                                      "collects": WHAT["perceval"]}
                result["ratio"] = {"requests": round(theirs_n / max(ours_n, 1), 1),
                                   "wall_time": round(theirs_s / max(ours_s, 1e-9), 1)}
                result["targets_met"] = {"requests_at_most_1_10": theirs_n >= 10 * ours_n,
                                         "wall_time_at_most_1_5": theirs_s >= 5 * ours_s,
                                         "rerun_at_most_10_all_304": rerun_n <= 10 and result["scout_rerun"]["all_304"]}
        finally:
            sandbox.terminate()
            sandbox.wait(10)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")
        print(json.dumps(result, indent=2))
        rows = [("", "requests", "wall s"), ("REST minimum", str(result["rest_minimum"]), "")]
        rows.append(("scout collect github", str(ours_n), f"{ours_s:.1f}"))
        if "perceval" in result:
            rows.append(
                (
                    f"perceval {PERCEVAL_VERSION}",
                    str(result["perceval"]["requests"]),
                    f"{result['perceval']['wall_s']:.1f}",
                )
            )
            rows.append(("perceval / scout", f"x{result['ratio']['requests']}", f"x{result['ratio']['wall_time']}"))
        rows.append(
            (
                "scout re-run (no change)",
                f"{rerun_n} ({'all 304' if result['scout_rerun']['all_304'] else 'not all 304'})",
                f"{rerun_s:.1f}",
            )
        )
        width = [max(len(r[i]) for r in rows) for i in range(3)]
        for r in rows:
            print(f"{r[0]:<{width[0]}}  {r[1]:>{width[1]}}  {r[2]:>{width[2]}}")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
