"""Collect a repo from GitHub into storage (the collector owns its own transactions per page)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import Engine

from collectors.github import ClientOptions, CollectResult, ProgressSink, collect_github
from config.errors import OssScoutError
from config.settings import Settings

log = logging.getLogger(__name__)


def collect_repo(settings: Settings, engine: Engine, since: datetime, repos: Sequence[str] | None = None, *,
                 use_graphql: bool = True, workers: int = 4,
                 progress: Callable[[str], ProgressSink] | None = None,
                 options: ClientOptions | None = None) -> list[CollectResult]:
    """Collect `repos` (default: the enabled ones) since `since`; a failed repo carries its error.
    `options` tune the client (e.g. how long a spent rate budget may be waited out)."""
    return collect_github(engine, settings, since, repos, use_graphql=use_graphql, workers=workers, progress=progress,
                          options=options)


def chat_sources_of(settings: Settings) -> tuple[str, ...]:
    """The chat sources beside Discord that the settings switch on: Slack with a bot token, a forum
    with SCOUT_DISCOURSE_URL (a forum named only in the watch config is read by `scout collect
    discourse`, not by the service, so that no run reaches a server nobody configured for it)."""
    on = []
    if settings.slack_token is not None and settings.slack_token.get_secret_value().strip():
        on.append("slack")
    if settings.discourse_url:
        on.append("discourse")
    return tuple(on)


def collect_chat_sources(settings: Settings, engine: Engine, sources: Sequence[str], days: float = 7.0,
                         connect_timeout: float = 30.0) -> dict[str, int]:
    """Slack and/or Discourse since their checkpoints (`days` back on a first read): new messages
    or posts stored per source. A source that fails is logged in one line and the others still run."""
    from collectors.discourse import collect_discourse
    from collectors.slack import collect_slack

    new: dict[str, int] = {}
    for source in sources:
        try:
            if source == "slack":
                new[source] = collect_slack(settings, engine, days=days, connect_timeout=connect_timeout).new_messages
            elif source == "discourse":
                new[source] = collect_discourse(settings, engine, days=days,
                                                connect_timeout=connect_timeout).new_posts
            else:
                raise ValueError(f"unknown chat source {source!r}")
        except OssScoutError as exc:
            log.error("%s collection failed: %s", source, exc)
    return new
