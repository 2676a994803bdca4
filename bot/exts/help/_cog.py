"""`/help`: the bot's commands as registered (names, descriptions, options), each with an example,
so the list can never drift from what Discord shows. Private answer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.interactions import reply
from reports.render.discord import COLOR, Section, render_sections

if TYPE_CHECKING:
    from bot.app import ScoutBot

EXAMPLES = {
    "maintainers": "/maintainers subsystem:kernel",
    "issue": "/issue number:12345",
    "shortlist": "/shortlist subsystem:frontend",
    "digest": "/digest",
    "link": "/link github-login:octocat",
    "bench": "/bench issue:12345 backend:skypilot",
    "help": "/help",
}


def help_lines(cmds: Sequence[Any]) -> list[tuple[str, str]]:
    """(title, body) per command, sorted by name: the description, options (optional ones in
    brackets), who may use it, and an example."""
    out = []
    for c in sorted(cmds, key=lambda c: c.name):
        opts = [f"{p.display_name}" if p.required else f"[{p.display_name}]"
                for p in getattr(c, "parameters", [])]
        body = c.description
        if opts:
            body += "\noptions: " + " ".join(opts)
        if c.default_permissions is not None:
            body += "\nmaintainers only (a server admin grants it under Server Settings → Integrations)"
        if c.name in EXAMPLES:
            body += f"\nexample: `{EXAMPLES[c.name]}`"
        out.append((f"/{c.name}", body))
    return out


class Help(commands.Cog):
    def __init__(self, bot: ScoutBot) -> None:
        self.bot = bot

    @app_commands.command(name="help", description="What oss-scout's commands do, with examples (only you see it)")
    async def help(self, interaction: discord.Interaction) -> None:
        fields = help_lines(self.bot.tree.get_commands())
        intro = ("oss-scout watches the project's GitHub and chat: who owns what, which PRs stall, which issues "
                 "are safe first picks. A daily digest is posted in the digest channel, details in its thread.")
        # our own text (command metadata and examples), so not escaped: the examples keep their code style
        messages = render_sections([Section("oss-scout commands", (intro,), tuple(fields), color=COLOR["digest"])])
        await reply(interaction, embeds=[dict(e) for m in messages for e in m.embeds], ephemeral=True)
