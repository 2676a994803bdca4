"""The Discord sandbox's REST API answers as Discord does (raw HTTP, no client library in between)."""

from __future__ import annotations

import json

import aiohttp
import pytest

from sandbox.discord import APPLICATION_ID, DiscordSandbox
from tests.helpers.discord_data import DiscordDataset

AUTH = {"Authorization": "Bot test-bot-token"}


@pytest.fixture
async def http(discord_sandbox: DiscordSandbox):
    async with aiohttp.ClientSession(discord_sandbox.base_url, headers=AUTH) as s:
        yield s


async def get(http: aiohttp.ClientSession, path: str, **params: object) -> tuple[int, object, aiohttp.ClientResponse]:
    async with http.get("/api/v10" + path, params={k: str(v) for k, v in params.items()}) as r:
        return r.status, json.loads(await r.read()) if r.status != 204 else None, r


async def test_json_content_type_is_exact_and_auth_is_required(discord_sandbox: DiscordSandbox, http) -> None:
    status, body, r = await get(http, "/users/@me")
    assert status == 200 and r.headers["Content-Type"] == "application/json"
    assert body["id"] == str(APPLICATION_ID) and body["bot"] is True
    async with aiohttp.ClientSession(discord_sandbox.base_url) as anon:
        async with anon.get("/api/v10/users/@me") as r2:
            assert r2.status == 401
            assert json.loads(await r2.read()) == {"message": "401: Unauthorized", "code": 0}
    status, body, _ = await get(http, "/nope")
    assert (status, body) == (404, {"message": "404: Not Found", "code": 0})


async def test_unknown_objects_use_discord_error_codes(http, discord_dataset: DiscordDataset) -> None:
    assert (await get(http, "/channels/123"))[1] == {"message": "Unknown Channel", "code": 10003}
    assert (await get(http, "/guilds/123"))[1] == {"message": "Unknown Guild", "code": 10004}
    general = discord_dataset.channel_ids["general"]
    assert (await get(http, f"/channels/{general}/messages/1"))[1] == {"message": "Unknown Message", "code": 10008}
    status, body, _ = await get(http, f"/channels/{general}/messages", limit=101)
    assert status == 400 and body["code"] == 50035 and "limit" in body["errors"]
    forum = discord_dataset.channel_ids["help-forum"]
    assert (await get(http, f"/channels/{forum}/messages"))[1]["code"] == 50024


async def test_message_paging_matches_discord(http, discord_dataset: DiscordDataset) -> None:
    cid = discord_dataset.channel_ids["general"]
    ids = [int(m["id"]) for m in discord_dataset.messages_in(cid)]
    assert len(ids) == 30

    async def page(**params: object) -> list[int]:
        status, body, _ = await get(http, f"/channels/{cid}/messages", **params)
        assert status == 200
        return [int(m["id"]) for m in body]

    # default and `before`: the newest, newest first
    assert await page(limit=5) == ids[-5:][::-1]
    assert await page(limit=5, before=ids[10]) == ids[5:10][::-1]
    # `after`: the oldest ones past the id, still newest first (discord.py pages on the first)
    assert await page(limit=5, after=ids[10]) == ids[11:16][::-1]
    assert await page(limit=100, after=ids[-1]) == []
    # `around`: limit//2 each side plus the message itself
    assert await page(limit=5, around=ids[10]) == ids[8:13][::-1]
    assert await page(limit=4, around=ids[10]) == ids[8:13][::-1]
    assert await page() == ids[::-1][:50]  # default limit 50


async def test_threads_active_and_archived_with_paging(http, discord_dataset: DiscordDataset) -> None:
    gid = discord_dataset.guild["id"]
    status, body, _ = await get(http, f"/guilds/{gid}/threads/active")
    assert status == 200
    names = {t["name"] for t in body["threads"]}
    assert names == {"rfc-scheduler", "maintainers-only", "how do I run on ROCm?"}
    assert body["has_more"] is False
    sig = discord_dataset.channel_ids["sig-frontend"]
    status, first, _ = await get(http, f"/channels/{sig}/threads/archived/public", limit=2)
    assert status == 200
    assert [t["name"] for t in first["threads"]] == ["old-discussion-1", "old-discussion-0"]
    assert first["has_more"] is False
    _, one, _ = await get(http, f"/channels/{sig}/threads/archived/public", limit=2,
                          before=first["threads"][0]["thread_metadata"]["archive_timestamp"])
    assert [t["name"] for t in one["threads"]] == ["old-discussion-0"]
    private = await get(http, f"/channels/{sig}/threads/archived/private")
    assert private[1]["threads"] == []
    thread = first["threads"][0]
    msgs = discord_dataset.messages_in(thread["id"])
    assert thread["message_count"] == len(msgs) and thread["last_message_id"] == msgs[-1]["id"]


async def test_message_create_checks_limits_and_mentions(discord_sandbox: DiscordSandbox, http,
                                                         discord_dataset: DiscordDataset) -> None:
    cid = discord_dataset.channel_ids["general"]
    url = f"/api/v10/channels/{cid}/messages"
    async with http.post(url, json={"content": "x" * 2001}) as r:
        body = json.loads(await r.read())
        assert (
            r.status == 400
            and body["code"] == 50035
            and body["errors"]["content"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"
        )
    async with http.post(url, json={"content": ""}) as r:
        assert r.status == 400 and json.loads(await r.read())["code"] == 50006
    big = [{"title": "t", "description": "d" * 4000} for _ in range(2)]
    async with http.post(url, json={"embeds": big}) as r:
        assert json.loads(await r.read())["errors"]["embeds"]["_errors"][0]["code"] == "MAX_EMBED_SIZE_EXCEEDED"
    # pings follow allowed_mentions (none: nobody), default parse pings everyone
    async with http.post(url, json={"content": "hi @everyone", "allowed_mentions": {"parse": []}}) as r:
        quiet = json.loads(await r.read())
        assert r.status == 200 and quiet["mention_everyone"] is False
    async with http.post(url, json={"content": "hi @everyone"}) as r:
        assert json.loads(await r.read())["mention_everyone"] is True
    posted = discord_sandbox.posted(cid)
    assert [m["id"] for m in posted] == [quiet["id"], posted[-1]["id"]]
    # the new message is in history, newest first
    _, latest, _ = await get(http, f"/channels/{cid}/messages", limit=1)
    assert latest[0]["id"] == posted[-1]["id"]


async def test_multipart_attachments_are_stored_and_recorded(discord_sandbox: DiscordSandbox, http,
                                                             discord_dataset: DiscordDataset) -> None:
    cid = discord_dataset.channel_ids["general"]
    form = aiohttp.FormData(quote_fields=False)
    form.add_field(
        "payload_json", json.dumps({"content": "chart", "attachments": [{"id": 0, "filename": "chart.png"}]})
    )
    form.add_field("files[0]", b"\x89PNG fake", filename="chart.png", content_type="image/png")
    async with http.post(f"/api/v10/channels/{cid}/messages", data=form) as r:
        msg = json.loads(await r.read())
    assert r.status == 200
    (att,) = msg["attachments"]
    assert att["filename"] == "chart.png" and att["size"] == 9 and att["content_type"] == "image/png"
    async with http.get(att["url"].replace(discord_sandbox.base_url, "")) as r:
        assert await r.read() == b"\x89PNG fake"
    entry = discord_sandbox.requests_to("POST", r"/messages$")[-1]
    assert entry["files"] == ["chart.png"] and entry["body"]["content"] == "chart" and entry["status"] == 200


async def test_rate_limit_429_and_bucket_headers(discord_sandbox: DiscordSandbox, http,
                                                  discord_dataset: DiscordDataset) -> None:
    cid = discord_dataset.channel_ids["general"]
    status, _, r = await get(http, f"/channels/{cid}/messages", limit=1)
    assert status == 200
    assert {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-RateLimit-Reset-After",
            "X-RateLimit-Bucket"} <= set(r.headers)
    discord_sandbox.rate_limits.force(r"/messages$", times=1, retry_after=1.5)
    status, body, r = await get(http, f"/channels/{cid}/messages", limit=1)
    assert status == 429 and r.headers["Content-Type"] == "application/json"
    assert body == {"message": "You are being rate limited.", "retry_after": 1.5, "global": False, "code": 0}
    assert r.headers["Retry-After"] == "2" and r.headers["X-RateLimit-Remaining"] == "0"
    assert r.headers["X-RateLimit-Scope"] == "user" and r.headers["Via"]
    assert (await get(http, f"/channels/{cid}/messages", limit=1))[0] == 200


async def test_bucket_exhaustion_answers_429(discord_dataset: DiscordDataset) -> None:
    from sandbox.discord import RateLimits

    sb = await DiscordSandbox(discord_dataset.path, rate_limits=RateLimits(limit=2, window=30)).start()
    try:
        async with aiohttp.ClientSession(sb.base_url, headers=AUTH) as http:
            cid = discord_dataset.channel_ids["general"]
            codes = [(await get(http, f"/channels/{cid}/messages", limit=1))[0] for _ in range(3)]
            other = (await get(http, f"/channels/{discord_dataset.channel_ids['sig-frontend']}/messages"))[0]
        assert codes == [200, 200, 429] and other == 200  # buckets are per channel
    finally:
        await sb.stop()


async def test_request_log_is_json_lines(discord_sandbox: DiscordSandbox, http, tmp_path) -> None:
    await get(http, "/users/@me")
    await get(http, "/gateway/bot")
    lines = [json.loads(x) for x in (tmp_path / "discord-requests.jsonl").read_text().splitlines()]
    assert [(x["method"], x["path"], x["status"]) for x in lines] == [
        ("GET", "/api/v10/users/@me", 200), ("GET", "/api/v10/gateway/bot", 200)]
    assert all(isinstance(x["bytes"], int) and x["bytes"] > 0 for x in lines)
    assert "test-bot-token" not in (tmp_path / "discord-requests.jsonl").read_text()


async def test_gateway_url_endpoints(http, discord_sandbox: DiscordSandbox) -> None:
    assert (await get(http, "/gateway"))[1] == {"url": discord_sandbox.gateway_url}
    body = (await get(http, "/gateway/bot"))[1]
    assert body["url"] == discord_sandbox.gateway_url and body["shards"] == 1


async def test_control_endpoints(discord_sandbox: DiscordSandbox, discord_dataset: DiscordDataset) -> None:
    cid = discord_dataset.channel_ids["general"]
    async with aiohttp.ClientSession(discord_sandbox.base_url) as s:
        async with s.post("/_sandbox/inject/message", json={"channel_id": cid, "content": "from a script",
                                                            "author": discord_dataset.messages[0]["author"]}) as r:
            msg = json.loads(await r.read())
        assert r.status == 200 and msg["content"] == "from a script"
        async with s.post("/_sandbox/inject/interaction", json={"name": "link", "options": {"github-login": "x"}}) as r:
            inter = json.loads(await r.read())
        assert r.status == 200 and inter["name"] == "link" and inter["callback"] is None
        async with s.get(f"/_sandbox/interactions/{inter['id']}") as r:
            assert json.loads(await r.read())["id"] == inter["id"]
        async with s.post("/_sandbox/ratelimit", json={"path": "/users/@me", "times": 1}) as r:
            assert r.status == 200
        async with s.post("/_sandbox/drop", json={}) as r:
            assert json.loads(await r.read()) == {"dropped": 0}
        async with s.get("/_sandbox/health") as r:
            assert json.loads(await r.read())["ok"] is True
    assert discord_sandbox.store.message(int(cid), int(msg["id"]))["content"] == "from a script"
    assert discord_sandbox.requests == []  # control calls are not the bot's requests


async def test_archived_threads_page_with_has_more(tmp_path) -> None:
    from tests.helpers.discord_data import build_discord_dataset

    ds = build_discord_dataset(tmp_path / "many", archived_threads=5, per_channel=2)
    sb = await DiscordSandbox(ds.path).start()
    try:
        async with aiohttp.ClientSession(sb.base_url, headers=AUTH) as http:
            sig = ds.channel_ids["sig-frontend"]
            seen, before, pages = [], None, 0
            while True:
                params = {"limit": 2} | ({"before": before} if before else {})
                _, body, _ = await get(http, f"/channels/{sig}/threads/archived/public", **params)
                pages += 1
                seen += [t["name"] for t in body["threads"]]
                if not body["has_more"]:
                    break
                before = body["threads"][-1]["thread_metadata"]["archive_timestamp"]
        assert pages == 3 and seen == [f"old-discussion-{k}" for k in (4, 3, 2, 1, 0)]
    finally:
        await sb.stop()


async def test_members_json_gives_members_their_roles(discord_dataset: DiscordDataset) -> None:
    ds = discord_dataset
    maintainer = {"id": "1220000000000000001", "name": "maintainer", "permissions": "0", "position": 1, "color": 0,
                  "hoist": False, "managed": False, "mentionable": False}
    guild = {**ds.guild, "roles": [*ds.guild["roles"], maintainer]}
    (ds.path / "discord" / "guild.json").write_text(json.dumps(guild))
    alice = ds.messages[0]["author"]
    member = {"user": alice, "roles": [maintainer["id"]], "joined_at": "2025-01-01T00:00:00.000000+00:00",
              "flags": 0, "nick": None, "avatar": None, "banner": None, "pending": False, "premium_since": None,
              "communication_disabled_until": None, "deaf": False, "mute": False}
    (ds.path / "discord" / "members.json").write_text(json.dumps([member]))
    sb = await DiscordSandbox(ds.path).start()
    try:
        async with aiohttp.ClientSession(sb.base_url, headers=AUTH) as http:
            _, got, _ = await get(http, f"/guilds/{ds.guild['id']}/members/{alice['id']}")
        assert got["roles"] == [maintainer["id"]] and got["joined_at"] == member["joined_at"]
        own = await sb.inject_interaction("bench", {"issue": 3}, user=alice["id"])
        assert own.payload["member"]["roles"] == [maintainer["id"]]
        other = await sb.inject_interaction("bench", {"issue": 3}, user=alice["id"], roles=[])
        assert other.payload["member"]["roles"] == []
    finally:
        await sb.stop()


async def test_interaction_deadline_and_single_acknowledgement(discord_sandbox: DiscordSandbox, http) -> None:
    inter = await discord_sandbox.inject_interaction("link", {"github-login": "octocat"})
    url = f"/api/v10/interactions/{inter.id}/{inter.token}/callback"
    async with http.post(f"/api/v10/webhooks/{APPLICATION_ID}/{inter.token}", json={"content": "too early"}) as r:
        assert r.status == 404 and json.loads(await r.read())["code"] == 10015
    async with http.post(url, json={"type": 4, "data": {"content": "hi", "flags": 64}}) as r:
        assert r.status == 204  # without with_response
    async with http.post(url, json={"type": 4, "data": {"content": "again"}}) as r:
        assert json.loads(await r.read()) == {"message": "Interaction has already been acknowledged.", "code": 40060}
    async with http.post(f"/api/v10/interactions/{inter.id}/wrong-token/callback", json={"type": 1}) as r:
        assert json.loads(await r.read())["code"] == 10062
    discord_sandbox.interaction_deadline = 0.0  # Discord forgets an interaction not answered within 3 s
    late = await discord_sandbox.inject_interaction("link", {"github-login": "octocat"})
    async with http.post(f"/api/v10/interactions/{late.id}/{late.token}/callback", json={"type": 5}) as r:
        assert r.status == 404 and json.loads(await r.read()) == {"message": "Unknown interaction", "code": 10062}
    assert late.callback is None and late.callback_after is not None
