"""Secrets never reach the log, at any level, whoever logs them; refusals an outsider can
repeat are logged a bounded number of times."""

from __future__ import annotations

import asyncio
import io
import logging
import signal

from bot import logs
from bot.config import Settings
from tests.channels.run_helpers import clean_env, free_port, start_bot, stop_bot, wait_line
from tests.fakes import FakeTelegram, FakeZalo

TG_TOKEN = "7012345678:AAH3kq-Zx_9vYw8Lm2Np4Rt6Uv0Bc1De5Fg"  # Telegram's shape: id, 35 chars
ZALO_TOKEN = "3141592653:zalo_Bot-token-for-the-log-test"
TG_SECRET = "tg_webhook-Secret-0123456789"
ZALO_SECRET = "zalo_webhook-Secret-9876543210"


def test_redactor_covers_messages_arguments_tracebacks_and_token_shapes():
    stream = io.StringIO()
    logger = logging.getLogger("test.redact")
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    try:
        logs.install([TG_SECRET, "short"], logger)
        logs.install([TG_SECRET], logger)  # idempotent: one filter per handler
        assert sum(isinstance(f, logs.Redactor) for f in handler.filters) == 1
        logger.debug("POST https://api.telegram.org/bot%s/getMe", TG_TOKEN)
        logger.info("params %s", {"secret_token": TG_SECRET, "url": "https://x/"})
        logger.info("quoted %s", TG_SECRET.replace("-", "%2D"))
        logger.info("bad format %d", "not a number")
        try:
            raise RuntimeError(f"failed at /bot{TG_TOKEN}/sendMessage with {TG_SECRET}")
        except RuntimeError:
            logger.exception("boom")
        out = stream.getvalue()
        assert TG_TOKEN not in out and TG_SECRET not in out, out
        assert out.count("***") >= 4
        assert "bad format" in out  # a broken record is kept, not dropped
    finally:
        logger.removeHandler(handler)


def test_libraries_are_capped_unless_asked(monkeypatch):
    for name in logs.NOISY:
        monkeypatch.setattr(logging.getLogger(name), "level", logging.NOTSET)
    logs.cap_libraries(Settings(_env_file=None, log_level="DEBUG"))
    assert logging.getLogger("httpx").level == logging.WARNING
    assert logging.getLogger("telegram").level == logging.WARNING
    assert logging.getLogger("apscheduler").level == logging.WARNING
    logging.getLogger("httpx").setLevel(logging.NOTSET)
    logs.cap_libraries(Settings(_env_file=None, log_level="DEBUG", log_libraries="httpx"))
    assert logging.getLogger("httpx").level == logging.NOTSET  # asked for: follows the root
    assert logging.getLogger("httpcore").level == logging.WARNING


def test_throttled_logs_a_bounded_number_of_lines(caplog):
    throttled = logs.Throttled(logging.getLogger("test.throttle"), interval=0.2)
    caplog.set_level(logging.INFO, logger="test.throttle")
    for _ in range(10_000):
        throttled.warning("refused", "connection refused")
    assert len(caplog.records) == 1
    import time

    time.sleep(0.25)
    throttled.warning("refused", "connection refused")
    assert len(caplog.records) == 2
    assert "9999 more like it" in caplog.records[-1].getMessage()


async def test_no_token_or_secret_in_a_debug_log_of_python_m_bot_run(tmp_path):
    """Both channels in webhook mode, every library at DEBUG: start, answer, stop."""
    port = free_port()
    async with FakeTelegram(token=TG_TOKEN) as tg, FakeZalo(token=ZALO_TOKEN) as zalo:
        env = clean_env(
            tmp_path,
            HOCSO_LOG_LEVEL="DEBUG",
            HOCSO_LOG_LIBRARIES="all",
            HOCSO_TELEGRAM_TOKEN=TG_TOKEN,
            HOCSO_TELEGRAM_BASE_URL=tg.base_url,
            HOCSO_TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}/tg",
            HOCSO_TELEGRAM_WEBHOOK_SECRET=TG_SECRET,
            HOCSO_ZALO_BOT_TOKEN=ZALO_TOKEN,
            HOCSO_ZALO_BASE_URL=zalo.base_url,
            HOCSO_ZALO_WEBHOOK_URL=f"http://127.0.0.1:{port}/zalo",
            HOCSO_ZALO_WEBHOOK_SECRET=ZALO_SECRET,
            HOCSO_WEBHOOK_HOST="127.0.0.1",
            HOCSO_WEBHOOK_PORT=str(port),
        )
        proc, lines = await start_bot(env)
        try:
            await wait_line(lines, "running; stop with Ctrl+C", proc)
            assert (await tg.post_to_webhook(tg.command(8001, "start"))).status_code == 200
            assert (await zalo.post_to_webhook(zalo.text("zl1", "/start"))).status_code == 200
            await tg.wait_for(lambda: tg.turn_ends(8001), timeout=10)
            await zalo.wait_for(lambda: len(zalo.sent("zl1")) == 2, timeout=10)
            await asyncio.sleep(0.2)
        finally:
            if proc.returncode is None:
                await stop_bot(proc, lines, signal.SIGTERM)
    log = "\n".join(lines)
    assert "DEBUG" in log and "telegram" in log  # libraries did log at DEBUG
    assert len(lines) > 50, len(lines)
    for secret in (TG_TOKEN, ZALO_TOKEN, TG_SECRET, ZALO_SECRET):
        for part in (secret, secret.split(":")[-1]):
            assert part not in log, f"{part!r} in log"
    assert not logs.TELEGRAM_TOKEN.search(log)
    print(f"\n{len(lines)} DEBUG log lines, no token or secret among them")
