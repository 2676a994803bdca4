"""The bot framework: READY against the sandbox, extensions loaded, commands synced, safety at the root."""

from __future__ import annotations

import asyncio

import discord
import yarl
from discord.gateway import DiscordWebSocket
from sqlalchemy import Engine

from bot.app import ScoutBot, Services, run_bot
from bot.exts import walk_extensions
from config.settings import Settings
from sandbox.discord import DiscordSandbox
from tests.helpers.discord_fixtures import running_bot
from tests.helpers.discord_schema import errors, request_schema


def test_extensions_are_packages_with_setup_and_no_command_is_shadowed() -> None:
    names = list(walk_extensions())
    assert {"bot.exts.backend.error_handler", "bot.exts.identity", "bot.exts.chat"} <= set(names)
    assert not any(part.startswith("_") for n in names for part in n.split("."))


async def test_bot_reaches_ready_with_safe_defaults_and_syncs_commands(
    discord_endpoints: DiscordSandbox, discord_settings: Settings, engine: Engine
) -> None:
    calls: list[str] = []

    async def hook(bot: ScoutBot) -> None:  # where the service starts its scheduler
        calls.append("started")
        assert asyncio.get_running_loop() is bot.loop

    async with running_bot(discord_settings, engine, hooks=(hook,)) as bot:
        assert bot.is_ready() and calls == ["started"]
        am = bot.allowed_mentions
        assert (am.everyone, am.users, am.roles, am.replied_user) == (False, False, False, False)
        assert not bot.intents.members and not bot.intents.presences and bot.intents.message_content
        assert set(bot.extensions) == set(walk_extensions())
        assert len(bot.cogs) == len(bot.extensions)
        names = [c.name for c in bot.tree.get_commands()]
        assert len(names) == len(set(names)) and "link" in names
        guild = discord_endpoints.store.guild_id
        put = await _wait_for_put(discord_endpoints, rf"/applications/\d+/guilds/{guild}/commands$")
    # registered in the watched guild (shows at once), never globally
    assert put["status"] == 200 and not discord_endpoints.requests_to("PUT", r"/applications/\d+/commands$")
    assert not errors(request_schema("/applications/{application_id}/guilds/{guild_id}/commands", "put"), put["body"])
    assert discord_endpoints.store.global_commands == []
    assert [c["name"] for c in discord_endpoints.store.guild_commands[guild]] == [c["name"] for c in put["body"]]
    by_name = {c["name"]: c for c in put["body"]}
    assert {"bench", "digest", "help", "issue", "link", "maintainers", "shortlist"} <= set(by_name)
    assert [o["name"] for o in by_name["link"]["options"]] == ["github-login"]
    # /bench: hidden but for admins until granted (default_member_permissions "0"), never in DMs
    assert str(by_name["bench"]["default_member_permissions"]) == "0"
    assert by_name["bench"]["dm_permission"] is False or by_name["bench"].get("contexts") == [0]
    assert all(by_name[n].get("default_member_permissions") is None for n in ("help", "issue", "maintainers"))


async def _wait_for_put(sb: DiscordSandbox, path: str) -> dict:
    for _ in range(300):
        found = sb.requests_to("PUT", path)
        if found:
            return found[0]
        await asyncio.sleep(0.02)
    raise AssertionError(f"no PUT {path}")


async def test_global_commands_only_when_the_config_asks(discord_endpoints: DiscordSandbox, discord_settings: Settings,
                                                         engine: Engine, tmp_path) -> None:
    from config.settings import get_settings
    from tests.helpers.bot_answers import BUNDLED_CONFIG

    config = tmp_path / "global.toml"
    config.write_text(BUNDLED_CONFIG.read_text().replace('digest_channel = "oss-scout"',
                                                         'digest_channel = "oss-scout"\ncommand_scope = "global"'))
    async with running_bot(get_settings(config=config), engine):
        put = await _wait_for_put(discord_endpoints, r"/applications/\d+/commands$")
    assert put["status"] == 200 and "help" in [c["name"] for c in discord_endpoints.store.global_commands]
    assert not discord_endpoints.requests_to("PUT", r"/guilds/\d+/commands$")


async def test_guild_scope_removes_commands_an_earlier_version_registered_globally(
        discord_endpoints: DiscordSandbox, discord_settings: Settings, engine: Engine) -> None:
    discord_endpoints.store.global_commands = [{"id": "1", "application_id": "1", "name": "old", "type": 1,
                                                "description": "stale", "version": "1"}]
    async with running_bot(discord_settings, engine):
        await _wait_for_put(discord_endpoints, r"/applications/\d+/commands$")
    assert discord_endpoints.store.global_commands == []
    assert discord_endpoints.store.guild_commands[discord_endpoints.store.guild_id]


async def test_run_bot_points_discord_py_at_the_settings_and_restores(
    discord_sandbox: DiscordSandbox, discord_settings: Settings, engine: Engine
) -> None:
    before = (discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
    bot = ScoutBot(Services.from_settings(discord_settings, engine), guild_ready_timeout=0.05)
    task = asyncio.create_task(run_bot(bot))
    await asyncio.wait_for(bot.wait_until_ready(), 10)
    assert discord.http.Route.BASE == discord_sandbox.api_url
    assert DiscordWebSocket.DEFAULT_GATEWAY == yarl.URL(discord_sandbox.gateway_url)
    await bot.close()
    await asyncio.wait_for(task, 10)
    assert (discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY) == before


async def test_chat_extension_stores_live_messages(discord_endpoints: DiscordSandbox, discord_settings: Settings,
                                                   engine: Engine, discord_dataset) -> None:
    from sqlalchemy import select

    from storage.db import session_scope
    from storage.models import DiscordMessage

    async with running_bot(discord_settings, engine) as bot:
        msg = await discord_endpoints.inject_message(discord_dataset.channel_ids["general"], "hello from chat",
                                                     author=discord_dataset.messages[0]["author"])
        for _ in range(200):
            with session_scope(engine) as s:
                if s.scalar(select(DiscordMessage.content).where(DiscordMessage.id == int(msg["id"]))):
                    break
            await asyncio.sleep(0.02)
        else:
            raise AssertionError("live message not stored")
        stats = await bot.get_cog("Chat").collect_history(days=7)  # the scheduler's history sync
        assert stats.new_messages == len(discord_dataset.messages)
