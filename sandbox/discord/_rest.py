"""REST handlers of the Discord sandbox: each returns (status, JSON body) or raises `ApiError`,
answering as Discord does (error codes from https://discord.com/developers/docs/topics/opcodes-and-status-codes)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, web

from config.clock import parse_utc
from sandbox.discord._limits import check_message_body
from sandbox.discord._store import (
    APPLICATION_ID,
    BOT_PERMISSIONS,
    FLAG_EPHEMERAL,
    FLAG_LOADING,
    GUILD_ANNOUNCEMENT,
    GUILD_TEXT,
    MESSAGEABLE_TYPES,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    Interaction,
    Payload,
    _iso,
)

if TYPE_CHECKING:
    from sandbox.discord.server import DiscordSandbox


class ApiError(Exception):
    """An error answered as Discord does: JSON {"message", "code"} with an HTTP status."""

    def __init__(self, status: int, message: str, code: int = 0, errors: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"message": message, "code": code}
        if errors:
            self.body["errors"] = errors


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
    """Content-Type exactly `application/json`: discord.py parses JSON only on that exact value."""
    if status == 204:
        return web.Response(status=204, headers=headers)
    raw = json.dumps(body, separators=(",", ":")).encode()
    return web.Response(status=status, body=raw, headers={**(headers or {}), "Content-Type": "application/json"})


@dataclass
class Upload:
    """A file the bot attached (to a message, interaction response or follow-up)."""

    filename: str
    content_type: str | None
    data: bytes
    message_id: str | None = None


@dataclass
class _Body:
    json: Any
    files: list[Upload]


body_key: web.RequestKey[_Body] = web.RequestKey("discord_body", _Body)


def _snowflake_arg(value: str | None, name: str) -> int | None:
    if value is None:
        return None
    if not value.isdigit():
        raise ApiError(
            400,
            "Invalid Form Body",
            50035,
            {name: {"_errors": [{"code": "NUMBER_TYPE_COERCE", "message": f'Value "{value}" is not snowflake.'}]}},
        )
    return int(value)


async def read_body(request: web.Request) -> _Body:
    ctype = request.content_type
    if ctype.startswith("multipart/"):
        payload: Any = {}
        files: list[Upload] = []
        reader = await request.multipart()
        async for part in reader:
            if part is None:
                break
            if not isinstance(part, BodyPartReader):  # a nested multipart: no Discord client sends one
                raise ApiError(400, "Invalid Form Body", 50035)
            name = part.name or ""
            if name == "payload_json":
                try:
                    payload = json.loads(await part.text())
                except ValueError as exc:
                    raise ApiError(400, "Invalid Form Body", 50035, {"payload_json": {"_errors": [
                        {"code": "JSON_DECODE", "message": "Invalid JSON"}]}}) from exc
            elif part.filename is not None:
                data = await part.read()
                files.append(Upload(part.filename, part.headers.get("Content-Type"), bytes(data)))
        return _Body(payload, files)
    raw = await request.read()
    if not raw:
        return _Body(None, [])
    try:
        return _Body(json.loads(raw), [])
    except ValueError as exc:
        raise ApiError(400, "400: Bad Request", 50109) from exc


Handler = Callable[[web.Request], Awaitable[tuple[int, Any]]]


class RestRoutes:
    """REST handlers; each returns (status, JSON body) and raises ApiError like Discord answers."""

    def __init__(self, sb: DiscordSandbox) -> None:
        self.sb = sb
        self.s = sb.store

    # ------------------------------------------------------------------ helpers
    def _guild(self, request: web.Request) -> None:
        gid = request.match_info["guild_id"]
        if not gid.isdigit() or int(gid) != self.s.guild_id:
            raise ApiError(404, "Unknown Guild", 10004)

    def _channel(self, request: web.Request) -> int:
        cid = request.match_info["channel_id"]
        if not cid.isdigit() or int(cid) not in self.s.channels:
            raise ApiError(404, "Unknown Channel", 10003)
        return int(cid)

    def _app(self, request: web.Request) -> None:
        app_id = request.match_info.get("application_id") or request.match_info.get("webhook_id")
        if app_id != str(APPLICATION_ID):
            raise ApiError(404, "Unknown Application", 10002)

    @staticmethod
    def _body(request: web.Request) -> _Body:
        return request.get(body_key) or _Body(None, [])

    # ------------------------------------------------------------------ identity
    async def me(self, request: web.Request) -> tuple[int, Any]:
        return 200, {**self.s.bot_user, "mfa_enabled": False, "locale": "en-US", "verified": True, "email": None}

    async def user(self, request: web.Request) -> tuple[int, Any]:
        uid = request.match_info["user_id"]
        if not uid.isdigit() or int(uid) not in self.s.users:
            raise ApiError(404, "Unknown User", 10013)
        return 200, self.s.users[int(uid)]

    async def application(self, request: web.Request) -> tuple[int, Any]:
        return 200, self.s.application

    async def gateway(self, request: web.Request) -> tuple[int, Any]:
        return 200, {"url": f"ws://{request.host}/gateway"}

    async def gateway_bot(self, request: web.Request) -> tuple[int, Any]:
        return 200, {"url": f"ws://{request.host}/gateway", "shards": 1,
                     "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 14_400_000,
                                             "max_concurrency": 1}}

    # ------------------------------------------------------------------ guild
    async def my_guilds(self, request: web.Request) -> tuple[int, Any]:
        g = self.s.guild_payload()
        return 200, [{"id": g["id"], "name": g["name"], "icon": g["icon"], "banner": g["banner"], "owner": False,
                      "permissions": str(BOT_PERMISSIONS), "features": g["features"],
                      "approximate_member_count": len(self.s.members()), "approximate_presence_count": 0}]

    async def guild(self, request: web.Request) -> tuple[int, Any]:
        self._guild(request)
        g = self.s.guild_payload()
        if request.query.get("with_counts", "").lower() in ("true", "1"):
            g["approximate_member_count"] = len(self.s.members())
            g["approximate_presence_count"] = 0
        return 200, g

    async def guild_channels(self, request: web.Request) -> tuple[int, Any]:
        self._guild(request)
        return 200, [self.s.channel_payload(c) for c in self.s.guild_channels()]

    async def active_threads(self, request: web.Request) -> tuple[int, Any]:
        self._guild(request)
        return 200, {"threads": [self.s.channel_payload(t) for t in self.s.active_threads()], "members": [],
                     "has_more": False}

    async def roles(self, request: web.Request) -> tuple[int, Any]:
        self._guild(request)
        return 200, self.s.roles

    async def members(self, request: web.Request) -> tuple[int, Any]:
        self._guild(request)
        limit = int(request.query.get("limit", "1"))
        after = int(request.query.get("after", "0") or 0)
        members = sorted(self.s.members(), key=lambda m: int(m["user"]["id"]))
        return 200, [m for m in members if int(m["user"]["id"]) > after][: max(1, min(limit, 1000))]

    async def member(self, request: web.Request) -> tuple[int, Any]:
        self._guild(request)
        uid = request.match_info["user_id"]
        for m in self.s.members():
            if m["user"]["id"] == uid:
                return 200, m
        raise ApiError(404, "Unknown Member", 10007)

    # ------------------------------------------------------------------ channels and messages
    async def channel(self, request: web.Request) -> tuple[int, Any]:
        return 200, self.s.channel_payload(self._channel(request))

    async def messages(self, request: web.Request) -> tuple[int, Any]:
        cid = self._channel(request)
        if int(self.s.channels[cid].get("type", 0)) not in MESSAGEABLE_TYPES:
            raise ApiError(400, "Cannot execute action on this channel type", 50024)
        q = request.query
        raw_limit = q.get("limit", "50")
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 100:
            raise ApiError(400, "Invalid Form Body", 50035, {"limit": {"_errors": [
                {"code": "NUMBER_TYPE_MAX", "message": "int value should be less than or equal to 100."}]}})
        limit = int(raw_limit)
        before = _snowflake_arg(q.get("before"), "before")
        after = _snowflake_arg(q.get("after"), "after")
        around = _snowflake_arg(q.get("around"), "around")
        # Discord takes one cursor; when several are sent, `around` wins, then `before`, then `after`.
        if around is not None:
            return 200, self.s.page(cid, limit=limit, around=around)
        if before is not None:
            return 200, self.s.page(cid, limit=limit, before=before)
        return 200, self.s.page(cid, limit=limit, after=after)

    async def message(self, request: web.Request) -> tuple[int, Any]:
        cid = self._channel(request)
        mid = request.match_info["message_id"]
        msg = self.s.message(cid, int(mid)) if mid.isdigit() else None
        if msg is None:
            raise ApiError(404, "Unknown Message", 10008)
        return 200, msg

    async def create_message(self, request: web.Request) -> tuple[int, Any]:
        cid = self._channel(request)
        if int(self.s.channels[cid].get("type", 0)) not in MESSAGEABLE_TYPES:
            raise ApiError(400, "Cannot send messages in this type of channel", 50008)
        body = self._body(request)
        payload = body.json if isinstance(body.json, dict) else {}
        check_message_body(payload, [(f.filename, len(f.data)) for f in body.files])
        msg = self.sb._bot_message(cid, payload, body.files)
        return 200, await self.sb._publish(msg)

    async def thread_from_message(self, request: web.Request) -> tuple[int, Any]:
        """POST /channels/{channel_id}/messages/{message_id}/threads (create_thread_from_message): a
        public thread whose id is the message's, THREAD_CREATE to the gateway, 201 with the thread."""
        cid = self._channel(request)
        ctype = int(self.s.channels[cid].get("type", 0))
        if ctype not in (GUILD_TEXT, GUILD_ANNOUNCEMENT):
            raise ApiError(400, "Cannot execute action on this channel type", 50024)
        mid = request.match_info["message_id"]
        msg = self.s.message(cid, int(mid)) if mid.isdigit() else None
        if msg is None:
            raise ApiError(404, "Unknown Message", 10008)
        if int(mid) in self.s.channels:
            raise ApiError(400, "A thread has already been created for this message", 160004)
        body = self._body(request).json
        body = body if isinstance(body, dict) else {}
        errors: dict[str, Any] = {}
        name = body.get("name")
        if not isinstance(name, str) or not 1 <= len(name.strip()) <= 100:
            errors["name"] = {"_errors": [{"code": "BASE_TYPE_BAD_LENGTH",
                                           "message": "Must be between 1 and 100 in length."}]}
        archive = body.get("auto_archive_duration")
        if archive is not None and archive not in (60, 1440, 4320, 10080):
            errors["auto_archive_duration"] = {"_errors": [{
                "code": "BASE_TYPE_CHOICES", "message": "Value must be one of {60, 1440, 4320, 10080}."}]}
        slowmode = body.get("rate_limit_per_user")
        if slowmode is not None and (not isinstance(slowmode, int) or not 0 <= slowmode <= 21600):
            errors["rate_limit_per_user"] = {"_errors": [{
                "code": "NUMBER_TYPE_MAX", "message": "int value should be less than or equal to 21600."}]}
        if errors:
            raise ApiError(400, "Invalid Form Body", 50035, errors)
        tid = await self.sb.open_thread(cid, int(mid), str(name).strip(), archive or 1440, slowmode or 0)
        return 201, tid

    def _archived(self, request: web.Request, types: tuple[int, ...]) -> tuple[int, Any]:
        cid = self._channel(request)
        before_raw = request.query.get("before")
        before: datetime | None = None
        if before_raw:
            try:
                before = parse_utc(before_raw)
            except ValueError as exc:
                raise ApiError(400, "Invalid Form Body", 50035, {"before": {"_errors": [
                    {"code": "DATE_TYPE_PARSE", "message": "Could not parse date."}]}}) from exc
        raw_limit = request.query.get("limit", "50")
        limit = max(2, min(int(raw_limit) if raw_limit.isdigit() else 50, 100))
        threads = []
        for t in self.s.threads():
            c = self.s.channels[t]
            if self.s.parent_of(t) != cid or int(c.get("type", 0)) not in types or not self.s.is_archived(t):
                continue
            payload = self.s.channel_payload(t)
            at = parse_utc(payload["thread_metadata"]["archive_timestamp"])
            if before is None or at < before:
                threads.append((at, t, payload))
        threads.sort(key=lambda x: (x[0], x[1]), reverse=True)
        page = [p for _, _, p in threads[:limit]]
        return 200, {"threads": page, "members": [], "has_more": len(threads) > limit}

    async def archived_public(self, request: web.Request) -> tuple[int, Any]:
        return self._archived(request, (10, PUBLIC_THREAD))

    async def archived_private(self, request: web.Request) -> tuple[int, Any]:
        return self._archived(request, (PRIVATE_THREAD,))

    async def joined_archived_private(self, request: web.Request) -> tuple[int, Any]:
        self._channel(request)
        return 200, {"threads": [], "members": [], "has_more": False}

    async def attachment(self, request: web.Request) -> web.StreamResponse:
        up = self.sb._attachments.get(request.match_info["attachment_id"])
        if up is None or up.filename != request.match_info["filename"]:
            raise web.HTTPNotFound()
        return web.Response(body=up.data, headers={"Content-Type": up.content_type or "application/octet-stream"})

    # ------------------------------------------------------------------ application commands
    _NAME = re.compile(r"^[-_\w]{1,32}$")

    def _check_command(self, c: Any, index: int | None) -> None:
        where = [str(index)] if index is not None else []
        errors: dict[str, Any] = {}

        def bad(path: list[str], code: str, message: str) -> None:
            node = errors
            for key in where + path[:-1]:
                node = node.setdefault(key, {})
            node[path[-1]] = {"_errors": [{"code": code, "message": message}]}

        if not isinstance(c, dict) or not isinstance(c.get("name"), str):
            bad(["name"], "BASE_TYPE_REQUIRED", "This field is required")
        else:
            ctype = int(c.get("type", 1))
            if not self._NAME.match(c["name"]) or (ctype == 1 and c["name"] != c["name"].lower()):
                bad(["name"], "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
            desc = c.get("description") or ""
            if ctype == 1 and not 1 <= len(desc) <= 100:
                bad(["description"], "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
            opts = c.get("options") or []
            if len(opts) > 25:
                bad(["options"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
            for j, o in enumerate(opts):
                if not 1 <= len(o.get("description") or "") <= 100:
                    bad(
                        ["options", str(j), "description"],
                        "BASE_TYPE_BAD_LENGTH",
                        "Must be between 1 and 100 in length.",
                    )
                if len(o.get("choices") or []) > 25:
                    bad(["options", str(j), "choices"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        if errors:
            raise ApiError(400, "Invalid Form Body", 50035, errors)

    def _command(self, c: Payload, guild_id: int | None, existing: list[Payload]) -> Payload:
        same = next(
            (e for e in existing if e["name"] == c["name"] and int(e.get("type", 1)) == int(c.get("type", 1))), None
        )
        out = {
            "id": same["id"] if same else str(self.s.new_id()), "application_id": str(APPLICATION_ID),
            "version": str(self.s.new_id()), "default_member_permissions": c.get("default_member_permissions"),
            "type": int(c.get("type", 1)), "name": c["name"], "description": c.get("description") or "",
            "dm_permission": c.get("dm_permission", True), "nsfw": bool(c.get("nsfw", False)),
            "options": c.get("options") or [],
            "contexts": c.get("contexts"), "integration_types": c.get("integration_types") or [0],
            "name_localizations": c.get("name_localizations"),
            "description_localizations": c.get("description_localizations"),
        }
        if guild_id is not None:
            out["guild_id"] = str(guild_id)
        return out

    def _scope(self, request: web.Request) -> int | None:
        self._app(request)
        if "guild_id" in request.match_info:
            self._guild(request)
            return self.s.guild_id
        return None

    async def list_commands(self, request: web.Request) -> tuple[int, Any]:
        return 200, self.s.commands(self._scope(request))

    async def overwrite_commands(self, request: web.Request) -> tuple[int, Any]:
        gid = self._scope(request)
        body = self._body(request).json
        if not isinstance(body, list):
            raise ApiError(
                400,
                "Invalid Form Body",
                50035,
                {"_errors": [{"code": "LIST_TYPE_CONVERT", "message": "Must be an array."}]},
            )
        if len(body) > 100:
            raise ApiError(
                400,
                "Invalid Form Body",
                50035,
                {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 100 or fewer in length."}]},
            )
        for i, c in enumerate(body):
            self._check_command(c, i)
        existing = self.s.commands(gid)
        new = [self._command(c, gid, existing) for c in body]
        if gid is None:
            self.s.global_commands = new
        else:
            self.s.guild_commands[gid] = new
        return 200, new

    async def create_command(self, request: web.Request) -> tuple[int, Any]:
        gid = self._scope(request)
        c = self._body(request).json
        self._check_command(c, None)
        existing = self.s.commands(gid)
        cmd = self._command(c, gid, existing)
        kept = [e for e in existing if e["id"] != cmd["id"]] + [cmd]
        if gid is None:
            self.s.global_commands = kept
        else:
            self.s.guild_commands[gid] = kept
        return (200 if len(kept) == len(existing) else 201), cmd

    # ------------------------------------------------------------------ interactions
    def _interaction(self, request: web.Request, *, by_webhook: bool = False) -> Interaction:
        if by_webhook:
            self._app(request)
            token = request.match_info["webhook_token"]
            inter = next((i for i in self.s.interactions.values() if i.token == token), None)
            if inter is None:
                raise ApiError(404, "Unknown Webhook", 10015)
            return inter
        iid = request.match_info["interaction_id"]
        inter = self.s.interactions.get(int(iid)) if iid.isdigit() else None
        if inter is None or inter.token != request.match_info["interaction_token"]:
            raise ApiError(404, "Unknown interaction", 10062)
        return inter

    async def interaction_callback(self, request: web.Request) -> tuple[int, Any]:
        inter = self._interaction(request)
        body = self._body(request)
        cb = body.json if isinstance(body.json, dict) else {}
        elapsed = time.monotonic() - inter.created
        if inter.callback is not None:
            raise ApiError(400, "Interaction has already been acknowledged.", 40060)
        if elapsed > self.sb.interaction_deadline:
            inter.callback_after = round(elapsed, 3)
            raise ApiError(404, "Unknown interaction", 10062)
        ctype = cb.get("type")
        data = cb.get("data") or {}
        cid = int(inter.payload["channel_id"])
        if ctype not in (1, 4, 5, 6, 7, 8, 9):
            raise ApiError(400, "Invalid Form Body", 50035, {"type": {"_errors": [
                {"code": "ENUM_TYPE_COERCE", "message": f"Value \"{ctype}\" is not a valid enum value."}]}})
        if ctype == 8:
            if len(data.get("choices") or []) > 25:
                raise ApiError(400, "Invalid Form Body", 50035, {"data": {"choices": {"_errors": [
                    {"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 25 or fewer in length."}]}}})
        if ctype == 4:
            check_message_body(data, [(f.filename, len(f.data)) for f in body.files])
        if ctype in (6, 7) and not inter.payload.get("message"):
            raise ApiError(400, "Interaction callback type not valid for this interaction", 40060)
        if ctype == 7:
            check_message_body(data, [(f.filename, len(f.data)) for f in body.files], require_content=False)
        inter.callback = cb
        inter.callback_after = round(elapsed, 3)
        inter.files = [f.filename for f in body.files]
        resource: Payload | None = None
        if ctype in (4, 5):
            flags = int(data.get("flags") or 0) & FLAG_EPHEMERAL
            if ctype == 5:
                flags |= FLAG_LOADING
            msg = self.sb._bot_message(cid, data if ctype == 4 else {}, body.files, interaction=inter,
                                       message_type=20, flags=flags)
            msg = await self.sb._publish(msg)
            inter.original = msg
            if ctype == 4:  # a deferred answer has no resource yet (only the loading message's id)
                resource = {"type": ctype, "message": msg}
        if ctype == 7:  # UPDATE_MESSAGE: the message whose component was pressed, edited in place
            target = inter.payload["message"]
            fresh = self.sb._bot_message(int(target["channel_id"]), dict(data), body.files)
            edited = dict(target)
            for key in ("content", "embeds", "components"):
                if key in data:
                    edited[key] = fresh[key]
            edited["edited_timestamp"] = _iso(self.s.clock())
            inter.original = edited
            inter.edits.append(dict(data))
            if not int(edited.get("flags") or 0) & FLAG_EPHEMERAL and self.s.message(int(edited["channel_id"]),
                                                                                    int(edited["id"])):
                self.s.add_message(edited)
            resource = {"type": ctype, "message": edited}
        if request.query.get("with_response", "").lower() not in ("1", "true"):
            return 204, None
        summary: Payload = {"id": str(inter.id), "type": inter.payload["type"]}
        if inter.original is not None:
            flags = int(inter.original.get("flags") or 0)
            summary.update(
                response_message_id=inter.original["id"],
                response_message_loading=bool(flags & FLAG_LOADING),
                response_message_ephemeral=bool(flags & FLAG_EPHEMERAL),
            )
        out: Payload = {"interaction": summary}
        if resource is not None:
            out["resource"] = resource
        return 200, out

    async def followup(self, request: web.Request) -> tuple[int, Any]:
        inter = self._interaction(request, by_webhook=True)
        if inter.callback is None:
            raise ApiError(404, "Unknown Webhook", 10015)
        body = self._body(request)
        payload = body.json if isinstance(body.json, dict) else {}
        check_message_body(payload, [(f.filename, len(f.data)) for f in body.files])
        cid = int(inter.payload["channel_id"])
        msg = self.sb._bot_message(cid, payload, body.files, interaction=inter)
        msg = await self.sb._publish(msg)
        inter.followups.append({**msg, "files": [f.filename for f in body.files]})
        if request.query.get("wait", "").lower() in ("1", "true"):
            return 200, msg
        return 204, None

    def _webhook_message(self, inter: Interaction, mid: str) -> Payload:
        if mid == "@original":
            if inter.original is None:
                raise ApiError(404, "Unknown Message", 10008)
            return inter.original
        for f in inter.followups:
            if f["id"] == mid:
                return f
        raise ApiError(404, "Unknown Message", 10008)

    async def get_webhook_message(self, request: web.Request) -> tuple[int, Any]:
        inter = self._interaction(request, by_webhook=True)
        msg = self._webhook_message(inter, request.match_info["message_id"])
        return 200, {k: v for k, v in msg.items() if k != "files"}

    async def edit_webhook_message(self, request: web.Request) -> tuple[int, Any]:
        inter = self._interaction(request, by_webhook=True)
        mid = request.match_info["message_id"]
        msg = self._webhook_message(inter, mid)
        body = self._body(request)
        payload = body.json if isinstance(body.json, dict) else {}
        check_message_body(payload, [(f.filename, len(f.data)) for f in body.files], require_content=False)
        fresh = self.sb._bot_message(int(msg["channel_id"]), {**payload}, body.files, interaction=inter)
        edited = dict(msg)
        for key in ("content", "embeds", "components"):
            if key in payload:
                edited[key] = fresh[key]
        if "content" in payload or "allowed_mentions" in payload:
            edited.update({k: fresh[k] for k in ("mentions", "mention_roles", "mention_everyone")})
        if body.files or "attachments" in payload:
            kept_ids = {str(a.get("id")) for a in payload.get("attachments") or []}
            edited["attachments"] = [a for a in msg.get("attachments", []) if a["id"] in kept_ids] + fresh[
                "attachments"
            ]
        edited["flags"] = int(msg.get("flags") or 0) & ~FLAG_LOADING
        edited["edited_timestamp"] = _iso(self.s.clock())
        if mid == "@original":
            inter.original = edited
        else:
            inter.followups = [edited if f["id"] == mid else f for f in inter.followups]
        inter.edits.append({**payload, "files": [f.filename for f in body.files]})
        if not int(edited["flags"]) & FLAG_EPHEMERAL and self.s.message(int(edited["channel_id"]), int(edited["id"])):
            self.s.add_message({k: v for k, v in edited.items() if k != "files"})
        return 200, {k: v for k, v in edited.items() if k != "files"}

    async def delete_webhook_message(self, request: web.Request) -> tuple[int, Any]:
        inter = self._interaction(request, by_webhook=True)
        self._webhook_message(inter, request.match_info["message_id"])
        return 204, None
