"""End to end on a generated community (the simulator's planted truth): import, the real
`scout train` and `scout classify`, then the shortlist and digest commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reports.render.discord import problems
from tests.helpers import run_scout


@pytest.mark.slow
def test_shortlist_and_digest_on_generated_data(small_dataset: Path, tmp_path: Path) -> None:
    truth = json.loads((small_dataset / "truth.json").read_text())
    now = json.loads((small_dataset / "meta.json").read_text())["now"]
    env = {"SCOUT_DATABASE_URL": f"sqlite:///{tmp_path}/s.db", "SCOUT_NOW": now,
           "SCOUT_OUTPUT_DIR": str(tmp_path / "out"), "SCOUT_MODEL_DIR": str(tmp_path / "models")}
    run_scout("import", str(small_dataset), env=env)
    if "No such command" in run_scout("train", "--help", env=env, check=False).stderr:
        pytest.skip("`scout train` is not available yet")
    run_scout("train", env=env)
    run_scout("classify", env=env)
    run_scout("shortlist", "--format", "json", "--out", str(tmp_path / "sl.json"), env=env)
    run_scout("digest", "--format", "json", "--out", str(tmp_path / "d.json"), env=env)
    sl = json.loads((tmp_path / "sl.json").read_text())
    issues, maintainers = sl["issues"], sl["maintainers"]
    assert len(issues) == 5 and len(maintainers) == 3
    taken = set(truth.get("claimed", [])) | set(truth.get("blocked", []))
    assert not [i["number"] for i in issues if i["number"] in taken]  # never claimed or blocked
    subs = {s for i in issues for s in i["subsystems"]}
    assert len({i["subsystems"][0] for i in issues}) > 1  # spread over subsystems
    owners = {o for s in subs for o in truth["owners"].get(s, [])}
    assert [m["login"] for m in maintainers if m["login"] not in owners] == []
    # each with its bench job, or the reason none is needed (a documentation-only issue)
    assert all(i["bench_job"] and (i["bench_job"]["link"] or i["bench_job"]["status"] == "not-needed") for i in issues)
    probs = [i["probability"] for i in issues]
    assert probs == sorted(probs, reverse=True)  # best first (how well the model ranks is judged by its own tests)
    d = json.loads((tmp_path / "d.json").read_text())["digests"][0]
    assert d["digest"]["shortlist"]["issues"] == issues
    assert Path(d["chart"]).is_file()
    for m in [d["discord"]["post"], *d["discord"]["thread"]]:
        m = {k: v for k, v in m.items() if k != "files"}
        assert problems(m) == []
