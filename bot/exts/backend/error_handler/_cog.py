"""Errors in one place (python-discord's error_handler): the app-command tree's `on_error` and the
prefix-command `on_command_error` both end here.

- `OssScoutError` (unknown subsystem, unknown issue, no data yet...): its message, ephemeral;
- a failed check (missing role...): "not allowed", ephemeral;
- anything else: logged with its traceback (redacted by the log formatter) and answered with a
  generic message. No traceback, token or internal detail ever reaches Discord.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.logs import redact
from bot.posting import CONTENT_MAX, safe_text
from config.errors import OssScoutError

if TYPE_CHECKING:
    from bot.app import ScoutBot

log = logging.getLogger(__name__)

GENERIC = "Something went wrong while answering this. It has been logged for the bot's operators."
NOT_ALLOWED = "You are not allowed to use this command."


def message_for(error: BaseException) -> str:
    """The text a user sees for an error (pure; the cog sends it)."""
    original = getattr(error, "original", None) or getattr(error, "__cause__", None) or error
    if isinstance(error, OssScoutError):
        original = error
    if isinstance(original, OssScoutError):
        return safe_text(redact(str(original)) or type(original).__name__, CONTENT_MAX)
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"This command is cooling down; try again in {error.retry_after:.0f} s."
    if isinstance(error, app_commands.CheckFailure | commands.CheckFailure):
        return NOT_ALLOWED
    if isinstance(error, app_commands.TransformerError | commands.UserInputError):
        return safe_text(f"That input is not valid: {redact(str(error))}", CONTENT_MAX)
    return GENERIC


class ErrorHandler(commands.Cog):
    """Installs itself as the command tree's error handler while loaded."""

    def __init__(self, bot: ScoutBot) -> None:
        self.bot = bot
        self._previous: Any = None

    async def cog_load(self) -> None:
        self._previous = self.bot.tree.on_error
        self.bot.tree.on_error = self.on_app_command_error  # type: ignore[method-assign]

    async def cog_unload(self) -> None:
        self.bot.tree.on_error = self._previous  # type: ignore[method-assign]

    async def on_app_command_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        text = message_for(error)
        command = interaction.command.qualified_name if interaction.command else "?"
        if text == GENERIC:
            log.error("/%s failed", command, exc_info=(type(error), error, error.__traceback__))
        else:
            log.info("/%s: %s", command, text)
        try:
            if interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True, allowed_mentions=discord.AllowedMentions.none())
            else:
                await interaction.response.send_message(text, ephemeral=True,
                                                        allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException as exc:  # e.g. the interaction expired: nothing more to tell
            log.warning("/%s: could not send the error reply (%s)", command, exc.status)

    @commands.Cog.listener()
    async def on_command_error(self, ctx: commands.Context[Any], error: commands.CommandError) -> None:
        if isinstance(error, commands.CommandNotFound):
            return
        text = message_for(error)
        if text == GENERIC:
            log.error("command %s failed", ctx.command, exc_info=(type(error), error, error.__traceback__))
        try:
            await ctx.send(text, allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException:
            log.warning("could not send the error reply for %s", ctx.command)
