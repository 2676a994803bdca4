"""Time helpers. The present is `Settings.present` (`SCOUT_NOW` pins it for replays of recorded or
generated data), handed to whatever needs a clock; `utcnow` is the wall clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]  # returns the present, tz-aware UTC


def parse_utc(value: str | datetime) -> datetime:
    """Parse an ISO 8601 time (a trailing Z allowed) into a tz-aware UTC datetime.

    Naive inputs are taken as UTC: GitHub and Discord only ever send UTC.
    """
    if isinstance(value, datetime):
        dt = value
    else:
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def iso_z(dt: datetime) -> str:
    """Format a datetime as GitHub does: `2026-11-27T00:00:00Z`."""
    return parse_utc(dt).strftime("%Y-%m-%dT%H:%M:%SZ")


def utcnow() -> datetime:
    """The wall clock in UTC (for durations and the default clock; the replay-aware present is
    `Settings.present`)."""
    return datetime.now(UTC)
