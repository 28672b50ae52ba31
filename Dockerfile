# Học Số: one image for every role (`hocso run`, `--role web`, `--role worker`); compose.yaml
# runs PostgreSQL, one web process and two workers from it. See docs/deploy.md.
# BASE: the same image through a registry mirror (`--build-arg BASE=mirror.example/python:3.11-slim`).
ARG BASE=python:3.11-slim
FROM ${BASE}

# Tesseract reads the screenshots sent to the scam checker (Vietnamese language data)
RUN apt-get update && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-vie \
    && rm -rf /var/lib/apt/lists/*

# A user of its own: the bot never runs as root in its container.
RUN groupadd --system --gid 10001 hocso \
    && useradd --system --uid 10001 --gid hocso --home-dir /app --shell /usr/sbin/nologin hocso \
    && mkdir -p /app /data && chown hocso:hocso /data

WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1

# Exactly the versions the tests ran with, each checked against its hash (requirements.lock:
# how to regenerate it is in docs/deploy.md); then the project itself, without resolving again.
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY lessons ./lessons
COPY scenarios ./scenarios
COPY storage ./storage
RUN pip install --no-cache-dir --no-deps --no-build-isolation . && rm -rf build *.egg-info

USER hocso
ENV HOCSO_DB_PATH=/data/hocso.db
# Webhooks on 8080, the pages for leaders and staff on 8081 (set HOCSO_WEB_URL to their public
# https address behind the TLS proxy, and HOCSO_WEB_SECRET so sessions survive a restart).
ENV HOCSO_WEBHOOK_HOST=0.0.0.0 HOCSO_WEB_HOST=0.0.0.0
EXPOSE 8080 8081
VOLUME ["/data"]
# /healthz of the pages (bot/health.py: 503 when the database does not answer). A worker serves
# no port: compose.yaml checks it with `hocso health --db` instead.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["hocso", "health"]
# Without HOCSO_TELEGRAM_TOKEN or HOCSO_ZALO_BOT_TOKEN it explains what to set and exits non-zero.
CMD ["hocso", "run"]
