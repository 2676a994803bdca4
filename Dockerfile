# syntax=docker/dockerfile:1
# oss-scout: one always-on service (discord.py bot + APScheduler), data on a volume.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/scout
COPY pyproject.toml README.md ./
COPY bench ./bench
COPY bot ./bot
COPY cli ./cli
COPY classifiers ./classifiers
COPY collectors ./collectors
COPY config ./config
COPY reports ./reports
COPY sandbox ./sandbox
COPY storage ./storage
COPY benchmarks ./benchmarks
RUN /opt/scout/bin/pip install --no-compile .

FROM python:3.11-slim AS runtime
ENV PATH=/opt/scout/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    SCOUT_DATABASE_URL=sqlite:////data/scout.db \
    SCOUT_MODEL_DIR=/data/models \
    SCOUT_OUTPUT_DIR=/data/out \
    SCOUT_LOG_JSON=1 \
    SCOUT_LOG_LEVEL=INFO
RUN groupadd --system --gid 10001 scout \
    && useradd --system --uid 10001 --gid scout --home-dir /data --shell /usr/sbin/nologin scout \
    && mkdir -p /data \
    && chown scout:scout /data
COPY --from=build /opt/scout /opt/scout
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
# Liveness, not freshness: is `scout run`'s event loop still beating (a file under /data/out)? A GitHub
# or Discord outage shows in `scout status` (exit 1 when stale) and is no reason to restart.
HEALTHCHECK --interval=1m --timeout=20s --start-period=2m --retries=3 CMD ["scout", "status", "--live"]
ENTRYPOINT ["scout"]
CMD ["run"]
