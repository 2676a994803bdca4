"""Slack and Discourse collection speed: a first `--days 7` run and a no-change re-run of each,
against the loopback sandboxes (optionally with added latency), into a fresh SQLite database.

Generates a `vllm-week` dataset (or takes `--dataset`); requests are counted by the sandboxes.
Prints JSON (also written to `--out`).

    python -m benchmarks.chat_collect [--seed 91] [--latency-ms 0] [--dataset DIR] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from collectors.discourse import DiscourseClient, DiscourseCollector
from collectors.slack import SlackCollector, SlackReader, make_client
from config import load_watch_config
from config.clock import parse_utc
from sandbox.community import simulate
from sandbox.discourse import DiscourseSandbox
from sandbox.serving import serve_in_thread
from sandbox.slack import SlackSandbox
from storage.db import make_engine, upgrade


def _run(label: str, fn: Any, server: Any) -> dict[str, Any]:
    server.requests.clear()
    started = time.perf_counter()
    stats = fn()
    return {"run": label, "seconds": round(time.perf_counter() - started, 2), "requests": len(server.requests),
            "stored": stats.stored()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=91)
    ap.add_argument("--latency-ms", type=float, default=0.0)
    ap.add_argument("--dataset", type=Path)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = args.dataset or simulate(Path(tmp) / "d", seed=args.seed, scale="vllm-week",
                                        watch=load_watch_config()).out
        now: datetime = parse_utc(json.loads((data / "meta.json").read_text())["now"])
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        upgrade(engine)
        runs = []
        with serve_in_thread(SlackSandbox(data, latency_ms=args.latency_ms)) as sb, \
                serve_in_thread(DiscourseSandbox(data, latency_ms=args.latency_ms)) as fb:
            for label in ("slack first", "slack again"):
                runs.append(_run(label, lambda: SlackCollector(SlackReader(make_client(sb.url or "", "xoxb-bench")),
                                                               engine, now=now).collect(7), sb))
            for label in ("discourse first", "discourse again"):
                runs.append(_run(label, lambda: DiscourseCollector(DiscourseClient(fb.url or ""), engine, now=now,
                                                                   scope="bench").collect(7), fb))
        engine.dispose()
    report = {"dataset": str(args.dataset or f"vllm-week seed {args.seed}"), "latency_ms": args.latency_ms,
              "runs": runs}
    text = json.dumps(report, indent=2)
    if args.out:
        args.out.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
