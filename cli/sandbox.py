"""`scout sandbox`: serve a dataset directory as GitHub (and Discord) on loopback until stopped."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli._app import app, out

Dataset = Annotated[Path, typer.Option("--dataset", help="A dataset directory (format: docs/dataset.md).", exists=True,
                                       file_okay=False, dir_okay=True)]
Host = Annotated[str, typer.Option(help="Interface to listen on (loopback by default).")]
GitHubPort = Annotated[int, typer.Option("--github-port", min=0, max=65535,
                                         help="Port of the GitHub API (0: a free one).")]
LatencyMs = Annotated[float, typer.Option("--latency-ms", min=0.0, max=60_000.0,
                                          help="Delay added to every response, in milliseconds.")]
Faults = Annotated[str | None, typer.Option(
    help="Injected failures, e.g. 5xx=0.1,drop=0.02,malformed=0.01,secondary=0.01,ratelimit-after=400"
         "[,ratelimit-window=5][,retry-after=1][,seed=N] (deterministic for a seed); GitHub's own limits: "
         "events-depth=N (issue-events pages past N: 422), gql-timeout-nodes=N (heavier GraphQL: 502), "
         "hour=S (5,000 requests and 5,000 points every S seconds).")]
RequestLog = Annotated[Path | None, typer.Option("--request-log", help="Append one JSON line per request here.")]
# --- Discord (issue 6): REST under /api/v10 and the gateway at /gateway on this port.
DiscordPort = Annotated[int | None, typer.Option("--discord-port", min=0, max=65535,
                                                 help="Also serve the dataset's discord/ part on "
                                                 "this port (0: a free one).")]

# --- Slack and Discourse (issue 15): the Slack Web API under /api/, Discourse's JSON API at the root.
SlackPort = Annotated[int | None, typer.Option("--slack-port", help="Also serve the dataset's slack/ part on this "
                                               "port (0: a free one).")]
DiscoursePort = Annotated[int | None, typer.Option("--discourse-port", help="Also serve the dataset's discourse/ "
                                                   "part on this port (0: a free one).")]


@app.command("sandbox")
def sandbox_cmd(
    dataset: Dataset,
    host: Host = "127.0.0.1",
    github_port: GitHubPort = 0,
    latency_ms: LatencyMs = 0.0,
    faults: Faults = None,
    request_log: RequestLog = None,
    discord_port: DiscordPort = None,
    slack_port: SlackPort = None,
    discourse_port: DiscoursePort = None,
) -> None:
    """Serve DATASET as GitHub's REST and GraphQL APIs on loopback; prints the base URL(s)."""
    from sandbox.server import run

    def announce(name: str, url: str) -> None:
        out.print(f"{name} sandbox: {url}")
        if name == "github":
            out.print(f"  export SCOUT_GITHUB_API_URL={url}")
        if name == "discord":  # url is the REST base; the gateway is on the same port
            out.print(f"  export SCOUT_DISCORD_API_URL={url}")
            gateway = url.replace("http://", "ws://", 1).removesuffix("/api/v10") + "/gateway"
            out.print(f"  export SCOUT_DISCORD_GATEWAY_URL={gateway}")
        if name == "slack":
            out.print(f"  export SCOUT_SLACK_API_URL={url}")
        if name == "discourse":
            out.print(f"  export SCOUT_DISCOURSE_URL={url}")

    run(dataset, host=host, github_port=github_port, discord_port=discord_port, latency_ms=latency_ms, faults=faults,
        request_log=request_log, announce=announce, slack_port=slack_port, discourse_port=discourse_port)
