"""Typed SQLAlchemy models of everything oss-scout stores."""

from storage.models.base import Base
from storage.models.chat import ChatUser, DiscordChannel, DiscordGuild, DiscordMessage, MessageIssueLink
from storage.models.chat_sources import (
    DiscourseCategory,
    DiscoursePost,
    DiscourseTopic,
    DiscourseUser,
    SlackChannel,
    SlackMessage,
    SlackUser,
)
from storage.models.github import (
    Issue,
    IssueComment,
    IssueEvent,
    Label,
    PullFile,
    PullRequest,
    Repo,
    RepoFile,
    Review,
    ReviewComment,
    User,
)
from storage.models.judgement import GoodFirstIssueScore, ModelVersion, OwnershipScore, SubsystemLabel, ThreadSignal
from storage.models.reports import BenchJob, Digest, Shortlist
from storage.models.sync import SyncCheckpoint, SyncRun

__all__ = [
    "Base",
    "BenchJob",
    "ChatUser",
    "Digest",
    "DiscordChannel",
    "DiscordGuild",
    "DiscordMessage",
    "DiscourseCategory",
    "DiscoursePost",
    "DiscourseTopic",
    "DiscourseUser",
    "GoodFirstIssueScore",
    "Issue",
    "IssueComment",
    "IssueEvent",
    "Label",
    "MessageIssueLink",
    "ModelVersion",
    "OwnershipScore",
    "PullFile",
    "PullRequest",
    "Repo",
    "RepoFile",
    "Review",
    "ReviewComment",
    "Shortlist",
    "SlackChannel",
    "SlackMessage",
    "SlackUser",
    "SubsystemLabel",
    "SyncCheckpoint",
    "SyncRun",
    "ThreadSignal",
    "User",
]
