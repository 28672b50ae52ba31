"""One computation behind every report: chat, JSON, Excel, Word and chart all render a `Report`.

Figures are about older people (60+ in the report's year); learners younger than that are
helpers, counted apart. Shares are percentages with one decimal. Outside a branch's own
report, any count from 1 to 4 in a breakdown or a sub-unit row is hidden (None), so nobody
can be picked out of a small group.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable
from typing import Literal

from pydantic import BaseModel

from bot import texts
from bot.core import places
from bot.core.permissions import chain, unit_name
from bot.core.review import VN
from bot.domain import Unit
from storage.reports import AREAS, INDICATORS, METRICS, TOPICS, Sums
from storage.store import Store

NATIONAL = ("dich_vu_cong", "thanh_toan", "mua_sam", "an_toan")
DEFAULT_TARGETS = {"proficient": {2030: 50.0, 2035: 70.0}, "informed": {2030: 90.0, 2035: 100.0}}
OLDER_AGE = 60
FIRST_YEAR = 2025  # the plans start; the counters fold earlier years into it
MIN_CELL = 5
ACTIVE_DAYS = 30
TREND_MONTHS = 12
AGE_BANDS = (("60_69", 60, 69), ("70_79", 70, 79), ("80+", 80, 200))
GROUPS = ("nong_thon", "ngheo", "mot_minh", "khuyet_tat")


class Figure(BaseModel):
    """A count with its share of registered older learners and of all older residents."""

    count: int | None
    of_registered: float | None = None
    of_residents: float | None = None


class TargetStatus(BaseModel):
    indicator: str  # "proficient" or "informed:<topic>"
    year: int
    target: float  # percent of older residents
    actual: float | None  # percent of older residents now
    expected: float | None  # where the straight line from the first report stands today
    on_track: bool | None  # None: no residents figure, or this is the first report


class SubUnit(BaseModel):
    unit: str
    name: str
    older_residents: int | None
    registered: int | None
    proficient: Figure
    areas: dict[str, int | None]


class TrendPoint(BaseModel):
    month: str  # "YYYY-MM", figures at the end of that month (or at as_of)
    registered: int
    proficient: int
    areas: dict[str, int]
    informed: dict[str, int]


class BreakdownRow(BaseModel):
    key: str
    label: str
    registered: int | None
    proficient: int | None
    proficient_share: float | None  # of registered older learners in the row


class Indicator(BaseModel):
    key: str
    name: str
    total: int
    entries: int
    target: int | None
    target_year: int | None
    share: float | None


class Report(BaseModel):
    unit: str
    unit_name: str
    place: str  # for the Word report's "<place>, ngày … tháng … năm …"
    as_of: dt.date
    year: int
    older_residents: int | None
    residents_from_sub_units: bool  # the unit's own figure was missing: sum of its sub-units
    registered: int  # older learners who consented and signed up
    helpers: int  # learners under 60, counted apart
    active_30d: int | None  # None for a past date (activity is known as of today only)
    registered_of_residents: float | None
    areas: dict[str, Figure]
    proficient: Figure
    informed: dict[str, Figure]
    targets: list[TargetStatus]
    first_report: dt.date
    sub_unit_kind: Literal["province", "commune", "branch"] | None
    sub_units: list[SubUnit]
    trend: list[TrendPoint]
    breakdowns: dict[str, list[BreakdownRow]] | None  # None for a past date
    indicators: list[Indicator]
    suppressed_below: int | None  # MIN_CELL, or None in a branch's own report

    def area_names(self) -> dict[str, str]:
        return dict(texts.REPORT_AREAS)


def pct(n: int | None, d: int | None) -> float | None:
    if n is None or not d:
        return None
    return round(100.0 * n / d, 1)


def _older(rows: list[tuple[int, Sums]], year: int) -> tuple[Sums, Sums]:
    """Sum rows keyed by `since` into (older people, helpers) for `year`."""
    older: Sums = {}
    young: Sums = {}
    for since, sums in rows:
        into = older if since <= year else young
        for k, v in sums.items():
            into[k] = into.get(k, 0) + v
    return older, young


def _sum_by(rows: Iterable[tuple[Hashable, Sums]]) -> dict[Hashable, Sums]:
    """Sums added up per key."""
    out: dict[Hashable, Sums] = {}
    for key, sums in rows:
        acc = out.setdefault(key, _empty())
        for k, v in sums.items():
            acc[k] += v
    return out


def _empty() -> Sums:
    return dict.fromkeys(METRICS, 0)


async def targets_for(store: Store, unit: str) -> dict[str, dict[int, float]]:
    """The unit's targets: its own, else the nearest unit above that set one, else defaults."""
    above = await chain(store, unit) or [unit]
    rows = await store.reports.targets(above)
    out = {k: dict(v) for k, v in DEFAULT_TARGETS.items()}
    for where in reversed(above):  # the nearest unit wins
        for u, indicator, year, percent in rows:
            if u == where:
                out.setdefault(indicator, {})[year] = percent
    return out


def _deadline(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def _hide(n: int | None, suppress: bool) -> int | None:
    return None if suppress and n is not None and 0 < n < MIN_CELL else n


async def build(
    store: Store,
    unit: str,
    as_of: dt.date,
    today: dt.date,
    *,
    record_baseline: bool = True,
) -> Report:
    """Everything a report shows for `unit` and below, as it stood at the end of `as_of`."""
    repo = store.reports
    year = max(as_of.year, FIRST_YEAR)  # counters key older people from 2025 on
    u = Unit.of(unit)
    suppress = u.kind != "branch"
    kind = u.kind
    history = await repo.history(unit, as_of, _trend_years(as_of))
    by_month = _sum_by(((m, since), sums) for _, m, since, sums in history)
    months = sorted((m, since, sums) for (m, since), sums in by_month.items())

    # Headline figures, and the trend from the same rows.
    trend: list[TrendPoint] = []
    running: dict[int, Sums] = {}
    for month in _months(months, as_of):
        for m, since, sums in months:
            if m == month:
                acc = running.setdefault(since, _empty())
                for k, v in sums.items():
                    acc[k] += v
        y = max(int(month[:4]), FIRST_YEAR)
        older, _ = _older(list(running.items()), y)
        older = {**_empty(), **older}
        trend.append(
            TrendPoint(
                month=month,
                registered=older["registered"],
                proficient=older["proficient"],
                areas={a: older[f"m_{a}"] for a in AREAS},
                informed={t: older[f"i_{t}"] for t in TOPICS},
            )
        )
    older, young = _older(list(running.items()), year)
    older = {**_empty(), **older}
    young = {**_empty(), **young}
    trend = trend[-TREND_MONTHS:]

    # Denominators.
    sub_kind = {"all": "province", "province": "commune", "commune": "branch"}.get(kind)
    sub_rows: list[tuple[int, int, Sums]] = []
    if kind == "commune":  # branches: rows of their own
        sub_rows = await repo.by_sub_unit(unit, as_of)
    elif sub_kind:  # provinces or communes: the same rows as the headline
        by_sub = _sum_by(((code, since), sums) for code, _, since, sums in history)
        sub_rows = [(code, since, sums) for (code, since), sums in by_sub.items()]
    sub_codes = sorted({code for code, _, _ in sub_rows})
    sub_names = {c: _sub_unit(sub_kind, c) for c in sub_codes} if sub_kind else {}
    if kind == "all":  # every province, learners or not
        for p in places.provinces():
            sub_names.setdefault(p.code, Unit.province(p.code))
    if kind == "province":  # every commune of the province, learners or not
        for c in places.communes(u.code):
            sub_names.setdefault(c.code, Unit.commune(c.code))
    if kind == "commune":
        for b in await store.staff.branches_in_commune(u.code):
            sub_names.setdefault(b.id, Unit.branch(b.id))
    pops = await repo.populations([unit, *sub_names.values()])
    residents = pops.get(unit)
    from_subs = False
    if residents is None and any(u in pops for u in sub_names.values()):
        residents = sum(pops[u] for u in sub_names.values() if u in pops)
        from_subs = True
    reg = older["registered"]

    def fig(n: int) -> Figure:
        return Figure(count=n, of_registered=pct(n, reg), of_residents=pct(n, residents))

    areas = {a: fig(older[f"m_{a}"]) for a in AREAS}
    proficient = fig(older["proficient"])
    informed = {t: fig(older[f"i_{t}"]) for t in TOPICS}

    # Targets against a straight line from the first report.
    shares = {"proficient": proficient.of_residents}
    shares.update({f"informed:{t}": informed[t].of_residents for t in TOPICS})
    base = await repo.baseline(unit)
    if base is None:
        base = (as_of, {k: v for k, v in shares.items() if v is not None})
        if record_baseline:
            await repo.set_baseline(unit, *base)
    first, base_shares = base
    goal = await targets_for(store, unit)
    targets: list[TargetStatus] = []
    for indicator, actual in shares.items():
        for ty, target in sorted(goal[indicator.partition(":")[0]].items()):
            expected = on_track = None
            if actual is not None and first < as_of:
                start = base_shares.get(indicator, 0.0)
                span = (_deadline(ty) - first).days
                done = min(1.0, (as_of - first).days / span) if span > 0 else 1.0
                expected = round(start + (target - start) * done, 1)
                on_track = actual + 1e-9 >= expected
            targets.append(
                TargetStatus(
                    indicator=indicator,
                    year=ty,
                    target=target,
                    actual=actual,
                    expected=expected,
                    on_track=on_track,
                )
            )

    # Sub-units, ranked by the share of their older residents (or learners) who are proficient.
    per_sub: dict[int, list[tuple[int, Sums]]] = {}
    for code, since, sums in sub_rows:
        per_sub.setdefault(code, []).append((since, sums))
    subs: list[SubUnit] = []
    for code, sub_unit in sub_names.items():
        o, _ = _older(per_sub.get(code, []), year)
        o = {**_empty(), **o}
        pop = pops.get(sub_unit)
        n_reg, n_prof = o["registered"], o["proficient"]
        subs.append(
            SubUnit(
                unit=sub_unit,
                name=await _sub_name(store, sub_unit, code),
                older_residents=pop,
                registered=_hide(n_reg, suppress),
                proficient=Figure(
                    count=_hide(n_prof, suppress),
                    of_registered=pct(n_prof, n_reg)
                    if _hide(n_prof, suppress) is not None
                    else None,
                    of_residents=pct(n_prof, pop) if _hide(n_prof, suppress) is not None else None,
                ),
                areas={a: _hide(o[f"m_{a}"], suppress) for a in AREAS},
            )
        )
    subs.sort(
        key=lambda s: (
            -(s.proficient.of_residents if s.proficient.of_residents is not None else -1),
            -(s.proficient.of_registered if s.proficient.of_registered is not None else -1),
            -(s.registered or 0),
            s.name,
        )
    )

    # Breakdowns and activity are known for today only.
    breakdowns = None
    active = None
    if as_of >= today:
        breakdowns = _breakdowns(await repo.breakdowns(unit, year), year, suppress)
        since = dt.datetime.combine(as_of - dt.timedelta(days=ACTIVE_DAYS), dt.time(), VN)
        active = await repo.active(unit, since, year - OLDER_AGE)

    # The plans' other indicators.
    totals = await repo.indicator_totals(unit, as_of)
    goals = await repo.indicator_targets(unit)
    indicators = []
    for key in INDICATORS:
        total, count = totals.get(key, (0, 0))
        target_year, target = next(
            ((y, t) for y, t in goals.get(key, []) if y >= year), (None, None)
        ) or (None, None)
        indicators.append(
            Indicator(
                key=key,
                name=texts.REPORT_INDICATORS[key],
                total=total,
                entries=count,
                target=target,
                target_year=target_year,
                share=pct(total, target),
            )
        )

    return Report(
        unit=unit,
        unit_name=await unit_name(store, unit),
        place=await place_of(store, unit),
        as_of=as_of,
        year=year,
        older_residents=residents,
        residents_from_sub_units=from_subs,
        registered=reg,
        helpers=young["registered"],
        active_30d=active,
        registered_of_residents=pct(reg, residents),
        areas=areas,
        proficient=proficient,
        informed=informed,
        targets=targets,
        first_report=first,
        sub_unit_kind=sub_kind,
        sub_units=subs,
        trend=trend,
        breakdowns=breakdowns,
        indicators=indicators,
        suppressed_below=MIN_CELL if suppress else None,
    )


_PLACE_KINDS = ("Thành phố ", "Tỉnh ", "Phường ", "Xã ", "Đặc khu ")


async def place_of(store: Store, unit: str) -> str:
    """The locality's short name, as written before the date of an official document."""
    u = Unit.of(unit)
    kind, code = u.kind, u.code
    name = ""
    if kind == "province" and (p := places.province(code)):
        name = p.name
    elif kind == "commune" and (c := places.commune(code)):
        name = c.name
    elif kind == "branch" and (b := await store.staff.branch(code)):
        name = places.commune(b.commune_code).name
    for prefix in _PLACE_KINDS:
        name = name.removeprefix(prefix)
    return name or texts.REPORT_PLACE_DEFAULT


def _trend_years(as_of: dt.date) -> set[int]:
    """The years the trend's months (and the report) fall in, as the counters key them (none
    before FIRST_YEAR): the only years older people and helpers are told apart for."""
    last = as_of.year * 12 + as_of.month - 1  # months since January of year 0
    return {max(m // 12, FIRST_YEAR) for m in range(last - TREND_MONTHS + 1, last + 1)}


def _months(rows: list[tuple[str, int, Sums]], as_of: dt.date) -> list[str]:
    """Every month from the first with data (at most TREND_MONTHS back) to as_of's month."""
    end = (as_of.year, as_of.month)
    if rows:
        y, m = int(rows[0][0][:4]), int(rows[0][0][5:7])
    else:
        y, m = end
    out = []
    while (y, m) <= end:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _sub_unit(kind: str, code: int) -> str:
    return Unit(kind, code)


async def _sub_name(store: Store, sub_unit: str, code: int) -> str:
    if sub_unit == "branch:0":
        return texts.REPORT_NO_BRANCH
    if Unit.of(sub_unit).kind == "commune" and (c := places.commune(code)):
        return c.name
    return await unit_name(store, sub_unit)


def _breakdowns(
    rows: list[tuple[str, str, int, Sums]], year: int, suppress: bool
) -> dict[str, list[BreakdownRow]]:
    """Older people by sex, age band and priority group (each on its own, never crossed)."""
    acc: dict[tuple[str, str], list[int]] = {}

    def add(dim: str, key: str, sums: Sums) -> None:
        a = acc.setdefault((dim, key), [0, 0])
        a[0] += sums["registered"]
        a[1] += sums["proficient"]

    for dim, val, since, sums in rows:
        if since > year:
            continue  # helpers
        if dim == "sex":
            add("sex", val or "khong_noi", sums)
        elif dim == "grp":
            add("groups", val, sums)
        elif dim == "by":
            age = year - int(val) if val else None
            band = next((k for k, lo, hi in AGE_BANDS if age is not None and lo <= age <= hi), None)
            add("age", band or "khong_ro", sums)

    def rows_for(dim: str, keys: list[str], labels: dict[str, str]) -> list[BreakdownRow]:
        out = []
        for key in keys:
            n_reg, n_prof = acc.get((dim, key), [0, 0])
            if key in ("khong_noi", "khong_ro") and not n_reg:
                continue
            shown_reg, shown_prof = _hide(n_reg, suppress), _hide(n_prof, suppress)
            out.append(
                BreakdownRow(
                    key=key,
                    label=labels[key],
                    registered=shown_reg,
                    proficient=shown_prof,
                    proficient_share=pct(n_prof, n_reg)
                    if shown_reg is not None and shown_prof is not None
                    else None,
                )
            )
        return out

    return {
        "sex": rows_for("sex", ["nam", "nu", "khong_noi"], texts.REPORT_SEX),
        "age": rows_for("age", [k for k, _, _ in AGE_BANDS] + ["khong_ro"], texts.REPORT_AGE),
        "groups": rows_for("groups", list(GROUPS), texts.REPORT_GROUPS),
    }
