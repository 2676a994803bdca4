"""GitHub's rules: issue references, the narrower closing references that link a PR to an issue,
write access, bots, and the one weight table."""

from __future__ import annotations

import pytest

from rules.github import (
    ACTIVITY_WEIGHTS,
    TRIAGE_EVENTS,
    closed_numbers,
    closing_refs,
    has_write_access,
    is_bot,
    issue_refs,
)

REPO = "vllm-project/vllm"


@pytest.mark.parametrize(("text", "expected"), [
    ("Fixes #12", [(REPO, 12)]),
    ("Fixes:#12", [(REPO, 12)]),
    ("Fixes: #12", [(REPO, 12)]),
    ("fixes : #12", [(REPO, 12)]),
    ("Fixes#12", []),
    ("prefixes #12", []),
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


def test_closed_numbers_are_this_repos_issues_only() -> None:
    text = "Fixes #3, closes other/repo#4, resolves https://github.com/vllm-project/vllm/issues/5"
    assert closed_numbers(text, "VLLM-project/vllm") == {3, 5}
    assert closed_numbers("", REPO) == set()


@pytest.mark.parametrize(("association", "write"), [
    ("OWNER", True), ("MEMBER", True), ("COLLABORATOR", True), ("CONTRIBUTOR", False),
    ("FIRST_TIME_CONTRIBUTOR", False), ("NONE", False), (None, False), ("member", False),
])
def test_write_access_is_owner_member_or_collaborator(association: str | None, write: bool) -> None:
    assert has_write_access(association) is write


@pytest.mark.parametrize(("login", "user_type", "known", "bot"), [
    ("dependabot[bot]", "Bot", (), True),
    ("dependabot[bot]", None, (), True),  # the REST suffix alone
    ("copilot", "Bot", (), True),  # GraphQL's Bot login without the suffix
    ("mergify", "User", ("mergify",), True),  # a bot the watch config names
    ("alice", "User", ("mergify",), False),
    ("botanist", "User", (), False),
    (None, None, (), False),  # a deleted account is nobody, not a bot
    ("", "User", (), False),
])
def test_is_bot(login: str | None, user_type: str | None, known: tuple[str, ...], bot: bool) -> None:
    assert is_bot(login, user_type, known) is bot


def test_weights_rank_review_decisions_over_discussion_over_merges_and_triage() -> None:
    w = ACTIVITY_WEIGHTS
    assert w["approvals"] == w["changes_requested"] == 4.0
    assert w["approvals"] > w["review_comments"] > w["merges"] > w["triage"] > w["thread_answers"] > w["chat_answers"]
    assert {"labeled", "assigned", "closed", "reopened"} <= TRIAGE_EVENTS and "commented" not in TRIAGE_EVENTS


def test_the_digest_and_ownership_weigh_with_the_same_table() -> None:
    from classifiers.ownership import WEIGHTS
    from reports.digest import WEIGHTS as DIGEST_WEIGHTS

    assert WEIGHTS is ACTIVITY_WEIGHTS
    assert DIGEST_WEIGHTS["approvals"] == ACTIVITY_WEIGHTS["approvals"]
    assert DIGEST_WEIGHTS["reviews"] == DIGEST_WEIGHTS["review_comments"] == ACTIVITY_WEIGHTS["review_comments"]
    assert DIGEST_WEIGHTS["comments"] == ACTIVITY_WEIGHTS["thread_answers"]
