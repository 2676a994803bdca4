"""The service's classification job stores a fresh shortlist after each classification, so that
`/shortlist` answers from it."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from bot.scheduler import Runtime, ScheduleOptions, _classify_repo
from config.settings import Settings
from pipeline import refresh_shortlist
from reports.shortlist import stored_shortlist
from storage.db import make_engine, session_scope
from storage.models import BenchJob, Shortlist
from tests.helpers.bot_answers import copy_db

REPO = "vllm-project/vllm"


def test_classification_job_stores_the_current_shortlist(small_dataset: Path, judged_small_db: Path,
                                                          tmp_path: Path) -> None:
    now = json.loads((small_dataset / "meta.json").read_text())["now"]
    url = copy_db(judged_small_db, tmp_path / "scout.db")
    settings = Settings(database_url=url, now=now, model_dir=judged_small_db.parent / "models",
                        output_dir=tmp_path / "out")
    engine = make_engine(url)
    try:
        rt = Runtime(bot=None, settings=settings, engine=engine, options=ScheduleOptions())  # type: ignore[arg-type]
        msg = _classify_repo(rt, REPO)
        assert f"{REPO}: classified" in msg and "shortlist stored (5 issues, 3 maintainers)" in msg
        with session_scope(engine) as s:
            assert s.scalar(select(func.count()).select_from(Shortlist)) == 1
            got = stored_shortlist(s, settings.watch, REPO, settings.present())
            want = refresh_shortlist(s, settings.watch, REPO, settings.present(), tmp_path / "o", store=False)
            assert s.scalar(select(func.count()).select_from(BenchJob)) == 0  # no bench job asked for
        assert got is not None and got == want
    finally:
        engine.dispose()
