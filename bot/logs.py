"""Structured logging with secrets redacted everywhere (tokens, webhook URLs, Authorization headers)."""

from __future__ import annotations

import json
import logging
import os
import re
from datetime import UTC, datetime

_SECRET_ENV = ("SCOUT_GITHUB_TOKEN", "SCOUT_DISCORD_TOKEN")
_PATTERNS = [
    re.compile(r"(?i)(authorization:?\s*(?:token|bearer|bot)?\s*)[^\s'\",}]+"),
    re.compile(r"(/webhooks/\d+/)[A-Za-z0-9_.\-]+"),
    re.compile(r"(/interactions/\d+/)[A-Za-z0-9_.\-]+"),
    re.compile(r"(?i)((?:access_)?token[=:]\s*)[^\s&'\",}]+"),
    re.compile(r"(postgres(?:ql)?(?:\+\w+)?://[^:/@\s]+:)[^@\s]+(@)"),
]


def redact(text: str) -> str:
    """Remove every configured token and token-shaped secret from a string."""
    for name in _SECRET_ENV:
        value = os.environ.get(name)
        if value and len(value) >= 4:
            text = text.replace(value, "***")
    for pat in _PATTERNS:
        text = pat.sub(lambda m: m.group(1) + "***" + (m.group(2) if m.lastindex and m.lastindex >= 2 else ""), text)
    return text


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
                "message": record.getMessage(),
            }
            if record.exc_info:
                payload["exc"] = self.formatException(record.exc_info)
            return redact(json.dumps(payload))
        return redact(super().format(record))


def setup_logging(level: str | None = None, as_json: bool | None = None) -> None:
    """Configure the root logger once; `SCOUT_LOG_LEVEL` and `SCOUT_LOG_JSON` choose the defaults."""
    level = level or os.environ.get("SCOUT_LOG_LEVEL", "WARNING")
    if as_json is None:
        as_json = os.environ.get("SCOUT_LOG_JSON", "").lower() in ("1", "true", "yes")
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter(as_json))
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_scout", False):
            root.removeHandler(h)
    handler._scout = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    for noisy in ("discord", "urllib3", "github", "aiohttp.access", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
