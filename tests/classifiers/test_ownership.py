"""Ownership from a crafted database: weights, recency, bots and one-off people left out, chat
answers through linked identities, evidence, declared (CODEOWNERS) vs actual."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update

from classifiers import ownership
from classifiers.classify import classify
from classifiers.subsystem import Rules, label_all
from classifiers.train import RepoContext, load
from config import load_watch_config
from reports import maintainers_card, maintainers_report
from storage.db import session_scope
from storage.importer import import_dataset
from storage.models import ChatUser, OwnershipScore
from tests.classifiers.crafted import NOW, REPO, Crafted, ago

FRONT = "vllm/entrypoints/openai/serving_chat.py"
DOCS = "docs/usage/faq.md"


def _community() -> Crafted:
    c = Crafted()
    # Five frontend PRs by contributors; alice approves three recently, bob comments on two,
    # carol approved four of them more than a year ago; a bot approves everything.
    for i, n in enumerate((101, 102, 103, 104, 105)):
        c.pull(n, f"[Frontend] change {n}", f"dev{i}", [FRONT], created=ago(20 + i), merged_by="alice",
               merged=ago(5 + i))
        c.review(n, "mergify[bot]", "APPROVED", ago(6 + i))
        c.review(n, "carol", "APPROVED", ago(420 + i))
    for i, n in enumerate((101, 102, 103)):
        c.review(n, "alice", "APPROVED", ago(20 + i, hours=-2))  # two hours after the PR opened
    for n in (104, 105):
        c.review_comment(n, "bob", FRONT, ago(8))
        c.review_comment(n, "bob", FRONT, ago(7))
    # A docs PR reviewed by dora (the only docs activity).
    c.pull(201, "[Doc] fix a typo", "dev9", [DOCS], created=ago(3), merged_by="dora", merged=ago(2))
    c.review(201, "dora", "APPROVED", ago(2, hours=1))
    c.review(201, "dora", "COMMENTED", ago(2, hours=2), body="thanks")
    # A frontend issue: erin triages it, someone answers once and never again.
    c.issue(301, "[Bug]: the OpenAI server crashes on chat completions", "user1", created=ago(4),
            labels=("frontend",))
    c.event(301, "erin", "labeled", ago(4), label="frontend")
    c.event(302, "erin", "labeled", ago(3), label="frontend")
    c.issue(302, "[Bug]: chat template ignored", "user2", created=ago(3), labels=("frontend",))
    c.comment(301, "once", "same here", ago(3))
    # Chat: dave answers in #sig-frontend (linked to GitHub below), twice.
    q = c.chat("sig-frontend", "asker", "how do I pass a chat template?", ago(2))
    c.chat("sig-frontend", "dave-discord", "use --chat-template", ago(2, hours=-1), reply_to=q)
    q2 = c.chat("sig-frontend", "asker", "and for tools?", ago(1))
    c.chat("sig-frontend", "dave-discord", "see the tool calling docs", ago(1, hours=-1), reply_to=q2)
    c.contents[".github/CODEOWNERS"] = "/vllm/entrypoints/ @carol @zed\n/docs/ @dora\n"
    return c


@pytest.fixture
def judged(engine, tmp_path: Path):
    import_dataset(engine, _community().write(tmp_path / "d"))
    with session_scope(engine) as s:
        s.execute(update(ChatUser).where(ChatUser.username == "dave-discord").values(github_login="dave",
                                                                                     link_source="config"))
    return engine


def _result(engine):
    ctx = RepoContext.of(load_watch_config(), REPO)
    with session_scope(engine) as s:
        data = load(s, ctx)
    labels = label_all(data, Rules(ctx.taxonomy), None, [])
    return ownership.compute(data, ctx.taxonomy, labels, NOW, half_life_days=90, min_actions=2)


def test_ranking_weights_and_recency(judged) -> None:
    res = _result(judged)
    front = [s.login for s in res.by_subsystem["frontend"]]
    # alice: 3 recent approvals + 5 merges; bob: recent review comments; carol's approvals are a
    # year old (half-life 90 days) and weigh less than bob's (or erin's recent triage); bots and
    # one-off commenters are out.
    assert front[:2] == ["alice", "bob"]
    assert front.index("carol") > front.index("erin")
    assert "mergify[bot]" not in front and "once" not in front
    assert {"erin", "dave"} <= set(front)
    assert [s.login for s in res.by_subsystem["documentation"]] == ["dora"]


def test_evidence(judged) -> None:
    res = _result(judged)
    alice = next(s for s in res.by_subsystem["frontend"] if s.login == "alice")
    ev = alice.evidence()
    assert ev["approvals"] == 3 and ev["merges"] == 5 and ev["review_comments"] == 0
    assert ev["median_first_review_hours"] == 2.0
    assert ev["last_active"] == "2026-11-22T00:00:00Z"  # the last merge
    bob = next(s for s in res.by_subsystem["frontend"] if s.login == "bob").evidence()
    assert bob["review_comments"] == 4
    erin = next(s for s in res.by_subsystem["frontend"] if s.login == "erin").evidence()
    assert erin["triage"] == 2
    dave = next(s for s in res.by_subsystem["frontend"] if s.login == "dave").evidence()
    assert dave["chat_answers"] == 2


def test_declared_owners_are_marked(judged) -> None:
    res = _result(judged)
    assert res.declared["frontend"] == ["carol", "zed"]
    carol = next(s for s in res.by_subsystem["frontend"] if s.login == "carol")
    assert carol.declared


def test_half_life_comes_from_config(judged) -> None:
    ctx = RepoContext.of(load_watch_config(), REPO)
    with session_scope(judged) as s:
        data = load(s, ctx)
    labels = label_all(data, Rules(ctx.taxonomy), None, [])
    slow = ownership.compute(data, ctx.taxonomy, labels, NOW, half_life_days=10_000, min_actions=2)
    # Without recency, carol's four approvals beat bob's review comments.
    front = [s.login for s in slow.by_subsystem["frontend"]]
    assert front.index("carol") < front.index("bob")


def test_classify_stores_scores_and_service_reads_them(judged, tmp_path: Path) -> None:
    ctx = RepoContext.of(load_watch_config(), REPO)
    with session_scope(judged) as s:
        classify(s, ctx, NOW, tmp_path / "models")
    with session_scope(judged) as s:
        rows = s.scalars(select(OwnershipScore).where(OwnershipScore.subsystem == "frontend")
                         .order_by(OwnershipScore.score.desc())).all()
        assert [r.login for r in rows[:2]] == ["alice", "bob"]
        top = maintainers_report(s, load_watch_config(), "frontend", NOW, REPO, top=3).maintainers
        assert [m.login for m in top] == ["alice", "bob", "erin"]
        assert top[0].evidence["approvals"] == 3
        report = maintainers_report(s, load_watch_config(), "Frontend", NOW, REPO, top=2)
        assert report.subsystem == "frontend"
        # carol's last approval is over a year old: inactive by the one rule `/maintainers` uses too
        assert report.declared == ("carol", "zed") and report.declared_inactive == ("carol", "zed")
        assert report.active_undeclared == ("alice", "bob")
        # `/maintainers` and `scout maintainers` are one answer in two renderings
        card = maintainers_card(s, load_watch_config(), "Frontend", NOW, REPO, top=2)
        assert [o.login for o in card.owners] == [m.login for m in report.maintainers]
        assert (card.declared_inactive, card.active_undeclared) == (report.declared_inactive,
                                                                    report.active_undeclared)


def test_approvals_without_write_access_do_not_make_an_owner(engine, tmp_path: Path) -> None:
    """A busy contributor who approves everything ranks after a member who reviews less: GitHub
    lets only people with write access be code owners (and only their approvals count)."""
    c = Crafted()
    for i in range(6):
        n = 500 + i
        c.pull(n, f"[Frontend] change {n}", f"dev{i}", [FRONT], created=ago(10 + i), merged_by="member",
               merged=ago(1 + i))
        c.review(n, "eager", "APPROVED", ago(9 + i), assoc="CONTRIBUTOR")
        c.review_comment(n, "eager", FRONT, ago(9 + i), assoc="CONTRIBUTOR")
    for n in (500, 501):
        c.review(n, "member", "APPROVED", ago(9), assoc="MEMBER")
    import_dataset(engine, c.write(tmp_path / "d"))
    res = _result(engine)
    front = {s.login: s for s in res.by_subsystem["frontend"]}
    assert [s.login for s in res.by_subsystem["frontend"]][:2] == ["member", "eager"]
    assert front["eager"].evidence()["approvals"] == 0  # counted as review work, not as approvals
    assert front["eager"].write_access is False and front["member"].write_access is True


def test_authored_prs_count_merged_and_open_not_abandoned(engine, tmp_path: Path) -> None:
    """Code owners write much of their area's code: merged and open PRs count, closed unmerged ones not."""
    c = Crafted()
    c.pull(601, "[Frontend] a", "writer", [FRONT], created=ago(9), merged_by="member", merged=ago(8))
    c.pull(602, "[Frontend] b", "writer", [FRONT], created=ago(7), merged_by="member", merged=ago(6))
    c.pull(603, "[Frontend] c", "writer", [FRONT], created=ago(2))  # open
    c.pull(604, "[Frontend] d", "quitter", [FRONT], created=ago(5), state="closed")  # abandoned
    c.pull(605, "[Frontend] e", "quitter", [FRONT], created=ago(4), state="closed")
    c.review(604, "writer", "COMMENTED", ago(4), body="why close?")
    import_dataset(engine, c.write(tmp_path / "d"))
    res = _result(engine)
    front = {s.login: s.evidence() for s in res.by_subsystem["frontend"]}
    assert front["writer"]["authored"] == 3
    assert front["member"]["authored"] == 0 and front["member"]["merges"] == 2
    assert "quitter" not in front  # closed unmerged PRs are not work in the area


def test_without_associations_core_responders_stand_in_for_write_access(engine, tmp_path: Path) -> None:
    """Converted archives carry no author associations: people who answer in many others' threads
    (`maintainer_set`) rank before an equally busy reviewer who does nothing else."""
    c = Crafted()
    for i in range(6):
        n = 700 + i
        c.issue(n, f"[Bug]: frontend bug {i}", f"user{i}", created=ago(20 + i), labels=("frontend",))
        c.comment(n, "core", "looking", ago(19 + i))
    c.pull(710, "[Frontend] x", "dev1", [FRONT], created=ago(5), assoc="NONE")
    c.pull(711, "[Frontend] y", "dev2", [FRONT], created=ago(5), assoc="NONE")
    for n in (710, 711):
        c.review(n, "core", "COMMENTED", ago(4), body="ok", assoc="NONE")
        c.review(n, "drive-by", "COMMENTED", ago(4), body="lgtm", assoc="NONE")
        c.review_comment(n, "drive-by", FRONT, ago(4), assoc="NONE")
    for r in c.reviews:
        r["author_association"] = "NONE"
    import_dataset(engine, c.write(tmp_path / "d"))
    res = _result(engine)
    front = {s.login: s for s in res.by_subsystem["frontend"]}
    assert front["core"].write_access is True and front["drive-by"].write_access is False
    assert res.by_subsystem["frontend"][0].login == "core"


def test_merges_from_merged_events_and_review_requests_count(engine, tmp_path: Path) -> None:
    """A PR list carries no `mergedBy`: the `merged` event's actor is credited with the merge; who was
    asked to review (`review_requested`) gets a review request, the author asking nobody but others."""
    c = Crafted()
    c.pull(801, "[Frontend] a", "writer", [FRONT], created=ago(9), merged=ago(8), merged_by=None)
    c.pull(802, "[Frontend] b", "writer", [FRONT], created=ago(7), merged=ago(6), merged_by=None)
    for n, when in ((801, ago(8)), (802, ago(6))):
        c.event(n, "keeper", "merged", when)
        c.events.append({"id": 9000 + n, "actor": c.user("writer"), "event": "review_requested",
                         "created_at": c.events[-1]["created_at"], "issue": {"number": n},
                         "requested_reviewer": c.user("asked")})
    c.review(801, "asked", "COMMENTED", ago(8), body="looks fine")
    c.review(802, "asked", "COMMENTED", ago(6), body="one nit")
    import_dataset(engine, c.write(tmp_path / "d"))
    with session_scope(engine) as s:
        data = load(s, RepoContext.of(load_watch_config(), REPO))
    assert data.pulls[801].merged_by == "keeper" and data.pulls[802].merged_by == "keeper"
    res = _result(engine)
    front = {s.login: s.evidence() for s in res.by_subsystem["frontend"]}
    assert front["keeper"]["merges"] == 2
    assert front["asked"]["review_requests"] == 2 and front["writer"]["review_requests"] == 0
