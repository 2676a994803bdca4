"""The GitHub sandbox's real limits and fidelity: the paging-depth 422, GraphQL's node count, point
cost and timeout 502, /rate_limit's resources, and URL rewriting that never touches text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from config.errors import ConfigError
from sandbox.github.faults import FaultSpec
from sandbox.github.gql import point_cost, query_size
from tests.helpers.github_data import build_github_dataset

TOKEN = {"Authorization": "token t"}
PAGING = ("In order to keep the API fast for everyone, pagination is limited for this resource. Check the rel=last "
          "link relation in the Link response header to see how far back you can traverse.")


def test_fault_names_parse() -> None:
    spec = FaultSpec.parse("events-depth=2,gql-timeout-nodes=2000,secondary=0.05,hour=30")
    assert (spec.events_depth, spec.gql_timeout_nodes, spec.p_secondary, spec.hour) == (2, 2000, 0.05, 30.0)
    with pytest.raises(ConfigError, match="events-depth needs a whole number"):
        FaultSpec.parse("events-depth=1.5")


def test_issue_events_refuse_pages_past_the_depth(tmp_path: Path, github_sandbox) -> None:
    sb = github_sandbox(build_github_dataset(tmp_path / "d", issues=20, pulls=5, events=3), faults="events-depth=2")
    url = f"{sb.url}/repos/acme/engine/issues/events?per_page=10"
    first = requests.get(url, headers=TOKEN, timeout=10)
    assert first.status_code == 200 and 'page=2>; rel="last"' in first.headers["Link"]  # not the true last page
    assert requests.get(url + "&page=2", headers=TOKEN, timeout=10).status_code == 200
    refused = requests.get(url + "&page=3", headers=TOKEN, timeout=10)
    assert refused.status_code == 422
    assert refused.json() == {"message": PAGING, "documentation_url": "https://docs.github.com/v3/#pagination",
                              "status": "422"}
    per_issue = requests.get(f"{sb.url}/repos/acme/engine/issues/1/events?per_page=100", headers=TOKEN, timeout=10)
    ids = [e["id"] for e in per_issue.json()]
    assert per_issue.status_code == 200 and ids == sorted(ids) and len(ids) == 3  # per issue: no depth limit


def test_query_size_multiplies_page_sizes_along_nested_connections() -> None:
    q = """query($n: Int!) { repository(owner: "a", name: "b") {
      issues(first: $n) { nodes { comments(first: 10) { nodes { body } } ...labels } }
      pullRequest(number: 1) { reviews(last: 5) { nodes { body } } } } }
      fragment labels on Issue { labels(first: 20) { nodes { name } } }"""
    nodes, pages = query_size({"query": q, "variables": {"n": 50}})
    assert nodes == 50 + 50 * 10 + 50 * 20 + 5  # GitHub's documented sum of products
    assert pages == 1 + 50 + 50 + 1
    assert point_cost(pages) == 1 and point_cost(151) == 2 and point_cost(0) == 1
    assert query_size({"query": "{ nope"}) == (0, 0)


def test_heavy_graphql_query_times_out_with_githubs_body(tmp_path: Path, github_sandbox) -> None:
    sb = github_sandbox(build_github_dataset(tmp_path / "d", issues=2, pulls=3), faults="gql-timeout-nodes=250")
    light = {"query": 'query { repository(owner: "acme", name: "engine") { pullRequest(number: 1) '
                      '{ reviews(first: 100) { nodes { state } } } } rateLimit { cost nodeCount remaining } }'}
    heavy = {"query": 'query { repository(owner: "acme", name: "engine") { pullRequests(first: 3) '
                      '{ nodes { reviews(first: 100) { nodes { state } } } } } }'}
    ok = requests.post(f"{sb.url}/graphql", json=light, headers=TOKEN, timeout=10).json()
    assert ok["data"]["rateLimit"]["nodeCount"] == 100 and ok["data"]["rateLimit"]["cost"] == 1
    r = requests.post(f"{sb.url}/graphql", json=heavy, headers=TOKEN, timeout=10)
    assert r.status_code == 502
    body = r.json()
    assert body["data"] is None and body["errors"][0]["message"].startswith(
        "Something went wrong while executing your query. This may be the result of a timeout, or it could be a "
        "GitHub bug. Please include `")
    assert sb.requests[-1]["status"] == 502 and sb.requests[-1]["fault"] == "gql-timeout"


def test_graphql_points_run_out_and_reset_within_a_short_hour(tmp_path: Path, github_sandbox) -> None:
    sb = github_sandbox(build_github_dataset(tmp_path / "d", issues=2, pulls=2), faults="hour=60")
    q = {"query": "query { rateLimit { cost limit remaining used resetAt } }"}
    rate = requests.post(f"{sb.url}/graphql", json=q, headers=TOKEN, timeout=10).json()["data"]["rateLimit"]
    assert (rate["cost"], rate["limit"], rate["remaining"], rate["used"]) == (1, 5000, 4999, 1)
    limits = requests.get(f"{sb.url}/rate_limit", headers=TOKEN, timeout=10).json()
    assert set(limits["resources"]) >= {"core", "search", "graphql", "integration_manifest", "code_search"}
    assert all(set(v) == {"limit", "used", "remaining", "reset"} for v in limits["resources"].values())
    assert limits["resources"]["graphql"]["used"] == 1 and limits["resources"]["code_search"]["limit"] == 10


def test_only_url_fields_are_rewritten(tmp_path: Path, github_sandbox) -> None:
    dataset = build_github_dataset(tmp_path / "d", issues=2, pulls=1)
    path = dataset / "github" / "acme__engine" / "issues.json"
    issues = json.loads(path.read_text())
    text = "https://api.github.com/repos/acme/engine returns 404 for me, see \"https://api.github.com/x\""
    issues[0]["body"] = text
    issues[0]["title"] = "https://api.github.com is slow"
    path.write_text(json.dumps(issues))
    sb = github_sandbox(dataset)
    got = requests.get(f"{sb.url}/repos/acme/engine/issues/{issues[0]['number']}", headers=TOKEN, timeout=10).json()
    assert got["body"] == text and got["title"] == "https://api.github.com is slow"
    assert got["url"].startswith(sb.url + "/repos/acme/engine/issues/")
    assert got["user"]["url"].startswith(sb.url + "/users/")
