"""`scout classify` after a collection: only what changed is recomputed, and the tables end up as a
full recomputation would leave them; `--retrain` trains and classifies on one load."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from classifiers.classify import classify
from classifiers.train import RepoContext, train
from config import load_watch_config
from config.clock import parse_utc
from storage import upsert
from storage.db import make_engine, session_scope, upgrade
from storage.importer import import_dataset
from storage.models import GoodFirstIssueScore, Issue, ModelVersion, SubsystemLabel, ThreadSignal

REPO = "vllm-project/vllm"


def _tables(eng) -> dict:
    with session_scope(eng) as s:
        return {
            "labels": {r.number: r.subsystems for r in s.scalars(select(SubsystemLabel))},
            "gfi": {r.number: (round(r.probability, 9), r.reasons) for r in s.scalars(select(GoodFirstIssueScore))},
            "signals": {
                r.number: (r.claimed_by, r.blockers, r.acknowledged_by) for r in s.scalars(select(ThreadSignal))
            },
        }


def test_second_run_reuses_and_a_new_comment_is_picked_up(small_dataset: Path, tmp_path: Path) -> None:
    eng = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    upgrade(eng)
    import_dataset(eng, small_dataset)
    ctx = RepoContext.of(load_watch_config(), REPO)
    now = parse_utc(json.loads((small_dataset / "meta.json").read_text())["now"])
    models = tmp_path / "models"
    with session_scope(eng) as s:
        train(s, ctx, now, models)
    with session_scope(eng) as s:
        first = classify(s, ctx, now, models)
    assert first.stored["subsystem_labels"] > 0 and first.stored["gfi_scores"] > 0
    before = _tables(eng)

    later = now + timedelta(hours=2)
    with session_scope(eng) as s:
        again = classify(s, ctx, later, models)
    assert again.stored["subsystem_labels"] == 0 and again.stored["gfi_scores"] == 0  # nothing changed
    assert _tables(eng) == before

    # A collection brings a claim on a free open issue (its updated_at moves).
    with session_scope(eng) as s:
        issue = s.scalars(select(Issue).where(Issue.is_pull.is_(False), Issue.state == "open",
                                              Issue.number.in_([n for n, v in before["signals"].items() if not v[0]]))
                          .order_by(Issue.number)).first()
        number, repo_id = issue.number, issue.repo_id
        when = later + timedelta(hours=1)
        issue.updated_at = when
        upsert.upsert_issue_comments(s, repo_id, [{
            "id": 987654321, "issue_url": f"https://api.github.com/repos/{REPO}/issues/{number}",
            "user": {"id": 424242, "login": "eager-newcomer"}, "body": "Hi! I'd like to work on this.",
            "author_association": "NONE", "created_at": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "updated_at": when.strftime("%Y-%m-%dT%H:%M:%SZ")}])
    with session_scope(eng) as s:
        third = classify(s, ctx, later + timedelta(hours=2), models)
    assert third.stored["thread_signals"] == 1 and third.stored["gfi_scores"] == 1
    assert third.stored["subsystem_labels"] == 1
    after = _tables(eng)
    assert after["signals"][number][0] == ["eager-newcomer"]
    assert {n: v for n, v in after["signals"].items() if n != number} == {
        n: v for n, v in before["signals"].items() if n != number}

    # The incremental tables are what a full recomputation gives.
    with session_scope(eng) as s:
        classify(s, ctx, later + timedelta(hours=2), models, full=True)
    assert _tables(eng) == after
    eng.dispose()


def test_retrain_trains_and_classifies_in_one_pass(small_dataset: Path, tmp_path: Path) -> None:
    eng = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    upgrade(eng)
    import_dataset(eng, small_dataset)
    ctx = RepoContext.of(load_watch_config(), REPO)
    now = parse_utc(json.loads((small_dataset / "meta.json").read_text())["now"])
    with session_scope(eng) as s:
        summary = classify(s, ctx, now, tmp_path / "models", retrain=True)
    assert summary.retrained == "asked to retrain" and summary.stored["gfi_scores"] > 0
    with session_scope(eng) as s:
        assert sorted(s.scalars(select(ModelVersion.name))) == ["gfi", "subsystem"]
        assert set(s.scalars(select(SubsystemLabel.model_version))) == {summary.versions["subsystem"]}
    eng.dispose()
