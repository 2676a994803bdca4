"""A real run of the local bench backend on this host's GPU: the torch-op target (the one that
needs only PyTorch, no vLLM install) for each of its ops, through `bench.run.run_local` exactly as
`scout bench N --target torch-op --backend local --launch` runs it (minimal environment, repetitions,
summary), then an A/A check: the same code measured twice, as "before" and "after", whose verdict
must be "within noise".

    python -m benchmarks.bench_gpu_local --out bench-out/gpu-local.json

Prints one line per op and writes the whole record (the device, each op's medians and spreads,
the verdicts) as JSON. Needs a CUDA GPU and PyTorch in the interpreter that runs it.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.results import summarize, verdict_of
from bench.run import run_local
from bench.spec import OPS, BenchSpec, Measure, build_spec
from config.watch import load_watch_config

REPO = "vllm-project/vllm"


def torch_op_spec(op: str, repetitions: int) -> BenchSpec:
    watch = load_watch_config()
    spec = build_spec(repo=REPO, issue_number=0, subsystems=(), taxonomy=watch.taxonomy_for(REPO),
                      bench=watch.bench, measures=(Measure("baseline", "main"),), issue_text=op, target="torch-op")
    if spec.op != op:
        raise SystemExit(f"op choice picked {spec.op} for {op}")
    return replace(spec, repetitions=repetitions)


def _files(outcome_result: dict[str, Any]) -> dict[str, Any]:
    return {s["result_file"]: s.get("result") for s in outcome_result["steps"] if s.get("result_file")}


def run_op(op: str, repetitions: int, work: Path) -> dict[str, Any]:
    spec = torch_op_spec(op, repetitions)
    out = run_local(spec, work / op)
    first: dict[str, Any] = next((s["result"] for s in out.result["steps"] if isinstance(s.get("result"), dict)), {})
    return {"op": op, "status": out.status, "verdict": out.result["verdict"], "summary": out.result["summary"],
            "gpu": first.get("gpu"), "torch": first.get("torch"), "shape": first.get("shape"),
            "reference_median_ms": [(s.get("result") or {}).get("impls", {}).get("reference", {}).get("median_ms")
                                    for s in out.result["steps"]],
            "best": [(s.get("result") or {}).get("best") for s in out.result["steps"]],
            "error": first.get("error")}


def a_a(op: str, repetitions: int, work: Path) -> dict[str, Any]:
    """The same code as before and after: a verdict other than "within noise" would be a false claim."""
    base = torch_op_spec(op, repetitions)
    files: dict[str, Any] = {}
    for label in ("before", "after"):
        spec = replace(base, measures=(Measure(label, "main"),))
        files.update(_files(run_local(spec, work / f"aa-{op}-{label}").result))
    both = replace(base, measures=(Measure("before", "main"), Measure("after", "main")))
    summaries = summarize(both, files)
    return {"op": op, "verdict": verdict_of(summaries), "lines": [s.line() for s in summaries]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("bench-out/gpu-local.json"))
    ap.add_argument("--repetitions", type=int, default=3)
    ap.add_argument("--ops", nargs="*", default=list(OPS))
    ap.add_argument("--aa", nargs="*", default=["rms_norm", "matmul"], help="ops for the A/A check")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="scout-gpu-") as d:
        work = Path(d)
        ops = [run_op(op, args.repetitions, work) for op in args.ops]
        aa = [a_a(op, args.repetitions, work) for op in args.aa]
    record = {"host": platform.node(), "python": sys.version.split()[0], "ops": ops, "a_a": aa}
    for o in ops:
        print(f"{o['op']:>13}: {o['status']}; {o['verdict']}; best {o['best']}; {o['gpu']}; {o['error'] or ''}")
    for a in aa:
        print(f"A/A {a['op']}: {a['verdict']}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=2), encoding="utf-8")
    return 0 if all(o["status"] == "succeeded" for o in ops) else 1


if __name__ == "__main__":
    sys.exit(main())
