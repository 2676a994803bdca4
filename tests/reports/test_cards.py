"""/issue and /maintainers answers on the planted world, and their Discord renderings."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from bench import prepare_for_issue
from config.errors import UnknownSubsystem
from reports import issue_card, maintainers_card
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
        with pytest.raises(UnknownSubsystem, match="unknown subsystem 'nope'"):
            maintainers_card(s, watch, "nope", NOW)
    assert [o.login for o in card.owners] == ["alice", "carol", "bob"]
    assert card.declared_inactive == ("carol",) and card.active_undeclared == ("bob",)
    (m,) = maintainers_messages(card)
    assert problems(m.to_payload()) == []
    assert [f["name"] for f in m.embeds[0]["fields"]] == ["alice", "carol", "bob"]


def test_bench_message(world: Engine, watch, tmp_path) -> None:
    with session_scope(world) as s:
        docs = prepare_for_issue(s, REPO, 10, watch, "github-actions", tmp_path)  # the hostile-titled docs issue
        job = prepare_for_issue(s, REPO, 9, watch, "github-actions", tmp_path)
    (d,) = bench_messages(docs)
    assert d.embeds[0]["description"] == "no benchmark needed: a documentation change: no GPU can measure it"
    (m,) = bench_messages(job)
    assert problems(m.to_payload()) == []
    text = m.embeds[0]["description"]
    assert "vllm bench latency" in text
    assert "https://github.com/vllm-project/vllm/actions/workflows/scout-bench.yml" in text
    assert "metric: end-to-end latency of one batch of 8 requests" in text and "(s, lower is better)" in text
    assert "PR #20 by zed \\(CONTRIBUTOR\\) is not measured" in text



def test_maintainers_show_linked_discord_handles_example_links_and_discord_timestamps(world: Engine, watch) -> None:
    from storage.models import ChatUser, OwnershipScore

    with session_scope(world) as s:
        s.add_all([ChatUser(id=901, username="alice_dc", github_login="alice", link_source="verified"),
                   ChatUser(id=902, username="bob_maybe", github_login="bob", link_source="guess-name")])
        alice = s.get(OwnershipScore, (1, "kernel", "alice"))
        alice.evidence = {**alice.evidence, "examples": [21, 22, 1]}
    with session_scope(world) as s:
        card = maintainers_card(s, watch, "kernel", NOW)
    alice, _, bob = card.owners
    assert alice.discord == "alice_dc" and alice.examples == (21, 22, 1)
    assert bob.discord is None  # a guessed link is never shown next to a login
    (m,) = maintainers_messages(card)
    assert problems(m.to_payload()) == []
    fields = m.embeds[0]["fields"]
    assert [f["name"] for f in fields] == ["alice · Discord alice\\_dc", "carol", "bob"]
    value = fields[0]["value"]
    base = "https://github.com/vllm-project/vllm/issues"
    assert f"examples: [#21]({base}/21), [#22]({base}/22), [#1]({base}/1)" in value
    assert f"last active <t:{int(alice.last_active_at.timestamp())}:R>" in value



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
