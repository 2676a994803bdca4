"""What a secret looks like, and text with the secrets taken out (pure).

One list for everything we write where others can read it: the logs (`bot.logs`) and what a bench
job prints (`bench.hygiene`). A secret is either a value we know (a configured token) or a string
shaped like a credential in any of the shapes libraries write them: token prefixes, Authorization
headers, `'token': ...` in payload reprs and JSON, webhook and interaction URLs, passwords in URLs.
Each shape keeps what names the secret (group 1, and group 2 after it) and replaces the secret.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

SHAPES = (
    # Authorization headers: `Authorization: token abc`, `Bearer abc`, header dicts and JSON
    re.compile(r"(?i)(authorization:?\s*(?:token|bearer|bot|basic)?\s*)[^\s'\",}]+"),
    re.compile(r"(?i)(['\"]authorization['\"]\s*:\s*['\"](?:token |bearer |bot |basic )?)[^'\"]+"),
    re.compile(r"(?i)(\bbearer )[A-Za-z0-9._~+/=-]{8,}"),
    # URLs that carry a token: Discord webhooks and interaction callbacks, `?access_token=`
    re.compile(r"(/webhooks/\d+/)[A-Za-z0-9_.\-]+"),
    re.compile(r"(/interactions/\d+/)[A-Za-z0-9_.\-]+"),
    re.compile(r"(?i)((?:access_)?token[=:]\s*)[^\s&'\",}]+"),
    # gateway payload reprs and JSON: 'token': 'abc' (IDENTIFY, INTERACTION_CREATE, webhooks)
    re.compile(r"(?i)(['\"](?:access_|refresh_|bot_)?token['\"]\s*:\s*['\"])[^'\"]+"),
    # token prefixes: GitHub, Slack, Hugging Face, OpenAI-style keys, AWS access keys, Discord bot tokens
    re.compile(r"()\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})"),
    re.compile(r"()\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    re.compile(r"()\bhf_[A-Za-z0-9]{20,}"),
    re.compile(r"()\bsk-[A-Za-z0-9_-]{20,}"),
    re.compile(r"()\bAKIA[0-9A-Z]{16}\b"),
    re.compile(r"()\b[MN][A-Za-z\d_-]{23,25}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,38}\b"),
    # a password in a URL: scheme://user:password@host
    re.compile(r"(?i)([a-z][a-z0-9+.-]*://[^\s:/@]+:)[^\s@/]+(@)"),
)
_SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSW|CREDENTIAL|API_?KEY|PRIVATE|AUTH|COOKIE|SESSION|DATABASE_URL|DSN",
                          re.IGNORECASE)


def secret_name(name: str) -> bool:
    """A variable our settings or a credential would live in."""
    return name.upper().startswith("SCOUT_") or bool(_SECRET_NAME.search(name))


def redact(text: str, secrets: Iterable[str] = (), mark: str = "[redacted]") -> str:
    """`text` with every known secret value (longest first) and every credential-shaped string
    replaced by `mark`."""
    for value in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(value, mark)
    for shape in SHAPES:
        text = shape.sub(lambda m: m.group(1) + mark + (m.group(2) if m.lastindex and m.lastindex >= 2 else ""),
                         text)
    return text
