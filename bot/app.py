"""The Discord bot: one `commands.Bot` built with injected services, extensions loaded in
`setup_hook`, `AllowedMentions.none()` and small intents set once at the root.

    services = Services.from_settings(settings, engine)
    bot = ScoutBot(services)
    await run_bot(bot)              # points discord.py at the configured endpoints, then starts

The service (issue 7) starts its scheduler from a startup hook: `bot.startup_hooks.append(fn)`;
each hook is awaited in `setup_hook`, inside the running loop, once per process.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import discord
from discord.ext import commands
from sqlalchemy import Engine

from collectors.discord.client import chat_intents, configure_endpoints, restore_endpoints
from collectors.discord.command import default_repo, discord_token
from config.settings import Settings

log = logging.getLogger(__name__)

Hook = Callable[["ScoutBot"], Awaitable[None]]


def _github_factory(settings: Settings) -> Callable[[], Any]:
    def make() -> Any:
        from collectors.discord.identity import make_github

        token = settings.github_token.get_secret_value() if settings.github_token else None
        return make_github(settings.github_api_url, token)

    return make


@dataclass(frozen=True)
class Services:
    """What the cogs work with. Cogs stay thin: parse, call a service, format the reply.

    `github` builds a (blocking) PyGithub client; call it through `asyncio.to_thread`.
    """

    settings: Settings
    engine: Engine
    github: Callable[[], Any]
    now: Callable[[], datetime]
    extra: dict[str, Any] = field(default_factory=dict)  # phase-2 services register here by name

    @classmethod
    def from_settings(cls, settings: Settings, engine: Engine, *, github: Callable[[], Any] | None = None,
                      now: Callable[[], datetime] | None = None) -> Services:
        return cls(settings=settings, engine=engine, github=github or _github_factory(settings),
                   now=now or settings.present)

    @property
    def default_repo(self) -> str | None:
        return default_repo(self.settings)


def bot_intents() -> discord.Intents:
    """Guilds and guild messages with content (to read chat); nothing privileged beyond content."""
    return chat_intents()


def default_extensions() -> list[str]:
    from bot.exts import walk_extensions

    return list(walk_extensions())


class ScoutBot(commands.Bot):
    """The oss-scout bot. Slash commands live in `bot/exts/<area>/` (one extension per feature)."""

    def __init__(self, services: Services, *, extensions: Sequence[str] | None = None, sync_commands: bool = True,
                 guild_ready_timeout: float = 2.0, **options: Any) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=bot_intents(),
            allowed_mentions=discord.AllowedMentions.none(),  # no reply can ping anyone, ever
            help_command=None,
            enable_debug_events=True,  # raw gateway frames feed the live chat store (exts/chat)
            guild_ready_timeout=guild_ready_timeout,
            chunk_guilds_at_startup=False,
            max_messages=None,
            **options,
        )
        self.services = services
        self.extension_names = list(extensions) if extensions is not None else default_extensions()
        self.sync_commands = sync_commands
        self._synced_guilds: set[int] = set()
        self._global_cleared = False
        self.startup_hooks: list[Hook] = []   # e.g. the service's scheduler start (issue 7)
        self.shutdown_hooks: list[Hook] = []

    async def setup_hook(self) -> None:
        """Runs once inside the loop after login: extensions, global command sync (only when the
        config asks for global commands; guild commands are synced once the guilds are known), then
        startup hooks."""
        for name in self.extension_names:
            await self.load_extension(name)
            log.debug("loaded extension %s", name)
        if self.sync_commands and self.command_scope == "global":
            synced = await self.tree.sync()
            log.info("synced %d application command(s) globally", len(synced))
        for hook in self.startup_hooks:
            await hook(self)

    @property
    def command_scope(self) -> str:
        return self.services.settings.watch.discord.command_scope

    def command_guild(self, guild: discord.abc.Snowflake) -> bool:
        """Whether slash commands are registered in this guild: the watched guilds (by id or name),
        every joined guild when the config names none."""
        from collectors.discord.collector import ChannelFilter

        return ChannelFilter.from_watch(self.services.settings.watch.discord).guild(
            guild.id, getattr(guild, "name", "") or "")

    async def sync_guild_commands(self, guilds: Sequence[discord.Guild]) -> dict[int, int]:
        """Register the commands in each of `guilds` that is watched (guild commands show at once);
        returns {guild id: commands synced}. A guild that refuses (no applications.commands scope)
        is logged and skipped: the others still get their commands."""
        done: dict[int, int] = {}
        for guild in guilds:
            if guild.id in self._synced_guilds or not self.command_guild(guild):
                continue
            self.tree.copy_global_to(guild=guild)
            try:
                synced = await self.tree.sync(guild=guild)
            except discord.HTTPException as exc:
                log.warning("could not register slash commands in guild %s (%s): %s; was the bot invited with the "
                            "applications.commands scope? (scout invite-url)", guild.id, exc.status, exc.text)
                continue
            self._synced_guilds.add(guild.id)
            done[guild.id] = len(synced)
            log.info("synced %d application command(s) in guild %s", len(synced), guild.id)
        if done and not self._global_cleared:
            self._global_cleared = True
            await self._clear_global_commands()
        return done

    async def _clear_global_commands(self) -> None:
        """Guild scope: remove global commands an earlier version registered (they would show twice)."""
        try:
            if await self.tree.fetch_commands() and self.application_id is not None:
                await self.http.bulk_upsert_global_commands(self.application_id, [])
                log.info("removed the global application commands (commands are registered per guild)")
        except discord.HTTPException as exc:
            log.warning("could not check the global application commands (%s)", exc.status)

    async def on_ready(self) -> None:
        if self.sync_commands and self.command_scope == "guilds":
            await self.sync_guild_commands(list(self.guilds))

    async def on_guild_join(self, guild: discord.Guild) -> None:
        if self.sync_commands and self.command_scope == "guilds":
            await self.sync_guild_commands([guild])

    async def close(self) -> None:
        for hook in reversed(self.shutdown_hooks):
            try:
                await hook(self)
            except Exception:  # shutdown goes on whatever a hook does
                log.exception("shutdown hook %r failed", hook)
        await super().close()


async def run_bot(bot: ScoutBot) -> None:
    """Point discord.py at the configured Discord (the one place it is redirected) and run until closed."""
    settings = bot.services.settings
    token = discord_token(settings)
    previous = configure_endpoints(settings.discord_api_url, settings.discord_gateway_url)
    try:
        async with bot:
            await bot.start(token)
    finally:
        restore_endpoints(previous)
