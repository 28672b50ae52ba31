"""«🔎 Kiểm tra tin nghi ngờ» in chat, through the simulator and the real engine."""

import asyncio
import json
import time

import numpy as np
import zxingcpp
from PIL import Image

from bot import texts
from bot.core.events import Event
from bot.scamcheck import check as check_mod
from bot.scamcheck.qr import build_vietqr
from tests.scamcheck.test_images import needs_ocr
from tests.transcript import all_text, sign_up

SCAM = (
    "[Vietcombank] Tai khoan cua Quy khach se bi khoa sau 24h do chua cap nhat sinh trac hoc. "
    "Truy cap vietcombank-xacthuc[.]top de xac thuc ngay."
)


def labels(replies: list[dict]) -> list[str]:
    return [b["label"] for b in replies[-1]["buttons"]]


async def sql(sim, query: str, *args) -> list[tuple]:
    async with sim.engine.db.sql() as conn:
        return [tuple(r) for r in await conn.execute_fetchall(query, args)]


async def conversation_data(sim, user: str) -> str:
    return "".join(r[0] for r in await sql(sim, "SELECT data FROM conversations"))


async def test_the_menu_leads_to_a_verdict_with_signs_what_to_do_and_the_lesson(sim):
    replies = await sign_up(sim, "u1")
    menu = await sim.press("u1", "menu")
    assert texts.BTN_SCAM_CHECK in labels(menu)
    await sim.press("u1", texts.BTN_SCAM_CHECK)
    out = await sim.text("u1", SCAM)
    text = all_text(out)
    assert texts.SCAM_HEAD["scam"] in text
    assert texts.SCAM_SIGNS["link_brand"] in text and "156" in text
    assert "an toàn tuyệt đối" not in text.lower()
    lesson = sim.engine.content.lessons["at-07-tin-nhan-gia"]
    assert texts.BTN_SCAM_LESSON.format(title=lesson.title) in labels(out)
    # the message itself is not kept; only a masked copy while the result is on screen
    assert "Quy khach se bi khoa" in await conversation_data(sim, "u1")
    after = await sim.press("u1", texts.BTN_SCAM_LESSON.format(title=lesson.title))
    assert lesson.title in all_text(after)
    assert "vietcombank-xacthuc" not in await conversation_data(sim, "u1")
    assert replies


async def test_a_pasted_link_outside_a_lesson_is_offered_a_check(sim):
    await sign_up(sim, "u2")
    await sim.press("u2", "menu")
    out = await sim.text("u2", "Bà ơi xem cái này: nhan-qua-tet.vip nhập số điện thoại là được")
    assert out[-1]["text"] == texts.SCAM_OFFER.format(ong_ba="bà")
    out = await sim.press("u2", texts.BTN_SCAM_YES)
    assert texts.SCAM_SIGNS["link_risky_tld"] in all_text(out)
    await sim.press("u2", "menu")
    # declined: nothing of it stays
    await sim.text("u2", "Gọi ngay 0912 345 678 để nhận quà tri ân khách hàng")
    out = await sim.press("u2", texts.BTN_SCAM_NO)
    assert "0912" not in await conversation_data(sim, "u2")
    assert "nhan-qua-tet" not in await conversation_data(sim, "u2")
    assert texts.BTN_SCAM_CHECK in labels(out)


async def test_no_offer_inside_a_lesson(sim):
    await sign_up(sim, "u3")
    await sim.press("u3", "menu")
    await sim.press("u3", texts.BTN_LEARN)
    await sim.press("u3", texts.BTN_START_LESSON)
    out = await sim.text("u3", "xem trang abc-qua.top nhé 0912345678")
    assert texts.SCAM_OFFER.format(ong_ba="bà") not in all_text(out)


async def test_a_photo_outside_a_lesson_is_offered_then_read_and_deleted(sim, tmp_path):
    await sign_up(sim, "u4")
    await sim.press("u4", "menu")
    payload = build_vietqr("970436", "0011001234567", amount="150000", message="TIEN DIEN")
    img = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode).to_image(scale=8)
    photo = tmp_path / "qr.png"
    Image.fromarray(np.array(img)).save(photo)
    out = await sim.send(user="u4", attachment="photo", path=str(photo))
    assert out[-1]["text"] == texts.SCAM_OFFER.format(ong_ba="bà")
    folder = sim.engine.media_dir / "scamcheck"
    assert not folder.exists() or not any(folder.iterdir())  # not downloaded before a yes
    out = await sim.press("u4", texts.BTN_SCAM_YES)
    assert out[-1]["text"] == texts.SCAM_PHOTO_AGAIN.format(Ong_ba="Bà")
    out = await sim.send(user="u4", attachment="photo", path=str(photo))
    text = all_text(out)
    assert "Vietcombank" in text and "0011001234567" in text and "150.000" in text
    assert "TÊN NGƯỜI NHẬN" in text
    assert not any(folder.iterdir())  # read, then deleted
    assert photo.exists()  # the simulator's own file is untouched


async def test_sharing_an_example_needs_a_yes_and_keeps_only_a_masked_copy(sim):
    await sign_up(sim, "u5")
    await sim.press("u5", "menu")
    await sim.press("u5", texts.BTN_SCAM_CHECK)
    msg = "Con đây mẹ, con đổi số mới 0987 111 222, mẹ chuyển gấp 15 triệu vào tài khoản 190355667788 nhé"
    await sim.text("u5", msg)
    out = await sim.press("u5", texts.BTN_SCAM_SHARE)
    assert "0987" not in out[-1]["text"] and "[số]" in out[-1]["text"]
    await sim.press("u5", texts.BTN_SCAM_SHARE_NO)
    assert await sql(sim, "SELECT count(*) FROM scam_examples") == [(0,)]
    await sim.press("u5", texts.BTN_SCAM_CHECK)
    await sim.text("u5", msg)
    await sim.press("u5", texts.BTN_SCAM_SHARE)
    out = await sim.press("u5", texts.BTN_SCAM_SHARE_YES)
    assert texts.SCAM_SHARED.format(ong_ba="bà") in all_text(out)
    (row,) = await sql(sim, "SELECT unit, verdict, signs, text FROM scam_examples")
    unit, verdict, signs, text = row
    assert unit and unit.startswith(("commune:", "province:")) and verdict == "scam"
    assert "family" in json.loads(signs) or "transfer" in json.loads(signs)
    assert "0987" not in text and "190355667788" not in text
    columns = [r[1] for r in await sql(sim, "PRAGMA table_info(scam_examples)")]
    assert not any("user" in c or "identity" in c for c in columns)


async def test_a_slow_check_does_not_hold_up_other_conversations(sim, monkeypatch):
    await sign_up(sim, "slow")
    await sign_up(sim, "other")
    await sim.press("slow", "menu")
    await sim.press("slow", texts.BTN_SCAM_CHECK)
    real = check_mod.check_text

    def slow(text):
        time.sleep(1.0)  # an OCR-sized piece of CPU work
        return real(text)

    monkeypatch.setattr("bot.core.scamcheck.check_text", slow)
    engine = sim.engine
    t0 = time.perf_counter()
    done: dict[str, float] = {}

    async def turn(identity, text):
        await engine.handle(Event.message(identity, text))
        done[identity] = time.perf_counter() - t0

    await asyncio.gather(turn("sim:slow", SCAM), turn("sim:other", "menu"))
    assert done["sim:other"] < 0.5 < done["sim:slow"]


async def test_a_long_forwarded_scam_without_link_or_number_is_offered_too(sim):
    await sign_up(sim, "u6")
    await sim.press("u6", "menu")
    out = await sim.text(
        "u6",
        "Bà ơi con đang cấp cứu ở bệnh viện, con cần tiền mổ gấp, bà chuyển ngay cho bác sĩ "
        "giúp con, đừng nói với bố mẹ con nhé",
    )
    assert out[-1]["text"] == texts.SCAM_OFFER.format(ong_ba="bà")
    out = await sim.press("u6", texts.BTN_SCAM_YES)
    assert texts.SCAM_SIGNS["family"] in all_text(out)


@needs_ocr
async def test_a_screenshot_sent_to_the_checker_is_read_then_deleted(sim, tmp_path):
    from scenarios.render import render
    from scenarios.schema import Screen

    await sign_up(sim, "u7")
    await sim.press("u7", "menu")
    await sim.press("u7", texts.BTN_SCAM_CHECK)
    shot = render(
        Screen(
            kind="sms",
            title="BHXH",
            lines=[
                "Ông được tăng lương hưu. Cập nhật thông tin tại bhxh-luonghuu.top và nhập mã OTP."
            ],
        ),
        tmp_path,
    )
    out = await sim.send(user="u7", attachment="photo", path=str(shot))
    assert texts.SCAM_HEAD["scam"] in all_text(out)
    assert not any((sim.engine.media_dir / "scamcheck").iterdir())


async def checked(sim, user: str, message: str) -> str:
    """A new learner opens the checker from the menu and sends one message: the answer's text."""
    await sign_up(sim, user)
    await sim.press(user, "menu")
    await sim.press(user, texts.BTN_SCAM_CHECK)
    return all_text(await sim.text(user, message))


async def test_a_forwarded_police_warning_is_called_a_warning_not_a_scam(sim):
    out = await checked(
        sim,
        "u9",
        "Công an xã khuyến cáo: tuyệt đối không cung cấp mã OTP, không chuyển tiền cho "
        "người lạ gọi điện xưng là công an.",
    )
    assert texts.SCAM_HEAD["scam"] not in out
    assert "LỜI CẢNH BÁO" in out and "156" in out


async def test_an_answer_from_the_wording_alone_says_so(sim, monkeypatch):
    monkeypatch.setattr(check_mod.model, "default", lambda: _Sure())
    out = await checked(sim, "u10", "Có phải anh vừa dùng máy mới không ạ? Em hỏi chút thôi.")
    assert texts.SCAM_SIGNS["wording"] in out and texts.SCAM_SIGNS_TITLE in out


class _Sure:
    def probability(self, folded: str) -> float:
        return 0.99


async def test_a_link_to_a_page_anyone_opens_is_named_as_such(sim):
    out = await checked(
        sim, "u11", "Tuyển người làm tại nhà 500k/ngày, nhận lương ngay. Liên hệ zalo.me/0912345678"
    )
    assert texts.SCAM_SOCIAL.format(names="Zalo") in out
    assert texts.SCAM_OFFICIAL.format(names="Zalo") not in out
