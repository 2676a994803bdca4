"""`/link github-login` end to end: invoked through the sandbox gateway, answered through the
interaction callback and follow-up webhook, verified through PyGithub against the GitHub sandbox."""

from __future__ import annotations

from sqlalchemy import Engine

from collectors.discord.identity import LINK_VERIFIED, LinkLimiter
from config.settings import Settings
from sandbox.discord import DiscordSandbox
from storage.db import session_scope
from storage.models import ChatUser
from tests.helpers.discord_fixtures import running_bot
from tests.helpers.discord_schema import errors, request_schema

USER = {"id": "1210000000000000042", "username": "octo_on_discord", "global_name": "Octo"}


async def run_link(sb: DiscordSandbox, login: str) -> str:
    inter = await sb.inject_interaction("link", {"github-login": login}, user=USER)
    await sb.wait_for_response(inter, followups=1)
    assert inter.callback == {"type": 5, "data": {"flags": 64}}  # deferred, ephemeral, at once
    assert inter.callback_after is not None and inter.callback_after < 3.0
    (follow,) = inter.followups
    assert follow["flags"] & 64 and inter.ephemeral
    return follow["content"]


async def test_link_succeeds_only_with_the_code_in_place(discord_endpoints: DiscordSandbox, discord_settings: Settings,
                                                         engine: Engine, github_profiles) -> None:
    sb = discord_endpoints
    async with running_bot(discord_settings, engine, github_url=github_profiles.url) as bot:
        bot.get_cog("Identity").limiter = LinkLimiter(per_user_seconds=0)  # its limits have their own test
        first = await run_link(sb, "octocat")
        assert "oss-scout-" in first
        code = next(word.strip("`") for word in first.split() if word.strip("`").startswith("oss-scout-"))
        not_yet = await run_link(sb, "octocat")
        assert "could not find" in not_yet
        with session_scope(engine) as s:
            assert s.get(ChatUser, int(USER["id"])).link_source is None
        github_profiles.data.profiles["octocat"]["bio"] = f"cats and {code}"
        done = await run_link(sb, "octocat")
        assert done.startswith("Linked")
        with session_scope(engine) as s:
            u = s.get(ChatUser, int(USER["id"]))
            assert (u.github_login, u.link_source) == ("octocat", LINK_VERIFIED)
        assert "already linked" in await run_link(sb, "octocat")
    # what the bot sent validates against Discord's request schemas, and pings nobody
    for r in sb.requests_to("POST", r"/interactions/\d+/\*\*\*/callback$"):
        assert not errors(
            request_schema("/interactions/{interaction_id}/{interaction_token}/callback", "post"), r["body"]
        )
    followups = sb.requests_to("POST", r"/webhooks/\d+/\*\*\*$")
    assert len(followups) == 4
    for r in followups:
        assert r["body"]["allowed_mentions"] == {"parse": []}
        assert not errors(request_schema("/webhooks/{webhook_id}/{webhook_token}", "post"), r["body"])
    assert all("interaction" not in r["path"] or "***" in r["path"] for r in sb.requests)  # tokens not logged


async def test_link_rejects_a_bad_login_clearly(discord_endpoints: DiscordSandbox, discord_settings: Settings,
                                                engine: Engine, github_profiles) -> None:
    async with running_bot(discord_settings, engine, github_url=github_profiles.url):
        text = await run_link(discord_endpoints, "-bad-")
    assert "not a valid GitHub login" in text
