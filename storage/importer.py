"""Load a dataset directory (shared/DATASET.md) through the same upserts the collectors use.

Files are streamed (ijson events, `storage.bounded_json`) in batches, so a year of activity imports
in bounded memory and a hostile file (nested 200,000 deep, a gigabyte string) is refused at its
first excess. The whole import is one transaction: a corrupt file stops the import with one line
naming the file and the object, and the database is left exactly as it was. Files in `contents/`
are read only when they are regular files: a symlink could point anywhere on this machine.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from config.clock import parse_utc
from config.errors import DatasetError
from storage import bounded_json, upsert
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


MAX_DOCUMENT_BYTES = 16 << 20  # meta.json, repo.json, guild.json: one object each, a few KB
MAX_REPO_FILE_BYTES = 1 << 20  # GitHub's contents API serves files up to 1 MB


def _open_regular(path: Path) -> BinaryIO:
    """Open a dataset file for reading: a regular file only (not a folder, a FIFO or a device)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise DatasetError(f"{path}: missing") from None
    except OSError as exc:
        raise DatasetError(f"{path}: cannot be read ({exc.strerror})") from None
    if stat.S_ISDIR(st.st_mode):
        raise DatasetError(f"{path}: is a folder, expected a JSON file")
    if not stat.S_ISREG(st.st_mode):
        raise DatasetError(f"{path}: not a regular file")
    try:
        f = path.open("rb")
    except OSError as exc:
        raise DatasetError(f"{path}: cannot be read ({exc.strerror})") from None
    bounded_json.skip_bom(f)
    return f


def _read_json(path: Path) -> Any:
    """A small whole-document file (meta.json, repo.json, guild.json), under the JSON limits."""
    with _open_regular(path) as f:
        if path.stat().st_size > MAX_DOCUMENT_BYTES:
            raise DatasetError(f"{path}: {path.stat().st_size} bytes, more than {MAX_DOCUMENT_BYTES} for one object")
        try:
            return bounded_json.load_document(f)
        except bounded_json.JSONLimitError as exc:
            raise DatasetError(f"{path}: {exc}") from None
        except UnicodeDecodeError as exc:
            raise DatasetError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _batches(path: Path, kv: bool = False, size: int = BATCH) -> Iterator[list[Any]]:
    """A list file (or, with kv, an object file) in batches, streamed under the JSON limits; a wrong
    top-level shape, malformed JSON or an item past a limit stops it with a `DatasetError`."""
    batch: list[Any] = []
    with _open_regular(path) as f:
        try:
            for item in bounded_json.iter_top_level(f, kv=kv):
                batch.append(item)
                if len(batch) >= size:
                    yield batch
                    batch = []
        except bounded_json.JSONLimitError as exc:
            what = "a JSON object of pull number -> file list" if kv else "a JSON list of objects"
            detail = f"expected {what}" if str(exc).startswith(("expected", "empty file")) else str(exc)
            raise DatasetError(
                f"{path}: {detail}" + (" (the file is empty)" if str(exc) == "empty file" else "")
            ) from None
        except UnicodeDecodeError as exc:
            raise DatasetError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if batch:
        yield batch


def _no_follow(path: str, flags: int) -> int:
    """open(2) that refuses a symlink swapped in after the walk looked."""
    return os.open(path, flags | getattr(os, "O_NOFOLLOW", 0))


def repo_files(contents: Path) -> Iterator[Path]:
    """Regular files under `contents/`, sorted; symlinks (which could point anywhere on this machine)
    and special files are skipped with a warning, and folders behind symlinks are never entered."""
    for dirpath, dirnames, filenames in os.walk(contents, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]):
            f = Path(dirpath) / name
            st = f.lstat()
            if stat.S_ISLNK(st.st_mode):
                log.warning("skipping symlink %s in a dataset's contents/", f)
            elif not stat.S_ISREG(st.st_mode):
                log.warning("skipping %s in a dataset's contents/: not a regular file", f)
            elif st.st_size > MAX_REPO_FILE_BYTES:
                log.warning("skipping %s: %d bytes, more than the %d a repository file may have", f, st.st_size,
                            MAX_REPO_FILE_BYTES)
            else:
                yield f


def read_meta(root: Path) -> dict[str, Any]:
    meta = _read_json(root / "meta.json") if (root / "meta.json").exists() else {}
    if not isinstance(meta, dict):
        raise DatasetError(f"{root / 'meta.json'}: expected a JSON object")
    return meta


def _meta_now(root: Path, meta: dict[str, Any]) -> datetime | None:
    value = meta.get("now")
    if value is None:
        return None
    try:
        return parse_utc(_check_str(value))
    except (TypeError, ValueError, OverflowError):
        raise DatasetError(f"{root / 'meta.json'}: now: expected an ISO 8601 time such as 2026-11-27T00:00:00Z, "
                           f"got {str(value)[:60]!r}") from None


def _check_str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value


@contextmanager
def _naming(path: Path) -> Iterator[None]:
    """Turn a bad object (or a row the database refuses) into one line naming the file."""
    try:
        yield
    except upsert.PayloadError as exc:
        raise DatasetError(f"{path}: {exc}") from None
    except IntegrityError as exc:
        raise DatasetError(f"{path}: the database refused an object ({str(exc.orig).splitlines()[0][:200]})") from None


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
    summary = ImportSummary(now=_meta_now(root, meta))
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
            with _naming(rdir / "repo.json"):
                repo_id = upsert.upsert_repo(s, repo_obj)
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
                    with _naming(path):
                        counts[key] += writers[fname](s, repo_id, data)
                    seen += len(batch)
                step(f"{name} {fname}", seen)
            contents = rdir / "contents"
            fetched = summary.now or parse_utc("1970-01-01T00:00:00Z")
            if contents.is_dir():
                for f in sorted(repo_files(contents)):
                    rel = f.relative_to(contents).as_posix()
                    try:
                        with open(f, "rb", opener=_no_follow) as fh:
                            text = fh.read(MAX_REPO_FILE_BYTES + 1).decode("utf-8")
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
                with _naming(ddir / "guild.json"):
                    guild_id = upsert.upsert_guild(s, guild)
            for fname, fn in (("channels.json", lambda d: upsert.upsert_channels(s, d, guild_id)),
                              ("messages.json", lambda d: upsert.upsert_messages(s, d, default_repo))):
                path = ddir / fname
                key = fname.removesuffix(".json")
                summary.discord[key] = 0
                if not path.exists():
                    continue
                seen = 0
                for batch in _batches(path):
                    with _naming(path):
                        summary.discord[key] += fn(batch)
                    seen += len(batch)
                step(f"discord {fname}", seen)
        summary.chat = import_chat_sources(s, root, _batches, step)  # slack/ and discourse/ (storage.chat_import)
    return summary
