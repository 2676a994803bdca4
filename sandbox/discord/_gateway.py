"""The gateway websocket: HELLO, heartbeats and ACKs, IDENTIFY -> READY + GUILD_CREATE, dispatches,
and RESUME after a dropped connection with replay of what the session missed.

Frames go out as JSON text (discord.py only decompresses binary frames, so `compress=` in the
connect URL can be ignored). Opcodes: https://discord.com/developers/docs/topics/opcodes-and-status-codes
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from sandbox.discord._store import APPLICATION_ID, DiscordStore

log = logging.getLogger(__name__)

OP_DISPATCH, OP_HEARTBEAT, OP_IDENTIFY, OP_PRESENCE, OP_VOICE, OP_RESUME = 0, 1, 2, 3, 4, 6
OP_RECONNECT, OP_REQUEST_MEMBERS, OP_INVALID_SESSION, OP_HELLO, OP_HEARTBEAT_ACK = 7, 8, 9, 10, 11

INTENT_GUILDS = 1 << 0
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_MESSAGE_CONTENT = 1 << 15

BUFFER_EVENTS = 20_000   # per session, for RESUME replay
MAX_SESSIONS = 64


@dataclass
class Session:
    id: str
    intents: int
    shard: list[int] | None
    seq: int = 0
    buffer: deque[tuple[int, dict[str, Any]]] = field(default_factory=lambda: deque(maxlen=BUFFER_EVENTS))
    ws: web.WebSocketResponse | None = None
    request: web.Request | None = None
    resumes: int = 0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # keeps frames in sequence order

    def frame(self, event: str, data: Any) -> dict[str, Any]:
        self.seq += 1
        frame = {"op": OP_DISPATCH, "t": event, "s": self.seq, "d": data}
        self.buffer.append((self.seq, frame))
        return frame


class Gateway:
    """All gateway sessions of one sandbox. `dispatch` fans an event out to every identified session;
    a session whose socket is gone keeps buffering until it resumes."""

    def __init__(self, store: DiscordStore, *, heartbeat_interval_ms: int = 41250, token: str | None = None,
                 record: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.store = store
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.token = token
        self.record = record or (lambda entry: None)
        self.sessions: OrderedDict[str, Session] = OrderedDict()
        self.connects = 0
        self.identifies = 0
        self.resumes = 0
        self._changed = asyncio.Condition()

    # ------------------------------------------------------------------ fan-out
    def _visible(self, session: Session, event: str, data: dict[str, Any]) -> dict[str, Any] | None:
        """What a session with these intents gets of an event (None: nothing)."""
        if (
            event in ("GUILD_CREATE", "THREAD_CREATE", "THREAD_UPDATE", "CHANNEL_CREATE")
            and not session.intents & INTENT_GUILDS
        ):
            return None
        if event == "MESSAGE_CREATE":
            if data.get("guild_id") and not session.intents & INTENT_GUILD_MESSAGES:
                return None
            mentions_bot = any(str(u.get("id")) == str(APPLICATION_ID) for u in data.get("mentions") or [])
            by_bot = str((data.get("author") or {}).get("id")) == str(APPLICATION_ID)
            if not session.intents & INTENT_MESSAGE_CONTENT and not (mentions_bot or by_bot):
                # Without the privileged intent Discord blanks these (message content intent, 2022).
                data = {**data, "content": "", "embeds": [], "attachments": [], "components": []}
        return data

    async def dispatch(self, event: str, data: dict[str, Any]) -> int:
        """Send an event to every identified session; returns how many sockets it went out on now."""
        sent = 0
        for session in list(self.sessions.values()):
            payload = self._visible(session, event, data)
            if payload is None:
                continue
            async with session.lock:
                frame = session.frame(event, payload)
                if session.ws is not None and not session.ws.closed:
                    try:
                        await session.ws.send_str(json.dumps(frame))
                        sent += 1
                    except (ConnectionError, RuntimeError):
                        log.debug("session %s: send failed, kept for resume", session.id)
        return sent

    async def drop(self, code: int = 4000, *, abort: bool = False) -> int:
        """Cut every live gateway connection (sessions stay resumable); returns how many were cut."""
        n = 0
        for session in list(self.sessions.values()):
            ws, req = session.ws, session.request
            if ws is None or ws.closed:
                continue
            session.ws = None
            n += 1
            if abort and req is not None and req.transport is not None:
                req.transport.abort()
            else:
                await ws.close(code=code, message=b"sandbox: connection dropped")
        return n

    async def wait_for(self, predicate: Callable[[Gateway], bool], timeout: float = 10.0) -> None:
        """Wait until `predicate(gateway)` holds (e.g. a session identified or resumed)."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: predicate(self)), timeout)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    @property
    def live_sessions(self) -> int:
        return sum(1 for s in self.sessions.values() if s.ws is not None and not s.ws.closed)

    # ------------------------------------------------------------------ one connection
    async def handle(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=16 * 1024 * 1024)
        await ws.prepare(request)
        self.connects += 1
        self.record({"method": "WS", "path": request.path, "query": request.query_string, "status": 101, "op": None})
        await ws.send_str(json.dumps({"op": OP_HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms},
                                      "s": None, "t": None}))
        session: Session | None = None
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    if msg.type == WSMsgType.BINARY:
                        await ws.close(code=4002, message=b"Error while decoding payload.")
                    break
                try:
                    frame = json.loads(msg.data)
                    op = frame["op"]
                except (ValueError, KeyError, TypeError):
                    await ws.close(code=4002, message=b"Error while decoding payload.")
                    break
                d = frame.get("d")
                entry = {"method": "WS", "path": request.path, "query": "", "status": None, "op": op}
                if op == OP_IDENTIFY and isinstance(d, dict):
                    entry["body"] = {k: v for k, v in d.items() if k != "token"}
                elif op == OP_RESUME and isinstance(d, dict):
                    entry["body"] = {k: v for k, v in d.items() if k != "token"}
                self.record(entry)
                if op == OP_HEARTBEAT:
                    await ws.send_str(json.dumps({"op": OP_HEARTBEAT_ACK, "d": None, "s": None, "t": None}))
                elif op == OP_IDENTIFY:
                    if session is not None:
                        await ws.close(code=4005, message=b"Already authenticated.")
                        break
                    session = await self._identify(ws, request, d if isinstance(d, dict) else {})
                    if session is None:
                        break
                elif op == OP_RESUME:
                    session = await self._resume(ws, request, d if isinstance(d, dict) else {})
                elif op == OP_REQUEST_MEMBERS and session is not None:
                    await self._members_chunk(ws, session, d if isinstance(d, dict) else {})
                elif op in (OP_PRESENCE, OP_VOICE):
                    continue
                elif session is None:
                    await ws.close(code=4003, message=b"Not authenticated.")
                    break
                else:
                    await ws.close(code=4001, message=b"Unknown opcode.")
                    break
        finally:
            if session is not None and session.ws is ws:
                session.ws = None
                session.request = None
            await self._notify()
        return ws

    def _token_ok(self, token: Any) -> bool:
        if not isinstance(token, str) or not token:
            return False
        return self.token is None or token.removeprefix("Bot ") == self.token

    async def _identify(self, ws: web.WebSocketResponse, request: web.Request, d: dict[str, Any]) -> Session | None:
        if not self._token_ok(d.get("token")):
            await ws.close(code=4004, message=b"Authentication failed.")
            return None
        if not isinstance(d.get("intents"), int):
            await ws.close(code=4013, message=b"Invalid intent(s).")
            return None
        shard = d.get("shard") if isinstance(d.get("shard"), list) else None
        session = Session(id=secrets.token_hex(16), intents=d["intents"], shard=shard, ws=ws, request=request)
        self.identifies += 1
        ready = {
            "v": 10, "user": {**self.store.bot_user, "verified": True, "mfa_enabled": False, "email": None},
            "guilds": [{"id": str(self.store.guild_id), "unavailable": True}],
            "session_id": session.id, "session_type": "normal",
            "resume_gateway_url": f"ws://{request.host}{request.path}",
            "application": {"id": str(APPLICATION_ID), "flags": self.store.application["flags"]},
            "private_channels": [], "relationships": [], "presences": [], "geo_ordered_rtc_regions": [],
            "guild_join_requests": [], "user_settings": {}, "_trace": ["oss-scout-sandbox"],
        }
        if shard is not None:
            ready["shard"] = shard
        async with session.lock:
            while len(self.sessions) >= MAX_SESSIONS:
                self.sessions.popitem(last=False)
            self.sessions[session.id] = session
            await ws.send_str(json.dumps(session.frame("READY", ready)))
            if session.intents & INTENT_GUILDS:
                await ws.send_str(json.dumps(session.frame("GUILD_CREATE", self.store.guild_create())))
        await self._notify()
        return session

    async def _resume(self, ws: web.WebSocketResponse, request: web.Request, d: dict[str, Any]) -> Session | None:
        session = self.sessions.get(str(d.get("session_id")))
        seq = d.get("seq")
        oldest = session.buffer[0][0] if session and session.buffer else None
        if (session is None or not self._token_ok(d.get("token")) or not isinstance(seq, int)
                or (oldest is not None and seq < oldest - 1)):
            await ws.send_str(json.dumps({"op": OP_INVALID_SESSION, "d": False, "s": None, "t": None}))
            return None
        if session.ws is not None and not session.ws.closed and session.ws is not ws:
            await session.ws.close(code=4000, message=b"Session resumed elsewhere.")
        async with session.lock:
            session.ws, session.request = ws, request
            missed = [frame for s, frame in session.buffer if s > seq]
            for frame in missed:
                await ws.send_str(json.dumps(frame))
            await ws.send_str(json.dumps(session.frame("RESUMED", {"_trace": ["oss-scout-sandbox"]})))
        session.resumes += 1
        self.resumes += 1
        log.debug("session %s resumed from seq %s, replayed %d", session.id, seq, len(missed))
        await self._notify()
        return session

    async def _members_chunk(self, ws: web.WebSocketResponse, session: Session, d: dict[str, Any]) -> None:
        members = self.store.members()
        wanted = {str(u) for u in d.get("user_ids") or []}
        if wanted:
            members = [m for m in members if m["user"]["id"] in wanted]
        query = d.get("query")
        if query:
            members = [m for m in members if m["user"]["username"].lower().startswith(str(query).lower())]
        if d.get("limit"):
            members = members[: int(d["limit"])]
        chunk = {"guild_id": str(self.store.guild_id), "members": members, "chunk_index": 0, "chunk_count": 1,
                 "not_found": [], "presences": []}
        if d.get("nonce") is not None:
            chunk["nonce"] = d["nonce"]
        async with session.lock:
            await ws.send_str(json.dumps(session.frame("GUILD_MEMBERS_CHUNK", chunk)))
