"""Collect one repository's recent activity into the database, incrementally and resumably.

Cost model (what makes a sync cheap):
- repository-wide lists (issues with PRs, issue comments, review comments) are read with
  `since` + `sort=updated&direction=asc`, one page at a time, each page stored with its checkpoint
  in one transaction; paging is by keyset (the next request's `since` is the newest `updated_at`
  stored), so objects updated during the sync can never shift out of the window;
- a list ends with a request at `since=<newest stored>`, whose ETag is kept: the next run's first
  request is that same URL with `If-None-Match`, answered `304 Not Modified` when nothing changed;
- issue events have no `since` on GitHub: pages come newest first until the checkpoint's time; a
  first walk deeper than a few pages (a backfill), or one GitHub refuses to page (422), reads the
  older events as the issues' GraphQL timelines instead, 100 issues a point;
- pull requests' details, reviews and changed files (no repository-wide REST list) come from
  GraphQL, 50 pull requests per query, only for pull requests the issue list showed as updated;
  the numbers wait in the `pulls` checkpoint until stored, so a crash loses none;
- labels and CODEOWNERS are fetched again only when their ETag changed;
- the repo's label rules (mergify, labeler: rules.github.LABEL_RULE_FILES) cost one conditional
  request for the root directory's listing (304 while the default branch is unchanged); when it
  changed, `.github/`'s listing is read (conditionally too) and only rule files whose blob sha
  differs from the stored one are fetched; rule files gone from the repo are deleted.
"""

from __future__ import annotations

import base64
import logging
import math
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from collectors.github.checkpoints import Checkpoint, finish_run, load_checkpoints, save_checkpoint, start_run
from collectors.github.client import CollectorError, GitHubClient, NotFoundError, PagingLimited, QueryTimeout, Response
from collectors.github.node_ids import database_id
from collectors.github.queries import (
    MAX_PULLS_PER_QUERY,
    TIMELINE_NODES,
    TIMELINE_PAGE,
    TIMELINE_TYPENAMES,
    more_query,
    pulls_query,
    rest_event,
    rest_file,
    rest_pull,
    rest_review,
    timeline_query,
    users_in,
    users_of_events,
)
from config.clock import Clock, iso_z, parse_utc, utcnow
from config.watch import RepoWatch
from rules.github import LABEL_RULE_FILES
from storage import upsert
from storage.db import session_scope
from storage.identity import MANNEQUIN
from storage.models import Issue, Repo, User

log = logging.getLogger(__name__)

CATEGORY_REPO = "repo"
CATEGORY_LABELS = "labels"
CATEGORY_CODEOWNERS = "codeowners"
CATEGORY_LABEL_RULES = "label_rules"
CATEGORY_ISSUES = "issues"
CATEGORY_PULLS = "pulls"
CATEGORY_ISSUE_COMMENTS = "issue_comments"
CATEGORY_REVIEW_COMMENTS = "review_comments"
CATEGORY_ISSUE_EVENTS = "issue_events"
CATEGORIES = (CATEGORY_REPO, CATEGORY_LABELS, CATEGORY_CODEOWNERS, CATEGORY_LABEL_RULES, CATEGORY_ISSUES,
              CATEGORY_PULLS, CATEGORY_ISSUE_COMMENTS, CATEGORY_REVIEW_COMMENTS, CATEGORY_ISSUE_EVENTS)
DEFAULT_CODEOWNERS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
CODEOWNERS_RECHECK_HOURS = 24  # a repository without CODEOWNERS is probed again after this long


PullParts = tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]  # pull, its reviews, its files


class ProgressSink(Protocol):
    """Where the collector reports pages (the CLI draws a Rich bar per endpoint)."""

    def page(self, endpoint: str, items: int, total_pages: int | None) -> None: ...

    def done(self, endpoint: str) -> None: ...

    # Optional: `waiting(reason, seconds)`, told before the collector sleeps for a rate limit.


class _NoProgress:
    def page(self, endpoint: str, items: int, total_pages: int | None) -> None:
        return None

    def done(self, endpoint: str) -> None:
        return None


@dataclass
class CollectResult:
    repo: str
    stored: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    not_modified: int = 0
    retries: int = 0
    rate_remaining: int | None = None
    rate_limit: int | None = None
    skipped: int = 0
    graphql_points: int = 0
    waited_seconds: float = 0.0
    ok: bool = False
    error: str | None = None
    exception: Exception | None = field(default=None, repr=False)

    def summary(self) -> str:
        kinds = ("issues", "pulls", "issue_comments", "reviews", "review_comments", "issue_events", "pull_files",
                 "labels", "files")
        stored = (
            ", ".join(f"{self.stored.get(k, 0)} {k.replace('_', ' ')}" for k in kinds if k in self.stored)
            or "nothing new"
        )
        rate = f"{self.rate_remaining}/{self.rate_limit}" if self.rate_remaining is not None else "unknown"
        skipped = f", {self.skipped} malformed objects skipped" if self.skipped else ""
        waited = f", {self.waited_seconds:.0f} s waiting on rate limits" if self.waited_seconds >= 1 else ""
        return (
            f"{self.repo}: stored {stored}; {self.requests} requests ({self.not_modified} answered 304), "
            f"{self.retries} retries{skipped}; rate limit {rate} left; {self.graphql_points} GraphQL points{waited}"
        )


def _ts(obj: dict[str, Any], key: str) -> datetime:
    return parse_utc(obj[key])


def _within_recheck(checked: str | None, now: datetime) -> bool:
    """A repository file looked for at `checked` (and not found) is not looked for again this soon."""
    return bool(checked) and (now - parse_utc(str(checked))).total_seconds() < CODEOWNERS_RECHECK_HOURS * 3600


def _file_content(resp: Response) -> tuple[str, str] | None:
    """(text, blob sha) of a contents answer that is a base64 file; None for anything else."""
    data = resp.data if isinstance(resp.data, dict) else {}
    if data.get("type") != "file" or data.get("encoding") != "base64":
        return None
    return base64.b64decode(data.get("content") or "").decode("utf-8", errors="replace"), str(data.get("sha") or "")


class GitHubCollector:
    """Collector of one repository (Perceval's role split: this decides what to fetch; the client how)."""

    def __init__(self, engine: Engine, client: GitHubClient, repo: RepoWatch | str, *, since: datetime,
                 use_graphql: bool = True, workers: int = 4, progress: ProgressSink | None = None,
                 clock: Clock = utcnow) -> None:
        self.engine = engine
        self.clock = clock  # the present (Settings.present): run times and checks follow a replay's clock
        self.client = client
        self.full_name = repo.name if isinstance(repo, RepoWatch) else repo
        self.codeowners_paths = repo.codeowners_paths if isinstance(repo, RepoWatch) else DEFAULT_CODEOWNERS
        self.owner, self.name = self.full_name.split("/", 1)
        self.since = since
        self.use_graphql = use_graphql
        self.workers = max(1, workers)
        self.progress = progress or _NoProgress()
        waiting = getattr(self.progress, "waiting", None)
        if callable(waiting) and client.on_wait is None:
            client.on_wait = waiting
        self.result = CollectResult(self.full_name)
        self.repo_id: int | None = None
        self.cps: dict[str, Checkpoint] = {}
        self._user_ids: dict[str, int | None] = {}
        self._path = f"/repos/{self.full_name}"
        self._batch = MAX_PULLS_PER_QUERY  # pull requests per GraphQL query (smaller after a timeout)
        self._batch_lock = threading.Lock()
        self._graphql_too_heavy = False  # a single pull request timed out: REST for the rest of the run
        self._timeline_nodes = TIMELINE_NODES  # possible nodes per timeline query (smaller after a timeout)

    # ------------------------------------------------------------------ run

    def run(self) -> CollectResult:
        """Collect everything new since the checkpoints (or `since`); records a sync_runs row.

        Raises CollectorError (after recording the run) when it cannot finish; what was stored stays."""
        run_id = start_run(self.engine, self.full_name, self.clock())
        error: str | None = None
        try:
            self.cps = load_checkpoints(self.engine, self.full_name)
            self._repo()
            self._labels()
            self._codeowners()
            self._label_rule_files()
            self._issues()
            self._pulls()
            self._comments(CATEGORY_ISSUE_COMMENTS, "/issues/comments", upsert.upsert_issue_comments)
            self._comments(CATEGORY_REVIEW_COMMENTS, "/pulls/comments", upsert.upsert_review_comments)
            self._events()
            self.result.ok = True
        except CollectorError as exc:
            error = str(exc)
            raise
        except upsert.PayloadError as exc:
            error = str(exc)
            raise CollectorError(f"{self.full_name}: {exc}") from exc
        except KeyboardInterrupt:
            error = "interrupted"
            raise
        finally:
            st = self.client.stats
            r = self.result
            r.requests, r.not_modified, r.retries = st.requests, st.not_modified, st.retries
            r.rate_remaining, r.rate_limit, r.error = st.rate_remaining, st.rate_limit, error
            r.graphql_points, r.waited_seconds = st.graphql_points, st.waited_seconds
            finish_run(self.engine, run_id, at=self.clock(), ok=r.ok, stored=r.stored, requests=r.requests,
                       not_modified=r.not_modified, retries=r.retries, rate_remaining=r.rate_remaining, error=error)
        return self.result

    # ------------------------------------------------------------------ helpers

    def _cp(self, endpoint: str) -> Checkpoint:
        return self.cps.setdefault(endpoint, Checkpoint(endpoint))

    def _count(self, kind: str, n: int) -> None:
        self.result.stored[kind] = self.result.stored.get(kind, 0) + n

    def _store(self, fn: Callable[[Session], None]) -> None:
        with session_scope(self.engine) as s:
            fn(s)

    def _window_start(self, cp: Checkpoint, cursor: datetime | None) -> tuple[datetime, bool]:
        """(where to start, incremental?): the checkpoint's cursor when it covers our window."""
        covered = cp.state.get("from")
        if cursor is None or covered is None or parse_utc(covered) > self.since:
            return self.since, False
        return max(cursor, self.since), True

    def _covering(self, cp: Checkpoint) -> None:
        covered = cp.state.get("from")
        if covered is None or parse_utc(covered) > self.since:
            cp.state["from"] = iso_z(self.since)

    def _store_page(
        self,
        endpoint: str,
        items: list[dict[str, Any]],
        write: Callable[[Session, list[dict[str, Any]]], int],
        after: Callable[[Session], None],
        refetch: Callable[[], list[dict[str, Any]]] | None = None,
    ) -> None:
        """Store a page and its checkpoint in one transaction. A malformed object makes us read the
        page again (it may have been damaged in transit); if it stays malformed it is logged with
        its endpoint and skipped, and the rest of the page is stored."""
        for attempt in range(3):
            try:
                with session_scope(self.engine) as s:
                    self._count(endpoint, write(s, items))
                    after(s)
                return
            except upsert.PayloadError as exc:
                if refetch is None or attempt == 2:
                    log.error("%s %s: %s", self.full_name, endpoint, exc)
                    break
                log.warning("%s %s: %s; reading the page again", self.full_name, endpoint, exc)
                self.client.stats.add(retries=1)
                items = refetch()
        with session_scope(self.engine) as s:
            for obj in items:
                try:
                    with s.begin_nested():
                        self._count(endpoint, write(s, [obj]))
                except upsert.PayloadError as exc:
                    log.error("%s %s: skipped malformed object: %s", self.full_name, endpoint, exc)
                    self.result.skipped += 1
            after(s)

    # ------------------------------------------------------------------ repository, labels, CODEOWNERS

    def _repo(self) -> None:
        cp = self._cp(CATEGORY_REPO)
        with session_scope(self.engine) as s:
            self.repo_id = s.scalar(select(Repo.id).where(Repo.full_name == self.full_name))
        resp = self.client.get(self._path, etag=cp.etag if self.repo_id is not None else None,
                               what=f"{self.full_name} repository")
        if resp.status == 304:
            return

        def write(s: Session) -> None:
            self.repo_id = upsert.upsert_repo(s, resp.data)
            cp.etag = resp.etag
            save_checkpoint(s, self.full_name, cp)
        self._store(write)

    def _labels(self) -> None:
        cp = self._cp(CATEGORY_LABELS)
        pages: list[list[str]] = cp.state.get("pages") or []
        if pages and all(self.client.get(url, etag=etag, what=f"{self.full_name} labels").status == 304
                         for url, etag in pages):
            return
        items: list[dict[str, Any]] = []
        new_pages: list[list[str]] = []
        url: str | None = f"{self._path}/labels?per_page={self.client.options.per_page}"
        while url:
            resp = self.client.get(url, what=f"{self.full_name} labels")
            items.extend(resp.data or [])
            new_pages.append([url, resp.etag or ""])
            self.progress.page(CATEGORY_LABELS, len(resp.data or []), resp.last_page)
            url = resp.link("next")

        def write(s: Session) -> None:
            self._count("labels", upsert.upsert_labels(s, self.rid, items, replace=True))
            cp.state = {"pages": new_pages}
            save_checkpoint(s, self.full_name, cp)
        self._store(write)
        self.progress.done(CATEGORY_LABELS)

    def _codeowners(self) -> None:
        cp = self._cp(CATEGORY_CODEOWNERS)
        known = cp.state.get("path")
        checked = cp.state.get("checked")
        now = self.client_now()
        if known is None and _within_recheck(checked, now):
            return  # none found lately; GitHub would only answer 404 again
        candidates = [known] if known else list(self.codeowners_paths)
        for path in candidates + ([p for p in self.codeowners_paths if p != known] if known else []):
            try:
                resp = self.client.get(f"{self._path}/contents/{path}", etag=cp.etag if path == known else None,
                                       what=f"{self.full_name} {path}")
            except NotFoundError:
                continue
            if resp.status == 304:
                return
            found = _file_content(resp)
            if found is None:
                continue
            text, sha = found

            def write(s: Session, path: str = path, text: str = text, sha: str = sha, resp: Response = resp) -> None:
                self._count("files", upsert.upsert_repo_file(s, self.rid, path, text, sha, now))
                cp.etag = resp.etag
                cp.state = {"path": path, "checked": iso_z(now)}
                save_checkpoint(s, self.full_name, cp)
            self._store(write)
            return

        def none_found(s: Session) -> None:
            cp.etag = None
            cp.state = {"path": None, "checked": iso_z(now)}
            save_checkpoint(s, self.full_name, cp)
        self._store(none_found)

    def _label_rule_files(self) -> None:
        """Fetch the repo's label rules (see the module doc for what it costs)."""
        cp = self._cp(CATEGORY_LABEL_RULES)
        known: dict[str, str] = dict(cp.state.get("files") or {})  # path -> blob sha stored
        what = f"{self.full_name} label rules"
        now = self.client_now()
        empty_since = cp.state.get("empty_checked")
        if _within_recheck(empty_since, now):
            return  # an empty repository lately; GitHub would only answer 404 again
        try:
            root = self.client.get(f"{self._path}/contents", etag=cp.etag, what=what)
        except NotFoundError:
            root = None  # an empty repository has no contents
        if root is not None and root.status == 304:
            return
        found = self._listed_files(root, "")
        if found is None:
            log.warning("%s: the root directory's listing is not a list; label rules left as they were",
                        self.full_name)
            return
        github_etag = cp.state.get("github_etag")
        if found.pop(".github", None) == "dir":
            try:
                listing = self.client.get(f"{self._path}/contents/.github", etag=github_etag, what=what)
            except NotFoundError:
                listing = None
            if listing is not None and listing.status == 304:
                found.update({p: sha for p, sha in known.items() if p.startswith(".github/")})
            else:
                in_github = self._listed_files(listing, ".github/")
                if in_github is None:
                    log.warning("%s: the .github listing is not a list; label rules left as they were",
                                self.full_name)
                    return
                found.update(in_github)
                github_etag = listing.etag if listing is not None else None
        else:
            github_etag = None
        wanted = {p: sha for p, sha in found.items() if p in LABEL_RULE_FILES}
        fetched: dict[str, tuple[str, str]] = {}
        for path, sha in wanted.items():
            if known.get(path) == sha:
                continue
            try:
                resp = self.client.get(f"{self._path}/contents/{path}", what=f"{self.full_name} {path}")
            except NotFoundError:
                continue  # removed between the listing and now: the next sync sees it gone
            content = _file_content(resp)
            if content is None:
                log.warning("%s %s: not a file in base64; skipped", self.full_name, path)
                continue
            fetched[path] = (content[0], content[1] or sha)
        unchanged = {p for p, sha in wanted.items() if known.get(p) == sha}
        gone = sorted(set(known) - unchanged - set(fetched))  # deleted, or no longer readable

        def write(s: Session) -> None:
            for path, (text, sha) in fetched.items():
                self._count("files", upsert.upsert_repo_file(s, self.rid, path, text, sha, now))
            upsert.delete_repo_files(s, self.rid, gone)
            kept = {p: sha for p, sha in wanted.items() if p in fetched or p in unchanged}
            cp.etag = root.etag if root is not None else None
            cp.state = {"files": kept, "github_etag": github_etag}
            if root is None:
                cp.state["empty_checked"] = iso_z(now)
            save_checkpoint(s, self.full_name, cp)
        self._store(write)

    @staticmethod
    def _listed_files(resp: Response | None, prefix: str) -> dict[str, str] | None:
        """path -> sha ("dir" for directories) of a contents listing; {} for no directory (404),
        None for an answer that is not a listing."""
        if resp is None:
            return {}
        if not isinstance(resp.data, list):
            return None
        out: dict[str, str] = {}
        for entry in resp.data:
            if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                out[prefix + entry["name"]] = "dir" if entry.get("type") == "dir" else str(entry.get("sha") or "")
        return out

    @property
    def rid(self) -> int:
        """The stored repo's id (`_repo` stores the repository before anything else)."""
        if self.repo_id is None:
            raise CollectorError(f"{self.full_name}: the repository itself is not stored yet")
        return self.repo_id

    def client_now(self) -> datetime:
        return self.clock()

    # ------------------------------------------------------------------ since-lists (keyset paging)

    def _keyset(self, endpoint: str, path: str, params: dict[str, Any],
                write: Callable[[Session, list[dict[str, Any]]], int],
                also: Callable[[Session, list[dict[str, Any]]], None] | None = None) -> None:
        """Read `path` (sorted by updated_at ascending) from the checkpoint on; see the module doc."""
        cp = self._cp(endpoint)
        since, incremental = self._window_start(cp, cp.cursor_at)
        etag = cp.etag if incremental and cp.state.get("probe") == iso_z(since) else None
        base = {**params, "sort": "updated", "direction": "asc", "per_page": self.client.options.per_page}
        what = f"{self.full_name} {endpoint}"
        seen: set[Any] = set()  # ids stored by this run (keyset pages overlap at their boundary)
        while True:
            query = {**base, "since": iso_z(since)}
            resp = self.client.get(path, query, etag=etag, what=what)
            etag = None
            if resp.status == 304:
                break
            probe_etag = resp.etag
            while True:
                items = list(resp.data or [])
                newest = max([since, *(_ts(i, "updated_at") for i in items)])
                fresh = [i for i in items if i.get("id") not in seen]
                seen.update(i.get("id") for i in items)

                def after(s: Session, items: list[dict[str, Any]] = items, newest: datetime = newest) -> None:
                    if also is not None:
                        also(s, items)
                    cp.cursor_at = newest
                    cp.etag = None
                    cp.state.pop("probe", None)
                    self._covering(cp)
                    save_checkpoint(s, self.full_name, cp)

                this = resp

                def refetch(this: Response = this, query: dict[str, Any] = query) -> list[dict[str, Any]]:
                    return list(self.client.get(this.url, None if "?" in this.url else query, what=what).data or [])
                self._store_page(endpoint, fresh, write, after, refetch)
                self.progress.page(endpoint, len(fresh), resp.last_page)
                nxt = resp.link("next")
                if newest > since or not nxt:
                    break
                resp = self.client.get(nxt, what=what)  # more than a page share one second: plain paging
            if newest == since:
                # Nothing newer than `since` exists: this request is next run's conditional probe.
                def probe(s: Session, probe_etag: str | None = probe_etag, since: datetime = since) -> None:
                    cp.cursor_at = since
                    cp.etag = probe_etag
                    cp.state["probe"] = iso_z(since)
                    self._covering(cp)
                    save_checkpoint(s, self.full_name, cp)
                self._store(probe)
                break
            since = newest
        self.progress.done(endpoint)

    def _issues(self) -> None:
        pulls_cp = self._cp(CATEGORY_PULLS)

        def pending(s: Session, items: list[dict[str, Any]]) -> None:
            todo = dict(pulls_cp.state.get("pending") or {})
            for i in items:
                if i.get("pull_request") is not None:
                    todo[str(i["number"])] = i["updated_at"]
            if todo != (pulls_cp.state.get("pending") or {}):
                pulls_cp.state = {**pulls_cp.state, "pending": todo}
                save_checkpoint(s, self.full_name, pulls_cp)

        def write(s: Session, items: list[dict[str, Any]]) -> int:
            upsert.upsert_issues(s, self.rid, items)
            return sum(1 for i in items if i.get("pull_request") is None)  # a PR's issue side counts as the PR

        self._keyset(CATEGORY_ISSUES, f"{self._path}/issues", {"state": "all"}, write, also=pending)

    def _comments(self, endpoint: str, tail: str, fn: Callable[[Session, int, Sequence[dict[str, Any]]], int]) -> None:
        self._keyset(endpoint, f"{self._path}{tail}", {}, lambda s, items: fn(s, self.rid, items))

    # ------------------------------------------------------------------ issue events (newest first)

    def _events(self) -> None:
        """The repository's issue events, newest first (by id) down to the last run's newest.

        GitHub refuses to page this list deeper than a limit (422 "pagination is limited"): what lies
        below the deepest page is read per issue instead, for the issues that can hold such events
        (created before the oldest event seen, updated inside the window); those numbers wait in the
        checkpoint and shrink one issue at a time, so a crash loses none and repeats none."""
        cp = self._cp(CATEGORY_ISSUE_EVENTS)
        if cp.state.get("deep"):
            self._deep_events(cp)  # a fallback a crash interrupted comes first
        floor, incremental = self._window_start(cp, cp.cursor_at)
        boundary = cp.cursor_id if incremental else None
        what = f"{self.full_name} issue events"
        per_page = self.client.options.per_page
        first = f"{self._path}/issues/events?per_page={per_page}"
        url: str | None = first
        page_no = 0
        resp = self.client.get(first, etag=cp.etag if incremental else None, what=what)
        if resp.status == 304:
            self.progress.done(CATEGORY_ISSUE_EVENTS)
            return
        first_etag = resp.etag
        top: dict[str, Any] | None = None
        low: dict[str, Any] | None = None
        while True:
            items = list(resp.data or [])
            if top is None and items:
                top = {"id": int(items[0]["id"]), "at": items[0]["created_at"]}

            def older(e: dict[str, Any]) -> bool:
                if boundary is not None:
                    return int(e["id"]) <= boundary
                return _ts(e, "created_at") < floor
            keep = [e for e in items if not older(e)]
            if keep:
                low = {"id": int(keep[-1]["id"]), "at": keep[-1]["created_at"]}

            def after(s: Session, low: dict[str, Any] | None = low, top: dict[str, Any] | None = top) -> None:
                cp.state = {**cp.state, "walk": {"top": top, "low": low}}  # how far this run's walk got
                save_checkpoint(s, self.full_name, cp)
            self._store_page(CATEGORY_ISSUE_EVENTS, keep,
                             lambda s, objs: upsert.upsert_issue_events(s, self.rid, objs), after)
            self.progress.page(CATEGORY_ISSUE_EVENTS, len(keep), resp.last_page)
            page_no += 1
            url_next = resp.link("next")
            if len(keep) < len(items) or not items:
                break
            if page_no == 1 and boundary is None and url_next and self._timelines_cheaper(cp, resp, floor, top, low):
                log.info("%s: the issues' timelines cost less than paging on; reading them over GraphQL", what)
                self._start_deep(cp, floor, boundary, low, top, first_etag)
                self._deep_events(cp)
                self.progress.done(CATEGORY_ISSUE_EVENTS)
                return
            if not url_next:
                if len(items) < per_page:
                    break
                # A full last page: the list may end here, or GitHub's `rel=last` stops at its paging
                # limit. Asking for the next page tells which (an empty page, or the 422).
                url_next = f"{url}&page={page_no + 1}"
            try:
                resp = self.client.get(url_next, what=what)
            except PagingLimited as exc:
                log.info("%s; reading older events per issue", exc)
                below = low or top
                self._start_deep(cp, floor, boundary, below, top, first_etag)
                self._deep_events(cp)
                self.progress.done(CATEGORY_ISSUE_EVENTS)
                return

        def finish(s: Session) -> None:
            if top is not None:
                cp.cursor_id, cp.cursor_at = top["id"], max(parse_utc(top["at"]), floor)
            else:
                cp.cursor_at = cp.cursor_at or floor
            cp.etag = first_etag
            cp.state.pop("walk", None)
            self._covering(cp)
            save_checkpoint(s, self.full_name, cp)
        self._store(finish)
        self.progress.done(CATEGORY_ISSUE_EVENTS)

    def _timelines_cheaper(self, cp: Checkpoint, first: Response, floor: datetime, top: dict[str, Any] | None,
                           low: dict[str, Any] | None) -> bool:
        """Whether the rest of a first walk down the events list (its pages down to the window's
        floor, guessed from the first page's time span) costs more REST requests than GraphQL points
        for the timelines of the issues that can hold those events (a backfill: it always does)."""
        if not self.use_graphql or top is None or low is None or first.last_page is None:
            return False
        top_at, low_at = parse_utc(top["at"]), parse_utc(low["at"])
        pages = first.last_page - 1
        span = (top_at - low_at).total_seconds()
        if span > 0:
            pages = min(pages, math.ceil((low_at - floor).total_seconds() / span))
        with session_scope(self.engine) as s:
            issues = s.scalar(select(func.count()).select_from(Issue).where(
                Issue.repo_id == self.repo_id, Issue.updated_at >= floor, Issue.created_at <= low_at)) or 0
        per_query = max(1, int(cp.state.get("timeline_nodes") or TIMELINE_NODES) // TIMELINE_PAGE)
        return math.ceil(issues / per_query) < pages

    def _start_deep(self, cp: Checkpoint, floor: datetime, boundary: int | None, below: dict[str, Any] | None,
                    top: dict[str, Any] | None, etag: str | None) -> None:
        """Record which issues must be read one by one: those that can hold an event older than the
        deepest page (created at or before it) and newer than the window's floor / last run."""
        below_at = parse_utc(below["at"]) if below else None
        with session_scope(self.engine) as s:
            q = select(Issue.number).where(Issue.repo_id == self.repo_id, Issue.updated_at >= floor)
            if below_at is not None:
                q = q.where(Issue.created_at <= below_at)
            numbers = sorted(s.scalars(q))

        def write(s: Session) -> None:
            cp.state = {**cp.state, "deep": {"numbers": numbers, "below": below["id"] if below else None,
                                             "boundary": boundary, "floor": iso_z(floor), "top": top,
                                             "etag": etag}}
            cp.state.pop("walk", None)
            save_checkpoint(s, self.full_name, cp)
        self._store(write)

    def _deep_events(self, cp: Checkpoint) -> None:
        """Older events of the issues the checkpoint holds: their GraphQL timelines, 100 issues a
        point (REST: one request per issue), a batch per transaction, the numbers shrinking as stored."""
        deep = cp.state["deep"]
        below, boundary, floor = deep.get("below"), deep.get("boundary"), parse_utc(deep["floor"])

        def wanted(e: dict[str, Any]) -> bool:
            eid = int(e["id"])
            return ((below is None or eid < below) and (boundary is None or eid > boundary)
                    and _ts(e, "created_at") >= floor)

        if self.use_graphql:
            self._deep_timelines(cp, wanted)
        self._deep_rest(cp, wanted)
        deep = cp.state["deep"]
        top = deep.get("top")

        def finish(s: Session) -> None:
            if top is not None:
                cp.cursor_id, cp.cursor_at = int(top["id"]), max(parse_utc(top["at"]), floor)
            cp.etag = deep.get("etag")  # the first page as it was: unchanged, the next run's probe is a 304
            cp.state.pop("deep", None)
            self._covering(cp)
            save_checkpoint(s, self.full_name, cp)
        self._store(finish)

    def _deep_step(self, cp: Checkpoint, done: Iterable[int], events: list[dict[str, Any]],
                   rest: Iterable[int] = ()) -> None:
        """Store `events` and drop `done` from the numbers left (moving `rest` to the REST list) at once."""
        deep = cp.state["deep"]
        gone = set(done) | set(rest)
        left = [n for n in deep["numbers"] if n not in gone]
        by_rest = sorted(set(deep.get("rest") or []) | set(rest))

        def after(s: Session) -> None:
            cp.state = {**cp.state, "deep": {**deep, "numbers": left, "rest": by_rest}}
            save_checkpoint(s, self.full_name, cp)
        self._store_page(CATEGORY_ISSUE_EVENTS, events, lambda s, objs: upsert.upsert_issue_events(s, self.rid, objs),
                         after)

    def _deep_timelines(self, cp: Checkpoint, wanted: Callable[[dict[str, Any]], bool]) -> None:
        """The GraphQL part of `_deep_events`. An event is stored under the REST id decoded from its
        node id (`node_ids.database_id`), so REST reads of it later hit the same row; an issue with
        an event whose id does not decode, or one GitHub times out on alone, goes to the REST list."""
        deep = cp.state["deep"]
        # The size a timeout taught us stays in the checkpoint: later runs start there.
        self._timeline_nodes = max(1, min(TIMELINE_NODES, int(cp.state.get("timeline_nodes") or TIMELINE_NODES)))
        with session_scope(self.engine) as s:
            pulls = set(s.scalars(select(Issue.number).where(Issue.repo_id == self.rid, Issue.is_pull.is_(True),
                                                             Issue.number.in_(deep["numbers"]))))
        total = math.ceil(len(deep["numbers"]) / max(1, self._timeline_nodes // TIMELINE_PAGE))
        while cp.state["deep"]["numbers"]:
            size = self._timeline_nodes // TIMELINE_PAGE
            if size < 1:
                log.warning("%s: even one issue's timeline times out; the rest are read over REST", self.full_name)
                self._deep_step(cp, (), [], rest=list(cp.state["deep"]["numbers"]))
                return
            batch = cp.state["deep"]["numbers"][:size]
            try:
                events, undecoded = self._timelines([(n, n in pulls) for n in batch], wanted)
            except QueryTimeout as exc:
                self._timeline_nodes //= 2
                log.info("%s; asking for %d issues' timelines per query from now on", exc,
                         self._timeline_nodes // TIMELINE_PAGE)
                cp.state["timeline_nodes"] = self._timeline_nodes  # saved with the next batch
                continue
            self._fill_user_ids(users_of_events(events))
            self._deep_step(cp, batch, events, rest=undecoded)
            self.progress.page(CATEGORY_ISSUE_EVENTS, len(events), total)

    def _timelines(self, items: list[tuple[int, bool]],
                   wanted: Callable[[dict[str, Any]], bool]) -> tuple[list[dict[str, Any]], list[int]]:
        """(REST-shaped events, numbers to read over REST) of these issues, all timeline pages."""
        events: list[dict[str, Any]] = []
        undecoded: set[int] = set()
        todo: list[tuple[int, bool, str | None]] = [(n, pull, None) for n, pull in items]
        page = TIMELINE_PAGE
        while todo:
            per_query = max(1, self._timeline_nodes // page)
            batch, todo = todo[:per_query], todo[per_query:]
            data, errors = self.client.graphql(timeline_query(batch, page), {"owner": self.owner, "name": self.name},
                                               what=f"{self.full_name} issue timelines (GraphQL)")
            for e in errors:
                path = e.get("path") or []
                if not (e.get("type") == "NOT_FOUND" and len(path) == 2) and not (path and path[-1] == "databaseId"):
                    raise CollectorError(f"{self.full_name} issue timelines (GraphQL): {e.get('message')}")
            repo = data.get("repository") or {}
            for n, pull, _ in batch:
                found = (repo.get(f"t{n}") or {}).get("timelineItems")
                if found is None:
                    log.warning("%s: issue #%d is gone; its events are skipped", self.full_name, n)
                    continue
                for node in found.get("nodes") or []:
                    if not node or node.get("__typename") not in TIMELINE_TYPENAMES:
                        continue
                    eid = database_id(str(node.get("id") or ""), node["__typename"])
                    event = rest_event(node, n, eid) if eid is not None else None
                    if event is None:
                        undecoded.add(n)
                    elif wanted(event):
                        events.append(event)
                info = found.get("pageInfo") or {}
                if info.get("hasNextPage") and n not in undecoded:
                    todo.append((n, pull, info.get("endCursor")))
            page = min(100, self._timeline_nodes)  # follow-ups: few issues, fuller pages
        return [e for e in events if e["issue"]["number"] not in undecoded], sorted(undecoded)

    def _deep_rest(self, cp: Checkpoint, wanted: Callable[[dict[str, Any]], bool]) -> None:
        """Per-issue REST events (one request per issue): without GraphQL, or for the issues the
        GraphQL part handed over, a few issues per transaction."""
        deep = cp.state["deep"]
        todo: list[int] = sorted(set(deep["numbers"]) | set(deep.get("rest") or []))

        def fetch(number: int) -> list[dict[str, Any]]:
            try:
                events = self._rest_list(f"{self._path}/issues/{number}/events?per_page={self.client.options.per_page}",
                                         f"{self.full_name} #{number} events")
            except NotFoundError:
                log.warning("%s: issue #%d is gone; its events are skipped", self.full_name, number)
                return []
            # The per-issue list leaves out the issue it belongs to; the stored row needs its number.
            return [{**e, "issue": {"number": number}} for e in events if wanted(e)]

        step = self.workers * 4
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="github-events") as pool:
            for i in range(0, len(todo), step):
                chunk = todo[i:i + step]
                events = [e for found in pool.map(fetch, chunk) for e in found]
                deep = cp.state["deep"]
                left = set(chunk)

                def after(s: Session, deep: dict[str, Any] = deep, left: set[int] = left) -> None:
                    cp.state = {**cp.state, "deep": {**deep, "numbers": [n for n in deep["numbers"] if n not in left],
                                                     "rest": [n for n in deep.get("rest") or [] if n not in left]}}
                    save_checkpoint(s, self.full_name, cp)
                self._store_page(CATEGORY_ISSUE_EVENTS, events,
                                 lambda s, objs: upsert.upsert_issue_events(s, self.rid, objs), after)
                self.progress.page(CATEGORY_ISSUE_EVENTS, len(events), math.ceil(len(todo) / step))

    # ------------------------------------------------------------------ pull requests

    def _pulls(self) -> None:
        cp = self._cp(CATEGORY_PULLS)
        todo: dict[str, str] = dict(cp.state.get("pending") or {})
        if not todo:
            self.progress.done(CATEGORY_PULLS)
            return
        numbers = sorted(int(n) for n in todo)
        if not self.use_graphql:
            known = self._rest_pull_list(todo)
            batches = [numbers[i:i + 10] for i in range(0, len(numbers), 10)]

            def fetch(batch: list[int]) -> list[PullParts]:
                return [self._rest_pull(n, known.get(n)) for n in batch]
            with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="github") as pool:
                for batch, results in zip(batches, pool.map(fetch, batches), strict=True):
                    self._store_pulls(batch, results, todo)
                    self.progress.page(CATEGORY_PULLS, len(batch), len(batches))
            self.progress.done(CATEGORY_PULLS)
            return
        # GraphQL, in waves of one batch per worker; the batch size a timeout taught us is kept in
        # the checkpoint, so the next run starts at the size that works instead of timing out again.
        self._batch = max(1, min(MAX_PULLS_PER_QUERY, int(cp.state.get("batch") or MAX_PULLS_PER_QUERY)))
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="github") as pool:
            while numbers:
                size = self._batch
                wave = [numbers[i:i + size] for i in range(0, min(len(numbers), size * self.workers), size)]
                numbers = numbers[sum(len(b) for b in wave):]
                for batch, results in zip(wave, pool.map(self._graphql_split, wave), strict=True):
                    self._store_pulls(batch, results, todo)
                    self.progress.page(CATEGORY_PULLS, len(batch), None)
        self.progress.done(CATEGORY_PULLS)

    def _graphql_split(self, numbers: list[int]) -> list[PullParts]:
        """`_graphql_batch`, halving a batch GitHub timed out on (and remembering the smaller size);
        a single pull request that still times out is read over REST."""
        if self._graphql_too_heavy:
            return [self._rest_pull(n, None) for n in numbers]
        try:
            return self._graphql_batch(numbers)
        except QueryTimeout as exc:
            if len(numbers) == 1:
                log.warning("%s; even one pull request is too heavy: the rest of this run reads them over REST", exc)
                self._graphql_too_heavy = True
                return [self._rest_pull(numbers[0], None)]
            with self._batch_lock:
                if len(numbers) // 2 < self._batch:
                    log.info("%s; asking for %d pull requests per query from now on", exc, len(numbers) // 2)
                    self._batch = len(numbers) // 2
            # The rest of this batch goes at the size learned so far (it may shrink again on the way).
            out: list[PullParts] = []
            while len(out) < len(numbers):
                chunk = numbers[len(out):len(out) + self._batch]
                out += self._graphql_split(chunk)
            return out

    def _store_pulls(
        self,
        batch: list[int],
        results: Iterable[tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]],
        todo: dict[str, str],
    ) -> None:
        """One transaction per batch: pulls, their reviews and files, and the pending list shrunk."""
        cp = self._cp(CATEGORY_PULLS)
        results = [r for r in results if r[0]]
        self._fill_user_ids(u for pull, reviews, _ in results for u in users_in(pull, reviews))

        def write(s: Session, results: list[tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]]) -> int:
            pulls = [p for p, _, _ in results]
            n = upsert.upsert_pulls(s, self.rid, pulls)
            self._count("reviews", upsert.upsert_reviews(s, self.rid, [r for _, rs, _ in results for r in rs]))
            self._count("pull_files", upsert.upsert_pull_files(s, self.rid, {p["number"]: f for p, _, f in results}))
            return n

        def after(s: Session) -> None:
            for n in batch:
                todo.pop(str(n), None)
            cp.state = {**cp.state, "pending": dict(todo)}
            if self.use_graphql:
                cp.state["batch"] = self._batch
            save_checkpoint(s, self.full_name, cp)

        self._store_page(CATEGORY_PULLS, results, write, after)  # type: ignore[arg-type]

    def _fill_user_ids(self, users: Iterable[dict[str, Any]]) -> None:
        """GraphQL's 32-bit user `databaseId` cannot carry every id: look the rest up by login
        (stored users first, then GET /users/{login}, once per login per run). A login GitHub does
        not know (404) is stored as no author, never a reason to stop; mannequins need no id."""
        missing = [u for u in users if u.get("id") is None and u.get("type") != MANNEQUIN]
        if not missing:
            return
        logins = sorted({u["login"].lower() for u in missing} - set(self._user_ids))
        if logins:
            with session_scope(self.engine) as s:
                for uid, login in s.execute(select(User.id, User.login).where(func.lower(User.login).in_(logins))):
                    self._user_ids[login.lower()] = uid
        for u in missing:
            key = u["login"].lower()
            if key not in self._user_ids:
                try:
                    resp = self.client.get(f"/users/{u['login']}", what=f"user {u['login']}")
                    self._user_ids[key] = int(resp.data["id"])
                except NotFoundError:
                    log.warning("%s: GitHub has no user %r (404); stored without an author", self.full_name, u["login"])
                    self._user_ids[key] = None
            u["id"] = self._user_ids[key]

    def _graphql_batch(
        self, numbers: list[int]
    ) -> list[tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]]:
        """Pull requests, reviews and files of up to 50 pull requests (more pages when a pull has >100)."""
        variables = {"owner": self.owner, "name": self.name}
        data, errors = self.client.graphql(pulls_query(numbers), variables, what=f"{self.full_name} pulls (GraphQL)")
        gone = {e["path"][1] for e in errors if e.get("type") == "NOT_FOUND" and len(e.get("path") or []) == 2}
        for e in errors:
            path = e.get("path") or []
            if e.get("type") != "NOT_FOUND" and not (path and path[-1] == "databaseId"):
                raise CollectorError(f"{self.full_name} pulls (GraphQL): {e.get('message')}")
        repo = data.get("repository") or {}
        out: list[tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]] = []
        api = self.client.base_url
        for n in numbers:
            node = repo.get(f"p{n}")
            if node is None:
                if f"p{n}" in gone:
                    log.warning("%s: pull request #%d no longer exists", self.full_name, n)
                out.append(({}, [], []))
                continue
            for connection in ("labels", "reviewRequests"):
                node[connection] = {"nodes": self._all_nodes(n, connection, node[connection])}
            pull = rest_pull(node, api, self.full_name)
            reviews = self._all_nodes(n, "reviews", node["reviews"])
            files = self._all_nodes(n, "files", node["files"])
            out.append((pull, [rest_review(r, pull["url"]) for r in reviews], [rest_file(f) for f in files]))
        return out

    def _all_nodes(self, number: int, connection: str, first: dict[str, Any]) -> list[dict[str, Any]]:
        nodes = list(first.get("nodes") or [])
        page = first.get("pageInfo") or {}
        while page.get("hasNextPage"):
            data, _ = self.client.graphql(more_query(connection), {
                "owner": self.owner, "name": self.name, "number": number, "after": page.get("endCursor")},
                what=f"{self.full_name} #{number} {connection} (GraphQL)")
            conn = ((data.get("repository") or {}).get("pullRequest") or {}).get(connection) or {}
            nodes.extend(conn.get("nodes") or [])
            page = conn.get("pageInfo") or {}
        return [n for n in nodes if n]

    # ------------------------------------------------------------------ REST fallback (--no-graphql)

    def _rest_pull_list(self, todo: dict[str, str]) -> dict[int, dict[str, Any]]:
        """The pending pulls from the pull list, newest first, down to the oldest pending one."""
        oldest = min(parse_utc(v) for v in todo.values())
        wanted = {int(n) for n in todo}
        found: dict[int, dict[str, Any]] = {}
        what = f"{self.full_name} pulls"
        resp = self.client.get(f"{self._path}/pulls", {"state": "all", "sort": "updated", "direction": "desc",
                                                        "per_page": self.client.options.per_page}, what=what)
        while True:
            items = list(resp.data or [])
            for p in items:
                if p["number"] in wanted:
                    found[p["number"]] = p
            nxt = resp.link("next")
            if not nxt or not items or _ts(items[-1], "updated_at") < oldest or wanted <= set(found):
                return found
            resp = self.client.get(nxt, what=what)

    def _rest_list(self, url: str, what: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        next_url: str | None = url
        while next_url:
            resp = self.client.get(next_url, what=what)
            items.extend(resp.data or [])
            next_url = resp.link("next")
        return items

    def _rest_pull(
        self, number: int, listed: dict[str, Any] | None
    ) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
        base = f"{self._path}/pulls/{number}"
        try:
            pull = listed or self.client.get(base, what=f"{self.full_name} #{number}").data
            per_page = self.client.options.per_page
            reviews = self._rest_list(f"{base}/reviews?per_page={per_page}", f"{self.full_name} #{number} reviews")
            files = self._rest_list(f"{base}/files?per_page={per_page}", f"{self.full_name} #{number} files")
        except NotFoundError:
            log.warning("%s: pull request #%d no longer exists", self.full_name, number)
            return {}, [], []
        return pull, reviews, files
