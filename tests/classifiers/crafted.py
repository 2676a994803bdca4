"""A hand-made dataset directory with a known answer, for the judgement tests.

Only the fields the importer reads are filled in. Times are relative to NOW (the dataset's `now`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = "vllm-project/vllm"
NOW = datetime(2026, 11, 27, tzinfo=UTC)
API = f"https://api.github.com/repos/{REPO}"


def iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def ago(days: float = 0, hours: float = 0) -> datetime:
    return NOW - timedelta(days=days, hours=hours)


@dataclass
class Crafted:
    """Builder: add users, issues, PRs, reviews, comments, events, chat; then `write(dir)`."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    issues: list[dict[str, Any]] = field(default_factory=list)
    pulls: list[dict[str, Any]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    review_comments: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    labels: list[dict[str, Any]] = field(default_factory=list)
    contents: dict[str, str] = field(default_factory=dict)
    channels: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    truth: dict[str, Any] | None = None
    _next: int = 1000

    def _id(self) -> int:
        self._next += 1
        return self._next

    def user(self, login: str, bot: bool = False) -> dict[str, Any]:
        if login not in self.users:
            self.users[login] = {"login": login, "id": 10_000 + len(self.users), "type": "Bot" if bot else "User",
                                 "site_admin": False}
        return self.users[login]

    def issue(self, number: int, title: str, author: str, *, body: str = "", created: datetime | None = None,
              state: str = "open", labels: tuple[str, ...] = (), assoc: str = "NONE", closed: datetime | None = None,
              assignees: tuple[str, ...] = ()) -> dict[str, Any]:
        created = created or ago(10)
        obj = {"id": self._id(), "number": number, "title": title, "body": body, "state": state,
               "user": self.user(author), "author_association": assoc, "labels": [{"name": n} for n in labels],
               "assignees": [self.user(a) for a in assignees], "comments": 0, "created_at": iso(created),
               "updated_at": iso(closed or created), "closed_at": iso(closed) if closed else None,
               "html_url": f"https://github.com/{REPO}/issues/{number}",
               "state_reason": "completed" if state == "closed" else None}
        self.issues.append(obj)
        return obj

    def pull(self, number: int, title: str, author: str, files: list[str], *, body: str = "",
             created: datetime | None = None, merged_by: str | None = None, merged: datetime | None = None,
             state: str | None = None, assoc: str = "CONTRIBUTOR") -> None:
        created = created or ago(10)
        state = state or ("closed" if merged else "open")
        issue = self.issue(number, title, author, body=body, created=created, state=state, assoc=assoc,
                           closed=merged)
        issue["pull_request"] = {"url": f"{API}/pulls/{number}"}
        issue["html_url"] = f"https://github.com/{REPO}/pull/{number}"
        self.pulls.append({"id": self._id(), "number": number, "title": title, "body": body, "state": state,
                           "draft": False, "user": self.user(author), "author_association": assoc, "labels": [],
                           "requested_reviewers": [], "head": {"ref": f"b{number}", "sha": "a" * 40},
                           "base": {"ref": "main"}, "merged_by": self.user(merged_by) if merged_by else None,
                           "created_at": iso(created), "updated_at": iso(merged or created),
                           "closed_at": iso(merged) if merged else None, "merged_at": iso(merged) if merged else None})
        self.files[str(number)] = [{"filename": f, "status": "modified", "additions": 5, "deletions": 1, "changes": 6}
                                   for f in files]

    def review(
        self, number: int, login: str, state: str, when: datetime, body: str = "", assoc: str = "MEMBER"
    ) -> None:
        self.reviews.append({"id": self._id(), "user": self.user(login, bot=login.endswith("[bot]")), "state": state,
                             "body": body, "author_association": assoc, "submitted_at": iso(when),
                             "pull_request_url": f"{API}/pulls/{number}"})

    def review_comment(self, number: int, login: str, path: str, when: datetime, body: str = "nit",
                       assoc: str = "MEMBER") -> None:
        self.review_comments.append({"id": self._id(), "user": self.user(login), "path": path, "body": body,
                                     "author_association": assoc, "created_at": iso(when), "updated_at": iso(when),
                                     "pull_request_url": f"{API}/pulls/{number}", "pull_request_review_id": None})

    def comment(self, number: int, login: str, body: str, when: datetime, assoc: str = "NONE") -> None:
        self.comments.append({"id": self._id(), "user": self.user(login, bot=login.endswith("[bot]")), "body": body,
                              "author_association": assoc, "created_at": iso(when), "updated_at": iso(when),
                              "issue_url": f"{API}/issues/{number}"})

    def event(self, number: int, actor: str, event: str, when: datetime, label: str | None = None,
              assignee: str | None = None) -> None:
        e: dict[str, Any] = {"id": self._id(), "actor": self.user(actor), "event": event, "created_at": iso(when),
                             "issue": {"number": number}}
        if label:
            e["label"] = {"name": label}
        if assignee:
            e["assignee"] = self.user(assignee)
        self.events.append(e)

    def chat(self, channel: str, author: str, content: str, when: datetime, reply_to: int | None = None) -> int:
        if not any(c["name"] == channel for c in self.channels):
            self.channels.append({"id": str(910_000_000_000_000_000 + len(self.channels)), "type": 0,
                                  "guild_id": "900000000000000001", "name": channel, "position": 0, "parent_id": None})
        cid = next(c["id"] for c in self.channels if c["name"] == channel)
        mid = 930_000_000_000_000_000 + len(self.messages)
        msg = {"id": str(mid), "channel_id": cid, "content": content, "timestamp": iso(when), "type": 0,
               "edited_timestamp": None,
               "author": {"id": str(920_000_000_000_000_000 + sum(map(ord, author))), "username": author,
                          "global_name": None, "bot": False}}
        if reply_to is not None:
            msg["message_reference"] = {"message_id": str(reply_to), "channel_id": cid}
        self.messages.append(msg)
        return mid

    def write(self, root: Path) -> Path:
        gh = root / "github" / REPO.replace("/", "__")
        gh.mkdir(parents=True, exist_ok=True)
        (root / "meta.json").write_text(json.dumps({"format": 1, "now": iso(NOW)}))
        (gh / "repo.json").write_text(json.dumps({"id": 1, "full_name": REPO, "default_branch": "main"}))
        for name, data in (("issues", self.issues), ("pulls", self.pulls), ("issue_comments", self.comments),
                           ("reviews", self.reviews), ("review_comments", self.review_comments),
                           ("issue_events", self.events), ("labels", self.labels)):
            (gh / f"{name}.json").write_text(json.dumps(data))
        (gh / "pull_files.json").write_text(json.dumps(self.files))
        for path, text in self.contents.items():
            (gh / "contents" / path).parent.mkdir(parents=True, exist_ok=True)
            (gh / "contents" / path).write_text(text)
        if self.channels:
            (root / "discord").mkdir(exist_ok=True)
            (root / "discord" / "guild.json").write_text(json.dumps({"id": "900000000000000001", "name": "vllm"}))
            (root / "discord" / "channels.json").write_text(json.dumps(self.channels))
            (root / "discord" / "messages.json").write_text(json.dumps(self.messages))
        if self.truth is not None:
            (root / "truth.json").write_text(json.dumps(self.truth))
        return root
