"""The prior estimator: how it is built, fitted, judged across projects and loaded.

Text goes through a `HashingVectorizer` (no vocabulary is stored, so the model file holds no
words of anyone's issues), then TF-IDF weighting, weighed 4:1 against the numbers; the numbers
are scaled; a class-balanced logistic regression is calibrated with a sigmoid. Each project
weighs the same in the fit, so a project with hundreds of issues does not teach its own
conventions as if they were universal.
"""

from __future__ import annotations

import hashlib
import json
import logging
import warnings
import zipfile
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from classifiers.prior.features import NUMERIC, IssueThread, thread_features

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).with_name("data")
PRIOR_PATH = DATA_DIR / "prior.skops"
CARD_PATH = DATA_DIR / "card.json"
MANIFEST_PATH = DATA_DIR / "manifest.jsonl"
N_FEATURES = 2**16

# Every type the shipped estimator contains, by exact name: `load_prior` trusts these and nothing else.
TRUSTED_TYPES = [
    "builtins.slice",
    "numpy.dtype",
    "numpy.float64",
    "numpy.ndarray",
    "scipy.sparse._csr.csr_matrix",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.compose._column_transformer.ColumnTransformer",
    "sklearn.feature_extraction.text.HashingVectorizer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._data.StandardScaler",
]


def build_model(C: float = 0.3, text_weight: float = 4.0, ngrams: int = 1) -> Pipeline:
    """Defaults chosen by leave-projects-out ROC-AUC on the gathered corpus (never on vLLM): words
    carry across projects better than the numbers do, and single words better than pairs."""
    text = Pipeline([
        ("hash", HashingVectorizer(n_features=N_FEATURES, ngram_range=(1, ngrams), alternate_sign=False, norm=None,
                                   token_pattern=r"(?u)\b[a-z_][a-z0-9_]+\b", lowercase=True)),  # noqa: S106
        ("tfidf", TfidfTransformer(sublinear_tf=True)),
    ])
    columns = ColumnTransformer(
        [("text", text, 0), ("num", StandardScaler(), list(range(1, 1 + len(NUMERIC))))],
        transformer_weights={"text": text_weight, "num": 1.0},
    )
    clf = CalibratedClassifierCV(
        LogisticRegression(C=C, class_weight="balanced", solver="liblinear", max_iter=1000), method="sigmoid", cv=3)
    return Pipeline([("columns", columns), ("clf", clf)])


def project_weights(projects: Sequence[str]) -> np.ndarray:
    """Sample weights that give every project the same total weight (mean weight 1)."""
    counts = Counter(projects)
    w = np.array([1.0 / counts[p] for p in projects])
    return w * (len(w) / w.sum())


def fit_prior(rows: np.ndarray, y: np.ndarray, projects: Sequence[str], **params: Any) -> Pipeline:
    model = build_model(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(rows, y, clf__sample_weight=project_weights(projects))
    return model


def precision_at(y: np.ndarray, p: np.ndarray, k: int = 5) -> float:
    order = np.argsort(-p, kind="stable")[:k]
    return float(np.mean(y[order])) if len(order) else 0.0


def figures(y: np.ndarray, p: np.ndarray, k: int = 5) -> dict[str, float | int | None]:
    """ROC-AUC, PR-AUC (average precision) and precision@k; AUCs are None with a single class."""
    both = 0 < int(y.sum()) < len(y)
    return {
        "n": len(y), "positives": int(y.sum()),
        "roc_auc": round(float(roc_auc_score(y, p)), 3) if both else None,
        "pr_auc": round(float(average_precision_score(y, p)), 3) if both else None,
        f"p_at_{k}": round(precision_at(y, p, k), 3),
    }


def by_project(rows: np.ndarray, y: np.ndarray, projects: Sequence[str], folds: int = 10,
               **params: Any) -> dict[str, Any]:
    """Leave-projects-out figures: projects are split into `folds` groups (every project whole in one
    group; with `folds` >= the number of projects this is leave-one-project-out); each group is
    scored by a prior fitted on the others, so no project is ever scored by a model that saw it.
    Per-project figures for projects with both classes, their means, and the pooled figures over
    all held-out predictions."""
    projects = list(projects)
    names = sorted(set(projects))
    k = max(2, min(folds, len(names)))
    held = np.full(len(y), np.nan)
    # Projects are dealt to folds largest first, round robin, so folds have similar sizes.
    sizes = Counter(projects)
    fold_of = {p: i % k for i, p in enumerate(sorted(names, key=lambda p: (-sizes[p], p)))}
    fold = np.array([fold_of[p] for p in projects])
    for f in range(k):
        test = fold == f
        train_y = y[~test]
        if not test.any() or train_y.sum() == 0 or train_y.sum() == len(train_y):
            continue
        model = fit_prior(rows[~test], train_y, [p for p, t in zip(projects, test, strict=True) if not t], **params)
        held[test] = model.predict_proba(rows[test])[:, 1]
    scored = ~np.isnan(held)
    per: dict[str, dict[str, Any]] = {}
    for proj in names:
        idx = np.array([p == proj for p in projects]) & scored
        if idx.any() and 0 < y[idx].sum() < idx.sum():
            per[proj] = figures(y[idx], held[idx])

    def mean(key: str) -> float | None:
        vals = [f[key] for f in per.values() if f.get(key) is not None]
        return round(float(np.mean(vals)), 3) if vals else None

    return {
        "folds": "project", "k": k, "projects": len(names), "projects_with_both_classes": len(per),
        "pooled": figures(y[scored], held[scored]),
        "mean_over_projects": {"roc_auc": mean("roc_auc"), "pr_auc": mean("pr_auc"), "p_at_5": mean("p_at_5")},
        "per_project": per,
    }


def _load_errors() -> tuple[type[BaseException], ...]:
    from skops.io.exceptions import UntrustedTypesFoundException

    return (UntrustedTypesFoundException, zipfile.BadZipFile, OSError, ValueError, TypeError, KeyError,
            AttributeError, ImportError)


_LOAD_ERRORS = _load_errors()


@lru_cache(maxsize=4)
def _load(path: str, sha256: str) -> Pipeline:
    import skops.io as sio

    return sio.load(path, trusted=TRUSTED_TYPES)


def clear_cache() -> None:
    _load.cache_clear()


def _card_sha256(model_path: Path) -> str:
    card = model_path.with_name(CARD_PATH.name)
    try:
        return str(json.loads(card.read_text(encoding="utf-8")).get("sha256") or "")
    except (OSError, ValueError):
        return ""


def load_prior(path: Path | None = None) -> Pipeline | None:
    """The shipped prior, or None when none ships or it cannot be trusted (one warning says why):
    types outside `TRUSTED_TYPES` are refused, and a file that does not match its card's SHA-256."""
    p = Path(path) if path is not None else PRIOR_PATH
    if not p.is_file():
        return None
    digest = hashlib.sha256(p.read_bytes()).hexdigest()
    expected = _card_sha256(p)
    if expected and expected != digest:
        log.warning("prior %s not loaded: it does not match its card (sha256 %s, card says %s)", p, digest[:12],
                    expected[:12])
        return None
    try:
        return _load(str(p), digest)
    except _LOAD_ERRORS as exc:  # an unreadable or untrusted file: answer without a prior, say why
        log.warning("prior %s not loaded: %s", p, exc)
        return None


def prior_probability(threads: Sequence[IssueThread], model: Pipeline | None = None) -> np.ndarray | None:
    """The prior's good-first-issue probability for each thread, or None when no prior ships."""
    m = model if model is not None else load_prior()
    if m is None:
        return None
    if not threads:
        return np.zeros(0)
    return np.asarray(m.predict_proba(thread_features(threads))[:, 1], dtype=float)
