"""The collectors' payload handling under hostile payloads: whatever an API (or a sandbox standing in
for one) returns, an upsert stores it or raises one `PayloadError` naming the object, never
anything else (a TypeError traceback, a database error, a huge message)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from storage import upsert
from storage.db import make_engine, upgrade
from storage.importer import import_dataset

MINI = Path(__file__).resolve().parents[1] / "data" / "mini_dataset"
REPO = MINI / "github" / "acme__engine"
REPO_ID = json.loads((REPO / "repo.json").read_text())["id"]

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10)
SAMPLES = {  # writer -> a real payload of its kind
    "issues": (lambda s, rid, p: upsert.upsert_issues(s, rid, p), json.loads((REPO / "issues.json").read_text())[0]),
    "pulls": (lambda s, rid, p: upsert.upsert_pulls(s, rid, p), json.loads((REPO / "pulls.json").read_text())[0]),
    "issue_comments": (
        lambda s, rid, p: upsert.upsert_issue_comments(s, rid, p),
        json.loads((REPO / "issue_comments.json").read_text())[0],
    ),
    "reviews": (lambda s, rid, p: upsert.upsert_reviews(s, rid, p), json.loads((REPO / "reviews.json").read_text())[0]),
    "review_comments": (
        lambda s, rid, p: upsert.upsert_review_comments(s, rid, p),
        json.loads((REPO / "review_comments.json").read_text())[0],
    ),
    "issue_events": (
        lambda s, rid, p: upsert.upsert_issue_events(s, rid, p),
        json.loads((REPO / "issue_events.json").read_text())[0],
    ),
    "labels": (lambda s, rid, p: upsert.upsert_labels(s, rid, p), json.loads((REPO / "labels.json").read_text())[0]),
    "messages": (
        lambda s, rid, p: upsert.upsert_messages(s, p, "acme/engine"),
        json.loads((MINI / "discord" / "messages.json").read_text())[0],
    ),
    "channels": (
        lambda s, rid, p: upsert.upsert_channels(s, p),
        json.loads((MINI / "discord" / "channels.json").read_text())[0],
    ),
}


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    eng = make_engine(f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'db.sqlite'}")
    upgrade(eng)
    import_dataset(eng, MINI)
    yield eng
    eng.dispose()


def _path_strategy(sample: dict[str, Any]) -> st.SearchStrategy[tuple[str, ...]]:
    """A field of the sample, or a field of one of its nested objects (user, issue, author, ...)."""
    top = [(k,) for k in sample]
    nested = [(k, n) for k, v in sample.items() if isinstance(v, dict) for n in v]
    return st.sampled_from(top + nested) | st.tuples(st.text(min_size=1, max_size=6))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), kind=st.sampled_from(sorted(SAMPLES)))
def test_any_field_any_value_is_stored_or_one_payload_error(stored: Engine, data: st.DataObject, kind: str) -> None:
    write, sample = SAMPLES[kind]
    payload = json.loads(json.dumps(sample))
    path = data.draw(_path_strategy(sample))
    value = data.draw(JSON)
    target = payload
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with Session(stored) as s, s.begin():
        try:
            write(s, REPO_ID, [payload])
        except upsert.PayloadError as exc:
            assert "\n" not in str(exc) and len(str(exc)) < 300
        finally:
            s.rollback()


@given(value=JSON)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_payload_that_is_not_an_object_is_refused(stored: Engine, value: Any) -> None:
    with Session(stored) as s, s.begin():
        if isinstance(value, dict):
            return
        with pytest.raises(upsert.PayloadError, match="expected a JSON object"):
            upsert.upsert_issues(s, REPO_ID, [value])
        s.rollback()


def test_a_label_made_again_with_a_new_id_replaces_the_old_one(stored: Engine) -> None:
    """GitHub gives a deleted and re-created label a new id: the name's old row goes, nothing breaks."""
    from sqlalchemy import select

    from storage.models import Label

    with Session(stored) as s, s.begin():
        old = s.scalars(select(Label).where(Label.repo_id == REPO_ID)).first()
        assert old is not None
        upsert.upsert_labels(s, REPO_ID, [{"id": 990001, "name": old.name, "color": "ffffff", "description": None}])
        assert [lb.id for lb in s.scalars(select(Label).where(Label.name == old.name))] == [990001]
        s.rollback()
