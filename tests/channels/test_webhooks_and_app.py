"""Webhook mode (secret headers checked, right requests processed) and the `serve` wiring:
both channels in one process, the scheduler's due work routed to the right channel, clean stop."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

from bot import texts
from bot.app import App, check, serve
from bot.channels.telegram import TelegramChannel
from bot.channels.zalo import ZaloChannel
from bot.config import Settings
from bot.core.events import Reply
from tests.channels.conftest import TelegramPerson, labels, tg_sign_up

SECRET = "s3cret_Token-for-tests"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def settings(tmp_path, **kw) -> Settings:
    base = {"db_path": tmp_path / "serve.db", "webhook_host": "127.0.0.1"}
    return Settings(_env_file=None, **{**base, **kw})


async def start_serve(s: Settings) -> tuple[asyncio.Task, asyncio.Event]:
    stop = asyncio.Event()
    task = asyncio.create_task(serve(s, stop=stop, poll_timeout=1.0))
    return task, stop


async def test_telegram_webhook_checks_the_secret(tmp_path, fake_tg):
    port = free_port()
    s = settings(
        tmp_path,
        telegram_token=fake_tg.token,
        telegram_base_url=fake_tg.base_url,
        telegram_webhook_url=f"http://127.0.0.1:{port}/telegram/hook",
        telegram_webhook_secret=SECRET,
        webhook_port=port,
    )
    task, stop = await start_serve(s)
    try:
        await fake_tg.wait_for(lambda: fake_tg.webhook)
        assert fake_tg.webhook == {
            "url": f"http://127.0.0.1:{port}/telegram/hook",
            "secret_token": SECRET,
        }
        start = fake_tg.command(3001, "start")
        for secret in ("", "wrong-secret", SECRET[:-1]):
            res = await fake_tg.post_to_webhook(start, secret=secret)
            assert res.status_code == 403
        async with httpx.AsyncClient(trust_env=False) as client:
            assert (await client.get(fake_tg.webhook["url"])).status_code == 405
            assert (await client.post(f"http://127.0.0.1:{port}/other")).status_code == 404
        await asyncio.sleep(0.1)
        assert not fake_tg.sent(3001)

        res = await fake_tg.post_to_webhook(start)
        assert res.status_code == 200
        await fake_tg.wait_for(lambda: fake_tg.turn_ends(3001))
        assert texts.BTN_AGREE in labels(fake_tg.turn_ends(3001)[-1])
    finally:
        stop.set()
        assert await asyncio.wait_for(task, 10) == 0


async def test_zalo_webhook_checks_the_secret(tmp_path, fake_zalo):
    port = free_port()
    s = settings(
        tmp_path,
        zalo_bot_token=fake_zalo.token,
        zalo_base_url=fake_zalo.base_url,
        zalo_webhook_url=f"http://127.0.0.1:{port}/zalo",
        zalo_webhook_secret=SECRET,
        webhook_port=port,
    )
    task, stop = await start_serve(s)
    try:
        await fake_zalo.wait_for(lambda: fake_zalo.webhook)
        assert fake_zalo.webhook["secret_token"] == SECRET
        start = fake_zalo.text("zw1", "/start")
        for secret in ("", "nope-nope", SECRET + "x"):
            assert (await fake_zalo.post_to_webhook(start, secret=secret)).status_code == 403
        await asyncio.sleep(0.1)
        assert not fake_zalo.sent("zw1")
        assert (await fake_zalo.post_to_webhook(start)).status_code == 200
        await fake_zalo.wait_for(lambda: len(fake_zalo.sent("zw1")) == 2)
        assert texts.BTN_AGREE in fake_zalo.texts("zw1")[-1]
    finally:
        stop.set()
        assert await asyncio.wait_for(task, 10) == 0


async def test_webhook_mode_refuses_to_start_without_a_secret(tmp_path, capsys, engine):
    s = settings(
        tmp_path,
        telegram_token="123:TEST",
        telegram_webhook_url="https://example.invalid/tg",
        zalo_bot_token="1:Z",
        zalo_webhook_url="https://example.invalid/zalo",
        zalo_webhook_secret="short",
    )
    assert await serve(s) == 2
    err = capsys.readouterr().err
    assert "HOCSO_TELEGRAM_WEBHOOK_SECRET" in err and "HOCSO_ZALO_WEBHOOK_SECRET" in err
    with pytest.raises(ValueError):
        TelegramChannel(engine, "123:TEST", webhook_url="https://example.invalid/tg")
    with pytest.raises(ValueError):
        ZaloChannel(engine, "1:Z", webhook_url="https://example.invalid/zalo")
    same = settings(
        tmp_path,
        telegram_token="123:TEST",
        telegram_webhook_url="https://a.example/hook",
        telegram_webhook_secret=SECRET,
        zalo_bot_token="1:Z",
        zalo_webhook_url="https://b.example/hook",
        zalo_webhook_secret=SECRET,
    )
    assert check(same) == [texts.CLI_WEBHOOK_SAME_PATH.format(path="/hook")]


async def test_a_bad_token_stops_the_start_with_a_message_and_no_token(tmp_path, capsys, fake_tg):
    s = settings(tmp_path, telegram_token="999:WRONG", telegram_base_url=fake_tg.base_url)
    assert await serve(s) == 1
    err = capsys.readouterr().err
    assert err.startswith(texts.CLI_CHANNEL_FAILED.format(channel="telegram", error="")[:30])
    assert "999:WRONG" not in err


async def test_both_channels_in_one_process_and_due_work_is_routed(
    tmp_path, fake_tg, fake_zalo, engine, db, monkeypatch
):
    s = settings(
        tmp_path,
        telegram_token=fake_tg.token,
        telegram_base_url=fake_tg.base_url,
        zalo_bot_token=fake_zalo.token,
        zalo_base_url=fake_zalo.base_url,
    )
    app = App(s, engine, poll_timeout=1.0)
    await app.start()
    try:
        assert app.scheduler.get_job("engine.run_due").trigger.interval.total_seconds() == 30
        person = TelegramPerson(fake_tg, 4001)
        await tg_sign_up(person)
        await engine.set_blocked("telegram:4001", True)

        async def due():
            return [
                Reply("telegram:4001", "Nhắc bị chặn"),
                Reply("telegram:4002", "Nhắc Telegram"),
                Reply("zalo:z-due", "Nhắc Zalo"),
                Reply("sim:nobody", "Không có kênh"),
            ]

        monkeypatch.setattr(engine, "run_due", due)
        await app.tick()
        await fake_tg.wait_for(lambda: fake_tg.texts(4002) == ["Nhắc Telegram"])
        await fake_zalo.wait_for(lambda: fake_zalo.texts("z-due") == ["Nhắc Zalo"])
        await asyncio.sleep(0.1)
        assert "Nhắc bị chặn" not in fake_tg.texts(4001)
    finally:
        await app.stop()
    assert not app.scheduler.running


async def test_stop_finishes_replies_in_flight(tmp_path, fake_tg, engine, monkeypatch):
    s = settings(tmp_path, telegram_token=fake_tg.token, telegram_base_url=fake_tg.base_url)
    app = App(s, engine, poll_timeout=1.0)
    real = engine.handle
    entered = asyncio.Event()

    async def slow(event, inbox_id=None):
        entered.set()
        await asyncio.sleep(0.5)
        return await real(event, inbox_id)

    monkeypatch.setattr(engine, "handle", slow)
    await app.start()
    fake_tg.inject(fake_tg.command(4100, "start"))
    await asyncio.wait_for(entered.wait(), 5)
    await app.stop()  # while the turn is still being worked out
    assert fake_tg.turn_ends(4100)  # it was answered before the channel closed
