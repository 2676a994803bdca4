"""A loopback Discord (REST + gateway) serving a dataset's `discord/` part; see `server.py`."""

from sandbox.discord._ratelimit import RateLimits
from sandbox.discord._snowflake import snowflake_time, time_snowflake
from sandbox.discord._store import APPLICATION_ID, DiscordStore, Interaction
from sandbox.discord.server import DiscordSandbox, make_app, sandbox_key, start, start_discord_sandbox

__all__ = [
    "APPLICATION_ID",
    "DiscordSandbox",
    "DiscordStore",
    "Interaction",
    "RateLimits",
    "make_app",
    "sandbox_key",
    "snowflake_time",
    "start",
    "start_discord_sandbox",
    "time_snowflake",
]
