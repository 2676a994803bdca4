"""A small, hand-planted vLLM world stored as real rows (API-shaped payloads through the real
upserts, judgement rows as the classifiers write them), with known right answers:

shortlist issues (cap 2 per subsystem): #1, #2 (kernel), #4 (frontend), #5 (quantization), #10 (docs);
excluded: #3 (third kernel), #6 claimed, #7 blocked, #8 assigned, #9 referenced by open PR #20, #11 closed.
maintainers: alice (kernel), gina (documentation), dave (frontend; erin is faster-scored but unresponsive);
carol (kernel) is inactive.
stalling: #20 waiting for review (5 days), #23 waiting on author (4 days), #24 waiting on reviewer (4 days).
merged in the last day: #21 (kernel, first review 1 h, merge 10 h, by a returning author).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from storage.db import session_scope
from storage.models import GoodFirstIssueScore, OwnershipScore, SubsystemLabel, ThreadSignal
from storage.upsert import (
    upsert_channels,
    upsert_guild,
    upsert_issue_comments,
    upsert_issue_events,
    upsert_issues,
    upsert_messages,
    upsert_pull_files,
    upsert_pulls,
    upsert_repo,
    upsert_reviews,
)

REPO = "vllm-project/vllm"
NOW = datetime(2026, 11, 27, tzinfo=UTC)
HOSTILE = "@everyone <@123> <@!45> <@&67> @here **bold** [x](http://evil.example) `code` # head"
USERS = {name: 100 + i for i, name in enumerate(
    ["alice", "bob", "carol", "dave", "erin", "frank", "gina", "henry", "zed", "yuki", "newbie", "xena",
     "mergify[bot]"])}


def z(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def ago(days: float = 0, hours: float = 0) -> datetime:
    return NOW - timedelta(days=days, hours=hours)


def user(login: str) -> dict[str, Any]:
    return {"login": login, "id": USERS[login], "type": "Bot" if login.endswith("[bot]") else "User",
            "site_admin": False}


def issue(number: int, title: str, author: str, created: datetime, state: str = "open", labels: tuple[str, ...] = (),
          assignees: tuple[str, ...] = (), closed: datetime | None = None, pull: bool = False,
          body: str = "") -> dict[str, Any]:
    d = {"id": 5000 + number, "number": number, "title": title, "body": body or f"about {title}", "state": state,
         "user": user(author), "labels": [{"name": x} for x in labels], "assignees": [user(a) for a in assignees],
         "comments": 0, "locked": False, "author_association": "NONE",
         "html_url": f"https://github.com/{REPO}/{'pull' if pull else 'issues'}/{number}",
         "created_at": z(created), "updated_at": z(closed or created), "closed_at": z(closed) if closed else None}
    if pull:
        d["pull_request"] = {"url": f"https://api.github.com/repos/{REPO}/pulls/{number}"}
    return d


def pull(number: int, title: str, author: str, created: datetime, state: str = "open",
         merged: datetime | None = None, merged_by: str | None = None, draft: bool = False,
         body: str = "") -> dict[str, Any]:
    return {
        "id": 9000 + number,
        "number": number,
        "title": title,
        "body": body,
        "state": state,
        "draft": draft,
        "user": user(author),
        "labels": [],
        "requested_reviewers": [],
        "author_association": "CONTRIBUTOR",
        "head": {"ref": f"fix-{number}", "sha": f"{number:04d}" + "ab" * 18},
        "base": {"ref": "main", "sha": "0" * 40},
        "merge_commit_sha": None,
        "merged_by": user(merged_by) if merged_by else None,
        "html_url": f"https://github.com/{REPO}/pull/{number}",
        "created_at": z(created),
        "updated_at": z(merged or created),
        "closed_at": z(merged) if merged else None,
        "merged_at": z(merged) if merged else None,
    }


def review(rid: int, number: int, login: str, state: str, at: datetime) -> dict[str, Any]:
    return {"id": rid, "user": user(login), "state": state, "body": "", "submitted_at": z(at),
            "pull_request_url": f"https://api.github.com/repos/{REPO}/pulls/{number}", "author_association": "MEMBER"}


def comment(
    cid: int, number: int, login: str, at: datetime, body: str = "thanks", assoc: str = "NONE"
) -> dict[str, Any]:
    return {"id": cid, "user": user(login), "body": body, "created_at": z(at), "updated_at": z(at),
            "issue_url": f"https://api.github.com/repos/{REPO}/issues/{number}", "author_association": assoc}


def build_world(engine: Engine, hostile: bool = True) -> None:
    """Store the world (idempotent)."""
    t_hostile = HOSTILE if hostile else "Docs: explain the sampling params"
    issues = [
        issue(1, "Fused MoE kernel: add a benchmark for topk routing", "xena", ago(10)),
        issue(2, "[Kernel] rms_norm crashes on odd hidden size", "xena", ago(9)),
        issue(3, "[Kernel] tidy the fused_moe config loader", "xena", ago(8)),
        issue(4, "[Frontend] better error for a bad chat template", "xena", ago(0, 5)),
        issue(5, "[Quantization] fp8 scale typo in docs string", "xena", ago(7)),
        issue(6, "[Doc] fix typo in README", "xena", ago(6)),
        issue(7, "[Frontend] stream usage stats", "xena", ago(6)),
        issue(8, "[Scheduler] expose preemption counter", "xena", ago(6), assignees=("henry",)),
        issue(9, "[Scheduler] log chunked prefill budget", "xena", ago(6)),
        issue(10, t_hostile, "xena", ago(6)),
        issue(11, "[Kernel] old closed one", "xena", ago(30), state="closed", closed=ago(0, 3)),
        issue(20, "[Scheduler] log the budget", "zed", ago(5), pull=True),
        issue(21, "[Kernel] faster topk", "bob", ago(0, 22), state="closed", closed=ago(0, 12), pull=True),
        issue(22, "[Kernel] first kernel change", "bob", ago(57), state="closed", closed=ago(56), pull=True),
        issue(23, "[Frontend] tool choice none", "yuki", ago(6), pull=True),
        issue(24, "[Frontend] fix template path", "yuki", ago(7), pull=True),
        issue(25, "[Kernel] WIP", "yuki", ago(9), pull=True),
        issue(26, "[Frontend] nice PR", "newbie", ago(3), pull=True),
    ]
    pulls = [
        pull(20, "[Scheduler] log the budget", "zed", ago(5), body="Fixes #9"),
        pull(21, "[Kernel] faster topk", "bob", ago(0, 22), state="closed", merged=ago(0, 12), merged_by="alice"),
        pull(22, "[Kernel] first kernel change", "bob", ago(57), state="closed", merged=ago(56), merged_by="alice"),
        pull(23, "[Frontend] tool choice none", "yuki", ago(6)),
        pull(24, "[Frontend] fix template path", "yuki", ago(7)),
        pull(25, "[Kernel] WIP", "yuki", ago(9), draft=True),
        pull(26, "[Frontend] nice PR", "newbie", ago(3)),
    ]
    reviews = [
        review(1, 21, "alice", "APPROVED", ago(0, 21)),
        review(2, 22, "alice", "APPROVED", ago(56, 12)),
        review(3, 23, "dave", "CHANGES_REQUESTED", ago(4)),
        review(4, 24, "dave", "CHANGES_REQUESTED", ago(5)),
        review(5, 26, "dave", "APPROVED", ago(1)),
        review(6, 20, "zed", "COMMENTED", ago(4)),  # the author's own review does not count
    ]
    comments = [
        comment(1, 24, "yuki", ago(4), "done, please take another look"),
        comment(2, 1, "alice", ago(0, 6), "PR welcome", assoc="MEMBER"),
        comment(3, 10, "gina", ago(0, 4), "@everyone look", assoc="MEMBER"),
    ]
    events = [
        {"id": 1, "event": "labeled", "actor": user("gina"), "label": {"name": "documentation"},
         "issue": {"number": 10}, "created_at": z(ago(0, 3))},
        {"id": 2, "event": "labeled", "actor": user("mergify[bot]"), "label": {"name": "kernel"},
         "issue": {"number": 21}, "created_at": z(ago(0, 20))},
    ]
    subsystem_of = {1: "kernel", 2: "kernel", 3: "kernel", 4: "frontend", 5: "quantization", 6: "documentation",
                    7: "frontend", 8: "scheduler", 9: "scheduler", 10: "documentation", 11: "kernel", 20: "scheduler",
                    21: "kernel", 22: "kernel", 23: "frontend", 24: "frontend", 25: "kernel", 26: "frontend"}
    gfi = {1: 0.9, 2: 0.85, 3: 0.8, 4: 0.75, 5: 0.7, 6: 0.95, 7: 0.92, 8: 0.88, 9: 0.6, 10: 0.65, 11: 0.99}
    owners = [  # subsystem, login, score, declared, last active (days ago), median first review hours
        ("kernel", "alice", 10.0, True, 0.5, 2.0), ("kernel", "bob", 5.0, False, 1, 20.0),
        ("kernel", "carol", 8.0, True, 90, 5.0), ("frontend", "dave", 7.0, False, 1, 10.0),
        ("frontend", "erin", 9.0, True, 2, 400.0), ("quantization", "alice", 3.0, False, 0.5, 2.0),
        ("quantization", "frank", 6.0, True, 3, 12.0), ("documentation", "gina", 4.0, True, 0.2, 6.0),
        ("scheduler", "henry", 5.0, True, 2, 8.0),
    ]
    with session_scope(engine) as s:
        rid = upsert_repo(
            s,
            {
                "id": 1,
                "full_name": REPO,
                "default_branch": "main",
                "html_url": f"https://github.com/{REPO}",
                "owner": user("alice") | {"login": "vllm-project", "id": 1},
            },
        )
        upsert_issues(s, rid, issues)
        upsert_pulls(s, rid, pulls)
        upsert_reviews(s, rid, reviews)
        upsert_issue_comments(s, rid, comments)
        upsert_issue_events(s, rid, events)
        upsert_pull_files(s, rid, {21: [{"filename": "csrc/moe/topk.cu", "additions": 20, "deletions": 10}],
                                   20: [{"filename": "vllm/v1/core/sched.py", "additions": 300, "deletions": 5}]})
        gid = upsert_guild(s, {"id": "1", "name": "vLLM"})
        upsert_channels(s, [{"id": "100", "name": "sig-kernels", "type": 0, "guild_id": "1"},
                            {"id": "101", "name": "fused moe perf " + (HOSTILE if hostile else ""), "type": 11,
                             "parent_id": "100", "guild_id": "1"},
                            {"id": "102", "name": "general", "type": 0, "guild_id": "1"}], gid)
        author = {"id": "7", "username": "@everyone" if hostile else "kuro", "global_name": None, "bot": False}
        other = {"id": "8", "username": "mika", "global_name": None, "bot": False}
        upsert_messages(
            s,
            [
                {
                    "id": "1001",
                    "channel_id": "101",
                    "author": author,
                    "content": "see #1 and #21",
                    "timestamp": z(ago(0, 5)),
                },
                {
                    "id": "1002",
                    "channel_id": "101",
                    "author": other,
                    "content": "#1 looks easy",
                    "timestamp": z(ago(0, 4)),
                },
                {"id": "1003", "channel_id": "101", "author": author, "content": "ok", "timestamp": z(ago(0, 3))},
                {"id": "1004", "channel_id": "102", "author": other, "content": "hi", "timestamp": z(ago(0, 2))},
                {"id": "1005", "channel_id": "102", "author": other, "content": "old", "timestamp": z(ago(3))},
            ],
            default_repo=REPO,
        )
        for n, sub in subsystem_of.items():
            s.merge(SubsystemLabel(repo_id=rid, number=n, is_pull=n >= 20, primary=sub, model_version="test",
                                   subsystems=[{"name": sub, "confidence": 0.9, "source": "test"}], computed_at=NOW))
        for n, p in gfi.items():
            s.merge(GoodFirstIssueScore(repo_id=rid, number=n, probability=p, from_prior=False, computed_at=NOW,
                                        reasons=[f"short, self-contained ({n})", "maintainer said PR welcome"]))
        s.merge(
            ThreadSignal(
                repo_id=rid,
                number=6,
                claimed=True,
                claimed_by=["newbie"],
                blocked=False,
                blockers=[],
                acknowledged=False,
                acknowledged_by=[],
                last_maintainer_word="",
                evidence=[],
                computed_at=NOW,
            )
        )
        s.merge(ThreadSignal(repo_id=rid, number=7, claimed=False, claimed_by=[], blocked=True,
                             blockers=["waiting for the V1 rewrite"], acknowledged=False, acknowledged_by=[],
                             last_maintainer_word="", evidence=[], computed_at=NOW))
        s.merge(ThreadSignal(repo_id=rid, number=1, claimed=False, claimed_by=[], blocked=False, blockers=[],
                             acknowledged=True, acknowledged_by=["alice"], last_maintainer_word="PR welcome",
                             evidence=[], computed_at=NOW))
        s.merge(ThreadSignal(repo_id=rid, number=10, claimed=False, claimed_by=[], blocked=False, blockers=[],
                             acknowledged=True, acknowledged_by=["gina"],
                             last_maintainer_word=HOSTILE if hostile else "go ahead", evidence=[], computed_at=NOW))
        for sub, login, score, declared, active, mfr in owners:
            s.merge(OwnershipScore(repo_id=rid, subsystem=sub, login=login, score=score, declared=declared,
                                   evidence={"counts": {"approvals": int(score), "review_comments": 2},
                                             "median_first_review_hours": mfr},
                                   last_active_at=ago(active), computed_at=NOW))
