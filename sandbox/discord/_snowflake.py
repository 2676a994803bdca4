"""Discord snowflakes: 64-bit ids whose top 42 bits are milliseconds since the Discord epoch."""

from __future__ import annotations

from datetime import UTC, datetime

DISCORD_EPOCH_MS = 1420070400000


def snowflake_time(snowflake: int) -> datetime:
    """The creation time encoded in a snowflake (UTC)."""
    return datetime.fromtimestamp(((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000, UTC)


def time_snowflake(dt: datetime, *, high: bool = False) -> int:
    """The lowest (or highest) snowflake of the millisecond `dt` falls in, as discord.py computes it."""
    ms = int(dt.timestamp() * 1000 - DISCORD_EPOCH_MS)
    return (ms << 22) + ((1 << 22) - 1 if high else 0)


class SnowflakeMaker:
    """Strictly increasing ids for objects the sandbox creates, never below `floor`."""

    def __init__(self, floor: int = 0, worker: int = 1) -> None:
        self._last = floor
        self._worker = worker & 0x1F

    def bump(self, seen: int) -> None:
        """Never hand out an id at or below one that already exists."""
        self._last = max(self._last, seen)

    def make(self, at: datetime) -> int:
        candidate = time_snowflake(at) | (self._worker << 17)
        new = candidate if candidate > self._last else self._last + 1
        self._last = new
        return new
