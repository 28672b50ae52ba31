"""store.progress: answers as events, mastery and areas beside them, lessons, review cards, and
the row moves a merge of two learners is made of."""

from __future__ import annotations

import pytest

from storage.repos import LessonRow, MasteryRow, iso
from tests.storage.contract import DAY, HOUR, MINUTE, NOW, learner


@pytest.fixture
async def uid(backend) -> int:
    async with backend.transaction() as s:
        return (await learner(s, "telegram:1")).id


@pytest.fixture
async def other(backend) -> int:
    async with backend.transaction() as s:
        return (await learner(s, "telegram:2")).id


async def test_answers_newest_first_and_oldest_first(backend, tx, uid, other):
    async with backend.transaction() as s:
        p = s.progress
        await p.record_answer(uid, "q2", "l1", 1, False, "lesson", NOW + MINUTE)
        await p.record_answer(uid, "q1", "l1", 0, True, "lesson", NOW)  # recorded later, earlier
        await p.record_answer(uid, "q3", "l2", 2, True, "review", NOW + MINUTE)
        await p.record_answer(other, "q9", "l9", 0, True, "lesson", NOW)
    async with backend.reading() as s:
        p = s.progress
        # recent: by recording order, newest first, with a limit
        assert await p.recent_questions(uid) == ["q3", "q1", "q2"]
        assert await p.recent_questions(uid, limit=2) == ["q3", "q1"]
        # in order: by answer time, then recording order
        assert await p.answers_in_order(uid) == [("q1", True), ("q2", False), ("q3", True)]
        assert await p.answers_in_order(other) == [("q9", True)]


async def test_an_answer_is_checked(tx, uid, integrity_error):
    with pytest.raises(integrity_error):  # context is one of lesson, review, scenario
        await tx(lambda s: s.progress.record_answer(uid, "q", "l", 0, True, "quiz", NOW))
    with pytest.raises(integrity_error):  # the learner must exist
        await tx(lambda s: s.progress.record_answer(uid + 99, "q", "l", 0, True, "lesson", NOW))


async def test_scenarios_done_well(backend, tx, uid):
    async with backend.transaction() as s:
        p = s.progress
        await p.record_answer(uid, "end", "scam_call", 0, True, "scenario", NOW)
        await p.record_answer(uid, "end", "scam_call", 0, True, "scenario", NOW + MINUTE)
        await p.record_answer(uid, "end", "fake_qr", 1, False, "scenario", NOW)
        await p.record_answer(uid, "q1", "lesson_x", 0, True, "lesson", NOW)
    assert await tx.read(lambda s: s.progress.scenarios_done_well(uid)) == {"scam_call"}


async def test_mastery_accumulates_attempts_and_correct(backend, tx, uid, other):
    async with backend.transaction() as s:
        p = s.progress
        assert await p.mastery(uid) == {}
        await p.set_mastery(uid, "dvc.a", 0.3, False, True, NOW)
        await p.set_mastery(uid, "dvc.a", 0.2, False, False, NOW + MINUTE)
        await p.set_mastery(uid, "dvc.a", 0.96, True, True, NOW + 2 * MINUTE)
        await p.set_mastery(uid, "tt.b", 0.1, False, False, NOW)
        await p.set_mastery(other, "dvc.a", 0.5, False, True, NOW)
    got = await tx.read(lambda s: s.progress.mastery(uid))
    assert got == {
        "dvc.a": MasteryRow("dvc.a", 0.96, True, 3, 2),
        "tt.b": MasteryRow("tt.b", 0.1, False, 1, 0),
    }
    assert (await tx.read(lambda s: s.progress.mastery(other)))["dvc.a"].attempts == 1


async def test_areas(backend, tx, uid):
    async with backend.transaction() as s:
        p = s.progress
        assert await p.areas(uid) == {}
        await p.set_area(uid, "dich_vu_cong", True, NOW)
        await p.set_area(uid, "thanh_toan", False, NOW)
        await p.set_area(uid, "dich_vu_cong", True, NOW + DAY)  # unchanged: no new fact
        await p.set_area(uid, "thanh_toan", True, NOW + DAY)
    assert await tx.read(lambda s: s.progress.areas(uid)) == {
        "dich_vu_cong": True,
        "thanh_toan": True,
    }
    await tx(lambda s: s.progress.set_area(uid, "dich_vu_cong", False, NOW + 2 * DAY))
    assert (await tx.read(lambda s: s.progress.areas(uid)))["dich_vu_cong"] is False


async def test_lessons(backend, tx, uid):
    async with backend.transaction() as s:
        p = s.progress
        await p.lesson_started(uid, "l1", NOW)
        await p.lesson_started(uid, "l2", NOW)
        await p.lesson_started(uid, "l1", NOW + HOUR)  # again: the first start is kept
        await p.lesson_completed(uid, "l1", 3, 4, NOW + MINUTE)
        await p.lesson_completed(uid, "never-started", 1, 1, NOW)  # nothing to complete
    async with backend.reading() as s:
        assert await s.progress.lessons(uid) == {"l1": True, "l2": False}
        assert await s.progress.lesson_rows(uid) == {
            "l1": LessonRow("l1", iso(NOW), iso(NOW + MINUTE), 3, 4),
            "l2": LessonRow("l2", iso(NOW), None, 0, 0),
        }


async def test_review_cards_and_what_is_due(backend, tx, uid, other):
    async with backend.transaction() as s:
        p = s.progress
        assert await p.review_card(uid, "a") is None
        await p.set_review_card(uid, "a", '{"v": 1}', NOW + DAY)
        await p.set_review_card(uid, "b", '{"v": 2}', NOW - DAY)
        await p.set_review_card(uid, "c", '{"v": 3}', NOW - HOUR)
        await p.set_review_card(uid, "d", '{"v": 4}', NOW)
        await p.set_review_card(other, "z", "{}", NOW - 2 * DAY)
        await p.set_review_card(uid, "a", '{"v": 5}', NOW - 2 * HOUR)  # replaced, now due
    async with backend.reading() as s:
        assert await s.progress.review_card(uid, "a") == '{"v": 5}'
        # most overdue first; due exactly now counts
        assert await s.progress.due_reviews(uid, NOW) == ["b", "a", "c", "d"]
        assert await s.progress.due_reviews(uid, NOW - DAY) == ["b"]
        assert await s.progress.due_reviews(other, NOW) == ["z"]


async def test_merging_moves_rows(backend, tx, uid, other):
    """linking.merge decides; the repository moves answers, mastery and lessons on request."""
    async with backend.transaction() as s:
        p = s.progress
        await p.record_answer(other, "q1", "l1", 0, True, "lesson", NOW)
        await p.set_mastery(other, "a", 0.4, False, True, NOW)
        await p.set_mastery(other, "b", 0.5, False, True, NOW)
        await p.set_mastery(uid, "b", 0.2, False, False, NOW)
        await p.lesson_started(other, "l1", NOW)
        await p.lesson_started(other, "l2", NOW)
        await p.lesson_started(uid, "l2", NOW + DAY)

        await p.move_answers(other, uid)
        await p.move_mastery(other, uid, "a")
        await p.replace_mastery(uid, "b", 0.7, False, 2, 1, NOW + HOUR)
        await p.move_lesson(other, uid, "l1")
        await p.put_lesson(uid, LessonRow("l2", iso(NOW), iso(NOW + HOUR), 2, 3))
    async with backend.reading() as s:
        p = s.progress
        assert await p.answers_in_order(uid) == [("q1", True)]
        assert await p.answers_in_order(other) == []
        assert await p.mastery(uid) == {
            "a": MasteryRow("a", 0.4, False, 1, 1),
            "b": MasteryRow("b", 0.7, False, 2, 1),
        }
        assert set(await p.mastery(other)) == {"b"}  # not asked to move
        assert await p.lesson_rows(uid) == {
            "l1": LessonRow("l1", iso(NOW), None, 0, 0),
            "l2": LessonRow("l2", iso(NOW), iso(NOW + HOUR), 2, 3),
        }
        assert set(await p.lesson_rows(other)) == {"l2"}


async def test_answer_events_and_attempts_at(backend, tx, uid, other):
    async with backend.transaction() as s:
        p = s.progress
        await p.record_answer(uid, "q1", "l1", 0, False, "lesson", NOW + MINUTE)
        await p.record_answer(uid, "q1", "l1", 1, True, "review", NOW + HOUR)
        await p.record_answer(uid, "q1", "sc1", 0, True, "scenario", NOW)
        await p.record_answer(uid, "q2", "l1", 0, True, "lesson", NOW)
        await p.record_answer(other, "q1", "l1", 0, True, "lesson", NOW)
    async with backend.reading() as s:
        assert await s.progress.answer_events(uid) == [  # by answer time, then recording
            ("q1", "sc1", "scenario", True),
            ("q2", "l1", "lesson", True),
            ("q1", "l1", "lesson", False),
            ("q1", "l1", "review", True),
        ]
        assert await s.progress.attempts_at(uid, "q1") == 2  # scenarios are not attempts
        assert await s.progress.attempts_at(uid, "q9") == 0
        assert await s.progress.attempts_at(other, "q1") == 1


async def test_rewrite_mastery_replaces_every_estimate(backend, tx, uid, other):
    async with backend.transaction() as s:
        p = s.progress
        await p.set_mastery(uid, "a", 0.4, False, True, NOW)
        await p.set_mastery(uid, "b", 0.5, False, True, NOW)
        await p.set_mastery(other, "a", 0.9, False, True, NOW)
        await p.rewrite_mastery(uid, [("a", 0.2, False, 4, 1), ("c", 0.97, True, 5, 5)], NOW)
    async with backend.reading() as s:
        assert await s.progress.mastery(uid) == {
            "a": MasteryRow("a", 0.2, False, 4, 1),
            "c": MasteryRow("c", 0.97, True, 5, 5),
        }
        assert (await s.progress.mastery(other))["a"].p_known == 0.9
    await tx(lambda s: s.progress.rewrite_mastery(uid, [], NOW))
    assert await tx.read(lambda s: s.progress.mastery(uid)) == {}
