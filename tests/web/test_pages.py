"""What the pages show and do: members a page at a time, delivery, compose through the outbox,
other indicators and targets by admins, audited."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.staff import queue_due_announcements
from bot.web import app as web_app
from storage.db import Database
from tests.web.world import A_COMMUNE, A, B, app_for, build_world, logged_in


@pytest.fixture
async def world(tmp_path):
    db = await Database.open(tmp_path / "w.db")
    w = await build_world(db, learners=130)
    yield w
    await db.close()


async def test_members_a_page_at_a_time_least_active_first(world, monkeypatch):
    monkeypatch.setattr(web_app, "MEMBERS_PER_PAGE", 20)
    c, _ = await logged_in(world, app_for(world), "staff_A")
    r = await c.get(f"/don-vi/{A}/hoc-vien")
    # in A: 4 role holders (registered in A) + 3 in 4 of the 130 learners
    assert "Trang 1 / 6" in r.text and r.text.count("<tr>") == 21
    assert "1950" not in r.text and "telegram:" not in r.text  # no birth years, no identities
    r = await c.get(f"/don-vi/{A}/hoc-vien?trang=6")
    assert r.status_code == 200 and r.text.count("<tr>") == 1 + (4 + 97) - 100
    r = await c.get(f"/don-vi/{A}/hoc-vien?chi=khong-hoat-dong")
    assert "ngày trước" in r.text and "hôm nay" not in r.text
    await c.aclose()


async def test_announcements_show_delivery_and_acknowledgements(world):
    c, _ = await logged_in(world, app_for(world), "staff_A")
    r = await c.get(f"/don-vi/{A}/thong-bao")
    assert "Họp chi hội sáng thứ Bảy." in r.text
    assert "Telegram" in r.text and "đang chờ gửi: <b>3</b>" in r.text
    assert "Đã bấm «Đã đọc»: <b>1</b>" in r.text
    await c.aclose()


async def test_compose_previews_then_goes_through_the_outbox(world):
    c, csrf = await logged_in(world, app_for(world), "staff_A")
    form = {"csrf": csrf, "text": "Lớp học thứ Năm.", "topic": "chuyen_doi_so", "only_not": ""}
    r = await c.post(f"/don-vi/{A_COMMUNE}/thong-bao", data=form)
    assert r.status_code == 200 and "Xác nhận gửi" in r.text
    async with world.db.sql() as conn:
        assert (await conn.execute_fetchall("SELECT COUNT(*) FROM announcements"))[0][0] == 1
    r = await c.post(f"/don-vi/{A_COMMUNE}/thong-bao", data={**form, "confirm": "1"})
    assert "Đã xếp lịch gửi" in r.text
    async with world.db.transaction() as store:
        assert await queue_due_announcements(store, world.clock()) == 1
    async with world.db.sql() as conn:
        rows = await conn.execute_fetchall(
            "SELECT COUNT(*) FROM outbox o JOIN announcements a ON a.id = o.announcement_id"
            " WHERE a.text = 'Lớp học thứ Năm.'"
        )
        audit = await conn.execute_fetchall(
            "SELECT detail FROM audit_log WHERE action = 'announce'"
        )
    assert rows[0][0] > 0 and '"via": "web"' in audit[-1][0]
    bad = await c.post(f"/don-vi/{A}/thong-bao", data={**form, "text": ""})
    assert bad.status_code == 400
    await c.aclose()


async def test_admins_set_residents_and_targets_audited(world):
    c, csrf = await logged_in(world, app_for(world), "admin_B")
    r = await c.post(
        f"/don-vi/{B}/chi-tieu", data={"csrf": csrf, "what": "population", "value": "5000"}
    )
    assert "Đã lưu" in r.text and "5.000" in r.text
    r = await c.post(
        f"/don-vi/{B}/chi-tieu",
        data={"csrf": csrf, "what": "target", "indicator": "proficient", "year": "2030",
              "value": "120"},
    )  # fmt: skip
    assert r.status_code == 400 and "từ 0 đến 100" in r.text
    r = await c.post(
        f"/don-vi/{B}/chi-tieu",
        data={"csrf": csrf, "what": "indicator_target", "indicator": "trees", "year": "2030",
              "value": "900", "note": "theo kế hoạch"},
    )  # fmt: skip
    assert "Đã lưu" in r.text
    async with world.db.sql() as conn:
        pop = await conn.execute_fetchall(
            "SELECT older_residents FROM unit_population WHERE unit = ?", (B,)
        )
        audit = await conn.execute_fetchall(
            "SELECT action FROM audit_log WHERE action LIKE 'web:set_%' ORDER BY id"
        )
    assert pop[0][0] == 5000
    assert [a[0] for a in audit] == ["web:set_population", "web:set_indicator_target"]
    overview = await c.get(f"/don-vi/{B}?ngay={(world.clock().date() - dt.timedelta(days=1))}")
    assert overview.status_code == 200 and "Mục tiêu" in overview.text
    await c.aclose()


async def test_shared_scam_examples_a_page_at_a_time_in_the_units_scope(world):
    async with world.db.transaction() as store:
        for i in range(7):
            when = dt.datetime(2026, 3, 1 + i, 9, tzinfo=dt.UTC)
            await store.scam_examples.add(
                f"Mẫu xã {i}: bấm [link] để nhận quà", "scam", 0.9, ["prize"], A_COMMUNE, when
            )
        await store.scam_examples.add("Mẫu tỉnh B", "unsure", 0.4, [], B, dt.datetime.now(dt.UTC))
    c, _ = await logged_in(world, app_for(world), "staff_A")
    r = await c.get(f"/don-vi/{A}/tin-nghi-ngo")
    assert r.status_code == 200 and "7 tin" in r.text and "Trang 1 / 2" in r.text
    assert "Mẫu xã 6" in r.text and "Mẫu xã 1" not in r.text and "Mẫu tỉnh B" not in r.text
    assert "rất có thể lừa đảo" in r.text and "báo trúng thưởng" in r.text
    assert "07/03/2026" in r.text and "tin-nghi-ngo" in r.text  # in the unit's navigation
    r = await c.get(f"/don-vi/{A}/tin-nghi-ngo?trang=2")
    assert "Mẫu xã 0" in r.text and "Mẫu xã 6" not in r.text
    r = await c.get(f"/don-vi/{B}/tin-nghi-ngo")
    assert r.status_code == 403
    async with world.db.reading() as store:
        entries = await store.web.audit_entries("web:scam_examples", None, limit=10)
    assert len(entries) == 2
    await c.aclose()
