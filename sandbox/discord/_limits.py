"""Discord's checks on a message body (create, edit, interaction response, webhook), answered as
Discord does: 400 with code 50035 "Invalid Form Body" and a nested `errors` object, or 50006 for an
empty message. Also works out whom a message would ping, honouring `allowed_mentions`.

Limits: https://discord.com/developers/docs/resources/message#create-message and
https://discord.com/developers/docs/resources/message#embed-object-embed-limits
"""

from __future__ import annotations

import re
from typing import Any

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
AUTHOR_MAX = 256
FILES_MAX = 10
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024  # bytes, per request, for a guild without boosts

_USER = re.compile(r"<@!?(\d+)>")
_ROLE = re.compile(r"<@&(\d+)>")
_EVERYONE = re.compile(r"@(everyone|here)\b")


class FormError(Exception):
    """A body Discord refuses; `payload` is the JSON error body it would send."""

    def __init__(self, payload: dict[str, Any], status: int = 400) -> None:
        super().__init__(payload.get("message"))
        self.payload = payload
        self.status = status


def _err(code: str, message: str) -> dict[str, Any]:
    return {"_errors": [{"code": code, "message": message}]}


def _too_long(n: int) -> dict[str, Any]:
    return _err("BASE_TYPE_MAX_LENGTH", f"Must be {n} or fewer in length.")


def _put(tree: dict[str, Any], path: list[str], leaf: dict[str, Any]) -> None:
    node = tree
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = leaf


def _embed_size(e: dict[str, Any]) -> int:
    n = len(str(e.get("title") or "")) + len(str(e.get("description") or ""))
    n += len(str((e.get("footer") or {}).get("text") or "")) + len(str((e.get("author") or {}).get("name") or ""))
    for f in e.get("fields") or []:
        n += len(str(f.get("name") or "")) + len(str(f.get("value") or ""))
    return n


def check_message_body(body: dict[str, Any], files: list[tuple[str, int]] | None = None, *,
                       require_content: bool = True) -> None:
    """Raise FormError when Discord would refuse this body; `files` are (name, size) pairs."""
    files = files or []
    errors: dict[str, Any] = {}
    content = body.get("content")
    if content is not None and not isinstance(content, str):
        _put(errors, ["content"], _err("STRING_TYPE_CONVERT", "Could not interpret value as string."))
    elif isinstance(content, str) and len(content) > CONTENT_MAX:
        _put(errors, ["content"], _too_long(CONTENT_MAX))
    embeds = body.get("embeds") or []
    if not isinstance(embeds, list):
        _put(errors, ["embeds"], _err("LIST_TYPE_CONVERT", "Must be an array."))
        embeds = []
    if len(embeds) > EMBEDS_MAX:
        _put(errors, ["embeds"], _err("BASE_TYPE_MAX_LENGTH", f"Must be {EMBEDS_MAX} or fewer in length."))
    total = 0
    for i, e in enumerate(embeds):
        if not isinstance(e, dict):
            _put(errors, ["embeds", str(i)], _err("DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType"))
            continue
        total += _embed_size(e)
        for key, limit in (("title", TITLE_MAX), ("description", DESCRIPTION_MAX)):
            if len(str(e.get(key) or "")) > limit:
                _put(errors, ["embeds", str(i), key], _too_long(limit))
        if len(str((e.get("footer") or {}).get("text") or "")) > FOOTER_MAX:
            _put(errors, ["embeds", str(i), "footer", "text"], _too_long(FOOTER_MAX))
        if len(str((e.get("author") or {}).get("name") or "")) > AUTHOR_MAX:
            _put(errors, ["embeds", str(i), "author", "name"], _too_long(AUTHOR_MAX))
        color = e.get("color")
        if color is not None and (not isinstance(color, int) or not 0 <= color <= 0xFFFFFF):
            _put(errors, ["embeds", str(i), "color"], _err("NUMBER_TYPE_MAX", "int value should be <= 16777215."))
        fields = e.get("fields") or []
        if len(fields) > FIELDS_MAX:
            _put(
                errors,
                ["embeds", str(i), "fields"],
                _err("BASE_TYPE_MAX_LENGTH", f"Must be {FIELDS_MAX} or fewer in length."),
            )
        for j, f in enumerate(fields):
            for key, limit in (("name", FIELD_NAME_MAX), ("value", FIELD_VALUE_MAX)):
                v = f.get(key) if isinstance(f, dict) else None
                if v is None or v == "":
                    _put(
                        errors,
                        ["embeds", str(i), "fields", str(j), key],
                        _err("BASE_TYPE_REQUIRED", "This field is required"),
                    )
                elif len(str(v)) > limit:
                    _put(errors, ["embeds", str(i), "fields", str(j), key], _too_long(limit))
    if total > EMBED_TOTAL_MAX and "embeds" not in errors:
        _put(
            errors, ["embeds"], _err("MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {EMBED_TOTAL_MAX}")
        )
    if len(files) > FILES_MAX:
        _put(errors, ["files"], _err("BASE_TYPE_MAX_LENGTH", f"Must be {FILES_MAX} or fewer in length."))
    am = body.get("allowed_mentions")
    if am is not None:
        parse = am.get("parse") if isinstance(am, dict) else None
        if parse is not None and (
            not isinstance(parse, list) or any(p not in ("roles", "users", "everyone") for p in parse)
        ):
            _put(errors, ["allowed_mentions", "parse"], _err("ENUM_TYPE_COERCE", "Value is not a valid enum value."))
        elif isinstance(parse, list):
            for kind in ("users", "roles"):
                if kind in parse and am.get(kind):
                    _put(
                        errors,
                        ["allowed_mentions"],
                        _err(
                            "ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                            f'parse:["{kind}"] and {kind}: [ids] are mutually exclusive.',
                        ),
                    )
    if errors:
        raise FormError({"message": "Invalid Form Body", "code": 50035, "errors": errors})
    if sum(f[1] for f in files) > ATTACHMENT_SIZE_LIMIT:
        raise FormError({"message": "Request entity too large", "code": 40005}, status=413)
    if require_content and not (content or embeds or files or body.get("sticker_ids") or body.get("components")
                                or body.get("poll")):
        raise FormError({"message": "Cannot send an empty message", "code": 50006})


def resolve_mentions(content: str, allowed: dict[str, Any] | None, users: dict[int, dict[str, Any]],
                     role_ids: set[int]) -> dict[str, Any]:
    """Who a message pings: `mentions`, `mention_roles`, `mention_everyone` as Discord fills them.

    Without `allowed_mentions` everything parses (Discord's default); with it, only what it allows.
    """
    parse = ["users", "roles", "everyone"] if allowed is None else list(allowed.get("parse") or [])
    allowed_users = {int(x) for x in (allowed or {}).get("users") or []}
    allowed_roles = {int(x) for x in (allowed or {}).get("roles") or []}
    mentioned_users = []
    for m in _USER.finditer(content or ""):
        uid = int(m.group(1))
        if uid in users and ("users" in parse or uid in allowed_users) and users[uid] not in mentioned_users:
            mentioned_users.append(users[uid])
    mentioned_roles = []
    for m in _ROLE.finditer(content or ""):
        rid = int(m.group(1))
        if rid in role_ids and ("roles" in parse or rid in allowed_roles) and str(rid) not in mentioned_roles:
            mentioned_roles.append(str(rid))
    everyone = bool(_EVERYONE.search(content or "")) and "everyone" in parse
    return {"mentions": mentioned_users, "mention_roles": mentioned_roles, "mention_everyone": everyone}
