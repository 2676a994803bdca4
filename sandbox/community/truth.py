"""truth.json: every planted answer (shared/DATASET.md keys, plus extra keys for the other stages)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox.community.people import BOT, EMERITUS, MAINTAINER, NEWCOMER
from sandbox.community.util import iso

if TYPE_CHECKING:
    from sandbox.community.world import World


def build_truth(w: World, chat_links: dict[str, str], sig_channels: dict[str, str]) -> dict[str, Any]:
    open_issues = [i for i in w.issues if i.state == "open"]
    gfi = sorted(i.number for i in open_issues if i.role == "gfi")
    gfi_set = set(gfi)
    claimed = sorted(i.number for i in open_issues if i.claim_kind and i.claim_kind != "released")
    blocked = sorted(i.number for i in open_issues if i.block_kind and i.block_kind != "unblocked")
    first_pr: dict[int, int] = {}
    for pr in sorted(w.pulls, key=lambda p: p.created):
        first_pr.setdefault(pr.author.idx, pr.number)  # type: ignore[union-attr]
    newcomer_prs = sorted(
        pr.number for pr in w.pulls
        if (author := pr.author) is not None and author.kind == NEWCOMER and first_pr[author.idx] == pr.number
    )
    newcomer_set = set(newcomer_prs)
    resolved_by_newcomer = sorted(i.number for i in w.issues if i.state == "closed" and i.fixed_by is not None
                                  and i.fixed_by.merged is not None and i.fixed_by.number in newcomer_set)
    sub_labels = sorted({w.label_of(s.name) for s in w.tax.subsystems})
    return {
        "repo": w.repo,
        "subsystem_of": {str(i.number): sorted(i.subs) for i in sorted(w.items, key=lambda x: x.number) if i.subs},
        "good_first_issue": gfi,
        "not_good_first_issue": sorted(i.number for i in open_issues if i.number not in gfi_set),
        "owners": {s: sorted(p.login for p in w.owners[s]) for s in w.active},
        "claimed": claimed,
        "blocked": blocked,
        "hidden_labels": ["good first issue", "help wanted", *sub_labels],
        # ---- extra keys (not scored by `scout eval`; for tests and the other stages)
        "acknowledged": sorted(i.number for i in open_issues if i.truth.get("ack")),
        "claim_released": sorted(i.number for i in open_issues if i.claim_kind == "released"),
        "unblocked": sorted(i.number for i in open_issues if i.block_kind == "unblocked"),
        "looks_easy_not_gfi": sorted(i.number for i in open_issues if i.role == "easy_neg"),
        "history_good_first_issue": sorted(
            i.number for i in w.issues if i.state == "closed" and "good first issue" in i.labels
        ),
        "resolved_by_newcomer": resolved_by_newcomer,
        "newcomer_first_prs": newcomer_prs,
        "maintainers": sorted(p.login for p in w.pop.of(MAINTAINER)),
        "leads": sorted(p.login for p in w.leads),
        "active_non_owners": {s: [p.login] for s, p in sorted(w.shadow.items())},
        "declared_inactive_owners": {s: sorted(p.login for p in w.emeritus[s]) for s in w.active if w.emeritus.get(s)},
        "bots": sorted(p.login for p in w.pop.of(BOT)),
        "emeritus": sorted(p.login for p in w.pop.of(EMERITUS)),
        "chat_links": chat_links,
        "sig_channels": sig_channels,
        "review_speed": dict(sorted(w.sub_speed.items())),
        "window": {"since": iso(w.w0), "until": iso(w.now)},
        "active_subsystems": list(w.active),
    }
