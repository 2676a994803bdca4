"""Fit the prior from examples and write what ships: the skops file, its data card, its manifest.

The card says what the prior learned from (projects, positives and negatives per project, the
labels that made an issue positive, the date range) and how well it carries to projects it never
saw (leave-projects-out ROC-AUC, PR-AUC, P@5). The manifest lists every source issue by URL,
labels and dates, never its text: what others wrote stays with them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
import skops
import skops.io as sio
from sklearn.pipeline import Pipeline

from classifiers.prior import model as pm
from classifiers.prior.corpus import Example, from_record, manifest_row
from classifiers.prior.features import thread_features
from config.errors import ClassifierError

log = logging.getLogger(__name__)

CARD_FORMAT = "oss-scout/prior-card/1"
MIN_POSITIVES = 10
MIN_PROJECTS = 3


class PriorBuildError(ClassifierError):
    """The examples cannot make a prior (the message says what is missing)."""


@dataclass
class PriorBuild:
    model: Pipeline
    card: dict[str, Any]
    manifest: list[dict[str, Any]]


def read_records(path: Path) -> list[Example]:
    """Hand-gathered records (JSON lines) as examples; lines that are not usable issues are skipped,
    each with one warning, and duplicates (same URL) are kept once."""
    out: list[Example] = []
    seen: set[str] = set()
    with Path(path).open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                ex = from_record(json.loads(line))
            except (ValueError, TypeError, AttributeError) as exc:
                log.warning("%s:%d: skipped, not a record (%s)", path, n, exc)
                continue
            if ex is None or ex.thread.url in seen:
                continue
            seen.add(ex.thread.url)
            out.append(ex)
    return out


def _counts(examples: Sequence[Example]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for ex in examples:
        c = out.setdefault(ex.thread.repo, {"positives": 0, "negatives": 0})
        c["positives" if ex.positive else "negatives"] += 1
    return dict(sorted(out.items()))


def _date_range(examples: Iterable[Example]) -> dict[str, str | None]:
    dates = sorted(ex.thread.created_at for ex in examples if ex.thread.created_at)
    return {"first": dates[0].date().isoformat() if dates else None,
            "last": dates[-1].date().isoformat() if dates else None}


def build_prior(examples: Sequence[Example], source: str, folds: int = 10) -> PriorBuild:
    """Fit on every example and measure leave-projects-out figures (`folds` groups of projects)."""
    pos = sum(ex.positive for ex in examples)
    projects = [ex.thread.repo for ex in examples]
    if pos < MIN_POSITIVES or len(examples) - pos < MIN_POSITIVES or len(set(projects)) < MIN_PROJECTS:
        raise PriorBuildError(
            f"too few examples for a prior: {pos} positives, {len(examples) - pos} negatives from "
            f"{len(set(projects))} projects (need {MIN_POSITIVES} of each from {MIN_PROJECTS} projects)")
    rows = thread_features([ex.thread for ex in examples])
    y = np.array([int(ex.positive) for ex in examples])
    evaluation = pm.by_project(rows, y, projects, folds=folds)
    model = pm.fit_prior(rows, y, projects)
    counts = _counts(examples)
    card = {
        "format": CARD_FORMAT,
        "created_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "source": source,
        "examples": len(examples), "positives": pos, "negatives": len(examples) - pos,
        "projects": len(counts),
        "projects_with_positives": sum(1 for c in counts.values() if c["positives"]),
        "projects_with_both": sum(1 for c in counts.values() if c["positives"] and c["negatives"]),
        "target_labels": dict(Counter(ex.target_label for ex in examples if ex.positive).most_common()),
        "text_sources": dict(Counter(ex.text for ex in examples).most_common()),
        "created": _date_range(examples),
        "by_project": {k: v for k, v in evaluation.items() if k != "per_project"},
        "per_project_counts": counts,
        "model": {"estimator": "HashingVectorizer(words) + TF-IDF (weight 4), scaled numbers (weight 1) -> "
                               "LogisticRegression (class-balanced, projects weighted equally), sigmoid-calibrated",
                  "numeric_features": list(pm.NUMERIC), "sklearn_version": sklearn.__version__,
                  "skops_version": skops.__version__},
        "excluded": "vllm-project/* and sgl-project/* threads are never used (they judge the prior)",
    }
    manifest = [manifest_row(ex) for ex in sorted(examples, key=lambda e: (e.thread.repo, e.thread.number))]
    return PriorBuild(model, card, manifest)


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; what ships is for everyone to read
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_prior(build: PriorBuild, out_dir: Path) -> tuple[Path, Path, Path]:
    """Write prior.skops, card.json (with the skops file's SHA-256) and manifest.jsonl into `out_dir`."""
    out = Path(out_dir)
    model_path, card_path, manifest_path = (
        out / pm.PRIOR_PATH.name,
        out / pm.CARD_PATH.name,
        out / pm.MANIFEST_PATH.name,
    )
    blob = sio.dumps(build.model)
    card = dict(build.card, sha256=hashlib.sha256(blob).hexdigest(), manifest=manifest_path.name)
    _atomic_write(model_path, blob)
    _atomic_write(card_path, (json.dumps(card, indent=1, sort_keys=False) + "\n").encode())
    lines = "".join(json.dumps(row, sort_keys=True) + "\n" for row in build.manifest)
    _atomic_write(manifest_path, lines.encode())
    pm.clear_cache()
    return model_path, card_path, manifest_path
