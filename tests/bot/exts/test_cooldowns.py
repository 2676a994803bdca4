"""Slash commands are rate-limited per user and for everyone (SCOUT_COMMAND_LIMIT[_ALL] a minute):
a flood from chat costs at most that much CPU and database time, and is told how long to wait."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.db import session_scope
from storage.models import Issue
from tests.bot.conftest import Community
from tests.helpers.bot_answers import ask
from tests.helpers.discord_fixtures import running_bot

USERS = [{"id": str(1299000000000000100 + i), "username": f"flooder{i}", "global_name": None} for i in range(4)]
COOLING = "This command is cooling down; try again in"


async def test_a_user_and_everyone_are_limited_per_command(community: Community) -> None:
    c = community
    c.monkeypatch.setenv("SCOUT_COMMAND_LIMIT", "2")
    c.monkeypatch.setenv("SCOUT_COMMAND_LIMIT_ALL", "4")
    with session_scope(c.engine) as s:
        number = s.scalar(select(func.min(Issue.number)))
    async with running_bot(c.settings(), c.engine):
        a1 = await ask(c.sandbox, "issue", {"number": number}, user=USERS[0])
        a2 = await ask(c.sandbox, "issue", {"number": number}, user=USERS[0])
        a3 = await ask(c.sandbox, "issue", {"number": number}, user=USERS[0])
        b1 = await ask(c.sandbox, "issue", {"number": number}, user=USERS[1])
        other_command = await ask(c.sandbox, "maintainers", {}, user=USERS[0])
        c1 = await ask(c.sandbox, "issue", {"number": number}, user=USERS[2])
        d1 = await ask(c.sandbox, "issue", {"number": number}, user=USERS[3])
    served = [a1, a2, b1]
    for a in served:
        assert not a.content.startswith(COOLING), a.content
    assert a3.content.startswith(COOLING) and a3.interaction.callback["data"]["flags"] & 64  # private
    assert not other_command.content.startswith(COOLING)  # limits are per command
    assert [x.content.startswith(COOLING) for x in (c1, d1)].count(True) >= 1  # the 5th+ /issue of the minute


async def test_zero_turns_the_limits_off(community: Community) -> None:
    c = community
    c.monkeypatch.setenv("SCOUT_COMMAND_LIMIT", "0")
    c.monkeypatch.setenv("SCOUT_COMMAND_LIMIT_ALL", "0")
    with session_scope(c.engine) as s:
        number = s.scalar(select(func.min(Issue.number)))
    async with running_bot(c.settings(), c.engine):
        answers = [await ask(c.sandbox, "issue", {"number": number}, user=USERS[0]) for _ in range(5)]
    assert not any(a.content.startswith(COOLING) for a in answers)
