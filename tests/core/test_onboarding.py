"""The optional last step of sign-up (sex and priority groups), its Trợ giúp screen, erasure."""

from __future__ import annotations

import dataclasses

import pytest

from bot import texts
from bot.core.linking import merge_users
from bot.core.onboarding import typed_numbers
from storage.repos import _USER_COLS, User, UserRepo
from storage.store import Store
from tests.conftest import START
from tests.transcript import all_text, sign_up

PROFILE_SQL = "SELECT sex, rural, poor, alone, disabled FROM users WHERE identity = ?"
NOT_SAID = (None, None, None, None, None)
RURAL = "1. Sống ở nông thôn"
ALONE = "3. Sống một mình"


async def profile(sim, user: str) -> tuple:
    rows = await sim.engine.db.conn.execute_fetchall(PROFILE_SQL, (f"sim:{user}",))
    return tuple(rows[0])


async def registered(sim, user: str) -> bool:
    rows = await sim.engine.db.conn.execute_fetchall(
        "SELECT registered_at IS NOT NULL FROM users WHERE identity = ?", (f"sim:{user}",)
    )
    return bool(rows[0][0])


def labels(replies: list[dict]) -> list[str]:
    return [b["label"] for b in replies[-1]["buttons"]]


async def to_groups(sim, user: str, sex: str = texts.BTN_FEMALE, **kw) -> list[dict]:
    """Sign up as far as the groups screen."""
    return await sign_up(sim, user, profile=(sex,), **kw)


async def test_the_step_comes_last_says_why_and_skipping_is_one_press(sim):
    asked = await sign_up(sim, "s1", profile=())
    assert asked[-1]["text"] == texts.ASK_SEX.format(ong_ba="bà", Ong_ba="Bà")
    assert "không bắt buộc" in asked[-1]["text"] and "đã đồng ý" in asked[-1]["text"]
    assert labels(asked) == [texts.BTN_MALE, texts.BTN_FEMALE, texts.BTN_SKIP]
    assert not await registered(sim, "s1")

    done = await sim.press("s1", texts.BTN_SKIP)
    assert "Đăng ký xong" in done[0]["text"]
    assert texts.BTN_LEARN in labels(done)
    assert await registered(sim, "s1")
    assert await profile(sim, "s1") == NOT_SAID


@pytest.mark.parametrize("year", ["1955", "1990"])  # an older learner and a helper under 60
async def test_answering_stores_sex_and_the_ticked_groups(sim, year):
    shown = await to_groups(sim, "a1", year=year)
    assert labels(shown) == [
        RURAL,
        "2. Thuộc hộ nghèo hoặc cận nghèo",
        ALONE,
        "4. Là người khuyết tật",
        texts.BTN_DONE,
        texts.BTN_SKIP,
    ]
    ticked = await sim.press("a1", RURAL)
    assert "1. ✅ Sống ở nông thôn" in labels(ticked)
    ticked = await sim.press("a1", ALONE)
    assert "sống ở nông thôn, sống một mình" in ticked[-1]["text"]
    assert await profile(sim, "a1") == ("nu", None, None, None, None)

    done = await sim.press("a1", texts.BTN_DONE)
    assert "✅ Dạ, cháu ghi: sống ở nông thôn, sống một mình." in done[0]["text"]
    assert "Đăng ký xong" in done[1]["text"]
    assert await profile(sim, "a1") == ("nu", 1, 0, 1, 0)
    assert await registered(sim, "a1")


async def test_a_second_press_unticks_and_xong_with_nothing_ticked_means_none(sim):
    await to_groups(sim, "n1", sex=texts.BTN_MALE)
    await sim.press("n1", RURAL)
    unticked = await sim.press("n1", "1. ✅ Sống ở nông thôn")
    assert RURAL in labels(unticked) and "Chưa đánh dấu" in unticked[-1]["text"]
    done = await sim.press("n1", texts.BTN_DONE)
    assert texts.GROUPS_NONE in done[0]["text"]
    assert await profile(sim, "n1") == ("nam", 0, 0, 0, 0)


async def test_skipping_the_groups_keeps_them_unsaid(sim):
    await to_groups(sim, "g1")
    done = await sim.press("g1", texts.BTN_SKIP)
    assert "Đăng ký xong" in done[0]["text"]
    assert await profile(sim, "g1") == ("nu", None, None, None, None)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1 3", ("nu", 1, 0, 1, 0)),
        ("1,3", ("nu", 1, 0, 1, 0)),
        ("1, 3.", ("nu", 1, 0, 1, 0)),
        ("1 và 3", ("nu", 1, 0, 1, 0)),
        ("so 1 va so 3", ("nu", 1, 0, 1, 0)),
        ("13", ("nu", 1, 0, 1, 0)),  # two digits can only be a list: 1 and 3
        ("2 4 5", ("nu", 0, 1, 0, 1)),  # 5 is «Xong»
        ("1234", ("nu", 1, 1, 1, 1)),
        ("nong thon, mot minh", ("nu", 1, 0, 1, 0)),  # names, without diacritics
        ("ho ngheo va khuyet tat", ("nu", 0, 1, 0, 1)),
        ("khong", ("nu", 0, 0, 0, 0)),  # none of these
        ("khong co", ("nu", 0, 0, 0, 0)),
        ("khong muon noi", ("nu", None, None, None, None)),  # rather not say
    ],
)
async def test_typed_numbers_or_names_in_one_message_are_the_whole_answer(sim, typed, expected):
    await to_groups(sim, "t1")
    done = await sim.text("t1", typed)
    assert "Đăng ký xong" in all_text(done)
    assert await profile(sim, "t1") == expected


async def test_one_typed_number_or_name_ticks_like_a_press(sim):
    await to_groups(sim, "o1")
    ticked = await sim.text("o1", "3")
    assert "3. ✅ Sống một mình" in labels(ticked)
    ticked = await sim.text("o1", "nong thon")
    assert "1. ✅ Sống ở nông thôn" in labels(ticked)
    await sim.text("o1", "xong")
    assert await profile(sim, "o1") == ("nu", 1, 0, 1, 0)


async def test_numbers_out_of_range_are_asked_again_and_nothing_is_saved(sim):
    await to_groups(sim, "b1")
    for typed in ("1 9", "1 6", "1955"):
        again = await sim.text("b1", typed)
        assert again[-1]["text"].startswith("Cháu chỉ hiểu các số từ 1 đến 4")
        assert texts.BTN_DONE in labels(again)
    assert not await registered(sim, "b1")
    assert await profile(sim, "b1") == ("nu", None, None, None, None)


@pytest.mark.parametrize(
    ("typed", "sex"), [("nu", "nu"), ("NAM", "nam"), ("phu nu", "nu"), ("dan ong", "nam")]
)
async def test_sex_typed_without_diacritics(sim, typed, sex):
    await sign_up(sim, "x1", profile=())
    shown = await sim.text("x1", typed)
    assert shown[-1]["text"] == texts.ASK_GROUPS.format(ong_ba="bà", Ong_ba="Bà")
    assert (await profile(sim, "x1"))[0] == sex


async def test_refusing_in_words_skips_the_whole_step(sim):
    await sign_up(sim, "r1", profile=())
    done = await sim.text("r1", "khong muon tra loi")
    assert "Đăng ký xong" in done[0]["text"]
    assert await profile(sim, "r1") == NOT_SAID


async def test_back_from_groups_returns_to_sex_and_menu_words_stay_in_sign_up(sim):
    await to_groups(sim, "k1")
    again = await sim.text("k1", "quay lai")
    assert labels(again) == [texts.BTN_MALE, texts.BTN_FEMALE, texts.BTN_SKIP]
    await sim.press("k1", texts.BTN_MALE)
    stay = await sim.text("k1", "menu")
    assert stay[0]["text"] == texts.SIGNUP_CONTINUE
    assert texts.BTN_DONE in labels(stay)
    await sim.press("k1", texts.BTN_SKIP)
    assert await profile(sim, "k1") == ("nam", None, None, None, None)


async def test_tro_giup_shows_and_changes_the_answers(sim):
    await sign_up(sim, "h1", profile=(texts.BTN_FEMALE, ALONE, texts.BTN_DONE))
    helped = await sim.press("h1", texts.BTN_HELP)
    assert texts.BTN_PROFILE in labels(helped)
    shown = await sim.press("h1", texts.BTN_PROFILE)
    assert "• Giới tính: Nữ" in shown[-1]["text"]
    assert "• Hoàn cảnh: sống một mình" in shown[-1]["text"]
    assert labels(shown) == [
        texts.BTN_EDIT_ADDRESS,
        texts.BTN_EDIT_NAME,
        texts.BTN_EDIT_YEAR,
        texts.BTN_EDIT_PLACE,
        texts.BTN_EDIT_SEX,
        texts.BTN_EDIT_GROUPS,
        texts.BTN_MENU,
    ]

    asked = await sim.press("h1", texts.BTN_EDIT_SEX)
    assert labels(asked) == [texts.BTN_MALE, texts.BTN_FEMALE, texts.BTN_RATHER_NOT]
    shown = await sim.text("h1", "nam")
    assert shown[0]["text"] == texts.PROFILE_CHANGED
    assert "• Giới tính: Nam" in shown[-1]["text"]

    ticks = await sim.press("h1", texts.BTN_EDIT_GROUPS)
    assert "3. ✅ Sống một mình" in labels(ticks)  # what is saved is shown ticked
    assert labels(ticks)[-1] == texts.BTN_RATHER_NOT
    await sim.text("h1", "3")  # untick
    await sim.text("h1", "2")
    shown = await sim.press("h1", texts.BTN_DONE)
    assert "• Hoàn cảnh: thuộc hộ nghèo hoặc cận nghèo" in shown[-1]["text"]
    assert await profile(sim, "h1") == ("nam", 0, 1, 0, 0)

    await sim.press("h1", texts.BTN_EDIT_GROUPS)
    shown = await sim.text("h1", "1 4")  # typed numbers replace the ticks
    assert await profile(sim, "h1") == ("nam", 1, 0, 0, 1)

    await sim.press("h1", texts.BTN_EDIT_SEX)
    await sim.press("h1", texts.BTN_RATHER_NOT)
    await sim.press("h1", texts.BTN_EDIT_GROUPS)
    shown = await sim.press("h1", texts.BTN_RATHER_NOT)
    assert "• Giới tính: chưa nói" in shown[-1]["text"]
    assert "• Hoàn cảnh: chưa nói" in shown[-1]["text"]
    assert await profile(sim, "h1") == NOT_SAID

    back = await sim.text("h1", "quay lai")
    assert texts.BTN_PROFILE in labels(back)  # back to Trợ giúp


async def test_untracked_people_are_not_offered_the_screen(sim):
    await sim.send(user="u1", command="start")
    await sim.press("u1", texts.BTN_DISAGREE)
    helped = await sim.press("u1", texts.BTN_HELP)
    assert texts.BTN_PROFILE not in labels(helped)


async def test_erasure_leaves_nothing_of_the_answers(sim):
    await sign_up(sim, "e1", profile=(texts.BTN_FEMALE, RURAL, texts.BTN_DONE))
    await sign_up(sim, "e2", profile=(texts.BTN_MALE, texts.BTN_SKIP))
    await sim.press("e2", texts.BTN_HELP)
    await sim.press("e2", texts.BTN_PROFILE)
    await sim.press("e2", texts.BTN_EDIT_GROUPS)
    await sim.press("e2", ALONE)  # ticked, not yet saved: held in the conversation
    conn = sim.engine.db.conn
    (kept,) = await conn.execute_fetchall("SELECT data FROM conversations WHERE key = 'sim:e2'")
    assert "alone" in kept[0]

    for user in ("e1", "e2"):
        await sim.text(user, "tro giup")
        await sim.press(user, texts.BTN_DELETE_ME)
        await sim.press(user, texts.BTN_DELETE_YES)

    assert await conn.execute_fetchall("SELECT * FROM users") == []
    assert await conn.execute_fetchall("SELECT * FROM conversations") == []
    tables = [
        r[0]
        for r in await conn.execute_fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN"
            " ('meta', 'schema_migrations', 'inbound_events', 'sqlite_sequence')"
        )
    ]
    for table in tables:
        rows = await conn.execute_fetchall(f"SELECT * FROM {table}")
        if table.startswith("stat_"):  # report counters, if present: the person has left them
            assert all(r["registered"] == 0 for r in rows), table
        else:
            assert rows == [], table


def test_typed_numbers():
    assert typed_numbers("1 3") == [1, 3]
    assert typed_numbers("số 1, số 3") == [1, 3]
    assert typed_numbers("13") == [1, 3]
    assert typed_numbers("1 và nông thôn") is None
    assert typed_numbers("") is None


async def test_repo_reads_and_writes_the_columns(sim):
    fields = [f.name for f in dataclasses.fields(User)]
    assert [c.strip() for c in _USER_COLS.split(",")] == fields
    async with sim.engine.db.sql(write=True) as conn:
        users = UserRepo(conn)
        user = await users.create("sim:repo", "given", START)
        assert (user.sex, user.groups()) == (None, None)
        await users.update(user.id, sex="nu", rural=True, poor=False, alone=None, disabled=1)
        user = await users.by_identity("sim:repo")
        assert (user.sex, user.rural, user.poor, user.alone, user.disabled) == (
            "nu",
            True,
            False,
            None,
            True,
        )
        assert user.groups() == {"rural": True, "poor": False, "alone": False, "disabled": True}
        with pytest.raises(ValueError):
            await users.update(user.id, sex="male")


async def test_linking_two_accounts_keeps_the_answers_given_on_either(sim, content):
    await sign_up(sim, "l1", profile=(texts.BTN_FEMALE, RURAL, texts.BTN_DONE))
    await sign_up(sim, "l2")
    async with sim.engine.db.sql(write=True) as conn:
        users = UserRepo(conn)
        src, into = await users.by_identity("sim:l1"), await users.by_identity("sim:l2")
        await merge_users(Store(conn), content, into, src, START)
        merged = await users.by_identity("sim:l2")
    assert merged.sex == "nu"
    assert merged.groups() == {"rural": True, "poor": False, "alone": False, "disabled": False}


async def test_a_name_that_looks_like_a_global_word_is_a_name(sim):
    """ "Dung", "Nghi" or "Thoi" typed without diacritics are names; "dừng" still stops."""
    await sim.send(user="d", command="start")
    await sim.press("d", "Đồng ý")
    await sim.press("d", "Bà")
    replies = await sim.text("d", "Dung")
    assert "sinh năm nào" in replies[-1]["text"]
    rows = await sim.engine.db.conn.execute_fetchall(
        "SELECT display_name FROM users WHERE identity = 'sim:d'"
    )
    assert rows[0][0] == "Dung"
    await sim.text("d", "quay lại")
    replies = await sim.text("d", "dừng")
    assert replies[0]["text"].startswith("Dạ, mình dừng ở đây")


async def test_typed_numbers_answer_the_consent_question_before_anything_is_stored(sim):
    """The terminal and any channel without buttons: «1» agrees, «3» explains, «2» refuses."""
    await sim.send(user="n", command="start")
    replies = await sim.text("n", "3")
    assert replies[0]["text"].startswith("Theo Nghị định 13/2023")
    replies = await sim.text("n", "1")
    assert "ông, bà, bác, cô hay chú" in replies[-1]["text"]
    await sim.send(user="r", command="start")
    replies = await sim.text("r", "2")
    assert replies[0]["text"].startswith("Dạ, cháu hiểu ạ.")


@pytest.mark.parametrize("typed", ["Bà", "bà", " BÀ ", "Cô", "Chú", "Ông"])
async def test_a_label_typed_exactly_is_that_button_accents_and_all(sim, typed):
    """The fuzzy match folds accents («ba» is near «bác»): a label typed as it reads (what a
    press looks like to a worker that did not show the keyboard) is that button."""
    await sim.send(user="t1", command="start")
    await sim.press("t1", texts.BTN_AGREE)
    asked = await sim.text("t1", typed)
    form = typed.strip().lower()
    assert f"gọi {form} bằng tên gì" in all_text(asked)
