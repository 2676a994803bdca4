"""Runtime settings from the environment (`SCOUT_*`), pointing at the watch config file."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from config.clock import parse_utc, utcnow
from config.errors import ConfigError
from config.watch import BUNDLED_VLLM, WatchConfig, load_watch_config

DEFAULT_LOG_LEVEL = "WARNING"  # the root level when SCOUT_LOG_LEVEL is unset (chatty libraries stay quiet)


def clean_token(value: object) -> object:
    """A token as an HTTP header can carry it: surrounding whitespace (a file's trailing newline) is
    dropped, an empty one is unset, and any other space or control character is refused with a
    message that never holds the token (it would otherwise surface in a client's header error)."""
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if not isinstance(value, str):
        return value
    token = value.strip()
    if not token:
        return None
    bad = next((i for i, ch in enumerate(token) if not 0x21 <= ord(ch) <= 0x7E), None)
    if bad is not None:
        raise ValueError(f"the token has a space, control or non-ASCII character at position {bad + 1} "
                         f"of {len(token)}; a token is printable ASCII only")
    return token


class Settings(BaseSettings):
    """Where to find things. Defaults point at the real services; the sandbox is chosen by env."""

    model_config = SettingsConfigDict(env_prefix="SCOUT_", extra="ignore", frozen=True)

    config: Path = BUNDLED_VLLM
    database_url: str = "sqlite:///scout.db"
    github_api_url: str = "https://api.github.com"
    github_token: SecretStr | None = None
    discord_api_url: str = "https://discord.com/api/v10"
    discord_gateway_url: str = "wss://gateway.discord.gg"
    discord_token: SecretStr | None = None
    # Slack and Discourse (issue 15): the Slack Web API base (slack_sdk's `base_url`) and a bot token;
    # a Discourse forum's base URL, with an optional API key and the username it acts as.
    slack_api_url: str = "https://slack.com/api/"
    slack_token: SecretStr | None = None
    discourse_url: str | None = None
    discourse_api_key: SecretStr | None = None
    discourse_api_username: str | None = None
    now: datetime | None = None
    model_dir: Path = Path("models")
    output_dir: Path = Path("scout-out")
    log_level: str = DEFAULT_LOG_LEVEL
    log_json: bool = False
    # Slash commands: at most this many answers per minute for one user, and for everyone, per
    # command (a costly one allows a share of it); 0 turns a limit off (benchmarks measure latency).
    command_limit: int = Field(default=30, ge=0, le=100_000)
    command_limit_all: int = Field(default=300, ge=0, le=1_000_000)

    @field_validator("github_token", "discord_token", mode="before")
    @classmethod
    def _clean_token(cls, value: object) -> object:
        return clean_token(value)
    digest_at: str | None = None  # SCOUT_DIGEST_AT: `scout run` posts the digest at this local time (HH:MM[:SS])
    bench_user: str | None = None  # SCOUT_BENCH_USER: who `scout bench --launch` acts as (default for --as)
    bench_roles: Annotated[
        tuple[str, ...], NoDecode
    ] = ()  # SCOUT_BENCH_ROLES: comma-separated roles the CLI caller holds

    @field_validator("now", mode="before")
    @classmethod
    def _utc_now(cls, value: object) -> object:
        """Any ISO 8601 time (a trailing Z allowed), kept as tz-aware UTC."""
        if value is None or value == "":
            return None
        if isinstance(value, str | datetime):
            try:
                return parse_utc(value)
            except ValueError:
                raise ValueError(f"expected an ISO 8601 time such as 2026-11-27T00:00:00Z, got {value!r}") from None
        return value

    @field_validator("bench_roles", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(r.strip() for r in value.split(",") if r.strip())
        return value

    @cached_property
    def watch(self) -> WatchConfig:
        return load_watch_config(self.config)

    def present(self) -> datetime:
        """The replay-aware present in UTC: the clock every use case is handed."""
        return self.now if self.now is not None else utcnow()


def get_settings(**overrides: Any) -> Settings:
    """Build settings from the environment; a bad value fails with the variable it came from."""
    try:
        s = Settings(**overrides)
    except ValidationError as exc:
        parts = []
        for e in exc.errors()[:5]:
            key = "SCOUT_" + "_".join(str(p) for p in e["loc"]).upper()
            parts.append(f"{key}: {e['msg']}")
        raise ConfigError("; ".join(parts)) from None
    s.watch  # noqa: B018 - fail at start on a bad config file, not at first use
    return s
