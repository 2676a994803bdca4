"""A small, spec-valid GitHub dataset directory built in a test (DATASET.md layout).

Objects have every field GitHub's OpenAPI description requires, so the sandbox's answers can be
validated against the spec. Sizes are parameters: enough to exercise paging (per_page=100) while
staying fast.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rules.github import TIMELINE_EVENTS
from sandbox.community.util import next_node_id

API = "https://api.github.com"
NOW = datetime(2026, 11, 27, tzinfo=UTC)


def iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def user(login: str, uid: int, kind: str = "User") -> dict[str, Any]:
    return {
        "login": login,
        "id": uid,
        "node_id": f"U_{uid}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}",
        "gravatar_id": "",
        "url": f"{API}/users/{login}",
        "html_url": f"https://github.com/{login}",
        "followers_url": f"{API}/users/{login}/followers",
        "following_url": f"{API}/users/{login}/following{{/other_user}}",
        "gists_url": f"{API}/users/{login}/gists{{/gist_id}}",
        "starred_url": f"{API}/users/{login}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{API}/users/{login}/subscriptions",
        "organizations_url": f"{API}/users/{login}/orgs",
        "repos_url": f"{API}/users/{login}/repos",
        "events_url": f"{API}/users/{login}/events{{/privacy}}",
        "received_events_url": f"{API}/users/{login}/received_events",
        "type": kind,
        "site_admin": False,
    }


def repo_object(full_name: str, rid: int, owner: dict[str, Any]) -> dict[str, Any]:
    base = f"{API}/repos/{full_name}"
    urls = {
        k: f"{base}/{k.removesuffix('_url')}"
        for k in (
            "archive_url",
            "assignees_url",
            "blobs_url",
            "branches_url",
            "collaborators_url",
            "comments_url",
            "commits_url",
            "compare_url",
            "contents_url",
            "contributors_url",
            "deployments_url",
            "downloads_url",
            "events_url",
            "forks_url",
            "git_commits_url",
            "git_refs_url",
            "git_tags_url",
            "hooks_url",
            "issue_comment_url",
            "issue_events_url",
            "issues_url",
            "keys_url",
            "labels_url",
            "languages_url",
            "merges_url",
            "milestones_url",
            "notifications_url",
            "pulls_url",
            "releases_url",
            "stargazers_url",
            "statuses_url",
            "subscribers_url",
            "subscription_url",
            "tags_url",
            "teams_url",
            "trees_url",
        )
    }
    return {
        **urls,
        "id": rid,
        "node_id": f"R_{rid}",
        "name": full_name.split("/")[1],
        "full_name": full_name,
        "owner": owner,
        "private": False,
        "html_url": f"https://github.com/{full_name}",
        "description": "an engine",
        "fork": False,
        "url": base,
        "clone_url": f"https://github.com/{full_name}.git",
        "git_url": f"git://github.com/{full_name}.git",
        "ssh_url": f"git@github.com:{full_name}.git",
        "svn_url": f"https://github.com/{full_name}",
        "homepage": None,
        "language": "Python",
        "forks": 1,
        "forks_count": 1,
        "stargazers_count": 5,
        "watchers": 5,
        "watchers_count": 5,
        "size": 100,
        "default_branch": "main",
        "open_issues": 3,
        "open_issues_count": 3,
        "has_issues": True,
        "has_projects": False,
        "has_wiki": False,
        "has_downloads": True,
        "has_pages": False,
        "has_discussions": False,
        "archived": False,
        "disabled": False,
        "mirror_url": None,
        "license": None,
        "pushed_at": iso(NOW - timedelta(hours=2)),
        "created_at": "2023-02-09T00:00:00Z",
        "updated_at": iso(NOW - timedelta(hours=2)),
        "network_count": 1,
        "subscribers_count": 2,
    }


def label(name: str, lid: int, full_name: str) -> dict[str, Any]:
    return {"id": lid, "node_id": f"L_{lid}", "url": f"{API}/repos/{full_name}/labels/{name}", "name": name,
            "description": f"{name} label", "color": "ededed", "default": False}


def build_github_dataset(root: Path, *, full_name: str = "acme/engine", seed: int = 0, issues: int = 40,
                         pulls: int = 25, comments: int = 3, reviews: int = 2, review_comments: int = 2,
                         events: int = 2, files: int = 2, now: datetime = NOW, days: float = 6.5,
                         big_user_ids: bool = False, codeowners: str | None = "* @maint-a\n/vllm/ @maint-b\n") -> Path:
    """Write a dataset with `issues` plain issues and `pulls` pull requests (numbers interleaved),
    each with comments, reviews, review comments, events and files, all inside the last `days`."""
    rnd = random.Random(seed)
    owner = full_name.split("/")[0]
    uid_base = 3_000_000_000 if big_user_ids else 100
    people = [user(n, uid_base + i) for i, n in enumerate(
        ["maint-a", "maint-b", "newbie", "alice", "bob", "carol", "dave", "erin"])]
    people.append(user("mergify[bot]", uid_base + 50, "Bot"))
    org = user(owner, 1, "Organization")
    repo = repo_object(full_name, 77, org)
    labels = [label(n, 11 + i, full_name) for i, n in enumerate(["bug", "good first issue", "frontend", "v1", "ci"])]
    start = now - timedelta(days=days)

    def when(lo: datetime, hi: datetime) -> datetime:
        span = max(1, int((hi - lo).total_seconds()))
        return lo + timedelta(seconds=rnd.randrange(span))

    out_issues, out_pulls, out_comments, out_reviews, out_rcomments, out_events = [], [], [], [], [], []
    out_files: dict[str, list[dict[str, Any]]] = {}
    total = issues + pulls
    pull_numbers = set(rnd.sample(range(1, total + 1), pulls))
    ids = iter(range(10_000, 10_000_000))
    for number in range(1, total + 1):
        is_pull = number in pull_numbers
        created = when(start, now - timedelta(hours=6))
        author = rnd.choice(people[:8])
        state = rnd.choice(["open", "open", "closed"])
        thread_times = sorted(when(created, now - timedelta(minutes=5)) for _ in range(comments + events + 1))
        updated = thread_times[-1]
        closed = iso(updated) if state == "closed" else None
        lbls = rnd.sample(labels, rnd.randrange(3))
        base_url = f"{API}/repos/{full_name}/issues/{number}"
        html = f"https://github.com/{full_name}/{'pull' if is_pull else 'issues'}/{number}"
        issue = {
            "id": next(ids), "node_id": f"I_{number}", "url": base_url, "repository_url": f"{API}/repos/{full_name}",
            "labels_url": f"{base_url}/labels{{/name}}", "comments_url": f"{base_url}/comments",
            "events_url": f"{base_url}/events", "html_url": html, "number": number, "state": state,
            "title": f"{'[Frontend] fix' if is_pull else '[Bug]: crash'} number {number}", "body": f"body {number}",
            "user": author, "labels": lbls, "assignee": None, "assignees": [], "milestone": None, "locked": False,
            "active_lock_reason": None, "comments": comments, "created_at": iso(created), "updated_at": iso(updated),
            "closed_at": closed, "author_association": "CONTRIBUTOR", "state_reason": "completed" if closed else None,
        }
        merged = is_pull and state == "closed" and rnd.random() < 0.7
        if is_pull:
            pull_url = f"{API}/repos/{full_name}/pulls/{number}"
            issue["pull_request"] = {"url": pull_url, "html_url": html, "diff_url": f"{html}.diff",
                                     "patch_url": f"{html}.patch", "merged_at": closed if merged else None}
            reviewer = rnd.choice(people[:2])
            branch = {"label": f"{author['login']}:fix-{number}", "ref": f"fix-{number}", "sha": f"{number:040x}",
                      "user": author, "repo": repo}
            out_pulls.append(
                {
                    "url": pull_url,
                    "id": 500_000 + number,
                    "node_id": f"PR_{number}",
                    "html_url": html,
                    "diff_url": f"{html}.diff",
                    "patch_url": f"{html}.patch",
                    "issue_url": base_url,
                    "commits_url": f"{pull_url}/commits",
                    "review_comments_url": f"{pull_url}/comments",
                    "review_comment_url": f"{API}/repos/{full_name}/pulls/comments{{/number}}",
                    "comments_url": f"{base_url}/comments",
                    "statuses_url": f"{API}/repos/{full_name}/statuses/{number:040x}",
                    "number": number,
                    "state": state,
                    "locked": False,
                    "title": issue["title"],
                    "user": author,
                    "body": issue["body"],
                    "labels": lbls,
                    "milestone": None,
                    "active_lock_reason": None,
                    "created_at": issue["created_at"],
                    "updated_at": issue["updated_at"],
                    "closed_at": closed,
                    "merged_at": closed if merged else None,
                    "merge_commit_sha": f"{number + 7:040x}",
                    "assignee": None,
                    "assignees": [],
                    "requested_reviewers": [] if merged else [reviewer],
                    "requested_teams": [],
                    "head": branch,
                    "base": {**branch, "label": f"{owner}:main", "ref": "main", "sha": "f" * 40},
                    "_links": {
                        k: {"href": f"{pull_url}/{k}"}
                        for k in (
                            "comments",
                            "commits",
                            "statuses",
                            "html",
                            "issue",
                            "review_comments",
                            "review_comment",
                            "self",
                        )
                    },
                    "author_association": "CONTRIBUTOR",
                    "auto_merge": None,
                    "draft": rnd.random() < 0.2,
                }
            )
            if merged:
                out_pulls[-1]["merged_by"] = people[0]
            paths = rnd.sample(["vllm/entrypoints/openai/api_server.py", "vllm/v1/core/sched.py", "csrc/attention.cu",
                                "docs/index.md", "tests/test_x.py", "vllm/model_executor/layers/quant.py"], files)
            out_files[str(number)] = [{
                "sha": f"{i:040x}", "filename": p, "status": rnd.choice(["modified", "added", "removed", "renamed"]),
                "additions": (a := rnd.randrange(50)), "deletions": (d := rnd.randrange(20)), "changes": a + d,
                "blob_url": f"https://github.com/{full_name}/blob/x/{p}", "raw_url": f"https://github.com/{full_name}/raw/x/{p}",
                "contents_url": f"{API}/repos/{full_name}/contents/{p}", "patch": "@@ -1 +1 @@",
            } for i, p in enumerate(paths)]
            for k in range(reviews):
                rid = next(ids)
                who = people[k % 2] if k < 2 else people[8]
                at = thread_times[min(k, len(thread_times) - 1)]
                out_reviews.append({
                    "id": rid, "node_id": f"PRR_{rid}", "user": who, "body": f"review {k}",
                    "state": ["COMMENTED", "APPROVED", "CHANGES_REQUESTED"][k % 3], "commit_id": f"{number:040x}",
                    "html_url": f"{html}#pullrequestreview-{rid}", "pull_request_url": pull_url,
                    "_links": {"html": {"href": f"{html}#pullrequestreview-{rid}"}, "pull_request": {"href": pull_url}},
                    "author_association": "MEMBER", "submitted_at": iso(at),
                })
                for c in range(review_comments if k == 0 else 0):
                    cid = next(ids)
                    out_rcomments.append({
                        "url": f"{API}/repos/{full_name}/pulls/comments/{cid}", "id": cid, "node_id": f"PRRC_{cid}",
                        "pull_request_review_id": rid, "diff_hunk": "@@ -1 +1 @@", "path": paths[c % len(paths)],
                        "position": 1, "original_position": 1, "commit_id": f"{number:040x}",
                        "original_commit_id": f"{number:040x}", "user": who, "body": f"nit {c}",
                        "created_at": iso(at), "updated_at": iso(at), "html_url": f"{html}#discussion_r{cid}",
                        "pull_request_url": pull_url, "author_association": "MEMBER",
                        "_links": {"self": {"href": f"{API}/repos/{full_name}/pulls/comments/{cid}"},
                                   "html": {"href": f"{html}#discussion_r{cid}"}, "pull_request": {"href": pull_url}},
                    })
                    if c:
                        out_rcomments[-1]["in_reply_to_id"] = out_rcomments[-2]["id"]
        for c in range(comments):
            cid = next(ids)
            at = thread_times[c]
            out_comments.append(
                {
                    "id": cid,
                    "node_id": f"IC_{cid}",
                    "url": f"{API}/repos/{full_name}/issues/comments/{cid}",
                    "html_url": f"{html}#issuecomment-{cid}",
                    "body": f"comment {c} on {number}",
                    "user": rnd.choice(people[:8]),
                    "created_at": iso(at),
                    "updated_at": iso(at),
                    "issue_url": base_url,
                    "author_association": "NONE",
                }
            )
        for e in range(events):
            eid = next(ids)
            kind = ["labeled", "assigned", "closed", "review_requested" if is_pull else "reopened"][e % 4]
            ev = {"id": eid, "node_id": "", "url": f"{API}/repos/{full_name}/issues/events/{eid}",
                  "actor": rnd.choice(people[:2]), "event": kind, "commit_id": None, "commit_url": None,
                  "created_at": iso(thread_times[comments + e]), "issue": {k: v for k, v in issue.items()}}
            if kind == "labeled":
                ev["label"] = {"name": labels[e % len(labels)]["name"], "color": "ededed"}
            if kind == "assigned":
                ev["assignee"] = people[2]
                ev["assigner"] = people[0]
            if kind == "review_requested":
                ev["requested_reviewer"] = people[1]
                ev["review_requester"] = author
            out_events.append(ev)
        out_issues.append(issue)

    # GitHub numbers events as they happen: ids rise with created_at (its events list is ordered by id).
    out_events.sort(key=lambda ev: ev["created_at"])
    for eid, ev in enumerate(out_events, start=next(ids)):
        ev.update({"id": eid, "url": f"{API}/repos/{full_name}/issues/events/{eid}",
                   "node_id": event_node_id(ev["event"], repo["id"], ev["issue"]["id"], eid)})
    gh = root / "github" / full_name.replace("/", "__")
    gh.mkdir(parents=True, exist_ok=True)
    (root / "meta.json").write_text(
        json.dumps({"format": 1, "generated_by": "tests.helpers.github_data", "now": iso(now)})
    )
    for name, data in (("repo.json", repo), ("issues.json", out_issues), ("pulls.json", out_pulls),
                       ("issue_comments.json", out_comments), ("reviews.json", out_reviews),
                       ("review_comments.json", out_rcomments), ("pull_files.json", out_files),
                       ("issue_events.json", out_events), ("labels.json", labels)):
        (gh / name).write_text(json.dumps(data, indent=1))
    if codeowners is not None:
        (gh / "contents" / ".github").mkdir(parents=True, exist_ok=True)
        (gh / "contents" / ".github" / "CODEOWNERS").write_text(codeowners)
    return root


def event_node_id(kind: str, repo_id: int, issue_id: int, event_id: int) -> str:
    """An issue event's node id as GitHub writes it (`LE_lADO...`): the timeline type's initials."""
    prefix = "".join(c for c in TIMELINE_EVENTS.get(kind, "Event") if c.isupper())
    return next_node_id(prefix, repo_id, issue_id, event_id)
