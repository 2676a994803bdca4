"""`scout simulate`: write a realistic generated community as a dataset directory."""

from bot.cli._app import app  # noqa: F401
