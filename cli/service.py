"""`scout run`: the always-on service (the bot and its scheduler on one event loop)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from cli._app import DAYS_MAX, app, settings


@app.command("run")
def run_cmd(
    backfill_days: Annotated[
        float,
        typer.Option(
            "--backfill-days", min=0.0, max=DAYS_MAX, help="Window of a repo's or channel's first collection, in days."
        ),
    ] = 7.0,
    digest_at: Annotated[
        str | None,
        typer.Option(
            "--digest-at",
            help="Post the digest at this local time instead of digest.time (HH:MM or HH:MM:SS, in digest.timezone;"
            " default SCOUT_DIGEST_AT).",
        ),
    ] = None,
    shutdown_grace: Annotated[
        float,
        typer.Option("--shutdown-grace", min=0.0, help="Seconds a stop waits for a running job to reach a checkpoint."),
    ] = 30.0,
    no_chat: Annotated[
        bool, typer.Option("--no-chat", help="Do not schedule the chat catch-up (live chat is still stored).")
    ] = False,
    guild_ready_timeout: Annotated[
        float,
        typer.Option("--guild-ready-timeout", hidden=True, min=0.0, help="discord.py's wait for guilds after READY."),
    ] = 2.0,
    connect_timeout: Annotated[
        float,
        typer.Option("--connect-timeout", min=0.0, help="Seconds to wait for the Discord API to answer at start."),
    ] = 60.0,
) -> None:
    """Run the bot with its scheduler: GitHub and chat collection, classification, retraining and the
    daily digest, per the watch config's `schedule` and `digest`. Stops cleanly on SIGTERM/SIGINT."""
    from bot.logs import add_secret, setup_logging
    from bot.scheduler import ScheduleOptions, parse_clock_time
    from bot.service import serve
    from pipeline import chat_sources_of

    s = settings()
    digest_at = digest_at or s.digest_at
    setup_logging(s.log_level, s.log_json)
    for secret in (s.github_token, s.discord_token, s.slack_token, s.discourse_api_key):
        if secret is not None:
            add_secret(secret.get_secret_value())
    options = ScheduleOptions(backfill_days=backfill_days,
                              digest_at=parse_clock_time(digest_at) if digest_at else None,
                              shutdown_grace_seconds=shutdown_grace, chat=not no_chat,
                              chat_sources=chat_sources_of(s))
    raise typer.Exit(asyncio.run(serve(s, options, guild_ready_timeout=guild_ready_timeout,
                                       connect_timeout=connect_timeout)))
