FROM python:3.11-slim
WORKDIR /app
# Tesseract reads the screenshots sent to the scam checker (Vietnamese language data)
RUN apt-get update && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-vie \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY lessons ./lessons
COPY scenarios ./scenarios
COPY storage ./storage
RUN pip install --no-cache-dir .
ENV HOCSO_DB_PATH=/data/hocso.db
# Webhooks on 8080, the pages for leaders and staff on 8081 (set HOCSO_WEB_URL to their public
# https address behind the TLS proxy, and HOCSO_WEB_SECRET so sessions survive a restart).
ENV HOCSO_WEBHOOK_HOST=0.0.0.0 HOCSO_WEB_HOST=0.0.0.0
EXPOSE 8080 8081
VOLUME ["/data"]
# Without HOCSO_TELEGRAM_TOKEN or HOCSO_ZALO_BOT_TOKEN it explains what to set and exits non-zero.
CMD ["python", "-m", "bot", "run"]
