"""The optional sex and groups step on Zalo, where buttons are a numbered list typed as numbers."""

from __future__ import annotations

from bot import texts
from tests.channels.conftest import ZaloPerson


async def test_numbers_answer_sex_tick_groups_and_a_list_saves_them(zalo, fake_zalo, db):
    lan = ZaloPerson(fake_zalo, zalo, "z-profile")
    await lan.send("/start")
    for typed in (texts.BTN_AGREE, "Bà"):
        await lan.send(lan.number_of(typed))
    for typed in ("Lan", "1955", "thai nguyen", "1", "phu thinh", "1", "bỏ qua", "không cần nhắc"):
        await lan.send(typed)
    assert "không bắt buộc" in lan.said
    assert lan.choices() == ["1. Nam", "2. Nữ", "3. Bỏ qua"]

    await lan.send("2")
    assert lan.choices() == [
        "1. Sống ở nông thôn",
        "2. Thuộc hộ nghèo hoặc cận nghèo",
        "3. Sống một mình",
        "4. Là người khuyết tật",
        "5. Xong",
        "6. Bỏ qua",
    ]
    await lan.send("3")  # one number ticks one line, shown in the list
    assert "3. ✅ Sống một mình" in lan.choices()
    await lan.send("1 3")  # several numbers at once are the whole answer
    assert "sống ở nông thôn, sống một mình" in lan.said
    assert "Đăng ký xong" in lan.said
    rows = await db.conn.execute_fetchall("SELECT sex, rural, poor, alone, disabled FROM users")
    assert [tuple(r) for r in rows] == [("nu", 1, 0, 1, 0)]
