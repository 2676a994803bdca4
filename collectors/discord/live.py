"""Live chat: gateway MESSAGE_CREATE / THREAD_CREATE payloads stored as they arrive while the bot runs.

Live messages are upserted but never move a channel's checkpoint: the checkpoint only advances
over history read contiguously, so after downtime (or a dropped connection that could not
resume) the next history pass fills the gap, and the upserts keyed by snowflake keep each
message once.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import discord
from sqlalchemy import Engine, select

from collectors.discord.client import ChatReader, Payload
from collectors.discord.collector import ChannelFilter
from config.watch import DiscordWatch
from storage.db import session_scope
from storage.models import DiscordChannel, DiscordGuild
from storage.upsert import upsert_channels, upsert_guild, upsert_messages

log = logging.getLogger(__name__)

LIVE_EVENTS = frozenset({"MESSAGE_CREATE", "THREAD_CREATE", "CHANNEL_CREATE", "GUILD_CREATE"})


class LiveChat:
    """Stores live gateway events of the watched guilds/channels (the chat extension feeds it)."""

    def __init__(self, client: discord.Client, engine: Engine, watch: DiscordWatch, *,
                 default_repo: str | None = None) -> None:
        self.client = client
        self.engine = engine
        self.filter = ChannelFilter.from_watch(watch)
        self.default_repo = default_repo
        self.reader = ChatReader(client)
        self._known: set[int] = set()
        self._guilds: set[int] = set()
        self._db = asyncio.Lock()
        self.stored = 0

    async def on_socket_raw_receive(self, raw: str | bytes | dict[str, Any]) -> None:
        """Route one raw gateway frame (discord.py's `socket_raw_receive`, with debug events on)."""
        frame = raw if isinstance(raw, dict) else json.loads(raw)
        event = frame.get("t")
        if event not in LIVE_EVENTS or not isinstance(frame.get("d"), dict):
            return
        try:
            if event == "MESSAGE_CREATE":
                await self.message_created(frame["d"])
            elif event in ("THREAD_CREATE", "CHANNEL_CREATE"):
                await self.channel_created(frame["d"])
            elif event == "GUILD_CREATE":
                await self.guild_seen(frame["d"])
        except Exception:  # a bad event must not take the gateway down with it
            log.exception("could not store live %s", event)

    # ------------------------------------------------------------------ events
    async def guild_seen(self, guild: Payload) -> None:
        if not self.filter.guild(guild["id"], str(guild.get("name", ""))):
            return
        await self._write(self._store_guild, guild)

    async def channel_created(self, channel: Payload) -> None:
        gid = channel.get("guild_id")
        if gid is None or not self._guild_wanted(int(gid)):
            return
        parent = await self._channel_payload(channel.get("parent_id"))
        grand = await self._channel_payload(parent.get("parent_id")) if parent else None
        if self.filter.wants(channel, parent, grand):
            await self._ensure_guild(int(gid))
            await self._write(self._store_channels, [channel], int(gid))

    async def message_created(self, message: Payload) -> None:
        gid = message.get("guild_id")
        if gid is None or not self._guild_wanted(int(gid)):
            return  # direct messages are not community chat
        cid = int(message["channel_id"])
        if cid not in self._known and not await self._write(self._is_stored, cid):
            channel = await self._channel_payload(cid)
            if channel is None:
                return
            parent = await self._channel_payload(channel.get("parent_id"))
            grand = await self._channel_payload(parent.get("parent_id")) if parent else None
            if not self.filter.wants(channel, parent, grand):
                return
            await self._ensure_guild(int(gid))
            await self._write(self._store_channels, [c for c in (parent, channel) if c], int(gid))
        payload = {k: v for k, v in message.items() if k not in ("guild_id", "member")}
        self.stored += await self._write(self._store_messages, [payload])

    # ------------------------------------------------------------------ helpers
    def _guild_wanted(self, gid: int) -> bool:
        guild = self.client.get_guild(gid)
        return self.filter.guild(gid, guild.name if guild else "")

    async def _ensure_guild(self, gid: int) -> None:
        if gid in self._guilds:
            return
        if not await self._write(self._guild_stored, gid):
            await self._write(self._store_guild, await self.reader.guild(gid))
        self._guilds.add(gid)

    async def _channel_payload(self, cid: Any) -> Payload | None:
        if cid is None:
            return None
        try:
            return await self.reader.channel(int(cid))
        except discord.HTTPException:
            return None

    async def _write(self, fn: Any, *args: Any) -> Any:
        async with self._db:
            return await asyncio.to_thread(fn, *args)

    def _is_stored(self, cid: int) -> bool:
        with session_scope(self.engine) as s:
            found = s.scalar(select(DiscordChannel.id).where(DiscordChannel.id == cid)) is not None
        if found:
            self._known.add(cid)
        return found

    def _guild_stored(self, gid: int) -> bool:
        with session_scope(self.engine) as s:
            return s.get(DiscordGuild, gid) is not None

    def _store_guild(self, guild: Payload) -> None:
        with session_scope(self.engine) as s:
            upsert_guild(s, guild)
        self._guilds.add(int(guild["id"]))

    def _store_channels(self, channels: list[Payload], gid: int) -> None:
        with session_scope(self.engine) as s:
            upsert_channels(s, channels, guild_id=gid)
        self._known.update(int(c["id"]) for c in channels)

    def _store_messages(self, messages: list[Payload]) -> int:
        with session_scope(self.engine) as s:
            return upsert_messages(s, messages, default_repo=self.default_repo)
