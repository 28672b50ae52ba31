"""Luyện tình huống: scam role-plays and task walkthroughs run from `scenarios/`.

```mermaid
stateDiagram-v2
    menu --> practice.list: Luyện tình huống
    practice.list --> practice.step: a scenario
    practice.step --> practice.step: a choice (feedback, then the next step)
    practice.step --> practice.done: an end step (summary)
```
Finishing at a good end without an unsafe choice is evidence of mastery for the scenario's
competencies, recorded as an answer event (context "scenario") and traced like a quiz answer,
with a guess of at least the chance of finishing well by choosing at random
(bot.core.mastery.scenario_params). It moves the estimate but never counts as one of the
competency's own questions, so practice alone cannot master a competency.
"""

from __future__ import annotations

from typing import ClassVar

from bot import texts
from bot.core.events import OutFile
from bot.core.flow import PAGE_SIZE, Screen, go, more_button, page, screen
from bot.core.learning import trace
from bot.core.matching import best_match, choice_index
from bot.core.turn import Turn
from scenarios.render import render
from scenarios.schema import SIGNS, Scenario, Step


def _current(t: Turn) -> tuple[Scenario, Step] | None:
    run = t.data.get("scenario") or {}
    sc = t.scenarios.by_id.get(run.get("id", ""))
    if sc is None or run.get("step") not in sc.steps:
        return None
    return sc, sc.steps[run["step"]]


async def _done_well(t: Turn) -> set[str]:
    if not t.tracked:
        return set(t.data.get("scenarios_done", []))
    return await t.progress.scenarios_done_well(t.user.id)


@screen
class PracticeList(Screen):
    name = "practice.list"

    async def show(self, t: Turn) -> None:
        items = list(t.scenarios.by_id.values())
        if not items:
            t.say(texts.PRACTICE_NONE, [("menu", texts.BTN_MENU)])
            return
        done = await _done_well(t)
        shown, start, more = page(t, items, "practice_page")
        # The titles are the buttons (and Zalo's numbered list): not repeated in the text.
        buttons = [
            (
                f"sc:{s.id}",
                f"{i}. {'✅ ' if s.id in done else ''}{texts.PRACTICE_KIND[s.kind]} {s.title}",
            )
            for i, s in enumerate(shown, 1)
        ]
        if more:
            buttons.append(more_button(shown))
        template = texts.PRACTICE_LIST if len(items) <= PAGE_SIZE else texts.PRACTICE_LIST_PAGE
        t.say(
            template,
            [*buttons, ("menu", texts.BTN_MENU)],
            first=start + 1,
            last=start + len(shown),
            total=len(items),
        )

    async def back(self, t: Turn) -> None:
        if t.data.get("practice_page"):  # the page before
            t.data["practice_page"] -= 1
            await go(t, "practice.list")
            return
        await go(t, "menu")

    async def on_button(self, t: Turn, bid: str) -> bool:
        if bid == "menu":
            await go(t, "menu")
            return True
        if bid == "more":
            t.data["practice_page"] = t.data.get("practice_page", 0) + 1
            await go(t, "practice.list")
            return True
        sc = t.scenarios.by_id.get(bid.removeprefix("sc:"))
        if sc is None:
            return False
        t.data["scenario"] = {"id": sc.id, "step": sc.start, "safe": 0, "unsafe": 0}
        t.say(texts.PRACTICE_INTRO, title=sc.title, intro=sc.intro)
        await go(t, "practice.step")
        return True


@screen
class PracticeStep(Screen):
    name = "practice.step"
    letters = True

    async def show(self, t: Turn) -> None:
        cur = _current(t)
        if cur is None:
            t.data.pop("scenario", None)
            await go(t, "practice.list")
            return
        _, step = cur
        files = [OutFile("image", str(render(step.screen, t.media_dir)))] if step.screen else []
        options = "\n".join(f"{i}. {c.text}" for i, c in enumerate(step.choices, 1))
        t.say(
            texts.PRACTICE_STEP,
            [(f"opt:{i}", f"{i + 1}. {c.text}") for i, c in enumerate(step.choices)],
            files=files,
            text=step.text,
            options=options,
        )

    async def on_text(self, t: Turn, text: str) -> bool:
        cur = _current(t)
        if cur is None:
            return False
        choices = cur[1].choices
        k = choice_index(text, len(choices), letters=True)
        if k is None:
            found = best_match(text, [(str(i), [c.text]) for i, c in enumerate(choices)])
            k = int(found) if found is not None else None
        return k is not None and await self.on_button(t, f"opt:{k}")

    async def on_button(self, t: Turn, bid: str) -> bool:
        cur = _current(t)
        if cur is None or not bid.startswith("opt:") or not bid[4:].isdigit():
            return False
        sc, step = cur
        k = int(bid[4:])
        if not 0 <= k < len(step.choices):
            return False
        choice = step.choices[k]
        run = t.data["scenario"]
        run["safe" if choice.safe else "unsafe"] += 1
        signs = ""
        if choice.signs:
            signs = t.render(texts.PRACTICE_SIGNS, signs=", ".join(SIGNS[s] for s in choice.signs))
        t.say(
            texts.RIGHT if choice.safe else texts.PRACTICE_UNSAFE, feedback=choice.feedback + signs
        )
        run["step"] = choice.next
        nxt = sc.steps[choice.next]
        if nxt.end is None:
            await go(t, "practice.step")
        else:
            await self._finish(t, sc, nxt)
        return True

    async def back(self, t: Turn) -> None:
        t.data.pop("scenario", None)
        await go(t, "practice.list")

    async def _finish(self, t: Turn, sc: Scenario, end: Step) -> None:
        run = t.data.pop("scenario")
        well = end.end == "good" and run["unsafe"] == 0
        t.say(end.text)
        summary = texts.PRACTICE_WELL if well else texts.PRACTICE_AGAIN
        t.say(
            summary,
            [("practice", texts.BTN_PRACTICE_MORE), ("menu", texts.BTN_MENU)],
            safe=run["safe"],
            total=run["safe"] + run["unsafe"],
            remember=sc.remember,
        )
        t.state = "practice.done"
        if not t.tracked:
            if well:
                done = t.data.setdefault("scenarios_done", [])
                if sc.id not in done:
                    done.append(sc.id)
            return
        await t.progress.record_answer(
            t.user.id, sc.id, sc.id, run["unsafe"], well, "scenario", t.now
        )
        await trace(t, sc.id, sc.id, "scenario", well)
        if t.replies[-1].buttons == []:  # mastery news came after the summary: keep buttons last
            t.attach([("practice", texts.BTN_PRACTICE_MORE), ("menu", texts.BTN_MENU)])


@screen
class PracticeDone(Screen):
    name = "practice.done"

    async def show(self, t: Turn) -> None:
        await go(t, "practice.list")

    routes: ClassVar[dict[str, str]] = {"practice": "practice.list", "menu": "menu"}
