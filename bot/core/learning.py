"""Menu, lessons, quizzes, review and the progress view.

```mermaid
stateDiagram-v2
    menu --> learn: Học bài mới
    learn --> lesson.card: Bắt đầu / Học tiếp
    learn --> choose_area --> choose_lesson --> lesson.card
    lesson.card --> lesson.card: Tiếp
    lesson.card --> lesson.question
    lesson.question --> lesson.feedback: an answer
    lesson.feedback --> lesson.question: Tiếp
    lesson.feedback --> lesson.done
    menu --> review.question: Ôn tập
    review.question --> review.feedback --> review.question
    menu --> progress
```
The lesson in progress is kept in the conversation data, so leaving for the menu, "dừng" or
a restart never loses the place.
"""

from __future__ import annotations

from typing import ClassVar

from bot import texts
from bot.core import mastery as bkt
from bot.core import review
from bot.core.flow import PAGE_SIZE, Screen, go, more_button, page, screen
from bot.core.matching import best_match, choice_index
from bot.core.turn import Turn
from bot.core.understand import menu_phrases, quiz_option
from lessons.schema import NATIONAL_AREAS, Lesson, Question

REVIEW_SIZE = 5
MINUTES_PER_CARD = 0.6
MINUTES_PER_QUESTION = 0.7


def _minutes(lesson: Lesson) -> int:
    return max(
        2,
        round(len(lesson.cards) * MINUTES_PER_CARD + len(lesson.questions) * MINUTES_PER_QUESTION),
    )


async def completed_lessons(t: Turn) -> set[str]:
    if t.tracked:
        return {lid for lid, done in (await t.progress.lessons(t.user.id)).items() if done}
    return set(t.data.get("done_lessons", []))


async def area_scores(t: Turn) -> dict[str, tuple[int, int]]:
    """Per area with content for this learner: (competencies mastered, competencies)."""
    units = t.user.units() if t.user else []
    mastered = set()
    if t.tracked:
        mastered = {c for c, row in (await t.progress.mastery(t.user.id)).items() if row.mastered}
    out = {}
    for area in t.content.ordered_areas():
        comps = t.content.competencies_in(area.id, units)
        if comps:
            out[area.id] = (sum(c in mastered for c in comps), len(comps))
    return out


async def next_lesson(t: Turn) -> Lesson | None:
    """The first open lesson of the weakest area (by share mastered, then lessons done)."""
    done = await completed_lessons(t)
    scores = await area_scores(t)
    units = t.user.units() if t.user else []

    def weakness(area_id: str) -> tuple[float, float, int]:
        m, n = scores[area_id]
        lessons = t.content.lessons_in(area_id, units)
        share_done = sum(le.id in done for le in lessons) / len(lessons)
        return (m / n, share_done, t.content.areas[area_id].order)

    for area_id in sorted(scores, key=weakness):
        for lesson in t.content.lessons_in(area_id, units):
            if lesson.id not in done and all(r in done for r in lesson.requires):
                return lesson
    return None


def _sees_reports(t: Turn) -> bool:
    from bot.core.permissions import ROLE_ACTIONS

    return any("report" in ROLE_ACTIONS.get(role, ()) for role, _ in t.roles)


def _menu_buttons(t: Turn) -> list[tuple[str, str]]:
    if t.tracked:
        return [
            ("menu:learn", texts.BTN_LEARN),
            ("menu:practice", texts.BTN_PRACTICE),
            ("menu:review", texts.BTN_REVIEW),
            ("menu:progress", texts.BTN_PROGRESS),
            ("menu:help", texts.BTN_HELP),
            *([("menu:report", texts.BTN_REPORT)] if _sees_reports(t) else []),
            *([("menu:staff", texts.BTN_STAFF)] if t.roles else []),
            ("menu:scam", texts.BTN_SCAM_CHECK),
        ]
    return [
        ("menu:learn", texts.BTN_LEARN),
        ("menu:practice", texts.BTN_PRACTICE),
        ("menu:help", texts.BTN_HELP),
        ("menu:register", texts.BTN_REGISTER),
        ("menu:scam", texts.BTN_SCAM_CHECK),
    ]


@screen
class Menu(Screen):
    name = "menu"

    async def show(self, t: Turn) -> None:
        template = texts.MENU if t.tracked else texts.MENU_UNTRACKED
        if t.tracked and t.user.paused:  # said each time, so nobody forgets they are off
            template = f"{texts.MENU_PAUSED_NOTE}\n{template}"
        t.say(template, _menu_buttons(t))

    routes: ClassVar[dict[str, str]] = {
        "menu:learn": "learn",
        "menu:help": "help",
        "menu:progress": "progress",
        "menu:review": "review.start",
        "menu:register": "consent",
        "menu:practice": "practice.list",
        "menu:scam": "scam.ask",
        "menu:staff": "staff.menu",
        "menu": "menu",
    }

    async def on_button(self, t: Turn, bid: str) -> bool:
        if bid == "menu:report" and _sees_reports(t):
            t.data["staff"] = {"action": "report"}  # the unit is chosen as for staff actions
            await go(t, "staff.unit")
            return True
        if bid == "menu:practice":
            t.data.pop("practice_page", None)  # the list from its first page
        if self.routes.get(bid) in ("progress", "review.start") and not t.tracked:
            t.say(texts.PROGRESS_UNTRACKED, _menu_buttons(t))
            return True
        return await super().on_button(t, bid)

    async def on_text(self, t: Turn, text: str) -> bool:
        bid = read_menu(text, _menu_buttons(t))
        return bid is not None and await self.on_button(t, bid)


def read_menu(text: str, buttons: list[tuple[str, str]]) -> str | None:
    """The menu button typed words name: its label or another way to say it ("ôn bài")."""
    bid = best_match(text, [(b, menu_phrases(b, label)) for b, label in buttons])
    if bid is None and "🔎" in text and any(b == "menu:scam" for b, _ in buttons):
        bid = "menu:scam"
    return bid


@screen
class Paused(Menu):
    """After "dừng": the next message greets the person back and is read as a menu choice."""

    name = "paused"

    async def show(self, t: Turn) -> None:
        t.say(texts.WELCOME_BACK)
        await go(t, "menu")

    async def on_button(self, t: Turn, bid: str) -> bool:
        t.say(texts.WELCOME_BACK)
        t.state = "menu"
        return await super().on_button(t, bid) or (await go(t, "menu") or True)

    async def on_text(self, t: Turn, text: str) -> bool:
        bid = read_menu(text, _menu_buttons(t))
        if bid:
            return await self.on_button(t, bid)
        await self.show(t)
        return True


@screen
class Help(Screen):
    name = "help"

    async def show(self, t: Turn) -> None:
        buttons = [("menu", texts.BTN_MENU)]
        if t.tracked:
            buttons += [
                ("reminder", texts.BTN_REMINDER_SETTING),
                ("profile", texts.BTN_PROFILE),
                ("delete", texts.BTN_DELETE_ME),
            ]
        t.say(texts.HELP, buttons)

    async def on_button(self, t: Turn, bid: str) -> bool:
        if bid == "menu":
            await go(t, "menu")
        elif bid == "delete" and t.tracked:
            await go(t, "delete")
        elif bid == "reminder" and t.tracked:
            await go(t, "settings.reminder")
        elif bid == "profile" and t.tracked:
            await go(t, "settings.profile")
        else:
            return False
        return True


@screen
class Delete(Screen):
    """Erase a learner and everything recorded about them (Nghị định 13/2023/NĐ-CP)."""

    name = "delete"

    async def show(self, t: Turn) -> None:
        t.say(
            texts.DELETE_CONFIRM,
            [("delete:no", texts.BTN_DELETE_NO), ("delete:yes", texts.BTN_DELETE_YES)],
        )

    async def on_button(self, t: Turn, bid: str) -> bool:
        if bid == "delete:yes":
            t.say(texts.DELETE_DONE)
            await erase(t)
            t.user, t.conv_key, t.data = None, None, {}
            return True
        if bid == "delete:no":
            t.say(texts.DELETE_KEPT)
            await go(t, "menu")
            return True
        return False


async def erase(t: Turn) -> None:
    """Everything about the learner goes (storage/privacy.py), including the hashed keys that
    counted their wrong link or invitation codes on any of their identities."""
    keys = []
    for identity in await t.store.privacy.identities_of(t.user.id):
        for kind in ("link", "invite"):
            keys.append(await t.users.anon_key(f"{kind}:{identity}"))
    await t.store.privacy.erase(t.user.id, keys, t.now)


# --- choosing a lesson ---


def _lesson(t: Turn, lesson_id: str | None) -> Lesson | None:
    return t.content.lessons.get(lesson_id) if lesson_id else None


async def start_lesson(t: Turn, lesson: Lesson) -> None:
    t.data["lesson"] = {"id": lesson.id, "card": 0, "q": 0, "correct": 0}
    if t.tracked:
        await t.progress.lesson_started(t.user.id, lesson.id, t.now)
    await go(t, "lesson.card")


@screen
class Learn(Screen):
    name = "learn"

    async def show(self, t: Turn) -> None:
        current = _lesson(t, t.data.get("lesson", {}).get("id"))
        if current is not None:
            t.say(
                texts.SUGGEST_RESUME,
                [
                    ("resume", texts.BTN_RESUME),
                    ("other", texts.BTN_OTHER_TOPIC),
                    ("menu", texts.BTN_MENU),
                ],
                title=current.title,
            )
            return
        t.data.pop("lesson", None)
        lesson = await next_lesson(t)
        if lesson is None:
            buttons = [("other", texts.BTN_OTHER_TOPIC), ("menu", texts.BTN_MENU)]
            if t.tracked:
                buttons.insert(0, ("review", texts.BTN_REVIEW))
            t.say(texts.ALL_LESSONS_DONE, buttons)
            return
        t.data["suggested"] = lesson.id
        t.say(
            texts.SUGGEST_LESSON,
            [
                ("start", texts.BTN_START_LESSON),
                ("other", texts.BTN_OTHER_TOPIC),
                ("menu", texts.BTN_MENU),
            ],
            title=lesson.title,
            area=t.content.areas[lesson.area].short_name,
            minutes=_minutes(lesson),
        )

    async def on_button(self, t: Turn, bid: str) -> bool:
        if bid == "resume" and (lesson := _lesson(t, t.data.get("lesson", {}).get("id"))):
            step = t.data["lesson"]
            if step["card"] < len(lesson.cards):
                await go(t, "lesson.card")
            elif step["q"] < len(lesson.questions):
                await go(t, "lesson.question")
            else:
                await finish_lesson(t, lesson)
        elif bid == "start" and (lesson := _lesson(t, t.data.get("suggested"))):
            await start_lesson(t, lesson)
        elif bid == "other":
            await go(t, "choose_area")
        elif bid == "review":
            await go(t, "review.start")
        elif bid == "menu":
            await go(t, "menu")
        else:
            return False
        return True


@screen
class ChooseArea(Screen):
    name = "choose_area"

    async def show(self, t: Turn) -> None:
        units = t.user.units() if t.user else []
        buttons = [
            (f"area:{a.id}", a.short_name)
            for a in t.content.ordered_areas()
            if t.content.lessons_in(a.id, units)
        ]
        t.say(texts.CHOOSE_AREA, [*buttons, ("menu", texts.BTN_MENU)])

    async def on_button(self, t: Turn, bid: str) -> bool:
        if bid == "menu":
            await go(t, "menu")
            return True
        area = bid.removeprefix("area:")
        if area not in t.content.areas:
            return False
        t.data["area"] = area
        t.data["list_page"] = 0
        await go(t, "choose_lesson")
        return True


@screen
class ChooseLesson(Screen):
    name = "choose_lesson"

    async def show(self, t: Turn) -> None:
        area = t.content.areas[t.data.get("area", NATIONAL_AREAS[0])]
        lessons = t.content.lessons_in(area.id, t.user.units() if t.user else [])
        done = await completed_lessons(t)
        shown, start, more = page(t, lessons)
        # The titles are the buttons (and Zalo's numbered list): not repeated in the text.
        buttons = [
            (f"lesson:{le.id}", f"{i}. {'✅ ' if le.id in done else ''}{le.title}")
            for i, le in enumerate(shown, 1)
        ]
        if more:
            buttons.append(more_button(shown))
        template = texts.CHOOSE_LESSON if len(lessons) <= PAGE_SIZE else texts.CHOOSE_LESSON_PAGE
        t.say(
            template,
            [*buttons, ("back", texts.BTN_BACK)],
            area=area.name,
            first=start + 1,
            last=start + len(shown),
            total=len(lessons),
        )

    async def back(self, t: Turn) -> None:
        if t.data.get("list_page"):  # the page before
            t.data["list_page"] -= 1
            await go(t, "choose_lesson")
            return
        await go(t, "choose_area")

    async def on_button(self, t: Turn, bid: str) -> bool:
        if bid == "back":
            await self.back(t)
            return True
        if bid == "more":
            t.data["list_page"] = t.data.get("list_page", 0) + 1
            await go(t, "choose_lesson")
            return True
        lesson = _lesson(t, bid.removeprefix("lesson:"))
        if lesson is None:
            return False
        await open_lesson(t, lesson)
        return True


async def open_lesson(t: Turn, lesson: Lesson) -> None:
    """Start a chosen lesson, or offer the one it needs first."""
    if t.tracked:
        done = await completed_lessons(t)
        missing = [r for r in lesson.requires if r not in done]
        if missing:
            needed = t.content.lessons[missing[0]]
            t.data["suggested"] = needed.id
            t.state = "learn"
            t.say(
                texts.LESSON_LOCKED,
                [("start", texts.BTN_START_LESSON), ("other", texts.BTN_BACK)],
                title=lesson.title,
                needs=needed.title,
            )
            return
    await start_lesson(t, lesson)


# --- inside a lesson ---


@screen
class Card(Screen):
    name = "lesson.card"

    async def show(self, t: Turn) -> None:
        step = t.data["lesson"]
        lesson = _lesson(t, step["id"])
        if lesson is None:  # content changed under a saved conversation
            t.data.pop("lesson", None)
            await go(t, "menu")
            return
        i = min(step["card"], len(lesson.cards) - 1)
        buttons = [("next", texts.BTN_NEXT)] + ([("back", texts.BTN_BACK)] if i > 0 else [])
        t.say(
            texts.CARD,
            buttons,
            title=lesson.title,
            i=i + 1,
            n=len(lesson.cards),
            text=lesson.cards[i].text,
        )

    async def on_button(self, t: Turn, bid: str) -> bool:
        if bid == "back":
            await self.back(t)
            return True
        if bid != "next":
            return False
        step = t.data["lesson"]
        step["card"] += 1
        lesson = _lesson(t, step["id"])
        await go(t, "lesson.card" if step["card"] < len(lesson.cards) else "lesson.question")
        return True

    async def back(self, t: Turn) -> None:
        step = t.data["lesson"]
        if step["card"] == 0:
            await go(t, "menu")
            return
        step["card"] -= 1
        await go(t, "lesson.card")


async def shown_order(t: Turn, q: Question) -> list[int]:
    """File indices of q's options in the order this learner sees them on this attempt.

    Shuffled per learner and per attempt (bot.core.mastery.option_order), so "always press
    the second" is chance and nothing more; buttons, typed numbers and letters all refer to
    this order, while answers are stored with the option's index in the file.
    """
    if t.tracked:
        learner, attempt = f"u{t.user.id}", await t.progress.attempts_at(t.user.id, q.id)
    else:
        learner = f"u{t.user.id}" if t.user else t.identity
        attempt = t.data.get("tries", {}).get(q.id, 0)
    return bkt.option_order(learner, q, attempt)


def _options_text(q: Question, order: list[int]) -> str:
    return "\n".join(f"{i}. {q.options[k].text}" for i, k in enumerate(order, 1))


class QuestionScreen(Screen):
    """Shared by lessons and review: show a question, take an answer by button, number, letter or text."""

    letters = True
    context = "lesson"
    feedback_state = ""

    def current(self, t: Turn) -> tuple[Lesson, Question, int, int] | None:
        raise NotImplementedError

    async def show(self, t: Turn) -> None:
        cur = self.current(t)
        if cur is None:
            await go(t, "menu")
            return
        _, q, i, n = cur
        order = await shown_order(t, q)
        t.say(
            texts.QUESTION,
            [(f"opt:{k}", f"{pos}. {q.options[k].text}") for pos, k in enumerate(order, 1)],
            i=i + 1,
            n=n,
            text=q.text,
            options=_options_text(q, order),
        )

    async def on_button(self, t: Turn, bid: str) -> bool:
        """`opt:K` names the option by its index in the file, whatever its place on screen."""
        cur = self.current(t)
        if cur is None or not bid.startswith("opt:") or not bid[4:].isdigit():
            return False
        lesson, q, _, _ = cur
        k = int(bid[4:])
        if not 0 <= k < len(q.options):
            return False
        await answer(t, lesson, q, k, self.context)
        t.state = self.feedback_state
        return True

    async def on_text(self, t: Turn, text: str) -> bool:
        cur = self.current(t)
        if cur is None:
            return False
        q = cur[1]
        order = await shown_order(t, q)
        k = read_answer(text, q, order)
        return k is not None and await self.on_button(t, f"opt:{k}")


def read_answer(text: str, q: Question, order: list[int]) -> int | None:
    """The option (index in the file) a typed answer names: its number or letter as shown, its
    words ("giả", "gọi video", "không xóa"), or text close to it."""
    pos = choice_index(text, len(q.options), letters=True)
    if pos is not None:
        return order[pos]
    k = quiz_option(text, [o.text for o in q.options])
    if k is not None:
        return k
    found = best_match(text, [(str(i), [o.text]) for i, o in enumerate(q.options)])
    return int(found) if found is not None else None


async def answer(t: Turn, lesson: Lesson, q: Question, k: int, context: str) -> None:
    """Give the option's feedback and, for consenting learners, record and trace mastery.

    `k` is the option's index in the file, which is what `answers.option_index` keeps."""
    option = q.options[k]
    correct_text = next(o.text for o in q.options if o.correct)
    if option.correct:
        t.say(texts.RIGHT, feedback=option.feedback)
    else:
        t.say(texts.WRONG, feedback=option.feedback, correct=correct_text)
    if not t.tracked:
        tries = t.data.setdefault("tries", {})
        tries[q.id] = tries.get(q.id, 0) + 1
        return
    await t.progress.record_answer(t.user.id, q.id, lesson.id, k, option.correct, context, t.now)
    await trace(t, q.id, lesson.id, context, option.correct)


async def trace(t: Turn, qid: str, lesson_id: str, context: str, correct: bool) -> None:
    """After an answer event is recorded: BKT update of each competency it bears on, the
    mastery rules (bot/core/mastery.py), then the areas they belong to."""
    model = bkt.model_for(t.content, t.scenarios)
    found = model.evidence(qid, context)
    if found is None:
        return
    params, competencies = found
    await review.schedule(t.store, t.user.id, list(competencies), correct, t.now)
    rows = await t.progress.mastery(t.user.id)
    learner = bkt.Learner(model, p={c: r.p_known for c, r in rows.items()})
    for event in await t.progress.answer_events(t.user.id):  # this answer included
        learner.see(*event)
    learner.step(params, competencies, correct)
    changed_areas = set()
    for comp in competencies:
        before = rows.get(comp)
        mastered = learner.mastered(comp)
        await t.progress.set_mastery(t.user.id, comp, learner.p[comp], mastered, correct, t.now)
        if mastered != (before.mastered if before else False):
            changed_areas.add(t.content.competency_area[comp])
            if mastered:
                t.say(texts.NEW_MASTERY, name=t.content.competency_name(comp))
    if not changed_areas:
        return
    rows = await t.progress.mastery(t.user.id)
    units = t.user.units()
    before_areas = await t.progress.areas(t.user.id)
    for area in changed_areas:
        comps = t.content.competencies_in(area, units)
        done = bool(comps) and all(rows.get(c) and rows[c].mastered for c in comps)
        await t.progress.set_area(t.user.id, area, done, t.now)
        if done and not before_areas.get(area):
            t.say(texts.NEW_AREA, area=t.content.areas[area].name)
    areas = await t.progress.areas(t.user.id)
    proficient = all(areas.get(a, False) for a in NATIONAL_AREAS)
    if proficient != t.user.proficient:
        await t.users.update(t.user.id, proficient=int(proficient))
        t.user.proficient = proficient
        if proficient:
            t.say(texts.NEW_PROFICIENT)


@screen
class LessonQuestion(QuestionScreen):
    name = "lesson.question"
    feedback_state = "lesson.feedback"

    def current(self, t: Turn) -> tuple[Lesson, Question, int, int] | None:
        step = t.data.get("lesson") or {}
        lesson = _lesson(t, step.get("id"))
        if lesson is None or step["q"] >= len(lesson.questions):
            return None
        return lesson, lesson.questions[step["q"]], step["q"], len(lesson.questions)

    async def on_button(self, t: Turn, bid: str) -> bool:
        cur = self.current(t)
        if not await super().on_button(t, bid):
            return False
        step = t.data["lesson"]
        step["correct"] += int(cur[1].options[int(bid[4:])].correct)
        step["q"] += 1  # answered: a resume or a second press never asks it again
        t.attach([("next", texts.BTN_NEXT)])
        return True

    async def back(self, t: Turn) -> None:
        step = t.data["lesson"]
        step["card"] = len(_lesson(t, step["id"]).cards) - 1
        await go(t, "lesson.card")


class FeedbackScreen(Screen):
    """After an answer: only "Tiếp" moves on, so an answer is never recorded twice."""

    async def show(self, t: Turn) -> None:
        t.say(texts.PRESS_NEXT, [("next", texts.BTN_NEXT)])


@screen
class LessonFeedback(FeedbackScreen):
    name = "lesson.feedback"

    async def on_button(self, t: Turn, bid: str) -> bool:
        if bid != "next":
            return False
        step = t.data.get("lesson")
        lesson = _lesson(t, step and step["id"])
        if lesson is None:
            await go(t, "menu")
        elif step["q"] < len(lesson.questions):
            await go(t, "lesson.question")
        else:
            await finish_lesson(t, lesson)
        return True


async def finish_lesson(t: Turn, lesson: Lesson) -> None:
    step = t.data.pop("lesson")
    total = len(lesson.questions)
    buttons = [("next_lesson", texts.BTN_NEXT_LESSON), ("menu", texts.BTN_MENU)]
    if t.tracked:
        await t.progress.lesson_completed(t.user.id, lesson.id, step["correct"], total, t.now)
        buttons.insert(1, ("review", texts.BTN_REVIEW))
    else:
        done = t.data.setdefault("done_lessons", [])
        if lesson.id not in done:
            done.append(lesson.id)
    t.say(texts.LESSON_DONE, buttons, title=lesson.title, correct=step["correct"], total=total)
    t.state = "lesson.done"


@screen
class LessonDone(Screen):
    name = "lesson.done"

    async def show(self, t: Turn) -> None:
        await go(t, "menu")

    async def on_button(self, t: Turn, bid: str) -> bool:
        if bid == "next_lesson":
            lesson = await next_lesson(t)
            if lesson is None:
                await go(t, "learn")
            else:
                await start_lesson(t, lesson)
        elif bid == "review" and t.tracked:
            await go(t, "review.start")
        elif bid == "menu":
            await go(t, "menu")
        else:
            return False
        return True


# --- review ---


async def review_queue(t: Turn, size: int = REVIEW_SIZE) -> list[str]:
    """Questions for what is due first, then the weakest competencies, avoiding recent ones.

    Competencies whose FSRS card is due come first (most overdue first, one question each, up
    to REVIEW_MAX); then those not yet mastered (lowest estimate first); when all are mastered,
    the least certain mastered ones. Questions from lessons already started are preferred, so
    review asks about what was taught.
    """
    rows = await t.progress.mastery(t.user.id)
    if not rows:
        return []
    units = t.user.units()
    visible = {c for a in t.content.areas for c in t.content.competencies_in(a, units)}
    rows = {c: r for c, r in rows.items() if c in visible}
    open_ = sorted((r for r in rows.values() if not r.mastered), key=lambda r: r.p_known)
    weakest = [r.competency for r in open_] or [
        r.competency for r in sorted(rows.values(), key=lambda r: r.p_known)
    ]
    due = [c for c in await review.due(t.store, t.user.id, t.now) if c in rows]
    comps = due + [c for c in weakest if c not in due]
    size = max(size, min(len(due), review.REVIEW_MAX))
    started = set(await t.progress.lessons(t.user.id))
    recent = set(await t.progress.recent_questions(t.user.id, 10))

    def candidates(comp: str) -> list[str]:
        qids = t.content.competency_questions.get(comp, [])
        qids = [q for q in qids if t.content.visible(t.content.questions[q][0], units)]
        fresh = [q for q in qids if q not in recent] or qids
        return sorted(fresh, key=lambda q: (t.content.questions[q][0].id not in started, q))

    pools = {c: candidates(c) for c in comps}
    queue: list[str] = []
    while len(queue) < size and any(pools.values()):
        for comp in comps:
            pool = pools[comp]
            while pool and pool[0] in queue:
                pool.pop(0)
            if pool:
                queue.append(pool.pop(0))
                if len(queue) == size:
                    break
    return queue


@screen
class ReviewStart(Screen):
    name = "review.start"

    async def show(self, t: Turn) -> None:
        queue = await review_queue(t) if t.tracked else []
        if not queue:
            t.say(texts.REVIEW_EMPTY, [("menu:learn", texts.BTN_LEARN), ("menu", texts.BTN_MENU)])
            t.state = "menu"
            return
        t.data["review"] = {"queue": queue, "i": 0, "correct": 0}
        t.say(texts.REVIEW_START, n=len(queue))
        await go(t, "review.question")


@screen
class ReviewQuestion(QuestionScreen):
    name = "review.question"
    context = "review"
    feedback_state = "review.feedback"

    def current(self, t: Turn) -> tuple[Lesson, Question, int, int] | None:
        r = t.data.get("review") or {}
        queue = [q for q in r.get("queue", []) if q in t.content.questions]
        if r.get("i", 0) >= len(queue):
            return None
        lesson, q = t.content.questions[queue[r["i"]]]
        return lesson, q, r["i"], len(queue)

    async def on_button(self, t: Turn, bid: str) -> bool:
        cur = self.current(t)
        if not await super().on_button(t, bid):
            return False
        r = t.data["review"]
        r["correct"] += int(cur[1].options[int(bid[4:])].correct)
        r["i"] += 1
        t.attach([("next", texts.BTN_NEXT)])
        return True


@screen
class ReviewFeedback(FeedbackScreen):
    name = "review.feedback"

    async def on_button(self, t: Turn, bid: str) -> bool:
        if bid != "next":
            return False
        r = t.data.get("review")
        if not r:
            await go(t, "menu")
            return True
        if r["i"] < len(r["queue"]):
            await go(t, "review.question")
            return True
        t.data.pop("review")
        t.say(
            texts.REVIEW_DONE,
            [
                ("review", texts.BTN_REVIEW_MORE),
                ("menu:learn", texts.BTN_LEARN),
                ("menu", texts.BTN_MENU),
            ],
            correct=r["correct"],
            total=len(r["queue"]),
        )
        t.state = "review.done"
        return True


@screen
class ReviewDone(Screen):
    name = "review.done"

    async def show(self, t: Turn) -> None:
        await go(t, "menu")

    routes: ClassVar[dict[str, str]] = {
        "review": "review.start",
        "menu:learn": "learn",
        "menu": "menu",
    }


# --- progress ---


def bar(done: int, total: int, width: int = 5) -> str:
    filled = round(width * done / total) if total else 0
    if done and not filled:
        filled = 1
    return texts.BAR_FULL * filled + texts.BAR_EMPTY * (width - filled)


@screen
class Progress(Screen):
    name = "progress"

    async def show(self, t: Turn) -> None:
        if not t.tracked:
            t.say(texts.PROGRESS_UNTRACKED, _menu_buttons(t))
            t.state = "menu"
            return
        scores = await area_scores(t)
        areas = await t.progress.areas(t.user.id)
        lines = [t.render(texts.PROGRESS_HEAD)]
        for area in t.content.ordered_areas():
            if area.id not in scores:
                if area.id in NATIONAL_AREAS:
                    lines.append(t.render(texts.PROGRESS_AREA_EMPTY, name=area.short_name))
                continue
            m, n = scores[area.id]
            template = texts.PROGRESS_AREA_DONE if areas.get(area.id) else texts.PROGRESS_AREA
            lines.append(t.render(template, name=area.short_name, bar=bar(m, n), done=m, total=n))
        if t.user.proficient:
            lines.append(t.render(texts.PROGRESS_PROFICIENT))
        lesson = await next_lesson(t)
        if lesson is not None:
            lines.append(t.render(texts.PROGRESS_NEXT, title=lesson.title))
        else:
            rows = await t.progress.mastery(t.user.id)
            weakest = min(rows.values(), key=lambda r: r.p_known, default=None)
            if weakest is not None and not weakest.mastered:
                lines.append(
                    t.render(
                        texts.PROGRESS_NEXT_REVIEW,
                        name=t.content.competency_name(weakest.competency),
                    )
                )
        t.say_text(
            "\n".join(lines),
            [
                ("menu:learn", texts.BTN_LEARN),
                ("menu:review", texts.BTN_REVIEW),
                ("menu", texts.BTN_MENU),
            ],
        )

    routes: ClassVar[dict[str, str]] = {
        "menu:learn": "learn",
        "menu:review": "review.start",
        "menu": "menu",
    }
