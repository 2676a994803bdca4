"""`scout import` of a dataset's slack/ and discourse/ parts (shared/DATASET.md), through the same
upserts as the collectors, streamed in batches inside the importer's transaction; then the identity
links their profiles name (as a collection would make them)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from config.errors import DatasetError
from storage import chat_upsert as cu
from storage.upsert import PayloadError

Batches = Callable[[Path], Iterator[list[Any]]]
Progress = Callable[[str, int], None]


def has_chat_sources(root: Path) -> bool:
    return (root / "slack").is_dir() or (root / "discourse").is_dir()


def _load(path: Path, batches: Batches, store: Callable[[list[Any]], int], step: Progress, label: str) -> int:
    if not path.exists():
        return 0
    n = seen = 0
    for batch in batches(path):
        try:
            n += store(batch)
        except PayloadError as exc:
            raise DatasetError(f"{path}: {exc}") from None
        seen += len(batch)
    step(label, seen)
    return n


def _slack_messages(session: Session, batch: list[Any]) -> int:
    by_channel: dict[str, list[Any]] = defaultdict(list)
    for i, m in enumerate(batch):
        if not isinstance(m, dict) or not isinstance(m.get("channel"), str):
            raise PayloadError(f"slack message #{i}: no \"channel\" (DATASET.md: each message names its channel)")
        by_channel[m["channel"]].append(m)
    return sum(cu.upsert_slack_messages(session, cid, msgs) for cid, msgs in by_channel.items())


def import_chat_sources(session: Session, root: Path, batches: Batches, step: Progress) -> dict[str, dict[str, int]]:
    """Import slack/ and discourse/ when present; returns counts per part."""
    from storage.chat_links import apply_discourse_links, apply_slack_links

    out: dict[str, dict[str, int]] = {}
    slack = root / "slack"
    if slack.is_dir():
        out["slack"] = {
            "users": _load(slack / "users.json", batches, lambda b: cu.upsert_slack_users(session, b), step,
                           "slack users.json"),
            "channels": _load(slack / "channels.json", batches, lambda b: cu.upsert_slack_channels(session, b), step,
                              "slack channels.json"),
            "messages": _load(slack / "messages.json", batches, lambda b: _slack_messages(session, b), step,
                              "slack messages.json"),
        }
        session.flush()
        out["slack"]["links"] = apply_slack_links(session)
    forum = root / "discourse"
    if forum.is_dir():
        out["discourse"] = {
            "categories": _load(
                forum / "categories.json",
                batches,
                lambda b: cu.upsert_discourse_categories(session, b),
                step,
                "discourse categories.json",
            ),
            "users": _load(
                forum / "users.json",
                batches,
                lambda b: cu.upsert_discourse_users(session, b),
                step,
                "discourse users.json",
            ),
            "topics": _load(
                forum / "topics.json",
                batches,
                lambda b: cu.upsert_discourse_topics(session, b),
                step,
                "discourse topics.json",
            ),
            "posts": _load(
                forum / "posts.json",
                batches,
                lambda b: cu.upsert_discourse_posts(session, b),
                step,
                "discourse posts.json",
            ),
        }
        session.flush()
        out["discourse"]["links"] = apply_discourse_links(session)
    return out
