"""`scout classify`: label every issue and PR with subsystems, score ownership per subsystem, read
the threads of open issues for claims/blockers/acks, and score their good-first-issue likelihood;
store the results in the judgement tables (one transaction).

Runs are incremental: an item not updated since the last run (and not mentioned by a PR that was)
keeps its stored subsystems, signals and score as long as the models that made them are the ones
in use; ownership is recomputed from all labels every time. `--full` recomputes everything;
`--retrain` fits the models on the same loaded data first (a year of vLLM: ~38 s for both on 2
cores, ~12 s for a run with nothing new).

What the tables hold (the report stage and the bot read them: `storage.read`, `reports.cards`):
- `subsystem_labels`: one row per issue and PR; `subsystems` = [{"name", "confidence", "source"}]
  best first (sources: label, paths, title, pr, text); `primary` = the best name or None.
- `ownership_scores`: one row per (subsystem, person) with a score > 0, the best OWNERSHIP_ROWS
  people per subsystem (plus declared owners are flagged where they appear); `evidence` =
  {"approvals", "changes_requested", "review_comments", "merges", "triage", "thread_answers",
  "chat_answers", "authored", "last_active", "median_first_review_hours", "items", "examples", "declared"};
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
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from classifiers import gfi, ownership
from classifiers.persist import ModelFileError
from classifiers.signals import Signals, read_threads
from classifiers.subsystem import Guess, Rules, label_all, pull_rule_guesses
from classifiers.train import GFI, SUBSYSTEM, Models, RepoContext, fit_models, load, load_models, save_models
from rules.github import issue_refs
from storage.history import RepoData
from storage.models import Base, GoodFirstIssueScore, OwnershipScore, SubsystemLabel, ThreadSignal

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
    fresh: set[int] | None = None  # items whose subsystems were recomputed (None: all)
    rescored: set[int] | None = None  # issues whose signals and score were recomputed (None: all)


@dataclass
class Previous:
    """What the last `classify` stored, reusable for items that did not change since `at`."""

    at: datetime
    labels: dict[int, list[Guess]]  # stored with the current subsystem model
    signals: dict[int, Signals]
    scores: dict[int, gfi.Score]  # stored with the current good-first-issue model


def previous(session: Session, repo_id: int, models: Models) -> Previous | None:
    """The stored results of the last classification, or None when there are none to reuse."""
    at = session.scalar(select(func.max(SubsystemLabel.computed_at)).where(SubsystemLabel.repo_id == repo_id))
    if at is None:
        return None
    sub_version, gfi_version = models.versions.get(SUBSYSTEM, ""), models.versions.get(GFI, "")
    # Rows of other model versions are not read at all (after a retrain, none are reused).
    labels = {n: [Guess(str(g["name"]), float(g["confidence"]), str(g["source"])) for g in subs]
              for n, subs in session.execute(
                  select(SubsystemLabel.number, SubsystemLabel.subsystems)
                  .where(SubsystemLabel.repo_id == repo_id, SubsystemLabel.model_version == sub_version))}
    scores = {n: gfi.Score(n, float(p), tuple(r), bool(fp)) for n, p, r, fp in session.execute(
        select(GoodFirstIssueScore.number, GoodFirstIssueScore.probability, GoodFirstIssueScore.reasons,
               GoodFirstIssueScore.from_prior)
        .where(GoodFirstIssueScore.repo_id == repo_id, GoodFirstIssueScore.model_version == gfi_version))}
    signals = {}  # reused only together with a score: none to read when no score is reusable
    for row in session.scalars(select(ThreadSignal).where(ThreadSignal.repo_id == repo_id)) if scores else ():
        signals[row.number] = Signals(row.number, list(row.claimed_by), list(row.blockers), list(row.acknowledged_by),
                                      row.last_maintainer_word, list(row.evidence))
    return Previous(at, labels, signals, scores)


def judge(data: RepoData, ctx: RepoContext, models: Models, now: datetime,
          extra_numbers: Iterable[int] = (), prev: Previous | None = None,
          known: dict[int, list[Guess]] | None = None) -> Judgement:
    """Classify one repo's stored activity with fitted models (no I/O).

    Signals and good-first-issue scores cover the open issues plus `extra_numbers` (evaluation
    asks for closed issues too). With `prev`, items not updated since the last classification
    keep their stored results (subsystems, and for open issues signals and scores), unless a PR
    that mentions them changed; ownership is always recomputed from all labels. `Judgement.fresh`
    lists what was recomputed. `known`: subsystems already computed with these models on this
    data (a retraining computes its examples'), taken as they are.
    """
    t0 = time.perf_counter()
    rules = Rules.for_repo(data, ctx.taxonomy)
    pulls = pull_rule_guesses(data, rules)
    stale = _stale(data, prev)
    numbers = (
        list(data.issues) if stale is None or prev is None else sorted(stale | (set(data.issues) - set(prev.labels)))
    )
    computed = label_all(data, rules, models.subsystem, models.subsystem_classes, pulls=pulls,
                         numbers=[n for n in numbers if n not in known] if known else numbers)
    labels = {n: known[n] if known and n in known else computed[n] for n in numbers
              if n in computed or (known and n in known)}
    if prev is not None:
        labels = {**{n: g for n, g in prev.labels.items() if n in data.issues}, **labels}
    own = ownership.compute(data, rules.taxonomy, labels, now, ctx.ownership.half_life_days, ctx.ownership.min_actions)
    open_issues = sorted(n for n, r in data.issues.items() if not r.is_pull and r.state == "open")
    wanted = set(open_issues) | {n for n in extra_numbers if n in data.issues and not data.issues[n].is_pull}
    reuse = set() if prev is None or stale is None else {
        n for n in wanted - stale if n in prev.scores and n in prev.signals}
    todo = sorted(wanted - reuse)
    sigs = read_threads(data, todo, own.maintainers)
    rows = gfi.feature_rows(data, todo, own.maintainers, sigs, labels, ctx.repo.good_first_issue_labels)
    scores = {s.number: s for s in gfi.score(models.gfi, rows, todo)} if models.gfi is not None else {}
    if prev is not None:
        sigs.update({n: prev.signals[n] for n in reuse})
        scores.update({n: prev.scores[n] for n in reuse})
    fresh = set(labels) if stale is None else (stale | (set(data.issues) - set(prev.labels if prev else {})))
    log.info("classified %s: %d items (%d recomputed), %d open issues (%d rescored) (%.1fs)", ctx.name, len(labels),
             len(fresh & set(data.issues)), len(open_issues), len(todo), time.perf_counter() - t0)
    return Judgement(labels, own, sigs, scores, open_issues, fresh=fresh & set(data.issues), rescored=set(todo))


def _stale(data: RepoData, prev: Previous | None) -> set[int] | None:
    """Items updated since the last classification, and the issues their PRs mention (None: all)."""
    if prev is None:
        return None
    stale = {n for n, r in data.issues.items() if r.updated_at > prev.at}
    for n in list(stale):
        if data.issues[n].is_pull and n in data.pulls:
            p = data.pulls[n]
            for ref_repo, num, _ in issue_refs(f"{p.title}\n{p.body}", data.full_name):
                if ref_repo == data.full_name.lower() and num in data.issues:
                    stale.add(num)
    return stale


def _insert(session: Session, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    for i in range(0, len(rows), CHUNK):
        session.execute(insert(model), rows[i:i + CHUNK])


def store(session: Session, data: RepoData, j: Judgement, models: Models, now: datetime) -> dict[str, int]:
    """Write the judgement (one transaction: the caller's). Rows of recomputed items are replaced,
    rows of items no longer open are dropped, reused rows stay; ownership is replaced whole."""
    rid = data.repo_id
    open_set = set(j.open_issues)
    fresh = set(j.labels) if j.fresh is None else j.fresh
    rescored = set(j.scores) if j.rescored is None else j.rescored
    if j.fresh is None:
        session.execute(delete(SubsystemLabel).where(SubsystemLabel.repo_id == rid))
    else:
        _delete_numbers(session, SubsystemLabel, rid, fresh)
    for model in (GoodFirstIssueScore, ThreadSignal):
        if j.rescored is None:
            session.execute(delete(model).where(model.repo_id == rid))
        else:
            _delete_numbers(session, model, rid, rescored)
            session.execute(delete(model).where(model.repo_id == rid, model.number.not_in(open_set))
                            if len(open_set) < 30000 else delete(model).where(model.repo_id == rid))
    session.execute(delete(OwnershipScore).where(OwnershipScore.repo_id == rid))
    sub_version = models.versions.get(SUBSYSTEM, "")
    label_rows = [{"repo_id": rid, "number": n, "is_pull": data.issues[n].is_pull,
                   "subsystems": [g.as_dict() for g in guesses], "primary": guesses[0].name if guesses else None,
                   "model_version": sub_version, "computed_at": now}
                  for n, guesses in j.labels.items() if n in fresh]
    _insert(session, SubsystemLabel, label_rows)
    gfi_rows = [{"repo_id": rid, "number": n, "probability": float(s.probability), "reasons": list(s.reasons),
                 "from_prior": s.from_prior, "model_version": models.versions.get(GFI, ""), "computed_at": now}
                for n, s in j.scores.items() if n in open_set and n in rescored]
    _insert(session, GoodFirstIssueScore, gfi_rows)
    sig_rows = [{"repo_id": rid, "number": n, "claimed": s.claimed, "claimed_by": s.claimed_by, "blocked": s.blocked,
                 "blockers": s.blockers, "acknowledged": s.acknowledged, "acknowledged_by": s.acknowledged_by,
                 "last_maintainer_word": s.last_maintainer_word, "evidence": s.evidence, "computed_at": now}
                for n, s in j.signals.items() if n in open_set and n in rescored]
    _insert(session, ThreadSignal, sig_rows)
    own_rows = [{"repo_id": rid, "subsystem": st.subsystem, "login": st.login, "score": round(st.score, 6),
                 "declared": st.declared, "evidence": st.evidence(), "last_active_at": st.last_active,
                 "computed_at": now}
                for people in j.ownership.by_subsystem.values() for st in people[:OWNERSHIP_ROWS] if st.score > 0]
    _insert(session, OwnershipScore, own_rows)
    return {"subsystem_labels": len(label_rows), "gfi_scores": len(gfi_rows), "thread_signals": len(sig_rows),
            "ownership_scores": len(own_rows)}


def _delete_numbers(session: Session, model: Any, repo_id: int, numbers: Iterable[int]) -> None:
    nums = sorted(numbers)
    for i in range(0, len(nums), CHUNK):
        session.execute(delete(model).where(model.repo_id == repo_id, model.number.in_(nums[i:i + CHUNK])))


@dataclass
class ClassifySummary:
    repo: str
    stored: dict[str, int]
    retrained: str | None
    versions: dict[str, str]
    seconds: float
    phases: dict[str, float] = field(default_factory=dict)  # seconds: load, train (when retrained), judge, store


def classify(session: Session, ctx: RepoContext, now: datetime, model_dir: Path, full: bool = False,
             retrain: bool = False) -> ClassifySummary:
    """Load the models (retraining when they are missing or refused, or when asked to, on the same
    loaded data), judge the repo and store the results. Items unchanged since the last run keep
    their stored results unless `full` (or new models) ask for everything again."""
    t0 = time.perf_counter()
    phases: dict[str, float] = {}

    def lap(name: str, since: float) -> float:
        at = time.perf_counter()
        phases[name] = round(at - since, 3)
        return at

    data = load(session, ctx)
    t = lap("load", t0)
    reason: str | None = None
    if retrain:
        models = fit_models(data, ctx, now)
        save_models(session, model_dir, models, now)
        reason = "asked to retrain"
    else:
        try:
            models = load_models(model_dir, ctx.name)
        except ModelFileError as exc:
            log.warning("%s; retraining", exc)
            reason = str(exc)
            models = fit_models(data, ctx, now)
            save_models(session, model_dir, models, now)
    if reason is not None:
        t = lap("train", t)
    prev = None if full else previous(session, data.repo_id, models)
    j = judge(data, ctx, models, now, prev=prev, known=models.labels)  # fitting labelled its examples already
    t = lap("judge", t)
    stored = store(session, data, j, models, now)
    lap("store", t)
    return ClassifySummary(ctx.name, stored, reason, dict(models.versions), time.perf_counter() - t0, phases)
