"""Pictures and documents for announcements through the real channels: python-telegram-bot and
httpx against the fake Bot API servers, the real engine and database."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PIL import Image

from bot import texts
from bot.core.engine import Engine
from bot.core.events import MAX_FILE_BYTES
from bot.delivery import Row
from tests.channels.conftest import (
    TelegramPerson,
    ZaloPerson,
    telegram_channel,
    tg_sign_up,
    zalo_channel,
    zalo_sign_up,
)
from tests.transcript import voiced

ADMIN_TG = 2001
MEMBER_TG = 2002


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (20, 120, 200)).save(out, "JPEG")
    return out.getvalue()


async def rows(db, sql: str, *args) -> list[tuple]:
    async with db.sql() as conn, conn.execute(sql, args) as cur:
        return [tuple(r) async for r in cur]


def saved_files(engine: Engine) -> list[Path]:
    folder = engine.media_dir / "announcements"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.fixture
async def staff_engine(db, content) -> Engine:
    return Engine(db, content, admins=frozenset({f"telegram:{ADMIN_TG}", "zalo:zadmin"}))


@pytest.fixture
async def tg_staff(staff_engine, fake_tg) -> AsyncIterator:
    channel = telegram_channel(staff_engine, fake_tg)
    await channel.start()
    yield channel
    await channel.stop()


async def open_announcement(admin: TelegramPerson) -> None:
    await admin.press(texts.BTN_STAFF)
    await admin.press(texts.BTN_ST_ANNOUNCE)
    await admin.press("cả nước")
    assert voiced(texts.ST_ANN_FILE_HINT) in admin.said


async def test_a_photo_sent_on_telegram_is_downloaded_and_goes_out_with_the_announcement(
    tg_staff, fake_tg, staff_engine, db
):
    admin = TelegramPerson(fake_tg, ADMIN_TG)
    member = TelegramPerson(fake_tg, MEMBER_TG)
    await tg_sign_up(admin)
    await tg_sign_up(member)

    # A learner's photo: offered a scam check (issue 14), and nothing is fetched from Telegram.
    sent = await fake_tg.turn(MEMBER_TG, fake_tg.photo(MEMBER_TG, jpeg(), caption="Ảnh nhà tôi"))
    assert sent[0].params["text"] == texts.SCAM_OFFER.format(ong_ba="bà")
    assert fake_tg.sent(method="getFile") == [] and fake_tg.downloads == []

    await open_announcement(admin)
    picture = jpeg()
    admin.last = await fake_tg.turn(
        ADMIN_TG,
        fake_tg.photo(ADMIN_TG, picture, caption="Lớp học dùng VNeID sáng thứ Bảy ở nhà văn hóa."),
    )
    assert admin.last[0].params["text"] == texts.ST_ANN_FILE_GOT.format(what="ảnh")
    assert texts.ST_ANN_TOPIC in admin.said
    # The largest size was fetched (getFile, then the download URL), under a name of ours.
    (get_file,) = fake_tg.sent(method="getFile")
    assert get_file.params["file_id"] == "f2"  # f1 was the learner's photo, never fetched
    assert fake_tg.downloads == ["photos/file_2.jpg"]
    (saved,) = saved_files(staff_engine)
    assert saved.read_bytes() == picture and saved.suffix == ".jpg"

    await admin.press(texts.TOPICS["chuyen_doi_so"])
    await admin.press(texts.BTN_ST_AUD_ALL)
    await admin.press(texts.BTN_ST_NOW)
    # The preview shows the picture itself, then the words and the choices.
    assert admin.last[0].method == "sendPhoto"
    assert admin.last[0].files["photo"] == picture
    assert "Lớp học dùng VNeID" in admin.said
    await admin.press(texts.BTN_ST_SEND)
    assert await rows(db, "SELECT file_kind, file_path FROM announcements") == [
        ("image", str(saved))
    ]

    await staff_engine.run_due()
    queued = await rows(
        db, "SELECT id, identity, payload, urgent, attempts FROM outbox ORDER BY identity"
    )
    assert [r[1] for r in queued] == [f"telegram:{ADMIN_TG}", f"telegram:{MEMBER_TG}"]
    assert all(json.loads(r[2])["files"] == [["image", str(saved)]] for r in queued)

    # Through the channel's bulk sending, the member receives the picture, then the words.
    reply = Row(*queued[1]).reply()
    start = len(fake_tg.calls)
    for part in tg_staff.bulk_parts(reply.to, reply):
        await part()
    calls = [c for c in fake_tg.calls[start:] if c.chat_id == MEMBER_TG]
    assert [c.method for c in calls] == ["sendPhoto", "sendMessage"]
    assert calls[0].files["photo"] == picture
    assert "Lớp học dùng VNeID" in calls[1].params["text"]


async def test_oversized_and_unsupported_documents_are_refused_without_a_download(
    tg_staff, fake_tg, staff_engine
):
    admin = TelegramPerson(fake_tg, ADMIN_TG)
    await tg_sign_up(admin)
    await open_announcement(admin)

    huge = fake_tg.document(
        ADMIN_TG, b"%PDF-1.4", "ke_hoach.pdf", "application/pdf", file_size=MAX_FILE_BYTES + 1
    )
    admin.last = await fake_tg.turn(ADMIN_TG, huge)
    assert admin.last[0].params["text"] == voiced(texts.ST_ANN_FILE_TOO_BIG, mb=10)
    assert texts.BTN_BACK in admin.buttons

    zipped = fake_tg.document(ADMIN_TG, b"PK\x03\x04", "anh.zip", "application/zip")
    admin.last = await fake_tg.turn(ADMIN_TG, zipped)
    assert admin.last[0].params["text"] == voiced(texts.ST_ANN_FILE_UNSUPPORTED)
    assert fake_tg.sent(method="getFile") == [] and fake_tg.downloads == []

    # A real PDF is taken, and its caption becomes the words.
    pdf = b"%PDF-1.4\n% ke hoach\n"
    good = fake_tg.document(
        ADMIN_TG, pdf, "Kế hoạch.pdf", "application/pdf", caption="Kế hoạch học tháng 12 ạ."
    )
    admin.last = await fake_tg.turn(ADMIN_TG, good)
    assert admin.last[0].params["text"] == texts.ST_ANN_FILE_GOT.format(what="tệp")
    (saved,) = saved_files(staff_engine)
    assert saved.suffix == ".pdf" and saved.read_bytes() == pdf
    assert "Kế hoạch" not in saved.name


async def test_a_photo_sent_on_zalo_is_fetched_from_its_url(db, content, fake_zalo):
    engine = Engine(db, content, admins=frozenset({"zalo:zadmin"}))
    channel = zalo_channel(engine, fake_zalo)
    await channel.start()
    try:
        admin = ZaloPerson(fake_zalo, channel, "zadmin")
        await zalo_sign_up(admin)
        await admin.send(admin.number_of(texts.BTN_STAFF))
        await admin.send(admin.number_of(texts.BTN_ST_ANNOUNCE))
        await admin.send(admin.number_of("cả nước"))
        await admin.send("Họp chi hội sáng Chủ nhật, mời các bác xem ảnh.")
        assert voiced(texts.ST_ANN_FILE_ASK) in admin.said

        async def send_photo(data: bytes) -> str:
            start = len(fake_zalo.calls)
            fake_zalo.inject(fake_zalo.image("zadmin", data))
            await fake_zalo.wait_for(
                lambda: (
                    fake_zalo.messages_after("zadmin", start) and not channel.turns.busy("zadmin")
                )
            )
            return "\n".join(c.params["text"] for c in fake_zalo.messages_after("zadmin", start))

        # Zalo says nothing of the size: the download stops past the limit.
        huge = jpeg() + b"\0" * MAX_FILE_BYTES
        said = await send_photo(huge)
        assert said.startswith(voiced(texts.ST_ANN_FILE_TOO_BIG, mb=10))
        assert saved_files(engine) == []

        picture = jpeg()
        said = await send_photo(picture)
        assert texts.ST_ANN_FILE_GOT.format(what="ảnh") in said
        assert fake_zalo.downloads == ["photo1.jpg", "photo2.jpg"]
        (saved,) = saved_files(engine)
        assert saved.read_bytes() == picture
    finally:
        await channel.stop()
