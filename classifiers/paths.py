"""CODEOWNERS-style path rules: which subsystem a changed file belongs to.

Semantics (GitHub's CODEOWNERS, built on gitignore globs via `pathspec`):

- Rules are tried in file order and the LAST matching rule wins, so a taxonomy lists generic
  areas first and specific ones later (`/vllm/v1/` before `/vllm/v1/core/`).
- A pattern starting with `/` (or containing a `/` before its last character) is anchored at
  the repository root; otherwise it floats and matches at any depth (`docs/`, `*.md`).
- `**` matches any number of directories; `*` and `?` never cross a `/`.
- A pattern without wildcards in its last segment also owns everything below it
  (`/vllm/compilation` owns `vllm/compilation/pass.py`); one whose last segment has a wildcard
  matches names at that level only (`docs/*` owns `docs/a.md`, not `docs/a/b.md`), as
  CODEOWNERS documents.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from pathspec import lookup_pattern

from config.watch import Taxonomy

_GitIgnore = lookup_pattern("gitignore")
_WILD = re.compile(r"[*?\[]")


@dataclass(frozen=True)
class Rule:
    """One pattern and what it maps to (a subsystem name, or a tuple of owners)."""

    pattern: str
    target: object


class _Compiled:
    """A pattern compiled once; `matches(path)` applies the CODEOWNERS last-segment rule."""

    __slots__ = ("exact", "pattern", "spec")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.spec = _GitIgnore(pattern)
        last = pattern.rstrip("/").rsplit("/", 1)[-1]
        self.exact = bool(_WILD.search(last)) and not pattern.endswith("/")

    def matches(self, path: str) -> bool:
        if self.spec.include is None:  # a comment or blank line
            return False
        m = self.spec.match_file(path)
        if m is None:
            return False
        if self.exact:
            return m.match.end() == len(path)
        return True


def normalise(path: str) -> str:
    """Repository-relative POSIX path without a leading `./` or `/`."""
    p = path.strip().replace("\\", "/")
    while p.startswith("./"):
        p = p[2:]
    return p.lstrip("/")


class PathMatcher:
    """Ordered rules; `match(path)` returns the target of the last rule that matches, or None.

    Results are cached per path: a repository has far fewer distinct files than changed-file
    rows, so a year of pull requests costs one pass over the distinct paths.
    """

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = tuple(rules)
        self._compiled = [(_Compiled(r.pattern), r.target) for r in self.rules]
        self.match = lru_cache(maxsize=65536)(self._match)

    def _match(self, path: str) -> object | None:
        p = normalise(path)
        if not p:
            return None
        for compiled, target in reversed(self._compiled):
            if compiled.matches(p):
                return target
        return None

    def match_many(self, paths: Iterable[str]) -> list[object | None]:
        return [self.match(p) for p in paths]

    @classmethod
    def for_taxonomy(cls, taxonomy: Taxonomy) -> PathMatcher:
        """Rules in taxonomy order: each subsystem's paths, targets are subsystem names."""
        return cls([Rule(p, s.name) for s in taxonomy.subsystems for p in s.paths])


def representative_path(pattern: str) -> str:
    """A concrete path a pattern stands for, used to place a CODEOWNERS rule in a subsystem.

    `/vllm/compilation` -> `vllm/compilation/__init__.py`; `/vllm/entrypoints/*.py` ->
    `vllm/entrypoints/x.py`; `**/*rocm*` -> `xrocmx`.
    """
    raw = pattern.strip()
    last = raw.rstrip("/").rsplit("/", 1)[-1]
    p = raw.lstrip("/").replace("**/", "").replace("/**", "")
    p = re.sub(r"\[[^\]]*\]", "x", p)
    p = re.sub(r"\*+", "x", p).replace("?", "x")
    if raw.endswith("/") or ("." not in last and not _WILD.search(last)):
        p = p.rstrip("/") + "/__init__.py"
    return p
