"""JSON read with limits, streamed: nesting depth, string length and the size of each object.

ijson tracks a prefix string per nesting level, so a file nested 200,000 deep costs gigabytes
before its first item; yajl's `basic_parse` events cost nothing per level. Items are built here
from those events, and a limit is checked as each event arrives, so a hostile file is refused
after reading only as far as the first excess. GitHub and Discord objects nest a handful of levels
and a body is at most 65,536 characters: the limits are far above any real payload.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

import ijson

MAX_DEPTH = 32  # an issue with a pull_request, a repo and its owner is 4 deep
MAX_STRING = 1_000_000  # characters in one string or key (GitHub caps a body at 65,536)
MAX_ITEM_UNITS = 10_000_000  # characters plus values in one top-level item (its memory, roughly)
BOM = codecs.BOM_UTF8


class JSONLimitError(ValueError):
    """A JSON document is malformed or exceeds a limit; the message says which and where."""


@dataclass(frozen=True)
class Limits:
    depth: int = MAX_DEPTH
    string: int = MAX_STRING
    item_units: int = MAX_ITEM_UNITS


def skip_bom(f: IO[bytes]) -> None:
    """Move past a UTF-8 byte-order mark (editors on Windows write one); JSON itself has none."""
    if f.read(len(BOM)) != BOM:
        f.seek(0)


def _where(index: int | str | None) -> str:
    return f"item #{index}" if isinstance(index, int) else f"key {str(index)[:60]!r}"


def iter_top_level(f: IO[bytes], *, kv: bool = False, limits: Limits = Limits()) -> Iterator[Any]:
    """The items of a top-level JSON list (or, with kv, the (key, value) pairs of a top-level object).

    Raises `JSONLimitError` for a wrong top level, malformed JSON or a limit exceeded.
    """
    yield from _build(ijson.basic_parse(f, use_float=True), kv, limits)


def _parse_error(exc: Exception) -> str:
    """yajl's message on one line (it draws the offending text under it on the next lines)."""
    return " ".join(str(exc).split("\n", 1)[0].split())[:120]


def _build(events: Iterator[tuple[str, Any]], kv: bool, limits: Limits) -> Iterator[Any]:
    where: list[int | str | None] = [None]
    try:
        yield from _build_items(events, kv, limits, where)
    except ijson.JSONError as exc:
        at = f"{_where(where[0])}: " if where[0] is not None else ""
        raise JSONLimitError(f"{at}not valid JSON ({_parse_error(exc)})") from None


def _build_items(events: Iterator[tuple[str, Any]], kv: bool, limits: Limits,
                 where: list[int | str | None]) -> Iterator[Any]:
    first = next(events, None)
    if first is None:
        raise JSONLimitError("empty file")
    want = "start_map" if kv else "start_array"
    if first[0] != want:
        raise JSONLimitError("expected " + ("a JSON object at the top level" if kv else "a JSON list at the top level"))
    # One loop, branches in the order events are common, locals only: this runs once per JSON token.
    stack: list[Any] = []  # open containers of the current item
    keys: list[Any] = []  # the pending key of each enclosing dict, saved when a child opens
    key: Any = None  # the pending key of the innermost open dict
    top_key: str | None = None
    index = 0
    units = 0  # characters and values of the current item so far
    depth = 0  # len(stack), kept by hand: this loop runs once per token
    max_depth, max_string, max_units = limits.depth - 1, limits.string, limits.item_units
    for event, value in events:
        if event == "map_key":
            if len(value) > max_string:
                raise JSONLimitError(f"{_where(top_key if kv else index)}: a key of {len(value)} characters")
            if depth:
                key = value
            else:
                top_key = where[0] = value
            continue
        if event == "string":
            n = len(value)
            units += n
            if n > max_string:
                raise JSONLimitError(f"{_where(top_key if kv else index)}: a string of {n} characters "
                                     f"(at most {max_string})")
        elif event == "start_map" or event == "start_array":
            if depth >= max_depth:
                raise JSONLimitError(f"{_where(top_key if kv else index)}: nested deeper than {limits.depth} levels")
            if not depth and not kv:
                where[0] = index
            depth += 1
            stack.append({} if event == "start_map" else [])
            keys.append(key)
            key = None
            units += 1
            continue
        elif event == "end_map" or event == "end_array":
            if not depth:  # the top level closed
                if next(events, None) is not None:
                    raise JSONLimitError("data after the top-level value")
                return
            value = stack.pop()
            key = keys.pop()
            depth -= 1
            units += len(value)
            if units > max_units:
                raise JSONLimitError(f"{_where(top_key if kv else index)}: larger than {max_units} characters "
                                     "and values")
        if depth:
            parent = stack[-1]
            if type(parent) is dict:
                parent[key] = value
            else:
                parent.append(value)
        else:
            yield (top_key, value) if kv else value
            index += 1
            units = 0
    raise JSONLimitError("the file ends inside the top-level value")


def load_document(f: IO[bytes], limits: Limits = Limits()) -> Any:
    """One whole JSON document (an object such as repo.json) under the same limits."""
    return next(_whole(ijson.basic_parse(f, use_float=True), limits))


def _whole(events: Iterator[tuple[str, Any]], limits: Limits) -> Iterator[Any]:
    """Wrap the document as the single item of a list so `_build` applies its limits."""
    def framed() -> Iterator[tuple[str, Any]]:
        yield ("start_array", None)
        yield from events
        yield ("end_array", None)

    items = list(_build(framed(), False, limits))
    if len(items) != 1:
        raise JSONLimitError("empty file" if not items else "more than one JSON value")
    yield items[0]
