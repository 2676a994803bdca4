"""Load a dataset directory (shared/DATASET.md) through the same upserts the collectors use.

Everything is read and checked before anything is written, and the whole import is one
transaction: a corrupt file stops the import with a message naming the file and the object,
and the database is left exactly as it was.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from config.clock import parse_utc
from config.errors import DatasetError
from storage import upsert
from storage.db import session_scope

log = logging.getLogger(__name__)

GITHUB_FILES = ("issues.json", "pulls.json", "issue_comments.json", "reviews.json", "review_comments.json",
                "pull_files.json", "issue_events.json", "labels.json")
Progress = Callable[[str, int], None]


@dataclass
class ImportSummary:
    now: datetime | None = None
    repos: dict[str, dict[str, int]] = field(default_factory=dict)
    discord: dict[str, int] = field(default_factory=dict)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DatasetError(f"{path}: missing") from None
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None


def _read_list(path: Path, required: bool = False) -> list[Any]:
    if not path.exists() and not required:
        return []
    data = _read_json(path)
    if not isinstance(data, list):
        raise DatasetError(f"{path}: expected a JSON list of objects, got {type(data).__name__}")
    return data


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
    if not (root / "github").is_dir() and not (root / "discord").is_dir():
        raise DatasetError(f"{root}: no github/ or discord/ folder (see DATASET.md)")
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
            writers: dict[str, Callable[[Any], int]] = {
                "labels.json": lambda d: upsert.upsert_labels(s, repo_id, d),
                "issues.json": lambda d: upsert.upsert_issues(s, repo_id, d),
                "pulls.json": lambda d: upsert.upsert_pulls(s, repo_id, d),
                "issue_comments.json": lambda d: upsert.upsert_issue_comments(s, repo_id, d),
                "reviews.json": lambda d: upsert.upsert_reviews(s, repo_id, d),
                "review_comments.json": lambda d: upsert.upsert_review_comments(s, repo_id, d),
                "issue_events.json": lambda d: upsert.upsert_issue_events(s, repo_id, d),
                "pull_files.json": lambda d: upsert.upsert_pull_files(s, repo_id, d),
            }
            for fname in ("labels.json", "issues.json", "pulls.json", "issue_comments.json", "reviews.json",
                          "review_comments.json", "issue_events.json", "pull_files.json"):
                path = rdir / fname
                if fname == "pull_files.json":
                    data: Any = _read_json(path) if path.exists() else {}
                    if not isinstance(data, dict):
                        raise DatasetError(f"{path}: expected a JSON object of pull number -> file list")
                else:
                    data = _read_list(path)
                try:
                    counts[fname.removesuffix(".json")] = writers[fname](data)
                except upsert.PayloadError as exc:
                    raise DatasetError(f"{path}: {exc}") from None
                step(f"{name} {fname}", len(data))
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
                    import hashlib

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
                data = _read_list(ddir / fname)
                try:
                    summary.discord[fname.removesuffix(".json")] = fn(data)
                except upsert.PayloadError as exc:
                    raise DatasetError(f"{ddir / fname}: {exc}") from None
                step(f"discord {fname}", len(data))
    return summary
