"""Collect a repo from GitHub into storage (the collector owns its own transactions per page)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import Engine

from collectors.github import ClientOptions, CollectResult, ProgressSink, collect_github
from config.settings import Settings


def collect_repo(settings: Settings, engine: Engine, since: datetime, repos: Sequence[str] | None = None, *,
                 use_graphql: bool = True, workers: int = 4,
                 progress: Callable[[str], ProgressSink] | None = None,
                 options: ClientOptions | None = None) -> list[CollectResult]:
    """Collect `repos` (default: the enabled ones) since `since`; a failed repo carries its error.
    `options` tune the client (e.g. how long a spent rate budget may be waited out)."""
    return collect_github(engine, settings, since, repos, use_graphql=use_graphql, workers=workers, progress=progress,
                          options=options)
