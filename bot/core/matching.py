"""Understanding what older people type: without diacritics, with typos, in any case.

Matching is tolerant but never guesses between two close candidates: an ambiguous input is
treated as not understood, and the bot shows the choices again.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz

MAX_INPUT_CHARS = 1000
#: The largest integer SQLite stores; anything a person types is checked against a far smaller
#: bound before it becomes a query parameter.
SQL_INT_MAX = 2**63 - 1
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_NON_WORD = re.compile(r"[^\w\s]", re.UNICODE)
_SPACES = re.compile(r"\s+")


def clean(text: str) -> str:
    """Text as a person meant it: NFC, no invisible or control characters, single spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def small_int(text: str, limit: int = SQL_INT_MAX) -> int | None:
    """`text` as a whole number in 0..limit if it is ASCII digits only, else None.

    Numbers typed by people and numbers inside button ids go through this before they reach
    SQL: `str.isdigit()` also accepts "²" or "፩" (which `int` refuses) and any length (which
    SQLite refuses past 2**63-1).
    """
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(limit)):
        return None
    value = int(text)
    return value if value <= limit else None


def strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.replace("đ", "d").replace("Đ", "D")


def fold(text: str, keep_marks: bool = False) -> str:
    """Lower case, punctuation and emoji removed; diacritics removed unless asked to keep them."""
    text = clean(text).lower()
    if not keep_marks:
        text = strip_marks(text)
    text = unicodedata.normalize("NFC", text)
    text = _NON_WORD.sub(" ", text).replace("_", " ")
    return _SPACES.sub(" ", text).strip()


def has_marks(text: str) -> bool:
    return strip_marks(text) != text


def _score(query: str, phrase: str) -> float:
    if query == phrase:
        return 100.0
    if len(phrase) <= 3 or len(query) <= 2:
        return 0.0  # short words ("có", "ok", "1") must be exact: a typo there changes meaning
    score = fuzz.ratio(query, phrase)
    q_words, p_words = query.split(), phrase.split()
    if len(query) >= 5 and phrase.startswith(query):
        score = max(score, 90.0)
    if len(p_words) >= 2 and _contains_words(q_words, p_words):
        score = max(score, 90.0)
    if len(q_words) >= 2 and _contains_words(p_words, q_words):
        score = max(score, 88.0)
    return score


def _contains_words(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def best_match(
    text: str,
    candidates: Iterable[tuple[str, Sequence[str]]],
    threshold: float = 80.0,
    margin: float = 6.0,
    _marks: bool = True,
) -> str | None:
    """Return the key whose phrases best match `text`, or None if nothing or two keys fit.

    When the person typed diacritics they are respected ("đúng" is not "dừng"); without them
    both sides are compared bare.
    """
    from bot.core.understand import repair_word  # Telex/VNI leftovers: "hocj" is "học"

    candidates_list = list(candidates)
    keep = _marks and has_marks(clean(text))
    query = fold(text, keep_marks=keep)
    if not keep:
        query = " ".join(repair_word(w) for w in query.split())
    if not query:
        return None
    scored: dict[str, float] = {}
    for key, phrases in candidates_list:
        best = 0.0
        for phrase in phrases:
            folded = fold(phrase, keep_marks=keep)
            if not keep:
                folded = " ".join(repair_word(w) for w in folded.split())
            best = max(best, _score(query, folded))
        scored[key] = max(scored.get(key, 0.0), best)
    ranked = sorted(scored.items(), key=lambda kv: kv[1], reverse=True)
    if not ranked or ranked[0][1] < threshold:
        if keep and _marks and len(query.split()) >= 2:  # marks on some words: "hoc bai mơi"
            bare = strip_marks(clean(text))
            return best_match(bare, candidates_list, threshold, margin, _marks=False)
        return None
    if len(ranked) > 1 and ranked[0][1] < 100 and ranked[0][1] - ranked[1][1] < margin:
        return None
    return ranked[0][0]


_CHOICE = re.compile(
    r"^(?:cau|so|dap an|phuong an|chon|toi chon|y|lua chon|cai|nut|bam|bam so|chon so)?\s*"
    r"([0-9]{1,2}|[a-d])\s*[.)]?(?:\s+(?:a|nhe|nha|chau|chau oi|di))?$"
)


def choice_index(text: str, count: int, letters: bool = False, words: bool = False) -> int | None:
    """0-based index for "2", "số 2", "b", "B.", "đáp án c", "1 ạ"; with `words`, also a
    number said as a word ("hai", "số ba"). None if not a valid choice."""
    m = _CHOICE.match(fold(text))
    if not m:
        if words:
            from bot.core.understand import number_word

            n = number_word(text)
            return n - 1 if n is not None and n <= count else None
        return None
    token = m.group(1)
    if token.isdigit():
        idx = int(token) - 1
    elif letters:
        idx = ord(token) - ord("a")
    else:
        return None
    return idx if 0 <= idx < count else None


# Words that work everywhere. Several forms each, since people write them many ways.
INTENTS: dict[str, tuple[str, ...]] = {
    "help": (
        "trợ giúp",
        "giúp",
        "giúp đỡ",
        "giúp tôi",
        "giúp với",
        "hướng dẫn",
        "help",
        "cứu",
        "?",
    ),
    "menu": ("menu", "trang chính", "về trang chính", "danh mục", "về menu", "màn hình chính"),
    "back": (
        "quay lại",
        "trở lại",
        "lùi lại",
        "quay về",
        "back",
        "trang trước",
        "cái trước",
        "xem lại cái trước",
    ),
    "stop": (
        "dừng",
        "dừng lại",
        "thôi",
        "stop",
        "nghỉ",
        "tạm dừng",
        "thoát",
        "thôi nghỉ",
        "thôi dừng",
        "nghỉ đã",
    ),
    "resume": ("bắt đầu", "bắt đầu lại", "nhắc lại", "tiếp tục nhắc", "start"),
}


#: Global words typed as they are, never someone's name or message.
_PLAIN_WORDS = frozenset({"menu", "help", "back", "stop", "start"})


def intent(text: str, data: bool = False) -> str | None:
    """The global word in `text`. Where free text is data (a name), one word without
    diacritics is data: "Dung" is a name, "dừng" still stops."""
    cleaned = clean(text)
    if cleaned == "?":
        return "help"
    one_plain_word = not has_marks(cleaned) and len(cleaned.split()) == 1
    if data and one_plain_word and fold(text) not in _PLAIN_WORDS:
        return None
    words = cleaned.split()
    while len(words) > 1 and fold(words[-1]) in _TRAILING:  # "thôi nhé", "dừng đi cháu"
        words.pop()
    if len(words) > 4 and fold(" ".join(words)) not in _WHOLE:
        return None  # a sentence that mentions «hướng dẫn» is not a call for help
    if len(words) == 1:  # a short word must be exact: "that" is not "thoát", "hoi" not "thôi"
        from bot.core.understand import repair_word

        marks = has_marks(words[0])
        bare = fold(words[0], keep_marks=marks)
        bare = bare if marks else repair_word(bare)
        if not bare:
            return None  # emoji
        if len(bare) <= 4:
            exact = [k for k, ps in INTENTS.items() if bare in {fold(p, marks) for p in ps}]
            return exact[0] if len(exact) == 1 else None
    # With particles dropped, only the global word itself counts ("hoi con da" is not "thôi").
    threshold = 85.0 if len(words) == len(cleaned.split()) else 100.0
    word = best_match(" ".join(words), INTENTS.items(), threshold=threshold)
    if word == "resume" and fold(" ".join(words)) not in _RESUME_WHOLE:
        return None  # "bắt đầu học" is the menu's «Học bài mới», not reminders again
    return word


#: Particles after a global word that change nothing: "thôi nhé", "dừng đi cháu".
_TRAILING = frozenset({"a", "nhe", "nha", "nhi", "di", "chau", "oi", "con", "da", "thoi"})
_WHOLE = frozenset(fold(p) for ps in INTENTS.values() for p in ps)
_RESUME_WHOLE = frozenset(
    fold(p) for p in (*INTENTS["resume"], "bat dau nhac", "nhac lai di", "bat dau lai nhe")
)
