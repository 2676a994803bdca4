"""The slash commands end to end: the real discord.py bot against the Discord sandbox (serving the
generated small community's guild), answering from the same community imported, trained and
classified. Answers are checked against the simulator's planted truth (truth.json)."""

from __future__ import annotations

import csv
import io
import json
import re

from sqlalchemy import func, select

from reports.render.discord import problems
from storage.db import session_scope
from storage.models import BenchJob, ChatUser
from tests.bot.conftest import Community
from tests.helpers.bot_answers import Answer, ask, config_file, uploaded
from tests.helpers.discord_fixtures import running_bot

NEWCOMER = {"id": "1299000000000000001", "username": "newcomer_dev", "global_name": "Newcomer"}


def plain(text: str) -> str:
    """Text as shown: Markdown escapes removed."""
    return re.sub(r"\\(.)", r"\1", text)


def assert_safe(answer: Answer, *, ephemeral: bool) -> None:
    """Answered in time, private or public as stated, within limits, pinging nobody."""
    inter = answer.interaction
    assert inter.callback_after is not None and inter.callback_after < 3.0
    assert answer.messages, "no answer"
    assert (
        answer.ephemeral is ephemeral if ephemeral else not any(int(m.get("flags") or 0) & 64 for m in answer.messages)
    )
    for m in answer.messages:
        assert not m.get("mention_everyone") and m.get("mentions") == [] and m.get("mention_roles") == []
    assert "Traceback" not in answer.text and "test-bot-token" not in answer.text


def answer_problems(c: Community) -> list[str]:
    """Every message the bot answered with (callback messages and follow-ups), checked against
    Discord's limits and for anything that could ping (allowed_mentions must be none)."""
    bodies = [r["body"]["data"] for r in c.sandbox.requests_to("POST", r"/interactions/\d+/\*\*\*/callback$")
              if r["body"].get("type") == 4]
    bodies += [r["body"] for r in c.sandbox.requests_to("POST", r"/webhooks/\d+/\*\*\*$")]
    assert bodies
    return [p for b in bodies for p in problems({"content": b.get("content") or "", "embeds": b.get("embeds") or [],
                                                 "allowed_mentions": b.get("allowed_mentions")})]


async def test_maintainers_answers_with_the_planted_owners(community: Community) -> None:
    c = community
    async with running_bot(c.settings(), c.engine):
        answers = {sub: await ask(c.sandbox, "maintainers", {"subsystem": sub}) for sub in c.truth["owners"]}
        unknown = await ask(c.sandbox, "maintainers", {"subsystem": "@everyone warp-drive"})
        by_label = await ask(c.sandbox, "maintainers", {"subsystem": "ci/build", "top": 2})
    # Small data (a week of ~300 issues): the ownership scores may rank an active non-owner third,
    # so each subsystem's top person must be a planted owner and at least two of the three, and
    # four in five of all people listed.
    hits = 0
    for sub, owners in c.truth["owners"].items():
        a = answers[sub]
        assert_safe(a, ephemeral=False)
        (embed,) = a.embeds
        assert embed["title"].startswith(f"Maintainers · {sub}")
        listed = [plain(f["name"]) for f in embed["fields"]]
        assert len(listed) == 3 and listed[0] in owners and len(set(listed) & set(owners)) >= 2, (sub, listed, owners)
        assert all("score" in f["value"] for f in embed["fields"])  # with their evidence
        hits += len(set(listed) & set(owners))
    # (the strict owners P@3 >= 0.9 target is held by `scout eval` on a generated vllm-week)
    assert hits >= 0.8 * 3 * len(c.truth["owners"])
    assert_safe(unknown, ephemeral=True)
    assert "unknown subsystem" in unknown.content and "documentation" in unknown.content
    assert "@\u200beveryone" in unknown.content
    assert len(by_label.embeds[0]["fields"]) == 2
    assert answer_problems(c) == []


async def test_subsystem_and_repo_autocomplete(community: Community) -> None:
    c = community
    async with running_bot(c.settings(), c.engine):
        doc = await c.sandbox.inject_interaction("maintainers", {"subsystem": "doc"}, interaction_type=4,
                                                 focused="subsystem")
        every = await c.sandbox.inject_interaction("shortlist", {"subsystem": ""}, interaction_type=4,
                                                   focused="subsystem")
        repo = await c.sandbox.inject_interaction("issue", {"number": 1, "repo": "vllm"}, interaction_type=4,
                                                  focused="repo")
        for i in (doc, every, repo):
            await c.sandbox.wait_for_response(i)
    assert doc.callback == {"type": 8, "data": {"choices": [{"name": "documentation", "value": "documentation"}]}}
    names = [ch["value"] for ch in every.callback["data"]["choices"]]
    assert len(names) == 25 and names[:3] == ["documentation", "ci/build", "performance"]
    assert repo.callback["data"]["choices"] == [{"name": "vllm-project/vllm", "value": "vllm-project/vllm"}]


async def test_shortlist_is_private_with_three_exports_and_planted_clean_issues(community: Community) -> None:
    from config import load_watch_config
    from config.clock import parse_utc
    from pipeline import refresh_shortlist
    from storage.models import BenchJob

    c = community
    async with running_bot(c.settings(), c.engine):
        whole = await ask(c.sandbox, "shortlist")
        exports = {n: uploaded(c.sandbox, n) for n in whole.files}
        docs = await ask(c.sandbox, "shortlist", {"subsystem": "Documentation"})
        docs_json = json.loads(uploaded(c.sandbox, next(n for n in docs.files if n.endswith(".json"))))
    assert whole.deferred and whole.interaction.callback == {"type": 5, "data": {"flags": 64}}
    assert_safe(whole, ephemeral=True)
    assert whole.files == ["shortlist-vllm-project-vllm.md", "shortlist-vllm-project-vllm.csv",
                           "shortlist-vllm-project-vllm.json"]
    assert c.sandbox.posted() == []  # private: nothing landed in a channel
    sl = json.loads(exports["shortlist-vllm-project-vllm.json"])
    numbers = [i["number"] for i in sl["issues"]]
    logins = [m["login"] for m in sl["maintainers"]]
    assert len(numbers) == 5 and len(logins) == 3
    # Against the planted truth: never a claimed or blocked issue; the owners are planted owners of
    # the listed issues' subsystems; planted clean good first issues among the five. (Small data: the
    # GFI model, trained on ~300 issues, also ranks some planted look-alikes high, so the check asks
    # for two planted ones, not five; the bot's faithfulness to the report stage is checked exactly.)
    taken = set(c.truth["claimed"]) | set(c.truth["blocked"])
    assert not taken & set(numbers)
    planted = set(c.truth["good_first_issue"]) - taken
    assert len(planted & set(numbers)) >= 2, (numbers, planted)
    owners = {o for i in sl["issues"] for s in i["subsystems"] for o in c.truth["owners"].get(s, [])}
    assert set(logins) <= owners
    assert [i["bench_job"] for i in sl["issues"]] == [None] * 5  # viewing a list asks for no bench job
    with session_scope(c.engine) as s:
        assert s.scalar(select(func.count()).select_from(BenchJob)) == 0
    # The three exports and the embeds say the same thing.
    rows = list(csv.DictReader(io.StringIO(exports["shortlist-vllm-project-vllm.csv"].decode())))
    assert [int(r["number"]) for r in rows if r["kind"] == "issue"] == numbers
    md = exports["shortlist-vllm-project-vllm.md"].decode()
    assert all(f"#{n}" in md for n in numbers) and all(plain(login) in plain(md) for login in logins)
    assert all(f"#{n}" in whole.text for n in numbers) and all(login in plain(whole.text) for login in logins)
    # Exactly what the report stage computes for the same database.
    with session_scope(c.engine) as s:
        want = refresh_shortlist(s, load_watch_config(), None, parse_utc(c.now), c.tmp / "o", store=False)
    assert numbers == [i.number for i in want.issues] and logins == [m.login for m in want.maintainers]
    # Narrowed to a subsystem (named in another case): only its issues.
    assert docs_json["subsystem_filter"] == ["documentation"]
    assert docs_json["issues"] and all("documentation" in i["subsystems"] for i in docs_json["issues"])
    assert docs.ephemeral and len(docs.files) == 3
    assert answer_problems(c) == []


async def test_issue_says_claimed_blocked_or_free_as_planted(community: Community) -> None:
    c = community
    claimed, blocked = c.truth["claimed"], c.truth["blocked"]
    clean = sorted(set(c.truth["good_first_issue"]) - set(claimed) - set(blocked))
    async with running_bot(c.settings(), c.engine):
        answers = {n: await ask(c.sandbox, "issue", {"number": n}) for n in [*claimed, *blocked, *clean]}
        missing = await ask(c.sandbox, "issue", {"number": 999999})
    for a in answers.values():
        assert_safe(a, ephemeral=False)
        assert len(a.embeds) == 1 and a.embeds[0]["title"].startswith("Issue #")
    said_claimed = [n for n in claimed if "**claimed**" in answers[n].content]
    said_blocked = [n for n in blocked if "**blocked**" in answers[n].content]
    # Small data: the simulator may plant a claim whose evidence (e.g. the PR) falls outside what it
    # writes; at most one planted claim may go unseen, and nothing unplanted is called claimed.
    assert len(said_claimed) >= len(claimed) - 1, said_claimed
    assert said_blocked == blocked
    for n in clean:
        text = answers[n].content
        assert "**claimed**" not in text and "**blocked**" not in text
        assert "open and free" in text
    # Probability, reasons, owners ("who to ask") and the issue's subsystem are all there, when the
    # subsystem guess reaches the listing threshold; a weaker guess is not shown and sends nobody.
    from classifiers.thresholds import LISTED_SUBSYSTEM_CONFIDENCE
    from storage.models import SubsystemLabel

    with session_scope(c.engine) as s:
        best = {n: max((float(g["confidence"]) for g in subs), default=0.0) for n, subs in
                s.execute(select(SubsystemLabel.number, SubsystemLabel.subsystems)
                          .where(SubsystemLabel.number.in_(clean)))}
    sure = [n for n in clean if best.get(n, 0.0) >= LISTED_SUBSYSTEM_CONFIDENCE]
    assert len(sure) >= len(clean) - 1, best
    for n in clean:
        a = answers[n]
        assert re.search(r"good-first-issue probability \*\*0\.\d\d\*\*", a.embeds[0]["description"])
        if n in sure:
            assert c.truth["subsystem_of"][str(n)][0] in a.embeds[0]["description"]
            assert "ask " in a.content and a.embeds[0].get("fields")
        else:
            assert "unclassified" in a.embeds[0]["description"] and "ask " not in a.content
    assert_safe(missing, ephemeral=True)
    assert "#999999 is not stored" in missing.content
    assert answer_problems(c) == []


async def test_issue_shows_its_bench_job_once_created(community: Community) -> None:
    c = community
    n = sorted(set(c.truth["good_first_issue"]) - set(c.truth["claimed"]) - set(c.truth["blocked"]))[0]
    role = await c.sandbox.add_role("maintainer")
    cfg = config_file(c.tmp / "watch.toml", discord_guilds=[str(c.sandbox.store.guild_id)], discord_roles=[role["id"]])
    async with running_bot(c.settings(cfg), c.engine):
        before = await ask(c.sandbox, "issue", {"number": n})
        made = await ask(c.sandbox, "bench", {"issue": n}, roles=[role["id"]])
        after = await ask(c.sandbox, "issue", {"number": n})
    assert f"no bench job yet (`/bench issue:{n}`)" in before.content
    job_id = re.search(r"Bench job \*\*(\d+)\*\*", made.content).group(1)
    assert f"bench job {job_id} (" in after.content and f"job {job_id}" in after.embeds[0]["description"]


async def test_digest_now_is_private_with_the_chart_in_pages_only_the_asker_turns(community: Community) -> None:
    from storage.models import Digest

    c = community
    async with running_bot(c.settings(), c.engine):
        a = await ask(c.sandbox, "digest")
        (msg,) = a.messages
        buttons = [b for row in msg["components"] for b in row["components"]]
        pages = int(buttons[1]["label"].split(" / ")[1])
        shown = {k: v for k, v in msg.items() if k != "files"}
        turned = await c.sandbox.inject_component(shown, buttons[2]["custom_id"])  # ▶, by the asker
        await c.sandbox.wait_for_response(turned)
        stranger = await c.sandbox.inject_component(shown, buttons[2]["custom_id"], user=NEWCOMER)
        await c.sandbox.wait_for_response(stranger)
    assert a.deferred
    assert_safe(a, ephemeral=True)
    (chart,) = a.files
    assert chart.endswith(".png") and uploaded(c.sandbox, chart).startswith(b"\x89PNG")
    # the compact post first, then the details; the chart shows on the details' first embed
    assert a.embeds[0]["title"].startswith("Digest · vllm-project/vllm · 2026-11-27")
    assert a.embeds[1]["title"] == "Activity by subsystem" and a.embeds[1]["image"]["url"].endswith(chart)
    # one message with ◀ 1/N ▶ instead of a wall of follow-ups; ◀ is greyed out on the first page
    assert [b["label"] for b in buttons] == ["◀", f"1 / {pages}", "▶"] and pages >= 2
    assert buttons[0]["disabled"] and buttons[1]["disabled"] and not buttons[2].get("disabled", False)
    assert turned.callback["type"] == 7  # the same message, edited in place
    page2 = turned.original["embeds"]
    assert page2 and page2[0]["title"] != a.embeds[0]["title"]
    labels = [b["label"] for row in turned.original["components"] for b in row["components"]]
    assert labels == ["◀", f"2 / {pages}", "▶"]
    titles = [e["title"] for e in a.embeds + page2]
    assert {"Who is active where", "Good first issue candidates"} & set(titles)
    # someone else pressing gets a private note, and the page does not move
    assert stranger.callback["type"] == 4 and stranger.ephemeral
    assert stranger.original["content"] == "Only the person who asked can turn these pages."
    assert c.sandbox.posted() == []
    with session_scope(c.engine) as s:
        assert s.scalar(select(func.count()).select_from(Digest)) == 0  # shown, not stored
    assert answer_problems(c) == []


async def test_bench_only_for_allowed_role_ids_and_trusted_logins(community: Community) -> None:
    c = community
    role = await c.sandbox.add_role("maintainer")  # the server's real role: its id is what counts
    guesser = {"id": "1299000000000000002", "username": "emma_zhu_fan", "global_name": "x"}
    verified = {"id": "1299000000000000003", "username": "someone", "global_name": None}
    mapped = {"id": "1299000000000000004", "username": "gh_mapped_user", "global_name": None}
    named_like_id = {"id": "1299000000000000005", "username": "1299000000000000004", "global_name": None}
    by_name = {"id": "1299000000000000006", "username": "name_keyed", "global_name": None}
    cfg = config_file(c.tmp / "watch.toml", allowed_users=["emma_zhu", f"discord:{NEWCOMER['id']}"],
                      github_links={mapped["id"]: "emma_zhu", "name_keyed": "emma_zhu"},
                      discord_guilds=[str(c.sandbox.store.guild_id)], discord_roles=[role["id"]])
    n = c.truth["good_first_issue"][0]
    with session_scope(c.engine) as s:  # a guessed link to an allowed login, and a verified one
        s.add(ChatUser(id=int(guesser["id"]), username=guesser["username"], github_login="emma_zhu",
                       link_source="guess-handle"))
        s.add(ChatUser(id=int(verified["id"]), username=verified["username"], github_login="emma_zhu",
                       link_source="verified"))

    def jobs() -> list[tuple[int, str]]:
        with session_scope(c.engine) as s:
            return [(j.issue_number, j.requested_by) for j in s.scalars(select(BenchJob).order_by(BenchJob.id))]

    async with running_bot(c.settings(cfg), c.engine):
        refused = [await ask(c.sandbox, "bench", {"issue": n}, user=u, roles=r)
                   for u, r in ((None, []), (guesser, ["contributor"]), (None, ["Maintainer"]), (None, ["maintainer "]),
                                (named_like_id, []), (by_name, []))]
        assert jobs() == []
        by_role = await ask(c.sandbox, "bench", {"issue": n, "backend": "github-actions"}, roles=[role["id"]])
        # (the issue may be documentation-only, which needs no benchmark: name a target to get a job to run)
        by_link = await ask(c.sandbox, "bench", {"issue": n, "target": "engine"}, user=verified)
        by_config = await ask(c.sandbox, "bench", {"issue": n, "backend": "local"}, user=mapped)
        by_id = await ask(c.sandbox, "bench", {"issue": n, "target": "engine"}, user=NEWCOMER)
        bad_target = await ask(c.sandbox, "bench", {"issue": n, "target": "warp"}, roles=[role["id"]])
        missing = await ask(c.sandbox, "bench", {"issue": 999999}, roles=[role["id"]])
    for a in refused:  # no role *named* maintainer, no username that looks like an id, no name-keyed link
        assert_safe(a, ephemeral=True)
        assert a.content.startswith("You may not create bench jobs") and "bench.discord_roles" in a.content
    assert "link it first with `/link`" in refused[0].content
    for a, ext in ((by_role, "json"), (by_link, "yaml"), (by_config, "json"), (by_id, "yaml")):
        assert_safe(a, ephemeral=True)
        assert a.content.startswith("Bench job **") and a.files and a.files[0].endswith(f".{ext}")
        assert a.embeds[0]["title"].startswith("Bench job ")
    assert "requested by emma\\_zhu" in by_link.content
    skypilot = uploaded(c.sandbox, by_link.files[0]).decode()
    assert "run:" in skypilot and "resources:" in skypilot
    role_holder = by_role.interaction.payload["member"]["user"]["id"]
    # One job per issue, backend and spec (asking again returns it); who asked first is recorded.
    assert jobs() == [(n, f"discord:{role_holder}"), (n, "emma_zhu"), (n, "emma_zhu")]
    assert f"requested by discord:{NEWCOMER['id']}" in by_id.content
    assert_safe(bad_target, ephemeral=True)
    assert "unknown bench target 'warp'" in bad_target.content
    assert "#999999 is not stored" in missing.content
    assert answer_problems(c) == []


async def test_no_data_yet_is_said_clearly(community: Community, unjudged_small_db: str, tmp_path) -> None:
    from storage.db import make_engine, upgrade

    c = community
    c.db_url = unjudged_small_db
    eng = make_engine(unjudged_small_db)
    try:
        async with running_bot(c.settings(), eng):
            answers = [await ask(c.sandbox, name, opts) for name, opts in
                       (("maintainers", {"subsystem": "kernel"}), ("issue", {"number": 41883}), ("shortlist", None))]
            digest = await ask(c.sandbox, "digest")
    finally:
        eng.dispose()
    for a in answers:
        assert a.ephemeral and "no classifier results for vllm-project/vllm yet" in a.content
        assert "scout train" in a.content
    assert digest.ephemeral and "no classifier results yet" in digest.content and digest.files
    empty_url = f"sqlite:///{tmp_path}/empty.db"
    empty = make_engine(empty_url)
    upgrade(empty)
    c.db_url = empty_url
    try:
        async with running_bot(c.settings(), empty):
            nothing = await ask(c.sandbox, "issue", {"number": 1})
    finally:
        empty.dispose()
    assert nothing.ephemeral and "has no stored data" in nothing.content and "scout import" in nothing.content


async def test_the_repo_option_picks_another_watched_repo(community: Community) -> None:
    c = community
    async with running_bot(c.settings(), c.engine):
        # SGLang has its own taxonomy (its CODEOWNERS and labels): sgl-kernel, not vLLM's kernel
        wrong = await ask(c.sandbox, "maintainers", {"subsystem": "kernel", "repo": "sgl-project/sglang"})
        other = await ask(c.sandbox, "maintainers", {"subsystem": "sgl-kernel", "repo": "sgl-project/sglang"})
        unknown = await ask(c.sandbox, "shortlist", {"repo": "someone/else"})
        number = c.truth["good_first_issue"][0]
        explicit = await ask(c.sandbox, "issue", {"number": number, "repo": "VLLM-PROJECT/vllm"})
    assert wrong.ephemeral and "unknown subsystem 'kernel'; did you mean sgl-kernel?" in wrong.content
    assert other.ephemeral and "sgl-project/sglang has no stored data" in other.content
    assert unknown.ephemeral and "'someone/else' is not in the watch config" in unknown.content
    assert not explicit.ephemeral and explicit.content.startswith(f"**Issue #{number}**")
