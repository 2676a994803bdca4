"""Bench jobs: for an issue, the benchmark that would show a perf change in its subsystems, on
the vendor's hardware (config `[bench]`), rendered for SkyPilot, GitHub Actions or a local run,
with before/after results summarised into a verdict. `reports` imports this package, never the
reverse."""

from bench.context import BenchContext, bench_context
from bench.jobs import (
    BACKENDS,
    NOT_NEEDED,
    BenchJobView,
    BenchLink,
    NamedChange,
    job_views,
    launch,
    prepare_for_issue,
    prepare_job,
    record,
    record_log,
)
from bench.run import BenchRefused, LaunchResult, authorize
from bench.spec import BenchSpec, Measure, build_spec

__all__ = [
    "BACKENDS",
    "NOT_NEEDED",
    "BenchContext",
    "BenchJobView",
    "BenchLink",
    "BenchRefused",
    "BenchSpec",
    "LaunchResult",
    "Measure",
    "NamedChange",
    "authorize",
    "bench_context",
    "build_spec",
    "job_views",
    "launch",
    "prepare_for_issue",
    "prepare_job",
    "record",
    "record_log",
]
