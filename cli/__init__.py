"""The `scout` command line. Each module registers the commands of one stage on the shared app."""

from cli import (  # noqa: F401 - imported for their command registrations
    collect,
    collect_chat,
    collect_discord,
    data,
    database,
    demo,
    invite,
    judge,
    prior,
    report,
    sandbox,
    service,
    simulate,
)
from cli._app import app, main

__all__ = ["app", "main"]
