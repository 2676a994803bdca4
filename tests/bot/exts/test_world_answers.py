"""Slash commands over the hand-planted report world (tests/reports/world.py: exact right answers,
hostile titles and thread text), on SQLite and PostgreSQL: exact verdicts, exact shortlist, and
nothing in any answer can ping or break a limit. Also: slow work is deferred within the deadline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from config.settings import Settings, get_settings
from reports.render.discord import PING, problems
from sandbox.discord import DiscordSandbox
from tests.helpers.bot_answers import Answer, ask, config_file, uploaded
from tests.helpers.discord_fixtures import running_bot
from tests.reports.world import HOSTILE, build_world


@pytest.fixture
def world(engine: Engine) -> Engine:
    build_world(engine, hostile=True)
    return engine


def sent_problems(sb: DiscordSandbox) -> list[str]:
    bodies = [r["body"]["data"] for r in sb.requests_to("POST", r"/interactions/\d+/\*\*\*/callback$")
              if r["body"].get("type") == 4]
    bodies += [r["body"] for r in sb.requests_to("POST", r"/webhooks/\d+/\*\*\*$")]
    out = [p for b in bodies for p in problems({"content": b.get("content") or "", "embeds": b.get("embeds") or [],
                                                "allowed_mentions": b.get("allowed_mentions")})]
    return out + [f"ping in {b}" for b in bodies if PING.search(json.dumps(b, ensure_ascii=False))]


def no_pings(a: Answer) -> None:
    assert a.interaction.callback_after is not None and a.interaction.callback_after < 3.0
    for m in a.messages:
        assert not m["mention_everyone"] and m["mentions"] == [] and m["mention_roles"] == []


async def test_issue_verdicts_match_the_planted_world(discord_endpoints: DiscordSandbox, discord_settings: Settings,
                                                      world: Engine) -> None:
    sb = discord_endpoints
    async with running_bot(discord_settings, world):
        got = {n: await ask(sb, "issue", {"number": n}) for n in (1, 6, 7, 8, 9, 10, 11, 20)}
    for a in got.values():
        no_pings(a)
        assert not a.ephemeral
    assert got[6].content.startswith("**Issue #6**: **claimed** by newbie — not a first pick")
    assert "**blocked**" in got[7].content and "not a first pick" in got[7].content
    assert "**claimed**: assigned to henry" in got[8].content
    assert "**claimed**: PR #20 in flight" in got[9].content
    assert got[11].content.startswith("**Issue #11**: closed — not a first pick")
    assert got[20].content.startswith("**PR #20**: a pull request (open)")
    assert "open and free: a good first issue candidate" in got[1].content
    hostile = got[10]
    assert "@\u200beveryone" in hostile.embeds[0]["title"] and HOSTILE not in hostile.text
    assert "open and free" in hostile.content
    assert sent_problems(sb) == []


async def test_shortlist_is_exactly_the_planted_one(discord_endpoints: DiscordSandbox, discord_settings: Settings,
                                                    world: Engine) -> None:
    sb = discord_endpoints
    async with running_bot(discord_settings, world):
        a = await ask(sb, "shortlist")
        digest = await ask(sb, "digest")
    assert a.ephemeral and digest.ephemeral
    sl = json.loads(uploaded(sb, "shortlist-vllm-project-vllm.json"))
    assert sorted(i["number"] for i in sl["issues"]) == [1, 2, 4, 5, 10]
    assert [m["login"] for m in sl["maintainers"]] == ["alice", "gina", "dave"]
    md = uploaded(sb, "shortlist-vllm-project-vllm.md").decode()
    assert "@\u200beveryone" in md and not PING.search(md)
    csv_text = uploaded(sb, "shortlist-vllm-project-vllm.csv").decode()
    assert ",'@everyone" in csv_text  # a spreadsheet reads it as text, not a formula
    no_pings(a)
    no_pings(digest)
    assert digest.files and digest.files[0].endswith(".png")
    assert sent_problems(sb) == []


async def test_slow_work_is_deferred_within_the_deadline(discord_endpoints: DiscordSandbox,
                                                         discord_settings: Settings, world: Engine,
                                                         monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import bot.answers

    monkeypatch.setattr(bot.answers, "FAST_ANSWER_S", 0.0)  # every database answer counts as slow
    sb = discord_endpoints
    role = await sb.add_role("maintainer")  # /bench counts role ids of configured servers only
    monkeypatch.setenv("SCOUT_CONFIG", str(config_file(tmp_path / "watch.toml", discord_guilds=[str(sb.store.guild_id)],
                                                       discord_roles=[role["id"]])))
    async with running_bot(get_settings(), world):
        public = await ask(sb, "issue", {"number": 6})
        missing = await ask(sb, "issue", {"number": 4242})
        bench = await ask(sb, "bench", {"issue": 1}, roles=[role["id"]])
    assert public.interaction.callback == {"type": 5} and not public.ephemeral
    assert public.content.startswith("**Issue #6**: **claimed**")
    assert missing.interaction.callback == {"type": 5}
    assert "#4242 is not stored" in missing.content
    assert bench.interaction.callback == {"type": 5, "data": {"flags": 64}} and bench.ephemeral
    assert bench.content.startswith("Bench job **")
    for a in (public, missing, bench):
        assert a.interaction.callback_after < 3.0
