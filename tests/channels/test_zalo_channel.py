"""The Zalo channel end to end: httpx against a fake Zalo Bot Platform on 127.0.0.1, the real
engine and database."""

from __future__ import annotations

import asyncio
import logging

from bot import texts
from bot.channels.zalo import TEXT_LIMIT
from bot.core.events import Button, Event, Reply
from tests.channels.conftest import (
    ZaloPerson,
    default_voice,
    zalo_channel,
    zalo_lesson,
    zalo_sign_up,
)


async def rows(db, sql: str, *args) -> list[tuple]:
    async with db.conn.execute(sql, args) as cur:
        return [tuple(r) async for r in cur]


async def test_sign_up_lesson_and_quiz_by_typing_numbers(zalo, fake_zalo, db):
    lan = ZaloPerson(fake_zalo, zalo, "z-lan")
    await lan.send("/start")
    consent = lan.last[-1].params["text"]
    # No buttons on Zalo: the choices are a numbered list with a hint.
    assert f"1. {texts.BTN_AGREE}\n2. {texts.BTN_DISAGREE}\n3. {texts.BTN_MORE}" in consent
    assert consent.endswith(texts.ZALO_CHOOSE_HINT)
    await zalo_sign_up(lan)
    assert await rows(db, "SELECT identity, display_name, birth_year FROM users") == [
        ("zalo:z-lan", "Lan", 1955)
    ]
    answers = await zalo_lesson(lan)
    assert answers >= 1
    assert await rows(db, "SELECT COUNT(*) FROM answers") == [(answers,)]
    assert await rows(
        db, "SELECT COUNT(*) FROM lesson_progress WHERE completed_at IS NOT NULL"
    ) == [(1,)]


async def test_choices_already_numbered_in_the_text_are_not_listed_twice(zalo, fake_zalo):
    text = "❓ Câu hỏi 1/3\nChọn đi ạ.\n\n1. Có\n2. Không"
    await zalo.deliver(
        [Reply("zalo:z1", text, [Button("opt:0", "1. Có"), Button("opt:1", "2. Không")])]
    )
    (sent,) = fake_zalo.sent("z1")
    assert sent.params["text"] == f"{text}\n\n{texts.ZALO_CHOOSE_HINT}"


async def test_messages_over_2000_characters_are_split_at_paragraphs(zalo, fake_zalo):
    paragraphs = [f"Đoạn {i}: " + "chữ " * 120 for i in range(10)]  # ~490 characters each
    await zalo.deliver([Reply("zalo:z2", "\n\n".join(paragraphs))])
    sent = fake_zalo.sent("z2")
    assert len(sent) >= 3
    assert all(len(c.params["text"]) <= TEXT_LIMIT for c in sent)
    assert all(c.params["text"].startswith("Đoạn ") for c in sent)


async def test_a_repeated_message_is_answered_once(zalo, fake_zalo, engine):
    update = fake_zalo.text("z3", "/start")
    fake_zalo.inject(update)
    fake_zalo.inject(update)
    await fake_zalo.wait_for(lambda: len(fake_zalo.sent("z3")) >= 2)
    await asyncio.sleep(0.3)
    assert len(fake_zalo.sent("z3")) == 2  # welcome + consent, once


async def test_a_429_is_waited_out_without_holding_up_others(zalo, fake_zalo):
    fake_zalo.fail("sendMessage", 429, chat_id="z4", retry_after=1)
    fake_zalo.inject(fake_zalo.text("z4", "/start"))
    await fake_zalo.wait_for(lambda: any(c.status == 429 for c in fake_zalo.calls))
    refused = next(c for c in fake_zalo.calls if c.status == 429)
    other = ZaloPerson(fake_zalo, zalo, "z5")
    await other.send("/start")
    assert other.last[0].at - refused.at < 0.8
    await fake_zalo.wait_for(lambda: len(fake_zalo.sent("z4")) == 2, timeout=5)
    assert fake_zalo.sent("z4")[0].at - refused.at >= 0.95


async def test_a_403_marks_the_person_blocked(zalo, fake_zalo, db):
    person = ZaloPerson(fake_zalo, zalo, "z6")
    await zalo_sign_up(person)
    fake_zalo.block("z6")
    fake_zalo.inject(fake_zalo.text("z6", "menu"))
    await fake_zalo.wait_for(lambda: any(c.status == 403 for c in fake_zalo.calls))
    await fake_zalo.wait_for(lambda: not zalo.turns.busy("z6"))
    assert await rows(db, "SELECT blocked FROM users") == [(1,)]
    before = len(fake_zalo.calls)
    zalo.push([Reply("zalo:z6", "Nhắc học bài ạ.")])
    await asyncio.sleep(0.2)
    assert not [c for c in fake_zalo.calls[before:] if c.chat_id == "z6"]


async def test_images_and_stickers_get_a_kind_reply(zalo, fake_zalo):
    person = ZaloPerson(fake_zalo, zalo, "z7")
    await person.send("/start")
    for kind, update in [("photo", fake_zalo.image("z7")), ("sticker", fake_zalo.sticker("z7"))]:
        start = len(fake_zalo.calls)
        fake_zalo.inject(update)
        await fake_zalo.wait_for(
            lambda s=start: fake_zalo.messages_after("z7", s) and not zalo.turns.busy("z7")
        )
        first = fake_zalo.messages_after("z7", start)[0]
        assert first.params["text"] == default_voice(texts.ATTACHMENT[kind])


async def test_a_failing_turn_apologises_and_the_bot_keeps_running(
    engine, fake_zalo, caplog, monkeypatch
):
    channel = zalo_channel(engine, fake_zalo)
    real = engine.handle

    async def flaky(event: Event, inbox_id=None):
        if event.text == "hỏng":
            raise RuntimeError("boom")
        return await real(event, inbox_id)

    monkeypatch.setattr(engine, "handle", flaky)
    await channel.start()
    try:
        with caplog.at_level(logging.ERROR, logger="bot.channels.zalo"):
            mid = fake_zalo.inject(fake_zalo.text("z8", "hỏng"))
            await fake_zalo.wait_for(lambda: fake_zalo.texts("z8"))
        assert fake_zalo.texts("z8") == [default_voice(texts.ERROR)]
        assert any(mid in r.getMessage() and r.exc_info for r in caplog.records)
        person = ZaloPerson(fake_zalo, channel, "z8")
        await person.send("/start")
        assert texts.BTN_AGREE in person.said
    finally:
        await channel.stop()


async def test_in_groups_only_commands_are_answered(zalo, fake_zalo, db):
    fake_zalo.inject(fake_zalo.text("z9", "xin chào", chat_type="GROUP"))
    fake_zalo.inject(fake_zalo.text("z9", "/start", chat_type="GROUP"))
    await fake_zalo.wait_for(lambda: fake_zalo.sent("g-z9"))
    await asyncio.sleep(0.2)
    assert fake_zalo.texts("g-z9") == [texts.GROUP_PRIVATE_ONLY_ZALO]
    assert await rows(db, "SELECT COUNT(*) FROM users") == [(0,)]


async def test_polling_survives_server_errors(zalo, fake_zalo):
    fake_zalo.fail("getUpdates", 500, times=1)
    await asyncio.sleep(0.1)
    person = ZaloPerson(fake_zalo, zalo, "z10")
    await person.send("/start", timeout=8)
    assert texts.BTN_AGREE in person.said
