"""Bot extensions: one package per feature, python-discord style.

    bot/exts/<area>/__init__.py   only `async def setup(bot)`, adding the cog
    bot/exts/<area>/_cog.py       the slash commands: parse -> call a service -> format (thin)
    bot/exts/<area>/_*.py         formatting / view helpers private to the area

Services (DB queries, reports, GitHub) live outside `bot/` and reach cogs through
`bot.services` (`bot.app.Services`). Errors are raised as `OssScoutError`s and turned into
replies by the one error handler (`bot/exts/backend/error_handler`). `walk_extensions` finds
every package here with a `setup` (names starting with `_` are private and skipped).

Phase 2 adds `ownership/` (/maintainers), `shortlist/` (/shortlist), `issues/` (/issue),
`digest/` (/digest) and `bench/` (/bench) the same way; nothing else needs registering.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator


def walk_extensions() -> Iterator[str]:
    """Dotted names of the extension packages under `bot.exts` (those whose `__init__` has `setup`)."""
    import bot.exts as root

    for info in pkgutil.walk_packages(root.__path__, prefix=root.__name__ + "."):
        if any(part.startswith("_") for part in info.name.split(".")[2:]) or not info.ispkg:
            continue
        module = importlib.import_module(info.name)
        if inspect.iscoroutinefunction(getattr(module, "setup", None)):
            yield info.name
