"""`POST /graphql`: queries validated and executed against GitHub's published schema, resolved
from the dataset.

Validation is graphql-core's over the real schema, so a misspelt field, a missing argument or a
wrong type fails exactly where GitHub's would (errors carry GitHub's wording for unknown fields).
Resolution covers what a collector of pull requests reads: `repository { pullRequest(number:) ...
pullRequests(...) }` with authors, labels, review requests, reviews, changed files, merge state;
`issue(number:)`; both with `timelineItems(itemTypes:, since:, first/after...)` serving the
dataset's issue events as GitHub's timeline types (union members by `__typename`, oldest first,
the REST event's `node_id` as `id`); plus `rateLimit`, `user` and `repositoryOwner`. A valid
field the sandbox does not serve fails with an error naming it, never with silent nulls.
Connections enforce GitHub's `first`/`last` rules (one of them is required, at most 100) and use
opaque cursors.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Sequence
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLResolveInfo,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    VariableNode,
    default_field_resolver,
    default_type_resolver,
    execute_sync,
    parse,
    validate,
)

from rules.github import PULL_ONLY_EVENTS, TIMELINE_EVENTS, timeline_item_type
from sandbox.community.util import next_node_id
from sandbox.github.data import GitHubData, Obj, RepoData, ts
from sandbox.github.schema import github_schema

PATCH_STATUS = {"added": "ADDED", "removed": "DELETED", "modified": "MODIFIED", "renamed": "RENAMED",
                "copied": "COPIED", "changed": "CHANGED", "unchanged": "MODIFIED"}


class NotFound(GraphQLError):
    """GitHub's NOT_FOUND error (PyGithub maps `"type": "NOT_FOUND"` to UnknownObjectException)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"type": "NOT_FOUND"})


class Node:
    """A resolved object: `f_<field>` methods or plain `values`; anything else is not served."""

    typename = "Node"

    def __init__(self, values: Obj | None = None) -> None:
        self.values = values or {}

    def get(self, name: str, info: GraphQLResolveInfo, args: dict[str, Any]) -> Any:
        method = getattr(self, f"f_{name}", None)
        if method is not None:
            return method(info, **args)
        if name in self.values:
            return self.values[name]
        raise GraphQLError(f"The GitHub sandbox does not serve {self.typename}.{name}.")


def _cursor(index: int) -> str:
    return base64.b64encode(f"cursor:v2:{index}".encode()).decode()


def _index(cursor: str, name: str) -> int:
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
        if text.startswith("cursor:v2:"):
            return int(text.removeprefix("cursor:v2:"))
    except (ValueError, UnicodeDecodeError):
        pass
    raise GraphQLError(f"`{cursor}` does not appear to be a valid cursor.")


class Connection(Node):
    """A Relay connection over a list, paged by `first`/`after` or `last`/`before`."""

    typename = "Connection"

    def __init__(self, name: str, items: Sequence[Any], make: Callable[[Any], Any], first: int | None = None,
                 last: int | None = None, after: str | None = None, before: str | None = None) -> None:
        super().__init__()
        if first is None and last is None:
            raise GraphQLError(
                f"You must provide a `first` or `last` value to properly paginate the `{name}` connection."
            )
        for arg, value in (("first", first), ("last", last)):
            if value is not None and value > 100:
                raise GraphQLError(
                    f"Requesting {value} records on the `{name}` connection exceeds the `{arg}` limit of 100 records."
                )
            if value is not None and value < 0:
                raise GraphQLError(f"`{arg}` on the `{name}` connection cannot be less than zero.")
        lo, hi = 0, len(items)
        if after is not None:
            lo = max(lo, _index(after, name) + 1)
        if before is not None:
            hi = min(hi, _index(before, name))
        window = list(range(lo, max(lo, hi)))
        if first is not None:
            window = window[:first]
        if last is not None:
            window = window[-last:] if last else []
        self.total = len(items)
        self.window = window
        self.items = items
        self.make = make
        self.lo, self.hi = lo, hi

    def f_totalCount(self, info: GraphQLResolveInfo) -> int:
        return self.total

    def f_nodes(self, info: GraphQLResolveInfo) -> list[Any]:
        return [self.make(self.items[i]) for i in self.window]

    def f_edges(self, info: GraphQLResolveInfo) -> list[Obj]:
        return [{"cursor": _cursor(i), "node": self.make(self.items[i])} for i in self.window]

    def f_pageInfo(self, info: GraphQLResolveInfo) -> Obj:
        w = self.window
        return {
            "hasNextPage": bool(w) and w[-1] + 1 < self.hi,
            "hasPreviousPage": bool(w) and w[0] > self.lo,
            "startCursor": _cursor(w[0]) if w else None,
            "endCursor": _cursor(w[-1]) if w else None,
        }


class Actor(Node):
    """A User, Bot or Organization from a REST user object (GraphQL drops a bot's `[bot]` suffix)."""

    def __init__(self, user: Obj, data: GitHubData) -> None:
        super().__init__()
        self.user = user
        self.data = data
        kind = user.get("type") or "User"
        self.typename = kind if kind in ("User", "Bot", "Organization", "Mannequin") else "User"

    def f_login(self, info: GraphQLResolveInfo) -> str:
        login = str(self.user["login"])
        return login.removesuffix("[bot]") if self.typename == "Bot" else login

    def f_databaseId(self, info: GraphQLResolveInfo) -> int:
        return int(self.user["id"])

    def f_id(self, info: GraphQLResolveInfo) -> str:
        return str(self.user.get("node_id") or f"U_{self.user['id']}")

    def f_url(self, info: GraphQLResolveInfo) -> str:
        return self.user.get("html_url") or f"https://github.com/{self.user['login']}"

    def f_resourcePath(self, info: GraphQLResolveInfo) -> str:
        return f"/{self.user['login']}"

    def f_avatarUrl(self, info: GraphQLResolveInfo, size: int | None = None) -> str:
        return self.user.get("avatar_url") or "https://avatars.githubusercontent.com/u/0"

    def f_isSiteAdmin(self, info: GraphQLResolveInfo) -> bool:
        return bool(self.user.get("site_admin", False))

    def _profile(self) -> Obj:
        return self.data.profiles.get(str(self.user["login"]).lower(), {})

    def f_name(self, info: GraphQLResolveInfo) -> str | None:
        return self._profile().get("name")

    def f_bio(self, info: GraphQLResolveInfo) -> str | None:
        return self._profile().get("bio")


GHOST = ("ghost", 10137)  # REST's stand-in for a deleted account, which GraphQL answers as null


def actor(user: Any, data: GitHubData) -> Actor | None:
    if not isinstance(user, dict) or "login" not in user:
        return None
    if (str(user["login"]).lower(), user.get("id")) == GHOST:
        return None
    return Actor(user, data)


class Commit(Node):
    typename = "Commit"

    def __init__(self, oid: str) -> None:
        super().__init__({"oid": oid, "abbreviatedOid": oid[:7], "id": f"C_{oid}"})


class Label(Node):
    typename = "Label"

    def __init__(self, label: Obj) -> None:
        super().__init__({"id": label.get("node_id") or f"L_{label.get('id')}", "name": label["name"],
                          "color": label.get("color") or "", "description": label.get("description"),
                          "isDefault": bool(label.get("default", False))})


class ChangedFile(Node):
    typename = "PullRequestChangedFile"

    def __init__(self, f: Obj) -> None:
        super().__init__({"path": f["filename"], "additions": int(f.get("additions", 0)),
                          "deletions": int(f.get("deletions", 0)),
                          "changeType": PATCH_STATUS.get(str(f.get("status", "modified")), "MODIFIED")})


class Review(Node):
    typename = "PullRequestReview"

    def __init__(self, review: Obj, data: GitHubData) -> None:
        super().__init__()
        self.r = review
        self.data = data

    def f_id(self, info: GraphQLResolveInfo) -> str:
        return str(self.r.get("node_id") or f"PRR_{self.r['id']}")

    def f_databaseId(self, info: GraphQLResolveInfo) -> int:
        return int(self.r["id"])

    def f_fullDatabaseId(self, info: GraphQLResolveInfo) -> str:
        return str(self.r["id"])  # BigInt travels as a string

    def f_author(self, info: GraphQLResolveInfo) -> Actor | None:
        return actor(self.r.get("user"), self.data)

    def f_authorAssociation(self, info: GraphQLResolveInfo) -> str:
        return self.r.get("author_association") or "NONE"

    def f_state(self, info: GraphQLResolveInfo) -> str:
        return str(self.r["state"])

    def f_body(self, info: GraphQLResolveInfo) -> str:
        return self.r.get("body") or ""

    def f_submittedAt(self, info: GraphQLResolveInfo) -> str | None:
        return self.r.get("submitted_at")

    def f_createdAt(self, info: GraphQLResolveInfo) -> str | None:
        return self.r.get("submitted_at")

    def f_url(self, info: GraphQLResolveInfo) -> str:
        return self.r.get("html_url") or ""

    def f_commit(self, info: GraphQLResolveInfo) -> Commit | None:
        return Commit(self.r["commit_id"]) if self.r.get("commit_id") else None


class ReviewRequest(Node):
    typename = "ReviewRequest"

    def __init__(self, reviewer: Obj, data: GitHubData, team: bool = False) -> None:
        super().__init__()
        self.reviewer = reviewer
        self.data = data
        self.team = team

    def f_requestedReviewer(self, info: GraphQLResolveInfo) -> Node | None:
        if self.team:
            t = Node({"name": self.reviewer.get("name"), "slug": self.reviewer.get("slug"),
                      "id": self.reviewer.get("node_id") or f"T_{self.reviewer.get('id')}",
                      "databaseId": self.reviewer.get("id")})
            t.typename = "Team"
            return t
        return actor(self.reviewer, self.data)

    def f_asCodeOwner(self, info: GraphQLResolveInfo) -> bool:
        return False


class TimelineEvent(Node):
    """One issue event as its GraphQL timeline type (`LabeledEvent`, `ClosedEvent`, ...)."""

    def __init__(self, event: Obj, repo: RepoData, issue: Obj, data: GitHubData) -> None:
        super().__init__()
        self.e = event
        self.repo = repo
        self.issue = issue
        self.data = data
        self.typename = TIMELINE_EVENTS[str(event["event"])]

    def f_id(self, info: GraphQLResolveInfo) -> str:
        prefix = "".join(c for c in self.typename if c.isupper())
        return str(self.e.get("node_id") or next_node_id(prefix, self.repo.id, int(self.issue.get("id") or 0),
                                                          int(self.e["id"])))

    def f_createdAt(self, info: GraphQLResolveInfo) -> str:
        return str(self.e["created_at"])

    def f_actor(self, info: GraphQLResolveInfo) -> Actor | None:
        return actor(self.e.get("actor"), self.data)

    def f_label(self, info: GraphQLResolveInfo) -> Label:
        return Label(self.e.get("label") or {"name": ""})

    def f_assignee(self, info: GraphQLResolveInfo) -> Actor | None:
        return actor(self.e.get("assignee"), self.data)

    def f_requestedReviewer(self, info: GraphQLResolveInfo) -> Node | None:
        if self.e.get("requested_team"):
            return ReviewRequest(self.e["requested_team"], self.data, team=True).f_requestedReviewer(info)
        return actor(self.e.get("requested_reviewer"), self.data)

    def f_commit(self, info: GraphQLResolveInfo) -> Commit | None:
        return Commit(self.e["commit_id"]) if self.e.get("commit_id") else None

    def f_closer(self, info: GraphQLResolveInfo) -> Commit | None:
        return self.f_commit(info)  # the dataset keeps the closing commit; GitHub may name the pull request

    def f_currentTitle(self, info: GraphQLResolveInfo) -> str:
        return str((self.e.get("rename") or {}).get("to") or "")

    def f_previousTitle(self, info: GraphQLResolveInfo) -> str:
        return str((self.e.get("rename") or {}).get("from") or "")


def timeline(repo: RepoData, issue: Obj, data: GitHubData, is_pull: bool, args: dict[str, Any]) -> Connection:
    """`timelineItems`: the issue's events of the asked types, oldest first (GitHub's timeline order)."""
    served = {k for k in TIMELINE_EVENTS if is_pull or k not in PULL_ONLY_EVENTS}
    wanted = args.get("itemTypes")
    if wanted is not None:
        served = {k for k in served if timeline_item_type(TIMELINE_EVENTS[k]) in set(wanted)}
    events = [e for e in repo.events_of(int(issue["number"])) if e.get("event") in served]
    since = args.get("since")
    if since is not None:
        events = [e for e in events if ts(e["created_at"]) >= ts(str(since))]
    skip = int(args.get("skip") or 0)
    events = sorted(events, key=lambda e: (ts(e["created_at"]), e["id"]))[skip:]
    name = "timelineItems"
    return Connection(name, events, lambda e: TimelineEvent(e, repo, issue, data), **_page_args(args))


class Issue(Node):
    typename = "Issue"

    def __init__(self, repo: RepoData, issue: Obj, data: GitHubData) -> None:
        super().__init__()
        self.repo = repo
        self.i = issue
        self.data = data

    def f_id(self, info: GraphQLResolveInfo) -> str:
        return str(self.i.get("node_id") or f"I_{self.i['id']}")

    def f_databaseId(self, info: GraphQLResolveInfo) -> int:
        return int(self.i["id"])

    def f_fullDatabaseId(self, info: GraphQLResolveInfo) -> str:
        return str(self.i["id"])

    def f_number(self, info: GraphQLResolveInfo) -> int:
        return int(self.i["number"])

    def f_title(self, info: GraphQLResolveInfo) -> str:
        return str(self.i.get("title") or "")

    def f_createdAt(self, info: GraphQLResolveInfo) -> str:
        return str(self.i["created_at"])

    def f_updatedAt(self, info: GraphQLResolveInfo) -> str:
        return str(self.i["updated_at"])

    def f_timelineItems(self, info: GraphQLResolveInfo, **args: Any) -> Connection:
        return timeline(self.repo, self.i, self.data, False, args)


class PullRequest(Node):
    typename = "PullRequest"

    def __init__(self, repo: RepoData, pull: Obj, data: GitHubData) -> None:
        super().__init__()
        self.repo = repo
        self.p = pull
        self.data = data

    @property
    def number(self) -> int:
        return int(self.p["number"])

    def _issue(self) -> Obj:
        return self.repo.issue(self.number) or {}

    def f_id(self, info: GraphQLResolveInfo) -> str:
        return str(self.p.get("node_id") or f"PR_{self.p['id']}")

    def f_databaseId(self, info: GraphQLResolveInfo) -> int:
        return int(self.p["id"])

    def f_fullDatabaseId(self, info: GraphQLResolveInfo) -> str:
        return str(self.p["id"])

    def f_number(self, info: GraphQLResolveInfo) -> int:
        return self.number

    def f_title(self, info: GraphQLResolveInfo) -> str:
        return str(self.p.get("title") or "")

    def f_body(self, info: GraphQLResolveInfo) -> str:
        return self.p.get("body") or ""

    def f_state(self, info: GraphQLResolveInfo) -> str:
        if self.p.get("merged_at"):
            return "MERGED"
        return str(self.p["state"]).upper()

    def f_isDraft(self, info: GraphQLResolveInfo) -> bool:
        return bool(self.p.get("draft", False))

    def f_locked(self, info: GraphQLResolveInfo) -> bool:
        return bool(self.p.get("locked", False))

    def f_merged(self, info: GraphQLResolveInfo) -> bool:
        return self.p.get("merged_at") is not None

    def f_closed(self, info: GraphQLResolveInfo) -> bool:
        return self.p.get("state") == "closed"

    def f_url(self, info: GraphQLResolveInfo) -> str:
        return self.p.get("html_url") or f"https://github.com/{self.repo.full_name}/pull/{self.number}"

    def f_createdAt(self, info: GraphQLResolveInfo) -> str:
        return str(self.p["created_at"])

    def f_updatedAt(self, info: GraphQLResolveInfo) -> str:
        return str(self.p["updated_at"])

    def f_closedAt(self, info: GraphQLResolveInfo) -> str | None:
        return self.p.get("closed_at")

    def f_mergedAt(self, info: GraphQLResolveInfo) -> str | None:
        return self.p.get("merged_at")

    def f_author(self, info: GraphQLResolveInfo) -> Actor | None:
        return actor(self.p.get("user"), self.data)

    def f_authorAssociation(self, info: GraphQLResolveInfo) -> str:
        return self.p.get("author_association") or "NONE"

    def f_headRefName(self, info: GraphQLResolveInfo) -> str:
        return str((self.p.get("head") or {}).get("ref") or "")

    def f_headRefOid(self, info: GraphQLResolveInfo) -> str:
        return str((self.p.get("head") or {}).get("sha") or "")

    def f_baseRefName(self, info: GraphQLResolveInfo) -> str:
        return str((self.p.get("base") or {}).get("ref") or "")

    def f_baseRefOid(self, info: GraphQLResolveInfo) -> str:
        return str((self.p.get("base") or {}).get("sha") or "")

    def f_mergeCommit(self, info: GraphQLResolveInfo) -> Commit | None:
        sha = self.p.get("merge_commit_sha")
        return Commit(sha) if sha and self.p.get("merged_at") else None

    def f_potentialMergeCommit(self, info: GraphQLResolveInfo) -> Commit | None:
        sha = self.p.get("merge_commit_sha")
        return Commit(sha) if sha and not self.p.get("merged_at") else None

    def f_mergedBy(self, info: GraphQLResolveInfo) -> Actor | None:
        return actor(self.p.get("merged_by"), self.data)

    def f_labels(self, info: GraphQLResolveInfo, **args: Any) -> Connection:
        labels = self.p.get("labels") or self._issue().get("labels") or []
        return Connection("labels", labels, Label, **_page_args(args))

    def f_assignees(self, info: GraphQLResolveInfo, **args: Any) -> Connection:
        return Connection("assignees", self.p.get("assignees") or [], lambda u: actor(u, self.data), **_page_args(args))

    def f_reviewRequests(self, info: GraphQLResolveInfo, **args: Any) -> Connection:
        reqs = [ReviewRequest(u, self.data) for u in self.p.get("requested_reviewers") or []]
        reqs += [ReviewRequest(t, self.data, team=True) for t in self.p.get("requested_teams") or []]
        return Connection("reviewRequests", reqs, lambda r: r, **_page_args(args))

    def f_reviews(self, info: GraphQLResolveInfo, states: list[str] | None = None, author: str | None = None,
                  **args: Any) -> Connection:
        reviews = sorted(self.repo.reviews_of(self.number),
                         key=lambda r: (ts(r["submitted_at"]) if r.get("submitted_at") else self.data.now, r["id"]))
        if states:
            reviews = [r for r in reviews if r.get("state") in states]
        if author:
            reviews = [r for r in reviews if str((r.get("user") or {}).get("login", "")).lower() == author.lower()]
        return Connection("reviews", reviews, lambda r: Review(r, self.data), **_page_args(args))

    def f_files(self, info: GraphQLResolveInfo, **args: Any) -> Connection:
        return Connection("files", self.repo.files_of(self.number), ChangedFile, **_page_args(args))

    def f_timelineItems(self, info: GraphQLResolveInfo, **args: Any) -> Connection:
        return timeline(self.repo, self._issue() or self.p, self.data, True, args)

    def f_changedFiles(self, info: GraphQLResolveInfo) -> int:
        return len(self.repo.files_of(self.number))

    def f_additions(self, info: GraphQLResolveInfo) -> int:
        return sum(int(f.get("additions", 0)) for f in self.repo.files_of(self.number))

    def f_deletions(self, info: GraphQLResolveInfo) -> int:
        return sum(int(f.get("deletions", 0)) for f in self.repo.files_of(self.number))

    def f_repository(self, info: GraphQLResolveInfo) -> Repository:
        return Repository(self.repo, self.data)


def _page_args(args: dict[str, Any]) -> dict[str, Any]:
    return {k: args.get(k) for k in ("first", "last", "after", "before")}


class Repository(Node):
    typename = "Repository"

    def __init__(self, repo: RepoData, data: GitHubData) -> None:
        super().__init__()
        self.repo = repo
        self.data = data

    def f_id(self, info: GraphQLResolveInfo) -> str:
        return str(self.repo.repo.get("node_id") or f"R_{self.repo.id}")

    def f_databaseId(self, info: GraphQLResolveInfo) -> int:
        return self.repo.id

    def f_name(self, info: GraphQLResolveInfo) -> str:
        return self.repo.name

    def f_nameWithOwner(self, info: GraphQLResolveInfo) -> str:
        return self.repo.full_name

    def f_url(self, info: GraphQLResolveInfo) -> str:
        return self.repo.repo.get("html_url") or f"https://github.com/{self.repo.full_name}"

    def f_isPrivate(self, info: GraphQLResolveInfo) -> bool:
        return bool(self.repo.repo.get("private", False))

    def f_description(self, info: GraphQLResolveInfo) -> str | None:
        return self.repo.repo.get("description")

    def f_createdAt(self, info: GraphQLResolveInfo) -> str | None:
        return self.repo.repo.get("created_at")

    def f_updatedAt(self, info: GraphQLResolveInfo) -> str | None:
        return self.repo.repo.get("updated_at")

    def f_pushedAt(self, info: GraphQLResolveInfo) -> str | None:
        return self.repo.repo.get("pushed_at")

    def f_owner(self, info: GraphQLResolveInfo) -> Actor | None:
        owner = self.repo.repo.get("owner") or {"login": self.repo.owner, "id": 0, "type": "Organization"}
        return actor(owner, self.data)

    def f_pullRequest(self, info: GraphQLResolveInfo, number: int) -> PullRequest:
        pull = self.repo.pull(number)
        if pull is None:
            raise NotFound(f"Could not resolve to a PullRequest with the number of {number}.")
        return PullRequest(self.repo, pull, self.data)

    def f_issue(self, info: GraphQLResolveInfo, number: int) -> Issue:
        issue = self.repo.issue(number)
        if issue is None or issue.get("pull_request") is not None:
            raise NotFound(f"Could not resolve to an Issue with the number of {number}.")
        return Issue(self.repo, issue, self.data)

    def f_pullRequests(self, info: GraphQLResolveInfo, states: list[str] | None = None,
                       orderBy: Obj | None = None, labels: list[str] | None = None,
                       headRefName: str | None = None, baseRefName: str | None = None, **args: Any) -> Connection:
        pulls = list(self.repo.pulls)
        if states:
            def state_of(p: Obj) -> str:
                return "MERGED" if p.get("merged_at") else str(p.get("state", "")).upper()
            pulls = [p for p in pulls if state_of(p) in states]
        if labels:
            pulls = [p for p in pulls if {lb.get("name") for lb in p.get("labels") or []} & set(labels)]
        if headRefName:
            pulls = [p for p in pulls if (p.get("head") or {}).get("ref") == headRefName]
        if baseRefName:
            pulls = [p for p in pulls if (p.get("base") or {}).get("ref") == baseRefName]
        order = orderBy or {"field": "CREATED_AT", "direction": "ASC"}
        field = "updated_at" if order.get("field") == "UPDATED_AT" else "created_at"
        pulls.sort(key=lambda p: (ts(p[field]), p["number"]), reverse=order.get("direction") == "DESC")
        return Connection("pullRequests", pulls, lambda p: PullRequest(self.repo, p, self.data), **_page_args(args))

    def f_labels(self, info: GraphQLResolveInfo, **args: Any) -> Connection:
        args.pop("orderBy", None)
        args.pop("query", None)
        return Connection("labels", self.repo.labels, Label, **_page_args(args))


class QueryRoot(Node):
    typename = "Query"

    def __init__(self, data: GitHubData, rate: Callable[[], Obj]) -> None:
        super().__init__()
        self.data = data
        self.rate = rate

    def f_repository(self, info: GraphQLResolveInfo, owner: str, name: str, followRenames: bool = True) -> Repository:
        repo = self.data.repo(owner, name)
        if repo is None:
            raise NotFound(f"Could not resolve to a Repository with the name '{owner}/{name}'.")
        return Repository(repo, self.data)

    def f_user(self, info: GraphQLResolveInfo, login: str) -> Actor:
        user = self.data.user(login)
        if user is None or (user.get("type") or "User") != "User":
            raise NotFound(f"Could not resolve to a User with the login of '{login}'.")
        return Actor(user, self.data)

    def f_repositoryOwner(self, info: GraphQLResolveInfo, login: str) -> Actor | None:
        user = self.data.user(login)
        return Actor(user, self.data) if user else None

    def f_rateLimit(self, info: GraphQLResolveInfo, dryRun: bool = False) -> Obj:
        return self.rate()


def _resolve_field(source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
    if isinstance(source, Node):
        return source.get(info.field_name, info, args)
    return default_field_resolver(source, info, **args)


def _resolve_type(value: Any, info: GraphQLResolveInfo, abstract: Any) -> Any:
    if isinstance(value, Node):
        return value.typename
    return default_type_resolver(value, info, abstract)


_UNDEFINED_FIELD = re.compile(r"^Cannot query field '([^']+)' on type '([^']+)'\.")


def _format(err: GraphQLError) -> Obj:
    """An error as GitHub formats it (`type` at the top level, GitHub's wording for unknown fields)."""
    out: Obj = dict(err.formatted)
    ext = dict(out.pop("extensions", None) or {})
    if "type" in ext:
        out["type"] = ext.pop("type")
    m = _UNDEFINED_FIELD.match(err.message)
    if m:
        out["message"] = f"Field '{m.group(1)}' doesn't exist on type '{m.group(2)}'"
        ext.update({"code": "undefinedField", "typeName": m.group(2), "fieldName": m.group(1)})
    if ext:
        out["extensions"] = ext
    return out


MAX_NODES = 500_000  # GitHub refuses a query that could return more nodes than this


def _arg_value(node: Any, variables: dict[str, Any]) -> Any:
    if isinstance(node, VariableNode):
        return variables.get(node.name.value)
    if isinstance(node, IntValueNode):
        return int(node.value)
    return None


def query_size(payload: Any) -> tuple[int, int]:
    """(possible nodes, requests) of a GraphQL request body, as GitHub computes them: along nested
    connections the `first`/`last` page sizes multiply; the nodes are the sum of those products
    over connections, the requests the number of connection pages needed (one per parent node).
    The point cost is requests / 100, rounded, at least 1. (0, 0) for a body that does not parse."""
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return 0, 0
    try:
        document = parse(payload["query"])
    except GraphQLError:
        return 0, 0
    found = payload.get("variables")
    variables: dict[str, Any] = found if isinstance(found, dict) else {}
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    total = [0, 0]

    def walk(selections: Any, parents: int, seen: frozenset[str]) -> None:
        for sel in selections or ():
            if isinstance(sel, FieldNode):
                size = None
                for arg in sel.arguments or ():
                    if arg.name.value in ("first", "last"):
                        value = _arg_value(arg.value, variables)
                        size = value if isinstance(value, int) else size
                inner = parents
                if size is not None:
                    total[0] += parents * size
                    total[1] += parents
                    inner = parents * size
                if sel.selection_set is not None:
                    walk(sel.selection_set.selections, inner, seen)
            elif isinstance(sel, InlineFragmentNode):
                walk(sel.selection_set.selections, parents, seen)
            elif isinstance(sel, FragmentSpreadNode) and sel.name.value in fragments and sel.name.value not in seen:
                walk(fragments[sel.name.value].selection_set.selections, parents, seen | {sel.name.value})

    for d in document.definitions:
        if isinstance(d, OperationDefinitionNode):
            walk(d.selection_set.selections, 1, frozenset())
    return total[0], total[1]


def point_cost(requests: int) -> int:
    return max(1, round(requests / 100))


def run_query(data: GitHubData, payload: Any, rate: Callable[[], Obj]) -> Obj:
    """Validate and execute one GraphQL request body; returns GitHub's response JSON."""
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return {"errors": [{"message": "A query attribute must be specified and must be a string."}]}
    variables = payload.get("variables") or {}
    if not isinstance(variables, dict):
        return {"errors": [{"message": "Variables are invalid JSON."}]}
    try:
        document = parse(payload["query"])
    except GraphQLError as exc:
        return {"errors": [_format(exc)]}
    schema = github_schema()
    errors = validate(schema, document)
    if errors:
        return {"errors": [_format(e) for e in errors]}
    result = execute_sync(schema, document, root_value=QueryRoot(data, rate), variable_values=variables,
                          operation_name=payload.get("operationName"), field_resolver=_resolve_field,
                          type_resolver=_resolve_type)
    out: Obj = {"data": result.data}
    if result.errors:
        out["errors"] = [_format(e) for e in result.errors]
    return out
