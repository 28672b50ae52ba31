import pytest

from bot.core import places


def test_official_lists_after_2025():
    assert len(places.provinces()) == 34
    assert places.commune(5800).name == "Xã Phú Thịnh"
    assert places.commune(5800).province_code == 19


@pytest.mark.parametrize(
    "query, name",
    [
        ("thai nguyen", "Thái Nguyên"),
        ("Thái Nguyên", "Thái Nguyên"),
        ("thai ngyen", "Thái Nguyên"),
        ("ha noi", "Thành phố Hà Nội"),
        ("tp hcm", "Thành phố Hồ Chí Minh"),
        ("Huế", "Thành phố Huế"),
        ("dak lak", "Đắk Lắk"),
    ],
)
def test_province_search(query, name):
    found, _ = places.search_provinces(query)
    assert found[0].name == name


def test_search_returns_at_most_five_and_the_total():
    found, total = places.search("phu", places.communes(19))
    assert len(found) == 5 and total > 5
    assert all("phu" in p.bare for p in found)


def test_commune_search_with_and_without_diacritics():
    for q in ("phu thinh", "Phú Thịnh", "xã phú thịnh", "phu thin"):
        found, _ = places.search(q, places.communes(19))
        assert found[0].code == 5800, q


def test_nothing_found():
    assert places.search("zzzz qqq", places.communes(19)) == ([], 0)
