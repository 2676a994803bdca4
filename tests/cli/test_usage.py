"""The CLI answers mistakes with usage: exit 2 and one line (no traceback) for a usage error, one
redacted plain line for a failure (the traceback only with --debug), --version, -h. Run through
the real entry point `cli.main`, in process."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from cli import main

TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"


@pytest.fixture
def scout(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    for k in ("SCOUT_CONFIG", "SCOUT_GITHUB_TOKEN", "SCOUT_DISCORD_TOKEN", "SCOUT_NOW"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("SCOUT_DATABASE_URL", f"sqlite:///{tmp_path}/scout.db")
    monkeypatch.setenv("SCOUT_OUTPUT_DIR", str(tmp_path / "out"))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        capsys.readouterr()
        code = 0
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        cap = capsys.readouterr()
        return subprocess.CompletedProcess(list(args), code, cap.out, cap.err)

    return run


USAGE = [
    ("nosuchcommand",), ("digest", "--days", "abc"), ("shortlist", "--format", "xml"), ("maintainers",),
    ("bench", "notanumber"), ("collect", "github", "--days", "-5"), ("bench", "99999999999999999999"),
    ("bench", "0"), ("digest", "--days", "100000000"), ("collect", "github", "--days", "100000000"),
    ("simulate", "--out", "x", "--days", "100000"), ("collect", "github", "--since", "2999-01-01T00:00:00Z"),
    ("collect", "github", "--since", "yesterday"), ("collect", "github", "--days", "1", "--since", "2026-01-01"),
    ("digest", "--date", "2999-01-01"), ("maintainers", "kernal"), ("shortlist", "--subsystem", "frontnd"),
    ("invite-url", "--client-id", "abc"), ("import", "/no/such/dataset"),
    ("sandbox", "--dataset", ".", "--github-port", "70000"),
    ("collect", "nosuchsource"), ("demo", "--scale", "galaxy"),
]


@pytest.mark.parametrize("args", USAGE, ids=" ".join)
def test_usage_errors_exit_2_with_one_line(scout, args: tuple[str, ...]) -> None:
    r = scout(*args)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: scout"), r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""
    assert re.search(r"\(see 'scout[a-z -]*-h'\)$", lines[0])


def test_the_usage_line_says_what_was_wrong(scout) -> None:
    assert "Invalid value for '--days': Input should be greater than or equal to 0" in \
        scout("collect", "github", "--days", "-5").stderr
    assert "less than or equal to 2147483647" in scout("bench", "99999999999999999999").stderr
    future = scout("collect", "github", "--since", "2999-01-01T00:00:00Z")
    assert "2999-01-01T00:00:00Z is in the future" in future.stderr
    assert "unknown subsystem 'kernal'; did you mean kernel?" in scout("maintainers", "kernal").stderr
    assert "did you mean frontend?" in scout("shortlist", "--subsystem", "frontnd").stderr
    assert "No such command 'nosuchcommand'" in scout("nosuchcommand").stderr


def test_version_and_short_help(scout) -> None:
    from importlib.metadata import version

    r = scout("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"oss-scout {version('oss-scout')}"
    for args in (("-h",), ("--help",), ("digest", "-h"), ("collect", "-h"), ("collect", "github", "-h")):
        r = scout(*args)
        assert r.returncode == 0 and "Usage: scout" in r.stdout, args
    assert "DATASET.md" not in scout("import", "-h").stdout and "docs/dataset.md" in scout("import", "-h").stdout


def test_a_failure_is_one_redacted_plain_line_and_debug_adds_the_traceback(scout, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("SCOUT_GITHUB_TOKEN", TOKEN)
    odd = tmp_path / TOKEN / "[bold red]watch[/bold red].toml"
    monkeypatch.setenv("SCOUT_CONFIG", str(odd))
    r = scout("status")
    assert r.returncode == 2  # a configuration error
    (line,) = r.stderr.strip().splitlines()
    # the token is gone, the brackets are text (not Rich markup), the path is otherwise intact
    assert line == f"error: config file {tmp_path}/***/[bold red]watch[/bold red].toml: not found"
    monkeypatch.delenv("SCOUT_CONFIG")
    monkeypatch.setenv("SCOUT_DATABASE_URL", "postgresql+psycopg://scout:hunter2pw@127.0.0.1:1/scout?connect_timeout=2")
    r = scout("status")
    (line,) = r.stderr.strip().splitlines()
    assert r.returncode == 1 and line.startswith("error: unexpected OperationalError: ")
    assert line.endswith("(run with --debug for the traceback)") and "hunter2pw" not in r.stderr
    for args in (("--debug", "status"), ("status", "--debug")):  # --debug works before or after the command
        r = scout(*args)
        assert r.returncode == 1 and "Traceback (most recent call last)" in r.stderr and "hunter2pw" not in r.stderr
        assert r.stderr.strip().splitlines()[-1].startswith("error: unexpected OperationalError: ")


def test_invite_url_has_both_scopes_and_exactly_the_permissions_the_bot_uses(scout) -> None:
    import discord

    from bot.invite import REQUIRED_PERMISSIONS, required_permissions

    r = scout("invite-url", "--client-id", "123456789012345678", "--guild", "223456789012345678")
    assert r.returncode == 0
    (url,) = r.stdout.split()
    assert url == ("https://discord.com/oauth2/authorize?client_id=123456789012345678&scope=bot+applications.commands"
                   "&permissions=309237763072&guild_id=223456789012345678&disable_guild_select=true")
    # view channel, send messages, embed links, attach files, read history, create public threads and
    # send messages in threads: 2**10 + 2**11 + 2**14 + 2**15 + 2**16 + 2**35 + 2**38
    assert required_permissions().value == 309237763072 == sum(2**b for b in (10, 11, 14, 15, 16, 35, 38))
    granted = discord.Permissions(required_permissions().value)
    assert not (granted.administrator or granted.manage_messages or granted.mention_everyone or granted.manage_guild)
    assert {name for name, on in granted if on} == set(REQUIRED_PERMISSIONS) - {"view_channel"} | {"read_messages"}
    assert granted.view_channel  # discord.py iterates that flag under its old name, read_messages
    explained = scout("invite-url", "--client-id", "123456789012345678", "--explain").stdout
    assert all(f"  {name}: " in explained for name in REQUIRED_PERMISSIONS)
