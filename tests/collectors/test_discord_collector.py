"""The chat collector with the real discord.py client against the Discord sandbox: a generated
week collected exactly (ids, authors, channels, threads, forum posts), twice, across dropped
connections, restarts, rate limits and interrupted runs."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import timedelta
from pathlib import Path

import discord
import pytest
from sqlalchemy import Engine, func, select

from collectors.discord import ChatCollectStats, DiscordCollector, LiveChat, make_client
from config.clock import parse_utc
from config.errors import CollectorError
from config.watch import DiscordWatch
from sandbox.discord import DiscordSandbox
from storage.db import session_scope
from storage.models import (
    ChatUser,
    DiscordChannel,
    DiscordGuild,
    DiscordMessage,
    MessageIssueLink,
    SyncCheckpoint,
    SyncRun,
)
from storage.upsert import upsert_repo
from tests.helpers.discord_data import DiscordDataset, build_discord_dataset
from tests.helpers.discord_fixtures import connect

MINI_REPO = Path(__file__).resolve().parents[1] / "data" / "mini_dataset" / "github" / "acme__engine" / "repo.json"


def in_window(ds: DiscordDataset, days: float = 7) -> set[int]:
    start = ds.now - timedelta(days=days)
    return {int(m["id"]) for m in ds.messages if parse_utc(m["timestamp"]) >= start}


def stored_ids(engine: Engine) -> list[int]:
    with session_scope(engine) as s:
        return list(s.scalars(select(DiscordMessage.id)))


async def collect(engine: Engine, ds: DiscordDataset, watch: DiscordWatch | None = None, days: float | None = 7,
                  client: discord.Client | None = None) -> ChatCollectStats:
    async with connect(client or make_client(guild_ready_timeout=0.05)) as c:
        return await DiscordCollector(c, engine, watch or DiscordWatch(), now=ds.now,
                                      default_repo="acme/engine").collect(days)


@pytest.fixture
def old_dataset(tmp_path: Path) -> DiscordDataset:
    """Like `discord_dataset`, plus older messages outside the 7-day window."""
    return build_discord_dataset(tmp_path / "dataset", per_channel=30, old_per_channel=12)


async def test_collects_the_window_exactly_then_nothing_new(engine: Engine, discord_endpoints: DiscordSandbox,
                                                            discord_dataset: DiscordDataset) -> None:
    ds = discord_dataset
    stats = await collect(engine, ds)
    assert stats.new_messages == len(ds.messages) and stats.channels == len(ds.channels)
    with session_scope(engine) as s:
        assert s.scalars(select(DiscordGuild.name)).all() == ["Acme Engine"]
        channels = {str(c.id): c for c in s.scalars(select(DiscordChannel))}
        assert set(channels) == {c["id"] for c in ds.channels}
        for c in ds.channels:  # threads and forum posts keep their parent
            assert str(channels[c["id"]].parent_id or "") == str(c.get("parent_id") or "")
            assert channels[c["id"]].type == c["type"] and channels[c["id"]].name == c["name"]
        rows = {m.id: m for m in s.scalars(select(DiscordMessage))}
        assert set(rows) == {int(m["id"]) for m in ds.messages}
        for m in ds.messages:
            row = rows[int(m["id"])]
            assert (row.channel_id, row.author_id, row.content) == (int(m["channel_id"]), int(m["author"]["id"]),
                                                                     m["content"])
            assert row.timestamp == parse_utc(m["timestamp"])
        assert {u.username for u in s.scalars(select(ChatUser))} == {m["author"]["username"] for m in ds.messages}
        cps = {
            cp.scope: cp.cursor_id for cp in s.scalars(select(SyncCheckpoint).where(SyncCheckpoint.source == "discord"))
        }
    with_messages = {m["channel_id"] for m in ds.messages}
    assert cps == {cid: max(int(m["id"]) for m in ds.messages_in(cid)) for cid in with_messages}

    before = len(discord_endpoints.requests)
    again = await collect(engine, ds)
    assert (again.messages, again.new_messages, again.channels) == (0, 0, len(ds.channels))
    second = discord_endpoints.requests[before:]
    assert not [r for r in second if r["path"].endswith("/messages")]  # last_message_id said: nothing new
    assert sorted(stored_ids(engine)) == sorted(int(m["id"]) for m in ds.messages)
    with session_scope(engine) as s:
        runs = s.scalars(select(SyncRun).where(SyncRun.source == "discord")).all()
        assert [r.ok for r in runs] == [True, True] and runs[0].stored["messages"] == len(ds.messages)


async def test_days_bounds_the_first_read_only(engine: Engine, old_dataset: DiscordDataset, tmp_path: Path) -> None:
    ds = old_dataset
    sb = await DiscordSandbox(ds.path).start()
    from collectors.discord import configure_endpoints, restore_endpoints

    previous = configure_endpoints(sb.api_url, sb.gateway_url)
    try:
        await collect(engine, ds, days=7)
        assert set(stored_ids(engine)) == in_window(ds) and len(in_window(ds)) < len(ds.messages)
        # a message posted later is newer than the checkpoint: picked up whatever --days says
        new = await sb.inject_message(ds.channel_ids["general"], "a week later", author=ds.messages[0]["author"])
        await collect(engine, ds, days=1)
        assert set(stored_ids(engine)) == in_window(ds) | {int(new["id"])}
    finally:
        restore_endpoints(previous)
        await sb.stop()


async def test_live_messages_drop_and_restart_never_lose_or_duplicate(engine: Engine, discord_endpoints: DiscordSandbox,
                                                                      discord_dataset: DiscordDataset) -> None:
    ds, sb = discord_dataset, discord_endpoints
    await collect(engine, ds)
    general, thread = ds.channel_ids["general"], ds.channel_ids["rfc-scheduler"]
    author = ds.messages[0]["author"]
    expected = {int(m["id"]) for m in ds.messages}

    client = discord.Client(intents=make_client().intents, guild_ready_timeout=0.05, enable_debug_events=True)
    live = LiveChat(client, engine, DiscordWatch(), default_repo="acme/engine")
    client.event(live.on_socket_raw_receive)  # discord.py's raw frame event feeds the live store
    async with connect(client):
        m1 = await sb.inject_message(general, "live: is #3 taken?", author=author)
        await wait_stored(engine, int(m1["id"]))
        await sb.drop_connections()
        m2 = await sb.inject_message(thread, "sent while the gateway connection was down", author=author)
        await wait_stored(engine, int(m2["id"]))  # replayed on RESUME
        assert sb.gateway.resumes == 1
        post = await sb.inject_thread(ds.channel_ids["help-forum"], "new forum post: build fails", author=author)
        await wait_stored(engine, int(post["id"]))  # THREAD_CREATE, then its starter message
        expected |= {int(m1["id"]), int(m2["id"]), int(post["id"])}
    # the bot is down: these arrive only through history on the next run
    m3 = await sb.inject_message(general, "while the bot was down", author=author)
    m4 = await sb.inject_message(thread, "also while down", author=author)
    expected |= {int(m3["id"]), int(m4["id"])}
    stats = await collect(engine, ds)
    ids = stored_ids(engine)
    assert len(ids) == len(set(ids)) and set(ids) == expected
    assert stats.new_messages == 2  # the live ones were already stored: upserts, never double counted
    with session_scope(engine) as s:
        assert s.get(DiscordChannel, int(post["id"])).parent_id == int(ds.channel_ids["help-forum"])


async def wait_stored(engine: Engine, mid: int, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if mid in stored_ids(engine):
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"message {mid} was not stored live")


async def test_rate_limits_are_honoured(engine: Engine, discord_endpoints: DiscordSandbox,
                                        discord_dataset: DiscordDataset) -> None:
    general = discord_dataset.channel_ids["general"]
    discord_endpoints.rate_limits.force(rf"/channels/{general}/messages$", times=2, retry_after=0.3)
    started = time.monotonic()
    await collect(engine, discord_dataset)
    assert time.monotonic() - started >= 0.6
    reqs = [r for r in discord_endpoints.requests if r["path"] == f"/api/v10/channels/{general}/messages"]
    assert [r["status"] for r in reqs] == [429, 429, 200]
    assert set(stored_ids(engine)) == {int(m["id"]) for m in discord_dataset.messages}


async def test_an_interrupted_run_resumes_without_loss(engine: Engine, discord_endpoints: DiscordSandbox,
                                                       discord_dataset: DiscordDataset) -> None:
    ds = discord_dataset
    blocked = ds.channel_ids["sig-frontend"]
    discord_endpoints.rate_limits.force(rf"/channels/{blocked}/messages$", times=100, retry_after=30)
    client = make_client(guild_ready_timeout=0.05)
    client.http.max_ratelimit_timeout = 1.0  # a 30 s wait is refused: discord.RateLimited
    with pytest.raises(CollectorError, match="interrupted"):
        await collect(engine, ds, client=client)
    partial = set(stored_ids(engine))
    assert partial < {int(m["id"]) for m in ds.messages}
    assert not partial & {int(m["id"]) for m in ds.messages_in(blocked)}
    with session_scope(engine) as s:
        run = s.scalars(select(SyncRun).where(SyncRun.source == "discord")).one()
        assert run.ok is False and "RateLimited" in (run.error or "")
    discord_endpoints.rate_limits.forced.clear()
    await collect(engine, ds)
    ids = stored_ids(engine)
    assert len(ids) == len(set(ids)) and set(ids) == {int(m["id"]) for m in ds.messages}


async def test_config_narrows_guilds_and_channels(engine: Engine, discord_endpoints: DiscordSandbox,
                                                  discord_dataset: DiscordDataset) -> None:
    ds = discord_dataset
    await collect(engine, ds, DiscordWatch(channels=("#sig-frontend", ds.channel_ids["rfc-scheduler"])))
    sig = ds.channel_ids["sig-frontend"]
    wanted = {sig, ds.channel_ids["rfc-scheduler"]} | {c["id"] for c in ds.channels if c.get("parent_id") == sig}
    with session_scope(engine) as s:
        assert {str(c) for c in s.scalars(select(DiscordChannel.id))} == wanted
    assert set(stored_ids(engine)) == {int(m["id"]) for m in ds.messages if m["channel_id"] in wanted}
    with pytest.raises(CollectorError, match=r"none of the configured discord\.guilds"):
        await collect(engine, ds, DiscordWatch(guilds=("Other Guild",)))
    await collect(engine, ds, DiscordWatch(guilds=("acme engine",)))  # names match case-insensitively


async def test_messages_are_linked_to_issues(engine: Engine, discord_endpoints: DiscordSandbox,
                                             discord_dataset: DiscordDataset) -> None:
    with session_scope(engine) as s:
        upsert_repo(s, json.loads(MINI_REPO.read_text()))
    await collect(engine, discord_dataset)
    with session_scope(engine) as s:
        links = {(m, n) for m, n in s.execute(select(MessageIssueLink.message_id, MessageIssueLink.issue_number))}
        counted = s.scalar(select(func.count()).select_from(MessageIssueLink))
    referencing = [m for m in discord_dataset.messages if "#" in m["content"] or "/issues/" in m["content"]]
    assert referencing and len(links) == counted
    for m in referencing:
        assert any(mid == int(m["id"]) for mid, _ in links), m["content"]


@pytest.mark.slow
async def test_scout_collect_discord_cli_twice_gives_exact_status(discord_settings, discord_sandbox: DiscordSandbox,
                                                                  discord_dataset: DiscordDataset) -> None:
    """Acceptance 06's shape: `scout collect discord --days 7` twice, then `scout status --json`."""
    import os

    from tests.helpers import run_scout

    env = {k: v for k, v in os.environ.items() if k.startswith("SCOUT_")}
    for _ in range(2):
        proc = await asyncio.to_thread(run_scout, "collect", "discord", "--days", "7", env=env)
        assert "guild(s)" in proc.stdout
    status = await asyncio.to_thread(run_scout, "status", "--json", env=env, check=False)
    report = json.loads(status.stdout)
    assert report["discord"]["channels"] == len(discord_dataset.channels)
    assert report["discord"]["messages"] == len(discord_dataset.messages)
    assert "test-bot-token" not in status.stdout + status.stderr


async def test_collects_a_generated_small_community_exactly(engine: Engine, small_dataset: Path) -> None:
    """The simulator's chat (scale small) through sandbox and collector: every channel and message."""
    from collectors.discord import configure_endpoints, restore_endpoints

    sb = await DiscordSandbox(small_dataset).start()
    previous = configure_endpoints(sb.api_url, sb.gateway_url)
    want_channels = {c["id"] for c in json.loads((small_dataset / "discord" / "channels.json").read_text())}
    want_messages = {int(m["id"]) for m in json.loads((small_dataset / "discord" / "messages.json").read_text())}
    now = parse_utc(json.loads((small_dataset / "meta.json").read_text())["now"])
    try:
        for _ in range(2):
            async with connect(make_client(guild_ready_timeout=0.05)) as c:
                await DiscordCollector(c, engine, DiscordWatch(), now=now).collect(7)
    finally:
        restore_endpoints(previous)
        await sb.stop()
    with session_scope(engine) as s:
        assert {str(c) for c in s.scalars(select(DiscordChannel.id))} == want_channels
    ids = stored_ids(engine)
    assert len(ids) == len(set(ids)) and set(ids) == want_messages


async def test_clear_errors_without_token_or_reachable_api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           engine: Engine) -> None:
    from collectors.discord import collect_discord
    from config.errors import ConfigError
    from config.settings import get_settings

    monkeypatch.setenv("SCOUT_DISCORD_API_URL", "http://127.0.0.1:9/api/v10")
    monkeypatch.setenv("SCOUT_DISCORD_GATEWAY_URL", "ws://127.0.0.1:9/gateway")
    with pytest.raises(ConfigError, match="SCOUT_DISCORD_TOKEN"):
        await collect_discord(get_settings(), engine)
    monkeypatch.setenv("SCOUT_DISCORD_TOKEN", "secret-token-value")
    with pytest.raises(CollectorError, match="unreachable") as err:
        await collect_discord(get_settings(), engine, connect_timeout=0.5)
    assert "secret-token-value" not in str(err.value)


async def test_a_malformed_message_stops_only_its_channel(engine: Engine, tmp_path: Path) -> None:
    from collectors.discord import configure_endpoints, restore_endpoints

    ds = build_discord_dataset(tmp_path / "bad", per_channel=10)
    sig = ds.channel_ids["sig-frontend"]
    bad = ds.messages_in(sig)[4]
    bad["timestamp"] = "yesterday-ish"
    ds.write()
    sb = await DiscordSandbox(ds.path).start()
    previous = configure_endpoints(sb.api_url, sb.gateway_url)
    try:
        with pytest.raises(CollectorError, match=rf"#sig-frontend \({sig}\).*{bad['id']}"):
            await collect(engine, ds, days=None)
    finally:
        restore_endpoints(previous)
        await sb.stop()
    stored = set(stored_ids(engine))
    others = {int(m["id"]) for m in ds.messages if m["channel_id"] != sig}
    assert others <= stored and int(bad["id"]) not in stored
    with session_scope(engine) as s:
        assert s.get(SyncCheckpoint, ("discord", sig, "messages")) is None  # retried next run
