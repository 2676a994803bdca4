"""GitHub collector: PyGithub against `SCOUT_GITHUB_API_URL`, incremental and resumable.

`collect_github` is the entry point (the CLI and the scheduler call it); `GitHubCollector` does
one repository; `GitHubClient` is how requests are made, retried and paced.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import Engine

from collectors.github.client import ClientOptions, CollectionStopped, GitHubClient, NotFoundError, RateLimitStop
from collectors.github.collector import CATEGORIES, CollectResult, GitHubCollector, ProgressSink
from config import CollectorError, RepoWatch, Settings

log = logging.getLogger(__name__)

__all__ = [
    "CATEGORIES",
    "ClientOptions",
    "CollectResult",
    "CollectionStopped",
    "GitHubClient",
    "GitHubCollector",
    "NotFoundError",
    "ProgressSink",
    "RateLimitStop",
    "collect_github",
]


def collect_github(engine: Engine, settings: Settings, since: datetime, repos: Sequence[str] | None = None, *,
                   use_graphql: bool = True, workers: int = 4,
                   progress: Callable[[str], ProgressSink] | None = None,
                   options: ClientOptions | None = None) -> list[CollectResult]:
    """Collect each repository (default: the watch config's enabled ones) since `since`.

    Never raises for a repository that fails: its result carries `error` and `exception`, and the
    others still run (a spent rate limit stops the remaining ones too). The caller decides."""
    watch = settings.watch
    targets: list[RepoWatch | str] = []
    for name in repos or [r.name for r in watch.enabled_repos]:
        known = next((r for r in watch.repos if r.name.lower() == name.lower()), None)
        targets.append(known or name)
    token = settings.github_token.get_secret_value() if settings.github_token else None
    if token is None:
        log.warning("SCOUT_GITHUB_TOKEN is not set: anonymous requests get 60 an hour")
    results: list[CollectResult] = []
    for target in targets:
        name = target.name if isinstance(target, RepoWatch) else target
        client = GitHubClient(settings.github_api_url, token, options)
        collector = GitHubCollector(engine, client, target, since=since, use_graphql=use_graphql, workers=workers,
                                    progress=progress(name) if progress else None, clock=settings.present)
        try:
            results.append(collector.run())
        except CollectionStopped as exc:  # a requested stop, not a failure: the other repos wait too
            collector.result.exception = exc
            results.append(collector.result)
            log.info("%s", exc)
            break
        except CollectorError as exc:
            collector.result.exception = exc
            results.append(collector.result)
            log.error("%s", exc)
            if isinstance(exc, RateLimitStop):
                break
        finally:
            client.close()
    return results
