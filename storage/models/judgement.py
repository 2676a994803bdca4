"""What the classifiers write: subsystems, good-first-issue scores, thread signals, ownership,
and the model versions that produced them."""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import json_dict, json_list, serial_pk, text, utc, utc_opt


class ModelVersion(Base):
    __tablename__ = "model_versions"
    __table_args__ = (Index("ix_model_versions_repo_name", "repo", "name", "created_at"),)

    id: Mapped[serial_pk]
    repo: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(50))  # "subsystem", "gfi"
    version: Mapped[str] = mapped_column(String(100))
    path: Mapped[str] = mapped_column(String(500), default="")
    sklearn_version: Mapped[str] = mapped_column(String(30), default="")
    metrics: Mapped[json_dict]
    n_train: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[utc]


class SubsystemLabel(Base):
    """Subsystems of one issue or PR: `subsystems` is [{"name", "confidence", "source"}], best first."""

    __tablename__ = "subsystem_labels"

    repo_id: Mapped[int] = mapped_column(ForeignKey("repos.id"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    is_pull: Mapped[bool] = mapped_column(default=False)
    subsystems: Mapped[json_list]
    primary: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    model_version: Mapped[str] = mapped_column(String(100), default="")
    computed_at: Mapped[utc]


class GoodFirstIssueScore(Base):
    __tablename__ = "gfi_scores"

    repo_id: Mapped[int] = mapped_column(ForeignKey("repos.id"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    probability: Mapped[float] = mapped_column(Float)
    reasons: Mapped[json_list]
    from_prior: Mapped[bool] = mapped_column(default=False)
    model_version: Mapped[str] = mapped_column(String(100), default="")
    computed_at: Mapped[utc]


class ThreadSignal(Base):
    """Claims, blockers and maintainer acknowledgements read from an open issue's thread."""

    __tablename__ = "thread_signals"

    repo_id: Mapped[int] = mapped_column(ForeignKey("repos.id"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    claimed: Mapped[bool] = mapped_column(default=False)
    claimed_by: Mapped[json_list]
    blocked: Mapped[bool] = mapped_column(default=False)
    blockers: Mapped[json_list]
    acknowledged: Mapped[bool] = mapped_column(default=False)
    acknowledged_by: Mapped[json_list]
    last_maintainer_word: Mapped[text]
    evidence: Mapped[json_list]
    computed_at: Mapped[utc]


class OwnershipScore(Base):
    """A person's standing in a subsystem, with the evidence behind the score."""

    __tablename__ = "ownership_scores"
    __table_args__ = (Index("ix_ownership_rank", "repo_id", "subsystem", "score"),)

    repo_id: Mapped[int] = mapped_column(ForeignKey("repos.id"), primary_key=True)
    subsystem: Mapped[str] = mapped_column(String(100), primary_key=True)
    login: Mapped[str] = mapped_column(String(100), primary_key=True)
    score: Mapped[float] = mapped_column(Float)
    declared: Mapped[bool] = mapped_column(default=False)
    evidence: Mapped[json_dict]
    last_active_at: Mapped[utc_opt]
    computed_at: Mapped[utc]
