"""Find issue/PR references in free text: `#1234`, `owner/repo#1234` and full GitHub URLs."""

from __future__ import annotations

import re

_URL = re.compile(r"https?://github\.com/([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)/(?:issues|pull)/(\d+)", re.IGNORECASE)
_QUALIFIED = re.compile(r"(?<![\w/])([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)#(\d+)\b")
_BARE = re.compile(r"(?<![\w/&#])#(\d{1,7})\b")


def issue_refs(text: str, default_repo: str | None) -> list[tuple[str, int, str]]:
    """(repo full name, number, kind) for each distinct reference; bare `#N` needs a default repo."""
    found: dict[tuple[str, int], str] = {}
    for m in _URL.finditer(text or ""):
        found.setdefault((m.group(1).lower(), int(m.group(2))), "url")
    stripped = _URL.sub(" ", text or "")
    for m in _QUALIFIED.finditer(stripped):
        found.setdefault((m.group(1).lower(), int(m.group(2))), "qualified")
    stripped = _QUALIFIED.sub(" ", stripped)
    if default_repo:
        for m in _BARE.finditer(stripped):
            found.setdefault((default_repo.lower(), int(m.group(1))), "number")
    return [(repo, num, kind) for (repo, num), kind in found.items()]
