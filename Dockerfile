# The base image is pinned by digest (the tag alone can change under us); refresh it with the
# routine in docs/operations.md ("Upgrading dependencies").
FROM python:3.11-slim@sha256:9c900dea9e8fb7e16277c179b555cc72d29a352dbc33cff48ad5a0412fd5bfc7

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 MPLBACKEND=Agg
WORKDIR /app

# Every dependency (and the build backend) exactly as locked, each file checked by its hash.
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
# Crossfade itself: nothing fetched (no deps, no isolated build), only what the lock installed.
RUN pip install --no-deps --no-build-isolation . && useradd --create-home crossfade
USER crossfade

EXPOSE 3000
# Every mode (Slack, Discord, both) serves /healthz on PORT: 200 `ok` while the database
# answers. `crossfade run` stops within 10 s of SIGTERM (docker stop's default grace).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\",\"3000\")}/healthz', timeout=4)" || exit 1
CMD ["crossfade", "run"]
