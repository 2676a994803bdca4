"""Making untrusted text (titles, bodies, user names) safe to show: one line, no control or
direction-override characters, Markdown escaped, mentions that could ping defused, lengths cut
without breaking an escape."""

from __future__ import annotations

import re

ZWSP = "\u200b"
ELLIPSIS = "…"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff]")
_SPACE = re.compile(r"\s+")
# Characters Discord/CommonMark give meaning anywhere in a line.
_MD_INLINE = re.compile(r"([\\`*_~|\[\]()<>])")
# ... and at the start of a line (headings, quotes, lists, subtext).
_MD_LINE_START = re.compile(r"^(\s*)([#>+\-]|\d+\.)", re.MULTILINE)
_AT = re.compile("@(?!" + ZWSP + ")")
_URL_OK = re.compile(r"https?://[^\s()<>@\[\]\"'`\\]+")


def clean(text: str | None) -> str:
    """Drop control and bidi-override characters; keep newlines and tabs."""
    return _CONTROL.sub("", text or "")


def one_line(text: str | None, limit: int | None = None) -> str:
    """Collapse whitespace (so untrusted text cannot start a Markdown line) and cut to `limit` characters."""
    s = _SPACE.sub(" ", clean(text)).strip()
    if limit is not None and len(s) > limit:
        s = s[: max(0, limit - 1)].rstrip() + ELLIPSIS
    return s


def escape_markdown(text: str) -> str:
    """Backslash-escape Markdown so that untrusted text renders literally (Discord and CommonMark)."""
    s = _MD_INLINE.sub(r"\\\1", text)
    return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), s)


def neutralize_mentions(text: str) -> str:
    """A zero-width space after every `@`: `@everyone`, `@here`, `<@id>`, `<@!id>`, `<@&id>` can no
    longer ping (idempotent)."""
    return _AT.sub("@" + ZWSP, text)


def safe(text: str | None, limit: int | None = None) -> str:
    """Untrusted text as one escaped, mention-free line of at most `limit` characters of source."""
    return neutralize_mentions(escape_markdown(one_line(text, limit)))


def safe_block(text: str | None, limit: int | None = None) -> str:
    """Untrusted multi-line text (kept lines), escaped and mention-free."""
    s = clean(text).strip()
    if limit is not None and len(s) > limit:
        s = s[: max(0, limit - 1)].rstrip() + ELLIPSIS
    return neutralize_mentions(escape_markdown(s))


def units(text: str) -> int:
    """Length in UTF-16 code units (what JavaScript-side limits count; never less than code points)."""
    return len(text.encode("utf-16-le")) // 2


def cut(text: str, limit: int) -> str:
    """`text` cut to at most `limit` UTF-16 units, ending in an ellipsis when cut; never ends
    inside an escape (a dangling backslash) or right after a lone `@`."""
    if units(text) <= limit:
        return text
    budget = limit - 1
    out: list[str] = []
    used = 0
    for ch in text:
        w = 2 if ord(ch) > 0xFFFF else 1
        if used + w > budget:
            break
        out.append(ch)
        used += w
    s = "".join(out)
    while s.endswith("\\") or s.endswith("@"):
        s = s[:-1]
    return s + ELLIPSIS


def safe_url(url: str | None) -> str | None:
    """The URL when it is a plain http(s) URL that cannot break Markdown link syntax, else None."""
    if url and len(url) <= 2000 and _URL_OK.fullmatch(url):
        return url
    return None


def issue_link(number: int, url: str | None) -> str:
    """`[#N](url)` when the URL is safe to show, else a plain `#N` (Markdown and Discord alike)."""
    u = safe_url(url)
    return f"[#{number}]({u})" if u else f"#{number}"
