"""Anonymise a message before it is shared as an example: numbers, links' paths, names."""

from __future__ import annotations

import re

_NUMBER = re.compile(r"(?<![\w])\+?\d(?:[\s.\-]?[\dxX*]){3,}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HANDLE = re.compile(r"(?<![\w])@\w{3,}")
_UPPER = "A-ZĐÀ-ỸÂĂÊÔƠƯ"
_LOWER = "a-zđà-ỹâăêôơư"
# Two to four capitalised words in a row (Nguyễn Văn Bình, TRAN THI LAN)
_NAME = re.compile(
    rf"(?<![\w])(?:[{_UPPER}][{_LOWER}{_UPPER}]*\s+){{1,3}}[{_UPPER}][{_LOWER}{_UPPER}]*(?![\w])"
)
# A title before a single name: "anh Minh", "bác sĩ Hùng", "chị Mai"
_TITLED = re.compile(
    rf"\b(anh|chị|chi|em|cô|chú|bác|bác sĩ|ông|bà|cháu|bạn|luật sư|cán bộ)\s+[{_UPPER}][{_LOWER}]+"
)
_KEEP = frozenset(
    {"Công an", "Tòa án", "Bảo hiểm", "Ngân hàng", "Dịch vụ", "Bộ Công", "Viện", "Quý khách"}
)


def mask(text: str) -> str:
    s = _EMAIL.sub("[email]", text)
    s = _HANDLE.sub("@[tên]", s)
    s = _NUMBER.sub("[số]", s)
    s = _TITLED.sub(lambda m: f"{m.group(1)} [tên]", s)

    def name(m: re.Match[str]) -> str:
        words = m.group(0)
        if any(words.startswith(k) for k in _KEEP):
            return words
        return "[tên]"

    return _NAME.sub(name, s)
