"""The report computation: older people and helpers, on-track lines, past dates, hidden cells."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.reports.compute import build
from storage.db import Database
from storage.store import Store


@pytest.fixture
async def db(tmp_path):
    database = await Database.open(tmp_path / "r.db")
    yield database
    await database.close()


async def learner(conn, n: int, born: int, commune: int = 5800, on: str = "2026-01-10", **kw):
    t = f"{on}T03:00:00+00:00"
    cols = {"birth_year": born, "province_code": 19, "commune_code": commune, **kw}
    names = ", ".join(cols)
    cur = await conn.execute(
        f"INSERT INTO users (identity, consent, consent_at, created_at, last_active_at,"
        f" registered_at, {names}) VALUES (?, 'given', ?, ?, ?, ?{', ?' * len(cols)})",
        (f"sim:{n}", t, t, t, t, *cols.values()),
    )
    return cur.lastrowid


async def proficient(conn, uid: int, on: str) -> None:
    t = f"{on}T03:00:00+00:00"
    for area in ("dich_vu_cong", "thanh_toan", "mua_sam", "an_toan"):
        await conn.execute("INSERT INTO area_mastery VALUES (?, ?, 1, ?)", (uid, area, t))
    await conn.execute("UPDATE users SET proficient = 1, last_active_at = ? WHERE id = ?", (t, uid))


async def test_helpers_are_apart_and_turn_older_in_the_year_they_reach_60(db):
    async with db.sql(write=True) as conn:
        for i in range(6):
            await learner(conn, i, 1950)
        await learner(conn, 10, 1966)  # 60 in 2026
        await learner(conn, 11, 1967)  # 60 in 2027: a helper in 2026
        r = await build(Store(conn), "commune:5800", dt.date(2026, 12, 1), dt.date(2026, 12, 1))
    assert (r.registered, r.helpers) == (7, 1)
    age = {b.key: b.registered for b in r.breakdowns["age"]}
    assert age == {"60_69": None, "70_79": 6, "80+": 0}  # one person: hidden (fewer than 5)


async def test_on_track_is_measured_against_a_line_from_the_first_report(db):
    async with db.sql(write=True) as conn:
        await conn.execute(
            "INSERT INTO unit_population VALUES ('commune:5800', 100, NULL, '2026-01-01')"
        )
        ids = [await learner(conn, i, 1950) for i in range(20)]
        first = await build(Store(conn), "commune:5800", dt.date(2026, 1, 31), dt.date(2026, 1, 31))
        assert first.first_report == dt.date(2026, 1, 31)
        assert all(t.on_track is None for t in first.targets)  # the first report is the start
        # By the end of 2028 the 2030 line (0% -> 50% over 2026-01-31..2030-12-31) stands near 30%.
        for uid in ids[:10]:
            await proficient(conn, uid, "2027-06-01")
        later = await build(
            Store(conn), "commune:5800", dt.date(2028, 12, 31), dt.date(2028, 12, 31)
        )
    goal = next(t for t in later.targets if (t.indicator, t.year) == ("proficient", 2030))
    assert later.proficient.count == 10 and goal.actual == 10.0
    assert 29.0 < goal.expected < 31.0 and goal.on_track is False
    assert later.first_report == dt.date(2026, 1, 31)


async def test_a_past_date_counts_what_had_happened_by_then(db):
    async with db.sql(write=True) as conn:
        ids = [await learner(conn, i, 1950, on="2026-03-01") for i in range(8)]
        for uid in ids[:6]:
            await proficient(conn, uid, "2026-05-15")
        await learner(conn, 20, 1950, on="2026-07-01")
        may = await build(Store(conn), "commune:5800", dt.date(2026, 5, 14), dt.date(2026, 12, 1))
        june = await build(Store(conn), "commune:5800", dt.date(2026, 6, 30), dt.date(2026, 12, 1))
    assert (may.registered, may.proficient.count) == (8, 0)
    assert (june.registered, june.proficient.count) == (8, 6)
    assert may.breakdowns is None and may.active_30d is None  # known for today only
    assert [p.month for p in june.trend] == ["2026-03", "2026-04", "2026-05", "2026-06"]
    assert [p.proficient for p in june.trend] == [0, 0, 6, 6]


async def test_small_groups_are_hidden_above_a_branch_but_shown_in_it(db):
    async with db.sql(write=True) as conn:
        await conn.execute(
            "INSERT INTO branches (id, commune_code, name, created_at) VALUES (1, 5800, 'Xóm A', 'x')"
        )
        for i in range(3):
            await learner(conn, i, 1950, branch_id=1, sex="nu", poor=1)
        for i in range(3, 9):
            await learner(conn, i, 1950, sex="nam")
        commune = await build(
            Store(conn), "commune:5800", dt.date(2026, 12, 1), dt.date(2026, 12, 1)
        )
        branch = await build(Store(conn), "branch:1", dt.date(2026, 12, 1), dt.date(2026, 12, 1))
    sex = {b.key: b.registered for b in commune.breakdowns["sex"]}
    assert sex == {"nam": 6, "nu": None}  # 3 women: hidden outside their branch
    subs = {s.unit: s.registered for s in commune.sub_units}
    assert subs == {"branch:1": None, "branch:0": 6}
    assert commune.registered == 9  # the unit's own total is shown
    assert {b.key: b.registered for b in branch.breakdowns["sex"]}["nu"] == 3
    assert {b.key: b.registered for b in branch.breakdowns["groups"]}["ngheo"] == 3
    assert branch.suppressed_below is None and commune.suppressed_below == 5


async def test_erasure_leaves_no_row_that_could_name_someone(db):
    async with db.sql(write=True) as conn:
        uid = await learner(conn, 1, 1950, sex="nu", disabled=1, alone=1)
        await proficient(conn, uid, "2026-02-01")
        assert (await conn.execute_fetchall("SELECT COUNT(*) FROM stat_cells"))[0][0] > 0
        await conn.execute("DELETE FROM users WHERE id = ?", (uid,))
        assert (await conn.execute_fetchall("SELECT COUNT(*) FROM stat_cells"))[0][0] == 0
        r = await build(Store(conn), "commune:5800", dt.date(2026, 12, 1), dt.date(2026, 12, 1))
    assert r.registered == 0 and r.proficient.count == 0
