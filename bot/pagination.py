"""Pages for long answers: one message with ◀ / ▶ buttons instead of a wall of follow-ups. Only the
person who asked turns the pages; after `TIMEOUT_S` of quiet the buttons go grey."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import discord

TIMEOUT_S = 600.0


class Pager(discord.ui.View):
    """Embeds already cut into pages (each within one message's limits)."""

    def __init__(self, pages: Sequence[Sequence[dict[str, Any]]], owner_id: int, *, timeout: float = TIMEOUT_S) -> None:
        super().__init__(timeout=timeout)
        self.pages = [list(p) for p in pages]
        self.owner_id = owner_id
        self.index = 0
        self.message: discord.WebhookMessage | None = None  # a follow-up carrying the pages
        self.interaction: discord.Interaction | None = None  # or the first response of this interaction
        self._sync()

    def embeds(self) -> list[discord.Embed]:
        return [discord.Embed.from_dict(e) for e in self.pages[self.index]]

    def _sync(self) -> None:
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index >= len(self.pages) - 1
        self.counter.label = f"{self.index + 1} / {len(self.pages)}"

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message("Only the person who asked can turn these pages.", ephemeral=True,
                                                allowed_mentions=discord.AllowedMentions.none())
        return False

    async def _show(self, interaction: discord.Interaction, index: int) -> None:
        self.index = max(0, min(index, len(self.pages) - 1))
        self._sync()
        await interaction.response.edit_message(embeds=self.embeds(), view=self,
                                                allowed_mentions=discord.AllowedMentions.none())

    @discord.ui.button(label="◀", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, button: discord.ui.Button[Pager]) -> None:
        await self._show(interaction, self.index - 1)

    @discord.ui.button(label="1 / 1", style=discord.ButtonStyle.secondary, disabled=True)
    async def counter(self, interaction: discord.Interaction, button: discord.ui.Button[Pager]) -> None:
        """Shows where you are; never pressed (disabled)."""

    @discord.ui.button(label="▶", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button[Pager]) -> None:
        await self._show(interaction, self.index + 1)

    async def on_timeout(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        try:
            if self.message is not None:
                await self.message.edit(view=self)
            elif self.interaction is not None:
                await self.interaction.edit_original_response(view=self)
        except discord.HTTPException:  # the message is gone or the token expired: nothing to grey out
            pass
