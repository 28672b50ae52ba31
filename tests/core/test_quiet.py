import datetime as dt

import pytest

from bot.config import Settings
from bot.core import quiet
from bot.core.quiet import QuietHours
from bot.core.review import VN
from bot.core.staff import real_send_time
from bot.delivery import in_quiet_hours


def vn(h: int, m: int = 0, day: int = 5) -> dt.datetime:
    return dt.datetime(2026, 12, day, h, m, tzinfo=VN)


@pytest.fixture
def restore():
    before = quiet.current()
    yield
    quiet.configure(before)


def test_parse_the_forms_an_operator_writes():
    assert QuietHours.parse("21:00-07:00") == QuietHours()
    assert QuietHours.parse(" 20:30 - 7:30 ") == QuietHours(dt.time(20, 30), dt.time(7, 30))
    assert QuietHours.parse("off") == QuietHours(None, None)
    for bad in ("21-07", "25:00-07:00", "07:61-08:00", "08:00-08:00", "sáng"):
        with pytest.raises(ValueError):
            QuietHours.parse(bad)


def test_a_window_across_midnight_and_one_within_a_day():
    night = QuietHours()
    assert night.holds(vn(21)) and night.holds(vn(0, 30)) and night.holds(vn(6, 59))
    assert not night.holds(vn(7)) and not night.holds(vn(20, 59))
    noon = QuietHours.parse("12:00-13:30")
    assert noon.holds(vn(12)) and noon.holds(vn(13, 29))
    assert not noon.holds(vn(11, 59)) and not noon.holds(vn(13, 30))
    assert not QuietHours(None, None).holds(vn(23))


def test_release_time_is_the_end_of_the_quiet_hours_that_hold_it():
    night = QuietHours()
    assert night.release_time(vn(22), urgent=False) == vn(7, day=6)
    assert night.release_time(vn(3), urgent=False) == vn(7)
    assert night.release_time(vn(10), urgent=False) == vn(10)
    assert night.release_time(vn(22), urgent=True) == vn(22)
    assert QuietHours(None, None).release_time(vn(23), urgent=False) == vn(23)


def test_the_setting_reaches_the_outbox_and_the_staff_screens(restore, monkeypatch):
    monkeypatch.setenv("HOCSO_QUIET_HOURS", "off")
    quiet.configure(Settings().quiet())
    assert not in_quiet_hours(vn(23))
    assert real_send_time(vn(23), urgent=False) == vn(23)
    monkeypatch.setenv("HOCSO_QUIET_HOURS", "20:00-06:00")
    quiet.configure(Settings().quiet())
    assert in_quiet_hours(vn(20, 30)) and not in_quiet_hours(vn(6))
    assert real_send_time(vn(20, 30), urgent=False) == vn(6, day=6)


def test_a_wrong_setting_stops_the_start_with_a_clear_message(monkeypatch):
    monkeypatch.setenv("HOCSO_QUIET_HOURS", "tối")
    with pytest.raises(ValueError, match="21:00-07:00 or off"):
        Settings()
