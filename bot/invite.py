"""What a server admin grants the bot: the OAuth2 scopes and the exact channel permissions the code
uses, and the invite URL built from them (`scout invite-url`). Pure: no I/O.

Each permission is listed with the code that needs it; `docs/discord.md` explains them to admins.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

import discord

AUTHORIZE_URL = "https://discord.com/oauth2/authorize"
SCOPES = ("bot", "applications.commands")  # a bot user, and slash commands in the server

# discord.Permissions flag -> why the bot needs it (and where).
REQUIRED_PERMISSIONS: dict[str, str] = {
    "view_channel": "see the watched channels and the digest channel (collectors.discord, bot.digest_post)",
    "read_message_history": "read chat since the last checkpoint, and find an unrecorded digest post again",
    "send_messages": "post the daily digest in its channel (bot.digest_post)",
    "embed_links": "the digest and every answer are embeds",
    "attach_files": "the digest chart, the shortlist exports, the rendered bench job",
    "create_public_threads": "the digest's details go in a thread under the channel post",
    "send_messages_in_threads": "post the digest's details in that thread",
}

_SNOWFLAKE = re.compile(r"[1-9][0-9]{16,19}")  # Discord ids: 17 to 20 digits


def required_permissions() -> discord.Permissions:
    """The permissions the bot needs, nothing more (no administrator, no manage_*, no mentions)."""
    return discord.Permissions(**dict.fromkeys(REQUIRED_PERMISSIONS, True))


def is_snowflake(value: str) -> bool:
    return bool(_SNOWFLAKE.fullmatch(value)) and int(value) < 2**64


def invite_url(client_id: str, guild_id: str | None = None) -> str:
    """The OAuth2 URL that adds the bot with `SCOPES` and exactly `required_permissions()`;
    `guild_id` preselects a server in Discord's dialog."""
    if not is_snowflake(client_id):
        raise ValueError(f"expected the application's client id (17-20 digits), got {client_id[:40]!r}")
    query = {"client_id": client_id, "scope": " ".join(SCOPES), "permissions": str(required_permissions().value)}
    if guild_id is not None:
        if not is_snowflake(guild_id):
            raise ValueError(f"expected a server id (17-20 digits), got {guild_id[:40]!r}")
        query |= {"guild_id": guild_id, "disable_guild_select": "true"}
    return f"{AUTHORIZE_URL}?{urlencode(query)}"
