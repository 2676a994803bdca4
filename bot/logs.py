"""Structured logging with secrets redacted everywhere (tokens, webhook URLs, Authorization headers).

Every record of every library (discord.py, aiohttp, PyGithub, urllib3, APScheduler, SQLAlchemy)
reaches the one root handler, whose formatter redacts: the configured tokens themselves (from the
environment and `add_secret`), and token-shaped secrets in any shape they are logged in (headers,
URLs of webhooks and interaction callbacks, `'token': ...` in gateway payload reprs and JSON).

`SCOUT_LOG_LEVEL` is a level, optionally followed by per-logger levels:
`DEBUG,discord=DEBUG,github=DEBUG`. Without one, the chatty libraries stay at WARNING.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime

from config.secrets import redact as redact_secrets
from config.settings import DEFAULT_LOG_LEVEL

_SECRET_ENV = ("SCOUT_GITHUB_TOKEN", "SCOUT_DISCORD_TOKEN")
_SECRETS: set[str] = set()


def add_secret(value: str | None) -> None:
    """Also redact this exact value (e.g. a token that came from somewhere other than the environment)."""
    if value and len(value) >= 4:
        _SECRETS.add(value)


def redact(text: str) -> str:
    """Remove every configured token and token-shaped secret from a string."""
    secrets = set(_SECRETS)
    for name in _SECRET_ENV:
        value = os.environ.get(name)
        if value and len(value) >= 4:
            secrets.add(value)
    return redact_secrets(text, secrets, "***")


class RedactingFormatter(logging.Formatter):
    def __init__(self, as_json: bool) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.as_json = as_json

    def format(self, record: logging.LogRecord) -> str:
        if self.as_json:
            payload = {
                "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
                "level": record.levelname,
                "logger": record.name,
                "message": redact(record.getMessage()),  # before escaping: patterns see the text as logged
            }
            if record.exc_info:
                payload["exc"] = redact(self.formatException(record.exc_info))
            return redact(json.dumps(payload))
        return redact(super().format(record))


NOISY = ("discord", "urllib3", "github", "aiohttp.access", "alembic", "matplotlib", "PIL")
# PyGithub's import sets the "github" logger to INFO; levels on its child loggers survive that.
_CHILDREN = {"github": ("github.Requester", "github.GithubRetry")}


def _tame_pygithub() -> None:
    """PyGithub's import adds its own StreamHandler to the "github" logger, which would print its
    records a second time, unformatted and unredacted: import it now and drop that handler."""
    import github  # noqa: F401 - imported for its import-time logging set-up

    gh = logging.getLogger("github")
    for h in list(gh.handlers):
        if not getattr(h, "_scout", False):
            gh.removeHandler(h)


def _set_level(name: str, level: int | str) -> None:
    for logger_name in (name, *_CHILDREN.get(name, ())):
        logging.getLogger(logger_name).setLevel(level)


def parse_levels(spec: str) -> tuple[str, dict[str, str]]:
    """`DEBUG,discord=DEBUG,github=INFO` -> ("DEBUG", {"discord": "DEBUG", "github": "INFO"})."""
    root, per_logger = "", {}
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        name, eq, value = part.partition("=")
        if eq:
            per_logger[name.strip()] = value.strip().upper()
        else:
            root = part.upper()
    return root or DEFAULT_LOG_LEVEL, per_logger


def setup_logging(level: str = DEFAULT_LOG_LEVEL, as_json: bool = False) -> None:
    """Configure the root logger once (`Settings.log_level` / `log_json`: SCOUT_LOG_LEVEL, SCOUT_LOG_JSON)."""
    level, per_logger = parse_levels(level or DEFAULT_LOG_LEVEL)
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter(as_json))
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_scout", False):
            root.removeHandler(h)
    handler._scout = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    _tame_pygithub()
    root.setLevel(level.upper())
    for noisy in NOISY:
        _set_level(noisy, max(logging.WARNING, root.level))
    for name, value in per_logger.items():
        _set_level(name, value)
