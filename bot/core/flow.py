"""Screens: one class per conversation state, registered by name.

A screen shows itself, reacts to a pressed button (resolved by the engine from a press, a typed
number, letter or label) and optionally to free text. The global words (trợ giúp, menu,
quay lại, dừng) call `help`, `menu`, `back` and `stop`, whose defaults suit most screens.
"""

from __future__ import annotations

from typing import ClassVar

from bot import texts
from bot.core.media import Received
from bot.core.turn import Turn

SCREENS: dict[str, Screen] = {}


def screen(cls: type[Screen]) -> type[Screen]:
    SCREENS[cls.name] = cls()
    return cls


async def go(t: Turn, name: str) -> None:
    t.state = name
    await SCREENS[name].show(t)


class Screen:
    name: ClassVar[str] = ""
    #: Typed numbers are data here (a year), not a choice of button.
    numbers_are_data: ClassVar[bool] = False
    #: Letters a-d choose options (quizzes).
    letters: ClassVar[bool] = False
    #: Typed text picks a button only if it is the label itself (free text is data here).
    exact_labels: ClassVar[bool] = False
    #: Free text is data here (a name, a message): one plain word like "Dung" is not "dừng".
    free_text: ClassVar[bool] = False
    #: Buttons that simply lead to another screen.
    routes: ClassVar[dict[str, str]] = {}
    #: A picture or document sent here is downloaded and handed to `on_file` (staff only).
    accepts_files: ClassVar[bool] = False
    #: Buttons this screen always shows, pressed by id or label when none were stored (before
    #: consent nothing is stored, not even the buttons on screen).
    fixed_buttons: ClassVar[list[tuple[str, str]]] = []

    async def show(self, t: Turn) -> None:
        raise NotImplementedError

    async def on_button(self, t: Turn, bid: str) -> bool:
        target = self.routes.get(bid)
        if target is None:
            return False
        await go(t, target)
        return True

    async def on_text(self, t: Turn, text: str) -> bool:
        return False

    async def on_file(self, t: Turn, received: Received, caption: str) -> None:
        """A file sent on a screen with `accepts_files`; `caption` is the text typed with it."""
        raise NotImplementedError

    async def back(self, t: Turn) -> None:
        await go(t, "menu")

    async def menu(self, t: Turn) -> None:
        await go(t, "menu")

    async def help(self, t: Turn) -> None:
        await go(t, "help")

    async def stop(self, t: Turn) -> None:
        """Stop every message the person did not ask for (reminders), keeping their place."""
        if t.tracked:
            await t.users.update(t.user.id, paused=1)
            t.user.paused = True
        t.say(texts.STOPPED)
        t.state = "paused"

    async def ask_stop(self, t: Turn) -> None:
        """A typed stop word («thôi», «dung», which may mean «đúng») first asks whether the person
        wants no more reminders; only a yes stops them (`ConfirmStop`)."""
        if not t.tracked:
            await self.stop(t)
            return
        t.data["stop_return"] = {"state": t.state, "buttons": t.data.get("buttons", [])}
        await go(t, "confirm_stop")

    async def resume(self, t: Turn) -> None:
        """«bắt đầu»: reminders again after «dừng» or after three ignored reminders."""
        if t.tracked and t.user.paused:
            await t.users.update(t.user.id, paused=0, reminders_ignored=0)
            t.user.paused = False
            t.say(texts.RESUMED)
        await go(t, "menu")

    async def reprompt(self, t: Turn, template: str) -> None:
        """Say `template`, then offer the buttons still on screen (or the whole screen again)."""
        buttons = t.current_buttons()
        if buttons:
            t.say(template, [(b.id, b.label) for b in buttons])
        else:
            t.say(template)
            await self.show(t)


STOP_BUTTONS = [("stop:yes", texts.BTN_STOP_YES), ("stop:no", texts.BTN_STOP_NO)]


def leave_confirm(t: Turn) -> Screen:
    """Back to the screen a stop question interrupted, with its buttons; that screen."""
    saved = t.data.pop("stop_return", None) or {"state": "menu", "buttons": []}
    t.state = saved["state"] if saved["state"] in SCREENS else "menu"
    t.data["buttons"] = saved["buttons"]
    return SCREENS[t.state]


@screen
class ConfirmStop(Screen):
    """«Bác muốn dừng nhận tin nhắc phải không ạ?» Yes stops reminders and says so; no goes back
    to where the person was (the same card or question), saying the reminders stay on."""

    name = "confirm_stop"
    numbers_are_data = True  # "2" here is more likely the quiz answer than «Không»

    async def show(self, t: Turn) -> None:
        t.say(texts.ASK_STOP, STOP_BUTTONS)

    async def on_button(self, t: Turn, bid: str) -> bool:
        if bid == "stop:yes":
            previous = leave_confirm(t)
            await previous.stop(t)
        elif bid == "stop:no":
            previous = leave_confirm(t)
            if t.user.paused:
                t.say(texts.STOP_KEPT_PAUSED)
            elif t.user.reminder_time:
                from bot.core.review import say_time

                t.say(texts.STOP_KEPT, time=say_time(t.user.reminder_time))
            else:
                t.say(texts.STOP_KEPT_NO_TIME)
            await go(t, previous.name)
        else:
            return False
        return True

    async def stop(self, t: Turn) -> None:
        await self.on_button(t, "stop:yes")  # asked, and said again

    async def ask_stop(self, t: Turn) -> None:
        await self.on_button(t, "stop:yes")

    async def back(self, t: Turn) -> None:
        await self.on_button(t, "stop:no")


#: Long lists (lessons of an area, practice scenarios) show this many at a time.
PAGE_SIZE = 5


def page(t: Turn, items: list, key: str = "list_page") -> tuple[list, int, bool]:
    """This screen's page of `items`: (shown, index of the first shown, more after them).

    The page number is kept in the conversation data under `key`; the buttons are numbered
    from 1 on each page, as typed numbers refer to the buttons on screen."""
    start = t.data.get(key, 0) * PAGE_SIZE
    if start >= len(items):
        t.data[key], start = 0, 0
    shown = items[start : start + PAGE_SIZE]
    return shown, start, start + PAGE_SIZE < len(items)


def more_button(shown: list) -> tuple[str, str]:
    """«Xem thêm», numbered after the items on the page."""
    return ("more", f"{len(shown) + 1}. {texts.BTN_MORE_ITEMS}")
