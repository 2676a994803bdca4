"""`scout collect discord`: read the watched Discord chat into the database."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from cli._app import DAYS_MAX, collect_app, engine, out, settings


@collect_app.command("discord")
def collect_discord_cmd(
    days: Annotated[float, typer.Option("--days", min=0.0, max=DAYS_MAX,
                                        help="How far back to read a channel that has no "
                                        "checkpoint yet (channels with one resume from it).")] = 7.0,
    all_history: Annotated[bool, typer.Option("--all-history", help="Read channels without a checkpoint from "
                                              "their first message.")] = False,
    connect_timeout: Annotated[float, typer.Option(help="Seconds to wait for READY.")] = 60.0,
) -> None:
    """Connect with the bot token, collect channels, threads and forum posts since the last checkpoint."""
    from collectors.discord import collect_discord

    s = settings()
    stats = asyncio.run(collect_discord(s, engine(), days=None if all_history else days,
                                        connect_timeout=connect_timeout))
    out.print(f"discord: {stats.guilds} guild(s), {stats.channels} channel(s), {stats.messages} message(s) "
              f"stored ({stats.new_messages} new), {stats.requests} request(s)")
    for skipped in stats.channels_skipped:
        out.print(f"skipped {skipped}", markup=False)  # channel names come from the server
