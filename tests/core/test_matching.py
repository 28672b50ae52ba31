import pytest

from bot.core.matching import best_match, choice_index, clean, fold, intent

MENU = [
    ("learn", ["Học bài mới"]),
    ("review", ["Ôn tập"]),
    ("progress", ["Tiến độ của tôi"]),
    ("help", ["Trợ giúp"]),
]


@pytest.mark.parametrize(
    "typed, key",
    [
        ("Học bài mới", "learn"),
        ("hoc bai moi", "learn"),
        ("HOC BAI MOI", "learn"),
        ("hok bai moi", "learn"),
        ("Học bài mơi", "learn"),
        ("tôi muốn học bài mới", "learn"),
        ("on tap", "review"),
        ("ôn tâp", "review"),
        ("tien do", "progress"),
        ("Tiến độ của tui", "progress"),
        ("tro giup", "help"),
    ],
)
def test_menu_words_without_diacritics_with_typos_any_case(typed, key):
    assert best_match(typed, MENU) == key


@pytest.mark.parametrize("typed", ["hoc", "xin chào", "", "🙂", "a"])
def test_unclear_input_is_not_guessed(typed):
    assert best_match(typed, MENU) is None


@pytest.mark.parametrize(
    "typed, word",
    [
        ("dừng", "stop"),
        ("dung", "stop"),
        ("DUNG LAI", "stop"),
        ("quay lai", "back"),
        ("quya lai", "back"),
        ("trợ giúp", "help"),
        ("tro gup", "help"),
        ("?", "help"),
        ("Menu!!", "menu"),
        ("đúng", None),
        ("xin chào", None),
    ],
)
def test_global_words(typed, word):
    assert intent(typed) == word


def test_diacritics_typed_are_respected():
    # "đúng" (right) must not be read as "dừng" (stop), though both fold to "dung".
    assert fold("đúng") == fold("dừng") == "dung"
    assert intent("đúng") is None


@pytest.mark.parametrize(
    "typed, n, letters, index",
    [
        ("2", 3, False, 1),
        ("số 2", 3, False, 1),
        ("b", 3, True, 1),
        ("B.", 3, True, 1),
        ("đáp án c", 3, True, 2),
        ("c", 3, False, None),
        ("4", 3, True, None),
        ("0", 3, True, None),
    ],
)
def test_choice_index(typed, n, letters, index):
    assert choice_index(typed, n, letters) == index


def test_clean_removes_invisible_and_control_characters_and_normalises():
    assert clean("\u200bLan\u200b\x00 ") == "Lan"
    assert clean("Ho\u0300a") == "Hòa"  # NFD to NFC
