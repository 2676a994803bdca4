"""`scout import` on hostile datasets: every bad file gives one line naming the file and the object,
stores nothing, and never follows a symlink out of the dataset or grows without bound."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from config.errors import DatasetError
from storage.db import make_engine, session_scope, upgrade
from storage.importer import import_dataset
from storage.models import Base, Issue, RepoFile
from tests.helpers import run_scout

CORPUS = Path(__file__).resolve().parents[1] / "data" / "mini_dataset"
REPO = Path("github/acme__engine")


def _rows(engine: Engine) -> dict[str, int]:
    """Rows in every table of ours: an import that fails must leave all of them as they were."""
    with session_scope(engine) as s:
        return {t.name: s.scalar(select(func.count()).select_from(t)) or 0 for t in Base.metadata.sorted_tables}


def _load(path: Path) -> Any:
    return json.loads(path.read_text())


def _edit(path: Path, change: Callable[[Any], Any]) -> None:
    path.write_text(json.dumps(change(_load(path))))


@pytest.fixture
def data(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    shutil.copytree(CORPUS, d)
    return d


def _first_issue(change: Callable[[dict[str, Any]], None]) -> Callable[[list[dict[str, Any]]], list[dict[str, Any]]]:
    def edit(issues: list[dict[str, Any]]) -> list[dict[str, Any]]:
        change(issues[0])
        return issues
    return edit


def _bad_now(d: Path) -> None:
    _edit(d / "meta.json", lambda m: {**m, "now": "yesterday"})


def _now_not_text(d: Path) -> None:
    _edit(d / "meta.json", lambda m: {**m, "now": 20261127})


def _null_login(d: Path) -> None:
    _edit(d / REPO / "issues.json", _first_issue(lambda i: i["user"].update(login=None)))


def _pull_files_key(d: Path) -> None:
    _edit(d / REPO / "pull_files.json", lambda f: {"two": f["2"]})


def _folder_as_file(d: Path) -> None:
    (d / REPO / "issues.json").unlink()
    (d / REPO / "issues.json").mkdir()


def _device_as_file(d: Path) -> None:
    (d / REPO / "issues.json").unlink()
    (d / REPO / "issues.json").symlink_to("/dev/zero")


def _duplicate_number(d: Path) -> None:
    _edit(d / REPO / "issues.json", lambda issues: [*issues, dict(issues[0], id=9999, title="a second #1")])


def _unknown_channel(d: Path) -> None:
    def edit(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        messages[-1]["channel_id"] = "919999999999999999"
        return messages
    _edit(d / "discord/messages.json", edit)


def _deep(d: Path) -> None:
    (d / REPO / "issues.json").write_text("[" * 200_000 + "]" * 200_000)


def _deep_repo(d: Path) -> None:
    (d / REPO / "repo.json").write_text('{"a":' * 50_000 + "1" + "}" * 50_000)


def _huge_string(d: Path) -> None:
    _edit(d / REPO / "issue_comments.json", lambda cs: [dict(cs[0], body="x" * 1_500_000), *cs[1:]])


def _huge_id(d: Path) -> None:
    _edit(d / REPO / "issues.json", _first_issue(lambda i: i.update(id=2**70)))


def _huge_snowflake(d: Path) -> None:
    _edit(d / "discord/messages.json", lambda ms: [dict(ms[0], id="9" * 30), *ms[1:]])


def _trailing(d: Path) -> None:
    p = d / REPO / "reviews.json"
    p.write_text(p.read_text() + "[]")


def _list_as_meta(d: Path) -> None:
    (d / "meta.json").write_text("[1, 2]")


def _label_clash(d: Path) -> None:
    _edit(d / REPO / "labels.json", lambda ls: [*ls, dict(ls[0], id=777777)])


# (what, how to spoil the dataset, the file named, the object/cause named)
CASES = [
    ("bad now", _bad_now, "meta.json", "now: expected an ISO 8601 time"),
    ("now not text", _now_not_text, "meta.json", "now: expected an ISO 8601 time"),
    ("null login", _null_login, "issues.json", "issue 1001: user: user.login: expected a string, got None"),
    ("non-integer pull_files key", _pull_files_key, "pull_files.json", "pull files key 'two': expected a pull number"),
    ("a folder as a file", _folder_as_file, "issues.json", "is a folder, expected a JSON file"),
    ("a device as a file", _device_as_file, "issues.json", "not a regular file"),
    ("duplicate number, other id", _duplicate_number, "issues.json", "issue 9999: number 1 is also issue 1001's"),
    ("message in an unknown channel", _unknown_channel, "messages.json",
     "channel 919999999999999999 is not a known channel"),
    ("nested 200,000 deep", _deep, "issues.json", "item #0: nested deeper than 32 levels"),
    ("repo.json nested 50,000 deep", _deep_repo, "repo.json", "nested deeper than 32 levels"),
    ("a 1.5 MB string", _huge_string, "issue_comments.json", "item #0: a string of 1500000 characters"),
    ("an id past BIGINT", _huge_id, "issues.json", "item #0: not valid JSON (parse error: integer overflow"),
    ("a snowflake past BIGINT", _huge_snowflake, "messages.json", "id: expected a snowflake"),
    ("data after the list", _trailing, "reviews.json", "not valid JSON"),
    ("meta.json a list", _list_as_meta, "meta.json", "expected a JSON object"),
    ("a label name twice", _label_clash, "labels.json", "label 777777: name 'bug' is also label 11's"),
]


@pytest.mark.parametrize(("spoil", "fname", "cause"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_bad_file_is_one_line_naming_file_and_object_and_stores_nothing(
        engine: Engine, data: Path, spoil: Callable[[Path], None], fname: str, cause: str) -> None:
    empty = _rows(engine)
    spoil(data)
    started = time.perf_counter()
    with pytest.raises(DatasetError) as err:
        import_dataset(engine, data)
    message = str(err.value)
    assert "\n" not in message and len(message) < 400
    assert fname in message and cause in message, message
    assert time.perf_counter() - started < 10  # refused at the first excess, not after building it
    assert _rows(engine) == empty


def test_the_cli_refuses_a_deep_file_with_one_line(data: Path, tmp_path: Path) -> None:
    _deep(data)
    env = {"SCOUT_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "COLUMNS": "500"}  # no wrapping of the line
    proc = run_scout("import", str(data), env=env, check=False, timeout=60)
    assert proc.returncode == 1
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "issues.json" in lines[0] and "nested deeper than 32 levels" in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_a_leading_bom_is_read_as_the_same_json(engine: Engine, data: Path) -> None:
    for f in (data / "meta.json", data / REPO / "issues.json", data / REPO / "pull_files.json"):
        f.write_bytes(b"\xef\xbb\xbf" + f.read_bytes())
    import_dataset(engine, data)
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Issue)) == len(_load(CORPUS / REPO / "issues.json"))


def test_symlinks_and_special_files_in_contents_are_never_followed(engine: Engine, data: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:the machine's own file\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "inner.txt").write_text("also not the repository's\n")
    contents = data / REPO / "contents"
    (contents / "docs").mkdir(parents=True, exist_ok=True)
    (contents / "docs" / "README.md").write_text("# real file\n")
    (contents / "passwd").symlink_to(secret)
    (contents / "docs" / "linked").symlink_to(outside)
    os.mkfifo(contents / "fifo")  # reading a FIFO would block the import forever
    (contents / "big.bin").write_text("x" * (1 << 20 + 1))
    import_dataset(engine, data)
    with session_scope(engine) as s:
        stored = dict(s.execute(select(RepoFile.path, RepoFile.content)).all())
    assert "docs/README.md" in stored
    assert not {"passwd", "docs/linked/inner.txt", "fifo", "big.bin"} & set(stored)
    assert not any("machine's own" in text or "not the repository's" in text for text in stored.values())


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
                    | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=12)
FILES = ["issues.json", "pulls.json", "issue_comments.json", "reviews.json", "review_comments.json",
         "issue_events.json", "labels.json"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fname=st.sampled_from(FILES), field=st.text(min_size=1, max_size=12) | st.sampled_from(
    ["id", "number", "user", "title", "created_at", "labels", "issue_url", "pull_request_url", "issue", "state"]),
    value=JSON)
def test_any_value_in_any_field_is_stored_or_refused_cleanly(
    tmp_path: Path, fname: str, field: str, value: Any
) -> None:
    """Whatever a field holds, the import either succeeds or raises one DatasetError and stores nothing."""
    d = tmp_path / "h"
    if d.exists():
        shutil.rmtree(d)
    shutil.copytree(CORPUS, d)
    objs = _load(d / REPO / fname)
    objs[0][field] = value
    (d / REPO / fname).write_text(json.dumps(objs))
    eng = make_engine(f"sqlite:///{d / 'db.sqlite'}")
    upgrade(eng)
    empty = _rows(eng)
    try:
        import_dataset(eng, d)
    except DatasetError as exc:
        assert fname in str(exc) and "\n" not in str(exc)
        assert _rows(eng) == empty
    finally:
        eng.dispose()
