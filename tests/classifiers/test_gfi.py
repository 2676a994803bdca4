"""Good-first-issue scoring: training examples, the documented prior with too few positives,
reasons, and the messy-text extractors it reads."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sqlalchemy import select

from classifiers import features as fx
from classifiers import gfi
from classifiers.classify import classify
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
        assert rows[500].reasons[0].startswith("prior estimate: only 2 labelled good first issues")
        assert rows[500].probability > rows[501].probability
        assert 0.0 < rows[501].probability < rows[500].probability < 1.0
        card = s.scalar(select(ModelVersion.metrics).where(ModelVersion.name == "gfi"))
        assert card["from_prior"] is True and card["n_pos"] == 2
    models = load_models(tmp_path / "models", REPO)
    assert models.gfi is None and models.gfi_n_pos == 2  # a prior-only card, no model file


def test_model_with_enough_positives_gives_reasons(engine, tmp_path: Path) -> None:
    import_dataset(engine, _community(n_gfi=10).write(tmp_path / "d"))
    ctx = RepoContext.of(load_watch_config(), REPO)
    with session_scope(engine) as s:
        classify(s, ctx, NOW, tmp_path / "models")
    with session_scope(engine) as s:
        rows = {r.number: r for r in s.scalars(select(GoodFirstIssueScore))}
    assert not rows[500].from_prior
    assert rows[500].probability > 0.5 > rows[501].probability
    assert rows[500].reasons and all(r[:2] in ("+ ", "− ") for r in rows[500].reasons)


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


def _row(kind: str, **values: float) -> np.ndarray:
    row = np.empty(len(gfi.COLUMNS), dtype=object)
    row[0], row[1] = "words", f"tmpl:{kind}"
    for j, name in enumerate(gfi.NUMERIC):
        row[2 + j] = float(values.get(name, 0.0))
    return row


def test_few_positives_lean_on_the_prior_many_on_the_model() -> None:
    rows = np.array([_row("feature"), _row("bug", has_traceback=1.0)])
    model = np.array([0.2, 0.6])  # the model disagrees with the prior's order
    prior = np.array([gfi.prior_probability(r, 0)[0] for r in rows])
    assert prior[0] > prior[1]
    np.testing.assert_allclose(gfi.shrink_to_prior(model, rows, 0), prior)
    few = gfi.shrink_to_prior(model, rows, 8)
    assert few[0] > few[1]  # eight positives: the prior still decides
    many = gfi.shrink_to_prior(model, rows, 2000)
    assert many[1] > many[0] and abs(many[1] - 0.6) < 0.02
    assert gfi.model_weight(8) < gfi.model_weight(30) < gfi.model_weight(300) < 1.0


def test_prior_reads_the_kind_from_labels_when_no_issue_form_was_used() -> None:
    def p(tokens: str) -> float:
        row = _row("none")
        row[1] = tokens
        return gfi.prior_probability(row, 0)[0]

    assert p("tmpl:none label:enhancement") == p("tmpl:feature") > p("tmpl:none") > p("tmpl:none label:question")
    assert p("tmpl:bug label:enhancement") == p("tmpl:bug")  # the form, when there is one, decides
