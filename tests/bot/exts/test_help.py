"""`/help` through the real bot and the sandbox: every registered command, with an example."""

from __future__ import annotations

from tests.bot.conftest import Community
from tests.helpers.bot_answers import ask
from tests.helpers.discord_fixtures import running_bot


async def test_help_lists_every_command_with_an_example_privately(community: Community) -> None:
    c = community
    async with running_bot(c.settings(), c.engine) as bot:
        registered = sorted(cmd.name for cmd in bot.tree.get_commands())
        answer = await ask(c.sandbox, "help", {})
    assert answer.ephemeral and answer.messages
    (embed,) = [e for m in answer.messages for e in m["embeds"]]
    assert embed["title"] == "oss-scout commands"
    assert [f["name"] for f in embed["fields"]] == [f"/{n}" for n in registered]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert "example: `/maintainers subsystem:kernel`" in fields["/maintainers"]
    assert "maintainers only" in fields["/bench"] and "maintainers only" not in fields["/issue"]
    assert all("example: `/" in v for v in fields.values())
