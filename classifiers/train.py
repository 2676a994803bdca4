"""`scout train`: fit the subsystem text model and the good-first-issue model on a repo's history,
save them (skops + card) and record each version with its metrics in `model_versions`.

Metrics come from a time split (train on the older 80 % of the examples, at most the newest
HOLDOUT_MAX of them, and score the newest 20 %), never a random split: tickets are
time-ordered and a random split leaks the future.
The saved models are then refitted on all examples.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from classifiers import evaluate, gfi, ownership, persist
from classifiers.gfi import GoodFirstIssueModel
from classifiers.signals import read_acks
from classifiers.subsystem import (
    Guess,
    Rules,
    SubsystemModel,
    TrainingSet,
    fit_text_model,
    label_all,
    pull_rule_guesses,
    training_set,
)
from config.watch import OwnershipConfig, RepoWatch, Taxonomy, WatchConfig
from storage.history import RepoData, load_repo
from storage.models import ModelVersion

log = logging.getLogger(__name__)

SUBSYSTEM, GFI = "subsystem", "gfi"
MODEL_NAMES = (SUBSYSTEM, GFI)


@dataclass
class Models:
    """The fitted models of one repo (either may be None: too little history)."""

    repo: str
    subsystem: SubsystemModel | None = None
    gfi: GoodFirstIssueModel | None = None
    versions: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)
    n_train: dict[str, int] = field(default_factory=dict)
    # Subsystems of the good-first-issue examples by the fitted text model (fitting computes them;
    # a classification of the same loaded data reuses them). Not saved.
    labels: dict[int, list[Guess]] = field(default_factory=dict, repr=False)

    @property
    def subsystem_classes(self) -> list[str]:
        return [str(c) for c in self.subsystem.classes_] if self.subsystem is not None else []

    @property
    def gfi_n_pos(self) -> int:
        return self.gfi.n_pos_ if self.gfi is not None else 0


@dataclass(frozen=True)
class RepoContext:
    """What the classifiers need to know about a repo from the watch config."""

    name: str
    taxonomy: Taxonomy
    repo: RepoWatch
    ownership: OwnershipConfig

    @classmethod
    def of(cls, watch: WatchConfig, name: str) -> RepoContext:
        """The repo's config; a repo missing from the config gets the first repo's taxonomy."""
        try:
            rw = watch.repo(name)
        except Exception:  # noqa: BLE001 - ConfigError: fall back to the default taxonomy
            log.warning("repo %s is not in the watch config; using %s's taxonomy", name, watch.repo().name)
            base = watch.repo()
            rw = RepoWatch(name=name, taxonomy=base.taxonomy, good_first_issue_labels=base.good_first_issue_labels,
                           bots=base.bots, codeowners_paths=base.codeowners_paths)
        return cls(name, watch.taxonomies[rw.taxonomy], rw, watch.ownership)


def load(session: Session, ctx: RepoContext, with_chat: bool = True) -> RepoData:
    return load_repo(session, ctx.name, bots=ctx.repo.bots, codeowners_paths=ctx.repo.codeowners_paths,
                     with_chat=with_chat)


def _time_split(created: Sequence[datetime], frac: float = 0.8) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(np.array([c.timestamp() for c in created]), kind="stable")
    cut = int(len(order) * frac)
    return order[:cut], order[cut:]


HOLDOUT_MAX = 2000  # examples the held-out estimate trains on (the newest before the cut)


def _subsystem_metrics(rules: Rules, ts: TrainingSet) -> dict[str, Any]:
    """Macro/micro F1 of the text model on the newest 20 % of labelled issues (time split)."""
    if len(ts.recs) < 10:
        return {}
    old, new = _time_split([r.created_at for r in ts.recs])
    old = old[-HOLDOUT_MAX:]
    train = TrainingSet([ts.recs[i] for i in old], [ts.targets[i] for i in old], [ts.kinds[i] for i in old], ts.data)
    model = fit_text_model(rules, train)
    test = [i for i in new if ts.kinds[i] == "issue-label"] or list(new)
    if model is None or not test:
        return {}
    from classifiers.subsystem import text_rows

    preds = model.predict(text_rows(rules, [ts.recs[i] for i in test], ts.data))
    m = evaluate.multilabel_f1([ts.targets[i] for i in test], preds)
    return {"holdout_macro_f1": m["macro_f1"], "holdout_micro_f1": m["micro_f1"], "holdout_n": m["n"]}


def fit_models(data: RepoData, ctx: RepoContext, now: datetime, holdout: bool = True,
               use_newcomers: bool = True) -> Models:
    """Fit both models on one repo's stored history (pure: no I/O)."""
    t0 = time.perf_counter()
    rules = Rules.for_repo(data, ctx.taxonomy)
    models = Models(ctx.name)
    pulls = pull_rule_guesses(data, rules)
    ts = training_set(data, rules, pulls)
    models.metrics[SUBSYSTEM] = _subsystem_metrics(rules, ts) if holdout else {}
    models.subsystem = fit_text_model(rules, ts)
    models.n_train[SUBSYSTEM] = len(ts.recs)
    models.metrics[SUBSYSTEM].update(
        {
            "n_issues": ts.kinds.count("issue-label"),
            "n_pulls": ts.kinds.count("pull-rules"),
            "classes": len(models.subsystem_classes),
        }
    )
    log.info("subsystem model: %d examples, %d classes (%.1fs)", len(ts.recs), len(models.subsystem_classes),
             time.perf_counter() - t0)

    maintainers = ownership.maintainer_set(data)
    ex = gfi.examples(data, ctx.repo.good_first_issue_labels, use_newcomers=use_newcomers)
    numbers = sorted(ex)
    labels = models.labels = label_all(data, rules, models.subsystem, models.subsystem_classes, numbers=numbers,
                                       pulls=pulls)
    sigs = read_acks(data, numbers, maintainers)
    # The prior's column is read only where a fitted model is scored: the held-out newest 20 %.
    held = ({numbers[i] for i in _time_split([data.issues[n].created_at for n in numbers])[1]}
            if holdout and len(numbers) >= 20 else set())
    rows = gfi.feature_rows(data, numbers, maintainers, sigs, labels, ctx.repo.good_first_issue_labels, prior_for=held)
    y = np.array([ex[n] for n in numbers], dtype=int)
    models.n_train[GFI] = len(numbers)
    metrics: dict[str, Any] = {"n": len(numbers), "n_pos": int(y.sum())}
    if holdout and len(numbers) >= 20:
        old, new = _time_split([data.issues[n].created_at for n in numbers])
        old = old[-HOLDOUT_MAX:]
        if 0 < y[new].sum() < len(new):
            m = gfi.fit(rows[old], y[old])
            metrics.update({f"holdout_{k}": v for k, v in
                            evaluate.ranking_metrics(y[new], gfi.probabilities(m, rows[new])).items()})
    models.gfi = gfi.fit(rows, y)
    metrics["from_prior"] = models.gfi.repo_model_ is None
    metrics["repo_weight"] = round(models.gfi.repo_weight_, 4)
    models.metrics[GFI] = metrics
    log.info("good-first-issue model: %d examples, %d positives%s (%.1fs)", len(numbers), models.gfi_n_pos,
             " (prior only)" if models.gfi.repo_model_ is None else "", time.perf_counter() - t0)
    return models


def save_models(session: Session | None, model_dir: Path, models: Models, now: datetime) -> None:
    """Write both model files and (with a session) one `model_versions` row each."""
    for name, model in ((SUBSYSTEM, models.subsystem), (GFI, models.gfi)):
        version = persist.version_string(name, now, f"{models.repo}:{name}:{models.n_train.get(name)}:{time.time_ns()}")
        card = persist.Card(name=name, repo=models.repo, version=version, created_at=now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                            n_train=models.n_train.get(name, 0), metrics=models.metrics.get(name, {}))
        path = persist.save(model_dir, card, model)
        models.versions[name] = version
        if session is not None:
            session.add(ModelVersion(repo=models.repo, name=name, version=version, path=str(path),
                                     sklearn_version=card.sklearn_version, metrics=card.metrics,
                                     n_train=card.n_train, created_at=now))


def train(session: Session, ctx: RepoContext, now: datetime, model_dir: Path, holdout: bool = True) -> Models:
    """Fit on the database's history, save the models and record their versions."""
    data = load(session, ctx, with_chat=False)  # training reads no chat (ownership is scored in classify)
    models = fit_models(data, ctx, now, holdout=holdout)
    save_models(session, model_dir, models, now)
    return models


def load_models(model_dir: Path, repo: str) -> Models:
    """Both models from their files; `persist.ModelFileError` says why one cannot be used."""
    models = Models(repo)
    card, models.subsystem = persist.load(model_dir, repo, SUBSYSTEM)
    models.versions[SUBSYSTEM] = card.version
    card, models.gfi = persist.load(model_dir, repo, GFI)
    if models.gfi is None:
        raise persist.ModelFileError(f"{repo}: the good-first-issue model file is missing (an older format)")
    models.versions[GFI] = card.version
    return models

