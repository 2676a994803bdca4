"""Discord chat: the client (discord.py, pointed at the configured endpoints), the history
collector with per-channel checkpoints, the live MESSAGE_CREATE store, and identity links."""

from collectors.discord.client import ChatReader, chat_intents, configure_endpoints, connected, restore_endpoints
from collectors.discord.collector import ChannelFilter, ChatCollectStats, DiscordCollector, snowflake_before
from collectors.discord.command import (
    collect_discord,
    collect_with_client,
    default_repo,
    discord_token,
    make_client,
)
from collectors.discord.identity import LinkResult, apply_links, link_github, make_github
from collectors.discord.live import LiveChat

__all__ = [
    "ChannelFilter",
    "ChatCollectStats",
    "ChatReader",
    "DiscordCollector",
    "LinkResult",
    "LiveChat",
    "apply_links",
    "chat_intents",
    "collect_discord",
    "collect_with_client",
    "configure_endpoints",
    "connected",
    "default_repo",
    "discord_token",
    "link_github",
    "make_client",
    "make_github",
    "restore_endpoints",
    "snowflake_before",
]
