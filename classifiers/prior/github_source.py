"""Fetch the prior's examples from a GitHub API (real, or the loopback sandbox) with the shared client.

Per project: its issues (pull requests skipped), newest first up to a cap; an issue that carries a
good-first-issue-family label is a positive, snapshotted when that label was put on it (its
`labeled` event; one request per positive, up to a cap); a closed issue without one is a negative;
an open one without one is left out (its answer is not known yet). The I/O lives here; turning
payloads into examples is `corpus`'s pure code.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from classifiers.prior.corpus import (
    Example,
    answer_known,
    excluded,
    from_github_issue,
    parse_time,
    prior_issue_counts,
    split_labels,
)
from classifiers.prior.features import is_target_label
from collectors.github.client import GitHubClient, NotFoundError
from config.errors import CollectorError

log = logging.getLogger(__name__)


def _issues(client: GitHubClient, repo: str, max_issues: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    resp = client.get(f"/repos/{repo}/issues", {"state": "all", "per_page": client.options.per_page,
                                                 "sort": "created", "direction": "desc"}, what=f"{repo} issues")
    while True:
        items = resp.data if isinstance(resp.data, list) else []
        if not isinstance(resp.data, list):
            log.warning("%s issues: expected a list, got %s; page skipped", repo, type(resp.data).__name__)
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("number"), int):
                log.warning("%s issues: skipped an item that is not an issue object", repo)
                continue
            if not item.get("pull_request"):
                out.append(item)
        nxt = resp.link("next")
        if not nxt or len(out) >= max_issues:
            return out[:max_issues]
        resp = client.get(nxt, what=f"{repo} issues")


def labelled_at(events: Sequence[Any]) -> datetime | None:
    """When a good-first-issue-family label was first put on the issue, from its events."""
    times = []
    for ev in events:
        if not isinstance(ev, Mapping) or ev.get("event") != "labeled":
            continue
        label = ev.get("label")
        name = label.get("name") if isinstance(label, Mapping) else None
        if name and is_target_label(str(name)):
            at = parse_time(ev.get("created_at"))
            if at:
                times.append(at)
    return min(times) if times else None


def _label_time(client: GitHubClient, repo: str, number: int) -> datetime | None:
    events: list[Any] = []
    try:
        resp = client.get(f"/repos/{repo}/issues/{number}/events", {"per_page": client.options.per_page},
                          what=f"{repo}#{number} events")
        while True:
            events.extend(resp.data if isinstance(resp.data, list) else [])
            nxt = resp.link("next")
            if not nxt:
                break
            resp = client.get(nxt, what=f"{repo}#{number} events")
    except NotFoundError:
        return None
    return labelled_at(events)


def fetch_repo_examples(client: GitHubClient, repo: str, max_issues: int = 1000,
                        max_label_lookups: int = 300) -> list[Example]:
    """One project's examples (see module docstring)."""
    if excluded(repo):
        log.warning("%s: never used for the prior (it is kept to judge it); skipped", repo)
        return []
    issues = _issues(client, repo, max_issues)
    counts = prior_issue_counts(issues)
    out: list[Example] = []
    lookups = 0
    for issue in issues:
        labels = [str(x.get("name")) for x in issue.get("labels") or () if isinstance(x, Mapping) and x.get("name")]
        _, target = split_labels(labels)
        if not answer_known(str(issue.get("state") or ""), bool(target)):
            continue
        when = None
        if target and lookups < max_label_lookups:
            lookups += 1
            when = _label_time(client, repo, int(issue["number"]))
        ex = from_github_issue(issue, repo, labelled_at=when, prior_issues=counts.get(int(issue["number"])))
        if ex is not None:
            out.append(ex)
    return out


def fetch_examples(client: GitHubClient, repos: Sequence[str], max_issues: int = 1000,
                   progress: Callable[[str], None] | None = None) -> tuple[list[Example], dict[str, str]]:
    """Examples from every project; a project that fails is reported in the second value (repo ->
    one line) and the others still run."""
    examples: list[Example] = []
    failed: dict[str, str] = {}
    for repo in repos:
        if progress:
            progress(repo)
        try:
            examples.extend(fetch_repo_examples(client, repo, max_issues=max_issues))
        except CollectorError as exc:
            failed[repo] = str(exc)
            log.warning("%s: skipped for the prior: %s", repo, exc)
    return examples, failed
