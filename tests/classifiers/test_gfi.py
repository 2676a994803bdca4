"""Good-first-issue scoring: training examples, the documented prior with too few positives,
reasons, and the messy-text extractors it reads."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from classifiers import features as fx
from classifiers import gfi, ownership
from classifiers.classify import classify
from classifiers.signals import read_threads
from classifiers.train import RepoContext, load, load_models
from config import load_watch_config
from storage.db import session_scope
from storage.importer import import_dataset
from storage.models import GoodFirstIssueScore, ModelVersion
from tests.classifiers.crafted import NOW, REPO, Crafted, ago

BUG = """### Your current environment

<details>
<summary>The output of <code>python collect_env.py</code></summary>

```text
Collecting environment information...
PyTorch version: 2.5.1+cu124
Is CUDA available: True
```
</details>

### 🐛 Describe the bug

Serving crashes with tensor parallel 2 (见下方日志).

```
Traceback (most recent call last):
  File "/usr/lib/python3.12/site-packages/vllm/v1/engine/core.py", line 10, in run
RuntimeError: CUDA error: an illegal memory access was encountered
```
INFO 11-20 10:00:01 [core.py:10] engine started
INFO 11-20 10:00:02 [core.py:11] engine stopped

See https://github.com/vllm-project/vllm/blob/main/vllm/entrypoints/llm.py#L10 ![shot](https://x/y.png)

### Before submitting a new issue...

- [x] Make sure you already searched for relevant issues, and asked the chatbot living at the bottom right corner.
"""


def test_clean_body_takes_a_template_apart() -> None:
    c = fx.clean_body(BUG)
    assert c.has_env and c.has_traceback and c.has_log
    assert c.n_code_blocks == 2 and c.n_images == 1 and c.n_urls == 1  # the image is not a link
    assert "Serving crashes with tensor parallel 2" in c.prose
    assert "PyTorch version" not in c.prose and "Traceback" not in c.prose and "chatbot" not in c.prose
    assert "engine started" not in c.prose
    assert "vllm/v1/engine/core.py" in c.paths and "vllm/entrypoints/llm.py" in c.paths
    assert c.non_latin_ratio > 0
    assert fx.template_kind("[Bug]: crash", BUG) == "bug"
    assert fx.template_kind("crash", BUG) == "bug"
    assert fx.template_kind("[Feature]: add a flag", "") == "feature"
    assert fx.title_tags("[Bug][ROCm][ CI/Build ]: x") == ["bug", "rocm", "ci/build"]


def _community(n_gfi: int) -> Crafted:
    c = Crafted()
    for i in range(24):
        n = 400 + i
        easy = i < n_gfi
        c.issue(n, "[Feature]: add a --max-tokens flag" if easy else "[Bug]: crash with TP=2", "reporter",
                body="Small change in `vllm/entrypoints/cli/serve.py`." if easy else BUG,
                labels=("good first issue",) if easy else ("bug",), state="closed", created=ago(60 - i),
                closed=ago(30 - i))
    c.issue(500, "[Feature]: expose the seed in the CLI", "user9", body="Should be a small change.", created=ago(2))
    c.issue(501, "[Bug]: illegal memory access", "user8", body=BUG, created=ago(2))
    c.comment(500, "maint", "PRs welcome!", ago(1), assoc="MEMBER")
    c.pull(600, "[Frontend] x", "dev", ["vllm/entrypoints/llm.py"], merged_by="maint", merged=ago(3))
    return c


def test_prior_when_too_few_positives(engine, tmp_path: Path) -> None:
    import_dataset(engine, _community(n_gfi=2).write(tmp_path / "d"))
    ctx = RepoContext.of(load_watch_config(), REPO)
    with session_scope(engine) as s:
        summary = classify(s, ctx, NOW, tmp_path / "models")
    assert summary.retrained  # no models yet: trained on the spot
    with session_scope(engine) as s:
        rows = {r.number: r for r in s.scalars(select(GoodFirstIssueScore))}
        assert set(rows) == {500, 501}  # open issues only
        assert all(r.from_prior for r in rows.values())
        assert (
            rows[500].reasons[0]
            == "prior 100 %: this repo has 2 good first issues in its history (its own model needs 5)"
        )
        assert rows[500].probability > rows[501].probability
        assert 0.0 < rows[501].probability < rows[500].probability < 1.0
        card = s.scalar(select(ModelVersion.metrics).where(ModelVersion.name == "gfi"))
        assert card["from_prior"] is True and card["n_pos"] == 2
    models = load_models(tmp_path / "models", REPO)
    assert models.gfi is not None and models.gfi.repo_model_ is None and models.gfi_n_pos == 2  # the prior alone


def test_model_with_enough_positives_gives_reasons(engine, tmp_path: Path) -> None:
    import_dataset(engine, _community(n_gfi=10).write(tmp_path / "d"))
    ctx = RepoContext.of(load_watch_config(), REPO)
    with session_scope(engine) as s:
        classify(s, ctx, NOW, tmp_path / "models")
    with session_scope(engine) as s:
        rows = {r.number: r for r in s.scalars(select(GoodFirstIssueScore))}
    assert not rows[500].from_prior
    assert rows[500].probability > 0.5 > rows[501].probability
    assert rows[500].reasons[0] == "this repo 33% (10 good first issues in its history), prior 67%"
    assert len(rows[500].reasons) > 1 and all(r[:2] in ("+ ", "− ") for r in rows[500].reasons[1:])


def test_the_prior_answers_with_no_history_and_the_repos_labels_move_it(engine, tmp_path: Path) -> None:
    """Issue 500 (a small CLI flag request) is scored by the prior alone in a repo with no labelled
    good first issue; in a repo whose ten labelled ones look like it, the repo's word lifts it."""
    from storage.db import make_engine, upgrade

    ctx = RepoContext.of(load_watch_config(), REPO)
    scored = {}
    for n_gfi in (0, 10):
        eng = make_engine(f"sqlite:///{tmp_path / f'{n_gfi}.db'}")
        upgrade(eng)
        import_dataset(eng, _community(n_gfi=n_gfi).write(tmp_path / f"d{n_gfi}"))
        with session_scope(eng) as s:
            classify(s, ctx, NOW, tmp_path / f"models{n_gfi}")
        with session_scope(eng) as s:
            data = load(s, ctx)
            scored[n_gfi] = {r.number: r for r in s.scalars(select(GoodFirstIssueScore))}
            maint = ownership.maintainer_set(data)
            rows = gfi.feature_rows(data, [500], maint, read_threads(data, [500], maint), {}, ("good first issue",))
        eng.dispose()
        if n_gfi == 0:  # no history: exactly the prior's probability
            prior = 1 / (1 + np.exp(-float(rows[0, len(gfi.COLUMNS)])))
            assert scored[0][500].probability == pytest.approx(prior, rel=1e-6)
    assert scored[0][500].from_prior and not scored[10][500].from_prior
    assert scored[10][500].probability > scored[0][500].probability + 0.1
    assert scored[10][501].probability < scored[10][500].probability


def test_examples_labels_and_newcomers(engine, tmp_path: Path) -> None:
    c = _community(n_gfi=3)
    # A closed issue fixed by a newcomer's first merged PR is a positive too.
    c.issue(700, "[Bug]: typo in an error message", "user7", state="closed", created=ago(20), closed=ago(10))
    c.pull(701, "Fix the typo", "first-timer", ["vllm/config/x.py"], body="Fixes #700", merged_by="maint",
           merged=ago(10))
    import_dataset(engine, c.write(tmp_path / "d"))
    with session_scope(engine) as s:
        data = load(s, RepoContext.of(load_watch_config(), REPO))
    ex = gfi.examples(data, ("good first issue",))
    assert ex[700] == 1 and ex[400] == 1 and ex[410] == 0
    assert 500 not in ex  # open and unlabelled: unknown
    assert gfi.examples(data, ("good first issue",), use_newcomers=False)[700] == 0


def test_target_labels_never_reach_the_features(engine, tmp_path: Path) -> None:
    import_dataset(engine, _community(n_gfi=10).write(tmp_path / "d"))
    ctx = RepoContext.of(load_watch_config(), REPO)
    with session_scope(engine) as s:
        data = load(s, ctx)
    rows = gfi.feature_rows(data, [400, 410], set(), {}, {}, ("good first issue",))
    assert "good" not in rows[0, 1] and "help" not in rows[0, 1]
    assert "label:bug" in rows[1, 1]
    assert np.isfinite(rows[:, 2:].astype(float)).all()


def _row(kind: str, prior: float = 0.0, **values: float) -> np.ndarray:
    row = np.empty(len(gfi.ROW_COLUMNS), dtype=object)
    row[0], row[1] = "words", f"tmpl:{kind}"
    for j, name in enumerate(gfi.NUMERIC):
        row[2 + j] = float(values.get(name, 0.0))
    row[len(gfi.COLUMNS)] = prior
    return row


def _training(n_pos: int, n_neg: int = 40) -> tuple[np.ndarray, np.ndarray]:
    rows = [_row("feature", prior=-2.0, scoped=1.0) for _ in range(n_pos)]
    rows += [_row("bug", prior=1.0, has_traceback=1.0) for _ in range(n_neg)]
    for i, r in enumerate(rows):
        r[0] = ("add a small flag option " if i < n_pos else "crash illegal memory access trace ") + f"w{i % 7}"
    return np.array(rows, dtype=object), np.array([1] * n_pos + [0] * n_neg)


def test_the_repos_weight_grows_with_its_evidence() -> None:
    """sigmoid(w logit(repo) + (1 - w) prior_logit), w = n_pos / (n_pos + 20); the prior alone below five."""
    X, y = _training(3)
    few = gfi.GoodFirstIssueModel().fit(X, y)
    assert few.repo_model_ is None and few.repo_weight_ == 0.0
    np.testing.assert_allclose(few.predict_proba(X)[:, 1], 1 / (1 + np.exp(-X[:, len(gfi.COLUMNS)].astype(float))))
    weights = []
    for n_pos in (8, 30, 300):
        X, y = _training(n_pos)
        m = gfi.GoodFirstIssueModel().fit(X, y)
        w = m.repo_weight_
        assert w == pytest.approx(n_pos / (n_pos + 20))
        repo = np.clip(m.repo_model_.predict_proba(X[:, :len(gfi.COLUMNS)])[:, 1], 1e-6, 1 - 1e-6)
        z = w * np.log(repo / (1 - repo)) + (1 - w) * X[:, len(gfi.COLUMNS)].astype(float)
        np.testing.assert_allclose(m.predict_proba(X)[:, 1], 1 / (1 + np.exp(-z)))
        weights.append(w)
    assert weights == sorted(weights) and weights[-1] > 0.9


def test_rule_of_thumb_reads_the_kind_from_labels_when_no_issue_form_was_used() -> None:
    def p(tokens: str) -> float:
        row = _row("none")
        row[1] = tokens
        return gfi.rule_of_thumb(row)[0]

    assert p("tmpl:none label:enhancement") == p("tmpl:feature") > p("tmpl:none") > p("tmpl:none label:question")
    assert p("tmpl:bug label:enhancement") == p("tmpl:bug")  # the form, when there is one, decides
