"""The judgement tables as the products read them (the issue card of `/issue` and `scout issue`,
`scout maintainers`), and the `scout train/classify/maintainers` commands, on the generated small
community (imported, trained and classified once)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from classifiers.signals import read_acks, read_thread
from config import load_watch_config
from config.clock import parse_utc
from config.errors import UnknownSubsystem
from reports import maintainers_report
from storage.db import make_engine, session_scope, upgrade
from storage.history import RepoData
from storage.importer import import_dataset
from storage.models import GoodFirstIssueScore, ModelVersion, OwnershipScore, SubsystemLabel, ThreadSignal
from tests.helpers import run_scout

REPO = "vllm-project/vllm"


@pytest.fixture(scope="module")
def judged_db(small_dataset: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """(database file, model dir, now) after `scout import`, `scout train` and `scout classify`."""
    root = tmp_path_factory.mktemp("judged")
    db = root / "scout.db"
    eng = make_engine(f"sqlite:///{db}")
    upgrade(eng)
    import_dataset(eng, small_dataset)
    eng.dispose()
    now = json.loads((small_dataset / "meta.json").read_text())["now"]
    env = {"SCOUT_DATABASE_URL": f"sqlite:///{db}", "SCOUT_MODEL_DIR": str(root / "models"), "SCOUT_NOW": now}
    train = run_scout("train", env=env)
    assert "subsystem" in train.stdout and "gfi" in train.stdout
    classify = run_scout("classify", env=env)
    assert "retrained" not in classify.stderr  # the models `scout train` saved were used
    return db, root / "models", now


@pytest.fixture
def session(judged_db: tuple[Path, Path, str], tmp_path: Path):
    db, _, _ = judged_db
    shutil.copyfile(db, tmp_path / "db.sqlite")
    eng = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with session_scope(eng) as s:
        yield s
    eng.dispose()


def test_tables_are_filled(session, small_dataset: Path) -> None:
    truth = json.loads((small_dataset / "truth.json").read_text())
    n_open = len(truth["good_first_issue"]) + len(truth["not_good_first_issue"])
    assert session.scalar(select(func.count()).select_from(GoodFirstIssueScore)) == n_open
    assert session.scalar(select(func.count()).select_from(ThreadSignal)) == n_open
    assert session.scalar(select(func.count()).select_from(SubsystemLabel)) > n_open
    label = session.scalars(select(SubsystemLabel).where(SubsystemLabel.is_pull.is_(True))).first()
    assert label.subsystems and {"name", "confidence", "source"} == set(label.subsystems[0])
    assert label.primary == label.subsystems[0]["name"]
    own = session.scalars(select(OwnershipScore)).first()
    for key in ("approvals", "changes_requested", "review_comments", "merges", "triage", "thread_answers",
                "chat_answers", "authored", "last_active", "median_first_review_hours"):
        assert key in own.evidence


def test_issue_cards_say_what_is_taken(session, small_dataset: Path) -> None:
    from config.errors import StorageError
    from reports.cards import issue_card

    truth = json.loads((small_dataset / "truth.json").read_text())
    watch, now = load_watch_config(), parse_utc(json.loads((small_dataset / "meta.json").read_text())["now"])
    one = issue_card(session, watch, truth["claimed"][0], now, REPO)
    assert one.claimed and one.claimed_by and one.not_recommended == "claimed"
    assert one.subsystems and one.probability is not None and one.reasons
    blocked = [issue_card(session, watch, n, now, REPO) for n in truth["blocked"]]
    assert all(c.blocked and c.blockers and c.not_recommended for c in blocked)
    with pytest.raises(StorageError, match="is not stored"):
        issue_card(session, watch, 1, now, REPO)


def test_maintainers_and_models(session, small_dataset: Path) -> None:
    truth = json.loads((small_dataset / "truth.json").read_text())
    sub = next(iter(truth["owners"]))
    top = maintainers_report(session, load_watch_config(), sub, parse_utc("2026-11-27T00:00:00Z"), REPO,
                             top=3).maintainers
    assert len(top) == 3 and top[0].score >= top[1].score >= top[2].score
    models = {m.name: m for m in session.scalars(select(ModelVersion).where(ModelVersion.repo == REPO))}
    assert set(models) == {"subsystem", "gfi"} and models["gfi"].metrics["n_pos"] >= 1
    with pytest.raises(UnknownSubsystem, match="unknown subsystem 'no-such-area'"):
        maintainers_report(session, load_watch_config(), "no-such-area", parse_utc("2026-11-27T00:00:00Z"), REPO)


def test_cli_maintainers(judged_db: tuple[Path, Path, str], small_dataset: Path,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from cli import app

    db, models, now = judged_db
    truth = json.loads((small_dataset / "truth.json").read_text())
    sub = next(iter(truth["owners"]))
    env = {"SCOUT_DATABASE_URL": f"sqlite:///{db}", "SCOUT_MODEL_DIR": str(models), "SCOUT_NOW": now}
    proc = run_scout("maintainers", sub, "--top", "3", "--json", "--repo", REPO, env=env)
    report = json.loads(proc.stdout)
    assert report["subsystem"] == sub and len(report["maintainers"]) == 3
    assert {m["login"] for m in report["maintainers"]} <= set(truth["owners"][sub]) | set(truth["maintainers"])
    assert "approvals" in report["maintainers"][0]["evidence"]
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    table = CliRunner().invoke(app, ["maintainers", sub])
    assert table.exit_code == 0 and report["maintainers"][0]["login"] in table.stdout
    bad = CliRunner().invoke(app, ["maintainers", "nope"])  # a usage error now (exit 2), before any database read
    assert bad.exit_code == 2 and "unknown subsystem 'nope'" in bad.output
    with pytest.raises(UnknownSubsystem, match="unknown subsystem 'nope'"):
        load_watch_config().taxonomy_for(REPO).require("nope")


def test_read_acks_agrees_with_read_thread(small_dataset: Path, tmp_path: Path) -> None:
    from classifiers.ownership import maintainer_set
    from classifiers.train import RepoContext, load

    eng = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    upgrade(eng)
    import_dataset(eng, small_dataset)
    with session_scope(eng) as s:
        data: RepoData = load(s, RepoContext.of(load_watch_config(), REPO))
    eng.dispose()
    maint = maintainer_set(data)
    numbers = [n for n, r in data.issues.items() if not r.is_pull][:200]
    fast = read_acks(data, numbers, maint)
    for n in numbers:
        full = read_thread(data, n, maint)
        assert (fast[n].acknowledged_by, fast[n].acks_any) == (full.acknowledged_by, full.acks_any), n
    assert parse_utc(json.loads((small_dataset / "meta.json").read_text())["now"])
