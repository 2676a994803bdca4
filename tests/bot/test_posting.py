"""Digest posting within Discord's limits, pinging nobody, with the chart attached."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from bot.posting import (
    Attachment,
    clamp_embed,
    fit_embeds,
    post_digest,
    safe_text,
)
from config.errors import ReportError
from config.settings import Settings
from reports.render.discord import LIMITS, embed_size
from sandbox.discord import DiscordSandbox
from tests.helpers.discord_fixtures import running_bot
from tests.helpers.discord_schema import errors, request_schema

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_clamp_and_fit_respect_every_limit() -> None:
    e = clamp_embed(
        {
            "title": "t" * 300,
            "description": "@everyone " + "d" * 5000,
            "fields": [{"name": f"f{i}", "value": "v" * 2000} for i in range(30)] + [{"name": "", "value": ""}],
            "footer": {"text": "x" * 3000},
        }
    )
    assert len(e["title"]) == 256 and len(e["description"]) == 4096 and len(e["fields"]) == 25
    assert all(len(f["value"]) == 1024 for f in e["fields"]) and len(e["footer"]["text"]) == 2048
    assert e["description"].startswith("@\u200beveryone")
    batches = fit_embeds([{"title": str(i), "description": "x" * 1500} for i in range(12)])
    assert [len(b) for b in batches] == [3, 3, 3, 3]
    assert all(sum(embed_size(x) for x in b) <= LIMITS["total"] for b in batches)
    assert [len(b) for b in fit_embeds([{"title": str(i)} for i in range(12)])] == [10, 2]
    assert safe_text("<@123456789012345678> hi", 100) == "<@\u200b123456789012345678> hi"


async def test_post_digest_with_chart_within_limits_and_no_pings(discord_endpoints: DiscordSandbox,
                                                                 discord_settings: Settings, engine: Engine,
                                                                 discord_dataset) -> None:
    sb = discord_endpoints
    embeds = [{"title": "oss-scout daily digest — @everyone look", "description": "12 new issues",
               "image": {"url": "attachment://chart.png"}, "color": 0x3B82F6,
               "fields": [{"name": "Frontend", "value": "x" * 1500, "inline": True} for _ in range(3)]}]
    embeds += [{"title": f"issue {i}", "description": "y" * 1200} for i in range(11)]
    channel = discord_dataset.channel_ids["general"]
    async with running_bot(discord_settings, engine, extensions=[]) as bot:
        posted = await post_digest(bot, int(channel), embeds, [Attachment("chart.png", PNG, "activity chart")],
                                   content="Daily digest for @here")
        by_name = await post_digest(bot, "#general", [{"title": "again"}])
    assert len(posted) >= 2 and len(by_name) == 1
    sent = sb.requests_to("POST", rf"/channels/{channel}/messages$")
    assert [r["status"] for r in sent] == [200] * len(sent)  # the sandbox enforces every limit
    assert sent[0]["files"] == ["chart.png"] and all("files" not in r for r in sent[1:])
    for r in sent:
        assert r["body"]["allowed_mentions"] == {"parse": []}
        # discord.py numbers upload slots with ints (`"id": 0`), which Discord accepts; the spec
        # types attachment ids as snowflake strings, so compare with the slot as a string.
        body = {**r["body"], "attachments": [{**a, "id": str(a["id"])} for a in r["body"].get("attachments", [])]}
        assert not errors(request_schema("/channels/{channel_id}/messages", "post"), body)
    messages = sb.posted(channel)
    assert sum(len(m["embeds"]) for m in messages) == len(embeds) + 1
    first = messages[0]
    assert first["embeds"][0]["image"]["url"] == first["attachments"][0]["url"]
    assert first["attachments"][0]["filename"] == "chart.png" and first["attachments"][0]["size"] == len(PNG)
    assert not any(m["mention_everyone"] or m["mentions"] or m["mention_roles"] for m in messages)
    assert [u.data for u in sb.uploads] == [PNG]


async def test_post_digest_refuses_an_unknown_channel_or_empty_digest(
    discord_endpoints: DiscordSandbox, discord_settings: Settings, engine: Engine
) -> None:
    async with running_bot(discord_settings, engine, extensions=[]) as bot:
        with pytest.raises(ReportError, match="no text channel named #oss-scout"):
            await post_digest(bot, "oss-scout", [{"title": "x"}])
        with pytest.raises(ReportError, match="empty"):
            await post_digest(bot, "general", [])
        with pytest.raises(ReportError, match="not reachable"):
            await post_digest(bot, 42, [{"title": "x"}])
