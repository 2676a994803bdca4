"""What the report stage writes: digests, shortlists, bench jobs."""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import json_dict, json_list, serial_pk, text, text_opt, utc, utc_opt


class Digest(Base):
    __tablename__ = "digests"

    id: Mapped[serial_pk]
    repo: Mapped[str | None] = mapped_column(String(200), nullable=True)  # None = all watched repos
    day: Mapped[str] = mapped_column(String(10), index=True)  # local date, YYYY-MM-DD
    payload: Mapped[json_dict]
    markdown: Mapped[text]
    chart_path: Mapped[text_opt]
    created_at: Mapped[utc]
    posted_at: Mapped[utc_opt]
    channel_id: Mapped[int | None] = mapped_column(nullable=True)
    message_ids: Mapped[json_list]


class Shortlist(Base):
    __tablename__ = "shortlists"

    id: Mapped[serial_pk]
    repo: Mapped[str] = mapped_column(String(200))
    subsystems: Mapped[json_list]
    payload: Mapped[json_dict]
    created_at: Mapped[utc]


class BenchJob(Base):
    __tablename__ = "bench_jobs"

    id: Mapped[serial_pk]
    repo: Mapped[str] = mapped_column(String(200))
    issue_number: Mapped[int] = mapped_column(Integer, index=True)
    subsystem: Mapped[str] = mapped_column(String(100))
    backend: Mapped[str] = mapped_column(String(30))
    spec: Mapped[json_dict]
    rendered: Mapped[text]
    link: Mapped[text]
    status: Mapped[str] = mapped_column(String(30), default="created")
    result: Mapped[json_dict]
    verdict: Mapped[str] = mapped_column(String(300), default="")  # "faster by 4.1 % ± 0.8 %", "within noise"
    requested_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[utc]
    finished_at: Mapped[utc_opt]
