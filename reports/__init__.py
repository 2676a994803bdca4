"""oss-scout reports: pure builders of the daily digest, the 3-maintainers/5-issues shortlist, PR
flow and the /issue and /maintainers cards, and their renderings (Markdown, CSV/JSON, Discord
embeds, the chart). Builders take records read by `storage.read` and return frozen values; they
store nothing. Publishing (store the shortlist, draw and store the digest) is `pipeline.reports`;
bench jobs are `bench/` (prepared on request through `pipeline.bench`).

    build_digest(snapshot, day, previous_gfi, shortlist) -> Digest                      (pure)
    build_shortlist(snapshot, subsystems, bench_links) -> Shortlist                     (pure)
    stored_shortlist(session, watch, repo, now, subsystems=()) -> Shortlist | None      (the stored one,
                                                                                        if still current)
    latest_shortlist(session, repo) -> dict | None                                      (last stored payload)
    pr_flow(snapshot) -> PrFlow                                                         (pure)
    issue_card(session, watch, number, now, repo=None) -> IssueCard                     (/issue, reads only)
    maintainers_card(session, watch, subsystem, now, repo=None) -> MaintainersCard      (/maintainers, reads only)
    maintainers_report(session, watch, subsystem, now, repo=None) -> MaintainersReport  (scout maintainers: the
                                                                                        same owners, full evidence)

Renderers: reports.render.markdown (digest_markdown, shortlist_markdown/csv/json, prflow_markdown),
reports.render.discord (digest_messages, shortlist_messages, issue_messages, maintainers_messages,
bench_messages, flow_messages -> list[DiscordMessage]), reports.render.chart (digest_chart).
"""

from reports.cards import (
    IssueCard,
    MaintainersCard,
    MaintainersReport,
    issue_card,
    maintainers_card,
    maintainers_report,
)
from reports.digest import Digest, build_digest
from reports.prflow import PrFlow, pr_flow
from reports.shortlist import Shortlist, build_shortlist, latest_shortlist, stored_shortlist

__all__ = [
    "Digest",
    "IssueCard",
    "MaintainersCard",
    "MaintainersReport",
    "PrFlow",
    "Shortlist",
    "build_digest",
    "build_shortlist",
    "issue_card",
    "latest_shortlist",
    "maintainers_card",
    "maintainers_report",
    "pr_flow",
    "stored_shortlist",
]
