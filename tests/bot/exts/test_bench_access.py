"""Bench access from Discord by ids only: the configured servers' role ids, user ids, trusted links."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.exts.bench._access import NotAllowed, check_bench_access, trusted_login
from collectors.discord.identity import apply_config_links
from config.watch import WatchConfig, load_watch_config
from storage.db import session_scope
from storage.models import ChatUser

GUILD, OTHER_GUILD = 1100000000000000001, 1100000000000000999
ROLE = 1200000000000000001


def _watch(tmp_path: Path, **bench: object) -> WatchConfig:
    base = load_watch_config()
    return base.model_copy(update={"bench": base.bench.model_copy(update=bench)})


@pytest.fixture
def watch(tmp_path: Path) -> WatchConfig:
    return _watch(tmp_path, discord_guilds=(str(GUILD),), discord_roles=(str(ROLE),), allowed_users=("alice",))


def test_a_configured_role_id_in_a_configured_server_is_allowed(watch: WatchConfig) -> None:
    assert check_bench_access(watch, None, 7, GUILD, [ROLE]) == "discord:7"
    assert check_bench_access(watch, "bob", 7, GUILD, [ROLE]) == "bob"


@pytest.mark.parametrize(("guild", "roles"), [
    (OTHER_GUILD, [ROLE]),  # the same id cannot exist elsewhere, but a server we do not watch never counts
    (None, [ROLE]),  # a direct message has no roles
    (GUILD, [1200000000000000002]),  # a role of ours, but not the bench one
    (GUILD, []),
])
def test_other_servers_and_roles_are_refused(watch: WatchConfig, guild: int | None, roles: list[int]) -> None:
    with pytest.raises(NotAllowed, match=r"bench\.discord_roles"):
        check_bench_access(watch, None, 7, guild, roles)


def test_without_configured_ids_no_role_counts(tmp_path: Path) -> None:
    watch = _watch(tmp_path)  # the bundled config: allowed_roles names "maintainer", no ids
    with pytest.raises(NotAllowed):
        check_bench_access(watch, None, 7, GUILD, [ROLE])


def test_allowed_users_by_trusted_login_or_user_id(tmp_path: Path) -> None:
    watch = _watch(tmp_path, allowed_users=("alice", "discord:42"))
    assert check_bench_access(watch, "Alice", 9, None, []) == "Alice"
    assert check_bench_access(watch, None, 42, None, []) == "discord:42"
    with pytest.raises(NotAllowed, match="link it first"):
        check_bench_access(watch, None, 43, None, [])


def test_a_username_that_looks_like_an_id_is_not_that_id(engine: Engine, tmp_path: Path) -> None:
    """Config keys of digits are user ids and only ids; a username-keyed entry is no proof for access."""
    target, impostor, named = 1299000000000000004, 1299000000000000005, 1299000000000000006
    base = load_watch_config()
    links = {str(target): "emma_zhu", "name_keyed": "emma_zhu"}
    watch = base.model_copy(update={"discord": base.discord.model_copy(update={"github_links": links})})
    with session_scope(engine) as s:
        s.add(ChatUser(id=target, username="someone_else", bot=False))
        s.add(ChatUser(id=impostor, username=str(target), bot=False))
        s.add(ChatUser(id=named, username="name_keyed", bot=False))
        s.flush()
        apply_config_links(s, links)
    with session_scope(engine) as s:
        assert s.get(ChatUser, target).github_login == "emma_zhu"
        assert s.get(ChatUser, impostor).github_login is None
        assert s.get(ChatUser, named).github_login == "emma_zhu"  # evidence for chat, by the operator's word
        assert trusted_login(s, watch, target) == "emma_zhu"
        assert trusted_login(s, watch, impostor) is None
        assert trusted_login(s, watch, named) is None  # but not proof of who is asking
