"""store.conversations: where each conversation stands, keyed by identity."""

from __future__ import annotations

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
