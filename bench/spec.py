"""A bench job's spec: which benchmark shows a perf change for an issue's subsystems, what each
command measures and in which unit, on which hardware, at which commits. Built from the config only.

Safety: the commands come from the watch config; the only values substituted into them are the
model id (validated by the config), an op name from a fixed list, a port, and paths the renderers
choose. Issue text is read for one thing only, picking an op among that fixed list, and is never
copied into a command. Commits to measure are validated refs, and a fork is a validated GitHub URL.
"""

from __future__ import annotations

import re
import string
from dataclasses import asdict, dataclass, field
from typing import Any

from config.errors import ConfigError, ReportError
from config.watch import BenchConfig, BenchHardware, BenchTarget, Taxonomy

# Placeholders the command templates may use; {result} and {script} are filled by each backend.
FILLED_AT_BUILD = frozenset({"model", "op", "port"})
FILLED_AT_RENDER = frozenset({"result", "script"})
PLACEHOLDERS = FILLED_AT_BUILD | FILLED_AT_RENDER
SERVER_PORT = 8000

# The ops the torch-op script can time, and words in an issue that point at each.
OPS: dict[str, tuple[str, ...]] = {
    "fused_moe": ("fused_moe", "fused moe", "moe", "mixture of experts", "experts", "mixtral", "topk", "routing"),
    "rms_norm": ("rms_norm", "rmsnorm", "rms norm", "layernorm", "layer norm", "layer_norm", "norm"),
    "attention": ("attention", "flash", "sdpa", "paged", "mla", "softmax", "kv cache"),
    "silu_and_mul": ("silu", "swiglu", "act_and_mul", "activation", "gelu"),
    "matmul": ("gemm", "matmul", "fp8", "int8", "w8a8", "cutlass", "marlin", "linear", "quant"),
}
SUBSYSTEM_OPS = {"kernel": "fused_moe", "attention": "attention", "quantization": "matmul", "nvidia": "matmul",
                 "rocm": "matmul", "compilation": "rms_norm"}
DEFAULT_OP = "rms_norm"

_SHA = re.compile(r"[0-9a-f]{7,40}")
_REF = re.compile(r"[A-Za-z0-9._/-]{1,200}")
_FORK = re.compile(r"https://github\.com/[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}?(?:\.git)?")


def safe_ref(ref: str) -> bool:
    """A git ref or sha that a shell and git both read as nothing but a name."""
    return bool(_SHA.fullmatch(ref) or (_REF.fullmatch(ref) and ".." not in ref and not ref.startswith(("-", "/"))
                                        and not ref.endswith((".lock", "/", "."))))


def fork_url(url: str) -> str:
    """A contributor's fork as `https://github.com/OWNER/REPO(.git)`, else ReportError."""
    if not _FORK.fullmatch(url):
        raise ReportError(f"not a GitHub repository URL: {url[:200]!r} (expected https://github.com/OWNER/REPO)")
    return url


@dataclass(frozen=True)
class Measure:
    """One commit to measure: `ref` (a branch name or a sha) in the repo, or in `remote` (a fork);
    `pull_number` when it is a PR's head."""

    label: str  # "baseline", "before" or "after"
    ref: str
    remote: str | None = None
    pull_number: int | None = None

    def __post_init__(self) -> None:
        if not safe_ref(self.ref):
            raise ReportError(f"not a safe git ref to measure: {self.ref[:200]!r}")
        if self.remote is not None:
            fork_url(self.remote)


@dataclass(frozen=True)
class Metric:
    """What one command measures: the headline number's key in its JSON result, and its unit."""

    key: str
    measures: str
    unit: str
    better: str  # "higher" or "lower"


@dataclass(frozen=True)
class BenchSpec:
    repo: str
    issue_number: int
    subsystem: str
    target: str  # "" when no benchmark is needed
    kind: str  # a target kind, or "none"
    model: str
    gpu: str | None  # a SkyPilot accelerator; None: no GPU (see no_gpu_reason / cpus)
    timeout_minutes: int
    setup: tuple[str, ...]
    commands: tuple[str, ...]
    measures: tuple[Measure, ...]
    subsystems: tuple[str, ...] = ()
    metrics: tuple[Metric, ...] = ()
    server: str | None = None
    port: int | None = None
    cpus: str | None = None
    no_gpu_reason: str | None = None
    repetitions: int = 1
    op: str | None = None
    script: str | None = None
    pull_number: int | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def needed(self) -> bool:
        """False for a change no benchmark can measure (documentation): nothing to run."""
        return bool(self.commands)

    @property
    def name(self) -> str:
        """A cluster/job name: lower-case letters, digits and dashes."""
        slug = re.sub(r"[^a-z0-9]+", "-",
                      f"scout-{self.repo.split('/')[-1]}-{self.issue_number}-{self.target or 'none'}".lower())
        return slug.strip("-")[:60]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["measures"] = [asdict(m) for m in self.measures]
        d["metrics"] = [asdict(m) for m in self.metrics]
        for k in ("setup", "commands", "notes", "subsystems"):
            d[k] = list(d[k])
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> BenchSpec:
        d = dict(d)
        d["measures"] = tuple(Measure(**m) for m in d.get("measures", ()))
        d["metrics"] = tuple(Metric(**m) for m in d.get("metrics", ()))
        for k in ("setup", "commands", "notes", "subsystems"):
            d[k] = tuple(d.get(k, ()))
        return cls(**d)


def check_template(template: str, where: str) -> None:
    """A command template may only use the known placeholders (a typo is a config error)."""
    try:
        names = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
    except ValueError as exc:
        raise ConfigError(f"{where}: bad placeholder syntax in {template!r}: {exc}") from None
    unknown = names - PLACEHOLDERS
    if unknown:
        raise ConfigError(f"{where}: unknown placeholder(s) {sorted(unknown)} in {template!r}; "
                          f"allowed: {sorted(PLACEHOLDERS)}")


def fill(template: str, **values: str) -> str:
    """Fill the build-time placeholders and keep the render-time ones as `{result}`/`{script}`."""
    keep = {k: "{" + k + "}" for k in FILLED_AT_RENDER}
    return template.format(**{**keep, **values})


def choose_op(text: str, subsystem: str, allowed: tuple[str, ...]) -> str:
    """The op an issue is about: the allowed op whose words the text mentions most, else the
    subsystem's usual op. The text only selects among fixed names; none of it is kept."""
    lowered = (text or "").lower()
    scores = {op: sum(lowered.count(w) for w in words) for op, words in OPS.items() if op in allowed}
    best = max(sorted(scores), key=lambda op: scores[op], default=None)
    if best is not None and scores[best] > 0:
        return best
    fallback = SUBSYSTEM_OPS.get(subsystem, DEFAULT_OP)
    if fallback in allowed:
        return fallback
    return allowed[0] if allowed else DEFAULT_OP


def target_for(subsystems: tuple[str, ...], taxonomy: Taxonomy, bench: BenchConfig,
               override: str | None = None) -> tuple[str, str]:
    """(subsystem, target name): the first of the issue's subsystems that names a bench target
    (vendor subsystems last), else the config's default target. "" as the target: every subsystem is one no GPU can
    measure and none has a CPU-only check."""
    if override:
        if override not in bench.targets:
            raise ReportError(f"unknown bench target {override!r} (configured: {', '.join(sorted(bench.targets))})")
        return (subsystems[0] if subsystems else "unclassified"), override
    gpu_subs = tuple(s for s in subsystems if s not in bench.no_gpu)
    if subsystems and not gpu_subs:
        for s in subsystems:
            if bench.no_gpu[s].check:
                return s, bench.no_gpu[s].check or ""
        return subsystems[0], ""
    # A vendor subsystem (ROCm, TPU, ...) picks the hardware; the other subsystems pick what to run.
    for s in sorted(gpu_subs, key=lambda s: s in bench.hardware):
        sub = taxonomy.get(s)
        if sub is not None and sub.bench:
            if sub.bench not in bench.targets:
                raise ConfigError(f"subsystem {s} names bench target {sub.bench!r}, which is not in [bench.targets]")
            return s, sub.bench
    if bench.default_target:
        return (gpu_subs[0] if gpu_subs else "unclassified"), bench.default_target
    raise ReportError(f"no bench target for subsystems {', '.join(subsystems) or '(none)'} and no "
                      "bench.default_target in the config")


def hardware_for(subsystems: tuple[str, ...], bench: BenchConfig) -> BenchHardware | None:
    """The vendor hardware of the first of the issue's subsystems that has one in `bench.hardware`."""
    return next((bench.hardware[s] for s in subsystems if s in bench.hardware), None)


def no_gpu_reason(subsystems: tuple[str, ...], bench: BenchConfig) -> str | None:
    """Why no GPU can measure this issue's change (every subsystem is in `bench.no_gpu`), or None."""
    if subsystems and all(s in bench.no_gpu for s in subsystems):
        return "; ".join(dict.fromkeys(bench.no_gpu[s].reason for s in subsystems))
    return None


def build_spec(*, repo: str, issue_number: int, subsystems: tuple[str, ...], taxonomy: Taxonomy,
               bench: BenchConfig, measures: tuple[Measure, ...], issue_text: str = "",
               target: str | None = None, pull_number: int | None = None,
               notes: tuple[str, ...] = ()) -> BenchSpec:
    """The spec for one issue (pure)."""
    if not measures:
        raise ReportError("a bench job needs at least one commit to measure")
    subsystem, name = target_for(subsystems, taxonomy, bench, target)
    reason = None if target else no_gpu_reason(subsystems, bench)
    if not name:  # nothing a benchmark can show: a spec with no commands says so
        return BenchSpec(repo=repo, issue_number=issue_number, subsystem=subsystem, target="", kind="none",
                         model="", gpu=None, timeout_minutes=0, setup=(), commands=(), measures=measures,
                         subsystems=subsystems, no_gpu_reason=reason,
                         notes=(*notes, f"no benchmark needed: {reason}"))
    t: BenchTarget = bench.targets[name]
    if not t.commands:
        raise ConfigError(f"bench target {name!r} has no commands")
    for i, c in enumerate((*t.setup, *t.commands, *((t.server,) if t.server else ()))):
        check_template(c, f"bench.targets.{name} command {i + 1}")
    op = None
    extra: list[str] = list(notes)
    if t.kind == "torch-op":
        op = choose_op(issue_text, subsystem, t.ops or tuple(OPS))
        if not t.script:
            raise ConfigError(f"bench target {name!r} is a torch-op target without a script")
        extra.append(f"times {op} with PyTorch (reference vs optimised implementation), not vLLM's own kernels")
    gpu, cpus, setup = t.gpu, t.cpus, t.setup
    hw = None if t.kind in ("torch-op", "cpu-check") or reason else hardware_for(subsystems, bench)
    if hw is not None:
        vendors = [s for s in subsystems if s in bench.hardware and bench.hardware[s] != hw]
        if vendors:  # one job runs on one machine: say what it leaves out
            extra.append(f"also about {', '.join(vendors)}: this job runs on {hw.accelerator or 'a CPU instance'} only")
        gpu, cpus = hw.accelerator, hw.cpus
        setup = hw.setup if hw.setup is not None else setup
        for i, c in enumerate(setup):
            check_template(c, f"bench.hardware setup command {i + 1}")
    if reason:
        gpu, cpus = None, cpus or "8+"
        extra.append(f"CPU-only check: {reason}")
    values = {"model": t.model, "op": op or "", "port": str(SERVER_PORT)}
    return BenchSpec(
        repo=repo, issue_number=issue_number, subsystem=subsystem, target=name, kind=t.kind, model=t.model,
        gpu=gpu, timeout_minutes=t.timeout_minutes, setup=tuple(fill(c, **values) for c in setup),
        commands=tuple(fill(c, **values) for c in t.commands), measures=measures, subsystems=subsystems,
        metrics=tuple(Metric(m.key, m.measures, m.unit, m.better) for m in t.metrics),
        server=fill(t.server, **values) if t.server else None, port=SERVER_PORT if t.server else None,
        cpus=cpus, no_gpu_reason=reason, repetitions=t.repetitions, op=op, script=t.script,
        pull_number=pull_number, notes=tuple(extra))
