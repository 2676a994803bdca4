"""A loopback Discourse JSON API serving a dataset's `discourse/` part, the way a public forum
answers an anonymous reader (or one with `Api-Key`/`Api-Username` headers):

- `/latest.json?page=N` (30 topics a page, most recently bumped first; `topic_list.more_topics_url`
  names the next page while there is one), `/c/{slug}/{id}.json?page=N` the same per category;
- `/t/{id}.json` (and `/t/{slug}/{id}.json`): the topic with its first 20 posts and `post_stream.stream`,
  the ids of all its posts; `/t/{id}/posts.json?post_ids[]=..` the posts asked for (20 at most);
- `/categories.json`, `/u/{username}.json`;
- 404 `{"errors": [...], "error_type": "not_found"}`, 403 `invalid_access` for a wrong API key, and
  429 with `Retry-After` and `error_type` `rate_limit` past the per-IP limit (when asked for).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from aiohttp import web

from sandbox.github.faults import FaultSpec
from sandbox.loopback import LoopbackServer, Reply, WindowLimiter, load_list, load_object

PER_PAGE = 30
CHUNK = 20
NOT_FOUND = {"errors": ["The requested URL or resource could not be found."], "error_type": "not_found"}
_TOPIC = re.compile(r"^/t/(?:[^/]+/)?(\d+)(?:/\d+)?\.json$")
_POSTS = re.compile(r"^/t/(\d+)/posts\.json$")
_CATEGORY = re.compile(r"^/c/(?:[^/]+/)*([^/]+)/(\d+)\.json$")
_USER = re.compile(r"^/u/([^/]+)\.json$")
_LIST_USER_KEYS = ("id", "username", "name", "avatar_template")


def ip_limiter(spec: FaultSpec) -> WindowLimiter | None:
    """Discourse's per-IP request limit, when `--faults ratelimit-after=N` asks for one."""
    if spec.ratelimit_after is None:
        return None
    return WindowLimiter({"all": spec.ratelimit_after}, window=spec.ratelimit_window)


class DiscourseSandbox(LoopbackServer):
    name = "discourse"

    def __init__(self, dataset: Path | str, *, api_key: str | None = None, latency_ms: float = 0.0,
                 faults: FaultSpec | str | None = None, request_log: Path | str | None = None,
                 limiter: WindowLimiter | None = None) -> None:
        spec = faults if isinstance(faults, FaultSpec) else FaultSpec.parse(faults)
        super().__init__(latency_ms=latency_ms, faults=spec, request_log=request_log,
                         limiter=limiter if limiter is not None else ip_limiter(spec))
        root = Path(dataset) / "discourse"
        self.api_key = api_key
        self.site = load_object(root / "site.json")
        self.categories = load_list(root / "categories.json")
        self.users = {str(u["username"]).lower(): u for u in load_list(root / "users.json") if "username" in u}
        self.user_by_id = {u.get("id"): u for u in self.users.values()}
        topics = load_list(root / "topics.json")
        self.topics = sorted(topics, key=lambda t: (str(t.get("bumped_at") or ""), t.get("id", 0)), reverse=True)
        self.topic_by_id = {t["id"]: t for t in self.topics if "id" in t}
        self.posts: dict[int, list[dict[str, Any]]] = {}
        self.post_by_id: dict[int, dict[str, Any]] = {}
        for p in load_list(root / "posts.json"):
            self.posts.setdefault(int(p.get("topic_id", 0)), []).append(p)
            self.post_by_id[int(p["id"])] = p
        for ps in self.posts.values():
            ps.sort(key=lambda p: p.get("post_number", 0))

    def rate_limited(self, retry_after: int) -> Reply:
        body = {"errors": [f"You’ve performed this action too many times. Please wait {retry_after} seconds before "
                           "trying again."], "error_type": "rate_limit",
                "extras": {"wait_seconds": retry_after, "time_left": f"{retry_after} seconds"}}
        return Reply(429, body, {"Retry-After": str(retry_after)})

    # ------------------------------------------------------------------ answers
    async def answer(self, request: web.Request, form: dict[str, str]) -> Reply:
        if request.method != "GET":
            return Reply(404, NOT_FOUND)
        key = request.headers.get("Api-Key")
        if key is not None and self.api_key is not None and key != self.api_key:
            return Reply(403, {"errors": ["You are not permitted to view the requested resource. The API username or "
                                          "key is invalid."], "error_type": "invalid_access"})
        path = request.path
        if path == "/latest.json":
            return self.topic_list(self.topics, request, "/latest")
        if path == "/categories.json":
            return Reply(200, {"category_list": {"can_create_category": False, "can_create_topic": False,
                                                 "categories": self.categories}})
        if m := _POSTS.match(path):
            return self.topic_posts(int(m.group(1)), request)
        if m := _TOPIC.match(path):
            return self.topic(int(m.group(1)))
        if m := _CATEGORY.match(path):
            cid = int(m.group(2))
            cat = next((c for c in self.categories if c.get("id") == cid), None)
            if cat is None:
                return Reply(404, NOT_FOUND)
            return self.topic_list([t for t in self.topics if t.get("category_id") == cid], request,
                                   f"/c/{cat.get('slug')}/{cid}")
        if m := _USER.match(path):
            user = self.users.get(m.group(1).lower())
            if user is None:
                return Reply(404, NOT_FOUND)
            return Reply(200, {"user_badges": [], "badges": [], "user": user})
        return Reply(404, NOT_FOUND)

    def _list_users(self, topics: list[dict[str, Any]]) -> list[dict[str, Any]]:
        ids = dict.fromkeys(p.get("user_id") for t in topics for p in t.get("posters", []))
        return [{k: self.user_by_id[i].get(k) for k in _LIST_USER_KEYS} for i in ids if i in self.user_by_id]

    def topic_list(self, topics: list[dict[str, Any]], request: web.Request, base: str) -> Reply:
        try:
            page = max(0, int(request.query.get("page", "0") or 0))
        except ValueError:
            return Reply(400, {"errors": ["page: expected a number"], "error_type": "invalid_parameters"})
        order = request.query.get("order", "activity")
        if order == "created":
            topics = sorted(topics, key=lambda t: (str(t.get("created_at")), t.get("id", 0)), reverse=True)
        if request.query.get("ascending", "").lower() == "true":
            topics = list(reversed(topics))
        chunk = topics[page * PER_PAGE:(page + 1) * PER_PAGE]
        topic_list: dict[str, Any] = {"can_create_topic": False, "per_page": PER_PAGE, "top_tags": [], "topics": chunk}
        if (page + 1) * PER_PAGE < len(topics):
            rest = "&".join(f"{k}={v}" for k, v in request.query.items() if k != "page")
            topic_list["more_topics_url"] = f"{base}?{rest + '&' if rest else ''}page={page + 1}"
        return Reply(200, {"users": self._list_users(chunk), "primary_groups": [], "flair_groups": [],
                           "topic_list": topic_list})

    def topic(self, tid: int) -> Reply:
        t = self.topic_by_id.get(tid)
        if t is None:
            return Reply(404, NOT_FOUND)
        posts = self.posts.get(tid, [])
        first = posts[0] if posts else {}
        last = posts[-1] if posts else {}

        def brief(p: dict[str, Any]) -> dict[str, Any]:
            return {"id": p.get("user_id"), "username": p.get("username"), "name": p.get("name"),
                    "avatar_template": p.get("avatar_template")}

        details: dict[str, Any] = {
            "can_edit": False, "notification_level": 1, "can_move_posts": False, "can_delete": False,
            "can_remove_allowed_users": False, "can_create_post": False, "can_reply_as_new_topic": False,
            "can_convert_topic": False, "can_review_topic": False, "can_close_topic": False,
            "can_archive_topic": False, "can_split_merge_topic": False, "can_edit_staff_notes": False,
            "can_toggle_topic_visibility": False, "can_pin_unpin_topic": False, "can_moderate_category": False,
            "can_remove_self_id": 0, "created_by": brief(first), "last_poster": brief(last),
            "participants": [{**brief(p), "post_count": sum(1 for q in posts if q.get("user_id") == p.get("user_id")),
                              "primary_group_name": None, "flair_name": None, "flair_url": None, "flair_color": None,
                              "flair_bg_color": None, "admin": False, "moderator": bool(p.get("moderator")),
                              "trust_level": p.get("trust_level", 1)}
                             for p in {q.get("user_id"): q for q in posts}.values()],
        }
        body = {
            "post_stream": {"posts": posts[:CHUNK], "stream": [p["id"] for p in posts]},
            "timeline_lookup": [[1, 0]], "suggested_topics": [], "tags": [], "tags_descriptions": {},
            "id": t["id"], "title": t.get("title"), "fancy_title": t.get("fancy_title"), "posts_count": len(posts),
            "created_at": t.get("created_at"), "views": t.get("views", 0), "reply_count": t.get("reply_count", 0),
            "like_count": t.get("like_count", 0), "last_posted_at": t.get("last_posted_at"), "visible": True,
            "closed": t.get("closed", False), "archived": t.get("archived", False), "has_summary": False,
            "archetype": "regular", "slug": t.get("slug"), "category_id": t.get("category_id"),
            "word_count": sum(len(str(p.get("cooked", "")).split()) for p in posts), "deleted_at": None,
            "user_id": first.get("user_id"), "featured_link": None, "pinned_globally": False, "pinned_at": None,
            "pinned_until": None, "image_url": None, "slow_mode_seconds": 0, "draft": None,
            "draft_key": f"topic_{t['id']}", "draft_sequence": None, "unpinned": None, "pinned": False,
            "highest_post_number": t.get("highest_post_number", len(posts)), "deleted_by": None, "has_deleted": False,
            "actions_summary": [], "chunk_size": CHUNK, "bookmarked": False, "bookmarks": [], "topic_timer": None,
            "message_bus_last_id": 0, "participant_count": len(details["participants"]),
            "show_read_indicator": False, "thumbnails": None, "slow_mode_enabled_until": None, "details": details,
        }
        return Reply(200, body)

    def topic_posts(self, tid: int, request: web.Request) -> Reply:
        if tid not in self.topic_by_id:
            return Reply(404, NOT_FOUND)
        wanted = request.query.getall("post_ids[]", []) or request.query.getall("post_ids", [])
        posts = self.posts.get(tid, [])
        if wanted:
            try:
                ids = [int(x) for x in wanted][:CHUNK]
            except ValueError:
                return Reply(400, {"errors": ["post_ids: expected numbers"], "error_type": "invalid_parameters"})
            chosen = [self.post_by_id[i] for i in ids if i in self.post_by_id and self.post_by_id[i] in posts]
        else:
            chosen = posts[:CHUNK]
        return Reply(200, {"post_stream": {"posts": chosen}, "id": tid})


async def start(opts: Any, port: int) -> DiscourseSandbox:
    """`sandbox.server`'s start function: the dataset's discourse/ part on `port`."""
    server = DiscourseSandbox(opts.dataset, latency_ms=opts.latency_ms, faults=opts.faults,
                              request_log=opts.request_log)
    await server.start(opts.host, port)
    return server
