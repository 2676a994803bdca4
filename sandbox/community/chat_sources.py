"""Write the Slack and Discourse parts of a generated dataset and their planted truth (a hook of
`output.write_dataset`; both draw from their own random streams, so GitHub and Discord output is
byte-identical with or without them)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.community.discourse import simulate_discourse
from sandbox.community.slack import simulate_slack
from sandbox.community.writer import write_json, write_list

if TYPE_CHECKING:
    from sandbox.community.world import World


def write_chat_sources(w: World, out: Path, files: dict[str, int]) -> dict[str, Any]:
    """Write slack/ and discourse/ (shared/DATASET.md); returns the truth.json keys they plant."""
    slack = simulate_slack(w)
    sdir = out / "slack"
    write_json(sdir / "team.json", slack.team, sort_keys=False)
    files["slack/users.json"] = write_list(sdir / "users.json", slack.users)
    files["slack/channels.json"] = write_list(sdir / "channels.json", slack.channels)
    files["slack/messages.json"] = write_list(sdir / "messages.json", slack.messages)
    forum = simulate_discourse(w)
    ddir = out / "discourse"
    write_json(ddir / "site.json", forum.site, sort_keys=False)
    files["discourse/categories.json"] = write_list(ddir / "categories.json", forum.categories)
    files["discourse/users.json"] = write_list(ddir / "users.json", forum.users)
    files["discourse/topics.json"] = write_list(ddir / "topics.json", forum.topics)
    files["discourse/posts.json"] = write_list(ddir / "posts.json", forum.posts)
    return {
        "slack_links": slack.links,            # user id -> login, named in the profile
        "slack_people": slack.people,          # user id -> login, everyone who is someone
        "slack_sig_channels": slack.sig_channels,
        "discourse_links": forum.links,        # username -> login, named in the profile
        "discourse_people": forum.people,
        "discourse_categories": forum.categories_of,
        "chat_claimed": slack.chat_claimed,    # claims said again in Slack
        "chat_blocked": slack.chat_blocked,
    }
