"""The REST database id inside a GitHub GraphQL node id, for objects GraphQL gives no `databaseId`
(timeline events): the same event read later over REST must land on the same row.

GitHub writes two formats (https://docs.github.com/en/graphql/guides/migrating-graphql-global-node-ids):
- next ("LE_lADOABCD..."): a type prefix, `_`, then URL-safe base64 (no padding) of a MessagePack
  array of integers: a format version (0), the scoping ids (repository, issue), the object's
  database id last;
- legacy ("MDEyOkxhYmVsZWRFdmVudDEyMzQ1"): base64 of "<length>:<TypeName><database id>".
The sandbox writes the next format (`sandbox.community.util.next_node_id`). Both are undocumented:
anything that does not decode exactly gives None, and the caller reads that object over REST instead
of guessing.
"""

from __future__ import annotations

import base64
import binascii
import re

_LEGACY = re.compile(r"0?(\d+):([A-Za-z]+)(\d+)")
_UINT = {0xCC: 1, 0xCD: 2, 0xCE: 4, 0xCF: 8}  # MessagePack unsigned ints: marker -> bytes that follow


def _b64(text: str, urlsafe: bool) -> bytes | None:
    try:
        raw = text + "=" * (-len(text) % 4)
        return base64.urlsafe_b64decode(raw) if urlsafe else base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        return None


def _int_array(raw: bytes) -> list[int] | None:
    """A MessagePack fixarray of unsigned integers, the whole input, or None."""
    if not raw or not 0x90 <= raw[0] <= 0x9F:
        return None
    out: list[int] = []
    pos = 1
    for _ in range(raw[0] & 0x0F):
        if pos >= len(raw):
            return None
        marker = raw[pos]
        pos += 1
        if marker <= 0x7F:
            out.append(marker)
            continue
        size = _UINT.get(marker)
        if size is None or pos + size > len(raw):
            return None
        out.append(int.from_bytes(raw[pos:pos + size], "big"))
        pos += size
    return out if pos == len(raw) else None


def database_id(node_id: str, typename: str | None = None) -> int | None:
    """The database id GitHub encoded in `node_id`, or None when it is not one of GitHub's formats
    (or, given `typename`, a legacy id of another type)."""
    if not isinstance(node_id, str) or not node_id or len(node_id) > 200:
        return None
    prefix, sep, rest = node_id.partition("_")
    if sep and prefix.isalnum() and prefix.isupper():
        raw = _b64(rest, urlsafe=True)
        ids = _int_array(raw) if raw is not None else None
        if ids is None or len(ids) < 2 or ids[0] != 0 or ids[-1] == 0:
            return None
        return ids[-1]
    raw = _b64(node_id, urlsafe=False)
    m = _LEGACY.fullmatch(raw.decode("ascii", "replace")) if raw is not None else None
    if m is None or int(m.group(1)) != len(m.group(2)) or (typename is not None and m.group(2) != typename):
        return None
    return int(m.group(3)) or None

