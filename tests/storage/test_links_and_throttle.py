"""store.links (one-time link codes) and store.throttle (wrong guesses in a fixed window)."""

from __future__ import annotations

import pytest

from tests.storage.contract import HOUR, MINUTE, NOW, learner

TTL = 10 * MINUTE


async def test_a_link_code_is_valid_until_it_expires(backend, tx):
    async with backend.transaction() as s:
        user = await learner(s, "telegram:1")
        code = await s.links.create(user.id, "telegram:1", NOW, TTL, 6)
    assert len(code) == 6 and code.isdigit()
    async with backend.reading() as s:
        assert await s.links.find(code, NOW) == (user.id, "telegram:1")
        assert await s.links.find(code, NOW + TTL - MINUTE) == (user.id, "telegram:1")
        assert await s.links.find(code, NOW + TTL) is None  # expiry is exclusive
        assert await s.links.find("not-a-code", NOW) is None


async def test_a_used_code_is_gone(backend, tx):
    async with backend.transaction() as s:
        user = await learner(s, "telegram:1")
        code = await s.links.create(user.id, "telegram:1", NOW, TTL, 6)
        expired = await s.links.create(
            (await learner(s, "telegram:2")).id, "telegram:2", NOW - TTL, TTL, 6
        )
        assert await s.links.use(code, NOW) is True
        assert await s.links.find(code, NOW) is None
        assert await s.links.use(code, NOW) is False  # once only: a second use is refused
        assert await s.links.use(expired, NOW) is False  # and an expired code is no use


async def test_a_new_code_replaces_the_learners_older_one_only(backend, tx):
    async with backend.transaction() as s:
        a = await learner(s, "telegram:1")
        b = await learner(s, "telegram:2")
        first = await s.links.create(a.id, "telegram:1", NOW, TTL, 6)
        theirs = await s.links.create(b.id, "telegram:2", NOW, TTL, 6)
        second = await s.links.create(a.id, "zalo:1", NOW + MINUTE, TTL, 6)
    async with backend.reading() as s:
        if first != second:
            assert await s.links.find(first, NOW + MINUTE) is None
        assert await s.links.find(second, NOW + MINUTE) == (a.id, "zalo:1")
        assert await s.links.find(theirs, NOW + MINUTE) == (b.id, "telegram:2")


async def test_live_codes_are_distinct(backend, tx):
    """Short codes collide often; each live code still names exactly one learner."""
    async with backend.transaction() as s:
        users = [await learner(s, f"telegram:{i}") for i in range(40)]
        codes = [await s.links.create(u.id, u.identity, NOW, TTL, 2) for u in users]
    assert len(set(codes)) == len(codes) and all(len(c) == 2 and c.isdigit() for c in codes)
    async with backend.reading() as s:
        for u, c in zip(users, codes, strict=True):
            assert await s.links.find(c, NOW) == (u.id, u.identity)


async def test_codes_go_with_their_learner(backend, tx):
    async with backend.transaction() as s:
        user = await learner(s, "telegram:1")
        code = await s.links.create(user.id, "telegram:1", NOW, TTL, 6)
        await s.users.delete(user.id)
        assert await s.links.find(code, NOW) is None


async def test_a_code_needs_a_learner(tx, integrity_error):
    with pytest.raises(integrity_error):
        await tx(lambda s: s.links.create(12345, "telegram:1", NOW, TTL, 6))


# --- throttle ---


async def test_failures_count_within_a_window_from_the_first(backend, tx):
    async with backend.transaction() as s:
        t = s.throttle
        assert await t.failures("k", NOW, HOUR) == 0
        await t.fail("k", NOW, HOUR)
        await t.fail("k", NOW + 30 * MINUTE, HOUR)
        await t.fail("k", NOW + 59 * MINUTE, HOUR)
        assert await t.failures("k", NOW + 59 * MINUTE, HOUR) == 3
        assert await t.failures("other", NOW, HOUR) == 0
        # the window runs from the first failure, not the last; its end is exclusive
        assert await t.failures("k", NOW + HOUR, HOUR) == 0
        # a failure after the window starts a new one
        await t.fail("k", NOW + HOUR, HOUR)
        assert await t.failures("k", NOW + HOUR, HOUR) == 1
        assert await t.failures("k", NOW + 2 * HOUR - MINUTE, HOUR) == 1
        assert await t.failures("k", NOW + 2 * HOUR, HOUR) == 0


async def test_the_window_is_the_callers(backend, tx):
    async with backend.transaction() as s:
        await s.throttle.fail("k", NOW, HOUR)
        await s.throttle.fail("k", NOW, HOUR)
        assert await s.throttle.failures("k", NOW + 2 * HOUR, 3 * HOUR) == 2
        assert await s.throttle.failures("k", NOW + 2 * HOUR, HOUR) == 0


async def test_clear_forgets_a_key(backend, tx):
    async with backend.transaction() as s:
        await s.throttle.fail("k", NOW, HOUR)
        await s.throttle.fail("j", NOW, HOUR)
        await s.throttle.clear("k")
        await s.throttle.clear("never")
        assert await s.throttle.failures("k", NOW, HOUR) == 0
        assert await s.throttle.failures("j", NOW, HOUR) == 1
        await s.throttle.fail("k", NOW + MINUTE, HOUR)
        assert await s.throttle.failures("k", NOW + MINUTE, HOUR) == 1


async def test_failures_survive_the_transaction(backend, tx):
    for i in range(5):
        await tx(lambda s, i=i: s.throttle.fail("k", NOW + i * MINUTE, HOUR))
    assert await tx.read(lambda s: s.throttle.failures("k", NOW + 5 * MINUTE, HOUR)) == 5
