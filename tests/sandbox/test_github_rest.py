"""The GitHub sandbox answers like GitHub: paging and Link, filters, ETag/304, rate limits,
faults, the /api/v3 prefix, 404s, files, users, workflow dispatch, and payloads valid per spec."""

from __future__ import annotations

import base64
import http.client
import json
import time
from pathlib import Path

import pytest
import requests
from github import Auth, Github, GithubException, RateLimitExceededException

from sandbox.github.data import load_github_data
from sandbox.github.rest import git_blob_sha
from tests.helpers.github_data import build_github_dataset
from tests.sandbox.github_spec import errors

TOKEN = {"Authorization": "token test-token"}
CORPUS = Path("/work/shared/corpus/vllm-dev")


def links(resp: requests.Response) -> dict[str, str]:
    return {
        rel: url
        for url, rel in (
            (part.split(";")[0].strip(" <>"), part.split('rel="')[1].rstrip('"'))
            for part in resp.headers["Link"].split(",")
        )
    }


@pytest.fixture
def big(tmp_path: Path) -> Path:
    return build_github_dataset(tmp_path / "big", issues=150, pulls=60, comments=2, events=1)


def test_paging_link_headers_as_github_forms_them(big: Path, github_sandbox) -> None:
    sb = github_sandbox(big)
    r = requests.get(f"{sb.url}/repos/acme/engine/issues", params={"state": "all", "per_page": 100}, headers=TOKEN)
    assert r.status_code == 200 and len(r.json()) == 100
    assert r.headers["Link"] == (
        f'<{sb.url}/repositories/77/issues?state=all&per_page=100&page=2>; rel="next", '
        f'<{sb.url}/repositories/77/issues?state=all&per_page=100&page=3>; rel="last"')
    r2 = requests.get(links(r)["next"], headers=TOKEN)
    assert len(r2.json()) == 100
    assert list(links(r2)) == ["prev", "next", "last", "first"]
    r3 = requests.get(links(r2)["last"], headers=TOKEN)
    assert len(r3.json()) == 10 and list(links(r3)) == ["prev", "first"]
    numbers = [i["number"] for i in r.json() + r2.json() + r3.json()]
    assert sorted(numbers) == list(range(1, 211)) and len(set(numbers)) == 210
    # per_page is capped at 100, defaults to 30; beyond the last page is an empty list
    assert len(requests.get(f"{sb.url}/repos/acme/engine/issues?state=all&per_page=500", headers=TOKEN).json()) == 100
    assert len(requests.get(f"{sb.url}/repos/acme/engine/issues?state=all", headers=TOKEN).json()) == 30
    assert requests.get(f"{sb.url}/repos/acme/engine/issues?state=all&page=9", headers=TOKEN).json() == []
    # one page: no Link header
    assert "Link" not in requests.get(f"{sb.url}/repos/acme/engine/labels", headers=TOKEN).headers


def test_pygithub_follows_links_through_the_repositories_path(big: Path, github_sandbox) -> None:
    sb = github_sandbox(big)
    g = Github(base_url=sb.url, auth=Auth.Token("t"), per_page=100, seconds_between_requests=0, lazy=True)
    issues = list(g.get_repo("acme/engine").get_issues(state="all"))
    assert len(issues) == 210
    assert [r["path"] for r in sb.requests] == ["/repos/acme/engine/issues", "/repositories/77/issues",
                                                 "/repositories/77/issues"]


def test_filters_since_sort_direction_state(big: Path, github_sandbox) -> None:
    sb = github_sandbox(big)
    data = load_github_data(big).repo("acme", "engine")
    since = sorted(i["updated_at"] for i in data.issues)[150]
    got = requests.get(f"{sb.url}/repos/acme/engine/issues", headers=TOKEN, params={
        "state": "all", "since": since, "sort": "updated", "direction": "asc", "per_page": 100}).json()
    want = sorted((i for i in data.issues if i["updated_at"] >= since), key=lambda i: (i["updated_at"], i["number"]))
    assert [i["number"] for i in got] == [i["number"] for i in want]
    desc = requests.get(f"{sb.url}/repos/acme/engine/issues?state=all&sort=updated&per_page=100", headers=TOKEN).json()
    assert [i["updated_at"] for i in desc] == sorted((i["updated_at"] for i in desc), reverse=True)
    open_only = requests.get(f"{sb.url}/repos/acme/engine/issues?per_page=100&page=1", headers=TOKEN).json()
    assert open_only and {i["state"] for i in open_only} == {"open"}
    comments = requests.get(f"{sb.url}/repos/acme/engine/issues/comments", headers=TOKEN, params={
        "since": since, "sort": "updated", "direction": "asc", "per_page": 100}).json()
    assert comments and all(c["updated_at"] >= since for c in comments)
    assert [c["updated_at"] for c in comments] == sorted(c["updated_at"] for c in comments)
    bad = requests.get(f"{sb.url}/repos/acme/engine/issues?since=yesterday", headers=TOKEN)
    assert bad.status_code == 422


def test_issue_events_are_newest_first_without_since(big: Path, github_sandbox) -> None:
    sb = github_sandbox(big)
    events = requests.get(f"{sb.url}/repos/acme/engine/issues/events?per_page=100&since=2099-01-01T00:00:00Z",
                          headers=TOKEN).json()
    assert len(events) == 100  # GitHub has no `since` here; it is ignored, as GitHub ignores unknown parameters
    assert [e["id"] for e in events] == sorted((e["id"] for e in events), reverse=True)  # GitHub orders by id
    assert [e["created_at"] for e in events] == sorted((e["created_at"] for e in events), reverse=True)


def test_etag_and_304_cost_nothing(github_dataset: Path, github_sandbox, tmp_path: Path) -> None:
    log = tmp_path / "requests.log"
    sb = github_sandbox(github_dataset, request_log=log)
    url = f"{sb.url}/repos/acme/engine/issues?state=all&per_page=100"
    first = requests.get(url, headers=TOKEN)
    etag = first.headers["ETag"]
    assert etag.startswith('W/"') and first.headers["X-RateLimit-Remaining"] == "4999"
    again = requests.get(url, headers={**TOKEN, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == etag and again.headers["X-RateLimit-Remaining"] == "4999"
    assert requests.get(url, headers={**TOKEN, "If-None-Match": 'W/"other"'}).status_code == 200
    for path in ("/repos/acme/engine", "/repos/acme/engine/labels", "/rate_limit", "/repos/acme/engine/nope"):
        assert "ETag" in requests.get(sb.url + path, headers=TOKEN).headers
    lines = log.read_text().splitlines()
    assert json.loads(lines[1]) == {"method": "GET", "path": "/repos/acme/engine/issues",
                                    "query": "state=all&per_page=100", "status": 304, "bytes": 0, "conditional": True}
    assert '"status": 304' in lines[1]  # what the acceptance check greps
    assert len(lines) == len(sb.requests) == 7


def test_primary_rate_limit_403_body_and_headers(github_dataset: Path, github_sandbox) -> None:
    sb = github_sandbox(github_dataset, faults="ratelimit-after=3,ratelimit-window=60")
    for left in ("2", "1", "0"):
        assert requests.get(f"{sb.url}/repos/acme/engine", headers=TOKEN).headers["X-RateLimit-Remaining"] == left
    host, port = sb.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port))
    conn.request("GET", "/repos/acme/engine/labels", headers=TOKEN)
    resp = conn.getresponse()
    body = json.loads(resp.read())
    assert resp.status == 403
    assert body["message"].startswith("API rate limit exceeded for user ID ")
    assert body["documentation_url"].startswith("https://docs.github.com/rest/overview/rate-limits-for-the-rest-api")
    headers = resp.getheaders()
    for name in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Used", "X-RateLimit-Reset",
                 "X-RateLimit-Resource"):
        assert [v for k, v in headers if k.lower() == name.lower()] != [] and len(
            [v for k, v in headers if k.lower() == name.lower()]) == 1, name  # set once, never appended
    assert resp.getheader("X-RateLimit-Limit") == "3" and resp.getheader("X-RateLimit-Remaining") == "0"
    assert resp.getheader("X-RateLimit-Used") == "3" and int(resp.getheader("X-RateLimit-Reset")) > time.time()
    # PyGithub recognises it for what it is
    g = Github(base_url=sb.url, auth=Auth.Token("test-token"), retry=None, seconds_between_requests=0)
    with pytest.raises(RateLimitExceededException):
        g.get_repo("acme/engine")
    # another token has its own quota; /rate_limit is free and reports the spent one
    assert requests.get(f"{sb.url}/repos/acme/engine", headers={"Authorization": "token other"}).status_code == 200
    rl = requests.get(f"{sb.url}/rate_limit", headers=TOKEN).json()
    assert rl["rate"]["remaining"] == 0 and rl["resources"]["core"]["used"] == 3
    assert errors("/rate_limit", rl) == []


def test_rate_limit_window_resets(github_dataset: Path, github_sandbox) -> None:
    sb = github_sandbox(github_dataset, faults="ratelimit-after=2,ratelimit-window=0.5")
    codes = [requests.get(f"{sb.url}/repos/acme/engine", headers=TOKEN).status_code for _ in range(3)]
    assert codes == [200, 200, 403]
    time.sleep(0.6)
    assert requests.get(f"{sb.url}/repos/acme/engine", headers=TOKEN).status_code == 200


def test_secondary_limits_carry_retry_after(github_dataset: Path, github_sandbox) -> None:
    sb = github_sandbox(github_dataset, faults="secondary=1,retry-after=7")
    seen = set()
    for i in range(12):
        r = requests.get(f"{sb.url}/repos/acme/engine/issues/{i + 1}", headers=TOKEN)
        seen.add(r.status_code)
        assert r.status_code in (403, 429) and r.headers["Retry-After"] == "7"
        assert r.json()["message"].startswith("You have exceeded a secondary rate limit")
    assert seen == {403, 429}


def test_faults_are_deterministic_for_a_seed(github_dataset: Path, github_sandbox) -> None:
    def statuses(spec: str) -> list[int]:
        sb = github_sandbox(github_dataset, faults=spec)
        out = []
        session = requests.Session()
        for i in range(200):
            try:
                r = session.get(f"{sb.url}/repos/acme/engine/issues/{i % 60 + 1}", headers=TOKEN)
                try:
                    r.json()
                    out.append(r.status_code)
                except ValueError:
                    out.append(-1)  # malformed body
            except requests.ConnectionError:
                out.append(0)  # dropped
                session = requests.Session()
        return out

    spec = "5xx=0.1,drop=0.05,malformed=0.05,seed=3"
    a, b, c = statuses(spec), statuses(spec), statuses(spec.replace("seed=3", "seed=4"))
    assert a == b and a != c
    assert 8 <= sum(s >= 500 for s in a) <= 35 and 2 <= a.count(0) <= 20 and 2 <= a.count(-1) <= 20
    assert {s for s in a if s >= 500} <= {500, 502, 503}


def test_304_is_never_faulted(github_dataset: Path, github_sandbox) -> None:
    sb = github_sandbox(github_dataset, faults="5xx=0.5,drop=0.2,malformed=0.2,seed=1")
    url = f"{sb.url}/repos/acme/engine/labels"
    while True:
        try:
            r = requests.get(url, headers=TOKEN)
            r.json()
        except (requests.ConnectionError, ValueError):
            continue
        if r.status_code == 200:
            break
    statuses = {requests.get(url, headers={**TOKEN, "If-None-Match": r.headers["ETag"]}).status_code for _ in range(30)}
    assert statuses == {304}


def test_api_v3_prefix_serves_the_same(big: Path, github_sandbox) -> None:
    sb = github_sandbox(big)
    plain = requests.get(f"{sb.url}/repos/acme/engine/issues?state=all&per_page=100", headers=TOKEN)
    ghe = requests.get(f"{sb.url}/api/v3/repos/acme/engine/issues?state=all&per_page=100", headers=TOKEN)
    assert json.loads(ghe.text.replace(f"{sb.url}/api/v3", sb.url)) == plain.json()
    assert ghe.json()[0]["url"].startswith(f"{sb.url}/api/v3/repos/acme/engine/issues/")
    assert links(ghe)["next"].startswith(f"{sb.url}/api/v3/repositories/77/issues?")
    g = Github(base_url=f"{sb.url}/api/v3", auth=Auth.Token("t"), seconds_between_requests=0)
    assert g.get_repo("acme/engine").full_name == "acme/engine"
    # GitHub Enterprise Server ships with rate limiting off: no headers, and /rate_limit says so
    assert "X-RateLimit-Remaining" not in ghe.headers and "X-RateLimit-Remaining" in plain.headers
    off = requests.get(f"{sb.url}/api/v3/rate_limit", headers=TOKEN)
    assert off.status_code == 404 and off.json()["message"] == "Rate limiting is not enabled."
    walled = github_sandbox(big, faults="ratelimit-after=100")  # an injected wall applies there too
    assert requests.get(f"{walled.url}/api/v3/repos/acme/engine", headers=TOKEN).headers["X-RateLimit-Limit"] == "100"
    assert requests.post(f"{sb.url}/api/graphql", headers=TOKEN, json={"query": "{ rateLimit { remaining } }"}).json()[
        "data"]["rateLimit"]["remaining"] >= 0


def test_not_found_like_github(github_dataset: Path, github_sandbox) -> None:
    sb = github_sandbox(github_dataset)
    for path in ("/repos/acme/nope", "/repos/acme/nope/issues", "/repos/acme/engine/issues/9999",
                 "/repos/acme/engine/pulls/9999/reviews", "/repos/acme/engine/contents/NOPE", "/users/nobody-here",
                 "/something/else"):
        r = requests.get(sb.url + path, headers=TOKEN)
        assert r.status_code == 404, path
        assert r.json() == {
            "message": "Not Found",
            "documentation_url": "https://docs.github.com/rest",
            "status": "404",
        }
    g = Github(base_url=sb.url, auth=Auth.Token("t"), retry=None, seconds_between_requests=0)
    with pytest.raises(GithubException) as exc:
        g.get_repo("acme/nope")
    assert exc.value.status == 404


def test_payloads_validate_against_githubs_spec(github_dataset: Path, github_sandbox) -> None:
    sb = github_sandbox(github_dataset)
    data = load_github_data(github_dataset).repo("acme", "engine")
    pull = data.pulls[0]["number"]
    plain = next(i["number"] for i in data.issues if "pull_request" not in i)
    login = data.issues[0]["user"]["login"]
    checks = {
        "/repos/{owner}/{repo}": "/repos/acme/engine",
        "/repos/{owner}/{repo}/issues": "/repos/acme/engine/issues?state=all&per_page=100",
        "/repos/{owner}/{repo}/issues/{issue_number}": f"/repos/acme/engine/issues/{plain}",
        "/repos/{owner}/{repo}/issues/comments": "/repos/acme/engine/issues/comments?per_page=100",
        "/repos/{owner}/{repo}/issues/{issue_number}/comments": f"/repos/acme/engine/issues/{plain}/comments",
        "/repos/{owner}/{repo}/issues/events": "/repos/acme/engine/issues/events?per_page=100",
        "/repos/{owner}/{repo}/pulls": "/repos/acme/engine/pulls?state=all&per_page=100",
        "/repos/{owner}/{repo}/pulls/{pull_number}": f"/repos/acme/engine/pulls/{pull}",
        "/repos/{owner}/{repo}/pulls/{pull_number}/files": f"/repos/acme/engine/pulls/{pull}/files",
        "/repos/{owner}/{repo}/pulls/{pull_number}/reviews": f"/repos/acme/engine/pulls/{pull}/reviews",
        "/repos/{owner}/{repo}/pulls/comments": "/repos/acme/engine/pulls/comments?per_page=100",
        "/repos/{owner}/{repo}/contents/{path}": "/repos/acme/engine/contents/.github/CODEOWNERS",
        "/repos/{owner}/{repo}/labels": "/repos/acme/engine/labels",
        "/rate_limit": "/rate_limit",
        "/users/{username}": f"/users/{login}",
    }
    for operation, path in checks.items():
        payload = requests.get(sb.url + path, headers=TOKEN).json()
        assert payload, operation
        assert errors(operation, payload) == [], operation
    directory = requests.get(f"{sb.url}/repos/acme/engine/contents/.github", headers=TOKEN).json()
    assert errors("/repos/{owner}/{repo}/contents/{path}", directory) == []


def test_contents_are_githubs_base64_json(github_dataset: Path, github_sandbox) -> None:
    sb = github_sandbox(github_dataset)
    body = requests.get(f"{sb.url}/repos/acme/engine/contents/.github/CODEOWNERS", headers=TOKEN).json()
    raw = (github_dataset / "github/acme__engine/contents/.github/CODEOWNERS").read_bytes()
    assert body["type"] == "file" and body["encoding"] == "base64" and body["path"] == ".github/CODEOWNERS"
    assert base64.b64decode(body["content"]) == raw and body["sha"] == git_blob_sha(raw) and body["size"] == len(raw)
    assert all(len(line) <= 60 for line in body["content"].splitlines())
    g = Github(base_url=sb.url, auth=Auth.Token("t"), seconds_between_requests=0)
    assert g.get_repo("acme/engine").get_contents(".github/CODEOWNERS").decoded_content == raw
    listing = requests.get(f"{sb.url}/repos/acme/engine/contents/.github", headers=TOKEN).json()
    assert [(e["name"], e["type"]) for e in listing] == [("CODEOWNERS", "file")]


def test_a_directory_listed_carries_its_git_tree_id(github_dataset: Path, github_sandbox) -> None:
    """As on GitHub, a directory's `sha` is git's tree id, so it changes when anything under it does
    (collectors compare it). Ids checked with `git write-tree` on the same files."""
    contents = github_dataset / "github/acme__engine/contents"
    (contents / "a" / "b").mkdir(parents=True)
    (contents / "a" / "b" / "f").write_bytes(b"x\n")
    (contents / "a" / "g").write_bytes(b"y\n")
    sb = github_sandbox(github_dataset)
    root = {e["name"]: e for e in requests.get(f"{sb.url}/repos/acme/engine/contents", headers=TOKEN).json()}
    assert root["a"]["type"] == "dir" and root["a"]["sha"] == "9a32d613ca1cc1af750e79b6c0a57986a0cff1b9"
    sb.data.repo("acme", "engine").files["a/g"] = b"z\n"
    changed = {e["name"]: e for e in requests.get(f"{sb.url}/repos/acme/engine/contents", headers=TOKEN).json()}
    assert changed["a"]["sha"] != root["a"]["sha"] and changed[".github"]["sha"] == root[".github"]["sha"]


def test_users_profiles_and_gists(github_dataset: Path, github_sandbox) -> None:
    (github_dataset / "github" / "users.json").write_text(json.dumps([{"login": "alice", "id": 103,
                                                                       "bio": "discord: alice#1234"}]))
    (github_dataset / "github" / "gists.json").write_text(json.dumps({"alice": [{"id": "g1", "description": "x"}]}))
    sb = github_sandbox(github_dataset)
    alice = requests.get(f"{sb.url}/users/ALICE", headers=TOKEN).json()
    assert alice["login"] == "alice" and alice["bio"] == "discord: alice#1234"
    assert errors("/users/{username}", alice) == []
    bob = requests.get(f"{sb.url}/users/bob", headers=TOKEN).json()
    assert bob["bio"] is None and bob["id"] == 104
    assert requests.get(f"{sb.url}/users/alice/gists", headers=TOKEN).json() == [{"id": "g1", "description": "x"}]
    assert requests.get(f"{sb.url}/users/bob/orgs", headers=TOKEN).json() == []


def test_workflow_dispatch_is_recorded(github_dataset: Path, github_sandbox, tmp_path: Path) -> None:
    log = tmp_path / "requests.log"
    sb = github_sandbox(github_dataset, request_log=log)
    url = f"{sb.url}/repos/acme/engine/actions/workflows/bench.yml/dispatches"
    ok = requests.post(url, headers=TOKEN, json={"ref": "main", "inputs": {"issue": "12", "target": "serving"}})
    assert ok.status_code == 204 and ok.content == b""
    assert requests.post(url, headers=TOKEN, json={"inputs": {}}).status_code == 422
    assert sb.dispatches[0]["inputs"] == {"issue": "12", "target": "serving"} and len(sb.dispatches) == 1
    runs = requests.get(f"{sb.url}/repos/acme/engine/actions/runs", headers=TOKEN).json()
    assert runs["total_count"] == 1 and runs["workflow_runs"][0]["event"] == "workflow_dispatch"
    first = json.loads(log.read_text().splitlines()[0])
    assert first["method"] == "POST" and first["status"] == 204
    # PyGithub's own call works too
    g = Github(base_url=sb.url, auth=Auth.Token("t"), seconds_between_requests=0, seconds_between_writes=0)
    assert g.get_repo("acme/engine").get_workflow("bench.yml").create_dispatch("main", {"issue": "3"}) is True


def test_latency_is_added(github_dataset: Path, github_sandbox) -> None:
    sb = github_sandbox(github_dataset, latency_ms=80)
    session = requests.Session()
    session.get(f"{sb.url}/rate_limit")
    start = time.perf_counter()
    session.get(f"{sb.url}/repos/acme/engine", headers=TOKEN)
    assert time.perf_counter() - start >= 0.08


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the real vLLM corpus is not on this machine")
def test_real_corpus_served_unchanged(github_sandbox) -> None:
    """Objects come back exactly as stored, except that API URLs name the sandbox (as a GHE host's do)."""
    sb = github_sandbox(CORPUS)

    def here(obj: object) -> object:
        return json.loads(json.dumps(obj).replace('"https://api.github.com', f'"{sb.url}'))

    stored = json.loads((CORPUS / "github/vllm-project__vllm/review_comments.json").read_text())
    served = requests.get(f"{sb.url}/repos/vllm-project/vllm/pulls/comments?per_page=100", headers=TOKEN).json()
    assert sorted(served, key=lambda c: c["id"]) == sorted(here(stored), key=lambda c: c["id"])
    issue = json.loads((CORPUS / "github/vllm-project__vllm/issues.json").read_text())[0]
    assert requests.get(f"{sb.url}/repos/vllm-project/vllm/issues/{issue['number']}", headers=TOKEN).json() == here(
        issue
    )
    assert issue["url"].startswith("https://api.github.com/")
