"""CODEOWNERS semantics of the path matcher: last match wins, anchored vs floating, `**`, wildcards."""

from __future__ import annotations

import pytest

from classifiers.codeowners import declared_by_subsystem, parse_codeowners
from classifiers.paths import PathMatcher, Rule, representative_path
from config import load_watch_config


def _m(*rules: tuple[str, str]) -> PathMatcher:
    return PathMatcher([Rule(p, t) for p, t in rules])


def test_last_matching_rule_wins() -> None:
    m = _m(("/vllm/", "core"), ("/vllm/v1/", "v1"), ("/vllm/v1/core/", "scheduler"))
    assert m.match("vllm/v1/core/sched.py") == "scheduler"
    assert m.match("vllm/v1/engine.py") == "v1"
    assert m.match("vllm/config.py") == "core"
    # Order matters, not specificity: a generic rule listed last takes everything back.
    m2 = _m(("/vllm/v1/core/", "scheduler"), ("/vllm/", "core"))
    assert m2.match("vllm/v1/core/sched.py") == "core"


@pytest.mark.parametrize(("pattern", "path", "hit"), [
    ("/docs/", "docs/a/b.md", True),          # anchored directory: everything below
    ("/docs/", "x/docs/a.md", False),         # ... only at the root
    ("docs/", "x/docs/a.md", True),           # floating directory: at any depth
    ("/vllm/compilation", "vllm/compilation/pass.py", True),  # no slash at the end: still owns the tree
    ("*.md", "a/b/README.md", True),          # floating glob: any depth
    ("/*.md", "README.md", True),
    ("/*.md", "docs/README.md", False),       # anchored glob: root only
    ("docs/*", "docs/a.md", True),
    ("docs/*", "docs/build/a.md", False),     # a wildcard last segment does not own subfolders
    ("**/*rocm*", "docker/Dockerfile.rocm", True),
    ("**/*rocm*", "vllm/platforms/rocm.py", True),
    ("/vllm/**/test_*.py", "vllm/a/b/test_x.py", True),
    ("/vllm/entrypoints/*.py", "vllm/entrypoints/llm.py", True),
    ("/vllm/entrypoints/*.py", "vllm/entrypoints/openai/api.py", False),
    ("mkdocs.yaml", "mkdocs.yaml", True),
])
def test_glob_semantics(pattern: str, path: str, hit: bool) -> None:
    assert (_m((pattern, "x")).match(path) == "x") is hit


def test_paths_are_normalised_and_comments_ignored() -> None:
    m = _m(("# a comment", "never"), ("/a/", "a"))
    assert m.match("./a/x.py") == "a"
    assert m.match("/a/x.py") == "a"
    assert m.match("") is None


def test_vllm_taxonomy_places_files() -> None:
    m = PathMatcher.for_taxonomy(load_watch_config().taxonomy_for())
    assert m.match("vllm/v1/core/sched/scheduler.py") == "scheduler"
    assert m.match("vllm/v1/attention/backends/flashinfer.py") == "nvidia"  # the later, specific rule
    assert m.match("vllm/entrypoints/openai/tool_parsers/hermes.py") == "tool-calling"
    assert m.match("vllm/model_executor/models/llama_eagle.py") == "speculative-decoding"
    assert m.match("some/unknown/file.txt") is None


CODEOWNERS = """\
# comment
/vllm/compilation @zou @you   # trailing comment
/vllm/v1/spec_decode @ben @org/spec-team
/vllm/entrypoints/*.py @nick
/docs/ @doc-owner
/docs/unowned.md
path\\ with\\ space.md @spacey
"""


def test_parse_codeowners() -> None:
    rules = parse_codeowners(CODEOWNERS)
    assert [(r.pattern, r.owners) for r in rules] == [
        ("/vllm/compilation", ("zou", "you")), ("/vllm/v1/spec_decode", ("ben", "org/spec-team")),
        ("/vllm/entrypoints/*.py", ("nick",)), ("/docs/", ("doc-owner",)), ("/docs/unowned.md", ()),
        ("path with space.md", ("spacey",))]


def test_declared_owners_by_subsystem() -> None:
    tax = load_watch_config().taxonomy_for()
    declared = declared_by_subsystem(parse_codeowners(CODEOWNERS), PathMatcher.for_taxonomy(tax))
    assert declared["compilation"] == ["zou", "you"]
    assert declared["speculative-decoding"] == ["ben", "org/spec-team"]
    assert declared["frontend"] == ["nick"]
    assert declared["documentation"] == ["doc-owner", "spacey"]  # a root *.md file is documentation


@pytest.mark.parametrize(("pattern", "path"), [
    ("/vllm/compilation", "vllm/compilation/__init__.py"), ("/vllm/entrypoints/*.py", "vllm/entrypoints/x.py"),
    ("/docs/", "docs/__init__.py"), ("**/*rocm*", "xrocmx"), ("setup.py", "setup.py")])
def test_representative_path(pattern: str, path: str) -> None:
    assert representative_path(pattern) == path
