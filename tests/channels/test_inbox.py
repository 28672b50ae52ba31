"""The inbox itself: grouped writes, replays dropped, done marks riding along, poison rows."""

import asyncio

from bot.channels.inbox import Inbox
from storage.repos import INBOX_MAX_ATTEMPTS


async def test_a_burst_is_stored_in_order_and_replays_come_back_as_none(db):
    inbox = Inbox(db, "telegram")
    ids = await inbox.put_many([(str(i), f"telegram:{i % 3}", "{}") for i in range(50)])
    assert all(isinstance(i, int) for i in ids) and ids == sorted(ids)
    again = await inbox.put_many([("7", "telegram:1", "{}"), ("50", "telegram:2", "{}")])
    assert again[0] is None and isinstance(again[1], int)
    assert [r.update_id for r in await inbox.recover()] == [str(i) for i in range(51)]


async def test_done_marks_ride_along_with_the_next_transaction(db):
    inbox = Inbox(db, "zalo")
    row = await inbox.put("m1", "zalo:a", "{}")
    async with db.transaction() as store:
        await store.inbox.answered(row, "[]")
    inbox.done(row)
    async with db.transaction() as store:  # any transaction carries the mark
        assert await store.inbox.status(row) == "done"
    await inbox.flush()


async def test_a_row_that_keeps_breaking_the_process_is_set_aside(db):
    inbox = Inbox(db, "telegram")
    row = await inbox.put("1", "telegram:1", "{}")
    for _ in range(INBOX_MAX_ATTEMPTS):  # each restart finds it unfinished
        assert [r.id for r in await inbox.recover()] == [row]
    assert await inbox.recover() == []
    async with db.reading() as store:
        assert await store.inbox.status(row) == "failed"


async def test_flush_waits_for_what_is_queued(db):
    inbox = Inbox(db, "telegram")
    put = asyncio.ensure_future(inbox.put("9", "telegram:9", "{}"))
    await asyncio.sleep(0)  # queued
    await inbox.flush()
    assert put.done() and isinstance(put.result(), int)
