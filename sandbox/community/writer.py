"""Stream a simulated community to a dataset directory (shared/DATASET.md): one JSON object per
line inside a JSON list, so the largest scales are written without building whole files in memory."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

_enc = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))


def dumps(obj: Any) -> str:
    return _enc.encode(obj)


class ListWriter:
    """Writes `[`, then objects (or pre-encoded JSON strings), then `]`; counts what it wrote.

    Chunks are written by one background thread (in order), so encoding the next objects overlaps
    with the disk; at most a few chunks wait in memory.
    """

    _CHUNK = 512
    _IN_FLIGHT = 8

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._f = path.open("wb")
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dataset-writer")
        self._pending: deque[Future[int]] = deque()
        self.count = 0
        self._buf: list[str] = ["["]

    def _flush(self) -> None:
        data = "".join(self._buf).encode("utf-8")
        self._buf.clear()
        self._pending.append(self._pool.submit(self._f.write, data))
        while len(self._pending) > self._IN_FLIGHT:
            self._pending.popleft().result()

    def raw(self, encoded: str) -> None:
        self._buf.append(("\n" if self.count == 0 else ",\n") + encoded)
        self.count += 1
        if len(self._buf) >= self._CHUNK:
            self._flush()

    def add(self, obj: Any) -> None:
        self.raw(dumps(obj))

    def close(self) -> None:
        self._buf.append("\n]\n" if self.count else "]\n")
        self._flush()
        try:
            while self._pending:
                self._pending.popleft().result()
        finally:
            self._pool.shutdown(wait=True)
            self._f.close()

    def __enter__(self) -> ListWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_list(path: Path, objs: Iterable[Any]) -> int:
    with ListWriter(path) as w:
        for o in objs:
            w.add(o)
    return w.count


def write_raw(path: Path, encoded: Iterable[str]) -> int:
    with ListWriter(path) as w:
        for s in encoded:
            w.raw(s)
    return w.count


def write_json(path: Path, obj: Any, sort_keys: bool = True) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=1, sort_keys=sort_keys) + "\n", encoding="utf-8")


def write_mapping_of_lists(path: Path, items: Iterator[tuple[str, list[Any]]]) -> int:
    """`{"key": [objects], ...}` (pull_files.json), one key per line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write("{")
        for i, (k, v) in enumerate(items):
            f.write(("\n" if i == 0 else ",\n") + dumps(k) + ": " + dumps(v))
            n += len(v)
        f.write("\n}\n" if n else "}\n")
    return n
