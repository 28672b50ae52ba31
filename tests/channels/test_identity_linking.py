"""One person on Telegram and Zalo: a one-time code shown on one channel and typed on the other
merges their progress into one learner, whom both identities then reach."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from bot import texts
from bot.channels.simulator import SimClock
from bot.core import linking
from bot.core import mastery as bkt
from bot.core.engine import Engine
from bot.core.events import Event, Reply
from tests.channels.conftest import TelegramPerson, ZaloPerson, tg_lesson, tg_sign_up

START = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)
TG, ZL = "telegram:77", "zalo:abc"


def voice(template: str, form: str = "bà", **kw) -> str:
    return template.format(ong_ba=form, Ong_ba=form.capitalize(), **kw)


class Person:
    """Talks to the engine directly, pressing buttons by label like the channels do."""

    def __init__(self, engine: Engine, identity: str):
        self.engine = engine
        self.identity = identity
        self.last: list[Reply] = []

    async def say(self, text: str) -> list[Reply]:
        self.last = await self.engine.handle(Event.message(self.identity, text))
        return self.last

    async def press(self, label: str) -> list[Reply]:
        self.last = await self.engine.handle(Event.button(self.identity, label))
        return self.last

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.last)

    @property
    def buttons(self) -> list[str]:
        return [b.label for b in self.last[-1].buttons] if self.last else []

    async def sign_up(self, name: str = "Lan") -> None:
        self.last = await self.engine.handle(Event.cmd(self.identity, "start"))
        await self.press(texts.BTN_AGREE)
        await self.press("Bà")
        await self.say(name)
        await self.say("1955")
        await self.say("thai nguyen")
        await self.press(self.buttons[0])
        await self.say("phu thinh")
        await self.press(self.buttons[0])
        await self.press(texts.BTN_NO_REMINDER)
        await self.press(texts.BTN_SKIP)  # the optional sex and groups
        assert "Đăng ký xong" in self.text

    async def lesson(self, answer: int = 0) -> None:
        await self.press(texts.BTN_LEARN)
        await self.press(
            texts.BTN_RESUME if texts.BTN_RESUME in self.buttons else texts.BTN_START_LESSON
        )
        for _ in range(40):
            if "Xong bài" in self.text:
                return
            if self.buttons and all(re.match(r"^\d+\. ", b) for b in self.buttons):
                await self.press(self.buttons[answer % len(self.buttons)])
            else:
                await self.press(texts.BTN_NEXT)
        raise AssertionError(self.text)

    async def code(self) -> str:
        await self.say("liên kết")
        m = re.search(r"(\d{3}) (\d{3})", self.last[0].text)
        assert m, self.last[0].text
        return m.group(1) + m.group(2)


@pytest.fixture
def clock() -> SimClock:
    return SimClock(START)


@pytest.fixture
def eng(db, content, clock) -> Engine:
    return Engine(db, content, clock)


async def rows(db, sql: str, *args) -> list[tuple]:
    async with db.conn.execute(sql, args) as cur:
        return [tuple(r) async for r in cur]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("liên kết", (True, None)),
        ("Lien ket", (True, None)),
        ("liên kết tài khoản", (True, None)),
        ("liên kết 123456", (True, "123456")),
        ("LIÊN KẾT mã 123 456", (True, "123456")),
        ("liên kết với zalo 12345", (True, "")),
        ("liên kết này hay quá", (False, None)),
        ("kết nối", (False, None)),
        ("123456", (False, None)),
    ],
)
def test_parse(typed, expected):
    assert linking.parse(typed) == expected


async def test_a_new_identity_joins_a_learner_and_continues_where_they_are(eng, db):
    tg, zl = Person(eng, TG), Person(eng, ZL)
    await tg.sign_up()
    await tg.lesson()
    await zl.say("liên kết")  # nothing to show a code for on this side yet
    assert zl.last[0].text == voice(texts.LINK_HOW, "bác")

    code = await tg.code()
    assert tg.last[0].text == voice(
        texts.LINK_CODE, code=f"{code[:3]} {code[3:]}", other="Zalo", minutes=15
    )
    assert tg.buttons  # the menu stays on screen
    await zl.say(f"lien ket {code[:3]} {code[3:]}")
    assert zl.last[0].text == voice(texts.LINK_DONE)
    assert texts.BTN_PROGRESS in zl.buttons  # the learner's own menu, addressed as "bà"

    assert await rows(db, "SELECT identity FROM users") == [(TG,)]
    assert await rows(db, "SELECT identity FROM identities") == [(ZL,)]
    await zl.press(texts.BTN_PROGRESS)
    assert zl.last[0].text.startswith("📊 Tiến độ của bà Lan:")
    await zl.say(f"liên kết {code}")  # a code works once
    assert zl.last[0].text == voice(texts.LINK_BAD_CODE)


async def test_two_learners_are_merged_and_their_progress_added_up(eng, db, content):
    tg, zl = Person(eng, TG), Person(eng, ZL)
    await tg.sign_up("Lan")
    await tg.lesson(answer=0)
    await zl.sign_up("Hoa")
    await zl.lesson(answer=1)
    before = await rows(db, "SELECT COUNT(*) FROM answers")
    attempts = await rows(db, "SELECT competency, SUM(attempts) FROM mastery GROUP BY competency")

    await zl.say("liên kết " + await tg.code())
    assert zl.last[0].text == voice(texts.LINK_DONE)

    (user,) = await rows(db, "SELECT id, identity, display_name FROM users")
    assert user[1:] == (TG, "Lan")  # the learner who showed the code keeps their profile
    assert await rows(db, "SELECT COUNT(*) FROM answers WHERE user_id = ?", user[0]) == before
    merged = await rows(db, "SELECT competency, attempts FROM mastery WHERE user_id = ?", user[0])
    assert sorted(merged) == sorted(attempts)  # every attempt counted, nothing lost
    completed = await rows(
        db, "SELECT COUNT(*) FROM lesson_progress WHERE completed_at IS NOT NULL"
    )
    assert completed == [(1,)]  # the same first lesson, done on both sides
    assert await rows(db, "SELECT COUNT(*) FROM conversations") == [(1,)]
    # Each estimate is what all the answers, in time order, give (as on one channel).
    expected: dict[str, float] = {}
    for qid, correct in await rows(
        db, "SELECT question_id, correct FROM answers ORDER BY answered_at, id"
    ):
        lesson, q = content.questions[qid]
        params = bkt.question_params(lesson, q)
        for comp in q.competencies:
            expected[comp] = bkt.update(expected.get(comp, params.prior), bool(correct), params)
    stored = dict(await rows(db, "SELECT competency, p_known FROM mastery"))
    assert stored.keys() == expected.keys()
    assert all(abs(stored[c] - expected[c]) < 1e-9 for c in stored)

    # Blocking is per channel: Zalo blocked does not silence Telegram.
    await eng.set_blocked(ZL, True)
    assert await eng.is_blocked(ZL) and not await eng.is_blocked(TG)
    await eng.set_blocked(ZL, False)
    assert not await eng.is_blocked(ZL)

    # Deleting one's data from either side deletes the learner and every linked identity.
    await zl.press(texts.BTN_HELP)
    await zl.press(texts.BTN_DELETE_ME)
    await zl.press(texts.BTN_DELETE_YES)
    assert await rows(db, "SELECT COUNT(*) FROM users") == [(0,)]
    assert await rows(db, "SELECT COUNT(*) FROM identities") == [(0,)]


async def test_wrong_expired_and_same_channel_codes(eng, db, clock):
    tg, zl = Person(eng, TG), Person(eng, ZL)
    await tg.sign_up()
    code = await tg.code()
    await tg.say(f"liên kết {code}")
    assert tg.last[0].text == voice(texts.LINK_SAME_CHANNEL, other="Zalo")

    clock.advance(16 * 60)
    await zl.say(f"liên kết {code}")
    assert zl.last[0].text == voice(texts.LINK_BAD_CODE, "bác")

    code = await tg.code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(linking.MAX_FAILURES - 1):  # the expired code above was the first failure
        await zl.say(f"liên kết {wrong}")
        assert zl.last[0].text == voice(texts.LINK_BAD_CODE, "bác")
    await zl.say(f"liên kết {code}")  # even the right code, until the hour has passed
    assert zl.last[0].text == voice(texts.LINK_TOO_MANY, "bác")
    assert await rows(db, "SELECT COUNT(*) FROM identities") == [(0,)]
    clock.advance(61 * 60)
    code = await tg.code()
    await zl.say(f"liên kết {code}")
    assert zl.last[0].text == voice(texts.LINK_DONE)
    await zl.say(f"liên kết {await tg.code()}")
    assert zl.last[0].text == voice(texts.LINK_ALREADY)


async def test_linking_through_the_real_channels(tg, fake_tg, zalo, fake_zalo, db):
    lan_tg = TelegramPerson(fake_tg, 5001)
    await tg_sign_up(lan_tg)
    await tg_lesson(lan_tg)
    await lan_tg.send("liên kết")
    code = re.search(r"(\d{3} \d{3})", lan_tg.said).group(1)
    lan_zalo = ZaloPerson(fake_zalo, zalo, "z-lan")
    await lan_zalo.send(f"liên kết {code}")
    assert voice(texts.LINK_DONE) in lan_zalo.said
    await lan_zalo.send(lan_zalo.number_of(texts.BTN_PROGRESS))
    assert lan_zalo.said.startswith("📊 Tiến độ của bà Lan:")
    assert await rows(db, "SELECT identity, user_id FROM identities") == [("zalo:z-lan", 1)]
