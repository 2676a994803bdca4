"""Train and classify a repo: storage -> models -> stored judgement."""

from __future__ import annotations

from datetime import datetime

from classifiers.classify import ClassifySummary, classify
from classifiers.train import Models, RepoContext, train
from config.settings import Settings
from pipeline.sessions import SessionFactory


def train_repo(settings: Settings, sessions: SessionFactory, repo: str, now: datetime) -> Models:
    """Fit the repo's models on everything stored, save them and record their versions."""
    with sessions() as session:
        return train(session, RepoContext.of(settings.watch, repo), now, settings.model_dir)


def classify_repo(settings: Settings, sessions: SessionFactory, repo: str, now: datetime, *, retrain: bool = False,
                  full: bool = False) -> ClassifySummary:
    """Judge the repo with its saved models (refit first with `retrain`, on the same loaded data)."""
    with sessions() as session:
        return classify(session, RepoContext.of(settings.watch, repo), now, settings.model_dir, full=full,
                        retrain=retrain)
