"""Consent and sign-up: address form, name, year of birth, province, commune, reminder time, then one optional step (sex and priority groups) that a single «Bỏ qua» skips.

```mermaid
stateDiagram-v2
    consent --> onboard.address: Đồng ý
    consent --> menu: Không đồng ý (untracked)
    onboard.address --> onboard.name
    onboard.name --> onboard.birth_year
    onboard.birth_year --> onboard.province
    onboard.province --> onboard.commune
    onboard.birth_year --> onboard.reminder: a class code names the branch
    onboard.commune --> onboard.reminder
    onboard.reminder --> onboard.sex
    onboard.sex --> menu: Bỏ qua
    onboard.sex --> onboard.groups: Nam / Nữ
    onboard.groups --> menu: Xong / Bỏ qua
    help --> settings.profile --> settings.sex
    settings.profile --> settings.groups
```
Nothing is stored before consent; a refusal leaves only a row keyed by a salted hash.
"""

from __future__ import annotations

import re
from typing import ClassVar

from bot import texts
from bot.core import places, review, staff, understand
from bot.core.flow import Screen, go, screen
from bot.core.matching import best_match, choice_index, clean, fold, small_int
from bot.core.permissions import unit_name
from bot.core.turn import Turn
from bot.domain import Unit
from storage.repos import GROUP_COLUMNS, SEXES, iso

HELPER_AGE = 60
_NEGATION = {"khong", "ko", "k", "kg", "chua", "no", "tu choi"}


def consent_answer(text: str) -> str | None:
    """ "agree", "disagree", "more" (explain again: "tôi không hiểu") or None."""
    k = choice_index(text, len(CONSENT_BUTTONS), words=True)
    if k is not None:
        return (
            CONSENT_BUTTONS[k][0]
            .removeprefix("consent:")
            .replace("yes", "agree")
            .replace("no", "disagree")
        )
    return understand.consent(text)


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

    async def ask_stop(self, t: Turn) -> None:
        await self.stop(t)  # no reminders yet: nothing to ask about

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
    fixed_buttons = CONSENT_BUTTONS

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
        # Nothing is stored before consent, but these buttons never change: numbers work.
        answer = consent_answer(text)
        if answer is None:
            # Nothing is stored before consent, so we cannot know whether this person saw the
            # explanation (Zalo has no /start): show it in full again.
            await self.show(t)
            return True
        button = {"agree": "yes", "disagree": "no", "more": "more"}[answer]
        return await self.on_button(t, f"consent:{button}")

    async def _agree(self, t: Turn) -> None:
        if t.user is not None:  # an earlier refusal: replace its anonymous row
            await t.users.delete(t.user.id)
            if t.conv_key:
                await t.store.conversations.delete(t.conv_key)
        t.user = await t.users.create(t.identity, "given", t.now)
        t.conv_key = t.identity
        t.data = {}
        if code := await staff.take_pending(t):  # a code given before consent: kept on
            t.data["pending_code"] = code
            await t.store.staff.start_use(code, t.user.id, t.now)
        await go(t, "onboard.address")

    async def _refuse(self, t: Turn) -> None:
        await staff.take_pending(t)  # a code given before consent is forgotten with it
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
    free_text = True
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


def two_digits(text: str) -> int:
    """The two-digit number in a birth year to ask back ("58", "năm 58", "năm mươi tám")."""
    if m := re.search(r"\d\d", fold(text)):
        return int(m.group())
    words = [w for w in understand.norm(text).split() if w not in ("nam", "sinh", "a", "da")]
    return understand.spoken_number(words) or int(understand.spoken_digits(words) or 0)


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

    async def on_button(self, t: Turn, bid: str) -> bool:
        year = small_int(bid.removeprefix("by:")) if bid.startswith("by:") else None
        if year is None:
            return False
        return await self.on_text(t, str(year))

    async def on_text(self, t: Turn, text: str) -> bool:
        year = understand.birth_year(text, t.now.year)
        if year == "ask":  # "74": born in 1974, or 74 years old?
            n = two_digits(text)
            born, aged = 1900 + n, t.now.year - n
            t.say(
                texts.BIRTH_YEAR_ASK_BACK,
                [
                    (f"by:{born}", texts.BTN_BORN_IN.format(year=born)),
                    (f"by:{aged}", texts.BTN_AGED.format(n=n, year=aged)),
                ],
                year=born,
                n=n,
            )
            return True
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
        await self.next_step(t)
        return True

    async def next_step(self, t: Turn) -> None:
        await go(t, "onboard.province")


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
        if len(found) == 1:  # "đúng rồi", "ok", "👍" confirm it (bot.core.engine.word_button)
            t.say(texts.PLACE_ONE, [(f"place:{found[0].code}", found[0].name)], name=found[0].name)
            return
        lines = "\n".join(f"{i}. {p.name}" for i, p in enumerate(found, 1))
        t.say(texts.PLACES_FOUND, [(f"place:{p.code}", p.name) for p in found], lines=lines)


@screen
class ProvinceScreen(PlaceScreen):
    name = "onboard.province"
    previous = "onboard.birth_year"

    async def show(self, t: Turn) -> None:
        if await place_from_code(t):
            return
        t.say(texts.ASK_PROVINCE)

    async def on_text(self, t: Turn, text: str) -> bool:
        found, total = places.search_provinces(text)
        await self._offer(t, text, found, total, "Thái Nguyên")
        return True

    async def on_button(self, t: Turn, bid: str) -> bool:
        code = small_int(bid.removeprefix("place:"))
        p = places.province(code) if code is not None else None
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
        if await place_from_code(t):
            return
        p = places.province(t.user.province_code)
        t.say(texts.ASK_COMMUNE, province=p.name, example=_commune_example(p.code))

    async def on_text(self, t: Turn, text: str) -> bool:
        options = places.communes(t.user.province_code)
        found, total = places.search(text, options)
        await self._offer(t, text, found, total, _commune_example(t.user.province_code))
        return True

    async def on_button(self, t: Turn, bid: str) -> bool:
        code = small_int(bid.removeprefix("place:"))
        c = places.commune(code) if code is not None else None
        if c is None or c.province_code != t.user.province_code:
            return False
        await t.users.update(t.user.id, commune_code=c.code)
        t.user.commune_code = c.code
        await go(t, "onboard.reminder")
        return True


async def place_from_code(t: Turn) -> bool:
    """A class or member code kept during sign-up names the branch, hence the province and
    commune: those two questions are skipped."""
    branch_id = await staff.pending_branch(t)
    branch = await t.store.staff.branch(branch_id) if branch_id is not None else None
    commune = places.commune(branch.commune_code) if branch else None
    if commune is None:
        return False
    await t.users.update(t.user.id, province_code=commune.province_code, commune_code=commune.code)
    t.user.province_code, t.user.commune_code = commune.province_code, commune.code
    t.say(
        texts.INVITE_PLACE_FROM_CODE,
        code=t.data["pending_code"],
        unit=await unit_name(t.store, Unit.branch(branch.id)),
    )
    await go(t, "onboard.reminder")
    return True


@screen
class Branch(SignupScreen):
    """The branch-code question is gone (codes work at any point); a conversation saved here
    before the change goes on to the reminder question."""

    name = "onboard.branch"
    previous = "onboard.commune"

    async def show(self, t: Turn) -> None:
        await go(t, "onboard.reminder")

    async def on_text(self, t: Turn, text: str) -> bool:
        await go(t, "onboard.reminder")
        return True


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
    previous = "onboard.commune"

    async def chosen(self, t: Turn) -> None:
        await go(t, "onboard.sex")


async def finish_signup(t: Turn) -> None:
    """The learner counts as registered (reports, reminders) only from here."""
    t.data.pop("ticks", None)
    await t.users.update(t.user.id, registered_at=iso(t.now))
    t.user.registered_at = iso(t.now)
    p = places.province(t.user.province_code)
    c = places.commune(t.user.commune_code)
    t.say(texts.SIGNUP_DONE, province=p.name, commune=c.name)
    if code := t.data.pop("pending_code", None):  # kept since the deep link or the typed code
        await staff.apply(t, code)
    await go(t, "menu")


@screen
class ReminderSetting(ReminderChoice):
    name = "settings.reminder"


# --- optional, self-declared: sex and priority groups, for the association's reports ---
# Asked once at the end of sign-up (one «Bỏ qua» skips both questions) and changed later in
# Trợ giúp. None in a column means "not said"; ticking nothing and pressing «Xong» means "none".

_SEX_WORDS = {
    "nam": ("nam", "đàn ông", "nam giới", "con trai", "trai"),
    "nu": ("nữ", "phụ nữ", "đàn bà", "nữ giới", "con gái", "gái"),
}
_GROUP_WORDS = {
    "rural": ("nông thôn", "ở quê", "ở làng"),
    "poor": ("hộ nghèo", "cận nghèo", "nghèo"),
    "alone": ("một mình", "ở một mình"),
    "disabled": ("khuyết tật", "tàn tật"),
}
_GROUP_LABELS = dict(texts.GROUP_CHOICES)
assert tuple(_GROUP_LABELS) == GROUP_COLUMNS  # the numbers people type follow this order
_FILLER = {"va", "voi", "so", "chon", "dong", "ca", "la", "toi"}
_LIST_SEP = re.compile(r"\s*(?:[,;+]|\bvà\b|\bva\b|\bvới\b|\bvoi\b)\s*", re.IGNORECASE)


def typed_numbers(text: str) -> list[int] | None:
    """Several numbers in one message: "1 3", "1,3", "1 và 3", "số 1, số 3", or "13".

    "13" is read as 1 and 3: with fewer than ten choices on screen a two-digit number can only
    be a list typed without spaces. None if the text is not numbers only.
    """
    words = [w for w in fold(text).split() if w not in _FILLER]
    if not words or not all(w.isascii() and w.isdigit() for w in words):
        return None
    return [int(ch) for w in words for ch in w]


def named_groups(text: str) -> list[str] | None:
    """Groups named in words, one or several ("nong thon, mot minh"); None unless every part
    names a group."""
    parts = [p for p in _LIST_SEP.split(clean(text)) if p.strip()]
    found = [
        best_match(p, [(k, (_GROUP_LABELS[k], *w)) for k, w in _GROUP_WORDS.items()]) for p in parts
    ]
    if not found or None in found:
        return None
    return [k for k in GROUP_COLUMNS if k in found]


def _refusal(text: str) -> str | None:
    """«không» means "none of these"; «không muốn (nói)» means "I'd rather not say"."""
    words = fold(text).split()
    if not words or words[0] not in _NEGATION:
        return None
    return "rather_not" if {"muon", "noi", "tra", "loi"} & set(words) else "no"


def say_groups(chosen: list[str]) -> str:
    """Ticked groups as part of a sentence: "sống ở nông thôn, sống một mình"."""
    if not chosen:
        return texts.GROUPS_NONE
    return ", ".join(_GROUP_LABELS[k][:1].lower() + _GROUP_LABELS[k][1:] for k in chosen)


class SexChoice(Screen):
    """Giới tính: Nam / Nữ, or not said."""

    skip_label: ClassVar[str] = texts.BTN_RATHER_NOT

    def buttons(self) -> list[tuple[str, str]]:
        return [
            ("sex:nam", texts.BTN_MALE),
            ("sex:nu", texts.BTN_FEMALE),
            ("sex:none", self.skip_label),
        ]

    async def on_button(self, t: Turn, bid: str) -> bool:
        value = bid.removeprefix("sex:")
        if not bid.startswith("sex:") or value not in (*SEXES, "none"):
            return False
        await self.chosen(t, None if value == "none" else value)
        return True

    async def on_text(self, t: Turn, text: str) -> bool:
        if _refusal(text) is not None:
            return await self.on_button(t, "sex:none")
        sex = best_match(text, _SEX_WORDS.items())
        return sex is not None and await self.on_button(t, f"sex:{sex}")

    async def chosen(self, t: Turn, sex: str | None) -> None:
        raise NotImplementedError


@screen
class SignupSex(SexChoice, SignupScreen):
    name = "onboard.sex"
    previous = "onboard.reminder"
    skip_label = texts.BTN_SKIP

    async def show(self, t: Turn) -> None:
        t.say(texts.ASK_SEX, self.buttons())

    async def chosen(self, t: Turn, sex: str | None) -> None:
        await t.users.update(t.user.id, sex=sex)
        t.user.sex = sex
        if sex is None:  # «Bỏ qua» skips the whole optional step
            await finish_signup(t)
        else:
            await ask_groups(t, "onboard.groups")


@screen
class SexSetting(SexChoice):
    name = "settings.sex"

    async def show(self, t: Turn) -> None:
        t.say(texts.ASK_SEX_EDIT, self.buttons())

    async def back(self, t: Turn) -> None:
        await go(t, "settings.profile")

    async def chosen(self, t: Turn, sex: str | None) -> None:
        await t.users.update(t.user.id, sex=sex)
        t.user.sex = sex
        t.say(texts.PROFILE_CHANGED)
        await go(t, "settings.profile")


async def ask_groups(t: Turn, state: str) -> None:
    """Open the groups screen with the learner's saved answers ticked."""
    saved = t.user.groups() or {}
    t.data["ticks"] = [k for k in GROUP_COLUMNS if saved.get(k)]
    await go(t, state)


class GroupChoice(Screen):
    """Tick any priority groups that apply: a press (or one typed number) toggles a line, several
    numbers or names in one message are the whole answer, «Xong» saves the ticks."""

    skip_label: ClassVar[str] = texts.BTN_RATHER_NOT
    # Only a whole label is a press: «không» is "none of these", not «Không muốn nói», and a
    # part of a label ("một mình") is handled in on_text.
    exact_labels = True

    def ticks(self, t: Turn) -> list[str]:
        if "ticks" not in t.data:  # e.g. shown again after /start: what is saved
            saved = t.user.groups() or {}
            t.data["ticks"] = [k for k in GROUP_COLUMNS if saved.get(k)]
        return t.data["ticks"]

    def buttons(self, t: Turn) -> list[tuple[str, str]]:
        ticked = self.ticks(t)
        return [
            *(
                (f"grp:{k}", f"{i}. ✅ {label}" if k in ticked else f"{i}. {label}")
                for i, (k, label) in enumerate(texts.GROUP_CHOICES, 1)
            ),
            ("grp:done", texts.BTN_DONE),
            ("grp:none", self.skip_label),
        ]

    async def show(self, t: Turn) -> None:
        t.say(texts.ASK_GROUPS, self.buttons(t))

    async def on_button(self, t: Turn, bid: str) -> bool:
        key = bid.removeprefix("grp:")
        if not bid.startswith("grp:"):
            return False
        if key == "done":
            await self._save(t, self.ticks(t))
        elif key == "none":
            await self._save(t, None)
        elif key in GROUP_COLUMNS:
            ticked = set(self.ticks(t)) ^ {key}
            t.data["ticks"] = [k for k in GROUP_COLUMNS if k in ticked]
            if ticked:
                t.say(texts.GROUPS_MARKED, self.buttons(t), chosen=say_groups(t.data["ticks"]))
            else:
                t.say(texts.GROUPS_MARKED_NONE, self.buttons(t))
        else:
            return False
        return True

    async def on_text(self, t: Turn, text: str) -> bool:
        n = len(GROUP_COLUMNS)
        numbers = typed_numbers(text)
        if numbers is not None:
            if not all(1 <= k <= n + 1 for k in numbers):  # n + 1 is «Xong»
                t.say(texts.GROUPS_BAD, self.buttons(t), n=n)
                return True
            chosen = {GROUP_COLUMNS[k - 1] for k in numbers if k <= n}
            if not chosen:
                return await self.on_button(t, "grp:done")
            await self._save(t, [k for k in GROUP_COLUMNS if k in chosen])
            return True
        refusal = _refusal(text)
        if refusal == "rather_not":
            return await self.on_button(t, "grp:none")
        if refusal == "no":
            await self._save(t, [])
            return True
        named = named_groups(text)
        if named is None:
            return False
        if len(named) == 1:  # one line named: the same as pressing it
            return await self.on_button(t, f"grp:{named[0]}")
        await self._save(t, named)
        return True

    async def _save(self, t: Turn, chosen: list[str] | None) -> None:
        values = {k: None if chosen is None else k in chosen for k in GROUP_COLUMNS}
        await t.users.update(t.user.id, **values)
        for k, v in values.items():
            setattr(t.user, k, v)
        t.data.pop("ticks", None)
        await self.saved(t, chosen)

    async def saved(self, t: Turn, chosen: list[str] | None) -> None:
        raise NotImplementedError


@screen
class SignupGroups(GroupChoice, SignupScreen):
    name = "onboard.groups"
    previous = "onboard.sex"
    skip_label = texts.BTN_SKIP

    async def saved(self, t: Turn, chosen: list[str] | None) -> None:
        if chosen is not None:
            t.say(texts.GROUPS_SAVED, chosen=say_groups(chosen))
        await finish_signup(t)


@screen
class GroupSetting(GroupChoice):
    name = "settings.groups"

    async def back(self, t: Turn) -> None:
        await go(t, "settings.profile")

    async def saved(self, t: Turn, chosen: list[str] | None) -> None:
        t.say(texts.PROFILE_CHANGED)
        await go(t, "settings.profile")


@screen
class ProfileSetting(Screen):
    """Trợ giúp → Thông tin của tôi: everything kept about the person, and a button to correct
    each answer (the consent promise: see and correct, two taps each)."""

    name = "settings.profile"

    async def show(self, t: Turn) -> None:
        u = t.user
        groups = u.groups()
        p = places.province(u.province_code) if u.province_code else None
        c = places.commune(u.commune_code) if u.commune_code else None
        branch = await t.store.staff.branch_of(u.id)
        t.say(
            texts.PROFILE,
            [
                ("profile:address", texts.BTN_EDIT_ADDRESS),
                ("profile:name", texts.BTN_EDIT_NAME),
                ("profile:year", texts.BTN_EDIT_YEAR),
                ("profile:place", texts.BTN_EDIT_PLACE),
                ("profile:sex", texts.BTN_EDIT_SEX),
                ("profile:groups", texts.BTN_EDIT_GROUPS),
                ("menu", texts.BTN_MENU),
            ],
            form=(u.address_form or texts.PROFILE_NOT_SAID).capitalize(),
            name=u.display_name or texts.PROFILE_NOT_SAID,
            year=u.birth_year or texts.PROFILE_NOT_SAID,
            place=", ".join(x.name for x in (c, p) if x) or texts.PROFILE_NOT_SAID,
            branch=await unit_name(t.store, Unit.branch(branch))
            if branch
            else texts.PROFILE_NO_BRANCH,
            reminder=review.say_time(u.reminder_time)
            if u.reminder_time
            else texts.PROFILE_NO_REMINDER,
            sex=texts.SEX_LABELS[u.sex] if u.sex else texts.PROFILE_NOT_SAID,
            groups=texts.PROFILE_NOT_SAID
            if groups is None
            else say_groups([k for k, v in groups.items() if v]),
            since=(u.registered_at or "")[8:10]
            + "/"
            + (u.registered_at or "")[5:7]
            + "/"
            + (u.registered_at or "")[:4],
        )

    async def on_button(self, t: Turn, bid: str) -> bool:
        target = {
            "profile:sex": "settings.sex",
            "profile:name": "settings.name",
            "profile:address": "settings.address",
            "profile:year": "settings.birth_year",
            "profile:place": "settings.province",
        }.get(bid)
        if target:
            await go(t, target)
        elif bid == "profile:groups":
            await ask_groups(t, "settings.groups")
        elif bid == "menu":
            await go(t, "menu")
        else:
            return False
        return True

    async def back(self, t: Turn) -> None:
        await go(t, "help")


class SettingScreen:
    """A sign-up question asked again from «Thông tin của tôi»: back leads there, menu words
    work as anywhere else."""

    async def back(self, t: Turn) -> None:
        await go(t, "settings.profile")

    async def menu(self, t: Turn) -> None:
        await Screen.menu(self, t)

    async def help(self, t: Turn) -> None:
        await Screen.help(self, t)

    async def stop(self, t: Turn) -> None:
        await Screen.stop(self, t)

    async def resume(self, t: Turn) -> None:
        await Screen.resume(self, t)

    async def changed(self, t: Turn) -> None:
        t.say(texts.PROFILE_CHANGED)
        await go(t, "settings.profile")


@screen
class NameSetting(SettingScreen, Name):
    name = "settings.name"

    async def show(self, t: Turn) -> None:
        t.say(texts.ASK_NEW_NAME, [("back", texts.BTN_BACK)])

    async def on_button(self, t: Turn, bid: str) -> bool:
        if bid != "back":
            return False
        await self.back(t)
        return True

    async def on_text(self, t: Turn, text: str) -> bool:
        name = clean_name(text)
        if name is None:
            t.say(texts.NAME_BAD, [("back", texts.BTN_BACK)])
            return True
        await t.users.update(t.user.id, display_name=name)
        t.user.display_name = name
        await self.changed(t)
        return True


@screen
class AddressSetting(SettingScreen, Address):
    name = "settings.address"

    async def on_button(self, t: Turn, bid: str) -> bool:
        form = bid.removeprefix("addr:")
        if form not in texts.ADDRESS_FORMS:
            return False
        await t.users.update(t.user.id, address_form=form)
        t.user.address_form = form
        await self.changed(t)
        return True


@screen
class BirthYearSetting(SettingScreen, BirthYear):
    name = "settings.birth_year"

    async def next_step(self, t: Turn) -> None:
        await self.changed(t)


@screen
class ProvinceSetting(SettingScreen, ProvinceScreen):
    name = "settings.province"

    async def show(self, t: Turn) -> None:
        t.say(texts.ASK_PROVINCE, [("back", texts.BTN_BACK)])

    async def on_button(self, t: Turn, bid: str) -> bool:
        if bid == "back":
            await self.back(t)
            return True
        code = small_int(bid.removeprefix("place:"))
        p = places.province(code) if code is not None else None
        if p is None:
            return False
        t.data["new_province"] = p.code
        await go(t, "settings.commune")
        return True


@screen
class CommuneSetting(SettingScreen, CommuneScreen):
    name = "settings.commune"

    def _province(self, t: Turn) -> int:
        return t.data.get("new_province") or t.user.province_code

    async def show(self, t: Turn) -> None:
        p = places.province(self._province(t))
        t.say(texts.ASK_COMMUNE, province=p.name, example=_commune_example(p.code))

    async def on_text(self, t: Turn, text: str) -> bool:
        options = places.communes(self._province(t))
        found, total = places.search(text, options)
        await self._offer(t, text, found, total, _commune_example(self._province(t)))
        return True

    async def on_button(self, t: Turn, bid: str) -> bool:
        code = small_int(bid.removeprefix("place:"))
        c = places.commune(code) if code is not None else None
        if c is None or c.province_code != self._province(t):
            return False
        t.data.pop("new_province", None)
        if c.code != t.user.commune_code:  # another commune: its branch and local lessons
            await t.users.update(t.user.id, province_code=c.province_code, commune_code=c.code)
            await t.users.set_branch(t.user.id, None)
            from bot.core.linking import recompute_areas

            t.user = await t.users.by_id(t.user.id)
            if t.user.registered_at:
                await recompute_areas(t.store, t.content, t.user, t.now)
        t.say(
            texts.PLACE_CHANGED,
            commune=c.name,
            province=places.province(c.province_code).name,
        )
        await go(t, "settings.profile")
        return True
