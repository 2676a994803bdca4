"""What a bench job needs to know about an issue: its text, its confident subsystems, and the pull
request it could measure (the issue itself when it is a PR, the first open PR that closes it, or
the one a caller names). Read through `storage.read.issue_context`, the issue card's read, so
`reports` may import `bench` and never the reverse."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.errors import ReportError
from storage.models import PullRequest, User
from storage.read import issue_context, repo_row


@dataclass(frozen=True)
class PullCandidate:
    """A PR a bench job could measure, with what decides whether it may be measured unasked."""

    number: int
    author: str | None
    author_association: str
    head_sha: str
    base_ref: str
    state: str


@dataclass(frozen=True)
class BenchContext:
    repo: str
    default_branch: str
    number: int
    is_pull: bool
    text: str  # title and body (read only to pick an op among fixed names)
    subsystems: tuple[str, ...]
    pull: PullCandidate | None  # the PR itself, or the first open PR that closes the issue


def _candidate(p: PullRequest, login: str | None, default_branch: str) -> PullCandidate:
    return PullCandidate(number=p.number, author=login, author_association=p.author_association or "NONE",
                         head_sha=p.head_sha or "", base_ref=p.base_ref or default_branch, state=p.state)


def stored_pull(session: Session, repo: str, number: int) -> PullCandidate:
    """A stored PR by number (a caller names it with `--pull N`), else ReportError."""
    r = repo_row(session, repo)
    row = session.execute(select(PullRequest, User.login).outerjoin(User, User.id == PullRequest.user_id)
                          .where(PullRequest.repo_id == r.id, PullRequest.number == number)).first()
    if row is None:
        raise ReportError(f"{r.full_name} PR #{number} is not stored (run `scout collect` or `scout import`)")
    return _candidate(row[0], row[1], r.default_branch or "main")


def bench_context(session: Session, repo: str, number: int, min_confidence: float = 0.3) -> BenchContext:
    """An issue/PR by number (`storage.read.issue_context`, as its card reads it), the subsystems
    the classifier is confident of (at least `min_confidence`; the best one whatever its confidence:
    a 1 % guess must not pick a GPU vendor), and the PR a bench job could measure."""
    ctx = issue_context(session, repo, number)
    subs = ctx.subsystems
    confident = () if subs is None else tuple(
        name for i, (name, conf) in enumerate(zip(subs.names, subs.confidences, strict=True))
        if i == 0 or conf >= min_confidence)
    p = ctx.pull
    pull = None if p is None else PullCandidate(number=p.number, author=p.author,
                                                author_association=p.author_association, head_sha=p.head_sha,
                                                base_ref=p.base_ref, state=p.state)
    return BenchContext(repo=ctx.repo, default_branch=ctx.default_branch, number=number, is_pull=ctx.issue.is_pull,
                        text=ctx.text, subsystems=confident, pull=pull)
