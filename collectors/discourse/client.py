"""How to talk to Discourse: plain HTTP on the shared session (collectors.http: retries of dropped
connections, 429 after `Retry-After`, 5xx), JSON bodies checked, a body that is not JSON retried.
An API key is optional (a public forum reads anonymously); it goes in the `Api-Key` header and is
never logged."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urljoin

import requests

from collectors.http import TIMEOUT_S, http_session
from config.errors import CollectorError, ConfigError

log = logging.getLogger(__name__)

Payload = dict[str, Any]
CHUNK = 20   # posts per /t/{id}/posts.json request (Discourse's chunk size)


class DiscourseError(CollectorError):
    def __init__(self, path: str, status: int | None, detail: str) -> None:
        super().__init__(f"Discourse {path}: {detail}")
        self.path = path
        self.status = status


class DiscourseClient:
    def __init__(self, base_url: str, *, api_key: str | None = None, api_username: str | None = None,
                 session: requests.Session | None = None, malformed_retries: int = 3) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ConfigError(f"SCOUT_DISCOURSE_URL: expected an http(s) URL such as https://discuss.vllm.ai, "
                              f"got {base_url!r}")
        self.base_url = base_url.rstrip("/") + "/"
        self.session = session or http_session()
        self.headers = {"Accept": "application/json"}
        if api_key:
            self.headers["Api-Key"] = api_key
            self.headers["Api-Username"] = api_username or "system"
        self.malformed_retries = malformed_retries
        self.requests = 0

    def get(self, path: str, params: list[tuple[str, Any]] | dict[str, Any] | None = None, *,
            missing_ok: bool = False) -> Payload | None:
        url = urljoin(self.base_url, path.lstrip("/"))
        for attempt in range(self.malformed_retries + 1):
            self.requests += 1
            try:
                resp = self.session.get(url, params=params, headers=self.headers, timeout=TIMEOUT_S)
            except requests.RequestException as exc:
                if attempt < self.malformed_retries:
                    time.sleep(0.2 * (attempt + 1))
                    continue
                raise DiscourseError(path, None, f"no answer ({type(exc).__name__})") from None
            if resp.status_code == 404 and missing_ok:
                return None
            if resp.status_code != 200:
                try:
                    errors = resp.json().get("errors") or []
                except ValueError:
                    errors = []
                detail = f"HTTP {resp.status_code}" + (f" ({errors[0]})" if errors else "")
                raise DiscourseError(path, resp.status_code, detail)
            try:
                data = resp.json()
            except ValueError:
                if attempt < self.malformed_retries:
                    time.sleep(0.1 * (attempt + 1))
                    continue
                raise DiscourseError(path, 200, "the answer is not JSON") from None
            if not isinstance(data, dict):
                raise DiscourseError(path, 200, "expected a JSON object")
            return data
        raise DiscourseError(path, None, "no answer")  # pragma: no cover

    # ------------------------------------------------------------------ endpoints
    def categories(self) -> list[Payload]:
        data = self.get("/categories.json", {"include_subcategories": "true"}) or {}
        cats = (data.get("category_list") or {}).get("categories")
        if not isinstance(cats, list):
            raise DiscourseError("/categories.json", 200, "no category_list.categories")
        out: list[Payload] = []
        for c in cats:
            out.append(c)
            out.extend(c.get("subcategory_list") or [])
        return out

    def latest(self) -> Iterator[list[Payload]]:
        """Pages of /latest.json, most recently bumped first, following `more_topics_url`."""
        page = 0
        while True:
            data = self.get("/latest.json", {"page": page} if page else None) or {}
            tl = data.get("topic_list") or {}
            topics = tl.get("topics")
            if not isinstance(topics, list):
                raise DiscourseError("/latest.json", 200, "no topic_list.topics")
            yield topics
            if not tl.get("more_topics_url") or not topics:
                return
            page += 1

    def topic(self, topic_id: int) -> Payload | None:
        return self.get(f"/t/{topic_id}.json", missing_ok=True)

    def posts(self, topic_id: int, post_ids: list[int]) -> list[Payload]:
        out: list[Payload] = []
        for i in range(0, len(post_ids), CHUNK):
            data = self.get(f"/t/{topic_id}/posts.json", [("post_ids[]", p) for p in post_ids[i:i + CHUNK]]) or {}
            posts = (data.get("post_stream") or {}).get("posts")
            if not isinstance(posts, list):
                raise DiscourseError(f"/t/{topic_id}/posts.json", 200, "no post_stream.posts")
            out.extend(posts)
        return out

    def user(self, username: str) -> Payload | None:
        data = self.get(f"/u/{quote(username, safe='')}.json", missing_ok=True)
        return None if data is None else data.get("user")


def wait_reachable(client: DiscourseClient, timeout: float) -> None:
    """Wait until the forum answers at all (a sandbox still loading, a blip at start-up)."""
    deadline = time.monotonic() + timeout
    delay = 0.1
    while True:
        try:
            client.session.get(client.base_url + "srv/status", timeout=10)
            return
        except requests.RequestException as exc:
            if time.monotonic() + delay > deadline:
                raise CollectorError(f"Discourse at {client.base_url} is unreachable: {type(exc).__name__}") from None
            time.sleep(delay)
            delay = min(delay * 2, 2.0)
