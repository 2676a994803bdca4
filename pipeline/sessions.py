"""The session factory the use cases take: one session (one transaction) per unit of work."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from functools import partial

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from storage.db import session_scope

SessionFactory = Callable[[], AbstractContextManager[Session]]


def sessions_for(engine: Engine) -> SessionFactory:
    """Sessions on `engine` that commit on success and roll back on error."""
    return partial(session_scope, engine)
