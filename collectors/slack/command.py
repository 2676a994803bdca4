"""`scout collect slack`'s library side: build the client from settings, collect, report."""

from __future__ import annotations

from sqlalchemy import Engine

from collectors.slack.client import SlackReader, make_client, wait_reachable
from collectors.slack.collector import SlackCollector, SlackCollectStats
from config.errors import ConfigError
from config.settings import Settings
from config.watch import SlackSource


def slack_token(settings: Settings) -> str:
    if settings.slack_token is None or not settings.slack_token.get_secret_value().strip():
        raise ConfigError("SCOUT_SLACK_TOKEN is not set: a bot token (xoxb-...) of an app installed in the "
                          "workspace is needed to read Slack")
    return settings.slack_token.get_secret_value().strip()


def slack_source(settings: Settings) -> SlackSource | None:
    """The first enabled watched repo's Slack workspace, if the watch config names one."""
    return next((r.chat.slack for r in settings.watch.enabled_repos if r.chat.slack is not None), None)


def verify_links(
    settings: Settings, engine: Engine, *, slack: bool = True, forum_url: str | None = None
) -> dict[str, int]:
    """Check unverified profile links against GitHub (SCOUT_GITHUB_API_URL, SCOUT_GITHUB_TOKEN)."""
    from collectors.chat_identity import verify_profile_links
    from collectors.discord.identity import make_github
    from storage.db import session_scope

    token = settings.github_token.get_secret_value() if settings.github_token else None
    github = make_github(settings.github_api_url, token)
    with session_scope(engine) as s:
        return verify_profile_links(s, github, slack=slack, forum_url=forum_url)


def collect_slack(settings: Settings, engine: Engine, *, days: float = 7, connect_timeout: float = 60.0,
                  reader: SlackReader | None = None) -> SlackCollectStats:
    """Read every channel the app can read since its checkpoint (`days` back on a first read)."""
    token = slack_token(settings)
    if reader is None:
        wait_reachable(settings.slack_api_url, connect_timeout)
        reader = SlackReader(make_client(settings.slack_api_url, token))
    source = slack_source(settings)
    collector = SlackCollector(reader, engine, now=settings.present(),
                               github_links=dict(source.github_links) if source else {},
                               channels=source.channels if source else ())
    return collector.collect(days)
