"""How to talk to Discord: the real discord.py client, pointed at the configured endpoints.

`configure_endpoints` is the one place that redirects discord.py (to the sandbox, or anywhere
else): `Route.BASE` for REST and `DiscordWebSocket.DEFAULT_GATEWAY` for the gateway. Both are class
attributes of discord.py, so they are set once per process at start-up (tests restore them).

The raw-payload readers below go through `client.http` (discord.py's own HTTP client, with its
rate-limit handling), because the storage layer takes API-shaped dicts, not discord.py models.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import discord
import yarl
from discord.gateway import DiscordWebSocket

from config.errors import CollectorError, ConfigError

log = logging.getLogger(__name__)

Payload = dict[str, Any]
PAGE = 100          # Discord's maximum messages per request
THREAD_PAGE = 100   # archived threads per request


class _NoVoiceWarning(logging.Filter):
    """discord.py warns at every client start that voice support is missing; a watch bot has no voice."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "voice will NOT be supported" not in record.getMessage()


logging.getLogger("discord.client").addFilter(_NoVoiceWarning())


def configure_endpoints(api_url: str, gateway_url: str) -> tuple[str, yarl.URL]:
    """Point discord.py at `api_url` (REST, e.g. `http://127.0.0.1:PORT/api/v10`) and `gateway_url`
    (e.g. `ws://127.0.0.1:PORT/gateway`); returns the previous values so a caller can restore them."""
    api = api_url.rstrip("/")
    if not api.startswith(("http://", "https://")):
        raise ConfigError(f"SCOUT_DISCORD_API_URL: expected an http(s) URL, got {api_url!r}")
    if not gateway_url.startswith(("ws://", "wss://")):
        raise ConfigError(f"SCOUT_DISCORD_GATEWAY_URL: expected a ws(s) URL, got {gateway_url!r}")
    previous = (discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
    discord.http.Route.BASE = api
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    return previous


def restore_endpoints(previous: tuple[str, yarl.URL]) -> None:
    discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = previous


def chat_intents() -> discord.Intents:
    """The few intents a watch bot needs: guilds, guild messages and their content. No members,
    presences or DMs (privileged or unneeded)."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.message_content = True
    return intents


async def wait_reachable(timeout: float) -> None:
    """Wait until the configured Discord API answers at all (any HTTP status), e.g. a sandbox still
    loading its dataset or a network blip at start-up; connection errors are retried with backoff."""
    url = discord.http.Route.BASE + "/gateway"
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    delay = 0.1
    async with aiohttp.ClientSession() as session:
        while True:
            try:
                async with session.get(url, timeout=aiohttp.ClientTimeout(total=10)) as resp:
                    await resp.read()
                    return
            except (aiohttp.ClientConnectionError, TimeoutError) as exc:
                if loop.time() + delay > deadline:
                    raise CollectorError(f"Discord API at {discord.http.Route.BASE} is unreachable: {exc}") from None
                if delay == 0.1:
                    log.info("waiting for the Discord API at %s (%s)", discord.http.Route.BASE, exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)


@asynccontextmanager
async def connected(client: discord.Client, token: str, *, timeout: float = 60.0) -> AsyncIterator[discord.Client]:
    """Start `client` with `token`, wait for READY (all guilds received), yield it, close it.

    A failure to connect or log in becomes a CollectorError naming the cause (never the token).
    """
    await wait_reachable(timeout)
    task = asyncio.create_task(client.start(token), name="discord-client")
    ready = asyncio.create_task(client.wait_until_ready())
    try:
        done, _ = await asyncio.wait({task, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if ready not in done:
            if task in done and task.exception() is not None:
                exc = task.exception()
                if isinstance(exc, discord.LoginFailure):
                    raise CollectorError("Discord refused the token (SCOUT_DISCORD_TOKEN)") from None
                raise CollectorError(f"Discord connection failed: {type(exc).__name__}: {exc}") from None
            raise CollectorError(f"Discord: not READY within {timeout:.0f} s")
        yield client
    finally:
        ready.cancel()
        if not client.is_closed():
            await client.close()
        try:
            await asyncio.wait_for(task, timeout=10)
        except (TimeoutError, asyncio.CancelledError, discord.DiscordException, OSError):
            pass


class ChatReader:
    """Raw Discord payloads (exactly as the API sends them) for one connected client."""

    def __init__(self, client: discord.Client, *, on_request: Callable[[], None] | None = None) -> None:
        self.client = client
        self.http = client.http
        self.requests = 0
        self._on_request = on_request

    async def _call(self, coro: Awaitable[Any]) -> Any:
        self.requests += 1
        if self._on_request:
            self._on_request()
        return await coro

    async def guild(self, guild_id: int) -> Payload:
        return await self._call(self.http.get_guild(guild_id, with_counts=False))

    async def channels(self, guild_id: int) -> list[Payload]:
        return await self._call(self.http.get_all_guild_channels(guild_id))

    async def active_threads(self, guild_id: int) -> list[Payload]:
        data = await self._call(self.http.get_active_threads(guild_id))
        return list(data.get("threads") or [])

    async def archived_threads(self, channel_id: int, *, private: bool = False) -> list[Payload]:
        """Every archived thread of a channel (or forum), paging on `archive_timestamp` like discord.py."""
        endpoint = self.http.get_private_archived_threads if private else self.http.get_public_archived_threads
        out: list[Payload] = []
        before: str | None = None
        while True:
            data = await self._call(endpoint(channel_id, before=before, limit=THREAD_PAGE))
            threads = data.get("threads") or []
            out += threads
            if not data.get("has_more") or not threads:
                return out
            before = threads[-1]["thread_metadata"]["archive_timestamp"]

    async def channel(self, channel_id: int) -> Payload:
        return await self._call(self.http.get_channel(channel_id))

    async def messages_before(self, channel_id: int, before: int | None = None) -> AsyncIterator[list[Payload]]:
        """Pages of messages from the newest (or from `before`) backwards, each page newest first."""
        cursor = before
        while True:
            try:
                page = await self._call(self.http.logs_from(channel_id, PAGE, before=cursor))
            except discord.NotFound:
                log.warning("channel %s vanished while reading it", channel_id)
                return
            if not page:
                return
            page = sorted(page, key=lambda m: int(m["id"]), reverse=True)
            yield page
            cursor = int(page[-1]["id"])
            if len(page) < PAGE:
                return

    async def messages_after(self, channel_id: int, after: int) -> AsyncIterator[list[Payload]]:
        """Pages of messages newer than snowflake `after`, oldest page first, each page ascending.

        Discord answers `after=` with the oldest `limit` messages past the id, newest first; the
        next cursor is the page's newest id (what `TextChannel.history(after=...)` does too).
        """
        cursor = after
        while True:
            try:
                page = await self._call(self.http.logs_from(channel_id, PAGE, after=cursor))
            except discord.NotFound:
                log.warning("channel %s vanished while reading it", channel_id)
                return
            if not page:
                return
            page = sorted(page, key=lambda m: int(m["id"]))
            yield page
            cursor = int(page[-1]["id"])
            if len(page) < PAGE:
                return


def raise_for(exc: BaseException, what: str) -> CollectorError:
    """A collector error that says what failed, in words (no tokens, no tracebacks)."""
    if isinstance(exc, discord.Forbidden):
        return CollectorError(f"Discord: no access to {what} (403: {exc.text or 'Missing Access'})")
    if isinstance(exc, discord.HTTPException):
        return CollectorError(f"Discord: {what} failed with HTTP {exc.status}: {exc.text or exc}")
    return CollectorError(f"Discord: {what} failed: {type(exc).__name__}: {exc}")
