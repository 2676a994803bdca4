"""Subsystem rule precedence on a crafted repo (no text model): a label beats changed paths,
paths beat a title tag, a title tag the files do not bear out stays a hint, and an issue inherits
a PR's subsystem more strongly when the PR closes it than when it only mentions it."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifiers.subsystem import (
    CONF_CLOSES,
    CONF_FILES_TOP,
    CONF_MENTIONS,
    CONF_TITLE,
    CONF_TITLE_UNSUPPORTED,
    Guess,
    Rules,
    asserted,
    label_all,
)
from classifiers.train import RepoContext, load
from config import load_watch_config
from storage.db import session_scope
from storage.importer import import_dataset
from tests.classifiers.crafted import REPO, Crafted

FRONT = "vllm/entrypoints/openai/serving_chat.py"


def _guesses(engine, tmp_path: Path) -> dict[int, list[tuple[str, float, str]]]:
    c = Crafted()
    c.pull(401, "[Frontend] touch the server", "dev1", [FRONT])
    c.issues[-1]["labels"] = [{"name": "documentation"}]  # a maintainer's label says docs
    c.pull(402, "[Doc] tidy the server", "dev2", [FRONT], body="Fixes: #501, see also #502")
    c.pull(403, "[Frontend] describe it", "dev3", [])
    c.issue(501, "the server crashes", "user1")
    c.issue(502, "it hangs at start", "user2")
    c.issue(503, "it hangs too", "user3", labels=("documentation",))
    c.pull(404, "tweak", "dev4", [FRONT], body="Fixes #503")
    import_dataset(engine, c.write(tmp_path / "d"))
    ctx = RepoContext.of(load_watch_config(), REPO)
    with session_scope(engine) as s:
        data = load(s, ctx)
    out = label_all(data, Rules(ctx.taxonomy), None, [])
    return {n: [(g.name, round(g.confidence, 4), g.source) for g in gs] for n, gs in out.items()}


def test_rule_precedence(engine, tmp_path: Path) -> None:
    g = _guesses(engine, tmp_path)
    # label (1.0) first, then the files' subsystem; the title tag agrees with the files
    assert g[401] == [("documentation", 1.0, "label"), ("frontend", CONF_FILES_TOP, "paths")]
    # the files decide; a title tag they do not bear out is kept below the threshold
    assert g[402] == [("frontend", CONF_FILES_TOP, "paths"), ("documentation", CONF_TITLE_UNSUPPORTED, "title")]
    assert asserted([Guess(n, c, src) for n, c, src in g[402]]) == ["frontend"]
    # no files: the title tag
    assert g[403] == [("frontend", CONF_TITLE, "title")]
    # "Fixes: #501" closes; "see also #502" only mentions
    assert g[501] == [("frontend", pytest.approx(round(CONF_FILES_TOP * CONF_CLOSES, 4)), "pr")]
    assert g[502] == [("frontend", pytest.approx(round(CONF_FILES_TOP * CONF_MENTIONS, 4)), "pr")]
    # the issue's own label beats what a closing PR passes on
    assert g[503][0] == ("documentation", 1.0, "label")
    assert ("frontend", pytest.approx(round(CONF_FILES_TOP * CONF_CLOSES, 4)), "pr") in g[503]


def test_hardware_named_in_a_title_counts_as_a_title_tag() -> None:
    """A report that names the accelerator (vLLM taxonomy `hardware`) is about that platform, with
    a model suffix ("MI300X") or a plural ("TPUs"); a word that only contains the name is not."""
    rules = Rules(RepoContext.of(load_watch_config(), REPO).taxonomy)
    assert rules.from_title("[Bug]: Error when running Llama-4 on mi300x") == {"rocm": CONF_TITLE}
    assert rules.from_title("[RFC] Initial Support for Cloud TPUs") == {"tpu": CONF_TITLE}
    assert rules.from_title("[Bug][ROCm][MI355X] crash in MLA") == {"rocm": CONF_TITLE}
    assert rules.from_title("[Frontend] output of tpuzzle and mi3000") == {"frontend": CONF_TITLE}
    assert rules.from_title("Crash on H100 with CUDA graphs") == {}  # the default platform names no subsystem
