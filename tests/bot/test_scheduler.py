"""The scheduler in-process, on the real job store (SQLite, and PostgreSQL when configured): the jobs
the config asks for, DST-safe digest times, what a restart keeps, replaces and removes, coalescing
and the misfire grace, and `job_status` read from the table without a scheduler."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine

from bot import scheduler as sched
from config import get_settings
from config.watch import load_watch_config
from tests.helpers.watch_config import write_config


def test_jobs_per_enabled_repo(tmp_path: Path) -> None:
    watch = load_watch_config()
    assert [s.id for s in sched.job_specs(watch)] == [
        "github:vllm-project/vllm", "discord", "retrain:vllm-project/vllm", "digest"]
    everything = load_watch_config(write_config(tmp_path / "all.toml", enable_all=True))
    specs = {s.id: s for s in sched.job_specs(everything)}
    assert set(specs) == {"github:vllm-project/vllm", "github:sgl-project/sglang", "github:triton-lang/triton",
                          "discord", "retrain:vllm-project/vllm", "retrain:sgl-project/sglang",
                          "retrain:triton-lang/triton", "digest"}
    assert specs["github:sgl-project/sglang"].args == ("sgl-project/sglang",)
    assert specs["github:sgl-project/sglang"].trigger.interval == timedelta(minutes=60)
    assert specs["discord"].trigger.interval == timedelta(minutes=15)
    assert specs["retrain:triton-lang/triton"].trigger.interval == timedelta(days=7)
    assert [s.id for s in sched.job_specs(watch, sched.ScheduleOptions(chat=False))] == [
        "github:vllm-project/vllm", "retrain:vllm-project/vllm", "digest"]


def test_intervals_in_seconds_and_bad_ones(tmp_path: Path) -> None:
    watch = load_watch_config(write_config(tmp_path / "fast.toml", schedule={
        "github_every_minutes": 0.05, "discord_every_minutes": 0.1, "retrain_every_days": 0.0001,
        "misfire_grace_seconds": 30, "stale_after_hours": 1}))
    specs = {s.id: s for s in sched.job_specs(watch)}
    assert specs["github:vllm-project/vllm"].trigger.interval == timedelta(seconds=3)
    assert specs["discord"].trigger.interval == timedelta(seconds=6)
    zero = load_watch_config(write_config(tmp_path / "zero.toml", schedule={"github_every_minutes": 0}))
    with pytest.raises(sched.ConfigError, match="positive"):
        sched.job_specs(zero)


def test_digest_time_is_local_and_dst_safe(tmp_path: Path) -> None:
    """09:00 in Berlin is 08:00 UTC in winter and 07:00 UTC in summer, across both DST switches."""
    watch = load_watch_config()  # digest 09:00 Europe/Berlin
    trigger = sched.digest_trigger(watch)
    spring = trigger.get_next_fire_time(None, datetime(2026, 3, 28, 9, 30, tzinfo=UTC))
    assert spring.astimezone(UTC) == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)
    before = trigger.get_next_fire_time(None, datetime(2026, 3, 27, 9, 30, tzinfo=UTC))
    assert before.astimezone(UTC) == datetime(2026, 3, 28, 8, 0, tzinfo=UTC)
    autumn = trigger.get_next_fire_time(None, datetime(2026, 10, 24, 9, 30, tzinfo=UTC))
    assert autumn.astimezone(UTC) == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)
    # an override with seconds (tests drive the clock with it), still in the configured zone
    at = sched.digest_trigger(watch, time(21, 30, 5))
    fire = at.get_next_fire_time(None, datetime(2026, 7, 1, 12, 0, tzinfo=UTC))
    assert fire.astimezone(UTC) == datetime(2026, 7, 1, 19, 30, 5, tzinfo=UTC)
    ny = load_watch_config(
        write_config(tmp_path / "ny.toml", digest={"time": "07:15", "timezone": "America/New_York", "days": 1})
    )
    fire = sched.digest_trigger(ny).get_next_fire_time(None, datetime(2026, 11, 1, 0, 0, tzinfo=UTC))
    assert fire.astimezone(UTC) == datetime(2026, 11, 1, 12, 15, tzinfo=UTC)  # EDT ends that night: 07:15 EST


def test_parse_clock_time() -> None:
    assert sched.parse_clock_time("09:05") == time(9, 5)
    assert sched.parse_clock_time("23:59:58") == time(23, 59, 58)
    for bad in ("9", "25:00", "ab:cd", "1:2:3:4"):
        with pytest.raises(sched.ConfigError, match="HH:MM"):
            sched.parse_clock_time(bad)


async def _started(engine: Engine, watch) -> sched.AsyncIOScheduler:  # type: ignore[name-defined]
    s = sched.make_scheduler(engine, watch)
    s.start(paused=True)
    return s


async def test_restart_keeps_digest_and_retrain_replaces_collection_removes_disabled(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    everything = load_watch_config(write_config(tmp_path / "all.toml", enable_all=True))
    first = await _started(engine, everything)
    t0 = datetime.now(UTC)
    done = sched.install_jobs(first, sched.job_specs(everything), now=t0)
    assert set(done.values()) == {"added"} and len(done) == 8
    stored = {j.id: j.next_run_time for j in first.get_jobs()}
    assert stored["github:triton-lang/triton"] == t0 and stored["discord"] == t0  # collection runs at start
    assert stored["retrain:vllm-project/vllm"] > t0 + timedelta(days=6)
    first.shutdown(wait=False)

    # restart with SGLang and Triton disabled again and the same digest/retrain schedule
    watch = load_watch_config()
    second = await _started(engine, watch)
    t1 = t0 + timedelta(seconds=5)
    done = sched.install_jobs(second, sched.job_specs(watch), now=t1)
    assert done == {"github:sgl-project/sglang": "removed", "github:triton-lang/triton": "removed",
                    "retrain:sgl-project/sglang": "removed", "retrain:triton-lang/triton": "removed",
                    "github:vllm-project/vllm": "replaced", "discord": "replaced",
                    "retrain:vllm-project/vllm": "kept", "digest": "kept"}
    after = {j.id: j.next_run_time for j in second.get_jobs()}
    assert (
        after["digest"] == stored["digest"]
        and after["retrain:vllm-project/vllm"] == stored["retrain:vllm-project/vllm"]
    )
    assert after["github:vllm-project/vllm"] == t1
    second.shutdown(wait=False)

    # a changed digest time is a new schedule: replaced, next run from the new time
    third = await _started(engine, watch)
    done = sched.install_jobs(third, sched.job_specs(watch, sched.ScheduleOptions(digest_at=time(10, 0))), now=t1)
    assert done["digest"] == "replaced"
    digest = third.get_job("digest")
    assert digest.next_run_time.astimezone(UTC).time() in (time(8, 0), time(9, 0))  # 10:00 Berlin
    third.shutdown(wait=False)

    monkeypatch.setenv("SCOUT_DATABASE_URL", str(engine.url.render_as_string(hide_password=False)))
    status = sched.job_status(get_settings())
    assert [j["id"] for j in status] == ["digest", "discord", "github:vllm-project/vllm", "retrain:vllm-project/vllm"]
    assert status[0]["next_run"] == digest.next_run_time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert status[0]["trigger"].startswith("cron[hour='10', minute='0'")
    assert status[1]["trigger"] == "interval[0:15:00]"


def test_job_status_without_a_job_table(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCOUT_DATABASE_URL", str(engine.url.render_as_string(hide_password=False)))
    assert sched.job_status(get_settings()) == []


class _Runs(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def started(self, job_id: str) -> int:
        return sum(1 for m in self.messages if m == f"job {job_id} started")


@pytest.fixture
def runs() -> _Runs:
    h = _Runs()
    levels = {}
    for name in ("bot.scheduler", "apscheduler"):
        logger = logging.getLogger(name)
        levels[name] = logger.level
        logger.addHandler(h)
        logger.setLevel(logging.INFO)
    yield h
    for name, level in levels.items():
        logging.getLogger(name).removeHandler(h)
        logging.getLogger(name).setLevel(level)


async def _backlog(engine: Engine, watch, job_id: str, trigger: IntervalTrigger, next_run: datetime) -> None:
    """A stored job whose next run lies in the past (the service was down)."""
    s = await _started(engine, watch)
    s.add_job(sched.retrain_job, trigger, args=["vllm-project/vllm"], id=job_id, name=job_id, next_run_time=next_run,
              replace_existing=True)
    s.shutdown(wait=False)


async def _quiesce(s) -> None:
    """Pause and let a running job finish before shutting down (shutdown would cancel it)."""
    s.pause()
    for _ in range(100):
        if not sched.current_runtime().running:
            break
        await asyncio.sleep(0.05)
    s.shutdown(wait=False)


async def test_backlog_runs_once_and_a_run_missed_beyond_grace_not_at_all(engine: Engine, tmp_path: Path,
                                                                        runs: _Runs) -> None:
    """Coalescing: a job that missed six runs while the service was down runs once on start. With
    a daily job missed by more than misfire_grace_seconds, the run is dropped, not made up."""
    watch = load_watch_config(write_config(tmp_path / "c.toml", schedule={
        "github_every_minutes": 60, "discord_every_minutes": 15, "retrain_every_days": 2 / 86400,
        "misfire_grace_seconds": 60, "stale_after_hours": 3}))
    now = datetime.now(UTC)
    job = "retrain:vllm-project/vllm"
    await _backlog(engine, watch, job, IntervalTrigger(seconds=2, start_date=now - timedelta(seconds=12)),
                   now - timedelta(seconds=12))
    sched.set_runtime(sched.Runtime(bot=None, settings=get_settings(), engine=engine,  # type: ignore[arg-type]
                                    options=sched.ScheduleOptions()))
    try:
        s = await _started(engine, watch)
        specs = [sp for sp in sched.job_specs(watch) if sp.id == job]
        assert sched.install_jobs(s, specs)[job] == "kept"
        s.resume()
        await asyncio.sleep(0.6)
        assert runs.started(job) == 1  # six missed runs, one run
        assert s.get_job(job).next_run_time > now
        await _quiesce(s)

        daily = load_watch_config(write_config(tmp_path / "d.toml", schedule={
            "github_every_minutes": 60, "discord_every_minutes": 15, "retrain_every_days": 1,
            "misfire_grace_seconds": 60, "stale_after_hours": 3}))
        runs.messages.clear()
        late = datetime.now(UTC) - timedelta(hours=2)
        await _backlog(engine, daily, job, IntervalTrigger(days=1, start_date=late), late)
        s = await _started(engine, daily)
        assert sched.install_jobs(s, [sp for sp in sched.job_specs(daily) if sp.id == job])[job] == "kept"
        s.resume()
        await asyncio.sleep(0.4)
        assert runs.started(job) == 0
        assert any("was missed by" in m for m in runs.messages)
        assert abs(s.get_job(job).next_run_time - (late + timedelta(days=1))) < timedelta(seconds=1)  # not made up
        await _quiesce(s)
    finally:
        sched.set_runtime(None)


async def test_digest_job_posts_one_digest_per_enabled_repo_with_data(engine: Engine, db_url: str, tmp_path: Path,
                                                                      small_dataset: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Two watched repos with data (and a third, enabled, without): one digest each, in one channel,
    and the job run again the same day posts nothing more."""
    import json
    import shutil

    from collectors.discord.client import configure_endpoints, restore_endpoints
    from sandbox.discord import DiscordSandbox
    from storage.importer import import_dataset
    from tests.helpers.discord_fixtures import TOKEN, running_bot
    from tests.helpers.github_data import build_github_dataset

    both = tmp_path / "both"
    shutil.copytree(small_dataset, both)
    build_github_dataset(tmp_path / "acme", full_name="acme/engine")
    shutil.copytree(tmp_path / "acme" / "github" / "acme__engine", both / "github" / "acme__engine")
    import_dataset(engine, both)
    config = write_config(tmp_path / "multi.toml", enable_all=True)
    config.write_text(config.read_text() + '\n[[repos]]\nname = "acme/engine"\ntaxonomy = "vllm"\n')
    sb = await DiscordSandbox(both).start()
    previous = configure_endpoints(sb.api_url, sb.gateway_url)
    for key, value in {"SCOUT_DATABASE_URL": db_url, "SCOUT_CONFIG": str(config), "SCOUT_DISCORD_TOKEN": TOKEN,
                       "SCOUT_DISCORD_API_URL": sb.api_url, "SCOUT_DISCORD_GATEWAY_URL": sb.gateway_url,
                       "SCOUT_NOW": json.loads((both / "meta.json").read_text())["now"]}.items():
        monkeypatch.setenv(key, value)
    settings = get_settings()
    assert [r.name for r in settings.watch.enabled_repos] == [
        "vllm-project/vllm", "sgl-project/sglang", "triton-lang/triton", "acme/engine"]
    try:
        async with running_bot(settings, engine, extensions=[]) as bot:
            sched.set_runtime(sched.Runtime(bot=bot, settings=settings, engine=engine, options=sched.ScheduleOptions()))
            await sched.digest_job()
            first = [m["embeds"][0]["title"] for m in sb.posted() if m.get("embeds")]
            await sched.digest_job()
            again = [m["embeds"][0]["title"] for m in sb.posted() if m.get("embeds")]
    finally:
        sched.set_runtime(None)
        restore_endpoints(previous)
        await sb.stop()
    titles = [t for t in first if t.startswith("Digest · ")]
    assert [t.rsplit(" · ", 1)[0] for t in titles] == ["Digest · vllm-project/vllm", "Digest · acme/engine"]
    assert again == first
