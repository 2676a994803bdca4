"""The GitHub collector through the limits api.github.com really has (issue-events paging depth,
GraphQL timeouts on heavy queries, secondary and primary rate limits) and the identities it really
sends (deleted accounts, mannequins, bots), plus text PostgreSQL refuses (NUL): every test compares
the stored rows with `scout import` of the same dataset, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from collectors.github import ClientOptions, GitHubClient, GitHubCollector
from storage.db import session_scope
from storage.identity import GHOST_ID, mannequin_id
from storage.models import Issue, IssueComment, PullRequest, Review, SyncCheckpoint, User
from tests.collectors.test_github_collector import SINCE, collect, dump, expected, save_dataset
from tests.helpers.github_data import build_github_dataset, user

pytestmark = pytest.mark.postgres

SMALL_PAGES = ClientOptions(per_page=10, backoff=0.01, max_backoff=0.05, secondary_wait=0.05, max_rate_wait=10)


@pytest.fixture(autouse=True)
def _now(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.helpers.github_data import NOW, iso
    monkeypatch.setenv("SCOUT_NOW", iso(NOW))


def _checkpoint(engine: Engine, endpoint: str) -> SyncCheckpoint:
    with session_scope(engine) as s:
        cp = s.scalars(select(SyncCheckpoint).where(SyncCheckpoint.endpoint == endpoint)).one()
        s.expunge(cp)
        return cp


def _edit(dataset: Path, name: str, change: Any) -> None:
    path = dataset / "github" / "acme__engine" / f"{name}.json"
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


# ----------------------------------------------------------------------------- events-depth


@pytest.mark.parametrize("use_graphql", [True, False], ids=["timelines", "rest"])
def test_events_past_the_paging_depth_come_per_issue(engine: Engine, tmp_path: Path, github_sandbox,
                                                     use_graphql: bool) -> None:
    dataset = build_github_dataset(tmp_path / "d", issues=12, pulls=6, comments=1, events=3, reviews=1)
    sb = github_sandbox(dataset, faults="events-depth=2")
    result = collect(engine, sb, options=SMALL_PAGES, use_graphql=use_graphql)
    assert result.ok
    assert dump(engine) == expected(dataset, tmp_path)  # 54 events; only 20 reachable by paging
    listed = [r for r in sb.requests if r["path"].endswith("/issues/events")]
    assert [r["status"] for r in listed] == [200, 200, 422]  # the probe past `rel=last` met GitHub's refusal
    per_issue = [r for r in sb.requests if r["path"].endswith("/events") and not r["path"].endswith("/issues/events")]
    if use_graphql:  # the 18 issues' timelines in one query beside the one for the 6 pulls, none per issue
        assert per_issue == [] and [r["path"] for r in sb.requests].count("/graphql") == 2
    else:
        assert 0 < len(per_issue) <= 18  # at most one per issue of the window
    cp = _checkpoint(engine, "issue_events")
    assert "deep" not in cp.state and cp.cursor_id == max(e["id"] for e in sb.data.repo("acme", "engine").issue_events)
    # an unchanged re-sync: a handful of requests, every one a 304
    before = len(sb.requests)
    again = collect(engine, sb, options=SMALL_PAGES, use_graphql=use_graphql)
    assert again.ok and again.stored == {}
    assert len(sb.requests) - before <= 10 and {r["status"] for r in sb.requests[before:]} == {304}
    # a new event: the next run reads it from the first page and stops at the last run's newest
    repo = sb.data.repo("acme", "engine")
    issue = repo.issues[0]
    issue["updated_at"] = "2026-11-26T23:59:30Z"
    newest = max(repo.issue_events, key=lambda e: e["id"])
    repo.issue_events.append(
        {
            **newest,
            "id": newest["id"] + 1,
            "node_id": "IE_new",
            "created_at": "2026-11-26T23:59:30Z",
            "event": "closed",
            "issue": dict(issue),
        }
    )
    before = len(sb.requests)
    third = collect(engine, sb, options=SMALL_PAGES, use_graphql=use_graphql)
    assert third.ok and third.stored.get("issue_events") == 1
    assert [r["path"] for r in sb.requests[before:]].count("/repos/acme/engine/issues/events") == 1
    assert dump(engine) == expected(save_dataset(sb, tmp_path / "mutated"), tmp_path)


class _Crash(Exception):
    pass


def test_a_crash_inside_the_per_issue_fallback_resumes_exactly(engine: Engine, tmp_path: Path, github_sandbox) -> None:
    dataset = build_github_dataset(tmp_path / "d", issues=30, pulls=10, comments=1, events=3, reviews=1)
    sb = github_sandbox(dataset, faults="events-depth=1")
    client = GitHubClient(sb.url, "test-token", SMALL_PAGES)
    original = client.request
    seen = {"n": 0}

    def dying(method: str, url: str, *args: Any, **kw: Any) -> Any:
        if "/issues/" in url and url.split("?")[0].endswith("/events") and "/issues/events" not in url:
            seen["n"] += 1
            if seen["n"] == 22:  # inside the second chunk of 16 issues
                raise _Crash
        return original(method, url, *args, **kw)

    client.request = dying  # type: ignore[method-assign]
    with pytest.raises(_Crash):
        GitHubCollector(engine, client, "acme/engine", since=SINCE, workers=1, use_graphql=False).run()
    client.close()
    left = _checkpoint(engine, "issue_events").state["deep"]["numbers"]
    assert 0 < len(left) < 40 - 16 + 1  # the first chunk is stored and off the list
    before = len(sb.requests)
    assert collect(engine, sb, options=SMALL_PAGES, workers=1, use_graphql=False).ok
    assert dump(engine) == expected(dataset, tmp_path)
    rerun = [r["path"] for r in sb.requests[before:]]
    per_issue = {p for p in rerun if p.endswith("/events") and not p.endswith("/issues/events")}
    assert len(per_issue) == len(left)  # only the issues still waiting, each once


# ----------------------------------------------------------------------------- gql-timeout-nodes


def test_heavy_graphql_batches_are_split_and_the_size_is_learned(engine: Engine, tmp_path: Path,
                                                                 github_sandbox) -> None:
    dataset = build_github_dataset(tmp_path / "d", issues=10, pulls=30, comments=1, events=1, reviews=2)
    sb = github_sandbox(dataset, faults="gql-timeout-nodes=500")  # a pull asks for 100 nodes: 5 fit, 6 do not
    assert collect(engine, sb).ok
    assert dump(engine) == expected(dataset, tmp_path)
    gql = [r for r in sb.requests if r["path"] == "/graphql"]
    timeouts = [r for r in gql if r["status"] == 502]
    assert len(timeouts) == 3  # 30 -> 15 -> 7 -> 3: each heavier size met once, never repeated
    assert all(r["status"] == 200 for r in gql if r not in timeouts)
    assert _checkpoint(engine, "pulls").state["batch"] == 3
    # the next run with updated pulls starts at the learned size: no timeout at all
    repo = sb.data.repo("acme", "engine")
    for p in repo.pulls[:8]:
        p["updated_at"] = repo.issue(p["number"])["updated_at"] = "2026-11-26T23:59:00Z"
    before = len(sb.requests)
    assert collect(engine, sb).ok
    assert not [r for r in sb.requests[before:] if r["status"] == 502]


def test_a_pull_too_heavy_for_any_query_is_read_over_rest(engine: Engine, tmp_path: Path, github_sandbox) -> None:
    dataset = build_github_dataset(tmp_path / "d", issues=4, pulls=5, comments=1, events=1, reviews=2)
    sb = github_sandbox(dataset, faults="gql-timeout-nodes=80")  # even one pull (100 nodes) times out
    assert collect(engine, sb).ok
    assert dump(engine) == expected(dataset, tmp_path)
    timeouts = [r for r in sb.requests if r["status"] == 502]
    assert len(timeouts) == 3  # 5, then 2, then a single one: from there on, REST
    assert len([r for r in sb.requests if r["path"].endswith("/reviews")]) == 5


# ----------------------------------------------------------------------------- rate limits


def test_secondary_rate_limits_are_waited_out_as_github_documents(engine: Engine, tmp_path: Path,
                                                                  github_sandbox) -> None:
    dataset = build_github_dataset(tmp_path / "d", issues=20, pulls=10, comments=2, events=2, reviews=1)
    sb = github_sandbox(dataset, faults="secondary=0.2,retry-after=2,seed=3")
    waits: list[float] = []
    patient = ClientOptions(per_page=10, backoff=0.01, max_backoff=0.05, max_rate_wait=600)
    client = GitHubClient(sb.url, "test-token", patient, sleep=waits.append)
    result = GitHubCollector(engine, client, "acme/engine", since=SINCE).run()
    client.close()
    assert result.ok
    assert dump(engine) == expected(dataset, tmp_path)
    limited = [r for r in sb.requests if r.get("fault") == "secondary"]
    assert limited and client.stats.secondary_waits == len(limited)
    assert 2.0 in waits and 4.0 in waits  # Retry-After, doubled when the same request meets the limit again
    assert set(waits) <= {2.0 * 2 ** k for k in range(8)}


def test_primary_budget_waits_for_the_reset_and_resumes(engine: Engine, tmp_path: Path, github_sandbox) -> None:
    dataset = build_github_dataset(tmp_path / "d", issues=10, pulls=5, comments=1, events=1, reviews=1)
    sb = github_sandbox(dataset, faults="ratelimit-after=6,ratelimit-window=5")  # ~15 requests: 2 waits at least
    told: list[tuple[str, float]] = []
    client = GitHubClient(sb.url, "test-token", SMALL_PAGES)
    client.on_wait = lambda reason, seconds: told.append((reason, seconds))
    result = GitHubCollector(engine, client, "acme/engine", since=SINCE).run()
    client.close()
    assert result.ok
    assert dump(engine) == expected(dataset, tmp_path)
    assert told and all(
        reason.startswith("rate limit") and 0 < s <= 5 + 2.5 for reason, s in told
    )  # to the reset + 1 s
    assert not [r for r in sb.requests if r["status"] == 403]  # paced before the wall, never ran into it


@pytest.mark.slow
def test_graphql_points_running_out_wait_for_their_reset(engine: Engine, tmp_path: Path, github_sandbox) -> None:
    dataset = build_github_dataset(tmp_path / "d", issues=2, pulls=8, comments=1, events=1, reviews=1)
    # 6 points (and requests) an 8-second "hour"; a timeout above 150 nodes: one pull a query, 11 points
    sb = github_sandbox(dataset, faults="ratelimit-after=6,ratelimit-window=8,gql-timeout-nodes=150")
    told: list[tuple[str, float]] = []
    client = GitHubClient(sb.url, "test-token", ClientOptions(backoff=0.01, max_backoff=0.05, max_rate_wait=30))
    client.on_wait = lambda reason, seconds: told.append((reason, seconds))
    result = GitHubCollector(engine, client, "acme/engine", since=SINCE, workers=1).run()
    client.close()
    assert result.ok
    assert dump(engine) == expected(dataset, tmp_path)
    assert any("GraphQL points left" in reason for reason, _ in told)
    assert not [r for r in sb.requests if r.get("fault") == "ratelimit"]  # paced, never refused
    answered = [r for r in sb.requests if r["path"] == "/graphql" and r["status"] == 200]
    assert result.graphql_points == sum(r["cost"] for r in answered)  # as each answer's rateLimit.cost said


def test_graphql_points_are_charged_and_reported(tmp_path: Path, github_sandbox) -> None:
    import requests

    sb = github_sandbox(build_github_dataset(tmp_path / "d", issues=2, pulls=3))
    from collectors.github.queries import pulls_query
    query = pulls_query([n["number"] for n in sb.data.repo("acme", "engine").pulls])
    body = {"query": query, "variables": {"owner": "acme", "name": "engine"}}
    r = requests.post(f"{sb.url}/graphql", json=body, headers={"Authorization": "bearer t"}, timeout=10)
    rate = r.json()["data"]["rateLimit"]
    # 3 pulls x 4 connections of 100: 12 connection pages (cost 1), 1,200 possible nodes
    assert rate["cost"] == 1 and rate["remaining"] == 4999
    assert sb.requests[-1]["cost"] == 1
    r = requests.get(f"{sb.url}/rate_limit", headers={"Authorization": "bearer t"}, timeout=10).json()
    assert r["resources"]["graphql"] == {
        "limit": 5000,
        "used": 1,
        "remaining": 4999,
        "reset": r["resources"]["graphql"]["reset"],
    }
    assert r["resources"]["search"]["limit"] == 30 and r["resources"]["core"]["used"] == 0
    assert r["rate"] == r["resources"]["core"]


# ----------------------------------------------------------------------------- identities


GHOST = user("ghost", GHOST_ID)
MANNEQUIN = {**user("imported-author", 4242), "type": "Mannequin"}


def _strange_accounts(dataset: Path) -> None:
    """A deleted author (REST's `ghost`) and a mannequin on issues, comments, pulls and reviews."""
    def issues(items: list[dict[str, Any]]) -> None:
        items[0]["user"], items[1]["user"] = GHOST, MANNEQUIN
        for i in items:
            if i["number"] in pulls_authors:
                i["user"] = pulls_authors[i["number"]]
    pulls_authors: dict[int, Any] = {}

    def pulls(items: list[dict[str, Any]]) -> None:
        items[0]["user"], items[1]["user"] = GHOST, MANNEQUIN
        pulls_authors.update({items[0]["number"]: GHOST, items[1]["number"]: MANNEQUIN})
    _edit(dataset, "pulls", pulls)
    _edit(dataset, "issues", issues)
    _edit(dataset, "issue_comments", lambda c: c[0].update(user=GHOST) or c[1].update(user=MANNEQUIN))

    def reviews(items: list[dict[str, Any]]) -> None:
        items[0]["user"], items[1]["user"] = GHOST, MANNEQUIN
    _edit(dataset, "reviews", reviews)


@pytest.mark.parametrize("graphql", [True, False], ids=["graphql", "rest"])
def test_deleted_accounts_and_mannequins_stored_alike_from_either_api(engine: Engine, tmp_path: Path, github_sandbox,
                                                                      graphql: bool) -> None:
    dataset = build_github_dataset(tmp_path / "d", issues=6, pulls=4, comments=1, events=1, reviews=1)
    _strange_accounts(dataset)
    sb = github_sandbox(dataset)
    assert collect(engine, sb, use_graphql=graphql).ok
    assert dump(engine) == expected(dataset, tmp_path)  # the same rows as `scout import` (REST shapes)
    assert not [r for r in sb.requests if r["path"].startswith("/users/")]  # neither needs a user lookup
    with session_scope(engine) as s:
        logins = {u.login: (u.id, u.type) for u in s.scalars(select(User))}
        assert "ghost" not in logins
        assert logins["imported-author"] == (mannequin_id("imported-author"), "Mannequin")
        review_authors = {r.user_id for r in s.scalars(select(Review))}
        assert None in review_authors and mannequin_id("imported-author") in review_authors
        pull_authors = [p.user_id for p in s.scalars(select(PullRequest).order_by(PullRequest.number))]
        assert None in pull_authors and mannequin_id("imported-author") in pull_authors
        assert s.scalar(select(IssueComment.user_id).where(IssueComment.user_id.is_(None)).limit(1)) is None


def test_graphql_answers_a_deleted_author_as_null(tmp_path: Path, github_sandbox) -> None:
    import requests

    dataset = build_github_dataset(tmp_path / "d", issues=2, pulls=2)
    _strange_accounts(dataset)
    sb = github_sandbox(dataset)
    pulls = sb.data.repo("acme", "engine").pulls
    a, b = pulls[0]["number"], pulls[1]["number"]
    q = (
        f'query {{ repository(owner: "acme", name: "engine") {{ '
        f"a: pullRequest(number: {a}) {{ author {{ __typename login }} }}"
        f" b: pullRequest(number: {b}) {{ author {{ __typename login }} }} }} }}"
    )
    data = requests.post(f"{sb.url}/graphql", json={"query": q}, headers={"Authorization": "bearer t"},
                         timeout=10).json()["data"]["repository"]
    assert data["a"]["author"] is None
    assert data["b"]["author"] == {"__typename": "Mannequin", "login": "imported-author"}
    assert requests.get(f"{sb.url}/users/imported-author", timeout=10).status_code == 404


def test_a_user_github_does_not_know_never_stops_the_run(engine: Engine, tmp_path: Path, github_sandbox,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    dataset = build_github_dataset(tmp_path / "d", issues=4, pulls=6, reviews=2, big_user_ids=True)
    gone = user("renamed-away", 3_000_000_777)  # seen only as a reviewer; GraphQL cannot carry the id
    _edit(dataset, "reviews", lambda items: items[0].update(user=gone))
    sb = github_sandbox(dataset)
    known = sb.data.user
    monkeypatch.setattr(sb.data, "user", lambda login: None if login.lower() == "renamed-away" else known(login))
    result = collect(engine, sb)
    assert result.ok
    assert [(r["path"], r["status"]) for r in sb.requests if r["path"].startswith("/users/")] == [
        ("/users/renamed-away", 404)]
    want, got = expected(dataset, tmp_path), dump(engine)
    assert {k: v for k, v in got.items() if k not in ("reviews", "users")} == {
        k: v for k, v in want.items() if k not in ("reviews", "users")}
    with session_scope(engine) as s:
        lost = s.scalars(select(Review).where(Review.user_id.is_(None))).all()
        assert len(lost) == 1 and lost[0].body == json.loads(
            (dataset / "github" / "acme__engine" / "reviews.json").read_text())[0]["body"]
        assert s.scalar(select(User).where(User.login == "renamed-away")) is None


# ----------------------------------------------------------------------------- NUL


def test_nul_characters_are_stored_without_them(engine: Engine, tmp_path: Path, github_sandbox) -> None:
    dataset = build_github_dataset(tmp_path / "d", issues=4, pulls=2, comments=1, reviews=1)
    _edit(dataset, "issues", lambda items: items[0].update(body="before\u0000after", title="t\u0000itle"))
    _edit(dataset, "issue_comments", lambda items: items[0].update(body="\u0000"))
    _edit(dataset, "pulls", lambda items: items[0].update(body="pull\u0000body"))
    _edit(dataset, "reviews", lambda items: items[0].update(body="looks\u0000good"))
    sb = github_sandbox(dataset)
    assert collect(engine, sb).ok
    with session_scope(engine) as s:
        bodies = set(s.scalars(select(Issue.body))) | set(s.scalars(select(IssueComment.body)))
        bodies |= set(s.scalars(select(Review.body)))
        assert {"beforeafter", "", "looks" + "good"} <= bodies and not any("\x00" in b for b in bodies)
        assert "title" in set(s.scalars(select(Issue.title)))
    assert dump(engine) == expected(dataset, tmp_path)


def test_pulls_beyond_a_nested_page_get_follow_up_queries(engine: Engine, tmp_path: Path, github_sandbox) -> None:
    dataset = build_github_dataset(tmp_path / "d", issues=2, pulls=3, comments=1, events=1, reviews=30)
    people = [user(f"rev{i}", 7000 + i) for i in range(26)]
    first: dict[str, int] = {}

    def crowded(items: list[dict[str, Any]]) -> None:
        items[0]["labels"] = [{"name": f"area-{i}", "color": "ededed"} for i in range(30)]
        items[0]["requested_reviewers"] = people
        first["number"] = items[0]["number"]
    _edit(dataset, "pulls", crowded)

    def many_files(files: dict[str, list[dict[str, Any]]]) -> None:
        files[str(first["number"])] = [{"filename": f"vllm/mod{i}.py", "status": "modified", "additions": i,
                                        "deletions": 1, "changes": i + 1} for i in range(27)]
    _edit(dataset, "pull_files", many_files)
    sb = github_sandbox(dataset)
    assert collect(engine, sb).ok
    assert dump(engine) == expected(dataset, tmp_path)
    gql = [r for r in sb.requests if r["path"] == "/graphql"]
    assert len(gql) == 1 + 3 + 3  # the batch; each pull's reviews; labels, review requests and files of one
