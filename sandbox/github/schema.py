"""GitHub's published GraphQL schema, built once per process with graphql-core.

The packaged file is GitHub's SDL (`shared/specs/github-schema.graphql`, from
@octokit/graphql-schema) made buildable and small: descriptions removed, `@deprecated` uses removed
(GitHub marks some implementations deprecated where the interface field is not, which graphql-core
refuses; deprecation never changes whether a query validates), and the first definition kept of
the few fields GitHub's SDL defines twice. Every type, field and argument stays, so a query GitHub
would reject is rejected here too.

Regenerate: `python -m sandbox.github.schema /work/shared/specs/github-schema.graphql`.
"""

from __future__ import annotations

import gzip
import sys
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from graphql import GraphQLSchema, build_ast_schema, parse, print_ast
from graphql.language import ast

PACKAGED = Path(__file__).resolve().parents[1] / "data" / "github-schema.graphql.gz"
_lock = threading.Lock()


def _rebuild(node: ast.Node, **changes: Any) -> ast.Node:
    values = {k: getattr(node, k) for k in node.keys}
    values.update(changes)
    return node.__class__(**values)


def _strip(node: Any) -> Any:
    """Remove descriptions and @deprecated from a node and everything below it."""
    if isinstance(node, tuple | list):
        return tuple(_strip(n) for n in node)
    if not isinstance(node, ast.Node):
        return node
    changes: dict[str, Any] = {}
    for key in node.keys:
        value = getattr(node, key)
        if key == "description":
            changes[key] = None
        elif key == "directives" and value:
            changes[key] = tuple(_strip(d) for d in value if d.name.value != "deprecated")
        elif key != "loc" and isinstance(value, tuple | list | ast.Node):
            changes[key] = _strip(value)
    return _rebuild(node, **changes)


def compact_sdl(text: str) -> str:
    """GitHub's SDL as graphql-core can build it (see the module docstring)."""
    doc = parse(text, no_location=True)
    out = []
    for definition in doc.definitions:
        d: ast.Node = definition
        fields = getattr(d, "fields", None)
        if fields:
            seen: set[str] = set()
            kept = []
            for f in fields:
                if f.name.value not in seen:
                    seen.add(f.name.value)
                    kept.append(f)
            d = _rebuild(d, fields=tuple(kept))
        out.append(_strip(d))
    return print_ast(ast.DocumentNode(definitions=tuple(out)))


@lru_cache(maxsize=1)
def _build(path: Path) -> GraphQLSchema:
    raw = path.read_bytes()
    text = gzip.decompress(raw).decode() if path.suffix == ".gz" else raw.decode()
    return build_ast_schema(parse(text, no_location=True), assume_valid_sdl=True)


def github_schema(path: Path | None = None) -> GraphQLSchema:
    """The schema (built on first use, about a second, then shared by every sandbox in the process)."""
    with _lock:
        return _build(path or PACKAGED)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write("usage: python -m sandbox.github.schema PATH/TO/github-schema.graphql\n")
        return 2
    sdl = compact_sdl(Path(argv[0]).read_text(encoding="utf-8"))
    PACKAGED.parent.mkdir(parents=True, exist_ok=True)
    PACKAGED.write_bytes(gzip.compress(sdl.encode(), mtime=0))
    sys.stdout.write(f"wrote {PACKAGED} ({len(sdl)} characters of SDL)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
