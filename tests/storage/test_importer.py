"""`scout import`: exact counts, idempotent, all-or-nothing on a corrupt file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from config.errors import DatasetError
from storage.db import session_scope
from storage.importer import import_dataset
from storage.models import Issue, IssueComment, PullFile, PullRequest, Review, ReviewComment, User
from storage.queries import stored_counts

CORPUS = Path(__file__).resolve().parents[1] / "data" / "mini_dataset"


def _counts(engine) -> dict:
    with session_scope(engine) as s:
        return stored_counts(s)


def _expected(d: Path) -> dict:
    repo = d / "github" / "acme__engine"
    load = lambda n: json.loads((repo / n).read_text())  # noqa: E731
    issues = load("issues.json")
    return {
        "issues": sum(1 for i in issues if "pull_request" not in i),
        "pulls": len(load("pulls.json")),
        "issue_comments": len(load("issue_comments.json")),
        "reviews": len(load("reviews.json")),
        "review_comments": len(load("review_comments.json")),
        "issue_events": len(load("issue_events.json")),
    }


def test_import_twice_stores_each_object_once(engine) -> None:
    import_dataset(engine, CORPUS)
    first = _counts(engine)
    import_dataset(engine, CORPUS)
    assert _counts(engine) == first
    assert first["repos"]["acme/engine"] == _expected(CORPUS)
    assert first["discord"] == {"channels": 3, "messages": 4}


def test_import_keeps_exact_fields(engine) -> None:
    import_dataset(engine, CORPUS)
    with session_scope(engine) as s:
        issue = s.scalars(select(Issue).where(Issue.number == 1)).one()
        assert issue.title == "[Bug]: crash when @everyone is in the prompt"
        assert issue.labels == ["bug", "good first issue"]
        assert issue.created_at.isoformat() == "2026-11-20T10:00:00+00:00"
        assert s.get(User, issue.user_id).login == "newbie"
        pr = s.scalars(select(PullRequest).where(PullRequest.number == 2)).one()
        assert pr.merged_at is not None and pr.requested_reviewers == ["maint-a"]
        assert s.scalars(select(PullFile.filename).where(PullFile.pull_number == 2)).all() == [
            "vllm/entrypoints/openai/api_server.py"]
        assert s.scalar(select(func.count()).select_from(Review)) == 1
        rc = s.scalars(select(ReviewComment)).one()
        assert (rc.pull_number, rc.path, rc.review_id) == (2, "vllm/entrypoints/openai/api_server.py", 501)
        c = s.scalars(select(IssueComment).order_by(IssueComment.id)).first()
        assert c.issue_number == 1


@pytest.mark.parametrize(
    ("fname", "mutate", "expect"),
    [
        ("issue_comments.json", lambda t: t[: len(t) // 2], "issue_comments.json: not valid JSON"),
        (
            "issues.json",
            lambda t: t.replace('"number": 1,', '"number": "one",', 1),
            "issue 1001: number: expected an integer",
        ),
        (
            "reviews.json",
            lambda t: t.replace('"state": "APPROVED"', '"state": 5', 1),
            "review 501: state: expected a string",
        ),
    ],
)
def test_corrupt_file_names_file_and_object_and_changes_nothing(engine, tmp_path: Path, fname, mutate, expect) -> None:
    import_dataset(engine, CORPUS)
    before = _counts(engine)
    bad = tmp_path / "bad"
    shutil.copytree(CORPUS, bad)
    # a new object that must NOT land when a later file is corrupt
    issues = json.loads((bad / "github/acme__engine/issues.json").read_text())
    extra = dict(issues[0], id=9999, number=99, title="new")
    (bad / "github/acme__engine/issues.json").write_text(json.dumps([*issues, extra], indent=1))
    target = bad / "github/acme__engine" / fname
    target.write_text(mutate(target.read_text()))
    with pytest.raises(DatasetError) as err:
        import_dataset(engine, bad)
    assert fname in str(err.value) and expect.split(": ", 1)[-1] in str(err.value)
    assert _counts(engine) == before
