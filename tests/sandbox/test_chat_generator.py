"""`scout simulate` writes slack/ and discourse/ (shared/DATASET.md): the services' required fields,
the same people as on GitHub (some with their login in their profile), sig channels and a forum
category per subsystem, threads, planted truth; deterministic (every part, for a seed)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from config import load_watch_config
from sandbox.community import simulate
from storage.chat_links import github_login_named

REPO = "vllm-project/vllm"


def _load(root: Path, part: str, name: str) -> list[dict]:
    return json.loads((root / part / name).read_text())


def _digest(root: Path, part: str) -> str:
    h = hashlib.sha256()
    for f in sorted((root / part).rglob("*")):
        if f.is_file():
            h.update(f.relative_to(root).as_posix().encode() + f.read_bytes())
    return h.hexdigest()


def test_required_fields_of_the_services_objects(small_dataset: Path) -> None:
    msgs = _load(small_dataset, "slack", "messages.json")
    assert msgs and all({"type", "text", "ts", "channel"} <= set(m) for m in msgs)
    chans = _load(small_dataset, "slack", "channels.json")
    conv = {"id", "name", "created", "creator", "is_archived", "is_channel", "is_general", "is_mpim", "is_group",
            "is_org_shared", "is_im", "is_shared", "is_private", "name_normalized", "topic", "purpose"}
    assert all(conv <= set(c) for c in chans)
    users = _load(small_dataset, "slack", "users.json")
    assert all({"id", "name", "profile", "is_bot", "updated", "is_app_user"} <= set(u) for u in users)
    posts = _load(small_dataset, "discourse", "posts.json")
    post_keys = {
        "id",
        "name",
        "username",
        "avatar_template",
        "created_at",
        "cooked",
        "post_number",
        "post_type",
        "updated_at",
        "reply_count",
        "reply_to_post_number",
        "topic_id",
        "topic_slug",
        "user_id",
        "trust_level",
    }
    assert posts and all(post_keys <= set(p) for p in posts)
    topics = _load(small_dataset, "discourse", "topics.json")
    assert all({"id", "title", "slug", "posts_count", "created_at", "last_posted_at", "category_id", "posters"}
               <= set(t) for t in topics)
    assert {t["id"]: t["posts_count"] for t in topics} == {
        tid: sum(1 for p in posts if p["topic_id"] == tid) for tid in {t["id"] for t in topics}}


def test_threads_ids_and_the_window(small_dataset: Path) -> None:
    meta = json.loads((small_dataset / "meta.json").read_text())
    truth = json.loads((small_dataset / "truth.json").read_text())
    msgs = _load(small_dataset, "slack", "messages.json")
    keys = [(m["channel"], m["ts"]) for m in msgs]
    assert len(set(keys)) == len(keys)  # ts is unique within its channel
    parents = {(m["channel"], m["ts"]): m for m in msgs if m.get("reply_count")}
    replies = [m for m in msgs if m.get("thread_ts") and m["thread_ts"] != m["ts"]]
    assert parents and replies
    for r in replies:
        parent = parents[(r["channel"], r["thread_ts"])]
        assert float(r["ts"]) > float(parent["ts"]) and r["parent_user_id"] == parent["user"]
    for key, parent in parents.items():
        mine = [r for r in replies if (r["channel"], r["thread_ts"]) == key]
        assert parent["reply_count"] == len(mine) and parent["latest_reply"] == max((r["ts"] for r in mine), key=float)
    since = truth["window"]["since"]
    assert all(p["created_at"] >= since and p["created_at"] < meta["now"] for p in
               _load(small_dataset, "discourse", "posts.json"))


def test_same_people_some_linked_sig_channels_and_categories_per_subsystem(small_dataset: Path) -> None:
    truth = json.loads((small_dataset / "truth.json").read_text())
    users = {u["id"]: u for u in _load(small_dataset, "slack", "users.json")}
    gh_logins = {i["user"]["login"] for i in json.loads(
        (small_dataset / "github" / REPO.replace("/", "__") / "issues.json").read_text())}
    people = truth["slack_people"]
    links = truth["slack_links"]
    assert set(links.items()) < set(people.items())  # some people name their login, not all
    assert all(github_login_named(users[uid]["profile"]["title"]) == login for uid, login in links.items())
    assert all(github_login_named(users[uid]["profile"]["title"]) is None for uid in set(people) - set(links))
    assert len(set(people.values()) & gh_logins) > len(people) // 3   # the same people as on GitHub
    assert set(truth["discourse_people"].values()) & set(people.values())  # and across chat places
    tax = load_watch_config().taxonomy_for()
    names = {c["name"] for c in _load(small_dataset, "slack", "channels.json")}
    assert {s.channels[0] for s in tax.subsystems if s.channels} <= names
    assert set(truth["slack_sig_channels"].values()) <= set(tax.names)
    slugs = {c["slug"] for c in _load(small_dataset, "discourse", "categories.json")}
    assert set(truth["discourse_categories"]) <= slugs and set(truth["discourse_categories"].values()) <= set(tax.names)
    assert set(truth["chat_claimed"]) <= set(truth["claimed"]) and set(truth["chat_blocked"]) <= set(truth["blocked"])


def test_deterministic_and_other_parts_unchanged(small_dataset: Path, tmp_path: Path) -> None:
    again = simulate(tmp_path / "again", seed=5, scale="small", watch=load_watch_config()).out
    for part in ("slack", "discourse", "github", "discord"):
        assert _digest(again, part) == _digest(small_dataset, part), part
