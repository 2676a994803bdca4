"""`scout import` and `scout status`."""

from bot.cli._app import app  # noqa: F401
