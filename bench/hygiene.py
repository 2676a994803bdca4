"""What a benchmark may see and what we keep of its output (pure).

A benchmark runs code we did not write (vLLM, its scripts, a PR), so it gets a minimal environment
built from an allow-list (never SCOUT_* settings, tokens or database URLs), and whatever it prints
is redacted before it is stored or shown: the secret values of our own environment, and anything
shaped like a credential.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from config.secrets import redact as redact_secrets
from config.secrets import secret_name

# Variables a benchmark needs to find its tools, its accelerator and its caches.
RUNNER_ENV_KEEP = frozenset({
    "PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "USER", "LOGNAME", "SHELL", "TERM",
    "VIRTUAL_ENV", "CONDA_PREFIX", "LD_LIBRARY_PATH", "CUDA_HOME", "CUDA_PATH", "ROCM_PATH",
    "CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES", "HIP_VISIBLE_DEVICES", "ROCR_VISIBLE_DEVICES",
    "TPU_VISIBLE_CHIPS", "HF_HOME", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_CACHE",
    "XDG_CACHE_HOME", "TORCH_HOME", "TRITON_CACHE_DIR", "VLLM_CACHE_ROOT", "OMP_NUM_THREADS",
})
REDACTED = "[redacted]"


def runner_env(parent: Mapping[str, str], extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a benchmark process: the allow-listed variables of `parent` and the
    target's own `NAME=value` words, never anything that looks like a secret."""
    env = {k: v for k, v in parent.items() if k in RUNNER_ENV_KEEP and not secret_name(k)}
    env.update({k: v for k, v in (extra or {}).items() if not secret_name(k)})
    env["PYTHONUNBUFFERED"] = "1"
    return env


def secret_values(environ: Mapping[str, str]) -> tuple[str, ...]:
    """The values of secret-looking variables (long enough to be worth hiding), longest first."""
    vals = {v for k, v in environ.items() if secret_name(k) and len(v) >= 6}
    return tuple(sorted(vals, key=len, reverse=True))


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with every known secret value and every credential-shaped string replaced."""
    return redact_secrets(text, secrets, REDACTED)


def redact_tree(value: object, secrets: Iterable[str] = ()) -> object:
    """`redact` applied to every string in a JSON-shaped value."""
    keep = tuple(secrets)
    if isinstance(value, str):
        return redact(value, keep)
    if isinstance(value, list):
        return [redact_tree(v, keep) for v in value]
    if isinstance(value, dict):
        return {k: redact_tree(v, keep) for k, v in value.items()}
    return value
