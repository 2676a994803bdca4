"""Model files: a skops file of the fitted pipeline (never pickle) and a JSON card beside it.

Layout: `SCOUT_MODEL_DIR/<owner>__<repo>/<name>.skops` and `<name>.json`. The card records the
format, the scikit-learn and skops versions that wrote the file, its SHA-256, the training
window and metrics, and model-specific extras (classes, number of positives).

`load` refuses, with a `ModelFileError` that says why, a file that is missing, is not a valid
skops file, does not match its card, was written by another format or library version, or
contains types outside `TRUSTED_PREFIXES` (skops never executes code it was not told to trust).
Callers catch `ModelFileError` and retrain.
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
# Only these module prefixes may appear in a model file; our pipelines are built from stock
# scikit-learn, NumPy and SciPy parts.
TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.", "builtins.", "collections.")
# Our own estimator classes that a model file may hold (fully-qualified names).
TRUSTED_OWN_TYPES = ("classifiers.gfi.GoodFirstIssueModel", "classifiers.subsystem.SubsystemModel")


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
            if isinstance(x, (list, tuple, dict, BaseEstimator)) or (hasattr(x, "__dict__") and type(x).__module__.startswith("sklearn.")):
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
    try:
        untrusted = sio.get_untrusted_types(file=model_path)
    except (zipfile.BadZipFile, json.JSONDecodeError, KeyError, ValueError, OSError) as exc:
        raise ModelFileError(f"{model_path}: not a valid skops file ({exc.__class__.__name__}: {exc})") from None
    bad = [t for t in untrusted if not t.startswith(TRUSTED_PREFIXES) and t not in TRUSTED_OWN_TYPES]
    if bad:
        raise ModelFileError(f"{model_path}: contains types oss-scout does not trust: {', '.join(bad[:5])}")
    try:
        model = sio.load(model_path, trusted=untrusted)
    except Exception as exc:  # noqa: BLE001 - any failure to rebuild the object means "retrain"
        raise ModelFileError(f"{model_path}: cannot be loaded ({exc.__class__.__name__}: {exc})") from None
    return card, model


def version_string(name: str, created_at: datetime, digest_source: str) -> str:
    short = hashlib.sha1(digest_source.encode()).hexdigest()[:8]  # noqa: S324 - a label, not security
    return f"{name}-{created_at.strftime('%Y%m%dT%H%M%SZ')}-{short}"
