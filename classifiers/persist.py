"""Model files: a skops file of the fitted pipeline (never pickle) and a JSON card beside it.

Layout: `SCOUT_MODEL_DIR/<owner>__<repo>/<name>.skops` and `<name>.json`. The card records the
format, the scikit-learn and skops versions that wrote the file, its SHA-256, the training
window and metrics, and model-specific extras (classes, number of positives).

`load` refuses, with a `ModelFileError` that says why, a file that is missing, is not a valid
skops file, does not match its card, was written by another format or library version, or names
any type outside `TRUSTED_TYPES` or any skops loader outside `TRUSTED_LOADERS`. The card's
SHA-256 only catches accidents: whoever can write the file can write the card, so the type check
is what keeps a doctored file from running code. Callers catch `ModelFileError` and retrain.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sklearn
import skops
import skops.io as sio

from config.errors import ClassifierError

log = logging.getLogger(__name__)

FORMAT = 1
SCOUT_MODEL_FORMAT = "oss-scout/1"
# Exactly the types our model files hold (`tests/classifiers/test_persist.py` trains the models and
# checks every type in every file is listed). A new estimator class goes here, nowhere else.
TRUSTED_TYPES: frozenset[str] = frozenset({
    # containers and scalars skops writes for any estimator
    "builtins.NoneType", "builtins.bool", "builtins.dict", "builtins.float", "builtins.int", "builtins.list",
    "builtins.slice", "builtins.str", "builtins.tuple",
    "numpy.bool_", "numpy.dtype", "numpy.float32", "numpy.float64", "numpy.int32", "numpy.int64", "numpy.ndarray",
    # the estimators of classifiers/subsystem.py and classifiers/gfi.py
    "sklearn._loss._loss.CyHalfBinomialLoss",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.compose._column_transformer.ColumnTransformer",
    "sklearn.feature_extraction.text.CountVectorizer",
    "sklearn.feature_extraction.text.HashingVectorizer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.linear_model._stochastic_gradient.SGDClassifier",
    "sklearn.multiclass.OneVsRestClassifier",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._data.StandardScaler",
    "sklearn.preprocessing._label.LabelBinarizer",
    # our own estimators (classifiers.GoodFirstIssueModel, classifiers.SubsystemModel)
    "classifiers.gfi.GoodFirstIssueModel",
    "classifiers.subsystem.SubsystemModel",
})
# The skops node kinds those types are written as; function, method and reduce nodes (which call
# what they name) never appear in our files.
TRUSTED_LOADERS: frozenset[str] = frozenset({
    "DictNode", "JsonNode", "ListNode", "LossNode", "NdArrayNode", "ObjectNode", "SliceNode", "TupleNode", "TypeNode",
})
MAX_SCHEMA_BYTES = 1 << 30  # a model's schema.json is a few MB; a zip bomb is refused before it is read


class ModelFileError(ClassifierError):
    """A model file cannot be used (the message says why); the models must be retrained."""


@dataclass
class Card:
    name: str
    repo: str
    version: str
    created_at: str
    n_train: int = 0
    metrics: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    has_model: bool = True
    sha256: str = ""
    sklearn_version: str = sklearn.__version__
    skops_version: str = skops.__version__
    format: int = FORMAT
    scout_model_format: str = SCOUT_MODEL_FORMAT

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def repo_dir(model_dir: Path, repo: str) -> Path:
    return Path(model_dir) / repo.replace("/", "__")


def paths(model_dir: Path, repo: str, name: str) -> tuple[Path, Path]:
    d = repo_dir(model_dir, repo)
    return d / f"{name}.skops", d / f"{name}.json"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _atomic_write(path: Path, write: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; the bot and the CLI may run as different users
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


_SGD_RESUME_STATE = ("_standard_coef", "_standard_intercept", "_average_coef", "_average_intercept")


def compact(obj: Any, _seen: set[int] | None = None) -> Any:
    """Make a fitted estimator cheap to store, without changing what it computes.

    skops writes every NumPy scalar as its own object: a vectorizer's `vocabulary_` of NumPy ints
    takes ~20x longer to dump than the same dict of Python ints. `stop_words_` (terms pruned by
    min_df/max_df/max_features) is introspection only and can be huge (scikit-learn's docs say to drop it).
    Averaged SGD keeps two more copies of its weights to resume `partial_fit`; we never resume.
    """
    from sklearn.base import BaseEstimator

    seen = _seen if _seen is not None else set()
    if id(obj) in seen:
        return obj
    seen.add(id(obj))
    if isinstance(obj, (list, tuple)):
        for x in obj:
            compact(x, seen)
    elif isinstance(obj, dict):
        for x in obj.values():
            compact(x, seen)
    elif isinstance(obj, BaseEstimator) or (hasattr(obj, "__dict__") and type(obj).__module__.startswith("sklearn.")):
        vocab = getattr(obj, "vocabulary_", None)
        if isinstance(vocab, dict):
            obj.vocabulary_ = {k: int(v) for k, v in vocab.items()}
        if getattr(obj, "stop_words_", None) is not None:
            obj.stop_words_ = None
        for attr in _SGD_RESUME_STATE:  # averaged SGD's copies for `partial_fit`; predicting reads coef_
            if hasattr(obj, attr) and hasattr(obj, "coef_"):
                delattr(obj, attr)
        for x in vars(obj).values():
            if isinstance(x, (list, tuple, dict, BaseEstimator)) or (
                hasattr(x, "__dict__") and type(x).__module__.startswith("sklearn.")
            ):
                compact(x, seen)
    return obj


def save(model_dir: Path, card: Card, model: Any | None) -> Path:
    """Write the skops file (when there is a model) and then its card; returns the card path."""
    model_path, card_path = paths(model_dir, card.repo, card.name)
    if model is not None:
        compact(model)
        _atomic_write(model_path, lambda p: sio.dump(model, p))
        card.sha256 = _sha256(model_path)
        card.has_model = True
    else:
        card.has_model = False
        card.sha256 = ""
        if model_path.exists():
            model_path.unlink()
    _atomic_write(card_path, lambda p: p.write_text(json.dumps(card.to_json(), indent=2, sort_keys=True)))
    log.info("saved model %s for %s (%s)", card.name, card.repo, card.version)
    return card_path


def read_card(model_dir: Path, repo: str, name: str) -> Card:
    _, card_path = paths(model_dir, repo, name)
    if not card_path.exists():
        raise ModelFileError(f"no {name} model for {repo} in {card_path.parent} (run `scout train`)")
    try:
        raw = json.loads(card_path.read_text(encoding="utf-8"))
        card = Card(**raw)
    except (json.JSONDecodeError, UnicodeDecodeError, TypeError) as exc:
        raise ModelFileError(f"{card_path}: not a model card written by oss-scout ({exc})") from None
    if card.format != FORMAT or card.scout_model_format != SCOUT_MODEL_FORMAT:
        raise ModelFileError(f"{card_path}: model format {card.scout_model_format!r}/{card.format}, "
                             f"this oss-scout reads {SCOUT_MODEL_FORMAT!r}/{FORMAT}")
    if card.sklearn_version != sklearn.__version__:
        raise ModelFileError(f"{card_path}: made with scikit-learn {card.sklearn_version}, "
                             f"this is {sklearn.__version__}")
    if card.skops_version != skops.__version__:
        raise ModelFileError(f"{card_path}: made with skops {card.skops_version}, this is {skops.__version__}")
    return card


def _node_types(node: Any, types: set[str], loaders: set[str]) -> None:
    """Every `module.class` and `__loader__` named anywhere in a skops schema (iteratively: no depth limit)."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, dict):
            if "__class__" in n or "__module__" in n or "__loader__" in n:
                types.add(f"{n.get('__module__')}.{n.get('__class__')}")
                loaders.add(str(n.get("__loader__")))
            stack.extend(n.values())
        elif isinstance(n, list):
            stack.extend(n)


def file_types(model_path: Path) -> set[str]:
    """The types a skops file names; `ModelFileError` if it is not one, or uses a node kind we never write."""
    try:
        with zipfile.ZipFile(model_path) as z:
            info = z.getinfo("schema.json")
            if info.file_size > MAX_SCHEMA_BYTES:
                raise ModelFileError(f"{model_path}: schema of {info.file_size} bytes, too large for a model file")
            schema = json.loads(z.read(info))
    except ModelFileError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, RecursionError) as exc:
        raise ModelFileError(f"{model_path}: not a valid skops file ({exc.__class__.__name__})") from None
    types: set[str] = set()
    loaders: set[str] = set()
    _node_types(schema, types, loaders)
    odd = sorted(loaders - TRUSTED_LOADERS)
    if odd:
        raise ModelFileError(f"{model_path}: uses skops loaders oss-scout never writes: {', '.join(odd[:5])}")
    return types


def load(model_dir: Path, repo: str, name: str) -> tuple[Card, Any | None]:
    """The card and the fitted model (None for a prior-only model); `ModelFileError` if unusable."""
    card = read_card(model_dir, repo, name)
    if not card.has_model:
        return card, None
    model_path, _ = paths(model_dir, repo, name)
    if not model_path.exists():
        raise ModelFileError(f"{model_path}: missing (its card is there)")
    if _sha256(model_path) != card.sha256:
        raise ModelFileError(f"{model_path}: contents do not match its card (changed or corrupt)")
    types = file_types(model_path)
    bad = sorted(t for t in types if t not in TRUSTED_TYPES)
    if bad:
        raise ModelFileError(f"{model_path}: contains types oss-scout does not trust: {', '.join(bad[:5])}")
    try:
        untrusted = sio.get_untrusted_types(file=model_path)
    except Exception as exc:  # noqa: BLE001 - whatever skops cannot read is not a model file of ours
        raise ModelFileError(f"{model_path}: not a valid skops file ({exc.__class__.__name__})") from None
    bad = sorted(t for t in untrusted if t not in TRUSTED_TYPES)
    if bad:  # skops reads a type our walk did not see: refuse rather than trust it
        raise ModelFileError(f"{model_path}: contains types oss-scout does not trust: {', '.join(bad[:5])}")
    try:
        model = sio.load(model_path, trusted=untrusted)
    except Exception as exc:  # noqa: BLE001 - any failure to rebuild the object means "retrain"
        raise ModelFileError(f"{model_path}: cannot be loaded ({exc.__class__.__name__}: {exc})") from None
    return card, model


def version_string(name: str, created_at: datetime, digest_source: str) -> str:
    short = hashlib.sha1(digest_source.encode()).hexdigest()[:8]  # noqa: S324 - a label, not security
    return f"{name}-{created_at.strftime('%Y%m%dT%H%M%SZ')}-{short}"
