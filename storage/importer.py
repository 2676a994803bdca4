"""Load a dataset directory (shared/DATASET.md) through the same upserts the collectors use.

Files are streamed (ijson) in batches, so a year of activity imports in bounded memory, and the
whole import is one transaction: a corrupt file stops the import with a message naming the file
and the object, and the database is left exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import ijson
from sqlalchemy import Engine

from config.clock import parse_utc
from config.errors import DatasetError
from storage import upsert
from storage.chat_import import has_chat_sources, import_chat_sources
from storage.db import session_scope

log = logging.getLogger(__name__)

GITHUB_FILES = ("issues.json", "pulls.json", "issue_comments.json", "reviews.json", "review_comments.json",
                "pull_files.json", "issue_events.json", "labels.json")
Progress = Callable[[str, int], None]
BATCH = 2000


@dataclass
class ImportSummary:
    now: datetime | None = None
    repos: dict[str, dict[str, int]] = field(default_factory=dict)
    discord: dict[str, int] = field(default_factory=dict)
    chat: dict[str, dict[str, int]] = field(default_factory=dict)  # slack/ and discourse/ parts


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DatasetError(f"{path}: missing") from None
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None


def _stream(path: Path, prefix: str, kv: bool = False) -> Iterator[Any]:
    """Items of a top-level JSON list (or key/value pairs of an object), read incrementally."""
    try:
        with path.open("rb") as f:
            it = ijson.kvitems(f, prefix, use_float=True) if kv else ijson.items(f, prefix, use_float=True)
            yield from it
    except ijson.JSONError as exc:
        raise DatasetError(f"{path}: not valid JSON ({exc})") from None
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _top_level_kind(path: Path) -> str:
    """'list', 'object' or something else, from the first non-blank byte."""
    with path.open("rb") as f:
        while chunk := f.read(256):
            stripped = chunk.lstrip()
            if stripped:
                return {ord("["): "list", ord("{"): "object"}.get(stripped[0], "other")
    return "empty"


def _batches(path: Path, kv: bool = False, size: int = BATCH) -> Iterator[list[Any]]:
    """A list file (or, with kv, an object file) in batches; a wrong top-level shape is an error."""
    want = "object" if kv else "list"
    kind = _top_level_kind(path)
    if kind != want:
        what = "a JSON object of pull number -> file list" if kv else "a JSON list of objects"
        raise DatasetError(f"{path}: expected {what}" + (" (the file is empty)" if kind == "empty" else ""))
    batch: list[Any] = []
    for item in _stream(path, "" if kv else "item", kv=kv):
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def read_meta(root: Path) -> dict[str, Any]:
    meta = _read_json(root / "meta.json") if (root / "meta.json").exists() else {}
    if not isinstance(meta, dict):
        raise DatasetError(f"{root / 'meta.json'}: expected a JSON object")
    return meta


def repo_dirs(root: Path) -> list[Path]:
    return sorted(p for p in (root / "github").glob("*__*") if p.is_dir())


def import_dataset(engine: Engine, root: Path | str, progress: Progress | None = None,
                   default_repo: str | None = None) -> ImportSummary:
    """Import a dataset directory; idempotent (importing twice stores everything once)."""
    root = Path(root)
    if not root.is_dir():
        raise DatasetError(f"{root}: not a dataset directory")
    if not (root / "github").is_dir() and not (root / "discord").is_dir() and not has_chat_sources(root):
        raise DatasetError(f"{root}: no github/, discord/, slack/ or discourse/ folder (see docs/dataset.md)")
    step = progress or (lambda _name, _n: None)
    meta = read_meta(root)
    summary = ImportSummary(now=parse_utc(meta["now"]) if meta.get("now") else None)
    repos = repo_dirs(root)
    if default_repo is None and repos:
        default_repo = repos[0].name.replace("__", "/")

    with session_scope(engine) as s:
        for rdir in repos:
            name = rdir.name.replace("__", "/")
            repo_obj = _read_json(rdir / "repo.json")
            if not isinstance(repo_obj, dict):
                raise DatasetError(f"{rdir / 'repo.json'}: expected a JSON object")
            counts: dict[str, int] = {}
            try:
                repo_id = upsert.upsert_repo(s, repo_obj)
            except upsert.PayloadError as exc:
                raise DatasetError(f"{rdir / 'repo.json'}: {exc}") from None
            if repo_obj.get("full_name", "").lower() != name.lower():
                raise DatasetError(f"{rdir / 'repo.json'}: full_name {repo_obj.get('full_name')!r} "
                                   f"does not match the folder {rdir.name}")
            writers: dict[str, Callable[..., int]] = {
                "labels.json": upsert.upsert_labels, "issues.json": upsert.upsert_issues,
                "pulls.json": upsert.upsert_pulls, "issue_comments.json": upsert.upsert_issue_comments,
                "reviews.json": upsert.upsert_reviews, "review_comments.json": upsert.upsert_review_comments,
                "issue_events.json": upsert.upsert_issue_events, "pull_files.json": upsert.upsert_pull_files,
            }
            for fname in ("labels.json", "issues.json", "pulls.json", "issue_comments.json", "reviews.json",
                          "review_comments.json", "issue_events.json", "pull_files.json"):
                path = rdir / fname
                key = fname.removesuffix(".json")
                counts[key] = 0
                if not path.exists():
                    continue
                kv = fname == "pull_files.json"
                seen = 0
                for batch in _batches(path, kv=kv):
                    data = dict(batch) if kv else batch
                    try:
                        counts[key] += writers[fname](s, repo_id, data)
                    except upsert.PayloadError as exc:
                        raise DatasetError(f"{path}: {exc}") from None
                    seen += len(batch)
                step(f"{name} {fname}", seen)
            contents = rdir / "contents"
            fetched = summary.now or parse_utc("1970-01-01T00:00:00Z")
            if contents.is_dir():
                for f in sorted(p for p in contents.rglob("*") if p.is_file()):
                    rel = f.relative_to(contents).as_posix()
                    try:
                        text = f.read_text(encoding="utf-8")
                    except UnicodeDecodeError:
                        log.warning("skipping binary repository file %s", f)
                        continue
                    sha = hashlib.sha1(f"blob {len(text.encode())}\0".encode() + text.encode()).hexdigest()  # noqa: S324 - git's blob id
                    upsert.upsert_repo_file(s, repo_id, rel, text, sha, fetched)
                    counts["files"] = counts.get("files", 0) + 1
            summary.repos[name] = counts

        ddir = root / "discord"
        if ddir.is_dir():
            guild_id = None
            if (ddir / "guild.json").exists():
                guild = _read_json(ddir / "guild.json")
                if not isinstance(guild, dict):
                    raise DatasetError(f"{ddir / 'guild.json'}: expected a JSON object")
                try:
                    guild_id = upsert.upsert_guild(s, guild)
                except upsert.PayloadError as exc:
                    raise DatasetError(f"{ddir / 'guild.json'}: {exc}") from None
            for fname, fn in (("channels.json", lambda d: upsert.upsert_channels(s, d, guild_id)),
                              ("messages.json", lambda d: upsert.upsert_messages(s, d, default_repo))):
                path = ddir / fname
                key = fname.removesuffix(".json")
                summary.discord[key] = 0
                if not path.exists():
                    continue
                seen = 0
                for batch in _batches(path):
                    try:
                        summary.discord[key] += fn(batch)
                    except upsert.PayloadError as exc:
                        raise DatasetError(f"{path}: {exc}") from None
                    seen += len(batch)
                step(f"discord {fname}", seen)
        summary.chat = import_chat_sources(s, root, _batches, step)  # slack/ and discourse/ (storage.chat_import)
    return summary
