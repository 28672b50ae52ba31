"""Association staff at work, in chat: announcements, invitations, members, skills, units.

```mermaid
stateDiagram-v2
    menu --> staff.menu: Quản lý (only with a role)
    staff.menu --> staff.unit: an action (skipped when one unit fits)
    staff.unit --> staff.ann.text --> staff.ann.file: typed text
    staff.ann.text --> staff.ann.topic: a picture or document with its caption
    staff.ann.file --> staff.ann.topic: a picture or document, or Bỏ qua
    staff.ann.topic --> staff.ann.audience --> staff.ann.when
    staff.ann.when --> staff.ann.confirm: preview
    staff.ann.confirm --> staff.menu: Xác nhận gửi (scheduled; run_due fills the outbox)
    staff.unit --> staff.invite --> staff.menu: one-time code
    staff.unit --> staff.members
    staff.unit --> staff.confirm.member --> staff.confirm.area --> staff.menu
    staff.unit --> staff.population --> staff.menu
    staff.unit --> staff.branch --> staff.menu
    staff.unit --> staff.scam: messages learners shared (paged)
```
Every action is checked against the person's roles when chosen and again when carried out,
and written to the audit log.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from bot import texts
from bot.core import media, places, quiet, reach
from bot.core.events import MAX_FILE_BYTES, OutFile
from bot.core.flow import Screen, go, screen
from bot.core.matching import clean, fold, small_int
from bot.core.permissions import allowed, chain, find_units, unit_name
from bot.core.review import VN
from bot.core.turn import Turn
from bot.domain import Unit
from lessons.schema import NATIONAL_AREAS
from storage.outbox import OutboxItem
from storage.repos import iso
from storage.staff import StaffRepo
from storage.store import Store

if TYPE_CHECKING:
    from bot.reports import class_sheet

TOPICS = ("chuyen_doi_so", "chuyen_doi_xanh", "khoi_nghiep", "viec_lam", "khac")
#: Wrong invitation codes allowed per person in a window, as for link codes.
INVITE_MAX_FAILURES = 5
INVITE_FAILURE_WINDOW = dt.timedelta(hours=1)
INVITE_RE = re.compile(r"\bHS-?([A-HJ-NP-Z2-9]{6})\b", re.I)
MEMBERS_SHOWN = 20
#: «Cần giúp» lists older learners only (60+ in the current year), never staff or helpers.
HELP_AGE = 60
ANNOUNCEMENT_MAX = 2000


async def roles_of(
    store: Store, user_id: int, identity: str, admins: frozenset[str]
) -> list[tuple[str, str]]:
    roles = await store.staff.roles(user_id)
    if identity in admins:
        roles.insert(0, ("admin", "all"))
    return roles


def repo(t: Turn) -> StaffRepo:
    return t.store.staff


async def can(t: Turn, action: str, unit: str) -> bool:
    return t.tracked and await allowed(t.store, t.roles, action, unit)


async def audit(t: Turn, action: str, unit: str | None, **detail) -> None:
    await repo(t).audit(t.user.id, action, unit, t.now, **detail)


def work(t: Turn) -> dict:
    return t.data.setdefault("staff", {})


ACTION_BUTTONS = (
    ("announce", texts.BTN_ST_ANNOUNCE),
    ("invite", texts.BTN_ST_INVITE),
    ("class", texts.BTN_ST_CLASS),
    ("members", texts.BTN_ST_MEMBERS),
    ("confirm_skill", texts.BTN_ST_CONFIRM),
    ("set_population", texts.BTN_ST_POPULATION),
    ("create_branch", texts.BTN_ST_BRANCH),
    ("rename_branch", texts.BTN_ST_RENAME),
    ("scam_examples", texts.BTN_ST_SCAM),
    ("sent", texts.BTN_ST_SENT),
    ("record_indicator", texts.BTN_ST_INDICATOR),
    ("report", texts.BTN_REPORT),
    ("web", texts.BTN_ST_WEB),
)
# The permission an action needs ("invite" needs any of the invite_* ones: checked per kind).
NEEDS = {
    "invite": "invite_member",
    "sent": "announce",
    "class": "invite_member",
    "rename_branch": "create_branch",
}
FIRST_SCREEN = {
    "announce": "staff.ann.text",
    "invite": "staff.invite",
    "class": "staff.class",
    "members": "staff.members",
    "confirm_skill": "staff.confirm.member",
    "set_population": "staff.population",
    "create_branch": "staff.branch",
    "rename_branch": "staff.branch.rename",
    "sent": "staff.sent",
    "record_indicator": "report.indicator",  # bot/core/reporting.py
    "report": "report.view",
    "scam_examples": "staff.scam",
}


def _grants(t: Turn, action: str) -> bool:
    """Whether any role could allow `action` somewhere (for showing the button at all)."""
    from bot.core.permissions import ROLE_ACTIONS

    if action == "web":  # the web pages: anyone with a role (each page checks its own)
        return bool(t.roles)
    need = NEEDS.get(action, action)
    kinds = ("invite_member", "invite_staff", "invite_leader", "invite_admin")
    return any(
        (need in ROLE_ACTIONS[r]) or (action == "invite" and ROLE_ACTIONS[r] & set(kinds))
        for r, _ in t.roles
    )


@screen
class StaffMenu(Screen):
    name = "staff.menu"

    async def show(self, t: Turn) -> None:
        if not t.roles:
            await go(t, "menu")
            return
        drop_draft_file(t)  # a draft left unsent; a sent announcement's file is no longer here
        t.data.pop("staff", None)
        buttons = [(f"st:{a}", label) for a, label in ACTION_BUTTONS if _grants(t, a)]
        t.say(texts.ST_MENU, [*buttons, ("menu", texts.BTN_MENU)])

    async def on_button(self, t: Turn, bid: str) -> bool:
        if bid == "menu":
            await go(t, "menu")
            return True
        action = bid.removeprefix("st:")
        if action == "web" and _grants(t, action):
            await web_link(t)
            return True
        if action not in FIRST_SCREEN or not _grants(t, action):
            return False
        t.data["staff"] = {"action": action}
        await go(t, "staff.sent" if action == "sent" else "staff.unit")  # "sent": their own
        return True


async def web_link(t: Turn) -> None:
    """A one-time link into the web pages, bound to this person (bot/web/auth.py)."""
    from bot.web.auth import LOGIN_VALID, new_login

    url = await new_login(t.store, t.user.id, t.now, t.web_url)
    await audit(t, "web_link", None)
    t.say(texts.WEB_LINK, [("menu", texts.BTN_MENU)], url=url, minutes=LOGIN_VALID.seconds // 60)


class StaffScreen(Screen):
    """Staff screens: "quay lại" and "menu" lead back to the staff menu."""

    async def back(self, t: Turn) -> None:
        await go(t, "staff.menu")

    async def menu(self, t: Turn) -> None:
        await go(t, "staff.menu")


def _kind(unit: str) -> str | None:
    u = Unit.parse(unit)
    return u.kind if u else None


async def _candidate_units(t: Turn, need: str) -> list[str]:
    """The person's own units where `need` is allowed, with the branches under communes."""
    units: list[str] = []
    for _, unit in t.roles:
        if unit not in units and await can(t, need, unit):
            units.append(unit)
            u = Unit.parse(unit)
            if u is not None and u.kind == "commune":
                for b in await repo(t).branches_in_commune(u.code):
                    units.append(Unit.branch(b.id))
    return units


def _fits(t: Turn, unit: str) -> bool:
    """Whether the current action can be done at a unit of this kind (a branch is created in a
    commune; a class code or a new name is for one branch)."""
    action = work(t).get("action")
    if action == "create_branch":
        return _kind(unit) == "commune"
    if action in ("class", "rename_branch"):
        return _kind(unit) == "branch"
    return True


def _has_below(t: Turn, unit: str) -> bool:
    """Whether browsing from `unit` can reach a unit the action fits (not below a commune when
    creating a branch)."""
    kind = _kind(unit)
    if kind == "branch":
        return False
    return not (kind == "commune" and work(t).get("action") == "create_branch")


@screen
class StaffUnit(StaffScreen):
    """Where the action applies: one of the person's units, a unit below one of them chosen
    province → commune → branch («📂 Chọn trong …»), or a place or branch typed by name."""

    name = "staff.unit"

    def need(self, t: Turn) -> str:
        action = work(t).get("action", "")
        return NEEDS.get(action, action)

    async def show(self, t: Turn) -> None:
        own = await _candidate_units(t, self.need(t))
        units = [u for u in own if _fits(t, u)]
        wide = [u for u in own if _kind(u) in ("all", "province") and _has_below(t, u)]
        inviting = work(t).get("action") == "invite"
        if inviting:  # into a commune's branch too, or chosen by its name
            wide += [u for u in own if _kind(u) == "commune" and u not in wide]
        if len(units) == 1 and units[0] != "all" and not (inviting and wide):
            await self._chosen(t, units[0])
            return
        buttons = [(f"unit:{u}", await unit_name(t.store, u)) for u in units[:8]]
        for u in wide[:3]:
            buttons.append(
                (f"browse:{u}", texts.ST_BROWSE_BTN.format(unit=await unit_name(t.store, u)))
            )
        t.say(texts.ST_PICK_UNIT, [*buttons, ("back", texts.BTN_BACK)])

    async def on_button(self, t: Turn, bid: str) -> bool:
        if bid == "back":
            await self.back(t)
            return True
        if bid.startswith("browse:"):
            unit = bid.removeprefix("browse:")
            if Unit.parse(unit) is None or not await can(t, self.need(t), unit):
                t.say(texts.ST_NOT_ALLOWED)
                await go(t, "staff.menu")
                return True
            work(t)["browse"] = {"at": unit, "page": 0}
            await go(t, "staff.unit.browse")
            return True
        if not bid.startswith("unit:"):
            return False
        unit = bid.removeprefix("unit:")
        if not _fits(t, unit) or not await can(t, self.need(t), unit):
            t.say(texts.ST_NOT_ALLOWED)
            await go(t, "staff.menu")
            return True
        await self._chosen(t, unit)
        return True

    async def on_text(self, t: Turn, text: str) -> bool:
        """A province, commune or branch named by the person, within what they manage."""
        return await typed_unit(t, text, self.need(t))

    async def _chosen(self, t: Turn, unit: str) -> None:
        work(t)["unit"] = unit
        work(t).pop("browse", None)
        await go(t, FIRST_SCREEN[work(t)["action"]])


async def typed_unit(t: Turn, text: str, need: str) -> bool:
    """Units matching a typed name (with or without diacritics: a province, a commune, or a
    branch by its own name) that the person may act in, a commune's branches after it."""
    found = [u for u in await find_units(t.store, text) if u.kind != "all" or text == "all"]
    units = [u for u in found[:40] if await can(t, need, u)][:5]
    with_branches: list[str] = []  # a commune's branches follow it: invite into a branch
    for u in units:
        with_branches.append(u)
        if _kind(u) == "commune" and work(t).get("action") != "create_branch":
            for b in await repo(t).branches_in_commune(Unit.of(u).code):
                with_branches.append(Unit.branch(b.id))
    units = [u for u in dict.fromkeys(with_branches) if _fits(t, u)][:8]
    if not units:
        t.say(texts.ST_UNIT_NONE, [("back", texts.BTN_BACK)])
        t.state = "staff.unit"
        return True
    buttons = [(f"unit:{u}", await unit_name(t.store, u)) for u in units]
    t.say(texts.ST_PICK_UNIT, [*buttons, ("back", texts.BTN_BACK)])
    t.state = "staff.unit"
    return True


BROWSE_PAGE = 5


async def _below(t: Turn, unit: str) -> list[tuple[str, str]]:
    """(unit, name) of the units right below `unit`: provinces, communes or branches."""
    u = Unit.of(unit)
    if u.kind == "all":
        return [(Unit.province(p.code), p.name) for p in places.provinces()]
    if u.kind == "province":
        return [(Unit.commune(c.code), c.name) for c in places.communes(u.code)]
    if u.kind == "commune":
        from bot.core.permissions import branch_title

        return [(Unit.branch(b.id), branch_title(b.name))
                for b in await repo(t).branches_in_commune(u.code)]  # fmt: skip
    return []


@screen
class StaffUnitBrowse(StaffScreen):
    """Province → commune → branch, five at a time, numbered (a typed number picks one); the
    unit being looked at can be chosen whole when the action fits it."""

    name = "staff.unit.browse"

    def need(self, t: Turn) -> str:
        action = work(t).get("action", "")
        return NEEDS.get(action, action)

    def state(self, t: Turn) -> dict:
        return work(t).setdefault("browse", {"at": "all", "page": 0})

    async def show(self, t: Turn) -> None:
        b = self.state(t)
        at = b["at"]
        if Unit.parse(at) is None or not await can(t, self.need(t), at):
            t.say(texts.ST_NOT_ALLOWED)
            await go(t, "staff.menu")
            return
        items = await _below(t, at)
        pages = max(1, -(-len(items) // BROWSE_PAGE))
        page = min(max(0, int(b.get("page", 0))), pages - 1)
        b["page"] = page
        shown = items[page * BROWSE_PAGE : (page + 1) * BROWSE_PAGE]
        buttons = [(f"go:{u}", f"{i}. {name}") for i, (u, name) in enumerate(shown, 1)]
        if _fits(t, at):
            buttons.append(
                ("pick", texts.ST_BROWSE_WHOLE.format(unit=await unit_name(t.store, at)))
            )
        if page + 1 < pages:
            buttons.append(("more", texts.ST_BROWSE_MORE))
        if page > 0:
            buttons.append(("less", texts.ST_BROWSE_LESS))
        buttons.append(("back", texts.BTN_BACK))
        name = await unit_name(t.store, at)
        if not items:
            t.say(texts.ST_BROWSE_EMPTY, buttons, unit=name)
            return
        t.say(texts.ST_BROWSE, buttons, unit=name, page=page + 1, pages=pages)

    async def on_button(self, t: Turn, bid: str) -> bool:
        b = self.state(t)
        if bid == "more":
            b["page"] = int(b.get("page", 0)) + 1
        elif bid == "less":
            b["page"] = max(0, int(b.get("page", 0)) - 1)
        elif bid == "back":
            above = await chain(t.store, b["at"]) or []
            parent = above[1] if len(above) > 1 else None
            if parent is None or not await can(t, self.need(t), parent):
                work(t).pop("browse", None)
                await go(t, "staff.unit")
                return True
            b.update(at=parent, page=0)
        elif bid == "pick":
            if not _fits(t, b["at"]):
                return False
            work(t)["unit"] = b["at"]
            work(t).pop("browse", None)
            await go(t, FIRST_SCREEN[work(t)["action"]])
            return True
        elif bid.startswith("go:"):
            unit = bid.removeprefix("go:")
            if unit not in dict(await _below(t, b["at"])) or not await can(t, self.need(t), unit):
                return False
            if not _has_below(t, unit):  # a branch (or a commune when creating a branch)
                if not _fits(t, unit):
                    return False
                work(t)["unit"] = unit
                work(t).pop("browse", None)
                await go(t, FIRST_SCREEN[work(t)["action"]])
                return True
            b.update(at=unit, page=0)
        else:
            return False
        await self.show(t)
        return True

    async def on_text(self, t: Turn, text: str) -> bool:
        work(t).pop("browse", None)
        return await typed_unit(t, text, self.need(t))


# --- announcements ---


def _attached(t: Turn) -> dict | None:
    """The draft's file: {"kind": "image"|"document", "path": ...}, saved by media.receive."""
    return work(t).get("file")


def _keep_file(t: Turn, received: media.Received) -> str:
    """Attach a received file to the draft (replacing any earlier one); its name for messages."""
    old = _attached(t)
    if old:
        media.discard(old["path"])
    work(t)["file"] = {"kind": received.kind, "path": received.path}
    return texts.ST_FILE_NAME[received.kind]


def _refuse_file(t: Turn, received: media.Received) -> None:
    """Too big, not a picture or office document, or lost on the way: say so, keep the screen."""
    template = {
        "too_big": texts.ST_ANN_FILE_TOO_BIG,
        "unsupported": texts.ST_ANN_FILE_UNSUPPORTED,
    }.get(received.problem or "", texts.ST_ANN_FILE_FAILED)
    buttons = [(b.id, b.label) for b in t.current_buttons()] or [("back", texts.BTN_BACK)]
    t.say(template, buttons, mb=MAX_FILE_BYTES // (1024 * 1024))


def drop_draft_file(t: Turn) -> None:
    """Remove the file of a draft that will not be sent."""
    f = work(t).pop("file", None)
    if f:
        media.discard(f["path"])


@screen
class AnnText(StaffScreen):
    """The words, or a picture or document (its caption, if any, being the words)."""

    name = "staff.ann.text"
    exact_labels = True
    accepts_files = True

    async def show(self, t: Turn) -> None:
        f = _attached(t)
        lines = [texts.ST_ANN_TEXT, texts.ST_ANN_FILE_HINT]
        buttons = [("back", texts.BTN_BACK)]
        if f:  # back here from the preview ("Sửa lại"): the file stays unless dropped
            lines.append(texts.ST_ANN_HAS_FILE)
            buttons.insert(0, ("drop_file", texts.BTN_ST_DROP_FILE))
        t.say(
            "\n".join(lines),
            buttons,
            unit=await unit_name(t.store, work(t)["unit"]),
            what=texts.ST_FILE_NAME[f["kind"]] if f else "",
        )

    async def on_button(self, t: Turn, bid: str) -> bool:
        if bid != "drop_file" or not _attached(t):
            return False
        drop_draft_file(t)
        t.say(texts.ST_ANN_FILE_DROPPED)
        await self.show(t)
        return True

    async def on_text(self, t: Turn, text: str) -> bool:
        if not 5 <= len(text) <= ANNOUNCEMENT_MAX:
            t.say(texts.ST_ANN_TEXT_BAD, [("back", texts.BTN_BACK)], n=ANNOUNCEMENT_MAX)
            return True
        work(t)["text"] = text
        await go(t, "staff.ann.topic" if _attached(t) else "staff.ann.file")
        return True

    async def on_file(self, t: Turn, received: media.Received, caption: str) -> None:
        if not received.ok:
            _refuse_file(t, received)
            return
        what = _keep_file(t, received)
        if 5 <= len(caption) <= ANNOUNCEMENT_MAX:  # a caption is the announcement's words
            work(t)["text"] = caption
            t.say(texts.ST_ANN_FILE_GOT, what=what)
            await go(t, "staff.ann.topic")
        else:
            t.say(texts.ST_ANN_FILE_NEED_TEXT, [("back", texts.BTN_BACK)], what=what)


@screen
class AnnFile(StaffScreen):
    """After typed words: add a picture or document, or skip. Sending one is enough; the
    first button only explains how, for those who have never attached anything."""

    name = "staff.ann.file"
    accepts_files = True

    async def show(self, t: Turn) -> None:
        t.say(
            texts.ST_ANN_FILE_ASK,
            [
                ("add", texts.BTN_ST_ADD_FILE),
                ("skip", texts.BTN_SKIP),
                ("back", texts.BTN_BACK),
            ],
        )

    async def on_button(self, t: Turn, bid: str) -> bool:
        if bid == "add":
            t.say(texts.ST_ANN_FILE_HOW, [("skip", texts.BTN_SKIP), ("back", texts.BTN_BACK)])
        elif bid == "skip":
            await go(t, "staff.ann.topic")
        elif bid == "back":
            await go(t, "staff.ann.text")
        else:
            return False
        return True

    async def on_text(self, t: Turn, text: str) -> bool:
        if fold(text) in ("khong", "khong can", "khong co", "thoi"):
            await go(t, "staff.ann.topic")
            return True
        return False

    async def on_file(self, t: Turn, received: media.Received, caption: str) -> None:
        if not received.ok:
            _refuse_file(t, received)
            return
        t.say(texts.ST_ANN_FILE_GOT, what=_keep_file(t, received))
        await go(t, "staff.ann.topic")


@screen
class AnnTopic(StaffScreen):
    name = "staff.ann.topic"
    routes: ClassVar[dict[str, str]] = {"back": "staff.ann.text"}

    async def show(self, t: Turn) -> None:
        t.say(
            texts.ST_ANN_TOPIC,
            [*((f"topic:{k}", texts.TOPICS[k]) for k in TOPICS), ("back", texts.BTN_BACK)],
        )

    async def on_button(self, t: Turn, bid: str) -> bool:
        topic = bid.removeprefix("topic:")
        if topic not in TOPICS:
            return await super().on_button(t, bid)
        work(t)["topic"] = topic
        await go(t, "staff.ann.audience")
        return True


@screen
class AnnAudience(StaffScreen):
    name = "staff.ann.audience"

    async def show(self, t: Turn) -> None:
        buttons = [("aud:all", texts.BTN_ST_AUD_ALL)] + [
            (f"aud:{a}", texts.ST_AUD_NOT.format(area=t.content.areas[a].short_name))
            for a in NATIONAL_AREAS
            if a in t.content.areas
        ]
        t.say(texts.ST_ANN_AUDIENCE, [*buttons, ("back", texts.BTN_BACK)])

    async def on_button(self, t: Turn, bid: str) -> bool:
        if bid == "back":
            await go(t, "staff.ann.topic")
            return True
        aud = bid.removeprefix("aud:")
        if aud != "all" and aud not in NATIONAL_AREAS:
            return False
        work(t)["only_not"] = None if aud == "all" else aud
        await go(t, "staff.ann.when")
        return True


_WHEN = re.compile(r"^(\d{1,2})[:h](\d{2})?\s+(\d{1,2})/(\d{1,2})(?:/(\d{4}))?$")


def parse_when(text: str, now: dt.datetime) -> dt.datetime | None:
    """ "8:00 25/11", "14h30 1/12/2026" in Vietnam time; must be in the future."""
    m = _WHEN.match(fold(text).replace(" gio ", "h"))
    if not m:
        return None
    hour, minute, day, month = int(m[1]), int(m[2] or 0), int(m[3]), int(m[4])
    local_now = now.astimezone(VN)
    year = int(m[5]) if m[5] else local_now.year
    try:
        when = dt.datetime(year, month, day, hour, minute, tzinfo=VN)
    except ValueError:
        return None
    if when < local_now and not m[5]:
        when = when.replace(year=year + 1)
    return when.astimezone(dt.UTC) if when > local_now else None


@screen
class AnnWhen(StaffScreen):
    name = "staff.ann.when"
    numbers_are_data = True

    async def show(self, t: Turn) -> None:
        t.say(
            texts.ST_ANN_WHEN,
            [("now", texts.BTN_ST_NOW), ("urgent", texts.BTN_ST_URGENT), ("back", texts.BTN_BACK)],
        )

    async def on_button(self, t: Turn, bid: str) -> bool:
        if bid == "back":
            await go(t, "staff.ann.audience")
        elif bid in ("now", "urgent"):
            work(t).update(send_at=iso(t.now), urgent=bid == "urgent")
            await go(t, "staff.ann.confirm")
        else:
            return False
        return True

    async def on_text(self, t: Turn, text: str) -> bool:
        when = parse_when(text, t.now)
        if when is None:
            t.say(texts.ST_ANN_WHEN_BAD)
            return True
        work(t).update(send_at=iso(when), urgent=False)
        await go(t, "staff.ann.confirm")
        return True


def real_send_time(when: dt.datetime, urgent: bool) -> dt.datetime:
    """When members will really get it: a non-urgent message asked for the night goes when
    quiet hours end (bot/delivery.py does the holding)."""
    return quiet.current().release_time(when, urgent)


async def recipients(store: Store, unit: str, only_not: str | None) -> list[tuple[int, str]]:
    """(user id, identity) of the members an announcement reaches."""
    return await store.staff.recipients(unit, only_not)


def announcement_text(unit_label: str, text: str) -> str:
    return texts.ANNOUNCEMENT.format(unit=unit_label, text=text)


@screen
class AnnConfirm(StaffScreen):
    name = "staff.ann.confirm"

    async def show(self, t: Turn) -> None:
        w = work(t)
        per = await reach.reach(t.store, w["unit"], w.get("only_not"), t.oa_rules, t.now)
        n = sum(r.now + r.waiting + r.blocked for r in per.values())
        lines = reach.reach_text(per, t.oa_rules)
        when = real_send_time(dt.datetime.fromisoformat(w["send_at"]), bool(w.get("urgent")))
        label = await unit_name(t.store, w["unit"])
        f = _attached(t)
        files = [OutFile(f["kind"], f["path"])] if f else []
        t.say_text(announcement_text(label, w["text"]), [], files)
        t.say(
            texts.ST_ANN_PREVIEW,
            [
                ("send", texts.BTN_ST_SEND),
                ("edit", texts.BTN_ST_EDIT),
                ("cancel", texts.BTN_ST_CANCEL),
            ],
            n=n,
            topic=texts.TOPICS[w["topic"]],
            when=f"{when:%H:%M %d/%m/%Y}",
            urgent=texts.ST_URGENT_NOTE if w.get("urgent") else "",
            reach=lines + "\n" if lines else "",
        )

    async def on_button(self, t: Turn, bid: str) -> bool:
        w = work(t)
        if bid == "edit":
            await go(t, "staff.ann.text")
        elif bid == "cancel":
            drop_draft_file(t)
            t.say(texts.ST_CANCELLED)
            await go(t, "staff.menu")
        elif bid == "send":
            if not await can(t, "announce", w["unit"]):  # roles may have changed meanwhile
                t.say(texts.ST_NOT_ALLOWED)
                await go(t, "staff.menu")
                return True
            ann_id = await repo(t).create_announcement(
                t.user.id,
                w["unit"],
                w["topic"],
                w["text"],
                w.get("only_not"),
                dt.datetime.fromisoformat(w["send_at"]),
                bool(w.get("urgent")),
                t.now,
                file_kind=f["kind"] if (f := _attached(t)) else None,
                file_path=f["path"] if f else None,
            )
            await audit(
                t,
                "announce",
                w["unit"],
                announcement=ann_id,
                topic=w["topic"],
                **({"file": f["kind"]} if f else {}),
            )
            w.pop("file", None)  # the announcement owns it now
            t.say(texts.ST_ANN_SCHEDULED, n=ann_id)
            await go(t, "staff.menu")
        else:
            return False
        return True


async def queue_due_announcements(store: Store, now: dt.datetime) -> int:
    """Put every announcement whose time has come into the outbox, one row per recipient."""
    staff = store.staff
    queued = 0
    for row in await staff.due_announcements(now):
        ann_id, _sender, unit, _topic, text, only_not, urgent, file_kind, file_path = row
        label = await unit_name(store, unit)
        people = await recipients(store, unit, only_not)
        files = [(file_kind, file_path)] if file_kind and file_path else []
        items = [
            OutboxItem(
                identity,
                announcement_text(label, text),
                buttons=[(f"ack:{ann_id}", texts.BTN_ACK)],
                files=files,
                announcement_id=ann_id,
                urgent=bool(urgent),
                not_before=now,
            )
            for _, identity in people
        ]
        if not await staff.mark_queued(ann_id, len(items)):
            continue  # another worker queued it meanwhile
        await store.outbox.enqueue(items)
        queued += 1
    return queued


#: Words that say "I have read it", whatever the screen (an announcement must be waiting).
ACK_WORDS = {"da doc", "da doc roi", "doc roi", "da xem", "da xem roi", "xem roi", "da nhan"}
ACK_EMOJI = {"👍", "👌", "🙏", "❤️", "❤", "✅"}
#: Plain "ok", "vâng": read only where they mean nothing else (not inside a lesson, where
#: they mean «Tiếp»).
ACK_WEAK = {"ok", "oke", "okay", "vang", "da", "u", "vang a", "da vang", "ok a"}
ACK_WEAK_SCREENS = ("menu", "paused", "lesson.done", "review.done", "practice.done", "progress")


def is_ack_word(raw: str, text: str, state: str) -> bool:
    words = fold(text).strip(" .!")
    bare = raw.strip().replace("\ufe0f", "")
    if words in ACK_WORDS or (bare and all(ch in "".join(ACK_EMOJI) for ch in bare)):
        return True
    return words in ACK_WEAK and state in ACK_WEAK_SCREENS


#: The press a channel makes of a reaction on an announcement ("seen:<announcement id>").
REACTED = "seen:"


async def acknowledge(t: Turn, ann_id: int | None, *, thank_again: bool = True) -> bool:
    """«✅ Đã đọc»: the given announcement, or the latest one this person received. Recorded
    once; `thank_again=False` (a reaction changed or added again) thanks only the first time."""
    if not t.tracked:
        return False
    if ann_id is None:
        ann_id = await t.store.outbox.latest_unacked(t.identity, t.user.id)
        if ann_id is None:
            return False
    elif not await t.store.outbox.received(t.identity, ann_id):
        return False
    if await repo(t).ack(ann_id, t.user.id, t.now) or thank_again:
        t.say(texts.ACK_THANKS)
    return True


# --- invitations ---


INVITE_KINDS = (
    ("member", "invite_member"),
    ("staff", "invite_staff"),
    ("leader", "invite_leader"),
    ("admin", "invite_admin"),
)


#: A class code: how many people may use it (staff choose) and for how long.
CLASS_CAPS = (30, 60, 100)
CLASS_DAYS = 30


@screen
class Invite(StaffScreen):
    name = "staff.invite"

    async def show(self, t: Turn) -> None:
        unit = work(t)["unit"]
        buttons = []
        for kind, need in INVITE_KINDS:
            if kind == "member" and _kind(unit) != "branch":
                continue  # members join a branch
            if await can(t, need, unit):
                buttons.append((f"inv:{kind}", texts.INVITE_KINDS[kind]))
                if kind == "member":
                    buttons.append(("inv:class", texts.INVITE_CLASS_KIND))
        if not buttons:
            t.say(texts.ST_INVITE_NONE, [("back", texts.BTN_BACK)])
            return
        t.say(
            texts.ST_INVITE_KIND,
            [*buttons, ("back", texts.BTN_BACK)],
            unit=await unit_name(t.store, unit),
        )

    async def on_button(self, t: Turn, bid: str) -> bool:
        if bid == "back":
            await self.back(t)
            return True
        unit = work(t)["unit"]
        if bid == "inv:class":
            if _kind(unit) != "branch":
                return False
            caps = [(f"cap:{n}", texts.ST_CLASS_CAP_BTN.format(n=n)) for n in CLASS_CAPS]
            t.say(texts.ST_CLASS_CAP, [*caps, ("back", texts.BTN_BACK)])
            return True
        if bid.startswith("cap:"):
            cap = small_int(bid[4:])
            if cap not in CLASS_CAPS or _kind(unit) != "branch":
                return False
            if not await can(t, "invite_member", unit):
                t.say(texts.ST_NOT_ALLOWED)
                await go(t, "staff.menu")
                return True
            await class_code(t, unit, cap)
            await go(t, "staff.menu")
            return True
        kind = bid.removeprefix("inv:")
        need = dict(INVITE_KINDS).get(kind)
        if need is None or (kind == "member" and _kind(unit) != "branch"):
            return False
        if not await can(t, need, unit):
            t.say(texts.ST_NOT_ALLOWED)
            await go(t, "staff.menu")
            return True
        code = await repo(t).create_invitation(kind, unit, t.user.id, t.now)
        await audit(t, "invite", unit, role=kind, code=code)
        t.say(
            texts.ST_INVITE_CODE,
            code=code,
            kind=texts.INVITE_KINDS[kind],
            unit=await unit_name(t.store, unit),
        )
        await go(t, "staff.menu")
        return True


def join_link(t: Turn, code: str, channel: str = "telegram") -> str | None:
    template = t.links.get(channel)
    return template.format(code=code) if template else None


def _link(links: dict[str, str], code: str, channel: str) -> str | None:
    template = links.get(channel)
    return template.format(code=code) if template else None


async def class_sheet_of(
    store: Store, code: str, unit: str, expires: dt.datetime, links: dict[str, str]
) -> class_sheet.Sheet:
    """What a class code's printable sheet says: the branch, the deep link, the last day."""
    from bot.reports import class_sheet

    until = f"{expires.astimezone(VN):%d/%m/%Y}"
    link = _link(links, code, "telegram") or code
    name = await unit_name(store, unit)
    return class_sheet.Sheet(code, name, link, until, _link(links, code, "zalo_oa"))


def class_sheet_paths(media_dir: Path, code: str) -> tuple[Path, Path]:
    """Where a class code's sheet is kept (PNG, PDF): the chat and the web pages share them."""
    folder = media_dir / "classes"
    return folder / f"{code}.png", folder / f"{code}.pdf"


async def class_code(t: Turn, unit: str, cap: int) -> str:
    """Create a class code for a branch and send its printable sheet (PNG and PDF)."""
    from bot.reports import class_sheet

    code = await repo(t).create_invitation(
        "member", unit, t.user.id, t.now, days=CLASS_DAYS, max_uses=cap
    )
    await audit(t, "invite", unit, role="member", code=code, max_uses=cap)
    sheet = await class_sheet_of(
        t.store, code, unit, t.now + dt.timedelta(days=CLASS_DAYS), t.links
    )
    name, link, until = sheet.unit, sheet.link, sheet.until
    png, pdf = class_sheet_paths(t.media_dir, code)

    async def render() -> None:
        await asyncio.to_thread(class_sheet.write, sheet, png, pdf)

    t.after_commit.append(render)
    t.say(
        texts.ST_CLASS_CODE,
        files=[OutFile("image", str(png)), OutFile("document", str(pdf))],
        unit=name,
        code=code,
        cap=cap,
        until=until,
        link=link,
    )
    return code


async def _throttled(t: Turn) -> tuple[str, bool]:
    key = await t.users.anon_key(f"invite:{t.identity}")
    return key, await t.store.throttle.failures(
        key, t.now, INVITE_FAILURE_WINDOW
    ) >= INVITE_MAX_FAILURES


async def redeem(t: Turn, code: str) -> bool:
    """A typed or deep-linked invitation or class code, at any point.

    Before consent the code is kept under a salted hash of the identity (nothing personal);
    during sign-up it is kept in the conversation; either way it is applied when sign-up ends
    and confirmed in words. A registered person gets it applied at once.
    """
    code = code.upper()
    # Codes are short enough to say aloud, so wrong guesses are limited per identity, as for
    # link codes (bot/core/linking.py): five an hour, then a wait. (Erasure removes the key.)
    key, blocked = await _throttled(t)
    if blocked:
        t.say(texts.INVITE_TOO_MANY)
        return True
    if not t.tracked or not t.user.registered_at:
        inv = await repo(t).invitation(code, t.now)
        if inv is None:
            await t.store.throttle.fail(key, t.now, INVITE_FAILURE_WINDOW)
            t.say(texts.INVITE_BAD)
            return True
        unit = await unit_name(t.store, inv.unit)
        if not t.tracked:
            pending = await t.users.anon_key(f"pending:{t.identity}")
            await repo(t).keep_pending(pending, code, t.now)
            t.say(texts.INVITE_KEPT_CONSENT, code=code, unit=unit)
        else:
            t.data["pending_code"] = code
            await repo(t).start_use(code, t.user.id, t.now)
            t.say(texts.INVITE_KEPT_SIGNUP, code=code, unit=unit)
        return True
    return await apply(t, code, key)


async def take_pending(t: Turn) -> str | None:
    """At consent: the code given before it (kept a day at most), now the learner's."""
    pending = await t.users.anon_key(f"pending:{t.identity}")
    return await repo(t).take_pending(pending, t.now - PENDING_KEPT)


PENDING_KEPT = dt.timedelta(days=1)


async def pending_branch(t: Turn) -> int | None:
    """The branch a code kept during sign-up joins (its commune need not be asked)."""
    code = t.data.get("pending_code")
    inv = await repo(t).invitation(code, t.now) if code else None
    if inv is None or inv.role != "member":
        return None
    return Unit.of(inv.unit).code


async def apply(t: Turn, code: str, key: str | None = None) -> bool:
    """Apply a code for a registered person: a role, or membership of a branch."""
    inv = await repo(t).invitation(code, t.now)
    if inv is not None and inv.role == "member":
        branch_id = Unit.of(inv.unit).code
        if await repo(t).branch_of(t.user.id) == branch_id:  # scanned twice: nothing used up
            t.say(texts.INVITE_ALREADY, unit=await unit_name(t.store, inv.unit))
            return True
    found = await repo(t).redeem(code, t.user.id, t.now)
    if found is None:
        if key is not None:
            await t.store.throttle.fail(key, t.now, INVITE_FAILURE_WINDOW)
            t.say(texts.INVITE_BAD)
        else:
            t.say(texts.INVITE_KEPT_LOST, code=code)
        return True
    if key is not None:
        await t.store.throttle.clear(key)
    role, unit = found
    if role == "member":
        branch = await repo(t).branch(Unit.of(unit).code)
        commune = places.commune(branch.commune_code)
        await t.users.update(
            t.user.id, commune_code=commune.code, province_code=commune.province_code
        )
        await t.users.set_branch(t.user.id, branch.id)
        changed = commune.code != t.user.commune_code
        t.user = await t.users.by_id(t.user.id)
        if changed:  # the local area's competencies change with it
            from bot.core.linking import recompute_areas

            await recompute_areas(t.store, t.content, t.user, t.now)
    else:
        await repo(t).grant(t.user.id, role, unit, None, t.now)
        t.roles.append((role, unit))
    await repo(t).audit(
        t.user.id, "join" if role == "member" else "grant", unit, t.now, code=code, role=role
    )
    name = await unit_name(t.store, unit)
    if role == "member":
        t.say(texts.INVITE_JOINED_BRANCH, unit=name)
    else:
        t.say(texts.INVITE_OK, kind=texts.INVITE_KINDS[role], unit=name)
    return True


# --- the class screen: who joined in the last hour, who is stuck where ---

#: Someone who has not written for this long, in the middle of something, is stuck.
STUCK_AFTER = dt.timedelta(minutes=10)
CLASS_WINDOW = dt.timedelta(hours=12)
_RESTING = ("menu", "paused", "lesson.done", "review.done", "practice.done", "progress", "help")


def where(t: Turn, state: str | None, data: dict) -> str:
    state = state or "consent"
    if state in texts.WHERE:
        return texts.WHERE[state]
    head = state.split(".")[0]
    lesson = (data.get("lesson") or {}).get("id")
    if head == "lesson" and (found := t.content.lessons.get(lesson or "")):
        return texts.WHERE_LESSON.format(title=found.title)
    return texts.WHERE.get(head, texts.WHERE_OTHER)


@screen
class ClassView(StaffScreen):
    name = "staff.class"

    async def show(self, t: Turn) -> None:
        unit = work(t)["unit"]
        if _kind(unit) != "branch" or not await can(t, "invite_member", unit):
            t.say(texts.ST_NOT_ALLOWED)
            await go(t, "staff.menu")
            return
        await audit(t, "view_class", unit)
        name = await unit_name(t.store, unit)
        codes = await repo(t).class_codes(unit, t.now)
        people = await repo(t).class_people(unit, t.now - CLASS_WINDOW)
        if not codes and not people:
            t.say(texts.ST_CLASS_NONE, [("back", texts.BTN_BACK)], unit=name)
            return

        def who(p) -> str:
            if not p.display_name:
                return texts.ST_CLASS_NO_NAME
            return f"{p.address_form or ''} {p.display_name}".strip()

        hour = iso(t.now - dt.timedelta(hours=1))
        joined = [p for p in people if p.joined_at and p.joined_at >= hour]
        signing = [p for p in people if not p.registered_at]
        stuck = []
        for p in people:
            last = dt.datetime.fromisoformat(p.last_active_at) if p.last_active_at else t.now
            idle = t.now - last
            if idle >= STUCK_AFTER and (p.state or "consent") not in _RESTING:
                stuck.append((p, idle))
        lines = [t.render(texts.ST_CLASS_HEAD, unit=name)]
        if codes:
            shown = ", ".join(
                texts.ST_CLASS_CODE_LINE.format(code=c.code, uses=c.uses, cap=c.max_uses)
                for c in codes
            )
            lines.append(texts.ST_CLASS_CODES.format(codes=shown))
        if joined:
            names = ", ".join(who(p) for p in joined)
            lines.append(texts.ST_CLASS_JOINED.format(n=len(joined), names=names))
        else:
            lines.append(texts.ST_CLASS_JOINED_NONE)
        if signing:
            names = ", ".join(who(p) for p in signing)
            lines.append(texts.ST_CLASS_SIGNING.format(n=len(signing), names=names))
        if stuck:
            rows = "\n".join(
                texts.ST_CLASS_STUCK_LINE.format(
                    name=who(p),
                    where=where(t, p.state, p.data),
                    minutes=int(idle.total_seconds() // 60),
                )
                for p, idle in stuck
            )
            lines.append(texts.ST_CLASS_STUCK.format(n=len(stuck), lines=rows))
        else:
            lines.append(texts.ST_CLASS_STUCK_NONE)
        buttons = [("refresh", texts.BTN_ST_CLASS_REFRESH)]
        buttons += [
            (f"close:{c.code}", texts.BTN_ST_CLASS_CLOSE.format(code=c.code)) for c in codes[:2]
        ]
        t.say_text("\n\n".join(lines), [*buttons, ("back", texts.BTN_BACK)])

    async def on_button(self, t: Turn, bid: str) -> bool:
        if bid == "refresh":
            await self.show(t)
            return True
        if bid == "back":
            await self.back(t)
            return True
        unit = work(t)["unit"]
        if bid.startswith("close:"):
            code = bid[6:]
            if code not in [c.code for c in await repo(t).class_codes(unit, t.now)]:
                return False
            if not await can(t, "invite_member", unit):
                t.say(texts.ST_NOT_ALLOWED)
                await go(t, "staff.menu")
                return True
            await repo(t).close_code(code, t.now)
            await audit(t, "close_code", unit, code=code)
            t.say(texts.ST_CLASS_CLOSED, code=code)
            await self.show(t)
            return True
        return False


# --- members, who needs help, confirming skills ---


async def _members_lines(t: Turn) -> tuple[list, str]:
    unit = work(t)["unit"]
    members = await repo(t).members(unit)
    mastered = await repo(t).areas_mastered([m.id for m in members])

    def name(m) -> str:
        return f"{m.address_form or ''} {m.display_name or '(không tên)'}".strip()

    lines = [
        t.render(
            texts.ST_MEMBERS_HEAD,
            unit=await unit_name(t.store, unit),
            n=len(members),
            p=sum(m.proficient for m in members),
        )
    ]
    helped = await repo(t).older_learners([m.id for m in members], t.now.year - HELP_AGE)
    for area in NATIONAL_AREAS:
        needing = [m for m in members if m.id in helped and area not in mastered.get(m.id, set())]
        if needing:
            shown = ", ".join(name(m) for m in needing[:10])
            more = t.render(texts.ST_MORE, n=len(needing) - 10) if len(needing) > 10 else ""
            lines.append(
                t.render(
                    texts.ST_NEEDS_HELP, area=t.content.areas[area].short_name, names=shown + more
                )
            )
    return members, "\n".join(lines)


@screen
class Members(StaffScreen):
    name = "staff.members"

    async def show(self, t: Turn) -> None:
        if not await can(t, "members", work(t)["unit"]):
            t.say(texts.ST_NOT_ALLOWED)
            await go(t, "staff.menu")
            return
        await audit(t, "view_members", work(t)["unit"])
        _, text = await _members_lines(t)
        t.say_text(text, [("back", texts.BTN_BACK)])


@screen
class ConfirmMember(StaffScreen):
    name = "staff.confirm.member"

    async def show(self, t: Turn) -> None:
        members = await repo(t).members(work(t)["unit"], limit=MEMBERS_SHOWN)
        if not members:
            t.say(texts.ST_NO_MEMBERS, [("back", texts.BTN_BACK)])
            return
        buttons = [
            (
                f"m:{m.id}",
                f"{m.address_form or ''} {m.display_name or texts.ST_CLASS_NO_NAME}".strip(),
            )
            for m in members
        ]
        t.say(texts.ST_CONFIRM_WHO, [*buttons, ("back", texts.BTN_BACK)])

    async def on_button(self, t: Turn, bid: str) -> bool:
        if bid == "back":
            await self.back(t)
            return True
        if not bid.startswith("m:") or small_int(bid[2:]) is None:
            return False
        member = int(bid[2:])
        in_scope = [m.id for m in await repo(t).members(work(t)["unit"])]
        if member not in in_scope:
            t.say(texts.ST_NOT_ALLOWED)
            await go(t, "staff.menu")
            return True
        work(t)["member"] = member
        await go(t, "staff.confirm.area")
        return True


@screen
class ConfirmArea(StaffScreen):
    name = "staff.confirm.area"

    async def show(self, t: Turn) -> None:
        buttons = [(f"area:{a.id}", a.short_name) for a in t.content.ordered_areas()]
        t.say(texts.ST_CONFIRM_AREA, [*buttons, ("back", texts.BTN_BACK)])

    async def on_button(self, t: Turn, bid: str) -> bool:
        if bid == "back":
            await go(t, "staff.confirm.member")
            return True
        area = bid.removeprefix("area:")
        w = work(t)
        if area not in t.content.areas or not await can(t, "confirm_skill", w["unit"]):
            return False
        await repo(t).confirm_skill(w["member"], area, t.user.id, t.now)
        await audit(t, "confirm_skill", w["unit"], member=w["member"], area=area)
        t.say(texts.ST_CONFIRMED, area=t.content.areas[area].name)
        await go(t, "staff.menu")
        return True


# --- population and branches ---


@screen
class Population(StaffScreen):
    name = "staff.population"
    numbers_are_data = True

    async def show(self, t: Turn) -> None:
        unit = work(t)["unit"]
        current = await repo(t).population(unit)
        t.say(
            texts.ST_POPULATION,
            [("back", texts.BTN_BACK)],
            unit=await unit_name(t.store, unit),
            current=texts.ST_POPULATION_NOW.format(n=current) if current is not None else "",
        )

    async def on_text(self, t: Turn, text: str) -> bool:
        digits = population_number(text)
        if digits is None:
            t.say(texts.ST_POPULATION_BAD, [("back", texts.BTN_BACK)])
            return True
        unit = work(t)["unit"]
        if not await can(t, "set_population", unit):
            t.say(texts.ST_NOT_ALLOWED)
            await go(t, "staff.menu")
            return True
        await repo(t).set_population(unit, int(digits), t.user.id, t.now)
        await audit(t, "set_population", unit, older_residents=int(digits))
        t.say(
            texts.ST_POPULATION_SET,
            n=f"{int(digits):,}".replace(",", "."),
            unit=await unit_name(t.store, unit),
        )
        await go(t, "staff.menu")
        return True


_PEOPLE_WORDS = re.compile(r"\b(?:nguoi|cu|nguoi cao tuoi|khoang|chung|tat ca|la)\b")


def population_number(text: str) -> str | None:
    """ "2.350", "2 350", "2,350", "2350 người", "khoảng 2.350 cụ" -> "2350"; None otherwise."""
    words = _PEOPLE_WORDS.sub(" ", fold(clean(text)))
    if not re.fullmatch(r"\s*\d{1,3}(?:[., ]\d{3})*\s*|\s*\d+\s*", words):
        return None
    digits = re.sub(r"[., ]", "", words)
    return digits if small_int(digits, 20_000_000) is not None else None


_BRANCH_NAME = re.compile(r"^[\w][\w .,'\-]{1,59}$")


@screen
class CreateBranch(StaffScreen):
    name = "staff.branch"
    exact_labels = True

    async def show(self, t: Turn) -> None:
        t.say(
            texts.ST_BRANCH_NAME,
            [("back", texts.BTN_BACK)],
            unit=await unit_name(t.store, work(t)["unit"]),
        )

    async def on_text(self, t: Turn, text: str) -> bool:
        name = clean(text)
        unit = work(t)["unit"]
        if not _BRANCH_NAME.match(name):
            t.say(texts.ST_BRANCH_BAD, [("back", texts.BTN_BACK)])
            return True
        if _kind(unit) != "commune" or not await can(t, "create_branch", unit):
            t.say(texts.ST_NOT_ALLOWED)
            await go(t, "staff.menu")
            return True
        commune = Unit.of(unit).code
        await repo(t).lock_branch_names(commune)  # another staff member may be adding it now
        if any(fold(b.name) == fold(name) for b in await repo(t).branches_in_commune(commune)):
            t.say(texts.ST_BRANCH_EXISTS, [("back", texts.BTN_BACK)])
            return True
        branch = await repo(t).create_branch(commune, name, t.user.id, t.now)
        await audit(t, "create_branch", unit, branch=branch.id, name=name)
        code = await repo(t).create_invitation("member", Unit.branch(branch.id), t.user.id, t.now)
        await audit(t, "invite", Unit.branch(branch.id), role="member", code=code)
        t.say(texts.ST_BRANCH_DONE, name=name, code=code)
        await go(t, "staff.menu")
        return True


@screen
class RenameBranch(StaffScreen):
    name = "staff.branch.rename"
    exact_labels = True

    async def show(self, t: Turn) -> None:
        t.say(
            texts.ST_RENAME_ASK,
            [("back", texts.BTN_BACK)],
            unit=await unit_name(t.store, work(t)["unit"]),
        )

    async def on_text(self, t: Turn, text: str) -> bool:
        name = clean(text)
        unit = work(t)["unit"]
        if not _BRANCH_NAME.match(name):
            t.say(texts.ST_BRANCH_BAD, [("back", texts.BTN_BACK)])
            return True
        branch = await repo(t).branch(Unit.of(unit).code) if _kind(unit) == "branch" else None
        if branch is None or not await can(t, "create_branch", unit):
            t.say(texts.ST_NOT_ALLOWED)
            await go(t, "staff.menu")
            return True
        await repo(t).lock_branch_names(branch.commune_code)
        others = await repo(t).branches_in_commune(branch.commune_code)
        if any(fold(b.name) == fold(name) and b.id != branch.id for b in others):
            t.say(texts.ST_BRANCH_EXISTS, [("back", texts.BTN_BACK)])
            return True
        await repo(t).rename_branch(branch.id, name)
        await audit(t, "rename_branch", unit, old=branch.name, name=name)
        t.say(texts.ST_RENAMED, unit=await unit_name(t.store, unit))
        await go(t, "staff.menu")
        return True


# --- what was sent ---


@screen
class Sent(StaffScreen):
    name = "staff.sent"

    async def show(self, t: Turn) -> None:
        rows = await repo(t).announcements_by(t.user.id)
        if not rows:
            t.say(texts.ST_SENT_NONE, [("back", texts.BTN_BACK)])
            return
        lines = [t.render(texts.ST_SENT_HEAD)]
        for ann_id, topic, text, status, send_at, n in rows:
            counts = await t.store.outbox.summary(ann_id)
            acks = await repo(t).acks(ann_id)
            when = dt.datetime.fromisoformat(send_at).astimezone(VN)
            lines.append(
                texts.ST_SENT_LINE.format(
                    id=ann_id,
                    topic=texts.TOPICS[topic],
                    when=f"{when:%H:%M %d/%m}",
                    text=text[:40] + ("…" if len(text) > 40 else ""),
                    n=n,
                    sent=counts.get("sent", 0),
                    failed=counts.get("failed", 0),
                    blocked=counts.get("blocked", 0),
                    waiting=counts.get("pending", 0) + counts.get("sending", 0),
                    acks=acks,
                    status=texts.ANN_STATUS[status],
                )
            )
        t.say_text(
            "\n\n".join(lines), [("refresh", texts.BTN_ST_REFRESH), ("back", texts.BTN_BACK)]
        )

    async def on_button(self, t: Turn, bid: str) -> bool:
        if bid == "refresh":
            await self.show(t)
            return True
        if bid == "back":
            await self.back(t)
            return True
        return False


async def unit_exists(store: Store, unit: str) -> bool:
    return await chain(store, unit) is not None


# --- messages learners shared after a scam check ---

SCAM_PER_PAGE = 5
SCAM_TEXT_SHOWN = 400


def scam_scope(unit: str) -> list[str] | None:
    """The units whose shared examples staff of `unit` see: the unit, for a province its
    communes too (the store adds the branches of communes); None for the whole country."""
    u = Unit.parse(unit)
    if u is None:
        return []
    if u.kind == "all":
        return None
    if u.kind == "province":
        return [unit, *(Unit.commune(c.code) for c in places.communes(u.code))]
    return [unit]


def shared_date(shared_at: str) -> str:
    when = dt.datetime.fromisoformat(shared_at)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(VN).strftime("%d/%m/%Y")


@screen
class ScamExamples(StaffScreen):
    """Anonymised messages learners chose to share after a check, newest first, five a page."""

    name = "staff.scam"

    async def show(self, t: Turn) -> None:
        w = work(t)
        unit = w["unit"]
        if not await can(t, "scam_examples", unit):
            t.say(texts.ST_NOT_ALLOWED)
            await go(t, "staff.menu")
            return
        scope = scam_scope(unit)
        total = await t.store.scam_examples.count_below(scope)
        pages = max(1, -(-total // SCAM_PER_PAGE))
        page = min(max(0, int(w.get("page", 0))), pages - 1)
        w["page"] = page
        rows = await t.store.scam_examples.page_below(scope, page * SCAM_PER_PAGE, SCAM_PER_PAGE)
        await audit(t, "view_scam_examples", unit, page=page + 1)
        name = await unit_name(t.store, unit)
        if not rows:
            t.say(texts.ST_SCAM_NONE, [("back", texts.BTN_BACK)], unit=name)
            return
        parts = [t.render(texts.ST_SCAM_HEAD, unit=name, n=total, page=page + 1, pages=pages)]
        for i, e in enumerate(rows, start=page * SCAM_PER_PAGE + 1):
            text = e.text if len(e.text) <= SCAM_TEXT_SHOWN else e.text[:SCAM_TEXT_SHOWN] + "…"
            parts.append(
                texts.ST_SCAM_ITEM.format(
                    i=i,
                    date=shared_date(e.shared_at),
                    verdict=texts.ST_SCAM_VERDICT.get(e.verdict, e.verdict),
                    text=text,
                )
            )
        buttons = []
        if page > 0:
            buttons.append(("scam:prev", texts.BTN_PAGE_PREV))
        if page < pages - 1:
            buttons.append(("scam:next", texts.BTN_PAGE_NEXT))
        t.say_text("\n\n".join(parts), [*buttons, ("back", texts.BTN_BACK)])

    async def on_button(self, t: Turn, bid: str) -> bool:
        if bid == "back":
            await self.back(t)
            return True
        if bid not in ("scam:prev", "scam:next"):
            return False
        w = work(t)
        w["page"] = int(w.get("page", 0)) + (1 if bid == "scam:next" else -1)
        await self.show(t)
        return True
