"""The digest on the planted world: sections, windows, rising candidates, storage, chart."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from config.errors import ReportError, StorageError
from pipeline import publish_digest
from reports.digest import build_digest, digest_window
from reports.render.markdown import digest_markdown
from storage.db import session_scope
from storage.models import Digest, GoodFirstIssueScore
from tests.reports.world import NOW, REPO


def test_sections(snap) -> None:
    d = build_digest(snap, "2026-11-27")
    acts = {a.subsystem: a for a in d.activity}
    assert acts["kernel"].merged_pulls == 1 and acts["kernel"].closed_issues == 1
    assert acts["frontend"].opened_issues == 1 and acts["frontend"].reviews == 1
    assert d.totals.opened_issues == 1 and d.totals.merged_pulls == 1 and d.totals.reviews == 2
    active = {s.subsystem: s.people for s in d.active}
    alice = active["kernel"][0]
    assert alice.login == "alice" and dict(alice.counts) == {"approvals": 1, "merges": 1, "comments": 1}
    assert active["documentation"][0].login == "gina" and dict(active["documentation"][0].counts)["triage"] == 1
    assert all(p.login != "mergify[bot]" for s in d.active for p in s.people)
    # #4 is new in the window; without an earlier digest the rest are "top" (clean ones only)
    assert d.gfi[0].number == 4 and d.gfi[0].why == "new"
    assert [c.number for c in d.gfi if c.why == "top"] == [1, 2, 3, 5, 10]
    thread = d.chat[0]
    assert thread.messages == 3 and thread.authors == 2 and thread.parent == "sig-kernels"
    assert [i.number for i in thread.issues] == [1, 21] and thread.url == "https://discord.com/channels/1/101"
    assert len(d.chat) == 1  # #general had one message in the window: not a thread worth showing


def test_rising_candidates_and_claim_flags(world: Engine, watch, out_dir: Path) -> None:
    with session_scope(world) as s:
        publish_digest(s, watch, REPO, NOW - timedelta(days=1), out_dir, chart=False)
        for n, p in ((3, 0.95), (8, 0.99)):  # #3 rises; #8 rises but is assigned: shown, flagged
            s.get(GoodFirstIssueScore, (1, n)).probability = p
    with session_scope(world) as s:
        d = publish_digest(s, watch, REPO, NOW, out_dir, chart=False).digest
    rising = {c.number: c for c in d.gfi if c.why == "rising"}
    assert set(rising) == {3, 8}
    assert rising[3].previous == pytest.approx(0.8)
    assert rising[8].claimed and rising[8].claimed_by == ("henry",)
    assert "rising from 0.80" in digest_markdown(d) and "⚠ claimed by henry" in digest_markdown(d)


def test_publish_digest_stores_markdown_payload_and_chart(world: Engine, watch, out_dir: Path) -> None:
    with session_scope(world) as s:
        published = publish_digest(s, watch, REPO, NOW, out_dir)
    d = published.digest
    png = Path(d.chart_path)
    assert png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with session_scope(world) as s:
        row = s.scalars(select(Digest)).one()
    assert row.repo == REPO and row.day == "2026-11-27" and row.chart_path == str(png)
    assert row.payload["shortlist"]["issues"][0]["number"] == 1
    assert row.payload["gfi_scores"]["1"] == pytest.approx(0.9)
    md = row.markdown
    assert md == published.markdown and row.id == published.row_id
    assert len(md) >= 500
    for heading in ("What happened", "Who is active where", "PR flow", "Landing fast", "Stalling",
                    "Good first issue candidates", "Hottest chat threads", "Shortlist"):
        assert heading in md
    assert "@everyone" not in md and "<@123>" not in md


def test_windows() -> None:
    now = datetime.fromisoformat("2026-11-27T10:00:00+00:00")
    since, until, day = digest_window(now, "Europe/Berlin")
    assert (since, until, day) == (now - timedelta(days=1), now, "2026-11-27")
    since, until, day = digest_window(now, "Europe/Berlin", date(2026, 11, 25), 2)
    assert since.isoformat() == "2026-11-23T23:00:00+00:00" and until.isoformat() == "2026-11-25T23:00:00+00:00"
    assert day == "2026-11-25"
    since, until, _ = digest_window(now, "UTC", date(2026, 11, 27))
    assert until == now  # clipped at the present
    with pytest.raises(ReportError, match="has not begun"):
        digest_window(now, "UTC", date(2026, 11, 28))


def test_no_data_for_the_repo_is_a_clear_error(engine: Engine, watch, out_dir: Path) -> None:
    with session_scope(engine) as s, pytest.raises(StorageError, match="no stored data"):
        publish_digest(s, watch, REPO, NOW, out_dir)



def test_newcomers_are_first_prs_opened_in_the_window(world: Engine, watch, out_dir: Path) -> None:
    with session_scope(world) as s:
        week = publish_digest(s, watch, REPO, NOW, out_dir, days=7, chart=False, store=False).digest
        day = publish_digest(s, watch, REPO, NOW, out_dir, chart=False, store=False).digest
    # zed (#20, 5 days ago) and newbie (#26, 3 days ago) opened their first PRs this week; yuki's
    # first (#25) is 9 days old and bob is returning (#22 long ago)
    assert [(n.login, n.number) for n in week.newcomers] == [("zed", 20), ("newbie", 26)]
    assert day.newcomers == ()
    assert week.to_dict()["newcomers"][0] == {"login": "zed", "number": 20, "title": "[Scheduler] log the budget",
                                              "url": "https://github.com/vllm-project/vllm/pull/20"}


def test_shortlist_is_news_only_when_it_changed(world: Engine, watch, out_dir: Path) -> None:
    with session_scope(world) as s:
        first = publish_digest(s, watch, REPO, NOW - timedelta(days=1), out_dir, chart=False).digest
    with session_scope(world) as s:
        same = publish_digest(s, watch, REPO, NOW, out_dir, chart=False).digest
    assert first.shortlist_changed  # nothing to compare with
    assert not same.shortlist_changed and [i.number for i in same.shortlist.issues] == [1, 2, 4, 5, 10]
    before = same.shortlist.to_dict()
    before["issues"] = before["issues"][:4]  # yesterday #10 was not on it
    with session_scope(world) as s:
        from storage.read import load_snapshot

        snap = load_snapshot(s, REPO, NOW, NOW - timedelta(days=1), NOW)
    assert build_digest(snap, "2026-11-27", shortlist=same.shortlist, previous_shortlist=before).shortlist_changed
    moved = same.shortlist.to_dict() | {"generated_at": "2026-11-20T00:00:00Z"}  # only times and scores moved
    assert not build_digest(snap, "2026-11-27", shortlist=same.shortlist, previous_shortlist=moved).shortlist_changed
