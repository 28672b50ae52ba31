"""Staff at work through the simulator: invitations, branches, members, announcements, acks."""

import datetime as dt
import re

from bot import texts
from bot.core.reach import OaRules
from storage.repos import iso
from tests.transcript import sign_up, voiced


def code_in(replies: list[dict]) -> str:
    return re.search(r"HS-[A-Z2-9]{6}", "\n".join(r["text"] for r in replies)).group(0)


def labels(replies: list[dict]) -> list[str]:
    return [b["label"] for b in replies[-1]["buttons"]]


async def rows(sim, sql: str, *args) -> list[tuple]:
    return [tuple(r) for r in await sim.engine.db.conn.execute_fetchall(sql, args)]


async def test_staff_workflow_with_scopes_audit_and_acknowledgements(sim):
    done = await sign_up(sim, "admin", name="Hòa")
    assert texts.BTN_STAFF in labels(done)
    assert texts.BTN_STAFF not in labels(await sign_up(sim, "m2", name="Mai"))
    hanoi = await sign_up(sim, "m3", name="Cúc", province="ha noi", commune="hoan kiem")
    assert "Phường Hoàn Kiếm" in hanoi[1]["text"]

    # The national admin invites a staff member for Phú Thịnh, found by typing its name.
    await sim.press("admin", texts.BTN_STAFF)
    replies = await sim.press("admin", texts.BTN_ST_INVITE)
    assert texts.ST_PICK_UNIT in replies[-1]["text"]
    replies = await sim.text("admin", "phu thinh")
    assert labels(replies)[0].startswith("Xã Phú Thịnh")
    replies = await sim.text("admin", "1")
    assert texts.INVITE_KINDS["member"] not in labels(replies)  # members join a branch
    replies = await sim.press("admin", texts.INVITE_KINDS["staff"])
    staff_code = code_in(replies)

    staff_done = await sign_up(sim, "staff", name="Bình")
    assert texts.BTN_STAFF not in labels(staff_done)
    replies = await sim.text("staff", staff_code.lower())
    assert "cán bộ hội" in replies[0]["text"]
    replies = await sim.text("staff", staff_code)  # a code works once
    assert replies[0]["text"].startswith("Mã mời này chưa đúng")

    # Staff create a branch; its member code puts a learner in it.
    await sim.text("staff", "menu")
    await sim.press("staff", texts.BTN_STAFF)
    replies = await sim.press("staff", texts.BTN_ST_BRANCH)  # one commune: no unit question
    assert "Xã Phú Thịnh" in replies[-1]["text"]
    replies = await sim.text("staff", "Xóm Đồng Tâm")
    member_code = code_in(replies)
    await sign_up(sim, "m1", name="Lan")
    replies = await sim.send(user="m1", command="start", args=member_code)  # a deep link
    assert "cháu đã ghi bà vào Chi hội Xóm Đồng Tâm" in replies[0]["text"]
    assert await rows(sim, "SELECT branch_id FROM users WHERE identity = 'sim:m1'") == [(1,)]

    # m3 lives in Hà Nội: outside the staff member's commune.
    await sim.send(user="m3", command="start")
    await sim.text("m3", "menu")

    # The number of older residents, the denominator of every target.
    await sim.text("staff", "menu")
    await sim.press("staff", texts.BTN_STAFF)
    replies = await sim.press("staff", texts.BTN_ST_POPULATION)
    assert texts.ST_PICK_UNIT in replies[-1]["text"]  # commune, or its new branch
    await sim.press("staff", "unit:commune:5800")
    replies = await sim.text("staff", "1.250")
    assert "1.250" in replies[0]["text"]
    assert await rows(sim, "SELECT unit, older_residents FROM unit_population") == [
        ("commune:5800", 1250)
    ]

    # A forged press for a unit outside the staff member's scope is refused.
    await sim.press("staff", texts.BTN_ST_MEMBERS)
    replies = await sim.press("staff", "unit:province:1")
    assert replies[0]["text"] in (voiced(texts.ST_NOT_ALLOWED), voiced(texts.ST_UNIT_NONE))
    replies = await sim.text("staff", "Hà Nội")  # typed: not theirs either
    assert replies[0]["text"] == voiced(texts.ST_UNIT_NONE)
    await sim.press("staff", texts.BTN_BACK)

    # Members and who needs help: only the commune's people.
    await sim.press("staff", texts.BTN_ST_MEMBERS)
    replies = await sim.press("staff", "unit:commune:5800")
    listing = replies[-1]["text"]
    assert "4 thành viên" in listing  # admin, staff, m1, m2 live in Phú Thịnh
    assert "Cần giúp về Thanh toán" in listing

    # An announcement: text, topic, audience, when, preview, confirmation.
    await sim.press("staff", texts.BTN_BACK)
    await sim.press("staff", texts.BTN_ST_ANNOUNCE)
    await sim.press("staff", "unit:commune:5800")
    replies = await sim.text("staff", "Thứ Bảy này 8 giờ có lớp học dùng VNeID ở nhà văn hóa xóm.")
    assert labels(replies) == [texts.BTN_ST_ADD_FILE, texts.BTN_SKIP, texts.BTN_BACK]
    await sim.press("staff", texts.BTN_SKIP)  # no picture this time
    await sim.press("staff", texts.TOPICS["chuyen_doi_so"])
    await sim.press("staff", texts.BTN_ST_AUD_ALL)
    replies = await sim.press("staff", texts.BTN_ST_NOW)
    assert replies[0]["text"].startswith("📣 Thông báo của Hội Người cao tuổi, Xã Phú Thịnh")
    assert "Gửi tới 4 người" in replies[-1]["text"]
    assert labels(replies) == [texts.BTN_ST_SEND, texts.BTN_ST_EDIT, texts.BTN_ST_CANCEL]
    assert await rows(sim, "SELECT COUNT(*) FROM announcements") == [(0,)]  # nothing before yes
    await sim.press("staff", texts.BTN_ST_SEND)
    delivered = await sim.send(advance_seconds=60)
    got = sorted(r["to"] for r in delivered if "to" in r)
    assert got == ["admin", "m1", "m2", "staff"]  # not m3, in Hà Nội
    first = next(r for r in delivered if r.get("to") == "m1")
    assert "lớp học dùng VNeID" in first["text"]
    assert first["buttons"] == [{"id": "ack:1", "label": texts.BTN_ACK}]
    assert await rows(sim, "SELECT status, COUNT(*) FROM outbox GROUP BY status") == [("sent", 4)]
    assert await sim.send(advance_seconds=60) == []  # nothing sent twice

    # "✅ Đã đọc" counts the member as informed on that topic; twice counts once.
    replies = await sim.text("m1", "✅ Đã đọc")
    assert replies[0]["text"].startswith("Cảm ơn bà đã đọc")
    await sim.press("m1", "ack:1")
    assert await rows(sim, "SELECT user_id, topic FROM informed") == [(5, "chuyen_doi_so")]
    replies = await sim.text("m3", "da doc")  # m3 got nothing: not an acknowledgement
    assert not replies[0]["text"].startswith("Cảm ơn")

    # The audit log names every staff action.
    # The sender sees the delivery summary, acknowledgements included.
    await sim.text("staff", "menu")
    await sim.press("staff", texts.BTN_STAFF)
    replies = await sim.press("staff", texts.BTN_ST_SENT)
    assert "Gửi tới 4: đã gửi 4, đang chờ 0, lỗi 0, đã chặn bot 0; đã đọc 1." in replies[-1]["text"]

    actions = [a for (a,) in await rows(sim, "SELECT action FROM audit_log ORDER BY id")]
    assert actions == [
        "invite",
        "grant",
        "create_branch",
        "invite",
        "join",
        "set_population",
        "view_members",
        "announce",
    ]


async def test_people_without_a_role_cannot_reach_staff_screens(sim):
    await sign_up(sim, "x")
    replies = await sim.press("x", "menu:staff")  # forged: not on screen
    assert voiced(texts.ST_MENU) not in replies[-1]["text"]
    replies = await sim.text("x", "quan ly")
    assert voiced(texts.ST_MENU) not in replies[-1]["text"]
    rows_ = await sim.engine.db.conn.execute_fetchall("SELECT COUNT(*) FROM audit_log")
    assert rows_[0][0] == 0


async def test_the_preview_says_how_many_each_channel_reaches_now(sim):
    """Before sending: who gets it at once on each channel, who waits for their Zalo OA window,
    who blocked the bot."""
    await sign_up(sim, "admin", name="Hòa")
    now = sim.clock()
    async with sim.engine.db.transaction() as store:
        for identity in ("telegram:1", "telegram:2", "zalo_oa:open", "zalo_oa:old", "zalo_oa:x"):
            u = await store.users.create(identity, "given", now)
            await store.users.update(
                u.id, registered_at=iso(now), province_code=19, commune_code=5800
            )
            if identity == "telegram:2":
                await store.users.update(u.id, blocked=True)
        await store.zalo_oa.user_wrote("zalo_oa:open", now - dt.timedelta(hours=3))
        await store.zalo_oa.user_wrote("zalo_oa:old", now - dt.timedelta(days=3))
    await sim.press("admin", texts.BTN_STAFF)
    await sim.press("admin", texts.BTN_ST_ANNOUNCE)
    await sim.text("admin", "phu thinh")
    await sim.text("admin", "1")
    await sim.text("admin", "Chiều thứ Sáu họp chi hội ở nhà văn hóa.")
    await sim.press("admin", texts.BTN_SKIP)
    await sim.press("admin", texts.TOPICS["khac"])
    await sim.press("admin", texts.BTN_ST_AUD_ALL)
    replies = await sim.press("admin", texts.BTN_ST_NOW)
    preview = replies[-1]["text"]
    assert "Gửi tới 6 người" in preview
    assert "📶 Nhận được ngay: Telegram 1 người · Zalo OA 1 người · Kênh khác 1 người." in preview
    assert "⏳ 2 người dùng Zalo OA sẽ nhận khi họ nhắn lại cho Hội" in preview
    assert "trong 48 giờ" in preview
    assert "🚫 1 người đã chặn Học Số" in preview
    # the operator allows the OA's package quota: nobody waits
    sim.engine.oa_rules = OaRules(use_package_quota=True)
    replies = await sim.press("admin", texts.BTN_ST_EDIT)
    await sim.text("admin", "Chiều thứ Sáu họp chi hội ở nhà văn hóa.")
    await sim.press("admin", texts.BTN_SKIP)
    await sim.press("admin", texts.TOPICS["khac"])
    await sim.press("admin", texts.BTN_ST_AUD_ALL)
    replies = await sim.press("admin", texts.BTN_ST_NOW)
    assert "Zalo OA 3 người" in replies[-1]["text"] and "⏳" not in replies[-1]["text"]
