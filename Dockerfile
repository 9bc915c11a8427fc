FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 MPLBACKEND=Agg
WORKDIR /app

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
RUN pip install . && useradd --create-home crossfade
USER crossfade

EXPOSE 3000
# Every mode (Slack, Discord, both) serves /healthz on PORT: 200 `ok` while the database
# answers. `crossfade run` stops within 10 s of SIGTERM (docker stop's default grace).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\",\"3000\")}/healthz', timeout=4)" || exit 1
CMD ["crossfade", "run"]
