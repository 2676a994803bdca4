"""Claims, blockers and acknowledgements: phrasing tables (positives and look-alike negatives), each
said in a thread and read as the classifier reads threads (`read_thread`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from classifiers.signals import Signals, read_thread, read_threads
from storage.history import RepoData
from storage.records import CommentRec, EventRec, IssueRec, PullRec

CLAIMS = [
    "I'd like to work on this.",
    "Hi! I'd like to work on this issue.",
    "I would love to take this one",
    "Can I work on this?",
    "Could I take this issue?",
    "May I pick this up?",
    "Please assign this to me",
    "please assign it to me, I'm very interested in solving this issue!",
    "/assign",
    "I'll take this up.",
    "I'll take this.",
    "I will work on it this week",
    "I'm working on this",
    "I am currently working on this, PR coming soon",
    "I'll open a PR for this shortly",
    "I'm going to submit a PR",
    "Let me take this",
    "I can take this one",
    "I'd love to contribute as well. Happy to collaborate.",
    "Seems like good first issues - I'd like to take a stab at it",
    "I have started working on this",
    "I'm happy to work on this",
    "On it!",
    "I'll give it a go",
    "I’d like to work on this",  # typographic apostrophe
    "Picking this up 👍",
    "Mind if I take this one?",
    "Claiming this, PR incoming.",
    "Working on it, will send a PR tomorrow.",
    "Is it ok if I take this? I know where the fix goes.",
    "我来处理这个问题，稍后提交 PR",  # Chinese: I'll handle this, PR later
    "这个可以分配给我吗？",  # Chinese: can this be assigned to me?
    "私が対応します",  # Japanese: I'll handle it
    "Me gustaría trabajar en esto",  # Spanish
    "Ich übernehme das",  # German
    "Looks approachable, I'd like to take a stab at the tokenizer part.",
    "I'll investigate over the weekend.",
    "Good point, let me file a PR for the docs.",
]
NOT_CLAIMS = [
    "I'm not working on this",
    "Is anyone working on this?",
    "Is this still being worked on?",
    "Are you still working on this?",
    "I'll try with the latest version and report back",
    "I will test it tomorrow",
    "Would anyone like to take this?",
    "This is a great idea! Any help on this would be welcome!",
    "I can reproduce this on H100",
    "I'll fix the typo in my report",
    "> I'd like to work on this\nThanks, assigned.",
    "Who is working on this?",
    "I don't have time to work on this, sorry",
    "It would be nice if someone could take this",
    "I'm working on a different model, but I see the same error",
    "We'll handle this internally as part of a larger refactor.",
    "+1, I'd like to see this too.",
    "I'd like to help test a fix once there is one.",
    "有人在处理这个问题吗？",  # Chinese: is anyone working on this?
    "这个问题在 H100 上也能复现",  # Chinese: reproducible on H100 too
    "",
]


def _said(*comments: tuple[str, str]) -> Signals:
    """The signals of a fresh thread (issue 1, by "reporter") after these (login, text) comments."""
    d = _data()
    for minute, (login, text) in enumerate(comments, 1):
        _comment(d, login, text, minute)
    return read_thread(d, 1, {"maint"})


@pytest.mark.parametrize("text", CLAIMS)
def test_claim_phrasings(text: str) -> None:
    sig = _said(("helper", text))
    assert sig.claimed_by == ["helper"] and sig.claim_attempts == 1, text


@pytest.mark.parametrize("text", NOT_CLAIMS)
def test_not_claims(text: str) -> None:
    sig = _said(("helper", text))
    assert sig.claimed_by == [] and sig.claim_attempts == 0, text


@pytest.mark.parametrize("text", [
    "I'm no longer working on this, feel free to take it over",
    "Sorry, I won't be able to finish this",
    "Unassigning myself, someone else is welcome to pick it up",
    "not working on this anymore",
    "抱歉，我不做了，其他人可以接手",  # Chinese: sorry, I'm dropping it
])
def test_releases(text: str) -> None:
    sig = _said(("helper", "I'll take this."), ("helper", text))
    assert sig.claimed_by == [] and [e["kind"] for e in sig.evidence if "ack" not in str(e["kind"])] == [
        "claim", "release"]
    assert _said(("helper", text)).claim_attempts == 0  # said first, it claims nothing either


BLOCKS = [
    "This is blocked by #1234",
    "Blocked on the upstream transformers release",
    "This depends on #4567 landing first",
    "Depends on vllm-project/vllm#4567",
    "We are waiting for the upstream fix",
    "waiting on #88 to be merged",
    "Let's wait: this clashes with the V1 rewrite",
    "This conflicts with the V1 refactor, let's revisit after V1 lands",
    "Needs a review from AMD before we can merge",
    "Waiting for NVIDIA to sign off on the kernel change",
    "Putting this on hold until the scheduler refactor is done",
    "We can't proceed until #99 is merged",
    "Can't proceed until the new interface from #99 is merged.",
    "Heads up: this will be unblocked by #99, please don't start before that lands.",
    "Let's hold off until #99 is in, it touches the same code.",
    "More backends are welcome once the plugin interface is in place.",
    "We should refactor the loader abstraction first, then revisit.",
    "After the discussion we decided to postpone this proposal.",
    "The old behaviour stays until further notice.",
]
NOT_BLOCKS = [
    "It depends on the model you use",
    "I'm waiting for your reply",
    "This blocks nothing",
    "Thanks for the fix!",
    "The performance depends on batch size",
    "I am blocked from accessing the website",  # (no: 'blocked from' is not 'blocked by/on')
    "I'd hold off on this, it needs a design discussion first.",  # advice, not a blocker
    "This was blocked on CI flakiness last week, but CI is green again.",
    "I don't think this depends on #12; they are independent.",
    "The client sends requests without waiting for the response, so it raises errors.",
    "There is no need to wait for the upstream fix; the workaround is enough.",
    "",
]


@pytest.mark.parametrize("text", BLOCKS)
def test_block_phrasings(text: str) -> None:
    sig = _said(("maint", text))
    assert sig.blocked and [e["kind"] for e in sig.evidence if e["kind"] == "block"] == ["block"], text


@pytest.mark.parametrize("text", NOT_BLOCKS)
def test_not_blocks(text: str) -> None:
    assert not _said(("maint", text)).blocked, text


@pytest.mark.parametrize("text", ["Unblocked now that #1234 is merged", "This is no longer blocked",
                                  "#1234 has been merged, so we can go on"])
def test_unblocks(text: str) -> None:
    sig = _said(("maint", "This is blocked by #1234"), ("maint", text))
    assert not sig.blocked and [e["kind"] for e in sig.evidence] == ["block", "unblock"]


ACKS = ["PRs welcome!", "A PR is welcome", "Contributions are welcome", "Feel free to open a PR",
        "Feel free to submit a fix", "Go ahead!", "Sounds good, go ahead", "Any help on this would be welcome!",
        "Would you like to open a PR?", "We'd welcome a PR for this", "Happy to review a PR",
        "This is a good first issue", "help wanted"]
NOT_ACKS = ["Please don't open a PR yet", "This is not a good first issue", "Thanks for reporting", "I can reproduce",
            ""]


@pytest.mark.parametrize("text", ACKS)
def test_ack_phrasings(text: str) -> None:
    sig = _said(("maint", text))
    assert sig.acknowledged_by == ["maint"] and sig.acks_any == 1, text


@pytest.mark.parametrize("text", NOT_ACKS)
def test_not_acks(text: str) -> None:
    sig = _said(("maint", text))
    assert sig.acknowledged_by == [] and sig.acks_any == 0, text


# ------------------------------------------------------------------------- whole threads

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _data() -> RepoData:
    d = RepoData(repo_id=1, full_name="acme/engine")
    d.issues[1] = IssueRec(1, False, "[Feature]: add a flag", "open", "reporter", "NONE", (), (), 0, T0, T0, None,
                           body="body")
    return d


def _comment(d: RepoData, login: str, body: str, minutes: int) -> None:
    d.comments[1].append(CommentRec(1, login, "NONE", body, T0 + timedelta(minutes=minutes)))


def test_claim_then_release_is_not_claimed() -> None:
    d = _data()
    _comment(d, "newbie", "I'd like to work on this", 1)
    _comment(d, "newbie", "Sorry, I'm no longer working on this", 2)
    assert not read_thread(d, 1, {"maint"}).claimed


def test_maintainer_ack_counts_and_others_do_not() -> None:
    d = _data()
    _comment(d, "random", "PRs welcome!", 1)
    sig = read_thread(d, 1, {"maint"})
    assert not sig.acknowledged and sig.evidence[0]["kind"] == "ack (not a maintainer)"
    _comment(d, "maint", "Feel free to open a PR", 2)
    sig = read_thread(d, 1, {"maint"})
    assert sig.acknowledged_by == ["maint"]
    assert sig.last_maintainer_word.startswith("maint (2026-01-01T00:02:00Z)")


def test_assignment_events_and_open_pr_claim() -> None:
    d = _data()
    d.events[1].append(EventRec(1, "maint", "assigned", None, "helper", T0 + timedelta(minutes=1)))
    assert read_thread(d, 1, {"maint"}).claimed_by == ["helper"]
    d.events[1].append(EventRec(1, "maint", "unassigned", None, "helper", T0 + timedelta(minutes=2)))
    assert not read_thread(d, 1, {"maint"}).claimed
    d.pulls[7] = PullRec(7, "Add the flag", "open", False, "dev", "NONE", (), None, T0, None, None, body="Fixes #1")
    d.issues[7] = IssueRec(7, True, "Add the flag", "open", "dev", "NONE", (), (), 0, T0, T0, None, body="Fixes #1")
    sig = read_threads(d, [1], {"maint"})[1]
    assert sig.claimed_by == ["dev"]


def test_block_then_unblock() -> None:
    d = _data()
    _comment(d, "maint", "This is blocked by #5", 1)
    sig = read_thread(d, 1, {"maint"})
    assert sig.blockers == ["#5"]
    _comment(d, "maint", "#5 has been merged, unblocked", 2)
    assert not read_thread(d, 1, {"maint"}).blocked


def test_hostile_quote_never_pings() -> None:
    d = _data()
    _comment(d, "maint", "@everyone PRs welcome", 1)
    sig = read_thread(d, 1, {"maint"})
    assert all("@everyone" not in str(e["quote"]) for e in sig.evidence)


def test_claim_reported_by_a_maintainer_names_the_claimant() -> None:
    d = _data()
    _comment(d, "maint", "@ana-dev is working on this.", 1)
    assert read_thread(d, 1, {"maint"}).claimed_by == ["ana-dev"]
    d = _data()
    _comment(d, "maint", "Assigning to @bo.", 1)
    assert read_thread(d, 1, {"maint"}).claimed_by == ["bo"]
    d = _data()
    _comment(d, "random", "Is @bo still working on this?", 1)
    assert not read_thread(d, 1, {"maint"}).claimed


def test_a_comment_pointing_at_its_pull_request_is_a_claim() -> None:
    for text in (
        "I opened PR #41 with a patch for this.",
        "This was addressed by #41.",
        "See https://github.com/acme/engine/pull/41 for a fix.",
        "We've just merged #41, which adds the flag.",
    ):
        d = _data()
        _comment(d, "someone", text, 1)
        assert read_thread(d, 1, {"maint"}).claimed_by == ["someone"], text
    for text in ("Same as #41?", "Possibly related to #41", "I tried the workaround from #41, still broken"):
        d = _data()
        _comment(d, "someone", text, 1)
        assert not read_thread(d, 1, {"maint"}).claimed, text


def test_a_proposal_whose_authors_do_the_work_is_claimed_a_bug_report_is_not() -> None:
    d = _data()
    d.issues[1].title, d.issues[1].body = (
        "[RFC]: pluggable caches",
        "Motivation. We have started refactoring our cache.",
    )
    assert read_thread(d, 1, {"maint"}).claimed_by == ["reporter"]
    d.issues[1].title, d.issues[1].body = "[Bug]: crash", "We are working on a deployment and it crashes."
    assert not read_thread(d, 1, {"maint"}).claimed


def test_a_merged_pull_request_that_references_the_issue_claims_it_an_unmerged_closed_one_does_not() -> None:
    d = _data()
    d.pulls[7] = PullRec(7, "Add the flag", "closed", False, "dev", "NONE", (), "maint", T0, T0, T0,
                         body="Seen in #1 and elsewhere")
    d.issues[7] = IssueRec(7, True, "Add the flag", "closed", "dev", "NONE", (), (), 0, T0, T0, T0, body="Seen in #1")
    assert read_threads(d, [1], {"maint"})[1].claimed_by == ["dev"]
    d.pulls[7].merged_at = None
    assert not read_threads(d, [1], {"maint"})[1].claimed
