# syntax=docker/dockerfile:1
#
# studybot's image: a builder stage makes wheels of studybot and every dependency, and
# the runtime stage installs them (no compiler, no source tree, no pip cache) and runs as
# an unprivileged user with the question bank baked in.
#
#   docker build -t studybot .
#   docker run --env-file .env -p 8080:8080 studybot run --platform discord
#
# The runtime stage mounts the builder's wheels instead of copying them (BuildKit, the
# default builder of Docker 23 and later), so they take no room in the image.

# The base image of both stages. For builds that never change under you, pin it by digest
# (PYTHON_IMAGE=python:3.11-slim@sha256:...): `docker buildx imagetools inspect
# python:3.11-slim` prints the current one; update it with the dependencies' lock files.
ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore
WORKDIR /src
# Every dependency at its locked version, checked against its hash (scripts/lock writes
# the lock files), and studybot's own wheel built with the locked setuptools.
COPY requirements/lock.txt requirements/build-lock.txt ./requirements/
RUN pip install --require-hashes -r requirements/build-lock.txt \
    && pip wheel --require-hashes --wheel-dir /wheels -r requirements/lock.txt
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
RUN pip wheel --no-deps --no-build-isolation --wheel-dir /wheels .

FROM ${PYTHON_IMAGE} AS runtime
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
# studybot's version is the one wheel the builder made; the dependencies' are the builder's.
# hadolint ignore=DL3013
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links=/wheels studybot \
    && groupadd --system --gid 10001 studybot \
    && useradd --system --no-log-init --uid 10001 --gid studybot --home-dir /var/lib/studybot \
        --create-home --shell /usr/sbin/nologin studybot
COPY content /opt/studybot/content
# The bank is read from STUDYBOT_CONTENT_DIR (an installed wheel has no content/ of its
# own). The SQLite file (when STUDYBOT_DATABASE_URL is not a PostgreSQL URL) lives in
# /var/lib/studybot: mount a volume there. The parsed-bank cache goes to /tmp, the one
# other place written to, so the root filesystem can be read-only.
ENV STUDYBOT_CONTENT_DIR=/opt/studybot/content \
    STUDYBOT_DATABASE_URL=sqlite:////var/lib/studybot/studybot.sqlite3 \
    STUDYBOT_CACHE_DIR=/tmp/studybot-cache \
    STUDYBOT_HTTP_PORT=8080
WORKDIR /var/lib/studybot
USER 10001:10001
# 8080: /healthz and /metrics; 3000: Slack's requests in HTTP mode (SLACK_PORT).
EXPOSE 8080 3000
# The slim image has no curl: ask /healthz with the standard library. A 503 or a refused
# connection raises, and Python then exits with status 1: unhealthy.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; port = os.environ.get('STUDYBOT_HTTP_PORT') or '8080'; print(urllib.request.urlopen('http://127.0.0.1:' + port + '/healthz', timeout=4).read().decode())"]
ENTRYPOINT ["studybot"]
CMD ["run", "--platform", "discord"]
