"""Fixtures for the outbox: the real database, engine and Telegram channel (python-telegram-bot)
against the fake Bot API server on 127.0.0.1, and a Deliverer with a clock the test moves."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator

import pytest

from bot.channels.telegram import TelegramChannel
from bot.config import Settings
from bot.core.engine import Engine
from bot.delivery import Deliverer
from storage.db import Database
from storage.outbox import OutboxItem
from storage.store import Store

DAY = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)  # 10:00 in Vietnam


class Clock:
    """Wall time the test sets; the pacing still runs on real (monotonic) time."""

    def __init__(self, now: dt.datetime = DAY):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def db(tmp_path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "outbox.db")
    yield database
    if database.conn._running:
        await database.close()


@pytest.fixture
async def engine(db, content, clock) -> Engine:
    return Engine(db, content, clock)


@pytest.fixture
async def tg(engine, fake_tg) -> AsyncIterator[TelegramChannel]:
    channel = TelegramChannel(engine, fake_tg.token, base_url=fake_tg.base_url, poll_timeout=1.0)
    await channel.start()
    yield channel
    await channel.stop()


@pytest.fixture
async def start_deliverer(db, engine, clock) -> AsyncIterator:
    """Start a Deliverer over the given channels (fast test pacing unless told otherwise)."""
    started: list[Deliverer] = []

    async def start(channels, **kw) -> Deliverer:
        settings = Settings(
            _env_file=None,
            telegram_bulk_rate=kw.pop("rate", 200.0),
            telegram_chat_rate=kw.pop("chat_rate", 50.0),
            zalo_bulk_rate=kw.pop("zalo_rate", 200.0),
        )
        kw.setdefault("backoff", 0.05)
        kw.setdefault("idle_poll", 0.05)
        d = Deliverer(db, engine, channels, settings, clock=clock, **kw)
        await d.start()
        started.append(d)
        return d

    yield start
    for d in started:
        await d.stop()


async def add_users(db: Database, identities: list[str], now: dt.datetime = DAY) -> None:
    t = now.isoformat()
    async with db.sql(write=True) as conn:
        await conn.executemany(
            "INSERT INTO users (identity, consent, consent_at, created_at, last_active_at)"
            " VALUES (?, 'given', ?, ?, ?)",
            [(i, t, t, t) for i in identities],
        )


async def announce(
    db: Database, announcement_id: int | None, identities: list[str], text: str = "Thông báo",
    **kw,
) -> int:  # fmt: skip
    async with db.sql(write=True) as conn:
        return await Store(conn).outbox.enqueue(
            [OutboxItem(i, text, announcement_id=announcement_id, **kw) for i in identities]
        )


async def rows(db: Database, sql: str, *args) -> list[tuple]:
    async with db.sql() as conn, conn.execute(sql, args) as cur:
        return [tuple(r) for r in await cur.fetchall()]


async def settled(db: Database, announcement_id: int | None, timeout: float = 10.0) -> dict:
    """Wait until no row of the announcement is pending or sending; returns the summary."""
    deadline = time.monotonic() + timeout
    while True:
        async with db.sql() as conn:
            counts = await Store(conn).outbox.summary(announcement_id)
        if counts["pending"] == counts["sending"] == 0:
            return counts
        if time.monotonic() > deadline:
            raise TimeoutError(f"announcement {announcement_id} not settled: {counts}")
        await asyncio.sleep(0.02)
