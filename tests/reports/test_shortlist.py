"""The shortlist on the planted world: the right 5 issues and 3 maintainers, deterministic, with
bench jobs; filters; exports."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from config.errors import UnknownSubsystem
from pipeline import refresh_shortlist
from reports.render.markdown import shortlist_csv, shortlist_json, shortlist_markdown
from reports.shortlist import build_shortlist, candidates, pick_issues
from storage.db import session_scope
from storage.models import BenchJob, Shortlist
from tests.reports.world import NOW, REPO


def test_picks_clean_issues_spread_over_subsystems_and_their_owners(world: Engine, watch, out_dir: Path) -> None:
    with session_scope(world) as s:
        sl = refresh_shortlist(s, watch, REPO, NOW, out_dir, prepare_bench=True)
    assert [i.number for i in sl.issues] == [1, 2, 4, 5, 10]
    assert [i.subsystems for i in sl.issues] == [("kernel",), ("kernel",), ("frontend",), ("quantization",),
                                                ("documentation",)]
    # alice leads kernel (carol is inactive), gina documentation, dave frontend (erin reviews too slowly)
    assert [m.login for m in sl.maintainers] == ["alice", "gina", "dave"]
    assert sl.maintainers[0].subsystems == ("kernel", "quantization")
    ev = sl.maintainers[0].evidence
    assert ev["declared"] is True and ev["median_first_review_hours"] == 2.0
    assert ev["counts"] == {"approvals": 13, "review_comments": 4}
    first = sl.issues[0]
    assert first.url == f"https://github.com/{REPO}/issues/1"
    assert first.probability == pytest.approx(0.9)
    assert first.last_maintainer_word == "PR welcome" and first.acknowledged_by == ("alice",)
    assert all(i.bench_job and i.bench_job.link.endswith(".yaml") and Path(i.bench_job.link).is_file()
               for i in sl.issues[:4])
    assert [i.bench_job.target for i in sl.issues] == ["kernel", "kernel", "serving", "quantization", ""]
    docs = sl.issues[4].bench_job  # #10, documentation: no GPU can measure it
    assert docs is not None and docs.status == "not-needed" and docs.link == ""
    assert docs.describe() == "no benchmark needed: a documentation change: no GPU can measure it"
    with session_scope(world) as s:
        assert s.scalar(select(func.count()).select_from(Shortlist)) == 1
        assert s.scalar(select(func.count()).select_from(BenchJob)) == 5


def test_same_database_same_shortlist(world: Engine, watch, out_dir: Path) -> None:
    with session_scope(world) as s:
        a = refresh_shortlist(s, watch, REPO, NOW, out_dir, prepare_bench=True)
    with session_scope(world) as s:
        b = refresh_shortlist(s, watch, REPO, NOW, out_dir, prepare_bench=True)
    assert shortlist_json(a) == shortlist_json(b)
    with session_scope(world) as s:  # bench jobs are reused, not duplicated
        assert s.scalar(select(func.count()).select_from(BenchJob)) == 5


def test_exclusions(snap) -> None:
    numbers = [i.number for i, _, _ in candidates(snap)]
    assert numbers == [1, 2, 3, 4, 5, 10]  # 6 claimed, 7 blocked, 8 assigned, 9 has PR #20, 11 closed
    assert [i.number for i, _, _ in pick_issues(candidates(snap), 5, per_subsystem=None)] == [1, 2, 3, 4, 5]


def test_cap_relaxes_when_candidates_run_out(snap) -> None:
    only_kernel = candidates(snap, ["kernel"])
    assert [i.number for i, _, _ in only_kernel] == [1, 2, 3]
    assert [i.number for i, _, _ in pick_issues(only_kernel, 5, per_subsystem=2)] == [1, 2, 3]


def test_subsystem_filter_narrows(world: Engine, watch, out_dir: Path) -> None:
    with session_scope(world) as s:
        sl = refresh_shortlist(s, watch, REPO, NOW, out_dir, prepare_bench=True, subsystems=["Kernel"])
    assert [i.number for i in sl.issues] == [1, 2, 3]
    assert sl.subsystem_filter == ("kernel",)
    assert [m.login for m in sl.maintainers][:2] == ["alice", "bob"]
    assert any("only 3 open issue" in n for n in sl.notes)


def test_unknown_subsystem_is_a_clear_error(world: Engine, watch, out_dir: Path) -> None:
    with session_scope(world) as s, pytest.raises(UnknownSubsystem, match="subsystem 'kernal'; did you mean kernel"):
        refresh_shortlist(s, watch, REPO, NOW, out_dir, prepare_bench=True, subsystems=["kernal"])


def test_no_judgements_yet_gives_an_empty_list_that_says_why(engine: Engine, watch, out_dir: Path) -> None:
    from storage.upsert import upsert_issues, upsert_repo
    from tests.reports.world import issue

    with session_scope(engine) as s:
        rid = upsert_repo(s, {"id": 1, "full_name": REPO, "default_branch": "main"})
        upsert_issues(s, rid, [issue(1, "x", "xena", NOW)])
    with session_scope(engine) as s:
        sl = refresh_shortlist(s, watch, REPO, NOW, out_dir, prepare_bench=True)
    assert sl.issues == () and sl.maintainers == ()
    assert "run `scout classify`" in shortlist_markdown(sl)


def test_exports_have_the_required_shape(snap) -> None:
    sl = build_shortlist(snap)
    doc = json.loads(shortlist_json(sl))
    assert {"maintainers", "issues"} <= set(doc)
    assert set(doc["maintainers"][0]) >= {"login", "subsystems", "evidence"}
    assert set(doc["issues"][0]) >= {"number", "url", "title", "subsystems", "probability", "reasons", "bench_job"}
    rows = list(csv.DictReader(io.StringIO(shortlist_csv(sl))))
    assert [r["kind"] for r in rows] == ["maintainer"] * 3 + ["issue"] * 5
    hostile = next(r for r in rows if r["number"] == "10")
    assert hostile["title"].startswith("'@everyone")  # a spreadsheet will not read it as a formula
    md = shortlist_markdown(sl)
    assert "@everyone" not in md and "<@123>" not in md and "\\*\\*bold\\*\\*" in md


def test_a_refresh_links_the_jobs_asked_for_and_creates_none(world: Engine, watch, out_dir: Path) -> None:
    from bench import prepare_for_issue

    with session_scope(world) as s:
        bare = refresh_shortlist(s, watch, REPO, NOW, out_dir)
    assert [i.bench_job for i in bare.issues] == [None] * 5
    with session_scope(world) as s:
        assert s.scalar(select(func.count()).select_from(BenchJob)) == 0
        assert s.scalar(select(func.count()).select_from(Shortlist)) == 1
        asked = prepare_for_issue(s, REPO, 4, watch, watch.bench.default_backend, out_dir, requested_by="alice")
    with session_scope(world) as s:
        sl = refresh_shortlist(s, watch, REPO, NOW, out_dir)
        assert s.scalar(select(func.count()).select_from(BenchJob)) == 1
    assert {i.number: i.bench_job for i in sl.issues if i.bench_job} == {4: asked.bench_link}


def test_fewer_than_five_safe_picks_says_only_n_and_adds_stretch_picks_that_say_why(world: Engine, watch) -> None:
    """Issues 4, 5 and 10 scored below the safe-pick threshold: two safe picks, then stretch picks."""
    from datetime import timedelta

    from classifiers.thresholds import SAFE_PICK_PROBABILITY
    from storage.models import GoodFirstIssueScore
    from storage.read import load_snapshot

    with session_scope(world) as s:
        for n, p in ((3, 0.05), (4, 0.2), (5, 0.1), (10, 0.25)):
            s.get(GoodFirstIssueScore, (1, n)).probability = p
    with session_scope(world) as s:
        snap = load_snapshot(s, REPO, NOW, NOW - timedelta(days=1), NOW, bots=("mergify[bot]",))
    sl = build_shortlist(snap)
    assert [(i.number, i.stretch) for i in sl.issues] == [(1, False), (2, False), (10, True), (4, True), (5, True)]
    assert all(i.probability < SAFE_PICK_PROBABILITY for i in sl.issues if i.stretch)
    assert sl.issues[2].reasons[0] == ("stretch pick: probability 0.25 is below the 0.30 safe-pick threshold; "
                                       "shown because too few issues reach it")
    assert sl.issues[0].reasons[0] == "short, self-contained (1)"
    assert sl.notes[0] == "only 2 issue(s) reach the safe-pick threshold (good-first-issue probability ≥ 0.30); " \
                          "3 stretch pick(s) below it follow"
    assert sl.issues[2].to_dict()["stretch"] is True
    assert type(sl).from_dict(sl.to_dict()).issues[2].stretch is True
