"""Each screen kind's reading of a typed input, through the code the screens and the engine use.

The engine reads a message in this order (bot/core/engine.py `_dispatch`): a press or a typed
number/letter, a short answer meaning one of the buttons (`word_button`), a label close to the
text, the global words (a stop word asks first), thanks, then the screen's own reading
(`on_text`), then the menu words. Each reader below follows that order with the same functions,
for the buttons that screen kind shows, and names the meaning as the corpus does.
"""

from __future__ import annotations

from bot import texts
from bot.core import ask, places, understand
from bot.core.engine import word_button
from bot.core.events import Button
from bot.core.learning import read_answer, read_menu
from bot.core.matching import best_match, choice_index, intent
from bot.core.onboarding import consent_answer
from lessons import Content

THIS_YEAR = 2026
GLOBAL = {"stop": "stop?", "help": "help", "menu": "menu", "back": "back", "resume": "resume"}


def _label(text: str, buttons: list[Button]) -> Button | None:
    found = best_match(text, [(str(i), [b.label]) for i, b in enumerate(buttons)])
    return buttons[int(found)] if found is not None else None


def _press(text: str, buttons: list[Button], letters: bool = False) -> Button | None:
    """What `Engine._resolve_button` finds among `buttons` for typed text."""
    k = choice_index(text, len(buttons), letters=letters, words=True)
    if k is not None:
        return buttons[k]
    return word_button(text, buttons) or _label(text, buttons)


def _global(text: str) -> str | None:
    word = intent(text)
    if word is not None:
        return GLOBAL[word]
    return "thanks" if understand.thanks(text) else None


def consent(text: str, context: str, content: Content) -> str:
    # Before consent nothing is stored, buttons included: after the global words, the screen
    # reads all text itself.
    if (word := intent(text)) is not None:
        return GLOBAL[word]
    return consent_answer(text) or "none"


def yesno(text: str, context: str, content: Content) -> str:
    # «Bác muốn dừng nhận tin nhắc phải không ạ?»; the place and scam questions use the same
    # answers through `word_button`.
    buttons = [Button("stop:yes", texts.BTN_STOP_YES), Button("stop:no", texts.BTN_STOP_NO)]
    b = word_button(text, buttons) or _label(text, buttons)
    if b is not None:
        return "yes" if b.id == "stop:yes" else "no"
    return "yes" if intent(text) == "stop" else "none"  # «thôi» again: stop


def next_(text: str, context: str, content: Content) -> str:
    buttons = [Button("next", texts.BTN_NEXT), Button("back", texts.BTN_BACK)]
    b = _press(text, buttons)
    if b is not None:
        return b.id
    return _global(text) or "none"


MENU = [
    Button("menu:learn", texts.BTN_LEARN),
    Button("menu:practice", texts.BTN_PRACTICE),
    Button("menu:review", texts.BTN_REVIEW),
    Button("menu:progress", texts.BTN_PROGRESS),
    Button("menu:help", texts.BTN_HELP),
    Button("menu:scam", texts.BTN_SCAM_CHECK),
]


def menu(text: str, context: str, content: Content) -> str:
    b = _press(text, MENU)
    if b is None:
        if (said := _global(text)) is not None:
            return said
        bid = read_menu(text, [(b.id, b.label) for b in MENU])
        b = next((m for m in MENU if m.id == bid), None)
    return b.id.removeprefix("menu:") if b is not None else "none"


def quiz(text: str, context: str, content: Content) -> str:
    _, q = content.questions[context]
    order = list(range(len(q.options)))  # shown in file order here
    buttons = [Button(f"opt:{k}", f"{i}. {q.options[k].text}") for i, k in enumerate(order, 1)]
    b = _press(text, buttons, letters=True)
    if b is None and (said := _global(text)) is not None:
        return said
    k = int(b.id[4:]) if b is not None else read_answer(text, q, order)
    return str(k + 1) if k is not None else "none"


def place(text: str, context: str, content: Content) -> str:
    if (word := intent(text)) is not None:  # before the screen's own search
        return GLOBAL[word]
    if context == "province":
        found, _ = places.search_provinces(text)
    else:
        name = context.removeprefix("commune ")
        province = next(p for p in places.provinces() if p.name == name)
        found, _ = places.search(text, places.communes(province.code))
    return found[0].name if found else "none"


def year(text: str, context: str, content: Content) -> str:
    if (word := intent(text)) is not None:  # «thôi» here ends sign-up for now; not a year
        return "none" if word == "stop" else GLOBAL[word]
    found = understand.birth_year(text, THIS_YEAR)
    return "none" if found is None else str(found)


def question(text: str, context: str, content: Content) -> str | list[str]:
    if understand.thanks(text):
        return "thanks"
    units = ["province:19", "commune:5800"]  # Xã Phú Thịnh, Thái Nguyên: its local lessons too
    lessons = [le for a in content.ordered_areas() for le in content.lessons_in(a.id, units)]
    found = ask.search(lessons, text)
    return [lid for lid, _ in found] or "none"


READERS = {
    "consent": consent,
    "yesno": yesno,
    "next": next_,
    "menu": menu,
    "quiz": quiz,
    "place": place,
    "year": year,
    "question": question,
}


def right(meaning: str, got: str | list[str]) -> bool:
    """A question is answered right when the first lesson offered is one of those expected."""
    if isinstance(got, list):
        return got[0] in [m.strip() for m in meaning.split(",")]
    return got == meaning
