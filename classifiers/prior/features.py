"""Features that carry across projects (RecGFI's findings), computed from an `IssueThread` alone.

Nothing here depends on one project's taxonomy: the text is the reporter's words with issue-form
boilerplate, environment dumps, logs, stack traces and code removed (identifiers from code are
kept as words); the numbers are the report's shape, the reporter's standing, scope and
difficulty words, the other labels and the engagement the thread had when it was observed.
Pure functions: no I/O, no fitted state.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from classifiers import features as fx

# Labels that mean "a good first issue" in one project or another: they are the target, never a feature.
_TARGET = re.compile(
    r"good[\s_-]*first|first[\s_-]*timers?|first[\s_-]*contrib|beginner|newcomer|newbie|starter"
    r"|\beasy\b|e-easy|difficulty[\s:/-]*(?:easy|low|beginner)|\blow[\s_-]*hanging|help[\s_-]*wanted"
    r"|up[\s_-]*for[\s_-]*grabs|hacktoberfest|exp[\s:/-]*beginner|d-?easy|level[\s:/-]*(?:easy|starter)"
    r"|mentor(?:ed|ing)?\b|contributions?[\s_-]*welcome|pr[\s_-]*welcome|good[\s_-]*(?:intro|starter)",
    re.I)
MAINTAINER_ASSOCIATIONS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
NEWCOMER_ASSOCIATIONS = frozenset({"FIRST_TIME_CONTRIBUTOR", "FIRST_TIMER", "NONE"})

# Section headings of issue forms whose content is machinery, not the reporter's words.
_FORM_HEADINGS = (
    "environment", "your current environment", "system info", "system information", "versions", "version",
    "operating system", "os", "platform", "python version", "package version", "browser", "checklist",
    "before submitting", "prerequisites", "code of conduct", "logs", "log output", "relevant log output",
    "stack trace", "traceback", "error message", "output", "screenshots", "dependencies", "installed versions",
    "output of `pip list`", "additional context", "are you willing to submit a pr?",
)
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*(.*?)\s*#*\s*$", re.M)
_BOLD_HEADING = re.compile(r"^\s*\*\*([^*\n]{2,60})\*\*\s*:?\s*$", re.M)
_FORM_LINE = re.compile(
    r"^\s*[-*]\s*\[[ xX]\]\s*(?:i\b|i've|i have|yes|this|my|the)|^\s*_?no response_?\s*$"
    r"|^\s*(?:os|python|version|platform|browser|node|npm)\s*(?:version)?\s*:", re.I | re.M)
_WORDS = re.compile(r"[^\W\d_]{2,}", re.U)


def is_target_label(label: str) -> bool:
    """Whether a label is one of the good-first-issue family (good first issue, help wanted, E-easy, ...)."""
    return bool(_TARGET.search(label or ""))


@dataclass(frozen=True)
class IssueThread:
    """One issue as it looked when opened or labelled, with what every forge can tell.

    `labels` are the labels other than the target ones (the caller drops those; `thread_features`
    drops any left). Unknown counts are None, not zero: a thread seen through a search snapshot
    and one seen through the API carry different amounts of history.
    """

    title: str
    body: str = ""
    labels: tuple[str, ...] = ()
    created_at: datetime | None = None
    observed_at: datetime | None = None  # when the snapshot was taken (labelling time for positives)
    author_association: str | None = None  # GitHub's OWNER / MEMBER / COLLABORATOR / CONTRIBUTOR / NONE ...
    author_prior_issues: int | None = None  # issues the reporter filed in the project before this one
    n_comments: int | None = None
    n_participants: int | None = None
    repo: str = ""
    number: int = 0
    url: str = ""
    extra: tuple[tuple[str, str], ...] = field(default=(), compare=False)


NUMERIC = (
    "title_words", "body_words", "n_code_blocks", "code_chars", "has_traceback", "has_log", "has_env", "n_urls",
    "n_images", "n_checkboxes", "n_open_checkboxes", "n_headings", "n_paths", "non_latin_ratio",
    "reporter_maintainer", "reporter_newcomer", "reporter_known", "reporter_prior_issues", "reporter_prior_known",
    "scoped", "hard", "newcomer_words", "question", "n_other_labels", "label_bug", "label_docs", "label_feature",
    "n_comments", "n_participants", "engagement_known", "age_days",
)
COLUMNS = ("document", *NUMERIC)


def strip_forms(body: str) -> str:
    """Drop issue-form sections that hold machinery (environment, versions, logs, checklists) and
    form lines ("- [x] I have searched...", "_No response_"), keeping the reporter's own sections."""
    if not body:
        return ""
    kept: list[str] = []
    skip = False
    for line in body.replace("\r\n", "\n").split("\n"):
        h = _HEADING.match(line) or _BOLD_HEADING.match(line)
        if h:
            title = h.group(1).strip().strip(":").lower()
            skip = title in _FORM_HEADINGS or any(title.startswith(f) for f in _FORM_HEADINGS if len(f) > 6)
            if not skip:
                kept.append(line)
            continue
        if skip or _FORM_LINE.search(line):
            continue
        kept.append(line)
    return "\n".join(kept)


def _label_tokens(labels: Iterable[str]) -> list[str]:
    out = []
    for label in labels:
        for w in _WORDS.findall(label.lower()):
            out.append(f"lbl_{w}")
    return out


def _label_flags(labels: Sequence[str]) -> tuple[float, float, float]:
    low = " ".join(labels).lower()
    bug = float(bool(re.search(r"bug|defect|crash|regression|error", low)))
    docs = float(bool(re.search(r"doc|typo|readme|website", low)))
    feature = float(bool(re.search(r"feature|enhancement|improvement|request|proposal", low)))
    return bug, docs, feature


def thread_row(t: IssueThread) -> list[object]:
    """One row: [document, *NUMERIC] (see `NUMERIC` for the order)."""
    labels = [label for label in t.labels if not is_target_label(label)]
    # Counts (code, traces, logs, environment dumps) from the whole body; words only from the
    # reporter's own sections, so a form's environment section still counts as a dump.
    clean = fx.clean_body(t.body or "")
    words = fx.clean_body(strip_forms(t.body or ""))
    title = fx.strip_title_tags(t.title or "")
    kind = fx.template_kind(t.title or "", t.body or "")
    tokens = _label_tokens(labels) + ([f"form_{kind}"] if kind != "none" else [])
    doc = fx.document(title, words, tokens).lower()
    text = f"{title}\n{words.prose}"
    assoc = (t.author_association or "").upper()
    bug, docs, feature = _label_flags(labels)
    engagement_known = t.n_comments is not None
    age = 0.0
    if t.created_at is not None and t.observed_at is not None:
        age = max(0.0, (t.observed_at - t.created_at).total_seconds() / 86400.0)
    numbers = [
        fx.log1p(fx.word_count(title)), fx.log1p(fx.word_count(words.prose)), min(clean.n_code_blocks, 10),
        fx.log1p(clean.code_chars), float(clean.has_traceback), float(clean.has_log), float(clean.has_env),
        min(clean.n_urls, 20), min(clean.n_images, 10), min(clean.n_checkboxes, 30), min(clean.n_open_checkboxes, 30),
        min(clean.n_headings, 20), min(len(clean.paths), 20), clean.non_latin_ratio,
        float(assoc in MAINTAINER_ASSOCIATIONS), float(assoc in NEWCOMER_ASSOCIATIONS), float(bool(assoc)),
        fx.log1p(t.author_prior_issues or 0), float(t.author_prior_issues is not None),
        float(bool(fx.SCOPED.search(text))), float(bool(fx.HARD.search(text))), float(bool(fx.NEWCOMER.search(text))),
        float("?" in title), min(len(labels), 10), bug, docs, feature,
        fx.log1p(t.n_comments or 0), fx.log1p(t.n_participants or 0), float(engagement_known), fx.log1p(age),
    ]
    return [doc, *numbers]


def thread_features(threads: Sequence[IssueThread]) -> np.ndarray:
    """The rows the prior reads: an object array of shape (len(threads), 1 + len(NUMERIC))."""
    rows = np.empty((len(threads), len(COLUMNS)), dtype=object)
    for i, t in enumerate(threads):
        rows[i, :] = thread_row(t)
    return rows
