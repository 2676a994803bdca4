"""The Discord part of a dataset directory, held in memory and completed into what Discord sends.

A dataset keeps only what the collector needs (guild, channels, messages). Discord's answers
carry more (roles, members, thread metadata, flags...), and discord.py reads some of it with
plain `data[key]`; `complete_*` fills the gaps with Discord's own defaults, never overriding a
value the dataset gives.
"""

from __future__ import annotations

import bisect
import copy
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from config.clock import parse_utc
from config.errors import DatasetError
from sandbox.discord._snowflake import SnowflakeMaker, snowflake_time

Payload = dict[str, Any]

# Channel types (https://discord.com/developers/docs/resources/channel#channel-object-channel-types)
GUILD_TEXT, GUILD_VOICE, GUILD_CATEGORY, GUILD_ANNOUNCEMENT = 0, 2, 4, 5
ANNOUNCEMENT_THREAD, PUBLIC_THREAD, PRIVATE_THREAD = 10, 11, 12
GUILD_STAGE_VOICE, GUILD_FORUM, GUILD_MEDIA = 13, 15, 16
THREAD_TYPES = frozenset({ANNOUNCEMENT_THREAD, PUBLIC_THREAD, PRIVATE_THREAD})
MESSAGEABLE_TYPES = frozenset({GUILD_TEXT, GUILD_VOICE, GUILD_ANNOUNCEMENT, GUILD_STAGE_VOICE}) | THREAD_TYPES

# Permission bits the sandbox grants (https://discord.com/developers/docs/topics/permissions)
P_ADD_REACTIONS = 1 << 6
P_VIEW_CHANNEL = 1 << 10
P_SEND_MESSAGES = 1 << 11
P_EMBED_LINKS = 1 << 14
P_ATTACH_FILES = 1 << 15
P_READ_MESSAGE_HISTORY = 1 << 16
P_USE_APPLICATION_COMMANDS = 1 << 31
P_MANAGE_THREADS = 1 << 34
P_CREATE_PUBLIC_THREADS = 1 << 35
P_SEND_MESSAGES_IN_THREADS = 1 << 38
EVERYONE_PERMISSIONS = (P_ADD_REACTIONS | P_VIEW_CHANNEL | P_SEND_MESSAGES | P_EMBED_LINKS | P_ATTACH_FILES
                        | P_READ_MESSAGE_HISTORY | P_USE_APPLICATION_COMMANDS | P_CREATE_PUBLIC_THREADS
                        | P_SEND_MESSAGES_IN_THREADS)
# The bot's managed role adds MANAGE_THREADS so private threads are readable (a watch bot is set up so).
BOT_PERMISSIONS = EVERYONE_PERMISSIONS | P_MANAGE_THREADS

# The sandbox's own application and bot user (one application, as a bot token implies).
APPLICATION_ID = 1300000000000000001
BOT_ROLE_ID = 1300000000000000002
APP_OWNER_ID = 1300000000000000003

FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7


def _iso(dt: datetime) -> str:
    """Discord's timestamp format: `2026-11-27T00:00:00.000000+00:00`."""
    return dt.astimezone(UTC).isoformat(timespec="microseconds")


def _sf(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise DatasetError(f"{what}: expected a snowflake id, got {value!r}")
    return int(value)


def complete_user(u: Payload) -> Payload:
    out = dict(u)
    out["id"] = str(out["id"])
    for key, default in (("avatar", None), ("discriminator", "0"), ("public_flags", 0), ("flags", 0),
                         ("global_name", None), ("primary_guild", None)):
        out.setdefault(key, default)
    return out


def complete_role(r: Payload) -> Payload:
    out = dict(r)
    out["id"] = str(out["id"])
    for key, default in (("permissions", str(EVERYONE_PERMISSIONS)), ("position", 0), ("color", 0), ("hoist", False),
                         ("managed", False), ("mentionable", False), ("icon", None), ("unicode_emoji", None),
                         ("flags", 0)):
        out.setdefault(key, default)
    out["permissions"] = str(out["permissions"])
    out.setdefault("colors", {"primary_color": out["color"], "secondary_color": None, "tertiary_color": None})
    return out


_GUILD_DEFAULTS: tuple[tuple[str, Any], ...] = (
    ("icon", None), ("description", None), ("home_header", None), ("splash", None), ("discovery_splash", None),
    ("features", []), ("banner", None), ("owner_id", str(APP_OWNER_ID)), ("application_id", None),
    ("region", "deprecated"), ("afk_channel_id", None), ("afk_timeout", 300), ("system_channel_id", None),
    ("system_channel_flags", 0), ("widget_enabled", False), ("widget_channel_id", None), ("verification_level", 0),
    ("default_message_notifications", 1), ("mfa_level", 0), ("explicit_content_filter", 0), ("max_presences", None),
    ("max_members", 500000), ("max_stage_video_channel_users", 50), ("max_video_channel_users", 25),
    ("vanity_url_code", None), ("premium_tier", 0), ("premium_subscription_count", 0), ("preferred_locale", "en-US"),
    ("rules_channel_id", None), ("safety_alerts_channel_id", None), ("public_updates_channel_id", None),
    ("premium_progress_bar_enabled", False), ("nsfw", False), ("nsfw_level", 0), ("emojis", []), ("stickers", []),
    ("incidents_data", None),
)


@dataclass
class Interaction:
    """One injected slash-command (or autocomplete) invocation and everything the bot answered."""

    id: int
    token: str
    payload: Payload
    created: float                                  # loop-independent monotonic seconds
    callback: Payload | None = None                 # the interaction callback body (type, data)
    callback_after: float | None = None             # seconds from dispatch to the callback
    files: list[str] = field(default_factory=list)  # attachment file names of the callback
    original: Payload | None = None                 # the response message, as last edited
    followups: list[Payload] = field(default_factory=list)
    edits: list[Payload] = field(default_factory=list)  # bodies of PATCH @original

    @property
    def ephemeral(self) -> bool:
        """Whether the answer the user sees is private (flags 64 on the response message)."""
        if self.original is not None:
            return bool(int(self.original.get("flags") or 0) & FLAG_EPHEMERAL)
        data = (self.callback or {}).get("data") or {}
        return bool(int(data.get("flags") or 0) & FLAG_EPHEMERAL)

    def summary(self) -> Payload:
        return {"id": str(self.id), "name": (self.payload.get("data") or {}).get("name"),
                "callback": self.callback, "callback_after": self.callback_after, "files": self.files,
                "original": self.original, "followups": self.followups, "edits": self.edits,
                "ephemeral": self.ephemeral}


class DiscordStore:
    """The guild, its channels and messages, keyed by snowflake; ordered message ids per channel."""

    def __init__(self, guild: Payload, channels: list[Payload], messages: list[Payload], now: datetime,
                 *, members: list[Payload] | None = None, bot_name: str = "oss-scout") -> None:
        self.now = now
        self._t0 = time.monotonic()
        self.guild_id = _sf(guild.get("id"), "guild.json: id")
        if not isinstance(guild.get("name"), str):
            raise DatasetError("guild.json: name: expected a string")
        self.guild: Payload = dict(guild)
        self.bot_user: Payload = complete_user({
            "id": str(APPLICATION_ID), "username": bot_name, "global_name": None, "bot": True,
            "discriminator": "0", "avatar": None, "public_flags": 0, "flags": 0,
        })
        self.application: Payload = {
            "id": str(APPLICATION_ID), "name": bot_name, "icon": None, "description": "oss-scout sandbox application",
            "type": None, "bot_public": False, "bot_require_code_grant": False, "verify_key": "0" * 64,
            "flags": (1 << 19) | (1 << 15), "flags_new": str((1 << 19) | (1 << 15)), "redirect_uris": [],
            "interactions_endpoint_url": None, "role_connections_verification_url": None,
            "owner": complete_user({"id": str(APP_OWNER_ID), "username": "sandbox-owner"}),
            "approximate_guild_count": 1, "approximate_user_install_count": 0,
            "approximate_user_authorization_count": 0, "explicit_content_filter": 0, "team": None,
            "eligible_oauth2_scopes": [], "bot": self.bot_user, "rpc_origins": [], "tags": [],
            "integration_types_config": {"0": {}}, "summary": "",
        }
        self.channels: dict[int, Payload] = {}
        self._msgs: dict[int, list[Payload]] = {}
        self._ids: dict[int, list[int]] = {}
        self.users: dict[int, Payload] = {APPLICATION_ID: self.bot_user}
        self.global_commands: list[Payload] = []
        self.guild_commands: dict[int, list[Payload]] = {}
        self.interactions: dict[int, Interaction] = {}
        self.ids = SnowflakeMaker(floor=APPLICATION_ID)
        for i, c in enumerate(channels):
            cid = _sf(c.get("id") if isinstance(c, dict) else None, f"channels.json[{i}]: id")
            self.channels[cid] = dict(c)
            self.ids.bump(cid)
        by_channel: dict[int, dict[int, Payload]] = {}
        for i, m in enumerate(messages):
            if not isinstance(m, dict):
                raise DatasetError(f"messages.json[{i}]: expected an object")
            mid = _sf(m.get("id"), f"messages.json[{i}]: id")
            cid = _sf(m.get("channel_id"), f"messages.json[{i}] (id {mid}): channel_id")
            if cid not in self.channels:
                raise DatasetError(f"messages.json[{i}] (id {mid}): channel {cid} is not in channels.json")
            author = m.get("author")
            if not isinstance(author, dict) or "id" not in author or "username" not in author:
                raise DatasetError(f"messages.json[{i}] (id {mid}): author needs id and username")
            by_channel.setdefault(cid, {})[mid] = self._complete_message(m)
            self.ids.bump(mid)
        for cid, msgs in by_channel.items():  # bulk: sorted once, not inserted one by one
            ids = sorted(msgs)
            self._ids[cid] = ids
            self._msgs[cid] = [msgs[mid] for mid in ids]
            for m in self._msgs[cid]:
                if not m.get("webhook_id"):
                    self.users.setdefault(int(m["author"]["id"]), m["author"])
        self._roles = self._complete_roles()
        # Optional discord/members.json (guild member objects): their roles and join dates, e.g. who
        # holds the role that may start bench jobs. Without it, message authors are plain members.
        self.member_data: dict[int, Payload] = {}
        for i, m in enumerate(members or []):
            user = m.get("user") if isinstance(m, dict) else None
            if not isinstance(user, dict) or "id" not in user or "username" not in user:
                raise DatasetError(f"members.json[{i}]: a member needs user.id and user.username")
            uid = _sf(user["id"], f"members.json[{i}]: user.id")
            self.member_data[uid] = m
            self.users.setdefault(uid, complete_user(user))

    # ------------------------------------------------------------------ loading
    @classmethod
    def from_dataset(cls, dataset_dir: Path | str, **kwargs: Any) -> DiscordStore:
        root = Path(dataset_dir)
        ddir = root / "discord"
        if not ddir.is_dir():
            raise DatasetError(f"{root}: no discord/ folder (see docs/dataset.md)")

        def load(name: str, kind: type) -> Any:
            p = ddir / name
            if not p.exists():
                raise DatasetError(f"{p}: missing")
            try:
                data = json.loads(p.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                raise DatasetError(f"{p}: not valid JSON ({exc})") from exc
            if not isinstance(data, kind):
                raise DatasetError(f"{p}: expected a JSON {kind.__name__}")
            return data

        now = datetime.now(UTC)
        meta = root / "meta.json"
        if meta.exists():
            try:
                raw_now = json.loads(meta.read_text(encoding="utf-8")).get("now")
                if raw_now:
                    now = parse_utc(raw_now)
            except (OSError, ValueError, AttributeError) as exc:
                raise DatasetError(f"{meta}: unreadable `now` ({exc})") from exc
        members = load("members.json", list) if (ddir / "members.json").exists() else None
        return cls(load("guild.json", dict), load("channels.json", list), load("messages.json", list), now,
                   members=members, **kwargs)

    # ------------------------------------------------------------------ time
    def clock(self) -> datetime:
        """The sandbox's present: the dataset's `now`, moving on in real time while it runs."""
        from datetime import timedelta

        return self.now + timedelta(seconds=time.monotonic() - self._t0)

    def new_id(self) -> int:
        return self.ids.make(self.clock())

    # ------------------------------------------------------------------ guild
    def _complete_roles(self) -> list[Payload]:
        roles = [complete_role(r) for r in self.guild.get("roles") or [] if isinstance(r, dict) and "id" in r]
        if not any(int(r["id"]) == self.guild_id for r in roles):
            roles.insert(0, complete_role({"id": str(self.guild_id), "name": "@everyone"}))
        if not any(int(r["id"]) == BOT_ROLE_ID for r in roles):
            roles.append(complete_role({
                "id": str(BOT_ROLE_ID), "name": self.bot_user["username"], "permissions": str(BOT_PERMISSIONS),
                "position": len(roles), "managed": True, "tags": {"bot_id": str(APPLICATION_ID)},
            }))
        return roles

    @property
    def roles(self) -> list[Payload]:
        return copy.deepcopy(self._roles)

    def role_ids(self) -> set[int]:
        return {int(r["id"]) for r in self._roles}

    def guild_payload(self) -> Payload:
        g = dict(self.guild)
        g["id"] = str(self.guild_id)
        for key, default in _GUILD_DEFAULTS:
            g.setdefault(key, copy.deepcopy(default))
        g["roles"] = self.roles
        return g

    def member_payload(self, user: Payload, roles: list[str] | None = None, joined_at: str | None = None) -> Payload:
        """A guild member; `roles=None` means the member's own (members.json), else exactly these."""
        known = self.member_data.get(int(user["id"]), {})
        if roles is None:
            roles = [str(r) for r in known.get("roles") or []]
        return {
            "user": complete_user(user),
            "roles": roles,
            "joined_at": joined_at or known.get("joined_at") or _iso(self.now),
            "deaf": False,
            "mute": False,
            "flags": int(known.get("flags") or 0),
            "pending": False,
            "nick": known.get("nick"),
            "avatar": None,
            "banner": None,
            "premium_since": None,
            "communication_disabled_until": None,
        }

    def bot_member(self) -> Payload:
        return self.member_payload(self.bot_user, [str(BOT_ROLE_ID)])

    def members(self) -> list[Payload]:
        out = [self.bot_member()]
        out += [self.member_payload(u) for uid, u in self.users.items() if uid != APPLICATION_ID]
        return out

    def guild_create(self) -> Payload:
        """The GUILD_CREATE dispatch: the guild with channels, active threads, members and roles."""
        g = self.guild_payload()
        members = self.members()
        g.update({
            "joined_at": _iso(self.now), "large": len(members) > 250, "unavailable": False,
            "member_count": len(members), "members": members, "voice_states": [], "presences": [],
            "channels": [self.channel_payload(c, with_guild=False) for c in self.guild_channels()],
            "threads": [self.channel_payload(t) for t in self.active_threads()],
            "stage_instances": [], "guild_scheduled_events": [], "soundboard_sounds": [],
        })
        return g

    # ------------------------------------------------------------------ channels
    def guild_channels(self) -> list[int]:
        return sorted(cid for cid, c in self.channels.items() if int(c.get("type", 0)) not in THREAD_TYPES)

    def threads(self) -> list[int]:
        return sorted(cid for cid, c in self.channels.items() if int(c.get("type", 0)) in THREAD_TYPES)

    def _thread_metadata(self, cid: int) -> Payload:
        c = self.channels[cid]
        meta = dict(c.get("thread_metadata") or {})
        created = snowflake_time(cid)
        meta.setdefault("archived", False)
        meta.setdefault("archive_timestamp", _iso(created))
        meta.setdefault("auto_archive_duration", 1440)
        meta.setdefault("locked", False)
        meta.setdefault("create_timestamp", _iso(created))
        if int(c.get("type", 0)) == PRIVATE_THREAD:
            meta.setdefault("invitable", True)
        return meta

    def is_archived(self, cid: int) -> bool:
        return bool(self._thread_metadata(cid)["archived"])

    def active_threads(self) -> list[int]:
        return [t for t in self.threads() if not self.is_archived(t)]

    def channel_payload(self, cid: int, *, with_guild: bool = True) -> Payload:
        """A channel as Discord returns it (GET /channels/{id}), with counts and last ids up to date."""
        c = copy.deepcopy(self.channels[cid])
        ctype = int(c.get("type", 0))
        c["id"] = str(cid)
        c["type"] = ctype
        if with_guild:
            c["guild_id"] = str(self.guild_id)
        else:
            c.pop("guild_id", None)
        c.setdefault("name", "")
        c.setdefault("flags", 0)
        c.setdefault("position", 0)
        c.setdefault("permission_overwrites", [])
        c.setdefault("nsfw", False)
        if c.get("parent_id") is not None:
            c["parent_id"] = str(c["parent_id"])
        ids = self._ids.get(cid, [])
        if ctype in MESSAGEABLE_TYPES:
            c["last_message_id"] = str(ids[-1]) if ids else None
            c.setdefault("rate_limit_per_user", 0)
        if ctype in (GUILD_TEXT, GUILD_ANNOUNCEMENT, GUILD_FORUM, GUILD_MEDIA):
            c.setdefault("topic", None)
            c.setdefault("default_auto_archive_duration", 1440)
            c.setdefault("default_thread_rate_limit_per_user", 0)
            c.setdefault("last_pin_timestamp", None)
        if ctype in (GUILD_VOICE, GUILD_STAGE_VOICE):
            c.setdefault("bitrate", 64000)
            c.setdefault("user_limit", 0)
            c.setdefault("rtc_region", None)
        if ctype in (GUILD_FORUM, GUILD_MEDIA):
            kids = [t for t in self.threads() if str(self.channels[t].get("parent_id")) == str(cid)]
            c["last_message_id"] = str(max(kids)) if kids else None
            c.setdefault("available_tags", [])
            c.setdefault("default_reaction_emoji", None)
            c.setdefault("default_sort_order", None)
            c.setdefault("default_forum_layout", 0)
            c.setdefault("default_tag_setting", "match_some")
        if ctype in THREAD_TYPES:
            msgs = self._msgs.get(cid, [])
            c["thread_metadata"] = self._thread_metadata(cid)
            owner = c.get("owner_id") or (msgs[0]["author"]["id"] if msgs else str(APPLICATION_ID))
            c["owner_id"] = str(owner)
            c["message_count"] = len(msgs)
            c["total_message_sent"] = max(int(c.get("total_message_sent") or 0), len(msgs))
            c["member_count"] = max(1, len({m["author"]["id"] for m in msgs}))
            c.setdefault("applied_tags", [])
        return c

    def parent_of(self, cid: int) -> int | None:
        p = self.channels[cid].get("parent_id")
        return int(p) if p is not None else None

    # ------------------------------------------------------------------ messages
    def _complete_message(self, m: Payload) -> Payload:
        out = dict(m)
        out["id"] = str(out["id"])
        out["channel_id"] = str(out["channel_id"])
        out["author"] = complete_user(out["author"])
        for key, default in (("type", 0), ("content", ""), ("mentions", []), ("mention_roles", []),
                             ("attachments", []), ("embeds", []), ("edited_timestamp", None), ("flags", 0),
                             ("components", []), ("pinned", False), ("mention_everyone", False), ("tts", False)):
            if key not in out:
                out[key] = [] if isinstance(default, list) else default
        out.setdefault("timestamp", _iso(snowflake_time(int(out["id"]))))
        return out

    def _insert(self, m: Payload) -> None:
        cid, mid = int(m["channel_id"]), int(m["id"])
        ids = self._ids.setdefault(cid, [])
        msgs = self._msgs.setdefault(cid, [])
        pos = bisect.bisect_left(ids, mid)
        if pos < len(ids) and ids[pos] == mid:
            msgs[pos] = m
        else:
            ids.insert(pos, mid)
            msgs.insert(pos, m)
        author = m["author"]
        if not m.get("webhook_id"):
            self.users.setdefault(int(author["id"]), author)

    def add_message(self, m: Payload) -> Payload:
        """Store a new message (bot post or injected one); returns it as Discord would send it."""
        m = self._complete_message(m)
        self._insert(m)
        self.ids.bump(int(m["id"]))
        return copy.deepcopy(m)

    def message(self, cid: int, mid: int) -> Payload | None:
        ids = self._ids.get(cid, [])
        pos = bisect.bisect_left(ids, mid)
        if pos < len(ids) and ids[pos] == mid:
            return copy.deepcopy(self._msgs[cid][pos])
        return None

    def all_messages(self, cid: int) -> list[Payload]:
        return copy.deepcopy(self._msgs.get(cid, []))

    def page(self, cid: int, *, limit: int, before: int | None = None, after: int | None = None,
             around: int | None = None) -> list[Payload]:
        """GET /channels/{id}/messages: always newest first, as Discord answers.

        `after` picks the `limit` oldest messages newer than the id (discord.py then pages on the
        first, newest, id of the page); `before` and no cursor pick the newest; `around` takes
        limit//2 on each side of the id, plus the message itself when it exists.
        """
        ids = self._ids.get(cid, [])
        msgs = self._msgs.get(cid, [])
        if around is not None:
            left = bisect.bisect_left(ids, around)
            right = bisect.bisect_right(ids, around)
            half = limit // 2
            lo = max(0, left - half)
            hi = min(len(ids), right + half)
            if right - left == 0 and limit % 2 == 1:
                hi = min(len(ids), hi + 1)
            chosen = msgs[lo:hi]
        elif after is not None:
            start = bisect.bisect_right(ids, after)
            end = len(ids) if before is None else bisect.bisect_left(ids, before)
            chosen = msgs[start:min(end, start + limit)]
        else:
            end = len(ids) if before is None else bisect.bisect_left(ids, before)
            chosen = msgs[max(0, end - limit):end]
        return copy.deepcopy(list(reversed(chosen)))

    # ------------------------------------------------------------------ commands
    def commands(self, guild_id: int | None) -> list[Payload]:
        return copy.deepcopy(self.global_commands if guild_id is None else self.guild_commands.get(guild_id, []))

    def command_named(self, name: str, guild_id: int | None, ctype: int = 1) -> Payload | None:
        for c in (self.guild_commands.get(guild_id, []) if guild_id else []) + self.global_commands:
            if c["name"] == name and int(c.get("type", 1)) == ctype:
                return c
        return None
