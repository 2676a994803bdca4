"""Engines and sessions. The caller owns the unit of work: `with session_scope(engine) as s:`."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from config.errors import StorageError

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def normalise_url(url: str) -> str:
    """Accept `postgresql://` and `postgres://` and use psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def sqlite_file(engine: Engine) -> Path | None:
    """The file of an SQLite database (None for PostgreSQL or an in-memory one)."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return None
    return Path(engine.url.database).expanduser()


def _make_room(engine: Engine) -> None:
    """Create the folder of a new SQLite file: only the commands that create a database call this."""
    path = sqlite_file(engine)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)


def make_engine(url: str, **kwargs: object) -> Engine:
    """An engine with WAL and foreign keys on for SQLite. Connecting creates nothing until a command
    that may create a database (`ensure_schema(create=True)`, `upgrade`) has made the file."""
    url = normalise_url(url)
    try:
        engine = create_engine(url, **kwargs)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise StorageError(f"database URL {redact_url(url)}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One shared engine per URL for the process (CLI commands and the bot)."""
    return make_engine(url)


def redact_url(url: str) -> str:
    """Hide a password in a database URL before it reaches a message or a log."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a URL we cannot parse is shown without credentials
        return url.split("@")[-1]


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


def _alembic_config(engine: Engine) -> Config:
    from alembic.config import Config


    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Bring an empty or older database to `revision`; returns the revision now current."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    _make_room(engine)
    try:
        command.upgrade(_alembic_config(engine), revision)
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision() or "base"
    except OperationalError as exc:
        raise StorageError(f"cannot migrate {redact_url(str(engine.url))}: {exc.orig}") from exc


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(cfg).get_current_head() or "base"


def ensure_schema(engine: Engine, create: bool = False) -> None:
    """Migrate to head if the database is behind (commands call this before touching tables).

    A missing SQLite file is created only with `create` (`scout db upgrade`, `scout import`, the
    demo, the service's first start): any other command says it does not exist, so a mistyped
    path never becomes a new empty database that reports "no data"."""
    path = sqlite_file(engine)
    if path is not None and not path.exists():
        if not create:
            raise StorageError(f"database {path} does not exist: check SCOUT_DATABASE_URL, or create it with "
                               "`scout db upgrade` (or `scout import DATASET`)")
        log.info("creating a new database at %s", path)
        _make_room(engine)
    if current_revision(engine) != head_revision():
        upgrade(engine)
