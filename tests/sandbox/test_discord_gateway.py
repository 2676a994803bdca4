"""The sandbox gateway with the real discord.py client: READY, GUILD_CREATE, dispatch, RESUME."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import discord
import pytest

from collectors.discord.client import chat_intents
from config.errors import CollectorError
from sandbox.discord import APPLICATION_ID, DiscordSandbox
from tests.helpers.discord_data import DiscordDataset
from tests.helpers.discord_fixtures import connect


class Recorder(discord.Client):
    def __init__(self, intents: discord.Intents | None = None) -> None:
        super().__init__(intents=intents or chat_intents(), guild_ready_timeout=0.05)
        self.seen: list[discord.Message] = []
        self.resumed = asyncio.Event()

    async def on_message(self, message: discord.Message) -> None:
        self.seen.append(message)

    async def on_resumed(self) -> None:
        self.resumed.set()


async def wait_until(predicate, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.01)


async def test_ready_with_guild_channels_threads_and_roles(discord_endpoints: DiscordSandbox,
                                                           discord_dataset: DiscordDataset) -> None:
    async with connect(Recorder()) as client:
        assert client.user.id == APPLICATION_ID and client.application_id == APPLICATION_ID
        (guild,) = client.guilds
        assert str(guild.id) == discord_dataset.guild["id"] and guild.name == "Acme Engine"
        assert {c.name for c in guild.channels} == {"community", "general", "sig-frontend", "help-forum", "voice"}
        assert {t.name for t in guild.threads} == {"rfc-scheduler", "maintainers-only", "how do I run on ROCm?"}
        assert guild.me is not None and guild.default_role.id == guild.id
        general = guild.get_channel(int(discord_dataset.channel_ids["general"]))
        perms = general.permissions_for(guild.me)
        assert perms.view_channel and perms.read_message_history and perms.send_messages
    ops = [r.get("op") for r in discord_endpoints.requests if r["method"] == "WS"]
    assert ops[:3] == [None, 1, 2]  # connect, heartbeat right after HELLO, IDENTIFY
    identify = next(r for r in discord_endpoints.requests if r.get("op") == 2)
    assert "token" not in identify["body"] and identify["body"]["intents"] == chat_intents().value


async def test_history_through_discord_py_is_exact(discord_endpoints: DiscordSandbox,
                                                   discord_dataset: DiscordDataset) -> None:
    async with connect(Recorder()) as client:
        cid = discord_dataset.channel_ids["general"]
        channel = client.get_channel(int(cid))
        want = [m["id"] for m in discord_dataset.messages_in(cid)]
        got = [str(m.id) async for m in channel.history(limit=None, oldest_first=True)]
        after = [str(m.id) async for m in channel.history(limit=None, after=discord.Object(int(want[4])))]
        around = [str(m.id) async for m in channel.history(limit=5, around=discord.Object(int(want[10])))]
    assert got == want and after == want[5:]
    assert sorted(around) == want[8:13]


async def test_live_dispatch_and_resume_replays_missed_events(discord_endpoints: DiscordSandbox,
                                                             discord_dataset: DiscordDataset) -> None:
    cid = discord_dataset.channel_ids["general"]
    async with connect(Recorder()) as client:
        await discord_endpoints.inject_message(cid, "live one")
        await wait_until(lambda: len(client.seen) == 1)
        session = client.ws.session_id
        assert await discord_endpoints.drop_connections() == 1
        await discord_endpoints.inject_message(cid, "sent while the connection was down")
        await asyncio.wait_for(client.resumed.wait(), 10)
        await wait_until(lambda: len(client.seen) == 2)
        assert [m.content for m in client.seen] == ["live one", "sent while the connection was down"]
        assert client.ws.session_id == session and discord_endpoints.gateway.resumes == 1
        assert discord_endpoints.gateway.identifies == 1
        # an abrupt cut (no close frame) resumes as well
        await discord_endpoints.drop_connections(abort=True)
        await discord_endpoints.inject_message(cid, "after an abrupt cut")
        await wait_until(lambda: len(client.seen) == 3, timeout=10)
        assert discord_endpoints.gateway.resumes == 2
    resume = [r for r in discord_endpoints.requests if r.get("op") == 6]
    assert resume and resume[0]["body"]["session_id"] == session and "token" not in resume[0]["body"]


async def test_message_content_needs_the_intent(discord_endpoints: DiscordSandbox,
                                                discord_dataset: DiscordDataset) -> None:
    intents = chat_intents()
    intents.message_content = False
    async with connect(Recorder(intents)) as client:
        await discord_endpoints.inject_message(discord_dataset.channel_ids["general"], "secret words")
        await wait_until(lambda: len(client.seen) == 1)
        assert client.seen[0].content == ""


async def test_raw_gateway_heartbeat_ack_and_invalid_resume(discord_sandbox: DiscordSandbox) -> None:
    async with aiohttp.ClientSession() as s, s.ws_connect(discord_sandbox.gateway_url + "?v=10&encoding=json") as ws:
        hello = json.loads((await ws.receive()).data)
        assert hello["op"] == 10 and hello["d"]["heartbeat_interval"] > 0
        await ws.send_str(json.dumps({"op": 1, "d": None}))
        assert json.loads((await ws.receive()).data)["op"] == 11
        await ws.send_str(json.dumps({"op": 6, "d": {"token": "t", "session_id": "nope", "seq": 3}}))
        assert json.loads((await ws.receive()).data) == {"op": 9, "d": False, "s": None, "t": None}


async def test_configured_token_is_enforced(discord_dataset: DiscordDataset) -> None:
    from collectors.discord.client import configure_endpoints, restore_endpoints

    sb = await DiscordSandbox(discord_dataset.path, token="right").start()
    previous = configure_endpoints(sb.api_url, sb.gateway_url)
    try:
        with pytest.raises(CollectorError, match="refused the token"):
            async with connect(Recorder(), token="wrong"):
                pass
        async with connect(Recorder(), token="right") as client:
            assert client.is_ready()
    finally:
        restore_endpoints(previous)
        await sb.stop()
