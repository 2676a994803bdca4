"""The report commands as a user runs them: through the console entry point `main` (in process, for
speed) and once as a real subprocess, on the planted world."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from storage.db import make_engine, upgrade
from tests.helpers import run_scout as run_scout_subprocess
from tests.reports.world import build_world


@pytest.fixture
def env(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    eng = make_engine(sqlite_url)
    upgrade(eng)
    build_world(eng)
    eng.dispose()
    env = {"SCOUT_DATABASE_URL": sqlite_url, "SCOUT_NOW": "2026-11-27T00:00:00Z",
           "SCOUT_OUTPUT_DIR": str(tmp_path / "out"), "SCOUT_MODEL_DIR": str(tmp_path / "models")}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return env


@pytest.fixture
def run_scout(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """`scout ARGS` through the real entry point (error translation and exit codes included)."""
    from cli import main

    def run(*args: str, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        monkeypatch.setattr(sys, "argv", ["scout", *args])
        capsys.readouterr()
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        cap = capsys.readouterr()
        if check and code != 0:
            raise AssertionError(f"scout {' '.join(args)} exited {code}\n{cap.out}\n{cap.err}")
        return subprocess.CompletedProcess(list(args), code, cap.out, cap.err)

    return run


def test_entry_point_in_a_subprocess(env: dict[str, str]) -> None:
    doc = json.loads(run_scout_subprocess("shortlist", "--format", "json", env=env).stdout)
    assert [i["number"] for i in doc["issues"]] == [1, 2, 4, 5, 10]


def test_shortlist_formats(env: dict[str, str], tmp_path: Path, run_scout) -> None:
    run_scout("shortlist", "--format", "json", "--out", str(tmp_path / "sl.json"), env=env)
    doc = json.loads((tmp_path / "sl.json").read_text())
    assert [i["number"] for i in doc["issues"]] == [1, 2, 4, 5, 10]
    assert [m["login"] for m in doc["maintainers"]] == ["alice", "gina", "dave"]
    assert all(i["bench_job"]["link"] for i in doc["issues"] if i["number"] != 10)
    docs = doc["issues"][-1]["bench_job"]  # #10 is a documentation issue: no GPU can measure it
    assert docs["status"] == "not-needed" and docs["note"].startswith("no benchmark needed")
    rows = list(csv.DictReader(io.StringIO(run_scout("shortlist", "--format", "csv", env=env).stdout)))
    assert [r["number"] for r in rows if r["kind"] == "issue"] == ["1", "2", "4", "5", "10"]
    md = run_scout("shortlist", "--subsystem", "kernel", env=env).stdout
    assert md.startswith("# Shortlist for vllm-project/vllm (kernel)") and "#3" in md
    bad = run_scout("shortlist", "--subsystem", "kernal", env=env, check=False)
    assert bad.returncode == 2 and "unknown subsystem 'kernal'; did you mean kernel?" in bad.stderr


def test_digest_markdown_and_json(env: dict[str, str], tmp_path: Path, run_scout) -> None:
    md = run_scout("digest", env=env).stdout
    assert md.startswith("# oss-scout digest · vllm-project/vllm · 2026-11-27") and len(md) > 500
    run_scout("digest", "--format", "json", "--out", str(tmp_path / "d.json"), "--date", "2026-11-26", env=env)
    doc = json.loads((tmp_path / "d.json").read_text())["digests"][0]
    assert doc["digest"]["day"] == "2026-11-26" and Path(doc["chart"]) == tmp_path / "d.png"
    assert (tmp_path / "d.png").read_bytes()[:4] == b"\x89PNG"
    post, thread = doc["discord"]["post"], doc["discord"]["thread"]
    # one compact channel post (no file: the chart goes with the details in the thread)
    assert post["allowed_mentions"] == {"parse": []} and post["files"] == [] and len(post["embeds"]) == 1
    assert post["embeds"][0]["title"] == "Digest · vllm-project/vllm · 2026-11-26"
    assert len(post["content"]) + len(json.dumps(post["embeds"])) <= 3000
    assert thread and thread[0]["files"] == ["d.png"] and all(m["allowed_mentions"] == {"parse": []} for m in thread)
    assert doc["discord"]["thread_name"] == "vllm-project/vllm · 2026-11-26 · details"
    assert str(tmp_path) not in json.dumps(doc["discord"])  # no local path reaches Discord
    bad = run_scout("digest", "--date", "27/11/2026", env=env, check=False)
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    future = run_scout("digest", "--date", "2027-01-01", env=env, check=False)
    assert future.returncode == 2 and "2027-01-01 is in the future (now is 2026-11-27)" in future.stderr


def test_prflow(env: dict[str, str], run_scout) -> None:
    doc = json.loads(run_scout("prflow", "--json", env=env).stdout)
    assert doc["stalling_total"] == 3 and doc["overall"]["merge"]["n"] == 1


def test_bench(env: dict[str, str], tmp_path: Path, run_scout) -> None:
    out = run_scout("bench", "1", env=env).stdout
    assert "target kernel (kernel-script)" in out and "benchmarks/kernels/benchmark_moe.py" in out
    job = json.loads(run_scout("bench", "1", "--json", env=env).stdout)
    assert job["backend"] == "skypilot" and Path(job["link"]).is_file() and job["status"] == "created"
    assert job["spec"]["metrics"][0]["unit"] == "us" and job["spec"]["gpu"] == "H100:1"
    docs = json.loads(run_scout("bench", "6", "--json", env=env).stdout)
    assert docs["spec"]["gpu"] is None and docs["status"] == "not-needed"
    named = run_scout("bench", "9", "--pull", "20", env=env, check=False)
    assert named.returncode == 3 and "identity" in named.stderr  # naming a PR needs an allowed caller
    named = run_scout("bench", "9", "--pull", "20", "--as", "alice", "--role", "maintainer", "--json", env=env)
    assert json.loads(named.stdout)["spec"]["pull_number"] == 20
    log = tmp_path / "sky.log"
    log.write_text("=== /h/scout-results/before-1-1.json\n{\"kernel_us\": 10.0}\n"
                   "=== /h/scout-results/before-1-2.json\n{\"kernel_us\": 10.1}\n")
    stored = json.loads(run_scout("bench", "1", "--results", str(log), "--json", env=env).stdout)
    assert stored["verdict"] == "kernel_us: before 10.05 us" and stored["status"] == "succeeded"
    refused = run_scout("bench", "2", "--target", "torch-op", "--backend", "local", "--launch", env=env, check=False)
    assert refused.returncode == 3 and "identity" in refused.stderr
    refused = run_scout("bench", "2", "--backend", "local", "--launch", "--as", "mallory", env=env, check=False)
    assert refused.returncode == 3 and "may not launch" in refused.stderr
    ran = run_scout("bench", "2", "--target", "torch-op", "--backend", "local", "--launch", "--as", "alice",
                    "--role", "maintainer", "--json", env=env, check=False)
    job = json.loads(ran.stdout)
    assert job["status"] in ("succeeded", "failed") and job["result"]["steps"][0]["result"]["op"] == "rms_norm"
    missing = run_scout("bench", "4242", env=env, check=False)
    assert missing.returncode == 1 and "not stored" in missing.stderr


def test_digest_covers_every_enabled_repo_with_data_or_one(env: dict[str, str], tmp_path: Path, run_scout,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from storage.db import session_scope
    from storage.upsert import upsert_issues, upsert_repo
    from tests.helpers.watch_config import write_config
    from tests.reports.world import ago, issue, user

    monkeypatch.setenv("SCOUT_CONFIG", str(write_config(tmp_path / "all.toml", enable_all=True)))
    eng = make_engine(env["SCOUT_DATABASE_URL"])
    with session_scope(eng) as s:
        rid = upsert_repo(s, {"id": 2, "full_name": "sgl-project/sglang", "default_branch": "main",
                              "html_url": "https://github.com/sgl-project/sglang",
                              "owner": user("alice") | {"login": "sgl-project", "id": 9002}})
        upsert_issues(s, rid, [issue(900, "[Bug] radix cache leak", "xena", ago(0, 5))
                               | {"id": 90900, "html_url": "https://github.com/sgl-project/sglang/issues/900"}])
    eng.dispose()
    run_scout("digest", "--format", "json", "--out", str(tmp_path / "all.json"), env=env)
    docs = json.loads((tmp_path / "all.json").read_text())["digests"]
    # triton-lang/triton is enabled too, but nothing is stored for it: no empty digest
    assert [d["digest"]["repo"] for d in docs] == ["vllm-project/vllm", "sgl-project/sglang"]
    assert [Path(d["chart"]).name for d in docs] == ["all-vllm-project__vllm.png", "all-sgl-project__sglang.png"]
    md = run_scout("digest", "--no-chart", env=env).stdout
    assert md.index("# oss-scout digest · vllm-project/vllm") < md.index("# oss-scout digest · sgl-project/sglang")
    one = run_scout("digest", "--no-chart", "--repo", "sgl-project/sglang", env=env).stdout
    assert one.startswith("# oss-scout digest · sgl-project/sglang") and "vllm-project/vllm" not in one


def test_shortlist_without_bench_jobs_and_a_digest_that_creates_none(env: dict[str, str], sqlite_url: str,
                                                                      run_scout) -> None:
    from sqlalchemy import func, select

    from storage.db import session_scope
    from storage.models import BenchJob, Shortlist

    def counts() -> tuple[int, int]:
        eng = make_engine(sqlite_url)
        with session_scope(eng) as s:
            got = (s.scalar(select(func.count()).select_from(BenchJob)) or 0,
                   s.scalar(select(func.count()).select_from(Shortlist)) or 0)
        eng.dispose()
        return got

    run_scout("digest", "--no-chart", env=env)
    assert counts() == (0, 1)  # the digest stored the shortlist it shows, and no bench job
    doc = json.loads(run_scout("shortlist", "--format", "json", "--no-bench", env=env).stdout)
    assert [i["bench_job"] for i in doc["issues"]] == [None] * 5
    assert counts() == (0, 2)
    run_scout("bench", "4", env=env)  # asked for: now #4 shows its job
    doc = json.loads(run_scout("shortlist", "--format", "json", "--no-bench", env=env).stdout)
    assert [i["number"] for i in doc["issues"] if i["bench_job"]] == [4]
    assert counts() == (1, 3)
