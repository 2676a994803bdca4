"""Older issue events through GraphQL timelines (the cheap history path): the same rows as REST,
under the REST id decoded from GitHub's node id, resumable, and nothing lost where an id does not
decode. Every collection is compared with `scout import` of the same dataset, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import Engine, select

from collectors.github import ClientOptions, GitHubClient, GitHubCollector
from collectors.github.node_ids import database_id
from sandbox.community.util import next_node_id
from storage.db import make_engine, session_scope, upgrade
from storage.models import SyncCheckpoint
from tests.collectors.test_github_collector import SINCE, collect, dump, expected
from tests.helpers.github_data import build_github_dataset

pytestmark = pytest.mark.postgres  # the collector's tests run on SQLite and PostgreSQL

AUTH = {"Authorization": "bearer test-token"}
SMALL_PAGES = ClientOptions(per_page=10, backoff=0.01, max_backoff=0.05, secondary_wait=0.05, max_rate_wait=10)


@pytest.fixture(autouse=True)
def _now(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.helpers.github_data import NOW, iso
    monkeypatch.setenv("SCOUT_NOW", iso(NOW))


def _gql(sb: Any) -> list[dict[str, Any]]:
    return [r for r in sb.requests if r["path"] == "/graphql"]


def _per_issue(sb: Any, start: int = 0) -> list[str]:
    return [r["path"] for r in sb.requests[start:] if r["path"].endswith("/events")
            and not r["path"].endswith("/issues/events")]


# ----------------------------------------------------------------------------- the node-id key


def test_database_ids_decode_from_both_of_githubs_node_id_formats() -> None:
    assert database_id("U_kgDOAAhEkg") == 541842  # a real user's next-format id: MessagePack [0, 541842]
    assert database_id("MDQ6VXNlcjE=") == 1  # legacy: base64 "04:User1"
    assert database_id("MDQ6VXNlcjE=", "User") == 1 and database_id("MDQ6VXNlcjE=", "Bot") is None
    event = next_node_id("LE", 599_547_518, 2_412_345_678, 21_000_000_123)  # repo, issue, event (past 32 bits)
    assert event.startswith("LE_lADO") and database_id(event) == 21_000_000_123
    assert next_node_id("U", 541842) == "U_kgDOAAhEkg"  # the sandbox writes what GitHub writes


@pytest.mark.parametrize("node_id", [
    "IE_12345",  # not base64 of a MessagePack array
    "", "LE_", "le_lADOAAAB",  # no payload; a lower-case prefix
    next_node_id("LE", 1, 2, 3)[:-2],  # cut short
    next_node_id("LE", 1, 2, 3) + "AA",  # trailing bytes
    "LE_" + "kQE",  # [1]: an unknown format version, no id
    "MDU6VXNlcjE=",  # legacy whose length does not match its type name
])
def test_ids_that_are_not_githubs_format_decode_to_nothing(node_id: str) -> None:
    assert database_id(node_id) is None


# ----------------------------------------------------------------------------- sandbox


def test_sandbox_serves_timeline_items_as_the_schema_says(tmp_path: Path, github_sandbox) -> None:
    dataset = build_github_dataset(tmp_path / "d", issues=3, pulls=2, comments=0, events=6, reviews=0)
    sb = github_sandbox(dataset)
    repo = sb.data.repo("acme", "engine")
    issue = next(i for i in repo.issues if i.get("pull_request") is None)
    pull = next(i for i in repo.issues if i.get("pull_request") is not None)
    query = """query($n: Int!, $p: Int!, $after: String) { repository(owner: "acme", name: "engine") {
      issue(number: $n) { timelineItems(first: 2, after: $after, itemTypes: [LABELED_EVENT, CLOSED_EVENT]) {
        totalCount pageInfo { hasNextPage endCursor }
        nodes { __typename ... on LabeledEvent { id createdAt label { name } } ... on ClosedEvent { id } } } }
      wrong: issue(number: $p) { number }
      pullRequest(number: $p) { timelineItems(first: 100, itemTypes: [REVIEW_REQUESTED_EVENT]) {
        nodes { __typename ... on ReviewRequestedEvent { id requestedReviewer { ... on User { login } } } } } } } }"""

    def ask(after: str | None) -> dict[str, Any]:
        return requests.post(f"{sb.url}/graphql", json={"query": query, "variables": {
            "n": issue["number"], "p": pull["number"], "after": after}}, headers=AUTH, timeout=10).json()

    first = ask(None)
    items = first["data"]["repository"]["issue"]["timelineItems"]
    want = sorted((e for e in repo.events_of(issue["number"]) if e["event"] in ("labeled", "closed")),
                  key=lambda e: (e["created_at"], e["id"]))
    assert items["totalCount"] == len(want) == 3 and items["pageInfo"]["hasNextPage"] is True
    assert [(n["__typename"], n["id"]) for n in items["nodes"]] == [
        ({"labeled": "LabeledEvent", "closed": "ClosedEvent"}[e["event"]], e["node_id"]) for e in want[:2]]
    assert [database_id(n["id"]) for n in items["nodes"]] == [e["id"] for e in want[:2]]
    assert [(e["type"], e["path"]) for e in first["errors"]] == [("NOT_FOUND", ["repository", "wrong"])]
    rest = ask(items["pageInfo"]["endCursor"])["data"]["repository"]["issue"]["timelineItems"]
    assert [n["id"] for n in rest["nodes"]] == [want[2]["node_id"]] and rest["pageInfo"]["hasNextPage"] is False
    asked = first["data"]["repository"]["pullRequest"]["timelineItems"]["nodes"]
    assert [n["requestedReviewer"]["login"] for n in asked] == [
        e["requested_reviewer"]["login"] for e in repo.events_of(pull["number"]) if e["event"] == "review_requested"]
    refused = requests.post(f"{sb.url}/graphql", json={"query": """{ repository(owner: "acme", name: "engine") {
      issue(number: 1) { timelineItems(first: 5, itemTypes: [MERGED_EVENT]) { totalCount } } } }"""},
        headers=AUTH, timeout=10).json()
    assert "MERGED_EVENT" in refused["errors"][0]["message"]  # an issue's timeline has no merges (schema enum)


# ----------------------------------------------------------------------------- the collector


def test_timelines_store_exactly_the_rows_rest_stores(engine: Engine, tmp_path: Path, github_sandbox) -> None:
    # 25 events an issue: past the first timeline page (20), so follow-up pages are read too
    dataset = build_github_dataset(tmp_path / "d", issues=14, pulls=6, comments=1, events=25, reviews=1)
    sb = github_sandbox(dataset, faults="events-depth=1")
    assert collect(engine, sb, options=SMALL_PAGES).ok
    got = dump(engine)
    assert got == expected(dataset, tmp_path) and len(got["issue_events"]) == 500
    assert _per_issue(sb) == []
    assert len(_gql(sb)) == 1 + 1 + 1  # the pulls; 20 timelines; one follow-up query for all of them
    # the same dataset through per-issue REST stores the same tables, row for row
    other = make_engine(f"sqlite:///{tmp_path}/rest.db")
    upgrade(other)
    sb_rest = github_sandbox(dataset, faults="events-depth=1")
    try:
        assert collect(other, sb_rest, options=SMALL_PAGES, use_graphql=False).ok
        assert dump(other) == got
        assert len({p.rsplit("/", 2)[1] for p in _per_issue(sb_rest)}) == 20  # each issue's 3 pages
    finally:
        other.dispose()
    # an unchanged re-run stores nothing and asks nothing but 304s
    before = len(sb.requests)
    again = collect(engine, sb, options=SMALL_PAGES)
    assert again.ok and again.stored == {} and {r["status"] for r in sb.requests[before:]} == {304}


def test_an_event_whose_id_does_not_decode_sends_its_issue_to_rest(engine: Engine, tmp_path: Path,
                                                                   github_sandbox) -> None:
    dataset = build_github_dataset(tmp_path / "d", issues=8, pulls=2, comments=0, events=4, reviews=0)
    path = dataset / "github" / "acme__engine" / "issue_events.json"
    events = json.loads(path.read_text())
    odd = min(events, key=lambda e: e["id"])  # deep below the one page the list serves
    odd["node_id"] = "MDk6SXNzdWVFdmVudDE="  # legacy-looking ("09:IssueEvent1") but of another type: no id in it
    path.write_text(json.dumps(events))
    sb = github_sandbox(dataset, faults="events-depth=1")
    assert collect(engine, sb, options=SMALL_PAGES).ok
    assert dump(engine) == expected(dataset, tmp_path)
    assert _per_issue(sb) == [f"/repos/acme/engine/issues/{odd['issue']['number']}/events"]


class _Crash(Exception):
    pass


def test_a_crash_between_timeline_batches_resumes_without_loss_or_repeats(engine: Engine, tmp_path: Path,
                                                                          github_sandbox) -> None:
    dataset = build_github_dataset(tmp_path / "d", issues=36, pulls=4, comments=0, events=3, reviews=0)
    # 200 nodes a query at most: 2000 -> 1000 -> 500 -> 250 time out, then 6 issues (120 nodes) a query
    sb = github_sandbox(dataset, faults="events-depth=1,gql-timeout-nodes=200")
    client = GitHubClient(sb.url, "test-token", SMALL_PAGES)
    original = client.graphql
    asked: list[int] = []

    def dying(query: str, variables: dict[str, Any], what: str = "graphql") -> Any:
        if "timelines" in what:
            data = original(query, variables, what)
            asked.append(1)
            if len(asked) == 3:  # two batches stored; the third answered but never stored
                raise _Crash
            return data
        return original(query, variables, what)

    client.graphql = dying  # type: ignore[method-assign]
    with pytest.raises(_Crash):
        GitHubCollector(engine, client, "acme/engine", since=SINCE, workers=1).run()
    client.close()
    with session_scope(engine) as s:
        cp = s.scalars(select(SyncCheckpoint).where(SyncCheckpoint.endpoint == "issue_events")).one()
        left, learned = list(cp.state["deep"]["numbers"]), cp.state["timeline_nodes"]
    assert learned == 125 and len(left) == 40 - 2 * 6  # two batches of 6 issues off the list
    timeouts = sum(1 for r in sb.requests if r["status"] == 502)
    before = len(sb.requests)
    result = collect(engine, sb, options=SMALL_PAGES, workers=1)
    assert result.ok and dump(engine) == expected(dataset, tmp_path)
    rerun = [r for r in sb.requests[before:] if r["path"] == "/graphql"]
    assert timeouts == 4 + 1  # the four timeline sizes above, and 4 pulls (400 nodes) once
    assert all(r["status"] == 200 for r in rerun)  # the learned size holds: no timeout again
    assert len(rerun) == -(-len(left) // 6) and _per_issue(sb) == []  # only the issues left, each once


def test_a_first_walk_deeper_than_the_timelines_cost_switches_to_them(engine: Engine, tmp_path: Path,
                                                                      github_sandbox) -> None:
    # 20 issues x 6 events = 120 events: 12 list pages of 10, against one timeline query (no depth limit)
    dataset = build_github_dataset(tmp_path / "d", issues=14, pulls=6, comments=0, events=6, reviews=0)
    sb = github_sandbox(dataset)
    assert collect(engine, sb, options=SMALL_PAGES).ok
    assert dump(engine) == expected(dataset, tmp_path)
    listed = [r["query"] for r in sb.requests if r["path"].endswith("/issues/events")]
    assert len(listed) == 1 and _per_issue(sb) == [] and len(_gql(sb)) == 2  # page 1; pulls; timelines
    # without GraphQL the walk pages the whole list, as before
    other = make_engine(f"sqlite:///{tmp_path}/rest.db")
    upgrade(other)
    sb_rest = github_sandbox(dataset)
    try:
        assert collect(other, sb_rest, options=SMALL_PAGES, use_graphql=False).ok
        assert dump(other) == dump(engine)
        assert len([r for r in sb_rest.requests if r["path"].endswith("/issues/events")]) == 12 + 1  # + the empty end
    finally:
        other.dispose()
