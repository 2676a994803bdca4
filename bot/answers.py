"""What the slash commands share: the `repo` option, subsystem autocomplete, database work off the
event loop within the 3-second deadline, the "no data yet" check, and report renderings turned
into replies. Cogs stay thin: parse (here), call a report service, format (reports.render)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord import app_commands
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.interactions import defer
from bot.posting import Attachment, FileLike
from config.errors import ReportError
from config.watch import Taxonomy, WatchConfig
from storage.db import session_scope
from storage.models import SubsystemLabel
from storage.read import find_repo

if TYPE_CHECKING:
    from bot.app import Services
    from reports.render.discord import DiscordMessage

log = logging.getLogger(__name__)

T = TypeVar("T")

# Discord drops an interaction not acknowledged within 3 s. Work that finishes sooner is answered
# directly (so an error reply stays private); anything slower is deferred first, with margin left
# for the gateway hop and the callback request.
FAST_ANSWER_S = 1.5
CHOICES_MAX = 25  # Discord's limit on autocomplete choices
CHOICE_NAME_MAX = 100


def services_of(interaction: discord.Interaction) -> Services:
    return interaction.client.services  # type: ignore[attr-defined]


# ----------------------------------------------------------------------------- options


def repo_name(watch: WatchConfig, repo: str | None) -> str:
    """The watched repo a command is about: the one named (case-insensitive), else the first enabled."""
    return watch.repo(repo.strip() if repo and repo.strip() else None).name


def choices_matching(values: Sequence[str], current: str) -> list[app_commands.Choice[str]]:
    """Values containing what was typed (prefix matches first), at most 25."""
    typed = (current or "").strip().lower()
    hits = [v for v in values if typed in v.lower()]
    hits.sort(key=lambda v: (not v.lower().startswith(typed), values.index(v)))
    return [app_commands.Choice(name=v[:CHOICE_NAME_MAX], value=v) for v in hits[:CHOICES_MAX]]


async def repo_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    watch = services_of(interaction).settings.watch
    return choices_matching([r.name for r in watch.enabled_repos], current)


def _taxonomy_for_namespace(interaction: discord.Interaction) -> Taxonomy:
    watch = services_of(interaction).settings.watch
    repo = getattr(interaction.namespace, "repo", None)
    try:
        return watch.taxonomy_for(repo_name(watch, repo if isinstance(repo, str) else None))
    except Exception:  # noqa: BLE001 - a half-typed repo: offer the default repo's taxonomy
        return watch.taxonomy_for(None)


async def subsystem_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """The taxonomy's subsystem names (of the repo chosen so far, else the default repo)."""
    return choices_matching(list(_taxonomy_for_namespace(interaction).names), current)


# ----------------------------------------------------------------------------- database work


def read(services: Services, fn: Callable[[Session], T]) -> T:
    """`fn(session)` in one unit of work (blocking: call through `within_deadline`)."""
    with session_scope(services.engine) as session:
        return fn(session)


def has_judgement(session: Session, repo: str) -> bool:
    """Whether `scout classify` has stored results for the repo; a clear error if nothing at all
    is stored for it (not imported or collected yet)."""
    from storage.read import repo_row

    r = repo_row(session, repo)
    return bool(session.scalar(select(func.count()).select_from(SubsystemLabel).where(SubsystemLabel.repo_id == r.id)))


def require_judgement(session: Session, repo: str) -> str:
    """The stored repo's full name, or a clear "no data yet" error: nothing imported/collected, or
    `scout train` / `scout classify` not run yet for it."""
    if not has_judgement(session, repo):
        raise ReportError(f"no classifier results for {repo} yet: run `scout train` and `scout classify` "
                          "(the service does it on its schedule), then ask again")
    return stored_repo(session, repo) or repo


def stored_repo(session: Session, repo: str) -> str | None:
    """The stored full name of a repo, or None when nothing is stored for it."""
    found = find_repo(session, repo)
    return found.full_name if found is not None else None


async def within_deadline(interaction: discord.Interaction, fn: Callable[[], T], *, ephemeral: bool) -> T:
    """Run blocking `fn` in a thread. If it is quick the caller answers directly; if not, the
    interaction is deferred (ephemeral or not, as the final answer will be) before waiting on."""
    task = asyncio.ensure_future(asyncio.to_thread(fn))
    done, _ = await asyncio.wait({task}, timeout=FAST_ANSWER_S)
    if not done:
        await defer(interaction, ephemeral=ephemeral)
    return await task


# ----------------------------------------------------------------------------- rendering


def flatten(messages: Sequence[DiscordMessage]) -> tuple[list[dict[str, Any]], list[FileLike]]:
    """A report rendering (messages already within limits) as one embed list and its files,
    for `bot.interactions.reply` / `bot.posting.post_digest` (which batch them again)."""
    embeds = [dict(e) for m in messages for e in m.embeds]
    files: list[FileLike] = []
    for m in messages:
        files += [Path(f) for f in m.files]
    return embeds, files


def attachment_of(path: Path, name: str | None = None) -> Attachment:
    """A file's bytes as an attachment (read now: the file may be a temporary one)."""
    return Attachment(name or path.name, path.read_bytes())
