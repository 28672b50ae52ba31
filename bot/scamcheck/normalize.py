"""Undo what scammers do to slip past filters, then fold to plain lowercase ASCII-ish text.

Scam texts write "B4m v4o", "d!eu k!en", "n_h_a_n t.h.u.o.n.g", use Cyrillic or full-width look-alike
letters and zero-width spaces. `deobfuscate` undoes these; `fold` drops diacritics so that
"nhận thưởng" and "nhan thuong" (typed without accents) are matched by the same rules.
"""

from __future__ import annotations

import re
import unicodedata

# Cyrillic and Greek letters that look like Latin ones (after NFKC folds full-width forms).
HOMOGLYPHS = str.maketrans(
    {
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
        "ј": "j", "ѕ": "s", "к": "k", "м": "m", "т": "t", "в": "b", "н": "h", "А": "A",
        "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
        "Т": "T", "Х": "X", "У": "Y", "І": "I", "α": "a", "ο": "o", "ν": "v", "ι": "i",
        "Α": "A", "Β": "B", "Ε": "E", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
        "Ρ": "P", "Τ": "T", "Χ": "X", "Υ": "Y", "Ζ": "Z",
    }
)  # fmt: skip
LEET = {"4": "a", "@": "a", "3": "e", "0": "o", "1": "i", "!": "i", "$": "s", "5": "s", "7": "t"}
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_TOKEN = re.compile(r"[^\s]+")
_AMOUNT = re.compile(r"^\d+[.,]?\d*(k|tr|trieu|h|d|đ|m|ty|g|p|s|%)?\d*$", re.IGNORECASE)
# "n_h_a_n", "t.h.u.o.n.g", "o-t-p": single letters joined by a separator
_SPELLED = re.compile(r"(?<![\w.])(?:\w[._\-*·•|~/]){2,}\w(?![\w])")
_INNER_SEP = re.compile(r"(?<=[^\W\d_])[_*·•|~]+(?=[^\W\d_])")


def _unleet(token: str) -> str:
    letters = sum(c.isalpha() for c in token)
    core = token.strip(",.;:?!()[]\"'")
    leets = sum(c in LEET for c in core)
    if letters < 1 or leets == 0 or leets > 2 * letters or _AMOUNT.match(core):
        return token
    if any(c.isdigit() and c not in LEET for c in token):
        return token
    out = []
    for i, c in enumerate(token):
        prev_alpha = i > 0 and token[i - 1].isalpha()
        next_alpha = i + 1 < len(token) and token[i + 1].isalpha()
        if c in "!@" and not next_alpha and sum(x in LEET for x in token) < 2:
            out.append(c)  # "Chúc mừng!" keeps its exclamation mark; "t4!" is "tai"
        elif c in LEET and (prev_alpha or next_alpha or (i > 0 and token[i - 1] in LEET)):
            out.append(LEET[c])
        else:
            out.append(c)
    return "".join(out)


def _join_spelled(m: re.Match[str]) -> str:
    s = m.group(0)
    if "." in s and " " not in s and s.count(".") == len(s) // 2 and len(s) <= 7:
        return s  # short dotted runs like "T.P" or "a.b.c" read fine either way
    return re.sub(r"[._\-*·•|~/]", "", s)


def deobfuscate(text: str) -> str:
    """NFKC, look-alike letters to Latin, no zero-width characters, digits-for-letters undone."""
    s = unicodedata.normalize("NFKC", text)
    s = _ZERO_WIDTH.sub("", s).translate(HOMOGLYPHS)
    s = _SPELLED.sub(_join_spelled, s)
    s = _INNER_SEP.sub(" ", s)
    s = _TOKEN.sub(lambda m: _unleet(m.group(0)), s)
    return unicodedata.normalize("NFC", s)


def strip_marks(text: str) -> str:
    s = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in s if unicodedata.category(c) != "Mn")


def fold(text: str) -> str:
    """Deobfuscated, without diacritics, lowercase, single spaces."""
    return re.sub(r"\s+", " ", strip_marks(deobfuscate(text)).lower()).strip()
