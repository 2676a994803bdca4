"""A dataset directory's GitHub side, held in memory and indexed the way the API looks things up.

Objects stay exactly as stored (GitHub's REST shapes); the indexes only speed up lookups. Tests may
mutate a `RepoData` between requests (add a comment, bump an issue's `updated_at`): every response
is computed from the live lists.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from config.clock import parse_utc
from config.errors import DatasetError

log = logging.getLogger(__name__)

Obj = dict[str, Any]


@lru_cache(maxsize=200_000)
def ts(value: str) -> datetime:
    """Parse a GitHub timestamp once (lists are filtered and sorted by these on every request)."""
    return parse_utc(value)


_VIEWS: dict[tuple[int, str, str], tuple[list[Obj], str, list[Obj], list[tuple[datetime, Any]]]] = {}


def sorted_view(items: list[Obj], field: str, tiebreak: str) -> tuple[list[Obj], list[tuple[datetime, Any]]]:
    """`items` sorted ascending by (time `field`, `tiebreak`), with their keys for bisecting.

    Cached per list; the cache is checked against the current values of `field`, so appends and
    in-place edits (tests mutate the live data) are seen on the next request."""
    stamp = "\x1f".join(str(o.get(field) or "") for o in items)
    key = (id(items), field, tiebreak)
    hit = _VIEWS.get(key)
    if hit is not None and hit[0] is items and hit[1] == stamp:
        return hit[2], hit[3]
    pairs = [((ts(o[field]), o.get(tiebreak)), o) for o in items if o.get(field)]
    pairs.sort(key=lambda p: p[0])
    view, keys = [o for _, o in pairs], [k for k, _ in pairs]
    _VIEWS[key] = (items, stamp, view, keys)
    return view, keys


def _read(path: Path, default: Any) -> Any:
    if not path.exists():
        return default
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path}: not valid JSON ({exc})") from None


def _number_from_url(url: str) -> int:
    return int(str(url).rstrip("/").rsplit("/", 1)[-1])


@dataclass
class RepoData:
    """One `github/OWNER__REPO` folder."""

    repo: Obj
    issues: list[Obj] = field(default_factory=list)
    pulls: list[Obj] = field(default_factory=list)
    issue_comments: list[Obj] = field(default_factory=list)
    reviews: list[Obj] = field(default_factory=list)
    review_comments: list[Obj] = field(default_factory=list)
    pull_files: dict[str, list[Obj]] = field(default_factory=dict)
    issue_events: list[Obj] = field(default_factory=list)
    labels: list[Obj] = field(default_factory=list)
    contents: Path | None = None
    files: dict[str, bytes] = field(default_factory=dict)  # in-memory overrides of contents/ (tests)
    workflow_ids: dict[str, str] = field(default_factory=dict)  # numeric workflow ids handed out -> file name
    _memo: dict[str, tuple[list[Obj], int, dict[Any, list[Obj]]]] = field(default_factory=dict, repr=False)

    @property
    def full_name(self) -> str:
        return str(self.repo["full_name"])

    @property
    def owner(self) -> str:
        return self.full_name.split("/", 1)[0]

    @property
    def name(self) -> str:
        return self.full_name.split("/", 1)[1]

    @property
    def id(self) -> int:
        return int(self.repo["id"])

    def _grouped(self, name: str, key: Any) -> dict[Any, list[Obj]]:
        """`name`'s objects grouped by `key`, rebuilt when the list grows or shrinks (tests append)."""
        items: list[Obj] = getattr(self, name)
        memo = self._memo.get(name)
        if memo is None or memo[0] is not items or memo[1] != len(items):
            groups: dict[Any, list[Obj]] = {}
            for o in items:
                groups.setdefault(key(o), []).append(o)
            memo = (items, len(items), groups)
            self._memo[name] = memo
        return memo[2]

    def issue(self, number: int) -> Obj | None:
        found = self._grouped("issues", lambda o: o.get("number")).get(number)
        return found[0] if found else None

    def pull(self, number: int) -> Obj | None:
        found = self._grouped("pulls", lambda o: o.get("number")).get(number)
        return found[0] if found else None

    def reviews_of(self, number: int) -> list[Obj]:
        return list(self._grouped("reviews", lambda o: _number_from_url(o.get("pull_request_url", ""))).get(number, []))

    def review_comments_of(self, number: int) -> list[Obj]:
        key = lambda o: _number_from_url(o.get("pull_request_url", ""))  # noqa: E731
        return list(self._grouped("review_comments", key).get(number, []))

    def comments_of(self, number: int) -> list[Obj]:
        return list(self._grouped("issue_comments", lambda o: _number_from_url(o.get("issue_url", ""))).get(number, []))

    def events_of(self, number: int) -> list[Obj]:
        return list(self._grouped("issue_events", lambda o: (o.get("issue") or {}).get("number")).get(number, []))

    def files_of(self, number: int) -> list[Obj]:
        return list(self.pull_files.get(str(number), []))

    def file(self, path: str) -> bytes | None:
        """A repository file's bytes, or None."""
        path = path.strip("/")
        if path in self.files:
            return self.files[path]
        if self.contents is None or not path:
            return None
        p = (self.contents / path).resolve()
        if self.contents.resolve() not in p.parents or not p.is_file():
            return None
        return p.read_bytes()

    def directory(self, path: str) -> list[tuple[str, bool]] | None:
        """Entries (name, is_dir) of a repository directory, or None when it is not one."""
        path = path.strip("/")
        names: dict[str, bool] = {}
        if self.contents is not None:
            d = (self.contents / path).resolve() if path else self.contents.resolve()
            if d.is_dir() and (d == self.contents.resolve() or self.contents.resolve() in d.parents):
                names.update({p.name: p.is_dir() for p in d.iterdir()})
        prefix = f"{path}/" if path else ""
        for key in self.files:
            if key.startswith(prefix):
                rest = key[len(prefix):]
                head, _, tail = rest.partition("/")
                names[head] = bool(tail) or names.get(head, False)
        if not names and not (path == "" and self.contents is not None):
            return None
        return sorted(names.items())


@dataclass
class GitHubData:
    """Every repository of a dataset plus the users seen in it."""

    now: datetime
    repos: dict[str, RepoData]
    profiles: dict[str, Obj] = field(default_factory=dict)  # login (lower) -> full user profile
    gists: dict[str, list[Obj]] = field(default_factory=dict)  # login (lower) -> gists
    _users_memo: tuple[int, dict[str, Obj]] | None = field(default=None, repr=False)

    def repo(self, owner: str, name: str) -> RepoData | None:
        """Owner and name are case-insensitive on GitHub."""
        return self.repos.get(f"{owner}/{name}".lower())

    def repo_by_id(self, repo_id: int) -> RepoData | None:
        return next((r for r in self.repos.values() if r.id == repo_id), None)

    def user(self, login: str) -> Obj | None:
        """A nested user object seen anywhere in the data (login is case-insensitive)."""
        key = login.lower()
        if key in self.profiles:
            return self.profiles[key]
        size = sum(len(lst) for r in self.repos.values() for lst in (r.issues, r.pulls, r.issue_comments, r.reviews,
                                                                     r.review_comments, r.issue_events))
        if self._users_memo is None or self._users_memo[0] != size:
            self._users_memo = (size, self._seen_users())
        return self._users_memo[1].get(key)

    def _seen_users(self) -> dict[str, Obj]:
        seen: dict[str, Obj] = {}

        def add(u: Any) -> None:
            if isinstance(u, dict) and u.get("login") and "id" in u:
                seen.setdefault(str(u["login"]).lower(), u)

        for r in self.repos.values():
            add(r.repo.get("owner"))
            for lst in (r.issues, r.pulls, r.issue_comments, r.reviews, r.review_comments):
                for o in lst:
                    add(o.get("user"))
                    for a in o.get("assignees") or []:
                        add(a)
                    for a in o.get("requested_reviewers") or []:
                        add(a)
                    add(o.get("merged_by"))
            for e in r.issue_events:
                for k in ("actor", "assignee", "requested_reviewer", "review_requester"):
                    add(e.get(k))
        return seen


def load_github_data(root: Path | str) -> GitHubData:
    """Read a dataset directory's `meta.json` and `github/` folders (DATASET.md)."""
    root = Path(root)
    if not root.is_dir():
        raise DatasetError(f"{root}: not a dataset directory")
    meta = _read(root / "meta.json", {})
    if not isinstance(meta, dict) or not meta.get("now"):
        raise DatasetError(f"{root / 'meta.json'}: missing or without `now` (see docs/dataset.md)")
    repos: dict[str, RepoData] = {}
    gh = root / "github"
    for d in sorted(p for p in gh.glob("*__*") if p.is_dir()) if gh.is_dir() else []:
        repo = _read(d / "repo.json", None)
        if not isinstance(repo, dict) or "full_name" not in repo or "id" not in repo:
            raise DatasetError(f"{d / 'repo.json'}: missing or not a repository object")
        data = RepoData(
            repo=repo,
            issues=_read(d / "issues.json", []),
            pulls=_read(d / "pulls.json", []),
            issue_comments=_read(d / "issue_comments.json", []),
            reviews=_read(d / "reviews.json", []),
            review_comments=_read(d / "review_comments.json", []),
            pull_files={str(k): v for k, v in _read(d / "pull_files.json", {}).items()},
            issue_events=_read(d / "issue_events.json", []),
            labels=_read(d / "labels.json", []),
            contents=(d / "contents") if (d / "contents").is_dir() else None,
        )
        repos[data.full_name.lower()] = data
    profiles = {}
    for u in _read(gh / "users.json", []):
        if isinstance(u, dict) and u.get("login"):
            profiles[str(u["login"]).lower()] = u
    gists = {str(k).lower(): v for k, v in _read(gh / "gists.json", {}).items()}
    log.info("loaded %d repositories from %s", len(repos), root)
    return GitHubData(now=parse_utc(meta["now"]), repos=repos, profiles=profiles, gists=gists)
