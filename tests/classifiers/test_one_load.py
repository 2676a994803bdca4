"""Training and classifying on one load of the repo (`scout classify --retrain`, the service's
retraining) stores exactly what `scout train` then `scout classify` store on two loads."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from classifiers.classify import classify, judge
from classifiers.train import RepoContext, fit_models, train
from config import load_watch_config
from config.clock import parse_utc
from storage.db import make_engine, session_scope, upgrade
from storage.history import load_repo
from storage.importer import import_dataset
from storage.models import GoodFirstIssueScore, OwnershipScore, SubsystemLabel, ThreadSignal

REPO = "vllm-project/vllm"


def _judged(eng) -> dict:
    with session_scope(eng) as s:
        return {
            "labels": {r.number: (r.subsystems, r.primary) for r in s.scalars(select(SubsystemLabel))},
            "gfi": {r.number: (r.probability, r.reasons, r.from_prior) for r in s.scalars(select(GoodFirstIssueScore))},
            "signals": {r.number: (r.claimed_by, r.blockers, r.acknowledged_by, r.last_maintainer_word, r.evidence)
                        for r in s.scalars(select(ThreadSignal))},
            "owners": {(r.subsystem, r.login): (r.score, r.declared, r.evidence, r.last_active_at)
                       for r in s.scalars(select(OwnershipScore))},
        }


def _imported(small_dataset: Path, path: Path):
    eng = make_engine(f"sqlite:///{path}")
    upgrade(eng)
    import_dataset(eng, small_dataset)
    return eng


def test_one_load_stores_what_two_loads_store(small_dataset: Path, tmp_path: Path) -> None:
    ctx = RepoContext.of(load_watch_config(), REPO)
    now = parse_utc(json.loads((small_dataset / "meta.json").read_text())["now"])
    two = _imported(small_dataset, tmp_path / "two.db")
    with session_scope(two) as s:
        train(s, ctx, now, tmp_path / "m2")
    with session_scope(two) as s:
        classify(s, ctx, now, tmp_path / "m2")
    one = _imported(small_dataset, tmp_path / "one.db")
    with session_scope(one) as s:
        summary = classify(s, ctx, now, tmp_path / "m1", retrain=True)
    assert list(summary.phases) == ["load", "train", "judge", "store"]
    assert _judged(one) == _judged(two)
    two.dispose()
    one.dispose()


def test_the_examples_labelled_while_fitting_are_what_judging_labels(small_dataset: Path, tmp_path: Path) -> None:
    ctx = RepoContext.of(load_watch_config(), REPO)
    now = parse_utc(json.loads((small_dataset / "meta.json").read_text())["now"])
    eng = _imported(small_dataset, tmp_path / "db.sqlite")
    with session_scope(eng) as s:
        data = load_repo(s, REPO, bots=ctx.repo.bots, codeowners_paths=ctx.repo.codeowners_paths)
    models = fit_models(data, ctx, now)
    assert models.labels  # the good-first-issue examples
    reused = judge(data, ctx, models, now, known=models.labels)
    computed = judge(data, ctx, models, now)
    assert list(reused.labels.items()) == list(computed.labels.items())  # same guesses, same order
    assert {n: models.labels[n] for n in models.labels} == {n: computed.labels[n] for n in models.labels}
    assert (
        reused.scores == computed.scores
        and reused.ownership.by_subsystem.keys() == computed.ownership.by_subsystem.keys()
    )
    eng.dispose()
