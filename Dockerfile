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
VOLUME ["/data"]
# Without HOCSO_TELEGRAM_TOKEN or HOCSO_ZALO_BOT_TOKEN it explains what to set and exits non-zero.
CMD ["python", "-m", "bot", "run"]
