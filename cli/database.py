"""`scout db ...`: schema management."""

from __future__ import annotations

from cli._app import db_app, out, settings


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Bring an empty or older database to the newest schema (or REVISION)."""
    from storage.db import engine_for, redact_url, upgrade

    s = settings()
    current = upgrade(engine_for(s.database_url), revision)
    out.print(f"database {redact_url(s.database_url)} at revision {current}")
