"""Helpers for slash-command tests against the Discord sandbox: a judged (imported, trained,
classified) copy of the generated small community, settings for it, and reading a command's
answer (the callback, or the deferred follow-ups) as the user would see it."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.discord import DiscordSandbox
from sandbox.discord._store import Interaction

BUNDLED_CONFIG = Path(__file__).resolve().parents[2] / "config" / "vllm.toml"


def judge_dataset(dataset: Path, out: Path) -> Path:
    """Import `dataset` into a new SQLite file under `out`, then the real `scout train` and
    `scout classify` functions on it. Returns the database file (copy it per test)."""
    from config import load_watch_config
    from config.clock import parse_utc
    from storage.db import make_engine, session_scope, upgrade
    from storage.importer import import_dataset

    out.mkdir(parents=True, exist_ok=True)
    db = out / "judged.db"
    eng = make_engine(f"sqlite:///{db}")
    try:
        upgrade(eng)
        import_dataset(eng, dataset)
        from classifiers.classify import classify
        from classifiers.train import RepoContext, train

        watch = load_watch_config()
        now = parse_utc(json.loads((dataset / "meta.json").read_text())["now"])
        name = watch.repo().name
        with session_scope(eng) as s:
            train(s, RepoContext.of(watch, name), now, out / "models")
        with session_scope(eng) as s:
            classify(s, RepoContext.of(watch, name), now, out / "models")
    finally:
        eng.dispose()
    return db


def copy_db(db: Path, to: Path) -> str:
    """A private copy of a prepared SQLite database; returns its URL."""
    to.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(db, to)
    return f"sqlite:///{to}"


def config_file(path: Path, *, digest_channel: str | None = None, allowed_users: list[str] | None = None,
                allowed_roles: list[str] | None = None, github_links: dict[str, str] | None = None,
                discord_guilds: list[str] | None = None, discord_roles: list[str] | None = None) -> Path:
    """The bundled watch config with a few values changed (written to `path`)."""
    text = BUNDLED_CONFIG.read_text(encoding="utf-8")

    def sub(pattern: str, value: str) -> None:
        nonlocal text
        new, n = re.subn(pattern, lambda m: m.group(1) + value, text, count=1, flags=re.M)
        assert n == 1, f"config key not found: {pattern}"
        text = new

    if digest_channel is not None:
        sub(r'^(digest_channel\s*=\s*).*$', json.dumps(digest_channel))
    if allowed_users is not None:
        sub(r'^(allowed_users\s*=\s*).*$', json.dumps(allowed_users))
    if allowed_roles is not None:
        sub(r'^(allowed_roles\s*=\s*).*$', json.dumps(allowed_roles))
    if discord_guilds is not None:
        sub(r'^(discord_guilds\s*=\s*)[^#\n]*', json.dumps(discord_guilds) + " ")
    if discord_roles is not None:
        sub(r'^(discord_roles\s*=\s*)[^#\n]*', json.dumps(discord_roles) + " ")
    if github_links:
        lines = "".join(f"{json.dumps(k)} = {json.dumps(v)}\n" for k, v in github_links.items())
        sub(r'^(\[discord\.github_links\][^\n]*\n)', lines)
    path.write_text(text, encoding="utf-8")
    return path


@dataclass
class Answer:
    """What the user sees: every message of the answer (callback message, then follow-ups)."""

    interaction: Interaction
    messages: list[dict[str, Any]]

    @property
    def deferred(self) -> bool:
        return (self.interaction.callback or {}).get("type") == 5

    @property
    def ephemeral(self) -> bool:
        return self.interaction.ephemeral and all(int(m.get("flags") or 0) & 64 for m in self.messages)

    @property
    def content(self) -> str:
        return "\n".join(m.get("content") or "" for m in self.messages)

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return [e for m in self.messages for e in m.get("embeds") or []]

    @property
    def files(self) -> list[str]:
        return [f for m in self.messages for f in m.get("files") or []]

    @property
    def text(self) -> str:
        """Content and every embed text, as one string (for "says X" checks)."""
        parts = [self.content]
        for e in self.embeds:
            parts += [e.get("title") or "", e.get("description") or ""]
            parts += [f"{f.get('name')}\n{f.get('value')}" for f in e.get("fields") or []]
        return "\n".join(parts)


async def ask(sb: DiscordSandbox, name: str, options: dict[str, Any] | None = None, *, settle: float = 0.15,
              timeout: float = 20.0, **kwargs: Any) -> Answer:
    """Invoke `/name options` through the gateway and collect the whole answer: the callback, and
    (deferred, or split over several messages) follow-ups until none came for `settle` seconds."""
    inter = await sb.inject_interaction(name, options, **kwargs)
    await sb.wait_for_response(inter, timeout=timeout)
    if inter.callback and inter.callback.get("type") == 5:
        await sb.wait_for_response(inter, followups=1, timeout=timeout)
    seen, quiet_since = len(inter.followups), time.monotonic()
    while time.monotonic() - quiet_since < settle:
        await asyncio.sleep(0.02)
        if len(inter.followups) != seen:
            seen, quiet_since = len(inter.followups), time.monotonic()
    messages: list[dict[str, Any]] = []
    if inter.callback and inter.callback.get("type") == 4 and inter.original is not None:
        messages.append({**inter.original, "files": list(inter.files)})
    messages += inter.followups
    return Answer(inter, messages)


def uploaded(sb: DiscordSandbox, filename: str) -> bytes:
    """The bytes of the last file the bot uploaded under `filename`."""
    for up in reversed(sb.uploads):
        if up.filename == filename:
            return up.data
    raise AssertionError(f"no upload named {filename}; got {[u.filename for u in sb.uploads]}")
