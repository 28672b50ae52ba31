"""End-to-end transcripts through the simulator contract and the real engine and database."""

from __future__ import annotations

import re
import unicodedata

from bot import texts
from lessons.schema import NATIONAL_AREAS
from storage.db import Database
from tests.conftest import open_sim
from tests.transcript import (
    all_text,
    correct_index,
    labels,
    press_lesson,
    question_on_screen,
    shown_position,
    sign_up,
    wrong_index,
)

VIETNAMESE = re.compile(
    r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.I
)
ENGLISH_MARKERS = re.compile(
    r"\b(error|exception|traceback|none|null|invalid|sorry|please|unknown)\b", re.I
)


def assert_kind_reply(replies: list[dict]) -> None:
    assert replies, "the bot stayed silent"
    for r in replies:
        assert "error" not in r
        assert r["text"].strip()
        assert VIETNAMESE.search(r["text"]), r["text"]
        assert not ENGLISH_MARKERS.search(r["text"]), r["text"]
        assert unicodedata.is_normalized("NFC", r["text"])


async def rows(db: Database, sql: str, *args) -> list[tuple]:
    async with db.conn.execute(sql, args) as cur:
        return [tuple(r) async for r in cur]


async def read_cards(sim, user: str, replies: list[dict]) -> list[dict]:
    """Press "Tiếp" until the first question is on screen."""
    for _ in range(12):
        if any(b["id"].startswith("opt:") for b in replies[-1]["buttons"]):
            return replies
        assert replies[-1]["text"].startswith("📖"), replies[-1]["text"]
        replies = await sim.press(user, texts.BTN_NEXT)
    raise AssertionError("no question after 12 cards")


async def test_sign_up_lessons_in_every_area_restart_and_progress(tmp_path, content):
    path = tmp_path / "hocso.db"
    sim, db = await open_sim(path)
    done = await sign_up(sim, "u1", address="Bà", name="lan", year="1955")
    assert "bà Lan" in done[1]["text"] and "Xã Phú Thịnh" in done[1]["text"]
    assert [b["label"] for b in done[-1]["buttons"]] == [
        texts.BTN_LEARN,
        texts.BTN_PRACTICE,
        texts.BTN_REVIEW,
        texts.BTN_PROGRESS,
        texts.BTN_HELP,
        texts.BTN_SCAM_CHECK,
    ]
    (user,) = await rows(
        db,
        "SELECT identity, address_form, display_name, birth_year, province_code,"
        " commune_code, registered_at IS NOT NULL FROM users",
    )
    assert user == ("sim:u1", "bà", "Lan", 1955, 19, 5800, 1)

    for n, area_id in enumerate(NATIONAL_AREAS):
        area = content.areas[area_id]
        await sim.text("u1", "hoc bai moi")
        await sim.press("u1", texts.BTN_OTHER_TOPIC)
        listing = await sim.press("u1", area.short_name)
        first = content.lessons_in(area_id)[0]
        assert f"1. {first.title}" in labels(listing)  # titles are the buttons, not the text
        replies = await sim.press("u1", f"1. {first.title}")
        assert replies[-1]["text"].startswith(f"📖 {first.title} (1/{len(first.cards)})")
        replies = await read_cards(sim, "u1", replies)
        for i in range(len(first.questions)):
            q = question_on_screen(content, replies)
            assert q is first.questions[i]
            if i == 0:  # a wrong answer first, typed as the number it is shown with
                k = wrong_index(q)
                feedback = await sim.text("u1", str(shown_position(replies, k) + 1))
                assert feedback[0]["text"].startswith("❌")
                assert (
                    q.options[k].feedback.replace("{ong_ba}", "bà").replace("{Ong_ba}", "Bà")
                    in feedback[0]["text"]
                )
            else:  # then right, alternately by letter and by the option's text without diacritics
                k = correct_index(q)
                typed = (
                    "abcd"[shown_position(replies, k)]
                    if i % 2
                    else unicodedata.normalize("NFD", q.options[k].text)
                    .encode("ascii", "ignore")
                    .decode()
                )
                feedback = await sim.text("u1", typed)
                assert feedback[0]["text"].startswith("✅"), (typed, feedback)
            assert feedback[-1]["buttons"] == [{"id": "next", "label": texts.BTN_NEXT}]
            replies = await sim.press("u1", texts.BTN_NEXT)
        assert replies[-1]["text"].startswith(f"Xong bài «{first.title}»")
        await sim.press("u1", texts.BTN_MENU)
        (count,) = await rows(
            db, "SELECT COUNT(*) FROM lesson_progress WHERE completed_at IS NOT NULL"
        )
        assert count[0] == n + 1

    answers = await rows(db, "SELECT COUNT(*), SUM(correct) FROM answers")
    total = sum(len(content.lessons_in(a)[0].questions) for a in NATIONAL_AREAS)
    assert answers == [(total, total - 4)]

    # Restart in the middle of a lesson: the position survives.
    await sim.text("u1", "hoc bai moi")
    replies = await sim.press("u1", texts.BTN_START_LESSON)
    title = re.match(r"📖 (.*) \(1/", replies[-1]["text"]).group(1)
    await sim.press("u1", texts.BTN_NEXT)
    await db.close()
    sim, db = await open_sim(path)
    replies = await sim.text("u1", "tiep")
    assert replies[-1]["text"].startswith(f"📖 {title} (3/") or "❓" in replies[-1]["text"]

    progress = await sim.text("u1", "tien do cua toi")
    text = progress[-1]["text"]
    assert text.startswith("📊 Tiến độ của bà Lan:")
    for area_id in NATIONAL_AREAS:
        assert content.areas[area_id].short_name in text
    assert "Nên học tiếp" in text
    assert texts.BAR_EMPTY in text
    await db.close()


async def drive_to_proficiency(sim, content, user: str, max_turns: int = 4000) -> str:
    """Answer every question right, through lessons and then review, until proficient."""
    transcript = []
    lessons_since_review, all_done = 0, False
    replies = await sim.text(user, "menu")
    for _ in range(max_turns):
        transcript.append(all_text(replies))
        if texts.NEW_PROFICIENT.split("{")[0] in transcript[-1]:
            return "\n".join(transcript)
        ids = [b["id"] for b in replies[-1]["buttons"]]
        q = question_on_screen(content, replies)
        if q is not None:
            replies = await sim.press(user, f"opt:{correct_index(q)}")
        elif "next" in ids:
            replies = await sim.press(user, "next")
        elif "start" in ids or "resume" in ids:
            replies = await sim.press(user, "start" if "start" in ids else "resume")
        elif "next_lesson" in ids:  # a lesson just ended: review after every two lessons
            lessons_since_review += 1
            if lessons_since_review >= 2:
                lessons_since_review = 0
                replies = await sim.press(user, "review")
            else:
                replies = await sim.press(user, "next_lesson")
        elif "menu:learn" in ids and "review" in ids and not all_done:  # review ended
            replies = await sim.press(user, "menu:learn")
        elif "review" in ids:
            all_done = all_done or "học hết các bài" in transcript[-1]
            replies = await sim.press(user, "review")
        else:
            replies = await sim.press(user, "menu:learn")
    raise AssertionError("not proficient after many turns:\n" + "\n".join(transcript[-10:]))


async def test_correct_learner_masters_all_four_areas_wrong_learner_does_not(tmp_path, content):
    sim, db = await open_sim(tmp_path / "m.db")
    await sign_up(sim, "good")
    transcript = await drive_to_proficiency(sim, content, "good")
    for area_id in NATIONAL_AREAS:
        assert f"«{content.areas[area_id].name}»" in transcript  # the area news was given
    (good,) = await rows(db, "SELECT id, proficient FROM users WHERE identity = 'sim:good'")
    assert good[1] == 1
    areas = await rows(
        db, "SELECT area FROM area_mastery WHERE user_id = ? AND mastered = 1", good[0]
    )
    assert {a for (a,) in areas} >= set(NATIONAL_AREAS)
    progress = await sim.text("good", "tiến độ")
    assert "thành thạo kỹ năng số cơ bản" in progress[-1]["text"]
    assert progress[-1]["text"].count("✅ thành thạo") >= 4
    used_review = await rows(
        db, "SELECT COUNT(*) FROM answers WHERE context = 'review' AND user_id = ?", good[0]
    )
    assert used_review[0][0] > 0

    # A learner who always answers wrongly, through a lesson of every area and review.
    await sign_up(sim, "bad", address="Ông", name="Tư")
    for area_id in NATIONAL_AREAS:
        await sim.text("bad", "hoc bai moi")
        await sim.press("bad", texts.BTN_OTHER_TOPIC)
        await sim.press("bad", content.areas[area_id].short_name)
        replies = await read_cards(sim, "bad", await sim.press("bad", "1"))
        while (q := question_on_screen(content, replies)) is not None:
            await sim.press("bad", f"opt:{wrong_index(q)}")
            replies = await sim.press("bad", "next")
        await sim.press("bad", "menu")
    for _ in range(3):
        replies = await sim.press("bad", "menu:review")
        while True:
            q = question_on_screen(content, replies)
            if q is None:
                break
            await sim.press("bad", f"opt:{wrong_index(q)}")
            replies = await sim.press("bad", "next")
    (bad,) = await rows(db, "SELECT id, proficient FROM users WHERE identity = 'sim:bad'")
    assert bad[1] == 0
    assert await rows(
        db, "SELECT COUNT(*) FROM mastery WHERE user_id = ? AND mastered = 1", bad[0]
    ) == [(0,)]
    assert await rows(
        db, "SELECT COUNT(*) FROM area_mastery WHERE user_id = ? AND mastered = 1", bad[0]
    ) == [(0,)]
    (p,) = await rows(db, "SELECT MAX(p_known) FROM mastery WHERE user_id = ?", bad[0])
    assert p[0] < 0.5
    await db.close()


async def test_refusal_stores_no_personal_data_but_lessons_still_work(tmp_path, content):
    sim, db = await open_sim(tmp_path / "r.db")
    await sim.send(user="u3", command="start")
    replies = await sim.text("u3", "khong dong y")
    assert "không lưu" in replies[0]["text"]
    assert texts.BTN_REGISTER in [b["label"] for b in replies[-1]["buttons"]]
    await sim.text("u3", "hoc bai moi")
    replies = await read_cards(sim, "u3", await sim.press("u3", texts.BTN_START_LESSON))
    q = question_on_screen(content, replies)
    feedback = await sim.press("u3", f"opt:{correct_index(q)}")
    assert feedback[0]["text"].startswith("✅")
    progress = await sim.text("u3", "tiến độ của tôi")  # not on the menu, but typed anyway
    assert_kind_reply(progress)
    await sim.send(user="u3", attachment="photo")
    await db.close()

    # Nothing in the file names the person: not the channel id, not any answer.
    raw = (
        (tmp_path / "r.db").read_bytes() + (tmp_path / "r.db-wal").read_bytes()
        if (tmp_path / "r.db-wal").exists()
        else (tmp_path / "r.db").read_bytes()
    )
    db = await Database.open(tmp_path / "r.db")
    tables = [t for (t,) in await rows(db, "SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        for row in await rows(db, f"SELECT * FROM {table}"):
            assert not any(isinstance(v, str) and "u3" in v for v in row), (table, row)
    users = await rows(
        db,
        "SELECT identity, consent, address_form, display_name, birth_year,"
        " province_code, commune_code, branch_code FROM users",
    )
    assert len(users) == 1
    identity, consent, *personal = users[0]
    assert identity.startswith("anon:") and consent == "refused"
    assert personal == [None] * 6
    for table in ("answers", "mastery", "area_mastery", "lesson_progress"):
        assert await rows(db, f"SELECT COUNT(*) FROM {table}") == [(0,)]
    assert b"sim:u3" not in raw
    await db.close()

    # Changing one's mind later: the anonymous row is replaced by a real sign-up.
    sim, db = await open_sim(tmp_path / "r.db")
    await sim.text("u3", "menu")
    replies = await sim.press("u3", texts.BTN_REGISTER)
    assert replies[-1]["buttons"][0]["label"] == texts.BTN_AGREE
    await sim.press("u3", texts.BTN_AGREE)
    users = await rows(db, "SELECT identity, consent FROM users")
    assert users == [("sim:u3", "given")]
    await db.close()


async def test_mastery_news_comes_only_when_the_estimate_and_the_evidence_are_enough(sim, content):
    """All right from a fresh start: «🌟 đã thành thạo» comes at the answer where the estimate
    (each question with its own guess, 1/options) passes 0.95 and at least
    MIN_OWN_QUESTIONS different questions of the competency's own lessons were right; never
    after three answers, as the old model allowed."""
    from bot.core import mastery

    await sign_up(sim, "u4")
    own = mastery.own_lessons(content)
    lesson, comp = next(
        (le, c)
        for le in content.lessons.values()
        if not le.localities
        for c in sorted(content.teaches(le))
        if le.id in own[c] and sum(c in q.competencies for q in le.questions) >= 3
    )
    await sim.text("u4", "hoc bai moi")
    await sim.press("u4", texts.BTN_OTHER_TOPIC)
    await sim.press("u4", content.areas[lesson.area].short_name)
    replies = await read_cards(sim, "u4", await sim.press("u4", lesson.title))
    name = content.competency_name(comp)
    p, right, seen, news_at = None, set(), 0, None
    for _ in range(12):  # the lesson, then review sessions
        while (q := question_on_screen(content, replies)) is not None:
            feedback = await sim.press("u4", f"opt:{correct_index(q)}")
            if comp in q.competencies:
                seen += 1
                q_lesson = content.questions[q.id][0]
                params = mastery.question_params(q_lesson, q)
                p = mastery.update(params.prior if p is None else p, True, params)
                if q_lesson.id in own[comp]:
                    right.add(q.id)
                expected = p >= mastery.MASTERY_THRESHOLD and len(right) >= 3
                news = any(name in r["text"] and r["text"].startswith("🌟") for r in feedback)
                assert news == (expected and news_at is None), (seen, p, right, feedback)
                if news:
                    news_at = seen
            replies = await sim.press("u4", "next")
        if news_at is not None:
            break
        replies = await sim.text("u4", "ôn tập")
    assert news_at is not None and news_at > 3


async def test_sloppy_typing_stickers_and_odd_input_always_get_a_kind_vietnamese_answer(sim):
    inputs = [
        {"command": "start"},
        {"attachment": "sticker"},
        {"text": "xin chao"},  # not an answer: the consent explanation again
        {"text": "DONG Y"},
        {"text": "baa"},  # a typo for "bà"
        {"text": "\u200bLan\u200b"},
        {"text": "nam 1955"},
        {"text": "thai ngyen"},
        {"attachment": "voice"},
        {"text": "1"},
        {"text": "phu thin"},
        {"text": "1"},
        {"text": "bo qua"},
        {"text": "23 gio"},  # reminders only in the daytime
        {"text": "khong can nhac"},
        {"text": "khong muon noi"},  # the optional sex and groups
        {"text": "hok bai moi"},
        {"text": "🙂🙂🙂"},
        {"text": "x" * 5000},
        {"text": "\u202eabc\u0000"},
        {"text": "   "},
        {"attachment": "location"},
        {"command": "xyz"},
        {"text": "tro giup"},
        {"text": "quya lai"},
        {"text": "TIEN DO"},
        {"attachment": "photo"},
        {"text": "dung"},
        {"text": "alo"},
    ]
    for obj in inputs:
        replies = await sim.send(user="u5", **obj)
        assert_kind_reply(replies)
    row = await sim.engine.db.conn.execute_fetchall(
        "SELECT address_form, display_name, birth_year, province_code, commune_code FROM users"
    )
    assert [tuple(r) for r in row] == [("bà", "Lan", 1955, 19, 5800)]


async def test_back_help_stop_and_delete(sim):
    await sim.send(user="u6", command="start")
    await sim.press("u6", "Đồng ý")
    await sim.press("u6", "Chú")
    replies = await sim.text("u6", "quay lại")
    assert replies[-1]["text"] == texts.ASK_ADDRESS
    await sim.press("u6", "Ông")
    await sim.press("u6", "Bỏ qua")
    replies = await sim.text("u6", "tro giup")
    assert "đăng ký" in replies[0]["text"]
    replies = await sim.text("u6", "1990")
    assert "người hỗ trợ" in replies[0]["text"]
    replies = await sim.text("u6", "dừng")
    assert "đăng ký tiếp" in replies[0]["text"]
    replies = await sim.text("u6", "ha noi")
    assert "Thành phố Hà Nội" in replies[-1]["text"]
    await sim.text("u6", "1")
    await sim.text("u6", "hoan kiem")
    replies = await sim.text("u6", "1")  # no branch-code question: class codes work anywhere
    assert replies[-1]["text"] == texts.ASK_REMINDER.format(ong_ba="ông", Ong_ba="Ông")
    replies = await sim.text("u6", "7 gio 30 toi")
    assert "7 giờ 30 tối" in replies[0]["text"]
    replies = await sim.press("u6", texts.BTN_SKIP)  # the optional sex and groups
    assert "Phường Hoàn Kiếm" in replies[0]["text"]
    replies = await sim.press("u6", texts.BTN_HELP)
    assert texts.BTN_DELETE_ME in [b["label"] for b in replies[-1]["buttons"]]
    await sim.press("u6", texts.BTN_DELETE_ME)
    replies = await sim.press("u6", texts.BTN_DELETE_YES)
    assert "đã xóa" in replies[0]["text"]
    assert await sim.engine.db.conn.execute_fetchall("SELECT * FROM users") == []
    assert await sim.engine.db.conn.execute_fetchall("SELECT * FROM conversations") == []
    replies = await sim.text("u6", "xin chao")
    assert replies[-1]["buttons"][0]["label"] == texts.BTN_AGREE


async def test_two_learners_see_their_own_order_and_type_the_letter_they_saw(tmp_path, content):
    """Options are shuffled per learner and per attempt (predictably); the letter a learner
    types refers to the order on their screen, and the answer is stored by the file's index."""
    from bot.core.mastery import option_order

    sim, db = await open_sim(tmp_path / "order.db")
    await sign_up(sim, "a")
    await sign_up(sim, "b", address="Ông", name="Tư")
    ids = dict(await rows(db, "SELECT identity, id FROM users"))
    learners = {"a": f"u{ids['sim:a']}", "b": f"u{ids['sim:b']}"}
    # The first lesson of an area whose first question has three options and is shown to the
    # two in different orders (the order is a function of learner, question and attempt).
    lesson = next(
        le
        for le in content.lessons_in("an_toan")
        if len(le.questions[0].options) == 3
        and option_order(learners["a"], le.questions[0], 0)
        != option_order(learners["b"], le.questions[0], 0)
    )
    q = lesson.questions[0]
    key = correct_index(q)
    seen = {}
    for user, learner in learners.items():
        await sim.text(user, "menu")
        await sim.press(user, texts.BTN_LEARN)
        await sim.press(user, texts.BTN_OTHER_TOPIC)
        listing = await sim.press(user, "area:an_toan")
        replies = await read_cards(sim, user, await press_lesson(sim, user, listing, lesson.id))
        assert question_on_screen(content, replies) is q
        order = option_order(learner, q, 0)
        assert [b["id"] for b in replies[-1]["buttons"]] == [f"opt:{k}" for k in order]
        for pos, k in enumerate(order, 1):  # the text lists them in the same order
            assert f"{pos}. {q.options[k].text}" in replies[-1]["text"]
        seen[user] = order
        letter = "ABC"[order.index(key)]
        feedback = await sim.text(user, letter)
        assert feedback[0]["text"].startswith("✅"), (user, letter, feedback[0]["text"])
    assert seen["a"] != seen["b"]
    stored = await rows(db, "SELECT option_index, correct FROM answers ORDER BY id")
    assert stored == [(key, 1), (key, 1)]  # the file's index, whatever the screen showed

    # A retry of the lesson: a new order, and the typed number again refers to the screen.
    await sim.text("a", "menu")
    await sim.press("a", texts.BTN_LEARN)
    await sim.press("a", texts.BTN_OTHER_TOPIC)
    listing = await sim.press("a", "area:an_toan")
    replies = await read_cards(sim, "a", await press_lesson(sim, "a", listing, lesson.id))
    again = option_order(learners["a"], q, 1)
    assert again != seen["a"]
    assert [b["id"] for b in replies[-1]["buttons"]] == [f"opt:{k}" for k in again]
    wrong = next(k for k in again if k != key)
    feedback = await sim.text("a", str(again.index(wrong) + 1))
    assert feedback[0]["text"].startswith("❌")
    last = await rows(db, "SELECT option_index, correct FROM answers ORDER BY id DESC LIMIT 1")
    assert last == [(wrong, 0)]
    await db.close()
