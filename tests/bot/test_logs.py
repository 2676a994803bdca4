"""Logs: levels per logger, JSON lines, and secrets redacted in every shape the libraries log them
(the full-run check, DEBUG everywhere against both sandboxes, is in tests/bot/test_run.py)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from bot import logs

GH = "ghp_" + "a1B2c3D4e5" * 4
BOT = "MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs"
INTERACTION = "aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDpYWFhYWFhYWFhY"


@pytest.fixture
def logging_state() -> Iterator[None]:
    """setup_logging changes process-wide state: put it back."""
    root = logging.getLogger()
    saved = (
        list(root.handlers),
        root.level,
        {n: logging.getLogger(n).level for n in (*logs.NOISY, "github.Requester", "github.GithubRetry", "apscheduler")},
    )
    yield
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)
    logs._SECRETS.clear()


@pytest.mark.parametrize(("line", "secret"), [
    # discord.py DEBUG: the IDENTIFY / RESUME payloads and gateway events as dict reprs
    ("Sending {'op': 2, 'd': {'token': '%s', 'intents': 33281}}", BOT),
    ("For Shard ID None: WebSocket Event: {'t': 'INTERACTION_CREATE', 'd': {'id': '1', 'token': '%s'}}", INTERACTION),
    # discord.py DEBUG: REST calls whose URL carries an interaction or webhook token
    ("POST http://127.0.0.1:1/api/v10/interactions/1576/%s/callback?with_response=1 has returned 200", INTERACTION),
    ("POST https://discord.com/api/v10/webhooks/1300/%s?wait=1 with None has returned 200", INTERACTION),
    # PyGithub / requests headers, HTTP header lines, JSON bodies
    ("GET /repos/x/y {'Authorization': 'token %s', 'User-Agent': 'PyGithub/Python'}", GH),
    ('{"headers": {"authorization": "Bot %s"}}', BOT),
    ("Authorization: Bearer %s", GH),
    ("https://x/login/oauth?access_token=%s&scope=repo", GH),
    ("a token pasted in an error message: %s", GH),
    ("postgresql+psycopg://scout:%s@db:5432/scout", "s3cretPassw0rd"),
    # the shapes a bench job's output is cleaned of too (config.secrets: one list for both)
    ("slack_sdk.errors.SlackApiError for token %s", "xoxb-123456789012-abcdefghij"),
    ("hub said: invalid %s", "hf_" + "q" * 34),
    ("mysql://reader:%s@replica/x", "an0therPass"),
])
def test_redact_every_shape(line: str, secret: str) -> None:
    out = logs.redact(line % secret)
    assert secret not in out
    assert "***" in out


def test_configured_tokens_are_redacted_verbatim(monkeypatch: pytest.MonkeyPatch, logging_state: None) -> None:
    monkeypatch.setenv("SCOUT_DISCORD_TOKEN", "plain-looking-token-value")
    assert logs.redact("x plain-looking-token-value y") == "x *** y"
    logs.add_secret("another-secret-1234")
    assert logs.redact("(another-secret-1234)") == "(***)"
    logs.add_secret("abc")  # too short to redact safely
    assert logs.redact("abc") == "abc"


def test_every_library_logger_reaches_the_redacting_handler(
    capsys: pytest.CaptureFixture[str], logging_state: None
) -> None:
    logs.setup_logging("DEBUG,discord=DEBUG,github=DEBUG,urllib3=DEBUG,aiohttp=DEBUG,apscheduler=DEBUG", as_json=False)
    import github  # noqa: F401 - PyGithub's import resets the "github" logger and adds a handler of its own

    for name in ("discord.gateway", "discord.http", "github.Requester", "urllib3.connectionpool", "aiohttp.client",
                 "apscheduler.scheduler", "bot.test_logs", "collectors.github"):
        logging.getLogger(name).debug("%s sends {'token': '%s'} and Authorization: token %s", name, BOT, GH)
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 8  # each once: no second, unformatted copy from PyGithub's own handler
    assert all(" DEBUG " in line for line in lines)
    assert "github.Requester sends" in err and "discord.gateway sends" in err
    assert BOT not in err and GH not in err


def test_default_levels_quiet_the_libraries(capsys: pytest.CaptureFixture[str], logging_state: None) -> None:
    logs.setup_logging("DEBUG", as_json=False)
    logging.getLogger("discord.gateway").debug("frame")
    logging.getLogger("github.Requester").info("request")
    logging.getLogger("matplotlib.font_manager").debug("font")
    logging.getLogger("bot.test_logs").debug("ours")
    err = capsys.readouterr().err
    assert "ours" in err and "frame" not in err and "request" not in err and "font" not in err
    assert logs.parse_levels("info, discord=debug ,github=WARNING") == (
        "INFO",
        {"discord": "DEBUG", "github": "WARNING"},
    )
    assert logs.parse_levels("") == ("WARNING", {})


def test_json_lines_are_redacted_before_escaping(capsys: pytest.CaptureFixture[str], logging_state: None) -> None:
    logs.setup_logging("INFO", as_json=True)
    log = logging.getLogger("bot.test")
    log.info('payload {"token": "%s"} via %s', INTERACTION, "POST /api/v10/webhooks/1/" + INTERACTION)
    try:
        raise RuntimeError("failed with Authorization: Bot " + BOT)
    except RuntimeError:
        log.exception("boom")
    lines = [json.loads(line) for line in capsys.readouterr().err.strip().splitlines()]
    assert [(r["level"], r["logger"]) for r in lines] == [("INFO", "bot.test"), ("ERROR", "bot.test")]
    assert lines[0]["message"] == 'payload {"token": "***"} via POST /api/v10/webhooks/1/***'
    assert "RuntimeError" in lines[1]["exc"] and BOT not in lines[1]["exc"]
    assert lines[0]["time"].endswith("+00:00")
