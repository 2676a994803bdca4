"""What a snapshot reads: only the items in view (open, or active since the window's start), and
the reports come out exactly as from every stored item."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import Engine

from reports.digest import build_digest
from reports.prflow import first_time_authors, pr_flow, reviewers_for, stalling_pulls
from reports.shortlist import build_shortlist
from storage.db import session_scope
from storage.read import load_snapshot
from tests.reports.world import NOW, REPO

BOTS = ("mergify[bot]",)


def _numbers(snap) -> set[int]:
    return {i.number for i in snap.issues}


def test_an_old_closed_pull_outside_the_window_is_not_read_yet_the_digest_is_the_same(world: Engine) -> None:
    with session_scope(world) as s:
        window = load_snapshot(s, REPO, NOW, NOW - timedelta(days=1), NOW, bots=BOTS)
        everything = load_snapshot(s, REPO, NOW, NOW - timedelta(days=1), NOW, bots=BOTS, view="all")
    # #22 (bob's first PR, merged 56 days ago) is outside the window: neither it nor its review is read
    assert 22 in _numbers(everything) and 22 not in _numbers(window)
    assert 22 not in {p.number for p in window.pulls} and 22 not in {r.number for r in window.reviews}
    assert 22 not in {x.number for x in window.subsystems}
    # what is read: the open items, and those closed or merged in the window (#11, #21)
    assert _numbers(window) == {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 20, 21, 23, 24, 25, 26}
    # #21 is still bob's second PR ("returning"): first PRs are known over the whole history
    assert first_time_authors(window)[21] is False and first_time_authors(everything)[21] is False
    assert first_time_authors(replace(window, first_pulls=None))[21] is True  # what the window alone would say
    assert build_digest(window, "2026-11-27").to_dict() == build_digest(everything, "2026-11-27").to_dict()
    returning = next(g for g in pr_flow(window).by_author if g.key == "returning")
    assert returning.merge.n == 1  # #21, merged in the window


@pytest.mark.parametrize("days", [1, 3, 7, 60])
def test_digest_and_shortlist_from_the_window_equal_those_from_everything(world: Engine, days: int) -> None:
    with session_scope(world) as s:
        since = NOW - timedelta(days=days)
        window = load_snapshot(s, REPO, NOW, since, NOW, bots=BOTS)
        everything = load_snapshot(s, REPO, NOW, since, NOW, bots=BOTS, view="all")
        only_open = load_snapshot(s, REPO, NOW, since, NOW, bots=BOTS, view="open")
    assert _numbers(window) <= _numbers(everything)
    sl = build_shortlist(everything)
    assert build_shortlist(window) == sl and build_shortlist(only_open) == sl
    assert build_digest(window, "d", shortlist=sl).to_dict() == build_digest(everything, "d", shortlist=sl).to_dict()
    # a past day's window (ending before now) too
    with session_scope(world) as s:
        past = (NOW - timedelta(days=days + 1), NOW - timedelta(days=days))
        a = load_snapshot(s, REPO, NOW, *past, bots=BOTS)
        b = load_snapshot(s, REPO, NOW, *past, bots=BOTS, view="all")
    assert build_digest(a, "p").to_dict() == build_digest(b, "p").to_dict()


def test_open_view_reads_no_activity(world: Engine) -> None:
    with session_scope(world) as s:
        snap = load_snapshot(s, REPO, NOW, NOW - timedelta(days=7), NOW, bots=BOTS, view="open")
    assert all(i.state == "open" for i in snap.issues) and _numbers(snap) == {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 23,
                                                                              24, 25, 26}
    assert snap.reviews == () and snap.actions == () and snap.chat == ()
    with pytest.raises(ValueError, match="view"):
        load_snapshot(s, REPO, NOW, NOW, NOW, view="closed")


def test_reviewers_are_looked_up_only_for_the_stalled_pulls_shown(snap) -> None:
    every = stalling_pulls(snap, stall_days=3)
    assert len(every) == 3 and all(s.owners for s in every)
    shown = stalling_pulls(snap, stall_days=3, owners_for=1)
    assert [s.number for s in shown] == [s.number for s in every]
    assert shown[0] == every[0] and shown[0].owners == reviewers_for(snap, shown[0].subsystems, [shown[0].author])
    assert [s.owners for s in shown[1:]] == [(), ()]
    flow = pr_flow(snap, stall_limit=2)
    assert list(flow.stalling) == list(every[:2]) and flow.stalling_total == 3


@pytest.mark.slow
def test_window_equals_everything_on_a_generated_community(tmp_path) -> None:
    """A generated small community over 45 days, imported and judged: digests of several windows
    and the shortlist read from the items in view are those read from every stored item."""
    import json

    from config import load_watch_config
    from config.clock import parse_utc
    from sandbox.community import simulate
    from storage.db import make_engine
    from tests.helpers.bot_answers import judge_dataset

    simulate(tmp_path / "d", seed=11, scale="small", days=45)
    now = parse_utc(json.loads((tmp_path / "d" / "meta.json").read_text())["now"])
    engine = make_engine(f"sqlite:///{judge_dataset(tmp_path / 'd', tmp_path / 'j')}")
    bots = load_watch_config().repo().bots
    try:
        with session_scope(engine) as s:
            for since, until in ((now - timedelta(days=1), now), (now - timedelta(days=7), now),
                                 (now - timedelta(days=3), now - timedelta(days=2))):
                window = load_snapshot(s, REPO, now, since, until, bots=bots)
                everything = load_snapshot(s, REPO, now, since, until, bots=bots, view="all")
                assert len(window.issues) < len(everything.issues)
                sl = build_shortlist(everything)
                assert build_shortlist(window) == sl
                assert build_shortlist(load_snapshot(s, REPO, now, since, until, bots=bots, view="open")) == sl
                assert (build_digest(window, "d", shortlist=sl).to_dict()
                        == build_digest(everything, "d", shortlist=sl).to_dict())
    finally:
        engine.dispose()
