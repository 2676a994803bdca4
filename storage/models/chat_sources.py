"""Slack and Discourse objects as stored, keyed by the services' own ids, with the GitHub login a
profile names (`github_login`, `link_source` says how we know, as for Discord's `chat_users`)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import source_pk, text, text_opt, utc, utc_opt


class SlackChannel(Base):
    __tablename__ = "slack_channels"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    is_private: Mapped[bool] = mapped_column(default=False)
    is_archived: Mapped[bool] = mapped_column(default=False)
    purpose: Mapped[text_opt]
    created_at: Mapped[utc_opt]


class SlackUser(Base):
    __tablename__ = "slack_users"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    real_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    display_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    title: Mapped[str | None] = mapped_column(String(300), nullable=True)
    is_bot: Mapped[bool] = mapped_column(default=False)
    github_login: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    # "profile" (the profile names it), "config" (the operator's mapping)
    link_source: Mapped[str | None] = mapped_column(String(30), nullable=True)


class SlackMessage(Base):
    """A message (`ts` is its id within its channel); a thread reply has `thread_ts` != `ts`."""

    __tablename__ = "slack_messages"
    __table_args__ = (Index("ix_slack_messages_thread", "channel_id", "thread_ts"),)

    channel_id: Mapped[str] = mapped_column(ForeignKey("slack_channels.id"), primary_key=True)
    ts: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    bot_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    subtype: Mapped[str | None] = mapped_column(String(50), nullable=True)
    text: Mapped[text]
    thread_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reply_count: Mapped[int] = mapped_column(Integer, default=0)
    latest_reply: Mapped[str | None] = mapped_column(String(32), nullable=True)
    posted_at: Mapped[utc]


class DiscourseCategory(Base):
    __tablename__ = "discourse_categories"

    id: Mapped[source_pk]
    name: Mapped[str] = mapped_column(String(200), default="")
    slug: Mapped[str] = mapped_column(String(200), default="")
    parent_category_id: Mapped[int | None] = mapped_column(nullable=True)


class DiscourseUser(Base):
    __tablename__ = "discourse_users"

    id: Mapped[source_pk]
    username: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    website: Mapped[str | None] = mapped_column(String(500), nullable=True)
    bio: Mapped[text_opt]
    github_login: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    link_source: Mapped[str | None] = mapped_column(String(30), nullable=True)


class DiscourseTopic(Base):
    __tablename__ = "discourse_topics"

    id: Mapped[source_pk]
    category_id: Mapped[int | None] = mapped_column(nullable=True, index=True)
    title: Mapped[text]
    slug: Mapped[str] = mapped_column(String(300), default="")
    posts_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[utc]
    last_posted_at: Mapped[utc_opt]
    bumped_at: Mapped[utc_opt]


class DiscoursePost(Base):
    __tablename__ = "discourse_posts"
    __table_args__ = (Index("ix_discourse_posts_topic", "topic_id", "post_number"),)

    id: Mapped[source_pk]
    topic_id: Mapped[int] = mapped_column(ForeignKey("discourse_topics.id"))
    post_number: Mapped[int] = mapped_column(Integer, default=1)
    username: Mapped[str] = mapped_column(String(100), default="", index=True)
    user_id: Mapped[int | None] = mapped_column(nullable=True)
    reply_to_post_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cooked: Mapped[text]
    created_at: Mapped[utc]
    updated_at: Mapped[utc_opt]
