"""Discord objects as stored, keyed by snowflake, plus the chat-user <-> GitHub link."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import SourceId, source_pk, text, text_opt, utc, utc_opt


class DiscordGuild(Base):
    __tablename__ = "discord_guilds"

    id: Mapped[source_pk]
    name: Mapped[str] = mapped_column(String(200))


class DiscordChannel(Base):
    """Text channels, forum channels and threads (threads have `parent_id`)."""

    __tablename__ = "discord_channels"

    id: Mapped[source_pk]
    guild_id: Mapped[int | None] = mapped_column(ForeignKey("discord_guilds.id"), nullable=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    type: Mapped[int] = mapped_column(Integer, default=0)
    parent_id: Mapped[int | None] = mapped_column(SourceId, nullable=True)
    topic: Mapped[text_opt]
    position: Mapped[int] = mapped_column(Integer, default=0)


class ChatUser(Base):
    """A Discord account and, when known, its GitHub login (`link_source` says how we know)."""

    __tablename__ = "chat_users"

    id: Mapped[source_pk]
    username: Mapped[str] = mapped_column(String(100))
    global_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    bot: Mapped[bool] = mapped_column(default=False)
    github_login: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    # "verified" (/link + code), "config" (explicit mapping), "guess-handle", "guess-name"
    link_source: Mapped[str | None] = mapped_column(String(30), nullable=True)
    link_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    linked_at: Mapped[utc_opt]


class DiscordMessage(Base):
    __tablename__ = "discord_messages"
    __table_args__ = (Index("ix_discord_messages_channel", "channel_id", "id"),)

    id: Mapped[source_pk]
    channel_id: Mapped[int] = mapped_column(ForeignKey("discord_channels.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("chat_users.id"), index=True)
    content: Mapped[text]
    type: Mapped[int] = mapped_column(Integer, default=0)
    referenced_message_id: Mapped[int | None] = mapped_column(SourceId, nullable=True)
    timestamp: Mapped[utc]
    edited_timestamp: Mapped[utc_opt]


class MessageIssueLink(Base):
    """A chat message that mentions an issue or PR (`#1234` or a full GitHub URL)."""

    __tablename__ = "message_issue_links"

    message_id: Mapped[int] = mapped_column(ForeignKey("discord_messages.id"), primary_key=True)
    repo_id: Mapped[int] = mapped_column(ForeignKey("repos.id"), primary_key=True)
    issue_number: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)
    kind: Mapped[str] = mapped_column(Text, default="number")
