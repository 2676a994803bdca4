"""The application layer: each use case of oss-scout once, called by the scheduler, the CLI, the
demo and the benchmarks alike.

    collect_repo(settings, engine, repo, since)                    GitHub -> storage
    collect_chat_sources(settings, engine, sources)                Slack / Discourse -> storage
    train_repo / classify_repo(settings, sessions, repo, now)      storage -> judgement (optionally refit first)
    refresh_shortlist(session, watch, repo, now, out_dir)          judgement -> a stored shortlist
    current_shortlist(session, watch, repo, now, out_dir)          the stored one while current, else refreshed
    publish_digest(session, watch, repo, now, out_dir)             stored shortlist + window -> a stored digest
    prepare_bench_job / run_bench_job                              a bench job when someone asks for one

Settings, the present (`now`) and the session factory are passed in; nothing here reads the
environment or the wall clock. The builders in `reports/` stay pure; what stores lives here or
in the `store_*` functions these call.
"""

from pipeline.bench import prepare_bench_job, record_bench_log, run_bench_job
from pipeline.collect import chat_sources_of, collect_chat_sources, collect_repo
from pipeline.judgement import classify_repo, train_repo
from pipeline.reports import PublishedDigest, current_shortlist, publish_digest, refresh_shortlist
from pipeline.sessions import SessionFactory, sessions_for

__all__ = [
    "PublishedDigest",
    "SessionFactory",
    "chat_sources_of",
    "classify_repo",
    "collect_chat_sources",
    "collect_repo",
    "current_shortlist",
    "prepare_bench_job",
    "publish_digest",
    "record_bench_log",
    "refresh_shortlist",
    "run_bench_job",
    "sessions_for",
    "train_repo",
]
