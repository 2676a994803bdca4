"""The service's clock: an APScheduler 3 `AsyncIOScheduler` on the bot's event loop.

Jobs come from the watch config (`schedule`, `digest`, the enabled repos):

    github:OWNER/REPO   collect the repo (PyGithub, in a thread), then classify it   every github_every_minutes
    discord             chat catch-up over the bot's own connection, then classify    every discord_every_minutes
    retrain:OWNER/REPO  refit the repo's models, then classify                         every retrain_every_days
    digest              the daily digest, at digest.time in digest.timezone (CronTrigger: DST-safe)

Each classification is followed by a fresh stored shortlist (`/shortlist` answers from it while
it is current).

They live in a SQLAlchemyJobStore in the app's own database (`apscheduler_jobs`, ignored by the
migrations), with `max_instances=1` and `coalesce=True` so runs never overlap and a backlog runs
once, and `misfire_grace_time` from the config so a bot that was down catches up once, not N
times, and not at all after too long. Job functions are module-level coroutines (the store pickles
them by reference) that reach the bot through the module-level runtime set by `Service.start`.

On start, collection jobs are (re)scheduled to run at once: collection is incremental, so catching
up after downtime is always right. The digest and retraining keep their stored next run when their
schedule is unchanged: replacing them would drop a missed digest (APScheduler recomputes the next
run time of a replaced job from now). Jobs of repos no longer enabled are removed.

`job_status(settings)` reads the job table for `scout status` without starting anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from time import perf_counter
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from collectors.github.client import CollectionStopped
from config.clock import iso_z
from config.errors import CollectorError, ConfigError
from config.settings import Settings
from config.watch import WatchConfig
from storage.queries import stored_repo_names

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.triggers.base import BaseTrigger

    from bot.app import ScoutBot

log = logging.getLogger(__name__)

JOB_TABLE = "apscheduler_jobs"
CHAT_JOB = "discord"
CHAT_SOURCES_JOB = "chat-sources"  # Slack and Discourse, when the settings switch them on
DIGEST_JOB = "digest"
READY_TIMEOUT = 120.0

T = TypeVar("T")


def github_job_id(repo: str) -> str:
    return f"github:{repo}"


def retrain_job_id(repo: str) -> str:
    return f"retrain:{repo}"


# ----------------------------------------------------------------------------- options and job specs


@dataclass(frozen=True)
class ScheduleOptions:
    """What `scout run` may change beside the config (tests drive the clock with these)."""

    backfill_days: float = 7.0            # window of a repo's / channel's first collection
    digest_at: time | None = None         # overrides digest.time (seconds allowed), in digest.timezone
    shutdown_grace_seconds: float = 30.0  # how long a stop waits for a running job to reach a checkpoint
    chat: bool = True                     # schedule the chat catch-up (needs the gateway)
    chat_sources: tuple[str, ...] = ()    # "slack", "discourse": collected on the chat schedule


def parse_clock_time(value: str) -> time:
    """`HH:MM` or `HH:MM:SS` (24-hour) as a naive local time of day."""
    try:
        parts = [int(p) for p in value.strip().split(":")]
        if len(parts) not in (2, 3):
            raise ValueError
        hour, minute, second = (*parts, 0)[:3]
        return time(hour, minute, second)
    except (ValueError, TypeError):
        raise ConfigError(f"expected a time of day HH:MM or HH:MM:SS, got {value!r}") from None


@dataclass(frozen=True)
class JobSpec:
    """One job as the config wants it. `run_now`: schedule the first run immediately on start;
    otherwise a stored job with the same schedule keeps its next run time (a missed run catches up)."""

    id: str
    func: Callable[..., Coroutine[Any, Any, None]]
    trigger: BaseTrigger
    args: tuple[Any, ...] = ()
    run_now: bool = False
    misfire_grace_seconds: int | None = None  # how late a run may still start (None: APScheduler's default)

    @property
    def name(self) -> str:
        return self.id


def digest_trigger(watch: WatchConfig, at: time | None = None) -> BaseTrigger:
    """The daily digest at the configured local wall time; the zone's DST rules decide the UTC instant."""
    from apscheduler.triggers.cron import CronTrigger

    when = at or parse_clock_time(watch.digest.time)
    return CronTrigger(hour=when.hour, minute=when.minute, second=when.second, timezone=ZoneInfo(watch.digest.timezone))


def _every(seconds: float) -> BaseTrigger:
    from apscheduler.triggers.interval import IntervalTrigger

    if seconds <= 0:
        raise ConfigError(f"schedule: an interval must be positive, got {seconds} s")
    return IntervalTrigger(seconds=seconds, timezone=UTC)


def job_specs(watch: WatchConfig, options: ScheduleOptions | None = None) -> list[JobSpec]:
    """Every job the config asks for: per enabled repo, collection and retraining; chat; the digest."""
    options = options or ScheduleOptions()
    sched = watch.schedule
    grace = sched.misfire_grace_seconds
    specs: list[JobSpec] = []
    for repo in watch.enabled_repos:
        specs.append(JobSpec(github_job_id(repo.name), collect_github_job, _every(sched.github_every_minutes * 60),
                             (repo.name,), run_now=True, misfire_grace_seconds=grace))
    if options.chat:
        specs.append(JobSpec(CHAT_JOB, collect_chat_job, _every(sched.discord_every_minutes * 60), run_now=True,
                             misfire_grace_seconds=grace))
    if options.chat_sources:
        specs.append(JobSpec(CHAT_SOURCES_JOB, collect_chat_sources_job, _every(sched.discord_every_minutes * 60),
                             (tuple(options.chat_sources),), run_now=True, misfire_grace_seconds=grace))
    for repo in watch.enabled_repos:
        specs.append(JobSpec(retrain_job_id(repo.name), retrain_job, _every(sched.retrain_every_days * 86400),
                             (repo.name,), misfire_grace_seconds=grace))
    specs.append(JobSpec(DIGEST_JOB, digest_job, digest_trigger(watch, options.digest_at),
                         misfire_grace_seconds=grace))
    return specs


def same_schedule(a: BaseTrigger, b: BaseTrigger) -> bool:
    """Whether two triggers fire at the same times (an interval's start date is not compared: a
    fresh IntervalTrigger always starts now)."""
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    if type(a) is not type(b):
        return False
    if isinstance(a, IntervalTrigger) and isinstance(b, IntervalTrigger):
        return a.interval == b.interval and a.jitter == b.jitter
    if isinstance(a, CronTrigger) and isinstance(b, CronTrigger):
        return str(a) == str(b) and str(a.timezone) == str(b.timezone) and a.jitter == b.jitter
    return str(a) == str(b)


# ----------------------------------------------------------------------------- the runtime the jobs reach


@dataclass
class Runtime:
    """What the job functions work with; set once per process by `Service.start`."""

    bot: ScoutBot
    settings: Settings
    engine: Engine
    options: ScheduleOptions
    stop: threading.Event = field(default_factory=threading.Event)
    locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    running: dict[asyncio.Task[Any], str] = field(default_factory=dict)
    classified: set[str] = field(default_factory=set)
    threads: set[threading.Thread] = field(default_factory=set)

    def lock(self, repo: str) -> asyncio.Lock:
        """One lock per repo: its classification and retraining never run at once."""
        return self.locks.setdefault(repo.lower(), asyncio.Lock())


_runtime: Runtime | None = None


def set_runtime(rt: Runtime | None) -> None:
    global _runtime
    _runtime = rt


def current_runtime() -> Runtime:
    if _runtime is None:
        raise RuntimeError("the service runtime is not set: jobs run only inside `scout run`")
    return _runtime


async def in_thread(rt: Runtime, name: str, fn: Callable[..., T], *args: Any) -> T:
    """Run blocking work (PyGithub, scikit-learn, big queries) off the loop, in a daemon thread.

    Daemon, not the loop's executor: at shutdown the work gets `shutdown_grace_seconds` to reach a
    checkpoint; after that the process may exit without joining it (every page it stored is
    committed with its checkpoint, so the next start resumes there)."""
    loop = asyncio.get_running_loop()
    fut: asyncio.Future[T] = loop.create_future()

    def settle(ok: bool, value: Any) -> None:
        if fut.done():
            return
        if ok:
            fut.set_result(value)
        else:
            fut.set_exception(value)

    def work() -> None:
        outcome: tuple[bool, Any]
        try:
            outcome = (True, fn(*args))
        except BaseException as exc:  # noqa: BLE001 - handed to the awaiting job
            outcome = (False, exc)
        rt.threads.discard(threading.current_thread())  # before the job can see the outcome
        with contextlib.suppress(RuntimeError):  # the loop is gone: the service already stopped
            loop.call_soon_threadsafe(settle, *outcome)

    thread = threading.Thread(target=work, name=name, daemon=True)
    rt.threads.add(thread)
    thread.start()
    return await fut


async def _tracked(job_id: str, body: Callable[[Runtime], Coroutine[Any, Any, None]]) -> None:
    """Run a job body: skipped while stopping, registered so a stop can wait for it, timed in the log."""
    rt = current_runtime()
    if rt.stop.is_set():
        log.info("job %s: not started, the service is stopping", job_id)
        return
    task = asyncio.current_task()
    assert task is not None
    rt.running[task] = job_id
    started = perf_counter()
    log.info("job %s started", job_id)
    try:
        await body(rt)
    except CollectionStopped as exc:
        log.info("job %s stopped for shutdown: %s", job_id, exc)
    except asyncio.CancelledError:
        if not rt.stop.is_set():
            raise
        # the stop cancelled it at an await: whatever it stored is committed with its checkpoint
        log.info("job %s cancelled for shutdown after %.1f s", job_id, perf_counter() - started)
    else:
        log.info("job %s finished in %.1f s", job_id, perf_counter() - started)
    finally:
        rt.running.pop(task, None)


async def _wait_ready(rt: Runtime) -> None:
    try:
        await asyncio.wait_for(rt.bot.wait_until_ready(), READY_TIMEOUT)
    except TimeoutError:
        raise CollectorError(f"the bot did not reach the Discord gateway within {READY_TIMEOUT:.0f} s") from None


# ---------------------------------------------------------------------- jobs (module-level: pickled by reference)


class _StopAtPage:
    """A collector progress sink that ends the collection at the next page boundary once the
    service is stopping (each page is stored with its checkpoint before `page` is called)."""

    def __init__(self, stop: threading.Event, repo: str) -> None:
        self.stop = stop
        self.repo = repo

    def _check(self, endpoint: str) -> None:
        if self.stop.is_set():
            raise CollectionStopped(f"{self.repo}: stopped after a stored {endpoint} page; the next run resumes there")

    def page(self, endpoint: str, items: int, total_pages: int | None) -> None:
        self._check(endpoint)

    def done(self, endpoint: str) -> None:
        self._check(endpoint)


def _classify_repo(rt: Runtime, repo: str, retrain: bool = False) -> str:
    """Classify a repo (with `retrain`, fit its models first on the same loaded data: one load,
    not two), then store its shortlist."""
    from pipeline import classify_repo as classify_use_case
    from pipeline import sessions_for

    s = rt.settings
    sessions = sessions_for(rt.engine)
    with sessions() as session:
        if repo.lower() not in stored_repo_names(session):
            return f"{repo}: nothing stored yet, nothing to classify"
    summary = classify_use_case(s, sessions, repo, s.present(), retrain=retrain)
    stored = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in summary.stored.items())
    return f"{repo}: classified ({stored}) in {summary.seconds:.1f} s" + (
        f"; retrained: {summary.retrained}" if summary.retrained else "") + _store_shortlist(rt, repo)


def _store_shortlist(rt: Runtime, repo: str) -> str:
    """A fresh shortlist after each classification (its own transaction, once the judgement is
    committed), so that `/shortlist` answers from the stored one instead of computing it. It
    links the bench jobs already asked for and creates none."""
    from config.errors import OssScoutError
    from pipeline import refresh_shortlist
    from storage.db import session_scope

    s = rt.settings
    t0 = perf_counter()
    try:
        with session_scope(rt.engine) as session:
            sl = refresh_shortlist(session, s.watch, repo, s.present(), s.output_dir)
    except OssScoutError as exc:  # the classification stands; /shortlist computes one when asked
        log.warning("%s: no shortlist stored after classification: %s", repo, exc)
        return "; no shortlist stored"
    took = perf_counter() - t0
    return f"; shortlist stored ({len(sl.issues)} issues, {len(sl.maintainers)} maintainers) in {took:.1f} s"


async def classify_repo(rt: Runtime, repo: str, retrain: bool = False) -> None:
    """Classify one repo in a thread (retraining first when asked), under the repo's lock."""
    async with rt.lock(repo):
        if rt.stop.is_set():
            return
        msg = await in_thread(rt, f"{'retrain and ' if retrain else ''}classify {repo}", _classify_repo, rt, repo,
                              retrain)
        rt.classified.add(repo.lower())
        log.info("%s", msg)


def _collect_github(rt: Runtime, repo: str) -> Any:
    from pipeline import collect_repo

    s = rt.settings
    since = s.present() - timedelta(days=rt.options.backfill_days)
    sink = _StopAtPage(rt.stop, repo)
    [result] = collect_repo(s, rt.engine, since, [repo], progress=lambda _name: sink)
    return result


async def collect_github_job(repo: str) -> None:
    """Collect one repo incrementally (blocking PyGithub in a thread), then classify it when
    anything new was stored (or it was not classified since the service started)."""

    async def body(rt: Runtime) -> None:
        result = await in_thread(rt, f"collect {repo}", _collect_github, rt, repo)
        log.info("%s", result.summary())
        if isinstance(result.exception, CollectionStopped):
            raise result.exception
        if result.exception is not None:
            log.error("collection of %s failed: %s", repo, result.error or result.exception)
        if rt.stop.is_set():
            return
        if (
            any(
                result.stored.get(k)
                for k in (
                    "issues",
                    "pulls",
                    "issue_comments",
                    "reviews",
                    "review_comments",
                    "issue_events",
                    "pull_files",
                    "files",
                )
            )
            or repo.lower() not in rt.classified
        ):
            await classify_repo(rt, repo)
        else:
            log.info("%s: nothing new, classification skipped", repo)

    await _tracked(github_job_id(repo), body)


async def collect_chat_job() -> None:
    """Chat catch-up since each channel's checkpoint over the bot's connection (live messages are
    stored as they arrive; this fills gaps), then classify the watched repos when anything was new."""

    async def body(rt: Runtime) -> None:
        await _wait_ready(rt)
        cog = rt.bot.get_cog("Chat")
        if cog is None:
            log.warning("chat catch-up: the Chat extension is not loaded")
            return
        stats = await cog.collect_history(rt.options.backfill_days)  # type: ignore[attr-defined]
        log.info("chat catch-up: %s", stats.as_dict())
        if stats.new_messages and not rt.stop.is_set():
            # repos not yet classified since start are left to their collection job, which
            # classifies once it has the whole repo (not a half-collected one)
            for repo in rt.settings.watch.enabled_repos:
                if repo.name.lower() in rt.classified:
                    await classify_repo(rt, repo.name)

    await _tracked(CHAT_JOB, body)


def _collect_chat_sources(rt: Runtime, sources: tuple[str, ...]) -> dict[str, int]:
    from pipeline import collect_chat_sources

    return collect_chat_sources(rt.settings, rt.engine, sources, days=rt.options.backfill_days)


async def collect_chat_sources_job(sources: tuple[str, ...]) -> None:
    """Slack and Discourse since their checkpoints (in a thread: the clients block), then classify
    the watched repos when anything was new, as the Discord catch-up does."""

    async def body(rt: Runtime) -> None:
        new = await in_thread(rt, "collect chat sources", _collect_chat_sources, rt, tuple(sources))
        log.info("chat sources: %s new", new)
        if any(new.values()) and not rt.stop.is_set():
            for repo in rt.settings.watch.enabled_repos:
                if repo.name.lower() in rt.classified:
                    await classify_repo(rt, repo.name)

    await _tracked(CHAT_SOURCES_JOB, body)


async def retrain_job(repo: str) -> None:
    """Refit a repo's models on everything stored and classify with them (one load of the repo)."""

    async def body(rt: Runtime) -> None:
        await classify_repo(rt, repo, retrain=True)

    await _tracked(retrain_job_id(repo), body)


async def digest_job() -> None:
    """Post the daily digest of each enabled repo with stored data into the digest channel (one post
    per repo and local day: `post_daily_digest` records it and never posts a day twice)."""
    from bot.digest_post import post_daily_digest
    from config.errors import OssScoutError
    from storage.db import session_scope

    async def body(rt: Runtime) -> None:
        await _wait_ready(rt)
        with session_scope(rt.engine) as session:
            stored = stored_repo_names(session)
        repos = [r.name for r in rt.settings.watch.enabled_repos if r.name.lower() in stored]
        if not repos:
            log.warning("digest: no enabled repo has stored data yet; nothing to post")
        for repo in repos:
            try:
                post = await post_daily_digest(rt.bot, repo)
            except OssScoutError as exc:  # one repo's failure does not stop the others
                log.error("digest of %s not posted: %s", repo, exc)
                continue
            log.info("digest %s %s: %s in channel %s (messages %s)", post.repo, post.day,
                     "already posted" if post.already_posted else "posted", post.channel_id, list(post.message_ids))

    await _tracked(DIGEST_JOB, body)


# ----------------------------------------------------------------------------- installing jobs


def make_scheduler(engine: Engine, watch: WatchConfig) -> AsyncIOScheduler:
    """An AsyncIOScheduler on the running loop with its jobs in the app's database."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    return AsyncIOScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOB_TABLE)},
        job_defaults={"max_instances": 1, "coalesce": True,
                      "misfire_grace_time": watch.schedule.misfire_grace_seconds},
        timezone=UTC,
    )


def install_jobs(scheduler: AsyncIOScheduler, specs: list[JobSpec], now: datetime | None = None) -> dict[str, str]:
    """Bring the (started, paused) scheduler's stored jobs in line with `specs`. Returns what was
    done per job id: added, replaced, kept (stored next run kept), removed."""
    now = now or datetime.now(UTC)
    done: dict[str, str] = {}
    stored = {job.id: job for job in scheduler.get_jobs()}
    wanted = {spec.id for spec in specs}
    for job_id in stored:
        if job_id not in wanted:
            scheduler.remove_job(job_id)
            done[job_id] = "removed"
    for spec in specs:
        old = stored.get(spec.id)
        if (old is not None and not spec.run_now and same_schedule(old.trigger, spec.trigger)
                and old.func is spec.func and tuple(old.args) == spec.args
                and old.misfire_grace_time == spec.misfire_grace_seconds
                and old.next_run_time is not None):
            done[spec.id] = "kept"
            continue
        extra: dict[str, Any] = {"next_run_time": now} if spec.run_now else {}
        scheduler.add_job(spec.func, spec.trigger, args=list(spec.args), id=spec.id, name=spec.name,
                          replace_existing=True, misfire_grace_time=spec.misfire_grace_seconds, **extra)
        done[spec.id] = "replaced" if old is not None else "added"
    for job in scheduler.get_jobs():
        log.info("job %s: %s, next run %s (%s)", job.id, done.get(job.id, "?"),
                 iso_z(job.next_run_time) if job.next_run_time else "paused", job.trigger)
    return done


# ----------------------------------------------------------------------------- status (no scheduler needed)


def job_status(settings: Settings) -> list[dict[str, Any]]:
    """Each stored job's id, trigger and next run (UTC), read through APScheduler's job store
    without starting a scheduler; an empty list when the service never ran on this database.
    (The store drops a job it cannot restore, as the service's own start would.)"""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from sqlalchemy import inspect

    from storage.db import engine_for

    engine = engine_for(settings.database_url)
    if not inspect(engine).has_table(JOB_TABLE):
        return []
    jobs = SQLAlchemyJobStore(engine=engine, tablename=JOB_TABLE).get_all_jobs()
    return [{"id": job.id, "trigger": str(job.trigger),
             "next_run": iso_z(job.next_run_time) if job.next_run_time is not None else None}
            for job in sorted(jobs, key=lambda j: j.id)]
