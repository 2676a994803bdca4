"""Find issue/PR references in free text: `#1234`, `owner/repo#1234` and full GitHub URLs."""

from __future__ import annotations

import re

_URL = re.compile(r"https?://github\.com/([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)/(?:issues|pull)/(\d+)", re.IGNORECASE)
_QUALIFIED = re.compile(r"(?<![\w/])([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)#(\d+)\b")
_BARE = re.compile(r"(?<![\w/&#])#(\d{1,7})\b")
# Every reference has a `#` and a digit, or a github.com URL: text without either (most PR bodies
# of a year of vLLM) is skipped with one scan instead of three patterns and two substitutions.
_MAYBE = re.compile(r"#\d|github\.com/", re.IGNORECASE)


def issue_refs(text: str, default_repo: str | None) -> list[tuple[str, int, str]]:
    """(repo full name, number, kind) for each distinct reference; bare `#N` needs a default repo."""
    if not text or not _MAYBE.search(text):
        return []
    found: dict[tuple[str, int], str] = {}
    for m in _URL.finditer(text):
        found.setdefault((m.group(1).lower(), int(m.group(2))), "url")
    stripped = _URL.sub(" ", text)
    for m in _QUALIFIED.finditer(stripped):
        found.setdefault((m.group(1).lower(), int(m.group(2))), "qualified")
    stripped = _QUALIFIED.sub(" ", stripped)
    if default_repo:
        for m in _BARE.finditer(stripped):
            found.setdefault((default_repo.lower(), int(m.group(1))), "number")
    return [(repo, num, kind) for (repo, num), kind in found.items()]


# GitHub links a PR to the issues it closes only through these keywords ("Fixes #12",
# "closes owner/repo#3", "resolves https://github.com/o/r/issues/4"); "Related: #12" is no claim.
_CLOSING = re.compile(
    r"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s*:?\s+"
    r"((?:https?://github\.com/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/issues/\d+)|(?:[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)?#\d+)",
    re.IGNORECASE,
)


def closing_refs(text: str, default_repo: str | None) -> list[tuple[str, int, str]]:
    """The issues a PR's text closes, by GitHub's closing keywords (same shape as `issue_refs`)."""
    if not text or not _MAYBE.search(text):
        return []
    found: dict[tuple[str, int], str] = {}
    for m in _CLOSING.finditer(text):
        for repo, number, kind in issue_refs(m.group(1), default_repo):
            found.setdefault((repo, number), kind)
    return [(repo, num, kind) for (repo, num), kind in found.items()]
