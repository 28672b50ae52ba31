"""The Telegram channel end to end: real python-telegram-bot, real engine and database, and a
fake Bot API server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random

from bot import texts
from bot.channels.telegram import TEXT_LIMIT
from bot.core.events import Button, Event, OutFile, Reply
from tests.channels.conftest import (
    TelegramPerson,
    default_voice,
    labels,
    telegram_channel,
    tg_lesson,
    tg_sign_up,
)


async def rows(db, sql: str, *args) -> list[tuple]:
    async with db.conn.execute(sql, args) as cur:
        return [tuple(r) async for r in cur]


async def test_sign_up_lesson_and_quiz_through_telegram(tg, fake_tg, db):
    lan = TelegramPerson(fake_tg, 1001)
    await tg_sign_up(lan)
    # Consent came as a message with big reply-keyboard buttons, not inline ones.
    consent = next(c for c in fake_tg.sent(1001) if "đồng ý không" in c.params["text"])
    markup = consent.params["reply_markup"]
    assert markup["resize_keyboard"] is True and markup["is_persistent"] is True
    assert labels(consent) == [texts.BTN_AGREE, texts.BTN_DISAGREE, texts.BTN_MORE]
    assert await rows(db, "SELECT identity, address_form, display_name, birth_year FROM users") == [
        ("telegram:1001", "bà", "Lan", 1955)
    ]

    answers, feedback = await tg_lesson(lan)
    assert answers >= 1 and feedback == answers
    (done,) = await rows(db, "SELECT COUNT(*) FROM lesson_progress WHERE completed_at IS NOT NULL")
    assert done == (1,)
    assert await rows(db, "SELECT COUNT(*) FROM answers") == [(answers,)]
    # The command menu was registered, in Vietnamese.
    assert {c["command"]: c["description"] for c in fake_tg.commands} == texts.TG_COMMANDS


async def test_a_turn_without_buttons_removes_the_keyboard(tg, fake_tg):
    person = TelegramPerson(fake_tg, 1002)
    await tg_sign_up(person)
    await person.send("/help")
    await person.press(texts.BTN_DELETE_ME)
    await person.press(texts.BTN_DELETE_YES)
    assert person.last[-1].params["reply_markup"] == {"remove_keyboard": True}
    assert all("reply_markup" not in c.params for c in person.last[:-1])


async def test_start_with_a_deep_link_argument_shows_consent(tg, fake_tg):
    sent = await fake_tg.turn(1003, fake_tg.command(1003, "start", "chihoi_CH05"))
    assert texts.BTN_AGREE in labels(sent[-1])


async def test_long_text_is_split_at_paragraphs(tg, fake_tg):
    paragraphs = [f"Đoạn {i}: " + "chữ " * 300 for i in range(12)]  # ~1,200 characters each
    await tg.deliver([Reply("telegram:1004", "\n\n".join(paragraphs), [Button("next", "Tiếp")])])
    sent = fake_tg.sent(1004)
    assert len(sent) > 1
    assert all(len(c.params["text"]) <= TEXT_LIMIT for c in sent)
    assert all(c.params["text"].startswith("Đoạn ") for c in sent)  # cut between paragraphs
    assert "\n\n".join(c.params["text"] for c in sent) == "\n\n".join(p.strip() for p in paragraphs)
    assert [labels(c) for c in sent] == [[]] * (len(sent) - 1) + [["Tiếp"]]


async def test_images_and_documents_are_sent_as_photo_and_document(tg, fake_tg, tmp_path):
    image = tmp_path / "vneid.png"
    image.write_bytes(b"\x89PNG fake image bytes")
    doc = tmp_path / "huong_dan.pdf"
    doc.write_bytes(b"%PDF-1.4 fake")
    await tg.deliver(
        [
            Reply(
                "telegram:1005",
                "Đây là hình ạ.",
                files=[OutFile("image", str(image)), OutFile("document", str(doc))],
            )
        ]
    )
    calls = [c for c in fake_tg.calls if c.chat_id == 1005]
    assert [c.method for c in calls] == ["sendPhoto", "sendDocument", "sendMessage"]
    assert calls[0].files["photo"] == image.read_bytes()
    assert calls[1].files["document"] == doc.read_bytes()


async def test_typing_is_shown_only_when_a_reply_takes_a_while(engine, fake_tg):
    channel = telegram_channel(engine, fake_tg, typing_delay=0.1)
    real = engine.handle

    async def slow(event: Event, inbox_id=None):
        if event.text == "chậm":
            await asyncio.sleep(0.4)
        return await real(event, inbox_id)

    engine.handle = slow
    await channel.start()
    try:
        await fake_tg.turn(1006, fake_tg.command(1006, "start"))
        assert not fake_tg.sent(1006, "sendChatAction")
        await fake_tg.turn(1006, fake_tg.text(1006, "chậm"))
        actions = fake_tg.sent(1006, "sendChatAction")
        assert actions and actions[0].params["action"] == "typing"
        last_message = fake_tg.sent(1006)[-1]
        assert actions[0].index < last_message.index
    finally:
        await channel.stop()


class EchoEngine:
    """A stand-in core that answers after a random pause, to expose any reordering."""

    def __init__(self, db):
        self.db = db  # the channel's inbox lives there
        self.clock = lambda: dt.datetime.now(dt.UTC)
        self.active = 0
        self.most_active = 0

    async def handle(self, event: Event, inbox_id: int | None = None) -> list[Reply]:
        self.active += 1
        self.most_active = max(self.most_active, self.active)
        await asyncio.sleep(random.uniform(0, 0.03))
        self.active -= 1
        return [Reply(event.identity, f"echo {event.text}")]


async def test_people_are_served_concurrently_each_strictly_in_order(fake_tg, db):
    echo = EchoEngine(db)
    channel = telegram_channel(echo, fake_tg)
    await channel.start()
    try:
        people, each = 20, 6
        for k in range(each):
            for p in range(people):
                fake_tg.inject(fake_tg.text(2000 + p, f"{p}-{k}"))
        await fake_tg.wait_for(lambda: len(fake_tg.sent()) == people * each, timeout=10)
        for p in range(people):
            assert fake_tg.texts(2000 + p) == [f"echo {p}-{k}" for k in range(each)]
        assert echo.most_active > 1  # different people at the same time
    finally:
        await channel.stop()


async def test_a_repeated_update_is_processed_once_even_after_a_restart(engine, fake_tg, db):
    first = telegram_channel(engine, fake_tg)
    await first.start()
    try:
        update = fake_tg.command(1007, "start")
        update["update_id"] = 500
        fake_tg.inject(update)
        fake_tg.inject(update)  # the same update twice in one batch
        await fake_tg.wait_for(lambda: fake_tg.turn_ends(1007))
        await asyncio.sleep(0.2)
        assert len(fake_tg.turn_ends(1007)) == 1
    finally:
        await first.stop()
    # A new process (nothing in memory) receives it again: the core answers nothing.
    second = telegram_channel(engine, fake_tg)
    await second.start()
    try:
        before = len(fake_tg.sent(1007))
        fake_tg.inject(update)
        fake_tg.inject(fake_tg.text(1007, "Đồng ý"))
        await fake_tg.wait_for(lambda: len(fake_tg.turn_ends(1007)) == 2)
        new = fake_tg.texts(1007)[before:]
        assert not any(texts.WELCOME[:20] in t for t in new)
        assert await rows(db, "SELECT key FROM inbound_events WHERE key = ?", "telegram:update:500")
    finally:
        await second.stop()


async def test_a_429_is_waited_out_without_holding_up_others(tg, fake_tg):
    fake_tg.fail("sendMessage", 429, chat_id=1008, retry_after=1)
    fake_tg.inject(fake_tg.command(1008, "start"))
    await fake_tg.wait_for(lambda: any(c.status == 429 for c in fake_tg.calls))
    refused = next(c for c in fake_tg.calls if c.status == 429)
    others = await fake_tg.turn(1009, fake_tg.command(1009, "start"))
    assert others[-1].at - refused.at < 0.8  # the other person was not made to wait
    await fake_tg.wait_for(lambda: fake_tg.turn_ends(1008), timeout=5)
    retried = fake_tg.sent(1008)
    assert retried[0].at - refused.at >= 0.95  # waited retry_after before trying again
    assert retried[0].params["text"] == refused.params["text"]  # the same message, not lost


async def test_a_person_who_blocks_the_bot_is_no_longer_messaged(tg, fake_tg, db):
    person = TelegramPerson(fake_tg, 1010)
    await tg_sign_up(person)

    fake_tg.block(1010)  # 403 on send marks them blocked
    fake_tg.inject(fake_tg.text(1010, "menu"))
    await fake_tg.wait_for(lambda: any(c.status == 403 for c in fake_tg.calls))
    await fake_tg.wait_for(lambda: not tg.turns.busy(1010))
    assert await rows(db, "SELECT blocked FROM users") == [(1,)]

    before = len(fake_tg.calls)
    tg.push([Reply("telegram:1010", "Nhắc học bài ạ.")])  # a reminder is not even tried
    await asyncio.sleep(0.2)
    assert not [c for c in fake_tg.calls[before:] if c.chat_id == 1010]

    fake_tg.unblock(1010)  # unblocking (my_chat_member: member) restores them
    fake_tg.inject(fake_tg.my_chat_member(1010, "member"))
    await fake_tg.wait_for(lambda: not tg.turns.busy(1010))
    await asyncio.sleep(0.05)
    assert await rows(db, "SELECT blocked FROM users") == [(0,)]
    tg.push([Reply("telegram:1010", "Nhắc học bài ạ.")])
    await fake_tg.wait_for(lambda: fake_tg.texts(1010)[-1] == "Nhắc học bài ạ.")

    fake_tg.inject(fake_tg.my_chat_member(1010, "kicked"))  # blocking says so too
    await fake_tg.wait_for(lambda: not tg.turns.busy(1010))
    await asyncio.sleep(0.05)
    assert await rows(db, "SELECT blocked FROM users") == [(1,)]


async def test_a_failing_handler_apologises_logs_and_keeps_running(
    engine, fake_tg, caplog, monkeypatch
):
    channel = telegram_channel(engine, fake_tg)
    real = engine.handle

    async def flaky(event: Event, inbox_id=None):
        if event.text == "hỏng":
            raise RuntimeError("boom")
        return await real(event, inbox_id)

    monkeypatch.setattr(engine, "handle", flaky)
    await channel.start()
    try:
        with caplog.at_level(logging.ERROR, logger="bot.channels.telegram"):
            uid = fake_tg.inject(fake_tg.text(1011, "hỏng"))
            await fake_tg.wait_for(lambda: fake_tg.texts(1011))
        assert fake_tg.texts(1011) == [default_voice(texts.ERROR)]
        record = next(r for r in caplog.records if f"update {uid} failed" in r.getMessage())
        assert record.exc_info and "boom" in str(record.exc_info[1])
        sent = await fake_tg.turn(1011, fake_tg.command(1011, "start"))  # still running
        assert texts.BTN_AGREE in labels(sent[-1])
    finally:
        await channel.stop()


async def test_stickers_voice_photos_and_locations_get_a_kind_reply(tg, fake_tg):
    for kind, update in [
        ("sticker", fake_tg.sticker(1012)),
        ("voice", fake_tg.voice(1012)),
        ("photo", fake_tg.photo(1012)),
        ("location", fake_tg.location(1012)),
    ]:
        sent = await fake_tg.turn(1012, update)
        expected = default_voice(texts.ATTACHMENT[kind])
        assert sent[0].params["text"] == expected, kind
        assert texts.BTN_AGREE in labels(sent[-1])  # and the choices again


async def test_an_edited_message_is_not_taken_as_a_new_answer(tg, fake_tg, db):
    person = TelegramPerson(fake_tg, 1013)
    await tg_sign_up(person)
    fake_tg.inject(fake_tg.edited(1013, "1"))
    await fake_tg.wait_for(lambda: fake_tg.texts(1013)[-1] == default_voice(texts.EDITED_MESSAGE))
    assert await rows(db, "SELECT COUNT(*) FROM answers") == [(0,)]


async def test_in_groups_only_commands_addressed_to_the_bot_are_answered(tg, fake_tg, db):
    group = -100500
    fake_tg.inject(fake_tg.text(group, "xin chào cả nhà"))
    fake_tg.inject(fake_tg.text(group, "/start@other_bot"))
    fake_tg.inject(fake_tg.text(group, "/start@hocso_test_bot"))
    await fake_tg.wait_for(lambda: fake_tg.sent(group))
    fake_tg.inject(fake_tg.text(group, "/help"))
    await fake_tg.wait_for(lambda: len(fake_tg.sent(group)) == 2)
    await asyncio.sleep(0.1)
    sent = fake_tg.sent(group)
    assert [c.params["text"] for c in sent] == [texts.GROUP_PRIVATE_ONLY] * 2
    button = sent[0].params["reply_markup"]["inline_keyboard"][0][0]
    assert button["text"] == texts.BTN_OPEN_PRIVATE
    assert button["url"] == "https://t.me/hocso_test_bot?start=nhom"
    assert await rows(db, "SELECT COUNT(*) FROM users") == [(0,)]
    assert await rows(db, "SELECT COUNT(*) FROM conversations") == [(0,)]


async def test_an_inline_button_press_is_a_press(tg, fake_tg):
    await tg_sign_up(TelegramPerson(fake_tg, 1014))
    sent = await fake_tg.turn(1014, fake_tg.callback(1014, "menu:progress"))
    assert sent[0].params["text"].startswith("📊")
    assert any(c.method == "answerCallbackQuery" for c in fake_tg.calls)
