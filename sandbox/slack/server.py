"""A loopback Slack Web API under `/api/`, serving a dataset's `slack/` part so that slack_sdk's
`WebClient` runs unchanged against it (only `base_url` differs).

Methods: `auth.test`, `team.info`, `users.list`, `conversations.list`, `conversations.history`,
`conversations.replies` (GET query or POST form/JSON, as Slack accepts both). As on Slack:
every answer is HTTP 200 with `{"ok": true, ...}` or `{"ok": false, "error": "..."}` (missing or
bad token, unknown channel, not a member, unknown method); lists page with an opaque `cursor` and
`response_metadata.next_cursor` ("" on the last page); history is newest first and holds top-level
messages only (thread replies come from `conversations.replies`, parent first); rate limits are
per method tier and answer 429 with `Retry-After` and `{"ok": false, "error": "ratelimited"}`.
"""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path
from typing import Any

from aiohttp import web

from sandbox.github.faults import FaultSpec
from sandbox.loopback import LoopbackServer, Reply, WindowLimiter, load_list, load_object

# Slack's rate-limit tiers (requests per minute per method, workspace and app) and its methods' tiers.
TIERS = {1: 1, 2: 20, 3: 50, 4: 100}
METHOD_TIER = {"auth.test": 4, "team.info": 3, "users.list": 2, "conversations.list": 2,
               "conversations.history": 3, "conversations.replies": 3}
_TOKEN = re.compile(r"^xox[abpe]-[A-Za-z0-9-]+$")


def _encode(kind: str, value: str) -> str:
    return base64.b64encode(f"{kind}:{value}".encode()).decode()


def _decode(cursor: str, kind: str) -> str | None:
    try:
        got, _, value = base64.b64decode(cursor.encode(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return value if got == kind and value else None


def _page_start(window: list[dict[str, Any]], form: dict[str, str]) -> int | None:
    """Where a page of `window` starts: at the message its `cursor` names (0 without one), or None
    for a cursor that names none of them."""
    if not form.get("cursor"):
        return 0
    at = _decode(form["cursor"], "next_ts")
    ts_list = [m["ts"] for m in window]
    return ts_list.index(at) if at is not None and at in ts_list else None


def _limit(form: dict[str, str], default: int, top: int) -> int | None:
    raw = form.get("limit")
    if raw in (None, ""):
        return default
    try:
        n = int(raw)
    except ValueError:
        return None
    return default if n <= 0 else min(n, top)


def _float(raw: str | None) -> float | None:
    if raw in (None, ""):
        return None
    try:
        return float(raw)
    except ValueError:
        return None


def tier_limiter(spec: FaultSpec) -> WindowLimiter | None:
    """Tiered limits when `--faults ratelimit-after=N` asks for them: N is the tier-3 quota per
    `ratelimit-window` seconds and the other tiers keep Slack's proportions (off otherwise, as a
    real workspace's per-minute quotas would only slow a replay down)."""
    if spec.ratelimit_after is None:
        return None
    n = spec.ratelimit_after
    scale = {t: max(1, round(n * per_min / TIERS[3])) for t, per_min in TIERS.items()}
    return WindowLimiter({m: scale[t] for m, t in METHOD_TIER.items()}, window=spec.ratelimit_window)


class SlackSandbox(LoopbackServer):
    name = "slack"

    def __init__(self, dataset: Path | str, *, token: str | None = None, latency_ms: float = 0.0,
                 faults: FaultSpec | str | None = None, request_log: Path | str | None = None,
                 limiter: WindowLimiter | None = None) -> None:
        spec = faults if isinstance(faults, FaultSpec) else FaultSpec.parse(faults)
        super().__init__(latency_ms=latency_ms, faults=spec, request_log=request_log,
                         limiter=limiter if limiter is not None else tier_limiter(spec))
        root = Path(dataset) / "slack"
        self.token = token
        self.team = load_object(root / "team.json")
        self.users = load_list(root / "users.json")
        self.channels = load_list(root / "channels.json")
        self.by_channel: dict[str, list[dict[str, Any]]] = {c["id"]: [] for c in self.channels if "id" in c}
        for m in load_list(root / "messages.json"):
            msg = {k: v for k, v in m.items() if k != "channel"}
            self.by_channel.setdefault(str(m.get("channel")), []).append(msg)
        for msgs in self.by_channel.values():
            msgs.sort(key=lambda m: float(m["ts"]))
        # The token's own user: the app's bot user (is_bot, with the app's bot_id in its profile).
        self.app_user: dict[str, Any] = next(
            (u for u in self.users if u.get("is_bot") and (u.get("profile") or {}).get("bot_id")),
            {"id": "U0APPUSER", "name": "oss-scout", "profile": {"bot_id": "B0APPBOT"}},
        )

    def base_url(self, host: str, port: int) -> str:
        return f"http://{host}:{port}/api/"

    def bucket(self, request: web.Request) -> str:
        return request.path.removeprefix("/api/")

    def rate_limited(self, retry_after: int) -> Reply:
        return Reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})

    # ------------------------------------------------------------------ answers
    def _token(self, request: web.Request, form: dict[str, str]) -> str | None:
        auth = request.headers.get("Authorization", "")
        scheme, _, value = auth.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
        return form.get("token") or None

    async def answer(self, request: web.Request, form: dict[str, str]) -> Reply:
        if not request.path.startswith("/api/"):
            return Reply(404, {"ok": False, "error": "unknown_method"})
        method = request.path.removeprefix("/api/")
        handler = {"auth.test": self.auth_test, "team.info": self.team_info, "users.list": self.users_list,
                   "conversations.list": self.conversations_list, "conversations.history": self.history,
                   "conversations.replies": self.replies}.get(method)
        if handler is None:
            return Reply(200, {"ok": False, "error": "unknown_method"})
        token = self._token(request, form)
        if token is None:
            return Reply(200, {"ok": False, "error": "not_authed"})
        if not _TOKEN.match(token) or (self.token is not None and token != self.token):
            return Reply(200, {"ok": False, "error": "invalid_auth"})
        return Reply(200, handler(form))

    def auth_test(self, form: dict[str, str]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": self.team.get("url", ""),
            "team": self.team.get("name", ""),
            "user": self.app_user.get("name", ""),
            "team_id": self.team.get("id", ""),
            "user_id": self.app_user.get("id", ""),
            "bot_id": (self.app_user.get("profile") or {}).get("bot_id", ""),
            "is_enterprise_install": False,
        }

    def team_info(self, form: dict[str, str]) -> dict[str, Any]:
        return {"ok": True, "team": self.team}

    @staticmethod
    def _page(items: list[dict[str, Any]], form: dict[str, str], kind: str, default: int,
              top: int) -> tuple[list[dict[str, Any]], str] | str:
        """A cursor page of `items` (by id) or an error code."""
        limit = _limit(form, default, top)
        if limit is None:
            return "invalid_limit"
        start = 0
        if form.get("cursor"):
            after = _decode(form["cursor"], kind)
            ids = [str(x.get("id")) for x in items]
            if after is None or after not in ids:
                return "invalid_cursor"
            start = ids.index(after)
        page = items[start:start + limit]
        nxt = _encode(kind, str(items[start + limit]["id"])) if start + limit < len(items) else ""
        return page, nxt

    def users_list(self, form: dict[str, str]) -> dict[str, Any]:
        got = self._page(self.users, form, "user", 1000, 1000)
        if isinstance(got, str):
            return {"ok": False, "error": got}
        page, nxt = got
        return {"ok": True, "members": page, "cache_ts": int(self.team.get("cache_ts", 0) or 0),
                "response_metadata": {"next_cursor": nxt}}

    def conversations_list(self, form: dict[str, str]) -> dict[str, Any]:
        types = {t.strip() for t in (form.get("types") or "public_channel").split(",") if t.strip()}
        if not types <= {"public_channel", "private_channel", "mpim", "im"}:
            return {"ok": False, "error": "invalid_types"}
        exclude = form.get("exclude_archived", "").lower() in ("1", "true")
        chans = [c for c in self.channels
                 if ("private_channel" if c.get("is_private") else "public_channel") in types
                 and (not c.get("is_private") or c.get("is_member"))
                 and not (exclude and c.get("is_archived"))]
        got = self._page(chans, form, "team", 100, 1000)
        if isinstance(got, str):
            return {"ok": False, "error": got}
        page, nxt = got
        return {"ok": True, "channels": page, "response_metadata": {"next_cursor": nxt}}

    def _channel(self, form: dict[str, str]) -> tuple[dict[str, Any] | None, str | None]:
        cid = form.get("channel", "")
        chan = next((c for c in self.channels if c.get("id") == cid), None)
        if chan is None:
            return None, "channel_not_found"
        if not chan.get("is_member"):
            return None, "not_in_channel"
        return chan, None

    @staticmethod
    def _window(msgs: list[dict[str, Any]], form: dict[str, str]) -> list[dict[str, Any]] | None:
        oldest, latest = _float(form.get("oldest")), _float(form.get("latest"))
        if (form.get("oldest") and oldest is None) or (form.get("latest") and latest is None):
            return None
        inclusive = form.get("inclusive", "").lower() in ("1", "true")
        out = []
        for m in msgs:
            t = float(m["ts"])
            if oldest is not None and (t < oldest or (t == oldest and not inclusive)):
                continue
            if latest is not None and (t > latest or (t == latest and not inclusive)):
                continue
            out.append(m)
        return out

    def history(self, form: dict[str, str]) -> dict[str, Any]:
        chan, err = self._channel(form)
        if chan is None:
            return {"ok": False, "error": err}
        top = [m for m in self.by_channel.get(chan["id"], [])
               if m.get("thread_ts") in (None, m["ts"]) or m.get("subtype") == "thread_broadcast"]
        window = self._window(top, form)
        if window is None:
            return {"ok": False, "error": "invalid_ts_oldest"}
        window.reverse()  # newest first
        limit = _limit(form, 100, 999)
        if limit is None:
            return {"ok": False, "error": "invalid_limit"}
        start = _page_start(window, form)
        if start is None:
            return {"ok": False, "error": "invalid_cursor"}
        page = window[start:start + limit]
        more = start + limit < len(window)
        out: dict[str, Any] = {"ok": True, "messages": page, "has_more": more, "pin_count": 0,
                               "channel_actions_ts": None, "channel_actions_count": 0}
        if more:
            out["response_metadata"] = {"next_cursor": _encode("next_ts", window[start + limit]["ts"])}
        return out

    def replies(self, form: dict[str, str]) -> dict[str, Any]:
        chan, err = self._channel(form)
        if chan is None:
            return {"ok": False, "error": err}
        ts = form.get("ts", "")
        msgs = self.by_channel.get(chan["id"], [])
        parent = next((m for m in msgs if m["ts"] == ts), None)
        if parent is None:
            return {"ok": False, "error": "thread_not_found"}
        if parent.get("thread_ts") not in (None, ts):  # a reply's ts: Slack answers with its thread
            ts = parent["thread_ts"]
            parent = next((m for m in msgs if m["ts"] == ts), parent)
        thread = [parent] + [m for m in msgs if m.get("thread_ts") == ts and m["ts"] != ts]
        window = self._window(thread[1:], form)
        if window is None:
            return {"ok": False, "error": "invalid_ts_oldest"}
        limit = _limit(form, 1000, 1000)
        if limit is None:
            return {"ok": False, "error": "invalid_limit"}
        start = _page_start(window, form)
        if start is None:
            return {"ok": False, "error": "invalid_cursor"}
        page = [parent, *window[start:start + limit]]  # the parent heads every page, as on Slack
        more = start + limit < len(window)
        out: dict[str, Any] = {"ok": True, "messages": page, "has_more": more}
        if more:
            out["response_metadata"] = {"next_cursor": _encode("next_ts", window[start + limit]["ts"])}
        return out


async def start(opts: Any, port: int) -> SlackSandbox:
    """`sandbox.server`'s start function: the dataset's slack/ part on `port`."""
    server = SlackSandbox(opts.dataset, latency_ms=opts.latency_ms, faults=opts.faults, request_log=opts.request_log)
    await server.start(opts.host, port)
    return server
