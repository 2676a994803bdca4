"""Verifying the identity links that Slack and Discourse profiles claim (storage.chat_links): a
claim becomes "verified" (as Discord's `/link`) when the GitHub account names the chat account back
in its bio or a public gist."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.chat_links import LINK_PROFILE, LINK_VERIFIED
from storage.models import DiscourseUser, SlackUser

if TYPE_CHECKING:
    from collectors.discord.identity import GitHubProfiles


def verify_profile_links(session: Session, github: GitHubProfiles, *, slack: bool = True,
                         forum_url: str | None = None) -> dict[str, int]:
    """Upgrade "profile" links whose GitHub account names the chat account back (bio or public
    gist) to "verified"; two GitHub requests per unverified link at most. Returns counts."""
    from collectors.discord.identity import code_is_published

    out = {"checked": 0, "verified": 0}
    claims: list[tuple[SlackUser | DiscourseUser, str]] = [
        (u, u.id) for u in session.scalars(select(SlackUser).where(SlackUser.link_source == LINK_PROFILE))] \
        if slack else []
    if forum_url:
        host = re.sub(r"^https?://", "", forum_url.rstrip("/"))
        claims += [(u, f"{host}/u/{u.username}")
                   for u in session.scalars(select(DiscourseUser).where(DiscourseUser.link_source == LINK_PROFILE))]
    for user, back in claims:
        out["checked"] += 1
        if user.github_login and code_is_published(github, user.github_login, back):
            user.link_source = LINK_VERIFIED
            out["verified"] += 1
    return out
