"""The pieces of bot/core/understand.py that the corpus (tests/nlu) measures only as a whole."""

import pytest

from bot.core.understand import (
    birth_year,
    number_word,
    quiz_option,
    repair_word,
    spoken_number,
    yes_no,
)


@pytest.mark.parametrize(
    "typed, bare",
    [
        ("dduowcj", "duoc"),  # Telex: đ, ư/ơ and the tone typed last
        ("d9uo7c", "duoc"),  # VNI
        ("tieeps", "tiep"),
        ("thasi", "thai"),  # the tone typed inside the word
        ("khoong", "khong"),
        ("ys", "y"),
        # left alone: English, names, numbers, codes and times
        ("wifi", "wifi"),
        ("facebook", "facebook"),
        ("next", "next"),
        ("l958", "l958"),
        ("7h30", "7h30"),
        ("4g", "4g"),
        ("vneid", "vneid"),
    ],
)
def test_telex_and_vni_leftovers_are_repaired_and_nothing_else(typed, bare):
    assert repair_word(typed) == bare


@pytest.mark.parametrize(
    "words, n",
    [
        ("mot nghin chin tram nam muoi tam", 1958),
        ("nam muoi tam", 58),
        ("bay muoi tu", 74),
        ("sau muoi", 60),
        ("nam muoi mot", 51),
        ("chin chin chin", None),  # digits one by one are not a spoken number
        ("xin chao", None),
    ],
)
def test_spoken_numbers(words, n):
    assert spoken_number(words.split()) == n


def test_two_years_are_not_guessed_and_two_digits_are_asked_back():
    assert birth_year("ông nhà tôi 1950 còn tôi 1953", 2026) is None
    assert birth_year("74", 2026) == "ask"
    assert birth_year("5/3/1952", 2026) == 1952


def test_doubt_is_neither_yes_nor_no():
    for typed in ("không biết", "có lẽ", "chưa chắc", "có thể"):
        assert yes_no(typed) is None, typed
    assert yes_no("đúng") == yes_no("dung") == "yes"  # on a yes/no question, "dung" is đúng
    assert yes_no("👎") == "no"


def test_number_words():
    assert number_word("hai") == 2
    assert number_word("số ba") == 3
    assert number_word("hai ba") is None


def test_a_negated_answer_never_picks_the_option_it_negates():
    two = ["Miễn phí", "Mất nhiều tiền cước"]
    assert quiz_option("không mất tiền", two) == 0
    assert quiz_option("ko mat tien", two) == 0
    assert quiz_option("mat tien", two) == 1
    three = ["Gọi lại số đã lưu", "Làm theo lời họ ngay", "Không làm gì, xóa tin"]
    assert quiz_option("khong lam gi", three) == 2
    assert quiz_option("khong lam theo loi ho", three) is None  # asked again, not option 2
