"""When a declared owner (CODEOWNERS) counts as inactive: one rule for `scout maintainers`,
`/maintainers` and the shortlist's notion of an active maintainer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

MIN_OWNER_SCORE = 0.5  # an ownership score below this is (almost) no recent maintainer work
ACTIVE_DAYS = 30.0  # an owner whose last maintainer work is older than this is not active


def is_team(handle: str) -> bool:
    """A CODEOWNERS team (`org/team`), which has no activity of its own to judge."""
    return "/" in handle


def is_active(score: float, last_active_at: datetime | None, now: datetime) -> bool:
    """Active in a subsystem: enough (decayed) maintainer work there, the latest within ACTIVE_DAYS."""
    return (score >= MIN_OWNER_SCORE and last_active_at is not None
            and now - last_active_at <= timedelta(days=ACTIVE_DAYS))


def declared_inactive(declared: Sequence[str], standing: Mapping[str, tuple[float, datetime | None]],
                      now: datetime) -> tuple[str, ...]:
    """Declared owners (teams aside) who are not active by `is_active`; `standing` maps a login to
    its (score, last active) in the subsystem; a declared owner without one never acted there."""
    return tuple(d for d in declared if not is_team(d) and not is_active(*standing.get(d, (0.0, None)), now))
