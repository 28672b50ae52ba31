FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY lessons ./lessons
COPY scenarios ./scenarios
COPY storage ./storage
RUN pip install --no-cache-dir .
ENV HOCSO_DB_PATH=/data/hocso.db
VOLUME ["/data"]
# Without HOCSO_TELEGRAM_TOKEN or HOCSO_ZALO_BOT_TOKEN it explains what to set and exits non-zero.
CMD ["python", "-m", "bot", "run"]
