"""Value objects the whole application shares: units of the association, and Vietnam time.

A unit is "all" (the country), "province:<official code>", "commune:<official code>" or
"branch:<id>". It is stored and passed around as that text (database columns, button ids,
conversation data), so `Unit` is a `str`; parsing and building happen here and nowhere else.
"""

from __future__ import annotations

import re
from typing import Literal
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")

UnitKind = Literal["all", "province", "commune", "branch"]
KINDS: tuple[UnitKind, ...] = ("all", "province", "commune", "branch")
_UNIT = re.compile(r"^(province|commune|branch):(\d{1,9})$")


class Unit(str):
    """A unit's text with its kind and code; `Unit.parse` refuses anything malformed."""

    kind: UnitKind
    code: int | None

    def __new__(cls, kind: UnitKind, code: int | None = None) -> Unit:
        if kind == "all":
            self = super().__new__(cls, "all")
            code = None
        elif kind in KINDS and isinstance(code, int) and code >= 0:
            self = super().__new__(cls, f"{kind}:{code}")
        else:
            raise ValueError(f"not a unit: {kind!r} {code!r}")
        self.kind, self.code = kind, code
        return self

    @classmethod
    def parse(cls, text: object) -> Unit | None:
        """The unit a text names, or None (a forged button, a typo, an overlong number)."""
        if isinstance(text, Unit):
            return text
        if text == "all":
            return cls("all")
        m = _UNIT.match(text) if isinstance(text, str) else None
        return cls(m.group(1), int(m.group(2))) if m else None  # type: ignore[arg-type]

    @classmethod
    def of(cls, text: str) -> Unit:
        """Like `parse`, for text the application wrote itself: malformed is a bug."""
        unit = cls.parse(text)
        if unit is None:
            raise ValueError(f"unknown unit {text!r}")
        return unit

    @classmethod
    def province(cls, code: int) -> Unit:
        return cls("province", code)

    @classmethod
    def commune(cls, code: int) -> Unit:
        return cls("commune", code)

    @classmethod
    def branch(cls, branch_id: int) -> Unit:
        return cls("branch", branch_id)

    @classmethod
    def everywhere(cls) -> Unit:
        return cls("all")

    def __reduce__(self):  # str subclasses with extra state need this to pickle
        return (Unit, (self.kind, self.code))
