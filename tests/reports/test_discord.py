"""Discord payloads: every limit respected, clean splits, Markdown escaped, nothing that pings,
for the planted world and for random hostile text (hypothesis)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.digest import (
    ActivePerson,
    ActiveSubsystem,
    ChatIssue,
    ChatThread,
    Digest,
    GfiCandidate,
    Newcomer,
    SubsystemActivity,
)
from reports.prflow import FlowGroup, LatencyStats, PrFlow, PullBrief, StalledPull
from reports.render.discord import (
    ALLOWED_MENTIONS_NONE,
    LIMITS,
    POST_MAX,
    Section,
    digest_discord,
    digest_messages,
    embed_size,
    flow_messages,
    post_size,
    problems,
    render_sections,
    shortlist_messages,
)
from reports.render.text import cut, escape_markdown, neutralize_mentions, safe, units
from reports.shortlist import BenchLink, Shortlist, ShortlistIssue, ShortlistMaintainer, build_shortlist

PING = re.compile(r"@(everyone|here)|<@[!&]?\d+>")
T0 = datetime(2026, 11, 26, tzinfo=UTC)
T1 = T0 + timedelta(days=1)


def check(messages) -> None:
    assert messages, "at least one message"
    for m in messages:
        p = m.to_payload()
        assert problems(p) == [], problems(p)
        assert p["allowed_mentions"] == ALLOWED_MENTIONS_NONE
        assert len(p["embeds"]) <= LIMITS["embeds"]
        assert sum(embed_size(e) for e in p["embeds"]) <= LIMITS["total"]
        for e in p["embeds"]:
            assert units(e.get("title", "")) <= 256 and units(e.get("description", "")) <= 4096
            assert len(e.get("fields", [])) <= 25
            for f in e.get("fields", []):
                assert 0 < units(f["name"]) <= 256 and 0 < units(f["value"]) <= 1024
            assert units(e.get("footer", {}).get("text", "")) <= 2048
        blob = repr(p)
        assert not PING.search(p["content"])
        for e in p["embeds"]:
            for s in _strings(e):
                assert not PING.search(s), s
        assert "@everyone" not in blob and "@here" not in blob


def _strings(v):
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for x in v.values():
            yield from _strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from _strings(x)


# ----------------------------------------------------------------------------- the world


def test_world_digest_is_a_compact_post_with_the_details_and_chart_in_its_thread(world, watch, out_dir) -> None:
    from pipeline import publish_digest
    from storage.db import session_scope
    from tests.reports.world import NOW, REPO

    with session_scope(world) as s:
        d = publish_digest(s, watch, REPO, NOW, out_dir).digest
    dd = digest_discord(d)
    check([dd.post, *dd.thread])
    post = dd.post.to_payload()
    assert "attachments" not in post and dd.post.files == () and len(post["embeds"]) == 1
    (embed,) = post["embeds"]
    assert embed["title"] == "Digest · vllm-project/vllm · 2026-11-27" and post_size(dd.post) <= POST_MAX
    lines = embed["description"].split("\n")
    assert lines[0].startswith("**") and "new issues" in lines[0] and "merged" in lines[0]
    # Discord renders these in each reader's time zone
    assert lines[1] == f"<t:{int(d.since.timestamp())}:f> → <t:{int(d.until.timestamp())}:R>"
    assert any(x.startswith("✅ **Landed:** [#21](") for x in lines)
    assert lines[-1] == "Details in the thread below."
    first = dd.thread[0].to_payload()
    assert first["attachments"] == [{"id": 0, "filename": "digest-vllm-project__vllm-2026-11-27.png"}]
    assert first["embeds"][0]["image"]["url"] == "attachment://digest-vllm-project__vllm-2026-11-27.png"
    titles = [e["title"] for m in dd.thread for e in m.embeds]
    assert titles[:3] == ["Activity by subsystem", "Who is active where", "PR flow (median / p90)"]
    assert dd.thread_name == "vllm-project/vllm · 2026-11-27 · details"
    text = "\n".join(e.get("description", "") for m in dd.thread for e in m.embeds)
    assert "@\u200beveryone" in text and "\\*\\*bold\\*\\*" in text and "\\[x\\]\\(http://evil" in text
    assert str(out_dir) not in repr(dd.to_payload())  # no local path reaches Discord
    assert [m.to_payload() for m in digest_messages(d)] == [dd.post.to_payload(), *(m.to_payload() for m in dd.thread)]


def test_digest_post_welcomes_newcomers_and_shows_the_shortlist_only_when_it_changed() -> None:
    d = make_digest(["[Bug] crash on start"], ["kernel"], ["reason"])
    d = replace(d, newcomers=(Newcomer("zoe", 31, "Fix typo", "https://github.com/o/r/pull/31"),
                              Newcomer("yan", 32, "Add test", "https://github.com/o/r/pull/32")))
    post = digest_discord(d).post.embeds[0]["description"]
    assert ("👋 **Welcome** to our first-time contributors: zoe ([#31](https://github.com/o/r/pull/31)), "
            "yan ([#32](https://github.com/o/r/pull/32)). Thank you!") in post
    assert "📋 **Shortlist changed:** 1 maintainers, 1 issues (in the thread)" in post
    thread_titles = [e["title"] for m in digest_discord(d).thread for e in m.embeds]
    assert "First-time contributors" in thread_titles and "Shortlist · vllm-project/vllm (kernel)" in thread_titles
    same = digest_discord(replace(d, shortlist_changed=False))
    assert "Shortlist" not in same.post.embeds[0]["description"]
    (card,) = [e for m in same.thread for e in m.embeds if e["title"].startswith("Shortlist")]
    assert card["description"] == "unchanged since the last digest (\\`/shortlist\\` shows it)" or \
        card["description"] == "unchanged since the last digest (`/shortlist` shows it)"


def test_digest_thread_leaves_out_medians_of_one_and_local_bench_paths() -> None:
    d = make_digest([f"t{i}" for i in range(30)], ["a", "b", "c"], ["fine"])
    local = BenchLink(7, "local", "kernel", "/home/ops/scout-out/bench/job-7.json", "created")
    issues = tuple(replace(i, bench_job=local) for i in d.shortlist.issues)
    d = replace(d, shortlist=replace(d.shortlist, issues=issues))
    text = repr(digest_discord(d).to_payload())
    assert "/home/ops" not in text and "kernel on local · created · job 7" in text  # backend and job id only
    flow = next(e for m in digest_discord(d).thread for e in m.embeds if e["title"] == "PR flow (median / p90)")
    # groups of 0 or 1 PR are left out; of the rest, the 10 busiest are shown
    assert "(n=1)" not in flow["description"]
    assert "(the 10 busiest groups; 18 smaller ones left out)" in flow["description"]


def test_world_shortlist_has_maintainer_fields(snap) -> None:
    msgs = shortlist_messages(build_shortlist(snap))
    check(msgs)
    (embed,) = msgs[0].embeds
    assert [f["name"] for f in embed["fields"]] == ["alice", "gina", "dave"]
    assert embed["description"].startswith("**1.** [#1](https://github.com/vllm-project/vllm/issues/1)")


# ----------------------------------------------------------------------------- text safety


def test_neutralize_and_escape() -> None:
    s = safe("@everyone <@123> <@!4> <@&5> @here")
    assert not PING.search(s)
    assert neutralize_mentions(neutralize_mentions("@x")) == "@\u200bx"
    assert escape_markdown("# title\n- item\n> quote") == "\\# title\n\\- item\n\\> quote"
    assert safe("a\nb\u202e\x00c") == "a bc"


def test_cut_counts_utf16_and_never_leaves_a_dangling_escape() -> None:
    assert cut("😀" * 10, 5) == "😀😀…"
    assert units(cut("😀" * 10, 5)) <= 5
    assert cut("abc\\*def", 5) == "abc…"
    assert cut("short", 10) == "short"


# ----------------------------------------------------------------------------- splitting


def test_long_sections_split_at_lines_and_pack_into_messages() -> None:
    lines = tuple(f"line {i:04d} " + "x" * 180 for i in range(400))  # ~77k characters
    fields = tuple((f"f{i}", "v" * 1000) for i in range(60))
    msgs = render_sections([Section("Big", lines, fields)])
    check(msgs)
    embeds = [e for m in msgs for e in m.embeds]
    assert embeds[0]["title"] == "Big" and all(e["title"] == "Big (cont.)" for e in embeds[1:])
    got = [ln for e in embeds if "description" in e for ln in e["description"].split("\n")]
    assert got == list(lines)  # every line once, in order, none split
    assert sum(len(e.get("fields", [])) for e in embeds) == 60
    assert len(msgs) > 1


def test_oversized_line_is_cut_not_dropped() -> None:
    msgs = render_sections([Section("t", ("y" * 10000,))])
    check(msgs)
    assert msgs[0].embeds[0]["description"].endswith("…")


# ----------------------------------------------------------------------------- hostile text (property)

FRAGMENTS = ["@everyone", "@here", "<@123456789012345678>", "<@!42>", "<@&99>", "@", "<@", "**", "__", "~~", "||",
             "`", "```", "\\", "\n", "# ", "-# ", "> ", "[x](https://evil.example)", "<t:0>", "😀", "\u200b", "\u202e",
             "@\u200beveryone", "\\@everyone", "@@everyone", "<<@1>>", "ɑ", " "]
hostile = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=40)), max_size=60).map("".join)
long_hostile = st.one_of(hostile, hostile.map(lambda s: (s + "@everyone ") * 80))


def lat(n: int) -> LatencyStats:
    return LatencyStats(n, 1.5 * n if n else None, 3.0 * n if n else None)


def make_digest(titles, names, bodies) -> Digest:
    k = len(titles)
    name = lambda i: names[i % len(names)]  # noqa: E731
    body = lambda i: bodies[i % len(bodies)]  # noqa: E731
    sl = Shortlist(
        repo="vllm-project/vllm", generated_at=T1, subsystem_filter=(name(0),),
        issues=tuple(ShortlistIssue(i, f"https://github.com/o/r/issues/{i}", titles[i], (name(i),), 0.5, (body(i),),
                                    False, (name(i),), body(i), (name(i + 1),),
                                    BenchLink(i, "skypilot", name(i), body(i), "created")) for i in range(min(k, 5))),
        maintainers=tuple(ShortlistMaintainer(name(i), (name(i), name(i + 1)),
                                              {"score": 1.0, "counts": {name(i): 3}, "declared": True,
                                               "median_first_review_hours": 2.0}) for i in range(min(k, 30))),
        notes=(body(0),))
    flow = PrFlow(
        since=T0, until=T1, stall_days=3, overall=FlowGroup("all", lat(k), lat(k)),
        by_subsystem=tuple(FlowGroup(name(i), lat(i), lat(i)) for i in range(k)), by_size=(), by_author=(),
        fast=tuple(PullBrief(i, titles[i], f"https://github.com/o/r/pull/{i}", name(i), (name(i),), 10, 1.0, 2.0)
                   for i in range(k)),
        stalling=tuple(StalledPull(i, titles[i], "javascript:alert(1)", name(i), (name(i),), "review", 4.0, 5.0,
                                   (name(i), name(i + 1))) for i in range(k)))
    return Digest(
        repo="vllm-project/vllm", day="2026-11-27", since=T0, until=T1,
        activity=tuple(SubsystemActivity(name(i), i, i, i, i, i, i) for i in range(k)),
        totals=SubsystemActivity("all", k, k, k, k, k, k),
        active=tuple(ActiveSubsystem(name(i), (ActivePerson(name(i + 1), 3.0, (("approvals", 1),), True),))
                     for i in range(k)),
        flow=flow,
        gfi=tuple(GfiCandidate(i, titles[i], f"https://github.com/o/r/issues/{i}", (name(i),), 0.7, (body(i),),
                               "rising", 0.4, True, (name(i),), True, (body(i),)) for i in range(k)),
        chat=tuple(ChatThread(i, name(i), name(i + 1), 5, 2, f"https://discord.com/channels/1/{i}",
                              (ChatIssue(i, titles[i], "open", f"https://github.com/o/r/issues/{i}"),))
                   for i in range(k)),
        shortlist=sl,
        newcomers=tuple(Newcomer(name(i), 100 + i, titles[i], f"https://github.com/o/r/pull/{100 + i}")
                        for i in range(k)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    titles=st.lists(long_hostile, min_size=1, max_size=30),
    names=st.lists(hostile.filter(bool), min_size=1, max_size=5),
    bodies=st.lists(long_hostile, min_size=1, max_size=5),
)
def test_every_payload_respects_limits_and_cannot_ping(titles, names, bodies) -> None:
    d = make_digest(titles, names, bodies)
    check(digest_messages(d))
    assert post_size(digest_discord(d).post) <= POST_MAX
    check(shortlist_messages(d.shortlist))
    check(flow_messages(d.flow, names[0]))
