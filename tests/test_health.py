"""/healthz on the webhook server and on the web pages: 200 while the database answers, 503
when it is down or too busy to answer in time, and never a word more."""

from __future__ import annotations

import asyncio

import httpx

from bot import health
from bot.channels.webserver import HttpServer
from bot.web.app import create_app
from storage.db import Database


async def test_the_webhook_server_answers_healthz_from_the_database(tmp_path):
    db = await Database.open(tmp_path / "h.db")
    server = HttpServer({health.PATH: health.webhook_route(db)}, "127.0.0.1", 0)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url) as c:
            r = await c.get("/healthz")
            assert (r.status_code, r.json()) == (200, {"status": "ok"})
            await db.close()  # the database is gone
            r = await c.get("/healthz")
            assert (r.status_code, r.json()) == (503, {"status": "unavailable"})
            assert str(tmp_path) not in r.text
    finally:
        await server.stop()


async def test_the_web_pages_answer_healthz_without_a_session(tmp_path):
    db = await Database.open(tmp_path / "h.db")
    app = create_app(db, secret=b"k" * 32)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        r = await c.get("/healthz")
        assert (r.status_code, r.json()) == (200, {"status": "ok"})
        assert "set-cookie" not in r.headers  # no session started for a health check
        await db.close()
        r = await c.get("/healthz")
        assert (r.status_code, r.json()) == (503, {"status": "unavailable"})


async def test_a_database_too_busy_to_answer_in_time_is_unhealthy(tmp_path):
    db = await Database.open(tmp_path / "h.db")
    try:
        release = asyncio.Event()

        async def long_transaction() -> None:
            async with db.transaction():
                await release.wait()

        holder = asyncio.create_task(long_transaction())
        await asyncio.sleep(0.05)
        assert await health.database_ok(db, deadline=0.2) is False
        release.set()
        await holder
        assert await health.database_ok(db, deadline=0.2) is True
    finally:
        await db.close()
