"""Model files: skops + card round trip; invalid, tampered, foreign-version and untrusted files are
refused with a clear message, and `classify` (and `scout classify`) retrain instead of crashing."""

from __future__ import annotations

import json
import pickle
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from sqlalchemy import func, select

from classifiers import persist
from classifiers.classify import classify
from classifiers.train import GFI, SUBSYSTEM, RepoContext, load_models, train
from config import load_watch_config
from config.clock import parse_utc
from storage.db import make_engine, session_scope, upgrade
from storage.importer import import_dataset
from storage.models import GoodFirstIssueScore, ModelVersion
from tests.helpers import run_scout

REPO = "vllm-project/vllm"


class Untrusted:
    """A type that is not scikit-learn's: skops must not rebuild it without being told to."""

    def __init__(self) -> None:
        self.x = 1


@pytest.fixture(scope="module")
def trained(small_dataset: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A database with the small community imported and both models trained (made once)."""
    root = tmp_path_factory.mktemp("trained")
    eng = make_engine(f"sqlite:///{root / 'db.sqlite'}")
    upgrade(eng)
    import_dataset(eng, small_dataset)
    now = parse_utc(json.loads((small_dataset / "meta.json").read_text())["now"])
    with session_scope(eng) as s:
        train(s, RepoContext.of(load_watch_config(), REPO), now, root / "models")
    eng.dispose()
    return root / "db.sqlite", root / "models"


@pytest.fixture
def copy(trained: tuple[Path, Path], tmp_path: Path) -> tuple[str, Path]:
    db, models = trained
    shutil.copyfile(db, tmp_path / "db.sqlite")
    shutil.copytree(models, tmp_path / "models")
    return f"sqlite:///{tmp_path / 'db.sqlite'}", tmp_path / "models"


def test_round_trip_and_versions_recorded(copy: tuple[str, Path]) -> None:
    url, models = copy
    loaded = load_models(models, REPO)
    assert loaded.subsystem is not None and loaded.gfi is not None
    assert loaded.subsystem_classes and loaded.gfi_n_pos >= 5
    card = json.loads((models / "vllm-project__vllm" / "gfi.json").read_text())
    assert card["sklearn_version"] and card["sha256"] and card["metrics"]["n_pos"] == loaded.gfi_n_pos
    assert not list(models.rglob("*.pkl")) and not list(models.rglob("*.pickle"))
    eng = make_engine(url)
    with session_scope(eng) as s:
        names = sorted(s.scalars(select(ModelVersion.name)).all())
        assert names == [GFI, SUBSYSTEM]
        version = s.scalar(select(ModelVersion.version).where(ModelVersion.name == GFI))
    assert version == loaded.versions[GFI]
    eng.dispose()


def _paths(models: Path, name: str) -> tuple[Path, Path]:
    return persist.paths(models, REPO, name)


def _set_card(models: Path, name: str, **changes: object) -> None:
    _, card = _paths(models, name)
    data = json.loads(card.read_text())
    data.update(changes)
    card.write_text(json.dumps(data))


def test_refuses_garbage(copy: tuple[str, Path]) -> None:
    _, models = copy
    model, _ = _paths(models, GFI)
    model.write_bytes(b"this is not a zip file")
    with pytest.raises(persist.ModelFileError, match="do not match its card"):
        load_models(models, REPO)
    _set_card(models, GFI, sha256=persist._sha256(model))
    with pytest.raises(persist.ModelFileError, match="not a valid skops file"):
        load_models(models, REPO)


def test_refuses_a_pickle(copy: tuple[str, Path]) -> None:
    _, models = copy
    model, _ = _paths(models, SUBSYSTEM)
    model.write_bytes(pickle.dumps({"a": np.arange(3)}))
    _set_card(models, SUBSYSTEM, sha256=persist._sha256(model))
    with pytest.raises(persist.ModelFileError, match="not a valid skops file"):
        load_models(models, REPO)


def test_refuses_other_versions(copy: tuple[str, Path]) -> None:
    _, models = copy
    _set_card(models, GFI, sklearn_version="0.24.2")
    with pytest.raises(persist.ModelFileError, match=r"made with scikit-learn 0\.24\.2"):
        load_models(models, REPO)
    _set_card(models, GFI, sklearn_version=__import__("sklearn").__version__, scout_model_format="oss-scout/0")
    with pytest.raises(persist.ModelFileError, match="model format"):
        load_models(models, REPO)


def test_refuses_untrusted_types(copy: tuple[str, Path]) -> None:
    _, models = copy
    model, _ = _paths(models, GFI)
    sio.dump(Untrusted(), model)
    _set_card(models, GFI, sha256=persist._sha256(model))
    with pytest.raises(persist.ModelFileError, match="does not trust"):
        load_models(models, REPO)


def _plant_exec(model: Path, marker: Path) -> None:
    """Add a `builtins.exec` reduce node to a skops file and re-sign its card, as an attacker with write
    access to the model folder would (the sha256 in the card is no guard against that)."""
    with zipfile.ZipFile(model) as z:
        members = {n: z.read(n) for n in z.namelist()}
    schema = json.loads(members["schema.json"])
    code = f"import pathlib; pathlib.Path({str(marker)!r}).write_text('ran')"
    schema["content"]["content"]["_planted"] = {
        "__class__": "exec", "__module__": "builtins", "__loader__": "ConstructorFromReduceNode", "__id__": 990003,
        "content": {"__class__": "tuple", "__module__": "builtins", "__loader__": "TupleNode", "__id__": 990002,
                    "content": [{"__class__": "str", "__module__": "builtins", "__loader__": "JsonNode",
                                 "is_json": True, "__id__": 990001, "content": json.dumps(code)}]}}
    kt = schema["content"].get("key_types", {}).get("content")
    if isinstance(kt, list) and kt:
        kt.append(kt[0])
    members["schema.json"] = json.dumps(schema).encode()
    with zipfile.ZipFile(model, "w") as w:
        for name, data in members.items():
            w.writestr(name, data)


def test_a_planted_builtins_exec_never_runs_and_classify_retrains(copy: tuple[str, Path], small_dataset: Path,
                                                                    tmp_path: Path) -> None:
    url, models = copy
    marker = tmp_path / "pwned"
    for name in (SUBSYSTEM, GFI):
        model, _ = _paths(models, name)
        _plant_exec(model, marker)
        _set_card(models, name, sha256=persist._sha256(model))
    with pytest.raises(persist.ModelFileError, match=r"does not trust: builtins\.exec|never writes"):
        load_models(models, REPO)
    assert not marker.exists()
    now = parse_utc(json.loads((small_dataset / "meta.json").read_text())["now"])
    eng = make_engine(url)
    with session_scope(eng) as s:
        summary = classify(s, RepoContext.of(load_watch_config(), REPO), now, models)
    eng.dispose()
    assert not marker.exists()
    assert summary.retrained and "subsystem.skops" in summary.retrained
    load_models(models, REPO)  # retrained files load again


def test_a_trusted_type_behind_a_reduce_node_is_refused(copy: tuple[str, Path]) -> None:
    """The loader kind is checked too: a reduce node calls what it names, even a listed type."""
    _, models = copy
    model, _ = _paths(models, GFI)
    with zipfile.ZipFile(model) as z:
        members = {n: z.read(n) for n in z.namelist()}
    schema = json.loads(members["schema.json"])
    schema["content"]["content"]["_x"] = {"__class__": "dict", "__module__": "builtins",
                                          "__loader__": "ReduceNode", "__id__": 990010, "content": {}}
    members["schema.json"] = json.dumps(schema).encode()
    with zipfile.ZipFile(model, "w") as w:
        for n, data in members.items():
            w.writestr(n, data)
    _set_card(models, GFI, sha256=persist._sha256(model))
    with pytest.raises(persist.ModelFileError, match="loaders oss-scout never writes: ReduceNode"):
        load_models(models, REPO)


def test_the_trained_files_hold_only_allow_listed_types(trained: tuple[Path, Path]) -> None:
    """TRUSTED_TYPES lists what our models are made of: a new estimator class fails here until it is added."""
    _, models = trained
    files = sorted(models.rglob("*.skops"))
    assert {f.stem for f in files} == {SUBSYSTEM, GFI}
    for f in files:
        assert set(sio.get_untrusted_types(file=f)) <= persist.TRUSTED_TYPES, f
        assert persist.file_types(f) <= persist.TRUSTED_TYPES, f
        assert {t for t in persist.file_types(f) if t.startswith("sklearn.")}, f  # the walk sees the estimators


def test_missing_card_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(persist.ModelFileError, match="run `scout train`"):
        load_models(tmp_path, REPO)


def test_classify_retrains_on_a_bad_file(copy: tuple[str, Path], small_dataset: Path) -> None:
    url, models = copy
    model, _ = _paths(models, GFI)
    model.write_bytes(b"garbage")
    now = parse_utc(json.loads((small_dataset / "meta.json").read_text())["now"])
    eng = make_engine(url)
    with session_scope(eng) as s:
        summary = classify(s, RepoContext.of(load_watch_config(), REPO), now, models)
    assert summary.retrained and "do not match its card" in summary.retrained
    assert summary.stored["gfi_scores"] > 0
    load_models(models, REPO)  # the retrained files are valid again
    with session_scope(eng) as s:
        assert s.scalar(select(func.count()).select_from(GoodFirstIssueScore)) == summary.stored["gfi_scores"]
        assert s.scalar(select(func.count()).select_from(ModelVersion)) == 4  # two trainings recorded
    eng.dispose()


def test_cli_classify_with_a_bad_file_says_so_and_succeeds(copy: tuple[str, Path], small_dataset: Path) -> None:
    url, models = copy
    model, _ = _paths(models, SUBSYSTEM)
    model.write_bytes(b"PK\x03\x04 not really")
    now = json.loads((small_dataset / "meta.json").read_text())["now"]
    proc = run_scout("classify", env={"SCOUT_DATABASE_URL": url, "SCOUT_MODEL_DIR": str(models), "SCOUT_NOW": now})
    assert "retrained" in proc.stderr and "do not match its card" in proc.stderr
    assert "vllm-project/vllm:" in proc.stdout and "gfi scores" in proc.stdout
