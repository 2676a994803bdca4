"""How to talk to Slack: slack_sdk's `WebClient` (pointed at `SCOUT_SLACK_API_URL`) with its own
retry handlers for 429 (sleeps `Retry-After`), 5xx and dropped connections, and cursor paging.

A body that is not JSON (a connection cut mid-answer) reaches us as a `SlackApiError` whose error
says so; it is retried here a few times. Any other `{"ok": false}` becomes a `SlackError` naming
the method and Slack's error code: never the token (slack_sdk sends it in a header and redacts it
from its own debug log)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from config.errors import CollectorError, ConfigError

log = logging.getLogger(__name__)

Payload = dict[str, Any]
PAGE = 200           # Slack recommends at most 200 items a page for conversations.* and users.list
_NOT_JSON = "Received a response in a non-JSON format"


class SlackError(CollectorError):
    """Slack answered `{"ok": false, "error": code}` (or could not be reached) for one method."""

    def __init__(self, method: str, code: str) -> None:
        super().__init__(f"Slack {method}: {code}")
        self.method = method
        self.code = code


def make_client(api_url: str, token: str, *, timeout: int = 30, rate_limit_retries: int = 8) -> WebClient:
    if not api_url.startswith(("http://", "https://")):
        raise ConfigError(
            f"SCOUT_SLACK_API_URL: expected an http(s) URL such as https://slack.com/api/, got {api_url!r}"
        )
    handlers = [RateLimitErrorRetryHandler(max_retry_count=rate_limit_retries),
                ServerErrorRetryHandler(max_retry_count=3), ConnectionErrorRetryHandler(max_retry_count=3)]
    return WebClient(token=token, base_url=api_url, timeout=timeout, retry_handlers=handlers)


class SlackReader:
    """The few read methods the collector needs, counted, with malformed answers retried."""

    def __init__(self, client: WebClient, *, page: int = PAGE, malformed_retries: int = 3) -> None:
        self.client = client
        self.page = page
        self.malformed_retries = malformed_retries
        self.requests = 0

    def call(self, method: str, **params: Any) -> Payload:
        for attempt in range(self.malformed_retries + 1):
            self.requests += 1
            try:
                resp = self.client.api_call(method, http_verb="GET", params={k: v for k, v in params.items()
                                                                             if v is not None})
                return dict(resp.data) if isinstance(resp.data, dict) else {}
            except SlackApiError as exc:
                data = exc.response.data if isinstance(exc.response.data, dict) else {}
                code = str(data.get("error") or f"HTTP {exc.response.status_code}")
                if code.startswith(_NOT_JSON) or exc.response.status_code >= 500:
                    if attempt < self.malformed_retries:
                        time.sleep(0.1 * (attempt + 1))
                        continue
                    code = "malformed answer" if code.startswith(_NOT_JSON) else code
                raise SlackError(method, code) from None
            except ValueError:  # a body cut mid-answer can reach us as a raw JSONDecodeError too
                if attempt < self.malformed_retries:
                    time.sleep(0.1 * (attempt + 1))
                    continue
                raise SlackError(method, "malformed answer") from None
            except (SlackClientError, OSError) as exc:
                if attempt < self.malformed_retries:
                    time.sleep(0.2 * (attempt + 1))
                    continue
                raise SlackError(method, f"{type(exc).__name__}: {exc}") from None
        raise SlackError(method, "no answer")  # pragma: no cover - the loop returns or raises

    def pages(self, method: str, key: str, **params: Any) -> Iterator[list[Payload]]:
        """Every page of a cursor-paged method (`response_metadata.next_cursor`, "" at the end)."""
        cursor: str | None = None
        while True:
            data = self.call(method, limit=self.page, cursor=cursor, **params)
            items = data.get(key)
            if not isinstance(items, list):
                raise SlackError(method, f"answer without a {key!r} list")
            yield items
            cursor = (data.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return

    def auth_test(self) -> Payload:
        return self.call("auth.test")

    def team(self) -> Payload:
        return dict(self.call("team.info").get("team") or {})

    def users(self) -> Iterator[list[Payload]]:
        return self.pages("users.list", "members")

    def channels(self) -> Iterator[list[Payload]]:
        return self.pages("conversations.list", "channels", types="public_channel,private_channel",
                          exclude_archived="false")

    def history(self, channel: str, oldest: str | None, inclusive: bool) -> Iterator[list[Payload]]:
        """Top-level messages newer than `oldest`, newest first, a page at a time."""
        return self.pages("conversations.history", "messages", channel=channel, oldest=oldest,
                          inclusive="true" if inclusive else None)

    def replies(self, channel: str, ts: str) -> Iterator[list[Payload]]:
        return self.pages("conversations.replies", "messages", channel=channel, ts=ts)


def wait_reachable(api_url: str, timeout: float) -> None:
    """Wait until the Slack API answers at all (a sandbox still loading, a blip at start-up)."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    delay = 0.1
    url = api_url.rstrip("/") + "/api.test"
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10):  # noqa: S310 - the configured API URL
                return
        except urllib.error.HTTPError:
            return  # it answered
        except (urllib.error.URLError, OSError) as exc:
            if time.monotonic() + delay > deadline:
                raise CollectorError(f"Slack API at {api_url} is unreachable: {exc}") from None
            time.sleep(delay)
            delay = min(delay * 2, 2.0)
