"""store.scam_examples: anonymised examples shared with an association, newest first."""

from __future__ import annotations

import pytest

from storage.repos import iso
from storage.scam import ScamExample
from tests.storage.contract import COMMUNE, MINUTE, NOW, PROVINCE, learner

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


async def test_a_page_below_a_unit_takes_the_branches_of_its_communes(backend, tx):
    async with backend.transaction() as s:
        staff = await learner(s, "tg:1")
        branch = (await s.staff.create_branch(COMMUNE, "Chi hội 1", staff.id, NOW)).id
        add = s.scam_examples.add
        in_branch = await add("a", "scam", 0.9, [], f"branch:{branch}", NOW)
        in_commune = await add("b", "unsure", 0.4, [], HERE, NOW)
        in_province = await add("c", "ok", 0.1, [], ABOVE, NOW)
        elsewhere = await add("d", "scam", 0.8, [], "commune:6100", NOW)
        await add("e", "scam", 0.8, [], None, NOW)
    async with backend.reading() as s:
        ex = s.scam_examples
        assert await ex.count_below([HERE]) == 2
        assert [e.id for e in await ex.page_below([HERE], 0, 10)] == [in_commune, in_branch]
        assert [e.id for e in await ex.page_below([HERE], 1, 1)] == [in_branch]
        assert [e.id for e in await ex.page_below([f"branch:{branch}"], 0, 10)] == [in_branch]
        both = [ABOVE, HERE]  # a province's staff pass its communes
        assert [e.id for e in await ex.page_below(both, 0, 10)] == [
            in_province,
            in_commune,
            in_branch,
        ]
        assert elsewhere not in [e.id for e in await ex.page_below(both, 0, 10)]
        assert await ex.count_below([]) == 0 and await ex.page_below([], 0, 5) == []
        assert await ex.count_below(None) == 5
