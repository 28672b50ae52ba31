"""A class at the commune hall, scripted: one staff member, thirty members through one class code
(some through the link, some typing it at different points of sign-up), the first lesson, two
members stuck, the staff screen, an announcement, acknowledgements and the month-end report.
It passes with no refusals and no raw ids anywhere in the output."""

import re

from PIL import Image

from bot import texts
from tests.core.test_review import answer_one_lesson
from tests.core.test_staff import code_in, labels, rows
from tests.transcript import sign_up

RAW_ID = re.compile(r"\b(?:branch|commune|province|sim|telegram|zalo):\w+|\bNone\b")
REFUSALS = (
    texts.INVITE_BAD[:20],
    texts.ST_NOT_ALLOWED.partition("{ong_ba}")[2],
    texts.NOT_UNDERSTOOD[:20],
    "Mã mời này",
)


class Watch:
    """Everything the bot said in the class, checked for refusals and raw ids at the end."""

    def __init__(self, sim):
        self.sim = sim
        self.said: list[str] = []

    async def send(self, **obj) -> list[dict]:
        replies = await self.sim.send(**obj)
        for r in replies:
            if "text" in r:
                self.said.append(r["text"])
                self.said += [b["label"] for b in r.get("buttons", [])]
        return replies

    async def text(self, user: str, text: str) -> list[dict]:
        return await self.send(user=user, text=text)

    async def press(self, user: str, button: str) -> list[dict]:
        return await self.send(user=user, button=button)

    def check(self) -> None:
        for line in self.said:
            assert not RAW_ID.search(line), line
            assert not any(line.startswith(r) for r in REFUSALS), line


async def member_signs_up(w: Watch, user: str, code: str, when: str, name: str) -> list[dict]:
    """Sign up giving the class code at `when`: link (before consent), consent, address, name,
    year, province (the place is then known from the code), end (after sign-up)."""
    if when == "link":
        replies = await w.send(user=user, command="start", args=code)
        assert "Cháu đã giữ mã" in replies[1]["text"]
        assert labels(replies)[0] == texts.BTN_AGREE
    else:
        await w.send(user=user, command="start")
    if when == "consent":
        replies = await w.text(user, code)
        assert "Cháu đã giữ mã" in replies[0]["text"]
    await w.press(user, "Đồng ý")
    if when == "address":
        replies = await w.text(user, f"ma lop {code.lower()}")
        assert "Cháu đã giữ mã" in replies[0]["text"]
        assert replies[-1]["text"].startswith(texts.ASK_ADDRESS[:10])
    await w.press(user, "Bà")
    if when == "name":
        await w.text(user, code)
    await w.text(user, name)
    if when == "year":
        await w.text(user, code)
    replies = await w.text(user, "1952")
    if when in ("link", "consent", "address", "name", "year"):
        # The code names the branch: no province or commune question.
        assert "không hỏi tỉnh, xã nữa" in replies[-2]["text"]
        assert replies[-1]["text"].startswith("Cháu nhắc")
    else:
        if when == "province":
            replies = await w.text(user, code)
            assert "không hỏi tỉnh, xã nữa" in replies[-2]["text"]
        else:
            await w.text(user, "thai nguyen")
            await w.text(user, "1")
            await w.text(user, "phu thinh")
            await w.text(user, "1")
    await w.press(user, texts.BTN_NO_REMINDER)
    replies = await w.press(user, texts.BTN_SKIP)
    assert "Đăng ký xong" in replies[0]["text"]
    if when == "end":
        replies = await w.text(user, code)
    assert any("cháu đã ghi bà vào Chi hội Xóm Đông" in r["text"] for r in replies), replies
    return replies


NAMES = [
    "Lan", "Mai", "Cúc", "Đào", "Hồng", "Huệ", "Nga", "Hoa", "Thu", "Xuân",
    "Hạnh", "Phúc", "Tâm", "Bình", "An", "Yến", "Loan", "Liên", "Nhung", "Vân",
    "Hương", "Thảo", "Trang", "Oanh", "Hằng", "Hiền", "Dung", "Ngọc", "Diệp", "Quế",
]  # fmt: skip
WHEN = ["link", "consent", "address", "name", "year", "province", "end", "link", "link", "end"]


async def test_a_class_at_the_commune_hall(sim, content, tmp_path):
    w = Watch(sim)
    # The admin invites a staff member for the commune; she opens the deep link before consent.
    await sign_up(sim, "admin", name="Hòa")
    await w.press("admin", texts.BTN_STAFF)
    await w.press("admin", texts.BTN_ST_INVITE)
    await w.text("admin", "phu thinh")
    await w.text("admin", "1")
    staff_code = code_in(await w.press("admin", texts.INVITE_KINDS["staff"]))
    replies = await w.send(user="staff", command="start", args=staff_code)
    assert "Cháu đã giữ mã" in replies[1]["text"]
    done = await sign_up(sim, "staff", name="Bình", address="Chú", year="1958")
    said = " ".join(r["text"] for r in done)
    assert "chú đã là cán bộ hội ở Xã Phú Thịnh" in said  # confirmed in words
    assert texts.BTN_STAFF in labels(done)

    # She creates the branch, then a class code for it, with its printable sheet.
    await w.press("staff", texts.BTN_STAFF)
    await w.press("staff", texts.BTN_ST_BRANCH)
    await w.text("staff", "Xóm Đông")
    await w.press("staff", texts.BTN_ST_INVITE)
    replies = await w.press("staff", "unit:branch:1")
    assert texts.INVITE_CLASS_KIND in labels(replies)
    await w.press("staff", texts.INVITE_CLASS_KIND)
    replies = await w.press("staff", texts.ST_CLASS_CAP_BTN.format(n=60))
    code = code_in(replies)
    sheet = replies[0]
    assert f"https://t.me/HocSoBot?start={code}" in sheet["text"]
    kinds = {f["kind"]: f["path"] for f in sheet["files"]}
    with Image.open(kinds["image"]) as png:
        assert png.size == (1240, 1754)  # A4 at 150 dpi
    with open(kinds["document"], "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    # Thirty members join with the one code, at every point of sign-up.
    for i, name in enumerate(NAMES):
        await member_signs_up(w, f"m{i}", code, WHEN[i % len(WHEN)], name)
    assert await rows(sim, "SELECT COUNT(*) FROM users WHERE branch_id = 1") == [(30,)]
    assert await rows(sim, "SELECT uses FROM invitations WHERE code = ?", code) == [(30,)]
    again = await w.text("m0", code)  # scanned twice: nothing used up
    assert "đã ở Chi hội Xóm Đông" in again[0]["text"]

    # The first lesson; two members stop in the middle of it.
    for i in range(28):
        await answer_one_lesson(w, content, f"m{i}")
    for i in (28, 29):
        await w.text(f"m{i}", "hoc bai moi")
        await w.press(f"m{i}", texts.BTN_START_LESSON)
    await w.send(advance_seconds=15 * 60)

    # The staff screen: who joined in the last hour, who is stuck where.
    await w.text("staff", "menu")
    await w.press("staff", texts.BTN_STAFF)
    replies = await w.press("staff", texts.BTN_ST_CLASS)
    view = replies[-1]["text"]
    assert "Vào lớp trong một giờ qua (30)" in view
    assert "Đang dừng lâu (2)" in view
    assert "bà Diệp: bài «" in view and "bà Quế: bài «" in view
    assert f"{code} (30/60 người)" in view

    # An announcement to the branch; members acknowledge it in their own words.
    await w.press("staff", texts.BTN_BACK)
    await w.press("staff", texts.BTN_ST_ANNOUNCE)
    await w.press("staff", "unit:branch:1")
    await w.text("staff", "Thứ Bảy tuần sau học tiếp bài VNeID ở nhà văn hóa.")
    await w.press("staff", texts.BTN_SKIP)
    await w.press("staff", texts.TOPICS["chuyen_doi_so"])
    await w.press("staff", texts.BTN_ST_AUD_ALL)
    await w.press("staff", texts.BTN_ST_NOW)
    await w.press("staff", texts.BTN_ST_SEND)
    delivered = await w.send(advance_seconds=60)
    assert len([r for r in delivered if r.get("to", "").startswith("m")]) == 30
    for i, word in enumerate(["✅ Đã đọc", "da doc", "👍", "đã đọc rồi"] * 5):
        replies = await w.text(f"m{i}", word)
        assert replies[0]["text"].startswith("Cảm ơn bà đã đọc"), (word, replies)
    assert await rows(sim, "SELECT COUNT(*) FROM announcement_acks") == [(20,)]

    # The month-end report, read by the admin in chat.
    await w.send(advance_seconds=8 * 24 * 3600)
    await w.text("admin", "menu")
    await w.press("admin", texts.BTN_STAFF)
    await w.press("admin", texts.BTN_REPORT)
    await w.text("admin", "phu thinh")
    replies = await w.text("admin", "1")
    assert any(f["kind"] == "document" for r in replies for f in r["files"])  # the Excel file
    replies += await w.press("admin", texts.RP_BTN_SUBS)  # the branches, by name
    report = "\n".join(r["text"] for r in replies)
    assert "Phú Thịnh" in report
    assert any("Xóm Đông" in label for label in labels(replies)), labels(replies)
    w.check()
