# syntax=docker/dockerfile:1
# oss-scout: one always-on service (discord.py bot + APScheduler), data on a volume.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/scout
COPY pyproject.toml README.md ./
COPY bot ./bot
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
HEALTHCHECK --interval=5m --timeout=30s --start-period=10m --retries=3 CMD ["scout", "status"]
ENTRYPOINT ["scout"]
CMD ["run"]
