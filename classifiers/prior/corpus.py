"""Training examples for the prior: issue snapshots from many projects, each with its label.

Two sources speak the same language here: GitHub's REST issue objects (what `scout prior build`
fetches, and the format of exported corpora) and compact records gathered by hand (one JSON
object per line: url, repo, number, state, labels, created, comments, title, desc, and `source`:
"search-excerpt" when desc is the opening post as a search tool showed it, else desc is a short
paraphrase). Either
becomes an `Example`: the `IssueThread` as it looked when opened or labelled, whether a target
label was on it, and which one. Pure code: callers read the files and talk to the network.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from classifiers.prior.features import IssueThread, is_target_label

_ISSUE_URL = re.compile(r"https://github\.com/([\w.-]+/[\w.-]+)/issues/(\d+)")
# Judged elsewhere: the watched project and its sibling never teach the prior.
EXCLUDED_OWNERS = frozenset({"vllm-project", "sgl-project"})


@dataclass(frozen=True)
class Example:
    thread: IssueThread
    positive: bool
    target_label: str  # the label that made it positive ("" for negatives)
    state: str = ""
    labels: tuple[str, ...] = ()  # every label, target ones included (for the manifest)
    text: str = "api"  # what the thread's text is: "api" (the issue as fetched), "excerpt" (the opening
    # post as a search tool showed it) or "summary" (a short paraphrase written when it was gathered)


def parse_time(value: Any) -> datetime | None:
    if value is None or value == "" or value == "None":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value).strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def excluded(repo: str) -> bool:
    return repo.split("/", 1)[0].lower() in EXCLUDED_OWNERS


def answer_known(state: str, positive: bool) -> bool:
    """Whether an issue's answer is known: a target label says yes at any time; "no" needs the issue
    closed without one (an open unlabelled issue may still be labelled). Both sources keep to this."""
    return positive or state.strip().lower() == "closed"


def split_labels(labels: Iterable[str]) -> tuple[tuple[str, ...], str]:
    """(labels other than the target ones, the first target label or "")."""
    others: list[str] = []
    target = ""
    for label in labels:
        if is_target_label(label):
            target = target or label
        else:
            others.append(label)
    return tuple(others), target


def from_record(rec: Mapping[str, Any]) -> Example | None:
    """A gathered record as an example, or None when it is not a usable issue or its answer is not
    known yet (`answer_known`)."""
    url = str(rec.get("url") or "")
    m = _ISSUE_URL.match(url)
    if not m or excluded(m.group(1)):
        return None
    labels = tuple(str(x) for x in rec.get("labels") or ())
    others, target = split_labels(labels)
    state = str(rec.get("state") or "")
    if not answer_known(state, bool(target)):
        return None
    thread = IssueThread(
        title=str(rec.get("title") or ""), body=str(rec.get("desc") or ""), labels=others,
        # A search snapshot shows the thread as it is now, not when it was labelled: its engagement
        # would leak the outcome (good first issues attract "can I take this?"), so it stays unknown.
        created_at=parse_time(rec.get("created")), repo=m.group(1), number=int(m.group(2)), url=url,
    )
    text = "excerpt" if rec.get("source") == "search-excerpt" else "summary"
    return Example(thread, bool(target), target, state, labels, text)


def _label_names(raw: Any) -> list[str]:
    out = []
    for label in raw or ():
        name = label.get("name") if isinstance(label, Mapping) else label
        if name:
            out.append(str(name))
    return out


def from_github_issue(issue: Mapping[str, Any], repo: str, labelled_at: datetime | None = None,
                      prior_issues: int | None = None) -> Example | None:
    """A REST issue object (not a pull request) as an example, as it looked when opened or, for
    positives, when the target label was put on it (`labelled_at`)."""
    if issue.get("pull_request"):
        return None
    labels = tuple(_label_names(issue.get("labels")))
    others, target = split_labels(labels)
    number = int(issue.get("number") or 0)
    url = str(issue.get("html_url") or f"https://github.com/{repo}/issues/{number}")
    thread = IssueThread(
        title=str(issue.get("title") or ""), body=str(issue.get("body") or ""), labels=others,
        created_at=parse_time(issue.get("created_at")), observed_at=labelled_at if target else None,
        author_association=str(issue.get("author_association") or "") or None, author_prior_issues=prior_issues,
        repo=repo, number=number, url=url,
    )
    return Example(thread, bool(target), target, str(issue.get("state") or ""), labels)


def prior_issue_counts(issues: Sequence[Mapping[str, Any]]) -> dict[int, int]:
    """How many issues each issue's author had filed in the project before it (RecGFI's standing)."""
    seen: dict[str, int] = {}
    out: dict[int, int] = {}
    dated = sorted(issues, key=lambda i: (str(i.get("created_at") or ""), int(i.get("number") or 0)))
    for issue in dated:
        user = issue.get("user")
        login = str(user.get("login") or "") if isinstance(user, Mapping) else ""
        number = int(issue.get("number") or 0)
        out[number] = seen.get(login, 0) if login else 0
        if login:
            seen[login] = seen.get(login, 0) + 1
    return out


def manifest_row(ex: Example) -> dict[str, Any]:
    """What the manifest keeps of an example: where it is and how it was labelled, never its text."""
    t = ex.thread
    return {
        "url": t.url, "repo": t.repo, "number": t.number, "state": ex.state, "labels": list(ex.labels),
        "positive": ex.positive, "target_label": ex.target_label,
        "created": t.created_at.date().isoformat() if t.created_at else None,
        "labelled": t.observed_at.date().isoformat() if t.observed_at else None, "text": ex.text,
    }
