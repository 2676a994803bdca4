"""The Slack and Discourse sandboxes answer as the real services do: cursor and page paging, the
services' error shapes, tiered / per-IP rate limits with Retry-After, and request logs without tokens."""

from __future__ import annotations

import json
import time
from pathlib import Path

import requests

from sandbox.discourse import DiscourseSandbox
from sandbox.github.faults import FaultSpec
from sandbox.loopback import WindowLimiter
from sandbox.slack import SlackSandbox, tier_limiter
from tests.helpers.chat_data import build_discourse, build_slack, serve_in_thread

TOKEN = {"Authorization": "Bearer xoxb-test-token"}


def _slack(url: str, method: str, **params: object) -> dict:
    resp = requests.get(url + method, params=params, headers=TOKEN, timeout=10)
    assert resp.status_code == 200
    return resp.json()


def test_slack_cursor_paging_lists_every_channel_message_and_reply_once(tmp_path: Path) -> None:
    build_slack(tmp_path, top_level=250, threads=4, replies=3)
    with serve_in_thread(SlackSandbox(tmp_path)) as sb:
        url = sb.url
        chans, cursor, pages = [], None, 0
        while True:
            page = _slack(url, "conversations.list", limit=2, **({"cursor": cursor} if cursor else {}))
            pages += 1
            chans += [c["name"] for c in page["channels"]]
            cursor = page["response_metadata"]["next_cursor"]
            if not cursor:
                break
        assert (pages, chans) == (2, ["general", "sig-kernels", "sig-old"])

        seen, cursor, sizes = [], None, []
        while True:
            page = _slack(url, "conversations.history", channel="C000000002", limit=100,
                          **({"cursor": cursor} if cursor else {}))
            sizes.append(len(page["messages"]))
            seen += [m["ts"] for m in page["messages"]]
            assert page["has_more"] == bool(page.get("response_metadata", {}).get("next_cursor"))
            if not page["has_more"]:
                break
            cursor = page["response_metadata"]["next_cursor"]
        assert sizes == [100, 100, 50]                      # top-level messages only, newest first
        assert seen == sorted(seen, key=float, reverse=True) and len(set(seen)) == 250
        assert all("channel" not in m for m in page["messages"])  # the dataset's key is not Slack's

        parent = seen[0]
        first = _slack(url, "conversations.replies", channel="C000000002", ts=parent, limit=2)
        rest = _slack(url, "conversations.replies", channel="C000000002", ts=parent, limit=2,
                      cursor=first["response_metadata"]["next_cursor"])
        assert [m["text"] for m in first["messages"]] == ["kernels 249 about #12", "reply 0 to 249", "reply 1 to 249"]
        assert [m["text"] for m in rest["messages"]] == ["kernels 249 about #12", "reply 2 to 249"]
        assert (first["has_more"], rest["has_more"]) == (True, False)
        for method, extra in (("conversations.history", {}), ("conversations.replies", {"ts": parent})):
            bad = _slack(url, method, channel="C000000002", cursor="bmV4dF90czo5OTk5OS4wMDAx", **extra)
            assert bad == {"ok": False, "error": "invalid_cursor"}, method

        oldest = _slack(url, "conversations.history", channel="C000000002", oldest=seen[10], limit=999)
        assert [m["ts"] for m in oldest["messages"]] == seen[:10]  # `oldest` is exclusive by default


def test_slack_errors_are_ok_false_answers(tmp_path: Path) -> None:
    build_slack(tmp_path, top_level=3, threads=0)
    with serve_in_thread(SlackSandbox(tmp_path, token="xoxb-right")) as sb:
        url = sb.url
        assert requests.get(url + "auth.test", timeout=10).json() == {"ok": False, "error": "not_authed"}
        bad = requests.get(url + "auth.test", headers={"Authorization": "Bearer xoxb-wrong"}, timeout=10).json()
        assert bad == {"ok": False, "error": "invalid_auth"}
        ok = {"Authorization": "Bearer xoxb-right"}

        def call(method: str, **params: object) -> dict:
            return requests.get(url + method, params=params, headers=ok, timeout=10).json()

        assert call("conversations.history", channel="C999") == {"ok": False, "error": "channel_not_found"}
        assert call("conversations.history", channel="C000000003") == {"ok": False, "error": "not_in_channel"}
        assert call("conversations.history", channel="C000000002", cursor="bm9wZQ==") == \
            {"ok": False, "error": "invalid_cursor"}
        assert call("conversations.replies", channel="C000000002", ts="1.2") == {
            "ok": False,
            "error": "thread_not_found",
        }
        assert call("chat.postMessage", channel="C000000002") == {"ok": False, "error": "unknown_method"}
        form = requests.post(url + "auth.test", data={"token": "xoxb-right"}, timeout=10).json()
        assert form["ok"] is True and form["user_id"] == "U0000APP01" and form["team_id"] == "T000TEAM01"


def test_slack_tiers_answer_429_with_retry_after_and_the_log_has_no_token(tmp_path: Path) -> None:
    build_slack(tmp_path, top_level=3, threads=0)
    log = tmp_path / "req.log"
    limiter = tier_limiter(FaultSpec.parse("ratelimit-after=5,ratelimit-window=2"))
    assert limiter is not None and limiter.limits["conversations.list"] == 2 and limiter.limits["auth.test"] == 10
    with serve_in_thread(SlackSandbox(tmp_path, request_log=log, limiter=limiter)) as sb:
        answers = [requests.get(sb.url + "conversations.list", params={"token": "xoxb-secret-1"}, timeout=10)
                   for _ in range(3)]
        assert [r.status_code for r in answers] == [200, 200, 429]
        assert answers[2].json() == {"ok": False, "error": "ratelimited"}
        assert 1 <= int(answers[2].headers["Retry-After"]) <= 2
        # another method has its own quota
        assert requests.get(sb.url + "auth.test", params={"token": "xoxb-secret-1"}, timeout=10).status_code == 200
        time.sleep(int(answers[2].headers["Retry-After"]) + 0.1)
        assert requests.get(sb.url + "conversations.list", params={"token": "xoxb-secret-1"},
                            timeout=10).status_code == 200
    lines = [json.loads(x) for x in log.read_text().splitlines()]
    assert [x["status"] for x in lines] == [200, 200, 429, 200, 200]
    assert "xoxb-secret-1" not in log.read_text() and lines[0]["query"] == "token=(redacted)"


def test_discourse_pages_topics_and_chunks_posts(tmp_path: Path) -> None:
    build_discourse(tmp_path, topics=70, long_topic_posts=45)
    with serve_in_thread(DiscourseSandbox(tmp_path)) as sb:
        url = sb.url
        ids, page_no, sizes = [], 0, []
        while True:
            data = requests.get(f"{url}/latest.json", params={"page": page_no} if page_no else None, timeout=10).json()
            tl = data["topic_list"]
            sizes.append(len(tl["topics"]))
            ids += [t["id"] for t in tl["topics"]]
            if "more_topics_url" not in tl:
                break
            assert tl["more_topics_url"] == f"/latest?page={page_no + 1}"
            page_no += 1
        assert sizes == [30, 30, 10] and ids == list(range(169, 99, -1))  # most recently bumped first

        topic = requests.get(f"{url}/t/169.json", timeout=10).json()
        assert len(topic["post_stream"]["posts"]) == 20 and len(topic["post_stream"]["stream"]) == 45
        more = requests.get(
            f"{url}/t/169/posts.json",
            params=[("post_ids[]", i) for i in topic["post_stream"]["stream"][20:40]],
            timeout=10,
        ).json()
        assert [p["post_number"] for p in more["post_stream"]["posts"]] == list(range(21, 41))
        cat = requests.get(f"{url}/c/kernels/9.json", timeout=10).json()["topic_list"]
        assert [t["category_id"] for t in cat["topics"]] == [9] * 30 and cat["more_topics_url"] == "/c/kernels/9?page=1"
        missing = requests.get(f"{url}/t/5.json", timeout=10)
        assert missing.status_code == 404 and missing.json()["error_type"] == "not_found"
        assert requests.get(f"{url}/u/bob.json", timeout=10).json()["user"]["bio_raw"] == "GitHub: @bob-dev"


def test_discourse_rate_limit_is_429_with_retry_after(tmp_path: Path) -> None:
    build_discourse(tmp_path, topics=3, long_topic_posts=2)
    limiter = WindowLimiter({"all": 2}, window=5)
    with serve_in_thread(DiscourseSandbox(tmp_path, limiter=limiter)) as sb:
        got = [requests.get(f"{sb.url}/categories.json", timeout=10) for _ in range(3)]
    assert [r.status_code for r in got] == [200, 200, 429]
    assert got[2].json()["error_type"] == "rate_limit" and 1 <= int(got[2].headers["Retry-After"]) <= 5
