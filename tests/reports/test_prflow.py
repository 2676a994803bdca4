"""PR flow: latency figures, groupings, stalling PRs with their waiting side and owners."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reports.prflow import latency, percentile, pr_flow, size_bucket, stalling_pulls
from storage.db import session_scope
from storage.read import load_snapshot
from tests.reports.world import NOW, REPO


def test_percentiles() -> None:
    assert percentile([], 50) is None
    assert percentile([4.0], 90) == 4.0
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50) == pytest.approx(5.5)
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90) == pytest.approx(9.1)
    assert latency([]).n == 0 and latency([]).median_hours is None


@pytest.mark.parametrize(("size", "bucket"), [(0, "XS"), (9, "XS"), (10, "S"), (249, "M"), (999, "L"), (5000, "XL")])
def test_size_buckets(size: int, bucket: str) -> None:
    assert size_bucket(size) == bucket


def test_flow_over_the_last_day(snap) -> None:
    flow = pr_flow(snap)
    # first reviews in the window: #21 after 1 h (alice), #26 after 48 h (dave); merged: #21 after 10 h
    assert flow.overall.first_review.n == 2 and flow.overall.first_review.median_hours == pytest.approx(24.5)
    assert flow.overall.merge.n == 1 and flow.overall.merge.median_hours == pytest.approx(10.0)
    by_sub = {g.key: g for g in flow.by_subsystem}
    assert by_sub["kernel"].first_review.median_hours == pytest.approx(1.0)
    assert by_sub["kernel"].merge.p90_hours == pytest.approx(10.0)
    assert {g.key for g in flow.by_size} == {"S", "XS"}
    by_author = {g.key: g for g in flow.by_author}
    assert by_author["returning"].merge.n == 1  # bob had merged #22 before
    assert by_author["first-time"].first_review.n == 1  # newbie's #26
    assert [p.number for p in flow.fast] == [21]


def test_stalling_sides_and_reviewers(snap) -> None:
    stalled = {s.number: s for s in stalling_pulls(snap, stall_days=3)}
    assert set(stalled) == {20, 23, 24}  # 25 is a draft, 26 approved, 21/22 merged
    assert stalled[20].waiting_on == "review" and stalled[20].idle_days == 5.0  # the author's own review is no review
    assert stalled[20].owners == ("henry",)
    assert stalled[23].waiting_on == "author" and stalled[23].idle_days == 4.0
    assert stalled[24].waiting_on == "reviewer"
    assert stalled[24].owners == ("erin", "dave")  # never the author, best score first
    assert [s.number for s in stalling_pulls(snap, stall_days=4.5)] == [20]
    flow = pr_flow(snap, stall_limit=2)  # most recently stalled first; the total still counts all
    assert [s.number for s in flow.stalling] == [23, 24] and flow.stalling_total == 3


def test_a_wider_window_counts_more(world) -> None:
    with session_scope(world) as s:
        snap = load_snapshot(s, REPO, NOW, NOW - timedelta(days=60), NOW)
    flow = pr_flow(snap)
    assert flow.overall.merge.n == 2  # #22 merged 56 days ago too
