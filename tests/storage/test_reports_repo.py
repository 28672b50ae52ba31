"""store.reports (the counters kept beside the data, targets, baselines, the plans' other
indicators, subscriptions) and store.raw (the events a report can be recomputed from).

The counters are the part a second backend must rebuild with care: they follow every change
to a learner, an area mastered and a topic acknowledged, as migration 0060's triggers do."""

from __future__ import annotations

import datetime as dt

import pytest

from storage.reports import METRICS, Entry
from storage.repos import iso
from tests.storage.contract import (
    COMMUNE,
    DAY,
    NOW,
    OTHER_COMMUNE,
    OTHER_PROVINCE,
    PROVINCE,
    learner,
)

DEC = dt.date(2026, 12, 31)
JAN = dt.date(2027, 1, 31)


def sums(**n: int) -> dict[str, int]:
    return {m: n.get(m, 0) for m in METRICS}


@pytest.fixture
async def people(backend) -> dict[str, int]:
    """a: older (born 1950), a woman in a rural commune; she masters an area and acknowledges
    an announcement the next day. b: a helper until 2030 (born 1970). c: older, elsewhere,
    registered in January, proficient. d: never finished signing up."""
    async with backend.transaction() as s:
        a = await learner(s, "telegram:a", birth_year=1950, sex="nu", rural=True)
        b = await learner(s, "telegram:b", birth_year=1970, sex="nam")
        c = await learner(
            s,
            "zalo:c",
            now=NOW + 40 * DAY,
            birth_year=1955,
            province=OTHER_PROVINCE,
            commune=OTHER_COMMUNE,
            proficient=True,
        )
        d = await learner(s, "telegram:d", registered=False, birth_year=1950)
        ann = await s.staff.create_announcement(
            a.id, "all", "chuyen_doi_so", "Tin", None, NOW, False, NOW
        )
    async with backend.transaction() as s:
        await s.users.update(a.id, last_active_at=iso(NOW + DAY))
        await s.progress.set_area(a.id, "an_toan", True, NOW + DAY)
        await s.staff.ack(ann, a.id, NOW + DAY)
        await s.progress.record_answer(a.id, "q2", "l1", 0, True, "lesson", NOW + DAY)
        await s.progress.record_answer(a.id, "q1", "l1", 1, False, "lesson", NOW)
        await s.progress.record_answer(c.id, "q1", "l1", 0, True, "review", NOW + 41 * DAY)
        await s.progress.record_answer(d.id, "q1", "l1", 0, True, "lesson", NOW)
    return {"a": a.id, "b": b.id, "c": c.id, "d": d.id, "ann": ann}


async def test_by_sub_unit(tx, people):
    a_sums = sums(registered=1, m_an_toan=1, i_chuyen_doi_so=1)
    async with tx.db.reading() as s:
        r = s.reports
        assert sorted(await r.by_sub_unit("all", DEC)) == [
            (PROVINCE, 2025, a_sums),
            (PROVINCE, 2030, sums(registered=1)),
        ]
        assert sorted(await r.by_sub_unit("all", JAN)) == [
            (PROVINCE, 2025, a_sums),
            (PROVINCE, 2030, sums(registered=1)),
            (OTHER_PROVINCE, 2025, sums(registered=1, proficient=1)),
        ]
        assert sorted(await r.by_sub_unit(f"province:{PROVINCE}", JAN)) == [
            (COMMUNE, 2025, a_sums),
            (COMMUNE, 2030, sums(registered=1)),
        ]
        # the day of registration only: the area and the topic came the day after
        assert sorted(await r.by_sub_unit(f"commune:{COMMUNE}", NOW.date())) == [
            (0, 2025, sums(registered=1)),  # 0: members of no branch
            (0, 2030, sums(registered=1)),
        ]
        assert await r.by_sub_unit(f"commune:{OTHER_COMMUNE}", DEC) == []
        with pytest.raises(ValueError):
            await r.by_sub_unit("branch:1", DEC)


async def test_history_by_month_with_helpers_apart(tx, people):
    got = await tx.read(lambda s: s.reports.history("all", JAN, [2026, 2027]))
    assert sorted(got) == [
        (PROVINCE, "2026-11", 2026, sums(registered=1, m_an_toan=1, i_chuyen_doi_so=1)),
        # a helper in every year asked: one row, registered only, at their first month
        (PROVINCE, "2026-11", 2028, sums(registered=1)),
        (OTHER_PROVINCE, "2027-01", 2026, sums(registered=1, proficient=1)),
    ]
    got = await tx.read(lambda s: s.reports.history(f"commune:{COMMUNE}", NOW.date(), [2030]))
    assert sorted(got) == [(0, "2026-11", 2030, sums(registered=2))]


async def test_counters_follow_a_move_and_an_erasure(backend, tx, people):
    async with backend.transaction() as s:
        await s.users.update(people["b"], province_code=OTHER_PROVINCE, commune_code=OTHER_COMMUNE)
    assert sorted(await tx.read(lambda s: s.reports.by_sub_unit("all", JAN))) == [
        (PROVINCE, 2025, sums(registered=1, m_an_toan=1, i_chuyen_doi_so=1)),
        (OTHER_PROVINCE, 2025, sums(registered=1, proficient=1)),
        (OTHER_PROVINCE, 2030, sums(registered=1)),
    ]
    await tx(lambda s: s.privacy.erase(people["a"], [], NOW + 2 * DAY))
    # reported figures before stay; the person leaves on the day of erasure
    assert sorted(await tx.read(lambda s: s.reports.by_sub_unit(f"province:{PROVINCE}", JAN))) == [
        (COMMUNE, 2025, sums()),
    ]
    assert await tx.read(lambda s: s.reports.by_sub_unit(f"province:{PROVINCE}", NOW.date())) == [
        (COMMUNE, 2025, sums(registered=1))
    ]


async def test_breakdowns(tx, people):
    got = await tx.read(lambda s: s.reports.breakdowns(f"commune:{COMMUNE}"))
    one = {"registered": 1, "proficient": 0}
    assert sorted(got) == [
        ("by", "1950", 2025, one),
        ("by", "1970", 2030, one),
        ("grp", "nong_thon", 2025, one),
        ("sex", "nam", 2030, one),
        ("sex", "nu", 2025, one),
    ]
    got = await tx.read(lambda s: s.reports.breakdowns("all", 2026))  # older people in 2026
    assert sorted(got) == [
        ("by", "1950", 2025, one),
        ("by", "1955", 2025, {"registered": 1, "proficient": 1}),
        ("grp", "nong_thon", 2025, one),
        ("sex", "", 2025, {"registered": 1, "proficient": 1}),
        ("sex", "nu", 2025, one),
    ]


async def test_active(tx, people):
    async with tx.db.reading() as s:
        assert await s.reports.active("all", NOW - DAY, 1966) == 2  # a and c, not the helper
        assert await s.reports.active("all", NOW - DAY, 1970) == 3
        assert await s.reports.active("all", NOW + 2 * DAY, 1966) == 1  # c wrote later
        assert await s.reports.active(f"commune:{COMMUNE}", NOW - DAY, 1966) == 1
        assert await s.reports.active(f"province:{OTHER_PROVINCE}", NOW + 50 * DAY, 1966) == 0


async def test_targets(backend, tx, integrity_error):
    async with backend.transaction() as s:
        r = s.reports
        await r.set_target("all", "proficient", 2030, 50.0, None, NOW)
        await r.set_target(f"province:{PROVINCE}", "proficient", 2030, 35.0, None, NOW)
        await r.set_target(f"province:{PROVINCE}", "proficient", 2030, 40.5, None, NOW)
        await r.set_target(f"province:{PROVINCE}", "informed", 2035, 100, None, NOW)
    got = await tx.read(lambda s: s.reports.targets([f"province:{PROVINCE}", f"commune:{COMMUNE}"]))
    assert sorted(got) == [
        (f"province:{PROVINCE}", "informed", 2035, 100.0),
        (f"province:{PROVINCE}", "proficient", 2030, 40.5),
    ]
    assert await tx.read(lambda s: s.reports.targets([])) == []
    for bad in (("trees", 2030, 10), ("proficient", 2030, 101), ("proficient", 2020, 10)):
        with pytest.raises(integrity_error):
            await tx(lambda s, bad=bad: s.reports.set_target("all", *bad, None, NOW))


async def test_the_first_baseline_stays(tx):
    unit = f"commune:{COMMUNE}"
    assert await tx.read(lambda s: s.reports.baseline(unit)) is None
    first = {"proficient": 12.5, "informed:chuyen_doi_so": 40.0}
    await tx(lambda s: s.reports.set_baseline(unit, NOW.date(), first))
    await tx(lambda s: s.reports.set_baseline(unit, NOW.date() + DAY, {"proficient": 99.0}))
    assert await tx.read(lambda s: s.reports.baseline(unit)) == (NOW.date(), first)
    assert await tx.read(lambda s: s.reports.baseline("all")) is None


async def test_an_indicator_entry_form_sent_twice_counts_once(backend, tx):
    on, unit, here = NOW.date(), f"commune:{COMMUNE}", (PROVINCE, COMMUNE, None)
    async with backend.transaction() as s:
        r = s.reports
        first = await r.add_entry(unit, here, "trees", on, 100, "", None, NOW, form_key="k" * 24)
        again = await r.add_entry(unit, here, "trees", on, 100, "", None, NOW, form_key="k" * 24)
        assert isinstance(first, int) and again is None
    assert await tx.read(lambda s: s.reports.indicator_totals(unit, on)) == {"trees": (100, 1)}


async def test_indicator_entries(backend, tx, integrity_error):
    on = NOW.date()
    async with backend.transaction() as s:
        r = s.reports
        here = (PROVINCE, COMMUNE, None)
        e1 = await r.add_entry(f"commune:{COMMUNE}", here, "trees", on, 100, "Xã trồng", None, NOW)
        e2 = await r.add_entry(f"commune:{COMMUNE}", here, "trees", on + DAY, 50, "", None, NOW)
        await r.add_entry(
            f"province:{PROVINCE}", (PROVINCE, None, None), "jobs", on, 7, "", None, NOW
        )
        await r.add_entry(
            f"commune:{OTHER_COMMUNE}",
            (OTHER_PROVINCE, OTHER_COMMUNE, None),
            "trees",
            on,
            9,
            "",
            None,
            NOW,
        )
        assert e2 != e1
        with pytest.raises(ValueError):
            await r.add_entry("all", (None, None, None), "bridges", on, 1, "", None, NOW)
    with pytest.raises(integrity_error):
        await tx(
            lambda s: s.reports.add_entry("all", (None, None, None), "trees", on, -1, "", None, NOW)
        )
    async with backend.reading() as s:
        r = s.reports
        assert await r.indicator_totals(f"province:{PROVINCE}", on + DAY) == {
            "trees": (150, 2),
            "jobs": (7, 1),
        }
        assert await r.indicator_totals(f"commune:{COMMUNE}", on) == {"trees": (100, 1)}
        assert await r.indicator_totals("all", on) == {"trees": (109, 2), "jobs": (7, 1)}
        assert await r.entries(f"province:{PROVINCE}") == [  # newest first
            Entry("trees", (on + DAY).isoformat(), 50, "", f"commune:{COMMUNE}"),
            Entry("jobs", on.isoformat(), 7, "", f"province:{PROVINCE}"),
            Entry("trees", on.isoformat(), 100, "Xã trồng", f"commune:{COMMUNE}"),
        ]
        assert [e.value for e in await r.entries(f"province:{PROVINCE}", limit=1)] == [50]


async def test_indicator_targets(tx):
    unit = f"province:{PROVINCE}"
    async with tx.db.transaction() as s:
        r = s.reports
        await r.set_indicator_target(unit, "trees", 2035, 1_000_000, None, NOW)
        await r.set_indicator_target(unit, "trees", 2030, 500_000, None, NOW)
        await r.set_indicator_target(unit, "jobs", 2030, 40, None, NOW)
        await r.set_indicator_target(unit, "jobs", 2030, 50, None, NOW)
        with pytest.raises(ValueError):
            await r.set_indicator_target(unit, "bridges", 2030, 1, None, NOW)
    assert await tx.read(lambda s: s.reports.indicator_targets(unit)) == {
        "jobs": [(2030, 50)],
        "trees": [(2030, 500_000), (2035, 1_000_000)],
    }
    assert await tx.read(lambda s: s.reports.indicator_targets("all")) == {}


async def test_subscriptions(backend, tx):
    async with backend.transaction() as s:
        a = await learner(s, "telegram:a")
        b = await learner(s, "zalo:b")
        r = s.reports
        await r.subscribe(a.id, "all", "month", NOW + 10 * DAY)
        await r.subscribe(a.id, f"province:{PROVINCE}", "month", NOW + DAY)
        await r.subscribe(a.id, f"province:{PROVINCE}", "quarter", NOW + 2 * DAY)  # changed
        await r.subscribe(b.id, "all", "quarter", NOW + DAY)
    async with backend.reading() as s:
        r = s.reports
        assert await r.subscription(a.id, f"province:{PROVINCE}") == "quarter"
        assert await r.subscription(b.id, f"province:{PROVINCE}") is None
        assert await r.due_subscriptions(NOW) == []
        assert await r.due_subscriptions(NOW + 2 * DAY) == [  # the earliest due first
            (b.id, "zalo:b", "all", "quarter"),
            (a.id, "telegram:a", f"province:{PROVINCE}", "quarter"),
        ]
    assert await tx(lambda s: s.reports.unsubscribe(a.id, "all")) is True
    assert await tx(lambda s: s.reports.unsubscribe(a.id, "all")) is False
    await tx(lambda s: s.users.delete(b.id))
    assert await tx.read(lambda s: s.reports.due_subscriptions(NOW + 30 * DAY)) == [
        (a.id, "telegram:a", f"province:{PROVINCE}", "quarter")
    ]


async def test_raw_events(tx, people):
    a, c = people["a"], people["c"]
    cutoff = (NOW + 60 * DAY).isoformat()
    async with tx.db.reading() as s:
        learners = [x async for x in s.raw.learners("all", cutoff)]
        assert sorted(x["id"] for x in learners) == sorted([a, people["b"], c])  # not d
        (row,) = [x async for x in s.raw.learners(f"commune:{COMMUNE}", cutoff) if x["id"] == a]
        assert row == {
            "id": a,
            "province_code": PROVINCE,
            "commune_code": COMMUNE,
            "branch_id": None,
            "birth_year": 1950,
            "sex": "nu",
            "rural": True,
            "poor": None,
            "alone": None,
            "disabled": None,
        }
        before_c = (NOW + DAY).isoformat()
        assert [x["id"] async for x in s.raw.learners("all", before_c) if x["id"] == c] == []
        # answers per learner, in the order given
        answers = [x async for x in s.raw.answers("all", cutoff)]
        assert answers == sorted(answers, key=lambda x: x[0]) and len(answers) == 3
        assert [x for x in answers if x[0] == a] == [
            (a, "q1", "lesson", False),
            (a, "q2", "lesson", True),
        ]
        assert [x async for x in s.raw.answers(f"province:{OTHER_PROVINCE}", cutoff)] == [
            (c, "q1", "review", True)
        ]
        events = [x async for x in s.raw.answer_events("all", cutoff)]
        assert [x for x in events if x[0] == a] == [
            (a, "q1", "l1", "lesson", False),
            (a, "q2", "l1", "lesson", True),
        ]
        assert [x[0] for x in events] == [x[0] for x in answers]  # the same rows, with lessons
        assert [x async for x in s.raw.answer_events("all", NOW.isoformat())] == []
        assert [x async for x in s.raw.acknowledgements(cutoff)] == [(a, "chuyen_doi_so")]
        assert [x async for x in s.raw.acknowledgements(NOW.isoformat())] == []


async def test_flags_by_sub_unit_the_fair_baseline(tx, people):
    end_of_jan = iso(dt.datetime(2027, 2, 1, tzinfo=dt.UTC))
    a_sums = sums(registered=1, m_an_toan=1, i_chuyen_doi_so=1)
    async with tx.db.reading() as s:
        r = s.reports
        assert sorted(await r.flags_by_sub_unit("all", end_of_jan, 2027)) == [
            (PROVINCE, False, sums(registered=1)),  # b: a helper until 2030
            (PROVINCE, True, a_sums),
            (OTHER_PROVINCE, True, sums(registered=1, proficient=1)),
        ]
        # in 2030 b is an older person too
        assert sorted(await r.flags_by_sub_unit(f"province:{PROVINCE}", end_of_jan, 2030)) == [
            (COMMUNE, True, sums(registered=2, m_an_toan=1, i_chuyen_doi_so=1)),
        ]
        # before c registered; before a acknowledged the announcement (registration only bounds)
        assert sorted(await r.flags_by_sub_unit("all", iso(NOW + DAY / 2), 2027)) == [
            (PROVINCE, False, sums(registered=1)),
            (PROVINCE, True, sums(registered=1, m_an_toan=1)),
        ]
        assert sorted(await r.flags_by_sub_unit(f"commune:{COMMUNE}", end_of_jan, 2027)) == [
            (0, False, sums(registered=1)),  # 0: members of no branch
            (0, True, a_sums),
        ]
        assert await r.flags_by_sub_unit(f"commune:{OTHER_COMMUNE}", iso(NOW), 2027) == []
