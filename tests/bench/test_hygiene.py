"""What a benchmark may see (an allow-list, never a secret) and what we keep of its output."""

from __future__ import annotations

from bench.hygiene import redact, redact_tree, runner_env, secret_name, secret_values


def test_runner_env_is_an_allow_list_without_secrets() -> None:
    parent = {"PATH": "/usr/bin", "HOME": "/home/x", "SCOUT_BENCH_USER": "alice", "SCOUT_GITHUB_TOKEN": "t" * 20,
              "GITHUB_TOKEN": "g" * 20, "VLLM_API_KEY": "k" * 20, "CUDA_VISIBLE_DEVICES": "1", "RANDOM_THING": "x"}
    env = runner_env(parent, {"VLLM_USE_PRECOMPILED": "1", "HF_TOKEN": "h" * 20})
    assert env == {"PATH": "/usr/bin", "HOME": "/home/x", "CUDA_VISIBLE_DEVICES": "1", "VLLM_USE_PRECOMPILED": "1",
                   "PYTHONUNBUFFERED": "1"}
    assert secret_name("SCOUT_NOW") and secret_name("db_password") and not secret_name("CUDA_HOME")


def test_redaction_of_known_values_and_credential_shapes() -> None:
    known = secret_values({"SCOUT_DISCORD_TOKEN": "abc.def.ghi-1234", "SHORT_TOKEN": "abc", "PATH": "/bin"})
    assert known == ("abc.def.ghi-1234",)
    text = ("token abc.def.ghi-1234 ghp_" + "A" * 36 + " xoxb-123456789012-abcdef Authorization: Bearer eyJhbGciOi.x.y "
            "https://user:pa55word@example.org/x hf_" + "b" * 34 + " fine text")
    out = redact(text, known)
    for leaked in ("abc.def.ghi-1234", "ghp_", "xoxb-", "eyJhbGciOi", "pa55word", "hf_b"):
        assert leaked not in out
    assert out.endswith("https://user:[redacted]@example.org/x [redacted] fine text")
    assert redact_tree({"a": ["ghp_" + "c" * 36, 3], "b": None}) == {"a": ["[redacted]", 3], "b": None}
