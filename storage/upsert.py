"""Idempotent upserts of GitHub and Discord payloads, keyed by the source's own ids.

The same functions serve `scout import` and the collectors, so a dataset loaded twice, or an
object collected twice, is stored once. Payloads are taken exactly as the REST APIs return them;
a payload that lacks what we need raises `PayloadError` naming the object, before anything of it
is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import String, Table, Text, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from config.clock import parse_utc
from config.errors import DatasetError
from rules.github import issue_refs
from storage.identity import account_id, strip_nul
from storage.models import (
    Base,
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

Payload = Mapping[str, Any]
CHUNK = 500


class PayloadError(DatasetError):
    """An API object lacks a field we need or has one of the wrong type."""


# ----------------------------------------------------------------------------- low level


@lru_cache(maxsize=64)
def _bounded_columns(table: Table) -> tuple[tuple[str, int], ...]:
    return tuple((c.name, c.type.length) for c in table.columns
                 if isinstance(c.type, String) and not isinstance(c.type, Text) and c.type.length)


def _check_lengths(table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """A VARCHAR(n) holds n characters in PostgreSQL and anything in SQLite: refuse alike in both."""
    for name, length in _bounded_columns(table):
        for r in rows:
            v = r.get(name)
            if isinstance(v, str) and len(v) > length:
                ident = r.get("id", r.get("number", "?"))
                raise PayloadError(f"{table.name} {str(ident)[:40]}: {name} has {len(v)} characters, "
                                   f"at most {length} fit")
def _table(model: type[Base]) -> Table:
    """A model's Table (the declarative base types `__table__` as any FromClause)."""
    table = model.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not mapped to a table")
    return table


def _upsert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str],
                 keep: Sequence[str] = ()) -> int:
    """INSERT .. ON CONFLICT (keys) DO UPDATE, in chunks; columns in `keep` are never overwritten."""
    if not rows:
        return 0
    _check_lengths(table, rows)
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


def _show(value: Any) -> str:
    """A value for a message, cut short: a hostile payload's field may be megabytes long."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _where(obj: Payload, kind: str) -> str:
    ident = obj.get("id", obj.get("number", "?")) if isinstance(obj, Mapping) else "?"
    return f"{kind} {str(ident)[:40]}"


def _check_numbers(session: Session, model: Any, repo_id: int, rows: Sequence[dict[str, Any]], kind: str) -> None:
    """A number names one issue (or pull request) of a repository: another id with a stored or
    given number is a bad payload, said before the database's unique constraint says it worse."""
    owner: dict[int, int] = {}
    for r in rows:
        first = owner.setdefault(r["number"], r["id"])
        if first != r["id"]:
            raise PayloadError(f"{kind} {r['id']}: number {r['number']} is also {kind} {first}'s")
    numbers = list(owner)
    for i in range(0, len(numbers), CHUNK):
        stored = session.execute(select(model.id, model.number).where(model.repo_id == repo_id,
                                                                       model.number.in_(numbers[i:i + CHUNK])))
        for stored_id, number in stored:
            if owner[number] != stored_id:
                raise PayloadError(f"{kind} {owner[number]}: number {number} is already stored as {kind} {stored_id}")


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
    if not isinstance(value, str) or len(value) > 40:
        raise TypeError(f"expected an ISO 8601 time string, got {_show(value)}")
    return parse_utc(value)


def _time_opt(value: Any) -> datetime | None:
    return None if value is None else _time(value)


INT_MIN, INT_MAX = -(2**63), 2**63 - 1  # a BIGINT column, in SQLite and PostgreSQL alike


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what}: expected an integer, got {str(value)[:40]!r}")
    if not INT_MIN <= value <= INT_MAX:
        raise ValueError(f"{what}: {str(value)[:40]} is out of range")
    return value


def _str(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what}: expected a string, got {_show(value)}")
    return value


def _opt(value: Any, what: str) -> str | None:
    """A string field that may be null (never a list or an object stored as text)."""
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"{what}: expected a string or null, got {_show(value)}")


def _or(value: Any, default: str, what: str) -> str:
    return _opt(value, what) or default


def _int_opt(value: Any, what: str) -> int | None:
    return None if value is None else _int(value, what)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


def _number_from_url(url: Any, what: str) -> int:
    tail = _str(url, what).rstrip("/").rsplit("/", 1)[-1]
    if not tail.isdigit():
        raise ValueError(f"{what}: no issue/pull number in {_show(url)}")
    return int(tail)


# ----------------------------------------------------------------------------- users


def _user_row(u: Payload) -> dict[str, Any] | None:
    """The users row of a user object; None for a deleted or unidentified account (storage.identity)."""
    uid = account_id(u)
    if uid is None:
        return None
    return {"id": uid, "login": _str(u["login"], "user.login"),
            "type": _or(u.get("type"), "User", "user.type"), "site_admin": bool(u.get("site_admin", False))}


def _collect_users(payloads: Iterable[Payload], *keys: str, kind: str = "object") -> list[dict[str, Any]]:
    users: dict[int, dict[str, Any]] = {}
    for obj in payloads:
        for key in keys:
            val = obj.get(key)
            for u in (val if isinstance(val, list) else [val]):
                if isinstance(u, Mapping) and "id" in u and "login" in u:
                    try:
                        row = _user_row(u)
                    except (TypeError, ValueError) as exc:
                        raise PayloadError(f"{_where(obj, kind)}: {key}: {exc}") from None
                    if row is not None:
                        users[row["id"]] = row
    return list(users.values())


def _user_id(u: Any) -> int | None:
    if u is not None and not isinstance(u, Mapping):
        raise TypeError(f"user: expected an object or null, got {_show(u)}")
    return account_id(u)


def upsert_users(session: Session, payloads: Iterable[Payload]) -> int:
    """Users from full or nested user objects (a profile's `bio` is kept when present)."""
    rows = []
    for u in payloads:
        row = _user_row(u)
        if row is None:
            continue
        if "bio" in u:
            row["bio"] = _opt(u.get("bio"), "bio")
        rows.append(row)
    with_bio = [r for r in rows if "bio" in r]
    without = [r for r in rows if "bio" not in r]
    return _upsert_rows(session, _table(User), with_bio, ["id"]) + _upsert_rows(session, _table(User), without, ["id"])


def _store_users(session: Session, payloads: Sequence[Payload], *keys: str, kind: str = "object") -> None:
    _upsert_rows(session, _table(User), _collect_users(payloads, *keys, kind=kind), ["id"])


# ----------------------------------------------------------------------------- github


def upsert_repo(session: Session, payload: Payload) -> int:
    """Store a repository object; returns its id."""
    (row,) = _convert([payload], "repo", lambda r: {
        "id": _int(r["id"], "id"), "full_name": _str(r["full_name"], "full_name"),
        "default_branch": _or(r.get("default_branch"), "main", "default_branch"),
        "html_url": _or(r.get("html_url"), "", "html_url"),
        "created_at": _time_opt(r.get("created_at")), "updated_at": _time_opt(r.get("updated_at")),
        "pushed_at": _time_opt(r.get("pushed_at")),
    })
    if isinstance(payload.get("owner"), Mapping):
        _store_users(session, [payload], "owner", kind="repo")
    _upsert_rows(session, _table(Repo), [row], ["id"])
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
            "id": _int(i["id"], "id"),
            "repo_id": repo_id,
            "number": _int(i["number"], "number"),
            "is_pull": "pull_request" in i and i["pull_request"] is not None,
            "title": _str(i["title"], "title"),
            "body": _text(i.get("body")),
            "state": _str(i["state"], "state"),
            "state_reason": _opt(i.get("state_reason"), "state_reason"),
            "user_id": _user_id(i.get("user")),
            "author_association": _or(i.get("author_association"), "NONE", "author_association"),
            "labels": _names(i.get("labels"), "name", "labels"),
            "assignees": _names(i.get("assignees"), "login", "assignees"),
            "milestone": _opt(milestone.get("title"), "milestone.title") if isinstance(milestone, Mapping) else None,
            "comments": _int(i.get("comments", 0), "comments"),
            "locked": bool(i.get("locked", False)),
            "html_url": _or(i.get("html_url"), "", "html_url"),
            "created_at": _time(i["created_at"]),
            "updated_at": _time(i["updated_at"]),
            "closed_at": _time_opt(i.get("closed_at")),
        }
    return row


def upsert_issues(session: Session, repo_id: int, payloads: Sequence[Payload]) -> int:
    """Issues as listed by /issues (pull requests included, marked by their `pull_request` key)."""
    rows = _convert(payloads, "issue", _issue_row(repo_id))
    _check_numbers(session, Issue, repo_id, rows, "issue")
    _store_users(session, payloads, "user", "assignees", "assignee", "closed_by", kind="issue")
    return _upsert_rows(session, _table(Issue), rows, ["id"])


def _pull_row(repo_id: int) -> Callable[[Payload], dict[str, Any]]:
    def row(p: Payload) -> dict[str, Any]:
        head, base = p.get("head") or {}, p.get("base") or {}
        return {
            "id": _int(p["id"], "id"),
            "repo_id": repo_id,
            "number": _int(p["number"], "number"),
            "title": _str(p["title"], "title"),
            "body": _text(p.get("body")),
            "state": _str(p["state"], "state"),
            "draft": bool(p.get("draft", False)),
            "user_id": _user_id(p.get("user")),
            "author_association": _or(p.get("author_association"), "NONE", "author_association"),
            "labels": _names(p.get("labels"), "name", "labels"),
            "requested_reviewers": _names(p.get("requested_reviewers"), "login", "requested_reviewers"),
            "head_ref": _or(head.get("ref"), "", "head.ref"),
            "head_sha": _or(head.get("sha"), "", "head.sha"),
            "base_ref": _or(base.get("ref"), "", "base.ref"),
            "merge_commit_sha": _opt(p.get("merge_commit_sha"), "merge_commit_sha"),
            "merged_by_id": _user_id(p.get("merged_by")),
            "html_url": _or(p.get("html_url"), "", "html_url"),
            "created_at": _time(p["created_at"]),
            "updated_at": _time(p["updated_at"]),
            "closed_at": _time_opt(p.get("closed_at")),
            "merged_at": _time_opt(p.get("merged_at")),
        }
    return row


def upsert_pulls(session: Session, repo_id: int, payloads: Sequence[Payload]) -> int:
    rows = _convert(payloads, "pull request", _pull_row(repo_id))
    _check_numbers(session, PullRequest, repo_id, rows, "pull request")
    _store_users(session, payloads, "user", "merged_by", "requested_reviewers", "assignees", kind="pull request")
    # A list payload has no merged_by: never erase one we learnt from a fuller payload.
    keep = ["merged_by_id"] if all(r["merged_by_id"] is None for r in rows) else []
    return _upsert_rows(session, _table(PullRequest), rows, ["id"], keep=keep)


def upsert_issue_comments(session: Session, repo_id: int, payloads: Sequence[Payload]) -> int:
    rows = _convert(
        payloads,
        "issue comment",
        lambda c: {
            "id": _int(c["id"], "id"),
            "repo_id": repo_id,
            "issue_number": _number_from_url(c["issue_url"], "issue_url"),
            "user_id": _user_id(c.get("user")),
            "author_association": _or(c.get("author_association"), "NONE", "author_association"),
            "body": _text(c.get("body")),
            "created_at": _time(c["created_at"]),
            "updated_at": _time(c["updated_at"]),
        },
    )
    _store_users(session, payloads, "user", kind="issue comment")
    return _upsert_rows(session, _table(IssueComment), rows, ["id"])


def upsert_reviews(session: Session, repo_id: int, payloads: Sequence[Payload]) -> int:
    rows = _convert(
        payloads,
        "review",
        lambda r: {
            "id": _int(r["id"], "id"),
            "repo_id": repo_id,
            "pull_number": _number_from_url(r["pull_request_url"], "pull_request_url"),
            "user_id": _user_id(r.get("user")),
            "author_association": _or(r.get("author_association"), "NONE", "author_association"),
            "state": _str(r["state"], "state"),
            "body": _text(r.get("body")),
            "commit_id": _opt(r.get("commit_id"), "commit_id"),
            "submitted_at": _time_opt(r.get("submitted_at")),
        },
    )
    _store_users(session, payloads, "user", kind="review")
    return _upsert_rows(session, _table(Review), rows, ["id"])


def upsert_review_comments(session: Session, repo_id: int, payloads: Sequence[Payload]) -> int:
    rows = _convert(
        payloads,
        "review comment",
        lambda c: {
            "id": _int(c["id"], "id"),
            "repo_id": repo_id,
            "pull_number": _number_from_url(c["pull_request_url"], "pull_request_url"),
            "review_id": _int_opt(c.get("pull_request_review_id"), "pull_request_review_id"),
            "in_reply_to_id": _int_opt(c.get("in_reply_to_id"), "in_reply_to_id"),
            "user_id": _user_id(c.get("user")),
            "author_association": _or(c.get("author_association"), "NONE", "author_association"),
            "path": _str(c["path"], "path"),
            "body": _text(c.get("body")),
            "created_at": _time(c["created_at"]),
            "updated_at": _time(c["updated_at"]),
        },
    )
    _store_users(session, payloads, "user", kind="review comment")
    return _upsert_rows(session, _table(ReviewComment), rows, ["id"])


def upsert_pull_files(session: Session, repo_id: int, files_by_pull: Mapping[str | int, Sequence[Payload]]) -> int:
    """Replace the changed-file list of each given pull request (a PR's file set can shrink)."""
    rows: list[dict[str, Any]] = []
    numbers = []
    for num, files in files_by_pull.items():
        text = str(num)
        if not (text.isdigit() and len(text) <= 18):
            raise PayloadError(f"pull files key {text[:40]!r}: expected a pull number")
        number = int(text)
        numbers.append(number)
        if not isinstance(files, list):
            raise PayloadError(f"pull files of #{number}: expected a list")
        def file_row(f: Payload, n: int = number) -> dict[str, Any]:
            return {
                "repo_id": repo_id,
                "pull_number": n,
                "filename": _str(f["filename"], "filename"),
                "status": _or(f.get("status"), "modified", "status"),
                "additions": _int(f.get("additions", 0), "additions"),
                "deletions": _int(f.get("deletions", 0), "deletions"),
                "changes": _int(f.get("changes", 0), "changes"),
            }

        rows.extend(_convert(files, f"file of pull #{number}", file_row))
    for i in range(0, len(numbers), CHUNK):
        session.execute(delete(PullFile).where(PullFile.repo_id == repo_id,
                                               PullFile.pull_number.in_(numbers[i:i + CHUNK])))
    return _upsert_rows(session, _table(PullFile), rows, ["repo_id", "pull_number", "filename"])


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
            "label": _opt(label.get("name"), "label.name") if isinstance(label, Mapping) else None,
            "assignee_login": _opt(_login(e.get("assignee")), "assignee.login"),
            "requested_reviewer_login": _opt(_login(e.get("requested_reviewer")), "requested_reviewer.login"),
            "commit_id": _opt(e.get("commit_id"), "commit_id"), "created_at": _time(e["created_at"]),
        }
    rows = _convert(payloads, "issue event", row)
    _store_users(
        session, payloads, "actor", "assignee", "assigner", "requested_reviewer", "review_requester", kind="issue event"
    )
    return _upsert_rows(session, _table(IssueEvent), rows, ["id"])


def upsert_labels(session: Session, repo_id: int, payloads: Sequence[Payload], replace: bool = False) -> int:
    """Store labels; with `replace`, labels missing from the payload are deleted (a full list was read)."""
    rows = _convert(payloads, "label", lambda lb: {
        "id": _int(lb["id"], "id"), "repo_id": repo_id, "name": _str(lb["name"], "name"),
        "color": _or(lb.get("color"), "", "color"), "description": _opt(lb.get("description"), "description"),
    })
    owner: dict[str, int] = {}
    for r in rows:  # one listing never names a label twice
        first = owner.setdefault(r["name"], r["id"])
        if first != r["id"]:
            raise PayloadError(f"label {r['id']}: name {r['name'][:60]!r} is also label {first}'s")
    if replace:
        ids = [r["id"] for r in rows]
        session.execute(delete(Label).where(Label.repo_id == repo_id, Label.id.not_in(ids)))
    names = list(owner)
    for i in range(0, len(names), CHUNK):  # a label deleted and made again on GitHub comes back with a new id
        session.execute(delete(Label).where(Label.repo_id == repo_id, Label.name.in_(names[i:i + CHUNK]),
                                            Label.id.not_in([owner[n] for n in names[i:i + CHUNK]])))
    return _upsert_rows(session, _table(Label), rows, ["id"])


def upsert_repo_file(session: Session, repo_id: int, path: str, content: str, sha: str, fetched_at: datetime) -> int:
    return _upsert_rows(session, _table(RepoFile), [{
        "repo_id": repo_id, "path": path, "content": content, "sha": sha, "fetched_at": fetched_at,
    }], ["repo_id", "path"])


def delete_repo_files(session: Session, repo_id: int, paths: Sequence[str]) -> int:
    """Forget repository files that are gone from the repository (a deleted label-rule file)."""
    if not paths:
        return 0
    session.execute(delete(RepoFile).where(RepoFile.repo_id == repo_id, RepoFile.path.in_(list(paths))))
    return len(paths)


# ----------------------------------------------------------------------------- discord


def _snowflake(value: Any, what: str) -> int:
    if isinstance(value, bool):
        raise TypeError(f"{what}: expected a snowflake")
    if isinstance(value, str) and value.isdigit() and len(value) <= 20:
        value = int(value)
    if isinstance(value, int) and 0 <= value <= INT_MAX:
        return value
    raise TypeError(f"{what}: expected a snowflake string, got {str(value)[:40]!r}")


def _snowflake_opt(value: Any, what: str) -> int | None:
    return None if value is None else _snowflake(value, what)


def upsert_guild(session: Session, payload: Payload) -> int:
    (row,) = _convert([payload], "guild", lambda g: {"id": _snowflake(g["id"], "id"), "name": _str(g["name"], "name")})
    _upsert_rows(session, _table(DiscordGuild), [row], ["id"])
    return row["id"]


def upsert_channels(session: Session, payloads: Sequence[Payload], guild_id: int | None = None) -> int:
    """Text/forum channels and threads; threads keep their parent in `parent_id`."""
    rows = _convert(payloads, "channel", lambda c: {
        "id": _snowflake(c["id"], "id"),
        "guild_id": _snowflake_opt(c.get("guild_id"), "guild_id") if c.get("guild_id") is not None else guild_id,
        "name": _or(c.get("name"), "", "name"), "type": _int(c.get("type", 0), "type"),
        "parent_id": _snowflake_opt(c.get("parent_id"), "parent_id"), "topic": _opt(c.get("topic"), "topic"),
        "position": _int(c.get("position", 0) or 0, "position"),
    })
    return _upsert_rows(session, _table(DiscordChannel), rows, ["id"])


def _chat_user_row(a: Payload) -> dict[str, Any]:
    return {"id": _snowflake(a["id"], "author.id"), "username": _str(a["username"], "author.username"),
            "global_name": _opt(a.get("global_name"), "author.global_name"), "bot": bool(a.get("bot", False))}


def upsert_chat_users(session: Session, payloads: Sequence[Payload]) -> int:
    """Discord users; the GitHub link columns are never touched here."""
    rows = _convert(payloads, "chat user", _chat_user_row)
    return _upsert_rows(session, _table(ChatUser), rows, ["id"])


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
    channels = sorted({r["channel_id"] for r in rows})
    known: set[int] = set()
    for i in range(0, len(channels), CHUNK):
        known.update(session.scalars(select(DiscordChannel.id).where(DiscordChannel.id.in_(channels[i:i + CHUNK]))))
    for r in rows:
        if r["channel_id"] not in known:
            raise PayloadError(f"message {r['id']}: channel {r['channel_id']} is not a known channel")
    authors = {r["id"]: r for r in _convert([m["author"] for m in payloads], "message author", _chat_user_row)}
    _upsert_rows(session, _table(ChatUser), list(authors.values()), ["id"])
    n = _upsert_rows(session, _table(DiscordMessage), rows, ["id"])
    repos = {name.lower(): rid for rid, name in session.execute(select(Repo.id, Repo.full_name))}
    links = []
    for r in rows:
        for repo, number, kind in issue_refs(r["content"], default_repo):
            if repo in repos:
                links.append({"message_id": r["id"], "repo_id": repos[repo], "issue_number": number, "kind": kind})
    _upsert_rows(session, _table(MessageIssueLink), links, ["message_id", "repo_id", "issue_number"])
    return n


def existing_ids(session: Session, model: type[Any], ids: Sequence[int]) -> set[int]:
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
