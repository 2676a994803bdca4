"""`scout eval`: train on one slice, classify another with the answers hidden, score against truth.

`evaluate_split(train, test)`: the train slice is imported into a throw-away SQLite database and
the models are fitted there; the test slice is imported into another one with `truth.json`'s
`hidden_labels` removed (from issues, pulls, labels and label events) and without `contents/`
(so CODEOWNERS cannot give the owners away); then it is classified and scored
(`classifiers.evaluate` defines the metrics).

`evaluate_cv(dataset, k)`: K folds split by time on one dataset (train on the past, test on the
future; the JSON says `"folds": "time"`). The scored items, in creation order, are cut into K + 1
contiguous chunks (scikit-learn's `TimeSeriesSplit`): fold i tests chunk i + 1 and trains on
everything created before that chunk's first item, so the oldest chunk only ever trains. The train
database holds only what existed before the cut (items, comments, reviews and events created
later are removed, `meta.json`'s `now` is the cut) and no `contents/`; the test database holds the
whole dataset with the hidden labels removed from every item and without `contents/` (both keep
the repo's label rules, `repo_rules.LABEL_RULE_FILES`: public configuration, not answers). Only the
fold's truth is scored; predictions of all folds are pooled before computing each metric (with
ten positives, per-fold ROC-AUCs over two positives each would be noise). Pull-request file paths
stay visible: they are public on GitHub for every issue's fixing PR too.

Owners also report `ceiling`: the P@3 a perfect ranking of the people who appear anywhere in the
test slice would reach (a true owner who never shows up there cannot be found from activity).
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from classifiers import evaluate
from classifiers.classify import Judgement, judge
from classifiers.repo_rules import LABEL_RULE_FILES
from classifiers.subsystem import asserted
from classifiers.train import Models, RepoContext, fit_models, load
from config.clock import parse_utc
from config.errors import DatasetError
from config.watch import WatchConfig
from storage.db import make_engine, session_scope, upgrade
from storage.importer import import_dataset, read_meta, repo_dirs

log = logging.getLogger(__name__)

GITHUB_LISTS = ("issues.json", "pulls.json", "issue_comments.json", "reviews.json", "review_comments.json",
                "issue_events.json", "labels.json")


# ------------------------------------------------------------------------------------ slices


def read_truth(root: Path) -> dict[str, Any]:
    path = root / "truth.json"
    if not path.exists():
        raise DatasetError(f"{root}: no truth.json to score against")
    try:
        truth = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(truth, dict):
        raise DatasetError(f"{path}: expected a JSON object")
    return truth


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _number_of(obj: dict[str, Any], fname: str) -> int | None:
    """The issue/pull number an object belongs to (None when it has none)."""
    if fname in ("issues.json", "pulls.json"):
        return obj.get("number")
    if fname == "issue_events.json":
        issue = obj.get("issue")
        return issue.get("number") if isinstance(issue, dict) else None
    url = obj.get("issue_url") or obj.get("pull_request_url")
    if isinstance(url, str) and url.rstrip("/").rsplit("/", 1)[-1].isdigit():
        return int(url.rstrip("/").rsplit("/", 1)[-1])
    return None


_STAMPS = ("created_at", "submitted_at")


def _stamp(obj: dict[str, Any]) -> str | None:
    """The object's creation time as GitHub writes it (ISO text, so it compares as a string)."""
    for key in _STAMPS:
        value = obj.get(key)
        if isinstance(value, str):
            return value
    return None


def write_slice(src: Path, dst: Path, hidden: Collection[str] = (), drop_numbers: Collection[int] = (),
                contents: bool = False, before: str | None = None) -> Path:
    """Copy a dataset directory, removing hidden labels, the given items' threads and `contents/`;
    with `before` (an ISO time), also everything created at or after it (and `now` becomes it)."""
    hidden_l = {h.lower() for h in hidden}
    drop = set(drop_numbers)
    dst.mkdir(parents=True, exist_ok=True)
    if (src / "meta.json").exists():
        meta = read_meta(src)
        if before is not None:
            meta["now"] = before
        (dst / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    if (src / "discord").is_dir():
        shutil.copytree(src / "discord", dst / "discord", dirs_exist_ok=True)
    for rdir in repo_dirs(src):
        out = dst / "github" / rdir.name
        out.mkdir(parents=True, exist_ok=True)
        shutil.copy(rdir / "repo.json", out / "repo.json")
        for fname in GITHUB_LISTS:
            items = _load(rdir / fname)
            if items is None:
                continue
            kept = []
            for obj in items:
                if not isinstance(obj, dict):
                    kept.append(obj)
                    continue
                if drop and fname != "labels.json" and _number_of(obj, fname) in drop:
                    continue
                if before is not None and fname != "labels.json" and (_stamp(obj) or "") >= before:
                    continue
                if hidden_l:
                    if fname == "labels.json" and str(obj.get("name", "")).lower() in hidden_l:
                        continue
                    if fname == "issue_events.json":
                        label = obj.get("label")
                        if isinstance(label, dict) and str(label.get("name", "")).lower() in hidden_l:
                            continue
                    if fname in ("issues.json", "pulls.json") and isinstance(obj.get("labels"), list):
                        obj = dict(obj)
                        obj["labels"] = [
                            lb
                            for lb in obj["labels"]
                            if str(lb.get("name", "") if isinstance(lb, dict) else lb).lower() not in hidden_l
                        ]
                kept.append(obj)
            (out / fname).write_text(json.dumps(kept), encoding="utf-8")
        files = _load(rdir / "pull_files.json")
        if files is not None:
            if (drop or before is not None) and isinstance(files, dict):
                kept_numbers = {
                    _number_of(o, "pulls.json") for o in _load(out / "pulls.json") or [] if isinstance(o, dict)
                }
                files = {k: v for k, v in files.items() if str(k).isdigit() and int(k) in kept_numbers}
            (out / "pull_files.json").write_text(json.dumps(files), encoding="utf-8")
        if contents and (rdir / "contents").is_dir():
            shutil.copytree(rdir / "contents", out / "contents", dirs_exist_ok=True)
        elif (rdir / "contents").is_dir():  # the repo's label rules are public config, not answers: they stay
            for rel in LABEL_RULE_FILES:
                if (rdir / "contents" / rel).is_file():
                    (out / "contents" / rel).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy(rdir / "contents" / rel, out / "contents" / rel)
    return dst


# ------------------------------------------------------------------------------------ running


@dataclass
class Pooled:
    """Predictions gathered over one or more test slices, scored at the end."""

    gfi_true: list[int] = field(default_factory=list)
    gfi_score: list[float] = field(default_factory=list)
    sub_true: list[list[str]] = field(default_factory=list)
    sub_pred: list[list[str]] = field(default_factory=list)
    owners: list[dict[str, float | int]] = field(default_factory=list)
    claims: tuple[set[int], set[int], set[int]] = field(default_factory=lambda: (set(), set(), set()))
    blocked: tuple[set[int], set[int], set[int]] = field(default_factory=lambda: (set(), set(), set()))
    has: set[str] = field(default_factory=set)


def _repo_name(root: Path) -> str:
    dirs = repo_dirs(root)
    if not dirs:
        raise DatasetError(f"{root}: no github/OWNER__REPO folder")
    return dirs[0].name.replace("__", "/")


def _now(root: Path) -> Any:
    meta = read_meta(root)
    if not meta.get("now"):
        raise DatasetError(f"{root / 'meta.json'}: no `now` (the moment the slice was taken)")
    return parse_utc(meta["now"])


def _fresh_engine(path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    return engine


def _fit(train_root: Path, ctx: RepoContext, work: Path, tag: str) -> Models:
    engine = _fresh_engine(work / f"train-{tag}.db")
    import_dataset(engine, train_root)
    with session_scope(engine) as s:
        data = load(s, ctx, with_chat=False)
    engine.dispose()
    return fit_models(data, ctx, _now(train_root), holdout=False)


def _judge(
    test_root: Path, ctx: RepoContext, models: Any, work: Path, tag: str, extra: Iterable[int]
) -> tuple[Judgement, Any]:
    from classifiers.classify import store

    engine = _fresh_engine(work / f"test-{tag}.db")
    import_dataset(engine, test_root)
    now = _now(test_root)
    with session_scope(engine) as s:
        data = load(s, ctx)
        j = judge(data, ctx, models, now, extra_numbers=extra)
        store(s, data, j, models, now)
    engine.dispose()
    return j, data


def _collect(pooled: Pooled, truth: dict[str, Any], j: Judgement, data: Any, ctx: RepoContext,
             only: set[int] | None) -> None:
    def mine(n: int) -> bool:
        return only is None or n in only

    label_map = ctx.taxonomy.label_map()
    names = set(ctx.taxonomy.names)

    def canon(sub: str) -> str:
        return sub if sub in names else label_map.get(sub.lower(), sub)

    pos = {int(n) for n in truth.get("good_first_issue", [])}
    neg = {int(n) for n in truth.get("not_good_first_issue", [])}
    if pos or neg:
        pooled.has.add("gfi")
        for n in sorted(pos | neg):
            if mine(n) and n in j.scores:
                pooled.gfi_true.append(int(n in pos))
                pooled.gfi_score.append(j.scores[n].probability)
    subs = truth.get("subsystem_of") or {}
    if subs:
        pooled.has.add("subsystem")
        for key, want in subs.items():
            n = int(key)
            if mine(n) and n in j.labels:
                pooled.sub_true.append(sorted({canon(w) for w in want}))
                pooled.sub_pred.append(asserted(j.labels[n]))
    owners = truth.get("owners") or {}
    if owners:
        pooled.has.add("owners")
        top = max(3, ctx.ownership.top)
        ranked = {sub: [st.login for st in people[:top]] for sub, people in j.ownership.by_subsystem.items()}
        truth_owners = {canon(k): v for k, v in owners.items()}
        seen = {p.lower() for p in people_in(data)}
        reachable = {sub: [p for p in v if p.lower() in seen] for sub, v in truth_owners.items()}
        pooled.owners.append({**evaluate.owners_precision(truth_owners, ranked),
                              "ceiling": evaluate.owners_ceiling(truth_owners, reachable)})
    open_issues = {n for n in j.open_issues if mine(n)}
    labelled = truth.get("signals_labelled")
    read = {int(n) for n in labelled if mine(int(n))} if isinstance(labelled, list) else None
    for key, target in (("claimed", pooled.claims), ("blocked", pooled.blocked)):
        if key not in truth:
            continue
        pooled.has.add(key)
        t = {int(n) for n in truth.get(key, []) if mine(int(n))}
        # Real data: only the threads someone read were labelled (DATASET.md), so only they are scored.
        universe = (read if read is not None else open_issues | t) & set(j.signals)
        flagged = {n for n in universe if (j.signals[n].claimed if key == "claimed" else j.signals[n].blocked)}
        target[0].update(t & universe)
        target[1].update(flagged)
        target[2].update(universe)


def people_in(data: Any) -> set[str]:
    """Every login that appears in a slice: authors, commenters, reviewers, mergers, event actors."""
    out: set[str | None] = set()
    out.update(r.author for r in data.issues.values())
    out.update(p.merged_by for p in data.pulls.values())
    for table in (data.comments, data.reviews, data.review_comments):
        for recs in table.values():
            out.update(r.author for r in recs)
    for evs in data.events.values():
        out.update(e.actor for e in evs)
    return {p for p in out if p}


def _report(pooled: Pooled) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "gfi" in pooled.has and pooled.gfi_true:
        m = evaluate.ranking_metrics(pooled.gfi_true, pooled.gfi_score)
        out["gfi"] = {k: m.get(k) for k in ("roc_auc", "pr_auc", "precision_at_5", "n_pos", "n")}
    if "subsystem" in pooled.has and pooled.sub_true:
        out["subsystem"] = evaluate.multilabel_f1(pooled.sub_true, pooled.sub_pred)
    if "owners" in pooled.has and pooled.owners:
        p = [o["precision_at_3"] for o in pooled.owners]
        c = [o["ceiling"] for o in pooled.owners]
        out["owners"] = {"precision_at_3": float(sum(p) / len(p)), "ceiling": float(sum(c) / len(c)),
                         "subsystems": int(pooled.owners[0]["subsystems"])}
    for key, (t, f, u) in (("claims", pooled.claims), ("blocked", pooled.blocked)):
        if ("claimed" if key == "claims" else key) in pooled.has:
            m = evaluate.set_f1(t, f, u)
            out[key] = {"f1": m["f1"], "n": m["n"], "precision": m["precision"], "recall": m["recall"]}
    return out


def _truth_numbers(truth: dict[str, Any]) -> set[int]:
    nums = {
        int(n) for key in ("good_first_issue", "not_good_first_issue", "claimed", "blocked", "signals_labelled")
        for n in truth.get(key, [])
    }
    nums |= {int(n) for n in (truth.get("subsystem_of") or {})}
    return nums


def evaluate_split(train_dir: Path, test_dir: Path, watch: WatchConfig, work: Path | None = None,
                   progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Train on one dataset directory, score another (see module docstring)."""
    step = progress or (lambda _m: None)
    truth = read_truth(test_dir)
    ctx = RepoContext.of(watch, truth.get("repo") or _repo_name(test_dir))
    with tempfile.TemporaryDirectory(prefix="scout-eval-", dir=work) as tmp:
        w = Path(tmp)
        step("training")
        train_slice = write_slice(train_dir, w / "train", contents=False)
        models = _fit(train_slice, ctx, w, "0")
        step("classifying")
        test_slice = write_slice(test_dir, w / "test", hidden=truth.get("hidden_labels", []))
        j, data = _judge(test_slice, ctx, models, w, "0", _truth_numbers(truth))
        pooled = Pooled()
        _collect(pooled, truth, j, data, ctx, None)
    return _report(pooled)


def time_folds(created: Mapping[int, str], k: int) -> list[tuple[str, set[int]]]:
    """K (cut, numbers) folds: the items in creation order cut into K + 1 contiguous chunks; fold i
    is chunk i + 1 with its cut the first creation time in it (see module docstring)."""
    from sklearn.model_selection import TimeSeriesSplit

    ordered = sorted(created, key=lambda n: (created[n], n))
    if len(ordered) < k + 1:
        raise DatasetError(f"--cv {k} needs at least {k + 1} scored items, the dataset has {len(ordered)}")
    out = []
    for _train, test in TimeSeriesSplit(n_splits=k).split(ordered):
        fold = [ordered[i] for i in test]
        out.append((created[fold[0]], set(fold)))
    return out


def evaluate_cv(dataset: Path, k: int, watch: WatchConfig, work: Path | None = None,
                progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """K-fold cross-validation split by time on one dataset (see module docstring)."""
    if k < 2:
        raise DatasetError(f"--cv needs at least 2 folds, got {k}")
    step = progress or (lambda _m: None)
    truth = read_truth(dataset)
    ctx = RepoContext.of(watch, truth.get("repo") or _repo_name(dataset))
    rdir = repo_dirs(dataset)[0]
    items = [i for i in (_load(rdir / "issues.json") or []) if isinstance(i, dict) and isinstance(i.get("number"), int)]
    plain = {i["number"] for i in items if "pull_request" not in i}
    scored = plain | ({int(n) for n in (truth.get("subsystem_of") or {})} - plain)
    created = {i["number"]: str(i.get("created_at") or "") for i in items if i["number"] in scored}
    folds = time_folds(created, k)
    pooled = Pooled()
    with tempfile.TemporaryDirectory(prefix="scout-cv-", dir=work) as tmp:
        w = Path(tmp)
        test_slice = write_slice(dataset, w / "test", hidden=truth.get("hidden_labels", []))
        for f, (cut, fold) in enumerate(folds):
            step(f"fold {f + 1}/{k} (trained before {cut[:10]})")
            train_slice = write_slice(dataset, w / f"train{f}", before=cut)
            models = _fit(train_slice, ctx, w, str(f))
            shutil.rmtree(train_slice)
            j, data = _judge(test_slice, ctx, models, w, str(f), _truth_numbers(truth) & fold)
            _collect(pooled, truth, j, data, ctx, fold)
    return {"folds": "time", "k": k, **_report(pooled)}
