"""Who may create bench jobs from Discord (a bench job runs code on a GPU somewhere).

Allowed (config `[bench]`): a member holding a role named in `bench.allowed_roles`, or a caller
whose GitHub login is in `bench.allowed_users` — the login comes from a *trusted* link only: the
operator's `discord.github_links` mapping or a `/link` verified by code, never a guessed one. The
entry `discord:<user id>` in `bench.allowed_users` allows a Discord account directly.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bench import BenchRefused, authorize
from collectors.discord.identity import LINK_CONFIG, LINK_VERIFIED
from config.errors import ReportError
from config.watch import WatchConfig
from storage.models import ChatUser

TRUSTED = (LINK_VERIFIED, LINK_CONFIG)


class NotAllowed(ReportError):
    """The caller may not create bench jobs (said privately, with how to get access)."""


def trusted_login(session: Session, watch: WatchConfig, user_id: int, username: str) -> str | None:
    """The caller's GitHub login from the config mapping or a verified /link; None otherwise."""
    links = {str(k).strip().lower(): v.strip() for k, v in watch.discord.github_links.items()}
    mapped = links.get(str(user_id)) or links.get(username.lower())
    if mapped:
        return mapped
    row = session.scalar(select(ChatUser).where(ChatUser.id == user_id))
    if row is not None and row.github_login and row.link_source in TRUSTED:
        return row.github_login
    return None


def check_bench_access(watch: WatchConfig, login: str | None, user_id: int, roles: Iterable[str]) -> str:
    """Who is asking, as recorded on the job (`requested_by`), if they may create bench jobs;
    NotAllowed otherwise."""
    roles = tuple(roles)
    for who in ([login] if login else []) + [f"discord:{user_id}"]:
        try:
            return authorize(watch.bench, who, roles)
        except BenchRefused:
            continue
    need = ", ".join(watch.bench.allowed_roles)
    how = [f"a role among: {need}" if need else "",
           "your GitHub login in `bench.allowed_users`" + ("" if login else " (link it first with `/link`)")]
    raise NotAllowed("You may not create bench jobs: that needs " + " or ".join(x for x in how if x) + ".")
