"""What a short answer means on each kind of screen, as older people type it.

Older learners type without diacritics, with Telex or VNI left over when the keyboard's
Vietnamese mode is off ("dduowcj", "d9uo7c" for "được"), with emoji, politeness words ("dạ",
"ạ", "cháu ơi") and spoken forms ("một chín năm tám"). Each reader here answers one kind of
screen (consent, yes/no, «Tiếp», quiz answers, thanks) and returns None rather than guess.
tests/nlu measures every reader against a corpus of such inputs.
"""

from __future__ import annotations

import re
from functools import cache

from bot.core.matching import clean, fold, strip_marks

# --- repairing Telex and VNI leftovers ---

_ONSET = r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?"
_SYLLABLE = re.compile(rf"^{_ONSET}[aeiouy]{{1,3}}(?:ch|ng|nh|[cmnpt])?$")
_TELEX_DOUBLE = (("dd", "d"), ("aa", "a"), ("ee", "e"), ("oo", "o"))
_TELEX_HOOK = (("uow", "uo"), ("aw", "a"), ("ow", "o"), ("uw", "u"))
_TONES = "sfrxj"
#: Words that end like a Telex tone but are typed as they are.
_KEEP = frozenset(
    {"yes", "thanks", "tks", "thx", "sms", "ios", "gps", "apps", "sos", "xoong", "next", "text"}
)


def syllable(word: str) -> bool:
    """Whether a bare word (no diacritics) has the shape of one Vietnamese syllable."""
    return bool(_SYLLABLE.match(word)) and not any(d in word for d in ("aa", "ee", "oo"))


@cache
def repair_word(word: str) -> str:
    """One bare word with Telex or VNI leftovers removed: "dduowcj" → "duoc", "d9uo7c" →
    "duoc", "tieeps" → "tiep". Words that already look like a syllable, numbers, times
    ("7h30") and codes stay as they are."""
    if word in _KEEP or not word.isascii():
        return word
    letters = sum(ch.isalpha() for ch in word)
    digits = sum(ch.isdigit() for ch in word)
    if digits and letters and word[0].isalpha() and digits <= letters:
        bare = re.sub(r"\d", "", word)  # VNI: digits after letters are marks
        return bare if syllable(bare) or len(bare) == 1 else word
    if digits or syllable(word):
        return word
    out = word
    for a, b in _TELEX_DOUBLE + _TELEX_HOOK:
        out = out.replace(a, b)
    if not syllable(out) and len(out) > 1 and out[-1] in _TONES and syllable(out[:-1]):
        out = out[:-1]  # the tone typed last: "dongf", "tieps"
    if not syllable(out):  # the tone typed inside: "thasi", "dusng"
        inner = re.sub(rf"(?<=[aeiouy])[{_TONES}](?=[aeiouycmnpt])", "", out)
        if syllable(inner):
            out = inner
    return out if syllable(out) or out == word.replace("dd", "d") else word


def norm(text: str) -> str:
    """Folded (lower case, no diacritics, no punctuation) with Telex/VNI leftovers repaired."""
    return " ".join(repair_word(w) for w in fold(text).split())


# --- emoji, which folding removes ---

_YES_EMOJI = ("👍", "👌", "✅", "🆗", "✔")
_NO_EMOJI = ("👎", "❌", "✖", "🚫")
_NEXT_EMOJI = ("➡", "👉", "▶", "⏩", "⏭")


def _emoji(text: str) -> str | None:
    """ "yes", "no" or "next" for a message of emoji (and maybe a word), else None."""
    if any(e in text for e in _NO_EMOJI):
        return "no"
    if any(e in text for e in _YES_EMOJI):
        return "yes"
    if any(e in text for e in _NEXT_EMOJI):
        return "next"
    return None


# --- words ---

#: Politeness and address words that change nothing in a short answer.
_SOFT = frozenset(
    {"a", "chau", "con", "oi", "nhe", "nha", "nhi", "di", "de", "chu", "ma", "bac", "toi"}
    | {"em", "ba", "ong", "co", "chu", "anh", "chi"}
)
#: Who is speaking, at the start of an answer: "tôi không đồng ý", "bác đồng ý".
_WHO = frozenset({"toi", "tui", "bac", "ba", "ong", "em", "minh", "co", "chu", "anh", "chi"})
_NO_FIRST = frozenset(
    {"khong", "ko", "k", "kg", "kh", "khg", "hong", "kp", "no", "nope", "n", "sai", "nham"}
    | {"khongg", "khog", "kog", "hok", "hem"}
)
_UNSURE = frozenset({"biet", "bit", "chac", "ro", "hieu", "nho", "le", "the"})
_YES_FIRST = frozenset(
    {"co", "dung", "phai", "vang", "da", "u", "uh", "uk", "um", "o", "ok", "oke", "okay", "oki"}
    | {"okie", "okk", "okey", "duoc", "dc", "yes", "y", "chuan", "muon", "yep", "ye", "coa", "vag"}
    | {"dungroi", "uhm", "uki", "oc"}
)
_YES_PHRASES = (
    "dong y",
    "nhat tri",
    "chinh xac",
    "chinh no",
    "no day",
    "dung roi",
    "phai roi",
    "o ke",
    "dung vay",
    "dung the",
)
_NO_PHRASES = ("lam gi co", "dau co", "chua dung", "chua phai", "thoi khong", "thoi khoi")


def yes_no(text: str) -> str | None:
    """ "yes", "no" or None for an answer to a yes/no question. Doubt ("không biết", "có
    lẽ", "chưa chắc") is neither."""
    cleaned = clean(text)
    if marked := _emoji(cleaned):
        return {"next": None}.get(marked, marked)
    if cleaned.lower().startswith("đừng"):
        return "no"
    words = norm(text).split()
    if not words:
        return None
    if words[0] == "da" and len(words) > 1:  # "dạ có", "dạ không"
        words = words[1:]
    said = " ".join(words)
    rest = set(words[1:])
    unsure = _UNSURE - {"the"} if words[0] != "co" else _UNSURE
    if rest & unsure:
        return None
    if any(said.startswith(p) or f" {p}" in f" {said}" for p in _NO_PHRASES):
        return "no"
    if words[0] in _NO_FIRST:
        if words[0] == "no" and rest & {"day", "do"}:
            return "yes"  # "nó đấy"
        return "no"
    if words == ["chua"]:
        return "no"
    if any(said.startswith(p) or f" {p}" in f" {said}" for p in _YES_PHRASES):
        return "yes"
    if words[0] in _YES_FIRST and not rest & (_NO_FIRST - {"no", "n", "sai", "nham"}):
        return "yes"
    return None


_NEXT_WORDS = frozenset(
    {"tiep", "tie", "tiepp", "theo", "tuc", "next", "sang", "trang", "sau", "qua", "bai", "cai"}
    | {"xong", "xog", "xonh", "xon", "roi", "hieu", "biet", "bt", "bit", "nho", "doc", "xem"}
    | {"hoc", "lam", "di", "duoc", "dc", "ok", "oke", "okay", "oki", "okie", "okk", "okey", "o"}
    | {"ke", "vang", "vag", "da", "u", "uh", "uk", "um", "uhm", "co", "yes", "de", "hiu", "cho"}
)
#: At least one of these must be there: "bài", "xem" alone say nothing.
_NEXT_KEYS = _NEXT_WORDS - {"theo", "tuc", "sang", "trang", "sau", "bai", "cai", "doc", "xem"}
_NEXT_KEYS -= {"hoc", "lam", "di", "de", "biet", "bt", "bit", "nho", "cho"}
_NEXT_PHRASES = ("trang sau", "sang trang", "biet roi", "bt roi", "bit roi", "nho roi")


def next_word(text: str) -> bool:
    """Whether the person means «Tiếp» (go on): "ok", "vâng ạ", "👍", "xog", "hiểu rồi"."""
    cleaned = clean(text)
    if _emoji(cleaned) in ("yes", "next"):
        return True
    words = [w for w in norm(text).split() if w not in _SOFT - {"co", "de", "di"}]
    if not words or not all(w in _NEXT_WORDS for w in words):
        return False
    said = " ".join(words)
    return any(w in _NEXT_KEYS for w in words) or any(p in said for p in _NEXT_PHRASES)


_DONE = frozenset({"xong", "xog", "xonh", "xong roi", "xog roi", "het roi", "vay thoi", "du roi"})


def done_word(text: str) -> bool:
    """Whether the person means «Xong» (finished choosing)."""
    words = [w for w in norm(text).split() if w not in _SOFT]
    return " ".join(words) in _DONE


_THANKS = re.compile(r"\b(?:cam on|camon|cam ta|thank|thanks|tks|thx|thank you)\b")


def thanks(text: str) -> bool:
    """ "cảm ơn cháu nhiều", "cam on", "thanks", "🙏"."""
    if "🙏" in text and not norm(text).strip():
        return True
    return bool(_THANKS.search(norm(text)))


# --- consent ---

_MORE = (
    "tim hieu",
    "tim hie",
    "giai thich",
    "noi ro",
    "noi lai",
    "la sao",
    "the la sao",
    "y la sao",
    "nghia la gi",
    "la gi",
    "la cai gi",
    "cai gi day",
    "luu gi",
    "luu cai gi",
    "luu nhung gi",
    "ai xem",
    "xem them",
    "them thong tin",
    "hoi them",
    "cho hoi",
    "biet them",
    "an toan khong",
    "mat tien",
    "mat phi",
    "tra tien",
    "lo thong tin",
    "hieu chet",
)
_NOT_UNDERSTOOD = re.compile(r"\b(?:khong|ko|k|kg|chua|chang)\s+(?:hieu|ro)\b")


def consent(text: str) -> str | None:
    """ "agree", "disagree" or "more" (explain again) for the consent question, else None.

    Not understanding is a question, never a refusal: "tôi không hiểu", "chưa hiểu lắm".
    """
    said = norm(text)
    words = said.split()
    if not words:
        return _agree(text, said)
    if _NOT_UNDERSTOOD.search(said):
        return "more"
    while len(words) > 1 and words[0] in _WHO | {"da"}:  # "dạ", "tôi", "bác" không đồng ý
        words = words[1:]
    first, rest = words[0], words[1:]
    if first in _NO_FIRST | {"chua"} and not (first == "no" and rest):
        return "disagree"
    if (first, rest[:1]) in (("dung", ["luu"]), ("tu", ["choi"])) or "tu choi" in said:
        return "disagree"  # "đừng lưu", "từ chối"
    if first == "thoi" and set(rest) & _NO_FIRST:
        return "disagree"
    if any(f" {p} " in f" {said} " for p in _MORE):
        return "more"
    if len(words) >= 3 and first == "co" and words[-1] in ("khong", "ko", "k"):
        return "more"  # "có mất tiền không", "có an toàn không": a question
    return _agree(text, said)


_AGREE_PHRASES = (
    "dong y",
    "dongy",
    "dong i",
    "dong yy",
    "chap nhan",
    "nhat tri",
    "cho luu",
    "luu di",
    "cu luu",
    "chac chan",
    "tat nhien",
)


def _agree(text: str, said: str) -> str | None:
    if said in ("dy", "d y"):
        return "agree"
    if any(f" {p} " in f" {said} " for p in _AGREE_PHRASES):
        return "agree"
    return "agree" if yes_no(text) == "yes" else "disagree" if yes_no(text) == "no" else None


# --- numbers said in words ---

DIGIT_WORDS = {
    "khong": 0,
    "linh": 0,
    "mot": 1,
    "mon": 1,
    "mốt": 1,
    "hai": 2,
    "ba": 3,
    "bon": 4,
    "tu": 4,
    "nam": 5,
    "lam": 5,
    "sau": 6,
    "bay": 7,
    "tam": 8,
    "chin": 9,
}


def spoken_number(words: list[str]) -> int | None:
    """ "một nghìn chín trăm năm mươi tám" → 1958, "năm mươi tám" → 58, "bảy mươi tư" → 74
    (folded words). None unless every word is part of the number."""
    if not words:
        return None
    total, current, seen = 0, 0, False
    i = 0
    while i < len(words):
        w = words[i]
        if w in ("nghin", "ngan"):
            total += (current or 1) * 1000
            current = 0
        elif w == "tram":
            total += (current or 1) * 100
            current = 0
        elif w == "muoi":
            current = (current or 1) * 10
        elif w in DIGIT_WORDS and w != "mốt":
            n = DIGIT_WORDS[w]
            if w in ("mot", "mon") and current >= 20 and current % 10 == 0:
                n = 1  # "năm mươi mốt"
            if current and current % 10 == 0 and current >= 10:
                current += n
            elif current:
                return None
            else:
                current = n
        else:
            return None
        seen = True
        i += 1
    return total + current if seen else None


def spoken_digits(words: list[str]) -> str | None:
    """ "một chín năm tám" → "1958": digits said one by one."""
    if len(words) < 2 or not all(w in DIGIT_WORDS for w in words):
        return None
    return "".join(str(DIGIT_WORDS[w]) for w in words)


NUMBER_WORDS = {w: n for w, n in DIGIT_WORDS.items() if 1 <= n <= 9 and w not in ("tu", "lam")}


def number_word(text: str) -> int | None:
    """A choice said as a word: "hai" → 2, "số ba" → 3."""
    words = [w for w in strip_marks(fold(text)).split() if w not in ("so", "cai", "nut", "a")]
    if len(words) == 1 and words[0] in NUMBER_WORDS:
        return NUMBER_WORDS[words[0]]
    return None


# --- the main menu in other words ---

#: Other ways to say each menu button (by button id); the labels themselves are matched too.
MENU_WORDS: dict[str, tuple[str, ...]] = {
    "menu:learn": (
        "học",
        "học bài",
        "bài mới",
        "học mới",
        "học tiếp",
        "học bài tiếp",
        "vào học",
        "bắt đầu học",
        "cho tôi học",
        "muốn học",
        "học đi",
        "học thôi",
    ),
    "menu:practice": (
        "luyện",
        "tình huống",
        "luyện tập",
        "thực hành",
        "tập tình huống",
    ),
    "menu:review": ("ôn", "ôn bài", "ôn bài cũ", "ôn lại", "ôn lại bài", "học lại bài cũ"),
    "menu:progress": (
        "tiến độ",
        "xem tiến độ",
        "kết quả",
        "kết quả học",
        "học đến đâu",
        "học đến đâu rồi",
        "học được bao nhiêu",
        "điểm của tôi",
    ),
    "menu:help": ("giúp", "giúp tôi", "giúp với", "hướng dẫn", "help", "cứu"),
    "menu:scam": (
        "kiểm tra",
        "kiểm tra tin",
        "kiểm tra tin nhắn",
        "tin nghi ngờ",
        "nghi ngờ",
        "tin lạ",
        "tin nhắn lạ",
        "kiểm tra lừa đảo",
        "kiểm tra tin lạ",
    ),
}


def menu_phrases(bid: str, label: str) -> list[str]:
    """A menu button's label and the other words people use for it."""
    return [label, *MENU_WORDS.get(bid, ())]


# --- quiz answers in words ---

_QUIZ_SOFT = frozenset({"a", "cai", "chau", "oi", "nhe", "nha", "do", "day", "chu", "thi", "la"})


def quiz_option(text: str, options: list[str]) -> int | None:
    """The option (index in `options`) that typed words name, or None if none or several fit.

    Tried in turn: the whole option, an option starting with the words ("gọi video" for
    «Gọi video lại cho họ»), the first word of exactly one option ("giả" for «Giả, công an
    không…»), the words all inside exactly one option, and for two options, "không X" where
    X names one of them (the other is meant: "không mất tiền" → «Miễn phí»).
    """
    words = [_SHORT.get(w, w) for w in norm(text).split() if w not in _QUIZ_SOFT]
    if not words:
        return None
    said = " ".join(words)
    opts = [norm(o.replace("{ong_ba}", "").replace("{Ong_ba}", "")) for o in options]
    opts = [" ".join(_SHORT.get(w, w) for w in o.split()) for o in opts]
    exact = [i for i, o in enumerate(opts) if o == said]
    if len(exact) == 1:
        return exact[0]
    starts = [i for i, o in enumerate(opts) if f"{o} ".startswith(f"{said} ")]
    if len(starts) == 1:
        return starts[0]
    firsts = [i for i, o in enumerate(opts) if o.split()[:1] == words[:1]]
    if len(firsts) == 1 and all(
        w in opts[firsts[0]].split() or w == "roi" or w.isdigit() for w in words[1:]
    ):
        return firsts[0]  # "giả", "giả rồi", "nên"
    inside = [i for i, o in enumerate(opts) if _fits(words, o.split())]
    if words[0] in _NEGATIONS and len(words) > 1:
        # "không mất tiền" shares words with «Mất nhiều tiền cước» but says the opposite: a
        # loose match must carry the negation too
        inside = [i for i in inside if set(opts[i].split()) & _NEGATIONS]
    if len(inside) == 1:
        best = inside[0]
        if sum(_share(words, o.split()) == 1.0 for o in opts) <= 1:
            return best
    if len(opts) == 2 and words[0] in _NEGATIONS and len(words) > 1:
        named = quiz_option(" ".join(words[1:]), options)
        if named is not None and not opts[named].startswith("khong"):
            return 1 - named
    return None


#: Words that turn what follows into its opposite.
_NEGATIONS = frozenset({"khong", "ko", "k", "chang"})

#: Short forms people type, as the options spell them.
_SHORT = {"ko": "khong", "k": "khong", "kg": "khong", "khg": "khong", "hong": "khong", "dc": "duoc"}


def _fits(words: list[str], option: list[str]) -> bool:
    """Most typed words are in the option: three in four, or two of three."""
    share = _share(words, option)
    return share >= 0.75 or (share >= 0.6 and len(words) >= 3)


def _share(words: list[str], option: list[str]) -> float:
    """How many of the typed words the option contains (0..1)."""
    have = set(option)
    return sum(w in have for w in words) / len(words)


# --- birth year ---

_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
_TWO = re.compile(r"^(?:(?:sinh\s+)?nam(?:\s+sinh)?\s*|sinh\s+|sn\s+|s n\s+)?(\d\d)$")
_AGE = re.compile(
    r"(?:^|\s)(\d{2,3})\s*tuoi\b|\btuoi\s+(\d{2,3})\b|\bnam nay\s+(?:\w+\s+)?(\d{2,3})\b"
)
_YEAR_SOFT = frozenset(
    {"a", "da", "chau", "oi", "nhe", "nha", "do", "toi", "bac", "ong", "em", "sinh", "nam"}
    | {"sn", "ns", "vao", "cua", "la", "duong", "am", "lich", "roi"}
)
#: The twelve animals of the lunar years: "1957 đinh dậu" is still 1957.
_ZODIAC = frozenset(
    {"ty", "suu", "dan", "mao", "thin", "ngo", "mui", "than", "dau", "tuat", "hoi", "tuoi"}
    | {"giap", "at", "binh", "dinh", "mau", "ky", "canh", "tan", "nham", "quy"}
)


def birth_year(text: str, this_year: int) -> int | str | None:
    """A year of birth as people write it; "ask" for two digits (born in 19xx, or aged xx?).

    "1958", "sn 1958", "1 9 5 8", "1.958", "l958", "5/3/1952", "70 tuổi", "một chín năm
    tám", "một nghìn chín trăm năm mươi tám". Two different years are not guessed.
    """
    folded = fold(clean(text))
    folded = re.sub(r"(?<![a-z])[li](?=\d{3}\b)", "1", folded)  # "l958", "I958"
    joined = re.sub(r"(?<=\d)[\s.,\-](?=\d)", "", folded)  # "1 9 5 8", "1.958", "19 58"
    years = set(_YEAR.findall(folded)) or set(_YEAR.findall(joined))
    dated = re.findall(r"\b\d{1,2}\s*(?:thang\s*)?\d{1,2}\s*(?:nam\s*)?(1[89]\d\d)\b", folded)
    if len(years) > 1 and dated:
        years = set(dated)
    if len(years) == 1:
        return int(years.pop())
    if years:
        return None
    if m := _AGE.search(folded):
        age = int(next(g for g in m.groups() if g))
        return this_year - age
    words = folded.split()
    if words and words[-1] == "tuoi":
        n = spoken_number([w for w in words[:-1] if w not in ("nam", "nay")])
        if n is not None and n < 130:
            return this_year - n
    if m := _TWO.match(" ".join(w for w in words if w not in ("a", "da", "nhe", "nha"))):
        return "ask"
    core = [w for w in words if w not in _YEAR_SOFT - {"nam"}]
    if core and core[0] == "nam" and len(core) > 1:
        core = core[1:]  # "năm một chín sáu mươi"
    if (digits := spoken_digits(core)) is not None and len(digits) == 4:
        return int(digits) if 1800 <= int(digits) <= 2099 else None
    if spoken_digits(core[:2]) == "19" and (tail := spoken_number(core[2:])):
        return 1900 + tail if tail < 100 else None  # "một chín sáu mươi"
    n = spoken_number(core)
    if n is not None and 1800 <= n <= 2099:
        return n
    if n is None and core and core[0] == "nghin":
        n = spoken_number(["mot", *core])
        return n if n is not None and 1800 <= n <= 2099 else None
    if n is not None and 10 <= n <= 99:
        return "ask"
    if len(core) == 2 and (two := spoken_digits(core)) is not None:
        return "ask" if len(two) == 2 and two[0] != "0" else None
    return None
