"""`scout run` end to end, as a user runs it: a subprocess against both sandboxes (one `scout
sandbox` process serving a generated community whose present is the real now), job intervals in
seconds and the digest time a few seconds ahead (`--digest-at`, in the config's time zone).

It must collect, classify, post the digest at the configured time, never run a job twice at
once, catch a digest missed while it was down up exactly once, stop cleanly on SIGTERM in the
middle of a collection, and finish that collection on the next start with nothing lost. The run
logs at DEBUG (discord.py, PyGithub, urllib3, aiohttp and APScheduler included) and must not
contain the tokens it was given, nor an interaction token.
"""

from __future__ import annotations

import itertools
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select

from config import iso_z, load_watch_config
from storage.db import make_engine, session_scope, upgrade
from storage.importer import import_dataset
from storage.models import (
    Digest,
    DiscordMessage,
    Issue,
    IssueComment,
    IssueEvent,
    Label,
    PullFile,
    PullRequest,
    Repo,
    Review,
    ReviewComment,
    SubsystemLabel,
    SyncRun,
    User,
)
from tests.helpers import run_scout
from tests.helpers.watch_config import write_config

REPO = "vllm-project/vllm"
ZONE = "America/New_York"
DEBUG_EVERYTHING = "DEBUG,discord=DEBUG,github=DEBUG,urllib3=DEBUG,aiohttp=DEBUG,apscheduler=DEBUG"
GITHUB_TABLES = (Repo, User, Issue, PullRequest, IssueComment, Review, ReviewComment, PullFile, IssueEvent, Label)


def wait_until(what: str, check: Callable[[], Any], timeout: float, proc: subprocess.Popen | None = None,
               log: Path | None = None) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            tail = log.read_text()[-4000:] if log else ""
            raise AssertionError(f"scout run exited {proc.returncode} while waiting for {what}\n{tail}")
        time.sleep(0.1)
    tail = log.read_text()[-4000:] if log else ""
    raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{tail}")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCOUT_")}
    env.update(extra)
    return env


@dataclass
class Sandboxes:
    proc: subprocess.Popen
    github: str
    discord_api: str
    discord_gateway: str

    @property
    def control(self) -> str:
        return self.discord_api.removesuffix("/api/v10")

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(self.control + path, timeout=10) as resp:
            return json.loads(resp.read())

    def post(self, path: str, body: dict[str, Any]) -> Any:
        req = urllib.request.Request(self.control + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read())

    def posted(self, channel_id: int) -> list[dict[str, Any]]:
        return self.get(f"/_sandbox/posted?channel_id={channel_id}")

    def digests(self, channel_id: int) -> list[dict[str, Any]]:
        """The first message of each digest posted (a digest may take several messages)."""
        return [m for m in self.posted(channel_id)
                if m.get("embeds") and str(m["embeds"][0].get("title", "")).startswith("Digest · ")]


@pytest.fixture(scope="module")
def live_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small generated community, its present the real now (the service runs in real time)."""
    from sandbox.community import simulate

    out = tmp_path_factory.mktemp("live") / "d"
    simulate(out, seed=5, scale="small", watch=load_watch_config(), now=iso_z(datetime.now(UTC)))
    return out


def digest_channel(dataset: Path) -> int:
    channels = json.loads((dataset / "discord" / "channels.json").read_text())
    return int(next(c["id"] for c in channels if c.get("name") == "oss-scout"))


@pytest.fixture
def sandboxes(live_dataset: Path, request: pytest.FixtureRequest) -> Iterator[Callable[[float], Sandboxes]]:
    started: list[subprocess.Popen] = []

    def start(latency_ms: float) -> Sandboxes:
        proc = subprocess.Popen([sys.executable, "-m", "bot", "sandbox", "--dataset", str(live_dataset),
                                 "--github-port", "0", "--discord-port", "0", "--latency-ms", str(latency_ms)],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=clean_env())
        started.append(proc)
        urls: dict[str, str] = {}
        deadline = time.monotonic() + 60
        while len(urls) < 3 and time.monotonic() < deadline:
            line = proc.stdout.readline()  # type: ignore[union-attr]
            if not line:
                raise AssertionError(f"scout sandbox exited {proc.wait()}")
            for key in ("SCOUT_GITHUB_API_URL", "SCOUT_DISCORD_API_URL", "SCOUT_DISCORD_GATEWAY_URL"):
                if f"export {key}=" in line:
                    urls[key] = line.split("=", 1)[1].strip()
        return Sandboxes(proc, urls["SCOUT_GITHUB_API_URL"], urls["SCOUT_DISCORD_API_URL"],
                         urls["SCOUT_DISCORD_GATEWAY_URL"])

    yield start
    for proc in started:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@dataclass
class Service:
    proc: subprocess.Popen
    log: Path

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, timeout: float = 45) -> int:
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError(
                f"scout run did not stop within {timeout} s of SIGTERM\n{self.text()[-4000:]}"
            ) from None


def start_service(sb: Sandboxes, db_url: str, config: Path, tmp: Path, name: str, *args: str,
                  tokens: tuple[str, str], now: str | None = None, log_level: str = "INFO") -> Service:
    env = clean_env(SCOUT_DATABASE_URL=db_url, SCOUT_CONFIG=str(config), SCOUT_GITHUB_API_URL=sb.github,
                    SCOUT_DISCORD_API_URL=sb.discord_api, SCOUT_DISCORD_GATEWAY_URL=sb.discord_gateway,
                    SCOUT_GITHUB_TOKEN=tokens[0], SCOUT_DISCORD_TOKEN=tokens[1], SCOUT_LOG_LEVEL=log_level,
                    SCOUT_MODEL_DIR=str(tmp / "models"), SCOUT_OUTPUT_DIR=str(tmp / "out"))
    if now:
        env["SCOUT_NOW"] = now
    log = tmp / f"{name}.log"
    handle = log.open("w")
    proc = subprocess.Popen([sys.executable, "-m", "bot", "run", "--backfill-days", "3650", "--guild-ready-timeout",
                             "0.2", *args], stdout=handle, stderr=subprocess.STDOUT, env=env, cwd=tmp)
    handle.close()
    return Service(proc, log)


def local_clock(at: datetime) -> str:
    return at.astimezone(ZoneInfo(ZONE)).strftime("%H:%M:%S")


def fast_config(tmp: Path, github_seconds: float = 2.4) -> Path:
    return write_config(tmp / "watch.toml", schedule={
        "github_every_minutes": github_seconds / 60, "discord_every_minutes": 0.25, "retrain_every_days": 7,
        "misfire_grace_seconds": 120, "stale_after_hours": 3}, digest={"time": "09:00", "timezone": ZONE, "days": 1})


def count(engine: Engine, model: Any, *where: Any) -> int:
    with session_scope(engine) as s:
        return s.scalar(select(func.count()).select_from(model).where(*where)) or 0


def github_runs(engine: Engine) -> list[SyncRun]:
    with session_scope(engine) as s:
        return list(s.scalars(select(SyncRun).where(SyncRun.source == "github").order_by(SyncRun.started_at)))


def dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored GitHub row as comparable tuples."""
    out = {}
    with session_scope(engine) as s:
        for model in GITHUB_TABLES:
            rows = s.execute(select(*model.__table__.columns)).all()
            out[model.__tablename__] = sorted((tuple(r) for r in rows), key=repr)
    return out


def new_tokens() -> tuple[str, str]:
    return ("ghp_" + secrets.token_hex(18), "MTE" + secrets.token_urlsafe(21) + ".Gx" + secrets.token_urlsafe(4)
            + "." + secrets.token_urlsafe(27))


@pytest.mark.slow
def test_service_collects_classifies_posts_on_time_and_catches_up_once(db_url: str, tmp_path: Path, live_dataset: Path,
                                                                       sandboxes) -> None:
    sb = sandboxes(0)
    channel = digest_channel(live_dataset)
    config = fast_config(tmp_path)
    tokens = new_tokens()
    engine = make_engine(db_url)
    upgrade(engine)

    # ---- run 1: collection, classification, the digest at its configured time; DEBUG logs everywhere
    digest_at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=9)
    run1 = start_service(sb, db_url, config, tmp_path, "run1", "--digest-at", local_clock(digest_at),
                         tokens=tokens, log_level=DEBUG_EVERYTHING)
    wait_until("the scheduler", lambda: "scheduler started" in run1.text(), 40, run1.proc, run1.log)
    wait_until("the gateway session", lambda: sb.get("/_sandbox/health")["sessions"] >= 1, 20, run1.proc, run1.log)
    wait_until("a classified repo", lambda: count(engine, SubsystemLabel) > 0, 40, run1.proc, run1.log)
    # liveness for the container health check: the running service's heartbeat, no database read
    live = run_scout("status", "--live", env={"SCOUT_OUTPUT_DIR": str(tmp_path / "out"),
                                               "SCOUT_DATABASE_URL": "postgresql://nowhere.invalid/x"}, check=False)
    assert live.returncode == 0 and live.stdout.startswith("alive: heartbeat ")
    assert "connected to Discord" in live.stdout
    answered = sb.post("/_sandbox/inject/interaction", {"name": "maintainers", "options": {"subsystem": "v1"},
                                                        "wait": True, "timeout": 20})
    assert answered["callback"] is not None  # an interaction token went through the logs' reach
    wait_until("the digest post", lambda: sb.digests(channel), 40, run1.proc, run1.log)
    wait_until(
        "a second GitHub collection", lambda: sum(r.ok for r in github_runs(engine)) >= 2, 30, run1.proc, run1.log
    )
    time.sleep(1.0)
    assert run1.stop() == 0
    text = run1.text()

    posts = sb.digests(channel)
    assert len(posts) == 1 and posts[0]["embeds"][0]["title"].startswith(f"Digest · {REPO}")
    with session_scope(engine) as s:
        [row] = s.scalars(select(Digest).where(Digest.posted_at.is_not(None))).all()
        day1 = row.day
        assert row.repo == REPO and str(row.message_ids[0]) == posts[0]["id"]
        assert day1 == digest_at.astimezone(ZoneInfo(ZONE)).date().isoformat()
        assert digest_at <= row.posted_at < digest_at + timedelta(seconds=20)  # at the configured time, not before
    runs = github_runs(engine)
    assert runs[0].ok and runs[0].stored.get("issues", 0) > 0
    for a, b in itertools.pairwise(runs):  # never two collections of the repo at once
        assert a.finished_at is not None and a.finished_at <= b.started_at, (a.started_at, a.finished_at, b.started_at)
    assert count(engine, Issue) == len(
        json.loads((live_dataset / "github" / "vllm-project__vllm" / "issues.json").read_text())
    )
    assert count(engine, DiscordMessage) > 0
    assert "job discord finished" in text and f"job github:{REPO} finished" in text

    # DEBUG logs of discord.py (gateway payloads, HTTP), PyGithub and urllib3 were on, and no secret shows
    assert "IDENTIFY" in text and "WebSocket Event" in text and "github.Requester" in text
    for secret in tokens:
        assert secret not in text
    assert "aW50ZXJhY3Rpb24" not in text  # every interaction token the sandbox issues starts so
    assert "/interactions/" in text and "***" in text

    # ---- run 2, "the next day": stopped before its digest time, so the digest is missed while down
    tomorrow = iso_z(datetime.now(UTC) + timedelta(days=1))
    digest_at2 = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=10)
    run2 = start_service(sb, db_url, config, tmp_path, "run2", "--digest-at", local_clock(digest_at2), "--no-chat",
                         tokens=tokens, now=tomorrow)
    wait_until("the scheduler", lambda: "scheduler started" in run2.text(), 40, run2.proc, run2.log)
    assert run2.stop() == 0
    assert datetime.now(UTC) < digest_at2, "run 2 started too slowly for this test's clock"
    assert len(sb.digests(channel)) == 1
    assert "job digest: replaced" in run2.text()

    time.sleep(max(0.0, (digest_at2 - datetime.now(UTC)).total_seconds()) + 1.5)

    # ---- run 3: same schedule; the missed digest is posted once, at start
    run3 = start_service(sb, db_url, config, tmp_path, "run3", "--digest-at", local_clock(digest_at2), "--no-chat",
                         tokens=tokens, now=tomorrow)
    wait_until("the catch-up digest", lambda: len(sb.digests(channel)) >= 2, 40, run3.proc, run3.log)
    time.sleep(2.0)
    assert len(sb.digests(channel)) == 2
    assert run3.stop() == 0
    assert "job digest: kept" in run3.text()
    with session_scope(engine) as s:
        posted = s.execute(
            select(Digest.day, Digest.repo).where(Digest.posted_at.is_not(None)).order_by(Digest.day)
        ).all()
    day2 = (datetime.now(UTC) + timedelta(days=1)).astimezone(ZoneInfo(ZONE)).date().isoformat()
    assert [tuple(p) for p in posted] == [(day1, REPO), (day2, REPO)]
    engine.dispose()


@pytest.mark.slow
def test_sigterm_mid_collection_exits_cleanly_and_the_next_start_loses_nothing(db_url: str, tmp_path: Path,
                                                                               live_dataset: Path, sandboxes) -> None:
    sb = sandboxes(80)  # 0.08 s a request: the first collection takes a few seconds
    config = fast_config(tmp_path, github_seconds=600)
    tokens = new_tokens()
    engine = make_engine(db_url)
    upgrade(engine)

    run1 = start_service(sb, db_url, config, tmp_path, "run1", "--no-chat", tokens=tokens)

    def mid_collection() -> bool:
        runs = github_runs(engine)
        return bool(runs) and runs[-1].finished_at is None and count(engine, Issue) > 0

    wait_until("a collection with stored pages", mid_collection, 60, run1.proc, run1.log)
    t0 = time.monotonic()
    assert run1.stop() == 0
    assert time.monotonic() - t0 < 10
    [stopped] = github_runs(engine)
    assert not stopped.ok and "stopped after a stored" in (stopped.error or ""), stopped.error
    assert "stopped for shutdown" in run1.text() and "service stopped" in run1.text()
    # a requested stop is not a failure: nothing about it is logged at ERROR
    assert [ln for ln in run1.text().splitlines() if " ERROR " in ln or '"level": "ERROR"' in ln] == []
    partial = count(engine, IssueComment) + count(engine, Review) + count(engine, IssueEvent)

    # a short grace: the stop need not wait for the classification that follows the collection
    run2 = start_service(sb, db_url, config, tmp_path, "run2", "--no-chat", "--shutdown-grace", "1", tokens=tokens)
    wait_until("a finished collection", lambda: any(r.ok for r in github_runs(engine)), 60, run2.proc, run2.log)
    assert run2.stop() == 0
    [_first, second] = github_runs(engine)
    assert second.ok and second.error is None

    want = make_engine(f"sqlite:///{tmp_path}/want.db")
    upgrade(want)
    import_dataset(want, live_dataset)
    got, expected = dump(engine), dump(want)
    want.dispose()
    assert partial < sum(len(expected[t]) for t in ("issue_comments", "reviews", "issue_events"))  # it was cut short
    for table, rows in expected.items():
        assert got[table] == rows, table
    engine.dispose()


def test_clear_errors_without_a_token_or_a_reachable_discord(sqlite_url: str, tmp_path: Path) -> None:
    import socket

    from tests.helpers import run_scout

    env = {"SCOUT_DATABASE_URL": sqlite_url, "SCOUT_DISCORD_API_URL": "http://127.0.0.1:9/api/v10",
           "SCOUT_DISCORD_GATEWAY_URL": "ws://127.0.0.1:9/gateway"}
    no_token = run_scout("run", env=env, check=False, cwd=tmp_path)
    assert no_token.returncode != 0 and "SCOUT_DISCORD_TOKEN is not set" in no_token.stderr
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env |= {"SCOUT_DISCORD_TOKEN": "x-token-value", "SCOUT_DISCORD_API_URL": f"http://127.0.0.1:{port}/api/v10",
            "SCOUT_DISCORD_GATEWAY_URL": f"ws://127.0.0.1:{port}/gateway"}
    down = run_scout("run", "--connect-timeout", "1", env=env, check=False, cwd=tmp_path, timeout=60)
    assert down.returncode != 0
    assert "unreachable" in down.stderr and "Traceback" not in down.stderr
    assert "x-token-value" not in down.stderr + down.stdout
