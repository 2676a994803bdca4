"""Cooldowns on slash commands: anything a chat user can trigger that costs CPU or API calls.

discord.py's own dynamic cooldowns do the counting; the rates come from the settings
(`SCOUT_COMMAND_LIMIT` per user, `SCOUT_COMMAND_LIMIT_ALL` for everyone, per command and minute).
A refused call raises `app_commands.CommandOnCooldown`, which the error handler answers privately
with the wait. `/link` also has its own, stricter limit on GitHub checks (`LinkLimiter`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands

PER = 60.0  # seconds: the limits are per minute
T = TypeVar("T")


def _rate(interaction: discord.Interaction, setting: str, share: float) -> app_commands.Cooldown | None:
    limit = int(getattr(interaction.client.services.settings, setting))  # type: ignore[attr-defined]
    if limit <= 0:
        return None
    return app_commands.Cooldown(max(1, int(limit * share)), PER)


def limited(share: float = 1.0) -> Callable[[T], T]:
    """Limit a slash command per user and for everyone; `share` < 1 for a costly one (e.g. a chart)."""
    def per_user(interaction: discord.Interaction) -> app_commands.Cooldown | None:
        return _rate(interaction, "command_limit", share)

    def everyone(interaction: discord.Interaction) -> app_commands.Cooldown | None:
        return _rate(interaction, "command_limit_all", share)

    def decorate(command: Any) -> Any:
        command = app_commands.checks.dynamic_cooldown(per_user, key=lambda i: i.user.id)(command)
        return app_commands.checks.dynamic_cooldown(everyone, key=None)(command)

    return decorate
