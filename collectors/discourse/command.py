"""`scout collect discourse`'s library side: the forum from settings (or the watch config), collect."""

from __future__ import annotations

from sqlalchemy import Engine

from collectors.discourse.client import DiscourseClient, wait_reachable
from collectors.discourse.collector import DiscourseCollector, DiscourseCollectStats
from config.errors import ConfigError
from config.settings import Settings
from config.watch import DiscourseSource


def discourse_source(settings: Settings) -> DiscourseSource | None:
    return next((r.chat.discourse for r in settings.watch.enabled_repos if r.chat.discourse is not None), None)


def discourse_url(settings: Settings) -> str:
    """SCOUT_DISCOURSE_URL, else the forum the watch config names."""
    if settings.discourse_url:
        return settings.discourse_url.rstrip("/")
    source = discourse_source(settings)
    if source is None:
        raise ConfigError("no Discourse forum: set SCOUT_DISCOURSE_URL or name one in the watch config "
                          "([repos.chat.discourse] url = ...)")
    return source.url


def collect_discourse(settings: Settings, engine: Engine, *, days: float = 7, connect_timeout: float = 60.0,
                      client: DiscourseClient | None = None) -> DiscourseCollectStats:
    """Read categories, topics bumped since the checkpoint (`days` back on a first run) and their posts."""
    url = discourse_url(settings)
    if client is None:
        key = settings.discourse_api_key.get_secret_value().strip() if settings.discourse_api_key else None
        client = DiscourseClient(url, api_key=key or None, api_username=settings.discourse_api_username)
        wait_reachable(client, connect_timeout)
    source = discourse_source(settings)
    collector = DiscourseCollector(client, engine, now=settings.present(), scope=url,
                                   github_links=dict(source.github_links) if source else {},
                                   categories=source.categories if source else ())
    return collector.collect(days)
