"""`scout classify`: label every issue and PR with subsystems, score ownership per subsystem, read
the threads of open issues for claims/blockers/acks, and score their good-first-issue likelihood;
store the results in the judgement tables (replacing the repo's previous rows in one transaction).

What the tables hold (the report stage and the bot read them, see `classifiers.service`):
- `subsystem_labels`: one row per issue and PR; `subsystems` = [{"name", "confidence", "source"}]
  best first (sources: label, paths, title, pr, text); `primary` = the best name or None.
- `ownership_scores`: one row per (subsystem, person) with a score > 0, the best OWNERSHIP_ROWS
  people per subsystem (plus declared owners are flagged where they appear); `evidence` =
  {"approvals", "changes_requested", "review_comments", "merges", "triage", "thread_answers",
  "chat_answers", "last_active", "median_first_review_hours", "items", "examples", "declared"};
  `declared` is True for CODEOWNERS owners of that subsystem.
- `thread_signals`: one row per open issue; `claimed_by`/`acknowledged_by` logins, `blockers`
  short strings ("#123", "V1 rewrite", "vendor review (AMD)", "upstream"), `last_maintainer_word`
  "login (time): excerpt", `evidence` = [{"kind", "login", "at", "quote", "source"}].
- `gfi_scores`: one row per open issue; `probability` calibrated; `reasons` short strings
  ("+ feature form", "− has a stack trace"); `from_prior` when no model could be fitted.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from classifiers import gfi, ownership
from classifiers.dataset import RepoData
from classifiers.signals import Signals, read_threads
from classifiers.subsystem import Guess, Rules, label_all, pull_rule_guesses
from classifiers.train import GFI, SUBSYSTEM, Models, RepoContext, load, load_or_train
from storage.models import GoodFirstIssueScore, OwnershipScore, SubsystemLabel, ThreadSignal

log = logging.getLogger(__name__)
CHUNK = 1000
OWNERSHIP_ROWS = 100  # people stored per subsystem (best first); the long tail of one-time helpers is dropped


@dataclass
class Judgement:
    """Everything `classify` decides about one repo (pure data; `store` writes it)."""

    labels: dict[int, list[Guess]]
    ownership: ownership.OwnershipResult
    signals: dict[int, Signals]
    scores: dict[int, gfi.Score]
    open_issues: list[int] = field(default_factory=list)


def judge(data: RepoData, ctx: RepoContext, models: Models, now: datetime,
          extra_numbers: Iterable[int] = ()) -> Judgement:
    """Classify one repo's stored activity with fitted models (no I/O).

    Signals and good-first-issue scores cover the open issues plus `extra_numbers` (evaluation
    asks for closed issues too).
    """
    t0 = time.perf_counter()
    rules = Rules(ctx.taxonomy)
    labels = label_all(data, rules, models.subsystem, models.subsystem_classes, pulls=pull_rule_guesses(data, rules))
    own = ownership.compute(data, ctx.taxonomy, labels, now, ctx.ownership.half_life_days, ctx.ownership.min_actions)
    open_issues = sorted(n for n, r in data.issues.items() if not r.is_pull and r.state == "open")
    wanted = sorted(set(open_issues) | {n for n in extra_numbers if n in data.issues and not data.issues[n].is_pull})
    sigs = read_threads(data, wanted, own.maintainers)
    rows = gfi.feature_rows(data, wanted, own.maintainers, sigs, labels, ctx.repo.good_first_issue_labels)
    scores = {s.number: s for s in gfi.score(models.gfi, rows, wanted, models.gfi_n_pos)}
    log.info("classified %s: %d items, %d open issues (%.1fs)", ctx.name, len(labels), len(open_issues),
             time.perf_counter() - t0)
    return Judgement(labels, own, sigs, scores, open_issues)


def _insert(session: Session, table: object, rows: Sequence[dict]) -> None:
    for i in range(0, len(rows), CHUNK):
        session.execute(insert(table), rows[i:i + CHUNK])


def store(session: Session, data: RepoData, j: Judgement, models: Models, now: datetime) -> dict[str, int]:
    """Replace the repo's rows in the four judgement tables (one transaction: the caller's)."""
    rid = data.repo_id
    for model in (SubsystemLabel, GoodFirstIssueScore, ThreadSignal, OwnershipScore):
        session.execute(delete(model).where(model.repo_id == rid))
    sub_version = models.versions.get(SUBSYSTEM, "")
    label_rows = [{"repo_id": rid, "number": n, "is_pull": data.issues[n].is_pull,
                   "subsystems": [g.as_dict() for g in guesses], "primary": guesses[0].name if guesses else None,
                   "model_version": sub_version, "computed_at": now}
                  for n, guesses in j.labels.items()]
    _insert(session, SubsystemLabel, label_rows)
    open_set = set(j.open_issues)
    gfi_rows = [{"repo_id": rid, "number": n, "probability": float(s.probability), "reasons": list(s.reasons),
                 "from_prior": s.from_prior, "model_version": models.versions.get(GFI, ""), "computed_at": now}
                for n, s in j.scores.items() if n in open_set]
    _insert(session, GoodFirstIssueScore, gfi_rows)
    sig_rows = [{"repo_id": rid, "number": n, "claimed": s.claimed, "claimed_by": s.claimed_by, "blocked": s.blocked,
                 "blockers": s.blockers, "acknowledged": s.acknowledged, "acknowledged_by": s.acknowledged_by,
                 "last_maintainer_word": s.last_maintainer_word, "evidence": s.evidence, "computed_at": now}
                for n, s in j.signals.items() if n in open_set]
    _insert(session, ThreadSignal, sig_rows)
    own_rows = [{"repo_id": rid, "subsystem": st.subsystem, "login": st.login, "score": round(st.score, 6),
                 "declared": st.declared, "evidence": st.evidence(), "last_active_at": st.last_active,
                 "computed_at": now}
                for people in j.ownership.by_subsystem.values() for st in people[:OWNERSHIP_ROWS] if st.score > 0]
    _insert(session, OwnershipScore, own_rows)
    return {"subsystem_labels": len(label_rows), "gfi_scores": len(gfi_rows), "thread_signals": len(sig_rows),
            "ownership_scores": len(own_rows)}


@dataclass
class ClassifySummary:
    repo: str
    stored: dict[str, int]
    retrained: str | None
    versions: dict[str, str]
    seconds: float


def classify(session: Session, ctx: RepoContext, now: datetime, model_dir: Path) -> ClassifySummary:
    """Load (or, when missing or refused, retrain) the models, judge the repo and store the results."""
    t0 = time.perf_counter()
    models, retrained = load_or_train(session, ctx, now, model_dir)
    data = load(session, ctx)
    j = judge(data, ctx, models, now)
    stored = store(session, data, j, models, now)
    return ClassifySummary(ctx.name, stored, retrained, dict(models.versions), time.perf_counter() - t0)
