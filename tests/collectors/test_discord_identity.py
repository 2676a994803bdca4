"""Chat user <-> GitHub links: the operator's mapping, labelled guesses, and the verified `/link`
code flow checked through PyGithub against the GitHub sandbox (bio and public gists)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select

from collectors.discord.identity import (
    LINK_CONFIG,
    LINK_GUESS_HANDLE,
    LINK_GUESS_NAME,
    LINK_VERIFIED,
    MAX_GISTS_CHECKED,
    LinkLimiter,
    apply_links,
    link_github,
    make_github,
)
from storage.db import session_scope
from storage.models import ChatUser
from storage.upsert import upsert_chat_users, upsert_users

NOW = datetime(2026, 11, 27, tzinfo=UTC)
DISCORD_USER = {"id": "1210000000000000009", "username": "octo_on_discord", "global_name": "Octo Cat"}


def chat(engine: Engine) -> dict[str, ChatUser]:
    with session_scope(engine) as s:
        return {u.username: u for u in s.scalars(select(ChatUser))}


def test_config_links_and_labelled_guesses(engine: Engine) -> None:
    with session_scope(engine) as s:
        upsert_users(s, [{"id": 1, "login": "alice-dev"}, {"id": 2, "login": "BobKernel"}, {"id": 3, "login": "carol"},
                         {"id": 4, "login": "dave-gh"}])
        upsert_chat_users(s, [
            {"id": "11", "username": "alice-dev", "global_name": "Alice"},        # same handle
            {"id": "12", "username": "bob_k", "global_name": "Bob Kernel"},       # display name = login
            {"id": "13", "username": "carol", "global_name": None},               # same handle, but mapped
            {"id": "14", "username": "dave", "global_name": None},                # mapped by id
            {"id": "15", "username": "nobody-here", "global_name": "Nobody"},
        ])
    counts = apply_links(engine, {"carol": "carol-real", "14": "dave-gh"}, NOW)
    users = chat(engine)
    assert (users["alice-dev"].github_login, users["alice-dev"].link_source) == ("alice-dev", LINK_GUESS_HANDLE)
    assert (users["bob_k"].github_login, users["bob_k"].link_source) == ("BobKernel", LINK_GUESS_NAME)
    assert (users["carol"].github_login, users["carol"].link_source) == ("carol-real", LINK_CONFIG)
    assert (users["dave"].github_login, users["dave"].link_source) == ("dave-gh", LINK_CONFIG)
    assert users["nobody-here"].github_login is None and users["nobody-here"].link_source is None
    assert counts == {"config": 2, "guesses": 2}
    assert apply_links(engine, {"carol": "carol-real", "14": "dave-gh"}, NOW) == {"config": 0, "guesses": 0}
    # a verified link is never replaced by config or guesses
    with session_scope(engine) as s:
        u = s.get(ChatUser, 11)
        u.github_login, u.link_source = "alice-elsewhere", LINK_VERIFIED
    apply_links(engine, {"alice-dev": "someone-else"}, NOW)
    assert (chat(engine)["alice-dev"].github_login, chat(engine)["alice-dev"].link_source) == ("alice-elsewhere",
                                                                                               LINK_VERIFIED)


def gist(login: str, description: str, filename: str = "notes.md") -> dict:
    return {"id": "aa5a315d61ae9438b18d", "description": description, "public": True, "url": "", "html_url": "",
            "files": {filename: {"filename": filename, "type": "text/plain", "raw_url": "", "size": 10}},
            "owner": {"login": login, "id": 583232, "type": "User"}, "created_at": "2026-11-20T00:00:00Z",
            "updated_at": "2026-11-20T00:00:00Z", "comments": 0}


def test_link_with_the_code_in_the_bio(engine: Engine, github_profiles) -> None:
    gh = make_github(github_profiles.url, fast=True)
    first = link_github(engine, gh, DISCORD_USER, "octocat", NOW)
    assert first.status == "code-issued" and first.code and first.code.startswith("oss-scout-")
    assert first.code in first.message()
    assert link_github(engine, gh, DISCORD_USER, "octocat", NOW).status == "not-found-yet"
    assert chat(engine)["octo_on_discord"].link_source is None  # nothing linked without the code
    github_profiles.data.profiles["octocat"]["bio"] = f"I like cats. {first.code}"
    done = link_github(engine, gh, DISCORD_USER, "OctoCat", NOW)
    assert done.status == "verified" and done.ok
    u = chat(engine)["octo_on_discord"]
    assert (u.github_login, u.link_source, u.linked_at, u.link_code) == ("OctoCat", LINK_VERIFIED, NOW, None)
    assert link_github(engine, gh, DISCORD_USER, "octocat", NOW).status == "already-linked"
    apply_links(engine, {"octo_on_discord": "someone-else"}, NOW)
    assert chat(engine)["octo_on_discord"].github_login == "OctoCat"


def test_link_with_the_code_in_a_public_gist(engine: Engine, github_profiles) -> None:
    gh = make_github(github_profiles.url, fast=True)
    code = link_github(engine, gh, DISCORD_USER, "gistfan", NOW).code
    github_profiles.data.gists["gistfan"] = [gist("gistfan", "unrelated")]
    assert link_github(engine, gh, DISCORD_USER, "gistfan", NOW).status == "not-found-yet"
    github_profiles.data.gists["gistfan"] = [gist("gistfan", f"verifying for oss-scout: {code}")]
    assert link_github(engine, gh, DISCORD_USER, "gistfan", NOW).status == "verified"


def test_claiming_another_login_issues_a_new_code(engine: Engine, github_profiles) -> None:
    gh = make_github(github_profiles.url, fast=True)
    a = link_github(engine, gh, DISCORD_USER, "octocat", NOW)
    b = link_github(engine, gh, DISCORD_USER, "gistfan", NOW)
    assert b.status == "code-issued" and b.code != a.code
    github_profiles.data.profiles["octocat"]["bio"] = a.code  # the old code no longer counts
    assert link_github(engine, gh, DISCORD_USER, "octocat", NOW).status == "code-issued"


def test_unknown_and_invalid_logins(engine: Engine, github_profiles) -> None:
    gh = make_github(github_profiles.url, fast=True)
    link_github(engine, gh, DISCORD_USER, "no-such-user", NOW)
    assert link_github(engine, gh, DISCORD_USER, "no-such-user", NOW).status == "unknown-login"
    bad = link_github(engine, gh, DISCORD_USER, "not a login; DROP TABLE", NOW)
    assert bad.status == "invalid-login" and not bad.ok
    assert github_profiles.requests[-1]["path"] == "/users/no-such-user"


def test_verification_reads_only_the_newest_gists(engine: Engine, github_profiles) -> None:
    """A user with 400 gists costs at most 2 + MAX_GISTS_CHECKED requests per /link, not 400."""
    gh = make_github(github_profiles.url, fast=True)
    code = link_github(engine, gh, DISCORD_USER, "gistfan", NOW).code
    many = [dict(gist("gistfan", "unrelated"), id=f"{i:020x}") for i in range(400)]
    github_profiles.data.gists["gistfan"] = many
    before = len(github_profiles.requests)
    assert link_github(engine, gh, DISCORD_USER, "gistfan", NOW).status == "not-found-yet"
    assert len(github_profiles.requests) - before <= 2 + MAX_GISTS_CHECKED
    many[-1]["description"] = f"oss-scout {code}"  # too old to be read
    assert link_github(engine, gh, DISCORD_USER, "gistfan", NOW).status == "not-found-yet"
    many[0]["description"] = f"oss-scout {code}"  # the newest is
    assert link_github(engine, gh, DISCORD_USER, "gistfan", NOW).status == "verified"


def test_link_checks_have_a_per_user_cooldown_and_a_global_cap(engine: Engine, github_profiles) -> None:
    gh = make_github(github_profiles.url, fast=True)
    clock = [1000.0]
    limiter = LinkLimiter(per_user_seconds=60, per_hour=3, clock=lambda: clock[0])
    users = [{"id": str(1210000000000000100 + i), "username": f"u{i}", "global_name": None} for i in range(4)]
    for u in users:
        assert link_github(engine, gh, u, "octocat", NOW, limiter).status == "code-issued"  # costs no request
    before = len(github_profiles.requests)
    assert link_github(engine, gh, users[0], "octocat", NOW, limiter).status == "not-found-yet"
    again = link_github(engine, gh, users[0], "octocat", NOW, limiter)
    assert again.status == "rate-limited" and again.retry_after == 60 and "try again in 60 s" in again.message()
    clock[0] += 61
    assert link_github(engine, gh, users[0], "octocat", NOW, limiter).status == "not-found-yet"
    assert link_github(engine, gh, users[1], "octocat", NOW, limiter).status == "not-found-yet"
    capped = link_github(engine, gh, users[2], "octocat", NOW, limiter)  # the 4th check within the hour
    assert capped.status == "rate-limited" and capped.retry_after == pytest.approx(3600 - 61)
    assert len(github_profiles.requests) - before == 3 * 2  # bio + the gist list, three times; none when refused
    clock[0] += 3600
    assert link_github(engine, gh, users[3], "octocat", NOW, limiter).status == "not-found-yet"
