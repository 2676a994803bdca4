"""oss-scout reports: the daily digest, the 3-maintainers/5-issues shortlist, PR flow, bench jobs,
and their renderings (Markdown, CSV/JSON, Discord embeds, the chart).

Entry points (each takes a Session the caller owns, the WatchConfig, the present `now`, and for
anything that writes files an output folder):

    make_digest(session, watch, repo, now, out_dir, day=None, days=None) -> Digest        (stored, chart drawn)
    make_shortlist(session, watch, repo, now, out_dir, subsystems=()) -> Shortlist       (stored, bench jobs prepared)
    stored_shortlist(session, watch, repo, now, subsystems=()) -> Shortlist | None       (the stored one, if still current)
    latest_shortlist(session, repo) -> dict | None                                       (last stored payload)
    pr_flow(load_snapshot(session, repo, now, since, until)) -> PrFlow
    issue_card(session, watch, number, now, repo=None) -> IssueCard                      (/issue)
    maintainers_card(session, watch, subsystem, now, repo=None) -> MaintainersCard       (/maintainers)
    prepare_for_issue(session, repo, number, watch, backend, out_dir, target=None) -> BenchJobView   (/bench)
    launch(job, watch, user=..., roles=..., out_dir=...) -> LaunchResult  (no session; authorize() first)
    record(session, job.id, outcome, user) -> BenchJobView

Renderers: reports.render.markdown (digest_markdown, shortlist_markdown/csv/json, prflow_markdown),
reports.render.discord (digest_messages, shortlist_messages, issue_messages, maintainers_messages,
bench_messages, flow_messages -> list[DiscordMessage]), reports.render.chart (digest_chart).
"""

from bench import BenchJobView, BenchRefused, authorize, launch, prepare_for_issue, record
from reports.cards import IssueCard, MaintainersCard, issue_card, maintainers_card
from reports.digest import Digest, build_digest, make_digest
from reports.prflow import PrFlow, pr_flow
from reports.queries import RepoSnapshot, load_snapshot
from reports.shortlist import Shortlist, build_shortlist, latest_shortlist, make_shortlist, stored_shortlist

__all__ = [
    "BenchJobView",
    "BenchRefused",
    "Digest",
    "IssueCard",
    "MaintainersCard",
    "PrFlow",
    "RepoSnapshot",
    "Shortlist",
    "authorize",
    "build_digest",
    "build_shortlist",
    "issue_card",
    "latest_shortlist",
    "launch",
    "load_snapshot",
    "maintainers_card",
    "make_digest",
    "make_shortlist",
    "pr_flow",
    "prepare_for_issue",
    "record",
    "stored_shortlist",
]
