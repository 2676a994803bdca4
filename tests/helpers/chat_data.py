"""Small hand-made Slack and Discourse datasets with known sizes (for exact paging assertions); the
chat sandboxes run in a background thread (`sandbox.serving.serve_in_thread`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sandbox.serving import serve_in_thread

__all__ = ["NOW", "build_discourse", "build_slack", "serve_in_thread"]
NOW = 1_795_000_000  # 2026-11-18T..., the present of these datasets
TEAM = "T000TEAM01"


def _user(uid: str, name: str, title: str = "", bot: bool = False) -> dict[str, Any]:
    return {"id": uid, "team_id": TEAM, "name": name, "deleted": False, "real_name": name.title(),
            "profile": {"title": title, "real_name": name.title(), "display_name": name, "fields": None},
            "is_bot": bot, "is_app_user": False, "updated": NOW - 86400 * 30}


def _channel(cid: str, name: str, member: bool = True, archived: bool = False) -> dict[str, Any]:
    return {"id": cid, "name": name, "is_channel": True, "is_private": False, "is_archived": archived,
            "is_member": member, "created": NOW - 86400 * 300, "creator": "U000000001", "is_general": name == "general",
            "is_group": False, "is_im": False, "is_mpim": False, "is_shared": False, "is_org_shared": False,
            "name_normalized": name, "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": name, "creator": "U000000001", "last_set": 0}}


def build_slack(root: Path, *, top_level: int = 250, threads: int = 4, replies: int = 3) -> dict[str, Any]:
    """#general (5 messages), #sig-kernels (`top_level` messages, the last `threads` of them with
    `replies` replies each) and an archived channel the app is not in. Returns the expected sizes."""
    users = [_user("U000000001", "alice", "github.com/alice-gh"), _user("U000000002", "bob", "GitHub: @bob-dev"),
             _user("U000000003", "carol", "ML engineer"), _user("U000000004", "dave", "gh/dave"),
             _user("U0000APP01", "oss-scout", bot=True)]
    users[-1]["profile"]["bot_id"] = "B0000APP01"
    chans = [_channel("C000000001", "general"), _channel("C000000002", "sig-kernels"),
             _channel("C000000003", "sig-old", member=False, archived=True)]
    msgs: list[dict[str, Any]] = []
    t0 = NOW - 5 * 86400
    for i in range(5):
        msgs.append({"type": "message", "user": "U000000003", "text": f"hello {i}", "ts": f"{t0 + i * 60}.000100",
                     "channel": "C000000001"})
    for i in range(top_level):
        ts = f"{t0 + 3600 + i * 300}.000200"
        m = {"type": "message", "user": users[i % 4]["id"], "text": f"kernels {i} about #12", "ts": ts,
             "channel": "C000000002"}
        if i >= top_level - threads:
            reps = [{"type": "message", "user": users[(i + k + 1) % 4]["id"], "text": f"reply {k} to {i}",
                     "ts": f"{t0 + 3600 + i * 300 + 10 * (k + 1)}.000300", "thread_ts": ts, "parent_user_id": m["user"],
                     "channel": "C000000002"} for k in range(replies)]
            m.update({"thread_ts": ts, "reply_count": replies, "latest_reply": reps[-1]["ts"],
                      "reply_users": sorted({r["user"] for r in reps}), "reply_users_count": 2})
            msgs.append(m)
            msgs.extend(reps)
        else:
            msgs.append(m)
    slack = root / "slack"
    slack.mkdir(parents=True, exist_ok=True)
    (slack / "team.json").write_text(json.dumps({"id": TEAM, "name": "Test", "domain": "test", "email_domain": "",
                                                  "icon": {}, "url": "https://test.slack.com/"}))
    (slack / "users.json").write_text(json.dumps(users))
    (slack / "channels.json").write_text(json.dumps(chans))
    (slack / "messages.json").write_text(json.dumps(msgs))
    (root / "meta.json").write_text(json.dumps({"format": 1, "now": "2026-11-18T12:00:00Z"}))
    return {"channels": len(chans), "messages": len(msgs), "users": len(users)}


def _iso(t: float) -> str:
    import time

    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".000Z"


def build_discourse(root: Path, *, topics: int = 70, long_topic_posts: int = 45) -> dict[str, Any]:
    """`topics` topics (two posts each, the newest with `long_topic_posts`) in two categories;
    users who name their GitHub login in `website` or `bio_raw`. Returns the expected sizes."""
    cats = [{"id": 4, "name": "General", "slug": "general"}, {"id": 9, "name": "Kernels", "slug": "kernels"}]
    users = [{"id": 2, "username": "alice", "name": "Alice", "website": "https://github.com/alice-gh", "bio_raw": ""},
             {"id": 3, "username": "bob", "name": "Bob", "website": None, "bio_raw": "GitHub: @bob-dev"},
             {"id": 4, "username": "carol", "name": "Carol", "website": "https://example.org", "bio_raw": ""}]
    t0 = NOW - 6 * 86400
    tops: list[dict[str, Any]] = []
    posts: list[dict[str, Any]] = []
    pid = 1000
    for k in range(topics):
        tid = 100 + k
        n = long_topic_posts if k == topics - 1 else 2
        created = t0 + k * 3600
        for j in range(n):
            pid += 1
            who = users[(k + j) % 3]
            posts.append({"id": pid, "topic_id": tid, "post_number": j + 1, "username": who["username"],
                          "user_id": who["id"], "name": who["name"], "created_at": _iso(created + j * 60),
                          "updated_at": _iso(created + j * 60), "cooked": f"<p>post {j} of {tid}</p>",
                          "reply_to_post_number": 1 if j else None})
        last = _iso(created + (n - 1) * 60)
        tops.append({"id": tid, "title": f"Topic {k}", "slug": f"topic-{k}", "posts_count": n,
                     "created_at": _iso(created), "last_posted_at": last, "bumped_at": last,
                     "category_id": 9 if k % 2 else 4, "posters": [{"user_id": 2}]})
    d = root / "discourse"
    d.mkdir(parents=True, exist_ok=True)
    (d / "site.json").write_text(json.dumps({"base_url": "https://forum.example.org", "title": "Test"}))
    (d / "categories.json").write_text(json.dumps(cats))
    (d / "users.json").write_text(json.dumps(users))
    (d / "topics.json").write_text(json.dumps(tops))
    (d / "posts.json").write_text(json.dumps(posts))
    (root / "meta.json").write_text(json.dumps({"format": 1, "now": "2026-11-18T12:00:00Z"}))
    return {"topics": len(tops), "posts": len(posts), "users": len(users)}
