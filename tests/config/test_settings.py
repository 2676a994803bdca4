"""Settings from SCOUT_* and the watch config: defaults, overrides, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import BUNDLED_VLLM, ConfigError, get_settings, load_watch_config, utcnow
from tests.helpers import run_scout


def test_defaults_point_at_real_services_and_bundled_vllm() -> None:
    s = get_settings()
    assert s.config == BUNDLED_VLLM
    assert s.database_url == "sqlite:///scout.db"
    assert s.github_api_url == "https://api.github.com"
    assert s.github_token is None
    assert s.watch.repos[0].name == "vllm-project/vllm"
    assert [r.name for r in s.watch.enabled_repos] == ["vllm-project/vllm"]


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCOUT_DATABASE_URL", "sqlite:////tmp/x.db")
    monkeypatch.setenv("SCOUT_GITHUB_TOKEN", "ghp_secret")
    monkeypatch.setenv("SCOUT_NOW", "2026-11-27T00:00:00Z")
    s = get_settings()
    assert s.database_url == "sqlite:////tmp/x.db"
    assert s.github_token.get_secret_value() == "ghp_secret"
    assert "ghp_secret" not in repr(s)
    assert s.present().isoformat() == "2026-11-27T00:00:00+00:00"
    assert utcnow() != s.present()  # the wall clock is not pinned: only the injected present is


def test_scout_now_is_parsed_once_into_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCOUT_NOW", "2026-11-27T01:00:00+01:00")
    assert get_settings().now.isoformat() == "2026-11-27T00:00:00+00:00"
    monkeypatch.setenv("SCOUT_NOW", "yesterday")
    with pytest.raises(ConfigError, match=r"SCOUT_NOW: .*ISO 8601"):
        get_settings()


def test_bench_caller_and_log_options_come_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from config.settings import DEFAULT_LOG_LEVEL

    assert get_settings().log_level == DEFAULT_LOG_LEVEL == "WARNING"
    monkeypatch.setenv("SCOUT_BENCH_USER", "alice")
    monkeypatch.setenv("SCOUT_BENCH_ROLES", "maintainer, ci ,")
    s = get_settings()
    assert s.bench_user == "alice" and s.bench_roles == ("maintainer", "ci")


def test_vllm_taxonomy_uses_vllm_label_names() -> None:
    tax = load_watch_config().taxonomy_for("vllm-project/vllm")
    for name in ("frontend", "v1", "speculative-decoding", "structured-output", "tool-calling", "rocm", "tpu",
                 "multi-modality", "documentation", "ci/build", "kv-connector", "nvidia", "new-model", "performance"):
        assert tax.get(name) is not None, name
    assert tax.get("frontend").paths[0] == "/vllm/entrypoints/"
    assert tax.label_map()["ci/build"] == "ci/build"


@pytest.mark.parametrize(
    ("toml", "expect"),
    [
        ("repos = [{name = 'a/b', nmae = 'x'}]\n[taxonomies.vllm]\nsubsystems = []", "key 'repos.0.nmae': unknown key"),
        (
            "repos = [{name = 'not-a-repo'}]\n[taxonomies.vllm]\nsubsystems = []",
            "key 'repos.0.name': Value error, expected OWNER/REPO",
        ),
        ("repos = [{name = 'a/b'}]\n[digest]\ntime = '25:00'\n[taxonomies.vllm]\nsubsystems = []", "key 'digest.time'"),
        (
            "repos = [{name = 'a/b'}]\n[digest]\ntimezone = 'Mars/Base'\n[taxonomies.vllm]\nsubsystems = []",
            "IANA time zone",
        ),
        ("repos = [{name = 'a/b'}\n", "not valid TOML"),
        ("[taxonomies.vllm]\nsubsystems = []", "key 'repos': required key is missing"),
    ],
)
def test_bad_config_names_file_key_and_expectation(tmp_path: Path, toml: str, expect: str) -> None:
    path = tmp_path / "watch.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as err:
        load_watch_config(path)
    assert str(path) in str(err.value)
    assert expect in str(err.value)


def test_bad_config_fails_at_start_with_exit_code_2(tmp_path: Path) -> None:
    path = tmp_path / "watch.toml"
    path.write_text("repos = [{name = 'a/b', colour = 'red'}]\n[taxonomies.vllm]\nsubsystems = []\n")
    proc = run_scout("status", env={"SCOUT_CONFIG": str(path), "SCOUT_DATABASE_URL": f"sqlite:///{tmp_path}/s.db"},
                     check=False)
    assert proc.returncode == 2
    assert "repos.0.colour" in proc.stderr and "unknown key" in proc.stderr
    assert "Traceback" not in proc.stderr
