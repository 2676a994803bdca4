"""Idempotent upserts of GitHub and Discord payloads, keyed by the source's own ids.

The same functions serve `scout import` and the collectors, so a dataset loaded twice, or an
object collected twice, is stored once. Payloads are taken exactly as the REST APIs return them;
a payload that lacks what we need raises `PayloadError` naming the object, before anything of it
is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from config.clock import parse_utc
from config.errors import DatasetError
from storage.identity import account_id, strip_nul
from storage.models import (
    ChatUser,
    DiscordChannel,
    DiscordGuild,
    DiscordMessage,
    Issue,
    IssueComment,
    IssueEvent,
    Label,
    MessageIssueLink,
    PullFile,
    PullRequest,
    Repo,
    RepoFile,
    Review,
    ReviewComment,
    User,
)
from storage.refs import issue_refs

Payload = Mapping[str, Any]
CHUNK = 500


class PayloadError(DatasetError):
    """An API object lacks a field we need or has one of the wrong type."""


# ----------------------------------------------------------------------------- low level


def _upsert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str],
                 keep: Sequence[str] = ()) -> int:
    """INSERT .. ON CONFLICT (keys) DO UPDATE, in chunks; columns in `keep` are never overwritten."""
    if not rows:
        return 0
    rows = [strip_nul(r) for r in rows]  # the one place text reaches the database: no NUL on either
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    cols = [c for c in rows[0] if c not in keys and c not in keep]
    # Later duplicates of a key win (the newest payload), and a statement may not touch a row twice.
    unique = list({tuple(r[k] for k in keys): r for r in rows}.values())
    for i in range(0, len(unique), CHUNK):
        stmt = insert(table)
        stmt = (stmt.on_conflict_do_update(index_elements=list(keys), set_={c: stmt.excluded[c] for c in cols})
                if cols else stmt.on_conflict_do_nothing(index_elements=list(keys)))
        session.execute(stmt, unique[i:i + CHUNK])
    return len(unique)


def _where(obj: Payload, kind: str) -> str:
    ident = obj.get("id", obj.get("number", "?")) if isinstance(obj, Mapping) else "?"
    return f"{kind} {ident}"


def _convert(payloads: Iterable[Payload], kind: str, fn: Callable[[Payload], dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for i, obj in enumerate(payloads):
        if not isinstance(obj, Mapping):
            raise PayloadError(f"{kind} #{i}: expected a JSON object, got {type(obj).__name__}")
        try:
            rows.append(fn(obj))
        except KeyError as exc:
            raise PayloadError(f"{_where(obj, kind)}: missing field {exc.args[0]!r}") from None
        except (TypeError, ValueError, AttributeError) as exc:
            raise PayloadError(f"{_where(obj, kind)}: {exc}") from None
    return rows


def _time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 time string, got {value!r}")
    return parse_utc(value)


def _time_opt(value: Any) -> datetime | None:
    return None if value is None else _time(value)


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what}: expected an integer, got {value!r}")
    return value


def _str(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what}: expected a string, got {value!r}")
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


def _number_from_url(url: Any, what: str) -> int:
    tail = _str(url, what).rstrip("/").rsplit("/", 1)[-1]
    if not tail.isdigit():
        raise ValueError(f"{what}: no issue/pull number in {url!r}")
    return int(tail)


# ----------------------------------------------------------------------------- users


def _user_row(u: Payload) -> dict[str, Any] | None:
    """The users row of a user object; None for a deleted or unidentified account (storage.identity)."""
    uid = account_id(u)
    if uid is None:
        return None
    return {"id": uid, "login": _str(u["login"], "user.login"),
            "type": u.get("type") or "User", "site_admin": bool(u.get("site_admin", False))}


def _collect_users(payloads: Iterable[Payload], *keys: str) -> list[dict[str, Any]]:
    users: dict[int, dict[str, Any]] = {}
    for obj in payloads:
        for key in keys:
            val = obj.get(key)
            for u in (val if isinstance(val, list) else [val]):
                if isinstance(u, Mapping) and "id" in u and "login" in u:
                    row = _user_row(u)
                    if row is not None:
                        users[row["id"]] = row
    return list(users.values())


def _user_id(u: Any) -> int | None:
    return account_id(u)


def upsert_users(session: Session, payloads: Iterable[Payload]) -> int:
    """Users from full or nested user objects (a profile's `bio` is kept when present)."""
    rows = []
    for u in payloads:
        row = _user_row(u)
        if row is None:
            continue
        if "bio" in u:
            row["bio"] = u.get("bio")
        rows.append(row)
    with_bio = [r for r in rows if "bio" in r]
    without = [r for r in rows if "bio" not in r]
    return _upsert_rows(session, User.__table__, with_bio, ["id"]) + _upsert_rows(session, User.__table__, without, ["id"])


def _store_users(session: Session, payloads: Sequence[Payload], *keys: str) -> None:
    _upsert_rows(session, User.__table__, _collect_users(payloads, *keys), ["id"])


# ----------------------------------------------------------------------------- github


def upsert_repo(session: Session, payload: Payload) -> int:
    """Store a repository object; returns its id."""
    (row,) = _convert([payload], "repo", lambda r: {
        "id": _int(r["id"], "id"), "full_name": _str(r["full_name"], "full_name"),
        "default_branch": r.get("default_branch") or "main", "html_url": r.get("html_url") or "",
        "created_at": _time_opt(r.get("created_at")), "updated_at": _time_opt(r.get("updated_at")),
        "pushed_at": _time_opt(r.get("pushed_at")),
    })
    if isinstance(payload.get("owner"), Mapping):
        _store_users(session, [payload], "owner")
    _upsert_rows(session, Repo.__table__, [row], ["id"])
    return row["id"]


def _names(items: Any, key: str, what: str) -> list[str]:
    if items is None:
        return []
    if not isinstance(items, list):
        raise TypeError(f"{what}: expected a list, got {type(items).__name__}")
    return [_str(x[key], f"{what}.{key}") if isinstance(x, Mapping) else _str(x, what) for x in items]


def _issue_row(repo_id: int) -> Callable[[Payload], dict[str, Any]]:
    def row(i: Payload) -> dict[str, Any]:
        milestone = i.get("milestone")
        return {
            "id": _int(i["id"], "id"), "repo_id": repo_id, "number": _int(i["number"], "number"),
            "is_pull": "pull_request" in i and i["pull_request"] is not None,
            "title": _str(i["title"], "title"), "body": _text(i.get("body")),
            "state": _str(i["state"], "state"), "state_reason": i.get("state_reason"),
            "user_id": _user_id(i.get("user")), "author_association": i.get("author_association") or "NONE",
            "labels": _names(i.get("labels"), "name", "labels"),
            "assignees": _names(i.get("assignees"), "login", "assignees"),
            "milestone": milestone.get("title") if isinstance(milestone, Mapping) else None,
            "comments": _int(i.get("comments", 0), "comments"), "locked": bool(i.get("locked", False)),
            "html_url": i.get("html_url") or "",
            "created_at": _time(i["created_at"]), "updated_at": _time(i["updated_at"]),
            "closed_at": _time_opt(i.get("closed_at")),
        }
    return row


def upsert_issues(session: Session, repo_id: int, payloads: Sequence[Payload]) -> int:
    """Issues as listed by /issues (pull requests included, marked by their `pull_request` key)."""
    rows = _convert(payloads, "issue", _issue_row(repo_id))
    _store_users(session, payloads, "user", "assignees", "assignee", "closed_by")
    return _upsert_rows(session, Issue.__table__, rows, ["id"])


def _pull_row(repo_id: int) -> Callable[[Payload], dict[str, Any]]:
    def row(p: Payload) -> dict[str, Any]:
        head, base = p.get("head") or {}, p.get("base") or {}
        return {
            "id": _int(p["id"], "id"), "repo_id": repo_id, "number": _int(p["number"], "number"),
            "title": _str(p["title"], "title"), "body": _text(p.get("body")), "state": _str(p["state"], "state"),
            "draft": bool(p.get("draft", False)), "user_id": _user_id(p.get("user")),
            "author_association": p.get("author_association") or "NONE",
            "labels": _names(p.get("labels"), "name", "labels"),
            "requested_reviewers": _names(p.get("requested_reviewers"), "login", "requested_reviewers"),
            "head_ref": head.get("ref") or "", "head_sha": head.get("sha") or "", "base_ref": base.get("ref") or "",
            "merge_commit_sha": p.get("merge_commit_sha"), "merged_by_id": _user_id(p.get("merged_by")),
            "html_url": p.get("html_url") or "",
            "created_at": _time(p["created_at"]), "updated_at": _time(p["updated_at"]),
            "closed_at": _time_opt(p.get("closed_at")), "merged_at": _time_opt(p.get("merged_at")),
        }
    return row


def upsert_pulls(session: Session, repo_id: int, payloads: Sequence[Payload]) -> int:
    rows = _convert(payloads, "pull request", _pull_row(repo_id))
    _store_users(session, payloads, "user", "merged_by", "requested_reviewers", "assignees")
    # A list payload has no merged_by: never erase one we learnt from a fuller payload.
    keep = ["merged_by_id"] if all(r["merged_by_id"] is None for r in rows) else []
    return _upsert_rows(session, PullRequest.__table__, rows, ["id"], keep=keep)


def upsert_issue_comments(session: Session, repo_id: int, payloads: Sequence[Payload]) -> int:
    rows = _convert(payloads, "issue comment", lambda c: {
        "id": _int(c["id"], "id"), "repo_id": repo_id, "issue_number": _number_from_url(c["issue_url"], "issue_url"),
        "user_id": _user_id(c.get("user")), "author_association": c.get("author_association") or "NONE",
        "body": _text(c.get("body")), "created_at": _time(c["created_at"]), "updated_at": _time(c["updated_at"]),
    })
    _store_users(session, payloads, "user")
    return _upsert_rows(session, IssueComment.__table__, rows, ["id"])


def upsert_reviews(session: Session, repo_id: int, payloads: Sequence[Payload]) -> int:
    rows = _convert(payloads, "review", lambda r: {
        "id": _int(r["id"], "id"), "repo_id": repo_id,
        "pull_number": _number_from_url(r["pull_request_url"], "pull_request_url"),
        "user_id": _user_id(r.get("user")), "author_association": r.get("author_association") or "NONE",
        "state": _str(r["state"], "state"), "body": _text(r.get("body")), "commit_id": r.get("commit_id"),
        "submitted_at": _time_opt(r.get("submitted_at")),
    })
    _store_users(session, payloads, "user")
    return _upsert_rows(session, Review.__table__, rows, ["id"])


def upsert_review_comments(session: Session, repo_id: int, payloads: Sequence[Payload]) -> int:
    rows = _convert(payloads, "review comment", lambda c: {
        "id": _int(c["id"], "id"), "repo_id": repo_id,
        "pull_number": _number_from_url(c["pull_request_url"], "pull_request_url"),
        "review_id": c.get("pull_request_review_id"), "in_reply_to_id": c.get("in_reply_to_id"),
        "user_id": _user_id(c.get("user")), "author_association": c.get("author_association") or "NONE",
        "path": _str(c["path"], "path"), "body": _text(c.get("body")),
        "created_at": _time(c["created_at"]), "updated_at": _time(c["updated_at"]),
    })
    _store_users(session, payloads, "user")
    return _upsert_rows(session, ReviewComment.__table__, rows, ["id"])


def upsert_pull_files(session: Session, repo_id: int, files_by_pull: Mapping[str | int, Sequence[Payload]]) -> int:
    """Replace the changed-file list of each given pull request (a PR's file set can shrink)."""
    rows: list[dict[str, Any]] = []
    numbers = []
    for num, files in files_by_pull.items():
        number = int(num)
        numbers.append(number)
        if not isinstance(files, list):
            raise PayloadError(f"pull files of #{number}: expected a list")
        rows.extend(_convert(files, f"file of pull #{number}", lambda f, n=number: {
            "repo_id": repo_id, "pull_number": n, "filename": _str(f["filename"], "filename"),
            "status": f.get("status") or "modified", "additions": _int(f.get("additions", 0), "additions"),
            "deletions": _int(f.get("deletions", 0), "deletions"), "changes": _int(f.get("changes", 0), "changes"),
        }))
    for i in range(0, len(numbers), CHUNK):
        session.execute(delete(PullFile).where(PullFile.repo_id == repo_id,
                                               PullFile.pull_number.in_(numbers[i:i + CHUNK])))
    return _upsert_rows(session, PullFile.__table__, rows, ["repo_id", "pull_number", "filename"])


def _login(obj: Any) -> str | None:
    return obj.get("login") if isinstance(obj, Mapping) else None


def upsert_issue_events(session: Session, repo_id: int, payloads: Sequence[Payload]) -> int:
    def row(e: Payload) -> dict[str, Any]:
        issue = e["issue"]
        if not isinstance(issue, Mapping):
            raise TypeError("issue: expected an object")
        label = e.get("label")
        return {
            "id": _int(e["id"], "id"), "repo_id": repo_id, "issue_number": _int(issue["number"], "issue.number"),
            "actor_id": _user_id(e.get("actor")), "event": _str(e["event"], "event"),
            "label": label.get("name") if isinstance(label, Mapping) else None,
            "assignee_login": _login(e.get("assignee")),
            "requested_reviewer_login": _login(e.get("requested_reviewer")),
            "commit_id": e.get("commit_id"), "created_at": _time(e["created_at"]),
        }
    rows = _convert(payloads, "issue event", row)
    _store_users(session, payloads, "actor", "assignee", "assigner", "requested_reviewer", "review_requester")
    return _upsert_rows(session, IssueEvent.__table__, rows, ["id"])


def upsert_labels(session: Session, repo_id: int, payloads: Sequence[Payload], replace: bool = False) -> int:
    """Store labels; with `replace`, labels missing from the payload are deleted (a full list was read)."""
    rows = _convert(payloads, "label", lambda lb: {
        "id": _int(lb["id"], "id"), "repo_id": repo_id, "name": _str(lb["name"], "name"),
        "color": lb.get("color") or "", "description": lb.get("description"),
    })
    if replace:
        ids = [r["id"] for r in rows]
        session.execute(delete(Label).where(Label.repo_id == repo_id, Label.id.not_in(ids)))
    return _upsert_rows(session, Label.__table__, rows, ["id"])


def upsert_repo_file(session: Session, repo_id: int, path: str, content: str, sha: str, fetched_at: datetime) -> int:
    return _upsert_rows(session, RepoFile.__table__, [{
        "repo_id": repo_id, "path": path, "content": content, "sha": sha, "fetched_at": fetched_at,
    }], ["repo_id", "path"])


# ----------------------------------------------------------------------------- discord


def _snowflake(value: Any, what: str) -> int:
    if isinstance(value, bool):
        raise TypeError(f"{what}: expected a snowflake")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise TypeError(f"{what}: expected a snowflake string, got {value!r}")


def _snowflake_opt(value: Any, what: str) -> int | None:
    return None if value is None else _snowflake(value, what)


def upsert_guild(session: Session, payload: Payload) -> int:
    (row,) = _convert([payload], "guild", lambda g: {"id": _snowflake(g["id"], "id"), "name": _str(g["name"], "name")})
    _upsert_rows(session, DiscordGuild.__table__, [row], ["id"])
    return row["id"]


def upsert_channels(session: Session, payloads: Sequence[Payload], guild_id: int | None = None) -> int:
    """Text/forum channels and threads; threads keep their parent in `parent_id`."""
    rows = _convert(payloads, "channel", lambda c: {
        "id": _snowflake(c["id"], "id"),
        "guild_id": _snowflake_opt(c.get("guild_id"), "guild_id") if c.get("guild_id") is not None else guild_id,
        "name": c.get("name") or "", "type": _int(c.get("type", 0), "type"),
        "parent_id": _snowflake_opt(c.get("parent_id"), "parent_id"), "topic": c.get("topic"),
        "position": _int(c.get("position", 0) or 0, "position"),
    })
    return _upsert_rows(session, DiscordChannel.__table__, rows, ["id"])


def _chat_user_row(a: Payload) -> dict[str, Any]:
    return {"id": _snowflake(a["id"], "author.id"), "username": _str(a["username"], "author.username"),
            "global_name": a.get("global_name"), "bot": bool(a.get("bot", False))}


def upsert_chat_users(session: Session, payloads: Sequence[Payload]) -> int:
    """Discord users; the GitHub link columns are never touched here."""
    rows = _convert(payloads, "chat user", _chat_user_row)
    return _upsert_rows(session, ChatUser.__table__, rows, ["id"])


def upsert_messages(session: Session, payloads: Sequence[Payload], default_repo: str | None = None) -> int:
    """Messages (with their authors) and the issues/PRs they mention.

    `#N` without a repo is resolved against `default_repo` (the first watched repo); full URLs and
    `owner/repo#N` are linked to whichever stored repo they name.
    """
    def row(m: Payload) -> dict[str, Any]:
        ref = m.get("message_reference") or {}
        author = m["author"]
        if not isinstance(author, Mapping):
            raise TypeError("author: expected an object")
        return {
            "id": _snowflake(m["id"], "id"), "channel_id": _snowflake(m["channel_id"], "channel_id"),
            "author_id": _snowflake(author["id"], "author.id"), "content": _text(m.get("content")),
            "type": _int(m.get("type", 0), "type"),
            "referenced_message_id": _snowflake_opt(ref.get("message_id"), "message_reference.message_id")
            if isinstance(ref, Mapping) else None,
            "timestamp": _time(m["timestamp"]), "edited_timestamp": _time_opt(m.get("edited_timestamp")),
        }
    rows = _convert(payloads, "message", row)
    authors = {r["id"]: r for r in _convert([m["author"] for m in payloads], "message author", _chat_user_row)}
    _upsert_rows(session, ChatUser.__table__, list(authors.values()), ["id"])
    n = _upsert_rows(session, DiscordMessage.__table__, rows, ["id"])
    repos = {name.lower(): rid for rid, name in session.execute(select(Repo.id, Repo.full_name))}
    links = []
    for r in rows:
        for repo, number, kind in issue_refs(r["content"], default_repo):
            if repo in repos:
                links.append({"message_id": r["id"], "repo_id": repos[repo], "issue_number": number, "kind": kind})
    _upsert_rows(session, MessageIssueLink.__table__, links, ["message_id", "repo_id", "issue_number"])
    return n


def existing_ids(session: Session, model: type, ids: Sequence[int]) -> set[int]:
    """Which of `ids` are already stored (for counting new vs updated objects)."""
    found: set[int] = set()
    for i in range(0, len(ids), CHUNK):
        found.update(session.scalars(select(model.id).where(model.id.in_(ids[i:i + CHUNK]))))
    return found


__all__ = [
    "PayloadError",
    "existing_ids",
    "upsert_channels",
    "upsert_chat_users",
    "upsert_guild",
    "upsert_issue_comments",
    "upsert_issue_events",
    "upsert_issues",
    "upsert_labels",
    "upsert_messages",
    "upsert_pull_files",
    "upsert_pulls",
    "upsert_repo",
    "upsert_repo_file",
    "upsert_review_comments",
    "upsert_reviews",
    "upsert_users",
]
