"""The present moment. `SCOUT_NOW` pins it for replays of recorded or generated data."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from config.errors import ConfigError


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
    """Now, in UTC; `SCOUT_NOW` overrides it (replays treat a dataset's `now` as the present)."""
    pinned = os.environ.get("SCOUT_NOW")
    if pinned:
        try:
            return parse_utc(pinned)
        except ValueError as exc:
            raise ConfigError(f"SCOUT_NOW: expected an ISO 8601 time such as 2026-11-27T00:00:00Z, got {pinned!r}") from exc
    return datetime.now(UTC)
