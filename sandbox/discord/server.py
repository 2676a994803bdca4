"""A loopback Discord: REST under `/api/v10` and the gateway at `/gateway`, serving a dataset's
`discord/` part so that discord.py runs unchanged against it (only `Route.BASE` and the gateway URL
differ). It records every request the bot makes and lets a test or script inject messages and
slash-command invocations, drop gateway connections and force rate limits.

Python API: `DiscordSandbox` (`inject_message`, `inject_interaction`, `inject_thread`, `add_role`,
`drop_connections`, `rate_limits.force`, `requests`, `posted`). HTTP control endpoints for scripts
live under `/_sandbox/` (see `_control.py`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO, cast

from aiohttp import web

from sandbox.discord._control import control_routes
from sandbox.discord._gateway import Gateway
from sandbox.discord._limits import FormError, resolve_mentions
from sandbox.discord._ratelimit import RateLimits
from sandbox.discord._rest import ApiError, RestRoutes, Upload, body_key, json_response, read_body
from sandbox.discord._store import (
    ANNOUNCEMENT_THREAD,
    APPLICATION_ID,
    BOT_PERMISSIONS,
    FLAG_EPHEMERAL,
    GUILD_ANNOUNCEMENT,
    GUILD_FORUM,
    GUILD_MEDIA,
    MESSAGEABLE_TYPES,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    DiscordStore,
    Interaction,
    Payload,
    _iso,
    complete_role,
    complete_user,
)

log = logging.getLogger(__name__)

API = "/api/v10"
INTERACTION_DEADLINE_S = 3.0
_TOKEN_IN_PATH = re.compile(r"^(/api/v\d+/(?:webhooks|interactions)/\d+/)([^/]+)")

sandbox_key: web.AppKey[DiscordSandbox] = web.AppKey("discord_sandbox")


class DiscordSandbox:
    """One sandboxed guild. Build with a dataset dir (or a `DiscordStore`), then `await start()`."""

    def __init__(self, dataset_dir: Path | str | None = None, *, store: DiscordStore | None = None,
                 request_log: Path | str | None = None, token: str | None = None,
                 rate_limits: RateLimits | None = None, interaction_deadline: float = INTERACTION_DEADLINE_S,
                 heartbeat_interval_ms: int = 41250, latency_ms: float = 0.0) -> None:
        if store is None:
            if dataset_dir is None:
                raise ValueError("DiscordSandbox needs a dataset_dir or a store")
            store = DiscordStore.from_dataset(dataset_dir)
        self.store = store
        self.token = token
        self.rate_limits = rate_limits or RateLimits()
        self.interaction_deadline = interaction_deadline
        self.latency_ms = latency_ms
        self.requests: list[dict[str, Any]] = []
        self.uploads: list[Upload] = []
        self._attachments: dict[str, Upload] = {}
        self._log_path = Path(request_log) if request_log else None
        self._log_file: TextIO | None = None
        self.gateway = Gateway(store, heartbeat_interval_ms=heartbeat_interval_ms, token=token, record=self._record)
        self.app = make_app(self)
        self.runner: web.AppRunner | None = None
        self.host = "127.0.0.1"
        self.port = 0

    # ------------------------------------------------------------------ lifecycle
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> DiscordSandbox:
        """Listen on host:port (0 picks a free port); returns self with `api_url`/`gateway_url` set."""
        self.runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await self.runner.setup()
        site = web.TCPSite(self.runner, host, port)
        await site.start()
        addresses = self.runner.addresses
        self.host, self.port = host, addresses[0][1] if addresses else port
        log.info("discord sandbox on %s", self.api_url)
        return self

    async def stop(self) -> None:
        await self.gateway.drop(1001)
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None
        self._close_log()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def url(self) -> str | None:
        """The REST base URL once started (what `scout sandbox` announces)."""
        return self.api_url if self.runner is not None else None

    @property
    def api_url(self) -> str:
        return f"{self.base_url}{API}"

    @property
    def gateway_url(self) -> str:
        return f"ws://{self.host}:{self.port}/gateway"

    def _open_log(self) -> None:
        if self._log_path is not None and self._log_file is None:
            self._log_path.parent.mkdir(parents=True, exist_ok=True)
            self._log_file = self._log_path.open("a", encoding="utf-8")

    def _close_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def _record(self, entry: dict[str, Any]) -> None:
        entry = {"time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                 "service": "discord", **entry}
        self.requests.append(entry)
        if self._log_path is not None:
            self._open_log()
            assert self._log_file is not None
            self._log_file.write(json.dumps(entry, default=str) + "\n")
            self._log_file.flush()

    # ------------------------------------------------------------------ what the bot did
    def posted(self, channel_id: int | str | None = None) -> list[Payload]:
        """Messages the bot created in channels (not interaction answers), oldest first."""
        out = []
        cids = [int(channel_id)] if channel_id is not None else sorted(self.store.channels)
        for cid in cids:
            out += [m for m in self.store.all_messages(cid) if str(m["author"]["id"]) == str(APPLICATION_ID)
                    and not m.get("interaction_metadata")]
        return sorted(out, key=lambda m: int(m["id"]))

    def requests_to(self, method: str, path_regex: str) -> list[dict[str, Any]]:
        pat = re.compile(path_regex)
        return [r for r in self.requests if r["method"] == method and pat.search(r["path"])]

    # ------------------------------------------------------------------ injection
    def _user(self, user: Payload | int | str | None) -> Payload:
        if isinstance(user, dict):
            u = complete_user(user)
            return self.store.users.setdefault(int(u["id"]), u)
        if user is None:
            humans = [u for uid, u in self.store.users.items() if uid != APPLICATION_ID and not u.get("bot")]
            if humans:
                return humans[0]
            user = self.store.new_id()
        uid = int(user)
        if uid not in self.store.users:
            self.store.users[uid] = complete_user({"id": str(uid), "username": f"user{uid % 100000}"})
        return self.store.users[uid]

    async def inject_message(self, channel_id: int | str, content: str, *, author: Payload | int | str | None = None,
                             reply_to: int | str | None = None, **extra: Any) -> Payload:
        """A user posts `content` in a channel: stored, then MESSAGE_CREATE to every gateway session."""
        cid = int(channel_id)
        if cid not in self.store.channels:
            raise KeyError(f"unknown channel {cid}")
        user = self._user(author)
        mid = self.store.new_id()
        msg: Payload = {"id": str(mid), "channel_id": str(cid), "author": user, "content": content,
                        "timestamp": _iso(self.store.clock()), "type": 0,
                        **resolve_mentions(content, None, self.store.users, self.store.role_ids())}
        if reply_to is not None:
            msg["type"] = 19
            msg["message_reference"] = {"type": 0, "message_id": str(reply_to), "channel_id": str(cid),
                                        "guild_id": str(self.store.guild_id)}
        msg.update(extra)
        stored = self.store.add_message(msg)
        await self._dispatch_message(stored, user)
        return stored

    async def _dispatch_message(self, msg: Payload, user: Payload | None = None) -> None:
        event = {**msg, "guild_id": str(self.store.guild_id)}
        if user is not None and not msg.get("webhook_id"):
            member = self.store.member_payload(user)
            member.pop("user")
            event["member"] = member
        await self.gateway.dispatch("MESSAGE_CREATE", event)

    async def inject_thread(self, parent_id: int | str, name: str, *, content: str | None = None,
                            author: Payload | int | str | None = None, private: bool = False) -> Payload:
        """A user opens a thread (or a forum post, with its starter message) while the bot runs."""
        pid = int(parent_id)
        parent = self.store.channels[pid]
        user = self._user(author)
        tid = self.store.new_id()
        now = _iso(self.store.clock())
        self.store.channels[tid] = {
            "id": str(tid), "type": PRIVATE_THREAD if private else PUBLIC_THREAD, "guild_id": str(self.store.guild_id),
            "parent_id": str(pid), "name": name, "owner_id": user["id"],
            "thread_metadata": {"archived": False, "archive_timestamp": now, "auto_archive_duration": 1440,
                                "locked": False, "create_timestamp": now},
        }
        await self.gateway.dispatch("THREAD_CREATE", {**self.store.channel_payload(tid), "newly_created": True})
        if content is not None or int(parent.get("type", 0)) in (GUILD_FORUM, GUILD_MEDIA):
            starter: Payload = {"id": str(tid), "channel_id": str(tid), "author": user, "content": content or name,
                                "timestamp": now, "type": 0}
            stored = self.store.add_message(starter)
            await self._dispatch_message(stored, user)
        return self.store.channel_payload(tid)

    async def open_thread(self, parent_id: int, message_id: int, name: str, auto_archive_duration: int = 1440,
                          rate_limit_per_user: int = 0) -> Payload:
        """The bot starts a public thread from one of the channel's messages (the thread takes the
        message's id, as on Discord); dispatches THREAD_CREATE and returns the thread."""
        now = _iso(self.store.clock())
        kind = ANNOUNCEMENT_THREAD if int(self.store.channels[parent_id].get("type", 0)) == GUILD_ANNOUNCEMENT \
            else PUBLIC_THREAD
        self.store.channels[message_id] = {
            "id": str(message_id), "type": kind, "guild_id": str(self.store.guild_id), "parent_id": str(parent_id),
            "name": name, "owner_id": self.store.bot_user["id"], "rate_limit_per_user": rate_limit_per_user,
            "thread_metadata": {"archived": False, "archive_timestamp": now, "locked": False,
                                "auto_archive_duration": auto_archive_duration, "create_timestamp": now},
        }
        thread = self.store.channel_payload(message_id)
        await self.gateway.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        return thread

    async def add_role(self, name: str, permissions: int = 0) -> Payload:
        """Create a guild role (GUILD_ROLE_CREATE), e.g. the role allowed to start bench jobs."""
        for r in self.store._roles:
            if r["name"] == name:
                return dict(r)
        role = complete_role({"id": str(self.store.new_id()), "name": name, "permissions": str(permissions),
                              "position": len(self.store._roles)})
        self.store._roles.append(role)
        await self.gateway.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(self.store.guild_id), "role": role})
        return dict(role)

    async def inject_interaction(self, name: str, options: dict[str, Any] | list[Payload] | None = None, *,
                                 user: Payload | int | str | None = None, roles: Sequence[str] | None = None,
                                 channel_id: int | str | None = None, interaction_type: int = 2,
                                 focused: str | None = None, locale: str = "en-US") -> Interaction:
        """A user runs `/name options...` (type 2) or types into an autocomplete option (type 4).

        `roles` (names or ids; a missing name is created) replace the member's roles; None keeps
        the member's own (from members.json), if any.
        """
        member_user = self._user(user)
        role_ids: list[str] | None = None
        if roles is not None:
            role_ids = []
            for r in roles:
                if str(r).isdigit():
                    role_ids.append(str(r))
                else:
                    role_ids.append((await self.add_role(str(r)))["id"])
        cid = int(channel_id) if channel_id is not None else self._default_channel()
        member = self.store.member_payload(member_user, role_ids)
        perms = int(next(r for r in self.store._roles if int(r["id"]) == self.store.guild_id)["permissions"])
        for role in self.store._roles:
            if role["id"] in member["roles"]:
                perms |= int(role["permissions"])
        opts = self._options(options, focused)
        cmd = self.store.command_named(name, self.store.guild_id)
        data: Payload = {"id": cmd["id"] if cmd else str(self.store.new_id()), "name": name, "type": 1}
        if opts:
            data["options"] = opts
        if cmd and cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        iid = self.store.new_id()
        token = "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(48)
        member["permissions"] = str(perms)
        payload: Payload = {
            "id": str(iid), "application_id": str(APPLICATION_ID), "type": interaction_type, "data": data,
            "guild_id": str(self.store.guild_id), "guild": {"id": str(self.store.guild_id), "locale": "en-US",
                                                           "features": []},
            "channel_id": str(cid), "channel": self.store.channel_payload(cid), "member": member, "token": token,
            "version": 1, "app_permissions": str(BOT_PERMISSIONS), "locale": locale, "guild_locale": "en-US",
            "entitlements": [], "authorizing_integration_owners": {"0": str(self.store.guild_id)}, "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        inter = Interaction(id=iid, token=token, payload=payload, created=time.monotonic())
        self.store.interactions[iid] = inter
        await self.gateway.dispatch("INTERACTION_CREATE", payload)
        return inter

    async def inject_component(self, message: Payload, custom_id: str, *, user: Payload | int | str | None = None,
                               component_type: int = 2) -> Interaction:
        """A user presses a component (a button: type 2) of a message the bot sent (MESSAGE_COMPONENT)."""
        member_user = self._user(user)
        cid = int(message["channel_id"])
        member = self.store.member_payload(member_user, None)
        member["permissions"] = next(r for r in self.store._roles if int(r["id"]) == self.store.guild_id)["permissions"]
        iid = self.store.new_id()
        token = "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(48)
        payload: Payload = {
            "id": str(iid), "application_id": str(APPLICATION_ID), "type": 3,
            "data": {"custom_id": custom_id, "component_type": component_type}, "message": message,
            "guild_id": str(self.store.guild_id), "guild": {"id": str(self.store.guild_id), "locale": "en-US",
                                                           "features": []},
            "channel_id": str(cid), "channel": self.store.channel_payload(cid), "member": member, "token": token,
            "version": 1, "app_permissions": str(BOT_PERMISSIONS), "locale": "en-US", "guild_locale": "en-US",
            "entitlements": [], "authorizing_integration_owners": {"0": str(self.store.guild_id)}, "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        inter = Interaction(id=iid, token=token, payload=payload, created=time.monotonic())
        self.store.interactions[iid] = inter
        await self.gateway.dispatch("INTERACTION_CREATE", payload)
        return inter

    @staticmethod
    def _options(options: dict[str, Any] | list[Payload] | None, focused: str | None) -> list[Payload]:
        if options is None:
            return []
        if isinstance(options, list):
            return options
        out = []
        for key, value in options.items():
            otype = (
                5 if isinstance(value, bool) else 4 if isinstance(value, int) else 10 if isinstance(value, float) else 3
            )
            opt: Payload = {"name": key, "type": otype, "value": value}
            if focused == key:
                opt["focused"] = True
            out.append(opt)
        return out

    def _default_channel(self) -> int:
        for cid in self.store.guild_channels():
            if int(self.store.channels[cid].get("type", 0)) in MESSAGEABLE_TYPES:
                return cid
        raise KeyError("the sandbox guild has no text channel")

    async def drop_connections(self, code: int = 4000, *, abort: bool = False) -> int:
        """Cut every gateway connection; discord.py reconnects and RESUMEs, getting what it missed."""
        return await self.gateway.drop(code, abort=abort)

    async def wait_for_sessions(self, identified: int = 1, resumed: int = 0, timeout: float = 10.0) -> None:
        await self.gateway.wait_for(
            lambda g: g.identifies >= identified and g.resumes >= resumed and g.live_sessions > 0, timeout
        )

    async def wait_for_response(self, interaction: Interaction, *, followups: int = 0, edits: int = 0,
                                timeout: float = 10.0) -> Interaction:
        """Wait until the bot answered an interaction (and sent `followups` / `edits`)."""
        import asyncio

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if (interaction.callback is not None and len(interaction.followups) >= followups
                    and len(interaction.edits) >= edits):
                return interaction
            await asyncio.sleep(0.01)
        raise TimeoutError(f"interaction {interaction.id} ({interaction.payload['data']['name']}): no answer within "
                           f"{timeout} s (callback={interaction.callback is not None}, "
                           f"followups={len(interaction.followups)}, edits={len(interaction.edits)})")

    # ------------------------------------------------------------------ message building
    def _bot_message(self, cid: int, body: Payload, files: list[Upload], *, interaction: Interaction | None = None,
                     message_type: int = 0, flags: int = 0) -> Payload:
        mid = self.store.new_id()
        attachments = []
        for i, up in enumerate(files):
            aid = self.store.new_id()
            described: dict[str, Any] = next(
                (a for a in body.get("attachments") or [] if str(a.get("id")) == str(i)), {}
            )
            url = f"{self.base_url}/attachments/{cid}/{aid}/{up.filename}"
            att = {"id": str(aid), "filename": up.filename, "size": len(up.data), "url": url, "proxy_url": url,
                   "content_type": up.content_type or "application/octet-stream"}
            if described.get("description"):
                att["description"] = described["description"]
            attachments.append(att)
            up.message_id = str(mid)
            self.uploads.append(up)
            self._attachments[str(aid)] = up
        content = body.get("content") or ""
        msg: Payload = {
            "id": str(mid), "channel_id": str(cid), "author": self.store.bot_user, "content": content,
            "timestamp": _iso(self.store.clock()), "type": message_type, "tts": bool(body.get("tts", False)),
            "embeds": [self._embed(e, attachments) for e in body.get("embeds") or []], "attachments": attachments,
            "components": body.get("components") or [], "flags": flags | int(body.get("flags") or 0),
            "pinned": False, "edited_timestamp": None,
            **resolve_mentions(content, body.get("allowed_mentions"), self.store.users, self.store.role_ids()),
        }
        if body.get("nonce") is not None:
            msg["nonce"] = body["nonce"]
        if body.get("message_reference"):
            msg["message_reference"] = {**body["message_reference"], "channel_id": str(cid)}
        if interaction is not None:
            user = interaction.payload["member"]["user"]
            msg["webhook_id"] = str(APPLICATION_ID)
            msg["application_id"] = str(APPLICATION_ID)
            meta: Payload = {"id": str(interaction.id), "type": interaction.payload["type"], "user": user,
                             "authorizing_integration_owners": {"0": str(self.store.guild_id)}}
            name = interaction.payload["data"].get("name")
            if name is not None:  # an application command (a component interaction has none)
                meta.update(name=name, command_type=1)
            else:
                meta["interacted_message_id"] = str((interaction.payload.get("message") or {}).get("id"))
            msg["interaction_metadata"] = meta
            msg["interaction"] = {"id": str(interaction.id), "type": interaction.payload["type"],
                                  "name": name or "", "user": user}
        return msg

    @staticmethod
    def _embed(e: Payload, attachments: list[Payload]) -> Payload:
        """An embed as Discord echoes it: `type` rich, fields with `inline`, and `attachment://name`
        images resolved to the attachment's URL (the chart of a digest)."""
        out = {k: v for k, v in e.items() if k != "content_type"}
        out.setdefault("type", "rich")
        if out.get("fields"):
            out["fields"] = [{**f, "inline": bool(f.get("inline", False))} for f in out["fields"]]
        for key in ("image", "thumbnail"):
            media = out.get(key)
            if isinstance(media, dict) and str(media.get("url", "")).startswith("attachment://"):
                name = media["url"].removeprefix("attachment://")
                att = next((a for a in attachments if a["filename"] == name), None)
                if att is not None:
                    out[key] = {**media, "url": att["url"], "proxy_url": att["proxy_url"],
                                "content_type": att.get("content_type")}
        return out

    async def _publish(self, msg: Payload) -> Payload:
        """Store a bot message in its channel unless it is ephemeral, and dispatch MESSAGE_CREATE."""
        if int(msg.get("flags") or 0) & FLAG_EPHEMERAL:
            return msg
        stored = self.store.add_message(msg)
        await self._dispatch_message(stored)
        return stored


# ============================================================================ app factory


def _route_template(request: web.Request) -> str:
    route = request.match_info.route
    resource = route.resource
    return resource.canonical if resource is not None else request.path


def _major(request: web.Request) -> str:
    mi = request.match_info
    for key in ("channel_id", "guild_id", "webhook_id", "interaction_id"):
        if key in mi:
            return f"{key}={mi[key]}"
    return ""


# The REST routes return (status, payload); `discord_middleware` turns that into the response
# (with rate-limit headers, errors and the request log), so aiohttp's router sees them as handlers.
RestHandler = Callable[[web.Request], Awaitable[tuple[int, Any]]]
RouteHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _routed(handler: RestHandler) -> RouteHandler:
    return cast(RouteHandler, handler)


def _rest_handler(handler: RouteHandler) -> RestHandler:
    return cast(RestHandler, handler)


def make_app(sb: DiscordSandbox) -> web.Application:
    """The aiohttp application of one sandbox (REST, gateway, control endpoints)."""

    @web.middleware
    async def discord_middleware(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                                 ) -> web.StreamResponse:
        if not request.path.startswith(API + "/") and request.path != API:
            return await handler(request)
        started = time.monotonic()
        if sb.latency_ms:
            await asyncio.sleep(sb.latency_ms / 1000)
        entry: dict[str, Any] = {"method": request.method, "path": _TOKEN_IN_PATH.sub(r"\1***", request.path),
                                 "query": request.query_string}
        if "interaction_id" in request.match_info:
            entry["interaction_id"] = request.match_info["interaction_id"]
        headers: dict[str, str] = {}
        try:
            http_exc = request.match_info.http_exception
            if http_exc is not None:
                status = http_exc.status
                raise ApiError(status, f"{status}: {'Not Found' if status == 404 else 'Method Not Allowed'}", 0)
            token_route = "webhook_token" in request.match_info or "interaction_token" in request.match_info
            if not token_route:
                auth = request.headers.get("Authorization", "")
                if not auth.startswith("Bot ") or not sb.gateway._token_ok(auth):
                    raise ApiError(401, "401: Unauthorized", 0)
            decision = sb.rate_limits.check(request.method, request.path, _route_template(request), _major(request))
            headers = decision.headers
            if decision.limited:
                resp = json_response(429, decision.body, headers)
            else:
                if request.method in ("POST", "PUT", "PATCH"):
                    body = await read_body(request)
                    request[body_key] = body
                    entry["body"] = body.json
                    if body.files:
                        entry["files"] = [f.filename for f in body.files]
                status, payload = await _rest_handler(handler)(request)
                resp = json_response(status, payload, headers)
        except ApiError as exc:
            resp = json_response(exc.status, exc.body, headers)
        except FormError as exc:
            resp = json_response(exc.status, exc.payload, headers)
        entry["status"] = resp.status
        entry["bytes"] = len(resp.body) if isinstance(resp.body, bytes | bytearray) else 0
        entry["ms"] = round((time.monotonic() - started) * 1000, 1)
        if resp.status >= 400:
            try:
                entry["error"] = json.loads(resp.body) if isinstance(resp.body, bytes | bytearray) else None
            except ValueError:
                entry["error"] = None
        sb._record(entry)
        return resp

    app = web.Application(middlewares=[discord_middleware], client_max_size=32 * 1024 * 1024)
    app[sandbox_key] = sb
    rest = RestRoutes(sb)
    r = app.router
    a = API
    r.add_get(f"{a}/users/@me", _routed(rest.me))
    r.add_get(f"{a}/users/@me/guilds", _routed(rest.my_guilds))
    r.add_get(a + "/users/{user_id}", _routed(rest.user))
    r.add_get(f"{a}/oauth2/applications/@me", _routed(rest.application))
    r.add_get(f"{a}/applications/@me", _routed(rest.application))
    r.add_get(f"{a}/gateway", _routed(rest.gateway))
    r.add_get(f"{a}/gateway/bot", _routed(rest.gateway_bot))
    r.add_get(a + "/guilds/{guild_id}", _routed(rest.guild))
    r.add_get(a + "/guilds/{guild_id}/channels", _routed(rest.guild_channels))
    r.add_get(a + "/guilds/{guild_id}/threads/active", _routed(rest.active_threads))
    r.add_get(a + "/guilds/{guild_id}/roles", _routed(rest.roles))
    r.add_get(a + "/guilds/{guild_id}/members", _routed(rest.members))
    r.add_get(a + "/guilds/{guild_id}/members/{user_id}", _routed(rest.member))
    r.add_get(a + "/channels/{channel_id}", _routed(rest.channel))
    r.add_get(a + "/channels/{channel_id}/messages", _routed(rest.messages))
    r.add_post(a + "/channels/{channel_id}/messages", _routed(rest.create_message))
    r.add_get(a + "/channels/{channel_id}/messages/{message_id}", _routed(rest.message))
    r.add_post(a + "/channels/{channel_id}/messages/{message_id}/threads", _routed(rest.thread_from_message))
    r.add_get(a + "/channels/{channel_id}/threads/archived/public", _routed(rest.archived_public))
    r.add_get(a + "/channels/{channel_id}/threads/archived/private", _routed(rest.archived_private))
    r.add_get(a + "/channels/{channel_id}/users/@me/threads/archived/private", _routed(rest.joined_archived_private))
    for prefix in ("/applications/{application_id}", "/applications/{application_id}/guilds/{guild_id}"):
        r.add_get(a + prefix + "/commands", _routed(rest.list_commands))
        r.add_put(a + prefix + "/commands", _routed(rest.overwrite_commands))
        r.add_post(a + prefix + "/commands", _routed(rest.create_command))
    r.add_post(a + "/interactions/{interaction_id}/{interaction_token}/callback", _routed(rest.interaction_callback))
    r.add_post(a + "/webhooks/{webhook_id}/{webhook_token}", _routed(rest.followup))
    r.add_get(a + "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", _routed(rest.get_webhook_message))
    r.add_patch(a + "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", _routed(rest.edit_webhook_message))
    r.add_delete(
        a + "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}", _routed(rest.delete_webhook_message)
    )
    r.add_get("/gateway", sb.gateway.handle)
    r.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", rest.attachment)
    control_routes(app, sb)
    return app


async def start_discord_sandbox(dataset_dir: Path | str, host: str = "127.0.0.1", port: int = 0,
                                request_log: Path | str | None = None, **kwargs: Any) -> web.AppRunner:
    """Start a Discord sandbox in the running loop; the `DiscordSandbox` is `runner.app[sandbox_key]`.

    Made to run beside the GitHub sandbox in one event loop (`scout sandbox --discord-port`).
    """
    sb = DiscordSandbox(dataset_dir, request_log=request_log, **kwargs)
    await sb.start(host, port)
    assert sb.runner is not None
    return sb.runner


async def start(opts: Any, port: int) -> DiscordSandbox:
    """`scout sandbox --discord-port`'s start function (sandbox/server.py): a started sandbox with
    `url` and `stop()`, sharing the dataset, host, latency and request log of the other services."""
    sb = DiscordSandbox(opts.dataset, request_log=opts.request_log, latency_ms=getattr(opts, "latency_ms", 0.0))
    return await sb.start(opts.host, port)
