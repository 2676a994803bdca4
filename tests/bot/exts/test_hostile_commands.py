"""Slash commands fed hostile text: every answer comes in time, pings nobody, shows no traceback or
token, and stays within Discord's limits, whatever a stranger types into an option."""

from __future__ import annotations

from tests.bot.conftest import Community
from tests.bot.exts.test_commands import answer_problems
from tests.helpers.bot_answers import Answer, ask
from tests.helpers.discord_fixtures import running_bot

HOSTILE = [
    "@everyone", "@here", "<@1299000000000000001>", "<@&1200000000000000001>", "<#910000000000000001>",
    "**bold** __u__ ||spoiler|| `code` ```block```", "[click](https://evil.example/x)", "\u202eevil\u202c",
    "x" * 100, "../../etc/passwd", "'; DROP TABLE issues; --", "${{ secrets.GITHUB_TOKEN }}", "$(touch /tmp/pwn)",
    "{model}{result}", "%s%s%n", "\\", "\u0000"[0:0] + "nul-free", "🧨" * 40, "vllm-project/vllm#1",
]
LOGINS = ["@everyone", "<@1299000000000000001>", "a" * 39, "-leading", "bad login", "`tick`", "💥", "octo--cat"]


def _safe(answer: Answer) -> None:
    """In time, pinging nobody, no traceback or token (an error answer is private, a found one may be public)."""
    assert answer.interaction.callback_after is not None and answer.interaction.callback_after < 3.0
    assert answer.messages, "no answer"
    for m in answer.messages:
        assert not m.get("mention_everyone") and m.get("mentions") == [] and m.get("mention_roles") == []
    assert "Traceback" not in answer.text and "test-bot-token" not in answer.text
    assert "Something went wrong" not in answer.text  # no unexpected exception behind the answer


async def test_hostile_options_are_answered_safely(community: Community) -> None:
    c = community
    c.monkeypatch.setenv("SCOUT_COMMAND_LIMIT", "0")  # the flood limits have their own test
    c.monkeypatch.setenv("SCOUT_COMMAND_LIMIT_ALL", "0")
    answers = []
    async with running_bot(c.settings(), c.engine):
        for text in HOSTILE:
            answers.append(await ask(c.sandbox, "maintainers", {"subsystem": text}))
            answers.append(await ask(c.sandbox, "issue", {"number": 1, "repo": text[:140]}))
            answers.append(await ask(c.sandbox, "shortlist", {"subsystem": text}))
            answers.append(await ask(c.sandbox, "bench", {"issue": 1, "target": text[:60]}))
        for login in LOGINS:
            answers.append(await ask(c.sandbox, "link", {"github-login": login}))
    for answer in answers:
        _safe(answer)
    link_answers = answers[-len(LOGINS):]
    invalid = {
        LOGINS.index(x) for x in ("<@1299000000000000001>", "-leading", "bad login", "`tick`", "💥", "octo--cat")
    }
    assert all(("is not a valid GitHub login" in a.text) == (i in invalid) for i, a in enumerate(link_answers))
    assert answer_problems(c) == []
