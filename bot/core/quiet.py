"""Quiet hours: when non-urgent bulk messages (announcements, reminders) are held back.

One window for the whole process, Vietnam time, 21:00-07:00 unless the operator sets
HOCSO_QUIET_HOURS ("20:30-07:30", or "off"); `configure` applies it at start. The outbox
(bot/delivery.py) does the holding; staff screens use `release_time` to say when a message
asked for the night will really go.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.core.review import VN

_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class QuietHours:
    start: dt.time | None = dt.time(21, 0)  # None: no quiet hours
    end: dt.time | None = dt.time(7, 0)

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        """ "21:00-07:00" (may wrap midnight) or "off"; anything else is a ValueError."""
        if text.strip().lower() in ("off", "none", "0", ""):
            return cls(None, None)
        m = _SPAN.match(text)
        if m is None:
            raise ValueError(f"quiet hours must look like 21:00-07:00 or off, not {text!r}")
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        start, end = dt.time(h1, m1), dt.time(h2, m2)  # raises on 25:00 or 07:61
        if start == end:
            raise ValueError("quiet hours must not start and end at the same time")
        return cls(start, end)

    def holds(self, now: dt.datetime) -> bool:
        if self.start is None or self.end is None:
            return False
        t = now.astimezone(VN).time()
        if self.start < self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end

    def release_time(self, when: dt.datetime, urgent: bool) -> dt.datetime:
        """When a message asked for `when` really goes: at the end of quiet hours if held."""
        local = when.astimezone(VN)
        if urgent or self.end is None or not self.holds(local):
            return local
        day = local.date()
        if local.time() >= self.end:
            day += dt.timedelta(days=1)
        return dt.datetime.combine(day, self.end, tzinfo=VN)


_current = QuietHours()


def configure(quiet: QuietHours) -> None:
    global _current
    _current = quiet


def current() -> QuietHours:
    return _current
