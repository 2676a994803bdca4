"""Upsert semantics the collectors rely on: newest payload wins, nothing learnt is lost."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from storage import upsert
from storage.db import session_scope
from storage.models import IssueEvent, Label, MessageIssueLink, PullFile, PullRequest, User

MINI = Path(__file__).resolve().parents[1] / "data" / "mini_dataset"
REPO = MINI / "github" / "acme__engine"


def _load(name: str):
    return json.loads((REPO / name).read_text())


@pytest.fixture
def repo_id(engine) -> int:
    with session_scope(engine) as s:
        return upsert.upsert_repo(s, json.loads((REPO / "repo.json").read_text()))


def test_updated_payload_replaces_fields_but_list_payload_keeps_merged_by(engine, repo_id) -> None:
    pull = _load("pulls.json")[0]
    full = copy.deepcopy(pull)
    full["merged_by"] = pull["requested_reviewers"][0]
    with session_scope(engine) as s:
        upsert.upsert_pulls(s, repo_id, [full])
    newer = copy.deepcopy(pull)
    newer["title"] = "[Frontend] fix crash (v2)"
    with session_scope(engine) as s:
        upsert.upsert_pulls(s, repo_id, [newer])  # a list payload: no merged_by key
    with session_scope(engine) as s:
        pr = s.scalars(select(PullRequest)).one()
        assert pr.title == "[Frontend] fix crash (v2)"
        assert s.get(User, pr.merged_by_id).login == "maint-a"


def test_pull_files_are_replaced_per_pull(engine, repo_id) -> None:
    files = _load("pull_files.json")
    with session_scope(engine) as s:
        upsert.upsert_pull_files(s, repo_id, {"2": [*files["2"], {**files["2"][0], "filename": "docs/a.md"}]})
    with session_scope(engine) as s:
        upsert.upsert_pull_files(s, repo_id, files)
    with session_scope(engine) as s:
        assert s.scalars(select(PullFile.filename)).all() == ["vllm/entrypoints/openai/api_server.py"]


def test_labels_replace_drops_deleted_labels(engine, repo_id) -> None:
    labels = _load("labels.json")
    with session_scope(engine) as s:
        upsert.upsert_labels(s, repo_id, labels)
    with session_scope(engine) as s:
        upsert.upsert_labels(s, repo_id, labels[:2], replace=True)
    with session_scope(engine) as s:
        assert sorted(s.scalars(select(Label.name))) == ["bug", "good first issue"]


def test_events_keep_label_and_actor(engine, repo_id) -> None:
    with session_scope(engine) as s:
        upsert.upsert_issue_events(s, repo_id, _load("issue_events.json"))
    with session_scope(engine) as s:
        ev = s.get(IssueEvent, 701)
        assert (ev.event, ev.label, ev.issue_number) == ("labeled", "good first issue", 1)
        assert s.get(User, ev.actor_id).login == "maint-a"


def test_messages_link_issue_numbers_and_urls(engine, repo_id) -> None:
    d = MINI / "discord"
    with session_scope(engine) as s:
        gid = upsert.upsert_guild(s, json.loads((d / "guild.json").read_text()))
        upsert.upsert_channels(s, json.loads((d / "channels.json").read_text()), gid)
        upsert.upsert_messages(s, json.loads((d / "messages.json").read_text()), "acme/engine")
    with session_scope(engine) as s:
        links = s.execute(select(MessageIssueLink.message_id, MessageIssueLink.issue_number, MessageIssueLink.kind)
                          .order_by(MessageIssueLink.message_id)).all()
    assert links == [(930000000000000001, 1, "number"), (930000000000000002, 2, "url")]


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda c: c.pop("issue_url"), "issue comment 301: missing field 'issue_url'"),
    (lambda c: c.update(created_at=12), "issue comment 301: expected an ISO 8601 time string"),
    (lambda c: c.update(issue_url="https://api.github.com/repos/acme/engine/issues/x"), "no issue/pull number"),
    (lambda c: c.update(user="someone"), "user: expected an object or null"),
])
def test_malformed_payload_names_the_object(engine, repo_id, mutate, message) -> None:
    comments = _load("issue_comments.json")
    mutate(comments[0])
    with pytest.raises(upsert.PayloadError, match=message.replace("(", r"\(")), session_scope(engine) as s:
        upsert.upsert_issue_comments(s, repo_id, comments)
