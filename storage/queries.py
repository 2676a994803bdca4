"""Read-side queries shared by `scout status` and the reports."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import (
    DiscordChannel,
    DiscordMessage,
    DiscoursePost,
    DiscourseTopic,
    Issue,
    IssueComment,
    IssueEvent,
    PullRequest,
    Repo,
    Review,
    ReviewComment,
    SlackChannel,
    SlackMessage,
)


def stored_repo_names(session: Session) -> set[str]:
    """Lower-cased names of the repos with stored data (a cheap query; no classifier imports)."""
    return {name.lower() for name in session.scalars(select(Repo.full_name))}


def stored_counts(session: Session) -> dict[str, Any]:
    """Per repo the stored objects by kind (plain issues only under `issues`), plus chat totals."""

    def per_repo(model: type[Any], *where: Any) -> dict[int, int]:
        stmt = select(model.repo_id, func.count()).where(*where).group_by(model.repo_id)
        return {int(rid): int(n) for rid, n in session.execute(stmt).all()}

    kinds = {
        "issues": per_repo(Issue, Issue.is_pull.is_(False)),
        "pulls": per_repo(PullRequest),
        "issue_comments": per_repo(IssueComment),
        "reviews": per_repo(Review),
        "review_comments": per_repo(ReviewComment),
        "issue_events": per_repo(IssueEvent),
    }
    repos = {}
    for rid, name in session.execute(select(Repo.id, Repo.full_name).order_by(Repo.full_name)):
        repos[name] = {k: v.get(rid, 0) for k, v in kinds.items()}
    return {
        "repos": repos,
        "discord": {
            "channels": session.scalar(select(func.count()).select_from(DiscordChannel)) or 0,
            "messages": session.scalar(select(func.count()).select_from(DiscordMessage)) or 0,
        },
        **chat_source_counts(session),
    }


def chat_source_counts(session: Session) -> dict[str, dict[str, int]]:
    """Stored Slack channels and messages, Discourse topics and posts (`scout status`)."""

    def count(model: type) -> int:
        return session.scalar(select(func.count()).select_from(model)) or 0

    return {"slack": {"channels": count(SlackChannel), "messages": count(SlackMessage)},
            "discourse": {"topics": count(DiscourseTopic), "posts": count(DiscoursePost)}}
