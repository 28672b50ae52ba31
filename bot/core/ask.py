"""Free questions ("làm sao chuyển tiền cho con", "mã otp là gì") answered with lessons.

A question typed outside sign-up that no screen understood is searched over the lessons the
learner can see: titles and keywords weigh most, then the summary, then the cards. The best one
to three lessons are offered as numbered buttons; when two are about as close, the learner is
asked which one ("bài 1 hay bài 2?").

```mermaid
stateDiagram-v2
    any --> ask.found: a question that names a lesson's topic
    ask.found --> lesson.card: a lesson
    ask.found --> menu: Về menu
```
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from bot import texts
from bot.core.flow import Screen, go, screen
from bot.core.matching import clean, fold
from bot.core.turn import Turn
from bot.core.understand import norm, syllable
from lessons.schema import Lesson

MAX_OFFERED = 3
#: Lessons scoring at least this share of the best one are offered beside it.
CLOSE = 0.75
#: Below this the question is not taken as about any lesson.
MIN_SCORE = 8.0
#: At least this share of the question's words must be found in the best lesson.
MIN_COVERAGE = 0.5

#: Words that carry no topic: question words, pronouns, particles, address forms.
STOP = frozenset(
    [
        "a",
        "ai",
        "anh",
        "ba",
        "bac",
        "bao",
        "biet",
        "bi",
        "cho",
        "chau",
        "chi",
        "co",
        "con",
        "da",
        "dang",
        "day",
        "de",
        "den",
        "di",
        "do",
        "duoc",
        "em",
        "gi",
        "ha",
        "hay",
        "hoi",
        "khi",
        "khong",
        "ko",
        "la",
        "lam",
        "len",
        "luc",
        "minh",
        "muon",
        "nao",
        "nay",
        "neu",
        "nhe",
        "nha",
        "nhi",
        "nhu",
        "nhung",
        "nen",
        "o",
        "oi",
        "ong",
        "phai",
        "ra",
        "rat",
        "roi",
        "sao",
        "se",
        "thi",
        "thoi",
        "toi",
        "tui",
        "vao",
        "va",
        "vay",
        "ve",
        "voi",
        "vi",
        "xin",
        "kia",
        "dau",
        "chua",
        "cung",
        "cac",
        "nhieu",
        "qua",
        "ok",
        "k",
        "hoac",
        "lai",
        "the",
        "nguoi",
        "ta",
        "an",
        "ten",
        "hom",
        "het",
        "tuoi",
        "gio",
        "cach",
    ]
)
#: Words that make a question ("là gì", "thế nào"): never part of a topic's word pair.
ASKING = frozenset({"la", "gi", "sao", "nao", "the", "khong", "co", "chua", "a", "nhe", "nha"})
FIELD_WEIGHT = {"title": 5.0, "keywords": 4.0, "summary": 2.0, "cards": 1.0, "questions": 0.5}
#: A one-word question must name a lesson's topic (title or keywords) and be a rare word
#: (in at most this many lessons) or a name like "VNeID", "OTP".
ONE_WORD_MAX_LESSONS = 12


#: Short forms typed in questions, spelt out as lessons write them.
SHORT_FORMS = {
    "tk": "tai khoan",
    "ck": "chuyen khoan",
    "dt": "dien thoai",
    "dthoai": "dien thoai",
    "nh": "ngan hang",
    "ng": "nguoi",
    "bhxh": "bao hiem xa hoi",
    "bhyt": "bao hiem y te",
    "sdt": "so dien thoai",
    "mk": "mat khau",
    "dvc": "dich vu cong",
}


def terms(text: str, repair: bool = False) -> list[str]:
    """Topic words and word pairs of a text (folded): "chuyen", "tien", "chuyen tien"."""
    words = (norm(text) if repair else fold(text)).split()
    if repair:
        words = " ".join(SHORT_FORMS.get(w, w) for w in words).split()
        words = re.sub(r"\b(?:la )?cai gi\b", "", " ".join(words)).split()  # "là cái gì"
    # Capitals are a name, not a particle: "AI" is not "ai" (who).
    keep = {fold(w) for w in clean(text).split() if len(w) >= 2 and w.isupper()}
    out = [w for w in words if w not in STOP or w in keep]
    pairs = [
        f"{a} {b}"
        for a, b in itertools.pairwise(words)
        if not (a in STOP and b in STOP) and not {a, b} & ASKING
    ]
    return out + pairs


@dataclass(frozen=True)
class Index:
    ids: tuple[str, ...]
    fields: tuple[dict[str, float], ...]  # per lesson: term -> best field weight
    titles: tuple[frozenset[str], ...]  # per lesson: the title's words
    heads: tuple[str, ...]  # per lesson: the title's first two words ("ma otp")
    idf: dict[str, float]


def _lesson_fields(lesson: Lesson) -> dict[str, float]:
    texts_by_field = {
        "title": [lesson.title],
        "keywords": list(lesson.keywords),
        "summary": [lesson.summary or ""],
        "cards": [c.text for c in lesson.cards],
        "questions": [q.text for q in lesson.questions],
    }
    out: dict[str, float] = {}
    for field, parts in texts_by_field.items():
        for part in parts:
            for term in terms(part.replace("{ong_ba}", "").replace("{Ong_ba}", "")):
                out[term] = max(out.get(term, 0.0), FIELD_WEIGHT[field])
    return out


_INDEXES: dict[tuple[tuple[int, str], ...], Index] = {}


def _index(lessons: tuple[Lesson, ...]) -> Index:
    """The index of these lesson objects, built once (content is loaded once per process)."""
    key = tuple((id(le), le.id) for le in lessons)
    if key not in _INDEXES:
        if len(_INDEXES) > 64:  # tests load content many times
            _INDEXES.clear()
        _INDEXES[key] = _build(lessons)
    return _INDEXES[key]


def _build(lessons: tuple[Lesson, ...]) -> Index:
    fields = tuple(_lesson_fields(le) for le in lessons)
    df = Counter(t for f in fields for t in f)
    n = len(lessons)
    idf = {t: math.log(1 + n / c) for t, c in df.items()}
    titles = tuple(frozenset(t for t in terms(le.title) if " " not in t) for le in lessons)
    heads = tuple(" ".join(fold(le.title).split()[:2]) for le in lessons)
    return Index(tuple(le.id for le in lessons), fields, titles, heads, idf)


def search(lessons: Iterable[Lesson], text: str) -> list[tuple[str, float]]:
    """Lessons that answer `text`, best first, with their scores; empty if none fits.

    A lesson's score adds, for each word and word pair of the question it contains, how rare
    that term is among lessons times where it stands (title and keywords count most); it is then
    scaled by how much of the question the lesson explains (a word no lesson has counts twice).
    """
    index = _index(tuple(lessons))
    query = list(dict.fromkeys(terms(text, repair=True)))
    words = [t for t in query if " " not in t]
    if not words:
        return []
    weight = {w: 1.0 if w in index.idf else 2.0 for w in words}  # unknown words count twice
    scored = []
    for lid, fields, title, head in zip(
        index.ids, index.fields, index.titles, index.heads, strict=True
    ):
        if len(words) == 1 and not any(" " in t and t in fields for t in query):
            word = words[0]
            rare = index.idf.get(word, 0) >= math.log(1 + len(index.ids) / ONE_WORD_MAX_LESSONS)
            if fields.get(word, 0) < FIELD_WEIGHT["keywords"] or not (rare or not syllable(word)):
                continue
        score = sum(index.idf[t] * fields[t] for t in query if t in fields)
        covered = sum(weight[w] for w in words if w in fields) / sum(weight.values())
        # Of two lessons naming the topic in their title, the one about it above all wins.
        # A title that starts with the question's topic ("Mã OTP – …") is about it above all.
        focus = 1 + len(title & set(words)) / max(len(title), 1) + 0.5 * (head in query)
        one_name = len(words) == 1  # passed the one-word test above: a topic's own name
        if covered >= MIN_COVERAGE and (one_name or score * covered >= MIN_SCORE):
            scored.append((lid, score * covered * focus, score * covered))
    scored.sort(key=lambda x: -x[1])
    if not scored:
        return []
    # Offered beside the best: lessons about as close before the title bonus ("mã OTP" is in
    # three titles; «Mã OTP – …» comes first, the others are asked about: "bài 1, 2 hay 3?").
    top = max(base for _, _, base in scored)
    close = [(lid, s) for lid, s, base in scored if base >= CLOSE * top]
    best = [(lid, s) for lid, s, _ in scored[:1]]
    return best + [x for x in close if x[0] != best[0][0]][: MAX_OFFERED - 1]


def visible_lessons(t: Turn) -> list[Lesson]:
    units = t.user.units() if t.user else []
    return [le for a in t.content.ordered_areas() for le in t.content.lessons_in(a.id, units)]


async def offer(t: Turn, text: str) -> bool:
    """Point a free question to the best lessons; False if no lesson fits."""
    found = search(visible_lessons(t), text)
    if not found:
        return False
    lessons = [t.content.lessons[lid] for lid, _ in found]
    buttons = [(f"lesson:{le.id}", f"{i}. {le.title}") for i, le in enumerate(lessons, 1)]
    if len(lessons) == 1:
        t.say(texts.ASK_FOUND_ONE, [*buttons, ("menu", texts.BTN_MENU)], title=lessons[0].title)
    else:
        numbers = [str(i) for i in range(1, len(lessons) + 1)]
        which = ", ".join(numbers[:-1]) + f" {texts.OR} " + numbers[-1]
        t.say(texts.ASK_FOUND_MANY, [*buttons, ("menu", texts.BTN_MENU)], which=which)
    t.state = "ask.found"
    return True


@screen
class Found(Screen):
    """The lessons offered for a free question."""

    name = "ask.found"

    async def show(self, t: Turn) -> None:
        await go(t, "menu")

    async def on_button(self, t: Turn, bid: str) -> bool:
        from bot.core.learning import open_lesson

        if bid == "menu":
            await go(t, "menu")
            return True
        lesson = t.content.lessons.get(bid.removeprefix("lesson:"))
        if not bid.startswith("lesson:") or lesson is None:
            return False
        await open_lesson(t, lesson)
        return True
