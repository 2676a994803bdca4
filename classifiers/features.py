"""Stateless extractors: raw issue text and thread records in, plain values out.

Real issue text is messy: issue-form templates, environment dumps, logs, stack traces, code and
non-English prose. `clean_body` separates what a reader would call the issue's words from the
machinery around it and counts the machinery (RecGFI's content features). Everything here is a
pure function of its arguments; fitted state (vocabularies, weights) lives only in the scikit-learn
pipelines of `subsystem.py` and `gfi.py`.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from storage.history import RepoData

# ------------------------------------------------------------------------------------ titles

_LEADING_TAGS = re.compile(r"^\s*((?:\[[^\]\n]{1,60}\]\s*:?\s*)+)")
_TAG = re.compile(r"\[([^\]\n]{1,60})\]")


def norm_tag(tag: str) -> str:
    """`[ CI/Build ]` -> `ci/build`; `[Spec Decode]` -> `spec decode`."""
    return " ".join(tag.strip().strip("[]:").lower().split())


def title_tags(title: str) -> list[str]:
    """Bracketed tags anywhere in a title, normalised, in order (`[Bug][ROCm]: x` -> bug, rocm)."""
    return [norm_tag(t) for t in _TAG.findall(title or "")]


def strip_title_tags(title: str) -> str:
    return _LEADING_TAGS.sub("", title or "").strip()


def tag_sets(tags: Iterable[str]) -> list[tuple[str, ...]]:
    """A taxonomy tag like `[Hardware][AMD]` as its parts, to match against a title's tag set."""
    out = []
    for t in tags:
        parts = tuple(norm_tag(p) for p in _TAG.findall(t)) or (norm_tag(t),)
        out.append(parts)
    return out


# vLLM's issue forms put a tag in the title; the same kinds appear as form headings in the body.
TEMPLATE_TAGS = {
    "bug": "bug", "feature": "feature", "feature request": "feature", "usage": "usage", "rfc": "rfc",
    "performance": "performance", "perf": "performance", "doc": "doc", "docs": "doc", "documentation": "doc",
    "installation": "installation", "new model": "new-model", "model": "new-model", "misc": "misc",
    "ci failure": "ci-failure", "roadmap": "roadmap", "help wanted": "help-wanted", "tracking issue": "tracking",
}
TEMPLATE_HEADINGS = (
    ("describe the bug", "bug"), ("the feature, motivation and pitch", "feature"),
    ("how would you like to use vllm", "usage"), ("motivation.", "rfc"), ("proposed change", "rfc"),
    ("report of performance regression", "performance"), ("proposal to improve performance", "performance"),
    ("misc discussion on performance", "performance"), ("the doc issue", "doc"), ("the model to consider", "new-model"),
    ("anything you want to discuss about vllm", "misc"), ("how you are installing vllm", "installation"),
    ("name of failing test", "ci-failure"),
)


def template_kind(title: str, body: str) -> str:
    """Which issue form was used: bug, feature, usage, rfc, performance, doc, ... or `none`."""
    for tag in title_tags(title):
        for part in re.split(r"[,/]", tag):
            kind = TEMPLATE_TAGS.get(part.strip())
            if kind:
                return kind
    low = (body or "")[:3000].lower()
    for heading, kind in TEMPLATE_HEADINGS:
        if heading in low:
            return kind
    return "none"


# ------------------------------------------------------------------------------------ bodies

_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_FENCE = re.compile(r"(^|\n)[ \t]*(```|~~~)[^\n]*\n(.*?)(\n[ \t]*\2[ \t]*(?=\n|$)|$)", re.S)
_DETAILS = re.compile(r"<details>.*?</details>", re.S | re.I)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)|<img\b[^>]*>", re.I)
_URL = re.compile(r"https?://[^\s)>\]]+")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*(.*?)\s*#*\s*$", re.M)
_CHECKBOX = re.compile(r"^\s*[-*]\s*\[[ xX]\]\s*(.*)$", re.M)
_TRACE_LINE = re.compile(
    r"Traceback \(most recent call last\)|^[ \t]*File \"[^\"\n]+\", line \d+"
    r"|^[ \t]*[\w.]*(?:Error|Exception|Exit)(?::|$)|CUDA error:|Segmentation fault|core dumped", re.M)
_LOG_LINE = re.compile(
    r"^[ \t]*(?:\(\w+[^)\n]*\)[ \t]*)?(?:\[[^\]\n]*\][ \t]*:?[ \t]*)*(?:INFO|WARNING|WARN|ERROR|DEBUG|CRITICAL)\b"
    r"|^[ \t]*\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}|^[ \t]*(?:INFO|WARNING|ERROR|DEBUG)[ \t]+\d{2}-\d{2}", re.M)
_ENV_MARK = re.compile(
    r"Collecting environment information|PyTorch version:|CUDA used to build PyTorch|Is CUDA available:"
    r"|vLLM Version:|Python platform:|GPU models and configuration:|Versions of relevant libraries", re.I)
# The same marks for lower-cased text: a case-sensitive literal alternation is ~3x faster than re.I.
_ENV_MARK_LOW = re.compile(_ENV_MARK.pattern.lower())
_PATH = re.compile(
    r"(?<![\w-])((?:vllm|csrc|tests|docs|benchmarks|examples|cmake|docker|requirements|\.buildkite|\.github)"
    r"/[\w./-]*\w)")
_BLOB_URL = re.compile(r"github\.com/[\w.-]+/[\w.-]+/(?:blob|tree)/[\w.-]+/([\w./-]*\w)")
# Names worth keeping from code: CLI flags, VLLM_* variables, exception classes, dotted module paths.
# One regex per kind, each tried only when its literal is present (the joint alternation backtracks).
_FLAG = re.compile(r"--[a-z][\w-]+")
_ENVVAR = re.compile(r"VLLM_\w+")
_EXC = re.compile(r"\b[A-Z][A-Za-z]*(?:Error|Exception)\b")
_DOTTED = re.compile(r"\b[a-z_]+\.[a-z_.]+\b")


def identifiers(code: str) -> list[str]:
    out = _FLAG.findall(code) if "--" in code else []
    if "VLLM_" in code:
        out += _ENVVAR.findall(code)
    if "Error" in code or "Exception" in code:
        out += _EXC.findall(code)
    if "." in code:
        out += _DOTTED.findall(code)
    return out


_TRACE_CUES = ("Traceback", 'File "', "Error", "Exception", "Exit", "Segmentation fault", "core dumped")
_LOG_CUES = ("INFO", "WARN", "ERROR", "DEBUG", "CRITICAL", ":")
_BOILERPLATE = re.compile(
    r"make sure you already searched|asked the chatbot|check out the documentation|"
    r"before submitting a new issue|the output of `?python collect_env\.py`?|i have searched", re.I)
_BOILER_HEADINGS = ("your current environment", "before submitting a new issue", "environment")
# Machine output found in one pass over the text (case-sensitive, so the regex engine can scan for
# literals); the case-insensitive marks are only tried on lines that contain a cue word.
_TRACE_OR_LOG = re.compile(f"(?P<trace>{_TRACE_LINE.pattern})|(?P<log>{_LOG_LINE.pattern})", re.M)
_ENV_CUES = ("environment", "version", "cuda", "platform", "gpu models", "libraries")
_BOILER_CUES = ("searched", "chatbot", "documentation", "before submitting", "collect_env")
_LETTER = re.compile(r"[^\W\d_]")
_NON_LATIN = re.compile(r"[^\x00-\u024f\s\d\W]")  # letters outside Latin scripts (CJK, Cyrillic...)
_WORD = re.compile(r"\w+", re.U)


@dataclass(slots=True)
class CleanText:
    """An issue or comment body taken apart (see module docstring)."""

    prose: str = ""
    identifiers: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    n_code_blocks: int = 0
    code_chars: int = 0
    has_traceback: bool = False
    has_log: bool = False
    has_env: bool = False
    n_urls: int = 0
    n_images: int = 0
    n_checkboxes: int = 0
    n_open_checkboxes: int = 0
    n_headings: int = 0
    non_latin_ratio: float = 0.0


def _has_env(text: str) -> bool:
    low = text.lower()
    return any(c in low for c in _ENV_CUES) and bool(_ENV_MARK_LOW.search(low))


def _may_be_machine(text: str) -> bool:
    """A cheap necessary condition for _TRACE_OR_LOG to match anywhere in `text`."""
    return any(c in text for c in _TRACE_CUES) or any(c in text for c in _LOG_CUES)


def _is_machine_text(block: str) -> tuple[bool, bool, bool]:
    logs = 0
    trace = False
    for m in (_TRACE_OR_LOG.finditer(block) if _may_be_machine(block) else ()):
        if m.lastgroup == "trace":
            trace = True
        else:
            logs += 1
        if trace and logs >= 2:
            break
    return trace, logs >= 2, _has_env(block)


def cleaned(data: RepoData, number: int) -> CleanText:
    """The cleaned body of an issue or PR of `data`, computed once per load (several models read it)."""
    memo = cast(dict[int, CleanText], data.memo.setdefault("clean", {}))
    found = memo.get(number)
    if found is None:
        found = memo[number] = clean_body(data.issues[number].body)
    return found


def clean_body(body: str, max_chars: int = 12000) -> CleanText:
    """Split a Markdown body into prose, identifiers and counts of code, logs, traces and links."""
    out = CleanText()
    text = (body or "")[:max_chars].replace("\r\n", "\n")
    # Each pass runs only when its marker is present: most bodies have no comments, images or details.
    if "<!--" in text:
        text = _HTML_COMMENT.sub(" ", text)
    has_url = "://" in text
    stripped = _URL.sub(" ", text) if has_url else text
    out.paths = ([m.group(1) for m in _BLOB_URL.finditer(text)] if has_url else []) + _PATH.findall(stripped)
    if "![" in text or "<img" in text.lower():
        out.n_images = len(_IMAGE.findall(text))
        text = _IMAGE.sub(" ", text)
    if has_url:
        out.n_urls = len(_URL.findall(text))

    def fence(m: re.Match[str]) -> str:
        code = m.group(3)
        out.n_code_blocks += 1
        out.code_chars += len(code)
        if out.n_code_blocks > 4:  # counted, not read: the first blocks say what kind of report it is
            return "\n"
        head = code[:2000]  # a block's kind and names show early; logs can run for pages
        tb, log_, env = _is_machine_text(head)
        out.has_traceback |= tb
        out.has_log |= log_
        out.has_env |= env
        if not env:
            out.identifiers.extend(identifiers(head))
        return "\n"

    if "```" in text or "~~~" in text:
        text = _FENCE.sub(fence, text)
    if "<details" in text.lower():
        for d in _DETAILS.findall(text):
            tb, log_, env = _is_machine_text(d[:4000])
            out.has_traceback |= tb
            out.has_log |= log_
            out.has_env |= env
        text = _DETAILS.sub(" ", text)
    if has_url:
        text = _URL.sub(" ", text)

    boxes = _CHECKBOX.findall(text)
    out.n_checkboxes = len(boxes)
    out.n_open_checkboxes = len(re.findall(r"^\s*[-*]\s*\[ \]", text, re.M))

    # Drop template sections that carry no words of the reporter (environment, checklists), and
    # unfenced machine output: traceback frames, log lines, env dumps.
    lines = text.split("\n")
    machine: dict[int, str] = {}
    if _may_be_machine(text) and _TRACE_OR_LOG.search(text):
        starts = list(itertools.accumulate((len(x) + 1 for x in lines), initial=0))
        for m in _TRACE_OR_LOG.finditer(text):
            machine.setdefault(bisect.bisect_right(starts, m.start()) - 1, m.lastgroup or "")
    kept: list[str] = []
    skip = False
    for i, line in enumerate(lines):
        h = _HEADING.match(line)
        if h:
            out.n_headings += 1
            title = h.group(1).strip().lower()
            skip = any(title.startswith(b) for b in _BOILER_HEADINGS)
            if any(k for k, _ in TEMPLATE_HEADINGS if k in title):
                continue
            if not skip:
                kept.append(h.group(1))
            continue
        if skip:
            continue
        kind = machine.get(i)
        if kind == "trace":
            out.has_traceback = True
            continue
        if kind == "log":
            out.has_log = True
            continue
        low = line.lower()
        if any(c in low for c in _BOILER_CUES) and _BOILERPLATE.search(line):
            continue
        if any(c in low for c in _ENV_CUES) and _ENV_MARK.search(line):
            out.has_env = True
            continue
        kept.append(line)
    prose = re.sub(r"[ \t]+", " ", "\n".join(kept))
    prose = re.sub(r"\n{2,}", "\n", prose).strip()
    out.prose = prose
    if not prose.isascii():
        letters = len(_LETTER.findall(prose))
        if letters:
            out.non_latin_ratio = len(_NON_LATIN.findall(prose)) / letters
    return out


def word_count(text: str) -> int:
    return len(_WORD.findall(text or ""))


def log1p(x: float) -> float:
    return math.log1p(max(0.0, float(x)))


def identifier_text(clean: CleanText, limit: int = 60) -> str:
    """Identifiers and paths as extra words for a bag-of-words model (`vllm/v1/core` -> `vllm v1 core`)."""
    return " ".join(clean.identifiers[:limit] + clean.paths[:limit])


def document(title: str, clean: CleanText, extra_tokens: Iterable[str] = (), max_chars: int = 3000) -> str:
    """The text a bag-of-words model reads: the title twice (it is the densest part), the prose,
    identifiers from code, and extra tokens (labels, path hints)."""
    t = strip_title_tags(title)
    parts = [t, t, clean.prose[:max_chars], identifier_text(clean), " ".join(extra_tokens)]
    return "\n".join(p for p in parts if p)


# ------------------------------------------------------------------------------------ thread cues

# How maintainers and reporters describe a small, well-scoped task (a RecGFI-style content cue).
SCOPED = re.compile(
    r"\b(?:small|tiny|simple|minor|self-contained|contained|one-line|trivial|straightforward|quick|easy)"
    r" (?:change|fix|task|patch|pr|addition|update)\b|\bone-?line(?:r)?(?: fix| change)?\b"
    r"|\bshould be (?:straightforward|easy|simple|quick|small)\b|\b(?:good|nice) place to start\b"
    r"|\brelevant code (?:is|lives) in\b|\bonly (?:`[^`]+`|\w+) (?:in `[^`]+` )?needs? to change\b"
    r"|\b(?:plus|and) a (?:unit )?test\b|\bscope is small\b|\bjust needs to be (?:exposed|added|renamed|updated)\b",
    re.I,
)
# How maintainers say a task is harder than it looks.
HARD = re.compile(
    r"\btrick(?:y|ier) than it (?:looks|seems)\b|\bnot as (?:simple|easy|straightforward) as\b"
    r"|\bneeds? (?:an? )?(?:rfc|design (?:discussion|doc|review))\b|\bdesign discussion\b"
    r"|\bhandle (?:this|it) internally\b|\b(?:larger|bigger|major) refactor\b"
    r"|\bacross (?:several|multiple|many) (?:components|files|modules)\b|\bnot (?:a )?(?:good|nice) (?:starter|first)\b"
    r"|\bharder than (?:it )?(?:looks|seems)\b|\bnon-?trivial\b|\bdeep (?:engine|internals?) knowledge\b", re.I)
# Newcomers announcing themselves.
NEWCOMER = re.compile(
    r"\bi(?:'|’)?m new (?:to|here)\b|\bnew to (?:vllm|the code ?base|this (?:project|repo))\b"
    r"|\bmy first (?:contribution|issue|pr)\b|\bfirst(?:-| )time contribut|\bbeginner\b"
    r"|\bhaven(?:'|’)?t contributed\b|\blooking for a (?:good )?first issue\b", re.I)
