"""Transcripts of an older learner typing as she does: without diacritics, "ok", "dung roi",
"xog", "thoi", questions and thanks; and the long lists, five at a time."""

from __future__ import annotations

from bot import texts
from bot.channels.common import numbered_choices
from bot.core.events import Button
from tests.test_transcripts import assert_kind_reply, read_cards, rows
from tests.transcript import (
    all_text,
    correct_index,
    question_on_screen,
    shown_position,
    sign_up,
    wrong_index,
)


async def test_consent_questions_are_not_refusals(sim):
    await sim.send(user="c", command="start")
    for typed in ("tim hieu them", "tìm hiểu thêm", "toi khong hieu", "chua hieu lam"):
        replies = await sim.text("c", typed)
        assert replies[0]["text"].startswith("Theo Nghị định 13/2023"), typed
    assert await rows(sim.engine.db, "SELECT consent FROM users") == []  # nothing refused
    replies = await sim.text("c", "ok chau")
    assert replies[-1]["text"] == texts.ASK_ADDRESS
    replies = await sim.text("c2", "khong dong y")
    assert "không lưu thông tin" in replies[0]["text"]


async def test_one_place_found_is_confirmed_with_dung_roi(sim):
    await sim.send(user="p", command="start")
    await sim.text("p", "dong y")
    await sim.press("p", "Bà")
    await sim.text("p", "Lan")
    await sim.text("p", "1955")
    replies = await sim.text("p", "thai nguyen")
    assert replies[-1]["text"].startswith("Cháu tìm thấy: Thái Nguyên. Đúng không ạ?")
    assert [b["label"] for b in replies[-1]["buttons"]] == ["Thái Nguyên"]
    replies = await sim.text("p", "dung roi")
    assert "Thái Nguyên" in replies[-1]["text"] and "xã, phường" in replies[-1]["text"]
    await sim.text("p", "phu thinh")
    replies = await sim.text("p", "👍")
    assert replies[-1]["text"] == texts.ASK_REMINDER.format(ong_ba="bà", Ong_ba="Bà")
    await sim.press("p", texts.BTN_NO_REMINDER)
    await sim.press("p", texts.BTN_FEMALE)
    await sim.text("p", "1")
    replies = await sim.text("p", "xog")  # «Xong»
    assert "Đăng ký xong" in all_text(replies)


async def test_ok_vang_and_thumbs_up_move_on(sim, content):
    await sign_up(sim, "n")
    await sim.text("n", "hoc bai moi")
    replies = await sim.press("n", texts.BTN_START_LESSON)
    first = replies[-1]["text"]
    seen = [first]
    for typed in ("ok", "vâng ạ", "👍", "tiep di chau", "dduowcj roi"):
        if not replies[-1]["text"].startswith("📖"):
            break
        replies = await sim.text("n", typed)
        assert replies[-1]["text"] not in seen, typed  # each moved on to the next card
        seen.append(replies[-1]["text"])
    assert "Cháu chưa hiểu" not in all_text(replies)


async def test_dung_in_a_lesson_asks_first_and_a_no_keeps_the_question_and_reminders(sim, content):
    await sign_up(sim, "r", reminder="7 giờ sáng")
    await sim.text("r", "hoc bai moi")
    replies = await read_cards(sim, "r", await sim.press("r", texts.BTN_START_LESSON))
    question = replies[-1]["text"]
    replies = await sim.text("r", "dung")  # she meant «đúng»
    assert replies[-1]["text"] == "Bà muốn dừng nhận tin nhắc phải không ạ?"
    assert [b["label"] for b in replies[-1]["buttons"]] == [
        texts.BTN_STOP_YES,
        texts.BTN_STOP_NO,
    ]
    replies = await sim.text("r", "khong")
    assert "vẫn nhắc bà ôn bài lúc 7 giờ sáng" in replies[0]["text"]
    assert replies[-1]["text"] == question  # the same question, not the start again
    (paused,) = await rows(sim.engine.db, "SELECT paused FROM users")
    assert paused == (0,)

    replies = await sim.text("r", "thoi")
    assert replies[-1]["text"] == "Bà muốn dừng nhận tin nhắc phải không ạ?"
    shown = await sim.text("r", "khong")
    q = question_on_screen(content, shown)
    await sim.text("r", "dung")
    # "2" is not an answer to «dừng nhận tin nhắc?»: it is read on the question again.
    position = shown_position(shown, correct_index(q)) + 1
    replies = await sim.text("r", str(position))
    assert_kind_reply(replies)
    answered = await rows(sim.engine.db, "SELECT question_id, option_index FROM answers")
    assert answered == [(q.id, correct_index(q))]
    assert await rows(sim.engine.db, "SELECT paused FROM users") == [(0,)]


async def test_a_yes_stops_reminders_and_the_menu_says_they_are_off(sim, content):
    await sign_up(sim, "s", reminder="7 giờ sáng")
    replies = await sim.text("s", "thôi")
    assert replies[-1]["text"] == "Bà muốn dừng nhận tin nhắc phải không ạ?"
    replies = await sim.text("s", "có")
    assert "Cháu đã tắt tin nhắc ôn bài" in replies[0]["text"]
    assert await rows(sim.engine.db, "SELECT paused FROM users") == [(1,)]
    replies = await sim.text("s", "menu")
    assert "Tin nhắc ôn bài đang tắt" in replies[-1]["text"]
    replies = await sim.text("s", "bắt đầu")
    assert texts.RESUMED.format(ong_ba="bà") in all_text(replies)
    assert "đang tắt" not in replies[-1]["text"]
    assert await rows(sim.engine.db, "SELECT paused FROM users") == [(0,)]


async def test_a_question_points_to_lessons_and_thanks_get_a_warm_reply(sim, content):
    await sign_up(sim, "q")
    replies = await sim.text("q", "lam sao chuyen tien cho con trai")
    assert_kind_reply(replies)
    labels = [b["label"] for b in replies[-1]["buttons"]]
    assert labels[0] == "1. " + content.lessons["tt-03-chuyen-tien"].title
    replies = await sim.text("q", "1")  # the lesson, or first the one it builds on
    assert content.lessons["tt-03-chuyen-tien"].title in replies[-1]["text"]
    assert replies[-1]["buttons"][0]["label"] == texts.BTN_START_LESSON

    replies = await sim.text("q", "ma otp la gi")
    assert "bài 1 hay 2" in replies[-1]["text"] or "bài 1, 2 hay 3" in replies[-1]["text"]
    offered = [b["id"] for b in replies[-1]["buttons"]]
    assert "lesson:at-01-ma-otp" in offered

    replies = await sim.text("q", "cam on chau nhieu")
    assert replies[0]["text"] == texts.THANKS_REPLY.format(ong_ba="bà")
    assert replies[-1]["buttons"]  # the buttons that were on screen stay
    replies = await sim.text("q", "hom nay troi dep qua")
    assert "Cháu chưa hiểu" in replies[-1]["text"]


async def test_long_lists_are_paged_by_five_and_not_repeated_beside_buttons(sim, content):
    await sign_up(sim, "l")
    await sim.text("l", "hoc bai moi")
    await sim.press("l", texts.BTN_OTHER_TOPIC)
    safety = content.lessons_in("an_toan", ["province:19", "commune:5800"])
    assert len(safety) > 10
    replies = await sim.press("l", content.areas["an_toan"].short_name)
    buttons = replies[-1]["buttons"]
    assert [b["label"] for b in buttons] == [
        *(f"{i}. {le.title}" for i, le in enumerate(safety[:5], 1)),
        "6. Xem thêm",
        texts.BTN_BACK,
    ]
    assert not any(le.title in replies[-1]["text"] for le in safety)  # only in the buttons
    assert f"bài 1–5 trong {len(safety)} bài" in replies[-1]["text"]
    # Zalo Bot has no buttons: one numbered list, each title once.
    zalo = numbered_choices(
        replies[-1]["text"], [Button(b["id"], b["label"]) for b in buttons], "Gõ số."
    )
    assert all(zalo.count(le.title) == 1 for le in safety[:5])
    assert "6. Xem thêm" in zalo
    replies = await sim.text("l", "6")
    assert replies[-1]["buttons"][0]["label"] == f"1. {safety[5].title}"
    assert "bài 6–10" in replies[-1]["text"]
    replies = await sim.text("l", "xem them")
    assert "bài 11–15" in replies[-1]["text"]
    replies = await sim.text("l", "quay lai")
    assert "bài 6–10" in replies[-1]["text"]
    replies = await sim.text("l", "2")
    assert safety[6].title in replies[-1]["text"]  # the second lesson on that page

    replies = await sim.text("l", "menu")
    replies = await sim.press("l", texts.BTN_PRACTICE)
    labels = [b["label"] for b in replies[-1]["buttons"]]
    assert len(labels) == 7 and labels[5] == "6. Xem thêm" and labels[6] == texts.BTN_MENU
    assert "1–5" in replies[-1]["text"]
    replies = await sim.text("l", "6")
    assert "6–10" in replies[-1]["text"]


async def test_a_wrong_answer_typed_in_words(sim, content):
    """ "giả"/"gia" and other words of an option answer a question, whatever its place."""
    await sign_up(sim, "w")
    await sim.text("w", "hoc bai moi")
    replies = await read_cards(sim, "w", await sim.press("w", texts.BTN_START_LESSON))
    q = question_on_screen(content, replies)
    k = wrong_index(q)
    typed = q.options[k].text.replace("{ong_ba}", "bà")
    replies = await sim.text("w", typed)
    (row,) = await rows(sim.engine.db, "SELECT option_index FROM answers")
    assert row == (k,)
