"""`scout` commands of this stage (registered on the shared app)."""

from bot.cli._app import app  # noqa: F401
