"""Fixtures for channel tests: the real engine and database, fake platform servers on
127.0.0.1, and the real channels (python-telegram-bot, httpx) pointed at them."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import pytest

from bot import texts
from bot.channels.telegram import TelegramChannel
from bot.channels.zalo import ZaloChannel
from bot.core.engine import Engine
from storage.db import Database
from tests.fakes import FakeTelegram, FakeZalo
from tests.fakes.base import Call


@pytest.fixture
async def db(tmp_path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "channels.db")
    yield database
    await database.close()


@pytest.fixture
async def engine(db, content) -> Engine:
    return Engine(db, content)


def telegram_channel(engine: Engine, fake: FakeTelegram, **kw) -> TelegramChannel:
    kw.setdefault("poll_timeout", 1.0)
    return TelegramChannel(engine, fake.token, base_url=fake.base_url, **kw)


def zalo_channel(engine: Engine, fake: FakeZalo, **kw) -> ZaloChannel:
    kw.setdefault("poll_timeout", 1.0)
    return ZaloChannel(engine, fake.token, base_url=fake.base_url, **kw)


@pytest.fixture
async def tg(engine, fake_tg) -> AsyncIterator[TelegramChannel]:
    channel = telegram_channel(engine, fake_tg)
    await channel.start()
    yield channel
    await channel.stop()


@pytest.fixture
async def zalo(engine, fake_zalo) -> AsyncIterator[ZaloChannel]:
    channel = zalo_channel(engine, fake_zalo)
    await channel.start()
    yield channel
    await channel.stop()


def default_voice(template: str) -> str:
    form = texts.DEFAULT_ADDRESS
    return template.format(ong_ba=form, Ong_ba=form.capitalize())


# --- Telegram: a person pressing reply-keyboard buttons ---


def labels(call: Call) -> list[str]:
    """The reply-keyboard labels a message carries (empty if none or removed)."""
    markup = call.params.get("reply_markup") or {}
    return [b["text"] for row in markup.get("keyboard", []) for b in row]


class TelegramPerson:
    """One person chatting through the fake server: types text, presses keyboard buttons."""

    def __init__(self, fake: FakeTelegram, chat_id: int):
        self.fake = fake
        self.chat_id = chat_id
        self.last: list[Call] = []

    async def send(self, text: str) -> list[Call]:
        self.last = await self.fake.turn(self.chat_id, self.fake.text(self.chat_id, text))
        return self.last

    async def press(self, label: str) -> list[Call]:
        assert label in self.buttons, (label, self.buttons)
        return await self.send(label)

    @property
    def buttons(self) -> list[str]:
        return labels(self.last[-1]) if self.last else []

    @property
    def said(self) -> str:
        return "\n".join(c.params.get("text", "") for c in self.last)


async def tg_sign_up(person: TelegramPerson) -> None:
    await person.send("/start")
    assert texts.BTN_AGREE in person.buttons
    await person.press(texts.BTN_AGREE)
    await person.press("Bà")
    await person.send("Lan")
    await person.send("1955")
    await person.send("thai nguyen")
    await person.press(person.buttons[0])
    await person.send("phu thinh")
    await person.press(person.buttons[0])
    await person.press(texts.BTN_NO_REMINDER)
    await person.press(texts.BTN_SKIP)  # the optional sex and groups
    assert "Đăng ký xong" in person.said, person.said
    assert texts.BTN_LEARN in person.buttons


_OPTION = re.compile(r"^\d+\. ")


async def tg_lesson(person: TelegramPerson) -> tuple[int, int]:
    """Take the suggested lesson to its end, answering each question with its first option.
    Returns (answers given, feedback messages seen)."""
    await person.press(texts.BTN_LEARN)
    await person.press(
        texts.BTN_RESUME if texts.BTN_RESUME in person.buttons else texts.BTN_START_LESSON
    )
    answers = feedback = 0
    for _ in range(40):
        if person.said.startswith("Xong bài") or "Xong bài" in person.said:
            return answers, feedback
        if person.buttons and all(_OPTION.match(b) for b in person.buttons):
            await person.press(person.buttons[0])
            answers += 1
            feedback += person.said.startswith(("✅", "❌"))
        else:
            await person.press(texts.BTN_NEXT)
    raise AssertionError(f"lesson did not end: {person.said}")


# --- Zalo: a person typing numbers and words ---


class ZaloPerson:
    """One person typing to the bot on Zalo. A turn is over when the channel has no more work
    for them; with the bot in another process (`channel=None`), when it has gone quiet."""

    QUIET = 0.15

    def __init__(self, fake: FakeZalo, channel: ZaloChannel | None, user_id: str):
        self.fake = fake
        self.channel = channel
        self.user_id = user_id
        self.last: list[Call] = []

    async def send(self, text: str, timeout: float = 5.0) -> list[Call]:
        start = len(self.fake.calls)
        self.fake.inject(self.fake.text(self.user_id, text))

        def answered() -> bool:
            if not self.fake.messages_after(self.user_id, start):
                return False
            return self.channel is None or not self.channel.turns.busy(self.user_id)

        await self.fake.wait_for(answered, timeout)
        if self.channel is None:
            while True:
                n = len(self.fake.messages_after(self.user_id, start))
                await asyncio.sleep(self.QUIET)
                if len(self.fake.messages_after(self.user_id, start)) == n:
                    break
        self.last = self.fake.messages_after(self.user_id, start)
        return self.last

    @property
    def said(self) -> str:
        return "\n\n".join(c.params["text"] for c in self.last)

    def choices(self) -> list[str]:
        """The numbered choices in the last message, as "1. …" lines."""
        text = self.last[-1].params["text"] if self.last else ""
        return [line for line in text.splitlines() if _OPTION.match(line)]

    def number_of(self, label: str) -> str:
        for line in self.choices():
            if line.split(". ", 1)[1].strip() == label:
                return line.split(".", 1)[0]
        raise AssertionError(f"{label!r} not among {self.choices()}")


async def zalo_sign_up(person: ZaloPerson) -> None:
    await person.send("/start")
    assert texts.ZALO_CHOOSE_HINT in person.said
    await person.send(person.number_of(texts.BTN_AGREE))
    await person.send(person.number_of("Bà"))
    await person.send("Lan")
    await person.send("1955")
    await person.send("thai nguyen")
    await person.send("1")
    await person.send("phu thinh")
    await person.send("1")
    await person.send("không cần nhắc")
    await person.send(person.number_of(texts.BTN_SKIP))  # the optional sex and groups
    assert "Đăng ký xong" in person.said, person.said


async def zalo_lesson(person: ZaloPerson) -> int:
    """Take the suggested lesson to its end by typing; returns the number of answers given."""
    await person.send(person.number_of(texts.BTN_LEARN))
    await person.send("1")  # Bắt đầu / Học tiếp: the first choice either way
    answers = 0
    for _ in range(40):
        if "Xong bài" in person.said:
            return answers
        if person.last[-1].params["text"].startswith("❓"):
            await person.send("1")
            answers += 1
        else:
            await person.send("tiếp")
    raise AssertionError(f"lesson did not end: {person.said}")
