"""store.scam_examples: anonymised examples shared with an association, newest first."""

from __future__ import annotations

import pytest

from storage.repos import iso
from storage.scam import ScamExample
from tests.storage.contract import COMMUNE, MINUTE, NOW, PROVINCE

HERE = f"commune:{COMMUNE}"
ABOVE = f"province:{PROVINCE}"


async def test_examples_come_back_newest_first(backend, tx):
    async with backend.transaction() as s:
        add = s.scam_examples.add
        first = await add("Tài khoản của bạn bị khóa, bấm ***", "scam", 0.93, ["link"], HERE, NOW)
        second = await add("Cháu đây, gửi tiền giúp", "unsure", 0.5, [], ABOVE, NOW + MINUTE)
        third = await add("Hẹn bà 8 giờ", "ok", 0.05, ["a", "b"], None, NOW + 2 * MINUTE)
    assert first < second < third
    every = await tx.read(lambda s: s.scam_examples.recent())
    assert [e.id for e in every] == [third, second, first]
    assert every[2] == ScamExample(
        first, iso(NOW), HERE, "scam", 0.93, ["link"], "Tài khoản của bạn bị khóa, bấm ***"
    )
    assert every[0].unit is None and every[0].signs == ["a", "b"]
    async with backend.reading() as s:
        assert [e.id for e in await s.scam_examples.recent([HERE])] == [first]
        assert [e.id for e in await s.scam_examples.recent([HERE, ABOVE])] == [second, first]
        assert await s.scam_examples.recent([]) == []  # staff of no unit see none
        assert [e.id for e in await s.scam_examples.recent(limit=2)] == [third, second]


async def test_only_the_three_verdicts(tx, integrity_error):
    with pytest.raises(integrity_error):
        await tx(lambda s: s.scam_examples.add("x", "maybe", 0.5, [], None, NOW))
