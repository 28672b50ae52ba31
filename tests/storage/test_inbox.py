"""store.inbox (updates stored before they are acknowledged: pending -> answered -> done, or
failed) and store.inbound (update keys the engine has handled)."""

from __future__ import annotations

import json

from storage.repos import InboxRow
from tests.storage.contract import DAY, HOUR, MINUTE, NOW


async def test_put_stores_an_update_once_per_channel(tx):
    first = await tx(lambda s: s.inbox.put("telegram", "100", "telegram:1", '{"a": 1}', NOW))
    assert isinstance(first, int)
    # the same update again (a webhook retry, a re-polled batch): nothing new
    assert await tx(lambda s: s.inbox.put("telegram", "100", "telegram:1", "{}", NOW)) is None
    # the same id on another channel is another update
    other = await tx(lambda s: s.inbox.put("zalo", "100", "zalo:1", "{}", NOW))
    assert other is not None and other != first
    rows = await tx.read(lambda s: s.inbox.open_rows("telegram"))
    assert rows == [
        InboxRow(first, "telegram", "100", "telegram:1", '{"a": 1}', "pending", 0, None)
    ]


async def test_open_rows_are_the_channels_unfinished_rows_oldest_first(backend, tx):
    async with backend.transaction() as s:
        ids = [
            await s.inbox.put("telegram", str(u), f"telegram:{u % 2}", "{}", NOW)
            for u in (5, 3, 9, 1)  # update ids need not arrive in order
        ]
        await s.inbox.put("zalo", "1", "zalo:1", "{}", NOW)
    assert ids == sorted(ids)
    async with backend.transaction() as s:
        await s.inbox.answered(ids[0], '[{"text": "Dạ"}]')
        await s.inbox.done(ids[1], NOW)
        await s.inbox.fail(ids[2], NOW)
    rows = await tx.read(lambda s: s.inbox.open_rows("telegram"))
    assert [(r.id, r.update_id, r.status) for r in rows] == [
        (ids[0], "5", "answered"),
        (ids[3], "1", "pending"),
    ]
    assert rows[0].replies == '[{"text": "Dạ"}]'
    assert [r.chat for r in await tx.read(lambda s: s.inbox.open_rows("zalo"))] == ["zalo:1"]
    assert await tx.read(lambda s: s.inbox.open_rows("oa")) == []


async def test_pending_answered_done(backend, tx, dump):
    row = await tx(lambda s: s.inbox.put("telegram", "1", "telegram:1", '{"text": "hi"}', NOW))
    assert await tx.read(lambda s: s.inbox.status(row)) == "pending"
    replies = json.dumps([{"text": "Chào bà"}], ensure_ascii=False)
    await tx(lambda s: s.inbox.answered(row, replies))
    assert await tx.read(lambda s: s.inbox.status(row)) == "answered"
    # answered once: a second turn cannot overwrite the replies the first one committed
    await tx(lambda s: s.inbox.answered(row, "[]"))
    (open_row,) = await tx.read(lambda s: s.inbox.open_rows("telegram"))
    assert open_row.replies == replies
    await tx(lambda s: s.inbox.done(row, NOW + MINUTE))
    assert await tx.read(lambda s: s.inbox.status(row)) == "done"
    assert await tx.read(lambda s: s.inbox.open_rows("telegram")) == []
    # a done row keeps no message: only its ids, against replays (the backend's dump)
    (kept,) = (await dump())["inbox"]
    assert (kept["payload"], kept["replies"]) == ("", None)
    # done is final
    await tx(lambda s: s.inbox.answered(row, "[]"))
    await tx(lambda s: s.inbox.done(row, NOW + HOUR))
    assert await tx.read(lambda s: s.inbox.status(row)) == "done"
    # and it still guards against a replay of the same update
    assert await tx(lambda s: s.inbox.put("telegram", "1", "telegram:1", "{}", NOW)) is None


async def test_a_pending_row_can_be_done_directly(tx):
    """An update with nothing to answer (a replay the engine saw before) goes straight to done."""
    row = await tx(lambda s: s.inbox.put("telegram", "1", "telegram:1", "{}", NOW))
    await tx(lambda s: s.inbox.done(row, NOW))
    assert await tx.read(lambda s: s.inbox.status(row)) == "done"


async def test_attempts_are_counted_and_a_failed_row_is_set_aside(backend, tx):
    row = await tx(lambda s: s.inbox.put("telegram", "1", "telegram:1", "{}", NOW))
    assert [await tx(lambda s: s.inbox.started(row)) for _ in range(3)] == [1, 2, 3]
    (open_row,) = await tx.read(lambda s: s.inbox.open_rows("telegram"))
    assert open_row.attempts == 3
    await tx(lambda s: s.inbox.fail(row, NOW))
    assert await tx.read(lambda s: s.inbox.status(row)) == "failed"
    assert await tx.read(lambda s: s.inbox.open_rows("telegram")) == []
    assert await tx(lambda s: s.inbox.started(row + 1000)) == 0  # no such row
    assert await tx.read(lambda s: s.inbox.status(row + 1000)) is None


async def test_a_failed_attempt_rolled_back_is_not_counted(backend, tx):
    row = await tx(lambda s: s.inbox.put("telegram", "1", "telegram:1", "{}", NOW))
    try:
        async with backend.transaction() as s:
            await s.inbox.started(row)
            raise RuntimeError
    except RuntimeError:
        pass
    assert await tx(lambda s: s.inbox.started(row)) == 1


async def test_purge_forgets_old_done_rows_only(backend, tx):
    async with backend.transaction() as s:
        old = await s.inbox.put("telegram", "1", "telegram:1", "{}", NOW - 3 * DAY)
        recent = await s.inbox.put("telegram", "2", "telegram:1", "{}", NOW - 3 * DAY)
        pending = await s.inbox.put("telegram", "3", "telegram:1", "{}", NOW - 3 * DAY)
        failed = await s.inbox.put("telegram", "4", "telegram:1", "{}", NOW - 3 * DAY)
        other = await s.inbox.put("zalo", "1", "zalo:1", "{}", NOW - 3 * DAY)
        await s.inbox.done(old, NOW - 3 * DAY)
        await s.inbox.done(recent, NOW - DAY)
        await s.inbox.fail(failed, NOW - 3 * DAY)
        await s.inbox.done(other, NOW - 2 * DAY - MINUTE)
    assert await tx(lambda s: s.inbox.purge(NOW - 2 * DAY)) == 2  # every channel's
    assert await tx(lambda s: s.inbox.purge(NOW - 2 * DAY)) == 0
    async with backend.reading() as s:
        assert await s.inbox.status(old) is None and await s.inbox.status(other) is None
        assert await s.inbox.status(recent) == "done"
        assert await s.inbox.status(pending) == "pending"
        assert await s.inbox.status(failed) == "failed"
    # a purged update id may come again (the platform will not resend after two days)
    assert await tx(lambda s: s.inbox.put("telegram", "1", "telegram:1", "{}", NOW)) is not None


async def test_forget_chat(backend, tx):
    async with backend.transaction() as s:
        mine = [await s.inbox.put("telegram", str(i), "telegram:1", "{}", NOW) for i in range(3)]
        theirs = await s.inbox.put("telegram", "9", "telegram:2", "{}", NOW)
        await s.inbox.done(mine[0], NOW)
        await s.inbox.fail(mine[1], NOW)
        await s.inbox.forget_chat("telegram:1")
    async with backend.reading() as s:
        assert [await s.inbox.status(i) for i in mine] == [None, None, None]
        assert await s.inbox.status(theirs) == "pending"


async def test_inbound_first_time(tx):
    assert await tx(lambda s: s.inbound.first_time("telegram:100", NOW)) is True
    assert await tx(lambda s: s.inbound.first_time("telegram:100", NOW + HOUR)) is False
    assert await tx(lambda s: s.inbound.first_time("zalo:100", NOW)) is True
