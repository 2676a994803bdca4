"""/issue and /maintainers answers on the planted world, and their Discord renderings."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from config.errors import ReportError
from reports import issue_card, maintainers_card, prepare_for_issue
from reports.render.discord import bench_messages, issue_messages, maintainers_messages, problems
from storage.db import session_scope
from tests.reports.world import NOW, REPO


def test_issue_card(world: Engine, watch, tmp_path) -> None:
    with session_scope(world) as s:
        prepare_for_issue(s, REPO, 1, watch, "skypilot", tmp_path)
        card = issue_card(s, watch, 1, NOW)
        taken = issue_card(s, watch, 9, NOW)
        blocked = issue_card(s, watch, 7, NOW)
    assert card.subsystems == (("kernel", 0.9),) and card.probability == pytest.approx(0.9)
    assert card.not_recommended is None and card.last_maintainer_word == "PR welcome"
    assert [o.login for o in card.owners] == ["alice", "carol", "bob"]
    assert card.owners[1].active is False  # carol
    assert card.bench_jobs[0].target == "kernel" and card.chat_mentions == 2
    assert taken.not_recommended == "PR #20 in flight" and taken.pull == 20
    assert blocked.blocked and blocked.blockers == ("waiting for the V1 rewrite",)
    for c in (card, taken, blocked):
        for m in issue_messages(c):
            assert problems(m.to_payload()) == []
    embed = issue_messages(card)[0].embeds[0]
    assert embed["title"].startswith("Issue #1: Fused MoE kernel") and embed["url"].endswith("/issues/1")


def test_maintainers_card(world: Engine, watch) -> None:
    with session_scope(world) as s:
        card = maintainers_card(s, watch, "Kernel", NOW)
        with pytest.raises(ReportError, match="unknown subsystem"):
            maintainers_card(s, watch, "nope", NOW)
    assert [o.login for o in card.owners] == ["alice", "carol", "bob"]
    assert card.declared_inactive == ("carol",) and card.active_undeclared == ("bob",)
    (m,) = maintainers_messages(card)
    assert problems(m.to_payload()) == []
    assert [f["name"] for f in m.embeds[0]["fields"]] == ["alice", "carol", "bob"]


def test_bench_message(world: Engine, watch, tmp_path) -> None:
    with session_scope(world) as s:
        job = prepare_for_issue(s, REPO, 10, watch, "github-actions", tmp_path)  # the hostile-titled issue
    (m,) = bench_messages(job)
    assert problems(m.to_payload()) == []
    text = m.embeds[0]["description"]
    assert "vllm bench latency" in text and "https://github.com/vllm-project/vllm/actions/workflows/bench.yml" in text


def test_a_weak_subsystem_guess_is_not_listed_and_sends_nobody_to_its_owners(world: Engine, watch) -> None:
    """An issue whose only guess is a weak one (0.2 < the listing threshold) lists no subsystem and no owners."""
    from storage.models import SubsystemLabel

    with session_scope(world) as s:
        label = s.get(SubsystemLabel, (1, 1))
        label.subsystems = [{"name": "tpu", "confidence": 0.2, "source": "text"}]
        label.primary = "tpu"
    with session_scope(world) as s:
        card = issue_card(s, watch, 1, NOW)
    assert card.subsystems == (("unclassified", 0.0),) and card.owners == ()
