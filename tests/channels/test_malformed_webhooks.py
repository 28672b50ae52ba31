"""A webhook body with the right secret but the wrong shape is a 400 on every channel, never
a 500, and the channel goes on serving; refusals are logged a bounded number of times."""

from __future__ import annotations

import asyncio
import json
import logging

import httpx

from bot import texts
from tests.channels.test_webhooks_and_app import SECRET, free_port, settings, start_serve

TELEGRAM_BAD = [
    {"update_id": [1]},
    {"update_id": "x"},
    {"update_id": -5},
    {"update_id": 10**30},
    {"update_id": 1.5},
    {"update_id": True},
    {"update_id": 1, "message": "x"},
    {"update_id": 1, "message": {"chat": "x"}},
    {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": [1], "type": "p"}}},
    {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": {"a": 1}}}},
    {
        "update_id": 2,
        "message": {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}, "text": 7},
    },
    {"update_id": 1, "callback_query": {"id": 1}},
    {},
    [],
    "x",
    None,
    12,
]
ZALO_BAD = [
    {"message": {"chat": "x"}},
    {"message": {"chat": {"id": ["x"]}}},
    {"message": {"chat": {"id": {"a": 1}}, "text": "hi"}},
    {"message": {"chat": {"id": "z1"}, "message_id": ["m"], "text": "hi"}},
    {"message": {"chat": {"id": "z1"}, "message_id": {"m": 1}, "text": "hi"}},
    {"message": {"chat": {"id": "z1", "chat_type": 5}, "text": "hi"}},
    {"message": {"chat": {"id": "z1"}, "text": 5}, "event_name": "message.text.received"},
    {"message": {"chat": {"id": "z1"}, "text": "hi"}, "event_name": ["x"]},
    {"message": {"chat": {"id": "z1"}, "photo": 5}, "event_name": "message.image.received"},
    {"message": {"chat": {"id": True}}},
    {"message": "x"},
    {"message": []},
    {"result": {"message": {"chat": "x"}}},
    [],
    "x",
    None,
]
RAW_BAD = [b"", b"{", b"\xff\xfe", b"[" * 100_000, b'{"a":' * 50_000, b'"\\ud800"', b"nul\x00"]


async def post(url: str, body: bytes, header: str) -> int:
    async with httpx.AsyncClient(trust_env=False) as client:
        res = await client.post(url, content=body, headers={header: SECRET})
        return res.status_code


async def test_malformed_bodies_are_400_on_every_channel(tmp_path, fake_tg, fake_zalo, caplog):
    caplog.set_level(logging.WARNING, logger="bot.channels")
    port = free_port()
    s = settings(
        tmp_path,
        telegram_token=fake_tg.token,
        telegram_base_url=fake_tg.base_url,
        telegram_webhook_url=f"http://127.0.0.1:{port}/telegram/hook",
        telegram_webhook_secret=SECRET,
        zalo_bot_token=fake_zalo.token,
        zalo_base_url=fake_zalo.base_url,
        zalo_webhook_url=f"http://127.0.0.1:{port}/zalo/hook",
        zalo_webhook_secret=SECRET,
        webhook_port=port,
    )
    task, stop = await start_serve(s)
    try:
        await fake_tg.wait_for(lambda: fake_tg.webhook)
        await fake_zalo.wait_for(lambda: fake_zalo.webhook)
        tg_url, zalo_url = fake_tg.webhook["url"], fake_zalo.webhook["url"]
        tg_header, zalo_header = "X-Telegram-Bot-Api-Secret-Token", "X-Bot-Api-Secret-Token"
        statuses = {}
        for body in TELEGRAM_BAD:
            statuses[("telegram", json.dumps(body)[:60])] = await post(
                tg_url, json.dumps(body).encode(), tg_header
            )
        for body in ZALO_BAD:
            nested = isinstance(body, dict) and "result" in body
            for wrapped in (body,) if nested else (body, {"ok": True, "result": body}):
                statuses[("zalo", json.dumps(wrapped)[:60])] = await post(
                    zalo_url, json.dumps(wrapped).encode(), zalo_header
                )
        for raw in RAW_BAD:
            statuses[("telegram", repr(raw[:20]))] = await post(tg_url, raw, tg_header)
            statuses[("zalo", repr(raw[:20]))] = await post(zalo_url, raw, zalo_header)
        assert all(code == 400 for code in statuses.values()), {
            k: v for k, v in statuses.items() if v != 400
        }

        # Both go on serving genuine updates.
        assert (await fake_tg.post_to_webhook(fake_tg.command(3101, "start"))).status_code == 200
        await fake_tg.wait_for(lambda: fake_tg.turn_ends(3101))
        assert texts.BTN_AGREE in str(fake_tg.sent(3101)[-1].params)
        res = await fake_zalo.post_to_webhook(fake_zalo.text("zm1", "/start"))
        assert res.status_code == 200
        await fake_zalo.wait_for(lambda: len(fake_zalo.sent("zm1")) == 2)

        # 60 forged requests: the log says so once per channel (the rest counted for later).
        for _ in range(30):
            assert await post(tg_url, b"{}", "X-Other") == 403
            assert await post(zalo_url, b"{}", "X-Other") == 403
        refusals = [r for r in caplog.records if "wrong or missing secret" in r.getMessage()]
        assert len(refusals) == 2, [r.getMessage() for r in refusals]
        malformed = [r for r in caplog.records if "malformed" in r.getMessage()]
        assert len(malformed) == 2, [r.getMessage() for r in malformed]
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    finally:
        stop.set()
        assert await asyncio.wait_for(task, 10) == 0


async def test_zalo_polling_skips_malformed_updates(engine, fake_zalo):
    from tests.channels.conftest import zalo_channel

    channel = zalo_channel(engine, fake_zalo)
    await channel.start()
    try:
        fake_zalo.updates.extend(ZALO_BAD)  # as getUpdates would return them
        fake_zalo.inject(fake_zalo.text("zp1", "/start"))
        await fake_zalo.wait_for(lambda: len(fake_zalo.sent("zp1")) == 2, timeout=10)
    finally:
        await channel.stop()
