"""store.conversations: where each conversation stands, keyed by identity."""

from __future__ import annotations

import asyncio

from tests.storage.contract import MINUTE, NOW

DATA = {
    "lesson": "dvc.vneid_1",
    "step": 3,
    "score": 0.5,
    "done": True,
    "none": None,
    "asked": ["q1", "q2"],
    "nested": {"tên": "Bà Hoa", "emoji": "✅"},
    "text": "Ông đã trả lời đúng 3/4 câu",
}


async def test_save_then_load(tx):
    assert await tx.read(lambda s: s.conversations.load("telegram:1")) is None
    await tx(lambda s: s.conversations.save("telegram:1", "lesson", DATA, NOW))
    state, data = await tx.read(lambda s: s.conversations.load("telegram:1"))
    assert state == "lesson" and data == DATA


async def test_save_replaces_the_whole_state(tx):
    await tx(lambda s: s.conversations.save("telegram:1", "lesson", DATA, NOW))
    await tx(lambda s: s.conversations.save("telegram:1", "menu", {}, NOW + MINUTE))
    assert await tx.read(lambda s: s.conversations.load("telegram:1")) == ("menu", {})


async def test_keys_are_independent_and_delete_removes_one(backend, tx):
    async with backend.transaction() as s:
        await s.conversations.save("telegram:1", "a", {"n": 1}, NOW)
        await s.conversations.save("zalo:1", "b", {"n": 2}, NOW)
        await s.conversations.save("anon:ffff", "c", {}, NOW)
        await s.conversations.delete("telegram:1")
        await s.conversations.delete("telegram:404")  # nothing there: harmless
    async with backend.reading() as s:
        assert await s.conversations.load("telegram:1") is None
        assert await s.conversations.load("zalo:1") == ("b", {"n": 2})
        assert await s.conversations.load("anon:ffff") == ("c", {})


async def test_a_locked_conversation_waits_for_the_transaction_that_holds_it(backend):
    """lock(): the work of another worker on this person (linking into them, their reminder)
    runs after their turn in flight, never beside it (PostgreSQL: an advisory lock; SQLite:
    one writer at a time). Taking it again in the same transaction is harmless."""
    order: list[str] = []
    holding = asyncio.Event()
    release = asyncio.Event()

    async def turn():
        async with backend.transaction() as s:
            await s.conversations.lock("telegram:1")
            await s.conversations.lock("telegram:1")  # re-entrant
            holding.set()
            await release.wait()
            await s.conversations.save("telegram:1", "menu", {"n": 1}, NOW)
            order.append("turn done")

    async def other():
        await holding.wait()
        async with backend.transaction() as s:
            await s.conversations.lock("telegram:1")
            order.append(f"other sees {await s.conversations.load('telegram:1')}")

    first = asyncio.create_task(turn())
    second = asyncio.create_task(other())
    await holding.wait()
    await asyncio.sleep(0.2)
    assert order == []  # still waiting
    release.set()
    await asyncio.gather(first, second)
    assert order == ["turn done", "other sees ('menu', {'n': 1})"]
