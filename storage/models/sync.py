"""Checkpoints: where each collector stopped, so a run resumes with no loss and no duplicates."""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import json_dict, serial_pk, text_opt, utc, utc_opt


class SyncCheckpoint(Base):
    """One per (source, scope, endpoint): e.g. ("github", "vllm-project/vllm", "issues")."""

    __tablename__ = "sync_checkpoints"

    source: Mapped[str] = mapped_column(String(20), primary_key=True)
    scope: Mapped[str] = mapped_column(String(200), primary_key=True)
    endpoint: Mapped[str] = mapped_column(String(100), primary_key=True)
    cursor_at: Mapped[utc_opt]          # newest updated_at fully stored
    cursor_id: Mapped[int | None] = mapped_column(nullable=True)  # e.g. last Discord snowflake
    etag: Mapped[text_opt]
    state: Mapped[json_dict]            # endpoint-specific resume state (e.g. pending PR numbers)
    updated_at: Mapped[utc]


class SyncRun(Base):
    """One collection run: what it stored and how it ended (for `scout status`)."""

    __tablename__ = "sync_runs"

    id: Mapped[serial_pk]
    source: Mapped[str] = mapped_column(String(20))
    scope: Mapped[str] = mapped_column(String(200), index=True)
    started_at: Mapped[utc]
    finished_at: Mapped[utc_opt]
    ok: Mapped[bool] = mapped_column(default=False)
    stored: Mapped[json_dict]
    requests: Mapped[int] = mapped_column(Integer, default=0)
    not_modified: Mapped[int] = mapped_column(Integer, default=0)
    retries: Mapped[int] = mapped_column(Integer, default=0)
    rate_limit_remaining: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[text_opt]
