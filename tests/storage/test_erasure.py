"""Erasure is total: nothing in any table, nor in the database file, names the person after
«Xóa thông tin của tôi», and their user id is never given to the next person."""

from __future__ import annotations

import re

from bot import texts
from storage.staff import StaffRepo
from tests.core.test_staff import code_in
from tests.transcript import sign_up

NAME = "Thảo Ngọc Vy"
BORN = "1971"  # 60 in 2031: a counter key of its own (everyone already 60 shares 2025)


async def all_rows(db) -> dict[str, list[tuple]]:
    async with db.sql() as conn:
        tables = [
            r[0]
            for r in await conn.execute_fetchall(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            t: [tuple(r) for r in await conn.execute_fetchall(f'SELECT * FROM "{t}"')]
            for t in tables
        }


async def test_erasing_a_linked_staff_member_leaves_no_trace(sim, tmp_path):
    db = sim.engine.db
    await sign_up(sim, "admin", name="Hòa")
    # The admin invites the victim as staff of Phú Thịnh.
    await sim.press("admin", texts.BTN_STAFF)
    await sim.press("admin", texts.BTN_ST_INVITE)
    await sim.text("admin", "phu thinh")
    await sim.text("admin", "1")
    staff_code = code_in(await sim.press("admin", texts.INVITE_KINDS["staff"]))

    await sign_up(sim, "vy", name=NAME, year=BORN, profile=("Nữ", "1 3", "Xong"))
    assert "cán bộ hội" in (await sim.text("vy", staff_code))[0]["text"]  # holds a role
    # A branch, which she joins as a member too.
    await sim.text("vy", "menu")
    await sim.press("vy", texts.BTN_STAFF)
    await sim.press("vy", texts.BTN_ST_BRANCH)
    member_code = code_in(await sim.text("vy", "Xóm Bãi"))
    await sim.send(user="vy", command="start", args=member_code)
    async with db.sql() as conn:
        (uid, branch), *_ = await conn.execute_fetchall(
            "SELECT id, branch_id FROM users WHERE identity = 'sim:vy'"
        )
    assert branch is not None

    # A second identity linked to her (as if her Zalo account).
    shown = (await sim.text("vy", "liên kết"))[0]["text"]
    link = re.search(r"(\d{3}) (\d{3})", shown).group(0)
    await sim.send(user="vy-zalo", command="start")
    await sim.text("vy-zalo", f"liên kết {link}")

    # A skill confirmed by the admin (with its audit row naming her), an announcement acked.
    async with db.sql(write=True) as conn:
        staff = StaffRepo(conn)
        await staff.confirm_skill(uid, "thanh_toan", 1, sim.clock())
        await staff.audit(1, "confirm_skill", f"branch:{branch}", sim.clock(), member=uid)
    await sim.text("admin", "menu")
    await sim.press("admin", texts.BTN_STAFF)
    await sim.press("admin", texts.BTN_ST_ANNOUNCE)
    await sim.press("admin", "unit:all")
    await sim.text("admin", "Chủ nhật có lớp học dùng điện thoại.")
    await sim.press("admin", texts.BTN_SKIP)
    await sim.press("admin", texts.TOPICS["chuyen_doi_so"])
    await sim.press("admin", texts.BTN_ST_AUD_ALL)
    await sim.press("admin", texts.BTN_ST_NOW)
    await sim.press("admin", texts.BTN_ST_SEND)
    await sim.send(advance_seconds=60)
    assert (await sim.text("vy", "✅ Đã đọc"))[0]["text"].startswith("Cảm ơn")
    async with db.sql() as conn:
        assert await conn.execute_fetchall("SELECT 1 FROM informed WHERE user_id = ?", (uid,))
        since = await conn.execute_fetchall("SELECT COUNT(*) FROM stat_days WHERE since = 2031")
    assert since[0][0] > 0  # her own counter key, until she goes
    before = await all_rows(db)
    assert [r for r in before["identities"] if r[0] == "sim:vy-zalo"]  # linked
    assert [r for r in before["outbox"] if r[2] == "sim:vy"]  # the announcement reached her
    assert [r for r in before["audit_log"] if f'"member": {uid}' in r[4]]
    assert any(NAME.encode() in p.read_bytes() for p in tmp_path.glob("t.db*"))

    # She erases herself from the linked identity.
    await sim.text("vy-zalo", "trợ giúp")
    await sim.press("vy-zalo", texts.BTN_DELETE_ME)
    done = await sim.press("vy-zalo", texts.BTN_DELETE_YES)
    assert done[0]["text"].startswith("Dạ, cháu đã xóa hết thông tin")

    rows = await all_rows(db)
    flat = "\n".join(f"{t}: {r!r}" for t, rs in rows.items() for r in rs)
    for needle in (NAME, "sim:vy", "vy-zalo"):
        assert needle not in flat, needle
    assert not [r for r in rows["users"] if r[0] == uid]
    for t in ("stat_days", "stat_cells"):
        assert all(2031 not in r and "1971" not in r and 1971 not in r for r in rows[t]), t
    assert all(f'"member": {uid}' not in r[4] for r in rows["audit_log"])
    assert all(not r[2].startswith("sim:vy") for r in rows["outbox"])
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("t.db*"))
    for needle in (NAME, "sim:vy", "vy-zalo"):
        assert needle.encode() not in raw, needle

    # The next person never gets her id (and so none of her history).
    await sign_up(sim, "next", name="Tư")
    async with db.sql() as conn:
        (new_id,), *_ = await conn.execute_fetchall(
            "SELECT id FROM users WHERE identity = 'sim:next'"
        )
    assert new_id > uid
