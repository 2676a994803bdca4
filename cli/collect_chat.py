"""`scout collect slack` and `scout collect discourse`: read the other places vLLM's developers talk."""

from __future__ import annotations

from typing import Annotated

import typer

from cli._app import collect_app, engine, out, settings

ChatDays = Annotated[float, typer.Option("--days", min=0.0, help="How far back to read where there is no checkpoint "
                                         "yet (later runs resume from their checkpoints).")]
ConnectTimeout = Annotated[float, typer.Option(help="Seconds to wait for the service to answer at all.")]
VerifyLinks = Annotated[bool, typer.Option("--verify-links", help="Then check unverified profile links on GitHub: "
                                           "a GitHub bio or public gist naming the chat account back verifies it.")]


@collect_app.command("slack")
def collect_slack_cmd(days: ChatDays = 7.0, connect_timeout: ConnectTimeout = 60.0,
                      verify_links: VerifyLinks = False) -> None:
    """Read every Slack channel the app can read, threads included (SCOUT_SLACK_TOKEN, SCOUT_SLACK_API_URL)."""
    from collectors.slack import collect_slack
    from collectors.slack.command import verify_links as verify

    eng = engine()
    stats = collect_slack(settings(), eng, days=days, connect_timeout=connect_timeout)
    out.print(f"slack: {stats.channels} channel(s) ({stats.channels_read} read), {stats.messages} message(s) stored "
              f"({stats.new_messages} new, {stats.threads} thread(s)), {stats.users} user(s), {stats.links} link(s) "
              f"changed, {stats.requests} request(s)", markup=False)
    for skipped in stats.channels_skipped:
        out.print(f"skipped {skipped}", markup=False)
    if verify_links:
        out.print("slack links: " + ", ".join(f"{v} {k}" for k, v in verify(settings(), eng).items()), markup=False)


@collect_app.command("discourse")
def collect_discourse_cmd(days: ChatDays = 7.0, connect_timeout: ConnectTimeout = 60.0,
                          verify_links: VerifyLinks = False) -> None:
    """Read a Discourse forum's categories, topics and posts (SCOUT_DISCOURSE_URL, optional API key)."""
    from collectors.discourse import collect_discourse, discourse_url
    from collectors.slack.command import verify_links as verify

    s, eng = settings(), engine()
    stats = collect_discourse(s, eng, days=days, connect_timeout=connect_timeout)
    out.print(f"discourse: {stats.categories} categor(ies), {stats.topics} topic(s), {stats.posts} post(s) stored "
              f"({stats.new_posts} new), {stats.users} user(s), {stats.links} link(s) changed, "
              f"{stats.requests} request(s)", markup=False)
    if verify_links:
        out.print(
            "forum links: "
            + ", ".join(f"{v} {k}" for k, v in verify(s, eng, slack=False, forum_url=discourse_url(s)).items()),
            markup=False,
        )
