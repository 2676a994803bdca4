"""How big a generated community is. Window volumes are per-day rates (so `--days` scales them);
history is a fixed-size older slice that gives the classifiers resolved threads to learn from."""

from __future__ import annotations

from dataclasses import dataclass, replace

from config.errors import ConfigError


@dataclass(frozen=True)
class Scale:
    name: str
    days: int                  # default window length (`--days` overrides)
    issues_per_day: float      # new issues created per day in the window
    prs_per_day: float         # new pull requests created per day in the window
    touched_issues: float      # older issues with activity in the window, per window day
    touched_prs: float         # older PRs with activity in the window, per window day
    history_days: int          # how far before the window the history slice reaches
    history_issues: int        # issues created (and last touched) before the window
    history_prs: int
    chat_per_day: float        # Discord messages per day in the window
    max_subsystems: int        # how many taxonomy subsystems the community is active in
    maintainers_per_subsystem: int
    contributors: int          # regular contributors
    newcomers: int             # pool of first-time contributors
    users: int                 # pool of reporters / commenters
    chat_only: int             # Discord users with no GitHub activity
    min_open_gfi: int          # floors so that even tiny slices carry every kind of planted truth
    min_claimed: int
    min_blocked: int
    review_rate: float = 1.0   # multiplies review rounds and inline comments per PR


SCALES: dict[str, Scale] = {
    s.name: s
    for s in (
        Scale("small", 7, 4.4, 6.4, 2.0, 1.2, 150, 110, 100, 60, 10, 3, 18, 40, 120, 15, 10, 4, 4),
        Scale("vllm-week", 7, 43.0, 66.0, 21.0, 12.5, 180, 900, 900, 575, 99, 3, 140, 320, 1100, 120, 24, 10, 8),
        Scale(
            "vllm-year", 365, 43.0, 66.0, 2.4, 1.4, 90, 4500, 4500, 275, 99, 3, 700, 3200, 14000, 1500, 40, 14, 10, 0.72
        ),
    )
}


def get_scale(name: str, days: int | None = None) -> Scale:
    """A preset by name, with its window optionally changed."""
    try:
        scale = SCALES[name]
    except KeyError:
        raise ConfigError(f"unknown scale {name!r}; expected one of {', '.join(SCALES)}") from None
    if days is not None:
        if days < 1:
            raise ConfigError(f"--days must be at least 1, got {days}")
        scale = replace(scale, days=days)
    return scale
