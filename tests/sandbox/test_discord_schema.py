"""Every payload the Discord sandbox serves validates against Discord's OpenAPI description
(tests/data/discord-openapi-subset.json, cut from discord/discord-api-spec)."""

from __future__ import annotations

import json

import aiohttp
import pytest

from sandbox.discord import APPLICATION_ID, DiscordSandbox
from tests.helpers.discord_data import DiscordDataset
from tests.helpers.discord_schema import errors, response_schema

AUTH = {"Authorization": "Bot test-bot-token"}


@pytest.fixture
async def http(discord_sandbox: DiscordSandbox):
    async with aiohttp.ClientSession(discord_sandbox.base_url, headers=AUTH) as s:
        yield s


async def call(http: aiohttp.ClientSession, method: str, path: str, body: object = None) -> tuple[int, object]:
    async with http.request(method, "/api/v10" + path, json=body) as r:
        raw = await r.read()
        return r.status, (json.loads(raw) if raw else None)


def check(spec_path: str, method: str, status: int, body: object) -> None:
    problems = errors(response_schema(spec_path, method.lower(), str(status)), body)
    assert not problems, f"{method} {spec_path} ({status}): " + "; ".join(problems[:5])


async def test_reads_validate(http, discord_dataset: DiscordDataset) -> None:
    gid = discord_dataset.guild["id"]
    cases = [
        ("/users/@me", "/users/@me"),
        ("/oauth2/applications/@me", "/oauth2/applications/@me"),
        ("/gateway", "/gateway"),
        ("/gateway/bot", "/gateway/bot"),
        ("/users/@me/guilds", "/users/@me/guilds"),
        (f"/guilds/{gid}", "/guilds/{guild_id}"),
        (f"/guilds/{gid}/channels", "/guilds/{guild_id}/channels"),
        (f"/guilds/{gid}/threads/active", "/guilds/{guild_id}/threads/active"),
        (f"/guilds/{gid}/roles", "/guilds/{guild_id}/roles"),
        (
            f"/guilds/{gid}/members/{discord_dataset.messages[0]['author']['id']}",
            "/guilds/{guild_id}/members/{user_id}",
        ),
    ]
    for cid in discord_dataset.channel_ids.values():
        cases.append((f"/channels/{cid}", "/channels/{channel_id}"))
    for name in ("general", "rfc-scheduler", "maintainers-only", "old-discussion-0", "how do I run on ROCm?"):
        cases.append(
            (f"/channels/{discord_dataset.channel_ids[name]}/messages?limit=100", "/channels/{channel_id}/messages")
        )
    for name in ("sig-frontend", "help-forum"):
        cid = discord_dataset.channel_ids[name]
        cases.append((f"/channels/{cid}/threads/archived/public", "/channels/{channel_id}/threads/archived/public"))
    for path, spec_path in cases:
        status, body = await call(http, "GET", path)
        assert status == 200, path
        check(spec_path, "get", 200, body)


async def test_writes_validate(discord_sandbox: DiscordSandbox, http, discord_dataset: DiscordDataset) -> None:
    cid = discord_dataset.channel_ids["general"]
    status, msg = await call(http, "POST", f"/channels/{cid}/messages",
                             {"content": "hello", "embeds": [{"title": "t", "fields": [{"name": "a", "value": "b"}]}],
                              "allowed_mentions": {"parse": []}})
    check("/channels/{channel_id}/messages", "post", status, msg)
    cmds = [{"name": "link", "description": "Link your account", "type": 1,
             "options": [{"type": 3, "name": "github-login", "description": "login", "required": True}]}]
    status, body = await call(http, "PUT", f"/applications/{APPLICATION_ID}/commands", cmds)
    check("/applications/{application_id}/commands", "put", status, body)
    gid = discord_dataset.guild["id"]
    status, body = await call(http, "PUT", f"/applications/{APPLICATION_ID}/guilds/{gid}/commands", cmds)
    check("/applications/{application_id}/guilds/{guild_id}/commands", "put", status, body)

    inter = await discord_sandbox.inject_interaction("link", {"github-login": "octocat"})
    path = f"/interactions/{inter.id}/{inter.token}/callback?with_response=true"
    status, body = await call(http, "POST", path, {"type": 5, "data": {"flags": 64}})
    check("/interactions/{interaction_id}/{interaction_token}/callback", "post", status, body)
    assert body["interaction"]["response_message_loading"] is True
    status, body = await call(http, "POST", f"/webhooks/{APPLICATION_ID}/{inter.token}?wait=true",
                              {"content": "done", "flags": 64})
    check("/webhooks/{webhook_id}/{webhook_token}", "post", status, body)
    status, body = await call(http, "PATCH", f"/webhooks/{APPLICATION_ID}/{inter.token}/messages/@original",
                              {"content": "edited"})
    check("/webhooks/{webhook_id}/{webhook_token}/messages/@original", "patch", status, body)
    assert body["content"] == "edited" and not body["flags"] & 128


async def test_errors_validate(discord_sandbox: DiscordSandbox, http) -> None:
    status, body = await call(http, "GET", "/channels/1")
    assert status == 404 and not errors("Error", body)
    discord_sandbox.rate_limits.force("/users/@me", retry_after=0.01)
    status, body = await call(http, "GET", "/users/@me")
    assert status == 429
    check("/users/@me", "get", 429, body)


def test_dataset_payloads_validate(discord_dataset: DiscordDataset) -> None:
    """The test datasets are themselves API-shaped (as DATASET.md asks of every dataset)."""
    for m in discord_dataset.messages:
        assert not errors("MessageResponse", m), m["id"]
    assert not errors("GuildResponse", discord_dataset.guild)


async def test_thread_from_message_validates_and_answers_like_discord(http, discord_dataset: DiscordDataset) -> None:
    from tests.helpers.discord_schema import request_schema

    cid = discord_dataset.channel_ids["general"]
    quiet = {"allowed_mentions": {"parse": []}}
    _, msg = await call(http, "POST", f"/channels/{cid}/messages", {"content": "digest", **quiet})
    body = {"name": "vllm-project/vllm · 2026-11-27 · details", "auto_archive_duration": 1440}
    assert not errors(request_schema("/channels/{channel_id}/messages/{message_id}/threads", "post"), body)
    path = f"/channels/{cid}/messages/{msg['id']}/threads"
    status, thread = await call(http, "POST", path, body)
    assert status == 201
    check("/channels/{channel_id}/messages/{message_id}/threads", "post", status, thread)
    # the thread takes the message's id, under the channel, owned by the bot, and holds messages
    assert (thread["id"], thread["parent_id"], thread["type"]) == (msg["id"], str(cid), 11)
    assert thread["name"] == body["name"]
    assert thread["owner_id"] == str(APPLICATION_ID) and thread["thread_metadata"]["auto_archive_duration"] == 1440
    status, inside = await call(http, "POST", f"/channels/{thread['id']}/messages",
                                {"content": "details", "allowed_mentions": {"parse": []}})
    assert status == 200 and inside["channel_id"] == thread["id"]
    # Discord's refusals: a second thread on the message, a bad name or archive duration, an unknown message
    assert (await call(http, "POST", path, body))[1]["code"] == 160004
    status, err = await call(http, "POST", f"/channels/{cid}/messages/{inside['id']}/threads", {"name": ""})
    assert status == 404 and err["code"] == 10008  # that message is in the thread, not in #general
    _, other = await call(http, "POST", f"/channels/{cid}/messages", {"content": "x", **quiet})
    status, err = await call(http, "POST", f"/channels/{cid}/messages/{other['id']}/threads",
                             {"name": "x" * 101, "auto_archive_duration": 5})
    assert status == 400 and err["code"] == 50035 and set(err["errors"]) == {"name", "auto_archive_duration"}
    status, err = await call(http, "POST", f"/channels/{thread['id']}/messages/{inside['id']}/threads", {"name": "n"})
    assert status == 400 and err["code"] == 50024  # no thread inside a thread
