"""GitHub REST shapes of the simulated objects, as the list endpoints return them (full objects:
node ids, URLs, user objects, reactions), so PyGithub and the REST schemas accept them unchanged."""

from __future__ import annotations

from typing import Any, ClassVar, overload
from urllib.parse import quote

from sandbox.community.model import Comment, Event, Item, Review, ReviewComment
from sandbox.community.people import Person
from sandbox.community.util import iso, next_node_id, node_id
from sandbox.community.writer import dumps

LABEL_COLORS = {
    "bug": ("d73a4a", "Something isn't working"),
    "feature request": ("a2eeef", "New feature or request"),
    "usage": ("c5def5", "How to use vllm"),
    "RFC": ("0e8a16", "Request for comments"),
    "performance": ("fbca04", "Performance-related issues"),
    "installation": ("bfd4f2", "Installation problems"),
    "new model": ("5319e7", "Requests to new models"),
    "documentation": ("0075ca", "Improvements or additions to documentation"),
    "ci-failure": ("b60205", "Issue about an unexpected test failure in CI"),
    "misc": ("ededed", "Miscellaneous"),
    "good first issue": ("7057ff", "Good for newcomers"),
    "help wanted": ("008672", "Extra attention is needed"),
    "stale": ("ededed", "Over 90 days of inactivity"),
    "unstale": ("ededed", "Recieved activity after being labelled stale"),
    "keep-open": ("ededed", "Prevents the stale bot from closing this"),
    "ready": ("0e8a16", "ONLY add when PR is ready to merge/full CI is needed"),
    "needs-rebase": ("b60205", "Merge conflicts with main"),
    "duplicate": ("cfd3d7", "This issue or pull request already exists"),
}
EXTRA_LABELS = ("keep-open", "unstale", "duplicate")


class GitHubRenderer:
    def __init__(self, repo: str, repo_id: int, created: int, now: int, api: str = "https://api.github.com") -> None:
        self.repo = repo
        self.owner_login, self.name = repo.split("/", 1)
        self.api_root = api
        self.api = f"{api}/repos/{repo}"
        self.html = f"https://github.com/{repo}"
        self.repo_id = repo_id
        self.repo_created = created
        self.now = now
        self._users: dict[int, dict[str, Any]] = {}
        self._labels: dict[str, dict[str, Any]] = {}
        self._forks: dict[int, dict[str, Any]] = {}
        self.org = self._user_dict(self.owner_login, 136984999, "Organization")
        self.org_json = dumps(self.org)
        self._user_json: dict[int, str] = {}
        self._label_json: dict[str, str] = {}
        self._repo_json_cache: dict[int, str] = {}
        self.repo_obj: dict[str, Any] = {}
        self.open_issues = 0

    # ------------------------------------------------------------------ users, labels, repos

    def _user_dict(self, login: str, uid: int, typ: str) -> dict[str, Any]:
        q = quote(login)
        u = f"{self.api_root}/users/{q}"
        bot = typ == "Bot"
        return {
            "login": login,
            "id": uid,
            "node_id": node_id("BOT_kgDO" if bot else "O_kgDO" if typ == "Organization" else "U_kgDO", 0, uid),
            "avatar_url": (
                f"https://avatars.githubusercontent.com/{'in/' + str(uid % 100000) if bot else 'u/' + str(uid)}?v=4"
            ),
            "gravatar_id": "",
            "url": u,
            "html_url": f"https://github.com/apps/{login.removesuffix('[bot]')}"
            if bot
            else f"https://github.com/{login}",
            "followers_url": f"{u}/followers",
            "following_url": f"{u}/following{{/other_user}}",
            "gists_url": f"{u}/gists{{/gist_id}}",
            "starred_url": f"{u}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{u}/subscriptions",
            "organizations_url": f"{u}/orgs",
            "repos_url": f"{u}/repos",
            "events_url": f"{u}/events{{/privacy}}",
            "received_events_url": f"{u}/received_events",
            "type": typ,
            "user_view_type": "public",
            "site_admin": False,
        }

    @overload
    def user(self, p: Person) -> dict[str, Any]: ...

    @overload
    def user(self, p: None) -> None: ...

    def user(self, p: Person | None) -> dict[str, Any] | None:
        if p is None:
            return None
        u = self._users.get(p.idx)
        if u is None:
            u = self._users[p.idx] = self._user_dict(p.login, p.gh_id, "Bot" if p.is_bot else "User")
        return u

    def label(self, name: str, sub_labels: dict[str, str]) -> dict[str, Any]:
        lb = self._labels.get(name)
        if lb is None:
            color, desc = LABEL_COLORS.get(name, ("ededed", ""))
            if name in sub_labels:
                color, desc = "c2e0c6", f"Related to {sub_labels[name]}"
            lid = 5_000_000_000 + len(self._labels) * 7919 + sum(map(ord, name))
            lb = self._labels[name] = {
                "id": lid,
                "node_id": node_id("LA_kwDOI", self.repo_id, name),
                "url": f"{self.api}/labels/{quote(name)}",
                "name": name,
                "color": color,
                "default": name in ("bug", "documentation", "duplicate", "good first issue", "help wanted"),
                "description": desc,
            }
        return lb

    def labels(self) -> list[dict[str, Any]]:
        return list(self._labels.values())

    def _repo_dict(self, rid: int, owner: dict[str, Any], name: str, fork: bool, created: int, pushed: int,
                   description: str | None, stars: int, forks: int, open_issues: int) -> dict[str, Any]:
        full = f"{owner['login']}/{name}"
        a = f"{self.api_root}/repos/{full}"
        return {
            "id": rid,
            "node_id": node_id("R_kgDO", 0, rid),
            "name": name,
            "full_name": full,
            "private": False,
            "owner": owner,
            "html_url": f"https://github.com/{full}",
            "description": description,
            "fork": fork,
            "url": a,
            "forks_url": f"{a}/forks",
            "keys_url": f"{a}/keys{{/key_id}}",
            "collaborators_url": f"{a}/collaborators{{/collaborator}}",
            "teams_url": f"{a}/teams",
            "hooks_url": f"{a}/hooks",
            "issue_events_url": f"{a}/issues/events{{/number}}",
            "events_url": f"{a}/events",
            "assignees_url": f"{a}/assignees{{/user}}",
            "branches_url": f"{a}/branches{{/branch}}",
            "tags_url": f"{a}/tags",
            "blobs_url": f"{a}/git/blobs{{/sha}}",
            "git_tags_url": f"{a}/git/tags{{/sha}}",
            "git_refs_url": f"{a}/git/refs{{/sha}}",
            "trees_url": f"{a}/git/trees{{/sha}}",
            "statuses_url": f"{a}/statuses/{{sha}}",
            "languages_url": f"{a}/languages",
            "stargazers_url": f"{a}/stargazers",
            "contributors_url": f"{a}/contributors",
            "subscribers_url": f"{a}/subscribers",
            "subscription_url": f"{a}/subscription",
            "commits_url": f"{a}/commits{{/sha}}",
            "git_commits_url": f"{a}/git/commits{{/sha}}",
            "comments_url": f"{a}/comments{{/number}}",
            "issue_comment_url": f"{a}/issues/comments{{/number}}",
            "contents_url": f"{a}/contents/{{+path}}",
            "compare_url": f"{a}/compare/{{base}}...{{head}}",
            "merges_url": f"{a}/merges",
            "archive_url": f"{a}/{{archive_format}}{{/ref}}",
            "downloads_url": f"{a}/downloads",
            "issues_url": f"{a}/issues{{/number}}",
            "pulls_url": f"{a}/pulls{{/number}}",
            "milestones_url": f"{a}/milestones{{/number}}",
            "notifications_url": f"{a}/notifications{{?since,all,participating}}",
            "labels_url": f"{a}/labels{{/name}}",
            "releases_url": f"{a}/releases{{/id}}",
            "deployments_url": f"{a}/deployments",
            "created_at": iso(created),
            "updated_at": iso(pushed),
            "pushed_at": iso(pushed),
            "git_url": f"git://github.com/{full}.git",
            "ssh_url": f"git@github.com:{full}.git",
            "clone_url": f"https://github.com/{full}.git",
            "svn_url": f"https://github.com/{full}",
            "homepage": "https://docs.vllm.ai" if not fork else None,
            "size": 61234 if not fork else 48211,
            "stargazers_count": stars,
            "watchers_count": stars,
            "language": "Python",
            "has_issues": not fork,
            "has_projects": True,
            "has_downloads": True,
            "has_wiki": not fork,
            "has_pages": False,
            "has_discussions": False,
            "forks_count": forks,
            "mirror_url": None,
            "archived": False,
            "disabled": False,
            "open_issues_count": open_issues,
            "license": {
                "key": "apache-2.0",
                "name": "Apache License 2.0",
                "spdx_id": "Apache-2.0",
                "url": f"{self.api_root}/licenses/apache-2.0",
                "node_id": "MDc6TGljZW5zZTI=",
            },
            "allow_forking": True,
            "is_template": False,
            "web_commit_signoff_required": False,
            "topics": ["amd", "cuda", "inference", "llm", "model-serving", "pytorch", "transformer"]
            if not fork
            else [],
            "visibility": "public",
            "forks": forks,
            "open_issues": open_issues,
            "watchers": stars,
            "default_branch": "main",
        }

    def repository(self, open_issues: int) -> dict[str, Any]:
        """The watched repository; `network_count`/`subscribers_count` as GET /repos/{owner}/{repo} adds them."""
        self.open_issues = open_issues
        r = self._repo_dict(
            self.repo_id,
            self.org,
            self.name,
            False,
            self.repo_created,
            self.now - 3600,
            "A high-throughput and memory-efficient inference and serving engine for LLMs",
            71234,
            13456,
            open_issues,
        )
        self.repo_obj = r
        full = dict(r)
        full.update(
            {
                "network_count": 13456,
                "subscribers_count": 512,
                "temp_clone_token": "",
                "allow_squash_merge": True,
                "allow_merge_commit": False,
                "allow_rebase_merge": False,
                "allow_auto_merge": True,
                "delete_branch_on_merge": False,
                "allow_update_branch": True,
                "use_squash_pr_title_as_default": True,
                "squash_merge_commit_title": "PR_TITLE",
                "squash_merge_commit_message": "COMMIT_MESSAGES",
                "merge_commit_title": "MERGE_MESSAGE",
                "merge_commit_message": "PR_TITLE",
                "organization": self.org,
                "permissions": {"admin": False, "maintain": False, "push": False, "triage": False, "pull": True},
            }
        )
        return full

    def fork_of(self, p: Person) -> dict[str, Any]:
        f = self._forks.get(p.idx)
        if f is None:
            created = self.repo_created + (p.gh_id % 700) * 86400
            f = self._forks[p.idx] = self._repo_dict(700_000_000 + p.gh_id % 290_000_000, self.user(p), self.name, True,
                                                     created, self.now - 86400 * (1 + p.gh_id % 30), None, 0, 0, 0)
        return f

    # ------------------------------------------------------------------ small parts

    def reactions(self, url: str, seed: int, hot: float = 1.0) -> dict[str, Any]:
        h = (seed * 2654435761) & 0xFFFFFFFF
        plus = (h % 9) if (h >> 8) % 4 == 0 else 0
        plus = int(plus * hot)
        eyes = 1 if (h >> 12) % 11 == 0 else 0
        heart = 1 if (h >> 16) % 17 == 0 else 0
        rocket = 1 if (h >> 20) % 23 == 0 else 0
        return {"url": url, "total_count": plus + eyes + heart + rocket, "+1": plus, "-1": 0, "laugh": 0, "hooray": 0,
                "confused": 0, "heart": heart, "rocket": rocket, "eyes": eyes}

    def item_html(self, it: Item) -> str:
        return f"{self.html}/{'pull' if it.is_pr else 'issues'}/{it.number}"

    # ------------------------------------------------------------------ objects
    #
    # Objects are encoded here, with the shared parts (user, repository and label objects) encoded
    # once and spliced in: the same JSON a dict would give, at a fraction of the cost at scale.

    def user_json(self, p: Person | None) -> str:
        if p is None:
            return "null"
        j = self._user_json.get(p.idx)
        if j is None:
            j = self._user_json[p.idx] = dumps(self.user(p))
        return j

    def _users_json(self, ps: list[Person]) -> str:
        return "[" + ", ".join(self.user_json(p) for p in ps) + "]"

    def _labels_json(self, names: list[str], sub_labels: dict[str, str]) -> str:
        out = []
        for n in names:
            j = self._label_json.get(n)
            if j is None:
                j = self._label_json[n] = dumps(self.label(n, sub_labels))
            out.append(j)
        return "[" + ", ".join(out) + "]"

    def _repo_json(self, p: Person | None) -> str:
        key = -1 if p is None else p.idx
        j = self._repo_json_cache.get(key)
        if j is None:
            j = self._repo_json_cache[key] = dumps(self.repo_obj if p is None else self.fork_of(p))
        return j

    def issue_json(self, it: Item, sub_labels: dict[str, str]) -> tuple[str, str]:
        """(full issue object, the same without `body` for embedding in events)."""
        n = it.number
        u = f"{self.api}/issues/{n}"
        d: dict[str, Any] = {
            "url": u, "repository_url": self.api, "labels_url": f"{u}/labels{{/name}}", "comments_url": f"{u}/comments",
            "events_url": f"{u}/events", "html_url": self.item_html(it), "id": it.id,
            "node_id": node_id("PR_kwDOI" if it.is_pr else "I_kwDOI", self.repo_id, n), "number": n, "title": it.title,
            "state": it.state, "locked": False, "milestone": None,
            "comments": len(it.comments), "created_at": iso(it.created), "updated_at": iso(it.updated),
            "closed_at": iso(it.closed) if it.closed is not None else None, "author_association": it.author.association,  # type: ignore[union-attr]
            "type": None, "active_lock_reason": None,
        }
        if it.is_pr:
            d["draft"] = it.draft
            d["pull_request"] = {"url": f"{self.api}/pulls/{n}", "html_url": f"{self.html}/pull/{n}",
                                 "diff_url": f"{self.html}/pull/{n}.diff", "patch_url": f"{self.html}/pull/{n}.patch",
                                 "merged_at": iso(it.merged) if it.merged is not None else None}
        else:
            d["sub_issues_summary"] = {"total": 0, "completed": 0, "percent_completed": 0}
            d["issue_dependencies_summary"] = {
                "blocked_by": 0,
                "total_blocked_by": 0,
                "blocking": 0,
                "total_blocking": 0,
            }
        d["reactions"] = self.reactions(f"{u}/reactions", it.id, 1.0 + len(it.comments) / 10)
        d["timeline_url"] = f"{u}/timeline"
        d["performed_via_github_app"] = None
        d["state_reason"] = it.state_reason
        slim = splice(dumps(d), (
            ("user", self.user_json(it.author)), ("labels", self._labels_json(it.labels, sub_labels)),
            ("assignee", self.user_json(it.assignees[0]) if it.assignees else "null"),
            ("assignees", self._users_json(it.assignees))))
        return slim[:-1] + ', "body": ' + dumps(it.body) + "}", slim

    def pull_json(self, pr: Item, sub_labels: dict[str, str]) -> str:
        n = pr.number
        u = f"{self.api}/pulls/{n}"
        a = pr.author
        assert a is not None
        upstream = a.kind == "maintainer" and a.gh_id % 3 == 0
        head_owner = self.org_json if upstream else self.user_json(a)
        head_label = f"{self.owner_login if upstream else a.login}:{pr.head_ref}"
        head = (
            '{"label": '
            + dumps(head_label)
            + ', "ref": '
            + dumps(pr.head_ref)
            + f', "sha": "{pr.head_sha}", "user": '
            + head_owner
            + ', "repo": '
            + self._repo_json(None if upstream else a)
            + "}"
        )
        base = (f'{{"label": "{self.owner_login}:main", "ref": "main", "sha": "{pr.base_sha}", "user": ' + self.org_json
                + ', "repo": ' + self._repo_json(None) + "}")
        d = {
            "url": u,
            "id": pr.pull_id,
            "node_id": node_id("PR_kwDOI", self.repo_id, n),
            "html_url": f"{self.html}/pull/{n}",
            "diff_url": f"{self.html}/pull/{n}.diff",
            "patch_url": f"{self.html}/pull/{n}.patch",
            "issue_url": f"{self.api}/issues/{n}",
            "number": n,
            "state": pr.state,
            "locked": False,
            "title": pr.title,
            "body": pr.body,
            "created_at": iso(pr.created),
            "updated_at": iso(pr.updated),
            "closed_at": iso(pr.closed) if pr.closed is not None else None,
            "merged_at": iso(pr.merged) if pr.merged is not None else None,
            "merge_commit_sha": pr.merge_sha,
            "requested_teams": [],
            "milestone": None,
            "draft": pr.draft,
            "commits_url": f"{u}/commits",
            "review_comments_url": f"{u}/comments",
            "review_comment_url": f"{self.api}/pulls/comments{{/number}}",
            "comments_url": f"{self.api}/issues/{n}/comments",
            "statuses_url": f"{self.api}/statuses/{pr.head_sha}",
            "_links": {
                "self": {"href": u},
                "html": {"href": f"{self.html}/pull/{n}"},
                "issue": {"href": f"{self.api}/issues/{n}"},
                "comments": {"href": f"{self.api}/issues/{n}/comments"},
                "review_comments": {"href": f"{u}/comments"},
                "review_comment": {"href": f"{self.api}/pulls/comments{{/number}}"},
                "commits": {"href": f"{u}/commits"},
                "statuses": {"href": f"{self.api}/statuses/{pr.head_sha}"},
            },
            "author_association": a.association,
            "auto_merge": None,
            "active_lock_reason": None,
        }
        return splice(dumps(d), (
            ("user", self.user_json(a)), ("labels", self._labels_json(pr.labels, sub_labels)),
            ("assignee", self.user_json(pr.assignees[0]) if pr.assignees else "null"),
            ("assignees", self._users_json(pr.assignees)), ("requested_reviewers", self._users_json(pr.requested)),
            ("head", head), ("base", base)))

    def comment_json(self, c: Comment, it: Item) -> str:
        u = f"{self.api}/issues/comments/{c.id}"
        d = {
            "url": u,
            "html_url": f"{self.item_html(it)}#issuecomment-{c.id}",
            "issue_url": f"{self.api}/issues/{it.number}",
            "id": c.id,
            "node_id": node_id("IC_kwDOI", self.repo_id, c.id),
            "created_at": iso(c.t),
            "updated_at": iso(c.t),
            "author_association": c.author.association,
            "body": c.body,
            "reactions": self.reactions(f"{u}/reactions", c.id),
            "performed_via_github_app": None,
        }
        return splice(dumps(d), (("user", self.user_json(c.author)),))

    def review_json(self, r: Review, pr: Item) -> str:
        html = f"{self.html}/pull/{pr.number}#pullrequestreview-{r.id}"
        d = {
            "id": r.id, "node_id": node_id("PRR_kwDOI", self.repo_id, r.id), "body": r.body,
            "state": r.state, "html_url": html, "pull_request_url": f"{self.api}/pulls/{pr.number}",
            "author_association": r.author.association,
            "_links": {"html": {"href": html}, "pull_request": {"href": f"{self.api}/pulls/{pr.number}"}},
            "submitted_at": iso(r.t), "commit_id": r.commit,
        }
        return splice(dumps(d), (("user", self.user_json(r.author)),))

    def review_comment_json(self, c: ReviewComment, pr: Item) -> str:
        u = f"{self.api}/pulls/comments/{c.id}"
        html = f"{self.html}/pull/{pr.number}#discussion_r{c.id}"
        d: dict[str, Any] = {
            "url": u,
            "pull_request_review_id": c.review.id if c.review is not None else None,
            "id": c.id,
            "node_id": node_id("PRRC_kwDOI", self.repo_id, c.id),
            "diff_hunk": c.hunk,
            "path": c.path,
            "commit_id": pr.head_sha,
            "original_commit_id": c.commit,
            "body": c.body,
            "created_at": iso(c.t),
            "updated_at": iso(c.t),
            "html_url": html,
            "pull_request_url": f"{self.api}/pulls/{pr.number}",
            "author_association": c.author.association,
            "_links": {
                "self": {"href": u},
                "html": {"href": html},
                "pull_request": {"href": f"{self.api}/pulls/{pr.number}"},
            },
            "reactions": self.reactions(f"{u}/reactions", c.id, 0.3),
            "start_line": None,
            "original_start_line": None,
            "start_side": None,
            "line": c.line,
            "original_line": c.line,
            "side": "RIGHT",
            "subject_type": "line",
        }
        if c.reply_to is not None:
            d["in_reply_to_id"] = c.reply_to.id
        return splice(dumps(d), (("user", self.user_json(c.author)),))

    _EVENT_PREFIX: ClassVar[dict[str, str]] = {  # GitHub's type prefixes of these timeline events
        "labeled": "LE", "unlabeled": "UNLE", "assigned": "AE", "unassigned": "UAE", "closed": "CE", "reopened": "REE",
        "merged": "ME", "referenced": "REFE", "review_requested": "RRE", "head_ref_deleted": "HRDE",
        "head_ref_force_pushed": "HRFPE", "ready_for_review": "RFRE", "convert_to_draft": "CTDE", "renamed": "RTE"}

    def event_json(self, e: Event, issue_json: str, issue_id: int) -> str:
        d: dict[str, Any] = {
            "id": e.id, "node_id": next_node_id(self._EVENT_PREFIX.get(e.kind, "E"), self.repo_id, issue_id, e.id),
            "url": f"{self.api}/issues/events/{e.id}", "event": e.kind,
            "commit_id": e.commit, "commit_url": f"{self.api}/commits/{e.commit}" if e.commit else None,
            "created_at": iso(e.t), "performed_via_github_app": None,
        }
        parts = [("actor", self.user_json(e.actor))]
        if e.label is not None:
            lb = self._labels.get(e.label)
            d["label"] = {"name": e.label, "color": lb["color"] if lb else "ededed"}
        if e.assignee is not None:
            parts += [("assignee", self.user_json(e.assignee)), ("assigner", self.user_json(e.actor))]
        if e.reviewer is not None:
            parts += [("review_requester", self.user_json(e.actor)), ("requested_reviewer", self.user_json(e.reviewer))]
        if e.rename is not None:
            d["rename"] = {"from": e.rename[0], "to": e.rename[1]}
        parts.append(("issue", issue_json))
        return splice(dumps(d), parts)

    def pull_file(self, f: Any, pr: Item) -> dict[str, Any]:
        q = quote(f.path)
        return {
            "sha": f.sha,
            "filename": f.path,
            "status": f.status,
            "additions": f.additions,
            "deletions": f.deletions,
            "changes": f.additions + f.deletions,
            "blob_url": f"{self.html}/blob/{pr.head_sha}/{q}",
            "raw_url": f"{self.html}/raw/{pr.head_sha}/{q}",
            "contents_url": f"{self.api}/contents/{q}?ref={pr.head_sha}",
            "patch": f.patch,
        }


def splice(encoded: str, parts: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> str:
    """Add pre-encoded members to an encoded JSON object."""
    return encoded[:-1] + "".join(f', "{k}": {v}' for k, v in parts) + "}"
