"""GitHub REST endpoints over a dataset: pure functions from a request context to a reply.

Shapes follow GitHub's OpenAPI description (shared/specs/github-rest-subset.json): list items are
served exactly as stored; single-object endpoints that GitHub answers with a fuller object (a pull
request, a user profile, a file's contents) add the fields GitHub adds, derived from the dataset.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from config.clock import iso_z, parse_utc
from sandbox.github.data import GitHubData, Obj, RepoData, sorted_view, ts
from sandbox.github.paging import link_header, page_of, page_params

DOCS = "https://docs.github.com/rest"


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Ctx:
    """What a handler may read about the request."""

    data: GitHubData
    query: Any  # a Mapping of the query string (last value wins, as on GitHub)
    query_pairs: list[tuple[str, str]]
    api: str  # absolute API root as the client used it, e.g. http://127.0.0.1:8000/api/v3
    path: str  # request path below the API root
    now: datetime
    method: str = "GET"
    body: Any = None
    sandbox: Any = None  # the running GitHubSandbox (workflow runs are recorded there)
    events_depth: int | None = None  # pages of the repository-wide issue-events list GitHub serves (fault)


def not_found() -> Reply:
    return Reply(404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"})


def invalid(message: str, errors: list[Obj] | None = None) -> Reply:
    body: Obj = {"message": message, "documentation_url": DOCS, "status": "422"}
    if errors:
        body["errors"] = errors
    return Reply(422, body)


# ----------------------------------------------------------------------------- helpers


def listing(ctx: Ctx, items: Sequence[Any], link_path: str | None = None) -> Reply:
    """One page of `items` with GitHub's Link header (URLs under /repositories/{id} like GitHub's)."""
    per_page, page = page_params(ctx.query)
    reply = Reply(200, page_of(items, per_page, page))
    link = link_header(f"{ctx.api}{link_path or ctx.path}", ctx.query_pairs, page, len(items), per_page)
    if link:
        reply.headers["Link"] = link
    return reply


def _since(ctx: Ctx) -> datetime | Reply | None:
    raw = ctx.query.get("since")
    if raw in (None, ""):
        return None
    try:
        return parse_utc(raw)
    except ValueError:
        return invalid("Validation Failed", [{"resource": "Search", "field": "since", "code": "invalid"}])


def _direction(ctx: Ctx, default: str) -> str:
    d = (ctx.query.get("direction") or default).lower()
    return d if d in ("asc", "desc") else default


def _sorted(items: list[Obj], key: Callable[[Obj], Any], direction: str) -> list[Obj]:
    return sorted(items, key=key, reverse=(direction == "desc"))


def _repo_link(repo: RepoData, tail: str) -> str:
    return f"/repositories/{repo.id}{tail}"


def _number(url: str) -> int:
    return int(str(url).rstrip("/").rsplit("/", 1)[-1])


def _login_of(u: Any) -> str:
    return str(u.get("login", "")).lower() if isinstance(u, dict) else ""


# ----------------------------------------------------------------------------- repository


def get_repo(ctx: Ctx, repo: RepoData) -> Reply:
    return Reply(200, repo.repo)


def _by_time(items: list[Obj], field: str, tiebreak: str, since: datetime | None, direction: str) -> list[Obj]:
    """Objects sorted by (`field`, `tiebreak`) in `direction`; with `since`, only those updated at or after it."""
    view, keys = sorted_view(items, field, tiebreak)
    if since is not None:
        if field == "updated_at":
            view = view[bisect.bisect_left(keys, (since,)):]
        else:
            view = [o for o in view if ts(o["updated_at"]) >= since]
    return view[::-1] if direction == "desc" else view


def list_issues(ctx: Ctx, repo: RepoData) -> Reply:
    since = _since(ctx)
    if isinstance(since, Reply):
        return since
    state = (ctx.query.get("state") or "open").lower()
    if state not in ("open", "closed", "all"):
        return invalid("Validation Failed", [{"resource": "Issue", "field": "state", "code": "invalid"}])
    sort = (ctx.query.get("sort") or "created").lower()
    direction = _direction(ctx, "desc")
    if sort == "comments":
        items = [i for i in repo.issues if since is None or ts(i["updated_at"]) >= since]
        items = _sorted(items, lambda i: (i.get("comments", 0), i["number"]), direction)
    else:
        items = _by_time(repo.issues, "updated_at" if sort == "updated" else "created_at", "number", since, direction)
    if state != "all":
        items = [i for i in items if i.get("state") == state]
    if ctx.query.get("labels"):
        wanted = {x.strip().lower() for x in ctx.query["labels"].split(",") if x.strip()}
        items = [i for i in items if wanted <= {str(lb.get("name", "")).lower() for lb in i.get("labels") or []}]
    if ctx.query.get("creator"):
        items = [i for i in items if _login_of(i.get("user")) == ctx.query["creator"].lower()]
    assignee = ctx.query.get("assignee")
    if assignee == "none":
        items = [i for i in items if not i.get("assignees") and not i.get("assignee")]
    elif assignee == "*":
        items = [i for i in items if i.get("assignees") or i.get("assignee")]
    elif assignee:
        items = [i for i in items if assignee.lower() in {_login_of(a) for a in i.get("assignees") or []}]
    return listing(ctx, items, _repo_link(repo, "/issues"))


def get_issue(ctx: Ctx, repo: RepoData, number: str) -> Reply:
    issue = repo.issue(int(number))
    return Reply(200, issue) if issue else not_found()


def _comment_list(ctx: Ctx, items: list[Obj], link: str) -> Reply:
    since = _since(ctx)
    if isinstance(since, Reply):
        return since
    sort = ctx.query.get("sort")
    if sort:
        field_ = "updated_at" if sort.lower() == "updated" else "created_at"
        items = _by_time(items, field_, "id", since, _direction(ctx, "desc"))
    else:  # without `sort`, GitHub lists by creation, oldest first, and ignores `direction`
        items = _by_time(items, "created_at", "id", since, "asc")
    return listing(ctx, items, link)


def list_issue_comments(ctx: Ctx, repo: RepoData) -> Reply:
    return _comment_list(ctx, repo.issue_comments, _repo_link(repo, "/issues/comments"))


def get_issue_comment(ctx: Ctx, repo: RepoData, comment_id: str) -> Reply:
    found = next((c for c in repo.issue_comments if str(c.get("id")) == comment_id), None)
    return Reply(200, found) if found else not_found()


def list_comments_of_issue(ctx: Ctx, repo: RepoData, number: str) -> Reply:
    if repo.issue(int(number)) is None:
        return not_found()
    since = _since(ctx)
    if isinstance(since, Reply):
        return since
    items = sorted(repo.comments_of(int(number)), key=lambda c: (ts(c["created_at"]), c["id"]))
    if since is not None:
        items = [c for c in items if ts(c["updated_at"]) >= since]
    return listing(ctx, items, _repo_link(repo, f"/issues/{number}/comments"))


PAGING_LIMITED = ("In order to keep the API fast for everyone, pagination is limited for this resource. Check the "
                  "rel=last link relation in the Link response header to see how far back you can traverse.")


def list_issue_events(ctx: Ctx, repo: RepoData) -> Reply:
    """Newest first by id, no `since` (GitHub's repository events list has none). With a paging
    depth, pages past it are refused with GitHub's 422 and `rel=last` names the deepest page."""
    items = sorted(repo.issue_events, key=lambda e: e["id"], reverse=True)
    if ctx.events_depth:
        per_page, page = page_params(ctx.query)
        if page > ctx.events_depth:
            return Reply(422, {"message": PAGING_LIMITED, "documentation_url": "https://docs.github.com/v3/#pagination",
                               "status": "422"})
        items = items[:ctx.events_depth * per_page]
    return listing(ctx, items, _repo_link(repo, "/issues/events"))


def list_events_of_issue(ctx: Ctx, repo: RepoData, number: str) -> Reply:
    if repo.issue(int(number)) is None:
        return not_found()
    items = repo.events_of(int(number))
    # The per-issue list omits the embedded issue, as GitHub's does.
    items = [{k: v for k, v in e.items() if k != "issue"} for e in sorted(items, key=lambda e: e["id"])]
    return listing(ctx, items, _repo_link(repo, f"/issues/{number}/events"))


def issue_reactions(ctx: Ctx, repo: RepoData, number: str) -> Reply:
    return Reply(200, []) if repo.issue(int(number)) else not_found()


def comment_reactions(ctx: Ctx, repo: RepoData, comment_id: str) -> Reply:
    return Reply(200, []) if any(str(c.get("id")) == comment_id for c in repo.issue_comments) else not_found()


def review_comment_reactions(ctx: Ctx, repo: RepoData, comment_id: str) -> Reply:
    return Reply(200, []) if any(str(c.get("id")) == comment_id for c in repo.review_comments) else not_found()


# ----------------------------------------------------------------------------- pull requests


def list_pulls(ctx: Ctx, repo: RepoData) -> Reply:
    state = (ctx.query.get("state") or "open").lower()
    if state not in ("open", "closed", "all"):
        return invalid("Validation Failed", [{"resource": "PullRequest", "field": "state", "code": "invalid"}])
    items = [p for p in repo.pulls if state == "all" or p.get("state") == state]
    if ctx.query.get("base"):
        items = [p for p in items if (p.get("base") or {}).get("ref") == ctx.query["base"]]
    sort = (ctx.query.get("sort") or "created").lower()
    key: Callable[[Obj], Any] = {
        "updated": lambda p: (ts(p["updated_at"]), p["number"]),
    }.get(sort, lambda p: (ts(p["created_at"]), p["number"]))
    default_dir = "desc" if sort == "created" else "asc"
    return listing(ctx, _sorted(items, key, _direction(ctx, default_dir)), _repo_link(repo, "/pulls"))


def full_pull(repo: RepoData, pull: Obj) -> Obj:
    """A pull as GET /pulls/{n} returns it: the list shape plus counts and merge state."""
    n = pull["number"]
    files = repo.files_of(n)
    full = dict(pull)
    full.setdefault("merged", pull.get("merged_at") is not None)
    full.setdefault("merged_by", None)
    full.setdefault("mergeable", None)
    full.setdefault("rebaseable", None)
    full.setdefault("mergeable_state", "unknown")
    full.setdefault("maintainer_can_modify", False)
    full.setdefault("comments", len(repo.comments_of(n)))
    full.setdefault("review_comments", len(repo.review_comments_of(n)))
    full.setdefault("commits", 1)
    full.setdefault("additions", sum(int(f.get("additions", 0)) for f in files))
    full.setdefault("deletions", sum(int(f.get("deletions", 0)) for f in files))
    full.setdefault("changed_files", len(files))
    full.setdefault("requested_reviewers", [])
    full.setdefault("requested_teams", [])
    return full


def get_pull(ctx: Ctx, repo: RepoData, number: str) -> Reply:
    pull = repo.pull(int(number))
    return Reply(200, full_pull(repo, pull)) if pull else not_found()


def list_pull_files(ctx: Ctx, repo: RepoData, number: str) -> Reply:
    if repo.pull(int(number)) is None:
        return not_found()
    return listing(ctx, repo.files_of(int(number))[:3000], _repo_link(repo, f"/pulls/{number}/files"))


def list_pull_reviews(ctx: Ctx, repo: RepoData, number: str) -> Reply:
    if repo.pull(int(number)) is None:
        return not_found()
    items = sorted(
        repo.reviews_of(int(number)),
        key=lambda r: (ts(r["submitted_at"]) if r.get("submitted_at") else ctx.now, r["id"]),
    )
    return listing(ctx, items, _repo_link(repo, f"/pulls/{number}/reviews"))


def list_comments_of_pull(ctx: Ctx, repo: RepoData, number: str) -> Reply:
    if repo.pull(int(number)) is None:
        return not_found()
    return _comment_list(ctx, repo.review_comments_of(int(number)), _repo_link(repo, f"/pulls/{number}/comments"))


def list_review_comments(ctx: Ctx, repo: RepoData) -> Reply:
    return _comment_list(ctx, repo.review_comments, _repo_link(repo, "/pulls/comments"))


def requested_reviewers(ctx: Ctx, repo: RepoData, number: str) -> Reply:
    pull = repo.pull(int(number))
    if pull is None:
        return not_found()
    return Reply(200, {"users": pull.get("requested_reviewers") or [], "teams": pull.get("requested_teams") or []})


def list_pull_commits(ctx: Ctx, repo: RepoData, number: str) -> Reply:
    """The dataset keeps no commits; GitHub would list them, the sandbox lists none."""
    return Reply(200, []) if repo.pull(int(number)) else not_found()


# ----------------------------------------------------------------------------- files and labels


def git_blob_sha(content: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()  # noqa: S324 - git's object id


def git_tree_sha(repo: RepoData, path: str) -> str:
    """A directory's git tree id, as GitHub lists it: it changes whenever anything under it does."""
    entries = []
    for name, is_dir in repo.directory(path) or []:
        sub = f"{path}/{name}" if path else name
        sha = git_tree_sha(repo, sub) if is_dir else git_blob_sha(repo.file(sub) or b"")
        entries.append((f"{name}/" if is_dir else name, b"40000" if is_dir else b"100644", name, sha))
    body = b"".join(mode + b" " + name.encode() + b"\0" + bytes.fromhex(sha)
                    for _key, mode, name, sha in sorted(entries))  # git orders a tree's entries so
    return hashlib.sha1(b"tree %d\0" % len(body) + body).hexdigest()  # noqa: S324 - git's object id


def _content_entry(ctx: Ctx, repo: RepoData, path: str, kind: str, content: bytes | None) -> Obj:
    url = f"{ctx.api}/repos/{repo.full_name}/contents/{path}"
    html = (
        f"https://github.com/{repo.full_name}/{'blob' if kind == 'file' else 'tree'}/"
        f"{repo.repo.get('default_branch') or 'main'}/{path}"
    )
    sha = git_blob_sha(content or b"") if kind == "file" else git_tree_sha(repo, path)
    git_url = f"{ctx.api}/repos/{repo.full_name}/git/{'blobs' if kind == 'file' else 'trees'}/{sha}"
    download = f"https://raw.githubusercontent.com/{repo.full_name}/{repo.repo.get('default_branch') or 'main'}/{path}"
    return {
        "type": kind, "size": len(content or b"") if kind == "file" else 0, "name": path.rsplit("/", 1)[-1],
        "path": path, "sha": sha, "url": url, "git_url": git_url, "html_url": html,
        "download_url": download if kind == "file" else None,
        "_links": {"self": url, "git": git_url, "html": html},
    }


def get_contents(ctx: Ctx, repo: RepoData, path: str = "") -> Reply:
    path = path.strip("/")
    content = repo.file(path) if path else None
    if content is not None:
        entry = _content_entry(ctx, repo, path, "file", content)
        encoded = base64.b64encode(content).decode()
        entry["content"] = "\n".join(encoded[i:i + 60] for i in range(0, len(encoded), 60)) + "\n"
        entry["encoding"] = "base64"
        return Reply(200, entry)
    entries = repo.directory(path)
    if entries is None:
        return not_found()
    out = []
    for name, is_dir in entries:
        sub = f"{path}/{name}" if path else name
        out.append(_content_entry(ctx, repo, sub, "dir" if is_dir else "file", None if is_dir else repo.file(sub)))
    return Reply(200, out)


def list_labels(ctx: Ctx, repo: RepoData) -> Reply:
    return listing(ctx, list(repo.labels), _repo_link(repo, "/labels"))


# ----------------------------------------------------------------------------- actions (writes)


def _workflow_names(repo: RepoData) -> list[str] | None:
    """Workflow file names of the dataset, or None when it has no `.github/workflows` to say."""
    entries = repo.directory(".github/workflows")
    return None if entries is None else [name for name, is_dir in entries if not is_dir]


def _workflow_id(name: str) -> int:
    return 100_000 + int(hashlib.sha1(name.encode()).hexdigest()[:6], 16)  # noqa: S324 - a stable number


def _workflow_name(repo: RepoData, workflow_id: str) -> str | None:
    """A workflow's file name from its file name or numeric id; any name when the dataset has none."""
    names = _workflow_names(repo)
    if names is None:
        return repo.workflow_ids.get(workflow_id) if workflow_id.isdigit() else workflow_id
    return next((n for n in names if n == workflow_id or str(_workflow_id(n)) == workflow_id), None)


def _workflow(ctx: Ctx, repo: RepoData, name: str) -> Obj:
    wid = _workflow_id(name)
    repo.workflow_ids[str(wid)] = name
    url = f"{ctx.api}/repos/{repo.full_name}/actions/workflows/{wid}"
    created = iso_z(ctx.data.now.replace(year=ctx.data.now.year - 1))
    return {"id": wid, "node_id": f"W_{wid}", "name": name.rsplit(".", 1)[0], "path": f".github/workflows/{name}",
            "state": "active", "created_at": created, "updated_at": created, "url": url,
            "html_url": f"https://github.com/{repo.full_name}/blob/main/.github/workflows/{name}",
            "badge_url": f"https://github.com/{repo.full_name}/workflows/{name}/badge.svg"}


def get_workflow(ctx: Ctx, repo: RepoData, workflow_id: str) -> Reply:
    name = _workflow_name(repo, workflow_id)
    return Reply(200, _workflow(ctx, repo, name)) if name else not_found()


def list_workflows(ctx: Ctx, repo: RepoData) -> Reply:
    names = _workflow_names(repo) or []
    return Reply(200, {"total_count": len(names), "workflows": [_workflow(ctx, repo, n) for n in names]})


def dispatch_workflow(ctx: Ctx, repo: RepoData, workflow_id: str) -> Reply:
    body = ctx.body if isinstance(ctx.body, dict) else None
    if body is None or not isinstance(body.get("ref"), str) or not body["ref"]:
        return invalid('Invalid request.\n\n"ref" wasn\'t supplied.')
    inputs = body.get("inputs") or {}
    if not isinstance(inputs, dict) or any(not isinstance(v, str | int | float | bool) for v in inputs.values()):
        return invalid("Invalid request.\n\nFor 'properties/inputs', values must be strings, numbers or booleans.")
    name = _workflow_name(repo, workflow_id)
    if name is None:
        return not_found()
    if ctx.sandbox is not None:
        ctx.sandbox.record_dispatch(repo, name, body["ref"], inputs)
    return Reply(204, None)


def list_runs(ctx: Ctx, repo: RepoData, workflow_id: str | None = None) -> Reply:
    name = None if workflow_id is None else _workflow_name(repo, workflow_id)
    if workflow_id is not None and name is None:
        return not_found()
    runs = [] if ctx.sandbox is None else ctx.sandbox.runs_of(repo, name)
    per_page, page = page_params(ctx.query)
    reply = Reply(200, {"total_count": len(runs), "workflow_runs": page_of(runs, per_page, page)})
    link = link_header(f"{ctx.api}{ctx.path}", ctx.query_pairs, page, len(runs), per_page)
    if link:
        reply.headers["Link"] = link
    return reply


# ----------------------------------------------------------------------------- users


def _profile(ctx: Ctx, user: Obj) -> Obj:
    """A public user profile: the nested user object plus the profile fields GitHub adds."""
    created = iso_z(ctx.data.now.replace(year=ctx.data.now.year - 1))
    extra = {"name": None, "company": None, "blog": "", "location": None, "email": None, "hireable": None,
             "bio": None, "twitter_username": None, "public_repos": 0, "public_gists": 0, "followers": 0,
             "following": 0, "created_at": created, "updated_at": created}
    base = {"avatar_url": "", "events_url": "", "followers_url": "", "following_url": "", "gists_url": "",
            "gravatar_id": None, "html_url": f"https://github.com/{user['login']}", "node_id": "",
            "organizations_url": "", "received_events_url": "", "repos_url": "", "site_admin": False,
            "starred_url": "", "subscriptions_url": "", "type": "User",
            "url": f"{ctx.api}/users/{user['login']}"}
    return {**base, **extra, **user}


def get_user(ctx: Ctx, login: str) -> Reply:
    """A mannequin is no GitHub account: GitHub answers 404 for its login."""
    user = ctx.data.user(login)
    return Reply(200, _profile(ctx, user)) if user and user.get("type") != "Mannequin" else not_found()


def user_orgs(ctx: Ctx, login: str) -> Reply:
    return Reply(200, []) if ctx.data.user(login) else not_found()


def user_gists(ctx: Ctx, login: str) -> Reply:
    if ctx.data.user(login) is None:
        return not_found()
    return listing(ctx, ctx.data.gists.get(login.lower(), []))


# ----------------------------------------------------------------------------- routing

RepoHandler = Callable[..., Reply]

# (method, pattern below /repos/{owner}/{repo} or /repositories/{id}, handler)
_REPO_GETS: list[tuple[str, RepoHandler]] = [
    (r"", get_repo),
    (r"/issues", list_issues),
    (r"/issues/comments", list_issue_comments),
    (r"/issues/comments/(?P<comment_id>\d+)", get_issue_comment),
    (r"/issues/comments/(?P<comment_id>\d+)/reactions", comment_reactions),
    (r"/issues/events", list_issue_events),
    (r"/issues/(?P<number>\d+)", get_issue),
    (r"/issues/(?P<number>\d+)/comments", list_comments_of_issue),
    (r"/issues/(?P<number>\d+)/events", list_events_of_issue),
    (r"/issues/(?P<number>\d+)/reactions", issue_reactions),
    (r"/pulls", list_pulls),
    (r"/pulls/comments", list_review_comments),
    (r"/pulls/comments/(?P<comment_id>\d+)/reactions", review_comment_reactions),
    (r"/pulls/(?P<number>\d+)", get_pull),
    (r"/pulls/(?P<number>\d+)/files", list_pull_files),
    (r"/pulls/(?P<number>\d+)/reviews", list_pull_reviews),
    (r"/pulls/(?P<number>\d+)/comments", list_comments_of_pull),
    (r"/pulls/(?P<number>\d+)/requested_reviewers", requested_reviewers),
    (r"/pulls/(?P<number>\d+)/commits", list_pull_commits),
    (r"/contents", get_contents),
    (r"/contents/(?P<path>.+)", get_contents),
    (r"/labels", list_labels),
    (r"/actions/runs", list_runs),
    (r"/actions/workflows", list_workflows),
    (r"/actions/workflows/(?P<workflow_id>[^/]+)", get_workflow),
    (r"/actions/workflows/(?P<workflow_id>[^/]+)/runs", list_runs),
]
REPO_ROUTES: list[tuple[str, re.Pattern[str], RepoHandler]] = [
    ("GET", re.compile(p), h) for p, h in _REPO_GETS
] + [("POST", re.compile(r"/actions/workflows/(?P<workflow_id>[^/]+)/dispatches"), dispatch_workflow)]

USER_ROUTES: list[tuple[str, re.Pattern[str], Callable[..., Reply]]] = [
    ("GET", re.compile(r"/users/(?P<login>[^/]+)"), get_user),
    ("GET", re.compile(r"/users/(?P<login>[^/]+)/orgs"), user_orgs),
    ("GET", re.compile(r"/users/(?P<login>[^/]+)/gists"), user_gists),
]

_REPO_PREFIX = re.compile(r"^/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)(?P<rest>/.*)?$")
_REPO_ID_PREFIX = re.compile(r"^/repositories/(?P<id>\d+)(?P<rest>/.*)?$")


def route(data: GitHubData, method: str, path: str) -> tuple[Callable[..., Reply], dict[str, Any]] | None:
    """Find the handler and its arguments for a path below the API root (None: no such endpoint).

    A known endpoint of an unknown repository resolves to a 404 reply, as on GitHub."""
    path = path.rstrip("/") or "/"
    m = _REPO_PREFIX.match(path) or _REPO_ID_PREFIX.match(path)
    if m:
        rest = m.group("rest") or ""
        for verb, pattern, handler in REPO_ROUTES:
            pm = pattern.fullmatch(rest)
            if pm and verb == method:
                repo = (data.repo(m.group("owner"), m.group("repo")) if "owner" in m.groupdict()
                        else data.repo_by_id(int(m.group("id"))))
                if repo is None:
                    return (lambda ctx, **_: not_found()), {}
                return handler, {"repo": repo, **pm.groupdict()}
        return None
    for verb, pattern, handler in USER_ROUTES:
        pm = pattern.fullmatch(path)
        if pm and verb == method:
            return handler, pm.groupdict()
    return None
