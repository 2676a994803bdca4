"""GitHub's rules, once: who has write access, who is a bot, which events are triage, which text
closes an issue, and how much each kind of maintainer work weighs.

Pure (no I/O, no imports of our own): collectors, storage, classifiers, reports and the sandbox
all ask here, so that the CLI, Discord and the models never disagree on one of these questions.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

# ----------------------------------------------------------------------------- people

# `author_association` values of accounts with write access: GitHub's branch protection counts
# only their approvals (others' reviews do not bind).
MAINTAINER_ASSOCIATIONS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
BOT_SUFFIX = "[bot]"  # a GitHub App's REST login ends with it (GraphQL drops it; collectors add it back)


def has_write_access(association: str | None) -> bool:
    """Whether an `author_association` says the author can push (OWNER, MEMBER, COLLABORATOR)."""
    return association in MAINTAINER_ASSOCIATIONS


def is_bot(login: str | None, user_type: str | None = None, known: Collection[str] = ()) -> bool:
    """A bot: an account of type "Bot", a login ending in `[bot]`, or one the watch config names
    (mergify, CI accounts that are plain users). No login (a deleted account) is not a bot."""
    if user_type == "Bot":
        return True
    if not login:
        return False
    return login.endswith(BOT_SUFFIX) or login in known


# ----------------------------------------------------------------------------- timeline events

# REST issue-event names and the GraphQL timeline types that carry the same event (same node id):
# what the GraphQL history path asks for (`timelineItems(itemTypes: ...)`) and how it names what it
# got. REST events outside this table (rare on vLLM: e.g. `deployed`, `added_to_project_v2`) come
# only from the REST events list, as before.
TIMELINE_EVENTS: Mapping[str, str] = {
    "labeled": "LabeledEvent", "unlabeled": "UnlabeledEvent", "assigned": "AssignedEvent",
    "unassigned": "UnassignedEvent", "closed": "ClosedEvent", "reopened": "ReopenedEvent",
    "renamed": "RenamedTitleEvent", "referenced": "ReferencedEvent", "milestoned": "MilestonedEvent",
    "demilestoned": "DemilestonedEvent", "locked": "LockedEvent", "unlocked": "UnlockedEvent",
    "pinned": "PinnedEvent", "unpinned": "UnpinnedEvent", "transferred": "TransferredEvent",
    "merged": "MergedEvent", "review_requested": "ReviewRequestedEvent",
    "review_request_removed": "ReviewRequestRemovedEvent", "review_dismissed": "ReviewDismissedEvent",
    "head_ref_deleted": "HeadRefDeletedEvent", "head_ref_restored": "HeadRefRestoredEvent",
    "head_ref_force_pushed": "HeadRefForcePushedEvent", "base_ref_changed": "BaseRefChangedEvent",
    "ready_for_review": "ReadyForReviewEvent", "convert_to_draft": "ConvertToDraftEvent",
}
# Only pull requests have these (an issue's timeline has no such item type).
PULL_ONLY_EVENTS = frozenset({"merged", "review_requested", "review_request_removed", "review_dismissed",
                              "head_ref_deleted", "head_ref_restored", "head_ref_force_pushed", "base_ref_changed",
                              "ready_for_review", "convert_to_draft"})


def timeline_item_type(typename: str) -> str:
    """`LabeledEvent` -> `LABELED_EVENT`, the `itemTypes` enum value of a timeline type."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", typename).upper()


# ----------------------------------------------------------------------------- activity

# Issue events that are triage work (label, assign, close, reopen, milestone), counted for the
# actor on other people's issues.
TRIAGE_EVENTS = frozenset({"labeled", "unlabeled", "assigned", "unassigned", "closed", "milestoned", "reopened"})

# How much one unit of each kind of maintainer work weighs, for ownership scores and for the
# digest's "who is active where": reviewing decisions most, then review discussion, merges, triage.
ACTIVITY_WEIGHTS: Mapping[str, float] = {
    "approvals": 4.0,
    "changes_requested": 4.0,
    "review_comments": 2.0,  # inline review comments and review bodies
    "merges": 1.5,
    "review_requests": 1.0,  # asked to review (review_requested events, pending requested reviewers)
    "triage": 1.0,
    "thread_answers": 0.5,  # comments in someone else's issue or PR thread
    "chat_answers": 0.3,
    "authored": 1.0,
    # Slack thread replies and Discourse posts in a subsystem's channels and categories (linked
    # identities only; see classifiers.chat_evidence)
    "slack_answers": 0.3,
    "forum_answers": 0.4,
}

# ----------------------------------------------------------------------------- repository files

# Where a repository keeps the rules that label its pull requests: Mergify's configuration
# (`pull_request_rules` with a `label` action) and actions/labeler's. Collected with CODEOWNERS
# and read by classifiers.repo_rules.
MERGIFY_PATHS = (".github/mergify.yml", ".mergify.yml", ".github/mergify.yaml")
LABELER_PATHS = (".github/labeler.yml", ".github/labeler.yaml")
LABEL_RULE_FILES = (*MERGIFY_PATHS, *LABELER_PATHS)

# ----------------------------------------------------------------------------- references

_URL = re.compile(r"https?://github\.com/([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)/(?:issues|pull)/(\d+)", re.IGNORECASE)
_QUALIFIED = re.compile(r"(?<![\w/])([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)#(\d+)\b")
_BARE = re.compile(r"(?<![\w/&#])#(\d{1,7})\b")
# Every reference has a `#` and a digit, or a github.com URL: text without either (most PR bodies
# of a year of vLLM) is skipped with one scan instead of three patterns and two substitutions.
_MAYBE = re.compile(r"#\d|github\.com/", re.IGNORECASE)


def issue_refs(text: str, default_repo: str | None) -> list[tuple[str, int, str]]:
    """(repo full name, number, kind) for each distinct reference; bare `#N` needs a default repo."""
    if not text or not _MAYBE.search(text):
        return []
    found: dict[tuple[str, int], str] = {}
    for m in _URL.finditer(text):
        found.setdefault((m.group(1).lower(), int(m.group(2))), "url")
    stripped = _URL.sub(" ", text)
    for m in _QUALIFIED.finditer(stripped):
        found.setdefault((m.group(1).lower(), int(m.group(2))), "qualified")
    stripped = _QUALIFIED.sub(" ", stripped)
    if default_repo:
        for m in _BARE.finditer(stripped):
            found.setdefault((default_repo.lower(), int(m.group(1))), "number")
    return [(repo, num, kind) for (repo, num), kind in found.items()]


# GitHub links a PR to the issues it closes only through these keywords ("Fixes #12",
# "closes owner/repo#3", "resolves https://github.com/o/r/issues/4"); "Related: #12" is no claim.
# The keyword is followed by a colon, whitespace, or both: "Fixes: #12" and "Fixes:#12" close #12.
_CLOSING = re.compile(
    r"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)(?:\s*:\s*|\s+)"
    r"((?:https?://github\.com/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/issues/\d+)|(?:[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)?#\d+)",
    re.IGNORECASE,
)


def closing_refs(text: str, default_repo: str | None) -> list[tuple[str, int, str]]:
    """The issues a PR's text closes, by GitHub's closing keywords (same shape as `issue_refs`)."""
    if not text or not _MAYBE.search(text):
        return []
    found: dict[tuple[str, int], str] = {}
    for m in _CLOSING.finditer(text):
        for repo, number, kind in issue_refs(m.group(1), default_repo):
            found.setdefault((repo, number), kind)
    return [(repo, num, kind) for (repo, num), kind in found.items()]


def closed_numbers(text: str, repo: str) -> set[int]:
    """Numbers of `repo`'s issues that a PR's text closes (references to other repos left out)."""
    return {n for r, n, _ in closing_refs(text, repo) if r == repo.lower()}


def as_thread_speech(text: str, number: int, repo: str) -> str:
    """Chat names an issue where its own thread says "this": `I'll take #12` reads `I'll take this`."""
    owner_repo = re.escape(repo)
    pattern = (rf"https?://github\.com/{owner_repo}/(?:issues|pull)/{number}\b|(?<![\w/]){owner_repo}#{number}\b"
               rf"|(?<![\w/&#])#{number}\b")
    return re.sub(pattern, "this", text, flags=re.IGNORECASE)
