"""Both models are scikit-learn estimators: parameters in `__init__`, learned state in `fit`
(trailing underscores), `classes_`, `predict_proba`, named features; they clone, fit, and survive a
skops round trip through `persist` (whose allow-list names them) with the same probabilities."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from classifiers import GoodFirstIssueModel, SubsystemModel, gfi, persist
from classifiers.subsystem import TEXT_COLUMNS

REPO = "o/r"


def _gfi_rows() -> tuple[np.ndarray, np.ndarray]:
    rows, y = [], []
    for i in range(30):
        easy = i % 3 == 0
        row = np.empty(len(gfi.ROW_COLUMNS), dtype=object)
        row[0] = ("add a flag to the cli docs" if easy else "crash cuda illegal memory access trace") + f" w{i % 4}"
        row[1] = "tmpl:feature" if easy else "tmpl:bug label:bug"
        for j, name in enumerate(gfi.NUMERIC):
            row[2 + j] = float(name == "has_traceback" and not easy) + 0.01 * (i % 5)
        row[len(gfi.COLUMNS)] = -2.0
        rows.append(row)
        y.append(int(easy))
    return np.array(rows, dtype=object), np.array(y)


def _sub_rows() -> tuple[np.ndarray, list[list[str]]]:
    texts = [("scheduler preemption of waiting requests", "Scheduler preempts", "tmpl:bug", ["scheduler"]),
             ("rocm build fails on mi300 hip", "ROCm build", "tag:rocm", ["rocm"]),
             ("openai server chat completion stream", "Chat stream", "tmpl:feature", ["frontend"])]
    rows, Y = [], []
    for i in range(24):
        doc, title, hint, target = texts[i % 3]
        rows.append([f"{doc} {i}", title, hint])
        Y.append(target)
    rows.append(["a lone doc", "lone", "tmpl:none"])
    Y.append(["rare"])  # one example: not a class
    return np.array(rows, dtype=object), Y


def _round_trip(tmp_path: Path, name: str, model: object) -> object:
    card = persist.Card(name=name, repo=REPO, version="v1", created_at="2026-01-01T00:00:00Z")
    persist.save(tmp_path, card, model)
    _, loaded = persist.load(tmp_path, REPO, name)
    return loaded


def test_good_first_issue_model_is_an_estimator(tmp_path: Path) -> None:
    X, y = _gfi_rows()
    template = GoodFirstIssueModel(C=0.3, prior_positives=10)
    with pytest.raises(NotFittedError):
        template.predict_proba(X)
    model = clone(template)
    assert model.get_params() == {"C": 0.3, "min_positives": 5, "prior_positives": 10}
    assert model.fit(X, y) is model and not hasattr(template, "repo_weight_")
    assert list(model.classes_) == [0, 1] and model.n_pos_ == 10 and model.repo_weight_ == pytest.approx(0.5)
    proba = model.predict_proba(X)
    assert proba.shape == (30, 2) and np.allclose(proba.sum(axis=1), 1.0)
    assert proba[y == 1, 1].min() > proba[y == 0, 1].max()
    names = list(model.get_feature_names_out())
    assert "num:has_traceback" in names and "token:tmpl:feature" in names and names[-1] == "prior"
    assert not any(n.startswith("num__x") for n in names)
    assert len(names) == len(model.coefficients()) + 1
    reasons = gfi.explain(model, X[:1])[0]
    assert reasons and reasons[0][:2] in ("+ ", "− ")
    loaded = _round_trip(tmp_path, "gfi", model)
    assert isinstance(loaded, GoodFirstIssueModel)
    np.testing.assert_allclose(loaded.predict_proba(X), proba)


def test_subsystem_model_is_an_estimator(tmp_path: Path) -> None:
    X, Y = _sub_rows()
    assert X.shape[1] == len(TEXT_COLUMNS)
    model = clone(SubsystemModel(C=2.0))
    assert model.fit(X, Y) is model
    assert list(model.classes_) == ["frontend", "rocm", "scheduler"]  # "rare" has one example
    proba = model.predict_proba(X[:3])
    assert proba.shape == (3, 3)
    assert [model.classes_[i] for i in proba.argmax(axis=1)] == ["scheduler", "rocm", "frontend"]
    assert model.predict(X[:3]) == [["scheduler"], ["rocm"], ["frontend"]]
    names = model.get_feature_names_out()
    assert "hint:tag:rocm" in set(names) and str(names[0]) == "words:h0"
    loaded = _round_trip(tmp_path, "subsystem", model)
    assert isinstance(loaded, SubsystemModel)
    np.testing.assert_allclose(loaded.predict_proba(X), model.predict_proba(X))
    with pytest.raises(ValueError, match="two subsystems"):
        SubsystemModel().fit(X[:2], [["a"], ["b"]])
