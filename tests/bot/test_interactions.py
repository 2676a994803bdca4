"""The reply helpers phase-2 commands build on: ephemeral answers with files, embeds beyond one
message, autocomplete — all through discord.py and the sandbox's interaction endpoints."""

from __future__ import annotations

import discord
from discord import app_commands
from sqlalchemy import Engine

from bot.app import ScoutBot
from bot.interactions import defer, reply
from bot.posting import Attachment
from config.settings import Settings
from sandbox.discord import DiscordSandbox
from tests.helpers.discord_fixtures import running_bot

SUBSYSTEMS = ["frontend", "scheduler", "kv-cache", "attention", "distributed"]


async def add_commands(bot: ScoutBot) -> None:
    @app_commands.command(name="export", description="private list with files")
    async def export(interaction: discord.Interaction) -> None:
        await reply(interaction, "Your shortlist (only you can see this) — @everyone",
                    embeds=[{"title": f"item {i}", "description": "z" * 1000} for i in range(12)],
                    files=[Attachment("shortlist.md", b"# list\n"), Attachment("shortlist.csv", b"a,b\n")],
                    ephemeral=True)

    @app_commands.command(name="slow", description="deferred work")
    async def slow(interaction: discord.Interaction) -> None:
        await defer(interaction, ephemeral=False)
        await reply(interaction, "done after the work")

    @app_commands.command(name="owners", description="autocompleted option")
    async def owners(interaction: discord.Interaction, subsystem: str) -> None:
        await reply(interaction, f"owners of {subsystem}")

    @owners.autocomplete("subsystem")
    async def owners_complete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=s, value=s) for s in SUBSYSTEMS if current in s][:25]

    for cmd in (export, slow, owners):
        bot.tree.add_command(cmd)


async def test_ephemeral_reply_with_files_and_many_embeds(discord_endpoints: DiscordSandbox,
                                                          discord_settings: Settings, engine: Engine) -> None:
    sb = discord_endpoints
    async with running_bot(discord_settings, engine, hooks=(add_commands,)):
        inter = await sb.inject_interaction("export")
        await sb.wait_for_response(inter)
    assert inter.callback["type"] == 4 and inter.callback["data"]["flags"] == 64
    assert inter.files == ["shortlist.md", "shortlist.csv"]
    assert inter.original["content"].endswith("@\u200beveryone") and not inter.original["mention_everyone"]
    # 12 embeds of ~1,000 characters: one message with page buttons (5 embeds a page, within the 6,000
    # characters of a message), not three messages
    assert [e["title"] for e in inter.original["embeds"]] == [f"item {i}" for i in range(5)] and inter.followups == []
    labels = [b["label"] for row in inter.original["components"] for b in row["components"]]
    assert labels == ["◀", "1 / 3", "▶"]
    assert sb.posted() == []  # ephemeral: nothing landed in the channel


async def test_deferred_public_reply_follows_up(discord_endpoints: DiscordSandbox,
                                                                  discord_settings: Settings, engine: Engine) -> None:
    sb = discord_endpoints
    async with running_bot(discord_settings, engine, hooks=(add_commands,)):
        inter = await sb.inject_interaction("slow")
        await sb.wait_for_response(inter, followups=1)
    assert inter.callback == {"type": 5}
    assert inter.followups[0]["content"] == "done after the work" and not inter.ephemeral


async def test_autocomplete_answers_with_choices(discord_endpoints: DiscordSandbox, discord_settings: Settings,
                                                 engine: Engine) -> None:
    sb = discord_endpoints
    async with running_bot(discord_settings, engine, hooks=(add_commands,)):
        inter = await sb.inject_interaction("owners", {"subsystem": "sch"}, interaction_type=4, focused="subsystem")
        await sb.wait_for_response(inter)
        run = await sb.inject_interaction("owners", {"subsystem": "scheduler"})
        await sb.wait_for_response(run)
    assert inter.callback == {"type": 8, "data": {"choices": [{"name": "scheduler", "value": "scheduler"}]}}
    assert run.callback["data"]["content"] == "owners of scheduler"
