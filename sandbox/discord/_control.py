"""`/_sandbox/...` control endpoints: scripts drive a running sandbox over HTTP (inject, drop, limit)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from sandbox.discord._rest import json_response

if TYPE_CHECKING:
    from sandbox.discord.server import DiscordSandbox



def control_routes(app: web.Application, sb: DiscordSandbox) -> None:
    """`/_sandbox/...`: for scripts driving a running sandbox (no auth, not in the request log)."""

    async def read(request: web.Request) -> dict[str, Any]:
        try:
            body = await request.json() if request.can_read_body else {}
        except ValueError as exc:
            raise web.HTTPBadRequest(text="expected a JSON body") from exc
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text="expected a JSON object")
        return body

    def reply(obj: Any, status: int = 200) -> web.Response:
        return json_response(status, obj)

    async def health(request: web.Request) -> web.Response:
        return reply({"ok": True, "guild": str(sb.store.guild_id), "channels": len(sb.store.channels),
                      "sessions": sb.gateway.live_sessions, "identifies": sb.gateway.identifies,
                      "resumes": sb.gateway.resumes})

    async def inject_message(request: web.Request) -> web.Response:
        b = await read(request)
        try:
            msg = await sb.inject_message(b["channel_id"], str(b.get("content", "")), author=b.get("author"),
                                          reply_to=b.get("reply_to"))
        except KeyError as exc:
            return reply({"error": f"missing or unknown: {exc}"}, 400)
        return reply(msg)

    async def inject_interaction(request: web.Request) -> web.Response:
        b = await read(request)
        if not isinstance(b.get("name"), str):
            return reply({"error": "name is required"}, 400)
        try:
            inter = await sb.inject_interaction(b["name"], b.get("options"), user=b.get("user"),
                                                roles=b.get("roles"), channel_id=b.get("channel_id"),
                                                interaction_type=int(b.get("type", 2)), focused=b.get("focused"))
        except KeyError as exc:
            return reply({"error": f"unknown: {exc}"}, 400)
        if b.get("wait"):
            try:
                await sb.wait_for_response(inter, timeout=float(b.get("timeout", 10)))
            except TimeoutError as exc:
                return reply({"error": str(exc), **inter.summary()}, 504)
        return reply(inter.summary())

    async def interaction(request: web.Request) -> web.Response:
        iid = request.match_info["interaction_id"]
        inter = sb.store.interactions.get(int(iid)) if iid.isdigit() else None
        if inter is None:
            return reply({"error": "unknown interaction"}, 404)
        return reply(inter.summary())

    async def drop(request: web.Request) -> web.Response:
        b = await read(request)
        n = await sb.drop_connections(int(b.get("code", 4000)), abort=bool(b.get("abort", False)))
        return reply({"dropped": n})

    async def ratelimit(request: web.Request) -> web.Response:
        b = await read(request)
        sb.rate_limits.force(str(b.get("path", ".*")), method=b.get("method"), times=int(b.get("times", 1)),
                             retry_after=float(b.get("retry_after", 0.25)), is_global=bool(b.get("global", False)))
        return reply({"ok": True})

    async def requests(request: web.Request) -> web.Response:
        return reply(sb.requests)

    async def posted(request: web.Request) -> web.Response:
        return reply(sb.posted(request.query.get("channel_id")))

    r = app.router
    r.add_get("/_sandbox/health", health)
    r.add_post("/_sandbox/inject/message", inject_message)
    r.add_post("/_sandbox/inject/interaction", inject_interaction)
    r.add_get("/_sandbox/interactions/{interaction_id}", interaction)
    r.add_post("/_sandbox/drop", drop)
    r.add_post("/_sandbox/ratelimit", ratelimit)
    r.add_get("/_sandbox/requests", requests)
    r.add_get("/_sandbox/posted", posted)
