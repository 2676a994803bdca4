"""The digest's chart: activity by subsystem (stacked bars) and review latency by subsystem
(median and p90 hours to first review, and to merge). matplotlib with the Agg backend, PNG."""

from __future__ import annotations

import logging
from pathlib import Path

from reports.digest import Digest
from reports.render.text import one_line

log = logging.getLogger(__name__)

MAX_SUBSYSTEMS = 12


def digest_chart(d: Digest, path: Path) -> Path:
    """Draw the chart to `path` (PNG); the folder is created. Returns the path."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    rows = list(d.activity[:MAX_SUBSYSTEMS])
    # The subsystems with the most measured PRs, busiest at the top (as in the activity panel).
    flow = sorted((g for g in d.flow.by_subsystem if g.first_review.n or g.merge.n),
                  key=lambda g: (-(g.first_review.n + g.merge.n), g.key))[:MAX_SUBSYSTEMS]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 5.5), dpi=100)
    try:
        title = one_line(f"{d.repo} · {d.day}", 120)
        fig.suptitle(f"oss-scout digest: {title}", fontsize=12)
        if rows:
            # Reviews outnumber everything else: they go in the label, not the bars.
            names = [f"{one_line(r.subsystem, 24)} · {r.reviews} rev" for r in rows][::-1]
            parts = [("new issues", [r.opened_issues for r in rows][::-1], "#4C78A8"),
                     ("new PRs", [r.opened_pulls for r in rows][::-1], "#F58518"),
                     ("merged", [r.merged_pulls for r in rows][::-1], "#54A24B"),
                     ("closed", [r.closed_issues + r.closed_pulls for r in rows][::-1], "#B279A2")]
            left = [0] * len(rows)
            for label, values, color in parts:
                ax1.barh(names, values, left=left, label=label, color=color)
                left = [a + b for a, b in zip(left, values, strict=True)]
            ax1.legend(loc="lower right", fontsize=8)
        else:
            ax1.text(0.5, 0.5, "no activity in this window", ha="center", va="center", transform=ax1.transAxes)
        ax1.set_title("Activity by subsystem")
        ax1.set_xlabel("count")
        if flow:
            names = [one_line(g.key, 24) for g in flow][::-1]
            y = list(range(len(flow)))
            h = 0.38

            def hours(vals: list[float | None]) -> list[float]:
                return [max(v, 0.1) if v is not None else 0.0 for v in vals]

            fr_med = hours([g.first_review.median_hours for g in flow][::-1])
            fr_p90 = hours([g.first_review.p90_hours for g in flow][::-1])
            m_med = hours([g.merge.median_hours for g in flow][::-1])
            m_p90 = hours([g.merge.p90_hours for g in flow][::-1])
            ax2.barh([v + h / 2 for v in y], fr_p90, height=h, color="#C6DBEF", label="first review p90")
            ax2.barh([v + h / 2 for v in y], fr_med, height=h, color="#2171B5", label="first review median")
            ax2.barh([v - h / 2 for v in y], m_p90, height=h, color="#C7E9C0", label="merge p90")
            ax2.barh([v - h / 2 for v in y], m_med, height=h, color="#238B45", label="merge median")
            ax2.set_yticks(y, names)
            ax2.set_xscale("log")  # a few stuck PRs would otherwise flatten every other bar
            ax2.legend(loc="lower right", fontsize=8)
        else:
            ax2.text(0.5, 0.5, "no reviews or merges in this window", ha="center", va="center",
                     transform=ax2.transAxes)
        ax2.set_title("Hours to first review and to merge, by subsystem")
        ax2.set_xlabel("hours (log scale)")
        fig.tight_layout()
        fig.savefig(path, format="png")
    finally:
        plt.close(fig)
    log.info("digest chart written to %s", path)
    return path
