"""GitHub objects as stored: the fields oss-scout reads, keyed by GitHub's own ids.

Plain issues and the issue side of pull requests share `issues` (GitHub lists both on /issues);
the pull-request side (merge state, branches, reviewers) lives in `pull_requests`, keyed by the
pull's own id and joined to its issue by (repo_id, number).
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

import rules.github as rules
from storage.models.base import Base
from storage.types import json_list, source_pk, text, text_opt, utc, utc_opt


class Repo(Base):
    __tablename__ = "repos"

    id: Mapped[source_pk]
    full_name: Mapped[str] = mapped_column(String(200), unique=True)
    default_branch: Mapped[str] = mapped_column(String(200), default="main")
    html_url: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[utc_opt]
    updated_at: Mapped[utc_opt]
    pushed_at: Mapped[utc_opt]


class User(Base):
    """A GitHub account (people and bots alike; `type` is "Bot" for apps)."""

    __tablename__ = "users"

    id: Mapped[source_pk]
    login: Mapped[str] = mapped_column(String(100), index=True)
    type: Mapped[str] = mapped_column(String(20), default="User")
    site_admin: Mapped[bool] = mapped_column(default=False)
    bio: Mapped[text_opt]

    @property
    def is_bot(self) -> bool:
        return rules.is_bot(self.login, self.type)


class Issue(Base):
    __tablename__ = "issues"
    __table_args__ = (
        UniqueConstraint("repo_id", "number"),
        Index("ix_issues_repo_updated", "repo_id", "updated_at"),
        Index("ix_issues_repo_state", "repo_id", "is_pull", "state"),
    )

    id: Mapped[source_pk]
    repo_id: Mapped[int] = mapped_column(ForeignKey("repos.id"))
    number: Mapped[int] = mapped_column(Integer)
    is_pull: Mapped[bool] = mapped_column(default=False)
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[text]
    state: Mapped[str] = mapped_column(String(10))
    state_reason: Mapped[str | None] = mapped_column(String(30), nullable=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    author_association: Mapped[str] = mapped_column(String(30), default="NONE")
    labels: Mapped[json_list]
    assignees: Mapped[json_list]
    milestone: Mapped[str | None] = mapped_column(String(200), nullable=True)
    comments: Mapped[int] = mapped_column(Integer, default=0)
    locked: Mapped[bool] = mapped_column(default=False)
    html_url: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[utc]
    updated_at: Mapped[utc]
    closed_at: Mapped[utc_opt]


class PullRequest(Base):
    __tablename__ = "pull_requests"
    __table_args__ = (UniqueConstraint("repo_id", "number"), Index("ix_pulls_repo_updated", "repo_id", "updated_at"))

    id: Mapped[source_pk]
    repo_id: Mapped[int] = mapped_column(ForeignKey("repos.id"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[text]
    state: Mapped[str] = mapped_column(String(10))
    draft: Mapped[bool] = mapped_column(default=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    author_association: Mapped[str] = mapped_column(String(30), default="NONE")
    labels: Mapped[json_list]
    requested_reviewers: Mapped[json_list]
    head_ref: Mapped[str] = mapped_column(String(300), default="")
    head_sha: Mapped[str] = mapped_column(String(64), default="")
    base_ref: Mapped[str] = mapped_column(String(300), default="")
    merge_commit_sha: Mapped[str | None] = mapped_column(String(64), nullable=True)
    merged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    html_url: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[utc]
    updated_at: Mapped[utc]
    closed_at: Mapped[utc_opt]
    merged_at: Mapped[utc_opt]


class IssueComment(Base):
    __tablename__ = "issue_comments"
    __table_args__ = (Index("ix_issue_comments_thread", "repo_id", "issue_number", "created_at"),)

    id: Mapped[source_pk]
    repo_id: Mapped[int] = mapped_column(ForeignKey("repos.id"))
    issue_number: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    author_association: Mapped[str] = mapped_column(String(30), default="NONE")
    body: Mapped[text]
    created_at: Mapped[utc]
    updated_at: Mapped[utc]


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = (Index("ix_reviews_pull", "repo_id", "pull_number", "submitted_at"),)

    id: Mapped[source_pk]
    repo_id: Mapped[int] = mapped_column(ForeignKey("repos.id"))
    pull_number: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    author_association: Mapped[str] = mapped_column(String(30), default="NONE")
    state: Mapped[str] = mapped_column(String(30))
    body: Mapped[text]
    commit_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    submitted_at: Mapped[utc_opt]


class ReviewComment(Base):
    __tablename__ = "review_comments"
    __table_args__ = (Index("ix_review_comments_pull", "repo_id", "pull_number", "created_at"),)

    id: Mapped[source_pk]
    repo_id: Mapped[int] = mapped_column(ForeignKey("repos.id"))
    pull_number: Mapped[int] = mapped_column(Integer)
    review_id: Mapped[int | None] = mapped_column(nullable=True)
    in_reply_to_id: Mapped[int | None] = mapped_column(nullable=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    author_association: Mapped[str] = mapped_column(String(30), default="NONE")
    path: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[text]
    created_at: Mapped[utc]
    updated_at: Mapped[utc]


class PullFile(Base):
    __tablename__ = "pull_files"

    repo_id: Mapped[int] = mapped_column(ForeignKey("repos.id"), primary_key=True)
    pull_number: Mapped[int] = mapped_column(Integer, primary_key=True)
    filename: Mapped[str] = mapped_column(String(1000), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default="modified")
    additions: Mapped[int] = mapped_column(Integer, default=0)
    deletions: Mapped[int] = mapped_column(Integer, default=0)
    changes: Mapped[int] = mapped_column(Integer, default=0)


class IssueEvent(Base):
    __tablename__ = "issue_events"
    __table_args__ = (Index("ix_issue_events_thread", "repo_id", "issue_number", "created_at"),)

    id: Mapped[source_pk]
    repo_id: Mapped[int] = mapped_column(ForeignKey("repos.id"))
    issue_number: Mapped[int] = mapped_column(Integer)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    event: Mapped[str] = mapped_column(String(50), index=True)
    label: Mapped[str | None] = mapped_column(String(200), nullable=True)
    assignee_login: Mapped[str | None] = mapped_column(String(100), nullable=True)
    requested_reviewer_login: Mapped[str | None] = mapped_column(String(100), nullable=True)
    commit_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[utc]


class Label(Base):
    __tablename__ = "labels"
    __table_args__ = (UniqueConstraint("repo_id", "name"),)

    id: Mapped[source_pk]
    repo_id: Mapped[int] = mapped_column(ForeignKey("repos.id"))
    name: Mapped[str] = mapped_column(String(200))
    color: Mapped[str] = mapped_column(String(10), default="")
    description: Mapped[text_opt]


class RepoFile(Base):
    """A file of the repository that matters to oss-scout (CODEOWNERS)."""

    __tablename__ = "repo_files"

    repo_id: Mapped[int] = mapped_column(ForeignKey("repos.id"), primary_key=True)
    path: Mapped[str] = mapped_column(String(500), primary_key=True)
    sha: Mapped[str] = mapped_column(String(64), default="")
    content: Mapped[text]
    fetched_at: Mapped[utc]
