"""The watch configuration (a TOML file): which repos and chat to watch, the subsystem taxonomy,
schedules, digest and bench-job settings. Unknown keys are errors, never silently ignored."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from config.errors import ConfigError

BUNDLED_DIR = Path(__file__).resolve().parent
BUNDLED_VLLM = BUNDLED_DIR / "vllm.toml"

DEFAULT_BOTS = ("mergify[bot]", "github-actions[bot]", "dependabot[bot]", "pre-commit-ci[bot]", "codecov[bot]")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Subsystem(_Strict):
    """One area of the codebase. `paths` are CODEOWNERS-style globs (the last matching rule wins)."""

    name: str
    description: str = ""
    paths: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    title_tags: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    bench: str | None = None


class Taxonomy(_Strict):
    subsystems: tuple[Subsystem, ...]

    @model_validator(mode="after")
    def _unique_names(self) -> Taxonomy:
        names = [s.name for s in self.subsystems]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"subsystem names must be unique; repeated: {', '.join(dupes)}")
        return self

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.subsystems)

    def get(self, name: str) -> Subsystem | None:
        return next((s for s in self.subsystems if s.name == name), None)

    def label_map(self) -> dict[str, str]:
        """Repo label (lower-case) -> subsystem name."""
        return {label.lower(): s.name for s in self.subsystems for label in (s.labels or (s.name,))}

    def resolve(self, text: str) -> str | None:
        """The subsystem a person means by `text`: a name or one of its labels, case-insensitive
        (the one answer for the CLI, Discord and the reports); None when there is none."""
        wanted = text.strip().lower()
        for name in self.names:
            if name.lower() == wanted:
                return name
        return self.label_map().get(wanted)


class RepoWatch(_Strict):
    name: str
    enabled: bool = True
    taxonomy: str = "vllm"
    good_first_issue_labels: tuple[str, ...] = ("good first issue",)
    bots: tuple[str, ...] = DEFAULT_BOTS
    codeowners_paths: tuple[str, ...] = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")

    @field_validator("name")
    @classmethod
    def _owner_repo(cls, v: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", v):
            raise ValueError("expected OWNER/REPO")
        return v

    @property
    def owner(self) -> str:
        return self.name.split("/", 1)[0]

    @property
    def repo(self) -> str:
        return self.name.split("/", 1)[1]


class DiscordWatch(_Strict):
    """Which chat to read (empty lists mean every readable guild/channel) and where to post."""

    guilds: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    digest_channel: str = "oss-scout"
    github_links: dict[str, str] = Field(default_factory=dict)


class DigestConfig(_Strict):
    time: str = "09:00"
    timezone: str = "UTC"
    days: int = 1

    @field_validator("time")
    @classmethod
    def _hh_mm(cls, v: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", v):
            raise ValueError("expected HH:MM (24-hour)")
        return v

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("expected an IANA time zone such as Europe/Berlin") from exc
        return v


class ScheduleConfig(_Strict):
    github_every_minutes: float = 60
    discord_every_minutes: float = 15
    retrain_every_days: float = 7
    misfire_grace_seconds: int = 3600
    stale_after_hours: float = 3


class OwnershipConfig(_Strict):
    half_life_days: float = 90
    min_actions: int = 2
    top: int = 3


class BenchTarget(_Strict):
    """How to measure a perf change in a subsystem (see bench).

    `commands` and `setup` are command templates; the only placeholders are `{model}`, `{result}`
    (the JSON file a command writes), `{script}` (a script shipped in bench/scripts) and
    `{op}` (one of `ops`). Issue text never reaches them.
    """

    kind: Literal["vllm-bench", "kernel-script", "torch-op"] = "vllm-bench"
    commands: tuple[str, ...] = ()
    setup: tuple[str, ...] = ()
    model: str = "facebook/opt-125m"
    gpu: str = "H100:1"
    timeout_minutes: int = Field(default=30, gt=0)
    script: str | None = None
    ops: tuple[str, ...] = ()

    @field_validator("model")
    @classmethod
    def _model_name(cls, v: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,199}", v):
            raise ValueError("expected a model id such as facebook/opt-125m")
        return v

    @field_validator("gpu")
    @classmethod
    def _gpu(cls, v: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_-]+(:[0-9]+)?", v):
            raise ValueError("expected an accelerator such as H100:1")
        return v

    @field_validator("script")
    @classmethod
    def _script(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"[A-Za-z0-9_-]+\.py", v):
            raise ValueError("expected the file name of a script in bench/scripts, e.g. torch_op.py")
        return v


class BenchConfig(_Strict):
    allowed_users: tuple[str, ...] = ()
    allowed_roles: tuple[str, ...] = ("maintainer",)
    default_backend: Literal["skypilot", "github-actions", "local"] = "skypilot"
    workflow: str = "bench.yml"
    targets: dict[str, BenchTarget] = Field(default_factory=dict)
    # The target for subsystems that name none (None: such issues get no bench job).
    default_target: str | None = None

    @model_validator(mode="after")
    def _known_default(self) -> BenchConfig:
        if self.default_target is not None and self.default_target not in self.targets:
            raise ValueError(f"default_target {self.default_target!r} is not among bench.targets")
        return self


class WatchConfig(_Strict):
    repos: tuple[RepoWatch, ...]
    taxonomies: dict[str, Taxonomy]
    discord: DiscordWatch = DiscordWatch()
    digest: DigestConfig = DigestConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    ownership: OwnershipConfig = OwnershipConfig()
    bench: BenchConfig = BenchConfig()

    @model_validator(mode="after")
    def _known_taxonomies(self) -> WatchConfig:
        for r in self.repos:
            if r.taxonomy not in self.taxonomies:
                raise ValueError(f"repo {r.name} names taxonomy {r.taxonomy!r}; defined: {', '.join(self.taxonomies)}")
        return self

    @property
    def enabled_repos(self) -> tuple[RepoWatch, ...]:
        return tuple(r for r in self.repos if r.enabled)

    def repo(self, name: str | None = None) -> RepoWatch:
        """The named repo, or the first enabled one."""
        if name is None:
            if not self.enabled_repos:
                raise ConfigError("no enabled repo in the watch config")
            return self.enabled_repos[0]
        for r in self.repos:
            if r.name.lower() == name.lower():
                return r
        raise ConfigError(f"repo {name!r} is not in the watch config (known: {', '.join(r.name for r in self.repos)})")

    def taxonomy_for(self, repo: str | None = None) -> Taxonomy:
        return self.taxonomies[self.repo(repo).taxonomy]


def _describe(err: ErrorDetails) -> str:
    loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
    if err["type"] == "extra_forbidden":
        return f"key {loc!r}: unknown key"
    if err["type"] == "missing":
        return f"key {loc!r}: required key is missing"
    return f"key {loc!r}: {err['msg']} (got {err.get('input')!r})"


def load_watch_config(path: Path | str | None = None) -> WatchConfig:
    """Read and validate a watch config; errors name the file, the key and what was expected."""
    p = Path(path) if path else BUNDLED_VLLM
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"config file {p}: not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {p}: not valid TOML: {exc}") from exc
    try:
        return WatchConfig.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(_describe(e) for e in exc.errors()[:5])
        raise ConfigError(f"config file {p}: {problems}") from None
