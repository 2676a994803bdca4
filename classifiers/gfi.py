"""Good-first-issue likelihood: a calibrated probability for every open issue, with its top reasons.

Training examples come from the repo's own history (RecGFI, ICSE 2022):
- positive: an issue ever labelled with one of the repo's good-first-issue labels (label or
  `labeled` event), or resolved by a newcomer's merged PR (its author had no earlier merged PR);
- negative: every other resolved (closed) issue;
- open unlabelled issues are not examples (their answer is unknown).

Features (never the target labels or their look-alikes, `LEAKY_LABELS`): the title and cleaned
body as TF-IDF; form kind, title tags, non-target labels and the predicted subsystem as tokens;
and numbers for length, code blocks, stack traces, logs, environment dumps, links, images, task
lists, non-Latin script, engagement (comments, participants, whether and how fast a maintainer
answered), the reporter's standing, maintainers' words (a PR invited, "small change", "harder
than it looks") and newcomers' questions. Whether someone already claimed the issue is NOT a
feature: in history, a good-first-issue label attracts claims, so the model would learn "claimed
means easy"; claims are reported separately (`signals`) and keep an issue off the shortlist.
Model: Pipeline(ColumnTransformer -> CalibratedClassifierCV(LogisticRegression, sigmoid)). Its
probability is then shrunk toward the prior below by the number of positives it saw
(`shrink_to_prior`: ten positives weigh about a third, hundreds almost alone); on vLLM's real
threads (ten labelled issues) that lifted the cross-validated ROC-AUC from 0.74 to 0.81, and on
generated data from 0.937 to 0.955.

With fewer than `MIN_POSITIVES` positives (or negatives) no model is fitted: `prior_probability`
answers instead, a fixed logistic rule of thumb from RecGFI's findings, starting from a 5 % base
rate (short, well-scoped feature/doc requests from maintainers score higher; stack traces, logs
and environment dumps lower). Such scores say so (`from_prior`, and the first reason).
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from classifiers import features as fx
from classifiers.dataset import MAINTAINER_ASSOCIATIONS, IssueRec, RepoData
from classifiers.signals import Signals
from classifiers.subsystem import Guess
from rules.github import closed_numbers

log = logging.getLogger(__name__)

MIN_POSITIVES = 5
PRIOR_POSITIVES = 20  # the prior counts as this many positives' worth of evidence (`shrink_to_prior`)
PRIOR_BASE_RATE = 0.05
LEAKY_LABELS = frozenset({"good first issue", "good-first-issue", "good first contribution", "help wanted",
                          "help-wanted", "beginner", "beginner friendly", "easy", "starter", "first-timers-only",
                          "up-for-grabs", "newcomer", "low hanging fruit", "e-easy"})

NUMERIC = (
    "title_words", "body_words", "n_code_blocks", "code_chars", "has_traceback", "has_log", "has_env", "n_urls",
    "n_images", "n_checkboxes", "n_open_checkboxes", "n_paths", "non_latin_ratio", "n_comments", "n_participants",
    "maintainer_answered", "hours_to_maintainer", "n_maintainer_comments", "author_is_maintainer",
    "author_prior_issues", "maintainer_ack", "acks_any", "scoped", "maintainer_hard",
    "newcomer_interest",
)
COLUMNS = ("document", "tokens", *NUMERIC)

# How a feature reads in a reason: (when it pushes up because it is high, ... because it is low).
_PHRASES: Mapping[str, tuple[str, str]] = {
    "title_words": ("a descriptive title", "a short, focused title"),
    "body_words": ("a detailed description", "a short description"),
    "n_code_blocks": ("code examples included", "no code dumps"),
    "code_chars": ("code included", "little code to read"),
    "has_traceback": ("has a stack trace", "no stack trace"),
    "has_log": ("has logs", "no logs to dig through"),
    "has_env": ("has an environment dump", "no environment dump"),
    "n_urls": ("links to the code", "few links"),
    "n_images": ("screenshots", "no screenshots"),
    "n_checkboxes": ("a task list", "no task list"),
    "n_open_checkboxes": ("open tasks listed", "no open tasks"),
    "n_paths": ("names the files to change", "no files named"),
    "non_latin_ratio": ("non-English text", "English text"),
    "n_comments": ("an active thread", "a quiet thread"),
    "n_participants": ("several participants", "few participants"),
    "maintainer_answered": ("a maintainer answered", "no maintainer answer yet"),
    "hours_to_maintainer": ("slow maintainer answer", "quick maintainer answer"),
    "n_maintainer_comments": ("maintainers discussed it", "little maintainer discussion"),
    "author_is_maintainer": ("filed by a maintainer", "filed by a user"),
    "author_prior_issues": ("reporter files issues often", "first issue of the reporter"),
    "maintainer_ack": ("a maintainer invited a PR", "no maintainer invitation"),
    "acks_any": ("PRs invited", "no PR invitation"),
    "scoped": ("described as a small, scoped change", "scope not stated"),
    "maintainer_hard": ("a maintainer said it is harder than it looks", "no maintainer warning"),
    "newcomer_interest": ("newcomers asked about it", "no newcomer interest"),
}


@dataclass(frozen=True)
class Score:
    number: int
    probability: float
    reasons: tuple[str, ...]
    from_prior: bool


def leaky(label: str, gfi_labels: Collection[str]) -> bool:
    low = label.lower()
    return low in LEAKY_LABELS or low in {g.lower() for g in gfi_labels}


# ------------------------------------------------------------------------------------ examples


def newcomer_resolved(data: RepoData) -> set[int]:
    """Issues closed by a merged PR whose author had no earlier merged PR in the repo."""
    merged = sorted((p for p in data.pulls.values() if p.merged_at and p.author),
                    key=lambda p: p.merged_at.timestamp() if p.merged_at else 0.0)
    seen: set[str] = set()
    out: set[int] = set()
    for p in merged:
        first = p.author not in seen and p.author_association not in MAINTAINER_ASSOCIATIONS
        seen.add(p.author)  # type: ignore[arg-type]
        if not first or data.is_bot(p.author):
            continue
        for num in closed_numbers(f"{p.title}\n{p.body}", data.full_name):
            rec = data.issues.get(num)
            if rec is not None and not rec.is_pull and rec.state == "closed":
                out.add(rec.number)
    return out


def examples(data: RepoData, gfi_labels: Collection[str], use_newcomers: bool = True) -> dict[int, int]:
    """Issue number -> 1 (good first issue) / 0 (resolved, not one); see module docstring."""
    wanted = {g.lower() for g in gfi_labels}
    labelled = {n for n, rec in data.issues.items() if not rec.is_pull and any(lb.lower() in wanted for lb in rec.labels)}
    for n, evs in data.events.items():
        if any(e.event == "labeled" and e.label and e.label.lower() in wanted for e in evs):
            rec = data.issues.get(n)
            if rec is not None and not rec.is_pull:
                labelled.add(n)
    positives = labelled | (newcomer_resolved(data) if use_newcomers else set())
    out = {}
    for n, rec in data.issues.items():
        if rec.is_pull:
            continue
        if n in positives:
            out[n] = 1
        elif rec.state == "closed":
            out[n] = 0
    return out


# ------------------------------------------------------------------------------------ features


def author_issue_counts(data: RepoData) -> dict[str, list[float]]:
    """Reporter -> sorted creation times (seconds) of their issues, to count earlier ones."""
    out: dict[str, list[float]] = {}
    for rec in data.issues.values():
        if rec.author and not rec.is_pull:
            out.setdefault(rec.author, []).append(rec.created_at.timestamp())
    for v in out.values():
        v.sort()
    return out


def feature_rows(data: RepoData, numbers: Sequence[int], maintainers: Collection[str],
                 signals: Mapping[int, Signals], subsystems: Mapping[int, Sequence[Guess]],
                 gfi_labels: Collection[str]) -> np.ndarray:
    """The model's input matrix (object array, columns COLUMNS), one row per issue number."""
    import bisect

    reporters = author_issue_counts(data)
    rows = np.empty((len(numbers), len(COLUMNS)), dtype=object)
    for i, n in enumerate(numbers):
        rec: IssueRec = data.issues[n]
        clean = data.clean(n)
        comments = [c for c in data.comments.get(n, []) if not data.is_bot(c.author)]
        people = {c.author for c in comments if c.author and c.author != rec.author}
        maint = [c for c in comments if c.author in maintainers and c.author != rec.author]
        author_maint = rec.author in maintainers or rec.author_association in MAINTAINER_ASSOCIATIONS
        if author_maint:
            hours = 0.0  # a maintainer filed it: one is in the thread from the start
        else:
            hours = ((maint[0].created_at - rec.created_at).total_seconds() / 3600.0) if maint else 24.0 * 90
        sig = signals.get(n)
        subs = subsystems.get(n, [])
        kind = fx.template_kind(rec.title, rec.body)
        tokens = [f"tmpl:{kind}"] + [f"tag:{t}" for t in fx.title_tags(rec.title)]
        tokens += [f"label:{lb.lower().replace(' ', '_')}" for lb in rec.labels if not leaky(lb, gfi_labels)]
        tokens += [f"sub:{g.name}" for g in subs[:1]]
        prior = bisect.bisect_left(reporters.get(rec.author or "", []), rec.created_at.timestamp())
        maint_text = "\n".join(c.body for c in maint)
        others_text = "\n".join(c.body for c in comments if c.author not in maintainers)
        scoped = len(fx.SCOPED.findall(clean.prose)) + len(fx.SCOPED.findall(maint_text))
        values = {
            "title_words": fx.log1p(fx.word_count(fx.strip_title_tags(rec.title))),
            "body_words": fx.log1p(fx.word_count(clean.prose)),
            "n_code_blocks": fx.log1p(clean.n_code_blocks),
            "code_chars": fx.log1p(clean.code_chars),
            "has_traceback": float(clean.has_traceback), "has_log": float(clean.has_log),
            "has_env": float(clean.has_env), "n_urls": fx.log1p(clean.n_urls), "n_images": fx.log1p(clean.n_images),
            "n_checkboxes": fx.log1p(clean.n_checkboxes), "n_open_checkboxes": fx.log1p(clean.n_open_checkboxes),
            "n_paths": fx.log1p(len(set(clean.paths))), "non_latin_ratio": clean.non_latin_ratio,
            "n_comments": fx.log1p(len(comments)), "n_participants": fx.log1p(len(people)),
            "maintainer_answered": float(bool(maint)), "hours_to_maintainer": fx.log1p(hours),
            "n_maintainer_comments": fx.log1p(len(maint)),
            "author_is_maintainer": float(author_maint),
            "author_prior_issues": fx.log1p(prior),
            "maintainer_ack": float(bool(sig and sig.acknowledged)), "acks_any": fx.log1p(sig.acks_any if sig else 0),
            "scoped": fx.log1p(scoped), "maintainer_hard": float(bool(fx.HARD.search(maint_text))),
            "newcomer_interest": float(bool(fx.NEWCOMER.search(others_text))),
        }
        rows[i, 0] = fx.document(rec.title, clean)
        rows[i, 1] = " ".join(tokens)
        for j, name in enumerate(NUMERIC):
            rows[i, 2 + j] = float(values[name])
    return rows


# ------------------------------------------------------------------------------------ model


SGD_ABOVE = 3000  # examples: from here on the logistic regression is fitted by averaged SGD


def build_model(n_pos: int, n: int = 0, C: float = 0.5) -> Pipeline:
    """ColumnTransformer (TF-IDF, tokens, scaled numbers) -> sigmoid-calibrated logistic regression.

    Up to SGD_ABOVE examples liblinear solves it exactly (milliseconds); above, averaged SGD on the
    same loss and L2 strength (alpha = 1 / (C n)) keeps a year of history to a few seconds.
    """
    features = ColumnTransformer([
        ("text", TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_df=0.8, sublinear_tf=True, max_features=5000), 0),
        ("tokens", CountVectorizer(token_pattern=r"\S+", lowercase=False, binary=True, min_df=2), 1),  # noqa: S106 - a regex, not a password
        ("num", StandardScaler(), list(range(2, len(COLUMNS)))),
    ])
    base: Any
    if n > SGD_ABOVE:
        base = SGDClassifier(loss="log_loss", alpha=1.0 / (C * n), class_weight="balanced", average=True, max_iter=20,
                             tol=1e-3, random_state=0)
    else:
        base = LogisticRegression(C=C, class_weight="balanced", max_iter=3000, solver="liblinear")
    cv = max(2, min(3, n_pos))
    return Pipeline([("features", features),
                     ("clf", CalibratedClassifierCV(base, method="sigmoid", cv=cv, ensemble=True))])


def fit(rows: np.ndarray, y: np.ndarray) -> Pipeline | None:
    """Fit the model, or None when there are too few positives or negatives for one (use the prior)."""
    n_pos, n_neg = int(y.sum()), int((1 - y).sum())
    if n_pos < MIN_POSITIVES or n_neg < MIN_POSITIVES:
        log.info("good-first-issue model: %d positives, %d negatives; using the prior", n_pos, n_neg)
        return None
    model = build_model(n_pos, len(y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # SGD's loose tolerance is deliberate
        model.fit(rows, y)
    return model


def _coefficients(model: Pipeline) -> np.ndarray:
    cal = model.named_steps["clf"]
    coefs = [c.estimator.coef_.ravel() for c in cal.calibrated_classifiers_]
    return np.mean(coefs, axis=0)


def _feature_phrase(name: str, value: float, up: bool) -> str:
    group, _, feat = name.partition("__")
    if group == "num":
        idx = int(feat.lstrip("x")) - 2 if feat.startswith("x") else -1
        num = NUMERIC[idx] if 0 <= idx < len(NUMERIC) else feat
        high, low = _PHRASES.get(num, (num, f"no {num}"))
        return high if value > 0 else low
    if group == "tokens":
        kind, _, val = feat.partition(":")
        label = {"tmpl": f"{val.replace('-', ' ')} form", "tag": f"title tag [{val}]", "label": f"label {val.replace('_', ' ')}",
                 "sub": f"subsystem {val}"}.get(kind, feat)
        return label if value > 0 else f"not {label}"
    return f"mentions “{feat}”"


def probabilities(model: Pipeline, rows: np.ndarray) -> np.ndarray:
    if len(rows) == 0:
        return np.zeros(0)
    return np.asarray(model.predict_proba(rows))[:, 1]


def explain(model: Pipeline, rows: np.ndarray, top: int = 3) -> list[tuple[str, ...]]:
    """Top reasons per row: the features pushing the score most, in words."""
    if len(rows) == 0:
        return []
    feats = model.named_steps["features"]
    X = sparse.csr_matrix(feats.transform(rows))
    coef = _coefficients(model)
    names = feats.get_feature_names_out()
    out = []
    for i in range(X.shape[0]):
        start, end = X.indptr[i], X.indptr[i + 1]
        idx, vals = X.indices[start:end], X.data[start:end]
        contrib = vals * coef[idx]
        order = np.argsort(-np.abs(contrib))
        reasons: list[str] = []
        for k in order:
            if abs(contrib[k]) < 1e-3 or len(reasons) >= top:
                break
            phrase = _feature_phrase(str(names[idx[k]]), float(vals[k]), contrib[k] > 0)
            sign = "+" if contrib[k] > 0 else "−"
            text = f"{sign} {phrase}"
            if text not in reasons:
                reasons.append(text)
        out.append(tuple(reasons))
    return out


# ------------------------------------------------------------------------------------ prior


_PRIOR_WEIGHTS: Mapping[str, float] = {
    # logit change per unit of the (log-scaled) feature; sources: RecGFI feature importances, and
    # what vLLM's labelled good first issues look like (short feature/doc requests, no traces).
    "has_traceback": -1.2, "has_log": -0.6, "has_env": -0.5, "body_words": -0.25, "n_comments": -0.2,
    "author_is_maintainer": 0.8, "maintainer_ack": 1.2, "n_open_checkboxes": 0.3,
    "scoped": 0.8, "maintainer_hard": -1.5, "newcomer_interest": 0.5,
}
_PRIOR_KINDS: Mapping[str, float] = {"feature": 0.8, "doc": 1.0, "help-wanted": 1.5, "bug": -0.2, "usage": -1.0,
                                     "rfc": -1.2, "roadmap": -1.5, "performance": -0.6, "installation": -0.8}


_LABEL_KINDS: Mapping[str, str] = {"label:enhancement": "feature", "label:feature_request": "feature",
                                   "label:feature": "feature", "label:documentation": "doc", "label:docs": "doc",
                                   "label:bug": "bug", "label:question": "usage", "label:usage": "usage", "label:rfc": "rfc"}


def prior_probability(row: np.ndarray, n_pos: int) -> tuple[float, tuple[str, ...]]:
    """The documented fallback (see module docstring) for one feature row."""
    values = {name: float(row[2 + j]) for j, name in enumerate(NUMERIC)}
    tokens = str(row[1]).split()
    kind = next((t.split(":", 1)[1] for t in tokens if t.startswith("tmpl:")), "none")
    if kind == "none":  # no issue form: the labels may still say what kind of request it is
        kind = next((_LABEL_KINDS[t] for t in tokens if t in _LABEL_KINDS), "none")
    logit = math.log(PRIOR_BASE_RATE / (1 - PRIOR_BASE_RATE)) + _PRIOR_KINDS.get(kind, 0.0)
    parts = []
    for name, w in _PRIOR_WEIGHTS.items():
        delta = w * (values[name] - (math.log1p(60) if name == "body_words" else 0.0))
        logit += delta
        if abs(delta) >= 0.3:
            parts.append((abs(delta), ("+ " if delta > 0 else "− ") + _PHRASES[name][0 if values[name] > 0 else 1]))
    if kind in _PRIOR_KINDS:
        parts.append((abs(_PRIOR_KINDS[kind]), ("+ " if _PRIOR_KINDS[kind] > 0 else "− ") + f"{kind} form"))
    parts.sort(key=lambda x: -x[0])
    head = f"prior estimate: only {n_pos} labelled good first issue{'s' if n_pos != 1 else ''} in history (a model needs {MIN_POSITIVES})"
    p = 1.0 / (1.0 + math.exp(-logit))
    return p, (head, *(t for _, t in parts[:3]))


def score(model: Pipeline | None, rows: np.ndarray, numbers: Sequence[int], n_pos: int) -> list[Score]:
    """Scores for the rows: the model's calibrated probability and reasons, or the prior."""
    if model is None:
        out = []
        for n, row in zip(numbers, rows, strict=True):
            p, reasons = prior_probability(row, n_pos)
            out.append(Score(n, p, reasons, True))
        return out
    probs = shrink_to_prior(probabilities(model, rows), rows, n_pos)
    explained = explain(model, rows)
    return [Score(n, float(p), r, False) for n, p, r in zip(numbers, probs, explained, strict=True)]


def model_weight(n_pos: int) -> float:
    """How far the fitted model's word is taken over the prior's: n_pos / (n_pos + PRIOR_POSITIVES)."""
    return n_pos / (n_pos + PRIOR_POSITIVES) if n_pos > 0 else 0.0


def shrink_to_prior(probs: np.ndarray, rows: np.ndarray, n_pos: int) -> np.ndarray:
    """Blend the model's log-odds with the prior's, weighted by how many positives the model saw.

    A model fitted on a handful of positives learns the words of those few issues as much as what
    makes an issue approachable; the prior carries the general findings. With `n_pos` positives
    the result is sigmoid(w * logit(model) + (1 - w) * logit(prior)), w = `model_weight(n_pos)`,
    so ten positives weigh about a third and a few hundred almost alone.
    """
    if len(probs) == 0:
        return probs
    w = model_weight(n_pos)
    eps = 1e-6
    pm = np.clip(np.asarray(probs, dtype=float), eps, 1 - eps)
    pp = np.clip(np.array([prior_probability(r, n_pos)[0] for r in rows]), eps, 1 - eps)
    z = w * np.log(pm / (1 - pm)) + (1 - w) * np.log(pp / (1 - pp))
    return 1.0 / (1.0 + np.exp(-z))
