"""A CODEOWNERS file consistent with the planted owners: the taxonomy's globs in its own order
(so "last match wins" gives the same subsystem), each with its owners and declared-but-inactive
former owners; a few single-file rules name a subset of the same owners."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from sandbox.community.paths import is_test_path

if TYPE_CHECKING:
    from sandbox.community.world import World


def codeowners(w: World) -> str:
    rnd = random.Random(f"{w.seed}:codeowners")
    lines = [
        "# See https://help.github.com/articles/about-codeowners/",
        "# for more info about CODEOWNERS file",
        "#",
        "# Rules are matched in order; the last matching rule decides who owns a file.",
        "",
    ]
    for sub in w.tax.subsystems:
        if sub.name not in w.active:
            continue
        owners = sorted(
            {p.login for p in w.owners[sub.name]} | {p.login for p in w.emeritus.get(sub.name, [])}, key=str.lower
        )
        if not owners:
            continue
        lines.append(f"# {sub.name}" + (f": {sub.description}" if sub.description else ""))
        for glob in sub.paths:
            lines.append(f"{glob} " + " ".join(f"@{o}" for o in owners))
        code = [p for p in w.pools[sub.name] if not is_test_path(p)]
        if code and len(w.owners[sub.name]) > 1 and rnd.random() < 0.5:
            path = rnd.choice(code)
            subset = sorted(rnd.sample([p.login for p in w.owners[sub.name]], 2), key=str.lower)
            lines.append(f"/{path} " + " ".join(f"@{o}" for o in subset))
        lines.append("")
    return "\n".join(lines)
