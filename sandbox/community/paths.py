"""Concrete repository paths for each subsystem, and the CODEOWNERS-style matcher that decides
which subsystem a path belongs to (gitignore globs; the LAST matching subsystem wins)."""

from __future__ import annotations

import random
from functools import lru_cache

from pathspec import PathSpec

from config import Taxonomy

# Curated, realistic paths for vLLM's subsystems (by taxonomy name). Paths that do not resolve to
# their subsystem under the taxonomy's own rules are dropped, so a changed config stays consistent.
CURATED: dict[str, tuple[str, ...]] = {
    "documentation": (
        "README.md",
        "CONTRIBUTING.md",
        "docs/getting_started/quickstart.md",
        "docs/getting_started/installation/gpu.md",
        "docs/serving/openai_compatible_server.md",
        "docs/serving/distributed_serving.md",
        "docs/models/supported_models.md",
        "docs/configuration/engine_args.md",
        "docs/configuration/optimization.md",
        "docs/contributing/README.md",
        "docs/design/arch_overview.md",
        "docs/usage/troubleshooting.md",
        "docs/usage/faq.md",
        "docs/deployment/docker.md",
        "docs/deployment/k8s.md",
        "examples/offline_inference/basic/generate.py",
        "examples/offline_inference/batch_llm_inference.py",
        "examples/online_serving/openai_chat_completion_client.py",
        "examples/online_serving/prometheus_grafana/README.md",
        "mkdocs.yaml",
        "docs/mkdocs/hooks/generate_examples.py",
    ),
    "ci/build": (
        ".buildkite/test-pipeline.yaml",
        ".buildkite/release-pipeline.yaml",
        ".buildkite/scripts/hardware_ci/run-amd-test.sh",
        ".github/workflows/pre-commit.yml",
        ".github/workflows/lint-and-deploy.yaml",
        ".github/mergify.yml",
        "docker/Dockerfile",
        "docker/Dockerfile.nightly_torch",
        "requirements/common.txt",
        "requirements/cuda.txt",
        "requirements/test.in",
        "requirements/test.txt",
        "requirements/build.txt",
        "setup.py",
        "pyproject.toml",
        "CMakeLists.txt",
        "cmake/utils.cmake",
        "cmake/external_projects/vllm_flash_attn.cmake",
    ),
    "performance": (
        "benchmarks/benchmark_serving.py",
        "benchmarks/benchmark_throughput.py",
        "benchmarks/benchmark_latency.py",
        "benchmarks/benchmark_prefix_caching.py",
        "benchmarks/auto_tune/auto_tune.sh",
        "vllm/benchmarks/serve.py",
        "vllm/benchmarks/throughput.py",
        "vllm/benchmarks/latency.py",
        "vllm/benchmarks/datasets.py",
        "vllm/benchmarks/lib/endpoint_request_func.py",
        "tests/benchmarks/test_serve_cli.py",
        "tests/benchmarks/test_throughput_cli.py",
        ".buildkite/performance-benchmarks/tests/serving-tests.json",
    ),
    "v1": (
        "vllm/v1/outputs.py",
        "vllm/v1/request.py",
        "vllm/v1/utils.py",
        "vllm/v1/serial_utils.py",
        "vllm/v1/metrics/loggers.py",
        "vllm/v1/metrics/stats.py",
        "vllm/v1/metrics/prometheus.py",
        "vllm/v1/pool/metadata.py",
        "vllm/v1/cudagraph_dispatcher.py",
        "tests/v1/test_outputs.py",
        "tests/v1/test_serial_utils.py",
        "tests/v1/metrics/test_stats.py",
        "tests/v1/test_request.py",
    ),
    "frontend": (
        "vllm/entrypoints/openai/api_server.py",
        "vllm/entrypoints/openai/serving_chat.py",
        "vllm/entrypoints/openai/serving_completion.py",
        "vllm/entrypoints/openai/serving_responses.py",
        "vllm/entrypoints/openai/protocol.py",
        "vllm/entrypoints/openai/cli_args.py",
        "vllm/entrypoints/chat_utils.py",
        "vllm/entrypoints/llm.py",
        "vllm/entrypoints/cli/serve.py",
        "vllm/entrypoints/cli/main.py",
        "vllm/entrypoints/logger.py",
        "vllm/renderers/hf.py",
        "vllm/tokenizers/hf.py",
        "vllm/tokenizers/mistral.py",
        "tests/entrypoints/openai/test_chat.py",
        "tests/entrypoints/openai/test_completion.py",
        "tests/entrypoints/openai/test_serving_chat.py",
        "tests/entrypoints/llm/test_generate.py",
        "tests/entrypoints/test_chat_utils.py",
    ),
    "new-model": (
        "vllm/model_executor/models/llama.py",
        "vllm/model_executor/models/qwen3.py",
        "vllm/model_executor/models/qwen3_moe.py",
        "vllm/model_executor/models/deepseek_v2.py",
        "vllm/model_executor/models/gemma3.py",
        "vllm/model_executor/models/mixtral.py",
        "vllm/model_executor/models/glm4_moe.py",
        "vllm/model_executor/models/gpt_oss.py",
        "vllm/model_executor/models/granite.py",
        "vllm/model_executor/models/phi3.py",
        "vllm/model_executor/models/registry.py",
        "vllm/model_executor/models/utils.py",
        "vllm/model_executor/models/interfaces.py",
        "vllm/transformers_utils/config.py",
        "vllm/transformers_utils/configs/__init__.py",
        "tests/models/registry.py",
        "tests/models/language/generation/test_common.py",
        "tests/models/test_initialization.py",
    ),
    "kernel": (
        "csrc/activation_kernels.cu",
        "csrc/layernorm_kernels.cu",
        "csrc/pos_encoding_kernels.cu",
        "csrc/cache_kernels.cu",
        "csrc/moe/topk_softmax_kernels.cu",
        "csrc/moe/moe_align_sum_kernels.cu",
        "csrc/torch_bindings.cpp",
        "csrc/ops.h",
        "vllm/model_executor/layers/fused_moe/fused_moe.py",
        "vllm/model_executor/layers/fused_moe/layer.py",
        "vllm/model_executor/layers/fused_moe/modular_kernel.py",
        "vllm/model_executor/layers/fused_moe/config.py",
        "vllm/kernels/triton_utils.py",
        "benchmarks/kernels/benchmark_moe.py",
        "benchmarks/kernels/benchmark_layernorm.py",
        "tests/kernels/moe/test_moe.py",
        "tests/kernels/core/test_layernorm.py",
        "tests/kernels/core/test_pos_encoding.py",
        "vllm/ir/ops.py",
    ),
    "quantization": (
        "vllm/model_executor/layers/quantization/fp8.py",
        "vllm/model_executor/layers/quantization/awq.py",
        "vllm/model_executor/layers/quantization/gptq_marlin.py",
        "vllm/model_executor/layers/quantization/modelopt.py",
        "vllm/model_executor/layers/quantization/bitsandbytes.py",
        "vllm/model_executor/layers/quantization/compressed_tensors/compressed_tensors.py",
        "vllm/model_executor/layers/quantization/utils/quant_utils.py",
        "vllm/model_executor/layers/quantization/utils/w8a8_utils.py",
        "vllm/model_executor/layers/quantization/mxfp4.py",
        "vllm/model_executor/layers/quantization/gguf.py",
        "tests/quantization/test_fp8.py",
        "tests/quantization/test_compressed_tensors.py",
        "tests/quantization/test_gptq_dynamic.py",
        "docs/features/quantization/fp8.md",
        "docs/features/quantization/README.md",
    ),
    "attention": (
        "vllm/attention/layer.py",
        "vllm/attention/selector.py",
        "vllm/attention/backends/abstract.py",
        "vllm/v1/attention/backends/flash_attn.py",
        "vllm/v1/attention/backends/triton_attn.py",
        "vllm/v1/attention/backends/mla/common.py",
        "vllm/v1/attention/backends/utils.py",
        "vllm/v1/attention/backends/tree_attn.py",
        "vllm/model_executor/layers/attention/mla_attention.py",
        "vllm/vllm_flash_attn/__init__.py",
    ),
    "scheduler": (
        "vllm/v1/core/sched/scheduler.py",
        "vllm/v1/core/sched/output.py",
        "vllm/v1/core/sched/request_queue.py",
        "vllm/v1/core/kv_cache_manager.py",
        "vllm/v1/core/kv_cache_utils.py",
        "vllm/v1/core/block_pool.py",
        "vllm/v1/core/single_type_kv_cache_manager.py",
        "vllm/v1/kv_cache_interface.py",
        "tests/v1/core/test_scheduler.py",
        "tests/v1/core/test_prefix_caching.py",
        "tests/v1/core/test_kv_cache_utils.py",
    ),
    "engine": (
        "vllm/engine/protocol.py",
        "vllm/v1/engine/core.py",
        "vllm/v1/engine/core_client.py",
        "vllm/v1/engine/async_llm.py",
        "vllm/v1/engine/llm_engine.py",
        "vllm/v1/engine/output_processor.py",
        "vllm/v1/engine/processor.py",
        "vllm/v1/executor/multiproc_executor.py",
        "vllm/v1/executor/abstract.py",
        "vllm/v1/worker/gpu_model_runner.py",
        "vllm/v1/worker/gpu_worker.py",
        "vllm/v1/worker/gpu_input_batch.py",
        "vllm/v1/worker/worker_base.py",
    ),
    "sampling": (
        "vllm/v1/sample/sampler.py",
        "vllm/v1/sample/metadata.py",
        "vllm/v1/sample/ops/topk_topp_sampler.py",
        "vllm/v1/sample/ops/penalties.py",
        "vllm/v1/sample/logits_processor/builtin.py",
        "vllm/v1/sample/rejection_sampler.py",
        "vllm/sampling_params.py",
        "tests/v1/sample/test_sampler.py",
        "tests/v1/sample/test_logprobs.py",
        "tests/v1/sample/test_topk_topp_sampler.py",
    ),
    "compilation": (
        "vllm/compilation/backends.py",
        "vllm/compilation/decorators.py",
        "vllm/compilation/fusion.py",
        "vllm/compilation/pass_manager.py",
        "vllm/compilation/cuda_graph.py",
        "vllm/compilation/piecewise_backend.py",
        "vllm/compilation/compiler_interface.py",
        "vllm/compilation/sequence_parallelism.py",
        "tests/compile/test_fusion.py",
        "tests/compile/test_full_graph.py",
        "tests/compile/piecewise/test_simple.py",
    ),
    "distributed": (
        "vllm/distributed/parallel_state.py",
        "vllm/distributed/communication_op.py",
        "vllm/distributed/device_communicators/pynccl.py",
        "vllm/distributed/device_communicators/custom_all_reduce.py",
        "vllm/distributed/device_communicators/all2all.py",
        "vllm/distributed/eplb/eplb_state.py",
        "vllm/distributed/utils.py",
        "tests/distributed/test_pipeline_parallel.py",
        "tests/distributed/test_custom_all_reduce.py",
        "tests/distributed/test_expert_parallel.py",
    ),
    "lora": (
        "vllm/lora/layers/base_linear.py",
        "vllm/lora/models.py",
        "vllm/lora/worker_manager.py",
        "vllm/lora/request.py",
        "vllm/lora/punica_wrapper/punica_gpu.py",
        "vllm/lora/utils.py",
        "vllm/lora/peft_helper.py",
        "tests/lora/test_lora_manager.py",
        "tests/lora/test_layers.py",
        "tests/lora/test_llama_tp.py",
    ),
    "config": (
        "vllm/config/__init__.py",
        "vllm/config/model.py",
        "vllm/config/cache.py",
        "vllm/config/parallel.py",
        "vllm/config/scheduler.py",
        "vllm/config/compilation.py",
        "vllm/config/vllm.py",
        "vllm/config/utils.py",
        "vllm/engine/arg_utils.py",
        "vllm/utils/argparse_utils.py",
    ),
    "multi-modality": (
        "vllm/multimodal/inputs.py",
        "vllm/multimodal/processing.py",
        "vllm/multimodal/registry.py",
        "vllm/multimodal/image.py",
        "vllm/multimodal/video.py",
        "vllm/multimodal/audio.py",
        "vllm/multimodal/parse.py",
        "vllm/multimodal/utils.py",
        "tests/multimodal/test_processing.py",
        "tests/multimodal/test_utils.py",
        "tests/models/multimodal/processing/test_common.py",
        "tests/models/multimodal/generation/test_common.py",
    ),
    "structured-output": (
        "vllm/v1/structured_output/__init__.py",
        "vllm/v1/structured_output/backend_xgrammar.py",
        "vllm/v1/structured_output/backend_guidance.py",
        "vllm/v1/structured_output/backend_outlines.py",
        "vllm/v1/structured_output/utils.py",
        "vllm/v1/structured_output/request.py",
        "tests/v1/structured_output/test_utils.py",
        "tests/v1/structured_output/test_backend_guidance.py",
        "benchmarks/structured_schemas/structured_schema_1.json",
        "docs/features/structured_outputs.md",
    ),
    "speculative-decoding": (
        "vllm/v1/spec_decode/eagle.py",
        "vllm/v1/spec_decode/ngram_proposer.py",
        "vllm/v1/spec_decode/medusa.py",
        "vllm/v1/spec_decode/metadata.py",
        "vllm/v1/spec_decode/utils.py",
        "vllm/model_executor/models/llama_eagle3.py",
        "vllm/model_executor/models/llama_eagle.py",
        "vllm/model_executor/models/deepseek_mtp.py",
        "vllm/model_executor/models/mlp_speculator.py",
        "tests/v1/spec_decode/test_eagle.py",
        "tests/v1/spec_decode/test_ngram.py",
    ),
    "tool-calling": (
        "vllm/entrypoints/openai/tool_parsers/hermes_tool_parser.py",
        "vllm/entrypoints/openai/tool_parsers/llama_tool_parser.py",
        "vllm/tool_parsers/abstract_tool_parser.py",
        "vllm/tool_parsers/qwen3coder_tool_parser.py",
        "vllm/tool_parsers/mistral_tool_parser.py",
        "vllm/tool_parsers/openai_tool_parser.py",
        "vllm/reasoning/deepseek_r1_reasoning_parser.py",
        "vllm/reasoning/qwen3_reasoning_parser.py",
        "vllm/reasoning/abs_reasoning_parsers.py",
        "tests/tool_use/test_parallel_tool_calls.py",
        "tests/tool_parsers/test_hermes_tool_parser.py",
        "tests/reasoning/test_qwen3_reasoning_parser.py",
        "docs/features/tool_calling.md",
    ),
    "kv-connector": (
        "vllm/distributed/kv_transfer/kv_connector/v1/nixl_connector.py",
        "vllm/distributed/kv_transfer/kv_connector/v1/lmcache_connector.py",
        "vllm/distributed/kv_transfer/kv_connector/v1/base.py",
        "vllm/distributed/kv_transfer/kv_connector/factory.py",
        "vllm/distributed/kv_transfer/kv_transfer_state.py",
        "vllm/v1/kv_offload/cpu.py",
        "vllm/v1/kv_offload/worker/cpu_gpu.py",
        "tests/v1/kv_connector/unit/test_nixl_connector.py",
        "tests/v1/kv_connector/unit/test_multi_connector.py",
        "tests/v1/kv_offload/test_cpu_offloading.py",
        "examples/online_serving/disaggregated_serving/disagg_proxy_demo.py",
    ),
    "rocm": (
        "csrc/rocm/attention.cu",
        "csrc/rocm/skinny_gemms.cu",
        "csrc/rocm/ops.h",
        "docker/Dockerfile.rocm",
        "docker/Dockerfile.rocm_base",
        "requirements/rocm.txt",
        "requirements/rocm-build.txt",
        "vllm/platforms/rocm.py",
        "vllm/v1/attention/backends/rocm_attn.py",
        "vllm/v1/attention/backends/rocm_aiter_fa.py",
        "vllm/model_executor/layers/fused_moe/rocm_aiter_fused_moe.py",
        "vllm/_aiter_ops.py",
        "tests/kernels/attention/test_rocm_attention_selector.py",
    ),
    "tpu": (
        "vllm/platforms/tpu.py",
        "vllm/v1/worker/tpu_model_runner.py",
        "vllm/v1/worker/tpu_worker.py",
        "vllm/v1/attention/backends/pallas.py",
        "vllm/distributed/device_communicators/tpu_communicator.py",
        "requirements/tpu.txt",
        "docker/Dockerfile.tpu",
        "tests/v1/tpu/test_basic.py",
        "tests/tpu/test_compilation.py",
    ),
    "nvidia": (
        "vllm/platforms/cuda.py",
        "csrc/quantization/cutlass_w8a8/scaled_mm_entry.cu",
        "csrc/quantization/fp4/nvfp4_scaled_mm_kernels.cu",
        "vllm/v1/attention/backends/flashinfer.py",
        "vllm/utils/flashinfer.py",
        "vllm/model_executor/layers/fused_moe/flashinfer_cutlass_moe.py",
        "vllm/model_executor/layers/fused_moe/flashinfer_trtllm_moe.py",
        "vllm/model_executor/layers/fused_moe/cutlass_moe.py",
        "tests/kernels/moe/test_flashinfer.py",
        "tests/kernels/quantization/test_cutlass_scaled_mm.py",
        "benchmarks/kernels/benchmark_cutlass_fp4_moe.py",
    ),
    "cpu": (
        "csrc/cpu/attention.cpp",
        "csrc/cpu/cache.cpp",
        "csrc/cpu/layernorm.cpp",
        "csrc/cpu/torch_bindings.cpp",
        "csrc/cpu/utils.cpp",
        "vllm/platforms/cpu.py",
        "vllm/v1/worker/cpu_model_runner.py",
        "vllm/v1/worker/cpu_worker.py",
        "docker/Dockerfile.cpu",
        "cmake/cpu_extension.cmake",
    ),
}

# Files that belong to no subsystem (shared utilities): PRs touch them as incidental changes.
NEUTRAL = (
    "vllm/envs.py", "vllm/utils/__init__.py", "vllm/logger.py", "vllm/outputs.py", "vllm/inputs/data.py",
    "vllm/forward_context.py", "vllm/sequence.py", "tests/conftest.py", "tests/utils.py", "vllm/utils/torch_utils.py",
    "vllm/utils/import_utils.py", "vllm/scripts.py", "vllm/_custom_ops.py", "vllm/pooling_params.py",
)

_STEMS = ("utils", "base", "layer", "registry", "backend", "ops", "common", "interface", "manager", "helpers", "config",
          "runner", "state", "metadata", "io", "loader", "processor", "api", "core", "types")
_TEST_STEMS = ("basic", "utils", "correctness", "e2e", "regression", "api", "config", "edge_cases")


def _ext_for(directory: str) -> str:
    d = directory.lower()
    if d.startswith("csrc"):
        return ".cu"
    if d.startswith("docs") or d.endswith(".md"):
        return ".md"
    if d.startswith(".github"):
        return ".yml"
    if d.startswith(".buildkite"):
        return ".yaml"
    if d.startswith("requirements"):
        return ".txt"
    if d.startswith("cmake"):
        return ".cmake"
    return ".py"


def _expand(glob: str, rnd: random.Random) -> list[str]:
    """A few concrete paths matched by one CODEOWNERS glob."""
    g = glob.lstrip("/").replace("**/", "vllm/")
    out: list[str] = []
    for _ in range(4):
        stem = rnd.choice(_STEMS)
        if g.endswith("/"):
            base = g.replace("*", "_" + stem)
            if base.startswith("tests"):
                out.append(f"{base}test_{rnd.choice(_TEST_STEMS)}{_ext_for(base)}")
            else:
                out.append(f"{base}{rnd.choice(_STEMS)}{_ext_for(base)}")
        elif "*" in g:
            parent, _, name = g.rpartition("/")
            if name == "*.md":
                filled = rnd.choice(("README.md", "CONTRIBUTING.md", "RELEASE.md", "SECURITY.md"))
            else:
                filled = name.replace("*", "", 1).replace("*", "") if name.startswith("*") else name.replace("*", "")
                filled = (f"{stem}_{filled}" if name.startswith("*") else filled.replace(".", f"_{stem}.", 1)
                          if "." in filled else f"{filled}_{stem}")
                if "." not in filled:
                    filled += _ext_for(parent)
            out.append(f"{parent}/{filled}" if parent else filled)
        else:
            out.append(g)
    return out


@lru_cache(maxsize=64)
def _compiled(globs: tuple[str, ...]) -> PathSpec:
    return PathSpec.from_lines("gitignore", list(globs))


class PathMatcher:
    """subsystem of a path by the taxonomy's rules: the last subsystem with a matching glob wins."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self._specs = [(s.name, _compiled(tuple(s.paths))) for s in taxonomy.subsystems if s.paths]
        self._cache: dict[str, str | None] = {}

    def subsystem(self, path: str) -> str | None:
        try:
            return self._cache[path]
        except KeyError:
            pass
        found = None
        for name, spec in self._specs:
            if spec.match_file(path):
                found = name
        self._cache[path] = found
        return found

    def subsystems(self, paths: list[str]) -> list[str]:
        return sorted({s for p in paths if (s := self.subsystem(p)) is not None})


def path_pools(taxonomy: Taxonomy, matcher: PathMatcher, seed: int) -> dict[str, list[str]]:
    """For every subsystem, concrete paths that resolve to it (curated where known, else from its globs)."""
    rnd = random.Random(f"{seed}:paths")
    pools: dict[str, list[str]] = {}
    for sub in taxonomy.subsystems:
        curated = [p for p in CURATED.get(sub.name, ()) if matcher.subsystem(p) == sub.name]
        candidates = list(curated)
        if len(curated) < 8:  # an unknown or thin subsystem: fill from its own globs
            for glob in sub.paths:
                candidates.extend(_expand(glob, rnd))
        seen: set[str] = set()
        pool = []
        for p in candidates:
            if p not in seen and matcher.subsystem(p) == sub.name:
                seen.add(p)
                pool.append(p)
        pools[sub.name] = pool
    return pools


def neutral_paths(matcher: PathMatcher) -> list[str]:
    return [p for p in NEUTRAL if matcher.subsystem(p) is None]


def is_test_path(path: str) -> bool:
    return path.startswith("tests/") or "/test_" in path
