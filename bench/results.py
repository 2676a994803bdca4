"""Bench results, pure: the headline number of each result file, median and spread over the
repetitions, and the before/after verdict ("faster by 4.1 % ± 0.8 %" or "within noise").

Result files are named `{label}-{command}-{repetition}.json` (1-based) by every backend; a SkyPilot
or GitHub Actions log prints each as a `=== PATH` line followed by the file's JSON.
"""

from __future__ import annotations

import json
import math
import re
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from bench.spec import BenchSpec, Metric

_NAME = re.compile(r"(?P<label>[a-z]+)-(?P<cmd>\d+)-(?P<rep>\d+)\.json")
_HEADER = re.compile(r"^=== (?P<path>\S+\.json)\s*$", re.MULTILINE)


def result_name(label: str, command: int, repetition: int) -> str:
    """The file command `command` (0-based) writes in repetition `repetition` (0-based)."""
    return f"{label}-{command + 1}-{repetition + 1}.json"


def parse_name(name: str) -> tuple[str, int, int] | None:
    """(label, command, repetition), 0-based, of a result file name; None for anything else."""
    m = _NAME.fullmatch(name.rsplit("/", 1)[-1])
    return (m["label"], int(m["cmd"]) - 1, int(m["rep"]) - 1) if m else None


def parse_log(text: str) -> dict[str, Any]:
    """Result files printed in a job's log (`=== PATH` then the JSON), by file name. A file whose
    JSON does not parse is kept as {"error": ...} so the run still shows what went wrong."""
    out: dict[str, Any] = {}
    heads = list(_HEADER.finditer(text))
    for i, h in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        body = text[h.end():end].strip()
        name = h["path"].rsplit("/", 1)[-1]
        try:
            out[name] = json.JSONDecoder().raw_decode(body)[0] if body else None
        except ValueError as exc:
            out[name] = {"error": f"not JSON: {exc}"}
    return out


def headline(doc: Any, key: str) -> float | None:
    """The number at `key` (dots for nesting) of a result document, or None."""
    cur = doc
    for part in key.split("."):
        if isinstance(cur, Mapping) and part in cur:
            cur = cur[part]
        elif isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
        else:
            return None
    if isinstance(cur, bool) or not isinstance(cur, int | float) or not math.isfinite(cur):
        return None
    return float(cur)


@dataclass(frozen=True)
class Sample:
    """One label's repetitions of one command: median and relative spread (sample standard
    deviation over the median; 0 with one repetition)."""

    label: str
    values: tuple[float, ...]
    median: float
    spread_pct: float

    @classmethod
    def of(cls, label: str, values: Iterable[float]) -> Sample:
        xs = tuple(values)
        med = statistics.median(xs)
        sd = statistics.stdev(xs) if len(xs) > 1 else 0.0
        return cls(label, xs, med, abs(sd / med) * 100.0 if med else 0.0)


@dataclass(frozen=True)
class Comparison:
    """after vs before for one metric: the change (positive = better, in the metric's sense) and
    its uncertainty (the two relative spreads combined), both in percent, and the verdict."""

    improvement_pct: float
    uncertainty_pct: float
    verdict: str


def compare(before: Sample, after: Sample, better: str, noise_sigmas: float = 2.0) -> Comparison:
    """The verdict: "within noise" unless the change exceeds `noise_sigmas` combined spreads;
    with a single repetition on either side the spread is unknown and nothing is claimed."""
    if not before.median:
        return Comparison(0.0, 0.0, "no baseline value")
    change = (after.median - before.median) / abs(before.median) * 100.0
    gain = change if better == "higher" else -change
    sigma = math.hypot(before.spread_pct, after.spread_pct)
    if len(before.values) < 2 or len(after.values) < 2:
        return Comparison(gain, sigma, f"inconclusive ({min(len(before.values), len(after.values))} repetition; "
                                       "need 2 or more on each side)")
    if abs(gain) <= noise_sigmas * sigma or abs(gain) < 0.05:
        return Comparison(gain, sigma, "within noise")
    word = "faster" if gain > 0 else "slower"
    return Comparison(gain, sigma, f"{word} by {abs(gain):.1f} % ± {sigma:.1f} %")


@dataclass(frozen=True)
class MetricSummary:
    command: int
    metric: Metric
    samples: tuple[Sample, ...]
    comparison: Comparison | None
    missing: int  # result files with no usable headline number

    def to_dict(self) -> dict[str, Any]:
        return {"command": self.command + 1, "metric": asdict(self.metric),
                "samples": [asdict(s) | {"values": list(s.values)} for s in self.samples],
                "comparison": asdict(self.comparison) if self.comparison else None, "missing": self.missing}

    def line(self) -> str:
        """One line for people: `avg_latency (s, lower is better): before 1.23 ± 0.4 %, after ... → verdict`."""
        m = self.metric
        parts = [f"{s.label} {s.median:.4g} {m.unit} ± {s.spread_pct:.1f} % (n={len(s.values)})" for s in self.samples]
        head = f"{m.measures}: " + (", ".join(parts) if parts else "no result")
        return head + (f" → {self.comparison.verdict}" if self.comparison else "")


def summarize(spec: BenchSpec, files: Mapping[str, Any], noise_sigmas: float = 2.0) -> list[MetricSummary]:
    """Each command's metric over the result files (by name), per measured label, and the
    before/after comparison where both were measured."""
    by: dict[tuple[int, str], list[float]] = {}
    missing: dict[int, int] = {}
    labels: list[str] = []
    for name, doc in sorted(files.items()):
        parsed = parse_name(name)
        if parsed is None or parsed[1] >= len(spec.metrics):
            continue
        label, cmd, _ = parsed
        if label not in labels:
            labels.append(label)
        v = headline(doc, spec.metrics[cmd].key)
        if v is None:
            missing[cmd] = missing.get(cmd, 0) + 1
        else:
            by.setdefault((cmd, label), []).append(v)
    order = [m.label for m in spec.measures if m.label in labels] + [x for x in labels
                                                                     if x not in {m.label for m in spec.measures}]
    out = []
    for cmd, metric in enumerate(spec.metrics):
        samples = tuple(Sample.of(label, by[(cmd, label)]) for label in order if (cmd, label) in by)
        got = {s.label: s for s in samples}
        comp = (compare(got["before"], got["after"], metric.better, noise_sigmas)
                if "before" in got and "after" in got else None)
        out.append(MetricSummary(cmd, metric, samples, comp, missing.get(cmd, 0)))
    return out


def verdict_of(summaries: Iterable[MetricSummary]) -> str:
    """The job's verdict in one line: each compared metric's verdict, or the measured medians."""
    parts = []
    for s in summaries:
        if s.comparison is not None:
            parts.append(f"{s.metric.key}: {s.comparison.verdict}")
        elif s.samples:
            medians = ", ".join(f"{x.label} {x.median:.4g} {s.metric.unit}" for x in s.samples)
            parts.append(f"{s.metric.key}: {medians}")
    return "; ".join(parts)
