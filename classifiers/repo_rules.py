"""The watched repo's own label rules (mergify `pull_request_rules`, actions/labeler), read from the
stored `contents/`, so that every label the repo assigns is a subsystem we can predict.

`label_rules(files)` parses whichever of `LABEL_RULE_FILES` is stored into `LabelRule`s (a label,
the path regexes and the title regexes that add it); `repo_taxonomy(base, rules)` is the bundled
taxonomy (the hand-tuned layer, which wins where it already names a label) plus one subsystem per
label it lacks. `Rules` (classifiers.subsystem) applies the rules' titles to issues and PRs and
their paths to PRs' changed files. Pure: the caller reads the files.
"""

from __future__ import annotations

import fnmatch
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from config.watch import Subsystem, Taxonomy
from rules.github import LABEL_RULE_FILES as LABEL_RULE_FILES  # re-exported: readers of stored rules ask here
from rules.github import LABELER_PATHS, MERGIFY_PATHS

log = logging.getLogger(__name__)

_SKIP_LABELS = re.compile(r"^(?:stale|ready|needs[-_ ]rebase|unstale|keep-open|automerge)$", re.I)
_FLAGS = re.compile(r"^\(\?([aiLmsux]+)\)")


@dataclass(frozen=True)
class LabelRule:
    label: str
    paths: tuple[re.Pattern[str], ...] = ()
    titles: tuple[re.Pattern[str], ...] = ()

    def matches_title(self, title: str) -> bool:
        return any(rx.search(title) for rx in self.titles)

    def matches_path(self, path: str) -> bool:
        return any(rx.search(path) for rx in self.paths)


def _regex(text: str) -> re.Pattern[str] | None:
    try:
        return re.compile(text)
    except re.error:
        log.info("label rule regex %r is not a Python regex; skipped", text)
        return None


def _conditions(node: Any) -> Iterable[str]:
    """Every condition string under a mergify `conditions` tree (and/or/not nests flattened; `-` negations dropped)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, list):
        for x in node:
            yield from _conditions(x)
    elif isinstance(node, dict):
        for key in ("and", "or"):
            yield from _conditions(node.get(key))


def parse_mergify(text: str) -> list[LabelRule]:
    """Rules whose action adds labels: `files~=`/`files=` give paths, `title~=` titles."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        log.warning("mergify config not readable: %s", str(exc).splitlines()[0])
        return []
    rules = doc.get("pull_request_rules") if isinstance(doc, dict) else None
    out = []
    for rule in rules if isinstance(rules, list) else []:
        if not isinstance(rule, dict):
            continue
        add = (
            ((rule.get("actions") or {}).get("label") or {}).get("add")
            if isinstance(rule.get("actions"), dict)
            else None
        )
        labels = [str(lb) for lb in add or [] if isinstance(lb, str | int) and not _SKIP_LABELS.match(str(lb))]
        if not labels:
            continue
        paths: list[re.Pattern[str]] = []
        titles: list[re.Pattern[str]] = []
        for cond in _conditions(rule.get("conditions")):
            c = cond.strip()
            for prefix, target, exact in (
                ("files~=", paths, False),
                ("files=", paths, True),
                ("title~=", titles, False),
            ):
                if c.startswith(prefix):
                    value = c[len(prefix):].strip().strip("'\"")
                    rx = _regex("^" + re.escape(value) + "$" if exact else value)
                    if rx is not None:
                        target.append(rx)
        if paths or titles:
            out += [LabelRule(lb, tuple(paths), tuple(titles)) for lb in labels]
    return out


def parse_labeler(text: str) -> list[LabelRule]:
    """actions/labeler (v4 globs as a list, v5 `changed-files` / `head-branch` entries): path globs per label."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        log.warning("labeler config not readable: %s", str(exc).splitlines()[0])
        return []
    out = []
    for label, spec in (doc or {}).items() if isinstance(doc, dict) else ():
        globs = [g for g in _strings(spec) if not g.startswith("!")]
        paths = tuple(re.compile(fnmatch.translate(g).replace(r"(?s:", "(?s:^", 1)) for g in globs)
        if paths and not _SKIP_LABELS.match(str(label)):
            out.append(LabelRule(str(label), paths))
    return out


def _strings(node: Any) -> Iterable[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, list):
        for x in node:
            yield from _strings(x)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key != "head-branch" and key != "base-branch":
                yield from _strings(value)


def label_rules(files: Mapping[str, str]) -> list[LabelRule]:
    """The label rules of whichever rule files are stored (path -> text)."""
    out: list[LabelRule] = []
    for path in MERGIFY_PATHS:
        if path in files:
            out += parse_mergify(files[path])
    for path in LABELER_PATHS:
        if path in files:
            out += parse_labeler(files[path])
    return out


def repo_taxonomy(base: Taxonomy, rules: Sequence[LabelRule]) -> Taxonomy:
    """The bundled taxonomy plus a subsystem for every rule label it does not already map."""
    known = base.label_map()
    names = set(base.names)
    extra = []
    for label in dict.fromkeys(r.label for r in rules):
        low = label.lower()
        if low in known or label in names:
            continue
        extra.append(Subsystem(name=label, description=f"from the repo's own label rules ({label})", labels=(label,)))
        names.add(label)
        known[low] = label
    return base if not extra else Taxonomy(subsystems=(*base.subsystems, *extra))
