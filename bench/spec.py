"""A bench job's spec: which benchmark shows a perf change for an issue's subsystem, on which
model and GPU, at which commits. Built from the config table only.

Safety: the commands come from the watch config; the only values substituted into them are the
model id (validated by the config), an op name from a fixed list, and paths the renderers choose.
Issue text is read for one thing only, picking an op among that fixed list, and is never copied
into a command.
"""

from __future__ import annotations

import re
import string
from dataclasses import asdict, dataclass, field
from typing import Any

from config.errors import ConfigError, ReportError
from config.watch import BenchConfig, BenchTarget, Taxonomy

# Placeholders the command templates may use; {result} and {script} are filled by each backend.
FILLED_AT_BUILD = frozenset({"model", "op"})
FILLED_AT_RENDER = frozenset({"result", "script"})
PLACEHOLDERS = FILLED_AT_BUILD | FILLED_AT_RENDER

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


@dataclass(frozen=True)
class Measure:
    """One commit to measure: `ref` is what gets checked out (a branch name or a sha)."""

    label: str  # "baseline", "before" or "after"
    ref: str

    def __post_init__(self) -> None:
        if not (_SHA.fullmatch(self.ref) or (_REF.fullmatch(self.ref) and ".." not in self.ref
                                             and not self.ref.startswith(("-", "/")))):
            raise ReportError(f"not a safe git ref to measure: {self.ref!r}")


@dataclass(frozen=True)
class BenchSpec:
    repo: str
    issue_number: int
    subsystem: str
    target: str
    kind: str
    model: str
    gpu: str
    timeout_minutes: int
    setup: tuple[str, ...]
    commands: tuple[str, ...]
    measures: tuple[Measure, ...]
    op: str | None = None
    script: str | None = None
    pull_number: int | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def name(self) -> str:
        """A cluster/job name: lower-case letters, digits and dashes."""
        slug = re.sub(r"[^a-z0-9]+", "-", f"scout-{self.repo.split('/')[-1]}-{self.issue_number}-{self.target}".lower())
        return slug.strip("-")[:60]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["measures"] = [asdict(m) for m in self.measures]
        for k in ("setup", "commands", "notes"):
            d[k] = list(d[k])
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> BenchSpec:
        d = dict(d)
        d["measures"] = tuple(Measure(**m) for m in d.get("measures", ()))
        for k in ("setup", "commands", "notes"):
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
    """(subsystem, target name): the first of the issue's subsystems that names a bench target,
    else the config's default target."""
    if override:
        if override not in bench.targets:
            raise ReportError(f"unknown bench target {override!r} (configured: {', '.join(sorted(bench.targets))})")
        return (subsystems[0] if subsystems else "unclassified"), override
    for s in subsystems:
        sub = taxonomy.get(s)
        if sub is not None and sub.bench:
            if sub.bench not in bench.targets:
                raise ConfigError(f"subsystem {s} names bench target {sub.bench!r}, which is not in [bench.targets]")
            return s, sub.bench
    if bench.default_target:
        return (subsystems[0] if subsystems else "unclassified"), bench.default_target
    raise ReportError(f"no bench target for subsystems {', '.join(subsystems) or '(none)'} and no "
                      "bench.default_target in the config")


def build_spec(*, repo: str, issue_number: int, subsystems: tuple[str, ...], taxonomy: Taxonomy,
               bench: BenchConfig, measures: tuple[Measure, ...], issue_text: str = "",
               target: str | None = None, pull_number: int | None = None) -> BenchSpec:
    """The spec for one issue (pure)."""
    if not measures:
        raise ReportError("a bench job needs at least one commit to measure")
    subsystem, name = target_for(subsystems, taxonomy, bench, target)
    t: BenchTarget = bench.targets[name]
    if not t.commands:
        raise ConfigError(f"bench target {name!r} has no commands")
    for i, c in enumerate((*t.setup, *t.commands)):
        check_template(c, f"bench.targets.{name} command {i + 1}")
    op = None
    notes: list[str] = []
    if t.kind == "torch-op":
        op = choose_op(issue_text, subsystem, t.ops or tuple(OPS))
        if not t.script:
            raise ConfigError(f"bench target {name!r} is a torch-op target without a script")
        notes.append(f"times {op} with PyTorch on the GPU (reference vs optimised implementation)")
    values = {"model": t.model, "op": op or ""}
    return BenchSpec(
        repo=repo, issue_number=issue_number, subsystem=subsystem, target=name, kind=t.kind, model=t.model,
        gpu=t.gpu, timeout_minutes=t.timeout_minutes, setup=tuple(fill(c, **values) for c in t.setup),
        commands=tuple(fill(c, **values) for c in t.commands), measures=measures, op=op, script=t.script,
        pull_number=pull_number, notes=tuple(notes))
