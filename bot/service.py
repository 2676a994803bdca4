"""`scout run`: the bot and its scheduler as one long-lived service on one event loop.

    serve(settings, options)      # until SIGTERM/SIGINT, then a graceful stop; returns 0

The scheduler starts from a bot startup hook (inside `setup_hook`, so on the running loop, once
per process). A stop (signal, or the bot closing) pauses the scheduler so nothing new starts, asks
a running collection to end at its next page (each page is stored with its checkpoint), waits up
to `shutdown_grace_seconds` for running jobs, cancels the chat catch-up (it checkpoints per page),
shuts the scheduler down and closes the gateway.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import discord
from sqlalchemy import Engine

from bot.scheduler import (
    CHAT_JOB,
    Runtime,
    ScheduleOptions,
    install_jobs,
    job_specs,
    make_scheduler,
    set_runtime,
)
from config.errors import ConfigError
from config.settings import Settings

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from bot.app import ScoutBot

log = logging.getLogger(__name__)


@dataclass
class Service:
    """The scheduler's lifecycle around one bot (its start and stop are the bot's hooks)."""

    settings: Settings
    engine: Engine
    options: ScheduleOptions = field(default_factory=ScheduleOptions)
    scheduler: AsyncIOScheduler | None = None
    runtime: Runtime | None = None
    installed: dict[str, str] = field(default_factory=dict)
    _stopping: bool = False

    def attach(self, bot: ScoutBot) -> None:
        bot.startup_hooks.append(self.start)
        bot.shutdown_hooks.append(self.stop)

    async def start(self, bot: ScoutBot) -> None:
        """Create the scheduler on the running loop, bring its stored jobs in line with the config, go."""
        self.runtime = Runtime(bot=bot, settings=self.settings, engine=self.engine, options=self.options)
        set_runtime(self.runtime)
        self.scheduler = make_scheduler(self.engine, self.settings.watch)
        self.scheduler.start(paused=True)  # the job store is open; nothing runs until the jobs are in line
        self.installed = install_jobs(self.scheduler, job_specs(self.settings.watch, self.options))
        self.scheduler.resume()
        log.info("scheduler started: %d job(s)", len(self.installed))

    async def stop(self, bot: ScoutBot | None = None) -> None:
        """Graceful: nothing new starts; running jobs reach a checkpoint (or time out); scheduler down."""
        if self._stopping or self.scheduler is None or self.runtime is None:
            return
        self._stopping = True
        rt = self.runtime
        rt.stop.set()
        with contextlib.suppress(Exception):
            self.scheduler.pause()
        for task, job_id in list(rt.running.items()):
            if job_id == CHAT_JOB:  # async, checkpointed per channel page: no need to wait for it
                task.cancel()
        pending = [t for t in rt.running if not t.done()]
        if pending:
            log.info("stopping: waiting up to %.0f s for %s", self.options.shutdown_grace_seconds,
                     ", ".join(sorted(rt.running.values())))
            _done, late = await asyncio.wait(pending, timeout=self.options.shutdown_grace_seconds)
            for t in late:
                log.warning("stopping: job %s did not reach a checkpoint in time; cancelled", rt.running.get(t, "?"))
                t.cancel()
        self.scheduler.shutdown(wait=False)
        busy = [t.name for t in rt.threads if t.is_alive()]
        if busy:
            log.warning("stopping: %s still running; exiting without it (its stored pages are checkpointed)",
                        ", ".join(busy))
        set_runtime(None)
        log.info("scheduler stopped")


async def serve(settings: Settings, options: ScheduleOptions | None = None, *, guild_ready_timeout: float = 2.0,
                sync_commands: bool = True, connect_timeout: float = 60.0) -> int:
    """Run the bot with its scheduler until SIGTERM/SIGINT (or the bot closes); 0 after a clean stop.

    Waits up to `connect_timeout` for the Discord API to answer at all (a compose stack starting
    up), then fails with a clear error rather than a connection traceback."""
    from bot.app import ScoutBot, Services, run_bot
    from collectors.discord.client import configure_endpoints, restore_endpoints, wait_reachable
    from collectors.discord.command import discord_token
    from storage.db import engine_for, ensure_schema

    discord_token(settings)  # no token: a clear error before anything starts
    engine = engine_for(settings.database_url)
    ensure_schema(engine, create=True)  # a container's first start on an empty volume
    previous = configure_endpoints(settings.discord_api_url, settings.discord_gateway_url)
    try:
        await wait_reachable(connect_timeout)
    finally:
        restore_endpoints(previous)
    bot = ScoutBot(Services.from_settings(settings, engine), guild_ready_timeout=guild_ready_timeout,
                   sync_commands=sync_commands)
    service = Service(settings, engine, options or ScheduleOptions())
    service.attach(bot)
    heartbeat: list[asyncio.Task[None]] = []

    async def start_heartbeat(b: ScoutBot) -> None:  # liveness for the container health check
        from bot.heartbeat import beat_forever, heartbeat_path

        heartbeat.append(asyncio.create_task(beat_forever(heartbeat_path(settings.output_dir), settings.present,
                                                          b.is_ready), name="scout-heartbeat"))

    async def stop_heartbeat(b: ScoutBot) -> None:
        for task in heartbeat:
            task.cancel()

    bot.startup_hooks.append(start_heartbeat)
    bot.shutdown_hooks.append(stop_heartbeat)
    loop = asyncio.get_running_loop()
    closing: list[asyncio.Task[None]] = []

    def on_signal(signame: str) -> None:
        if closing:
            log.info("%s again: already stopping", signame)
            return
        log.info("%s received: stopping", signame)
        closing.append(loop.create_task(bot.close(), name="scout-stop"))

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_signal, sig.name)
    try:
        await run_bot(bot)
    except discord.LoginFailure:
        raise ConfigError("Discord refused the token (SCOUT_DISCORD_TOKEN)") from None
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        await service.stop()
        if closing:
            await asyncio.gather(*closing, return_exceptions=True)
    log.info("service stopped")
    return 0
