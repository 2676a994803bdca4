"""Before/after results: headline numbers from each result file, median and spread over the
repetitions, and a verdict that claims a change only when it stands out of the noise."""

from __future__ import annotations

import json

import pytest

from bench.results import Sample, compare, headline, parse_log, parse_name, result_name, summarize, verdict_of
from bench.spec import BenchSpec, Measure, Metric

LAT = Metric("avg_latency", "end-to-end latency", "s", "lower")
TPUT = Metric("tokens_per_second", "throughput", "tok/s", "higher")


def _spec(*metrics: Metric) -> BenchSpec:
    return BenchSpec(repo="o/r", issue_number=1, subsystem="engine", target="engine", kind="vllm-bench", model="m",
                     gpu="H100:1", timeout_minutes=30, setup=(), commands=tuple("c {result}" for _ in metrics),
                     measures=(Measure("before", "main"), Measure("after", "ab" * 20, pull_number=2)),
                     metrics=metrics, repetitions=3)


def _files(label: str, cmd: int, key: str, values: list[float]) -> dict[str, dict[str, float]]:
    return {result_name(label, cmd, r): {key: v} for r, v in enumerate(values)}


def test_names_round_trip() -> None:
    assert result_name("after", 1, 2) == "after-2-3.json"
    assert parse_name("/home/x/scout-results/after-2-3.json") == ("after", 1, 2)
    assert parse_name("server-after.log") is None and parse_name("result.json") is None


def test_headline_reads_nested_keys_and_refuses_non_numbers() -> None:
    doc = {"percentiles": {"50": 1.5}, "impls": {"optimized": {"median_ms": 0.25}}, "ok": True, "nan": float("nan")}
    assert headline(doc, "percentiles.50") == 1.5
    assert headline(doc, "impls.optimized.median_ms") == 0.25
    assert headline(doc, "ok") is None and headline(doc, "nan") is None and headline(doc, "missing.key") is None
    assert headline(None, "x") is None


def test_a_clear_improvement_is_reported_with_its_spread() -> None:
    before = Sample.of("before", [10.0, 10.1, 9.9])
    after = Sample.of("after", [9.6, 9.58, 9.62])
    c = compare(before, after, "lower")
    assert round(c.improvement_pct, 1) == 4.0 and round(c.uncertainty_pct, 1) == 1.0
    assert c.verdict == "faster by 4.0 % ± 1.0 %"
    slower = compare(Sample.of("before", [100.0, 101.0, 99.0]), Sample.of("after", [90.0, 90.5, 89.5]), "higher")
    assert slower.verdict == "slower by 10.0 % ± 1.1 %"


def test_a_noisy_before_after_is_within_noise() -> None:
    """A 3 % difference in medians with runs that scatter by 5 % proves nothing."""
    spec = _spec(TPUT)
    files = {**_files("before", 0, "tokens_per_second", [1000.0, 1060.0, 950.0]),
             **_files("after", 0, "tokens_per_second", [1030.0, 980.0, 1090.0])}
    [s] = summarize(spec, files)
    assert s.comparison is not None and s.comparison.verdict == "within noise"
    assert [x.label for x in s.samples] == ["before", "after"] and s.samples[0].median == 1000.0
    assert verdict_of([s]) == "tokens_per_second: within noise"
    assert "→ within noise" in s.line()


def test_one_repetition_claims_nothing() -> None:
    c = compare(Sample.of("before", [10.0]), Sample.of("after", [5.0]), "lower")
    assert c.verdict.startswith("inconclusive (1 repetition")


def test_summary_per_command_and_missing_results() -> None:
    spec = _spec(LAT, TPUT)
    files = {**_files("before", 0, "avg_latency", [1.0, 1.01, 0.99]),
             **_files("after", 0, "avg_latency", [0.8, 0.81, 0.79]),
             **_files("before", 1, "tokens_per_second", [500.0, 505.0]),
             result_name("after", 1, 0): {"error": "CUDA out of memory"}}
    lat, tput = summarize(spec, files)
    assert lat.comparison is not None and lat.comparison.verdict.startswith("faster by 20.0 %")
    assert tput.comparison is None and tput.missing == 1 and [x.label for x in tput.samples] == ["before"]
    assert verdict_of([lat, tput]) == "avg_latency: faster by 20.0 % ± 1.6 %; tokens_per_second: before 502.5 tok/s"


def test_results_from_a_remote_log() -> None:
    log = ("Running task...\n=== /home/sky/scout-results/before-1-1.json\n"
           + json.dumps({"avg_latency": 1.0}, indent=2) + "\n\n=== /home/sky/scout-results/after-1-1.json\n"
           + '{"avg_latency": 0.5}\n=== /home/sky/scout-results/after-1-2.json\n{broken\n')
    files = parse_log(log)
    assert files["before-1-1.json"] == {"avg_latency": 1.0} and files["after-1-1.json"] == {"avg_latency": 0.5}
    assert "not JSON" in files["after-1-2.json"]["error"]


@pytest.mark.parametrize("values", [[0.0, 0.0], [5.0, 5.0]])
def test_degenerate_samples_do_not_divide_by_zero(values: list[float]) -> None:
    s = Sample.of("before", values)
    assert s.spread_pct == 0.0
    c = compare(s, Sample.of("after", values), "lower")
    assert c.verdict in ("within noise", "no baseline value")
