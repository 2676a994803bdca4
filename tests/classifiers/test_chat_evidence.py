"""Slack and Discourse in the judgement: answers in a subsystem's channels and categories are
ownership evidence (linked profiles only, each source with its own weight), and claims and blockers
said in chat count for the issue they name. Crafted data, imported into a real database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from classifiers import ownership
from classifiers.chat_evidence import place_map
from classifiers.signals import read_threads
from classifiers.subsystem import Rules, label_all
from classifiers.train import RepoContext, load
from config import load_watch_config
from storage.db import session_scope
from storage.importer import import_dataset
from tests.classifiers.crafted import NOW, REPO, Crafted, ago

pytestmark = pytest.mark.postgres
FRONT = "vllm/entrypoints/openai/serving_chat.py"


def _ts(days: float, k: int = 0) -> str:
    return f"{int(ago(days).timestamp()) + k}.000100"


def _slack(root: Path) -> None:
    users = [{"id": "U1", "name": "fiona", "profile": {"title": "github.com/fiona"}, "is_bot": False},
             {"id": "U2", "name": "gus", "profile": {"title": "GPU enjoyer"}, "is_bot": False},
             {"id": "U3", "name": "asker", "profile": {"title": ""}, "is_bot": False},
             {"id": "U4", "name": "hank", "profile": {"title": "gh/hank"}, "is_bot": False}]
    chans = [{"id": "C1", "name": "sig-frontend", "created": 1}, {"id": "C2", "name": "general", "created": 1},
             {"id": "C3", "name": "feat-frontend", "created": 1}]
    msgs = []
    for i, (cid, days) in enumerate((("C1", 3), ("C1", 2), ("C3", 1))):
        parent = _ts(days)
        msgs.append({"type": "message", "user": "U3", "text": f"question {i}", "ts": parent, "channel": cid,
                     "thread_ts": parent, "reply_count": 2})
        msgs.append({"type": "message", "user": "U1", "text": "answer", "ts": _ts(days, 60), "channel": cid,
                     "thread_ts": parent})
        msgs.append({"type": "message", "user": "U2", "text": "me too", "ts": _ts(days, 120), "channel": cid,
                     "thread_ts": parent})
    own = _ts(4)  # fiona replying in her own thread is no answer
    msgs += [{"type": "message", "user": "U1", "text": "rfc", "ts": own, "channel": "C1", "thread_ts": own},
             {"type": "message", "user": "U1", "text": "follow-up", "ts": _ts(4, 5), "channel": "C1", "thread_ts": own}]
    general = _ts(2, 7)  # hank answers in #general: no subsystem
    msgs += [{"type": "message", "user": "U3", "text": "hi", "ts": general, "channel": "C2", "thread_ts": general},
             {"type": "message", "user": "U4", "text": "hello", "ts": _ts(2, 9), "channel": "C2", "thread_ts": general}]
    # claims and blockers said in chat (gus is not linked: he is named by his Slack handle)
    msgs += [{"type": "message", "user": "U2", "text": "I'll take #301", "ts": _ts(1, 30), "channel": "C2"},
             {"type": "message", "user": "U4", "text": "#302 is blocked until the refactor lands", "ts": _ts(1, 40),
              "channel": "C2"}]
    d = root / "slack"
    d.mkdir(parents=True)
    for name, data in (("users", users), ("channels", chans), ("messages", msgs)):
        (d / f"{name}.json").write_text(json.dumps(data))
    (d / "team.json").write_text(json.dumps({"id": "T1", "name": "t"}))


def _forum(root: Path) -> None:
    cats = [{"id": 5, "name": "Frontend", "slug": "frontend"}, {"id": 6, "name": "General", "slug": "general"}]
    users = [{"id": 2, "username": "fiona_f", "website": "https://github.com/fiona"},
             {"id": 3, "username": "asker"}]
    topics, posts = [], []
    for k, cat in enumerate((5, 5, 6)):
        tid = 10 + k
        at = ago(2 - k * 0.1).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        topics.append({"id": tid, "title": f"t{k}", "slug": f"t{k}", "posts_count": 2, "created_at": at,
                       "last_posted_at": at, "bumped_at": at, "category_id": cat})
        posts.append({"id": 100 + 2 * k, "topic_id": tid, "post_number": 1, "username": "asker", "user_id": 3,
                      "created_at": at, "cooked": "<p>how?</p>"})
        posts.append({"id": 101 + 2 * k, "topic_id": tid, "post_number": 2, "username": "fiona_f", "user_id": 2,
                      "created_at": at, "cooked": "<p>like this</p>"})
    d = root / "discourse"
    d.mkdir(parents=True)
    for name, data in (("categories", cats), ("users", users), ("topics", topics), ("posts", posts)):
        (d / f"{name}.json").write_text(json.dumps(data))


@pytest.fixture
def judged_data(engine: Engine, tmp_path: Path):
    c = Crafted()
    for i, n in enumerate((101, 102, 103)):
        c.pull(n, f"[Frontend] change {n}", f"dev{i}", [FRONT], created=ago(20 + i), merged_by="alice",
               merged=ago(5 + i))
        c.review(n, "alice", "APPROVED", ago(6 + i))
    c.issue(301, "[Bug]: the OpenAI server crashes", "user1", created=ago(4), labels=("frontend",))
    c.issue(302, "[Bug]: chat template ignored", "user2", created=ago(3), labels=("frontend",))
    c.comment(301, "alice", "thanks for the report", ago(3))
    root = c.write(tmp_path / "d")
    _slack(root)
    _forum(root)
    summary = import_dataset(engine, root)
    assert summary.chat == {"slack": {"users": 4, "channels": 3, "messages": 15, "links": 2},
                            "discourse": {"categories": 2, "users": 2, "topics": 3, "posts": 6, "links": 1}}
    ctx = RepoContext.of(load_watch_config(), REPO)
    with session_scope(engine) as s:
        data = load(s, ctx)
    return ctx, data


def test_answers_in_subsystem_channels_and_categories_are_ownership_evidence(judged_data) -> None:
    ctx, data = judged_data
    assert sorted((a.login, a.place, a.kind) for a in data.chat_answers) == [
        ("fiona", "feat-frontend", "slack_answers"), ("fiona", "frontend", "forum_answers"),
        ("fiona", "frontend", "forum_answers"), ("fiona", "general", "forum_answers"),
        ("fiona", "sig-frontend", "slack_answers"), ("fiona", "sig-frontend", "slack_answers"),
        ("hank", "general", "slack_answers")]
    labels = label_all(data, Rules(ctx.taxonomy), None, [])
    res = ownership.compute(data, ctx.taxonomy, labels, NOW, half_life_days=90, min_actions=2)
    front = {s.login: s for s in res.by_subsystem["frontend"]}
    ev = front["fiona"].evidence()
    assert (ev["slack_answers"], ev["forum_answers"], ev["chat_answers"]) == (3, 2, 0)
    assert "gus" not in front and "hank" not in front  # not linked / answered nowhere a subsystem lives
    assert next(iter(front)) == "alice"  # reviews and merges still weigh most
    # the weights are the sources' own: 3 x 0.3 + 2 x 0.4 before recency, focus and access factors
    assert ownership.WEIGHTS["slack_answers"] == 0.3 and ownership.WEIGHTS["forum_answers"] == 0.4


def test_places_map_to_subsystems_through_the_taxonomy() -> None:
    places = place_map(load_watch_config().taxonomy_for())
    assert places["frontend"] == "frontend" and places["spec-decode"] == "speculative-decoding"
    assert places["kernels"] == "kernel" and "general" not in places


def test_claims_and_blockers_said_in_chat_count(judged_data) -> None:
    _ctx, data = judged_data
    sig = read_threads(data, [301, 302], maintainers={"alice"})
    assert sig[301].claimed_by == ["gus (slack)"]
    assert sig[302].blocked and sig[302].blockers == ["stated in thread"]
    claim = next(e for e in sig[301].evidence if e["kind"] == "claim")
    assert (claim["source"], claim["quote"]) == ("slack", "I'll take this")


def test_hottest_threads_cover_slack_threads_and_forum_topics(engine: Engine, judged_data) -> None:
    from datetime import timedelta

    from storage.models import Repo
    from storage.read import load_chat

    with session_scope(engine) as s:
        rid = s.scalar(select(Repo.id))
        recs = load_chat(s, rid, NOW - timedelta(days=7), NOW)
    chat = [(r.source, r.parent_name, r.name, r.messages, r.authors, r.issue_numbers) for r in recs
            if r.source != "discord"]
    assert sorted(chat) == sorted(
        [
            ("slack", "Slack #sig-frontend", "question 0", 3, 3, ()),
            ("slack", "Slack #sig-frontend", "question 1", 3, 3, ()),
            ("slack", "Slack #feat-frontend", "question 2", 3, 3, ()),
            ("slack", "Slack #sig-frontend", "rfc", 2, 1, ()),
            ("slack", "Slack #general", "hi", 2, 2, ()),
            ("slack", "Slack", "#general", 2, 2, (301, 302)),
            ("discourse", "Forum Frontend", "t0", 2, 2, ()),
            ("discourse", "Forum Frontend", "t1", 2, 2, ()),
            ("discourse", "Forum General", "t2", 2, 2, ()),
        ]
    )
    assert [c[3] for c in chat] == [3, 3, 3, 2, 2, 2, 2, 2, 2]  # the busiest first, whatever the source
