"""Subsystem of every issue and PR: rules where the repo says it, a text model where it does not.

Sources, strongest first (each guess carries its source):
- `label`: a repo label that names a subsystem (taxonomy `labels`);
- `paths`: a PR's changed files through the taxonomy's CODEOWNERS-style globs (last match wins
  per file; a subsystem's confidence is its share of the changed lines relative to the top one);
- `title`: a title tag such as `[Frontend]` or `[Hardware][AMD]`;
- `pr`: an issue inherits the subsystems of the PRs that close it (`Fixes #N`) or mention it;
- `keywords`: a taxonomy keyword in an issue's title, only for subsystems the text model has no
  class for (fewer than MIN_EXAMPLES labelled items);
- `text`: a one-vs-rest logistic regression over TF-IDF of the title and cleaned body plus hint
  tokens (non-target labels, title tags, paths and taxonomy keywords mentioned in the text),
  trained on labelled issues and on PRs whose subsystem the rules above give.
The confidence of a subsystem is the highest over its sources.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline

from classifiers import features as fx
from classifiers.dataset import IssueRec, RepoData
from classifiers.paths import PathMatcher
from config.watch import Taxonomy
from storage.refs import issue_refs

log = logging.getLogger(__name__)

SOURCE_LABEL, SOURCE_PATHS, SOURCE_TITLE, SOURCE_PR, SOURCE_TEXT = "label", "paths", "title", "pr", "text"
SOURCE_KEYWORDS = "keywords"
CONF_LABEL, CONF_TITLE, CONF_FILES_TOP = 1.0, 0.9, 0.95
CONF_KEYWORD = 0.55  # a taxonomy keyword in the title, for subsystems without a text-model class
CONF_CLOSES, CONF_MENTIONS = 0.95, 0.7  # inherited from a PR that closes / only mentions the issue
THRESHOLD = 0.5  # a subsystem at or above this confidence is asserted (the best one always is)
MIN_EXAMPLES = 2  # a subsystem needs this many training items to get a text-model class


# Columns of the text model's input matrix (an object array; ColumnTransformer selects by position).
TEXT_COLUMNS = ("document", "title", "hints")


@dataclass(frozen=True)
class Guess:
    name: str
    confidence: float
    source: str

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "confidence": round(float(self.confidence), 4), "source": self.source}


class Rules:
    """The taxonomy's deterministic evidence: labels, changed paths, title tags, keywords."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.names = taxonomy.names
        self.paths = PathMatcher.for_taxonomy(taxonomy)
        self.label_map = taxonomy.label_map()
        self._tags = [(s.name, fx.tag_sets(s.title_tags)) for s in taxonomy.subsystems]
        self._keywords = [
            (s.name, re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(k.lower()) for k in s.keywords) + r")s?(?![\w-])"))
            for s in taxonomy.subsystems if s.keywords
        ]

    def target_labels(self, labels: Iterable[str]) -> set[str]:
        return {self.label_map[lb.lower()] for lb in labels if lb.lower() in self.label_map}

    def from_labels(self, labels: Iterable[str]) -> dict[str, float]:
        return dict.fromkeys(self.target_labels(labels), CONF_LABEL)

    def from_title(self, title: str) -> dict[str, float]:
        tags = set(fx.title_tags(title))
        if not tags:
            return {}
        out = {}
        for name, sets in self._tags:
            if any(all(p in tags for p in parts) for parts in sets):
                out[name] = CONF_TITLE
        return out

    def from_files(self, files: Sequence[tuple[str, int]]) -> dict[str, float]:
        weight: dict[str, float] = defaultdict(float)
        for filename, changes in files:
            sub = self.paths.match(filename)
            if sub is not None:
                weight[str(sub)] += 1.0 + np.log1p(max(changes, 0))
        if not weight:
            return {}
        top = max(weight.values())
        return {s: CONF_FILES_TOP * w / top for s, w in weight.items()}

    def path_hints(self, paths: Iterable[str]) -> list[str]:
        return [f"path:{s}" for s in (self.paths.match(p) for p in paths) if s is not None]

    def from_keywords(self, title: str, only: Iterable[str] | None = None) -> dict[str, float]:
        """Taxonomy keywords in the title (`[RFC] Cloud TPUs` -> tpu), for subsystems the text model
        has no class for (too few examples to learn one)."""
        low = fx.strip_title_tags(title).lower()
        allowed = set(only) if only is not None else None
        return {name: CONF_KEYWORD for name, rx in self._keywords
                if (allowed is None or name in allowed) and rx.search(low)}

    def keyword_hints(self, text: str) -> list[str]:
        low = text.lower()
        return [f"kw:{name}" for name, rx in self._keywords for _ in rx.findall(low)[:3]]


def merge(*sources: tuple[str, dict[str, float]]) -> list[Guess]:
    """Highest confidence per subsystem over the sources, best first."""
    best: dict[str, Guess] = {}
    for source, conf in sources:
        for name, c in conf.items():
            if name not in best or c > best[name].confidence:
                best[name] = Guess(name, float(c), source)
    return sorted(best.values(), key=lambda g: (-g.confidence, g.name))


def asserted(guesses: Sequence[Guess], threshold: float = THRESHOLD) -> list[str]:
    """The subsystems a guess list asserts: all at or above the threshold, and always the best."""
    if not guesses:
        return []
    return [g.name for i, g in enumerate(guesses) if i == 0 or g.confidence >= threshold]


# ------------------------------------------------------------------------------------ text model


def _hints(rules: Rules, rec: IssueRec, clean: fx.CleanText, label_rules: bool) -> list[str]:
    tags = [f"tag:{t}" for t in fx.title_tags(rec.title)]
    labels = [f"label:{lb.lower().replace(' ', '_')}" for lb in rec.labels if lb.lower() not in rules.label_map]
    kind = [f"tmpl:{fx.template_kind(rec.title, rec.body)}", "pull" if rec.is_pull else "issue"]
    kw = rules.keyword_hints(rec.title + "\n" + clean.prose[:4000])
    return tags + labels + kind + rules.path_hints(clean.paths[:50]) + kw


def text_rows(rules: Rules, recs: Sequence[IssueRec], cleans: Sequence[fx.CleanText] | None = None) -> np.ndarray:
    """The text model's input: one row per item, columns TEXT_COLUMNS."""
    rows = np.empty((len(recs), len(TEXT_COLUMNS)), dtype=object)
    for i, rec in enumerate(recs):
        clean = cleans[i] if cleans is not None else fx.clean_body(rec.body)
        hints = _hints(rules, rec, clean, False)
        rows[i, 0] = fx.document(rec.title, clean, hints)
        rows[i, 1] = fx.strip_title_tags(rec.title)
        rows[i, 2] = " ".join(hints)
    return rows


def build_text_model(C: float = 4.0) -> Pipeline:
    """TF-IDF words + title character n-grams + hint tokens -> one-vs-rest logistic regression.

    SAGA with a loose tolerance: on a year of vLLM history it fits ~8x faster than liblinear at
    the same held-out F1 (the bench in `benchmarks/` keeps train + classify under a minute).
    """
    features = ColumnTransformer([
        ("words", TfidfVectorizer(ngram_range=(1, 2), min_df=1, max_df=0.9, sublinear_tf=True,
                                  max_features=60000, token_pattern=r"(?u)\b\w[\w.]*\w\b|\b\w\b"), 0),
        ("title_chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True,
                                        max_features=30000), 1),
        ("hints", CountVectorizer(token_pattern=r"\S+", lowercase=False, binary=True), 2),
    ])
    clf = OneVsRestClassifier(LogisticRegression(C=C, max_iter=300, tol=1e-3, solver="saga"))
    return Pipeline([("features", features), ("clf", clf)])


@dataclass
class TrainingSet:
    recs: list[IssueRec]
    targets: list[list[str]]
    kinds: list[str]  # "issue-label" or "pull-rules"


def training_set(data: RepoData, rules: Rules, pull_guesses: dict[int, list[Guess]]) -> TrainingSet:
    """Labelled issues (target labels) and PRs whose subsystems the rules give."""
    recs, targets, kinds = [], [], []
    for rec in data.issues.values():
        if rec.is_pull:
            g = [x for x in pull_guesses.get(rec.number, []) if x.source != SOURCE_TEXT]
            names = asserted(g)
            if names:
                recs.append(rec)
                targets.append(names)
                kinds.append("pull-rules")
        else:
            names = sorted(rules.target_labels(rec.labels))
            if names:
                recs.append(rec)
                targets.append(names)
                kinds.append("issue-label")
    return TrainingSet(recs, targets, kinds)


def fit_text_model(rules: Rules, ts: TrainingSet) -> tuple[Pipeline | None, list[str]]:
    """Fit on the training set; None when fewer than two subsystems have enough examples."""
    counts: dict[str, int] = defaultdict(int)
    for t in ts.targets:
        for name in t:
            counts[name] += 1
    classes = sorted(n for n, c in counts.items() if c >= MIN_EXAMPLES)
    if len(classes) < 2:
        return None, classes
    keep = [i for i, t in enumerate(ts.targets) if any(n in classes for n in t)]
    X = text_rows(rules, [ts.recs[i] for i in keep])
    Y = np.array([[1 if c in ts.targets[i] else 0 for c in classes] for i in keep])
    model = build_text_model()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # the loose tolerance is deliberate
        model.fit(X, Y)
    return model, classes


def text_probabilities(model: Pipeline, classes: Sequence[str], rows: np.ndarray) -> np.ndarray:
    if len(rows) == 0:
        return np.zeros((0, len(classes)))
    return np.asarray(model.predict_proba(rows))


# ------------------------------------------------------------------------------------ assembly


def pull_rule_guesses(data: RepoData, rules: Rules) -> dict[int, list[Guess]]:
    """Rule-only guesses for every PR (labels, changed paths, title tags)."""
    out = {}
    for rec in data.issues.values():
        if not rec.is_pull:
            continue
        pull = data.pulls.get(rec.number)
        labels = list(rec.labels) + (pull.labels if pull else [])
        out[rec.number] = merge((SOURCE_LABEL, rules.from_labels(labels)),
                                (SOURCE_PATHS, rules.from_files(data.files.get(rec.number, []))),
                                (SOURCE_TITLE, rules.from_title(rec.title)))
    return out


def pr_references(data: RepoData) -> dict[int, list[tuple[int, bool]]]:
    """Issue number -> [(PR number, closes?)] from PR titles and bodies."""
    out: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    repo = data.full_name.lower()
    for pull in data.pulls.values():
        text = f"{pull.title}\n{pull.body}"
        closing = fx.closing_refs(text, data.full_name)
        for ref_repo, num, _kind in issue_refs(text, data.full_name):
            if ref_repo != repo or num == pull.number:
                continue
            rec = data.issues.get(num)
            if rec is not None and not rec.is_pull:
                out[num].append((pull.number, num in closing))
    return out


def label_all(data: RepoData, rules: Rules, model: Pipeline | None, classes: Sequence[str],
              numbers: Iterable[int] | None = None) -> dict[int, list[Guess]]:
    """Guesses for the given items (default: every issue and PR), best first."""
    wanted = list(numbers) if numbers is not None else list(data.issues)
    recs = [data.issues[n] for n in wanted if n in data.issues]
    pulls = pull_rule_guesses(data, rules)
    probs = text_probabilities(model, classes, text_rows(rules, recs)) if model is not None and recs else None
    refs = pr_references(data)
    unmodelled = [n for n in rules.names if n not in set(classes)]
    out: dict[int, list[Guess]] = {}
    for i, rec in enumerate(recs):
        text_conf = {c: float(p) for c, p in zip(classes, probs[i], strict=True)} if probs is not None else {}
        if rec.is_pull:
            rule = pulls.get(rec.number, [])
            if asserted(rule) and rule[0].confidence >= THRESHOLD:
                out[rec.number] = rule
            else:
                out[rec.number] = merge(*((g.source, {g.name: g.confidence}) for g in rule), (SOURCE_TEXT, text_conf))
            continue
        inherited: dict[str, float] = {}
        for pr_num, closes in refs.get(rec.number, []):
            for g in pulls.get(pr_num, []):
                if g.confidence >= THRESHOLD:
                    c = g.confidence * (CONF_CLOSES if closes else CONF_MENTIONS)
                    inherited[g.name] = max(inherited.get(g.name, 0.0), c)
        out[rec.number] = merge((SOURCE_LABEL, rules.from_labels(rec.labels)), (SOURCE_TITLE, rules.from_title(rec.title)),
                                (SOURCE_PR, inherited), (SOURCE_TEXT, text_conf),
                                (SOURCE_KEYWORDS, rules.from_keywords(rec.title, unmodelled)))
    return out
