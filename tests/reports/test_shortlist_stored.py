"""A stored shortlist is served again only while it is exactly what a fresh computation would
give: same filter and options, nothing it was computed from changed, no owner crossed the
activity cutoff since; its bench jobs show their current status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, func, select, update

from bench.run import LaunchResult
from pipeline import publish_digest, refresh_shortlist
from reports.render.markdown import shortlist_csv, shortlist_json, shortlist_markdown
from reports.shortlist import Shortlist, latest_shortlist, stored_shortlist
from storage.db import session_scope
from storage.models import BenchJob, GoodFirstIssueScore, Issue, ModelVersion, OwnershipScore
from storage.models import Shortlist as ShortlistRow
from tests.reports.world import NOW, REPO


def fresh(engine: Engine, watch, out_dir: Path, now: datetime = NOW, **kw) -> Shortlist:
    with session_scope(engine) as s:
        return refresh_shortlist(s, watch, REPO, now, out_dir, store=False, prepare_bench=True, **kw)


def served(engine: Engine, watch, now: datetime = NOW, **kw) -> Shortlist | None:
    with session_scope(engine) as s:
        return stored_shortlist(s, watch, REPO, now, **kw)


def exports(sl: Shortlist) -> tuple[str, str, str]:
    return shortlist_markdown(sl), shortlist_csv(sl), shortlist_json(sl)


def test_to_dict_and_back(world: Engine, watch, out_dir: Path) -> None:
    sl = fresh(world, watch, out_dir)
    again = Shortlist.from_dict(sl.to_dict())
    assert again.to_dict() == sl.to_dict()
    assert [i.bench_job for i in again.issues] == [i.bench_job for i in sl.issues]
    assert [m.evidence for m in again.maintainers] == [m.evidence for m in sl.maintainers]


def test_stored_is_served_and_equals_a_fresh_computation(world: Engine, watch, out_dir: Path) -> None:
    assert served(world, watch) is None  # nothing stored yet
    with session_scope(world) as s:
        made = refresh_shortlist(s, watch, REPO, NOW, out_dir, prepare_bench=True)
    got = served(world, watch)
    assert got is not None
    assert got == made == fresh(world, watch, out_dir)  # exact: probabilities, evidence, bench links, time
    assert exports(got) == exports(made)
    # later, with nothing changed (no owner crosses the 30-day activity cutoff in an hour): still
    # served, dated now, and equal to what a fresh computation gives then
    later = NOW + timedelta(hours=1)
    assert served(world, watch, later) == fresh(world, watch, out_dir, later)
    assert served(world, watch, later).generated_at == later
    # a stored one from the clock's future is not served
    assert served(world, watch, NOW - timedelta(seconds=1)) is None
    # the payload read back is the export's form (the stored extras stay inside)
    with session_scope(world) as s:
        assert latest_shortlist(s, REPO) == made.to_dict()


def test_only_the_same_filter_and_options(world: Engine, watch, out_dir: Path) -> None:
    with session_scope(world) as s:
        refresh_shortlist(s, watch, REPO, NOW, out_dir, prepare_bench=True)
    assert served(world, watch, subsystems=("kernel",)) is None
    assert served(world, watch, backend="local") is None
    with session_scope(world) as s:
        kernel = refresh_shortlist(s, watch, REPO, NOW, out_dir, prepare_bench=True, subsystems=("Kernel",))
    assert (
        served(world, watch, subsystems=("kernel",)) == kernel == fresh(world, watch, out_dir, subsystems=("kernel",))
    )
    assert served(world, watch) is not None  # the unfiltered one is still there (not the newest row)
    other = watch.model_copy(update={"bench": watch.bench.model_copy(update={"workflow": "other.yml"})})
    assert served(world, other) is None  # the bench config changed


@pytest.mark.parametrize("change", ["classification", "new-models", "issue-assigned", "issue-closed", "new-issue"])
def test_a_change_since_makes_it_stale(world: Engine, watch, out_dir: Path, change: str) -> None:
    with session_scope(world) as s:
        made = refresh_shortlist(s, watch, REPO, NOW, out_dir, prepare_bench=True)
    later = NOW + timedelta(minutes=5)
    with session_scope(world) as s:
        rid = s.scalar(select(Issue.repo_id).limit(1))
        if change == "classification":  # #2 rescored lower, as a classification at `later` would
            s.execute(update(GoodFirstIssueScore).where(GoodFirstIssueScore.number == 2)
                      .values(probability=0.1, computed_at=later))
        elif change == "new-models":  # same time (a frozen clock), other models
            s.add(ModelVersion(repo=REPO, name="gfi", version="gfi-new", path="", sklearn_version="", metrics={},
                               n_train=1, created_at=NOW))
        elif change == "issue-assigned":
            s.execute(update(Issue).where(Issue.number == 1).values(assignees=[{"login": "bob"}], updated_at=later))
        elif change == "issue-closed":  # without touching updated_at: the open count tells
            s.execute(update(Issue).where(Issue.number == 1).values(state="closed"))
        else:
            s.add(Issue(id=99999, repo_id=rid, number=99, is_pull=False, title="new", body="", state="open",
                        labels=[], assignees=[], comments=0, locked=False, html_url="",
                        created_at=NOW - timedelta(days=40), updated_at=NOW - timedelta(days=40)))
    assert served(world, watch, later) is None
    if change not in ("new-models", "new-issue"):
        assert fresh(world, watch, out_dir, later).issues != made.issues


def test_maintainers_are_picked_as_of_now(world: Engine, watch, out_dir: Path) -> None:
    """Who counts as active moves with the clock: the stored issues are served, the maintainers
    picked again from the stored owners as a fresh computation at that time would."""
    with session_scope(world) as s:
        made = refresh_shortlist(s, watch, REPO, NOW, out_dir, prepare_bench=True)
        last = s.scalar(select(OwnershipScore.last_active_at).where(OwnershipScore.login == "dave",
                                                                    OwnershipScore.subsystem == "frontend"))
    assert "dave" in [m.login for m in made.maintainers]
    # dave (frontend) counts as inactive 30 days after his last activity
    for at in (last + timedelta(days=30) - timedelta(minutes=1), last + timedelta(days=30, minutes=1),
               NOW + timedelta(days=120)):
        got = served(world, watch, at)
        assert got == fresh(world, watch, out_dir, at) and got.issues == made.issues
    assert "dave" not in [m.login for m in served(world, watch, last + timedelta(days=30, minutes=1)).maintainers]


def test_bench_jobs_show_their_current_status_or_the_list_is_recomputed(world: Engine, watch, out_dir: Path) -> None:
    from bench.jobs import record

    with session_scope(world) as s:
        made = refresh_shortlist(s, watch, REPO, NOW, out_dir, prepare_bench=True)
    job_id = made.issues[0].bench_job.id
    with session_scope(world) as s:
        record(s, job_id, LaunchResult("launched", made.issues[0].bench_job.link, {"cluster": "c1"},
                                       datetime(2026, 11, 27, 1, tzinfo=UTC)), "alice")
    got = served(world, watch)
    assert got is not None and got.issues[0].bench_job.status == "launched"
    assert got == fresh(world, watch, out_dir)
    Path(made.issues[1].bench_job.link).unlink()  # its YAML is gone: a fresh computation writes it again
    assert served(world, watch) is None
    with session_scope(world) as s:
        refresh_shortlist(s, watch, REPO, NOW, out_dir, prepare_bench=True)
        s.execute(delete(BenchJob).where(BenchJob.id == job_id))
    assert served(world, watch) is None


def test_the_digest_stores_the_shortlist_it_shows(world: Engine, watch, out_dir: Path) -> None:
    with session_scope(world) as s:
        d = publish_digest(s, watch, REPO, NOW, out_dir, chart=False).digest
    with session_scope(world) as s:
        bare = refresh_shortlist(s, watch, REPO, NOW, out_dir, store=False)
        assert s.scalar(select(func.count()).select_from(ShortlistRow)) == 1
        assert s.scalar(select(func.count()).select_from(BenchJob)) == 0  # a digest asks for no bench job
    assert served(world, watch) == d.shortlist == bare


def test_the_digest_takes_the_stored_shortlist(world: Engine, watch, out_dir: Path) -> None:
    with session_scope(world) as s:
        made = refresh_shortlist(s, watch, REPO, NOW, out_dir, prepare_bench=True)
    with session_scope(world) as s:
        d = publish_digest(s, watch, REPO, NOW, out_dir, chart=False).digest
        assert s.scalar(select(func.count()).select_from(ShortlistRow)) == 1
        assert s.scalar(select(func.count()).select_from(BenchJob)) == 5
    assert d.shortlist == made
