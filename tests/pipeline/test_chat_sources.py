"""The service collects Slack and Discourse when the settings switch them on (pipeline.collect_chat_sources,
the scheduler's chat-sources job), through the real clients against the loopback sandboxes."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, func, select

import bot.scheduler as sched
from config import load_watch_config
from config.settings import Settings
from pipeline import chat_sources_of, collect_chat_sources
from sandbox.discourse import DiscourseSandbox
from sandbox.slack import SlackSandbox
from storage.db import session_scope
from storage.models import DiscoursePost, SlackMessage
from tests.helpers.chat_data import build_discourse, build_slack, serve_in_thread

TOKEN = "xoxb-service-token"


def _count(engine: Engine, model: type) -> int:
    with session_scope(engine) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _settings(db_url: str, **kw: object) -> Settings:
    return Settings.model_validate({"database_url": db_url, "now": "2026-11-18T12:00:00Z", **kw})


def test_only_the_sources_the_settings_switch_on(sqlite_url: str) -> None:
    assert chat_sources_of(_settings(sqlite_url)) == ()  # a forum named only in vllm.toml is not read by the service
    on = _settings(sqlite_url, slack_token=SecretStr(TOKEN), discourse_url="http://127.0.0.1:9")
    assert chat_sources_of(on) == ("slack", "discourse")
    watch = load_watch_config()
    plain = [s.id for s in sched.job_specs(watch)]
    specs = {s.id: s for s in sched.job_specs(watch, sched.ScheduleOptions(chat_sources=("slack", "discourse")))}
    assert sched.CHAT_SOURCES_JOB not in plain and set(specs) == {*plain, sched.CHAT_SOURCES_JOB}
    job = specs[sched.CHAT_SOURCES_JOB]
    assert job.args == (("slack", "discourse"),) and job.run_now


@pytest.mark.postgres
def test_collects_both_exactly_then_nothing_new(engine: Engine, db_url: str, tmp_path: Path) -> None:
    data = tmp_path / "d"
    slack = build_slack(data, top_level=20, threads=2, replies=2)
    forum = build_discourse(data, topics=5, long_topic_posts=3)
    with serve_in_thread(SlackSandbox(data, token=TOKEN)) as sb, serve_in_thread(DiscourseSandbox(data)) as fb:
        s = _settings(db_url, slack_token=SecretStr(TOKEN), slack_api_url=sb.url, discourse_url=fb.url)
        first = collect_chat_sources(s, engine, chat_sources_of(s), days=7)
        again = collect_chat_sources(s, engine, chat_sources_of(s), days=7)
    stored = (_count(engine, SlackMessage), _count(engine, DiscoursePost))
    assert stored == (slack["messages"], forum["posts"])
    assert first == {"slack": slack["messages"], "discourse": forum["posts"]}
    assert again == {"slack": 0, "discourse": 0}


def test_a_source_that_fails_is_one_line_and_the_other_still_runs(engine: Engine, db_url: str, tmp_path: Path,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    data = tmp_path / "d"
    forum = build_discourse(data, topics=3, long_topic_posts=2)
    with serve_in_thread(DiscourseSandbox(data)) as fb:
        s = _settings(db_url, slack_token=SecretStr(TOKEN), slack_api_url="http://127.0.0.1:9/api/",
                      discourse_url=fb.url)
        with caplog.at_level(logging.ERROR, logger="pipeline.collect"):
            new = collect_chat_sources(s, engine, ("slack", "discourse"), days=7, connect_timeout=0.5)
    assert new == {"discourse": forum["posts"]}
    [line] = [r.getMessage() for r in caplog.records if r.name == "pipeline.collect"]
    assert line.startswith("slack collection failed: ") and TOKEN not in line
