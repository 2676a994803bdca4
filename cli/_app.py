"""The one Typer app behind `scout`. Commands are thin: parse options, call a library function,
print. Library code raises `OssScoutError`; only `main` turns it into a message and an exit code."""

from __future__ import annotations

import logging
import sys

import typer
from rich.console import Console

from config import OssScoutError, Settings, get_settings

app = typer.Typer(
    name="scout",
    help="oss-scout: who owns what, which PRs stall, which issues are safe first picks.",
    rich_markup_mode="rich",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
collect_app = typer.Typer(help="Collect activity into the database.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema management.", no_args_is_help=True)
app.add_typer(collect_app, name="collect")
app.add_typer(db_app, name="db")

console = Console(stderr=True)
out = Console(soft_wrap=True, highlight=False)


def settings() -> Settings:
    """Settings from the environment (fails with a clear ConfigError on bad values)."""
    return get_settings()


def engine():
    """The database engine for `SCOUT_DATABASE_URL`, migrated to head."""
    from storage.db import engine_for, ensure_schema

    eng = engine_for(settings().database_url)
    ensure_schema(eng)
    return eng


def _log_options() -> tuple[str, bool]:
    """SCOUT_LOG_LEVEL / SCOUT_LOG_JSON before anything runs; with a bad setting, the defaults (the
    command then names the bad variable)."""
    from pydantic import ValidationError

    from config.settings import DEFAULT_LOG_LEVEL, Settings

    try:
        s = Settings()
    except ValidationError:
        return DEFAULT_LOG_LEVEL, False
    return s.log_level, s.log_json


def main() -> None:
    """Console-script entry point: run the app, turning domain errors into exit codes."""
    from bot.logs import setup_logging

    setup_logging(*_log_options())
    try:
        rc = app(standalone_mode=False)
        # click returns the code of a `typer.Exit` instead of raising it when not standalone
        sys.exit(rc if isinstance(rc, int) else 0)
    except OssScoutError as exc:
        console.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        console.print("aborted")
        sys.exit(130)
    except KeyboardInterrupt:
        console.print("interrupted")
        sys.exit(130)
    except typer.TyperException as exc:  # a usage error (typer ships its own click: there is no `click` module)
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            console.print(f"Error: {exc.format_message()}", markup=False, highlight=False)
        sys.exit(exc.exit_code)
    except Exception:
        logging.getLogger("scout").exception("unexpected error")
        sys.exit(1)
