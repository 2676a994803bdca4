"""`scout eval`: the JSON it prints, what the test slice hides, cross-validation without leakage,
the metric definitions, and the generated-data targets (train on one seed, test on another)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifiers import evaluate
from classifiers.experiment import evaluate_cv, evaluate_split, time_folds, write_slice
from config import load_watch_config
from tests.classifiers.crafted import Crafted, ago
from tests.helpers import run_scout

SECTIONS = {"gfi": {"roc_auc", "pr_auc", "precision_at_5", "n_pos", "n"},
            "subsystem": {"macro_f1", "micro_f1", "n"},
            "owners": {"precision_at_3", "ceiling", "subsystems"},
            "claims": {"f1", "n"}, "blocked": {"f1", "n"}}
TARGETS = {("gfi", "roc_auc"): 0.9, ("subsystem", "macro_f1"): 0.9, ("owners", "precision_at_3"): 0.9,
           ("claims", "f1"): 0.9, ("blocked", "f1"): 0.9}


def _check_shape(result: dict) -> None:
    result = {k: v for k, v in result.items() if k not in ("folds", "k")}
    assert set(result) <= set(SECTIONS)
    for section, keys in SECTIONS.items():
        if section in result:
            assert keys <= set(result[section]), section
            for k in keys:
                assert isinstance(result[section][k], int | float), (section, k)


# ------------------------------------------------------------------------------------ metrics


def test_metric_definitions() -> None:
    m = evaluate.ranking_metrics([1, 0, 1, 0, 0, 0], [0.9, 0.8, 0.7, 0.1, 0.2, 0.3])
    assert m["roc_auc"] == pytest.approx(7 / 8) and m["n_pos"] == 2 and m["n"] == 6
    assert m["precision_at_5"] == pytest.approx(2 / 5)
    f = evaluate.multilabel_f1([["a"], ["a", "b"], ["b"]], [["a"], ["a"], ["b", "c"]])
    assert f["macro_f1"] == pytest.approx((1.0 + 2 / 3) / 2)  # over the truth's classes a, b
    assert f["micro_f1"] == pytest.approx(2 * 3 / (2 * 3 + 1 + 1))  # c counts as a false positive
    o = evaluate.owners_precision({"x": ["a", "b", "c", "d"], "y": ["e"]}, {"x": ["a", "z", "c"], "y": ["e", "q", "r"]})
    assert o == {"precision_at_3": pytest.approx((2 / 3 + 1.0) / 2), "subsystems": 2}
    # The ceiling: x's truth has four people of whom two appear (2/3 reachable), y's one appears (1).
    assert evaluate.owners_ceiling({"x": ["a", "b", "c", "d"], "y": ["e"]}, {"x": ["a", "B"], "y": ["e"]}) == \
        pytest.approx((2 / 3 + 1.0) / 2)
    assert evaluate.owners_ceiling({"x": ["a"]}, {}) == 0.0
    s = evaluate.set_f1({1, 2}, {2, 3}, {1, 2, 3, 4})
    assert s["f1"] == pytest.approx(0.5) and s["n"] == 4


# ------------------------------------------------------------------------------------ slices


def _crafted(root: Path) -> Path:
    c = Crafted()
    c.labels = [{"id": 1, "name": "good first issue"}, {"id": 2, "name": "frontend"}, {"id": 3, "name": "bug"}]
    c.issue(1, "[Feature]: a flag", "u1", labels=("good first issue", "frontend", "bug"))
    c.issue(2, "[Bug]: crash", "u2", labels=("bug",))
    c.event(1, "maint", "labeled", ago(1), label="good first issue")
    c.event(1, "maint", "labeled", ago(1), label="bug")
    c.comment(1, "maint", "PRs welcome", ago(1))
    c.comment(2, "maint", "can you share logs?", ago(1))
    c.pull(3, "[Frontend] flag", "dev", ["vllm/entrypoints/llm.py"], body="Fixes #1")
    c.contents[".github/CODEOWNERS"] = "* @maint\n"
    c.truth = {"repo": "vllm-project/vllm", "hidden_labels": ["good first issue", "frontend"],
               "good_first_issue": [1], "not_good_first_issue": [2]}
    return c.write(root)


def test_test_slice_hides_labels_and_contents(tmp_path: Path) -> None:
    src = _crafted(tmp_path / "src")
    out = write_slice(src, tmp_path / "out", hidden=["Good First Issue", "frontend"])
    gh = out / "github" / "vllm-project__vllm"
    issues = {i["number"]: i for i in json.loads((gh / "issues.json").read_text())}
    assert [lb["name"] for lb in issues[1]["labels"]] == ["bug"]
    assert [lb["name"] for lb in json.loads((gh / "labels.json").read_text())] == ["bug"]
    events = json.loads((gh / "issue_events.json").read_text())
    assert [e["label"]["name"] for e in events] == ["bug"]
    assert not (gh / "contents").exists() and not (out / "truth.json").exists()


def test_cv_train_slice_drops_the_folds_threads(tmp_path: Path) -> None:
    src = _crafted(tmp_path / "src")
    out = write_slice(src, tmp_path / "out", drop_numbers={1})
    gh = out / "github" / "vllm-project__vllm"
    assert {i["number"] for i in json.loads((gh / "issues.json").read_text())} == {2, 3}
    assert all(not c["issue_url"].endswith("/1") for c in json.loads((gh / "issue_comments.json").read_text()))
    assert all(e["issue"]["number"] != 1 for e in json.loads((gh / "issue_events.json").read_text()))
    assert set(json.loads((gh / "pull_files.json").read_text())) == {"3"}  # PRs stay: their paths are public


def test_time_folds_train_on_the_past_and_test_on_the_future() -> None:
    created = {5: "2024-01-05", 1: "2024-01-03", 4: "2024-01-01", 2: "2024-01-02", 3: "2024-01-06",
               6: "2024-01-04", 7: "2024-01-07", 8: "2024-01-08"}
    folds = time_folds(created, 3)
    # eight items in creation order 4 2 1 6 5 3 7 8: the oldest two only train, then two per fold
    assert folds == [("2024-01-03", {1, 6}), ("2024-01-05", {5, 3}), ("2024-01-07", {7, 8})]
    for cut, fold in folds:
        assert all(created[n] >= cut for n in fold)
    with pytest.raises(Exception, match="at least 4 scored items"):
        time_folds({1: "a", 2: "b", 3: "c"}, 3)


def test_cv_train_slice_keeps_only_the_past(tmp_path: Path) -> None:
    c = Crafted()
    c.issue(1, "old", "u1", created=ago(30))
    c.issue(2, "new", "u2", created=ago(5))
    c.comment(1, "maint", "before the cut", ago(29))
    c.comment(1, "maint", "after the cut", ago(4))
    c.pull(3, "later PR", "dev", ["vllm/x.py"], created=ago(3))
    c.pull(4, "older PR", "dev", ["vllm/y.py"], created=ago(20))
    src = c.write(tmp_path / "src")
    cut = json.loads((src / "github" / "vllm-project__vllm" / "issues.json").read_text())
    cut_at = next(i["created_at"] for i in cut if i["number"] == 2)
    out = write_slice(src, tmp_path / "out", before=cut_at)
    gh = out / "github" / "vllm-project__vllm"
    assert {i["number"] for i in json.loads((gh / "issues.json").read_text())} == {1, 4}
    assert [x["body"] for x in json.loads((gh / "issue_comments.json").read_text())] == ["before the cut"]
    assert set(json.loads((gh / "pull_files.json").read_text())) == {"4"}
    assert json.loads((out / "meta.json").read_text())["now"] == cut_at


# ------------------------------------------------------------------------------------ runs


def test_eval_split_on_small_generated_data(small_dataset: Path, small_dataset_b: Path) -> None:
    """A `small` window holds ~50 scored issues, ~10 good first issues and a handful of reviews per
    subsystem (some owners do nothing visible in it), so its figures swing by ±0.1 between seeds:
    here only a floor below the targets; the vllm-week test below holds the targets themselves."""
    result = evaluate_split(small_dataset, small_dataset_b, load_watch_config())
    _check_shape(result)
    assert set(result) == set(SECTIONS)
    for (section, metric), goal in TARGETS.items():
        assert result[section][metric] >= goal - 0.15, (section, metric, result[section])


@pytest.mark.slow
def test_eval_meets_the_targets_on_vllm_week(tmp_path: Path) -> None:
    """Acceptance 04's setting: train on seed 21, test on seed 22 (`vllm-week`, the window a
    collection sees); every target must hold (about 10 s: two simulations and one evaluation)."""
    from sandbox.community import simulate

    watch = load_watch_config()
    simulate(tmp_path / "tr", seed=21, scale="vllm-week", watch=watch)
    simulate(tmp_path / "te", seed=22, scale="vllm-week", watch=watch)
    result = evaluate_split(tmp_path / "tr", tmp_path / "te", watch)
    for (section, metric), goal in TARGETS.items():
        assert result[section][metric] >= goal, (section, metric, result[section])


def test_cli_eval_prints_one_json_object(small_dataset: Path, small_dataset_b: Path) -> None:
    proc = run_scout("eval", "--train", str(small_dataset), "--test", str(small_dataset_b), "--json")
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    assert len(lines) == 1
    _check_shape(json.loads(lines[0]))


def test_cli_eval_cv_on_a_small_dataset(small_dataset: Path) -> None:
    from typer.testing import CliRunner

    from cli import app

    proc = CliRunner().invoke(app, ["eval", "--cv", "3", str(small_dataset), "--json"])
    assert proc.exit_code == 0, proc.output
    result = json.loads(proc.stdout)
    _check_shape(result)
    assert result["folds"] == "time"
    truth = json.loads((small_dataset / "truth.json").read_text())
    items = json.loads(next((small_dataset / "github").glob("*/issues.json")).read_text())
    plain = {i["number"] for i in items if "pull_request" not in i}
    scored = sorted((i["created_at"], i["number"]) for i in items
                    if i["number"] in plain or str(i["number"]) in truth.get("subsystem_of", {}))
    tested = {n for _, n in scored[len(scored) - 3 * (len(scored) // 4):]}  # the oldest quarter only trains
    assert result["gfi"]["n"] == len(tested & {*truth["good_first_issue"], *truth["not_good_first_issue"]})


def test_cv_sections_only_where_truth_has_answers(tmp_path: Path) -> None:
    c = Crafted()
    for n in range(1, 7):
        c.issue(n, f"[Feature]: flag {n}", f"u{n}", created=ago(60 - 10 * n), state="closed", closed=ago(1))
    c.truth = {"repo": "vllm-project/vllm", "hidden_labels": ["good first issue"],
               "good_first_issue": [4], "not_good_first_issue": [1, 2, 3, 5, 6]}
    result = evaluate_cv(c.write(tmp_path / "src"), 2, load_watch_config())
    assert result["folds"] == "time" and result["k"] == 2
    assert set(result) == {"folds", "k", "gfi"}  # no subsystem_of, owners, claimed or blocked in this truth
    assert result["gfi"]["n"] == 4 and result["gfi"]["n_pos"] == 1  # issues 1 and 2 only train


def test_cv_scores_claims_only_on_the_threads_the_truth_read(tmp_path: Path) -> None:
    """Real data labels claims on some threads only (`signals_labelled`): a claim the model finds on
    a thread nobody read is neither right nor wrong, so it is not scored."""
    c = Crafted()
    for n in range(1, 9):
        c.issue(n, f"[Feature]: flag {n}", f"u{n}", created=ago(80 - 8 * n))
    for n in (3, 4, 7, 8):  # all four are claimed in their threads
        c.comment(n, f"dev{n}", "I'd like to work on this, I'll open a PR soon.", ago(2))
    c.truth = {"repo": "vllm-project/vllm", "claimed": [3, 7], "signals_labelled": [3, 5, 7]}
    result = evaluate_cv(c.write(tmp_path / "src"), 2, load_watch_config())
    assert result["claims"]["n"] == 2  # 5 and 7 (3, the oldest, only trains); 4 and 8 were not read
    assert result["claims"]["f1"] == 1.0 and result["claims"]["precision"] == 1.0
    c.truth = {"repo": "vllm-project/vllm", "claimed": [3, 7]}  # no `signals_labelled`: every open issue counts
    unread = evaluate_cv(c.write(tmp_path / "src2"), 2, load_watch_config())
    assert unread["claims"]["precision"] < 1.0


def test_cli_eval_usage_errors(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cli import app
    from config.errors import DatasetError

    proc = CliRunner().invoke(app, ["eval", "--json"])
    assert proc.exit_code != 0 and "--cv K DATASET" in proc.output
    proc = CliRunner().invoke(app, ["eval", "--cv", "3", str(tmp_path / "missing"), "--json"])
    assert isinstance(proc.exception, DatasetError) and "no truth.json" in str(proc.exception)


def test_slices_keep_the_repos_label_rules_but_not_codeowners(tmp_path: Path) -> None:
    c = Crafted()
    c.issue(1, "x", "u1")
    c.contents[".github/CODEOWNERS"] = "* @maint\n"
    c.contents[".github/mergify.yml"] = "pull_request_rules: []\n"
    out = write_slice(c.write(tmp_path / "src"), tmp_path / "out")
    contents = out / "github" / "vllm-project__vllm" / "contents"
    assert sorted(p.relative_to(contents).as_posix() for p in contents.rglob("*") if p.is_file()) == [
        ".github/mergify.yml"
    ]


def test_cli_eval_by_project_adds_the_priors_leave_one_project_out_figures() -> None:
    from typer.testing import CliRunner

    from cli import app

    proc = CliRunner().invoke(app, ["eval", "--by-project", "--json"])
    assert proc.exit_code == 0, proc.output
    result = json.loads(proc.stdout)
    assert list(result) == ["by_project"] and result["by_project"]["folds"] == "project"
