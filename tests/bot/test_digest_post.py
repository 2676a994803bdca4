"""The daily digest post (`bot.digest_post.post_daily_digest`, what the scheduler calls): built from
the planted report world (hostile titles included) on SQLite and PostgreSQL, posted by the real
discord.py bot into the sandbox with its chart, within limits, pinging nobody, recorded once."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from bot.digest_post import post_daily_digest
from config.errors import OssScoutError, ReportError
from config.settings import Settings, get_settings
from reports.render.discord import PING, problems
from sandbox.discord import DiscordSandbox
from storage.db import session_scope
from storage.models import Digest
from tests.helpers.bot_answers import config_file
from tests.helpers.discord_fixtures import running_bot
from tests.helpers.discord_schema import errors, request_schema
from tests.reports.world import HOSTILE, NOW, build_world


@pytest.fixture
def world_settings(discord_settings: Settings, engine: Engine, tmp_path: Path) -> Settings:
    """Settings for the sandbox and the planted world, the digest going to #general."""
    build_world(engine, hostile=True)
    return get_settings(config=config_file(tmp_path / "watch.toml", digest_channel="general"))


def channel_posts(sb: DiscordSandbox, channel: str) -> list[dict]:
    return sb.requests_to("POST", rf"/channels/{channel}/messages$")


async def test_daily_digest_is_one_post_with_its_details_and_chart_in_a_thread(
        discord_endpoints: DiscordSandbox, world_settings: Settings, engine: Engine, discord_dataset) -> None:
    sb = discord_endpoints
    general = discord_dataset.channel_ids["general"]
    async with running_bot(world_settings, engine) as bot:
        post = await post_daily_digest(bot)
    assert (post.repo, post.day, post.channel_id, post.already_posted) == ("vllm-project/vllm", "2026-11-27",
                                                                          int(general), False)
    # One compact message in the channel: no chart, one embed, a glance (under ~3,000 characters).
    (sent,) = channel_posts(sb, general)
    assert sent["status"] == 200 and "files" not in sent
    (channel_msg,) = sb.posted(general)
    (head,) = channel_msg["embeds"]
    assert head["title"] == "Digest · vllm-project/vllm · 2026-11-27"
    assert len(channel_msg["content"]) + len(json.dumps(head)) < 3000
    assert head["description"].endswith("Details in the thread below.")
    # The bot opens a public thread from that post (Discord's create_thread_from_message) ...
    (opened,) = sb.requests_to("POST", rf"/channels/{general}/messages/{channel_msg['id']}/threads$")
    assert opened["status"] == 201
    assert opened["body"]["name"] == "vllm-project/vllm · 2026-11-27 · details"
    assert opened["body"]["auto_archive_duration"] == 1440
    assert not errors(request_schema("/channels/{channel_id}/messages/{message_id}/threads", "post"), opened["body"])
    thread_id = int(channel_msg["id"])
    assert sb.store.channels[thread_id]["parent_id"] == str(general)
    # ... and posts the details there, the chart on the first message, shown by its first embed.
    thread_sent = channel_posts(sb, str(thread_id))
    details = sb.posted(thread_id)
    assert [int(m["id"]) for m in [channel_msg, *details]] == list(post.message_ids)
    (chart,) = thread_sent[0]["files"]
    assert chart == "digest-vllm-project__vllm-2026-11-27.png" and all("files" not in r for r in thread_sent[1:])
    assert next(u for u in sb.uploads if u.filename == chart).data.startswith(b"\x89PNG")
    assert details[0]["embeds"][0]["title"] == "Activity by subsystem"
    assert details[0]["embeds"][0]["image"]["url"] == details[0]["attachments"][0]["url"]
    titles = [e["title"] for m in details for e in m["embeds"]]
    assert {"Who is active where", "Good first issue candidates", "Hottest chat threads"} <= set(titles)
    assert any(t.startswith("Shortlist · vllm-project/vllm") for t in titles)
    # Limits and mentions: every body as sent, and what Discord made of it (hostile titles included).
    for r in [sent, *thread_sent]:
        assert problems({"content": r["body"].get("content") or "", "embeds": r["body"]["embeds"],
                         "allowed_mentions": r["body"]["allowed_mentions"]}) == []
    messages = [channel_msg, *details]
    assert not any(m["mention_everyone"] or m["mentions"] or m["mention_roles"] for m in messages)
    shown = json.dumps([m["embeds"] for m in messages], ensure_ascii=False)
    assert "@\u200beveryone" in shown and "@\u200b123" in shown and "@\u200bhere" in shown
    assert HOSTILE not in shown and not PING.search(shown)
    assert "/tmp/" not in shown  # no local path
    with session_scope(engine) as s:
        (row,) = s.scalars(select(Digest)).all()
        assert row.id == post.digest_id and row.day == "2026-11-27" and row.posted_at == NOW
        assert row.channel_id == int(general) and [int(m) for m in row.message_ids] == list(post.message_ids)
        assert row.chart_path and Path(row.chart_path).name == chart


async def test_without_thread_permission_the_details_follow_the_post_in_the_channel(
        discord_endpoints: DiscordSandbox, world_settings: Settings, engine: Engine, discord_dataset,
        caplog: pytest.LogCaptureFixture) -> None:
    sb = discord_endpoints
    general = discord_dataset.channel_ids["general"]
    real = sb.open_thread

    async def refuse(*args, **kwargs):  # Discord's answer without the Create Public Threads permission
        from sandbox.discord._rest import ApiError

        raise ApiError(403, "Missing Permissions", 50013)

    sb.open_thread = refuse  # type: ignore[method-assign]
    try:
        async with running_bot(world_settings, engine) as bot:
            post = await post_daily_digest(bot)
    finally:
        sb.open_thread = real  # type: ignore[method-assign]
    posted = sb.posted(general)
    assert [int(m["id"]) for m in posted] == list(post.message_ids) and len(posted) >= 2
    assert posted[0]["embeds"][0]["title"] == "Digest · vllm-project/vllm · 2026-11-27"
    assert posted[1]["embeds"][0]["title"] == "Activity by subsystem"
    assert "could not open its thread (Missing Permissions); details posted in the channel" in caplog.text


async def test_one_post_per_repo_and_day_even_when_called_twice_at_once(
        discord_endpoints: DiscordSandbox, world_settings: Settings, engine: Engine, discord_dataset,
        tmp_path: Path) -> None:
    sb = discord_endpoints
    general = discord_dataset.channel_ids["general"]
    by_id = get_settings(config=config_file(tmp_path / "by-id.toml", digest_channel=general))
    async with running_bot(by_id, engine) as bot:
        a, b = await asyncio.gather(post_daily_digest(bot), post_daily_digest(bot, "VLLM-project/vllm"))
        n_sent = len(channel_posts(sb, general))
        again = await post_daily_digest(bot)
        other_day = await post_daily_digest(bot, day=date(2026, 11, 26))
    first, second = sorted((a, b), key=lambda p: p.already_posted)
    assert not first.already_posted and second.already_posted
    assert second.message_ids == first.message_ids == again.message_ids and again.already_posted
    assert (again.digest_id, again.day, again.channel_id) == (first.digest_id, "2026-11-27", int(general))
    assert other_day.day == "2026-11-26" and not other_day.already_posted
    assert len(channel_posts(sb, general)) == n_sent + 1  # the other day: one more channel post (details in its thread)
    with session_scope(engine) as s:
        days = sorted(s.execute(select(Digest.day, func.count()).where(Digest.posted_at.is_not(None))
                                .group_by(Digest.day)).all())
    assert days == [("2026-11-26", 1), ("2026-11-27", 1)]


async def test_a_post_that_went_out_unrecorded_is_found_not_posted_again(
        discord_endpoints: DiscordSandbox, world_settings: Settings, engine: Engine, discord_dataset) -> None:
    sb = discord_endpoints
    general = discord_dataset.channel_ids["general"]
    async with running_bot(world_settings, engine) as bot:
        first = await post_daily_digest(bot)
        with session_scope(engine) as s:  # as if the process died between posting and recording
            row = s.get(Digest, first.digest_id)
            row.posted_at, row.channel_id, row.message_ids = None, None, []
        await sb.inject_message(general, "chat goes on", author=discord_dataset.messages[0]["author"])
        n_sent = len(channel_posts(sb, general))
        again = await post_daily_digest(bot)
    assert len(channel_posts(sb, general)) == n_sent  # nothing posted twice
    assert again.already_posted and again.message_ids == first.message_ids and again.digest_id != first.digest_id
    with session_scope(engine) as s:
        row = s.get(Digest, again.digest_id)
        assert [int(m) for m in row.message_ids] == list(first.message_ids) and row.posted_at is not None


async def test_a_missing_channel_is_a_clear_error_and_nothing_is_stored(
        discord_endpoints: DiscordSandbox, world_settings: Settings, engine: Engine, tmp_path: Path) -> None:
    settings = get_settings(config=config_file(tmp_path / "w.toml", digest_channel="#no-such-channel"))
    async with running_bot(settings, engine) as bot:
        with pytest.raises(ReportError, match="no text channel named #no-such-channel"):
            await post_daily_digest(bot)
        with pytest.raises(OssScoutError, match="not in the watch config"):
            await post_daily_digest(bot, "someone/else")
    assert discord_endpoints.posted() == []
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Digest)) == 0
