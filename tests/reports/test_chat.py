"""Reports in chat: leaders see their unit (and below) only, get the chart, Excel and Word,
drill into sub-units, subscribe; staff enter the other indicators; subscriptions arrive."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
from docx import Document
from PIL import Image

from bot import texts
from storage.staff import StaffRepo
from tests.transcript import sign_up, voiced


def labels(replies: list[dict]) -> list[str]:
    return [b["label"] for b in replies[-1]["buttons"]]


async def rows(sim, sql: str, *args) -> list[tuple]:
    return [tuple(r) for r in await sim.engine.db.conn.execute_fetchall(sql, args)]


async def user_id(sim, who: str) -> int:
    return (await rows(sim, "SELECT id FROM users WHERE identity = ?", f"sim:{who}"))[0][0]


async def grant(sim, who: str, role: str, unit: str) -> None:
    async with sim.engine.db.sql(write=True) as conn:
        await StaffRepo(conn).grant(await user_id(sim, who), role, unit, None, sim.clock())


async def master(sim, who: str, *areas: str) -> None:
    """Mastery as the learning loop records it (its own tests prove how it is reached)."""
    uid = await user_id(sim, who)
    async with sim.engine.db.sql(write=True) as conn:
        for area in areas:
            await conn.execute(
                "INSERT INTO area_mastery VALUES (?, ?, 1, ?)",
                (uid, area, "2026-11-23T02:00:00+00:00"),
            )
        if set(areas) >= {"dich_vu_cong", "thanh_toan", "mua_sam", "an_toan"}:
            await conn.execute("UPDATE users SET proficient = 1 WHERE id = ?", (uid,))


async def test_a_leader_gets_the_report_of_their_commune_only(sim):
    await sign_up(sim, "leader", name="Tâm")
    for who, name in zip(
        ("m1", "m2", "m3", "m4", "m5", "m6"), ("An", "Ba", "Cúc", "Đào", "Én", "Gấm"), strict=True
    ):
        await sign_up(sim, who, name=name)
    await sign_up(sim, "far", name="Xa", province="ha noi", commune="hoan kiem")
    await sign_up(sim, "young", name="Trẻ", year="1990")  # a helper: counted apart
    for who in ("m1", "m2", "m3", "m4", "m5"):
        await master(sim, who, "dich_vu_cong", "thanh_toan", "mua_sam", "an_toan")
    await master(sim, "far", "dich_vu_cong", "thanh_toan", "mua_sam", "an_toan")
    await grant(sim, "leader", "leader", "commune:5800")

    replies = await sim.text("leader", "menu")
    assert texts.BTN_REPORT in labels(replies)
    assert texts.BTN_REPORT not in labels(await sim.text("m1", "menu"))

    replies = await sim.press("leader", texts.BTN_REPORT)  # one unit: straight to it
    head = replies[0]
    assert head["text"].startswith("📊 Xã Phú Thịnh")
    assert "Đăng ký học: 7 người" in head["text"]  # leader + m1..m6, not the helper nor Hà Nội
    assert "Thành thạo cả 4 kỹ năng số: 5 (" in head["text"]
    kinds = sorted(f["kind"] for f in head["files"])
    assert kinds == ["document", "image"]
    png = next(f["path"] for f in head["files"] if f["kind"] == "image")
    xlsx = next(f["path"] for f in head["files"] if f["kind"] == "document")
    assert Image.open(png).size[0] > 800
    summary = openpyxl.load_workbook(xlsx)[texts.REPORT_SHEET_SUMMARY]
    cells = {summary.cell(r, 1).value: summary.cell(r, 2).value for r in range(1, 30)}
    assert cells[texts.REPORT_PROFICIENT] == 5
    assert labels(replies)[0] == texts.RP_BTN_WORD

    replies = await sim.press("leader", texts.RP_BTN_WORD)
    docx = replies[0]["files"][0]["path"]
    assert docx.endswith(".docx")
    text = "\n".join(p.text for p in Document(docx).paragraphs)
    assert texts.REPORT_NATION in "\n".join(
        c.text for t in Document(docx).tables for row in t.rows for c in row.cells
    )
    assert texts.REPORT_DOC_PART2 in text and texts.REPORT_DOC_PART3 in text

    # A forged press for another commune's report is refused: the unit is checked again.
    await sim.text("leader", "menu")
    await sim.send(user="leader", button="menu:report")
    replies = await sim.press("leader", "sub:commune:70")  # not on screen: ignored
    assert not any("Phường Hoàn Kiếm" in r["text"] for r in replies)
    assert await rows(sim, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'report%'") == [(0,)]


async def test_admins_drill_down_and_small_groups_are_hidden(sim):
    await sign_up(sim, "admin", name="Hòa")
    for who, name in (("a", "An"), ("b", "Ba"), ("c", "Cúc")):
        await sign_up(sim, who, name=name)
    replies = await sim.press("admin", texts.BTN_REPORT)
    assert texts.ST_PICK_UNIT in replies[-1]["text"]  # the whole country: choose, or type
    replies = await sim.text("admin", "thai nguyen")
    replies = await sim.press("admin", "unit:province:19")
    assert replies[0]["text"].startswith("📊 Thái Nguyên")
    replies = await sim.press("admin", texts.RP_BTN_SUBS)
    assert labels(replies)[0] == "Xã Phú Thịnh (Thái Nguyên)"
    replies = await sim.text("admin", "1")
    assert replies[0]["text"].startswith("📊 Xã Phú Thịnh")
    # In the province's Excel, a commune with 4 learners shows "<5", not 4.
    await sim.press("admin", texts.BTN_BACK)
    replies = await sim.text("admin", "menu")
    replies = await sim.press("admin", texts.BTN_REPORT)
    replies = await sim.press("admin", "unit:all")
    xlsx = next(f["path"] for f in replies[0]["files"] if f["kind"] == "document")
    sheet = openpyxl.load_workbook(xlsx)[texts.REPORT_SHEET_SUBUNITS]
    tn = next(r for r in sheet.iter_rows(values_only=True) if r[1] == "Thái Nguyên")
    assert tn[3] == texts.REPORT_HIDDEN


async def test_a_monthly_subscription_arrives_on_the_first_and_stops_with_the_role(sim):
    await sign_up(sim, "leader", name="Tâm")
    await grant(sim, "leader", "leader", "commune:5800")
    await sim.press("leader", texts.BTN_REPORT)
    replies = await sim.press("leader", texts.RP_BTN_SUBSCRIBE)
    replies = await sim.press("leader", texts.RP_BTN_MONTHLY)
    assert replies[0]["text"].startswith("✅ Đã đăng ký nhận báo cáo hằng tháng")
    assert "01/12/2026" in replies[0]["text"]
    assert texts.RP_BTN_UNSUBSCRIBE in labels(replies)

    # 2026-11-23 08:00 -> 2026-12-01 08:00 in Vietnam.
    got = await sim.send(advance_seconds=8 * 24 * 3600 - 60)
    assert not any(r.get("to") == "leader" and "📬" in r["text"] for r in got)
    got = await sim.send(advance_seconds=120)
    report = [r for r in got if r.get("to") == "leader" and r["text"].startswith("📬")]
    assert len(report) == 1
    assert sorted(Path(f["path"]).suffix for f in report[0]["files"]) == [".docx", ".png", ".xlsx"]
    assert "đến ngày 30/11/2026" in report[0]["text"]  # the month just ended
    assert await rows(sim, "SELECT next_at FROM report_subscriptions") == [
        ("2027-01-01T01:00:00+00:00",)
    ]
    assert await sim.send(advance_seconds=3600) == []  # not twice

    # The role is withdrawn: the next one is not sent, and the subscription ends.
    await sim.engine.db.conn.execute("DELETE FROM roles")
    sim.clock.advance((dt.datetime(2027, 1, 1, 2, tzinfo=dt.UTC) - sim.clock()).total_seconds())
    got = await sim.send(advance_seconds=60)
    assert not any(r.get("to") == "leader" for r in got)
    assert await rows(sim, "SELECT COUNT(*) FROM report_subscriptions") == [(0,)]


async def test_staff_enter_other_indicators_with_a_note_and_leaders_see_the_totals(sim):
    await sign_up(sim, "staff", name="Bình")
    await grant(sim, "staff", "staff", "commune:5800")
    await sim.text("staff", "menu")
    await sim.press("staff", texts.BTN_STAFF)
    replies = await sim.press("staff", texts.BTN_ST_INDICATOR)
    assert "Cây xanh được trồng: 0" in replies[-1]["text"]
    await sim.press("staff", texts.REPORT_INDICATORS["trees"])
    replies = await sim.text("staff", "không biết")
    assert replies[0]["text"] == voiced(texts.RP_IND_BAD)
    replies = await sim.text("staff", "1.200 trồng ở xóm Đồng Tâm")
    assert replies[0]["text"] == "✅ Đã ghi thêm 1.200 cho «Cây xanh được trồng»."
    await sim.press("staff", texts.BTN_ST_INDICATOR)
    await sim.press("staff", texts.REPORT_INDICATORS["trees"])
    await sim.text("staff", "300")
    assert await rows(sim, "SELECT unit, indicator, value, note FROM indicator_entries") == [
        ("commune:5800", "trees", 1200, "trồng ở xóm Đồng Tâm"),
        ("commune:5800", "trees", 300, ""),
    ]
    assert await rows(sim, "SELECT action FROM audit_log WHERE action = 'record_indicator'") == [
        ("record_indicator",),
        ("record_indicator",),
    ]
    # Staff do not see reports (leaders and admins do).
    assert texts.BTN_REPORT not in labels(await sim.text("staff", "menu"))

    # The province's report adds up what its communes entered.
    await sign_up(sim, "admin", name="Hòa")
    replies = await sim.press("admin", texts.BTN_REPORT)
    await sim.text("admin", "thai nguyen")
    replies = await sim.press("admin", "unit:province:19")
    xlsx = next(f["path"] for f in replies[0]["files"] if f["kind"] == "document")
    sheet = openpyxl.load_workbook(xlsx)[texts.REPORT_SHEET_OTHER]
    trees = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "Cây xanh được trồng")
    assert trees[1] == 1500
