"""Reads for reports: the counters the triggers of migration 0060 keep, never the raw events.

A unit is "all", "province:<code>", "commune:<code>" or "branch:<id>". Counter rows carry
`since` (the year from which their people are older people), so every sum is grouped by it
and the caller splits older people from helpers for the report's year.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass

from bot.domain import Unit
from storage.repos import iso
from storage.sql import POSTGRESQL, Conn, dialect
from storage.staff import unit_filter

AREAS = ("dich_vu_cong", "thanh_toan", "mua_sam", "an_toan", "dia_phuong")
TOPICS = ("chuyen_doi_so", "chuyen_doi_xanh", "khoi_nghiep", "viec_lam")
METRICS = ("registered", "proficient", *(f"m_{a}" for a in AREAS), *(f"i_{t}" for t in TOPICS))
INDICATORS = ("trees", "waste_models", "green_farms", "elders_startup", "startup_models", "jobs")
_SUMS = ", ".join(f"SUM({m})" for m in METRICS)
_SUMS_AS = ", ".join(f"SUM({m}) AS {m}" for m in METRICS)


def counter_filter(unit: str) -> tuple[str, tuple]:
    """Rows of stat_cells / stat_days that make up `unit` (the whole-commune rows above a
    branch, the branch's own rows for a branch)."""
    u = Unit.of(unit)
    kind, code = u.kind, u.code
    if kind == "all":
        return "branch_id = -1", ()
    if kind == "province":
        return "province_code = ? AND branch_id = -1", (int(code),)
    if kind == "commune":
        return "commune_code = ? AND branch_id = -1", (int(code),)
    if kind == "branch":
        return "branch_id = ?", (int(code),)
    raise ValueError(f"unknown unit {unit!r}")


def sub_unit_filter(unit: str) -> tuple[str, str, tuple]:
    """(column naming the sub-unit, condition, args): provinces of the country, communes of a
    province, branches of a commune (0: members of no branch). Branches have none."""
    u = Unit.of(unit)
    kind, code = u.kind, u.code
    if kind == "all":
        return "province_code", "branch_id = -1", ()
    if kind == "province":
        return "commune_code", "province_code = ? AND branch_id = -1", (int(code),)
    if kind == "commune":
        return "branch_id", "commune_code = ? AND branch_id >= 0", (int(code),)
    raise ValueError(f"{unit!r} has no sub-units")


Sums = dict[str, int]


def _sums(row: tuple) -> Sums:
    return {m: int(v or 0) for m, v in zip(METRICS, row, strict=True)}


@dataclass(frozen=True)
class Entry:
    indicator: str
    on_date: str
    value: int
    note: str
    unit: str


class ReportRepo:
    def __init__(self, conn: Conn):
        self.conn = conn

    async def history(
        self, unit: str, until: dt.date, years: Iterable[int]
    ) -> list[tuple[int, str, int, Sums]]:
        """(sub-unit code, month, since, changes) of the unit's own counter rows up to and
        including `until`: the headline, the trend and, above a commune, the sub-units.

        `since` comes back collapsed to the first of `years` it does not exceed, so for any
        of `years` `since <= year` still tells older people from helpers exactly. Helpers in
        all of `years` (since beyond the last) come as one row per sub-unit, with `since` =
        max(years) + 1, only `registered`, at the month of their first row: their number is
        all a report shows of them, and that month keeps the trend starting where it did. The
        sub-unit is the province (unit "all") or the commune (a province); 0 for a commune or
        a branch, whose sub-units are rows of their own (by_sub_unit).

        Why this shape: a province's rows number communes x days x birth years (a million for
        a million learners), and sorting them for GROUP BY month or commune took ten times as
        long as summing them. Grouped by (sub-unit, day), the order the primary key (for a
        commune or a branch, its index) keeps them in, SQLite sums them as they stream past,
        and only the few thousand (sub-unit, day) groups are sorted into months. Each `since`
        range is its own pass with plain sums (a CASE per metric cost more than a second pass).
        """
        u = Unit.of(unit)
        kind, code = u.kind, u.code
        if kind == "all":
            where, args = "branch_id = -1 AND day <= ?", ()
            sub, order = "province_code", "province_code, commune_code, day"
        elif kind == "province":  # +day: the primary key's range, not the (branch_id, day) index
            plus = "" if dialect(self.conn) == POSTGRESQL else "+"  # SQLite's index hint
            where, args = f"province_code = ? AND branch_id = -1 AND {plus}day <= ?", (int(code),)
            sub, order = "commune_code", "commune_code, day"
        elif kind == "commune":  # stat_days_commune keeps them by day
            where, args = "commune_code = ? AND branch_id = -1 AND day <= ?", (int(code),)
            sub, order = "0", "day"
        elif kind == "branch":  # and stat_days_branch
            where, args = "branch_id = ? AND day <= ?", (int(code),)
            sub, order = "0", "day"
        else:
            raise ValueError(f"unknown unit {unit!r}")
        args = (*args, until.isoformat())
        bounds = sorted(set(years))
        parts, params = [], []
        for lo, hi in zip([None, *bounds], bounds, strict=False):
            above = f" AND since > {int(lo)}" if lo is not None else ""
            parts.append(
                f"SELECT {sub} AS sub, day, {int(hi)} AS since, {_SUMS_AS} FROM stat_days"
                f" WHERE {where}{above} AND since <= {int(hi)} GROUP BY {order}"
            )
            params += args
        helpers = ", ".join("SUM(registered)" if m == "registered" else "0" for m in METRICS)
        parts.append(
            f"SELECT {sub} AS sub, MIN(day), {bounds[-1] + 1}, {helpers} FROM stat_days"
            f" WHERE {where} AND since > {bounds[-1]} GROUP BY sub"
        )
        params += args
        rows = await self.conn.execute_fetchall(
            f"SELECT sub, substr(day, 1, 7), since, {_SUMS} FROM ("
            + " UNION ALL ".join(parts)
            + ") AS parts GROUP BY 1, 2, 3",
            params,
        )
        return [(r[0], r[1], r[2], _sums(r[3:])) for r in rows]

    async def by_sub_unit(self, unit: str, until: dt.date) -> list[tuple[int, int, Sums]]:
        """(sub-unit code, since, totals) up to and including `until`."""
        column, where, args = sub_unit_filter(unit)
        rows = await self.conn.execute_fetchall(
            f"SELECT {column}, since, {_SUMS} FROM stat_days"
            f" WHERE {where} AND day <= ? GROUP BY 1, 2",
            (*args, until.isoformat()),
        )
        return [(r[0], r[1], _sums(r[2:])) for r in rows]

    async def breakdowns(
        self, unit: str, year: int | None = None
    ) -> list[tuple[str, str, int, Sums]]:
        """(dim, value, since, current totals) for every breakdown row of the unit (of older
        people in `year` when given); only `registered` and `proficient`, the two figures
        breakdowns show."""
        where, args = counter_filter(unit)
        if year is not None:
            where, args = f"{where} AND since <= ?", (*args, year)
        rows = await self.conn.execute_fetchall(
            "SELECT dim, val, since, SUM(registered), SUM(proficient) FROM stat_cells"
            f" WHERE {where} GROUP BY 1, 2, 3",
            args,
        )
        return [(r[0], r[1], r[2], {"registered": r[3], "proficient": r[4]}) for r in rows]

    async def flags_by_sub_unit(
        self, unit: str, cutoff: str, year: int
    ) -> list[tuple[int, bool, Sums]]:
        """(sub-unit code, older in `year`, totals) of learners registered before `cutoff`,
        summed by a plain GROUP BY over the flags stored per learner (users.proficient,
        area_mastery, informed) instead of the counters: the fair baseline the report's
        speed is measured against (benchmarks/report_speed.py). Sub-units as `by_sub_unit`'s;
        a branch's sub-unit is its own id. Flags are current: `cutoff` bounds registration
        and acknowledgement only, so this matches the report for today."""
        where, args = _users_where(unit)
        column = {"all": "province_code", "province": "commune_code", "commune": "branch_id",
                  "branch": "branch_id"}[Unit.of(unit).kind]  # fmt: skip
        areas = ", ".join(
            "SUM(CASE WHEN EXISTS (SELECT 1 FROM area_mastery m WHERE m.user_id = u.id"
            f" AND m.area = '{a}' AND m.mastered = 1) THEN 1 ELSE 0 END)"
            for a in AREAS
        )
        topics = ", ".join(
            "SUM(CASE WHEN EXISTS (SELECT 1 FROM informed i WHERE i.user_id = u.id"
            f" AND i.topic = '{t}' AND i.first_at < ?) THEN 1 ELSE 0 END)"
            for t in TOPICS
        )
        rows = await self.conn.execute_fetchall(
            f"SELECT COALESCE(u.{column}, 0),"
            " CASE WHEN u.birth_year IS NULL OR u.birth_year + 60 <= ? THEN 1 ELSE 0 END,"
            " COUNT(*), SUM(CASE WHEN u.proficient = 1 THEN 1 ELSE 0 END),"
            f" {areas}, {topics} FROM users u"
            " WHERE u.consent = 'given' AND u.registered_at IS NOT NULL AND u.registered_at < ?"
            f" AND {where} GROUP BY 1, 2",
            (year, *[cutoff] * len(TOPICS), cutoff, *args),
        )
        return [(r[0], bool(r[1]), _sums(r[2:])) for r in rows]

    async def active(self, unit: str, since: dt.datetime, max_birth_year: int) -> int:
        """Registered older learners who wrote to the bot since `since`."""
        where, args = unit_filter(unit)
        rows = await self.conn.execute_fetchall(
            f"SELECT COUNT(*) FROM users WHERE {where} AND consent = 'given'"
            " AND registered_at IS NOT NULL AND last_active_at >= ?"
            " AND (birth_year IS NULL OR birth_year <= ?)",
            (*args, iso(since), max_birth_year),
        )
        return rows[0][0]

    async def populations(self, units: list[str]) -> dict[str, int]:
        if not units:
            return {}
        marks = ",".join("?" * len(units))
        rows = await self.conn.execute_fetchall(
            f"SELECT unit, older_residents FROM unit_population WHERE unit IN ({marks})", units
        )
        return {r[0]: r[1] for r in rows}

    # --- targets and the line they are measured against ---

    async def targets(self, units: list[str]) -> list[tuple[str, str, int, float]]:
        """(unit, indicator, year, percent) set for any of `units`."""
        if not units:  # `IN ()` is SQLite's alone
            return []
        marks = ",".join("?" * len(units))
        return [
            tuple(r)
            for r in await self.conn.execute_fetchall(
                f"SELECT unit, indicator, year, percent FROM unit_targets WHERE unit IN ({marks})",
                units,
            )
        ]

    async def set_target(
        self, unit: str, indicator: str, year: int, percent: float, by: int | None, now: dt.datetime
    ) -> None:
        await self.conn.execute(
            "INSERT INTO unit_targets (unit, indicator, year, percent, set_by, set_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (unit, indicator, year) DO UPDATE SET"
            " percent = excluded.percent, set_by = excluded.set_by, set_at = excluded.set_at",
            (unit, indicator, year, percent, by, iso(now)),
        )

    async def baseline(self, unit: str) -> tuple[dt.date, dict[str, float]] | None:
        rows = await self.conn.execute_fetchall(
            "SELECT on_date, shares FROM report_baselines WHERE unit = ?", (unit,)
        )
        if not rows:
            return None
        return dt.date.fromisoformat(rows[0][0]), json.loads(rows[0][1])

    async def set_baseline(self, unit: str, on: dt.date, shares: dict[str, float]) -> None:
        await self.conn.execute(
            "INSERT INTO report_baselines (unit, on_date, shares) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (unit, on.isoformat(), json.dumps(shares, sort_keys=True)),
        )

    # --- the plans' other indicators ---

    async def add_entry(
        self,
        unit: str,
        codes: tuple[int | None, int | None, int | None],
        indicator: str,
        on: dt.date,
        value: int,
        note: str,
        by: int | None,
        now: dt.datetime,
        form_key: str | None = None,
    ) -> int | None:
        """One entry's id; None when the web form of `form_key` was already sent (so a form
        sent twice counts once)."""
        if indicator not in INDICATORS:
            raise ValueError(f"unknown indicator {indicator!r}")
        cur = await self.conn.execute(
            "INSERT INTO indicator_entries (unit, province_code, commune_code, branch_id,"
            " indicator, on_date, value, note, entered_by, entered_at, form_key)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (form_key) DO NOTHING"
            " RETURNING id",
            (unit, *codes, indicator, on.isoformat(), value, note, by, iso(now), form_key),
        )
        row = await cur.fetchone()
        return row[0] if row else None

    async def indicator_totals(self, unit: str, until: dt.date) -> dict[str, tuple[int, int]]:
        """indicator -> (running total, number of entries) in `unit` and below."""
        where, args = unit_filter(unit)
        rows = await self.conn.execute_fetchall(
            "SELECT indicator, SUM(value), COUNT(*) FROM indicator_entries"
            f" WHERE {where} AND on_date <= ? GROUP BY indicator",
            (*args, until.isoformat()),
        )
        return {r[0]: (r[1], r[2]) for r in rows}

    async def entries(self, unit: str, limit: int = 10) -> list[Entry]:
        where, args = unit_filter(unit)
        rows = await self.conn.execute_fetchall(
            "SELECT indicator, on_date, value, note, unit FROM indicator_entries"
            f" WHERE {where} ORDER BY on_date DESC, id DESC LIMIT ?",
            (*args, limit),
        )
        return [Entry(*r) for r in rows]

    async def indicator_targets(self, unit: str) -> dict[str, list[tuple[int, int]]]:
        """indicator -> [(year, target)] set for this very unit, earliest year first."""
        rows = await self.conn.execute_fetchall(
            "SELECT indicator, year, target FROM indicator_targets WHERE unit = ?"
            " ORDER BY indicator, year",
            (unit,),
        )
        out: dict[str, list[tuple[int, int]]] = {}
        for indicator, year, target in rows:
            out.setdefault(indicator, []).append((year, target))
        return out

    async def set_indicator_target(
        self, unit: str, indicator: str, year: int, target: int, by: int | None, now: dt.datetime
    ) -> None:
        if indicator not in INDICATORS:
            raise ValueError(f"unknown indicator {indicator!r}")
        await self.conn.execute(
            "INSERT INTO indicator_targets (unit, indicator, year, target, set_by, set_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (unit, indicator, year) DO UPDATE SET"
            " target = excluded.target, set_by = excluded.set_by, set_at = excluded.set_at",
            (unit, indicator, year, target, by, iso(now)),
        )

    # --- subscriptions ---

    async def subscribe(self, user_id: int, unit: str, period: str, next_at: dt.datetime) -> None:
        await self.conn.execute(
            "INSERT INTO report_subscriptions (user_id, unit, period, next_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (user_id, unit) DO UPDATE SET period = excluded.period,"
            " next_at = excluded.next_at",
            (user_id, unit, period, iso(next_at)),
        )

    async def unsubscribe(self, user_id: int, unit: str) -> bool:
        cur = await self.conn.execute(
            "DELETE FROM report_subscriptions WHERE user_id = ? AND unit = ?", (user_id, unit)
        )
        return cur.rowcount > 0

    async def subscription(self, user_id: int, unit: str) -> str | None:
        rows = await self.conn.execute_fetchall(
            "SELECT period FROM report_subscriptions WHERE user_id = ? AND unit = ?",
            (user_id, unit),
        )
        return rows[0][0] if rows else None

    async def take_due(
        self, user_id: int, unit: str, now: dt.datetime, next_at: dt.datetime
    ) -> bool:
        """Move a subscription that is due at `now` on to `next_at`; False if it is not due
        any more (unsubscribed, or taken by another worker): the check and the move in one
        statement, so each report goes out once however many workers run."""
        cur = await self.conn.execute(
            "UPDATE report_subscriptions SET next_at = ?"
            " WHERE user_id = ? AND unit = ? AND next_at <= ?",
            (iso(next_at), user_id, unit, iso(now)),
        )
        return cur.rowcount == 1

    async def due_subscriptions(self, now: dt.datetime) -> list[tuple[int, str, str, str]]:
        """(user id, identity, unit, period) of the reports due now."""
        return [
            tuple(r)
            for r in await self.conn.execute_fetchall(
                "SELECT s.user_id, u.identity, s.unit, s.period FROM report_subscriptions s"
                " JOIN users u ON u.id = s.user_id WHERE s.next_at <= ? ORDER BY s.next_at",
                (iso(now),),
            )
        ]


_FETCH = 50_000


def _users_where(unit: str) -> tuple[str, tuple]:
    u = Unit.of(unit)
    kind, code = u.kind, u.code
    if kind == "all":
        return "1 = 1", ()
    column = {"province": "province_code", "commune": "commune_code", "branch": "branch_id"}
    if kind not in column:
        raise ValueError(f"unknown unit {unit!r}")
    return f"u.{column[kind]} = ?", (int(code),)


class RawEvents:
    """The raw events a report can be recomputed from (bot/reports/naive.py), streamed: who
    registered where, every answer in order, and acknowledgements. Never the counters."""

    def __init__(self, conn: Conn):
        self.conn = conn

    @staticmethod
    def _counted(unit: str) -> tuple[str, tuple]:
        where, args = _users_where(unit)
        return (
            "u.consent = 'given' AND u.registered_at IS NOT NULL AND u.registered_at < ?"
            f" AND {where}",
            args,
        )

    async def learners(self, unit: str, cutoff: str) -> AsyncIterator[dict]:
        """Learners of `unit` registered before `cutoff`, as dicts of their users columns."""
        counted, args = self._counted(unit)
        async with self.conn.execute(
            "SELECT u.id, u.province_code, u.commune_code, u.branch_id, u.birth_year, u.sex,"
            " u.rural, u.poor, u.alone, u.disabled FROM users u WHERE " + counted,
            (cutoff, *args),
        ) as cur:
            cols = [d[0] for d in cur.description]
            while rows := await cur.fetchmany(_FETCH):
                for r in rows:
                    yield dict(zip(cols, r, strict=True))

    async def answers(self, unit: str, cutoff: str) -> AsyncIterator[tuple[int, str, str, int]]:
        """(user id, question id, context, correct) before `cutoff`, per learner in order."""
        counted, args = self._counted(unit)
        async with self.conn.execute(
            "SELECT a.user_id, a.question_id, a.context, a.correct FROM answers a"
            f" JOIN users u ON u.id = a.user_id WHERE {counted} AND a.answered_at < ?"
            " ORDER BY a.user_id, a.answered_at, a.id",
            (cutoff, *args, cutoff),
        ) as cur:
            while rows := await cur.fetchmany(_FETCH):
                for r in rows:
                    yield tuple(r)

    async def answer_events(
        self, unit: str, cutoff: str
    ) -> AsyncIterator[tuple[int, str, str, str, int]]:
        """(user id, question id, lesson id, context, correct) before `cutoff`, per learner in
        order: what the mastery model replays (bot.core.mastery.Learner)."""
        counted, args = self._counted(unit)
        async with self.conn.execute(
            "SELECT a.user_id, a.question_id, a.lesson_id, a.context, a.correct FROM answers a"
            f" JOIN users u ON u.id = a.user_id WHERE {counted} AND a.answered_at < ?"
            " ORDER BY a.user_id, a.answered_at, a.id",
            (cutoff, *args, cutoff),
        ) as cur:
            while rows := await cur.fetchmany(_FETCH):
                for r in rows:
                    yield tuple(r)

    async def acknowledgements(self, cutoff: str) -> AsyncIterator[tuple[int, str]]:
        """(user id, topic) of every announcement acknowledged before `cutoff`."""
        async with self.conn.execute(
            "SELECT DISTINCT k.user_id, n.topic FROM announcement_acks k"
            " JOIN announcements n ON n.id = k.announcement_id WHERE k.acked_at < ?",
            (cutoff,),
        ) as cur:
            while rows := await cur.fetchmany(_FETCH):
                for r in rows:
                    yield tuple(r)
