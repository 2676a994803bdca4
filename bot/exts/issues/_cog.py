"""`/issue`: thin over `reports.issue_card` and `reports.render.discord.issue_messages`, with a
one-line verdict on top (can a newcomer take it, and if not, why)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.answers import flatten, read, repo_autocomplete, repo_name, require_judgement, within_deadline
from bot.cooldowns import limited
from bot.interactions import reply
from reports.render.text import safe

if TYPE_CHECKING:
    from bot.app import ScoutBot
    from reports.cards import IssueCard

GFI_LIKELY = 0.5


def verdict(card: IssueCard) -> str:
    """One line a newcomer acts on: taken (claimed, blocked, assigned, PR in flight, closed) or free,
    how likely a good first issue, and its bench job."""
    kind = "PR" if card.is_pull else "Issue"
    head = f"**{kind} #{card.number}**"
    if card.is_pull:
        state = f"a pull request ({safe(card.state, 12)})"
    elif card.claimed:
        who = ", ".join(safe(x, 40) for x in card.claimed_by[:3])
        state = "**claimed**" + (f" by {who}" if who else "") + " — not a first pick"
    elif card.blocked:
        why = "; ".join(safe(x, 80) for x in card.blockers[:3])
        state = "**blocked**" + (f" ({why})" if why else "") + " — not a first pick"
    elif card.not_recommended:
        label = "**claimed**: " if card.not_recommended.startswith(("assigned", "PR #")) else ""
        state = f"{label}{safe(card.not_recommended, 120)} — not a first pick"
    elif card.probability is None:
        state = "open, not scored yet"
    elif card.probability >= GFI_LIKELY:
        state = f"open and free: a good first issue candidate (p={card.probability:.2f})"
    else:
        state = f"open and free, but unlikely a good first issue (p={card.probability:.2f})"
    if card.bench_jobs:
        b = card.bench_jobs[0]
        if b.status == "not-needed":
            bench = f"bench job {b.id} (no benchmark needed)"
        else:
            verdict = f": {safe(b.verdict, 120)}" if b.verdict else ""
            bench = f"bench job {b.id} ({safe(b.target, 30)} on {safe(b.backend, 20)}, {safe(b.status, 20)}{verdict})"
    else:
        bench = f"no bench job yet (`/bench issue:{card.number}`)"
    ask = ", ".join(safe(o.login, 40) for o in card.owners[:3])
    return f"{head}: {state} · " + (f"ask {ask} · " if ask else "") + bench


class Issues(commands.Cog):
    def __init__(self, bot: ScoutBot) -> None:
        self.bot = bot

    @app_commands.command(name="issue", description="What oss-scout knows about an issue or PR")
    @app_commands.describe(number="The issue or PR number", repo="OWNER/REPO (default: the first watched repo)")
    @app_commands.autocomplete(repo=repo_autocomplete)
    @limited()
    async def issue(self, interaction: discord.Interaction, number: app_commands.Range[int, 1, 10**9],
                    repo: app_commands.Range[str, 1, 140] | None = None) -> None:
        """Public answer: subsystem, GFI probability and reasons, claims/blockers, owners, bench jobs."""
        from reports import issue_card
        from reports.render.discord import issue_messages

        services = self.bot.services
        watch = services.settings.watch
        name = repo_name(watch, repo)
        now = services.now()

        def work(session: Any) -> tuple[str, list[Any]]:
            stored = require_judgement(session, name)
            card = issue_card(session, watch, number, now, stored)
            return verdict(card), issue_messages(card)

        line, messages = await within_deadline(interaction, lambda: read(services, work), ephemeral=False)
        embeds, _ = flatten(messages)
        await reply(interaction, line, embeds=embeds)
