"""Issue references in free text, and the narrower closing references that link a PR to an issue."""

from __future__ import annotations

import pytest

from storage.refs import closing_refs, issue_refs

REPO = "vllm-project/vllm"


@pytest.mark.parametrize(("text", "expected"), [
    ("Fixes #12", [(REPO, 12)]),
    ("fix: #3 and related #4", [(REPO, 3)]),
    ("Closes vllm-project/vllm#9", [(REPO, 9)]),
    ("Resolves https://github.com/a/b/issues/5", [("a/b", 5)]),
    ("FIXED #8, resolved #10", [(REPO, 8), (REPO, 10)]),
    ("Related: #40562", []),
    ("This fixes the #7 crash", []),
    ("See #1; prefix #2 is not closed", []),
])
def test_closing_refs_follow_github_keywords(text: str, expected: list[tuple[str, int]]) -> None:
    assert [(r, n) for r, n, _ in closing_refs(text, REPO)] == expected


def test_issue_refs_find_numbers_qualified_refs_and_urls_once() -> None:
    text = "see #12, #12 again, other/repo#3 and https://github.com/vllm-project/vllm/pull/44 &#39; x#5"
    assert sorted((r, n, k) for r, n, k in issue_refs(text, REPO)) == [
        ("other/repo", 3, "qualified"), (REPO, 12, "number"), (REPO, 44, "url")]
    assert issue_refs("#12", None) == []
