"""Who is who: chat users linked to GitHub logins, and how we know (`chat_users.link_source`).

- "verified": the user ran `/link github-login`, got a code, put it in their GitHub profile bio or
  a public gist, and the bot saw it there through the GitHub API;
- "config": the operator's explicit mapping in the watch config (`[discord.github_links]`,
  keyed by Discord user id or username);
- "guess-handle" / "guess-name": clearly labelled guesses (the Discord username, or the display
  name, equals a GitHub login seen in the repo). Guesses never replace a better link.

Chat counts as evidence for maintainers only through these links (see classifiers).
"""

from __future__ import annotations

import itertools
import logging
import re
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from config.errors import CollectorError
from storage.db import session_scope
from storage.models import ChatUser, User
from storage.upsert import upsert_chat_users

log = logging.getLogger(__name__)

LINK_VERIFIED = "verified"
LINK_CONFIG = "config"
LINK_GUESS_HANDLE = "guess-handle"
LINK_GUESS_NAME = "guess-name"
LINK_SOURCES = (LINK_VERIFIED, LINK_CONFIG, LINK_GUESS_HANDLE, LINK_GUESS_NAME)
_RANK = {LINK_VERIFIED: 4, LINK_CONFIG: 3, LINK_GUESS_HANDLE: 2, LINK_GUESS_NAME: 1, None: 0}

CODE_PREFIX = "oss-scout-"
_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")  # GitHub's login rule


def _rank(source: str | None) -> int:
    return _RANK.get(source, 0)


def _set_link(u: ChatUser, login: str, source: str, now: datetime | None) -> bool:
    """Link `u` to `login` unless it already has an equal or better link; True if changed."""
    if u.github_login is not None and _rank(u.link_source) > _rank(source):
        return False
    if u.github_login == login and u.link_source == source:
        return False
    if u.github_login is not None and _rank(u.link_source) == _rank(source) and source != LINK_CONFIG:
        return False  # an equal guess or verification is kept; config is the operator's word and wins
    u.github_login, u.link_source, u.linked_at = login, source, now
    return True


@dataclass(frozen=True)
class ConfigLinks:
    """The operator's `[discord.github_links]`, read as two maps: a key of digits is a Discord user
    id, any other key a username. A user *named* like an id never matches the id's entry."""

    by_id: dict[int, str]
    by_username: dict[str, str]

    @classmethod
    def of(cls, links: dict[str, str]) -> ConfigLinks:
        by_id: dict[int, str] = {}
        by_username: dict[str, str] = {}
        for key, login in links.items():
            k = str(key).strip()
            if k.isdigit():
                by_id[int(k)] = login.strip()
            else:
                by_username[k.lower()] = login.strip()
        return cls(by_id, by_username)

    def login_for(self, user_id: int, username: str) -> str | None:
        return self.by_id.get(user_id) or self.by_username.get(username.lower())


def apply_config_links(session: Session, links: dict[str, str], now: datetime | None = None) -> int:
    """The operator's mapping: Discord user id or username -> GitHub login. Returns links changed."""
    if not links:
        return 0
    config = ConfigLinks.of(links)
    changed = 0
    for u in session.scalars(select(ChatUser)):
        login = config.login_for(u.id, u.username)
        if login and _set_link(u, login, LINK_CONFIG, now):
            changed += 1
    return changed


def guess_links(session: Session, now: datetime | None = None) -> int:
    """Label guesses where nothing better is known: same handle, then same display name."""
    logins = {login.lower(): login for login in session.scalars(select(User.login)) if login}
    changed = 0
    for u in session.scalars(select(ChatUser).where(ChatUser.bot.is_(False))):
        if u.github_login is not None and _rank(u.link_source) >= _rank(LINK_GUESS_HANDLE):
            continue
        handle = logins.get(u.username.lower())
        if handle and _set_link(u, handle, LINK_GUESS_HANDLE, now):
            changed += 1
            continue
        name = (u.global_name or "").strip().lower().replace(" ", "")
        if name and name in logins and _set_link(u, logins[name], LINK_GUESS_NAME, now):
            changed += 1
    return changed


def apply_links(engine: Engine, github_links: dict[str, str], now: datetime | None = None) -> dict[str, int]:
    """Config links, then guesses, in one transaction (run after each chat collection)."""
    with session_scope(engine) as s:
        return {"config": apply_config_links(s, github_links, now), "guesses": guess_links(s, now)}


# ----------------------------------------------------------------------------- /link verification


class GitHubProfiles(Protocol):
    """What the verification needs from GitHub (PyGithub's `Github` provides it)."""

    def get_user(self, login: str) -> Any: ...
    def get_gist(self, gist_id: str) -> Any: ...


@dataclass(frozen=True)
class LinkResult:
    status: Literal["code-issued", "verified", "already-linked", "not-found-yet", "unknown-login", "invalid-login",
                    "rate-limited"]
    login: str
    code: str | None = None
    retry_after: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status in ("verified", "already-linked")

    def message(self) -> str:
        """The reply the user sees (plain text; the bot sends it with no mentions allowed)."""
        login = self.login
        if self.status == "rate-limited":
            return (f"Too many `/link` checks right now: try again in {max(1, round(self.retry_after))} s "
                    f"(your code stays the same).")
        if self.status == "invalid-login":
            return f"`{login[:60]}` is not a valid GitHub login."
        if self.status == "unknown-login":
            return f"GitHub has no user `{login}`. Check the spelling and run `/link` again."
        if self.status == "already-linked":
            return f"You are already linked to GitHub user `{login}` (verified)."
        if self.status == "verified":
            return f"Linked: your Discord account is now verified as GitHub user `{login}`. You can remove the code."
        where = ("your GitHub profile bio (github.com/settings/profile), or one of your "
                 f"{MAX_GISTS_CHECKED} newest public gists (its description or a file)")
        if self.status == "not-found-yet":
            return (f"I could not find the code `{self.code}` in the bio or the public gists of `{login}` yet. "
                    f"Add it to {where} and run `/link {login}` again.")
        return (f"To prove you own GitHub user `{login}`, put this code in {where}:\n`{self.code}`\n"
                f"Then run `/link {login}` again.")


def _pending(u: ChatUser | None) -> tuple[str, str] | None:
    """The open claim (login, code); stored as `login:code` in `chat_users.link_code`."""
    if u is None or not u.link_code or ":" not in u.link_code:
        return None
    login, _, code = u.link_code.partition(":")
    return login, code


MAX_GISTS_CHECKED = 10  # so one verification costs at most 2 + 10 GitHub requests


class LinkLimiter:
    """How often `/link` may check GitHub: once a minute per Discord user, and a cap per hour for
    everyone, so chat users cannot spend the bot's GitHub token (5,000 requests an hour). Issuing a
    code costs no request and is not limited here. In memory: a restart forgets, which is harmless."""

    def __init__(self, per_user_seconds: float = 60.0, per_hour: int = 30,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.per_user_seconds = per_user_seconds
        self.per_hour = per_hour
        self.clock = clock
        self._last: dict[int, float] = {}
        self._recent: deque[float] = deque()

    def acquire(self, user_id: int) -> float:
        """0 if a check may run now (and it is counted), else the seconds to wait."""
        now = self.clock()
        last = self._last.get(user_id)
        if last is not None and now - last < self.per_user_seconds:
            return self.per_user_seconds - (now - last)
        while self._recent and now - self._recent[0] >= 3600:
            self._recent.popleft()
        if len(self._recent) >= self.per_hour:
            return 3600 - (now - self._recent[0])
        self._recent.append(now)
        self._last[user_id] = now
        if len(self._last) > 10_000:  # forget users whose minute is long over
            self._last = {u: t for u, t in self._last.items() if now - t < self.per_user_seconds}
        return 0.0


def code_is_published(github: GitHubProfiles, login: str, code: str) -> bool | None:
    """True if `code` is in the user's bio or a public gist; None if the GitHub user does not exist.

    Blocking (PyGithub): call it through `asyncio.to_thread` from the bot.
    """
    from github import GithubException, UnknownObjectException

    try:
        user = github.get_user(login)
        bio = user.bio or ""
    except UnknownObjectException:
        return None
    except GithubException as exc:
        raise CollectorError(f"GitHub: looking up user {login} failed with HTTP {exc.status}") from exc
    if code in bio:
        return True
    try:
        # The newest gists only (one page of the list): a user with 400 gists would otherwise cost
        # 400 requests of our token for every /link.
        for gist in itertools.islice(user.get_gists(), MAX_GISTS_CHECKED):
            if not gist._rawData.get("public", True):
                continue
            if code in (gist._rawData.get("description") or "") or any(
                code in name for name in gist._rawData.get("files") or {}
            ):
                return True
            # List items carry no file contents; one GET /gists/{id} has them.
            try:
                full = github.get_gist(gist.id)
            except UnknownObjectException:
                continue
            if any(code in (f.content or "") for f in full.files.values()):
                return True
    except GithubException as exc:
        raise CollectorError(f"GitHub: listing gists of {login} failed with HTTP {exc.status}") from exc
    return False


def link_github(engine: Engine, github: GitHubProfiles, discord_user: dict[str, Any], login: str,
                now: datetime, limiter: LinkLimiter | None = None) -> LinkResult:
    """One `/link` invocation: issue a code the first time, verify it the next time.

    A verified link replaces any config link or guess. Claiming another login issues a new code.
    With a `limiter` (the bot always passes one), a verification over its limits asks to wait.
    """
    login = login.strip().lstrip("@")
    if not _LOGIN.match(login):
        return LinkResult("invalid-login", login)
    uid = int(discord_user["id"])
    with session_scope(engine) as s:
        upsert_chat_users(s, [discord_user])
        u = s.get(ChatUser, uid)
        assert u is not None
        if u.link_source == LINK_VERIFIED and (u.github_login or "").lower() == login.lower():
            return LinkResult("already-linked", u.github_login or login)
        pending = _pending(u)
        if pending is None or pending[0].lower() != login.lower():
            code = CODE_PREFIX + secrets.token_hex(6)
            u.link_code = f"{login.lower()}:{code}"
            return LinkResult("code-issued", login, code)
        code = pending[1]
    wait = limiter.acquire(uid) if limiter is not None else 0.0
    if wait > 0:
        return LinkResult("rate-limited", login, code, retry_after=wait)
    found = code_is_published(github, login, code)
    if found is None:
        return LinkResult("unknown-login", login, code)
    if not found:
        return LinkResult("not-found-yet", login, code)
    with session_scope(engine) as s:
        u = s.get(ChatUser, uid)
        assert u is not None
        u.github_login, u.link_source, u.linked_at, u.link_code = login, LINK_VERIFIED, now, None
    log.info("chat user %s verified as GitHub %s", uid, login)
    return LinkResult("verified", login, code)


def make_github(api_url: str, token: str | None = None, *, fast: bool = False) -> Any:
    """A PyGithub client for `api_url` (the sandbox or api.github.com), with bounded waits."""
    from github import Auth, Github, GithubRetry

    kwargs: dict[str, Any] = {"base_url": api_url.rstrip("/"), "timeout": 15,
                              "retry": GithubRetry(total=3, secondary_rate_wait=5, max_rate_limit_wait=60)}
    if token:
        kwargs["auth"] = Auth.Token(token)
    if fast:
        kwargs.update(seconds_between_requests=0, seconds_between_writes=0)
    return Github(**kwargs)
