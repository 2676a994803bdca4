"""How the prior scores: on projects it never saw (leave-projects-out, from the card or recomputed
from records) and on a labelled export of a watched repo (e.g. the vLLM dev corpus), alone."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline

from classifiers.prior import model as pm
from classifiers.prior.build import read_records
from classifiers.prior.corpus import from_github_issue, prior_issue_counts
from classifiers.prior.features import thread_features


def by_project(records: Path | None = None, folds: int = 10) -> dict[str, Any]:
    """Leave-projects-out figures of the prior as JSON: recomputed from a records file when given,
    else the figures the shipped card recorded when the prior was built (`source` says which)."""
    if records is not None:
        examples = read_records(records)
        rows = thread_features([ex.thread for ex in examples])
        y = np.array([int(ex.positive) for ex in examples])
        out = pm.by_project(rows, y, [ex.thread.repo for ex in examples], folds=folds)
        return {"source": f"recomputed from {records}", **out}
    try:
        card = json.loads(pm.CARD_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"source": "none", "folds": "project", "error": "no prior ships with this install"}
    return {"source": "card", "built": card.get("created_at"), "examples": card.get("examples"),
            "positives": card.get("positives"), "projects": card.get("projects"), **card.get("by_project", {})}


def score_issues(model: Pipeline, issues: Sequence[Mapping[str, Any]], repo: str,
                 positives: Collection[int], negatives: Collection[int]) -> dict[str, Any]:
    """The prior alone on issues whose answer is known (`positives` / `negatives` by number)."""
    counts = prior_issue_counts(issues)
    wanted = set(positives) | set(negatives)
    threads, y = [], []
    for issue in issues:
        number = int(issue.get("number") or 0)
        if number not in wanted:
            continue
        ex = from_github_issue(issue, repo, prior_issues=counts.get(number))
        if ex is None:
            continue
        threads.append(ex.thread)
        y.append(int(number in positives))
    if not threads:
        return {"n": 0, "positives": 0, "roc_auc": None, "pr_auc": None, "p_at_5": 0.0}
    p = model.predict_proba(thread_features(threads))[:, 1]
    return pm.figures(np.array(y), p)


def score_export(model: Pipeline, export_dir: Path, truth_path: Path) -> dict[str, Any]:
    """The prior alone on an exported corpus (`<dir>/github/<owner>__<repo>/issues.json` + truth.json
    with `good_first_issue` / `not_good_first_issue`)."""
    truth = json.loads(Path(truth_path).read_text(encoding="utf-8"))
    repo = str(truth["repo"])
    issues = json.loads((Path(export_dir) / "github" / repo.replace("/", "__") / "issues.json").read_text("utf-8"))
    out = score_issues(model, issues, repo, set(truth.get("good_first_issue", ())),
                       set(truth.get("not_good_first_issue", ())))
    return {"repo": repo, **out}
