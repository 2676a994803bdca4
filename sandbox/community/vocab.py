"""Words of the generated community: per-subsystem components, symptoms, errors, functions and
features (vLLM's areas by name; any other subsystem falls back to its own keywords), plus the
shared vocabulary of models, hardware and versions. All text here is written for the simulator."""

from __future__ import annotations

from dataclasses import dataclass

from config import Subsystem


@dataclass(frozen=True)
class Words:
    things: tuple[str, ...]
    symptoms: tuple[str, ...]
    errors: tuple[str, ...]
    funcs: tuple[str, ...]
    features: tuple[str, ...]
    flags: tuple[str, ...]


_V: dict[str, Words] = {
    "documentation": Words(
        ("quickstart guide", "installation docs", "OpenAI-compatible server docs", "supported models page", "engine args reference",
         "distributed serving docs", "troubleshooting page", "contributing guide", "docstring of LLM.generate", "README examples"),
        ("has a broken link", "shows an outdated command", "is missing the new flag", "contradicts the actual default",
         "renders badly on the docs site", "has a typo in the code sample"),
        ("mkdocs.exceptions.Abort: Aborted with 3 warnings in strict mode",),
        ("generate_examples", "on_page_markdown", "build_docs"),
        ("a section on running behind a reverse proxy", "an example for offline batch inference with chat templates",
         "documentation for the metrics endpoint", "a FAQ entry about CUDA out-of-memory errors", "a docstring for every engine arg"),
        ("--help", "--model", "--served-model-name"),
    ),
    "ci/build": Words(
        ("Docker image", "Buildkite pipeline", "wheel build", "CMake configuration", "requirements pins", "pre-commit hooks",
         "release pipeline", "nightly build", "setup.py", "source build"),
        ("fails to build from source", "pulls an incompatible torch version", "times out in CI", "is missing a dependency",
         "produces a wheel with the wrong CUDA arch list", "fails pip install on Python 3.13"),
        ("ERROR: Could not build wheels for vllm, which is required to install pyproject.toml-based projects",
         "CMake Error at CMakeLists.txt:42 (message): Unsupported CUDA architecture",
         "ModuleNotFoundError: No module named 'vllm._C'",
         "ERROR: pip's dependency resolver does not currently take into account all the packages that are installed"),
        ("build_extensions", "get_requirements", "configure", "_is_cuda"),
        ("a slim Docker image without dev tools", "arm64 wheels on the release page", "caching of the CMake build in CI",
         "a lint step for shell scripts", "a pinned lockfile for the test requirements"),
        ("MAX_JOBS=8", "VLLM_TARGET_DEVICE=cuda", "TORCH_CUDA_ARCH_LIST=9.0", "pip install -e ."),
    ),
    "performance": Words(
        ("benchmark_serving script", "throughput benchmark", "latency benchmark", "serving benchmark datasets",
         "prefix caching benchmark", "auto-tune script", "performance dashboard"),
        ("reports wrong TTFT numbers", "crashes with the sharegpt dataset", "throughput regressed by 15% since the last release",
         "p99 latency doubled", "is slower than the previous version", "ignores --request-rate"),
        ("KeyError: 'ttft'", "ZeroDivisionError: division by zero", "ValueError: Unknown dataset name: random-mm"),
        ("benchmark", "calculate_metrics", "sample_requests", "run_vllm"),
        ("a --percentile-metrics flag to the serving benchmark", "goodput reporting in the latency benchmark",
         "a random multimodal dataset for benchmarks", "JSON output for the throughput benchmark"),
        ("--request-rate", "--num-prompts", "--dataset-name", "--max-concurrency"),
    ),
    "v1": Words(
        ("V1 engine", "V1 output handling", "V1 metrics", "V1 request lifecycle", "V1 serialization", "CUDA graph dispatcher"),
        ("leaks memory over long runs", "reports wrong metrics in V1", "drops requests under load in the V1 engine",
         "behaves differently from V0", "hangs after a request is aborted"),
        ("AssertionError: V1 engine does not support this feature yet", "RuntimeError: Engine loop has died",
         "msgspec.ValidationError: Expected `int`, got `str`"),
        ("make_stats", "record_request", "encode", "decode", "update_from_output"),
        ("per-request metrics in the V1 engine", "a V1 equivalent of the old logits processors", "priority scheduling in V1"),
        ("VLLM_USE_V1=1", "--disable-log-stats"),
    ),
    "frontend": Words(
        ("OpenAI-compatible API server", "chat completion endpoint", "completions endpoint", "Responses API", "chat template handling",
         "vllm serve CLI", "LLM entrypoint", "streaming response", "tokenizer loading", "usage statistics in responses"),
        ("returns a 500 error", "ignores the stop parameter", "streams an empty final chunk", "rejects a valid request",
         "returns the wrong finish_reason", "does not apply the chat template", "crashes on an empty messages list"),
        ("openai.BadRequestError: Error code: 400 - {'object': 'error', 'message': 'Expected 2 arguments'}",
         "pydantic_core._pydantic_core.ValidationError: 1 validation error for ChatCompletionRequest",
         "jinja2.exceptions.TemplateError: Conversation roles must alternate user/assistant/user/assistant",
         "ValueError: As of transformers v4.44, default chat template is no longer allowed"),
        ("create_chat_completion", "chat_completion_stream_generator", "apply_hf_chat_template", "create_completion",
         "build_app", "serve", "_preprocess_chat"),
        ("support for the `n` parameter in streaming chat completions", "an `--api-key` file option for vllm serve",
         "returning `max_model_len` from /v1/models", "the `logit_bias` parameter in chat completions",
         "a health endpoint that reports engine readiness", "request id passthrough from a header"),
        ("--chat-template", "--api-key", "--port", "--enable-auto-tool-choice", "--response-role", "--max-log-len"),
    ),
    "new-model": Words(
        ("model registry", "Llama implementation", "Qwen3 MoE model", "DeepSeek-V2 model", "Gemma 3 model", "GLM-4.5 model",
         "model loader for sharded checkpoints", "HF config parsing"),
        ("fails to load the checkpoint", "produces gibberish", "is not in the supported architectures list",
         "has mismatched weight names", "outputs differ from transformers"),
        ("ValueError: Model architectures ['{arch}'] are not supported for now.",
         "KeyError: 'model.layers.0.mlp.experts.0.gate_proj.weight'",
         "AttributeError: 'PretrainedConfig' object has no attribute 'rope_scaling'"),
        ("load_weights", "get_model_architecture", "_normalize_arch", "forward", "compute_logits"),
        ("support for {newmodel}", "loading checkpoints with tied embeddings", "a registry test for every architecture"),
        ("--trust-remote-code", "--hf-overrides", "--tokenizer-mode"),
    ),
    "kernel": Words(
        ("fused MoE kernel", "RMSNorm kernel", "rotary embedding kernel", "activation kernel", "topk softmax kernel",
         "KV cache copy kernel", "Triton MoE config", "grouped GEMM"),
        ("gives wrong results for large batch sizes", "is slower than the reference", "crashes with an illegal memory access",
         "has no tuned config for this GPU", "overflows for long sequences"),
        ("RuntimeError: CUDA error: an illegal memory access was encountered",
         "triton.runtime.errors.OutOfResources: out of resource: shared memory, Required: 163840, Hardware limit: 101376",
         "RuntimeError: expected scalar type BFloat16 but found Float"),
        ("fused_experts", "invoke_fused_moe_kernel", "rms_norm", "rotary_embedding", "silu_and_mul", "moe_align_block_size",
         "topk_softmax"),
        ("tuned fused MoE configs for the H200", "a fused SiLU-and-mul with FP8 output", "a Triton kernel for RMSNorm with residual"),
        ("VLLM_FUSED_MOE_CHUNK_SIZE", "--enforce-eager"),
    ),
    "quantization": Words(
        ("FP8 quantization", "AWQ support", "GPTQ Marlin kernels", "compressed-tensors loader", "bitsandbytes quantization",
         "NVFP4 support", "W8A8 int8 path", "ModelOpt checkpoints", "GGUF loading", "MXFP4 MoE"),
        ("loads but outputs garbage", "fails with an unsupported quantization config", "is slower than the unquantized model",
         "uses more memory than expected", "rejects a valid checkpoint"),
        ("ValueError: The quantization method fp8 is not supported for the current GPU. Minimum capability: 89. Current capability: 80.",
         "AssertionError: weight_scale must be per-tensor for this kernel",
         "NotImplementedError: group_size=-1 is not supported by Marlin"),
        ("apply", "create_weights", "process_weights_after_loading", "get_quant_method", "cutlass_scaled_mm", "scaled_fp8_quant"),
        ("FP8 KV cache scales from the checkpoint", "AWQ on MoE layers", "per-channel int8 quantization of the LM head"),
        ("--quantization fp8", "--kv-cache-dtype fp8", "--quantization awq"),
    ),
    "attention": Words(
        ("FlashAttention backend", "MLA attention", "Triton attention backend", "attention backend selector", "sliding window attention",
         "FlashInfer attention", "tree attention", "cascade attention"),
        ("produces NaNs with sliding window", "selects the wrong backend", "fails with head size 80", "is slow for long contexts",
         "crashes with chunked prefill"),
        ("ValueError: Head size 72 is not supported by FlashAttention. Supported head sizes are: [32, 64, 96, 128, 160, 192, 224, 256].",
         "RuntimeError: FlashAttention only supports Ampere GPUs or newer.",
         "AssertionError: MLA requires q_lora_rank to be set"),
        ("get_attn_backend", "forward", "build", "_run_prefill", "unified_attention"),
        ("attention sinks in the Triton backend", "FP8 attention for MLA", "head size 80 in FlashAttention"),
        ("VLLM_ATTENTION_BACKEND", "--max-model-len"),
    ),
    "scheduler": Words(
        ("scheduler", "prefix caching", "KV cache manager", "chunked prefill scheduling", "preemption policy", "block pool",
         "priority scheduling"),
        ("starves long requests", "evicts cached blocks too early", "deadlocks when the KV cache is full",
         "has a low prefix cache hit rate", "preempts requests in a loop"),
        ("AssertionError: num_computed_tokens must not exceed num_tokens",
         "RuntimeError: Failed to allocate KV cache blocks for request",
         "ValueError: No available memory for the cache blocks. Try increasing `gpu_memory_utilization`"),
        ("schedule", "allocate_slots", "get_computed_blocks", "free", "_preempt_request", "update_from_output"),
        ("LRU eviction stats for prefix caching", "a per-request cache salt", "a max waiting time before preemption"),
        ("--enable-prefix-caching", "--max-num-batched-tokens", "--max-num-seqs", "--enable-chunked-prefill"),
    ),
    "engine": Words(
        ("engine core", "GPU model runner", "multiproc executor", "async engine", "engine core client", "worker startup",
         "input batch"),
        ("hangs on shutdown", "crashes when a worker dies", "leaks shared memory", "times out during startup",
         "blocks the event loop", "fails to restart after an error"),
        ("RuntimeError: Engine core initialization failed. See root cause above.",
         "TimeoutError: Timed out waiting for engine core processes to start",
         "vllm.v1.engine.exceptions.EngineDeadError: EngineCore encountered an issue."),
        ("run_engine_core", "execute_model", "_process_engine_step", "step", "initialize_from_config", "load_model"),
        ("graceful draining on shutdown", "a sleep mode that frees GPU memory", "engine health metrics"),
        ("--gpu-memory-utilization", "--max-num-seqs", "--disable-log-requests"),
    ),
    "sampling": Words(
        ("sampler", "logprobs", "top-p/top-k sampling", "repetition penalty", "logits processors", "min_p sampling",
         "seeded sampling", "temperature handling"),
        ("ignores the seed", "returns the wrong number of logprobs", "is not deterministic", "applies the penalty twice",
         "breaks with temperature=0"),
        ("ValueError: top_p must be in (0, 1], got 1.5.", "IndexError: index 151936 is out of bounds for dimension 1 with size 151936",
         "RuntimeError: probability tensor contains either `inf`, `nan` or element < 0"),
        ("forward", "apply_penalties", "random_sample", "compute_logprobs", "apply_top_k_top_p", "_verify_args"),
        ("prompt logprobs in V1", "a custom logits processor plugin API", "a `min_tokens` check for stop strings"),
        ("temperature", "top_p", "logprobs", "seed", "repetition_penalty"),
    ),
    "compilation": Words(
        ("torch.compile integration", "fusion pass", "piecewise CUDA graphs", "inductor cache", "compilation config",
         "sequence parallelism pass", "full CUDA graph capture"),
        ("recompiles on every request", "fails with a dynamo guard error", "makes startup very slow",
         "breaks with custom ops", "produces different results than eager mode"),
        ("torch._dynamo.exc.Unsupported: call_function BuiltinVariable(setattr) [UserDefinedObjectVariable]",
         "torch._inductor.exc.InductorError: LoweringException: AssertionError",
         "RuntimeError: CUDA graph capture failed"),
        ("compile", "__call__", "split_graph", "configure_post_pass", "capture", "load"),
        ("caching compiled artifacts across restarts", "an attention+quant fusion pass", "a compile-time summary log"),
        ("-O3", "--compilation-config", "VLLM_DISABLE_COMPILE_CACHE=1"),
    ),
    "distributed": Words(
        ("tensor parallelism", "pipeline parallelism", "custom all-reduce", "expert parallelism", "NCCL communicator",
         "multi-node serving with Ray", "EPLB"),
        ("hangs at NCCL init", "deadlocks with TP=8", "gives wrong results with PP=2", "fails across two nodes",
         "is slow over PCIe"),
        ("torch.distributed.DistBackendError: NCCL error in: ProcessGroupNCCL.cpp:1970, unhandled cuda error",
         "RuntimeError: NCCL error: unhandled system error",
         "ray.exceptions.RaySystemError: System error: Failed to connect to GCS"),
        ("init_distributed_environment", "all_reduce", "get_tp_group", "initialize_model_parallel", "send_tensor_dict"),
        ("pipeline parallelism for MoE models", "NCCL symmetric memory all-reduce", "data parallel attention with TP MoE"),
        ("--tensor-parallel-size", "--pipeline-parallel-size", "--enable-expert-parallel", "--data-parallel-size"),
    ),
    "lora": Words(
        ("LoRA adapters", "multi-LoRA serving", "Punica kernels", "LoRA manager", "dynamic LoRA loading"),
        ("fails to load the adapter", "ignores the adapter on some requests", "is slow with many adapters",
         "crashes with rank 128", "leaks memory when adapters are swapped"),
        ("ValueError: LoRA rank 256 is greater than max_lora_rank 64.", "KeyError: 'base_model.model.lm_head.lora_A.weight'",
         "RuntimeError: LoRA adapter not found"),
        ("load_lora_model", "add_adapter", "activate_adapter", "from_local_checkpoint", "set_lora"),
        ("LoRA on the embedding layer for MoE models", "unloading adapters through the API", "LoRA with FP8 base weights"),
        ("--enable-lora", "--max-loras", "--max-lora-rank", "--lora-modules"),
    ),
    "config": Words(
        ("engine args", "VllmConfig", "cache config", "parallel config", "model config", "CLI flags", "config validation"),
        ("silently ignores an invalid value", "uses the wrong default", "crashes when the flag is combined with TP",
         "prints a confusing error message", "cannot be set from a YAML config"),
        ("ValueError: max_model_len (131072) is greater than the derived max_model_len (32768)",
         "TypeError: __init__() got an unexpected keyword argument 'max_seq_len_to_capture'",
         "pydantic_core._pydantic_core.ValidationError: 1 validation error for CacheConfig"),
        ("create_engine_config", "add_cli_args", "__post_init__", "verify_with_parallel_config", "get_field"),
        ("a --config YAML file for vllm serve", "clearer errors for invalid engine args", "a deprecation warning for renamed flags"),
        ("--max-model-len", "--config", "--dtype", "--seed"),
    ),
    "multi-modality": Words(
        ("multimodal processor", "image inputs", "video inputs", "audio inputs", "multimodal cache", "vision encoder",
         "processor registry", "image embeddings input"),
        ("fails on images with an alpha channel", "ignores the video fps", "runs out of memory with many images",
         "gives wrong placeholders", "crashes on audio longer than 30s"),
        ("ValueError: Attempted to assign 1 = 1 multimodal tokens to 2 placeholders",
         "PIL.UnidentifiedImageError: cannot identify image file",
         "RuntimeError: shape mismatch: value tensor of shape [1176, 4096] cannot be broadcast"),
        ("apply", "_get_prompt_updates", "fetch_image", "load_video", "get_multimodal_embeddings", "_parse_and_validate_image_input"),
        ("passing precomputed image embeddings", "video inputs for the Qwen3-VL processor", "a limit on images per prompt"),
        ("--limit-mm-per-prompt", "--mm-processor-kwargs", "--mm-processor-cache-gb"),
    ),
    "structured-output": Words(
        ("structured outputs", "guided decoding with xgrammar", "JSON schema support", "guidance backend", "regex constraints",
         "grammar compilation"),
        ("produces invalid JSON", "ignores the schema", "is slow to compile large schemas", "fails with a recursive schema",
         "crashes with speculative decoding"),
        ("ValueError: The provided JSON schema contains features not supported by xgrammar.",
         "RuntimeError: Grammar compilation timed out", "json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)"),
        ("grammar_init", "compile_json_schema", "accept_tokens", "fill_bitmask", "validate_structured_output_request"),
        ("JSON schema `pattern` support with xgrammar", "structured output with reasoning models", "caching compiled grammars"),
        ("--guided-decoding-backend", "guided_json", "response_format", "--structured-outputs-config"),
    ),
    "speculative-decoding": Words(
        ("speculative decoding", "EAGLE-3 drafter", "n-gram proposer", "MTP heads", "draft model", "rejection sampler",
         "acceptance rate metrics"),
        ("has a low acceptance rate", "is slower than no speculation", "crashes with CUDA graphs", "produces different outputs",
         "fails with tensor parallelism"),
        ("AssertionError: num_speculative_tokens must be > 0", "RuntimeError: draft model and target model vocab sizes differ",
         "ValueError: EAGLE does not support this model architecture"),
        ("propose", "prepare_inputs", "load_model", "_greedy_sample", "compute_probs"),
        ("EAGLE-3 for Qwen3 MoE", "dynamic speculation length", "per-position acceptance metrics"),
        ("--speculative-config", "num_speculative_tokens", "ngram_prompt_lookup_max"),
    ),
    "tool-calling": Words(
        ("tool calling", "Hermes tool parser", "reasoning parser", "tool_choice=required", "parallel tool calls",
         "streaming tool call deltas", "Qwen3 coder tool parser"),
        ("returns tool calls as plain text", "breaks streaming with reasoning", "drops the last tool call",
         "produces invalid arguments JSON", "ignores tool_choice"),
        ("json.decoder.JSONDecodeError: Unterminated string starting at: line 1 column 35 (char 34)",
         "KeyError: 'arguments'", "ValueError: --enable-auto-tool-choice requires --tool-call-parser to be set"),
        ("extract_tool_calls", "extract_tool_calls_streaming", "extract_reasoning_content", "adjust_request"),
        ("a tool parser for a new model family", "tool_choice=required with streaming", "reasoning content in tool call responses"),
        ("--tool-call-parser", "--reasoning-parser", "--enable-auto-tool-choice"),
    ),
    "kv-connector": Words(
        ("NIXL connector", "LMCache connector", "disaggregated prefill", "KV transfer", "CPU KV offload", "P/D proxy"),
        ("hangs waiting for KV transfer", "leaks blocks after an abort", "fails with heterogeneous TP", "is slower than colocated",
         "drops requests in the proxy"),
        ("RuntimeError: NIXL handshake failed", "AssertionError: Remote block ids must not be empty",
         "TimeoutError: KV transfer did not finish in 300 seconds"),
        ("start_load_kv", "wait_for_save", "get_num_new_matched_tokens", "request_finished", "build_connector_meta"),
        ("a KV connector for an object store", "CPU offloading with prefix caching", "P/D with different TP sizes"),
        ("--kv-transfer-config", "kv_connector", "kv_role"),
    ),
    "rocm": Words(
        ("ROCm build", "AITER kernels", "MI300X support", "ROCm attention backend", "HIP custom ops", "ROCm Docker image"),
        ("fails to build on ROCm 6.4", "is slower than on CUDA", "crashes on MI300X", "gives wrong results with AITER enabled",
         "hangs with TP=8 on MI250"),
        ("RuntimeError: HIP error: invalid device function", "hipErrorNoBinaryForGpu: Unable to find code object for all current devices!",
         "ImportError: libamdhip64.so: cannot open shared object file"),
        ("is_rocm_aiter_enabled", "rocm_aiter_fused_experts", "paged_attention_rocm", "get_device_capability"),
        ("AITER MLA decode on MI300X", "FP8 KV cache on ROCm", "a nightly ROCm wheel"),
        ("VLLM_ROCM_USE_AITER=1", "VLLM_USE_TRITON_FLASH_ATTN=0"),
    ),
    "tpu": Words(
        ("TPU backend", "Pallas attention", "TPU model runner", "XLA compilation", "TPU worker"),
        ("recompiles on every step", "fails on a v5e pod", "runs out of HBM", "is slow with long prompts"),
        ("RuntimeError: Bad StatusOr access: RESOURCE_EXHAUSTED: Error allocating device buffer",
         "jax.errors.JaxRuntimeError: INTERNAL: Mosaic failed to compile TPU kernel"),
        ("_precompile_backbone", "execute_model", "ragged_paged_attention", "capture_model"),
        ("multi-host TPU serving", "int8 weights on TPU", "a TPU CI job for V1"),
        ("VLLM_XLA_CACHE_PATH", "--max-num-batched-tokens"),
    ),
    "nvidia": Words(
        ("CUTLASS kernels", "FlashInfer backend", "TRT-LLM MoE kernels", "Blackwell support", "NVFP4 GEMM", "CUDA platform detection"),
        ("fails on B200", "is slower on H100 than expected", "crashes with CUDA 12.9", "picks the wrong kernel on Hopper"),
        ("RuntimeError: CUTLASS kernel failed: Error Internal", "flashinfer.jit.exceptions: Ninja build failed",
         "RuntimeError: CUDA error: no kernel image is available for execution on the device"),
        ("cutlass_scaled_mm", "flashinfer_cutlass_moe_fp8", "get_device_capability", "trtllm_fp4_block_scale_moe"),
        ("FlashInfer sampling kernels by default", "CUTLASS grouped GEMM for Blackwell", "SM120 support"),
        ("VLLM_USE_FLASHINFER_MOE_FP8=1", "VLLM_USE_FLASHINFER_SAMPLER=1"),
    ),
    "cpu": Words(
        ("CPU backend", "AVX-512 kernels", "oneDNN GEMM", "CPU KV cache", "ARM CPU support", "CPU Docker image"),
        ("is very slow", "fails to build without AVX-512", "crashes with bf16", "uses too many threads"),
        ("RuntimeError: oneDNN error: could not create a primitive", "OSError: libgomp.so.1: cannot open shared object file",
         "RuntimeError: CPU backend requires AVX512"),
        ("cpu_attention", "init_cpu_threads_env", "execute_model", "onednn_mm"),
        ("int8 weights on the CPU backend", "ARM SVE kernels", "NUMA-aware thread binding"),
        ("VLLM_CPU_KVCACHE_SPACE", "VLLM_CPU_OMP_THREADS_BIND"),
    ),
}

_GENERIC_FUNCS = ("forward", "run", "process", "load", "build", "apply", "step", "prepare")
_GENERIC_SYMPTOMS = ("fails with an unhelpful error", "crashes unexpectedly", "behaves differently than documented",
                     "is slower than expected", "returns wrong results")


def words_for(sub: Subsystem) -> Words:
    """The vocabulary of a subsystem; unknown subsystems are described by their own keywords."""
    if sub.name in _V:
        return _V[sub.name]
    kws = tuple(sub.keywords) or (sub.name,)
    return Words(
        things=tuple(f"{k} support" for k in kws),
        symptoms=_GENERIC_SYMPTOMS,
        errors=(f"RuntimeError: {kws[0]} failed", "AssertionError"),
        funcs=_GENERIC_FUNCS,
        features=tuple(f"better {k} handling" for k in kws),
        flags=("--verbose",),
    )


MODELS = (
    "meta-llama/Llama-3.1-8B-Instruct", "meta-llama/Llama-3.3-70B-Instruct", "Qwen/Qwen3-8B", "Qwen/Qwen3-30B-A3B",
    "Qwen/Qwen3-235B-A22B-Instruct-2507", "Qwen/Qwen2.5-VL-7B-Instruct", "Qwen/Qwen3-Coder-30B-A3B-Instruct",
    "deepseek-ai/DeepSeek-V3.1", "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", "mistralai/Mistral-Small-3.2-24B-Instruct-2506",
    "mistralai/Mixtral-8x7B-Instruct-v0.1", "google/gemma-3-27b-it", "google/gemma-3-4b-it", "openai/gpt-oss-20b",
    "openai/gpt-oss-120b", "microsoft/Phi-4-mini-instruct", "ibm-granite/granite-3.3-8b-instruct", "zai-org/GLM-4.5-Air",
    "facebook/opt-125m", "Qwen/Qwen3-Next-80B-A3B-Instruct", "meta-llama/Llama-4-Scout-17B-16E-Instruct",
)
# New-model requests name invented checkpoints: the simulator never impersonates a real release.
NEW_MODELS = (
    ("OrbitAI/Orbit-2-13B", "OrbitForCausalLM"), ("NovaLabs/Nova-MoE-47B-A7B", "NovaMoeForCausalLM"),
    ("helix-ai/Helix-VL-8B", "HelixVLForConditionalGeneration"), ("tinyllm/Tiny-Reasoner-1.5B", "TinyReasonerForCausalLM"),
    ("Quarkworks/Quark-32B-Instruct", "QuarkForCausalLM"), ("lumen-research/Lumen-Audio-3B", "LumenAudioForConditionalGeneration"),
    ("Borealis/Borealis-Coder-16B", "BorealisForCausalLM"), ("kestrel-ml/Kestrel-MoE-120B-A12B", "KestrelMoeForCausalLM"),
    ("sapling/Sapling-Embed-1B", "SaplingModel"), ("Meridian/Meridian-Long-14B", "MeridianForCausalLM"),
)
GPUS = ("NVIDIA H100 80GB HBM3", "NVIDIA A100-SXM4-80GB", "NVIDIA L40S", "NVIDIA GeForce RTX 4090", "NVIDIA H200",
        "NVIDIA B200", "NVIDIA A10G", "NVIDIA GeForce RTX 3090", "AMD Instinct MI300X", "NVIDIA L4")
VLLM_VERSIONS = ("0.11.0", "0.11.1", "0.11.2", "0.12.0", "0.12.1", "0.13.0", "0.13.1", "0.13.2.dev214+g5c1e9a3",
                 "0.14.0rc1", "0.13.1.dev88+gd41f2b7")
TORCH_VERSIONS = ("2.8.0+cu128", "2.9.0+cu128", "2.9.0+cu129", "2.9.1+cu130")
PY_VERSIONS = ("3.10.18", "3.11.13", "3.12.11", "3.12.12", "3.13.5")
OSES = ("Ubuntu 22.04.5 LTS (x86_64)", "Ubuntu 24.04.2 LTS (x86_64)", "Rocky Linux 9.5 (Blue Onyx) (x86_64)",
        "Debian GNU/Linux 12 (bookworm) (x86_64)", "Ubuntu 22.04.4 LTS (aarch64)")
DRIVERS = ("550.127.05", "560.35.03", "570.133.20", "575.57.08", "580.65.06")
CUDA_RT = ("12.4.131", "12.6.85", "12.8.93", "12.9.86")

FIRST_NAMES = (
    "Wei", "Jun", "Hao", "Yifan", "Xin", "Lei", "Ming", "Chen", "Yu", "Jie", "Rui", "Zhen", "Aarav", "Priya", "Rohan", "Ananya",
    "Vikram", "Sneha", "Arjun", "Kavya", "James", "Emily", "Michael", "Sarah", "David", "Laura", "Daniel", "Olivia", "Matthew",
    "Sophie", "Lucas", "Emma", "Noah", "Mia", "Ethan", "Hannah", "Min-jun", "Seo-yeon", "Ji-ho", "Hiroshi", "Yuki", "Kenta",
    "Sakura", "Tomasz", "Katarzyna", "Lukas", "Lena", "Matteo", "Giulia", "Pierre", "Camille", "Diego", "Lucia", "Mateo",
    "Ana", "Omar", "Layla", "Yusuf", "Elif", "Ivan", "Olga", "Nikolai", "Tatiana", "Kwame", "Amara", "Tunde", "Zainab",
    "Thiago", "Beatriz", "Felipe", "Isabela", "Erik", "Freya", "Lars", "Ingrid", "Mohammed", "Fatima", "Ali", "Sara", "Alex",
    "Sam", "Jordan", "Taylor", "Chris", "Robin", "Kai", "Nico", "Tianyu", "Shuai", "Zihan", "Boyang", "Yuxuan", "Haoran",
)
LAST_NAMES = (
    "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma", "Zhu", "Hu", "Guo", "Lin",
    "He", "Gao", "Luo", "Sharma", "Patel", "Gupta", "Singh", "Kumar", "Reddy", "Iyer", "Nair", "Mehta", "Rao", "Smith",
    "Johnson", "Brown", "Miller", "Davis", "Wilson", "Anderson", "Thomas", "Moore", "Martin", "Clark", "Lewis", "Walker",
    "Kim", "Lee", "Park", "Choi", "Jung", "Tanaka", "Suzuki", "Sato", "Watanabe", "Nowak", "Kowalski", "Muller", "Schmidt",
    "Schneider", "Fischer", "Rossi", "Bianchi", "Dubois", "Moreau", "Garcia", "Martinez", "Lopez", "Gonzalez", "Silva",
    "Santos", "Oliveira", "Ivanov", "Petrov", "Smirnov", "Okafor", "Mensah", "Adeyemi", "Hassan", "Yilmaz", "Demir",
    "Johansson", "Nielsen", "Larsen", "Cohen", "Levi", "Novak", "Horvat", "Costa", "Ferreira", "Nguyen", "Tran", "Pham",
)
