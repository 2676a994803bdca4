"""The GitHub sandbox server: REST and GraphQL over a dataset, with GitHub's headers, conditional
requests, rate limits, injected faults and a request log.

Every request goes through one pipeline, in GitHub's order: route -> latency -> answer ->
`If-None-Match` (a 304 is free and never faulted: it has no body to corrupt) -> primary rate
limit (403 with GitHub's message when the window's quota is spent) -> injected fault -> reply.
Paths are served at the root and under `/api/v3` (GitHub Enterprise); GraphQL at `/graphql` and
`/api/graphql`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from multidict import CIMultiDict

from config.clock import iso_z
from sandbox.github import rest
from sandbox.github.data import GitHubData, RepoData, load_github_data
from sandbox.github.faults import Fault, FaultPlan, FaultSpec
from sandbox.github.gql import MAX_NODES, point_cost, query_size, run_query
from sandbox.github.limits import Quota, RateLimiter
from sandbox.serving import LoopbackService
from sandbox.serving import malform as _malform

log = logging.getLogger(__name__)

JSON_TYPE = "application/json; charset=utf-8"
PUBLIC_API = "https://api.github.com"
RATE_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
SECONDARY_MESSAGE = ("You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
                     "If you reach out to GitHub Support for help, please include the request ID {rid}.")
# GitHub's other /rate_limit resources: (limit, seconds its window lasts) for a token.
OTHER_RESOURCES = {"search": (30, 60), "integration_manifest": (5000, 3600), "source_import": (100, 60),
                   "actions_runner_registration": (10000, 3600), "scim": (15000, 3600),
                   "dependency_snapshots": (100, 60), "code_search": (10, 60), "code_scanning_autofix": (10, 60)}
GRAPHQL_TIMEOUT = ("Something went wrong while executing your query. This may be the result of a timeout, or it "
                   "could be a GitHub bug. Please include `{rid}` when reporting this issue.")
SERVER_ERRORS = ((500, "Server Error"), (502, "Server Error"), (503, "Service Unavailable"))


def _caller(request: web.Request) -> tuple[str, str | None]:
    """(rate-limit bucket, token); GitHub counts per token, or per IP address without one."""
    auth = request.headers.get("Authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() in ("token", "bearer") and token.strip():
        return "token:" + hashlib.sha256(token.strip().encode()).hexdigest()[:16], token.strip()
    return f"ip:{request.remote or '127.0.0.1'}", None


def _etag(body: bytes) -> str:
    return 'W/"' + hashlib.sha256(body).hexdigest() + '"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    bare = etag.removeprefix("W/")
    for tag in if_none_match.split(","):
        tag = tag.strip()
        if tag == "*" or tag.removeprefix("W/") == bare:
            return True
    return False


def _is_url_field(key: str) -> bool:
    return key == "url" or key.endswith("_url") or key in ("href", "self", "html", "git")


def _api_urls(value: Any, api: str, key: str = "") -> Any:
    """`value` with api.github.com replaced by `api` in URL fields only (never inside text)."""
    if isinstance(value, dict):
        return {k: _api_urls(v, api, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_api_urls(v, api, key) for v in value]
    if isinstance(value, str) and _is_url_field(key) and value.startswith(PUBLIC_API):
        return api + value[len(PUBLIC_API):]
    return value


def _encode(body: Any, api: str) -> bytes:
    """Compact JSON, with API URLs pointing at this server (as a GitHub Enterprise host's do):
    clients such as PyGithub follow an object's `url` for their next request. Only URL fields are
    rewritten: an issue body quoting https://api.github.com stays as its author wrote it."""
    if body is None:
        return b""
    if api != PUBLIC_API:
        body = _api_urls(body, api)
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


class GitHubSandbox(LoopbackService):
    """One dataset served as GitHub; start it with `start()` (or `sandbox.server.run`)."""

    name = "GitHub"
    max_body = 8 * 1024 * 1024

    def __init__(self, data: GitHubData | Path | str, *, latency_ms: float = 0, faults: FaultSpec | str | None = None,
                 request_log: Path | str | None = None, rate_limit: int = 5000, rate_window: float = 3600,
                 enterprise_rate_limit: bool | None = None) -> None:
        super().__init__(request_log)
        self.data = data if isinstance(data, GitHubData) else load_github_data(data)
        self.latency = max(0.0, latency_ms) / 1000.0
        spec = faults if isinstance(faults, FaultSpec) else FaultSpec.parse(faults)
        self.faults = FaultPlan(spec)
        if spec.ratelimit_after is not None:
            rate_limit, rate_window = spec.ratelimit_after, spec.ratelimit_window
        elif spec.hour:
            rate_window = spec.hour
        self.limiter = RateLimiter(limit=rate_limit, window=rate_window)
        # GitHub Enterprise Server ships with rate limiting off: under /api/v3 there are no limits
        # (and /rate_limit is a 404) unless asked for, or a rate-limit wall is injected.
        self.enterprise_rate_limit = ((spec.ratelimit_after is not None or bool(spec.hour))
                                      if enterprise_rate_limit is None else enterprise_rate_limit)
        self.dispatches: list[dict[str, Any]] = []
        self._started = time.time()
        self._serial = 0

    # ------------------------------------------------------------------ workflow runs (writes)

    def record_dispatch(self, repo: RepoData, workflow_id: str, ref: str, inputs: dict[str, Any]) -> None:
        n = len(self.dispatches) + 1
        at = iso_z(self.present())
        self.dispatches.append({
            "id": 9_000_000 + n, "name": workflow_id, "path": f".github/workflows/{workflow_id}",
            "repo": repo.full_name, "workflow_id": workflow_id, "head_branch": ref, "event": "workflow_dispatch",
            "status": "queued", "conclusion": None, "inputs": inputs, "created_at": at, "updated_at": at,
            "run_number": n, "display_title": workflow_id,
            "html_url": f"https://github.com/{repo.full_name}/actions/runs/{9_000_000 + n}",
        })

    def runs_of(self, repo: RepoData, workflow_id: str | None) -> list[dict[str, Any]]:
        runs = [r for r in self.dispatches if r["repo"] == repo.full_name
                and (workflow_id is None or r["workflow_id"] == workflow_id)]
        return [{k: v for k, v in r.items() if k not in ("repo", "inputs")} for r in reversed(runs)]

    # ------------------------------------------------------------------ helpers

    def present(self) -> datetime:
        """The dataset's `now`, advancing with the wall clock since the sandbox started."""
        return self.data.now + timedelta(seconds=time.time() - self._started)

    def _headers(self, quota: Quota | None, extra: dict[str, str] | None = None) -> CIMultiDict[str]:
        self._serial += 1
        h: CIMultiDict[str] = CIMultiDict()
        h["Server"] = "GitHub.com"
        h["Date"] = format_datetime(self.present(), usegmt=True)
        h["X-GitHub-Media-Type"] = "github.v3; format=json"
        h["X-GitHub-Api-Version-Selected"] = "2022-11-28"
        h["X-GitHub-Request-Id"] = f"5A4D:{self._serial:06X}"
        h["Cache-Control"] = "private, max-age=60, s-maxage=60"
        h["Vary"] = "Accept, Authorization, Cookie, X-GitHub-OTP"
        if quota is not None:
            for k, v in quota.headers().items():
                h[k] = v  # set, never appended: a repeated header reaches clients as "4999, 0"
        for k, v in (extra or {}).items():
            h[k] = v
        return h

    def _log(self, request: web.Request, status: int, nbytes: int, conditional: bool, fault: str | None,
             cost: int | None = None) -> None:
        line: dict[str, Any] = {"method": request.method, "path": request.path, "query": request.query_string,
                                "status": status, "bytes": nbytes, "conditional": conditional}
        if fault:
            line["fault"] = fault
        if cost is not None:
            line["cost"] = cost  # GraphQL points charged
        self.record(line)

    def _json(self, status: int, body: Any, quota: Quota | None, extra: dict[str, str] | None = None,
              raw: bytes | None = None) -> tuple[web.Response, int]:
        data = raw if raw is not None else (b"" if body is None else
                                            json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode())
        headers = self._headers(quota, extra)
        if "ETag" not in headers:
            headers["ETag"] = _etag(data)
        if status != 204:
            headers["Content-Type"] = JSON_TYPE
        return web.Response(status=status, body=data if status != 204 else None, headers=headers), len(data)

    # ------------------------------------------------------------------ the pipeline

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        prefix = ""
        if path == "/api/v3" or path.startswith("/api/v3/"):
            prefix, path = "/api/v3", path[len("/api/v3"):] or "/"
        is_graphql = request.method == "POST" and (prefix == "" and path.rstrip("/") in ("/graphql", "/api/graphql"))
        caller, token = _caller(request)
        conditional = bool(request.headers.get("If-None-Match") or request.headers.get("If-Modified-Since"))
        if self.latency:
            await asyncio.sleep(self.latency)

        body_in: Any = None
        raw_in = b""
        if request.method in ("POST", "PATCH", "PUT"):
            raw_in = await request.read()
            if raw_in:
                try:
                    body_in = json.loads(raw_in)
                except ValueError:
                    resp, n = self._json(400, {"message": "Problems parsing JSON", "documentation_url": rest.DOCS,
                                               "status": "400"}, self.limiter.peek(caller))
                    self._log(request, 400, n, conditional, None)
                    return resp

        if is_graphql:
            return await self._graphql(request, caller, token, body_in, raw_in, conditional)

        limited = prefix == "" or self.enterprise_rate_limit
        if path.rstrip("/") == "/rate_limit" and request.method == "GET" and not limited:
            resp, n = self._json(404, {"message": "Rate limiting is not enabled.", "documentation_url": rest.DOCS,
                                       "status": "404"}, None)
            self._log(request, 404, n, conditional, None)
            return resp
        if path.rstrip("/") == "/rate_limit" and request.method == "GET":
            # GitHub's resources with their own budgets; `rate` repeats `core`. Free, as on GitHub.
            core = self.limiter.peek(caller, "core")
            resources = {name: self.limiter.peek(caller, name, limit=limit, window=window).as_json()
                         for name, (limit, window) in OTHER_RESOURCES.items()}
            resources["core"], resources["graphql"] = core.as_json(), self.limiter.peek(caller, "graphql").as_json()
            resp, n = self._json(200, {"resources": resources, "rate": core.as_json()}, core)
            self._log(request, 200, n, conditional, None)
            return resp

        found = rest.route(self.data, request.method, path)
        ctx = rest.Ctx(data=self.data, query=request.query, query_pairs=list(request.query.items()),
                       api=f"{request.scheme}://{request.host}{prefix}", path=path, now=self.present(),
                       method=request.method, body=body_in, sandbox=self,
                       events_depth=self.faults.spec.events_depth)
        if request.method == "GET":
            reply = found[0](ctx, **found[1]) if found else rest.not_found()
            data = _encode(reply.body, ctx.api)
            etag = _etag(data)
            if reply.status == 200 and _matches(request.headers.get("If-None-Match"), etag):
                headers = self._headers(self.limiter.peek(caller) if limited else None, {"ETag": etag})
                self._log(request, 304, 0, conditional, None)
                return web.Response(status=304, headers=headers)
        quota: Quota | None = None
        if limited:
            ok, quota = self.limiter.take(caller)
            if not ok:
                return self._rate_limited(request, quota, token, conditional)
        fault, variant = self.faults.draw(
            f"{request.method} {request.path_qs} {hashlib.sha256(raw_in).hexdigest()[:12]}"
        )
        early = await self._fault(request, fault, variant, quota, conditional)
        if early is not None:
            return early
        if request.method != "GET":
            reply = found[0](ctx, **found[1]) if found else rest.not_found()
            data = _encode(reply.body, ctx.api)
            etag = _etag(data)
        extra = {"ETag": etag, **reply.headers}
        if fault is Fault.MALFORMED and reply.status == 200:
            resp, n = self._json(200, None, quota, extra, raw=_malform(data, variant))
            self._log(request, 200, n, conditional, "malformed")
            return resp
        resp, n = self._json(reply.status, None, quota, extra, raw=data)
        self._log(request, reply.status, n, conditional, None)
        return resp

    async def _fault(self, request: web.Request, fault: Fault | None, variant: float, quota: Quota | None,
                     conditional: bool) -> web.StreamResponse | None:
        """Answer with the drawn fault, or None to answer normally (malformed bodies come later)."""
        if fault is Fault.DROP:
            self._log(request, 0, 0, conditional, "drop")
            if request.transport is not None:
                request.transport.abort()
            # Nothing reaches the client: it sees the connection close without an answer.
            raise web.HTTPServiceUnavailable
        if fault is Fault.SERVER_ERROR:
            status, message = SERVER_ERRORS[min(2, int(variant * 3))]
            resp, n = self._json(
                status, {"message": message, "documentation_url": rest.DOCS, "status": str(status)}, quota
            )
            self._log(request, status, n, conditional, "5xx")
            return resp
        if fault is Fault.SECONDARY:
            status = 403 if variant < 0.5 else 429
            body = {"message": SECONDARY_MESSAGE.format(rid=f"5A4D:{self._serial:06X}"),
                    "documentation_url": RATE_DOCS + "#about-secondary-rate-limits", "status": str(status)}
            resp, n = self._json(status, body, quota, {"Retry-After": str(self.faults.spec.retry_after)})
            self._log(request, status, n, conditional, "secondary")
            return resp
        return None

    def _rate_limited(self, request: web.Request, quota: Quota, token: str | None, conditional: bool) -> web.Response:
        if token is None:
            message = (f"API rate limit exceeded for {request.remote or '127.0.0.1'}. (But here's the good news: "
                       "Authenticated requests get a higher rate limit. Check out the documentation for more details.)")
        else:
            message = f"API rate limit exceeded for user ID {int(hashlib.sha256(token.encode()).hexdigest()[:6], 16)}."
        body = {"message": message, "documentation_url": RATE_DOCS + "#about-the-primary-rate-limit", "status": "403"}
        resp, n = self._json(403, body, quota)
        self._log(request, 403, n, conditional, "ratelimit")
        return resp

    async def _graphql(self, request: web.Request, caller: str, token: str | None, body_in: Any, raw_in: bytes,
                       conditional: bool) -> web.StreamResponse:
        body: dict[str, Any]
        if token is None:
            body = {"message": "This endpoint requires you to be authenticated.",
                    "documentation_url": "https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql",
                    "status": "401"}
            resp, n = self._json(401, body, None)
            self._log(request, 401, n, conditional, None)
            return resp
        nodes, pages = query_size(body_in)
        cost = point_cost(pages)
        ok, quota = self.limiter.take(caller, "graphql", cost)
        if not ok:
            user_id = int(hashlib.sha256(token.encode()).hexdigest()[:6], 16)
            body = {"errors": [{"type": "RATE_LIMITED",
                                "message": f"API rate limit already exceeded for user ID {user_id}."}]}
            resp, n = self._json(200, body, quota)
            self._log(request, 200, n, conditional, "ratelimit", 0)
            return resp
        if nodes > MAX_NODES:
            body = {"errors": [{"type": "MAX_NODE_LIMIT_EXCEEDED",
                                "message": f"This query requests up to {nodes:,} possible nodes which exceeds the "
                                           f"maximum limit of {MAX_NODES:,}."}]}
            resp, n = self._json(200, body, quota)
            self._log(request, 200, n, conditional, None, cost)
            return resp
        limit = self.faults.spec.gql_timeout_nodes
        if limit and nodes > limit:
            # What GitHub answers when a query runs past its time limit: a 502 with a GraphQL body.
            body = {"data": None, "errors": [{"message": GRAPHQL_TIMEOUT.format(rid=f"5A4D:{self._serial + 1:06X}")}]}
            resp, n = self._json(502, body, quota)
            self._log(request, 502, n, conditional, "gql-timeout", cost)
            return resp
        fault, variant = self.faults.draw(f"POST /graphql {hashlib.sha256(raw_in).hexdigest()}")
        early = await self._fault(request, fault, variant, quota, conditional)
        if early is not None:
            return early

        def rate() -> dict[str, Any]:
            q = self.limiter.peek(caller, "graphql")
            return {"cost": cost, "limit": q.limit, "remaining": q.remaining, "used": q.used, "nodeCount": nodes,
                    "resetAt": iso_z(datetime.fromtimestamp(q.reset, UTC))}

        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(None, run_query, self.data, body_in, rate)
        data = json.dumps(result, ensure_ascii=False, separators=(",", ":")).encode()
        extra = {"ETag": _etag(data)}
        if fault is Fault.MALFORMED:
            resp, n = self._json(200, None, quota, extra, raw=_malform(data, variant))
            self._log(request, 200, n, conditional, "malformed", cost)
            return resp
        resp, n = self._json(200, None, quota, extra, raw=data)
        self._log(request, 200, n, conditional, None, cost)
        return resp
