"""Numbers from people and button ids are range-checked before SQL; invitation codes cannot be
guessed by trying; button ids work before consent (nothing stored yet, not even the buttons)."""

import pytest

from bot import texts
from bot.core.matching import SQL_INT_MAX, small_int
from bot.core.onboarding import typed_numbers
from bot.core.reporting import parse_value
from tests.core.test_staff import code_in
from tests.transcript import sign_up

FAILED = texts.ERROR.split("{")[0]  # "Xin lỗi ": the start of the failed-turn apology


def said(replies: list[dict]) -> str:
    return "\n".join(r["text"] for r in replies)


def test_small_int_refuses_what_int_or_sqlite_would_not_take():
    assert small_int("42") == 42
    assert small_int(str(SQL_INT_MAX)) == SQL_INT_MAX
    for bad in ("99999999999999999999", str(SQL_INT_MAX + 1), "²", "፩", "٣", "-1", "", " 1", "1e3"):
        assert small_int(bad) is None, bad
    assert small_int("21", 20) is None
    assert typed_numbers("፩ ፪") is None  # isdigit() is true for these, int() refuses them
    assert parse_value("9" * 5000) is None


@pytest.mark.parametrize(
    "press",
    ["ack:99999999999999999999", "ack:9223372036854775808", "ack:²", "ack:٣", "ack:-1", "ack:"],
)
async def test_out_of_range_ack_ids_get_a_clean_answer(sim, press):
    await sign_up(sim, "lan")
    replies = await sim.press("lan", press)
    assert replies and not said(replies).startswith(FAILED), replies
    replies = await sim.text("lan", press)  # typed rather than pressed: the same
    assert replies and FAILED not in said(replies)


async def test_odd_digits_in_a_list_of_groups_and_in_numbers(sim):
    await sign_up(sim, "lan", profile=("Nữ",))
    for typed in ("፩", "² ³", "1 ፪", "99999999999999999999999"):
        replies = await sim.text("lan", typed)
        assert replies and FAILED not in said(replies), (typed, replies)


async def test_invitation_codes_five_wrong_guesses_an_hour(sim):
    await sign_up(sim, "admin", name="Hòa")
    await sim.press("admin", texts.BTN_STAFF)
    await sim.press("admin", texts.BTN_ST_INVITE)
    await sim.text("admin", "phu thinh")
    await sim.text("admin", "1")
    code = code_in(await sim.press("admin", texts.INVITE_KINDS["staff"]))

    await sign_up(sim, "guesser", name="Bình")
    for guess in ("HS-AAAAAA", "HS-BBBBBB", "HS-CCCCCC", "HS-DDDDDD", "HS-EEEEEE"):
        replies = await sim.text("guesser", guess)
        assert replies[0]["text"].startswith("Mã mời này chưa đúng"), replies
    too_many = texts.INVITE_TOO_MANY.format(Ong_ba="Bà")
    assert (await sim.text("guesser", code))[0]["text"] == too_many  # even the right one
    assert (await sim.send(user="guesser", command="start", args=code))[0]["text"] == too_many
    sim.clock.advance(3601)
    replies = await sim.text("guesser", code)
    assert "cán bộ hội" in replies[0]["text"]
    # Someone else's guesses are their own.
    await sign_up(sim, "other", name="Mai")
    assert (await sim.text("other", "HS-FFFFFF"))[0]["text"].startswith("Mã mời này chưa đúng")


async def test_consent_buttons_pressed_by_id(sim):
    replies = await sim.press("u1", "consent:yes")
    assert replies[0]["text"].startswith("Cảm ơn ạ!")
    replies = await sim.press("u2", "consent:more")
    assert [b["id"] for b in replies[-1]["buttons"]] == [
        "consent:yes",
        "consent:no",
        "consent:more",
    ]
    replies = await sim.press("u2", "consent:no")
    assert texts.CONSENT_REFUSED.split("{")[0][:20] in said(replies)
    replies = await sim.press("u3", "addr:bà")  # not on screen: the consent again, nothing stored
    assert texts.BTN_AGREE in [b["label"] for b in replies[-1]["buttons"]]
