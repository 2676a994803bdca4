"""The one rule for an inactive declared owner (`scout maintainers` and `/maintainers` both use it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rules.ownership import ACTIVE_DAYS, MIN_OWNER_SCORE, declared_inactive, is_active, is_team

NOW = datetime(2026, 11, 27, tzinfo=UTC)


def test_active_needs_enough_score_and_recent_work() -> None:
    recent = NOW - timedelta(days=ACTIVE_DAYS)
    assert is_active(MIN_OWNER_SCORE, recent, NOW)
    assert not is_active(MIN_OWNER_SCORE - 0.01, recent, NOW)
    assert not is_active(9.0, recent - timedelta(seconds=1), NOW)  # a big but stale score
    assert not is_active(9.0, None, NOW)


def test_declared_inactive_skips_teams_and_counts_owners_who_never_acted() -> None:
    standing = {"alice": (3.0, NOW - timedelta(days=2)), "carol": (8.0, NOW - timedelta(days=400)),
                "dora": (0.1, NOW - timedelta(days=1))}
    declared = ["alice", "carol", "vllm-project/kernels", "dora", "zed"]
    assert declared_inactive(declared, standing, NOW) == ("carol", "dora", "zed")
    assert is_team("vllm-project/kernels") and not is_team("alice")
