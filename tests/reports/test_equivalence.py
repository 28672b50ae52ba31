"""The trigger-kept counters against a recomputation from raw events, on a town driven through
the real engine: sign-ups in two communes of Thái Nguyên, a branch, helpers under 60, areas
mastered in lessons, review and practice, announcements acknowledged, an area lost, a profile
changed, an erasure and a new year. Every report (and every rendering of it) must agree with
`bot.reports.naive.recompute` on every figure."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import os
import re
import secrets
import shutil
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from docx import Document
from openpyxl import load_workbook
from PIL import Image

from bot import texts
from bot.core import mastery, places
from bot.core.review import VN
from bot.reports import compute, render
from bot.reports.compute import Report, build
from bot.reports.naive import recompute
from lessons.schema import NATIONAL_AREAS
from scenarios.loader import load_scenarios
from storage.db import Database
from storage.reports import AREAS, TOPICS
from tests.conftest import BACKEND_PARAMS, open_sim, pg_database
from tests.core.test_practice import safest_path
from tests.transcript import (
    correct_index,
    press_lesson,
    question_on_screen,
    sign_up,
    wrong_index,
)

DAY = 24 * 3600
THAI_NGUYEN = 19
PHU_THINH = 5800
HA_NOI = 1


# --- the backends: every test here runs on SQLite and, given a server, on PostgreSQL ---


@pytest.fixture(scope="module", params=BACKEND_PARAMS)
def kind(request) -> str:
    return request.param


@pytest.fixture
async def place(kind: str, tmp_path: Path):
    """`await place(name, template=None)`: where open_sim opens a fresh database on this
    test's backend (a copy of `template`, the town's file or database, when given); a
    PostgreSQL database is dropped after the test."""
    async with AsyncExitStack() as stack:

        async def target(name: str, template: Path | str | None = None) -> Path | str:
            if kind == "sqlite":
                path = tmp_path / f"{name}.db"
                if template is not None:
                    shutil.copy(template, path)
                return path
            return await stack.enter_async_context(pg_database(template))

        yield target


async def rows(db: Database, sql: str, params: tuple = ()) -> list:
    """Portable SQL (`?` placeholders) read outside any turn, on either backend."""
    async with db.sql() as conn:
        return list(await conn.execute_fetchall(sql, params))


# --- driving learners ---


async def user_id(sim, user: str) -> int:
    found = await rows(sim.engine.db, "SELECT id FROM users WHERE identity = ?", (f"sim:{user}",))
    return found[0][0]


async def area_state(sim, user: str, area: str) -> bool:
    found = await rows(
        sim.engine.db,
        "SELECT mastered FROM area_mastery WHERE user_id = ? AND area = ?",
        (await user_id(sim, user), area),
    )
    return bool(found and found[0][0])


async def units_of(sim, user: str) -> list[str]:
    found = await rows(
        sim.engine.db,
        "SELECT province_code, commune_code FROM users WHERE identity = ?",
        (f"sim:{user}",),
    )
    return [f"province:{found[0][0]}", f"commune:{found[0][1]}"]


async def answer_all(sim, user: str, replies: list[dict], wrong: set[str] = frozenset()) -> None:
    """Answer the questions on screen until there are none; wrongly when they bear on `wrong`."""
    content = sim.engine.content
    while (q := question_on_screen(content, replies)) is None:
        ids = [b["id"] for b in replies[-1]["buttons"]]
        if "next" not in ids:
            return
        replies = await sim.press(user, "next")
    while q is not None:
        k = wrong_index(q) if set(q.competencies) & wrong else correct_index(q)
        await sim.press(user, f"opt:{k}")
        replies = await sim.press(user, "next")
        q = question_on_screen(content, replies)


async def master_area(sim, user: str, area: str) -> None:
    """Take the area's lessons in order, then review, until the whole area is mastered."""
    content = sim.engine.content
    for lesson in content.lessons_in(area, await units_of(sim, user)):
        await sim.text(user, "menu")
        await sim.press(user, "menu:learn")
        await sim.press(user, "other")
        listing = await sim.press(user, f"area:{area}")
        await answer_all(sim, user, await press_lesson(sim, user, listing, lesson.id))
        if await area_state(sim, user, area):
            return
    for _ in range(10):
        await answer_all(sim, user, await sim.text(user, "ôn tập"))
        if await area_state(sim, user, area):
            return
    raise AssertionError(f"{user} did not master {area}")


async def lose_area(sim, user: str, area: str) -> None:
    """Answer review questions on the area wrongly, a day apart, until the area is lost."""
    comps = set(sim.engine.content.competencies_in(area, await units_of(sim, user)))
    assert await area_state(sim, user, area)
    for _ in range(10):
        await sim.text(user, "menu")
        await answer_all(sim, user, await sim.text(user, "ôn tập"), wrong=comps)
        if not await area_state(sim, user, area):
            return
    raise AssertionError(f"{user} still has {area}")


async def practise_well(sim, user: str, scenario_id: str) -> None:
    sc = sim.engine.scenarios.by_id[scenario_id]
    await sim.text(user, "menu")
    replies = await sim.press(user, "menu:practice")
    while f"sc:{sc.id}" not in [b["id"] for b in replies[-1]["buttons"]]:
        replies = await sim.press(user, "more")  # five at a time
    await sim.press(user, f"sc:{sc.id}")
    for k in safest_path(sc):
        replies = await sim.press(user, f"opt:{k}")
    assert any(r["text"].startswith("🌟") for r in replies)


NAMES = {
    f"province:{THAI_NGUYEN}": "thai nguyen",
    f"commune:{PHU_THINH}": "phu thinh",
    "commune:70": "hoan kiem",  # Phường Hoàn Kiếm, Hà Nội
}


async def staff(sim, action: str, unit: str) -> list[dict]:
    """The admin starts a staff action and picks the unit by typing its name."""
    await sim.text("admin", "menu")
    await sim.press("admin", texts.BTN_STAFF)
    await sim.press("admin", action)
    replies = await sim.text("admin", NAMES[unit])
    assert f"unit:{unit}" in [b["id"] for b in replies[-1]["buttons"]]
    return await sim.press("admin", f"unit:{unit}")


async def announce(sim, unit: str, topic: str, text: str) -> list[str]:
    """Announce now and deliver; returns who received it."""
    await staff(sim, texts.BTN_ST_ANNOUNCE, unit)
    await sim.text("admin", text)
    for press in (texts.BTN_SKIP, f"topic:{topic}", "aud:all", "now", "send"):
        await sim.press("admin", press)
    delivered = await sim.send(advance_seconds=60)
    return sorted(r["to"] for r in delivered if "to" in r)


def today(sim) -> dt.date:
    return sim.clock().astimezone(VN).date()


# --- comparing ---


async def check(sim, unit: str, as_of: dt.date | None = None) -> tuple[Report, dict]:
    """Build the report and recompute it; assert they agree on every figure."""
    now = today(sim)
    as_of = as_of or now
    async with sim.engine.db.reading() as store:
        report = await build(store, unit, as_of, now, record_baseline=False)
        naive = await recompute(store, sim.engine.content, sim.engine.scenarios, unit, as_of)
        by_sub_unit = await store.reports.by_sub_unit(unit, as_of) if report.sub_unit_kind else []
        breakdown_rows = await store.reports.breakdowns(unit) if as_of >= now else []
    where = f"{unit} at {as_of}"

    assert report.registered == naive["registered"], where
    assert report.helpers == naive["helpers"], where
    assert {a: f.count for a, f in report.areas.items()} == naive["areas"], where
    assert report.proficient.count == naive["proficient"], where
    assert {t: f.count for t, f in report.informed.items()} == naive["informed"], where
    last = report.trend[-1]  # the trend's last point is the headline, from the same rows
    assert (last.registered, last.proficient, last.areas, last.informed) == (
        naive["registered"],
        naive["proficient"],
        naive["areas"],
        naive["informed"],
    ), where

    # Sub-units: shown figures exactly; hidden ones only when 1 to 4.
    zero = {"registered": 0, "proficient": 0, "areas": dict.fromkeys(AREAS, 0)}
    shown_units = {s.unit for s in report.sub_units}
    assert set(naive["sub_units"]) <= shown_units, where
    for s in report.sub_units:
        n = naive["sub_units"].get(s.unit, zero)
        pairs = [(s.registered, n["registered"]), (s.proficient.count, n["proficient"])]
        pairs += [(s.areas[a], n["areas"][a]) for a in AREAS]
        for shown, expected in pairs:
            if shown is None:
                assert report.suppressed_below == compute.MIN_CELL, where
                assert 1 <= expected < compute.MIN_CELL, (where, s.unit)
            else:
                assert shown == expected, (where, s.unit)
    # ... and every sub-unit's raw counter sums, nothing hidden.
    if report.sub_unit_kind is not None:
        per: dict[str, dict] = {}
        for code, since, sums in by_sub_unit:
            if since > report.year:
                continue
            acc = per.setdefault(f"{report.sub_unit_kind}:{code}", {k: 0 for k in sums})
            for k, v in sums.items():
                acc[k] += v
        for sub, sums in per.items():
            n = naive["sub_units"].get(sub, zero)
            got = (sums["registered"], sums["proficient"], {a: sums[f"m_{a}"] for a in AREAS})
            assert got == (n["registered"], n["proficient"], n["areas"]), (where, sub)
        for sub in naive["sub_units"]:
            assert sub in per, (where, sub)

    # Breakdowns (today only): the counters unhidden, and what the report shows.
    if as_of >= now:
        full = compute._breakdowns(breakdown_rows, report.year, suppress=False)
        for dim, items in full.items():
            for b in items:
                assert (b.registered, b.proficient) == naive["breakdowns"][dim][b.key], (
                    where,
                    dim,
                    b.key,
                )
            for key, (reg, _) in naive["breakdowns"][dim].items():
                if reg:
                    assert key in {b.key for b in items}, (where, dim, key)
        for dim, items in report.breakdowns.items():
            for b in items:
                reg, prof = naive["breakdowns"][dim][b.key]
                assert b.registered in (reg, None) and b.proficient in (prof, None)
    else:
        assert report.breakdowns is None
    return report, naive


async def check_all(sim, units: list[str], as_of: dt.date | None = None) -> dict[str, dict]:
    return {u: (await check(sim, u, as_of))[1] for u in units}


# --- the town ---


@dataclass
class Town:
    """Where things are after `populate`, and its database (closed) to copy: a SQLite file
    or a PostgreSQL database's name."""

    an_khanh: int = 0
    branch: int = 0
    day0: dt.date | None = None
    day1: dt.date | None = None
    units: list[str] = field(default_factory=list)
    now: dt.datetime | None = None
    path: Path | str | None = None


def _in_thread(coro):
    """Its own thread and event loop: the tests' loops are per function."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _pg_admin(sql: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(os.environ["HOCSO_TEST_DATABASE_URL"])
    try:
        await admin.execute(sql)
    finally:
        await admin.close()


@pytest.fixture(scope="module")
def town(kind: str, tmp_path_factory):
    """The town is driven once (about 15 s of turns); each test works on a copy of it."""
    media = tmp_path_factory.mktemp("town") / "town.db"
    if kind == "sqlite":
        target, keep = media, media
    else:  # a database of its own, copied per test with CREATE DATABASE ... TEMPLATE
        keep = f"hocso_town_{secrets.token_hex(6)}"
        _in_thread(_pg_admin(f'CREATE DATABASE "{keep}"'))
        base = urlsplit(os.environ["HOCSO_TEST_DATABASE_URL"])
        target = urlunsplit(base._replace(path=f"/{keep}"))

    async def drive() -> Town:
        sim, db = await open_sim(target, media=media)
        try:
            built = await populate(sim)
            built.now, built.path = sim.clock(), keep
        finally:
            await db.close()
        return built

    try:
        yield _in_thread(drive())
    finally:
        if kind != "sqlite":
            _in_thread(_pg_admin(f'DROP DATABASE IF EXISTS "{keep}" WITH (FORCE)'))


async def open_town(town: Town, place, tmp_path: Path):
    return await open_sim(await place("town", town.path), now=town.now, media=tmp_path / "media.db")


async def populate(sim) -> Town:
    """Day 0: sign-ups, a branch, lessons, review and practice. Day 1: announcements read."""
    town = Town()
    town.day0 = today(sim)
    await sign_up(sim, "admin", name="Hòa", year="1950")
    await staff(sim, texts.BTN_ST_POPULATION, f"province:{THAI_NGUYEN}")
    assert "3.000" in (await sim.text("admin", "3.000"))[0]["text"]
    await staff(sim, texts.BTN_ST_BRANCH, f"commune:{PHU_THINH}")
    replies = await sim.text("admin", "Xóm Đồng Tâm")
    code = re.search(r"HS-[A-Z2-9]{6}", "\n".join(r["text"] for r in replies)).group(0)

    # Phú Thịnh: older learners, one in the branch, one turning 60 this year, a helper.
    await sign_up(sim, "lan", year="1950", profile=("sex:nu", "grp:rural", "grp:alone", "grp:done"))
    await sign_up(sim, "tu", address="Ông", name="Tư", year="1958", profile=("sex:nam", "grp:done"))
    await sign_up(sim, "mai", name="Mai", year="1962")
    await sim.send(user="mai", command="start", args=code)
    await sign_up(sim, "binh", address="Ông", name="Bình", year="1966")  # 60 in 2026
    await sign_up(sim, "hoa", address="Cô", name="Hoa", year="1995")  # helper
    await sign_up(sim, "cuc", name="Cúc", year="1940", profile=("sex:nu", "grp:poor", "grp:done"))
    # An Khánh, the second commune: older learners and a helper who turns 60 next year.
    for user, year in (("kim", "1948"), ("nga", "1955"), ("son", "1967")):
        await sign_up(sim, user, name=user.title(), year=year, commune="an khanh")
    # Hà Nội: outside the province.
    await sign_up(sim, "ha", name="Hà", year="1952", province="ha noi", commune="hoan kiem")

    db = sim.engine.db
    town.branch = (await rows(db, "SELECT id FROM branches"))[0][0]
    an_khanh = {(await units_of(sim, u))[1] for u in ("kim", "nga", "son")}
    assert len(an_khanh) == 1 and an_khanh != {f"commune:{PHU_THINH}"}
    town.an_khanh = int(an_khanh.pop().partition(":")[2])
    mai = await rows(db, "SELECT branch_id FROM users WHERE identity = 'sim:mai'")
    assert mai[0][0] == town.branch

    for area in (*NATIONAL_AREAS, "dia_phuong"):
        await master_area(sim, "lan", area)
    for area in NATIONAL_AREAS:
        await master_area(sim, "cuc", area)
    for area in ("dich_vu_cong", "dia_phuong"):  # only the province-wide local lessons
        await master_area(sim, "kim", area)
    await master_area(sim, "tu", "mua_sam")
    await master_area(sim, "mai", "thanh_toan")
    await master_area(sim, "hoa", "an_toan")
    await master_area(sim, "son", "an_toan")
    await master_area(sim, "ha", "mua_sam")
    await practise_well(sim, "nga", "sc-09-shop-gia-dat-coc")
    await answer_all(sim, "nga", await sim.text("nga", "ôn tập"), wrong={"ms.lua_dao"})
    await practise_well(sim, "binh", "th-03-quet-vietqr-o-cho")
    contexts = await rows(db, "SELECT DISTINCT context FROM answers")
    assert {r[0] for r in contexts} == {"lesson", "review", "scenario"}
    proficient = await rows(db, "SELECT identity FROM users WHERE proficient = 1")
    assert {r[0] for r in proficient} == {"sim:lan", "sim:cuc"}

    # Day 1: two announcements; most press «✅ Đã đọc», one twice, one types it.
    await sim.send(advance_seconds=DAY)
    town.day1 = today(sim)
    got = await announce(sim, f"province:{THAI_NGUYEN}", "chuyen_doi_so", "Lớp học VNeID thứ Bảy.")
    assert "lan" in got and "kim" in got and "ha" not in got
    got = await announce(sim, f"commune:{PHU_THINH}", "viec_lam", "Hội chợ việc làm ở xã.")
    assert "lan" in got and "kim" not in got
    for user in ("lan", "tu", "kim", "hoa", "mai"):
        await sim.press(user, "ack:1")
    await sim.press("lan", "ack:2")
    await sim.press("lan", "ack:2")
    replies = await sim.text("cuc", "✅ Đã đọc")  # the latest she received: viec_lam
    assert replies[0]["text"].startswith("Cảm ơn")
    informed = await rows(db, "SELECT COUNT(*) FROM informed")
    assert informed[0][0] == 7

    town.units = [
        "all",
        f"province:{THAI_NGUYEN}",
        f"commune:{PHU_THINH}",
        f"commune:{town.an_khanh}",
        f"branch:{town.branch}",
        f"province:{HA_NOI}",
    ]
    return town


async def test_reports_agree_with_a_recomputation_from_raw_events(town, place, tmp_path):
    sim, db = await open_town(town, place, tmp_path)
    province = f"province:{THAI_NGUYEN}"

    now = await check_all(sim, town.units)
    p = now[province]
    assert p["registered"] == 8 and p["helpers"] == 2  # admin, lan, tu, mai, binh, cuc, kim, nga
    assert p["proficient"] == 2 and p["areas"]["mua_sam"] == 3  # lan, cuc, tu (not hoa: helper)
    assert p["areas"]["dia_phuong"] == 2 and p["informed"] == {
        "chuyen_doi_so": 4,  # lan, tu, kim, mai (hoa is a helper)
        "chuyen_doi_xanh": 0,
        "khoi_nghiep": 0,
        "viec_lam": 2,  # lan, cuc
    }
    assert now["all"]["registered"] == 9 and now[f"province:{HA_NOI}"]["areas"]["mua_sam"] == 1
    assert now[f"branch:{town.branch}"]["areas"]["thanh_toan"] == 1

    # The day before: nobody informed yet, the same learners and areas.
    before = await check_all(sim, town.units, town.day0)
    assert before[province]["informed"]["chuyen_doi_so"] == 0
    assert before[province]["areas"] == p["areas"]

    # Day 3: Tư loses «Mua sắm» in review; Lan changes her sex in Trợ giúp.
    await sim.send(advance_seconds=2 * DAY)
    await lose_area(sim, "tu", "mua_sam")
    await sim.text("lan", "menu")
    for press in ("menu:help", "profile", "profile:sex", "sex:nam"):
        await sim.press("lan", press)
    after_loss = await check_all(sim, town.units)
    assert after_loss[province]["areas"]["mua_sam"] == p["areas"]["mua_sam"] - 1
    assert after_loss[province]["breakdowns"]["sex"]["nam"][1] == 1  # Lan, proficient
    day3 = today(sim)
    again = await check_all(sim, town.units, town.day1)  # history is kept
    assert again[province]["areas"]["mua_sam"] == p["areas"]["mua_sam"]

    # Day 4: Kim erases herself. Current figures drop her; those of day 3 stay as they were.
    await sim.send(advance_seconds=DAY)
    async with db.reading() as store:
        report_day3 = await build(store, province, day3, today(sim), record_baseline=False)
    await sim.text("kim", "menu")
    await sim.press("kim", texts.BTN_HELP)
    await sim.press("kim", texts.BTN_DELETE_ME)
    await sim.press("kim", texts.BTN_DELETE_YES)
    assert await rows(db, "SELECT 1 FROM users WHERE identity = 'sim:kim'") == []
    erased = await check_all(sim, town.units)
    assert erased[province]["registered"] == p["registered"] - 1
    assert erased[province]["areas"]["dia_phuong"] == p["areas"]["dia_phuong"] - 1
    assert erased[province]["informed"]["chuyen_doi_so"] == 3
    assert f"commune:{town.an_khanh}" in erased[province]["sub_units"]  # Nga is still there
    async with db.reading() as store:
        later = await build(store, province, day3, today(sim), record_baseline=False)
    assert later.registered == report_day3.registered == p["registered"]
    assert later.areas == report_day3.areas

    # Just after midnight in Vietnam (still the day before in UTC) Nga reads announcement 1:
    # she is informed on the new Vietnam date, not on the old one.
    night = dt.datetime.combine(today(sim) + dt.timedelta(days=1), dt.time(0, 30), VN)
    await sim.send(advance_seconds=(night - sim.clock()).total_seconds())
    assert sim.clock().date() < today(sim)  # UTC is still on the previous date
    await sim.press("nga", "ack:1")
    eve = await check_all(sim, town.units, today(sim) - dt.timedelta(days=1))
    after = await check_all(sim, town.units)
    assert eve[province]["informed"]["chuyen_doi_so"] == 3
    assert after[province]["informed"]["chuyen_doi_so"] == 4

    # A new year: Sơn (born 1967) turns from a helper into an older learner.
    await sim.send(advance_seconds=(dt.date(2027, 1, 2) - today(sim)).days * DAY)
    old_year = await check_all(sim, town.units, dt.date(2026, 12, 31))
    new_year = await check_all(sim, town.units)
    assert new_year[province]["registered"] == old_year[province]["registered"] + 1
    assert new_year[province]["helpers"] == old_year[province]["helpers"] - 1
    assert new_year[province]["areas"]["an_toan"] == old_year[province]["areas"]["an_toan"] + 1
    await db.close()


async def test_renderings_agree_with_the_report(town, place, tmp_path, monkeypatch):
    sim, db = await open_town(town, place, tmp_path)
    unit = f"province:{THAI_NGUYEN}"
    report, naive = await check(sim, unit)
    assert report.older_residents == 3000 and report.proficient.of_residents == pct(2, 3000)

    # JSON: the Report itself.
    path = render.render(report, "json", tmp_path / "r.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data == report.model_dump(mode="json")
    assert data["registered"] == naive["registered"] and data["helpers"] == naive["helpers"]
    assert {a: data["areas"][a]["count"] for a in AREAS} == naive["areas"]
    assert data["proficient"]["count"] == naive["proficient"]
    assert {t: data["informed"][t]["count"] for t in TOPICS} == naive["informed"]

    # Excel: the indicator table on the summary sheet, sub-units and the trend.
    wb = load_workbook(render.render(report, "xlsx", tmp_path / "r.xlsx"))
    ws = wb[texts.REPORT_SHEET_SUMMARY]
    head = [c.value for c in ws[9]]
    assert head[: len(texts.REPORT_HEAD_MAIN)] == texts.REPORT_HEAD_MAIN
    # Printed files hide counts from 1 to 4 above a branch (as their footnote says), with the
    # shares that would give them away; the rest are integers and fractions shown as percents.
    assert report.suppressed_below == 5

    def printed(n: int):
        return texts.REPORT_HIDDEN if 0 < n < 5 else n

    def share(n: int, v: float | None):
        return texts.REPORT_NONE if 0 < n < 5 or v is None else pytest.approx(v / 100)

    rows = render.headline_rows(report)
    for i, (label, f) in enumerate(rows, 10):
        got = [ws.cell(i, j).value for j in range(1, 5)]
        assert got == [
            label,
            printed(f.count),
            share(f.count, f.of_registered),
            share(f.count, f.of_residents),
        ]
    counts = [ws.cell(i, 2).value for i in range(10, 10 + len(rows))]
    naive_counts = [
        *(naive["areas"][a] for a in AREAS),
        naive["proficient"],
        *(naive["informed"][t] for t in TOPICS),
    ]
    assert counts == [printed(n) for n in naive_counts]
    summary = {ws.cell(i, 1).value: ws.cell(i, 2).value for i in range(4, 8)}
    assert summary[texts.REPORT_L_REGISTERED] == printed(naive["registered"])
    assert summary[texts.REPORT_L_HELPERS] == printed(naive["helpers"])
    ws = wb[texts.REPORT_SHEET_SUBUNITS]
    by_name = {  # numbered rows: not the note on hidden cells below them
        ws.cell(i, 2).value: i
        for i in range(2, ws.max_row + 1)
        if isinstance(ws.cell(i, 1).value, int)
    }
    for s in report.sub_units:
        i = by_name[s.name]
        hidden = texts.REPORT_HIDDEN
        assert ws.cell(i, 4).value == (hidden if s.registered is None else s.registered)
        assert ws.cell(i, 5).value == (hidden if s.proficient.count is None else s.proficient.count)
    assert len(by_name) == len(report.sub_units) == len(places.communes(THAI_NGUYEN))
    ws = wb[texts.REPORT_SHEET_TREND]
    assert [ws.cell(ws.max_row - 2, j).value for j in range(1, 4)] == [
        report.trend[-1].month,
        printed(naive["registered"]),
        printed(naive["proficient"]),
    ]

    # Word: the indicator table's cells, as the leader signs them.
    doc = Document(str(render.render(report, "docx", tmp_path / "r.docx")))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == texts.REPORT_DOC_HEAD[0])
    body = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert [r[0] for r in body] == [label for label, _ in rows]
    assert [r[1] for r in body] == [render.count_text(None if c == texts.REPORT_HIDDEN else c)
                                    for c in counts]  # fmt: skip
    for r, (_, f) in zip(body, rows, strict=True):
        hidden = 0 < f.count < 5
        assert r[2] == render.share_text(None if hidden else f.of_registered)
        assert r[3] == render.share_text(None if hidden else f.of_residents)
    registered = render.count_text(printed(naive["registered"]) if naive["registered"] >= 5
                                   else None)  # fmt: skip
    assert any(f"{texts.REPORT_L_REGISTERED}: {registered}" in p.text for p in doc.paragraphs)

    # The chart: a PNG that opens, whose bars are the report's shares of older residents.
    drawn: list[list[float]] = []
    import matplotlib.axes

    original = matplotlib.axes.Axes.barh

    def barh(self, y, width, *args, **kwargs):
        drawn.append(list(width))
        return original(self, y, width, *args, **kwargs)

    monkeypatch.setattr(matplotlib.axes.Axes, "barh", barh)
    png = render.render(report, "png", tmp_path / "r.png")
    with Image.open(io.BytesIO(png.read_bytes())) as im:
        assert im.format == "PNG" and im.size[0] > 600 and im.size[1] > 300
    assert drawn == [
        [report.areas[a].of_residents for a in AREAS] + [report.proficient.of_residents],
        [report.informed[t].of_residents for t in TOPICS],
    ]
    assert drawn[0][-1] == pct(naive["proficient"], 3000)
    await db.close()


def pct(n: int, d: int) -> float:
    return round(100.0 * n / d, 1)


@pytest.mark.parametrize("fmt", render.FORMATS)
async def test_an_empty_database_reports_zeros(place, tmp_path, fmt):
    sim, db = await open_sim(await place("empty"), media=tmp_path / "media.db")
    for unit in ("all", f"province:{THAI_NGUYEN}", f"commune:{PHU_THINH}"):
        report, naive = await check(sim, unit)
        assert report.registered == report.helpers == report.proficient.count == 0
        assert all(f.count == 0 for f in (*report.areas.values(), *report.informed.values()))
        assert naive["registered"] == naive["proficient"] == 0 and naive["sub_units"] == {}
        assert all(s.registered == 0 for s in report.sub_units)
        out = render.render(report, fmt, tmp_path / f"{unit.replace(':', '_')}.{fmt}")
        assert out.stat().st_size > 0
    if fmt == "json":
        assert json.loads(out.read_text(encoding="utf-8"))["registered"] == 0
    await db.close()


async def test_joining_a_branch_elsewhere_re_evaluates_the_local_area(place, tmp_path):
    sim, _ = await open_sim(await place("t"), media=tmp_path / "media.db")
    await sign_up(sim, "admin", name="Hòa", year="1950")
    await staff(sim, texts.BTN_ST_BRANCH, "commune:70")
    replies = await sim.text("admin", "Chi hội Hàng Bạc")
    code = re.search(r"HS-[A-Z2-9]{6}", "\n".join(r["text"] for r in replies)).group(0)
    await sign_up(sim, "kim", name="Kim", year="1948")
    await master_area(sim, "kim", "dia_phuong")
    await sim.send(user="kim", command="start", args=code)
    assert await units_of(sim, "kim") == [f"province:{HA_NOI}", "commune:70"]
    progress = await sim.text("kim", "tiến độ")  # the learner no longer sees the area at all
    assert sim.engine.content.areas["dia_phuong"].short_name not in progress[-1]["text"]
    await check(sim, f"province:{HA_NOI}")  # counters 1, recomputation 0


async def test_an_imported_learner_counts_from_the_day_they_registered(place, tmp_path, content):
    db = await Database.open(await place("import"), media=tmp_path / "media.db")
    try:
        async with db.sql(write=True) as conn:
            await conn.execute(
                "INSERT INTO users (identity, consent, consent_at, created_at, registered_at,"
                " last_active_at, birth_year, province_code, commune_code) VALUES ('import:1',"
                " 'given', ?, ?, ?, '2026-06-01T03:00:00+00:00', 1950, ?, ?)",
                ("2026-01-10T03:00:00+00:00",) * 3 + (THAI_NGUYEN, PHU_THINH),
            )
        unit, march = f"commune:{PHU_THINH}", dt.date(2026, 3, 1)
        async with db.reading() as store:
            naive = await recompute(store, content, load_scenarios(), unit, march)
            report = await build(store, unit, march, dt.date(2026, 7, 1), record_baseline=False)
        assert naive["registered"] == 1  # registered on 10 January
        assert report.registered == naive["registered"]
    finally:
        await db.close()


async def test_reports_dated_before_2025_count_as_in_2025(place, tmp_path, content):
    """The counters fold the years before 2025 (when the plans start) into it: a report dated
    in 2024 counts who is 60 in 2025 as older, with their areas, as the recomputation does."""
    now = dt.datetime(2026, 3, 1, 3, tzinfo=dt.UTC)
    sim, db = await open_sim(await place("early"), now=now, media=tmp_path / "media.db")
    units = [f"province:{THAI_NGUYEN}", f"commune:{PHU_THINH}"]
    own_lessons = mastery.own_lessons(content)
    t = "2024-06-01T03:00:00+00:00"
    for name, born in (("a", 1950), ("b", 1965), ("c", 1990)):
        async with db.sql(write=True) as conn:
            cur = await conn.execute(
                "INSERT INTO users (identity, consent, consent_at, created_at, registered_at,"
                " last_active_at, birth_year, province_code, commune_code)"
                " VALUES (?, 'given', ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (f"old:{name}", t, t, t, t, born, THAI_NGUYEN, PHU_THINH),
            )
            uid = (await cur.fetchone())[0]
            for comp in content.competencies_in("mua_sam", units):  # its own questions, right
                own = [
                    content.questions[qid]
                    for qid in content.competency_questions[comp]
                    if content.questions[qid][0].id in own_lessons[comp]
                ]
                for day in range(2, 10):  # enough for any number of options (mastery.py)
                    lesson, q = own[day % len(own)]
                    await conn.execute(
                        "INSERT INTO answers (user_id, question_id, lesson_id, option_index, correct,"
                        " context, answered_at) VALUES (?, ?, ?, ?, 1, 'lesson', ?)",
                        (uid, q.id, lesson.id, correct_index(q), f"2024-07-0{day}T03:00:00Z"),
                    )
            await conn.execute(
                "INSERT INTO area_mastery VALUES (?, 'mua_sam', 1, '2024-07-09T03:00:00+00:00')",
                (uid,),
            )
    for as_of in (dt.date(2024, 6, 30), dt.date(2024, 12, 31), dt.date(2026, 3, 1)):
        for unit in ("all", *units):
            report, _ = await check(sim, unit, as_of)
            assert (report.registered, report.helpers) == (2, 1)  # born 1950 and 1965; 1990
            assert report.areas["mua_sam"].count == (0 if as_of.month == 6 else 2)
    await db.close()
