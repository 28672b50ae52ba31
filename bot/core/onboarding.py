"""Consent and sign-up: address form, name, year of birth, province, commune, branch.

```mermaid
stateDiagram-v2
    consent --> onboard.address: Đồng ý
    consent --> menu: Không đồng ý (untracked)
    onboard.address --> onboard.name
    onboard.name --> onboard.birth_year
    onboard.birth_year --> onboard.province
    onboard.province --> onboard.commune
    onboard.commune --> onboard.branch
    onboard.branch --> menu
```
Nothing is stored before consent; a refusal leaves only a row keyed by a salted hash.
"""

from __future__ import annotations

import re

from bot import texts
from bot.core import places, review
from bot.core.flow import Screen, go, screen
from bot.core.matching import best_match, clean, fold
from bot.core.turn import Turn
from storage.repos import ConversationRepo, iso

HELPER_AGE = 60
_NEGATION = {"khong", "ko", "k", "kg", "chua", "no", "tu choi"}
_AGREE = ("đồng ý", "có", "ok", "được", "vâng", "dạ", "ừ", "đồng ý ạ", "có ạ", "yes", "chấp nhận")


def consent_answer(text: str) -> str | None:
    words = set(fold(text).split())
    if words & _NEGATION or "tu choi" in fold(text):
        return "disagree"
    return "agree" if best_match(text, [("agree", _AGREE)]) else None


class SignupScreen(Screen):
    """Sign-up screens: menu words keep the person in sign-up, "quay lại" edits the last answer."""

    previous: str | None = None

    async def back(self, t: Turn) -> None:
        await go(t, self.previous or self.name)

    async def menu(self, t: Turn) -> None:
        t.say(texts.SIGNUP_CONTINUE)
        await self.show(t)

    async def help(self, t: Turn) -> None:
        t.say(texts.HELP_SIGNUP)
        await self.show(t)

    async def stop(self, t: Turn) -> None:
        t.say(texts.SIGNUP_STOPPED)

    async def resume(self, t: Turn) -> None:
        t.say(texts.SIGNUP_CONTINUE)
        await self.show(t)


CONSENT_BUTTONS = [
    ("consent:yes", texts.BTN_AGREE),
    ("consent:no", texts.BTN_DISAGREE),
    ("consent:more", texts.BTN_MORE),
]


@screen
class Consent(SignupScreen):
    name = "consent"

    async def show(self, t: Turn) -> None:
        t.say(texts.WELCOME)
        t.say(texts.CONSENT, CONSENT_BUTTONS)

    async def on_button(self, t: Turn, bid: str) -> bool:
        if bid == "consent:yes":
            await self._agree(t)
        elif bid == "consent:no":
            await self._refuse(t)
        elif bid == "consent:more":
            t.say(texts.CONSENT_MORE, CONSENT_BUTTONS)
        else:
            return False
        return True

    async def on_text(self, t: Turn, text: str) -> bool:
        answer = consent_answer(text)
        if answer is None:
            # Nothing is stored before consent, so we cannot know whether this person saw the
            # explanation (Zalo has no /start): show it in full again.
            await self.show(t)
            return True
        return await self.on_button(t, f"consent:{'yes' if answer == 'agree' else 'no'}")

    async def _agree(self, t: Turn) -> None:
        if t.user is not None:  # an earlier refusal: replace its anonymous row
            await t.users.delete(t.user.id)
            if t.conv_key:
                await ConversationRepo(t.conn).delete(t.conv_key)
        t.user = await t.users.create(t.identity, "given", t.now)
        t.conv_key = t.identity
        t.data = {}
        await go(t, "onboard.address")

    async def _refuse(self, t: Turn) -> None:
        if t.user is None:
            anon = await t.users.anon_key(t.identity)
            t.user = await t.users.create(anon, "refused", t.now)
            t.conv_key = anon
        t.data = {}
        t.say(texts.CONSENT_REFUSED)
        await go(t, "menu")


@screen
class Address(SignupScreen):
    name = "onboard.address"

    async def show(self, t: Turn) -> None:
        t.say(texts.ASK_ADDRESS, [(f"addr:{f}", f.capitalize()) for f in texts.ADDRESS_FORMS])

    async def on_button(self, t: Turn, bid: str) -> bool:
        form = bid.removeprefix("addr:")
        if form not in texts.ADDRESS_FORMS:
            return False
        await t.users.update(t.user.id, address_form=form)
        t.user.address_form = form
        await go(t, "onboard.name")
        return True

    async def on_text(self, t: Turn, text: str) -> bool:
        form = best_match(text, [(f, (f, f"{f} ạ")) for f in texts.ADDRESS_FORMS])
        return form is not None and await self.on_button(t, f"addr:{form}")


_NAME_OK = re.compile(r"^[^\W\d_]+(?:[ '\-][^\W\d_]+){0,3}$")


def clean_name(text: str) -> str | None:
    name = clean(text).strip(" .,!")
    if not (1 <= len(name) <= 30) or not _NAME_OK.match(name):
        return None
    return " ".join(w[:1].upper() + w[1:] for w in name.split())


@screen
class Name(SignupScreen):
    name = "onboard.name"
    previous = "onboard.address"

    async def show(self, t: Turn) -> None:
        t.say(texts.ASK_NAME, [("skip", texts.BTN_SKIP)])

    async def on_button(self, t: Turn, bid: str) -> bool:
        if bid != "skip":
            return False
        await go(t, "onboard.birth_year")
        return True

    async def on_text(self, t: Turn, text: str) -> bool:
        name = clean_name(text)
        if name is None:
            t.say(texts.NAME_BAD, [("skip", texts.BTN_SKIP)])
            return True
        await t.users.update(t.user.id, display_name=name)
        t.user.display_name = name
        await go(t, "onboard.birth_year")
        return True


_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_TWO_DIGITS = re.compile(r"^(?:nam\s*)?(\d\d)$")
_AGE = re.compile(r"^(\d{2,3})\s*tuoi$")


def parse_birth_year(text: str, this_year: int) -> int | None:
    folded = fold(text)
    if m := _YEAR.search(folded):
        return int(m.group(1))
    if m := _TWO_DIGITS.match(folded):  # "58" means 1958 for the people we serve
        return 1900 + int(m.group(1))
    if m := _AGE.match(folded):
        return this_year - int(m.group(1))
    return None


@screen
class BirthYear(SignupScreen):
    name = "onboard.birth_year"
    previous = "onboard.name"
    numbers_are_data = True

    async def show(self, t: Turn) -> None:
        t.say(texts.ASK_BIRTH_YEAR)

    async def on_text(self, t: Turn, text: str) -> bool:
        year = parse_birth_year(text, t.now.year)
        if year is None:
            t.say(texts.BIRTH_YEAR_BAD)
            return True
        age = t.now.year - year
        if not 10 <= age <= 115:
            t.say(texts.BIRTH_YEAR_RANGE, year=year)
            return True
        await t.users.update(t.user.id, birth_year=year)
        t.user.birth_year = year
        if age < HELPER_AGE:
            t.say(texts.HELPER_NOTE)
        await go(t, "onboard.province")
        return True


class PlaceScreen(SignupScreen):
    """Type part of a name, then pick one of at most five numbered matches."""

    async def _offer(
        self, t: Turn, query: str, found: list[places.Place], total: int, example: str
    ) -> None:
        if not found:
            t.say(texts.PLACES_NONE, query=query[:40], example=example)
            return
        if total > len(found):
            t.say(texts.PLACES_MANY, n=total)
        lines = "\n".join(f"{i}. {p.name}" for i, p in enumerate(found, 1))
        t.say(texts.PLACES_FOUND, [(f"place:{p.code}", p.name) for p in found], lines=lines)


@screen
class ProvinceScreen(PlaceScreen):
    name = "onboard.province"
    previous = "onboard.birth_year"

    async def show(self, t: Turn) -> None:
        t.say(texts.ASK_PROVINCE)

    async def on_text(self, t: Turn, text: str) -> bool:
        found, total = places.search_provinces(text)
        await self._offer(t, text, found, total, "Thái Nguyên")
        return True

    async def on_button(self, t: Turn, bid: str) -> bool:
        code = bid.removeprefix("place:")
        p = places.province(int(code)) if code.isdigit() else None
        if p is None:
            return False
        await t.users.update(t.user.id, province_code=p.code, commune_code=None)
        t.user.province_code, t.user.commune_code = p.code, None
        await go(t, "onboard.commune")
        return True


def _commune_example(province_code: int) -> str:
    first = places.communes(province_code)[0].name
    return first


@screen
class CommuneScreen(PlaceScreen):
    name = "onboard.commune"
    previous = "onboard.province"

    async def show(self, t: Turn) -> None:
        p = places.province(t.user.province_code)
        t.say(texts.ASK_COMMUNE, province=p.name, example=_commune_example(p.code))

    async def on_text(self, t: Turn, text: str) -> bool:
        options = places.communes(t.user.province_code)
        found, total = places.search(text, options)
        await self._offer(t, text, found, total, _commune_example(t.user.province_code))
        return True

    async def on_button(self, t: Turn, bid: str) -> bool:
        code = bid.removeprefix("place:")
        c = places.commune(int(code)) if code.isdigit() else None
        if c is None or c.province_code != t.user.province_code:
            return False
        await t.users.update(t.user.id, commune_code=c.code)
        t.user.commune_code = c.code
        await go(t, "onboard.branch")
        return True


_BRANCH = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-]{1,19}$")


@screen
class Branch(SignupScreen):
    name = "onboard.branch"
    previous = "onboard.commune"

    async def show(self, t: Turn) -> None:
        t.say(texts.ASK_BRANCH, [("skip", texts.BTN_SKIP)])

    async def on_button(self, t: Turn, bid: str) -> bool:
        if bid != "skip":
            return False
        await self._finish(t)
        return True

    async def on_text(self, t: Turn, text: str) -> bool:
        code = clean(text).replace(" ", "")
        if not _BRANCH.match(code):
            t.say(texts.BRANCH_BAD, [("skip", texts.BTN_SKIP)])
            return True
        await t.users.update(t.user.id, branch_code=code.upper())
        t.user.branch_code = code.upper()
        await self._finish(t)
        return True

    async def _finish(self, t: Turn) -> None:
        await go(t, "onboard.reminder")


class ReminderChoice(Screen):
    """Pick a daily reminder time (Vietnam time, daytime only) or none."""

    exact_labels = True  # "7 giờ 30 tối" is a time, not the button "7 giờ tối"

    def buttons(self) -> list[tuple[str, str]]:
        return [
            *((f"remind:{v}", label) for v, label in texts.REMINDER_CHOICES),
            ("remind:none", texts.BTN_NO_REMINDER),
        ]

    async def show(self, t: Turn) -> None:
        t.say(texts.ASK_REMINDER, self.buttons())

    async def on_button(self, t: Turn, bid: str) -> bool:
        value = bid.removeprefix("remind:")
        if value == "none":
            await t.users.update(t.user.id, reminder_time=None)
            t.user.reminder_time = None
            t.say(texts.REMINDER_OFF)
        elif re.fullmatch(r"\d\d:\d\d", value):
            await t.users.update(t.user.id, reminder_time=value, reminders_ignored=0)
            t.user.reminder_time = value
            t.say(texts.REMINDER_SET, time=review.say_time(value))
        else:
            return False
        await self.chosen(t)
        return True

    async def on_text(self, t: Turn, text: str) -> bool:
        when = review.parse_time(fold(text))
        if when is None:
            return False
        if not review.in_daytime(when):
            t.say(texts.REMINDER_BAD, self.buttons())
            return True
        return await self.on_button(t, f"remind:{when:%H:%M}")

    async def chosen(self, t: Turn) -> None:
        await go(t, "menu")


@screen
class SignupReminder(ReminderChoice, SignupScreen):
    name = "onboard.reminder"
    previous = "onboard.branch"

    async def chosen(self, t: Turn) -> None:
        await t.users.update(t.user.id, registered_at=iso(t.now))
        t.user.registered_at = iso(t.now)
        p = places.province(t.user.province_code)
        c = places.commune(t.user.commune_code)
        t.say(texts.SIGNUP_DONE, province=p.name, commune=c.name)
        await go(t, "menu")


@screen
class ReminderSetting(ReminderChoice):
    name = "settings.reminder"
