"""bot/workers.InboxWorker in one process, two workers on one database file (two handles, as
two processes have): long work keeps its lease, failed work is retried and then set aside,
and a worker that stops hands its unfinished rows back at once."""

from __future__ import annotations

import asyncio
import json
import time

from bot.channels.common import OrderedDispatcher
from bot.channels.inbox import Inbox
from bot.workers import InboxWorker, worker_name
from storage.db import Database
from storage.repos import INBOX_MAX_ATTEMPTS


class Channel:
    """What the worker needs of a channel: its inbox, a per-chat dispatcher, row handling."""

    name = "telegram"

    def __init__(self, db: Database, work: float = 0.0, fail: bool = False):
        self.inbox = Inbox(db, self.name)
        self.turns = OrderedDispatcher()
        self.work = work
        self.fail = fail
        self.handled: list[tuple[str, str]] = []  # (chat, text) in the order handled
        self.block = asyncio.Event()

    def _turn_key(self, identity: str) -> str:
        return identity

    def _decode(self, payload: str) -> dict:
        return json.loads(payload)

    async def _handle_row(self, row_id: int, update: dict) -> None:
        if self.work < 0:
            await self.block.wait()
        await asyncio.sleep(self.work)
        if self.fail:
            raise RuntimeError("this update breaks the turn")
        self.handled.append((update["chat"], update["text"]))
        self.inbox.done(row_id)

    async def _resend(self, row_id: int, replies: list) -> None:
        self.inbox.done(row_id)


async def _put(db: Database, chat: str, texts: list[str], first_id: int = 1) -> None:
    inbox = Inbox(db, "telegram")
    for i, text in enumerate(texts, first_id):
        await inbox.put(str(i), chat, json.dumps({"chat": chat, "text": text}))
    await inbox.flush()


async def _until(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met"
        await asyncio.sleep(0.02)


async def _status(db: Database) -> dict[str, int]:
    async with db.sql() as conn:
        rows = await conn.execute_fetchall("SELECT status, COUNT(*) FROM inbox GROUP BY 1")
    return dict(tuple(r) for r in rows)


async def test_long_work_keeps_its_lease_and_the_chat_stays_with_one_worker(tmp_path):
    path = tmp_path / "w.db"
    db_a, db_b = await Database.open(path), await Database.open(path)
    slow, fast = Channel(db_a, work=3.0), Channel(db_b)
    fast.handled = slow.handled  # one list: the order the chat was handled in, whoever did it
    a = InboxWorker(db_a, [slow], worker_name(), lease=1.0, poll=0.05)
    b = InboxWorker(db_b, [fast], worker_name(), lease=1.0, poll=0.05)
    try:
        await _put(db_a, "telegram:1", ["một"])
        await a.start()
        await _until(lambda: a.held)
        await _put(db_a, "telegram:1", ["hai", "ba"], first_id=2)
        await b.start()
        await asyncio.sleep(2.5)  # more than twice the lease: renewed, never taken over
        assert slow.handled == [] and b.claimed == 0  # A still at its first row
        await _until(lambda: len(slow.handled) == 3, timeout=20)
        assert slow.handled == [("telegram:1", t) for t in ("một", "hai", "ba")]
        assert a.claimed + b.claimed == 3  # each row claimed once
        await slow.inbox.flush()
        await fast.inbox.flush()
        assert await _status(db_a) == {"done": 3}
    finally:
        for w, ch in ((a, slow), (b, fast)):
            await w.stop_claiming()
            await ch.turns.close()
            await ch.inbox.flush()
            await w.close()
        await db_a.close()
        await db_b.close()


async def test_failed_work_is_retried_then_set_aside_and_the_chat_goes_on(tmp_path):
    db = await Database.open(tmp_path / "w.db")
    ch = Channel(db, fail=True)
    w = InboxWorker(db, [ch], worker_name(), lease=5.0, poll=0.02)
    try:
        await _put(db, "telegram:1", ["hỏng"])
        await w.start()
        await _until(lambda: w.claimed == INBOX_MAX_ATTEMPTS, timeout=10)
        await asyncio.sleep(0.3)
        assert await _status(db) == {"failed": 1}  # claimed once more, then set aside
        ch.fail = False
        await _put(db, "telegram:1", ["tiếp"], first_id=2)
        await _until(lambda: ch.handled == [("telegram:1", "tiếp")])
    finally:
        await w.stop_claiming()
        await ch.turns.close()
        await ch.inbox.flush()
        await w.close()
        await db.close()


async def test_a_worker_stopping_hands_back_what_it_could_not_finish(tmp_path):
    path = tmp_path / "w.db"
    db_a, db_b = await Database.open(path), await Database.open(path)
    stuck, other = Channel(db_a, work=-1), Channel(db_b)
    a = InboxWorker(db_a, [stuck], worker_name(), lease=60.0, poll=0.05)
    b = InboxWorker(db_b, [other], worker_name(), lease=60.0, poll=0.05)
    try:
        await _put(db_a, "telegram:1", ["một", "hai"])
        await a.start()
        await _until(lambda: a.held)
        await a.stop_claiming()
        await stuck.turns.close(timeout=0.1)  # shutdown cuts the turn short
        await a.close()
        t0 = time.monotonic()
        await b.start()
        await _until(lambda: len(other.handled) == 2)
        assert time.monotonic() - t0 < 5  # not after the 60 s lease
        assert other.handled == [("telegram:1", "một"), ("telegram:1", "hai")]
    finally:
        await b.stop_claiming()
        await other.turns.close()
        await other.inbox.flush()
        await b.close()
        await db_a.close()
        await db_b.close()
