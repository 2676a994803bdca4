"""Subsystem of every issue and PR: rules where the repo says it, a text model where it does not.

Sources, strongest first (each guess carries its source):
- `label`: a repo label that names a subsystem (taxonomy `labels`);
- `paths`: a PR's changed files through the taxonomy's CODEOWNERS-style globs (last match wins
  per file; a subsystem's confidence is its share of the changed lines relative to the top one);
- `title`: a title tag such as `[Frontend]` or `[Hardware][AMD]`, or hardware a subsystem exists
  for named in the title (taxonomy `hardware`: "MI300X" -> rocm);
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
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.feature_extraction.text import CountVectorizer, HashingVectorizer, TfidfTransformer
from sklearn.linear_model import SGDClassifier
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline

from classifiers import features as fx
from classifiers.paths import PathMatcher
from classifiers.repo_rules import LabelRule, label_rules, repo_taxonomy
from config.watch import Taxonomy
from rules.github import closed_numbers, issue_refs
from storage.history import RepoData
from storage.records import IssueRec

log = logging.getLogger(__name__)

SOURCE_LABEL, SOURCE_PATHS, SOURCE_TITLE, SOURCE_PR, SOURCE_TEXT = "label", "paths", "title", "pr", "text"
SOURCE_KEYWORDS = "keywords"
SOURCE_REPO_RULES = "repo-rules"  # the repo's own label rules (mergify, labeler): classifiers.repo_rules
CONF_LABEL, CONF_TITLE, CONF_FILES_TOP = 1.0, 0.9, 0.95
CONF_TITLE_UNSUPPORTED = 0.4  # a PR title tag that none of the PR's files bear out
CONF_KEYWORD = 0.55  # a taxonomy keyword in the title, for subsystems without a text-model class
CONF_CLOSES, CONF_MENTIONS = 0.95, 0.7  # inherited from a PR that closes / only mentions the issue
THRESHOLD = 0.5  # a subsystem at or above this confidence is asserted (the best one always is)
MIN_EXAMPLES = 2  # a subsystem needs this many training items to get a text-model class
MAX_EXAMPLES, PER_CLASS = 8000, 800  # the newest examples, at most this many (per subsystem)
TEXT_CHUNK = 5000  # items whose text is turned into features and scored at once


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
    """The taxonomy's deterministic evidence: labels, changed paths, title tags, keywords, and the
    repo's own label rules (`repo_rules`: their titles for issues and PRs, their paths for PRs)."""

    def __init__(self, taxonomy: Taxonomy, label_rules: Sequence[LabelRule] = ()) -> None:
        self.taxonomy = taxonomy
        self.label_rules = tuple(label_rules)
        self.names = taxonomy.names
        self.paths = PathMatcher.for_taxonomy(taxonomy)
        self.label_map = taxonomy.label_map()
        # First tag of each taxonomy tag set -> [(subsystem, all parts)], e.g. "hardware" -> (rocm, (hardware, amd)).
        self._tag_index: dict[str, list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
        for sub in taxonomy.subsystems:
            for parts in fx.tag_sets(sub.title_tags):
                self._tag_index[parts[0]].append((sub.name, parts))
        self._keywords = [
            (
                s.name,
                re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(k.lower()) for k in s.keywords) + r")s?(?![\w-])"),
            )
            for s in taxonomy.subsystems
            if s.keywords
        ]
        # Hardware named in a title (a model suffix may follow: "mi300" matches "MI300X", "tpu" "TPUs").
        self._hardware_subs: dict[str, list[str]] = defaultdict(list)
        for sub in taxonomy.subsystems:
            for h in sub.hardware:
                self._hardware_subs[h.lower()].append(sub.name)
        names = sorted(self._hardware_subs, key=len, reverse=True)
        self._hardware = (re.compile(r"(?<![\w-])(" + "|".join(re.escape(h) for h in names) + r")[a-z]?(?![\w-])")
                          if names else None)
        # All keywords in one alternation (longest first), mapped back to their subsystems.
        self._kw_subs: dict[str, list[str]] = defaultdict(list)
        for sub in taxonomy.subsystems:
            for k in sub.keywords:
                self._kw_subs[k.lower()].append(sub.name)
        alts = sorted(self._kw_subs, key=len, reverse=True)
        self._kw_any = (
            re.compile(r"(?<![\w-])(" + "|".join(re.escape(k) for k in alts) + r")s?(?![\w-])") if alts else None
        )

    @classmethod
    def for_repo(cls, data: RepoData, base: Taxonomy) -> Rules:
        """The rules for one loaded repo: `base` extended by the repo's own label rules (once per load)."""
        memo = data.memo.get("rules")
        if isinstance(memo, Rules) and memo._base is base:
            return memo
        parsed = label_rules(data.label_rule_files)
        rules = cls(repo_taxonomy(base, parsed), parsed)
        rules._base = base
        data.memo["rules"] = rules
        return rules

    _base: Taxonomy | None = None

    def from_repo_rules(self, title: str, files: Sequence[tuple[str, int]] = (), title_conf: float = CONF_TITLE,
                        ) -> dict[str, float]:
        """Subsystems the repo's label rules give: a title rule `title_conf`, path rules by their share of the files."""
        if not self.label_rules:
            return {}
        out: dict[str, float] = {}
        hits: dict[str, int] = defaultdict(int)
        for rule in self.label_rules:
            name = self.label_map.get(rule.label.lower(), rule.label)
            if title and rule.matches_title(title):
                out[name] = title_conf
            if files and rule.paths:
                n = sum(1 for f, _ in files if rule.matches_path(f))
                if n:
                    hits[name] = max(hits[name], n)
        if hits:
            top = max(hits.values())
            for name, n in hits.items():
                out[name] = max(out.get(name, 0.0), CONF_FILES_TOP * n / top)
        return out

    def target_labels(self, labels: Iterable[str]) -> set[str]:
        return {self.label_map[lb.lower()] for lb in labels if lb.lower() in self.label_map}

    def from_labels(self, labels: Iterable[str]) -> dict[str, float]:
        return dict.fromkeys(self.target_labels(labels), CONF_LABEL)

    def from_title(self, title: str) -> dict[str, float]:
        """Title tags (`[Frontend]`) and hardware a subsystem exists for (`... on MI300X`)."""
        out = {}
        if self._hardware is not None:
            for h in self._hardware.findall(title.lower()):
                out.update(dict.fromkeys(self._hardware_subs[h], CONF_TITLE))
        if "[" not in title:
            return out
        tags = set(fx.title_tags(title))
        for t in tags:
            for name, parts in self._tag_index.get(t, ()):
                if all(p in tags for p in parts):
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
        """`kw:<subsystem>` once per keyword hit (at most three per subsystem)."""
        if self._kw_any is None:
            return []
        counts: dict[str, int] = defaultdict(int)
        for k in self._kw_any.findall(text.lower()):
            for name in self._kw_subs.get(k, ()):
                counts[name] += 1
        return [f"kw:{name}" for name, n in counts.items() for _ in range(min(n, 3))]


def merge(*sources: tuple[str, dict[str, float]]) -> list[Guess]:
    """Highest confidence per subsystem over the sources, best first."""
    best: dict[str, tuple[float, str]] = {}
    for source, conf in sources:
        for name, c in conf.items():
            if c > 1e-3 and (name not in best or c > best[name][0]):
                best[name] = (c, source)
    ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0]))
    return [Guess(name, float(c), source) for name, (c, source) in ranked]


# Sources that are the repo's own word (or follow from it); the text model and keywords are guesses.
RULE_SOURCES = frozenset({SOURCE_LABEL, SOURCE_PATHS, SOURCE_TITLE, SOURCE_PR, SOURCE_REPO_RULES})
SURE = 0.9  # a guess this confident stands beside a rule's answer


def asserted(guesses: Sequence[Guess], threshold: float = THRESHOLD) -> list[str]:
    """The subsystems a guess list asserts: all at or above the threshold, and always the best. When
    the best comes from the repo's own rules, a text or keyword guess beside it must be `SURE`."""
    if not guesses:
        return []
    ruled = guesses[0].source in RULE_SOURCES and guesses[0].confidence >= SURE
    return [g.name for i, g in enumerate(guesses) if i == 0 or (
        g.confidence >= threshold and (not ruled or g.source in RULE_SOURCES or g.confidence >= SURE))]


# ------------------------------------------------------------------------------------ text model


def _hints(rules: Rules, rec: IssueRec, clean: fx.CleanText, label_rules: bool) -> list[str]:
    tags = [f"tag:{t}" for t in fx.title_tags(rec.title)]
    labels = [f"label:{lb.lower().replace(' ', '_')}" for lb in rec.labels if lb.lower() not in rules.label_map]
    kind = [f"tmpl:{fx.template_kind(rec.title, rec.body)}", "pull" if rec.is_pull else "issue"]
    kw = rules.keyword_hints(rec.title + "\n" + clean.prose[:4000])
    return tags + labels + kind + rules.path_hints(clean.paths[:50]) + kw


def text_rows(rules: Rules, recs: Sequence[IssueRec], data: RepoData | None = None) -> np.ndarray:
    """The text model's input: one row per item, columns TEXT_COLUMNS (cleaned bodies are taken
    from `data`'s cache when given)."""
    rows = np.empty((len(recs), len(TEXT_COLUMNS)), dtype=object)
    for i, rec in enumerate(recs):
        known = data is not None and rec.number in data.issues
        clean = fx.cleaned(data, rec.number) if data is not None and known else fx.clean_body(rec.body)
        hints = _hints(rules, rec, clean, False)
        rows[i, 0] = fx.document(rec.title, clean, hints)
        rows[i, 1] = fx.strip_title_tags(rec.title)
        rows[i, 2] = " ".join(hints)
    return rows


def build_text_model(n_examples: int = 1000, C: float = 4.0) -> Pipeline:
    """TF-IDF words + title character n-grams + hint tokens -> one-vs-rest logistic regression.

    The logistic regression is fitted by averaged SGD: on generated vLLM data it matches (or beats)
    SAGA/liblinear in held-out F1 at a fraction of the time, which keeps `scout train` + `scout
    classify` on a year of vLLM history within the benchmark's minute.
    """
    # Hashed n-grams: no vocabulary to store (skops writes a 30k-term vocabulary as ~25 MB of JSON).
    features = ColumnTransformer([
        ("words", Pipeline([
            ("hash", HashingVectorizer(ngram_range=(1, 2), n_features=2 ** 16, alternate_sign=False, norm=None,
                                       token_pattern=r"(?u)\b\w[\w.]*\w\b|\b\w\b")),  # noqa: S106 - a regex, not a password
            ("tfidf", TfidfTransformer(sublinear_tf=True))]), 0),
        ("title_chars", Pipeline([
            ("hash", HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5), n_features=2 ** 14,
                                       alternate_sign=False, norm=None)),
            ("tfidf", TfidfTransformer(sublinear_tf=True))]), 1),
        ("hints", CountVectorizer(token_pattern=r"\S+", lowercase=False, binary=True), 2),  # noqa: S106 - a regex, not a password
    ])
    # alpha = 1 / (C * n) is the L2 strength of a LogisticRegression(C) on n examples.
    alpha = 1.0 / (C * max(n_examples, 1))
    clf = OneVsRestClassifier(SGDClassifier(loss="log_loss", alpha=alpha, average=True, max_iter=15, tol=1e-3,
                                            random_state=0))
    return Pipeline([("features", features), ("clf", clf)])


@dataclass
class TrainingSet:
    recs: list[IssueRec]
    targets: list[list[str]]
    kinds: list[str]  # "issue-label" or "pull-rules"
    data: RepoData | None = None  # for its cache of cleaned bodies


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
    return cap(TrainingSet(recs, targets, kinds, data))


def cap(ts: TrainingSet, max_total: int = MAX_EXAMPLES, per_class: int = PER_CLASS) -> TrainingSet:
    """The newest examples, labelled issues first, keeping an example while one of its subsystems
    has fewer than `per_class`: a year of history fits in seconds and rare subsystems keep theirs."""
    if len(ts.recs) <= max_total:
        return ts
    order = sorted(
        range(len(ts.recs)), key=lambda i: (ts.kinds[i] != "issue-label", -ts.recs[i].created_at.timestamp())
    )
    seen: dict[str, int] = defaultdict(int)
    keep = []
    for i in order:
        if any(seen[c] < per_class for c in ts.targets[i]):
            keep.append(i)
            for c in ts.targets[i]:
                seen[c] += 1
            if len(keep) >= max_total:
                break
    keep.sort(key=lambda i: ts.recs[i].created_at)
    return TrainingSet([ts.recs[i] for i in keep], [ts.targets[i] for i in keep], [ts.kinds[i] for i in keep], ts.data)


class SubsystemModel(ClassifierMixin, BaseEstimator):
    """The text model as one estimator: `text_rows` in, a probability per subsystem out.

    `fit(X, Y)` takes Y as one list of subsystem names per row; `classes_` are the names with at
    least `min_examples` rows (rows with none of them are left out). One-vs-rest logistic
    regression over hashed TF-IDF words, title character n-grams and hint tokens
    (`build_text_model`); `C` is its inverse L2 strength.
    """

    def __init__(self, C: float = 4.0, min_examples: int = MIN_EXAMPLES) -> None:
        self.C = C
        self.min_examples = min_examples

    def fit(self, X: np.ndarray, Y: Sequence[Sequence[str]]) -> SubsystemModel:
        counts: dict[str, int] = defaultdict(int)
        for names in Y:
            for name in set(names):
                counts[name] += 1
        classes = sorted(n for n, c in counts.items() if c >= self.min_examples)
        if len(classes) < 2:
            raise ValueError(f"a subsystem model needs two subsystems with {self.min_examples} examples each, "
                             f"got {len(classes)}")
        keep = [i for i, t in enumerate(Y) if any(n in classes for n in t)]
        self.classes_ = np.array(classes, dtype=object)
        self.pipeline_ = build_text_model(len(keep), self.C)
        target = np.array([[1 if c in Y[i] else 0 for c in classes] for i in keep])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # the loose tolerance is deliberate
            self.pipeline_.fit(np.asarray(X, dtype=object)[keep], target)
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        if not hasattr(self, "pipeline_"):
            raise NotFittedError("SubsystemModel is not fitted yet")
        if len(X) == 0:
            return np.zeros((0, len(self.classes_)))
        return np.asarray(self.pipeline_.predict_proba(np.asarray(X, dtype=object)))

    def predict(self, X: np.ndarray) -> list[list[str]]:
        """The asserted subsystems of each row (see `asserted`)."""
        out = []
        for row in self.predict_proba(X):
            ranked = sorted((Guess(str(c), float(p), SOURCE_TEXT) for c, p in zip(self.classes_, row, strict=True)),
                            key=lambda g: -g.confidence)
            out.append(asserted(ranked))
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """`words:h<i>` and `title_chars:h<i>` (hashed buckets: no vocabulary is kept), `hint:<token>`."""
        if not hasattr(self, "pipeline_"):
            raise NotFittedError("SubsystemModel is not fitted yet")
        ct = self.pipeline_.named_steps["features"]
        words = ct.named_transformers_["words"].named_steps["hash"].n_features
        chars = ct.named_transformers_["title_chars"].named_steps["hash"].n_features
        hints = ct.named_transformers_["hints"].get_feature_names_out()
        return np.array([*(f"words:h{i}" for i in range(words)), *(f"title_chars:h{i}" for i in range(chars)),
                         *(f"hint:{t}" for t in hints)], dtype=object)


def fit_text_model(rules: Rules, ts: TrainingSet) -> SubsystemModel | None:
    """Fit on the training set; None when fewer than two subsystems have enough examples."""
    counts: dict[str, int] = defaultdict(int)
    for t in ts.targets:
        for name in set(t):
            counts[name] += 1
    if sum(1 for c in counts.values() if c >= MIN_EXAMPLES) < 2:
        return None
    return SubsystemModel().fit(text_rows(rules, ts.recs, ts.data), ts.targets)


def text_probabilities(model: SubsystemModel, classes: Sequence[str], rows: np.ndarray) -> np.ndarray:
    if len(rows) == 0:
        return np.zeros((0, len(classes)))
    return np.asarray(model.predict_proba(rows))


# ------------------------------------------------------------------------------------ assembly


def pull_rule_guesses(data: RepoData, rules: Rules) -> dict[int, list[Guess]]:
    """Rule-only guesses for every PR (labels, changed paths, title tags).

    A PR's files decide, as vLLM's own mergify rules do: a title tag naming a subsystem none of
    its files touch (`[Perf]` on a scheduler change) is kept below the threshold, as a hint.
    """
    memo = data.memo.get("pull_rule_guesses")
    if isinstance(memo, tuple) and memo[0] is rules.taxonomy:  # computed once per load and taxonomy
        return memo[1]
    out = {}
    for rec in data.issues.values():
        if not rec.is_pull:
            continue
        pull = data.pulls.get(rec.number)
        labels = [*rec.labels, *(pull.labels if pull else ())]
        files = rules.from_files(data.files.get(rec.number, []))
        title = rules.from_title(rec.title)
        if files:
            title = {name: (c if name in files else CONF_TITLE_UNSUPPORTED) for name, c in title.items()}
        repo = rules.from_repo_rules(rec.title, data.files.get(rec.number, []))
        out[rec.number] = merge((SOURCE_LABEL, rules.from_labels(labels)), (SOURCE_PATHS, files), (SOURCE_TITLE, title),
                                (SOURCE_REPO_RULES, repo))
    data.memo["pull_rule_guesses"] = (rules.taxonomy, out)
    return out


def pr_references(data: RepoData) -> dict[int, list[tuple[int, bool]]]:
    """Issue number -> [(PR number, closes?)] from PR titles and bodies (computed once per load)."""
    memo = data.memo.get("pr_references")
    if memo is not None:
        return memo  # type: ignore[return-value]
    out: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    repo = data.full_name.lower()
    for pull in data.pulls.values():
        text = f"{pull.title}\n{pull.body}"
        refs = issue_refs(text, data.full_name)
        if not refs:  # most PRs reference nothing: no need for the closing keywords either
            continue
        closing = closed_numbers(text, data.full_name)
        for ref_repo, num, _kind in refs:
            if ref_repo != repo or num == pull.number:
                continue
            rec = data.issues.get(num)
            if rec is not None and not rec.is_pull:
                out[num].append((pull.number, num in closing))
    data.memo["pr_references"] = out
    return out


def _confident(guesses: Sequence[Guess]) -> bool:
    return bool(guesses) and guesses[0].confidence >= THRESHOLD


def label_all(data: RepoData, rules: Rules, model: SubsystemModel | None, classes: Sequence[str],
              numbers: Iterable[int] | None = None,
              pulls: dict[int, list[Guess]] | None = None) -> dict[int, list[Guess]]:
    """Guesses for the given items (default: every issue and PR), best first. `pulls` (the rule
    guesses of every PR) can be passed in when already computed."""
    wanted = list(numbers) if numbers is not None else list(data.issues)
    recs = [data.issues[n] for n in wanted if n in data.issues]
    pulls = pulls if pulls is not None else pull_rule_guesses(data, rules)
    # The text model reads issues, and only those PRs the rules leave undecided.
    need = [r for r in recs if not r.is_pull or not _confident(pulls.get(r.number, []))]
    text: dict[int, dict[str, float]] = {}
    if model is not None:
        # A chunk at a time: the same probabilities (each row is transformed and scored on its own),
        # without the text and feature matrices of every item in memory at once.
        for i in range(0, len(need), TEXT_CHUNK):
            chunk = need[i:i + TEXT_CHUNK]
            probs = text_probabilities(model, classes, text_rows(rules, chunk, data))
            text.update({r.number: {c: float(p) for c, p in zip(classes, row, strict=True)}
                         for r, row in zip(chunk, probs, strict=True)})
    refs = pr_references(data)
    unmodelled = [n for n in rules.names if n not in set(classes)]
    out: dict[int, list[Guess]] = {}
    for rec in recs:
        text_conf = text.get(rec.number, {})
        if rec.is_pull:
            rule = pulls.get(rec.number, [])
            if _confident(rule):
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
        out[rec.number] = merge(
            (SOURCE_LABEL, rules.from_labels(rec.labels)),
            (SOURCE_TITLE, rules.from_title(rec.title)),
            (SOURCE_REPO_RULES, rules.from_repo_rules(rec.title)),
            (SOURCE_PR, inherited),
            (SOURCE_TEXT, text_conf),
            (SOURCE_KEYWORDS, rules.from_keywords(rec.title, unmodelled)),
        )
    return out
