"""Bench jobs: for an issue, the benchmark that would show a perf change in its subsystem
(config `[bench.targets.*]`), rendered for SkyPilot, GitHub Actions or a local GPU run."""

from bench.jobs import BACKENDS, BenchJobView, job_views, launch, prepare_for_issue, prepare_job, record
from bench.run import BenchRefused, LaunchResult, authorize
from bench.spec import BenchSpec, Measure, build_spec

__all__ = [
    "BACKENDS",
    "BenchJobView",
    "BenchRefused",
    "BenchSpec",
    "LaunchResult",
    "Measure",
    "authorize",
    "build_spec",
    "job_views",
    "launch",
    "prepare_for_issue",
    "prepare_job",
    "record",
]
