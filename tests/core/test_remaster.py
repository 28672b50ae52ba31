"""Moving stored mastery to a new model: recomputed from the answer events, once, at start-up,
with the report counters following (and agreeing with the recomputation from raw events)."""

from __future__ import annotations

from bot.config import Settings
from bot.core import mastery, remaster
from bot.reports.compute import build
from bot.reports.naive import recompute
from bot.runtime import open_engine
from lessons.schema import NATIONAL_AREAS
from tests.conftest import open_sim
from tests.reports.test_equivalence import check, today
from tests.transcript import (
    correct_index,
    press_lesson,
    question_on_screen,
    sign_up,
    wrong_index,
)


async def test_old_inflated_mastery_is_recomputed_once_and_the_reports_follow(tmp_path, content):
    path = tmp_path / "old.db"
    sim, db = await open_sim(path)
    await sign_up(sim, "lan")
    # One lesson with 2 of 4 right and a review question: the case from issue 9.
    lesson = content.lessons_in("an_toan")[0]
    await sim.text("lan", "menu")
    for press in ("menu:learn", "other", "area:an_toan", f"lesson:{lesson.id}"):
        replies = await sim.press("lan", press)
    while (q := question_on_screen(content, replies)) is None:
        replies = await sim.press("lan", "next")
    i = 0
    while q is not None:
        await sim.press("lan", f"opt:{correct_index(q) if i < 2 else wrong_index(q)}")
        replies = await sim.press("lan", "next")
        q, i = question_on_screen(content, replies), i + 1
    conn = db.conn
    answers = await conn.execute_fetchall("SELECT COUNT(*) FROM answers")
    assert await conn.execute_fetchall("SELECT * FROM mastery WHERE mastered = 1") == []

    # What an older model left behind: everything mastered, every area, proficient.
    await conn.execute("UPDATE mastery SET mastered = 1, p_known = 0.97")
    for area in content.areas:
        await conn.execute(
            "INSERT INTO area_mastery VALUES (1, ?, 1, '2026-11-23T01:00:00+00:00')"
            " ON CONFLICT DO UPDATE SET mastered = 1",
            (area,),
        )
    await conn.execute("UPDATE users SET proficient = 1 WHERE identity = 'sim:lan'")
    await conn.execute("DELETE FROM meta WHERE key = ?", (remaster.META_KEY,))
    counters = await build(db.store, "all", today(sim), today(sim), record_baseline=False)
    assert counters.proficient.count == 1
    await db.close()

    async with open_engine(Settings(), path, sim.clock) as engine:  # start-up recomputes
        conn = engine.db.conn
        assert await conn.execute_fetchall("SELECT COUNT(*) FROM answers") == answers
        assert await conn.execute_fetchall("SELECT * FROM mastery WHERE mastered = 1") == []
        assert await conn.execute_fetchall("SELECT area FROM area_mastery WHERE mastered = 1") == []
        proficient = await conn.execute_fetchall("SELECT proficient FROM users")
        assert [tuple(r) for r in proficient] == [(0,)]
        meta = await conn.execute_fetchall(
            "SELECT value FROM meta WHERE key = ?", (remaster.META_KEY,)
        )
        assert [tuple(r) for r in meta] == [(mastery.MODEL_VERSION,)]
        # The estimates are what the model gives for the answers, to the last bit.
        learner = mastery.Learner(mastery.model_for(engine.content, engine.scenarios))
        for qid, lesson_id, context, correct in await conn.execute_fetchall(
            "SELECT question_id, lesson_id, context, correct FROM answers ORDER BY answered_at, id"
        ):
            learner.observe(qid, lesson_id, context, bool(correct))
        stored = {
            r[0]: r[1]
            for r in await conn.execute_fetchall("SELECT competency, p_known FROM mastery")
        }
        assert stored == learner.p
        # The counters followed: today's report agrees with the recomputation from events.
        sim.engine = engine
        for unit in ("all", "province:19", "commune:5800"):
            report, naive = await check(sim, unit)
            assert report.proficient.count == naive["proficient"] == 0
            assert all(f.count == 0 for f in report.areas.values())
    async with (
        open_engine(Settings(), path, sim.clock) as engine,  # only once
        engine.db.transaction() as store,
    ):
        assert await remaster.migrate(store, engine.content, engine.scenarios, sim.clock()) == 0


async def test_a_learner_who_earned_it_keeps_it(tmp_path, content):
    """Recomputing a database already on the model changes nothing a report shows."""
    path = tmp_path / "fine.db"
    sim, db = await open_sim(path)
    await sign_up(sim, "cuc")
    for lesson in content.lessons_in("mua_sam"):
        await sim.text("cuc", "menu")
        for press in ("menu:learn", "other", "area:mua_sam"):
            replies = await sim.press("cuc", press)
        replies = await press_lesson(sim, "cuc", replies, lesson.id)  # five at a time
        while True:
            q = question_on_screen(content, replies)
            ids = [b["id"] for b in replies[-1]["buttons"]]
            if q is not None:
                await sim.press("cuc", f"opt:{correct_index(q)}")
                replies = await sim.press("cuc", "next")
            elif "next" in ids:
                replies = await sim.press("cuc", "next")
            else:
                break
    before = await db.conn.execute_fetchall(
        "SELECT competency, p_known, mastered, attempts, correct FROM mastery ORDER BY 1"
    )
    areas = await db.conn.execute_fetchall("SELECT area, mastered FROM area_mastery ORDER BY 1")
    assert ("mua_sam", 1) in [tuple(r) for r in areas]
    await db.conn.execute("DELETE FROM meta WHERE key = ?", (remaster.META_KEY,))
    async with db.transaction() as store:
        assert await remaster.migrate(store, sim.engine.content, sim.engine.scenarios, sim.clock())
    after = await db.conn.execute_fetchall(
        "SELECT competency, p_known, mastered, attempts, correct FROM mastery ORDER BY 1"
    )
    assert [tuple(r) for r in after] == [tuple(r) for r in before]
    again = await db.conn.execute_fetchall("SELECT area, mastered FROM area_mastery ORDER BY 1")
    assert [tuple(r) for r in again] == [tuple(r) for r in areas]
    naive = await recompute(db.store, content, sim.engine.scenarios, "all", today(sim))
    assert naive["areas"]["mua_sam"] == 1 and naive["proficient"] == 0
    assert set(NATIONAL_AREAS) > {"mua_sam"}
    await db.close()
