"""Who may create bench jobs from Discord (a bench job runs code on a GPU somewhere).

Decided by ids only, never by names (anyone can call a role "maintainer" in a server of their own,
or take a username that looks like someone's id):

- a member of a server in `bench.discord_guilds` holding a role whose id is in `bench.discord_roles`;
- or a caller whose GitHub login is in `bench.allowed_users`, the login coming from a *trusted*
  link only: the operator's `discord.github_links` entry keyed by the caller's user id, or a
  `/link` verified by code (never a guess, never a username-keyed entry);
- or `discord:<user id>` in `bench.allowed_users`.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from collectors.discord.identity import LINK_VERIFIED, ConfigLinks
from config.errors import ReportError
from config.watch import WatchConfig
from storage.models import ChatUser


class NotAllowed(ReportError):
    """The caller may not create bench jobs (said privately, with how to get access)."""


def trusted_login(session: Session, watch: WatchConfig, user_id: int) -> str | None:
    """The caller's GitHub login from the config's id-keyed mapping or a verified /link; None otherwise."""
    mapped = ConfigLinks.of(watch.discord.github_links).by_id.get(user_id)
    if mapped:
        return mapped
    row = session.get(ChatUser, user_id)
    if row is not None and row.github_login and row.link_source == LINK_VERIFIED:
        return row.github_login
    return None


def check_bench_access(watch: WatchConfig, login: str | None, user_id: int, guild_id: int | None,
                       role_ids: Iterable[int]) -> str:
    """Who is asking, as recorded on the job (`requested_by`), if they may create bench jobs;
    NotAllowed otherwise. `guild_id` is None in a direct message (where no role counts)."""
    bench = watch.bench
    who = login or f"discord:{user_id}"
    guilds = {int(g) for g in bench.discord_guilds}
    roles = {int(r) for r in bench.discord_roles}
    if guild_id is not None and guild_id in guilds and roles & {int(r) for r in role_ids}:
        return who
    users = {u.lower() for u in bench.allowed_users}
    for candidate in ([login] if login else []) + [f"discord:{user_id}"]:
        if candidate.lower() in users:
            return candidate
    how = ["a bench role of this server (`bench.discord_roles`)" if roles else "",
           "your GitHub login in `bench.allowed_users`" + ("" if login else " (link it first with `/link`)")]
    raise NotAllowed("You may not create bench jobs: that needs " + " or ".join(x for x in how if x) + ".")
