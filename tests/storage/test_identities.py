"""store.identities: further channel identities of a learner, each with its own block flag."""

from __future__ import annotations

import pytest

from tests.storage.contract import NOW, learner


async def two(backend):
    async with backend.transaction() as s:
        return await learner(s, "telegram:1"), await learner(s, "telegram:2")


async def test_link_makes_an_identity_resolve_to_a_learner(backend, tx):
    a, b = await two(backend)
    assert await tx.read(lambda s: s.identities.alias("zalo:1")) is None
    await tx(lambda s: s.identities.link("zalo:1", a.id, NOW))
    assert await tx.read(lambda s: s.identities.alias("zalo:1")) == (a.id, False)
    assert await tx.read(lambda s: s.identities.of_user(a.id)) == ["zalo:1"]
    assert await tx.read(lambda s: s.identities.of_user(b.id)) == []
    # a learner's first identity lives on the learner, not here
    assert await tx.read(lambda s: s.identities.alias("telegram:1")) is None


async def test_relinking_moves_the_identity_and_keeps_its_flag_unless_told(backend, tx):
    a, b = await two(backend)
    await tx(lambda s: s.identities.link("zalo:1", a.id, NOW, blocked=True))
    assert await tx.read(lambda s: s.identities.alias("zalo:1")) == (a.id, True)
    await tx(lambda s: s.identities.link("zalo:1", b.id, NOW))  # blocked=None: flag kept
    assert await tx.read(lambda s: s.identities.alias("zalo:1")) == (b.id, True)
    await tx(lambda s: s.identities.link("zalo:1", a.id, NOW, blocked=False))
    assert await tx.read(lambda s: s.identities.alias("zalo:1")) == (a.id, False)
    assert await tx.read(lambda s: s.identities.of_user(b.id)) == []


async def test_set_blocked_is_per_identity(backend, tx):
    a, _ = await two(backend)
    async with backend.transaction() as s:
        await s.identities.link("zalo:1", a.id, NOW)
        await s.identities.link("zalo:9", a.id, NOW)
        await s.identities.set_blocked("zalo:1", True)
        await s.identities.set_blocked("zalo:unknown", True)  # nobody's: nothing happens
    async with backend.reading() as s:
        assert await s.identities.alias("zalo:1") == (a.id, True)
        assert await s.identities.alias("zalo:9") == (a.id, False)
        assert await s.identities.alias("zalo:unknown") is None
        assert (await s.users.by_id(a.id)).blocked is False
    await tx(lambda s: s.identities.set_blocked("zalo:1", False))
    assert await tx.read(lambda s: s.identities.alias("zalo:1")) == (a.id, False)


async def test_move_hands_every_identity_over(backend, tx):
    a, b = await two(backend)
    async with backend.transaction() as s:
        await s.identities.link("zalo:1", a.id, NOW, blocked=True)
        await s.identities.link("zalo:2", a.id, NOW)
        await s.identities.link("zalo:3", b.id, NOW)
        await s.identities.move(a.id, b.id)
    async with backend.reading() as s:
        assert await s.identities.of_user(a.id) == []
        assert sorted(await s.identities.of_user(b.id)) == ["zalo:1", "zalo:2", "zalo:3"]
        assert await s.identities.alias("zalo:1") == (b.id, True)  # flags travel with them


async def test_blocked_among_prefers_the_linked_identitys_own_flag(backend, tx):
    a, b = await two(backend)
    async with backend.transaction() as s:
        await s.users.update(b.id, blocked=True)
        await s.identities.link("zalo:1", a.id, NOW, blocked=True)
        await s.identities.link("zalo:2", b.id, NOW)  # b is blocked on telegram, not here
    flags = await tx.read(
        lambda s: s.identities.blocked_among(
            ["telegram:1", "telegram:2", "zalo:1", "zalo:2", "zalo:1", "nobody:1"]
        )
    )
    assert flags == {"telegram:1": False, "telegram:2": True, "zalo:1": True, "zalo:2": False}
    assert await tx.read(lambda s: s.identities.blocked_among([])) == {}


async def test_an_identity_needs_a_learner(tx, integrity_error):
    with pytest.raises(integrity_error):
        await tx(lambda s: s.identities.link("zalo:1", 12345, NOW))


async def test_identities_go_with_their_learner(backend, tx):
    a, _ = await two(backend)
    await tx(lambda s: s.identities.link("zalo:1", a.id, NOW))
    await tx(lambda s: s.users.delete(a.id))
    assert await tx.read(lambda s: s.identities.alias("zalo:1")) is None
    assert await tx.read(lambda s: s.identities.blocked_among(["zalo:1", "telegram:1"])) == {}
