"""Reports in chat for leaders and admins, monthly or quarterly reports by subscription, and
the plans' other indicators entered by staff.

```mermaid
stateDiagram-v2
    menu --> staff.unit: 📊 Báo cáo (action "report"; skipped when one unit fits)
    staff.unit --> report.view: summary, chart and Excel
    report.view --> report.view: Word file / a sub-unit (drill down) / subscribe
    report.view --> report.subs --> report.view
    staff.unit --> report.indicator --> report.indicator.value --> staff.menu
```
Permission is checked when the report is shown and again for every sub-unit and subscription.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import ClassVar

from bot import texts
from bot.core.events import OutFile
from bot.core.flow import go, screen
from bot.core.matching import clean, small_int
from bot.core.permissions import allowed, unit_codes, unit_name
from bot.core.review import VN
from bot.core.staff import StaffScreen, audit, can, roles_of, work
from bot.core.turn import Turn
from bot.domain import Unit
from bot.reports.compute import Report, build
from bot.reports.render import count_text, render, share_text
from storage.db import Database
from storage.outbox import OutboxItem
from storage.reports import INDICATORS

SUBS_SHOWN = 8
SEND_HOUR = 8  # subscriptions arrive at 08:00 Vietnam time on the first day of the period
MAX_INDICATOR = 100_000_000


def today(now: dt.datetime) -> dt.date:
    return now.astimezone(VN).date()


def summary(r: Report) -> str:
    """The few lines a leader reads in chat; the chart and the files hold the rest."""
    goal = next((x for x in r.targets if x.indicator == "proficient"), None)
    verdict = ""
    if goal is not None and goal.on_track is not None:
        verdict = texts.REPORT_TRACK_OK if goal.on_track else texts.REPORT_TRACK_BEHIND
        verdict = f", {verdict}"
    informed = r.informed["chuyen_doi_so"]
    return texts.RP_SUMMARY.format(
        unit=r.unit_name,
        date=f"{r.as_of:%d/%m/%Y}",
        residents=texts.REPORT_NONE if r.older_residents is None else count_text(r.older_residents),
        registered=count_text(r.registered),
        registered_share=share_text(r.registered_of_residents),
        proficient=count_text(r.proficient.count),
        proficient_share=share_text(r.proficient.of_residents),
        target=share_text(goal.target) if goal else texts.REPORT_NONE,
        year=goal.year if goal else "",
        verdict=verdict,
        informed=count_text(informed.count),
        informed_share=share_text(informed.of_residents),
        active=texts.REPORT_NONE if r.active_30d is None else count_text(r.active_30d),
    )


def files_dir(media_dir: Path) -> Path:
    return media_dir / "reports"


_KINDS = {"png": "image", "xlsx": "document", "docx": "document", "json": "document"}


def file_paths(r: Report, media_dir: Path, formats: tuple[str, ...]) -> list[tuple[str, Path]]:
    """Where each file goes: the media folder, under a name made of the unit and date only
    (a later report of the same day replaces it)."""
    stem = f"{r.unit.replace(':', '-')}_{r.as_of:%Y-%m-%d}"
    return [(fmt, files_dir(media_dir) / f"{stem}.{fmt}") for fmt in formats]


def _render_all(r: Report, paths: list[tuple[str, Path]]) -> None:
    for fmt, path in paths:
        render(r, fmt, path)


# Rendering takes about a second of CPU per report (chart, Excel, Word): it runs in one worker
# thread, never on the event loop and never inside a transaction, so conversations go on
# meanwhile. One worker: renders queue behind each other rather than compete with the loop
# for the interpreter (and pyplot is not thread-safe).
_RENDERER: ThreadPoolExecutor | None = None


def _renderer() -> ThreadPoolExecutor:
    global _RENDERER
    if _RENDERER is None:
        _RENDERER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="render")
    return _RENDERER


async def render_files(r: Report, paths: list[tuple[str, Path]]) -> None:
    """Render `r` into `paths` in the render worker."""
    await asyncio.get_running_loop().run_in_executor(_renderer(), _render_all, r, paths)


def write_files(t: Turn, r: Report, formats: tuple[str, ...]) -> list[OutFile]:
    """The files to send with a turn's reply; they are rendered after the turn's transaction
    commits, off the event loop, before the replies leave the engine."""
    paths = file_paths(r, t.media_dir, formats)
    t.after_commit.append(functools.partial(render_files, r, paths))
    return [OutFile(_KINDS[fmt], str(path)) for fmt, path in paths]


@screen
class ReportView(StaffScreen):
    """A unit's report: summary, chart and Excel; then Word, a sub-unit or a subscription."""

    name = "report.view"

    async def show(self, t: Turn) -> None:
        unit = work(t).get("unit")
        if not unit or not await can(t, "report", unit):
            t.say(texts.ST_NOT_ALLOWED)
            await go(t, "staff.menu")
            return
        r = await build(t.store, unit, today(t.now), today(t.now))
        # "branch:0" gathers the commune's learners outside any branch: a row of the report,
        # not a unit anyone can open.
        work(t)["subs"] = [
            s.unit for s in r.sub_units if s.registered != 0 and Unit.of(s.unit).code != 0
        ][:SUBS_SHOWN]
        t.say_text(summary(r), [], files=write_files(t, r, ("png", "xlsx")))
        await self._buttons(t)

    async def _buttons(self, t: Turn) -> None:
        unit = work(t)["unit"]
        period = await t.store.reports.subscription(t.user.id, unit)
        buttons = [("word", texts.RP_BTN_WORD)]
        if work(t).get("subs"):
            buttons.append(("subs", texts.RP_BTN_SUBS))
        buttons.append(
            ("subscribe", texts.RP_BTN_UNSUBSCRIBE if period else texts.RP_BTN_SUBSCRIBE)
        )
        buttons.append(("menu", texts.BTN_MENU))
        t.say(texts.RP_NEXT, buttons)

    async def on_button(self, t: Turn, bid: str) -> bool:
        unit = work(t).get("unit", "")
        if not await can(t, "report", unit):
            t.say(texts.ST_NOT_ALLOWED)
            await go(t, "staff.menu")
            return True
        if bid == "word":
            r = await build(t.store, unit, today(t.now), today(t.now))
            t.say(texts.RP_WORD, files=write_files(t, r, ("docx",)))
            await self._buttons(t)
        elif bid == "subs" and work(t).get("subs"):
            await go(t, "report.subs")
        elif bid == "subscribe":
            repo = t.store.reports
            if await repo.unsubscribe(t.user.id, unit):
                await audit(t, "report_unsubscribe", unit)
                t.say(texts.RP_UNSUBSCRIBED)
                await self._buttons(t)
            else:
                await go(t, "report.subscribe")
        elif bid == "menu":
            await go(t, "menu")
        else:
            return False
        return True

    async def menu(self, t: Turn) -> None:
        await go(t, "menu")


@screen
class ReportSubs(StaffScreen):
    """Pick a sub-unit with learners (ranked best first) to see its own report."""

    name = "report.subs"

    async def show(self, t: Turn) -> None:
        subs = work(t).get("subs") or []
        names = [(f"sub:{u}", await unit_name(t.store, u)) for u in subs]
        t.say(texts.RP_PICK_SUB, [*names, ("back", texts.BTN_BACK)])

    async def on_button(self, t: Turn, bid: str) -> bool:
        if bid == "back":
            await go(t, "report.view")
            return True
        sub = bid.removeprefix("sub:")
        if sub not in (work(t).get("subs") or []):
            return False
        work(t)["unit"] = sub  # a sub-unit is inside the unit, so the role covers it
        await go(t, "report.view")
        return True

    async def back(self, t: Turn) -> None:
        await go(t, "report.view")


@screen
class ReportSubscribe(StaffScreen):
    name = "report.subscribe"
    routes: ClassVar[dict[str, str]] = {"back": "report.view"}

    async def show(self, t: Turn) -> None:
        t.say(
            texts.RP_SUBSCRIBE_ASK,
            [
                ("month", texts.RP_BTN_MONTHLY),
                ("quarter", texts.RP_BTN_QUARTERLY),
                ("back", texts.BTN_BACK),
            ],
        )

    async def on_button(self, t: Turn, bid: str) -> bool:
        if bid not in ("month", "quarter"):
            return await super().on_button(t, bid)
        unit = work(t).get("unit", "")
        if not await can(t, "report", unit):
            t.say(texts.ST_NOT_ALLOWED)
            await go(t, "staff.menu")
            return True
        first = next_due(t.now, bid)
        await t.store.reports.subscribe(t.user.id, unit, bid, first)
        await audit(t, "report_subscribe", unit, period=bid)
        t.say(
            texts.RP_SUBSCRIBED,
            period=texts.RP_PERIODS[bid],
            date=f"{first.astimezone(VN):%d/%m/%Y}",
        )
        await go(t, "report.view")
        return True

    async def back(self, t: Turn) -> None:
        await go(t, "report.view")


def next_due(now: dt.datetime, period: str) -> dt.datetime:
    """08:00 Vietnam time on the first day of the next month (or quarter)."""
    local = now.astimezone(VN)
    y, m = local.year, local.month + 1
    if period == "quarter":
        m = ((local.month - 1) // 3 + 1) * 3 + 1
    while m > 12:
        y, m = y + 1, m - 12
    return dt.datetime(y, m, 1, SEND_HOUR, tzinfo=VN).astimezone(dt.UTC)


async def queue_due_reports(
    db: Database, now: dt.datetime, media_dir: Path, admins: frozenset[str]
) -> int:
    """Put each report that is due into the outbox with its files, and move it on one period.

    The report covers up to the last day of the period just ended. A leader who lost the role
    is unsubscribed instead. Reports are worked out in one transaction, rendered outside any
    (in the render worker, off the event loop), then queued in a second transaction together
    with the move to the next period, only for subscriptions still due: a crash before that
    commits leaves them due, so it neither skips nor repeats a report.
    """
    due: list[tuple[tuple[int, str, str, str], Report]] = []
    async with db.transaction() as store:
        for sub in await store.reports.due_subscriptions(now):
            user_id, identity, unit, _ = sub
            roles = await roles_of(store, user_id, identity, admins)
            if not await allowed(store, roles, "report", unit):
                await store.reports.unsubscribe(user_id, unit)
                continue
            as_of = today(now) - dt.timedelta(days=1)
            due.append((sub, await build(store, unit, as_of, today(now))))
    if not due:
        return 0
    files: list[list[OutFile]] = []
    for _, r in due:
        paths = file_paths(r, media_dir, ("png", "xlsx", "docx"))
        await render_files(r, paths)
        files.append([OutFile(_KINDS[fmt], str(path)) for fmt, path in paths])
    sent = 0
    async with db.transaction() as store:
        still_due = set(await store.reports.due_subscriptions(now))
        for ((user_id, identity, unit, period), r), out in zip(due, files, strict=True):
            if (user_id, identity, unit, period) not in still_due:
                continue  # unsubscribed meanwhile, or sent by another run
            if not await store.reports.take_due(user_id, unit, now, next_due(now, period)):
                continue  # taken by another worker between the two reads
            text = texts.RP_PERIODIC.format(period=texts.RP_PERIODS[period]) + "\n\n" + summary(r)
            item = OutboxItem(identity, text, files=[(f.kind, f.path) for f in out], not_before=now)
            await store.outbox.enqueue([item])
            sent += 1
    return sent


# --- the plans' other indicators, entered by staff ---


@screen
class IndicatorPick(StaffScreen):
    name = "report.indicator"

    async def show(self, t: Turn) -> None:
        unit = work(t)["unit"]
        totals = await t.store.reports.indicator_totals(unit, today(t.now))
        lines = "\n".join(
            texts.RP_IND_LINE.format(
                name=texts.REPORT_INDICATORS[k], total=count_text(totals.get(k, (0,))[0])
            )
            for k in INDICATORS
        )
        t.say(
            texts.RP_IND_PICK,
            [
                *((f"ind:{k}", texts.REPORT_INDICATORS[k]) for k in INDICATORS),
                ("back", texts.BTN_BACK),
            ],
            unit=await unit_name(t.store, unit),
            lines=lines,
        )

    async def on_button(self, t: Turn, bid: str) -> bool:
        if bid == "back":
            await go(t, "staff.menu")
            return True
        key = bid.removeprefix("ind:")
        if key not in INDICATORS:
            return False
        work(t)["indicator"] = key
        await go(t, "report.indicator.value")
        return True


_VALUE = re.compile(r"^\s*(\d[\d.,\s]*?)\s*(?:[-:–]\s*|\s+|$)(.*)$", re.S)


def parse_value(text: str) -> tuple[int, str] | None:
    """ "1.200 trồng cây đầu xuân" -> (1200, "trồng cây đầu xuân"); None if no number first."""
    m = _VALUE.match(text)
    if not m:
        return None
    value = small_int(re.sub(r"[.,\s]", "", m.group(1)), MAX_INDICATOR)
    if value is None:
        return None
    return value, m.group(2).strip()[:200]


@screen
class IndicatorValue(StaffScreen):
    name = "report.indicator.value"
    numbers_are_data = True
    exact_labels = True
    routes: ClassVar[dict[str, str]] = {"back": "report.indicator"}

    async def show(self, t: Turn) -> None:
        t.say(
            texts.RP_IND_ASK,
            [("back", texts.BTN_BACK)],
            name=texts.REPORT_INDICATORS[work(t)["indicator"]],
        )

    async def on_text(self, t: Turn, text: str) -> bool:
        parsed = parse_value(clean(text))
        if parsed is None:
            t.say(texts.RP_IND_BAD, [("back", texts.BTN_BACK)])
            return True
        value, note = parsed
        unit, key = work(t)["unit"], work(t)["indicator"]
        if not await can(t, "record_indicator", unit):
            t.say(texts.ST_NOT_ALLOWED)
            await go(t, "staff.menu")
            return True
        await t.store.reports.add_entry(
            unit, await unit_codes(t.store, unit), key, today(t.now), value, note, t.user.id, t.now
        )
        await audit(t, "record_indicator", unit, indicator=key, value=value, note=note)
        t.say(texts.RP_IND_SAVED, name=texts.REPORT_INDICATORS[key], value=count_text(value))
        await go(t, "staff.menu")
        return True

    async def back(self, t: Turn) -> None:
        await go(t, "report.indicator")
