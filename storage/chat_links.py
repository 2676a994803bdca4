"""Identity links from Slack and Discourse profiles: many people name their GitHub login there
(a Slack profile title such as "github.com/alice", a Discourse website https://github.com/alice or
a bio line "GitHub: @alice"). Such a link is the person's own claim (`link_source` "profile");
the operator's explicit mapping in the watch config ("config") wins over it. A claim becomes
"verified" (as Discord's `/link`) when the GitHub account names the chat account back in its bio or
a public gist: the Slack member id (`U…`) or the forum profile URL (`discuss.vllm.ai/u/alice`);
nothing replaces a verified link (collectors.chat_identity verifies through GitHub). Chat counts
as evidence for a login only through these links (see classifiers.chat_evidence). Applied by the
collectors and by the dataset importer alike, so it lives in storage."""

from __future__ import annotations

import re
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import DiscourseUser, SlackUser

LINK_PROFILE = "profile"
LINK_CONFIG = "config"
LINK_VERIFIED = "verified"
# GitHub's login rule, with `_` tolerated (older accounts and converted data carry it)
_LOGIN = r"([A-Za-z0-9](?:[A-Za-z0-9_]|-(?=[A-Za-z0-9])){0,38})"
_PATTERNS = (
    re.compile(r"(?:https?://)?(?:www\.)?github\.com/" + _LOGIN + r"(?![A-Za-z0-9_-]|/[A-Za-z0-9])", re.IGNORECASE),
    re.compile(r"\b(?:github|gh)\s*[:/]\s*@?" + _LOGIN + r"(?![A-Za-z0-9_-])", re.IGNORECASE),
)
_NOT_LOGINS = frozenset({"orgs", "settings", "sponsors", "features", "about", "pricing", "login", "topics"})


def github_login_named(*texts: str | None) -> str | None:
    """The GitHub login a profile text names (the first one found), or None."""
    for text in texts:
        if not text:
            continue
        for pattern in _PATTERNS:
            for m in pattern.finditer(text):
                login = m.group(1)
                if login.lower() not in _NOT_LOGINS:
                    return login
    return None


def _apply(user: SlackUser | DiscourseUser, login: str | None, source: str) -> bool:
    if user.link_source == LINK_VERIFIED:
        return False
    if user.link_source == LINK_CONFIG and source != LINK_CONFIG:
        return False
    if login is None:
        if user.link_source == LINK_PROFILE:  # the profile no longer names anyone
            user.github_login, user.link_source = None, None
            return True
        return False
    if user.github_login == login and user.link_source == source:
        return False
    user.github_login, user.link_source = login, source
    return True


def _configured(links: Mapping[str, str], *keys: str) -> str | None:
    by_key = {str(k).strip().lower(): str(v).strip() for k, v in links.items()}
    return next((by_key[k.lower()] for k in keys if k and k.lower() in by_key), None)


def apply_slack_links(session: Session, config_links: Mapping[str, str] | None = None) -> int:
    """Link Slack users (config mapping by user id or name first, else their profile); returns changes."""
    changed = 0
    for u in session.scalars(select(SlackUser).where(SlackUser.is_bot.is_(False))):
        configured = _configured(config_links or {}, u.id, u.name)
        if configured:
            changed += _apply(u, configured, LINK_CONFIG)
        else:
            changed += _apply(u, github_login_named(u.title, u.display_name), LINK_PROFILE)
    return changed


def apply_discourse_links(session: Session, config_links: Mapping[str, str] | None = None) -> int:
    """Link Discourse users (config mapping by username first, else website or bio); returns changes."""
    changed = 0
    for u in session.scalars(select(DiscourseUser)):
        configured = _configured(config_links or {}, u.username)
        if configured:
            changed += _apply(u, configured, LINK_CONFIG)
        else:
            changed += _apply(u, github_login_named(u.website, u.bio), LINK_PROFILE)
    return changed
