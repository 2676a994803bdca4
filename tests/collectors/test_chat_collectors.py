"""`scout collect slack` / `scout collect discourse` against the loopback sandboxes: the real
clients (slack_sdk's WebClient, requests), real HTTP, a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from collectors.discourse import DiscourseClient, DiscourseCollector
from collectors.slack import SlackCollector, SlackReader, make_client
from sandbox.discourse import DiscourseSandbox
from sandbox.loopback import WindowLimiter
from sandbox.slack import SlackSandbox
from storage.chat_links import github_login_named
from storage.db import session_scope
from storage.models import DiscoursePost, DiscourseTopic, DiscourseUser, SlackChannel, SlackMessage, SlackUser, SyncRun
from tests.helpers.chat_data import NOW, build_discourse, build_slack, serve_in_thread

pytestmark = pytest.mark.postgres
PRESENT = datetime.fromtimestamp(NOW, UTC)
TOKEN = "xoxb-test-secret"


def _count(engine: Engine, model: type) -> int:
    with session_scope(engine) as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def _slack_reader(url: str, page: int = 100) -> SlackReader:
    return SlackReader(make_client(url, TOKEN), page=page)


def _links(engine: Engine, model: type, key: Any) -> dict[str, tuple[str | None, str | None]]:
    with session_scope(engine) as s:
        return {k: (login, src) for k, login, src in s.execute(select(key, model.github_login, model.link_source))}


# ----------------------------------------------------------------------------- Slack


def test_slack_collect_stores_exactly_what_is_served_then_reads_only_what_changed(engine: Engine,
                                                                                  tmp_path: Path) -> None:
    want = build_slack(tmp_path, top_level=250, threads=4, replies=3)
    with serve_in_thread(SlackSandbox(tmp_path, token=TOKEN)) as sb:
        stats = SlackCollector(_slack_reader(sb.url), engine, now=PRESENT, github_links={"dave": "dave-real"}).collect(
            7
        )
        first = list(sb.requests)
        sb.requests.clear()
        again = SlackCollector(_slack_reader(sb.url), engine, now=PRESENT).collect(7)
        second = list(sb.requests)
    assert (_count(engine, SlackChannel), _count(engine, SlackMessage)) == (want["channels"], want["messages"])
    assert (stats.new_messages, stats.threads, again.new_messages, again.threads) == (want["messages"], 4, 0, 0)
    assert stats.channels_skipped == ["#sig-old (C000000003): the app is not a member"]
    paths = [r["path"] for r in first]
    # 250 top-level messages at 100 a page: 3 history pages; one replies call per thread
    assert paths.count("/api/conversations.history") == 1 + 3 and paths.count("/api/conversations.replies") == 4
    assert [r["path"] for r in second].count("/api/conversations.replies") == 0
    with session_scope(engine) as s:
        thread = s.scalars(select(SlackMessage).where(SlackMessage.reply_count > 0)
                           .order_by(SlackMessage.ts.desc())).first()
        assert thread is not None and thread.text == "kernels 249 about #12" and thread.reply_count == 3
        replies = s.scalars(select(SlackMessage.text).where(SlackMessage.thread_ts == thread.ts,
                                                            SlackMessage.ts != thread.ts).order_by(SlackMessage.ts))
        assert list(replies) == ["reply 0 to 249", "reply 1 to 249", "reply 2 to 249"]
    assert _links(engine, SlackUser, SlackUser.name) == {
        "alice": ("alice-gh", "profile"), "bob": ("bob-dev", "profile"), "carol": (None, None),
        "dave": ("dave-real", "config"), "oss-scout": (None, None)}


def test_slack_rate_limits_are_waited_out_and_nothing_is_lost(engine: Engine, tmp_path: Path) -> None:
    want = build_slack(tmp_path, top_level=30, threads=3, replies=2)
    limiter = WindowLimiter({"conversations.history": 1, "conversations.replies": 2}, window=1.0)
    with serve_in_thread(SlackSandbox(tmp_path, limiter=limiter)) as sb:
        SlackCollector(_slack_reader(sb.url, page=10), engine, now=PRESENT).collect(7)
        statuses = [(r["path"], r["status"]) for r in sb.requests]
    assert _count(engine, SlackMessage) == want["messages"]
    assert ("/api/conversations.history", 429) in statuses and ("/api/conversations.replies", 429) in statuses
    # every 429 was followed by the same request again (slack_sdk's RateLimitErrorRetryHandler)
    for i, (path, status) in enumerate(statuses):
        if status == 429:
            assert statuses[i + 1] == (path, 200) or statuses[i + 1] == (path, 429)


class _CrashingReader(SlackReader):
    """Dies (as a killed process would) after `calls` API calls."""

    def __init__(self, reader: SlackReader, calls: int) -> None:
        super().__init__(reader.client, page=reader.page)
        self.left = calls

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.left -= 1
        if self.left < 0:
            raise KeyboardInterrupt("killed")
        return super().call(method, **params)


def test_slack_crash_mid_run_resumes_with_nothing_lost(engine: Engine, tmp_path: Path) -> None:
    want = build_slack(tmp_path, top_level=250, threads=4, replies=3)
    with serve_in_thread(SlackSandbox(tmp_path)) as sb:
        # auth, users, channels, #general's history, #sig-kernels' first page and two of its threads: killed
        with pytest.raises(KeyboardInterrupt):
            SlackCollector(_CrashingReader(_slack_reader(sb.url), 7), engine, now=PRESENT).collect(7)
        partial = _count(engine, SlackMessage)
        SlackCollector(_slack_reader(sb.url), engine, now=PRESENT).collect(7)
    assert 5 < partial < want["messages"]
    assert _count(engine, SlackMessage) == want["messages"]
    with session_scope(engine) as s:
        runs = [
            (r.ok, r.error) for r in s.scalars(select(SyncRun).where(SyncRun.source == "slack").order_by(SyncRun.id))
        ]
    assert runs == [(False, "interrupted"), (True, None)]


def test_slack_refused_token_is_one_clear_line_without_the_token(engine: Engine, tmp_path: Path) -> None:
    from config.errors import CollectorError

    build_slack(tmp_path, top_level=3, threads=0)
    with serve_in_thread(SlackSandbox(tmp_path, token="xoxb-the-right-one")) as sb:
        with pytest.raises(CollectorError) as err:
            SlackCollector(_slack_reader(sb.url), engine, now=PRESENT).collect(7)
    assert str(err.value) == "Slack refused the token (SCOUT_SLACK_TOKEN): invalid_auth"
    assert TOKEN not in str(err.value)


# ----------------------------------------------------------------------------- Discourse


def _forum(sb: DiscourseSandbox, engine: Engine, client: DiscourseClient | None = None,
           links: dict[str, str] | None = None) -> DiscourseCollector:
    return DiscourseCollector(client or DiscourseClient(sb.url), engine, now=PRESENT, scope="forum",
                              github_links=links)


def test_discourse_pages_through_latest_and_chunks_long_topics(engine: Engine, tmp_path: Path) -> None:
    want = build_discourse(tmp_path, topics=70, long_topic_posts=45)
    with serve_in_thread(DiscourseSandbox(tmp_path)) as sb:
        stats = _forum(sb, engine, links={"carol": "carol-c"}).collect(7)
        first = [(r["path"], r["query"]) for r in sb.requests]
        sb.requests.clear()
        again = _forum(sb, engine).collect(7)
        second = [(r["path"], r["query"]) for r in sb.requests]
    assert (_count(engine, DiscourseTopic), _count(engine, DiscoursePost)) == (want["topics"], want["posts"])
    assert (stats.topics, stats.new_posts, again.topics, again.new_posts) == (70, want["posts"], 0, 0)
    assert [q for p, q in first if p == "/latest.json"] == ["", "page=1", "page=2"]
    posts_calls = [q for p, q in first if p == "/t/169/posts.json"]
    assert len(posts_calls) == 2 and posts_calls[0].count("post_ids") == 20 and posts_calls[1].count("post_ids") == 5
    assert second == [("/categories.json", "include_subcategories=true"), ("/latest.json", "")]
    assert _links(engine, DiscourseUser, DiscourseUser.username) == {
        "alice": ("alice-gh", "profile"), "bob": ("bob-dev", "profile"), "carol": ("carol-c", "config")}


class _CrashingClient(DiscourseClient):
    def __init__(self, url: str, crash_on: str) -> None:
        super().__init__(url)
        self.crash_on = crash_on

    def get(self, path: str, params: Any = None, *, missing_ok: bool = False) -> dict[str, Any] | None:
        if path == self.crash_on:
            raise KeyboardInterrupt("killed")
        return super().get(path, params, missing_ok=missing_ok)


def test_discourse_crash_mid_run_resumes_after_the_last_stored_topic(engine: Engine, tmp_path: Path) -> None:
    want = build_discourse(tmp_path, topics=70, long_topic_posts=45)
    with serve_in_thread(DiscourseSandbox(tmp_path)) as sb:
        with pytest.raises(KeyboardInterrupt):
            _forum(sb, engine, _CrashingClient(sb.url, "/t/140.json")).collect(7)
        assert _count(engine, DiscourseTopic) == 40  # topics 100..139, stored oldest first
        sb.requests.clear()
        _forum(sb, engine).collect(7)
        fetched = sorted(int(r["path"].split("/")[2].removesuffix(".json")) for r in sb.requests
                         if r["path"].startswith("/t/") and r["path"].endswith(".json") and "posts" not in r["path"])
    assert fetched == list(range(140, 170))  # nothing stored before is read again
    assert (_count(engine, DiscourseTopic), _count(engine, DiscoursePost)) == (want["topics"], want["posts"])


# ----------------------------------------------------------------------------- identity and the generated week


@pytest.mark.parametrize(("texts", "login"), [
    (("github.com/alice-gh",), "alice-gh"), (("https://www.github.com/Bob/",), "Bob"), (("GitHub: @carol",), "carol"),
    (("maintainer · gh/dave-x",), "dave-x"), (("ML engineer",), None), (("https://github.com/orgs/vllm",), None),
    ((None, "see github.com/eve"), "eve"), (("github.com/evil--login",), None),
])
def test_github_login_named_in_a_profile(texts: tuple[str | None, ...], login: str | None) -> None:
    assert github_login_named(*texts) == login


def test_generated_week_collects_exactly_and_profile_links_match_the_planted_truth(
        engine: Engine, small_dataset: Path) -> None:
    truth = json.loads((small_dataset / "truth.json").read_text())
    now = datetime.fromisoformat(json.loads((small_dataset / "meta.json").read_text())["now"].replace("Z", "+00:00"))
    with (
        serve_in_thread(SlackSandbox(small_dataset)) as slack,
        serve_in_thread(DiscourseSandbox(small_dataset)) as forum,
    ):
        SlackCollector(_slack_reader(slack.url, page=200), engine, now=now).collect(7)
        DiscourseCollector(DiscourseClient(forum.url), engine, now=now, scope="forum").collect(7)
    sizes = {p: len(json.loads((small_dataset / p).read_text())) for p in
             ("slack/channels.json", "slack/messages.json", "discourse/topics.json", "discourse/posts.json")}
    assert sizes == {"slack/channels.json": _count(engine, SlackChannel),
                     "slack/messages.json": _count(engine, SlackMessage),
                     "discourse/topics.json": _count(engine, DiscourseTopic),
                     "discourse/posts.json": _count(engine, DiscoursePost)}
    slack_links = {k: v[0] for k, v in _links(engine, SlackUser, SlackUser.id).items() if v[0]}
    forum_links = {k: v[0] for k, v in _links(engine, DiscourseUser, DiscourseUser.username).items() if v[0]}
    assert slack_links == truth["slack_links"] and forum_links == truth["discourse_links"]
    assert set(slack_links.items()) <= set(truth["slack_people"].items())


def test_faults_5xx_drops_and_malformed_bodies_lose_nothing(engine: Engine, tmp_path: Path) -> None:
    slack = build_slack(tmp_path, top_level=250, threads=10, replies=3)
    forum = build_discourse(tmp_path, topics=70, long_topic_posts=45)
    spec = "5xx=0.1,drop=0.05,malformed=0.05,seed=3"
    with serve_in_thread(SlackSandbox(tmp_path, faults=spec)) as sb, \
            serve_in_thread(DiscourseSandbox(tmp_path, faults=spec)) as fb:
        s = SlackCollector(_slack_reader(sb.url, page=50), engine, now=PRESENT).collect(7)
        f = DiscourseCollector(DiscourseClient(fb.url), engine, now=PRESENT, scope="forum").collect(7)
        faults = {r["fault"] for r in sb.requests + fb.requests if r.get("fault")}
    assert faults == {"5xx", "drop", "malformed"}
    assert (s.new_messages, _count(engine, SlackMessage)) == (slack["messages"], slack["messages"])
    assert (f.new_posts, _count(engine, DiscoursePost)) == (forum["posts"], forum["posts"])


def test_profile_links_are_verified_when_github_names_the_chat_account_back(engine: Engine, tmp_path: Path,
                                                                            github_profiles) -> None:
    from collectors.chat_identity import verify_profile_links
    from collectors.discord.identity import make_github
    from storage.chat_links import apply_slack_links
    from storage.chat_upsert import upsert_discourse_users, upsert_slack_users

    with session_scope(engine) as s:
        upsert_slack_users(s, [{"id": "U0OCTO", "name": "octo", "profile": {"title": "github.com/octocat"}},
                               {"id": "U0GIST", "name": "gist", "profile": {"title": "gh/gistfan"}}])
        upsert_discourse_users(s, [{"id": 7, "username": "octo_forum", "website": "https://github.com/octocat"}])
        apply_slack_links(s)
        from storage.chat_links import apply_discourse_links

        apply_discourse_links(s)
    github_profiles.data.profiles["octocat"]["bio"] = "cats. Slack U0OCTO, forum discuss.example.org/u/octo_forum"
    gh = make_github(github_profiles.url, fast=True)
    with session_scope(engine) as s:
        counts = verify_profile_links(s, gh, forum_url="https://discuss.example.org")
    assert counts == {"checked": 3, "verified": 2}
    assert _links(engine, SlackUser, SlackUser.id) == {"U0OCTO": ("octocat", "verified"),
                                                       "U0GIST": ("gistfan", "profile")}
    assert _links(engine, DiscourseUser, DiscourseUser.username) == {"octo_forum": ("octocat", "verified")}
    with session_scope(engine) as s:  # nothing replaces a verified link: not the config, not the profile
        apply_slack_links(s, {"octo": "someone-else"})
        s.get(SlackUser, "U0OCTO").title = ""  # type: ignore[union-attr]
        apply_slack_links(s)
    assert _links(engine, SlackUser, SlackUser.id)["U0OCTO"] == ("octocat", "verified")
