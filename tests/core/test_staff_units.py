"""Where staff act: chosen province → commune → branch, five at a time, or typed by name (a
branch too, without diacritics); and staff addressed as they chose at sign-up."""

import re

from bot import texts
from tests.core.test_staff import code_in, labels, rows
from tests.transcript import sign_up, voiced

RAW_ID = re.compile(r"\b(?:branch|commune|province):\d+")


def said(replies: list[dict]) -> str:
    return "\n".join(
        [r.get("text", "") for r in replies] + [b["label"] for b in replies[-1]["buttons"]]
    )


async def page_to(sim, user: str, name: str) -> list[dict]:
    """Press «Xem thêm» until a numbered button carries `name`; returns the last replies."""
    replies = sim.last[user]
    for _ in range(40):
        if any(name in label for label in labels(replies)):
            return replies
        assert texts.ST_BROWSE_MORE in labels(replies), (name, labels(replies))
        replies = await sim.press(user, texts.ST_BROWSE_MORE)
    raise AssertionError(name)


async def test_the_country_admin_invites_into_a_branch_by_choosing_or_typing(sim):
    await sign_up(sim, "admin", name="Hòa")
    await sim.engine.db.conn.execute(
        "INSERT INTO branches (id, commune_code, name, created_at) VALUES"
        " (1, 5800, 'Xóm Đồng Tâm', 'x'), (2, 5800, 'Chi hội Thôn Bãi', 'x')"
    )
    await sim.engine.db.conn.commit()
    await sim.press("admin", texts.BTN_STAFF)
    replies = await sim.press("admin", texts.BTN_ST_INVITE)
    browse = texts.ST_BROWSE_BTN.format(unit="cả nước")
    assert browse in labels(replies)
    replies = await sim.press("admin", browse)
    first = labels(replies)
    numbered = [x for x in first if re.match(r"\d\. ", x)]
    assert [x[:3] for x in numbered] == ["1. ", "2. ", "3. ", "4. ", "5. "]
    assert texts.ST_BROWSE_WHOLE.format(unit="cả nước") in first  # invite at the country level
    assert "1/7" in replies[-1]["text"]  # 34 provinces, five a page
    replies = await sim.press("admin", texts.ST_BROWSE_MORE)
    assert labels(replies)[0] not in first and texts.ST_BROWSE_LESS in labels(replies)
    replies = await sim.press("admin", texts.ST_BROWSE_LESS)
    assert labels(replies) == first

    await page_to(sim, "admin", "Thái Nguyên")
    number = next(x for x in labels(sim.last["admin"]) if "Thái Nguyên" in x).split(".")[0]
    replies = await sim.text("admin", number)  # a typed number picks the numbered place
    assert replies[-1]["text"].startswith("Thái Nguyên (trang 1/")
    await page_to(sim, "admin", "Xã Phú Thịnh")
    replies = await sim.press(
        "admin", next(x for x in labels(sim.last["admin"]) if "Phú Thịnh" in x)
    )
    assert labels(replies)[:2] == ["1. Chi hội Thôn Bãi", "2. Chi hội Xóm Đồng Tâm"]  # not doubled
    assert not RAW_ID.search(said(replies))
    replies = await sim.press("admin", texts.BTN_BACK)  # back up to the province's communes
    assert replies[-1]["text"].startswith("Thái Nguyên (trang 1/")
    await page_to(sim, "admin", "Xã Phú Thịnh")
    await sim.press("admin", next(x for x in labels(sim.last["admin"]) if "Phú Thịnh" in x))
    replies = await sim.text("admin", "2")
    assert texts.INVITE_KINDS["member"] in labels(replies)  # a branch: members can be invited
    replies = await sim.press("admin", texts.INVITE_KINDS["member"])
    code = code_in(replies)
    assert await rows(sim, "SELECT unit FROM invitations WHERE code = ?", code) == [("branch:1",)]

    # Typed: a branch by its own name, without diacritics or «chi hội».
    await sim.text("admin", "menu")
    await sim.press("admin", texts.BTN_STAFF)
    await sim.press("admin", texts.BTN_ST_INVITE)
    replies = await sim.text("admin", "xom dong tam")
    assert labels(replies)[0] == "Chi hội Xóm Đồng Tâm, Xã Phú Thịnh"
    replies = await sim.text("admin", "chi hoi thon bai")
    assert labels(replies)[0] == "Chi hội Thôn Bãi, Xã Phú Thịnh"
    replies = await sim.text("admin", "1")
    assert texts.INVITE_KINDS["member"] in labels(replies)
    # A commune typed brings its branches after it.
    await sim.press("admin", texts.BTN_BACK)
    await sim.text("admin", "menu")
    await sim.press("admin", texts.BTN_STAFF)
    await sim.press("admin", texts.BTN_ST_INVITE)
    replies = await sim.text("admin", "Phú Thịnh")
    assert labels(replies)[:3] == [
        "Xã Phú Thịnh (Thái Nguyên)",
        "Chi hội Thôn Bãi, Xã Phú Thịnh",
        "Chi hội Xóm Đồng Tâm, Xã Phú Thịnh",
    ]


async def test_a_commune_staff_member_browses_their_branches_only(sim):
    await sign_up(sim, "admin", name="Hòa")
    await sim.engine.db.conn.execute(
        "INSERT INTO branches (id, commune_code, name, created_at) VALUES (1, 5800, 'Xóm A', 'x')"
    )
    await sim.engine.db.conn.commit()
    await sim.press("admin", texts.BTN_STAFF)
    await sim.press("admin", texts.BTN_ST_INVITE)
    await sim.text("admin", "phu thinh")
    await sim.text("admin", "1")
    staff_code = code_in(await sim.press("admin", texts.INVITE_KINDS["staff"]))
    await sign_up(sim, "staff", name="Bình", address="Chú")
    await sim.text("staff", staff_code)
    await sim.text("staff", "menu")
    await sim.press("staff", texts.BTN_STAFF)
    replies = await sim.press("staff", texts.BTN_ST_INVITE)
    assert labels(replies)[:2] == ["Xã Phú Thịnh (Thái Nguyên)", "Chi hội Xóm A, Xã Phú Thịnh"]
    replies = await sim.press("staff", "browse:all")  # forged: above their commune
    refusals = (voiced(texts.ST_NOT_ALLOWED, "chú"), voiced(texts.ST_UNIT_NONE, "chú"))
    assert replies[0]["text"] in refusals and "trang 1/" not in said(replies)
    await sim.press("staff", texts.BTN_ST_INVITE)
    replies = await sim.text("staff", "Hoàn Kiếm")  # a commune elsewhere: not theirs
    assert replies[0]["text"] == voiced(texts.ST_UNIT_NONE, "chú")


async def test_staff_are_addressed_as_they_chose(sim):
    await sign_up(sim, "admin", name="Hòa", address="Chú")
    replies = await sim.press("admin", texts.BTN_STAFF)
    assert replies[-1]["text"] == "Việc quản lý. Chú chọn việc cần làm:"
    seen = [replies[-1]["text"]]
    seen.append((await sim.press("admin", texts.BTN_ST_POPULATION))[-1]["text"])
    seen.append((await sim.text("admin", "phu thinh"))[-1]["text"])
    seen.append((await sim.text("admin", "1"))[-1]["text"])
    seen.append((await sim.text("admin", "nhiều lắm"))[0]["text"])
    assert seen[-1] == "Chú gõ một con số, ví dụ: 1250."
    replies = await sim.text("admin", "menu")  # from a staff screen: the staff menu
    assert replies[-1]["text"] == "Việc quản lý. Chú chọn việc cần làm:"
    await sim.press("admin", texts.BTN_ST_ANNOUNCE)
    await sim.text("admin", "phu thinh")
    seen.append((await sim.text("admin", "1"))[-1]["text"])
    seen.append((await sim.text("admin", "Họp"))[0]["text"])
    assert seen[-1].endswith("Chú gõ lại giúp.")
    for text in seen:
        assert "nh chị" not in text and "{" not in text, text

    await sign_up(sim, "m1", name="Lan", address="Bà")
    await sim.engine.db.conn.execute(
        "INSERT INTO roles (user_id, role, unit, granted_by, granted_at)"
        " SELECT id, 'staff', 'commune:5800', NULL, 'x' FROM users WHERE identity = 'sim:m1'"
    )
    await sim.engine.db.conn.commit()
    replies = await sim.press("m1", texts.BTN_STAFF)
    assert replies[-1]["text"] == "Việc quản lý. Bà chọn việc cần làm:"
