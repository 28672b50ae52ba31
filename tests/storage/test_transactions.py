"""Database.transaction() / reading(): commit, roll back on any exception, one writer at a time."""

from __future__ import annotations

import asyncio

import pytest

from storage.outbox import OutboxItem
from tests.storage.contract import HOUR, NOW, learner


class Boom(Exception):
    pass


async def test_a_committed_transaction_is_seen_by_the_next(backend, tx):
    async with backend.transaction() as s:
        user = await s.users.create("sim:a", "given", NOW)
    assert (await tx.read(lambda s: s.users.by_identity("sim:a"))).id == user.id
    assert (await tx(lambda s: s.users.by_id(user.id))).identity == "sim:a"


async def test_an_exception_rolls_back_every_repository(backend, tx):
    async with backend.transaction() as s:
        kept = await learner(s, "sim:kept")
    with pytest.raises(Boom):
        async with backend.transaction() as s:
            user = await learner(s, "sim:gone")
            await s.users.update(kept.id, display_name="Đổi tên")
            await s.conversations.save("sim:gone", "menu", {"a": 1}, NOW)
            await s.identities.link("zalo:gone", user.id, NOW)
            await s.inbox.put("telegram", "1", "sim:gone", "{}", NOW)
            await s.outbox.enqueue([OutboxItem("sim:gone", "Chào", announcement_id=1)], NOW)
            await s.progress.record_answer(user.id, "q1", "l1", 0, True, "lesson", NOW)
            await s.staff.grant(user.id, "staff", "all", None, NOW)
            await s.throttle.fail("k", NOW, HOUR)
            assert await s.inbound.first_time("telegram:1", NOW)
            raise Boom
    async with backend.reading() as s:
        assert await s.users.by_identity("sim:gone") is None
        assert (await s.users.by_id(kept.id)).display_name is None
        assert await s.conversations.load("sim:gone") is None
        assert await s.identities.alias("zalo:gone") is None
        assert await s.inbox.open_rows("telegram") == []
        assert await s.outbox.summary(1) == {
            "pending": 0,
            "sending": 0,
            "sent": 0,
            "failed": 0,
            "blocked": 0,
        }
        assert await s.throttle.failures("k", NOW, HOUR) == 0
    # what was rolled back can happen again
    assert await tx(lambda s: s.inbound.first_time("telegram:1", NOW)) is True
    assert await tx(lambda s: s.inbox.put("telegram", "1", "sim:x", "{}", NOW)) is not None


async def test_a_cancelled_body_rolls_back_too(backend, tx):
    started = asyncio.Event()

    async def body():
        async with backend.transaction() as s:
            await s.users.create("sim:cancelled", "given", NOW)
            started.set()
            await asyncio.sleep(10)

    task = asyncio.create_task(body())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await tx.read(lambda s: s.users.by_identity("sim:cancelled")) is None
    assert (await tx(lambda s: s.users.create("sim:after", "given", NOW))).identity == "sim:after"


async def test_a_failed_write_can_be_followed_by_a_good_transaction(backend, tx, integrity_error):
    await tx(lambda s: s.users.create("sim:dup", "given", NOW))
    with pytest.raises(integrity_error):
        await tx(lambda s: s.users.create("sim:dup", "given", NOW))
    assert (await tx(lambda s: s.users.create("sim:next", "given", NOW))).identity == "sim:next"


async def test_transactions_run_one_at_a_time(backend, tx):
    """A read-then-write (a throttle counter) from many coroutines at once loses no update."""

    async def one():
        async with backend.transaction() as s:
            await s.throttle.fail("key", NOW, HOUR)
            await asyncio.sleep(0)  # give the others every chance to interleave

    await asyncio.gather(*(one() for _ in range(20)))
    assert await tx.read(lambda s: s.throttle.failures("key", NOW, HOUR)) == 20


async def test_riders_write_with_the_next_commit(backend, tx):
    """ride_along: a deferred write runs at the start of every transaction."""
    row = await tx(lambda s: s.inbox.put("telegram", "1", "sim:a", "{}", NOW))
    marks = [row]

    async def mark_done(store):
        while marks:
            await store.inbox.done(marks.pop(), NOW)

    backend.ride_along(mark_done)
    assert await tx.read(lambda s: s.inbox.status(row)) == "pending"
    await tx(lambda s: s.users.create("sim:a", "given", NOW))
    assert await tx.read(lambda s: s.inbox.status(row)) == "done"


async def test_a_riders_write_survives_a_failing_body(backend, tx):
    """The rider has handed its writes over (an inbox row's done mark): a turn that fails in the
    same transaction must not take them down with it."""
    row = await tx(lambda s: s.inbox.put("telegram", "1", "telegram:1", "{}", NOW))
    marks = [row]

    async def mark_done(store):
        while marks:
            await store.inbox.done(marks.pop(), NOW)

    backend.ride_along(mark_done)
    with pytest.raises(Boom):
        async with backend.transaction() as s:
            await s.users.create("telegram:1", "given", NOW)
            raise Boom
    async with backend.reading() as s:
        assert await s.inbox.status(row) == "done"
        assert await s.users.by_identity("telegram:1") is None
