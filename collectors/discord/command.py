"""`scout collect discord`'s library side: connect with the real discord.py client, collect, link."""

from __future__ import annotations

import asyncio
import logging

import discord
from sqlalchemy import Engine

from collectors.discord.client import chat_intents, configure_endpoints, connected, restore_endpoints
from collectors.discord.collector import ChatCollectStats, DiscordCollector
from collectors.discord.identity import apply_links
from config.errors import ConfigError
from config.settings import Settings

log = logging.getLogger(__name__)


def default_repo(settings: Settings) -> str | None:
    """`#1234` in chat means an issue of the first watched repo."""
    repos = settings.watch.enabled_repos
    return repos[0].name if repos else None


def discord_token(settings: Settings) -> str:
    if settings.discord_token is None or not settings.discord_token.get_secret_value().strip():
        raise ConfigError("SCOUT_DISCORD_TOKEN is not set: the bot token is needed to read Discord")
    return settings.discord_token.get_secret_value().strip()


def make_client(*, guild_ready_timeout: float = 0.5) -> discord.Client:
    """A bare discord.py client for one-off collection (the service uses the bot's own connection)."""
    return discord.Client(intents=chat_intents(), allowed_mentions=discord.AllowedMentions.none(),
                          guild_ready_timeout=guild_ready_timeout, chunk_guilds_at_startup=False,
                          max_messages=None)


async def collect_with_client(client: discord.Client, settings: Settings, engine: Engine, *,
                              days: float | None = 7) -> ChatCollectStats:
    """Collect over an already connected client (the running bot), then refresh identity links."""
    collector = DiscordCollector(client, engine, settings.watch.discord, now=settings.present(), clock=settings.present,
                                 default_repo=default_repo(settings))
    stats = await collector.collect(days)
    links = await asyncio.to_thread(apply_links, engine, dict(settings.watch.discord.github_links),
                                    settings.present())
    log.info("identity links: %s", links)
    return stats


async def collect_discord(settings: Settings, engine: Engine, *, days: float | None = 7,
                          connect_timeout: float = 60.0) -> ChatCollectStats:
    """Connect, reach READY, collect every watched channel since its checkpoint, apply identity links."""
    token = discord_token(settings)
    previous = configure_endpoints(settings.discord_api_url, settings.discord_gateway_url)
    try:
        async with connected(make_client(), token, timeout=connect_timeout) as client:
            return await collect_with_client(client, settings, engine, days=days)
    finally:
        restore_endpoints(previous)
