"""Tokens from the environment: a trailing newline (as `$(cat token-file)` or a secrets file leaves
it) is dropped; anything else an HTTP header cannot carry is refused without echoing the token."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import ConfigError, get_settings
from tests.helpers import run_scout
from tests.helpers.github_data import NOW, build_github_dataset, iso
from tests.helpers.github_fixtures import github_sandbox  # noqa: F401 - fixture

SECRET = "ghp_barsSECRET0123456789"


@pytest.mark.parametrize("raw", [SECRET + "\n", SECRET + "\r\n", "  " + SECRET + "\t"])
@pytest.mark.parametrize("var", ["SCOUT_GITHUB_TOKEN", "SCOUT_DISCORD_TOKEN"])
def test_surrounding_whitespace_is_dropped(monkeypatch: pytest.MonkeyPatch, var: str, raw: str) -> None:
    monkeypatch.setenv(var, raw)
    token = getattr(get_settings(), var.removeprefix("SCOUT_").lower())
    assert token.get_secret_value() == SECRET


def test_a_blank_token_is_no_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCOUT_GITHUB_TOKEN", " \n")
    assert get_settings().github_token is None


@pytest.mark.parametrize("raw", [SECRET[:8] + "\n" + SECRET[8:], SECRET[:8] + " " + SECRET[8:],
                                 SECRET[:8] + "\x1b" + SECRET[8:], SECRET[:8] + "é" + SECRET[8:]])
def test_a_token_no_header_can_carry_is_refused_without_showing_it(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("SCOUT_GITHUB_TOKEN", raw)
    with pytest.raises(ConfigError) as err:
        get_settings()
    text = str(err.value)
    assert text.startswith("SCOUT_GITHUB_TOKEN: ") and "position 9" in text
    assert "SECRET" not in text and "ghp_" not in text and "barsS" not in text


def test_collect_with_a_newline_terminated_token_works_and_never_prints_it(github_sandbox, tmp_path: Path) -> None:  # noqa: F811
    sb = github_sandbox(build_github_dataset(tmp_path / "d", issues=3, pulls=1, comments=1, events=1, reviews=1))
    config = tmp_path / "watch.toml"
    config.write_text('[[repos]]\nname = "acme/engine"\n[taxonomies.vllm]\nsubsystems = [{name = "core"}]\n')
    db = tmp_path / "scout.db"
    run_scout("db", "upgrade", env={"SCOUT_DATABASE_URL": f"sqlite:///{db}"})
    proc = run_scout("collect", "github", "--days", "7", check=False, env={
        "SCOUT_GITHUB_API_URL": sb.url, "SCOUT_GITHUB_TOKEN": SECRET + "\n", "SCOUT_DATABASE_URL": f"sqlite:///{db}",
        "SCOUT_NOW": iso(NOW), "SCOUT_CONFIG": str(config), "SCOUT_LOG_LEVEL": "DEBUG", "COLUMNS": "300"})
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "SECRET" not in output and "Traceback" not in output
    assert sb.requests and all(r["status"] < 400 for r in sb.requests)
