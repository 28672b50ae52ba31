"""The pages served for real: beside the bot in `run` (own port), and alone (`python -m bot web`)."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx

from bot.config import Settings
from bot.web.auth import new_login
from bot.web.server import serve_pages
from storage.db import Database
from tests.channels.test_webhooks_and_app import SECRET, free_port, settings, start_serve


async def _link(path, identity: str, base: str) -> str:
    db = await Database.open(path)  # a second connection, as another process would
    try:
        now = dt.datetime.now(dt.UTC)
        async with db.transaction() as store:
            user = await store.users.create(identity, "given", now)
            return await new_login(store, user.id, now, base)
    finally:
        await db.close()


async def test_run_serves_webhooks_and_pages_on_their_own_ports(tmp_path, fake_tg):
    port, pages = free_port(), free_port()
    s = settings(
        tmp_path,
        telegram_token=fake_tg.token,
        telegram_base_url=fake_tg.base_url,
        telegram_webhook_url=f"http://127.0.0.1:{port}/telegram/hook",
        telegram_webhook_secret=SECRET,
        webhook_port=port,
        web_port=pages,
        admin_ids="telegram:7",
    )
    task, stop = await start_serve(s)
    try:
        await fake_tg.wait_for(lambda: fake_tg.webhook)
        res = await fake_tg.post_to_webhook(fake_tg.command(3001, "start"), secret="wrong")
        assert res.status_code == 403  # the webhook server still guards its routes
        base = f"http://127.0.0.1:{pages}"
        async with httpx.AsyncClient(base_url=base) as c:
            assert (await c.get("/")).status_code == 401
            link = await _link(tmp_path / "serve.db", "telegram:7", base)
            r = await c.post(link)
            assert r.status_code == 303
            assert (await c.get("/don-vi/all")).status_code == 200  # an admin from the settings
            async with httpx.AsyncClient() as raw:  # pages are not on the webhook port
                assert (await raw.get(f"http://127.0.0.1:{port}/")).status_code == 404
                # both ports answer the container's health check (bot/health.py)
                for p in (port, pages):
                    r = await raw.get(f"http://127.0.0.1:{p}/healthz")
                    assert (r.status_code, r.json()) == (200, {"status": "ok"})
    finally:
        stop.set()
        assert await asyncio.wait_for(task, 20) == 0


async def test_bot_web_serves_the_pages_alone(tmp_path, capsys):
    port = free_port()
    s = Settings(_env_file=None, db_path=tmp_path / "desk.db", web_port=port)
    stop = asyncio.Event()
    task = asyncio.create_task(serve_pages(s, stop))
    try:
        for _ in range(100):
            if "http://" in capsys.readouterr().out:
                break
            await asyncio.sleep(0.05)
        async with httpx.AsyncClient() as c:
            r = await c.get(f"http://127.0.0.1:{port}/")
            assert r.status_code == 401 and "Phiên làm việc đã kết thúc" in r.text
    finally:
        stop.set()
        assert await asyncio.wait_for(task, 20) == 0


async def test_a_busy_pages_port_does_not_stop_the_bot(tmp_path, fake_tg):
    import socket

    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    port = free_port()
    s = settings(
        tmp_path,
        telegram_token=fake_tg.token,
        telegram_base_url=fake_tg.base_url,
        telegram_webhook_url=f"http://127.0.0.1:{port}/telegram/hook",
        telegram_webhook_secret=SECRET,
        webhook_port=port,
        web_port=busy.getsockname()[1],
    )
    task, stop = await start_serve(s)
    try:
        await fake_tg.wait_for(lambda: fake_tg.webhook)
        res = await fake_tg.post_to_webhook(fake_tg.command(3001, "start"), secret=SECRET)
        assert res.status_code == 200
        assert not task.done()
    finally:
        stop.set()
        assert await asyncio.wait_for(task, 20) == 0
        busy.close()
