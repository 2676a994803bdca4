"""`/shortlist` answers from the stored shortlist at once while it is current, and computes a fresh
one (deferred) when something it was computed from changed."""

from __future__ import annotations

import json

from sqlalchemy import func, select, update

from config.clock import parse_utc
from storage.db import session_scope
from storage.models import Issue, Shortlist
from tests.bot.conftest import Community
from tests.helpers.bot_answers import ask, uploaded
from tests.helpers.discord_fixtures import running_bot

EXPORTS = ("shortlist-vllm-project-vllm.md", "shortlist-vllm-project-vllm.csv", "shortlist-vllm-project-vllm.json")


async def test_stored_shortlist_answers_at_once_and_a_stale_one_is_not_served(community: Community) -> None:
    c = community
    with session_scope(c.engine) as s:
        assert s.scalar(select(func.count()).select_from(Shortlist)) == 0
    async with running_bot(c.settings(), c.engine):
        first = await ask(c.sandbox, "shortlist")  # nothing stored: computed (deferred), and stored
        first_files = {n: uploaded(c.sandbox, n) for n in EXPORTS}
        second = await ask(c.sandbox, "shortlist")  # the stored one, answered in the callback
        second_files = {n: uploaded(c.sandbox, n) for n in EXPORTS}
        listed = [i["number"] for i in json.loads(first_files[EXPORTS[2]])["issues"]]
        with session_scope(c.engine) as s:  # someone takes the first listed issue (as a collection would store it)
            s.execute(update(Issue).where(Issue.number == listed[0])
                      .values(assignees=[{"login": "someone"}], updated_at=parse_utc(c.now)))
        third = await ask(c.sandbox, "shortlist")
        third_json = json.loads(uploaded(c.sandbox, EXPORTS[2]))
    assert first.deferred and first.interaction.callback["type"] == 5
    assert not second.deferred and second.interaction.callback["type"] == 4
    assert second.ephemeral and second.files == list(EXPORTS)
    assert second_files == first_files  # the same bytes: what a fresh computation gave
    assert second.text == first.text
    assert third.deferred  # stale: computed again, without the issue now assigned
    assert listed[0] not in [i["number"] for i in third_json["issues"]]
    with session_scope(c.engine) as s:
        assert s.scalar(select(func.count()).select_from(Shortlist)) == 2  # the first and the third
