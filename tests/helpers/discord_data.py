"""Small Discord dataset directories for tests (DATASET.md's `discord/` part), with snowflakes that
agree with their timestamps. Used until (and beside) the community simulator.

    ds = build_discord_dataset(tmp_path / "d", now=NOW, per_channel=30)
    ds.channel_ids["general"], ds.message_ids, ds.messages_in(channel_id)
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

DISCORD_EPOCH_MS = 1420070400000
NOW = datetime(2026, 11, 27, tzinfo=UTC)
GUILD_ID = "1200000000000000001"

USERS = [
    {"id": "1210000000000000001", "username": "alice-dev", "global_name": "Alice"},
    {"id": "1210000000000000002", "username": "bob_k", "global_name": "Bob Kernel"},
    {"id": "1210000000000000003", "username": "carol", "global_name": None},
    {"id": "1210000000000000004", "username": "newcomer42", "global_name": "New Comer"},
]


def snowflake_at(dt: datetime, seq: int = 0) -> int:
    return (int(dt.timestamp() * 1000 - DISCORD_EPOCH_MS) << 22) | (seq & 0xFFF)


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="microseconds")


def user(u: dict[str, Any]) -> dict[str, Any]:
    return {"id": u["id"], "username": u["username"], "global_name": u.get("global_name"), "avatar": None,
            "discriminator": "0", "public_flags": 0, "flags": 0, "bot": False, "primary_guild": None}


def message(mid: int, channel_id: str, author: dict[str, Any], content: str, at: datetime) -> dict[str, Any]:
    return {
        "id": str(mid), "channel_id": channel_id, "author": user(author), "content": content, "timestamp": iso(at),
        "edited_timestamp": None, "tts": False, "mention_everyone": False, "mentions": [], "mention_roles": [],
        "attachments": [], "embeds": [], "components": [], "pinned": False, "type": 0, "flags": 0,
    }


@dataclass
class DiscordDataset:
    path: Path
    now: datetime
    guild: dict[str, Any]
    channels: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    channel_ids: dict[str, str] = field(default_factory=dict)

    @property
    def message_ids(self) -> set[int]:
        return {int(m["id"]) for m in self.messages}

    def messages_in(self, channel_id: str) -> list[dict[str, Any]]:
        return sorted((m for m in self.messages if m["channel_id"] == channel_id), key=lambda m: int(m["id"]))

    def write(self) -> DiscordDataset:
        d = self.path / "discord"
        d.mkdir(parents=True, exist_ok=True)
        (self.path / "meta.json").write_text(json.dumps({"format": 1, "generated_by": "tests.helpers.discord_data",
                                                         "now": self.now.strftime("%Y-%m-%dT%H:%M:%SZ")}))
        (d / "guild.json").write_text(json.dumps(self.guild, indent=1))
        (d / "channels.json").write_text(json.dumps(self.channels, indent=1))
        (d / "messages.json").write_text(json.dumps(self.messages, indent=1))
        return self


def _guild() -> dict[str, Any]:
    return {
        "id": GUILD_ID, "name": "Acme Engine", "icon": None, "description": None, "home_header": None,
        "splash": None, "discovery_splash": None, "features": [], "banner": None, "owner_id": USERS[0]["id"],
        "application_id": None, "region": "deprecated", "afk_channel_id": None, "afk_timeout": 300,
        "system_channel_id": None, "system_channel_flags": 0, "widget_enabled": False, "widget_channel_id": None,
        "verification_level": 0, "roles": [{
            "id": GUILD_ID, "name": "@everyone", "permissions": "2248473465835073", "position": 0, "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None}, "hoist": False,
            "managed": False, "mentionable": False, "icon": None, "unicode_emoji": None, "flags": 0}],
        "default_message_notifications": 1, "mfa_level": 0, "explicit_content_filter": 0, "max_presences": None,
        "max_members": 500000, "max_stage_video_channel_users": 50, "max_video_channel_users": 25,
        "vanity_url_code": None, "premium_tier": 0, "premium_subscription_count": 0, "preferred_locale": "en-US",
        "rules_channel_id": None, "safety_alerts_channel_id": None, "public_updates_channel_id": None,
        "premium_progress_bar_enabled": False, "nsfw": False, "nsfw_level": 0, "emojis": [], "stickers": [],
        "incidents_data": None,
    }


def _channel(cid: int, name: str, ctype: int, position: int, parent: str | None = None) -> dict[str, Any]:
    return {"id": str(cid), "type": ctype, "guild_id": GUILD_ID, "name": name, "position": position,
            "parent_id": parent, "permission_overwrites": [], "nsfw": False, "flags": 0,
            **({"topic": None} if ctype in (0, 15) else {})}


def _thread(cid: int, name: str, parent: str, archived: bool, archived_at: datetime, owner: str,
            private: bool = False) -> dict[str, Any]:
    return {"id": str(cid), "type": 12 if private else 11, "guild_id": GUILD_ID, "name": name, "parent_id": parent,
            "owner_id": owner, "flags": 0, "message_count": 0, "member_count": 1, "total_message_sent": 0,
            "thread_metadata": {"archived": archived, "archive_timestamp": iso(archived_at),
                                "auto_archive_duration": 1440, "locked": False, "create_timestamp": iso(archived_at)}}


def build_discord_dataset(path: Path, *, now: datetime = NOW, days: int = 7, per_channel: int = 20,
                          old_per_channel: int = 0, seed: int = 1, archived_threads: int = 2,
                          repo: str = "acme/engine") -> DiscordDataset:
    """A guild with a category, #general, #sig-frontend, a forum with posts, active/archived/private
    threads, and `per_channel` messages per text channel spread over the last `days` days
    (plus `old_per_channel` older ones, outside the window). Written to `path` and returned."""
    rnd = random.Random(seed)
    start = now - timedelta(days=days)
    base = start - timedelta(days=30)
    seq = iter(range(1, 10_000_000))

    def sid(at: datetime) -> int:
        return snowflake_at(at, next(seq))

    chans: list[dict[str, Any]] = []
    ids: dict[str, str] = {}

    def add(c: dict[str, Any]) -> str:
        chans.append(c)
        ids[c["name"]] = c["id"]
        return c["id"]

    cat = add(_channel(sid(base), "community", 4, 0))
    general = add(_channel(sid(base), "general", 0, 1, cat))
    sig = add(_channel(sid(base), "sig-frontend", 0, 2, cat))
    forum = add(_channel(sid(base), "help-forum", 15, 3, cat))
    add(_channel(sid(base), "voice", 2, 4, cat) | {"bitrate": 64000, "user_limit": 0, "rtc_region": None})
    owner = USERS[0]["id"]
    t_active_at = start + timedelta(days=1)
    active = add(_thread(sid(t_active_at), "rfc-scheduler", general, False, t_active_at, owner))
    private_at = start + timedelta(days=2)
    private = add(_thread(sid(private_at), "maintainers-only", sig, False, private_at, owner, private=True))
    archived: list[str] = []
    for k in range(archived_threads):
        at = start + timedelta(hours=6 + 10 * k)
        archived.append(add(_thread(sid(at), f"old-discussion-{k}", sig, True, at + timedelta(days=1), owner)))
    post_at = start + timedelta(days=3)
    post = add(_thread(sid(post_at), "how do I run on ROCm?", forum, False, post_at, USERS[3]["id"]))
    closed_at = start + timedelta(hours=30)
    closed_post = add(_thread(sid(closed_at), "solved: OOM on startup", forum, True, closed_at + timedelta(days=2),
                              USERS[3]["id"]))

    msgs: list[dict[str, Any]] = []
    texts = ["see #{n}", "is anyone on https://github.com/{repo}/issues/{n} ?", "LGTM", "I'll take #{n}",
             "blocked on #{n} until the kernel lands", "thanks @everyone", "hello", "repro attached"]

    def fill(cid: str, count: int, lo: datetime, hi: datetime) -> None:
        span = (hi - lo).total_seconds()
        times = sorted(lo + timedelta(seconds=rnd.uniform(0, span)) for _ in range(count))
        for at in times:
            a = rnd.choice(USERS)
            text = rnd.choice(texts).format(n=rnd.randint(1, 40), repo=repo)
            msgs.append(message(sid(at), cid, a, text, at))

    for cid in (general, sig):
        fill(cid, old_per_channel, base + timedelta(days=1), start - timedelta(hours=1))
        fill(cid, per_channel, start + timedelta(minutes=1), now - timedelta(minutes=1))
    fill(active, max(3, per_channel // 4), t_active_at + timedelta(minutes=1), now - timedelta(minutes=5))
    fill(private, 3, private_at + timedelta(minutes=1), now - timedelta(minutes=5))
    for k, tid in enumerate(archived):
        at = start + timedelta(hours=6 + 10 * k)
        fill(tid, 4, at + timedelta(minutes=1), at + timedelta(hours=20))
    # forum posts: the starter message has the thread's id
    for tid, at, title in (
        (post, post_at, "how do I run on ROCm?"),
        (closed_post, closed_at, "solved: OOM on startup"),
    ):
        msgs.append(message(int(tid), tid, USERS[3], title, at))
        fill(tid, 3, at + timedelta(minutes=1), at + timedelta(hours=40))
    return DiscordDataset(path=path, now=now, guild=_guild(), channels=chans, messages=msgs, channel_ids=ids).write()
