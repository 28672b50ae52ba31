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
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from bot import texts
from bot.core.flow import Screen, go, screen
from bot.core.matching import fold
from bot.core.turn import Turn
from bot.core.understand import norm
from lessons.schema import Lesson

MAX_OFFERED = 3
#: Lessons scoring at least this share of the best one are offered beside it.
CLOSE = 0.75
#: Below this the question is not taken as about any lesson.
MIN_SCORE = 4.0
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
        "cach",
        "cai",
        "can",
        "cho",
        "chau",
        "chi",
        "chu",
        "co",
        "con",
        "cua",
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
        "giup",
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
        "ma",
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
        "nguoi",
        "o",
        "oi",
        "ong",
        "phai",
        "ra",
        "rat",
        "roi",
        "sao",
        "sau",
        "se",
        "tai",
        "the",
        "thi",
        "thoi",
        "thu",
        "toi",
        "tren",
        "tu",
        "tui",
        "vao",
        "va",
        "vay",
        "ve",
        "voi",
        "vi",
        "xin",
        "nay",
        "kia",
        "dau",
        "chua",
        "cung",
        "cac",
        "mot",
        "nhieu",
        "qua",
        "ok",
        "k",
        "hoac",
        "lai",
        "ban",
        "bi",
        "biet",
        "nho",
        "muon",
        "sao",
    ]
)
FIELD_WEIGHT = {"title": 3.0, "keywords": 3.0, "summary": 2.0, "cards": 1.0, "questions": 0.5}


def terms(text: str, repair: bool = False) -> list[str]:
    """Topic words and word pairs of a text (folded): "chuyen", "tien", "chuyen tien"."""
    words = (norm(text) if repair else fold(text)).split()
    out = [w for w in words if w not in STOP]
    pairs = [f"{a} {b}" for a, b in itertools.pairwise(words) if not (a in STOP and b in STOP)]
    return out + pairs


@dataclass(frozen=True)
class Index:
    ids: tuple[str, ...]
    fields: tuple[dict[str, float], ...]  # per lesson: term -> best field weight
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
    return Index(tuple(le.id for le in lessons), fields, idf)


def search(lessons: Iterable[Lesson], text: str) -> list[tuple[str, float]]:
    """Lessons that answer `text`, best first, with their scores; empty if none fits."""
    index = _index(tuple(lessons))
    query = list(dict.fromkeys(terms(text, repair=True)))
    words = [t for t in query if " " not in t]
    if not words:
        return []
    scored = []
    for lid, fields in zip(index.ids, index.fields, strict=True):
        score = sum(index.idf[t] * fields[t] for t in query if t in fields)
        covered = sum(t in fields for t in words) / len(words)
        if score >= MIN_SCORE and covered >= MIN_COVERAGE:
            scored.append((lid, score * covered))
    scored.sort(key=lambda x: -x[1])
    if not scored:
        return []
    top = scored[0][1]
    return [(lid, s) for lid, s in scored[:MAX_OFFERED] if s >= CLOSE * top]


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
