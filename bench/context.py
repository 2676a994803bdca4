"""What a bench job needs to know about an issue, read straight from storage: its text, its
subsystems, and the pull requests it could measure (the issue itself when it is a PR, the open PRs
that close it, or the one a caller names). A storage-level read, so `reports` may import `bench`
and never the reverse."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from config.errors import ReportError
from storage.models import Issue, PullRequest, SubsystemLabel, User
from storage.read import closing_pull, repo_row


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


def _subsystems(session: Session, repo_id: int, number: int, min_confidence: float) -> tuple[str, ...]:
    """The issue's subsystems the classifier is confident of (at least `min_confidence`; the best
    one whatever its confidence), best first: a 1 % guess must not pick a GPU vendor."""
    label = session.get(SubsystemLabel, (repo_id, number))
    if label is None:
        return ()
    items = [(str(x["name"]), float(x.get("confidence", 1.0) or 0.0))
             for x in (label.subsystems or []) if isinstance(x, dict) and x.get("name")]
    return tuple(name for i, (name, conf) in enumerate(items) if i == 0 or conf >= min_confidence)


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
    """An issue/PR by number, its confident subsystems and the PR a bench job could measure."""
    r = repo_row(session, repo)
    issue = session.scalar(select(Issue).where(Issue.repo_id == r.id, Issue.number == number))
    if issue is None:
        raise ReportError(f"{r.full_name}#{number} is not stored (run `scout collect` or `scout import`)")
    default_branch = r.default_branch or "main"
    author = aliased(User)
    base = (select(PullRequest, author.login).outerjoin(author, author.id == PullRequest.user_id)
            .where(PullRequest.repo_id == r.id))
    pull = None
    measured = number if issue.is_pull else closing_pull(session, r, number)
    if measured is not None:
        found = session.execute(base.where(PullRequest.number == measured)).first()
        if found is not None:
            pull = _candidate(found[0], found[1], default_branch)
    return BenchContext(
        repo=r.full_name,
        default_branch=default_branch,
        number=number,
        is_pull=issue.is_pull,
        text=f"{issue.title}\n{issue.body or ''}",
        subsystems=_subsystems(session, r.id, number, min_confidence),
        pull=pull,
    )
