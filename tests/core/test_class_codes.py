"""Class codes: a cap on uses, closing, a code kept before consent, numbers staff type."""

from bot import texts
from bot.core.staff import population_number
from tests.core.test_staff import code_in, labels, rows
from tests.transcript import sign_up


async def class_code(sim, cap: int = 30) -> str:
    await sign_up(sim, "admin", name="Hòa")
    await sim.press("admin", texts.BTN_STAFF)
    await sim.press("admin", texts.BTN_ST_BRANCH)
    await sim.text("admin", "phu thinh")
    await sim.text("admin", "1")
    await sim.text("admin", "Chi hội Xóm Đông")  # typed with its prefix: never doubled
    await sim.press("admin", texts.BTN_ST_INVITE)
    replies = await sim.text("admin", "phu thinh")  # the commune, then its branches
    assert "Chi hội Xóm Đông, Xã Phú Thịnh" in " ".join(labels(replies))
    await sim.press("admin", "unit:branch:1")
    await sim.press("admin", texts.INVITE_CLASS_KIND)
    replies = await sim.press("admin", f"cap:{cap}")
    assert "Chi hội Chi hội" not in replies[0]["text"]
    return code_in(replies)


async def test_a_class_code_serves_many_until_its_cap_or_closing(sim):
    code = await class_code(sim)
    await sim.send(advance_seconds=60)
    for i in range(30):
        await sign_up(sim, f"m{i}")
        replies = await sim.text(f"m{i}", code)
        assert "cháu đã ghi bà vào Chi hội Xóm Đông" in replies[0]["text"]
    await sign_up(sim, "late")
    replies = await sim.text("late", code)  # the cap: 30
    assert replies[0]["text"] == texts.INVITE_BAD.format(ong_ba="bà", Ong_ba="Bà")
    assert await rows(sim, "SELECT uses, max_uses FROM invitations WHERE code = ?", code) == [
        (30, 30)
    ]


async def test_closing_a_class_code_and_the_class_screen(sim):
    code = await class_code(sim, 60)
    await sim.send(user="m1", command="start", args=code)
    await sim.press("m1", "Đồng ý")
    await sim.press("m1", "Bà")
    await sim.send(advance_seconds=20 * 60)  # stuck at the name question
    await sim.text("admin", "menu")
    await sim.press("admin", texts.BTN_STAFF)
    await sim.press("admin", texts.BTN_ST_CLASS)
    await sim.text("admin", "phu thinh")  # the country admin names the commune
    replies = await sim.press("admin", "unit:branch:1")
    view = replies[-1]["text"]
    assert "Đang đăng ký (1): người chưa ghi tên" in view
    assert "người chưa ghi tên: đăng ký, câu hỏi tên, 20 phút chưa nhắn" in view
    replies = await sim.press("admin", texts.BTN_ST_CLASS_CLOSE.format(code=code))
    assert replies[0]["text"] == texts.ST_CLASS_CLOSED.format(code=code)
    await sign_up(sim, "m2")
    replies = await sim.text("m2", code)
    assert replies[0]["text"].startswith("Mã mời này chưa đúng")
    # m1 finishes sign-up after the code was closed: told in words, not silently dropped.
    await sim.text("m1", "Lan")
    replies = await sim.text("m1", "1950")
    assert replies[-1]["text"].startswith("Bà đang ở tỉnh")  # the code no longer names a place
    for answer in ("thai nguyen", "1", "phu thinh", "1"):
        await sim.text("m1", answer)
    await sim.press("m1", texts.BTN_NO_REMINDER)
    replies = await sim.press("m1", texts.BTN_SKIP)
    assert any(f"Mã {code} bà nhắn lúc đăng ký" in r["text"] for r in replies)


async def test_a_code_before_a_refusal_is_forgotten(sim):
    code = await class_code(sim, 60)
    replies = await sim.send(user="x", command="start", args=code)
    assert "Cháu đã giữ mã" in replies[1]["text"]
    assert await rows(sim, "SELECT COUNT(*) FROM pending_codes") == [(1,)]
    await sim.press("x", "Không đồng ý")
    assert await rows(sim, "SELECT COUNT(*) FROM pending_codes") == [(0,)]


async def test_staff_numbers_and_who_needs_help(sim):
    for typed in ("2.350", "2 350", "2350 người", "2.350 nguoi", "khoảng 2.350 cụ"):
        assert population_number(typed) == "2350"
    assert population_number("2.35") is None and population_number("1 2") is None
    await sign_up(sim, "admin", name="Hòa")
    await sign_up(sim, "young", name="Tuấn", year="1990")
    await sign_up(sim, "old", name="Lan", year="1950")
    await sim.press("admin", texts.BTN_STAFF)
    await sim.press("admin", texts.BTN_ST_MEMBERS)
    await sim.text("admin", "phu thinh")
    replies = await sim.text("admin", "1")
    needing = [line for line in replies[-1]["text"].splitlines() if "Cần giúp" in line]
    assert needing and all("Lan" in line and "Tuấn" not in line for line in needing)


async def test_help_shows_everything_kept_and_corrects_it_in_two_taps(sim):
    await sign_up(sim, "h", name="Lan", year="1955")
    await sim.text("h", "tro giup")
    shown = await sim.press("h", texts.BTN_PROFILE)  # tap 1
    kept = shown[-1]["text"]
    for part in ("Cách xưng hô: Bà", "Tên: Lan", "Năm sinh: 1955", "Xã Phú Thịnh", "Chi hội"):
        assert part in kept, kept
    await sim.press("h", texts.BTN_EDIT_NAME)  # tap 2
    replies = await sim.text("h", "Nguyễn Thị Lan")
    assert "Tên: Nguyễn Thị Lan" in replies[-1]["text"]
    await sim.press("h", texts.BTN_EDIT_ADDRESS)
    replies = await sim.press("h", "Cô")
    assert "Cách xưng hô: Cô" in replies[-1]["text"]
    await sim.press("h", texts.BTN_EDIT_YEAR)
    replies = await sim.text("h", "1950")
    assert "Năm sinh: 1950" in replies[-1]["text"]
    await sim.press("h", texts.BTN_EDIT_PLACE)
    await sim.text("h", "ha noi")
    await sim.text("h", "1")
    await sim.text("h", "hoan kiem")
    replies = await sim.text("h", "1")
    assert "Phường Hoàn Kiếm" in replies[0]["text"] and "Phường Hoàn Kiếm" in replies[-1]["text"]
    assert await rows(sim, "SELECT display_name, address_form, birth_year FROM users") == [
        ("Nguyễn Thị Lan", "cô", 1950)
    ]


def test_previews_show_the_real_send_time():
    import datetime as dt

    from bot.core.staff import real_send_time

    night = dt.datetime(2026, 12, 1, 19, 56, tzinfo=dt.UTC)  # 02:56 on the 2nd in Vietnam
    assert f"{real_send_time(night, False):%H:%M %d/%m}" == "07:00 02/12"
    assert f"{real_send_time(night, True):%H:%M %d/%m}" == "02:56 02/12"
    late = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)  # 22:00 on the 1st
    assert f"{real_send_time(late, False):%H:%M %d/%m}" == "07:00 02/12"


async def test_two_digits_for_a_birth_year_are_asked_back(sim):
    await sim.send(user="y", command="start")
    await sim.press("y", "Đồng ý")
    await sim.press("y", "Bà")
    await sim.text("y", "Lan")
    replies = await sim.text("y", "74")
    assert replies[0]["text"].startswith("Bà sinh năm 1974 hay năm nay 74 tuổi")
    assert labels(replies) == ["Sinh năm 1974", "74 tuổi (sinh năm 1952)"]
    replies = await sim.press("y", "74 tuổi (sinh năm 1952)")
    assert replies[-1]["text"].startswith("Bà đang ở tỉnh")  # no helper note: 60+
    assert await rows(sim, "SELECT birth_year FROM users") == [(1952,)]


async def test_a_branch_is_renamed(sim):
    await class_code(sim)
    await sim.text("admin", "menu")
    await sim.press("admin", texts.BTN_STAFF)
    await sim.press("admin", texts.BTN_ST_RENAME)
    await sim.text("admin", "phu thinh")
    await sim.press("admin", "unit:branch:1")
    replies = await sim.text("admin", "Xóm Đông Hòa")
    assert replies[0]["text"] == "✅ Đã sửa tên: Chi hội Xóm Đông Hòa, Xã Phú Thịnh."
    assert await rows(sim, "SELECT name FROM branches") == [("Xóm Đông Hòa",)]
