"""The offline demo: the whole bot against its own sandbox, from nothing, in about a minute.

Generate a vLLM week, serve it as GitHub and Discord on loopback, collect it through the real
PyGithub and discord.py clients, train, classify, then print the digest and write the shortlist
(md, csv, json) and the chart. Every step is the library function the CLI and the service use.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import Engine

from config import Settings, get_settings, parse_utc
from config.errors import OssScoutError
from sandbox.serving import free_port

log = logging.getLogger(__name__)

DEMO_TOKEN = "demo-token-not-a-secret"  # noqa: S105 - the sandbox accepts any token
# What makes a folder and a database the demo's own: it deletes and rewrites only those. A marker
# file names the folder; the database carries SQLite's `application_id` (a header field no other
# writer of ours sets), so a production database copied into a demo folder is still refused.
DEMO_MARKER = ".scout-demo"
DEMO_APPLICATION_ID = 0x53435444  # "SCTD"


@dataclass
class DemoResult:
    out: Path
    steps: list[tuple[str, float, str]] = field(default_factory=list)
    digest_markdown: str = ""
    files: dict[str, Path] = field(default_factory=dict)
    now: str = ""  # the dataset's present (SCOUT_NOW to explore the result)
    database_url: str = ""


@contextmanager
def serving(dataset: Path, github_port: int, discord_port: int) -> Iterator[None]:
    """Run both sandboxes on their own event loop in a background thread."""
    from sandbox.server import SandboxOptions, serve

    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    ready = threading.Event()
    failure: list[BaseException] = []

    def announce(_name: str, _url: str) -> None:
        if _name == "discord" or discord_port is None:
            ready.set()

    async def main() -> None:
        try:
            await serve(SandboxOptions(dataset=dataset), github_port=github_port, discord_port=discord_port,
                        announce=announce, stop=stop)
        except BaseException as exc:  # noqa: BLE001 - reported to the caller's thread
            failure.append(exc)
            ready.set()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(main())

    thread = threading.Thread(target=run, name="scout-sandbox", daemon=True)
    thread.start()
    if not ready.wait(120) or failure:
        raise OssScoutError(f"the sandbox did not start: {failure[0] if failure else 'timed out'}")
    try:
        yield
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(30)


def is_demo_database(db: Path) -> bool:
    """True if `db` is an SQLite file the demo made. Reads the file's header only: opening it with
    SQLite, even read-only, would add -wal/-shm files beside a database that is not ours."""
    try:
        with db.open("rb") as f:
            header = f.read(100)
    except OSError:
        return False
    return (len(header) == 100 and header.startswith(b"SQLite format 3\x00")
            and int.from_bytes(header[68:72], "big") == DEMO_APPLICATION_ID)


def create_demo_database(db: Path) -> Engine:
    """A new, migrated SQLite database at `db`, marked as the demo's (replaces the demo's old one)."""
    from storage.db import make_engine, upgrade

    if db.exists() and not is_demo_database(db):  # claim_output checked; never delete what is not ours
        raise OssScoutError(f"{db} is not a database `scout demo` made; it is left as it is")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.exec_driver_sql(f"PRAGMA application_id = {DEMO_APPLICATION_ID}")
    upgrade(engine)
    return engine


def claim_output(out: Path) -> None:
    """Make `out` the demo's folder, or refuse (before anything is written) when it holds files the
    demo did not make: in Docker `--out /data` is where the production database lives."""
    out = out.resolve()
    if out.exists() and not out.is_dir():
        raise OssScoutError(f"{out} is a file, not a folder: the demo needs a folder of its own")
    if out.is_dir() and any(out.iterdir()) and not (out / DEMO_MARKER).is_file():
        raise OssScoutError(f"{out} is not empty and was not made by `scout demo`; it is left as it is "
                            "(give --out an empty or new folder)")
    db = out / "scout.db"
    if db.exists() and not is_demo_database(db):
        raise OssScoutError(f"{db} is not a database `scout demo` made; it is left as it is "
                            "(give --out an empty or new folder)")
    out.mkdir(parents=True, exist_ok=True)
    (out / DEMO_MARKER).write_text("made by `scout demo`: it may delete and rewrite what is in this folder\n")


def run_demo(out: Path, seed: int = 7, scale: str = "vllm-week", fresh: bool = False,
             step: Callable[[str, float, str], None] | None = None) -> DemoResult:
    """Run the whole path offline into `out` (dataset, SQLite database, models, reports)."""
    out = out.resolve()
    claim_output(out)
    result = DemoResult(out)

    def done(name: str, started: float, detail: str) -> None:
        took = time.perf_counter() - started
        result.steps.append((name, took, detail))
        if step:
            step(name, took, detail)

    # 1. a generated vLLM week
    t = time.perf_counter()
    dataset = out / "dataset"
    if fresh or not (dataset / "meta.json").exists():
        from sandbox.community import simulate

        summary = simulate(dataset, seed=seed, scale=scale)
        done("simulate", t, f"{scale} seed {seed} -> {dataset}")
        now_text = summary.now
    else:
        import json

        now_text = json.loads((dataset / "meta.json").read_text())["now"]
        done("simulate", t, f"reusing {dataset}")
    now = parse_utc(now_text)

    db = out / "scout.db"
    github_port, discord_port = free_port(), free_port()
    base: Settings = get_settings()
    settings = base.model_copy(update={
        "database_url": f"sqlite:///{db}",
        "github_api_url": f"http://127.0.0.1:{github_port}",
        "github_token": SecretStr(DEMO_TOKEN),
        "discord_api_url": f"http://127.0.0.1:{discord_port}/api/v10",
        "discord_gateway_url": f"ws://127.0.0.1:{discord_port}/gateway",
        "discord_token": SecretStr(DEMO_TOKEN),
        "now": now,  # the dataset's present is the demo's present
        "model_dir": out / "models",
        "output_dir": out,
    })
    result.now, result.database_url = now_text, f"sqlite:///{db.resolve()}"
    engine = create_demo_database(db)

    # 2-3. serve it and collect through the real clients
    t = time.perf_counter()
    with serving(dataset, github_port, discord_port):
        done("sandbox", t, f"GitHub {settings.github_api_url}, Discord {settings.discord_api_url}")
        from pipeline import collect_repo

        t = time.perf_counter()
        # the whole history, so training has closed issues and merged PRs to learn from
        results = collect_repo(settings, engine, since=now - timedelta(days=3650))
        for r in results:
            if r.exception is not None:
                raise r.exception
        done("collect github", t, "; ".join(r.summary() for r in results))

        from collectors.discord import collect_discord

        t = time.perf_counter()
        stats = asyncio.run(collect_discord(settings, engine, days=None, connect_timeout=60))
        done("collect discord", t, f"{stats.channels} channels, {stats.messages} messages")

    # 4. train and classify
    from pipeline import classify_repo, publish_digest, refresh_shortlist, sessions_for, train_repo
    from storage.db import session_scope

    repo = settings.watch.repo().name
    sessions = sessions_for(engine)
    t = time.perf_counter()
    models = train_repo(settings, sessions, repo, now)
    done("train", t, ", ".join(f"{k} {v}" for k, v in models.versions.items()))
    t = time.perf_counter()
    judged = classify_repo(settings, sessions, repo, now)
    done("classify", t, ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in judged.stored.items()))

    # 5. shortlist (with a bench job per issue, as `scout shortlist`), digest, chart
    from reports.render.markdown import shortlist_csv, shortlist_json, shortlist_markdown

    t = time.perf_counter()
    with session_scope(engine) as s:
        sl = refresh_shortlist(s, settings.watch, repo, now, out, prepare_bench=True)
    for ext, render in (("md", shortlist_markdown), ("csv", shortlist_csv), ("json", shortlist_json)):
        path = out / f"shortlist.{ext}"
        path.write_text(render(sl), encoding="utf-8")
        result.files[f"shortlist.{ext}"] = path
    done("shortlist", t, f"{len(sl.issues)} issues, {len(sl.maintainers)} maintainers")
    t = time.perf_counter()
    with session_scope(engine) as s:
        published = publish_digest(s, settings.watch, repo, now, out, chart=True, chart_path=out / "digest.png")
    digest = published.digest
    result.digest_markdown = published.markdown
    (out / "digest.md").write_text(result.digest_markdown, encoding="utf-8")
    result.files["digest.md"] = out / "digest.md"
    if digest.chart_path:
        result.files["chart"] = Path(digest.chart_path)
    done("digest", t, f"chart {digest.chart_path}")
    engine.dispose()
    return result
