"""The one Typer app behind `scout`. Commands are thin: parse options, call a library function,
print. Library code raises `OssScoutError`; only `main` turns it into a message and an exit code:

- a usage mistake (unknown command or option, a value that makes no sense): one line, exit 2;
- a failure (`OssScoutError` or anything unexpected): one redacted line, exit 1 (2 for config);
  `scout --debug ...` prints the traceback as well.

Messages are printed as plain text, never parsed as Rich markup (a `[` in an issue title or a path
is text), and every configured token or token-shaped string is redacted first.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from config import OssScoutError, Settings, get_settings
from config.watch import WatchConfig

if TYPE_CHECKING:
    from sqlalchemy import Engine

HELP_OPTIONS = ["-h", "--help"]

app = typer.Typer(
    name="scout",
    help="oss-scout: who owns what, which PRs stall, which issues are safe first picks.",
    rich_markup_mode="rich",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": HELP_OPTIONS},
)
collect_app = typer.Typer(help="Collect activity into the database.", no_args_is_help=True,
                          context_settings={"help_option_names": HELP_OPTIONS})
db_app = typer.Typer(help="Database schema management.", no_args_is_help=True,
                     context_settings={"help_option_names": HELP_OPTIONS})
app.add_typer(collect_app, name="collect")
app.add_typer(db_app, name="db")

console = Console(stderr=True)
out = Console(soft_wrap=True, highlight=False)

# Bounds of values that make sense; anything outside is a usage error (exit 2), not a crash later.
ISSUE_NUMBER_MAX = 2**31 - 1  # GitHub's issue/PR `number` is a GraphQL Int (32-bit signed)
DAYS_MAX = 7300  # twenty years: more than GitHub has existed


class _State:
    debug = False


state = _State()


def package_version() -> str:
    """The installed distribution's version (`scout --version`)."""
    try:
        return version("oss-scout")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "0+unknown"


def _show_version(value: bool) -> None:
    if value:
        out.print(f"oss-scout {package_version()}", markup=False)
        raise typer.Exit(0)


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="On a failure, print the full traceback too.")] = False,
    show_version: Annotated[bool, typer.Option("--version", "-V", callback=_show_version, is_eager=True,
                                               help="Print the version and exit.")] = False,
) -> None:
    """oss-scout: who owns what, which PRs stall, which issues are safe first picks."""
    state.debug = debug or state.debug


def settings() -> Settings:
    """Settings from the environment (fails with a clear ConfigError on bad values)."""
    return get_settings()


def engine(create: bool = False) -> Engine:
    """The database engine for `SCOUT_DATABASE_URL`, migrated to head; a missing SQLite file is an
    error unless the command `create`s databases."""
    from storage.db import engine_for, ensure_schema

    eng = engine_for(settings().database_url)
    ensure_schema(eng, create=create)
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


def check_subsystems(watch: WatchConfig, repo: str | None, names: Iterable[str]) -> None:
    """A usage error (exit 2) for a subsystem the repo's taxonomy does not know, naming the nearest ones."""
    from config.errors import UnknownSubsystem

    taxonomy = watch.taxonomy_for(repo)
    for wanted in names:
        try:
            taxonomy.require(wanted)
        except UnknownSubsystem as exc:
            raise typer.BadParameter(str(exc), param_hint="subsystem") from None


def _plain(text: str) -> str:
    """One redacted line: configured tokens and token-shaped strings removed, newlines folded."""
    from bot.logs import redact

    return " ".join(redact(str(text)).split())


def error_line(message: str) -> None:
    """Print `error: MESSAGE` on stderr as plain text (no markup, no highlighting)."""
    console.print(f"error: {_plain(message)}", markup=False, highlight=False, emoji=False, soft_wrap=True)


def _usage_line(exc: typer.TyperException) -> str:
    """`scout digest: Invalid value for '--days'... (see 'scout digest -h')`: one line for a usage error."""
    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else "scout"
    return f"{where}: {exc.format_message()} (see '{where} -h')"


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the app, turning errors into one line and an exit code."""
    from bot.logs import setup_logging

    setup_logging(*_log_options())
    args = list(sys.argv[1:] if argv is None else argv)
    # `--debug` works anywhere before a `--` (not only right after `scout`)
    end = args.index("--") if "--" in args else len(args)
    state.debug = "--debug" in args[:end]
    args = [a for a in args[:end] if a != "--debug"] + args[end:]
    try:
        rc = app(args=args, prog_name="scout", standalone_mode=False)
        # click returns the code of a `typer.Exit` instead of raising it when not standalone
        sys.exit(rc if isinstance(rc, int) else 0)
    except OssScoutError as exc:
        _debug_traceback()
        error_line(str(exc))
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        console.print("aborted", markup=False)
        sys.exit(130)
    except KeyboardInterrupt:
        console.print("interrupted", markup=False)
        sys.exit(130)
    except typer.TyperException as exc:  # Typer's bundled click: usage errors (exit 2), file errors (1)
        _debug_traceback()
        error_line(_usage_line(exc) if exc.exit_code == 2 else exc.format_message())
        sys.exit(exc.exit_code)
    except Exception as exc:  # the last resort: one line, the traceback only with --debug
        _debug_traceback()
        logging.getLogger("scout").debug("unexpected error", exc_info=True)
        hint = "" if state.debug else " (run with --debug for the traceback)"
        error_line(f"unexpected {type(exc).__name__}: {exc}{hint}")
        sys.exit(1)


def _debug_traceback() -> None:
    if state.debug:
        from bot.logs import redact

        sys.stderr.write(redact(traceback.format_exc()))
