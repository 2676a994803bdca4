"""`scout collect slack|discourse` and `scout status --json` as a user runs them: one line per
outcome, the counts the issue asks for, and never the token."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.watch import load_watch_config
from sandbox.discourse import DiscourseSandbox
from sandbox.slack import SlackSandbox
from tests.helpers.chat_data import build_discourse, build_slack, serve_in_thread

ROOT = Path(__file__).resolve().parents[2]


def _scout(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("SCOUT_")} | env
    return subprocess.run([sys.executable, "-c", "from cli import main; main()", *args], cwd=ROOT, env=full,
                          capture_output=True, text=True, timeout=300, check=False)


def test_collect_both_then_status_json_and_the_token_is_never_printed(tmp_path: Path) -> None:
    data = tmp_path / "d"
    slack = build_slack(data, top_level=20, threads=2, replies=2)
    forum = build_discourse(data, topics=5, long_topic_posts=3)
    secret = "xoxb-very-secret-token"
    with serve_in_thread(SlackSandbox(data, token=secret)) as sb, serve_in_thread(DiscourseSandbox(data)) as fb:
        env = {"SCOUT_DATABASE_URL": f"sqlite:///{tmp_path}/s.db", "SCOUT_NOW": "2026-11-18T12:00:00Z",
               "SCOUT_SLACK_API_URL": sb.url or "", "SCOUT_DISCOURSE_URL": fb.url or "", "SCOUT_SLACK_TOKEN": secret}
        assert _scout("db", "upgrade", env=env).returncode == 0  # collections never create a database
        runs = [
            _scout("collect", "slack", "--days", "7", env=env),
            _scout("collect", "discourse", "--days", "7", env=env),
        ]
        wrong = _scout("collect", "slack", env=env | {"SCOUT_SLACK_TOKEN": "xoxb-wrong-secret"})
        missing = _scout("collect", "slack", env={k: v for k, v in env.items() if k != "SCOUT_SLACK_TOKEN"})
        status = _scout("status", "--json", env=env)
    assert [r.returncode for r in runs] == [0, 0], [r.stderr for r in runs]
    assert runs[0].stdout.startswith(f"slack: 3 channel(s) (2 read), {slack['messages']} message(s) stored")
    assert runs[1].stdout.startswith(f"discourse: 2 categor(ies), 5 topic(s), {forum['posts']} post(s) stored")
    assert wrong.returncode != 0 and wrong.stderr.strip() == \
        "error: Slack refused the token (SCOUT_SLACK_TOKEN): invalid_auth"
    assert missing.returncode != 0 and "SCOUT_SLACK_TOKEN is not set" in missing.stderr
    for r in (*runs, wrong, missing, status):
        assert secret not in r.stdout + r.stderr and "xoxb-wrong-secret" not in r.stdout + r.stderr
    report = json.loads(status.stdout)
    assert {k: report[k] for k in ("slack", "discourse")} == {
        "slack": {"channels": 3, "messages": slack["messages"], "last_sync": report["slack"]["last_sync"]},
        "discourse": {"topics": 5, "posts": forum["posts"], "last_sync": report["discourse"]["last_sync"]}}
    assert report["slack"]["last_sync"] and report["discourse"]["last_sync"]


def test_watch_config_names_vllms_forum_and_workspace_each_optional(tmp_path: Path) -> None:
    repo = load_watch_config().repo("vllm-project/vllm")
    assert repo.chat.slack is not None and repo.chat.slack.workspace == "slack.vllm.ai"
    assert repo.chat.discourse is not None and repo.chat.discourse.url == "https://discuss.vllm.ai"
    assert load_watch_config().repo("sgl-project/sglang").chat.slack is None
    bad = tmp_path / "bad.toml"
    bad.write_text('[[repos]]\nname = "o/r"\n[repos.chat.discourse]\nurl = "discuss.example.org"\n'
                   '[taxonomies.vllm]\nsubsystems = []\n')
    from config.errors import ConfigError

    with pytest.raises(ConfigError, match=r"repos\.0\.chat\.discourse\.url.*expected an http\(s\) URL"):
        load_watch_config(bad)


def test_chat_settings_default_to_the_real_services_and_hide_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    from config.settings import get_settings

    s = get_settings()
    assert (s.slack_api_url, s.slack_token, s.discourse_url, s.discourse_api_key) == (
        "https://slack.com/api/", None, None, None)
    monkeypatch.setenv("SCOUT_SLACK_TOKEN", "xoxb-hidden")
    monkeypatch.setenv("SCOUT_DISCOURSE_API_KEY", "key-hidden")
    s = get_settings()
    assert s.slack_token is not None and s.slack_token.get_secret_value() == "xoxb-hidden"
    assert "xoxb-hidden" not in repr(s) and "key-hidden" not in repr(s)
