"""The GitHub collector against the sandbox: stored rows equal the dataset's objects (checked
against `scout import` of the same dataset), under faults, across crashes, incrementally, and a
no-change re-run costs only 304s."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from collectors.github import ClientOptions, GitHubClient, GitHubCollector, RateLimitStop
from storage.db import make_engine, session_scope, upgrade
from storage.importer import import_dataset
from storage.models import (
    Issue,
    IssueComment,
    IssueEvent,
    Label,
    PullFile,
    PullRequest,
    Repo,
    RepoFile,
    Review,
    ReviewComment,
    SyncCheckpoint,
    SyncRun,
    User,
)
from storage.queries import stored_counts
from tests.helpers.github_data import NOW, build_github_dataset, iso

FAST = ClientOptions(backoff=0.01, max_backoff=0.05, secondary_wait=0.05, max_rate_wait=10)
SINCE = NOW - timedelta(days=7)
TABLES = (Repo, User, Issue, PullRequest, IssueComment, Review, ReviewComment, PullFile, IssueEvent, Label, RepoFile)


@pytest.fixture(autouse=True)
def _present(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCOUT_NOW", iso(NOW))


def dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored GitHub row, as comparable tuples (the file fetch time aside)."""
    out = {}
    with session_scope(engine) as s:
        for model in TABLES:
            cols = [c for c in model.__table__.columns if c.name != "fetched_at"]
            rows = s.execute(select(*cols)).all()
            out[model.__tablename__] = sorted((tuple(r) for r in rows), key=repr)
    return out


def expected(dataset: Path, tmp_path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The dataset as `scout import` stores it: the ground truth for a collection."""
    eng = make_engine(f"sqlite:///{tmp_path}/want-{time.monotonic_ns()}.db")
    upgrade(eng)
    import_dataset(eng, dataset)
    try:
        return dump(eng)
    finally:
        eng.dispose()


def collect(engine: Engine, sb, *, token: str = "test-token", options: ClientOptions = FAST, **kw: Any):
    client = GitHubClient(sb.url, token, options)
    try:
        return GitHubCollector(engine, client, "acme/engine", since=kw.pop("since", SINCE), **kw).run()
    finally:
        client.close()


def save_dataset(sb, root: Path) -> Path:
    """Write the sandbox's live (mutated) data as a dataset directory."""
    repo = sb.data.repo("acme", "engine")
    d = root / "github" / "acme__engine"
    d.mkdir(parents=True, exist_ok=True)
    (root / "meta.json").write_text(json.dumps({"format": 1, "now": iso(NOW)}))
    for name in ("issues", "pulls", "issue_comments", "reviews", "review_comments", "issue_events", "labels"):
        (d / f"{name}.json").write_text(json.dumps(getattr(repo, name)))
    (d / "repo.json").write_text(json.dumps(repo.repo))
    (d / "pull_files.json").write_text(json.dumps(repo.pull_files))
    if repo.contents is not None or repo.files:
        target = d / "contents" / ".github"
        target.mkdir(parents=True, exist_ok=True)
        (target / "CODEOWNERS").write_bytes(repo.file(".github/CODEOWNERS") or b"")
    return root


def test_collects_exactly_the_dataset(engine: Engine, github_dataset: Path, github_sandbox, tmp_path: Path) -> None:
    sb = github_sandbox(github_dataset)
    result = collect(engine, sb)
    assert result.ok and result.error is None
    assert dump(engine) == expected(github_dataset, tmp_path)
    graphql = [r for r in sb.requests if r["path"] == "/graphql"]
    assert len(graphql) == 1  # 25 pull requests in one query
    assert not any("/pulls/" in r["path"] and r["path"].endswith(("/reviews", "/files")) for r in sb.requests)
    assert result.requests == len(sb.requests) and result.retries == 0
    with session_scope(engine) as s:
        run = s.scalars(select(SyncRun)).one()
        assert run.ok and run.source == "github" and run.scope == "acme/engine" and run.requests == len(sb.requests)
        assert run.stored["pulls"] == 25 and run.stored["reviews"] == 50
        assert {c.endpoint for c in s.scalars(select(SyncCheckpoint))} >= {
            "repo", "labels", "codeowners", "issues", "pulls", "issue_comments", "review_comments", "issue_events"}


def test_no_change_rerun_makes_only_304s(engine: Engine, github_dataset: Path, github_sandbox) -> None:
    sb = github_sandbox(github_dataset)
    collect(engine, sb)
    before = len(sb.requests)
    again = collect(engine, sb)
    rerun = sb.requests[before:]
    assert 0 < len(rerun) <= 10
    assert {r["status"] for r in rerun} == {304} and all(r["conditional"] for r in rerun)
    assert again.requests == again.not_modified == len(rerun) and again.stored == {}


def test_rest_fallback_collects_exactly(engine: Engine, github_dataset: Path, github_sandbox, tmp_path: Path) -> None:
    sb = github_sandbox(github_dataset)
    assert collect(engine, sb, use_graphql=False, workers=3).ok
    assert dump(engine) == expected(github_dataset, tmp_path)
    assert not any(r["path"] == "/graphql" for r in sb.requests)
    reviews = [r for r in sb.requests if r["path"].endswith("/reviews")]
    files = [r for r in sb.requests if r["path"].endswith("/files")]
    assert len(reviews) == len(files) == 25


def test_user_ids_graphql_cannot_carry_are_resolved(engine: Engine, tmp_path: Path, github_sandbox) -> None:
    dataset = build_github_dataset(tmp_path / "d", issues=10, pulls=8, reviews=3, big_user_ids=True)
    sb = github_sandbox(dataset)
    assert collect(engine, sb).ok
    assert dump(engine) == expected(dataset, tmp_path)


def test_pages_and_keyset_on_a_larger_repo(engine: Engine, tmp_path: Path, github_sandbox) -> None:
    dataset = build_github_dataset(tmp_path / "d", issues=160, pulls=70, comments=2, events=1, reviews=1)
    sb = github_sandbox(dataset)
    assert collect(engine, sb).ok
    assert dump(engine) == expected(dataset, tmp_path)
    assert len([r for r in sb.requests if r["path"] == "/graphql"]) == 2  # 70 pulls: 50 + 20
    issue_pages = [r for r in sb.requests if r["path"].endswith("/issues")]
    assert len(issue_pages) == 4  # 230 issues: 3 pages (keyset) + the probe for the next run


def test_incremental_run_picks_up_changes(engine: Engine, github_dataset: Path, github_sandbox, tmp_path: Path) -> None:
    sb = github_sandbox(github_dataset)
    collect(engine, sb)
    repo = sb.data.repo("acme", "engine")
    later = iso(NOW - timedelta(minutes=1))
    issue = next(i for i in repo.issues if "pull_request" not in i)
    issue.update(updated_at=later, state="closed", closed_at=later)
    comment = {**repo.issue_comments[0], "id": 9_000_001, "issue_url": issue["url"], "created_at": later,
               "updated_at": later, "body": "new"}
    repo.issue_comments.append(comment)
    pull = repo.pulls[0]
    pull.update(updated_at=later, draft=not pull["draft"])
    repo.issue(pull["number"])["updated_at"] = later
    repo.reviews.append(
        {**repo.reviews_of(pull["number"])[0], "id": 9_000_002, "state": "APPROVED", "submitted_at": later}
    )
    repo.pull_files[str(pull["number"])] = repo.files_of(pull["number"])[:1]  # a file dropped from the PR
    repo.issue_events.append({**repo.issue_events[0], "id": 9_000_003, "created_at": later, "event": "closed",
                              "issue": dict(issue)})
    repo.labels.append({**repo.labels[0], "id": 99, "name": "new-label", "node_id": "L_99"})
    repo.files[".github/CODEOWNERS"] = b"* @maint-b\n"
    before = len(sb.requests)
    result = collect(engine, sb)
    assert result.ok
    assert dump(engine) == expected(save_dataset(sb, tmp_path / "mutated"), tmp_path)
    rerun = sb.requests[before:]
    assert len(rerun) <= 16 and sum(r["path"] == "/graphql" for r in rerun) == 1
    with session_scope(engine) as s:
        assert s.get(RepoFile, (77, ".github/CODEOWNERS")).content == "* @maint-b\n"


MERGIFY = """pull_request_rules:
- name: label-widgets
  conditions:
    - files~=^engine/widgets/
  actions:
    label:
      add: [widgets]
"""
LABELER = "gadgets:\n- changed-files:\n  - any-glob-to-any-file: ['engine/gadgets/**']\n"


def test_label_rule_files_are_collected_once_and_rechecked_with_one_304(
    engine: Engine, tmp_path: Path, github_sandbox
) -> None:
    from classifiers.repo_rules import label_rules
    from storage.history import load_repo

    dataset = build_github_dataset(tmp_path / "d", issues=6, pulls=4, reviews=1, codeowners="* @maint-a\n")
    github_dir = dataset / "github" / "acme__engine" / "contents" / ".github"
    (github_dir / "mergify.yml").write_text(MERGIFY)
    (github_dir / "labeler.yml").write_text(LABELER)
    sb = github_sandbox(dataset)
    assert collect(engine, sb).ok
    assert dump(engine) == expected(dataset, tmp_path)  # stored as `scout import` stores the same files
    base = "/repos/acme/engine/contents"
    # the root listing, `.github`'s listing, then each rule file once (CODEOWNERS is fetched on its own)
    assert [(r["path"], r["status"]) for r in sb.requests if r["path"].startswith(base)] == [
        (f"{base}/.github/CODEOWNERS", 200), (base, 200), (f"{base}/.github", 200),
        (f"{base}/.github/labeler.yml", 200), (f"{base}/.github/mergify.yml", 200)]
    with session_scope(engine) as s:
        data = load_repo(s, "acme/engine", with_chat=False)
    assert data.label_rule_files == {".github/mergify.yml": MERGIFY, ".github/labeler.yml": LABELER}
    assert sorted(r.label for r in label_rules(data.label_rule_files)) == ["gadgets", "widgets"]

    # unchanged: the rule files cost one conditional request (the root listing), answered 304
    before = len(sb.requests)
    collect(engine, sb)
    assert [(r["path"], r["status"], r["conditional"]) for r in sb.requests[before:]
            if r["path"].startswith(base)] == [(f"{base}/.github/CODEOWNERS", 304, True), (base, 304, True)]

    # mergify.yml edited, labeler.yml deleted: both listings change, only the edited file is read
    repo = sb.data.repo("acme", "engine")
    edited = MERGIFY.replace("widgets]", "widgets, engine]")
    repo.files[".github/mergify.yml"] = edited.encode()
    (github_dir / "labeler.yml").unlink()
    before = len(sb.requests)
    assert collect(engine, sb).ok
    assert [(r["path"], r["status"]) for r in sb.requests[before:] if r["path"].startswith(base)] == [
        (f"{base}/.github/CODEOWNERS", 304), (base, 200), (f"{base}/.github", 200),
        (f"{base}/.github/mergify.yml", 200)]
    with session_scope(engine) as s:
        assert load_repo(s, "acme/engine", with_chat=False).label_rule_files == {".github/mergify.yml": edited}
        assert s.get(RepoFile, (77, ".github/labeler.yml")) is None


def test_a_repo_without_files_is_probed_once_a_day(engine: Engine, tmp_path: Path, github_sandbox) -> None:
    """No contents at all (GitHub answers 404 for an empty repository's root): neither CODEOWNERS nor
    the label rules are asked for again within CODEOWNERS_RECHECK_HOURS, so a re-sync stays all 304s."""
    dataset = build_github_dataset(tmp_path / "d", issues=4, pulls=2, codeowners=None)
    sb = github_sandbox(dataset)
    assert collect(engine, sb).ok
    assert dump(engine) == expected(dataset, tmp_path)
    assert ("/repos/acme/engine/contents", 404) in [(r["path"], r["status"]) for r in sb.requests]
    before = len(sb.requests)
    assert collect(engine, sb).ok
    rerun = sb.requests[before:]
    assert not [r for r in rerun if "/contents" in r["path"]] and {r["status"] for r in rerun} == {304}


def test_exact_under_faults(engine: Engine, github_dataset: Path, github_sandbox, tmp_path: Path) -> None:
    sb = github_sandbox(github_dataset, faults="5xx=0.15,drop=0.05,malformed=0.1,secondary=0.03,ratelimit-after=12,"
                                             "ratelimit-window=1,seed=5")
    result = collect(engine, sb)
    assert result.ok and result.retries > 0
    assert dump(engine) == expected(github_dataset, tmp_path)
    faults = {r.get("fault") for r in sb.requests}
    assert {"5xx", "drop", "malformed"} <= faults
    # and the next run, faults and all, is still only 304s
    before = len(sb.requests)
    collect(engine, sb)
    assert {r["status"] for r in sb.requests[before:]} == {304}


def test_rate_limit_stops_cleanly_and_resumes(
    engine: Engine, github_dataset: Path, github_sandbox, tmp_path: Path
) -> None:
    # 7 answered: repo, labels, CODEOWNERS, the root and `.github` listings (label rules), two issue pages
    sb = github_sandbox(github_dataset, faults="ratelimit-after=7,ratelimit-window=3600")
    with pytest.raises(RateLimitStop, match="rate limit"):
        collect(engine, sb, options=ClientOptions(backoff=0.01, max_rate_wait=2))
    with session_scope(engine) as s:
        run = s.scalars(select(SyncRun)).one()
        assert not run.ok and "rate limit" in run.error and run.rate_limit_remaining is not None
    stopped_after = len(sb.requests)
    later = github_sandbox(github_dataset)  # after the reset (the sandbox's window is an hour)
    assert collect(engine, later).ok
    assert dump(engine) == expected(github_dataset, tmp_path)
    issues = [r for r in later.requests if r["path"].endswith("/issues")]
    assert stopped_after <= 7 and "since=2026-11-20" not in issues[0]["query"]  # resumed from the checkpoint


def test_malformed_object_is_skipped_after_retries(engine: Engine, github_dataset: Path, github_sandbox) -> None:
    sb = github_sandbox(github_dataset)
    repo = sb.data.repo("acme", "engine")
    broken = {k: v for k, v in repo.issue_comments[0].items() if k != "created_at"}
    broken["id"] = 9_000_009
    repo.issue_comments.append(broken)
    result = collect(engine, sb)
    assert result.ok and result.skipped == 1
    with session_scope(engine) as s:
        ids = set(s.scalars(select(IssueComment.id)))
    assert ids == {c["id"] for c in repo.issue_comments} - {9_000_009}


class _Crash(BaseException):
    """Stands in for the process dying: nothing catches it, open transactions roll back."""


@pytest.mark.parametrize("at", [1, 3, 5, 7, 9, 11])
def test_crash_at_any_request_then_rerun_is_exact(engine: Engine, github_dataset: Path, github_sandbox,
                                                  tmp_path: Path, at: int) -> None:
    dataset = build_github_dataset(tmp_path / "d", issues=120, pulls=60, comments=1, events=1, reviews=1)
    sb = github_sandbox(dataset)
    client = GitHubClient(sb.url, "test-token", FAST)
    original = client.request
    calls = {"n": 0}

    def dying(*args: Any, **kw: Any):
        calls["n"] += 1
        if calls["n"] == at:
            raise _Crash
        return original(*args, **kw)

    client.request = dying  # type: ignore[method-assign]
    with pytest.raises(_Crash):
        GitHubCollector(engine, client, "acme/engine", since=SINCE).run()
    client.close()
    assert collect(engine, sb).ok
    assert dump(engine) == expected(dataset, tmp_path)


def _scout_env(sb, db: str) -> dict[str, str]:
    upgrade(make_engine(f"sqlite:///{db}"))  # only `scout db upgrade`/`import` create a database
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCOUT_")}
    config = Path(db).parent / "watch.toml"
    config.write_text('[[repos]]\nname = "acme/engine"\n[taxonomies.vllm]\nsubsystems = [{name = "core"}]\n')
    env.update(SCOUT_GITHUB_API_URL=sb.url, SCOUT_GITHUB_TOKEN="test-token", SCOUT_DATABASE_URL=f"sqlite:///{db}",
               SCOUT_NOW=iso(NOW), SCOUT_CONFIG=str(config))
    return env


@pytest.mark.slow
def test_sigkill_at_several_points_then_rerun_is_exact(github_sandbox, tmp_path: Path) -> None:
    dataset = build_github_dataset(tmp_path / "d", issues=150, pulls=60, comments=2, events=1, reviews=1)
    want = expected(dataset, tmp_path)
    for k, at in enumerate((4, 8, 12)):
        sb = github_sandbox(dataset, latency_ms=15)
        db = str(tmp_path / f"kill{k}.db")
        env = _scout_env(sb, db)
        proc = subprocess.Popen([sys.executable, "-m", "bot", "collect", "github", "--days", "7"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while len(sb.requests) < at and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        time.sleep(0.004 * k)  # land inside a request, a page's storage, or between them
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL
        done = subprocess.run([sys.executable, "-m", "bot", "collect", "github", "--days", "7"], env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        eng = make_engine(f"sqlite:///{db}")
        assert dump(eng) == want, f"killed after {at} requests"
        eng.dispose()


def test_cli_collect_prints_a_summary(github_dataset: Path, github_sandbox, tmp_path: Path) -> None:
    sb = github_sandbox(github_dataset)
    env = _scout_env(sb, str(tmp_path / "cli.db"))
    first = subprocess.run([sys.executable, "-m", "bot", "collect", "github", "--days", "7"], env=env,
                           capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    line = first.stdout.strip().splitlines()[-1]
    assert line.startswith(
        "acme/engine: stored 40 issues, 25 pulls, 195 issue comments, 50 reviews, 50 review comments, "
        "130 issue events, 50 pull files, 5 labels, 1 files;"
    )
    assert f"{len(sb.requests)} requests (0 answered 304), 0 retries; rate limit" in line
    second = subprocess.run([sys.executable, "-m", "bot", "collect", "github"], env=env, capture_output=True,
                            text=True, timeout=120)
    assert "stored nothing new" in second.stdout and "answered 304" in second.stdout
    eng = make_engine(env["SCOUT_DATABASE_URL"])
    with session_scope(eng) as s:
        counts = stored_counts(s)["repos"]["acme/engine"]
        runs = s.scalars(select(SyncRun).order_by(SyncRun.id)).all()
    eng.dispose()
    assert (counts["issues"], counts["pulls"], counts["reviews"]) == (40, 25, 50)
    assert [r.ok for r in runs] == [True, True] and runs[0].finished_at == NOW  # SCOUT_NOW is the present
    assert runs[1].requests == runs[1].not_modified > 0


def test_cli_refuses_days_with_since() -> None:
    from typer.testing import CliRunner

    from cli import app

    result = CliRunner().invoke(app, ["collect", "github", "--days", "1", "--since", "2026-01-01"])
    assert result.exit_code == 2 and "give --days or --since, not both" in result.output  # a usage error
