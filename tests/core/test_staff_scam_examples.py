"""«🔎 Tin nghi ngờ bà con gửi»: staff read the anonymised examples shared in their units."""

import datetime as dt

from bot import texts
from bot.core.staff import SCAM_PER_PAGE
from tests.scamcheck.test_chat import SCAM
from tests.transcript import all_text, sign_up


def labels(replies: list[dict]) -> list[str]:
    return [b["label"] for b in replies[-1]["buttons"]]


async def rows(sim, sql: str, *args) -> list[tuple]:
    return [tuple(r) for r in await sim.engine.db.conn.execute_fetchall(sql, args)]


async def share(sim, user: str, message: str) -> None:
    await sim.text(user, "menu")
    await sim.press(user, texts.BTN_SCAM_CHECK)
    await sim.text(user, message)
    await sim.press(user, texts.BTN_SCAM_SHARE)
    await sim.press(user, texts.BTN_SCAM_SHARE_YES)


async def add_examples(sim, unit: str, n: int) -> None:
    async with sim.engine.db.transaction() as store:
        for i in range(n):
            when = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC) + dt.timedelta(days=i)
            await store.scam_examples.add(f"Mẫu {unit} số {i}", "unsure", 0.4, [], unit, when)


async def staff_for_phu_thinh(sim, who: str, address: str) -> None:
    """The national admin invites `who` as staff of Xã Phú Thịnh (commune 5800)."""
    await sim.text("admin", "menu")
    await sim.press("admin", texts.BTN_STAFF)
    await sim.press("admin", texts.BTN_ST_INVITE)
    await sim.text("admin", "phu thinh")
    await sim.text("admin", "1")
    replies = await sim.press("admin", texts.INVITE_KINDS["staff"])
    code = next(w for r in replies for w in r["text"].split() if w.startswith("HS-"))
    await sign_up(sim, who, name="Bình", address=address)
    await sim.text(who, code.strip(".,:;«»"))


async def test_staff_see_their_units_examples_paged_masked_and_audited(sim):
    await sign_up(sim, "admin", name="Hòa")
    await staff_for_phu_thinh(sim, "staff", "Ông")
    await sign_up(sim, "m1", name="Lan")  # lives in Phú Thịnh
    await share(sim, "m1", SCAM + " Gọi 0987 111 222.")
    await add_examples(sim, "commune:5800", SCAM_PER_PAGE)  # six in Phú Thịnh in all
    await add_examples(sim, "commune:6100", 2)  # another commune: not theirs

    await sim.text("staff", "menu")
    menu = await sim.press("staff", texts.BTN_STAFF)
    assert texts.BTN_ST_SCAM in labels(menu)
    first = await sim.press("staff", texts.BTN_ST_SCAM)  # one commune: no unit question
    text = all_text(first)
    assert "Xã Phú Thịnh" in text and "6 tin (trang 1/2)" in text
    assert "Ông có thể dùng làm ví dụ" in text  # the staff member's own address form
    assert "1. Ngày 05/03/2026 · cháu kết luận: cần cẩn thận\n«Mẫu commune:5800 số 4»" in text
    assert "commune:6100" not in text and "Quy khach" not in text
    assert labels(first) == [texts.BTN_PAGE_NEXT, texts.BTN_BACK]

    second = await sim.press("staff", texts.BTN_PAGE_NEXT)  # m1's, shared first, comes last
    text = all_text(second)
    assert "trang 2/2" in text and "6. Ngày" in text
    assert "Tai khoan cua Quy khach se bi khoa" in text and texts.ST_SCAM_VERDICT["scam"] in text
    assert "0987" not in text  # masked when shared
    assert labels(second) == [texts.BTN_PAGE_PREV, texts.BTN_BACK]
    back = await sim.press("staff", texts.BTN_PAGE_PREV)
    assert "trang 1/2" in all_text(back)
    assert (
        await rows(sim, "SELECT action, unit FROM audit_log WHERE action = 'view_scam_examples'")
        == [("view_scam_examples", "commune:5800")] * 3
    )

    # the national admin chooses the country and sees every example
    await sim.text("admin", "menu")
    await sim.press("admin", texts.BTN_STAFF)
    await sim.press("admin", texts.BTN_ST_SCAM)
    everything = await sim.press("admin", "unit:all")
    assert "8 tin" in all_text(everything)


async def test_members_have_no_such_screen_and_forged_presses_are_refused(sim):
    await sign_up(sim, "admin", name="Hòa")
    await staff_for_phu_thinh(sim, "staff", "Bà")
    await sign_up(sim, "m1", name="Lan")
    await add_examples(sim, "province:1", 1)  # Hà Nội
    menu = await sim.text("m1", "menu")
    assert texts.BTN_ST_SCAM not in labels(menu)
    await sim.press("m1", "st:scam_examples")
    assert await rows(
        sim, "SELECT count(*) FROM audit_log WHERE action = 'view_scam_examples'"
    ) == [(0,)]
    # staff of Phú Thịnh cannot open Hà Nội's examples by a forged unit
    await sim.text("staff", "menu")
    await sim.press("staff", texts.BTN_STAFF)
    await sim.press("staff", texts.BTN_ST_SCAM)
    out = await sim.press("staff", "unit:province:1")
    assert "Hà Nội" not in all_text(out) and "Mẫu province:1" not in all_text(out)


async def test_nothing_shared_yet_says_so(sim):
    await sign_up(sim, "admin", name="Hòa")
    await staff_for_phu_thinh(sim, "staff", "Bà")
    await sim.text("staff", "menu")
    await sim.press("staff", texts.BTN_STAFF)
    out = await sim.press("staff", texts.BTN_ST_SCAM)
    assert texts.ST_SCAM_NONE.format(unit="Xã Phú Thịnh (Thái Nguyên)") in all_text(out)
