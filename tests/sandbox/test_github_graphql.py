"""POST /graphql: validated against GitHub's schema (rejects what GitHub rejects), resolved from
the dataset, with GitHub's connection rules, cursors, NOT_FOUND errors and 32-bit Int limits."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from github import Auth, Github, GithubException, UnknownObjectException

from sandbox.github.data import load_github_data
from tests.helpers.github_data import build_github_dataset

TOKEN = {"Authorization": "bearer test-token"}


def gql(sb, query: str, variables: dict | None = None, path: str = "/graphql") -> dict:
    r = requests.post(sb.url + path, headers=TOKEN, json={"query": query, "variables": variables or {}})
    assert r.status_code == 200
    return r.json()


def test_pull_requests_by_number_with_reviews_and_files(github_dataset: Path, github_sandbox) -> None:
    sb = github_sandbox(github_dataset)
    repo = load_github_data(github_dataset).repo("acme", "engine")
    pulls = repo.pulls[:3]
    fields = " ".join(f"p{p['number']}: pullRequest(number: {p['number']}) {{ ...pr }}" for p in pulls)
    query = ("query($o: String!, $n: String!) { repository(owner: $o, name: $n) { " + fields + " } }"
             " fragment pr on PullRequest { number fullDatabaseId state isDraft mergedAt headRefName headRefOid"
             " author { __typename login ... on User { databaseId } }"
             " reviews(first: 100) { totalCount nodes { fullDatabaseId state submittedAt author { login } } }"
             " files(first: 100) { nodes { path additions deletions changeType } } }")
    data = gql(sb, query, {"o": "acme", "n": "engine"})
    assert "errors" not in data
    for p in pulls:
        got = data["data"]["repository"][f"p{p['number']}"]
        assert got["fullDatabaseId"] == str(p["id"]) and got["number"] == p["number"]
        assert got["state"] == ("MERGED" if p["merged_at"] else p["state"].upper())
        assert got["isDraft"] == p["draft"] and got["mergedAt"] == p["merged_at"]
        assert got["headRefName"] == p["head"]["ref"] and got["headRefOid"] == p["head"]["sha"]
        assert got["author"] == {"__typename": "User", "login": p["user"]["login"], "databaseId": p["user"]["id"]}
        reviews = repo.reviews_of(p["number"])
        assert got["reviews"]["totalCount"] == len(reviews)
        assert [r["fullDatabaseId"] for r in got["reviews"]["nodes"]] == [str(r["id"]) for r in reviews]
        assert [f["path"] for f in got["files"]["nodes"]] == [f["filename"] for f in repo.files_of(p["number"])]
        status = {"modified": "MODIFIED", "added": "ADDED", "removed": "DELETED", "renamed": "RENAMED"}
        assert [f["changeType"] for f in got["files"]["nodes"]] == [
            status[f["status"]] for f in repo.files_of(p["number"])
        ]


def test_rejects_what_github_rejects(github_dataset: Path, github_sandbox) -> None:
    sb = github_sandbox(github_dataset)
    bad = gql(sb, '{ repository(owner: "acme", name: "engine") { pullRequest(number: 1) { numbr } } }')
    assert "data" not in bad
    assert bad["errors"][0]["message"] == "Field 'numbr' doesn't exist on type 'PullRequest'"
    assert bad["errors"][0]["extensions"] == {"code": "undefinedField", "typeName": "PullRequest", "fieldName": "numbr"}
    missing_arg = gql(sb, '{ repository(owner: "acme") { name } }')
    assert "name" in missing_arg["errors"][0]["message"] and "data" not in missing_arg
    wrong_type = gql(sb, '{ repository(owner: "acme", name: "engine") { pullRequest(number: "x") { number } } }')
    assert "data" not in wrong_type and wrong_type["errors"]
    syntax = gql(sb, "{ repository(owner: ")
    assert syntax["errors"][0]["message"].startswith("Syntax Error")
    g = Github(base_url=sb.url, auth=Auth.Token("t"), seconds_between_requests=0)
    with pytest.raises(GithubException):
        g.requester.graphql_query("{ viewer { nope } }", {})


def test_connection_rules_and_cursors(tmp_path: Path, github_sandbox) -> None:
    sb = github_sandbox(build_github_dataset(tmp_path / "d", issues=2, pulls=3, reviews=3))
    number = load_github_data(tmp_path / "d").repo("acme", "engine").pulls[0]["number"]
    q = (
        'query($after: String) { repository(owner: "acme", name: "engine") { pullRequest(number: NUM) {'
        " reviews(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor }"
        " nodes { fullDatabaseId } } } } }"
    ).replace("NUM", str(number))
    page1 = gql(sb, q)["data"]["repository"]["pullRequest"]["reviews"]
    assert page1["totalCount"] == 3 and len(page1["nodes"]) == 2 and page1["pageInfo"]["hasNextPage"] is True
    page2 = gql(sb, q, {"after": page1["pageInfo"]["endCursor"]})["data"]["repository"]["pullRequest"]["reviews"]
    assert len(page2["nodes"]) == 1 and page2["pageInfo"]["hasNextPage"] is False
    assert {n["fullDatabaseId"] for n in page1["nodes"]}.isdisjoint(n["fullDatabaseId"] for n in page2["nodes"])
    no_first = gql(
        sb,
        '{ repository(owner: "acme", name: "engine") { pullRequest(number: NUM) { files { totalCount } } } }'.replace(
            "NUM", str(number)
        ),
    )
    assert no_first["errors"][0]["message"] == (
        "You must provide a `first` or `last` value to properly paginate the `files` connection.")
    too_many = gql(sb, '{ repository(owner: "acme", name: "engine") { pullRequests(first: 101) { totalCount } } }')
    assert too_many["errors"][0]["message"] == (
        "Requesting 101 records on the `pullRequests` connection exceeds the `first` limit of 100 records.")
    ordered = gql(
        sb,
        '{ repository(owner: "acme", name: "engine") { pullRequests(first: 100, orderBy: {field: UPDATED_AT,'
        " direction: DESC}) { nodes { updatedAt } } } }",
    )["data"]["repository"]["pullRequests"]["nodes"]
    assert [n["updatedAt"] for n in ordered] == sorted((n["updatedAt"] for n in ordered), reverse=True)


def test_not_found_is_typed_like_github(github_dataset: Path, github_sandbox) -> None:
    sb = github_sandbox(github_dataset)
    data = gql(sb, '{ repository(owner: "acme", name: "engine") { a: pullRequest(number: 99999) { number } } }')
    assert data["data"] == {"repository": {"a": None}}
    assert data["errors"][0]["type"] == "NOT_FOUND" and data["errors"][0]["path"] == ["repository", "a"]
    assert data["errors"][0]["message"] == "Could not resolve to a PullRequest with the number of 99999."
    g = Github(base_url=sb.url, auth=Auth.Token("t"), seconds_between_requests=0)
    with pytest.raises(UnknownObjectException):
        g.requester.graphql_query('{ repository(owner: "acme", name: "gone") { name } }', {})


def test_user_ids_beyond_32_bits_fail_like_github(tmp_path: Path, github_sandbox) -> None:
    sb = github_sandbox(build_github_dataset(tmp_path / "d", issues=1, pulls=2, big_user_ids=True))
    number = load_github_data(tmp_path / "d").repo("acme", "engine").pulls[0]["number"]
    data = gql(sb, '{ repository(owner: "acme", name: "engine") { pullRequest(number: NUM) {'
                   ' author { login ... on User { databaseId } } } } }'.replace("NUM", str(number)))
    author = data["data"]["repository"]["pullRequest"]["author"]
    assert author["databaseId"] is None and author["login"]
    assert data["errors"][0]["path"][-1] == "databaseId"
    assert "32-bit" in data["errors"][0]["message"]


def test_bots_lose_their_suffix_and_unserved_fields_say_so(tmp_path: Path, github_sandbox) -> None:
    sb = github_sandbox(build_github_dataset(tmp_path / "d", issues=1, pulls=2, reviews=3))
    repo = load_github_data(tmp_path / "d").repo("acme", "engine")
    bot_review = next(r for r in repo.reviews if r["user"]["type"] == "Bot")
    assert bot_review["user"]["login"] == "mergify[bot]"
    number = int(bot_review["pull_request_url"].rsplit("/", 1)[1])
    data = gql(
        sb,
        '{ repository(owner: "acme", name: "engine") { pullRequest(number: NUM) {'
        " reviews(first: 100) { nodes { author { __typename login ... on Bot { databaseId } } } } } } }".replace(
            "NUM", str(number)
        ),
    )
    authors = [n["author"] for n in data["data"]["repository"]["pullRequest"]["reviews"]["nodes"]]
    assert {"__typename": "Bot", "login": "mergify", "databaseId": bot_review["user"]["id"]} in authors
    unserved = gql(sb, '{ repository(owner: "acme", name: "engine") { stargazerCount } }')
    assert unserved["errors"][0]["message"] == "The GitHub sandbox does not serve Repository.stargazerCount."


def test_auth_paths_and_rate_headers(github_dataset: Path, github_sandbox) -> None:
    sb = github_sandbox(github_dataset)
    anon = requests.post(sb.url + "/graphql", json={"query": "{ rateLimit { remaining } }"})
    assert anon.status_code == 401 and anon.json()["message"] == "This endpoint requires you to be authenticated."
    r = requests.post(sb.url + "/api/graphql", headers=TOKEN, json={"query": "{ rateLimit { limit remaining used } }"})
    assert r.headers["X-RateLimit-Resource"] == "graphql"
    assert r.json()["data"]["rateLimit"] == {"limit": 5000, "remaining": 4999, "used": 1}
    g = Github(base_url=f"{sb.url}/api/v3", auth=Auth.Token("t"), seconds_between_requests=0)
    _, data = g.requester.graphql_query('{ repository(owner: "acme", name: "engine") { nameWithOwner } }', {})
    assert data["data"]["repository"]["nameWithOwner"] == "acme/engine"
    assert sb.requests[-1]["path"] == "/api/graphql"
