"""`scout prior build --repos` against the loopback GitHub sandbox: it reads each project's issues,
takes positives as they were when the good-first-issue label was put on (their `labeled` event),
closed unlabelled issues as negatives, skips a project it cannot read, and writes a prior that loads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from classifiers.prior import IssueThread, load_prior, thread_features
from classifiers.prior.github_source import fetch_repo_examples, labelled_at
from collectors.github import ClientOptions, GitHubClient
from sandbox.github import GitHubSandbox
from tests.helpers.github_data import API, iso, label, repo_object, user
from tests.helpers.github_fixtures import github_sandbox  # noqa: F401 - fixture

REPOS = ("alpha/widgets", "beta/parser", "gamma/server")
T0 = datetime(2025, 3, 1, tzinfo=UTC)
EASY = ["Typo in README install section", "Add --version flag to the CLI", "Document the timeout option",
        "Rename misleading variable in utils", "Add a unit test for the date parser"]
HARD = ["Segfault under concurrent load with CUDA graphs", "Deadlock in scheduler when workers restart",
        "Memory leak after 10k requests", "Wrong results with tensor parallel 8", "Crash on startup with driver 550",
        "Throughput regression since 2.1", "Race in the async engine shutdown"]


def _issue(repo: str, number: int, title: str, body: str, labels: list[dict[str, Any]], state: str,
           created: datetime, author: dict[str, Any], association: str) -> dict[str, Any]:
    base = f"{API}/repos/{repo}/issues/{number}"
    return {
        "id": 90_000 + number,
        "node_id": f"I_{repo}_{number}",
        "url": base,
        "repository_url": f"{API}/repos/{repo}",
        "labels_url": f"{base}/labels{{/name}}",
        "comments_url": f"{base}/comments",
        "events_url": f"{base}/events",
        "html_url": f"https://github.com/{repo}/issues/{number}",
        "number": number,
        "state": state,
        "title": title,
        "body": body,
        "user": author,
        "labels": labels,
        "assignee": None,
        "assignees": [],
        "milestone": None,
        "locked": False,
        "active_lock_reason": None,
        "comments": 0,
        "created_at": iso(created),
        "updated_at": iso(created + timedelta(days=3)),
        "closed_at": iso(created + timedelta(days=3)) if state == "closed" else None,
        "author_association": association,
        "state_reason": "completed" if state == "closed" else None,
    }


def build_dataset(root: Path) -> dict[str, dict[int, datetime]]:
    """Three projects: 5 labelled good first issues (labelled a day after opening), 7 closed bugs and
    2 open unlabelled issues each, plus one pull request. Returns each project's labelling times."""
    maint, newbie = user("maint", 101), user("newbie", 102)
    labelled: dict[str, dict[int, datetime]] = {}
    for k, repo in enumerate(REPOS):
        gfi_name = ["good first issue", "E-easy", "help wanted"][k]
        labels = [label(n, 200 + i, repo) for i, n in enumerate(["bug", "documentation", gfi_name])]
        issues, events = [], []
        labelled[repo] = {}
        number = 0
        for i, title in enumerate(EASY):
            number += 1
            created = T0 + timedelta(days=10 * k + i)
            issues.append(_issue(repo, number, title, "A small, scoped change: the relevant code is in `src/`.",
                                 [labels[1], labels[2]], "closed", created, maint, "MEMBER"))
            at = created + timedelta(days=1, hours=i)
            labelled[repo][number] = at
            for name, when in (("documentation", created), (gfi_name, at)):
                events.append({"id": 70_000 + 100 * k + len(events), "node_id": f"IE_{k}_{len(events)}",
                               "url": f"{API}/repos/{repo}/issues/events/{len(events)}", "actor": maint,
                               "event": "labeled", "commit_id": None, "commit_url": None, "created_at": iso(when),
                               "label": {"name": name, "color": "ededed"}, "issue": {"number": number}})
        for i, title in enumerate(HARD):
            number += 1
            body = (
                "### Your current environment\n```text\nPyTorch version: 2.5.1\nCUDA used to build PyTorch: 12.4\n```\n"
                '```\nTraceback (most recent call last):\n  File "x.py", line 3, in f\nRuntimeError: boom\n```'
            )
            issues.append(_issue(repo, number, title, body, [labels[0]], "closed", T0 + timedelta(days=10 * k + i),
                                 newbie, "NONE"))
        for i in range(2):
            number += 1
            issues.append(_issue(repo, number, f"Open question {i}", "Still open.", [], "open",
                                 T0 + timedelta(days=30 + i), newbie, "NONE"))
        number += 1
        pr = _issue(repo, number, "Fix typo", "Fixes #1", [labels[2]], "closed", T0, newbie, "CONTRIBUTOR")
        pr["pull_request"] = {"url": f"{API}/repos/{repo}/pulls/{number}", "html_url": "", "diff_url": "",
                              "patch_url": "", "merged_at": None}
        issues.append(pr)
        gh = root / "github" / repo.replace("/", "__")
        gh.mkdir(parents=True)
        files = {"repo.json": repo_object(repo, 300 + k, user(repo.split("/")[0], 1, "Organization")),
                 "issues.json": issues, "issue_events.json": events, "labels.json": labels}
        for name, data in files.items():
            (gh / name).write_text(json.dumps(data))
        for name in ("pulls.json", "issue_comments.json", "reviews.json", "review_comments.json"):
            (gh / name).write_text("[]")
        (gh / "pull_files.json").write_text("{}")
    (root / "meta.json").write_text(json.dumps({"format": 1, "generated_by": "test_prior_build", "now": iso(T0)}))
    return labelled


@pytest.fixture
def dataset(tmp_path: Path) -> tuple[Path, dict[str, dict[int, datetime]]]:
    root = tmp_path / "ds"
    return root, build_dataset(root)


def _env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCOUT_")}
    env.update(SCOUT_GITHUB_API_URL=url, SCOUT_GITHUB_TOKEN="t0ken")
    return env


def test_scout_prior_build_from_the_sandbox(dataset: tuple[Path, dict[str, dict[int, datetime]]], tmp_path: Path,
                                            github_sandbox: Callable[..., GitHubSandbox]) -> None:  # noqa: F811
    root, labelled = dataset
    sb = github_sandbox(root, latency_ms=0)
    out = tmp_path / "prior"
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "prior", "build", "--repos", ",".join([*REPOS, "nobody/missing"]),
         "--out", str(out), "--folds", "3", "--json"],
        env=_env(sb.url), capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "skipped nobody/missing:" in proc.stderr and "not found (404)" in proc.stderr
    card = json.loads(proc.stdout)
    assert (card["examples"], card["positives"], card["negatives"], card["projects"]) == (36, 15, 21, 3)
    assert card["per_project_counts"] == {r: {"positives": 5, "negatives": 7} for r in REPOS}
    assert card["target_labels"] == {"good first issue": 5, "E-easy": 5, "help wanted": 5}
    assert card["source"] == "GitHub API, 3 of 4 projects" and card["text_sources"] == {"api": 36}
    assert card["by_project"]["folds"] == "project" and card["by_project"]["k"] == 3
    assert card["by_project"]["pooled"]["roc_auc"] == 1.0  # the planted difference is plain
    rows = [json.loads(x) for x in (out / "manifest.jsonl").read_text().splitlines()]
    assert len(rows) == 36 and not any("title" in r or "body" in r for r in rows)
    assert {r["text"] for r in rows} == {"api"}
    for r in rows:
        if r["positive"]:
            assert r["labelled"] == labelled[r["repo"]][r["number"]].date().isoformat()
        else:
            assert r["labelled"] is None and r["state"] == "closed"
    # One issue listing per project (a page each), one events request per positive, nothing else.
    paths = [q["path"].removeprefix("/api/v3") for q in sb.requests]
    for repo in REPOS:
        assert sum(p == f"/repos/{repo}/issues" for p in paths) == 1
        assert sorted(int(p.split("/")[-2]) for p in paths if p.startswith(f"/repos/{repo}/issues/")) == [1, 2, 3, 4, 5]
    assert all(q["status"] == 200 for q in sb.requests if "missing" not in q["path"])
    model = load_prior(out / "prior.skops")
    assert model is not None
    easy = IssueThread(title="Document the retry option", body="A small, scoped change.", labels=("documentation",))
    hard = IssueThread(title="Deadlock when workers restart", body="```\nTraceback (most recent call last):\n```",
                       labels=("bug",))
    p = model.predict_proba(thread_features([easy, hard]))[:, 1]
    assert p[0] > 0.5 > p[1]


def test_fetch_skips_the_judged_projects_and_reads_label_times(
        dataset: tuple[Path, dict[str, dict[int, datetime]]],
        github_sandbox: Callable[..., GitHubSandbox]) -> None:  # noqa: F811
    root, labelled = dataset
    sb = github_sandbox(root, latency_ms=0)
    client = GitHubClient(sb.url, "t", ClientOptions(backoff=0.0, seconds_between_requests=0.0))
    assert fetch_repo_examples(client, "vllm-project/vllm") == []
    assert sb.requests == []
    examples = fetch_repo_examples(client, REPOS[1])
    pos = {ex.thread.number: ex for ex in examples if ex.positive}
    assert sorted(pos) == [1, 2, 3, 4, 5] and {ex.target_label for ex in pos.values()} == {"E-easy"}
    assert all(ex.thread.observed_at == labelled[REPOS[1]][n] for n, ex in pos.items())
    assert all(ex.thread.labels == ("documentation",) for ex in pos.values())
    negs = [ex for ex in examples if not ex.positive]
    assert len(negs) == 7 and all(ex.thread.author_association == "NONE" for ex in negs)
    # The reporter's standing: how many issues they had filed in the project before this one.
    assert sorted(ex.thread.author_prior_issues for ex in negs) == list(range(7))
    assert labelled_at(
        [
            {"event": "labeled", "label": {"name": "bug"}, "created_at": "2025-01-01T00:00:00Z"},
            {"event": "labeled", "label": {"name": "good first issue"}, "created_at": "2025-01-03T00:00:00Z"},
            {"event": "labeled", "label": {"name": "help wanted"}, "created_at": "2025-01-02T00:00:00Z"},
            "garbage",
        ]
    ) == datetime(2025, 1, 2, tzinfo=UTC)


def test_scout_prior_score_ranks_a_labelled_export(dataset: tuple[Path, dict[str, datetime]], tmp_path: Path) -> None:
    from tests.helpers import run_scout

    root, _ = dataset
    repo = REPOS[0]
    (root / "truth.json").write_text(json.dumps({"repo": repo, "good_first_issue": [1, 2, 3, 4, 5],
                                                 "not_good_first_issue": list(range(6, 13))}))
    result = json.loads(run_scout("prior", "score", str(root)).stdout)
    assert (result["repo"], result["n"], result["positives"]) == (repo, 12, 5)
    assert result["roc_auc"] is not None and 0.0 <= result["roc_auc"] <= 1.0 and "p_at_5" in result
    missing = run_scout("prior", "score", str(tmp_path), check=False)
    assert missing.returncode != 0 and f"no truth.json in {tmp_path}" in " ".join(missing.stderr.split())
