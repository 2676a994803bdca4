"""The watch configuration (a TOML file): which repos and chat to watch, the subsystem taxonomy,
schedules, digest and bench-job settings. Unknown keys are errors, never silently ignored.

Several projects without copying: a file may `include = ["other.toml", ...]` (paths relative to
it, else the bundled config folder: `include = ["vllm.toml"]` works from anywhere); the included
files are read first and this file is laid over them: tables merge key by key,
`[[repos]]` merge by `name` (a repo named again is updated, a new one added), any other value is
replaced. Each repo inherits the defaults (taxonomy `vllm`, `[bench]`, `discord.digest_channel`)
and may override them: `taxonomy = "sglang"`, `digest_channel = "sglang-digest"`,
`[repos.bench] default_target = ..., targets.NAME = {...}`.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from config.errors import ConfigError, UnknownSubsystem

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
    # Accelerators (or platform names) the subsystem exists for, e.g. "MI300" for rocm: named in a
    # title, as strong as a title tag (a model suffix may follow: "MI300X"). Only for platforms
    # other than the default one, where naming the hardware says which code path is at fault.
    hardware: tuple[str, ...] = ()
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

    def require(self, text: str) -> str:
        """`resolve`, or UnknownSubsystem naming the nearest names or labels (one message everywhere)."""
        found = self.resolve(text)
        if found is None:
            raise UnknownSubsystem(unknown_subsystem(text.strip(), self.names, self.label_map()))
        return found


def unknown_subsystem(wanted: str, names: Sequence[str], labels: Mapping[str, str] | None = None) -> str:
    """`unknown subsystem 'kernal'; did you mean kernel?` (the nearest names or labels), else every name."""
    candidates = {n.lower(): n for n in names} | {k.lower(): v for k, v in (labels or {}).items()}
    near = [candidates[k] for k in difflib.get_close_matches(wanted.lower(), list(candidates), n=3, cutoff=0.6)]
    if near:
        return f"unknown subsystem {wanted[:80]!r}; did you mean {' or '.join(dict.fromkeys(near))}?"
    return f"unknown subsystem {wanted[:80]!r}; known: {', '.join(names)}"


class SlackSource(_Strict):
    """A Slack workspace where the repo's developers talk (read with a bot token; see `scout collect slack`)."""

    workspace: str                       # e.g. "slack.vllm.ai" (for people; the API URL is a setting)
    channels: tuple[str, ...] = ()       # empty: every channel the app can read
    github_links: dict[str, str] = Field(default_factory=dict)  # Slack user id or name -> GitHub login


class DiscourseSource(_Strict):
    """A Discourse forum about the repo (public: read without an account)."""

    url: str                             # e.g. "https://discuss.vllm.ai"
    categories: tuple[str, ...] = ()     # category slugs; empty: every category
    github_links: dict[str, str] = Field(default_factory=dict)  # Discourse username -> GitHub login

    @field_validator("url")
    @classmethod
    def _http(cls, v: str) -> str:
        if not re.fullmatch(r"https?://[^\s/]+(/[^\s]*)?", v):
            raise ValueError("expected an http(s) URL such as https://discuss.vllm.ai")
        return v.rstrip("/")


class ChatSources(_Strict):
    """The chat sources of one watched repo beside Discord; each optional."""

    slack: SlackSource | None = None
    discourse: DiscourseSource | None = None


class DiscordWatch(_Strict):
    """Which chat to read (empty lists mean every readable guild/channel) and where to post."""

    guilds: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    digest_channel: str = "oss-scout"
    # Where slash commands are registered: "guilds" (each watched guild: instant, no global
    # propagation), "global" (every server and DMs; Discord may take an hour), or "off".
    command_scope: Literal["guilds", "global", "off"] = "guilds"
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


_ACCELERATOR = r"[A-Za-z0-9_-]+(:[0-9]+)?"


class BenchMetric(_Strict):
    """What one bench command measures: `key` of the headline number in its JSON result (dots for
    nesting), what that number is, its unit, and which way is an improvement."""

    key: str
    measures: str
    unit: str
    better: Literal["higher", "lower"] = "higher"

    @field_validator("key")
    @classmethod
    def _key(cls, v: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*", v):
            raise ValueError("expected a JSON key such as output_throughput or percentiles.50")
        return v


def cpu_count(v: str | None) -> str | None:
    """A SkyPilot CPU count (`16`, or `16+` for at least 16), or None."""
    if v is not None and not re.fullmatch(r"[0-9]{1,4}\+?", v):
        raise ValueError("expected a CPU count such as 16 or 16+")
    return v


class BenchTarget(_Strict):
    """How to measure a perf change in a subsystem (see bench), and what the number means.

    `commands`, `setup` and `server` are command templates; the only placeholders are `{model}`,
    `{result}` (the JSON file a command writes), `{script}` (a script shipped in bench/scripts),
    `{op}` (one of `ops`) and `{port}` (the server's port). Issue text never reaches them.
    `server` is started before the commands (and stopped after) once `/health` answers.
    `metrics` says, for each command, which number of its JSON result is the headline and what it is.
    """

    kind: Literal["vllm-bench", "kernel-script", "torch-op", "cpu-check"] = "vllm-bench"
    commands: tuple[str, ...] = ()
    setup: tuple[str, ...] = ()
    server: str | None = None
    model: str = "facebook/opt-125m"
    gpu: str | None = "H100:1"
    cpus: str | None = None
    timeout_minutes: int = Field(default=30, gt=0)
    script: str | None = None
    ops: tuple[str, ...] = ()
    metrics: tuple[BenchMetric, ...] = ()
    repetitions: int = Field(default=3, ge=1, le=20)

    @field_validator("model")
    @classmethod
    def _model_name(cls, v: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,199}", v):
            raise ValueError("expected a model id such as facebook/opt-125m")
        return v

    @field_validator("gpu")
    @classmethod
    def _gpu(cls, v: str | None) -> str | None:
        if not v:
            return None  # TOML has no null: "" means a CPU instance
        if not re.fullmatch(_ACCELERATOR, v):
            raise ValueError("expected an accelerator such as H100:1")
        return v

    @field_validator("cpus")
    @classmethod
    def _cpus(cls, v: str | None) -> str | None:
        return cpu_count(v)

    @field_validator("script")
    @classmethod
    def _script(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"[A-Za-z0-9_-]+\.py", v):
            raise ValueError("expected the file name of a script in bench/scripts, e.g. torch_op.py")
        return v

    @model_validator(mode="after")
    def _metric_per_command(self) -> BenchTarget:
        if self.commands and len(self.metrics) != len(self.commands):
            raise ValueError(f"declare one entry in `metrics` per command ({len(self.commands)} commands, "
                             f"{len(self.metrics)} metrics): what each measures and in which unit")
        return self


class BenchHardware(_Strict):
    """The machine a subsystem's work runs on: a SkyPilot accelerator name (`MI300X:1`,
    `tpu-v6e-8`), or none for a CPU instance (`cpus`); `setup` replaces the target's install step
    with the vendor's build of the project."""

    accelerator: str | None = None
    cpus: str | None = None
    setup: tuple[str, ...] | None = None

    @field_validator("accelerator")
    @classmethod
    def _accelerator(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(_ACCELERATOR, v):
            raise ValueError("expected a SkyPilot accelerator such as MI300X:1 or tpu-v6e-8")
        return v

    @field_validator("cpus")
    @classmethod
    def _cpus(cls, v: str | None) -> str | None:
        return cpu_count(v)


class NoGpu(_Strict):
    """A subsystem no GPU can measure: why, and the CPU-only check (a target) where one makes sense."""

    reason: str
    check: str | None = None


class BenchConfig(_Strict):
    allowed_users: tuple[str, ...] = ()
    allowed_roles: tuple[str, ...] = ("maintainer",)  # names, for `scout bench --role` (the operator's word)
    # Discord: role *ids* of the servers (guild ids) whose roles count; never names, which anyone can
    # give a role in a server of their own.
    discord_guilds: tuple[str, ...] = ()
    discord_roles: tuple[str, ...] = ()
    default_backend: Literal["skypilot", "github-actions", "local"] = "skypilot"
    # The workflow the github-actions backend dispatches (shipped as bench/workflows/scout-bench.yml).
    workflow: str = "scout-bench.yml"
    targets: dict[str, BenchTarget] = Field(default_factory=dict)
    # The target for subsystems that name none (None: such issues get no bench job).
    default_target: str | None = None
    # Vendor hardware by subsystem (the first of an issue's subsystems found here wins).
    hardware: dict[str, BenchHardware] = Field(default_factory=dict)
    # Subsystems no GPU can measure; an issue only in these gets no GPU job.
    no_gpu: dict[str, NoGpu] = Field(default_factory=dict)
    # Author associations whose PRs a job measures without being named (write access).
    trusted_associations: tuple[str, ...] = ("OWNER", "MEMBER", "COLLABORATOR")
    # An issue's subsystems below this classifier confidence (all but its best) choose nothing.
    min_subsystem_confidence: float = Field(default=0.3, ge=0, le=1)
    # A before/after change smaller than this many spreads (combined, relative) is "within noise".
    noise_sigmas: float = Field(default=2.0, gt=0)

    @field_validator("discord_guilds", "discord_roles")
    @classmethod
    def _snowflakes(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        bad = [x for x in v if not (str(x).isdigit() and len(str(x)) <= 20)]
        if bad:
            raise ValueError(f"expected Discord ids (digits, e.g. '1299000000000000001'), got {bad[0]!r}")
        return tuple(str(x) for x in v)

    @model_validator(mode="after")
    def _known_targets(self) -> BenchConfig:
        if self.default_target is not None and self.default_target not in self.targets:
            raise ValueError(f"default_target {self.default_target!r} is not among bench.targets")
        for sub, ng in self.no_gpu.items():
            if ng.check is not None and ng.check not in self.targets:
                raise ValueError(f"bench.no_gpu.{sub}.check {ng.check!r} is not among bench.targets")
        return self


class RepoBench(_Strict):
    """A repo's own bench settings, laid over `[bench]`: extra or replaced targets, its default."""

    targets: dict[str, BenchTarget] = Field(default_factory=dict)
    default_target: str | None = None


class RepoWatch(_Strict):
    name: str
    enabled: bool = True
    taxonomy: str = "vllm"
    digest_channel: str | None = None  # None: discord.digest_channel
    bench: RepoBench = RepoBench()
    good_first_issue_labels: tuple[str, ...] = ("good first issue",)
    bots: tuple[str, ...] = DEFAULT_BOTS
    codeowners_paths: tuple[str, ...] = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
    chat: ChatSources = ChatSources()

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
            bench = self.bench_for(r.name)
            if bench.default_target is not None and bench.default_target not in bench.targets:
                raise ValueError(f"repo {r.name}: bench default_target {bench.default_target!r} is not among its "
                                 f"targets ({', '.join(sorted(bench.targets))})")
        return self

    def digest_channel_for(self, repo: str | None = None) -> str:
        """Where a repo's digest is posted: its own `digest_channel`, else `discord.digest_channel`."""
        return self.repo(repo).digest_channel or self.discord.digest_channel

    def bench_for(self, repo: str | None = None) -> BenchConfig:
        """`[bench]` with the repo's own targets laid over it (and its default target, if it names one)."""
        own = self.repo(repo).bench
        if not own.targets and own.default_target is None:
            return self.bench
        return self.bench.model_copy(update={
            "targets": {**self.bench.targets, **own.targets},
            "default_target": own.default_target if own.default_target is not None else self.bench.default_target})

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


MAX_INCLUDE_DEPTH = 8


def merge_config(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """`over` laid on `base`: tables merge key by key, `repos` merge by name, the rest is replaced."""
    out = dict(base)
    for key, value in over.items():
        old = out.get(key)
        if key == "repos" and isinstance(old, list) and isinstance(value, list):
            out[key] = _merge_repos(old, value)
        elif isinstance(old, dict) and isinstance(value, dict):
            out[key] = merge_config(old, value)
        else:
            out[key] = value
    return out


def _merge_repos(base: list[Any], over: list[Any]) -> list[Any]:
    """Repos by name: `over`'s in its order (each laid over the same-named base entry), then the
    base's others (so the including file decides which repo comes first, i.e. is the default)."""
    def key(r: Any) -> str | None:
        return str(r["name"]).lower() if isinstance(r, dict) and isinstance(r.get("name"), str) else None

    by_name = {key(r): r for r in base if key(r) is not None}
    out = [merge_config(by_name[key(r)], r) if key(r) in by_name else r for r in over]
    named = {key(r) for r in over}
    return out + [r for r in base if key(r) is None or key(r) not in named]


def _included(p: Path, name: str) -> Path:
    """An included file: next to the including one, else a bundled config of that name (so a copy
    of vllm.toml elsewhere, or your own `include = ["vllm.toml"]`, still finds the bundled files)."""
    here = p.parent / name
    if here.exists() or not (BUNDLED_DIR / name).is_file():
        return here
    return BUNDLED_DIR / name


def _read_toml(p: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """A config file with its `include`s resolved (relative to it; cycles and deep chains refused)."""
    if p.resolve() in seen:
        raise ConfigError(f"config file {p}: includes itself (through {' -> '.join(s.name for s in seen)})")
    if len(seen) >= MAX_INCLUDE_DEPTH:
        raise ConfigError(f"config file {p}: includes nest deeper than {MAX_INCLUDE_DEPTH}")
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        where = f" (included from {seen[-1]})" if seen else ""
        raise ConfigError(f"config file {p}: not found{where}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {p}: not valid TOML: {exc}") from exc
    include = raw.pop("include", [])
    if isinstance(include, str):
        include = [include]
    if not isinstance(include, list) or not all(isinstance(i, str) for i in include):
        raise ConfigError(f"config file {p}: key 'include': expected a list of file names (got {include!r})")
    base: dict[str, Any] = {}
    for name in include:
        base = merge_config(base, _read_toml(_included(p, name), (*seen, p.resolve())))
    return merge_config(base, raw)


def load_watch_config(path: Path | str | None = None) -> WatchConfig:
    """Read and validate a watch config (with its includes); errors name the file, the key and
    what was expected."""
    p = Path(path) if path else BUNDLED_VLLM
    raw = _read_toml(p)
    try:
        return WatchConfig.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(_describe(e) for e in exc.errors()[:5])
        raise ConfigError(f"config file {p}: {problems}") from None
