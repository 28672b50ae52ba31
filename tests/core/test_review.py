"""FSRS scheduling and daily reminders, driven on the simulated clock."""

import datetime as dt

from bot import texts
from bot.core import review
from storage.store import Store
from tests.conftest import START, open_sim
from tests.transcript import correct_index, question_on_screen, sign_up

HOUR = 3600
DAY = 24 * HOUR


async def answer_one_lesson(sim, content, user: str) -> None:
    await sim.text(user, "hoc bai moi")
    replies = await sim.press(user, texts.BTN_START_LESSON)
    while (q := question_on_screen(content, replies)) is None:
        replies = await sim.press(user, "next")
    while q is not None:
        await sim.press(user, f"opt:{correct_index(q)}")
        replies = await sim.press(user, "next")
        q = question_on_screen(content, replies)


async def reminders(sim, seconds: int) -> list[dict]:
    return [r for r in await sim.send(advance_seconds=seconds) if "to" in r]


def test_parse_and_say_times():
    assert review.parse_time("7") == dt.time(7)
    assert review.parse_time("3 gio chieu") == dt.time(15)
    assert review.parse_time("19h") == dt.time(19)
    assert review.parse_time("8:30 toi") == dt.time(20, 30)
    assert review.parse_time("hoc bai") is None
    assert review.say_time("19:30") == "7 giờ 30 tối" and review.say_time("07:00") == "7 giờ sáng"
    assert not review.in_daytime(dt.time(22)) and review.in_daytime(dt.time(20, 30))


async def test_answers_schedule_cards_and_review_asks_what_is_due_first(sim, content):
    await sign_up(sim, "r1")
    await answer_one_lesson(sim, content, "r1")
    conn = sim.engine.db.conn
    cards = await conn.execute_fetchall("SELECT competency, due FROM review_cards")
    assert cards
    now = sim.clock()
    assert await review.due(Store(conn), 1, now) == []  # just practised: nothing due yet
    await sim.send(advance_seconds=2 * DAY)
    due = await review.due(Store(conn), 1, sim.clock())
    assert set(due) == {c for c, _ in cards}
    replies = await sim.text("r1", "ôn tập")
    first = question_on_screen(content, replies)
    assert set(first.competencies) & set(due)


async def test_one_reminder_a_day_at_the_chosen_time_paused_after_three_ignored(tmp_path, content):
    # START is 08:00 in Vietnam; the learner asks for reminders at 9 in the morning.
    sim, db = await open_sim(tmp_path / "r.db")
    await sign_up(sim, "r2", reminder="9 giờ sáng")
    await answer_one_lesson(sim, content, "r2")
    assert await reminders(sim, 30 * 60) == []  # 08:30: not yet, and nothing is due yet
    assert await reminders(sim, DAY + HOUR) == []  # next day 9:30: nothing due yet, no reminder
    sent = await reminders(sim, DAY)  # the day after: the card is due
    assert len(sent) == 1 and sent[0]["text"].startswith("⏰ Chào bà Lan!")
    assert [b["label"] for b in sent[0]["buttons"]] == [texts.BTN_REVIEW_NOW, texts.BTN_LATER]
    assert await reminders(sim, 2 * HOUR) == []  # at most one a day
    await db.close()

    # A restart keeps the count of ignored reminders.
    sim, db = await open_sim(tmp_path / "r.db", now=sim.clock())
    assert len(await reminders(sim, DAY)) == 1
    assert len(await reminders(sim, DAY)) == 1
    paused = await reminders(sim, DAY)  # three ignored: the fourth day says how to resume
    assert len(paused) == 1 and "«bắt đầu»" in paused[0]["text"]
    assert await reminders(sim, DAY) == []
    replies = await sim.text("r2", "bat dau")
    assert replies[0]["text"] == texts.RESUMED.format(ong_ba="bà")
    assert len(await reminders(sim, DAY)) == 1

    # Pressing the reminder's button opens review; writing resets the ignored count.
    replies = await sim.press("r2", texts.BTN_REVIEW_NOW)
    assert replies[0]["text"].startswith("🔁")
    rows = await sim.engine.db.conn.execute_fetchall("SELECT reminders_ignored FROM users")
    assert rows[0][0] == 0
    await db.close()


async def test_no_reminders_after_stop_without_a_time_or_when_blocked(sim, content):
    await sign_up(sim, "a", reminder="7 giờ sáng")
    await sign_up(sim, "b")  # "Không cần nhắc"
    await sign_up(sim, "c", reminder="7 giờ sáng")
    for user in ("a", "b", "c"):
        await answer_one_lesson(sim, content, user)
    replies = await sim.text("a", "dừng")
    assert replies[0]["text"] == "Bà muốn dừng nhận tin nhắc phải không ạ?"
    replies = await sim.text("a", "có")  # only a yes stops them
    assert "không nhắn nhắc nữa" in replies[0]["text"]
    await sim.engine.set_blocked("sim:c", True)
    assert await reminders(sim, 2 * DAY) == []
    await sim.engine.set_blocked("sim:c", False)
    sent = await reminders(sim, DAY)
    assert [r["to"] for r in sent] == ["c"]


async def test_a_failed_review_loses_mastery_and_it_can_be_regained(sim, content):
    await sign_up(sim, "m")
    conn = sim.engine.db.conn
    await answer_one_lesson(sim, content, "m")
    for _ in range(5):  # a lesson and a little review, all right, master its main competency
        mastered = await conn.execute_fetchall("SELECT competency FROM mastery WHERE mastered = 1")
        if mastered:
            break
        replies = await sim.text("m", "ôn tập")
        while (q := question_on_screen(content, replies)) is not None:
            await sim.press("m", f"opt:{correct_index(q)}")
            replies = await sim.press("m", "next")
    assert mastered, "a lesson and review answered right master its main competency"
    comp = mastered[0][0]
    await sim.send(advance_seconds=DAY)
    for _ in range(6):  # answer review questions on that competency wrongly
        replies = await sim.text("m", "ôn tập")
        while (q := question_on_screen(content, replies)) is not None:
            k = (
                next(i for i, o in enumerate(q.options) if not o.correct)
                if comp in q.competencies
                else correct_index(q)
            )
            await sim.press("m", f"opt:{k}")
            replies = await sim.press("m", "next")
        row = await conn.execute_fetchall(
            "SELECT mastered FROM mastery WHERE competency = ?", (comp,)
        )
        if row[0][0] == 0:
            break
    assert row[0][0] == 0
    for _ in range(10):
        replies = await sim.text("m", "ôn tập")
        while (q := question_on_screen(content, replies)) is not None:
            await sim.press("m", f"opt:{correct_index(q)}")
            replies = await sim.press("m", "next")
        row = await conn.execute_fetchall(
            "SELECT mastered FROM mastery WHERE competency = ?", (comp,)
        )
        if row[0][0] == 1:
            break
    assert row[0][0] == 1
    assert sim.clock() > START
