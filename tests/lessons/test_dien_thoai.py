"""The everyday phone and Zalo area: its content rules, and a learner reaching it from the menu."""

from __future__ import annotations

import re

from bot import texts
from lessons.schema import NATIONAL_AREAS
from tests.transcript import _pattern, question_on_screen, sign_up

AREA = "dien_thoai"


def test_area_is_taught_but_outside_the_proficient_indicator(content):
    area = content.areas[AREA]
    assert AREA not in NATIONAL_AREAS
    assert area.order == max(a.order for a in content.areas.values())
    lessons = content.lessons_in(AREA)
    assert len(lessons) >= 10
    for comp in area.competencies:
        assert len(content.competency_questions[comp.id]) >= 4, comp.id
    for lesson in lessons:
        assert all(s.url for s in lesson.sources), lesson.id
        for q in lesson.questions:
            assert len(q.options) == 3, q.id


def _press_label(replies: list[dict], text: str) -> str:
    """The id of the option button showing `text`, whatever order the options are shown in."""
    for b in replies[-1]["buttons"]:
        if _pattern(text).fullmatch(re.sub(r"^\d+\. ", "", b["label"])):
            return b["id"]
    raise AssertionError(f"no button {text!r}")


async def test_a_learner_opens_the_phone_area_from_the_menu_and_finishes_its_first_lesson(
    sim, content
):
    await sign_up(sim, "u1")
    area = content.areas[AREA]
    await sim.text("u1", "hoc bai moi")
    await sim.press("u1", texts.BTN_OTHER_TOPIC)
    listing = await sim.press("u1", area.short_name)
    first = content.lessons_in(AREA)[0]
    assert area.name in listing[-1]["text"]
    assert listing[-1]["buttons"][0]["label"] == f"1. {first.title}"  # only in the buttons
    replies = await sim.press("u1", f"1. {first.title}")
    for _ in range(len(first.cards)):
        if question_on_screen(content, replies) is not None:
            break
        replies = await sim.press("u1", texts.BTN_NEXT)
    answered = 0
    while (q := question_on_screen(content, replies)) is not None:
        correct = next(o for o in q.options if o.correct)
        replies = await sim.press("u1", _press_label(replies, correct.text))
        assert "Đúng rồi" in "\n".join(r["text"] for r in replies)
        answered += 1
        replies = await sim.press("u1", "next")
    assert answered == len(first.questions)
