"""Publishing: the pure builders of `reports/` run on a snapshot, then what they built is stored.

A shortlist is stored when it is refreshed (after each classification, `scout shortlist`, or a
`/shortlist` that finds no current one). Its issues show the bench jobs already stored for them;
new jobs are prepared only when the caller asks (`prepare_bench`: `scout shortlist`, whose
output promises a job per issue; `/bench`, `scout bench N`), never when a list is viewed.
The digest takes the stored shortlist while it is current.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from bench.jobs import BenchLink, latest_links, prepare_for_issue
from config.errors import ReportError
from config.watch import WatchConfig
from reports.digest import Digest, build_digest, digest_window, previous_payload, previous_scores, store_digest
from reports.render.markdown import digest_markdown
from reports.shortlist import (
    Shortlist,
    build_shortlist,
    canonical_filter,
    inputs_state,
    store_shortlist,
    stored_shortlist,
    with_bench_links,
)
from storage.read import load_snapshot

log = logging.getLogger(__name__)


def refresh_shortlist(session: Session, watch: WatchConfig, repo: str | None, now: datetime, out_dir: Path,
                      subsystems: Sequence[str] = (), backend: str | None = None, *, prepare_bench: bool = False,
                      store: bool = True) -> Shortlist:
    """A fresh shortlist of `repo` (the first watched one by default), stored unless `store` is False.

    Each issue links its newest stored bench job for `backend` (the config's default); with
    `prepare_bench` a job is prepared (or reused when its spec is unchanged) for each issue."""
    rw = watch.repo(repo)
    wanted = canonical_filter(watch, rw.name, subsystems)
    backend = backend or watch.bench.default_backend
    state = inputs_state(session, rw.name) if store else None  # before the data: a change in between makes it stale
    snap = load_snapshot(session, rw.name, now, now - timedelta(days=7), now, bots=rw.bots, view="open")
    sl = build_shortlist(snap, wanted)
    numbers = [i.number for i in sl.issues]
    links: dict[int, BenchLink] = latest_links(session, snap.repo, numbers, backend)
    if prepare_bench:
        for number in numbers:
            try:
                job = prepare_for_issue(session, snap.repo, number, watch, backend, out_dir)
            except ReportError as exc:  # e.g. no target for the subsystem and no default: say so, keep going
                log.warning("no bench job for %s#%d: %s", snap.repo, number, exc)
                continue
            links[number] = job.bench_link
    sl = with_bench_links(sl, links)
    if store:
        store_shortlist(session, watch, sl, now, backend, state)
    return sl


def current_shortlist(session: Session, watch: WatchConfig, repo: str | None, now: datetime, out_dir: Path,
                      subsystems: Sequence[str] = ()) -> Shortlist:
    """The stored shortlist while it is still what a refresh would give, else a refreshed (stored)
    one; no bench job is created either way."""
    found = stored_shortlist(session, watch, repo, now, subsystems=subsystems)
    if found is not None:
        return found
    return refresh_shortlist(session, watch, repo, now, out_dir, subsystems)


@dataclass(frozen=True)
class PublishedDigest:
    """A digest as published: the value, its Markdown, and its stored row (None when not stored)."""

    digest: Digest
    markdown: str
    row_id: int | None


def publish_digest(session: Session, watch: WatchConfig, repo: str | None, now: datetime, out_dir: Path,
                   day: date | None = None, days: int | None = None, stall_days: float = 3.0, *,
                   chart: bool = True, store: bool = True, chart_path: Path | None = None,
                   shortlist: bool = True) -> PublishedDigest:
    """The digest of `repo` for a window (`digest.days` local days ending now by default) with the
    current shortlist, its chart drawn, and stored in `digests` unless `store` is False."""
    rw = watch.repo(repo)
    since, until, day_s = digest_window(now, watch.digest.timezone, day, days or watch.digest.days)
    snap = load_snapshot(session, rw.name, now, since, until, bots=rw.bots)
    sl = current_shortlist(session, watch, snap.repo, now, out_dir) if shortlist else None
    path = None
    if chart:
        path = chart_path or (out_dir / f"digest-{snap.repo.replace('/', '__')}-{day_s}.png")
    d = build_digest(snap, day_s, previous_scores(session, snap.repo, day_s), sl, stall_days,
                     str(path.resolve()) if path else None,
                     previous_shortlist=previous_payload(session, snap.repo, day_s).get("shortlist"))
    if path is not None:
        from reports.render.chart import digest_chart  # matplotlib: paid only by a digest with a chart

        digest_chart(d, path)
    markdown = digest_markdown(d)
    row_id = store_digest(session, d, markdown, now) if store else None
    log.info("digest %s %s: %d subsystems active, %d stalling PRs", snap.repo, day_s, len(d.activity),
             len(d.flow.stalling))
    return PublishedDigest(d, markdown, row_id)
