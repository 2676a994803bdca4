"""More than one project: watch configs that include others and per-repo overrides of the defaults
(taxonomy, bench targets, digest channel); SGLang's own taxonomy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from classifiers.paths import PathMatcher
from config import ConfigError, load_watch_config
from config.watch import BUNDLED_DIR


def test_bundled_sglang_has_its_own_taxonomy_and_bench_targets() -> None:
    w = load_watch_config()
    sglang = w.repo("sgl-project/sglang")
    assert not sglang.enabled and sglang.taxonomy == "sglang" and w.repo().name == "vllm-project/vllm"
    assert [r.name for r in w.repos] == ["vllm-project/vllm", "sgl-project/sglang", "triton-lang/triton"]
    bench = w.bench_for("sgl-project/sglang")
    assert bench.default_target == "sglang-engine"
    assert {"sglang-engine", "sglang-kernel", "torch-op"} <= set(bench.targets)
    assert "sglang-engine" not in w.bench_for("vllm-project/vllm").targets  # vLLM keeps its own
    assert w.bench_for("vllm-project/vllm") == w.bench
    names = set(w.taxonomies["sglang"].names)
    assert {"sgl-kernel", "model-gateway", "quant", "speculative-decoding", "disaggregation", "npu", "amd"} <= names
    used = {s.bench for s in w.taxonomies["sglang"].subsystems if s.bench}
    assert used <= set(bench.targets)


@pytest.mark.parametrize(("path", "subsystem"), [
    # CODEOWNERS areas, the more specific rule winning
    ("python/sglang/srt/managers/scheduler.py", "scheduler"),
    ("python/sglang/srt/layers/quantization/fp8.py", "quant"),
    ("python/sglang/srt/layers/attention/ascend_backend.py", "npu"),
    ("python/sglang/srt/disaggregation/mooncake/conn.py", "disaggregation"),
    ("sgl-router/src/policies/cache_aware.rs", "model-gateway"),
    ("sgl-kernel/csrc/gemm/fp8_gemm.cu", "sgl-kernel"),
    ("python/sglang/launch_server.py", "srt"),
    # labeler.yml globs across the tree
    ("python/sglang/srt/mem_cache/hicache_storage.py", "hicache"),
    ("python/sglang/srt/models/deepseek_v2.py", "deepseek"),
    ("python/sglang/srt/speculative/eagle_worker.py", "speculative-decoding"),
    ("docs/basic_usage/send_request.md", "documentation"),
    ("python/pyproject.toml", "dependencies"),
])
def test_sglang_paths_classify_by_its_own_codeowners_and_labels(path: str, subsystem: str) -> None:
    matcher = PathMatcher.for_taxonomy(load_watch_config().taxonomies["sglang"])
    assert matcher.match_many([path]) == [subsystem]


def test_a_config_for_one_more_project_inherits_the_defaults(tmp_path: Path) -> None:
    mine = tmp_path / "acme.toml"
    mine.write_text(
        'include = ["vllm.toml"]\n\n'
        '[[repos]]\nname = "acme/engine"\ntaxonomy = "sglang"\ndigest_channel = "acme-digest"\n\n'
        '[repos.bench]\ndefault_target = "acme-bench"\n\n'
        '[repos.bench.targets.acme-bench]\nkind = "torch-op"\nscript = "torch_op.py"\nops = ["matmul"]\n'
        'commands = ["python {script} --op {op} --json {result}"]\n'
        'metrics = [{ key = "best.median_ms", measures = "matmul time", unit = "ms", better = "lower" }]\n\n'
        '[[repos]]\nname = "vllm-project/vllm"\nenabled = false\n\n'
        '[digest]\ntime = "07:30"\n'
    )
    w = load_watch_config(mine)  # found in the bundled folder: the copy does not need vllm.toml beside it
    assert [r.name for r in w.enabled_repos] == ["acme/engine"] and w.repo().name == "acme/engine"
    assert w.repo("vllm-project/vllm").taxonomy == "vllm"  # kept from the included file, only switched off
    assert w.digest_channel_for("acme/engine") == "acme-digest"
    assert w.digest_channel_for("vllm-project/vllm") == "oss-scout"
    assert w.bench_for("acme/engine").default_target == "acme-bench" and "serving" in w.bench_for("acme/engine").targets
    assert (w.digest.time, w.digest.timezone) == ("07:30", "Europe/Berlin")  # one key changed, the table merged
    assert w.schedule == load_watch_config().schedule and w.taxonomies.keys() == {"vllm", "sglang"}


def test_bundled_sglang_config_watches_sglang_first(tmp_path: Path) -> None:
    w = load_watch_config(BUNDLED_DIR / "sglang.toml")
    assert [r.name for r in w.enabled_repos] == ["sgl-project/sglang"]
    assert w.digest_channel_for() == "sglang-digest"
    assert w.taxonomy_for().names == load_watch_config().taxonomies["sglang"].names
    copy = tmp_path / "copied.toml"  # a copy of the bundled default elsewhere still finds its includes
    shutil.copy(BUNDLED_DIR / "vllm.toml", copy)
    assert load_watch_config(copy).repo("sgl-project/sglang").taxonomy == "sglang"


def test_include_errors_are_clear(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('include = ["b.toml"]\n')
    (tmp_path / "b.toml").write_text('include = ["a.toml"]\n')
    with pytest.raises(ConfigError, match=r"a.toml: includes itself \(through a.toml -> b.toml\)"):
        load_watch_config(tmp_path / "a.toml")
    (tmp_path / "c.toml").write_text('include = ["missing.toml"]\n')
    with pytest.raises(ConfigError, match=r"missing.toml: not found \(included from .*c.toml\)"):
        load_watch_config(tmp_path / "c.toml")
    (tmp_path / "d.toml").write_text("include = 3\n")
    with pytest.raises(ConfigError, match="key 'include': expected a list of file names"):
        load_watch_config(tmp_path / "d.toml")
    (tmp_path / "e.toml").write_text('include = ["vllm.toml"]\n[[repos]]\nname = "x/y"\n[repos.bench]\n'
                                     'default_target = "nope"\n')
    with pytest.raises(ConfigError, match="repo x/y: bench default_target 'nope' is not among its targets"):
        load_watch_config(tmp_path / "e.toml")
