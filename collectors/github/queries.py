"""GraphQL queries for what REST has no repository-wide list of (each updated pull request's
details, reviews and changed files) or pages too deep to reach (older issue events, read as
issues' timelines), and their conversion to the REST shapes `storage.upsert`
takes, so a pull request stored from GraphQL is the same row as one stored from REST.

GitHub specifics handled here: ids come from `fullDatabaseId` (BigInt, a string) where GitHub
deprecated the 32-bit `databaseId`; a user's `databaseId` is still 32-bit, so an id that does not
fit comes back null with an error, and the caller resolves it by login; a bot's GraphQL login
lacks the `[bot]` suffix its REST login has; merged pull requests have `mergeCommit`, open ones a
`potentialMergeCommit` (REST's `merge_commit_sha` is either).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from rules.github import BOT_SUFFIX, PULL_ONLY_EVENTS, TIMELINE_EVENTS, timeline_item_type

MAX_PULLS_PER_QUERY = 50  # pull requests per query at most (fewer after GitHub times out on one)
NESTED_PAGE = 25  # nodes per nested connection: most pull requests fit; the rest get follow-up queries

ACTOR = ("fragment actor on Actor { __typename login ... on User { databaseId isSiteAdmin } "
         "... on Bot { databaseId } }")
REVIEW_FIELDS = ("fullDatabaseId author { ...actor } authorAssociation state body submittedAt url "
                 "commit { oid }")
FILE_FIELDS = "path additions deletions changeType"
LABEL_FIELDS = "name"
REQUEST_FIELDS = "requestedReviewer { __typename ...actor ... on Team { slug name } }"
NESTED = {"labels": LABEL_FIELDS, "reviewRequests": REQUEST_FIELDS, "reviews": REVIEW_FIELDS, "files": FILE_FIELDS}
_PAGE = "pageInfo { hasNextPage endCursor }"
# GitHub counts a query's possible nodes as the page sizes multiplied along nested connections: a
# pull request asks for 4 x 25 = 100 (50 of them: 5,000, 200 connection pages = 2 points).
PULL = f"""fragment pull on PullRequest {{
  number fullDatabaseId title body state isDraft url createdAt updatedAt closedAt mergedAt
  author {{ ...actor }} authorAssociation
  headRefName headRefOid baseRefName
  mergeCommit {{ oid }} potentialMergeCommit {{ oid }}
  mergedBy {{ ...actor }}
  {" ".join(f"{c}(first: {NESTED_PAGE}) {{ {_PAGE} nodes {{ {f} }} }}" for c, f in NESTED.items())}
}}"""

STATUS = {"ADDED": "added", "DELETED": "removed", "MODIFIED": "modified", "RENAMED": "renamed",
          "COPIED": "copied", "CHANGED": "changed"}


def pulls_query(numbers: Sequence[int]) -> str:
    """One query for up to MAX_PULLS_PER_QUERY pull requests, by number (aliases p<number>)."""
    if not 0 < len(numbers) <= MAX_PULLS_PER_QUERY:
        raise ValueError(f"between 1 and {MAX_PULLS_PER_QUERY} pull requests per query, got {len(numbers)}")
    fields = "\n    ".join(f"p{n}: pullRequest(number: {int(n)}) {{ ...pull }}" for n in numbers)
    return (
        f"query($owner: String!, $name: String!) {{\n  repository(owner: $owner, name: $name) {{\n    {fields}\n  }}\n"
        f"  rateLimit {{ cost remaining resetAt }}\n}}\n{PULL}\n{ACTOR}\n"
    )


def more_query(connection: str) -> str:
    """The next page of one pull request's `labels`, `reviewRequests`, `reviews` or `files`."""
    fields = NESTED[connection]
    return (f"query($owner: String!, $name: String!, $number: Int!, $after: String) {{\n"
            f"  repository(owner: $owner, name: $name) {{ pullRequest(number: $number) {{\n"
            f"    {connection}(first: 100, after: $after) {{ {_PAGE} nodes {{ {fields} }} }}\n"
            f"  }} }}\n}}\n" + (ACTOR if "...actor" in fields else ""))


# ----------------------------------------------------------------------------- GraphQL -> REST


def rest_user(actor: dict[str, Any] | None) -> dict[str, Any] | None:
    """A REST user object from a GraphQL actor; `id` is None when GitHub could not give it.

    A deleted account is null in GraphQL (REST's `ghost`): None here, no author either way. A
    mannequin has no user id: it keeps type "Mannequin" and storage keys it by login."""
    if not actor:
        return None
    kind = actor.get("__typename") or "User"
    login = str(actor["login"])
    if kind == "Bot" and not login.endswith(BOT_SUFFIX):
        login += BOT_SUFFIX
    return {"login": login, "id": actor.get("databaseId"),
            "type": kind if kind in ("User", "Bot", "Organization", "Mannequin") else "User",
            "site_admin": bool(actor.get("isSiteAdmin", False))}


def rest_review(node: dict[str, Any], pull_url: str) -> dict[str, Any]:
    return {
        "id": int(node["fullDatabaseId"]),
        "user": rest_user(node.get("author")),
        "author_association": node.get("authorAssociation") or "NONE",
        "state": node["state"],
        "body": node.get("body") or "",
        "commit_id": (node.get("commit") or {}).get("oid"),
        "submitted_at": node.get("submittedAt"),
        "html_url": node.get("url") or "",
        "pull_request_url": pull_url,
    }


def rest_file(node: dict[str, Any]) -> dict[str, Any]:
    additions, deletions = int(node.get("additions") or 0), int(node.get("deletions") or 0)
    return {"filename": node["path"], "status": STATUS.get(str(node.get("changeType")), "modified"),
            "additions": additions, "deletions": deletions, "changes": additions + deletions}


def rest_pull(node: dict[str, Any], api: str, full_name: str) -> dict[str, Any]:
    """A pull request in the REST list shape (what `upsert_pulls` reads)."""
    number = int(node["number"])
    merge = node.get("mergeCommit") if node.get("mergedAt") else node.get("potentialMergeCommit")
    reviewers = []
    for req in (node.get("reviewRequests") or {}).get("nodes") or []:
        who = (req or {}).get("requestedReviewer") or {}
        if who.get("__typename") in ("User", "Bot", "Mannequin") and who.get("login"):
            reviewers.append(rest_user(who))
    return {
        "id": int(node["fullDatabaseId"]),
        "number": number,
        "url": f"{api}/repos/{full_name}/pulls/{number}",
        "html_url": node.get("url") or "",
        "title": node.get("title") or "",
        "body": node.get("body") or "",
        "state": "open" if node.get("state") == "OPEN" else "closed",
        "draft": bool(node.get("isDraft")),
        "user": rest_user(node.get("author")),
        "author_association": node.get("authorAssociation") or "NONE",
        "labels": [{"name": lb["name"]} for lb in (node.get("labels") or {}).get("nodes") or [] if lb],
        "requested_reviewers": reviewers,
        "head": {"ref": node.get("headRefName") or "", "sha": node.get("headRefOid") or ""},
        "base": {"ref": node.get("baseRefName") or ""},
        "merge_commit_sha": (merge or {}).get("oid"),
        "merged_by": rest_user(node.get("mergedBy")),
        "created_at": node["createdAt"],
        "updated_at": node["updatedAt"],
        "closed_at": node.get("closedAt"),
        "merged_at": node.get("mergedAt"),
    }


def users_in(pull: dict[str, Any], reviews: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every REST user object of a converted pull request and its reviews (to fill in missing ids)."""
    found = [pull.get("user"), pull.get("merged_by"), *pull.get("requested_reviewers", [])]
    found += [r.get("user") for r in reviews]
    return [u for u in found if u]


# ----------------------------------------------------------------------------- issue timelines

TIMELINE_PAGE = 20  # timeline items per issue in the first query (vLLM: ~4 events an issue; more get follow-ups)
TIMELINE_NODES = 2000  # nodes per timeline query: 100 issues x 20 items, 1 point (fewer after a timeout)
_EXTRA = {  # what each timeline type adds to the REST event row beyond id, createdAt and actor
    "LabeledEvent": "label { name }", "UnlabeledEvent": "label { name }",
    "AssignedEvent": "assignee { ...actor }", "UnassignedEvent": "assignee { ...actor }",
    "ReviewRequestedEvent": "requestedReviewer { __typename ...actor }",
    "ReviewRequestRemovedEvent": "requestedReviewer { __typename ...actor }",
    "MergedEvent": "commit { oid }", "ReferencedEvent": "commit { oid }",
    "ClosedEvent": "closer { __typename ... on Commit { oid } ... on PullRequest { mergeCommit { oid } } }",
}
_EVENT_NAMES = {typename: name for name, typename in TIMELINE_EVENTS.items()}
TIMELINE_TYPENAMES = frozenset(_EVENT_NAMES)


def _item_types(is_pull: bool) -> str:
    return ", ".join(timeline_item_type(t) for name, t in TIMELINE_EVENTS.items()
                     if is_pull or name not in PULL_ONLY_EVENTS)


def _timeline_fragment(is_pull: bool) -> str:
    """The fields of every stored event type, once per query (a named fragment keeps a 100-issue
    query small for GitHub to parse and validate)."""
    union, name = ("PullRequestTimelineItems", "pullEvent") if is_pull else ("IssueTimelineItems", "issueEvent")
    spreads = " ".join(f"... on {t} {{ id createdAt actor {{ ...actor }} {_EXTRA.get(t, '')}}}"
                       for event, t in TIMELINE_EVENTS.items() if is_pull or event not in PULL_ONLY_EVENTS)
    return f"fragment {name} on {union} {{ __typename {spreads} }}\n"


def _timeline_items(is_pull: bool, page: int, after: str | None) -> str:
    cursor = f", after: {json.dumps(after)}" if after else ""
    return (f"timelineItems(first: {page}{cursor}, itemTypes: [{_item_types(is_pull)}]) "
            f"{{ {_PAGE} nodes {{ ...{'pullEvent' if is_pull else 'issueEvent'} }} }}")


def timeline_query(items: Sequence[tuple[int, bool, str | None]], page: int) -> str:
    """One query for the timeline events of several issues and pull requests: (number, is a pull
    request, cursor to continue after or None), aliased t<number>. Its cost: one connection page
    per issue, so 100 issues a point; its possible nodes: len(items) x page."""
    if not items or not 0 < page <= 100:
        raise ValueError(f"timeline query: {len(items)} issues at {page} items each")
    fields = "\n    ".join(
        f"t{int(n)}: {'pullRequest' if pull else 'issue'}(number: {int(n)}) {{ {_timeline_items(pull, page, after)} }}"
        for n, pull, after in items)
    fragments = "".join(_timeline_fragment(kind) for kind in sorted({pull for _, pull, _ in items}))
    return (f"query($owner: String!, $name: String!) {{\n  repository(owner: $owner, name: $name) {{\n    {fields}\n"
            f"  }}\n  rateLimit {{ cost remaining resetAt }}\n}}\n{fragments}{ACTOR}\n")


def rest_event(node: dict[str, Any], number: int, event_id: int) -> dict[str, Any] | None:
    """A timeline event in the REST issue-event shape `upsert_issue_events` reads, under the REST id
    decoded from its node id (None for a type we do not store)."""
    name = _EVENT_NAMES.get(str(node.get("__typename")))
    if name is None:
        return None
    out: dict[str, Any] = {"id": event_id, "node_id": node.get("id"), "event": name,
                           "actor": rest_user(node.get("actor")), "created_at": node["createdAt"],
                           "commit_id": None, "issue": {"number": number}}
    if "label" in node:
        out["label"] = {"name": (node.get("label") or {}).get("name")}
    if "assignee" in node:
        out["assignee"] = rest_user(node.get("assignee"))
    if "requestedReviewer" in node:
        who = node.get("requestedReviewer") or {}
        out["requested_reviewer"] = rest_user(who) if who.get("__typename") != "Team" and who.get("login") else None
    if "commit" in node:
        out["commit_id"] = (node.get("commit") or {}).get("oid")
    if "closer" in node:
        closer = node.get("closer") or {}
        out["commit_id"] = closer.get("oid") or (closer.get("mergeCommit") or {}).get("oid")
    return out


def users_of_events(events: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The REST user objects of converted timeline events (to fill in ids GraphQL could not give)."""
    return [u for e in events for u in (e.get("actor"), e.get("assignee"), e.get("requested_reviewer")) if u]
