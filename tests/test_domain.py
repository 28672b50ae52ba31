"""The Unit value object: one parser for "all", "province:N", "commune:N", "branch:N"."""

import pickle

import pytest

from bot.domain import Unit


def test_units_are_their_text_with_kind_and_code():
    u = Unit.commune(5800)
    assert u == "commune:5800" and u.kind == "commune" and u.code == 5800
    assert Unit.parse("branch:3") == Unit.branch(3) and Unit.parse("branch:3").code == 3
    assert Unit.parse("all").kind == "all" and Unit.everywhere().code is None
    assert {Unit.province(1): 1}["province:1"] == 1  # usable where the text is
    assert pickle.loads(pickle.dumps(u)).code == 5800


@pytest.mark.parametrize(
    "text",
    ["", "commune", "commune:", "commune:-1", "commune:x", "district:1", "branch:1:2",
     "commune:99999999999999999999", " commune:1", None, 7],
)  # fmt: skip
def test_anything_else_is_refused(text):
    assert Unit.parse(text) is None
    with pytest.raises(ValueError):
        Unit.of(text if isinstance(text, str) else "x")
