"""Accounts as GitHub gives them, stored the same whichever API brought them.

- A deleted account is `null` in GraphQL and GitHub's placeholder user `ghost` (id 10137) in REST:
  both are stored as no author (`user_id` NULL), never as a person called "ghost".
- A mannequin (an imported author not claimed by a GitHub account; `__typename: Mannequin`) has no
  user id GitHub will give us: it is keyed by a negative id derived from its login, the same from
  REST and GraphQL, so it keeps its name without ever meeting a real (positive) GitHub id.
- Bots keep their id and type "Bot"; their REST login carries `[bot]` (GraphQL's is restored to it).
- An account whose id could not be found (a 404 on `GET /users/{login}`) is stored as no author.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

GHOST_LOGIN = "ghost"
GHOST_ID = 10137
MANNEQUIN = "Mannequin"


def is_deleted(user: Mapping[str, Any]) -> bool:
    return str(user.get("login", "")).lower() == GHOST_LOGIN and user.get("id") in (GHOST_ID, None)


def mannequin_id(login: str) -> int:
    """A stable id below zero (GitHub's ids are positive) for a mannequin's login."""
    return -int.from_bytes(hashlib.sha256(login.lower().encode()).digest()[:6], "big") - 1


def account_id(user: Any) -> int | None:
    """The id to store for a REST-shaped user object, or None for no (known) author.

    Raises TypeError for a value that is not a user object at all (the caller names the payload)."""
    if user is None:
        return None
    if not isinstance(user, Mapping):
        raise TypeError(f"user: expected an object or null, got {user!r}")
    if is_deleted(user):
        return None
    if user.get("type") == MANNEQUIN:
        login = user.get("login")
        if not isinstance(login, str) or not login:
            raise TypeError("user: a mannequin without a login")
        return mannequin_id(login)
    uid = user.get("id", ...)
    if uid is ...:
        raise KeyError("id")
    if uid is None:
        return None  # an account GitHub could not give an id for (resolved by login and not found)
    if isinstance(uid, bool) or not isinstance(uid, int):
        raise TypeError(f"user.id: expected an integer, got {uid!r}")
    return uid


def strip_nul(value: Any) -> Any:
    """`value` without NUL characters in any string inside it (PostgreSQL refuses them in text and
    JSON; GitHub allows them in bodies)."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, list):
        return [strip_nul(v) for v in value]
    if isinstance(value, dict):
        return {k: strip_nul(v) for k, v in value.items()}
    return value
