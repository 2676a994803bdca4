"""Parse CODEOWNERS (declared owners) and place each rule in a taxonomy subsystem."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from classifiers.paths import PathMatcher, representative_path


@dataclass(frozen=True)
class OwnerRule:
    pattern: str
    owners: tuple[str, ...]
    line: int


def parse_codeowners(text: str) -> list[OwnerRule]:
    """Rules in file order. `@login` loses its `@`; teams (`@org/team`) and e-mails are kept as written.

    A rule without owners is kept: in CODEOWNERS it un-owns its paths (the last match wins).
    Section headers (`[Section]`, GitLab) and comments are skipped.
    """
    rules = []
    for no, raw in enumerate(text.splitlines(), 1):
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line or line.startswith(("[", "^[")):
            continue
        # An escaped space (`\ `) belongs to the pattern.
        parts = line.replace("\\ ", "\0").split()
        pattern = parts[0].replace("\0", " ")
        owners = tuple(p.replace("\0", " ").removeprefix("@") for p in parts[1:])
        rules.append(OwnerRule(pattern, owners, no))
    return rules


def declared_by_subsystem(rules: list[OwnerRule], taxonomy_matcher: PathMatcher) -> dict[str, list[str]]:
    """Subsystem -> declared owners (individual logins before teams, in first-seen order).

    A rule belongs to the subsystem its pattern's representative path falls in; rules outside the
    taxonomy are ignored.
    """
    out: dict[str, dict[str, None]] = defaultdict(dict)
    for r in rules:
        sub = taxonomy_matcher.match(representative_path(r.pattern))
        if sub is None:
            continue
        for o in r.owners:
            out[str(sub)][o] = None
    return {s: list(owners) for s, owners in out.items()}
