"""Metrics as pure functions of truths and predictions (what `scout eval` prints).

Definitions:
- gfi: ROC-AUC and PR-AUC (average precision) of the probabilities over the issues the truth
  lists (`good_first_issue` ∪ `not_good_first_issue`); `precision_at_5` is the share of good first
  issues among the five highest-scored; `n_pos`/`n` count the scored issues.
- subsystem: multi-label F1 over the items in `subsystem_of`. `macro_f1` averages the per-subsystem
  F1 over the subsystems that occur in the truth (a predicted-only subsystem lowers precision in
  `micro_f1`, which pools every decision).
- owners: for each subsystem in `truth.owners`, the share of our top three that the truth lists,
  with the denominator `min(3, len(truth list))` so a subsystem with one true owner can score 1;
  `precision_at_3` is the mean over subsystems. `owners_ceiling` is the same measure for a perfect
  ranking of only the reachable people (those who appear in the slice at all).
- claims/blocked: F1 of the issues flagged, over the threads the truth says were read for them
  (`signals_labelled`) where it lists them, else over the open issues of the slice plus every issue
  the truth lists; `n` is the number of issues scored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score


def ranking_metrics(
    y_true: Sequence[int] | np.ndarray, scores: Sequence[float] | np.ndarray, k: int = 5
) -> dict[str, float | int]:
    y = np.asarray(y_true, dtype=int)
    s = np.asarray(scores, dtype=float)
    out: dict[str, float | int] = {"n_pos": int(y.sum()), "n": len(y)}
    if len(y) and 0 < y.sum() < len(y):
        out["roc_auc"] = float(roc_auc_score(y, s))
        out["pr_auc"] = float(average_precision_score(y, s))
    order = np.argsort(-s, kind="stable")[:k]
    out[f"precision_at_{k}"] = float(y[order].mean()) if len(order) else 0.0
    return out


def multilabel_f1(truth: Sequence[Iterable[str]], predicted: Sequence[Iterable[str]]) -> dict[str, float | int]:
    """Macro F1 over the truth's classes and micro F1 over all decisions."""
    t_sets = [set(t) for t in truth]
    p_sets = [set(p) for p in predicted]
    classes = sorted(set().union(*t_sets)) if t_sets else []
    f1s = []
    for c in classes:
        tp = sum(1 for t, p in zip(t_sets, p_sets, strict=True) if c in t and c in p)
        fp = sum(1 for t, p in zip(t_sets, p_sets, strict=True) if c not in t and c in p)
        fn = sum(1 for t, p in zip(t_sets, p_sets, strict=True) if c in t and c not in p)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)
    tp = sum(len(t & p) for t, p in zip(t_sets, p_sets, strict=True))
    fp = sum(len(p - t) for t, p in zip(t_sets, p_sets, strict=True))
    fn = sum(len(t - p) for t, p in zip(t_sets, p_sets, strict=True))
    micro = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
    return {"macro_f1": float(np.mean(f1s)) if f1s else 0.0, "micro_f1": float(micro), "n": len(t_sets)}


def owners_precision(
    truth: Mapping[str, Sequence[str]], ranked: Mapping[str, Sequence[str]], k: int = 3
) -> dict[str, float | int]:
    """Mean over the truth's subsystems of |top-k ∩ truth| / min(k, |truth|) (logins compared case-insensitively)."""
    scores = []
    for sub, people in truth.items():
        want = {p.lower() for p in people}
        if not want:
            continue
        got = [p.lower() for p in ranked.get(sub, [])[:k]]
        scores.append(len(set(got) & want) / min(k, len(want)))
    return {"precision_at_3" if k == 3 else f"precision_at_{k}": float(np.mean(scores)) if scores else 0.0,
            "subsystems": len(scores)}


def owners_ceiling(truth: Mapping[str, Sequence[str]], reachable: Mapping[str, Sequence[str]], k: int = 3) -> float:
    """The P@k a perfect ranking would reach when only `reachable[sub]` of each truth list can be found."""
    scores = []
    for sub, people in truth.items():
        want = {p.lower() for p in people}
        if not want:
            continue
        found = {p.lower() for p in reachable.get(sub, [])} & want
        scores.append(min(k, len(found)) / min(k, len(want)))
    return float(np.mean(scores)) if scores else 0.0


def set_f1(truth: Iterable[int], predicted: Iterable[int], universe: Iterable[int]) -> dict[str, float | int]:
    u = set(universe)
    t = set(truth) & u
    p = set(predicted) & u
    tp, fp, fn = len(t & p), len(p - t), len(t - p)
    return {"f1": 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0, "n": len(u),
            "precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / (tp + fn) if tp + fn else 1.0}
