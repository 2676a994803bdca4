"""The shipped prior: it answers with no repo history, loads only the types it lists, its card and
manifest agree with each other and with the file, and it holds no text of anyone's issues."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import zipfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import skops.io as sio

from classifiers.prior import NUMERIC, IssueThread, is_target_label, load_prior, prior_probability, thread_features
from classifiers.prior import model as pm
from classifiers.prior.corpus import from_github_issue, from_record, split_labels
from classifiers.prior.features import strip_forms

TYPO = IssueThread(
    title="Typo in the README install section",
    body="The README says `pip instal` instead of `pip install`. Small fix, happy to send a PR.",
    labels=("documentation",), created_at=datetime(2026, 1, 5, tzinfo=UTC))
CRASH = IssueThread(
    title="[Bug]: engine crashes with CUDA illegal memory access under load",
    body=("### Your current environment\n```text\nCollecting environment information...\nPyTorch version: 2.5.1\n"
          "CUDA used to build PyTorch: 12.4\n```\n### Describe the bug\nAfter ~2h of serving, the worker dies:\n"
          "```\nTraceback (most recent call last):\n  File \"/x/worker.py\", line 88, in run\n"
          "RuntimeError: CUDA error: an illegal memory access was encountered\n```\n"
          "### Before submitting a new issue...\n- [x] Make sure you already searched for relevant issues\n"),
    labels=("bug",), created_at=datetime(2026, 1, 5, tzinfo=UTC))


def test_prior_answers_with_no_repo_history() -> None:
    model = load_prior()
    assert model is not None, "a prior ships in classifiers/prior/data"
    p = model.predict_proba(thread_features([TYPO, CRASH]))[:, 1]
    assert p.shape == (2,) and np.all((p > 0) & (p < 1))
    assert p[0] > p[1], f"a scoped docs fix must rank above a CUDA crash report, got {p}"
    assert np.allclose(prior_probability([TYPO, CRASH]), p)
    assert prior_probability([]).shape == (0,)


def test_skops_file_holds_only_the_listed_types() -> None:
    untrusted = sio.get_untrusted_types(file=pm.PRIOR_PATH)
    assert set(untrusted) <= set(pm.TRUSTED_TYPES)
    # Every type in the file is named in the allow-list, not only those skops distrusts by default.
    with zipfile.ZipFile(pm.PRIOR_PATH) as z:
        schema = json.loads(z.read("schema.json"))
    seen: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "__class__" in node and "__module__" in node:
                seen.add(f"{node['__module__']}.{node['__class__']}")
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(schema)
    builtin_values = {"builtins.str", "builtins.int", "builtins.float", "builtins.bool", "builtins.dict",
                      "builtins.list", "builtins.tuple", "builtins.NoneType", "builtins.type"}
    assert seen - builtin_values <= set(pm.TRUSTED_TYPES), seen - builtin_values - set(pm.TRUSTED_TYPES)


def test_a_file_that_does_not_match_its_card_is_refused(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    shutil.copy(pm.PRIOR_PATH, tmp_path / "prior.skops")
    card = json.loads(pm.CARD_PATH.read_text())
    (tmp_path / "card.json").write_text(json.dumps({**card, "sha256": "0" * 64}))
    with caplog.at_level(logging.WARNING):
        assert load_prior(tmp_path / "prior.skops") is None
    assert "does not match its card" in caplog.text
    assert load_prior(tmp_path / "missing.skops") is None


def test_a_file_with_a_foreign_type_is_refused(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.tree import DecisionTreeClassifier  # noqa: F401 - a type outside the allow-list

    forest = RandomForestClassifier(n_estimators=2).fit(np.eye(4), [0, 1, 0, 1])
    sio.dump(forest, tmp_path / "prior.skops")
    with caplog.at_level(logging.WARNING):
        assert load_prior(tmp_path / "prior.skops") is None
    assert "Untrusted types" in caplog.text or "untrusted" in caplog.text.lower()


def _manifest() -> list[dict[str, Any]]:
    return [json.loads(line) for line in pm.MANIFEST_PATH.read_text().splitlines() if line.strip()]


def test_card_and_manifest_agree() -> None:
    card = json.loads(pm.CARD_PATH.read_text())
    rows = _manifest()
    assert card["sha256"] == hashlib.sha256(pm.PRIOR_PATH.read_bytes()).hexdigest()
    assert card["examples"] == len(rows) == len({r["url"] for r in rows})
    assert card["positives"] == sum(r["positive"] for r in rows)
    assert card["negatives"] == sum(not r["positive"] for r in rows)
    per: dict[str, Counter[str]] = {}
    for r in rows:
        per.setdefault(r["repo"], Counter())["positives" if r["positive"] else "negatives"] += 1
        # A manifest row says where an issue is and how it was labelled, never what it says.
        assert set(r) == {"url", "repo", "number", "state", "labels", "positive", "target_label", "created",
                          "labelled", "text"}
        assert r["text"] in {"api", "excerpt", "summary"}
        assert r["url"] == f"https://github.com/{r['repo']}/issues/{r['number']}"
        assert r["repo"].split("/")[0].lower() not in {"vllm-project", "sgl-project"}
        assert (r["target_label"] != "") == r["positive"]
        if r["positive"]:
            assert is_target_label(r["target_label"]) and r["target_label"] in r["labels"]
        else:
            assert not any(is_target_label(x) for x in r["labels"])
    assert card["per_project_counts"] == {k: {"positives": v["positives"], "negatives": v["negatives"]}
                                          for k, v in per.items()}
    assert card["projects"] == len(per) >= 20
    assert card["target_labels"] == dict(Counter(r["target_label"] for r in rows if r["positive"]))
    assert card["text_sources"] == dict(Counter(r["text"] for r in rows))
    dates = sorted(r["created"] for r in rows if r["created"])
    assert card["created"] == {"first": dates[0], "last": dates[-1]}
    figures = card["by_project"]
    assert figures["folds"] == "project" and figures["pooled"]["n"] == len(rows)
    assert 0.5 < figures["pooled"]["roc_auc"] <= 1.0


def test_the_model_stores_no_text() -> None:
    """Hashed features keep no vocabulary; the only strings in the file are parameter values."""
    model = load_prior()
    assert model is not None
    for est in [model, *model.named_steps.values()]:
        assert not hasattr(est, "vocabulary_") and not hasattr(est, "stop_words_")
    with zipfile.ZipFile(pm.PRIOR_PATH) as z:
        schema = z.read("schema.json").decode()
        assert all(name == "schema.json" or name.endswith(".npy") for name in z.namelist())
    strings: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("__class__") == "str" and isinstance(node.get("content"), str):
                strings.append(node["content"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(json.loads(schema))
    assert strings and max(len(s) for s in strings) <= 40, [s for s in strings if len(s) > 40]
    manifest_words = {r["url"] for r in _manifest()}
    assert not any(s in manifest_words for s in strings)


def test_target_labels_are_recognised_and_never_features() -> None:
    for yes in ("good first issue", "Good First Issue", "good-first-issue", "help wanted", "E-easy", "beginner",
                "starter", "first-timers-only", "low-hanging fruit", "Meta::GoodFirstIssue", "up-for-grabs",
                "difficulty: easy", "🐤 good first issue", "reserved-for-beginners"):
        assert is_target_label(yes), yes
    for no in ("bug", "documentation", "uneasy", "enhancement", "performance", "rocm"):
        assert not is_target_label(no), no
    assert split_labels(["bug", "good first issue", "help wanted"]) == (("bug",), "good first issue")
    with_target = IssueThread(title="x", labels=("bug", "good first issue"))
    without = IssueThread(title="x", labels=("bug",))
    assert (thread_features([with_target]) == thread_features([without])).all()


def test_issue_forms_and_machine_output_are_not_words() -> None:
    body = ("### Describe the feature\nAdd a --json flag.\n### Environment\nOS: Ubuntu 22.04\nPython: 3.12\n"
            "### Checklist\n- [x] I have searched existing issues\n_No response_\n")
    kept = strip_forms(body)
    assert "Add a --json flag." in kept and "Ubuntu" not in kept and "searched" not in kept
    row = thread_features([CRASH])[0]
    doc, numbers = row[0], dict(zip(NUMERIC, row[1:], strict=True))
    assert "pytorch version" not in doc and "traceback" not in doc and "already searched" not in doc
    assert numbers["has_traceback"] == 1.0 and numbers["has_env"] == 1.0
    assert numbers["reporter_known"] == 0.0 and numbers["engagement_known"] == 0.0


def test_examples_from_records_and_api_objects() -> None:
    rec = {"url": "https://github.com/o/r/issues/7", "state": "closed", "labels": ["docs", "good first issue"],
           "created": "2021-03-04", "comments": 5, "title": "t", "desc": "d"}
    ex = from_record(rec)
    assert ex is not None and ex.positive and ex.target_label == "good first issue" and ex.text == "summary"
    excerpt = from_record({**rec, "source": "search-excerpt"})
    assert excerpt is not None and excerpt.text == "excerpt"
    assert ex.thread.labels == ("docs",) and ex.thread.n_comments is None and ex.thread.repo == "o/r"
    assert from_record({**rec, "url": "https://github.com/vllm-project/vllm/issues/7"}) is None
    assert from_record({**rec, "url": "https://github.com/o/r/pull/7"}) is None
    issue = {"number": 3, "title": "t", "body": None, "labels": [{"name": "bug"}], "state": "closed",
             "created_at": "2024-01-01T00:00:00Z", "author_association": "MEMBER"}
    api = from_github_issue(issue, "o/r", prior_issues=2)
    assert api is not None and not api.positive and api.thread.author_association == "MEMBER"
    assert api.thread.author_prior_issues == 2 and api.thread.body == "" and api.text == "api"
    assert from_github_issue({**issue, "pull_request": {"url": "x"}}, "o/r") is None


def test_an_open_unlabelled_issue_is_no_example_from_either_source() -> None:
    """"Not a good first issue" is only known once an issue closed without the label; records and the
    API builder keep the same rule, so a prior rebuilt from the manifest's projects learns the same thing."""
    from classifiers.prior.corpus import answer_known

    rec = {"url": "https://github.com/o/r/issues/9", "state": "open", "labels": ["bug"], "title": "t", "desc": ""}
    assert from_record(rec) is None
    assert from_record({**rec, "state": "closed"}) is not None
    opened = from_record({**rec, "labels": ["bug", "help wanted"]})
    assert opened is not None and opened.positive and opened.state == "open"
    assert [answer_known(s, p) for s, p in [("open", False), ("OPEN", True), ("closed", False), ("", False)]] == [
        False, True, True, False]


def test_bad_records_are_skipped_with_one_line_each(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from classifiers.prior.build import read_records

    good = {"url": "https://github.com/o/r/issues/1", "state": "closed", "labels": ["good first issue"],
            "created": "2024-01-02", "title": "Add a flag", "desc": "small"}
    lines = [json.dumps(good), "{not json", json.dumps({**good, "url": "https://github.com/o/r/pull/2"}),
             json.dumps({**good, "url": "https://github.com/sgl-project/sglang/issues/3"}), json.dumps(good), "",
             json.dumps([1, 2])]
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(lines) + "\n")
    with caplog.at_level(logging.WARNING):
        examples = read_records(path)
    assert [ex.thread.url for ex in examples] == ["https://github.com/o/r/issues/1"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2 and all("skipped, not a record" in w for w in warnings)
    assert warnings[0].startswith(f"{path}:2:") and warnings[1].startswith(f"{path}:7:")


def test_too_few_examples_say_what_is_missing(tmp_path: Path) -> None:
    from tests.helpers import run_scout

    rec = {"url": "https://github.com/o/r/issues/1", "state": "closed", "labels": [], "title": "t", "desc": ""}
    path = tmp_path / "records.jsonl"
    path.write_text(json.dumps(rec) + "\n")
    proc = run_scout("prior", "build", "--records", str(path), "--out", str(tmp_path / "out"), check=False)
    assert proc.returncode != 0
    assert "too few examples for a prior: 0 positives, 1 negatives from 1 projects" in " ".join(proc.stderr.split())
    assert not (tmp_path / "out").exists()
