"""The one error handler: domain errors become their message, anything else a generic reply with no
traceback or secret; both ephemeral."""

from __future__ import annotations

import logging

import discord
import pytest
from discord import app_commands
from sqlalchemy import Engine

from bot.app import ScoutBot
from bot.exts.backend.error_handler._cog import GENERIC, NOT_ALLOWED, message_for
from config.errors import ReportError
from config.settings import Settings
from sandbox.discord import DiscordSandbox
from tests.helpers.discord_fixtures import TOKEN, running_bot


def test_message_for_maps_errors() -> None:
    assert message_for(app_commands.CommandInvokeError.__new__(app_commands.CommandInvokeError)) == GENERIC
    wrapped = app_commands.CommandInvokeError.__new__(app_commands.CommandInvokeError)
    wrapped.original = ReportError("no digest yet for 2026-11-27")
    assert message_for(wrapped) == "no digest yet for 2026-11-27"
    assert message_for(app_commands.MissingAnyRole(["maintainer"])) == NOT_ALLOWED
    assert message_for(ReportError("ping @everyone")) == "ping @\u200beveryone"


async def add_failing_commands(bot: ScoutBot) -> None:
    @app_commands.command(name="boom-domain", description="raises a domain error")
    async def domain(interaction: discord.Interaction) -> None:
        raise ReportError("No data yet: run `scout collect github` first.")

    @app_commands.command(name="boom-crash", description="raises something unexpected")
    async def crash(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        raise RuntimeError(f"database password=hunter2 token {TOKEN}")

    bot.tree.add_command(domain)
    bot.tree.add_command(crash)


@pytest.mark.parametrize("deferred", [False, True])
async def test_errors_reach_the_user_clearly_and_nothing_leaks(
    discord_endpoints: DiscordSandbox,
    discord_settings: Settings,
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
    deferred: bool,
) -> None:
    sb = discord_endpoints
    caplog.set_level(logging.INFO)
    async with running_bot(discord_settings, engine, hooks=(add_failing_commands,)):
        name = "boom-crash" if deferred else "boom-domain"
        inter = await sb.inject_interaction(name)
        await sb.wait_for_response(inter, followups=1 if deferred else 0)
    if deferred:
        assert inter.callback["type"] == 5
        (answer,) = inter.followups
        text = answer["content"]
        assert text == GENERIC and answer["flags"] & 64
        assert any(r.exc_info for r in caplog.records if "boom-crash" in r.getMessage())
    else:
        assert inter.callback["type"] == 4 and inter.callback["data"]["flags"] == 64
        text = inter.callback["data"]["content"]
        assert text == "No data yet: run `scout collect github` first."
    for leaked in ("Traceback", "hunter2", TOKEN, "RuntimeError"):
        assert leaked not in text
