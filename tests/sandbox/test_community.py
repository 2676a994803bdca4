"""The generated community (`scout simulate`): deterministic, schema-valid, parseable by the real
clients, vLLM-shaped, and consistent with the answers it plants in truth.json."""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pathspec import PathSpec
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from typer.testing import CliRunner

from config import load_watch_config
from sandbox.community import simulate

SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "schemas"
REPO = "vllm-project/vllm"
GH_FILES = ("issues.json", "pulls.json", "issue_comments.json", "reviews.json", "review_comments.json",
            "issue_events.json", "labels.json")
REF = re.compile(r"(?<![\w/&#])#(\d{1,7})\b|https://github\.com/vllm-project/vllm/(?:issues|pull)/(\d+)")


# ----------------------------------------------------------------------------- helpers


class Data:
    """A dataset directory, loaded once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        g = root / "github" / REPO.replace("/", "__")
        self.g = g
        load = lambda name: json.loads((g / name).read_text(encoding="utf-8"))  # noqa: E731
        self.repo = load("repo.json")
        self.issues = load("issues.json")
        self.pulls = load("pulls.json")
        self.comments = load("issue_comments.json")
        self.reviews = load("reviews.json")
        self.review_comments = load("review_comments.json")
        self.events = load("issue_events.json")
        self.labels = load("labels.json")
        self.files = load("pull_files.json")
        self.codeowners = (g / "contents" / ".github" / "CODEOWNERS").read_text(encoding="utf-8")
        d = root / "discord"
        self.guild = json.loads((d / "guild.json").read_text(encoding="utf-8"))
        self.channels = json.loads((d / "channels.json").read_text(encoding="utf-8"))
        self.members = json.loads((d / "members.json").read_text(encoding="utf-8"))
        self.messages = json.loads((d / "messages.json").read_text(encoding="utf-8"))
        self.truth = json.loads((root / "truth.json").read_text(encoding="utf-8"))
        self.meta = json.loads((root / "meta.json").read_text(encoding="utf-8"))
        self.by_number = {i["number"]: i for i in self.issues}
        self.comments_of: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for c in self.comments:
            self.comments_of[int(c["issue_url"].rsplit("/", 1)[1])].append(c)
        self.events_of: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for e in self.events:
            self.events_of[e["issue"]["number"]].append(e)
        self.reviews_of: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for r in self.reviews:
            self.reviews_of[int(r["pull_request_url"].rsplit("/", 1)[1])].append(r)

    def open_issues(self) -> list[dict[str, Any]]:
        return [i for i in self.issues if "pull_request" not in i and i["state"] == "open"]


@pytest.fixture(scope="module")
def data(small_dataset: Path) -> Data:
    return Data(small_dataset)


@pytest.fixture(scope="module")
def taxonomy():
    return load_watch_config().taxonomy_for(REPO)


def _gh_validator(name: str) -> jsonschema.Draft7Validator:
    schemas = json.loads((SCHEMAS / "github.json").read_text())
    return jsonschema.Draft7Validator(schemas[name])


_DISCORD = json.loads((SCHEMAS / "discord.json").read_text())
_REGISTRY = Registry().with_resource("urn:discord", Resource.from_contents(_DISCORD, default_specification=DRAFT202012))


def _discord_validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator({"$ref": f"urn:discord#/components/schemas/{name}"}, registry=_REGISTRY)


def _errors(validator: Any, objs: list[Any], where: str) -> list[str]:
    out = []
    for i, obj in enumerate(objs):
        err = next(iter(validator.iter_errors(obj)), None)
        if err is not None:
            out.append(f"{where}[{i}]: {err.message[:200]} at /{'/'.join(map(str, err.absolute_path))}")
    return out


def _sample(objs: list[Any], k: int) -> list[Any]:
    step = max(1, len(objs) // k)
    return objs[::step]


# ----------------------------------------------------------------------------- determinism and layout


def test_same_seed_gives_byte_identical_directories(small_dataset: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    simulate(again, seed=5, scale="small", watch=load_watch_config())
    a = sorted(p.relative_to(small_dataset) for p in small_dataset.rglob("*") if p.is_file())
    b = sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert a == b
    for rel in a:
        assert (small_dataset / rel).read_bytes() == (again / rel).read_bytes(), rel


def test_another_seed_gives_another_community(small_dataset: Path, small_dataset_b: Path) -> None:
    a = (small_dataset / "github" / "vllm-project__vllm" / "issues.json").read_bytes()
    b = (small_dataset_b / "github" / "vllm-project__vllm" / "issues.json").read_bytes()
    assert a != b


def test_layout_is_the_dataset_format(data: Data) -> None:
    assert data.meta["format"] == 1 and data.meta["now"] == "2026-11-27T00:00:00Z"
    for name in (*GH_FILES, "repo.json", "pull_files.json"):
        assert (data.g / name).is_file(), name
    assert data.repo["full_name"] == REPO
    assert {"repo", "subsystem_of", "good_first_issue", "not_good_first_issue", "owners", "claimed", "blocked",
            "hidden_labels"} <= set(data.truth)
    # pull requests appear in issues.json too, with a pull_request key; pulls.json has every PR once
    prs = {i["number"] for i in data.issues if "pull_request" in i}
    assert prs == {p["number"] for p in data.pulls} == {int(n) for n in data.files}
    assert len({i["id"] for i in data.issues}) == len(data.issues)


def test_refuses_to_overwrite_a_directory_that_is_not_a_dataset(tmp_path: Path) -> None:
    from config import DatasetError

    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(DatasetError, match="not a dataset"):
        simulate(tmp_path, seed=1, scale="small", watch=load_watch_config())
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_unknown_scale_is_a_clear_error(tmp_path: Path) -> None:
    from config import ConfigError

    with pytest.raises(ConfigError, match="unknown scale"):
        simulate(tmp_path / "d", scale="huge", watch=load_watch_config())


# ----------------------------------------------------------------------------- schemas and clients


@pytest.mark.parametrize("name", GH_FILES)
def test_github_objects_validate_against_the_rest_schema(data: Data, name: str) -> None:
    objs = json.loads((data.g / name).read_text(encoding="utf-8"))
    assert objs, name
    assert _errors(_gh_validator(name), _sample(objs, 150), name) == []


def test_repo_and_pull_files_validate(data: Data) -> None:
    assert _errors(_gh_validator("repo.json"), [data.repo], "repo.json") == []
    files = [f for fs in _sample(list(data.files.values()), 60) for f in fs]
    assert _errors(_gh_validator("pull_files.json"), files, "pull_files.json") == []


def test_discord_objects_validate_against_the_discord_schema(data: Data) -> None:
    assert _errors(_discord_validator("GuildResponse"), [data.guild], "guild.json") == []
    assert _errors(_discord_validator("MessageResponse"), _sample(data.messages, 200), "messages.json") == []
    threads = [c for c in data.channels if c["type"] == 11]
    others = [c for c in data.channels if c["type"] != 11]
    assert threads and others
    assert _errors(_discord_validator("ThreadResponse"), threads, "channels.json(threads)") == []
    assert _errors(_discord_validator("GuildChannelResponse"), others, "channels.json") == []
    assert _errors(_discord_validator("GuildMemberResponse"), data.members, "members.json") == []


def test_pygithub_parses_every_kind_of_object(data: Data) -> None:
    from github import Auth, Github
    from github.File import File
    from github.Issue import Issue
    from github.IssueComment import IssueComment
    from github.IssueEvent import IssueEvent
    from github.Label import Label
    from github.PullRequest import PullRequest
    from github.PullRequestComment import PullRequestComment
    from github.PullRequestReview import PullRequestReview
    from github.Repository import Repository

    # an unroutable base URL: reading an attribute missing from the payload would fail loudly
    g = Github(base_url="http://127.0.0.1:9", auth=Auth.Token("x"), retry=None, timeout=1)
    repo = g.create_from_raw_data(Repository, data.repo)
    assert repo.full_name == REPO and repo.owner.login == "vllm-project"
    for raw in _sample(data.issues, 60):
        i = g.create_from_raw_data(Issue, raw)
        assert (i.number, i.title, i.user.login, i.state) == (
            raw["number"],
            raw["title"],
            raw["user"]["login"],
            raw["state"],
        )
        assert [lb.name for lb in i.labels] == [lb["name"] for lb in raw["labels"]]
        assert i.created_at.tzinfo is not None and i.comments == raw["comments"]
    for raw in _sample(data.pulls, 40):
        p = g.create_from_raw_data(PullRequest, raw)
        assert p.head.repo.name == "vllm" and p.base.ref == "main" and p.user.login == raw["user"]["login"]
        assert (p.merged_at is None) == (raw["merged_at"] is None)
        _ = [u.login for u in p.requested_reviewers], p.draft, p.head.sha
    for raw in _sample(data.comments, 40):
        c = g.create_from_raw_data(IssueComment, raw)
        assert c.user.login and c.body == raw["body"]
    for raw in _sample(data.reviews, 40):
        r = g.create_from_raw_data(PullRequestReview, raw)
        assert r.state in ("APPROVED", "CHANGES_REQUESTED", "COMMENTED") and r.submitted_at is not None
    for raw in _sample(data.review_comments, 40):
        rc = g.create_from_raw_data(PullRequestComment, raw)
        assert rc.path and rc.pull_request_review_id
    for raw in _sample(data.events, 60):
        e = g.create_from_raw_data(IssueEvent, raw)
        assert e.issue.number == raw["issue"]["number"] and e.actor.login
    for raw in data.labels:
        assert g.create_from_raw_data(Label, raw).name
    for fs in _sample(list(data.files.values()), 20):
        for raw in fs:
            f = g.create_from_raw_data(File, raw)
            assert f.changes == f.additions + f.deletions


def test_discordpy_parses_guild_channels_members_and_messages(data: Data) -> None:
    import discord
    from discord.http import HTTPClient
    from discord.state import ConnectionState

    async def parse() -> None:
        http = HTTPClient(asyncio.get_running_loop())
        try:
            state = ConnectionState(dispatch=lambda *a, **k: None, handlers={}, hooks={}, http=http,
                                    intents=discord.Intents.all())
            payload = dict(data.guild, channels=[c for c in data.channels if c["type"] != 11],
                           threads=[c for c in data.channels if c["type"] == 11], members=data.members)
            guild = discord.Guild(data=payload, state=state)
            assert guild.name == "vLLM" and guild.default_role.id == guild.id
            assert {r.name for r in guild.roles} >= {"@everyone", "maintainer"}
            assert any(isinstance(c, discord.ForumChannel) for c in guild.channels)
            assert len(guild.members) == len(data.members)
            for m in data.messages:
                channel = guild.get_channel_or_thread(int(m["channel_id"]))
                assert channel is not None, m["channel_id"]
                msg = discord.Message(state=state, channel=channel, data=m)
                # snowflake ids carry the message time (Discord epoch 2015)
                assert abs((msg.created_at - datetime.fromisoformat(m["timestamp"])).total_seconds()) < 0.002
        finally:
            await http.close()

    asyncio.run(parse())


# ----------------------------------------------------------------------------- shape of the community


def test_threads_are_internally_consistent(data: Data) -> None:
    for i in data.issues:
        n = i["number"]
        assert i["comments"] == len(data.comments_of[n])
        assert i["created_at"] <= i["updated_at"] <= data.meta["now"]
        for c in data.comments_of[n]:
            assert i["created_at"] <= c["created_at"] <= i["updated_at"], (n, c["id"])
        for e in data.events_of[n]:
            assert i["created_at"] <= e["created_at"] <= i["updated_at"], (n, e["event"])
        if i["state"] == "closed":
            assert i["closed_at"] and any(e["event"] == "closed" for e in data.events_of[n])
        assert {lb["name"] for lb in i["labels"]} <= {lb["name"] for lb in data.labels}
    for p in data.pulls:
        if p["merged_at"]:
            assert p["state"] == "closed" and any(e["event"] == "merged" for e in data.events_of[p["number"]])
        for r in data.reviews_of[p["number"]]:
            assert p["created_at"] <= r["submitted_at"] <= p["updated_at"]
    reviews = {r["id"]: r for r in data.reviews}
    for rc in data.review_comments:
        r = reviews[rc["pull_request_review_id"]]
        assert r["user"]["login"] == rc["user"]["login"] and r["pull_request_url"] == rc["pull_request_url"]
        assert rc["path"] in {f["filename"] for f in data.files[rc["pull_request_url"].rsplit("/", 1)[1]]}


def test_templates_title_tags_bots_and_newcomers(data: Data) -> None:
    plain = [i for i in data.issues if "pull_request" not in i]
    prefixes = Counter(i["title"].split(":", 1)[0] + ":" for i in plain)
    assert {"[Bug]:", "[Feature]:", "[Usage]:"} <= set(prefixes)
    bugs = [i for i in plain if i["title"].startswith("[Bug]:") and "Describe the bug" in i["body"]]
    assert bugs and sum("Traceback (most recent call last)" in i["body"] for i in bugs) >= len(bugs) / 3
    assert all("### " in i["body"] for i in plain)
    assert sum(bool(re.match(r"(\[[^\]]+\])+ ?\S", p["title"])) for p in data.pulls) > 0.9 * len(data.pulls)
    actors = {x["login"]: x["type"] for x in [e["actor"] for e in data.events] + [c["user"] for c in data.comments]}
    assert actors.get("mergify[bot]") == "Bot" and actors.get("github-actions[bot]") == "Bot"
    assoc = Counter(i["author_association"] for i in data.issues)
    assert {"MEMBER", "CONTRIBUTOR", "NONE"} <= set(assoc)
    assert "FIRST_TIME_CONTRIBUTOR" in {p["author_association"] for p in data.pulls}
    assert {r["state"] for r in data.reviews} == {"APPROVED", "CHANGES_REQUESTED", "COMMENTED"}
    kinds = Counter(e["event"] for e in data.events)
    assert {"labeled", "assigned", "closed", "merged", "review_requested", "referenced"} <= set(kinds)
    fixes = [p for p in data.pulls if re.search(r"(?i)\b(fix(es)?|closes|resolves)\s+(#\d+|https://github)", p["body"])]
    assert fixes


def test_pull_request_subsystems_follow_the_paths_last_match_wins(data: Data, taxonomy) -> None:
    specs = [(s.name, PathSpec.from_lines("gitignore", s.paths)) for s in taxonomy.subsystems if s.paths]

    def owner_sub(path: str) -> str | None:
        found = None
        for name, spec in specs:
            if spec.match_file(path):
                found = name
        return found

    for n, files in data.files.items():
        want = sorted({s for f in files if (s := owner_sub(f["filename"]))})
        assert want, n
        assert data.truth["subsystem_of"][n] == want, n
    names = set(taxonomy.names)
    assert all(set(v) <= names and v for v in data.truth["subsystem_of"].values())
    assert {str(i["number"]) for i in data.issues} == set(data.truth["subsystem_of"])


def test_codeowners_agrees_with_the_planted_owners(data: Data, taxonomy) -> None:
    rules = []
    for line in data.codeowners.splitlines():
        if line.strip() and not line.startswith("#"):
            glob, *owners = line.split()
            assert owners and all(o.startswith("@") for o in owners), line
            rules.append((PathSpec.from_lines("gitignore", [glob]), {o[1:] for o in owners}))
    owners = data.truth["owners"]
    inactive = data.truth.get("declared_inactive_owners", {})
    for n, files in list(data.files.items())[:150]:
        for f in files:
            matched = [o for spec, o in rules if spec.match_file(f["filename"])]
            subs = [s for s in data.truth["subsystem_of"][n] if s in owners]
            if matched and subs:
                declared = matched[-1]
                assert any(declared <= set(owners[s]) | set(inactive.get(s, [])) for s in subs), (n, f["filename"])


def test_maintainers_own_one_to_three_subsystems_and_review_there(data: Data) -> None:
    owners = data.truth["owners"]
    assert len(owners) >= 5 and all(len(v) >= 3 for v in owners.values())
    owned = Counter(login for v in owners.values() for login in v)
    assert set(owned.values()) <= {1, 2, 3}
    sub_of = data.truth["subsystem_of"]
    approvals: dict[str, Counter[str]] = defaultdict(Counter)
    for r in data.reviews:
        if r["state"] in ("APPROVED", "CHANGES_REQUESTED"):
            for s in sub_of[r["pull_request_url"].rsplit("/", 1)[1]]:
                approvals[s][r["user"]["login"]] += 1
    for s, logins in owners.items():
        c = approvals[s]
        if sum(c.values()) < 15:  # too few binding reviews to say anything
            continue
        top3 = [login for login, _ in c.most_common(3)]
        assert sum(c[x] for x in logins) >= 0.5 * sum(c.values()), s
        assert set(top3) & set(logins), (s, top3, logins)
    mergers = Counter(e["actor"]["login"] for e in data.events if e["event"] == "merged")
    maintainers = set(data.truth["maintainers"])
    assert sum(v for k, v in mergers.items() if k in maintainers) == sum(mergers.values())


# ----------------------------------------------------------------------------- planted truth


def test_truth_partitions_the_open_issues(data: Data) -> None:
    t = data.truth
    open_numbers = {i["number"] for i in data.open_issues()}
    gfi, not_gfi = set(t["good_first_issue"]), set(t["not_good_first_issue"])
    assert gfi | not_gfi == open_numbers and not gfi & not_gfi
    assert set(t["claimed"]) <= open_numbers and set(t["blocked"]) <= open_numbers
    assert len(gfi) >= 8 and len(t["claimed"]) >= 4 and len(t["blocked"]) >= 4
    free = gfi - set(t["claimed"]) - set(t["blocked"])
    assert len(free) >= 5
    assert len({s for n in free for s in t["subsystem_of"][str(n)]}) >= 2
    assert {"good first issue", "help wanted"} <= set(t["hidden_labels"])
    assert set(t["owners"]) <= {lb for s in t["owners"] for lb in [s]}  # subsystem names
    for n in gfi:
        assert "good first issue" in {lb["name"] for lb in data.by_number[n]["labels"]}
    for n in not_gfi:
        assert "good first issue" not in {lb["name"] for lb in data.by_number[n]["labels"]}


def test_history_has_positive_and_negative_training_examples(data: Data) -> None:
    t = data.truth
    closed = {i["number"] for i in data.issues if "pull_request" not in i and i["state"] == "closed"}
    assert set(t["history_good_first_issue"]) <= closed and len(t["history_good_first_issue"]) >= 3
    assert set(t["resolved_by_newcomer"]) <= closed and len(t["resolved_by_newcomer"]) >= 3
    assert len(closed - set(t["history_good_first_issue"]) - set(t["resolved_by_newcomer"])) > 5
    firsts = set(t["newcomer_first_prs"])
    for n in t["resolved_by_newcomer"]:
        closer = next(e for e in data.events_of[n] if e["event"] == "closed")
        assert closer["commit_id"]
        assert any(re.search(rf"#{n}\b|issues/{n}\b", data.by_number[p]["body"]) for p in firsts), n


def _texts(data: Data, n: int) -> list[tuple[str, str, str]]:
    """(login, author_association, body) of an issue's comments."""
    return [(c["user"]["login"], c["author_association"], c["body"]) for c in data.comments_of[n]]


CLAIM_HINT = re.compile(
    r"(?i)work on|take (this|a stab)|/assign|pick(ing)? (this|it) up|assign (it to )?me|on it|"
    r"give it a (try|shot)|tackle|claiming|pick(ing)? (this|it) one up|fix (this|locally)|send a pr|draft|"
    r"start on|taking this|"
    r"implement this|link the pr|my first pr|is working on|assigning to|has a fix|patch|let me try|"
    r"认领|我来修|我可以做|opened a pr|draft pr|dig into|implementing this|mine!|look into this|"
    r"got a branch|pr coming"
)
BLOCK_HINT = re.compile(
    r"(?i)blocked|depends on|waiting (for|on)|hold off|on hold|needs #|parking|clashes|overlaps|not touch|"
    r"sign-off|review from|input from|unblocked by|can't (proceed|do)|should wait|upstream|"
    r"release with the fix|ships the new|in place|restructure|needs to land|postpone|"
    r"until further notice"
)


def test_claims_and_blocks_are_visible_in_the_threads(data: Data) -> None:
    open_prs_refs: dict[int, set[int]] = defaultdict(set)
    for p in data.pulls:
        if p["state"] == "open":
            for m in REF.finditer(p["body"] or ""):
                open_prs_refs[int(m.group(1) or m.group(2))].add(p["number"])
    for n in data.truth["claimed"]:
        i = data.by_number[n]
        visible = (i["assignees"] or open_prs_refs.get(n)
                   or any(CLAIM_HINT.search(body) for _, _, body in _texts(data, n)))
        assert visible, n
    for n in data.truth["blocked"]:
        bodies = [i["body"] for i in [data.by_number[n]]] + [b for _, _, b in _texts(data, n)]
        assert any(BLOCK_HINT.search(b or "") for b in bodies), n
    # released claims and lifted blockers exist as hard negatives
    assert data.truth["claim_released"] or data.truth["unblocked"]


def test_good_first_issues_read_like_small_tasks_with_maintainer_acks(data: Data) -> None:
    t = data.truth
    gfi = [data.by_number[n] for n in t["good_first_issue"]]
    others = [data.by_number[n] for n in t["not_good_first_issue"]]

    def share(xs: list[dict[str, Any]], pattern: str) -> float:
        return sum(bool(re.search(pattern, x["body"])) for x in xs) / len(xs)

    pointer = r"/blob/main/|small change|one-line|only `|straightforward|good place to start|scope is small"
    assert share(gfi, pointer) >= 0.6 > 0.25 >= share(others, pointer)
    assert share(gfi, "Traceback") <= 0.3 and share(gfi, "collect_env") <= 0.3
    maintainers = set(t["maintainers"])
    acked = [
        i
        for i in gfi
        if any(
            login in maintainers and re.search(r"(?i)pr|welcome|feel free|go ahead|contribution", body)
            for login, _, body in _texts(data, i["number"])
        )
    ]
    assert 0.4 * len(gfi) <= len(acked) < len(gfi) or len(gfi) < 10
    assert set(t["acknowledged"]) & set(t["good_first_issue"])
    assert t["looks_easy_not_gfi"]  # hard negatives: small-looking tasks that are not beginner material


def test_chat_mentions_threads_and_maintainers_answer_in_their_channels(data: Data, taxonomy) -> None:
    t = data.truth
    names = {c["name"] for c in data.channels}
    assert {"general", "help", "contributors", "announcements"} <= names
    for sub in taxonomy.subsystems:
        if sub.channels:
            assert sub.channels[0] in names
    assert {c["type"] for c in data.channels} >= {0, 4, 11, 15}
    ids = {c["id"] for c in data.channels}
    assert all(c["parent_id"] in ids for c in data.channels if c["type"] == 11)
    numbers = {i["number"] for i in data.issues}
    refs = [int(m.group(1) or m.group(2)) for msg in data.messages for m in REF.finditer(msg["content"])]
    assert len(refs) > 0.15 * len(data.messages) and set(refs) <= numbers
    assert any("https://github.com/vllm-project/vllm/issues/" in m["content"] for m in data.messages)
    assert any(re.search(r"(?<![\w/])#\d+", m["content"]) for m in data.messages)
    links = t["chat_links"]
    logins = (
        {i["user"]["login"] for i in data.issues} | {c["user"]["login"] for c in data.comments} | set(t["maintainers"])
    )
    assert links and set(links.values()) <= logins
    sig = t["sig_channels"]
    chan_sub = {c["id"]: sig.get(c["name"]) for c in data.channels}
    answered = Counter()
    for m in data.messages:
        sub = chan_sub.get(m["channel_id"])
        login = links.get(m["author"]["id"])
        if sub and login:
            answered[(login in t["owners"].get(sub, []))] += 1
    assert answered[True] > answered[False]
    since = datetime.fromisoformat(t["window"]["since"].replace("Z", "+00:00"))
    assert all(datetime.fromisoformat(m["timestamp"]) >= since for m in data.messages)


def test_cli_prints_a_summary(tmp_path: Path) -> None:
    from cli import app

    res = CliRunner().invoke(app, ["simulate", "--out", str(tmp_path / "d"), "--seed", "3", "--scale", "small"])
    assert res.exit_code == 0, res.output
    assert "issues.json" in res.output and "in the window" in res.output
    assert (tmp_path / "d" / "truth.json").is_file()


# ----------------------------------------------------------------------------- volumes


@pytest.mark.slow
def test_vllm_week_volumes(tmp_path: Path) -> None:
    s = simulate(tmp_path / "week", seed=7, scale="vllm-week", watch=load_watch_config())
    want = {"issues": 450, "pulls": 550, "issue_comments": 6000, "reviews": 2500, "review_comments": 3500,
            "issue_events": 3000, "discord_messages": 4000}
    for key, target in want.items():
        assert 0.85 * target <= s.window[key] <= 1.15 * target, (key, s.window[key])
    assert s.truth["good_first_issue"] >= 20 and s.truth["claimed"] >= 10 and s.truth["blocked"] >= 8


def test_days_scale_the_window(tmp_path: Path) -> None:
    s = simulate(tmp_path / "d", seed=2, scale="small", days=3, watch=load_watch_config())
    assert s.days == 3
    since = datetime.fromisoformat(json.loads((tmp_path / "d" / "truth.json").read_text())["window"]["since"]
                                   .replace("Z", "+00:00"))
    assert since == datetime(2026, 11, 24, tzinfo=UTC)
