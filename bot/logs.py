"""Logging for every command: secrets redacted at every level, noisy libraries capped, and a
throttle for events an outsider can repeat at will (refused connections, forged webhooks).

The redaction is a filter on the root logger's handlers, so it sees every record that is
written, whichever library logged it and at whatever level: the configured tokens and webhook
secrets, and anything shaped like a Telegram bot token (`123456:AA…`, e.g. inside a Bot API
URL), become `***`, in the message, its arguments and any traceback.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from collections.abc import Iterable
from urllib.parse import quote

from pydantic import SecretStr

from bot.config import Settings

REDACTED = "***"
#: A Telegram bot token: the bot's id, a colon, 35 characters (also inside /bot<token>/ URLs).
TELEGRAM_TOKEN = re.compile(r"\d{3,}:[A-Za-z0-9_-]{35}")
#: Libraries that log every request (with its URL) or every job run below WARNING.
NOISY = ("httpx", "httpcore", "telegram", "apscheduler", "hpack", "h11", "aiosqlite", "asyncio")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class Redactor(logging.Filter):
    """Replace secrets in a record before any handler formats it. Never drops a record."""

    def __init__(self, secrets: Iterable[str] = ()):
        super().__init__()
        self.secrets: list[str] = []
        self.add(*secrets)

    def add(self, *secrets: str | SecretStr | None) -> None:
        for s in secrets:
            value = s.get_secret_value() if isinstance(s, SecretStr) else s
            if not value or len(value) < 4:  # too short to find without mangling the text
                continue
            for form in {value, quote(value, safe=""), quote(value)}:
                if form not in self.secrets:
                    self.secrets.append(form)
        self.secrets.sort(key=len, reverse=True)  # the longest form first

    def redact(self, text: str) -> str:
        for s in self.secrets:
            if s in text:
                text = text.replace(s, REDACTED)
        return TELEGRAM_TOKEN.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what there is, unformatted
            message = f"{record.msg} {record.args!r}"
        clean = self.redact(message)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def secrets_of(settings: Settings) -> list[str]:
    values = (
        settings.telegram_token,
        settings.telegram_webhook_secret,
        settings.zalo_bot_token,
        settings.zalo_webhook_secret,
        settings.zalo_oa_secret,
        settings.zalo_oa_app_secret,
        settings.zalo_oa_access_token,
        settings.zalo_oa_refresh_token,
        settings.zalo_oa_token_key,
    )
    return [v.get_secret_value() for v in values if v is not None]


def configure(settings: Settings, stream=None) -> Redactor:
    """Set up the root logger from settings (`HOCSO_LOG_LEVEL`, `HOCSO_LOG_LIBRARIES`)."""
    level = logging.getLevelName(settings.log_level.upper())
    level = level if isinstance(level, int) else logging.INFO
    logging.basicConfig(level=level, stream=stream or sys.stderr, format=FORMAT)
    redactor = install(secrets_of(settings))
    cap_libraries(settings)
    return redactor


def cap_libraries(settings: Settings) -> None:
    """Libraries log at WARNING and above unless named in HOCSO_LOG_LIBRARIES ("httpx,telegram"
    or "all"); what they do log is still redacted."""
    asked = {n.strip() for n in settings.log_libraries.split(",") if n.strip()}
    for name in NOISY:
        if name not in asked and "all" not in asked:
            logging.getLogger(name).setLevel(logging.WARNING)


def install(secrets: Iterable[str], logger: logging.Logger | None = None) -> Redactor:
    """Put one Redactor (holding `secrets` too) on every handler of `logger` (the root)."""
    logger = logger or logging.getLogger()
    found = None
    for handler in logger.handlers:
        found = found or next((f for f in handler.filters if isinstance(f, Redactor)), None)
    redactor = found or Redactor()
    redactor.add(*secrets)
    for handler in logger.handlers:
        if redactor not in handler.filters:
            handler.addFilter(redactor)
    return redactor


class Throttled:
    """Log an event an outsider can repeat (a refused connection, a forged webhook) at most once
    per `interval` seconds per key; the lines in between are counted and reported with the next.
    The log grows by a bounded amount whatever the rate of events."""

    def __init__(self, logger: logging.Logger, interval: float = 60.0, max_keys: int = 64):
        self.logger = logger
        self.interval = interval
        self.max_keys = max_keys
        self._last: dict[str, float] = {}
        self._skipped: dict[str, int] = {}

    def __call__(self, level: int, key: str, msg: str, *args: object) -> None:
        now = time.monotonic()
        last = self._last.get(key)
        if last is not None and now - last < self.interval:
            self._skipped[key] = self._skipped.get(key, 0) + 1
            return
        if last is None and len(self._last) >= self.max_keys:
            self._last.pop(next(iter(self._last)))  # forget the oldest key
        skipped = self._skipped.pop(key, 0)
        self._last[key] = now
        if skipped:
            msg += " (and %d more like it in the last %.0f s)"
            args = (*args, skipped, now - last)
        self.logger.log(level, msg, *args)

    def warning(self, key: str, msg: str, *args: object) -> None:
        self(logging.WARNING, key, msg, *args)

    def info(self, key: str, msg: str, *args: object) -> None:
        self(logging.INFO, key, msg, *args)
