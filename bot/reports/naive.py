"""The slow, obvious recomputation of a report's figures from the raw events.

`compute.build` reads counters that triggers keep (stat_cells, stat_days). This module ignores
them, and everything else derived (mastery, area_mastery, users.proficient, informed): it takes
who counts and where from `users`, replays every answer through BKT in the order it was given,
and reads acknowledgements from announcement_acks. It is the oracle the equivalence tests hold
the counters to, and the baseline the report benchmark measures them against, so it stays
deliberately simple rather than fast.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.core import mastery as bkt
from bot.core.review import VN
from bot.domain import Unit
from bot.reports.compute import AGE_BANDS, FIRST_YEAR, GROUPS, OLDER_AGE
from lessons import Content
from lessons.schema import NATIONAL_AREAS
from scenarios.loader import Scenarios
from storage.reports import AREAS, TOPICS
from storage.repos import iso
from storage.store import Store

#: users columns of the priority groups, in the order of compute.GROUPS
_GROUP_COLUMNS = dict(zip(GROUPS, ("rural", "poor", "alone", "disabled"), strict=True))


def end_of_day(day: dt.date) -> str:
    """The first instant after `day` in Vietnam time, as stored timestamps are written (UTC ISO):
    an event counts for `day` when its timestamp sorts before this."""
    return iso(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), VN))


def _sub_unit(unit: str, user: dict) -> str | None:
    """The sub-unit a learner falls in, named as compute names them (0: none recorded)."""
    kind = Unit.of(unit).kind
    if kind == "all":
        return Unit.province(user["province_code"] or 0)
    if kind == "province":
        return Unit.commune(user["commune_code"] or 0)
    if kind == "commune":
        return Unit.branch(user["branch_id"] or 0)
    return None


class _Replay:
    """The mastery model over one learner's answers, exactly as bot.core.learning.trace
    applies it turn by turn (both go through bot.core.mastery.Learner)."""

    def __init__(self, content: Content, scenarios: Scenarios):
        self.content = content
        self.model = bkt.Model(content, scenarios)
        self._comps: dict[tuple[str, tuple[str, ...]], list[str]] = {}

    def mastered(self, answers: list[tuple[str, str, str, int]]) -> set[str]:
        """Competencies mastered after (question id, lesson id, context, correct) in order."""
        learner = bkt.Learner(self.model)
        for qid, lesson_id, context, correct in answers:
            learner.observe(qid, lesson_id, context, bool(correct))
        return learner.all_mastered()

    def areas(self, mastered: set[str], units: tuple[str, ...]) -> set[str]:
        """Areas whose every competency reachable from the learner's place is mastered."""
        out = set()
        for area in AREAS:
            key = (area, units)
            if key not in self._comps:
                self._comps[key] = self.content.competencies_in(area, units)
            comps = self._comps[key]
            if comps and all(c in mastered for c in comps):
                out.add(area)
        return out


def _zero() -> dict[str, Any]:
    return {"registered": 0, "proficient": 0, "areas": dict.fromkeys(AREAS, 0)}


async def recompute(
    store: Store,
    content: Content,
    scenarios: Scenarios,
    unit: str,
    as_of: dt.date,
) -> dict[str, Any]:
    """A report's figures for `unit` at the end of `as_of` (Vietnam time), from raw events.

    Returns {"unit", "as_of", "year", "registered", "helpers", "areas": {area: n},
    "proficient", "informed": {topic: n}, "sub_units": {sub-unit: {"registered", "proficient",
    "areas"}}, "breakdowns": {"sex"|"age"|"groups": {key: (registered, proficient)}}}, all
    counts of older people (60+ in as_of's year; in 2025 for earlier dates, as the counters
    count them) except "helpers"; sub-units with no older learner are left out. Learners are
    placed where their `users` row puts them now.
    """
    year = max(as_of.year, FIRST_YEAR)  # the plans start in 2025: earlier dates count as in it
    cutoff = end_of_day(as_of)
    users: dict[int, dict] = {u["id"]: u async for u in store.raw.learners(unit, cutoff)}

    # Mastery: every answer up to the cut-off, learner by learner, in the order given.
    replay = _Replay(content, scenarios)
    areas_of: dict[int, set[str]] = {}

    def finish(uid: int, answers: list[tuple[str, str, str, int]]) -> None:
        u = users[uid]
        units = []
        if u["province_code"] is not None:
            units.append(Unit.province(u["province_code"]))
        if u["commune_code"] is not None:
            units.append(Unit.commune(u["commune_code"]))
        areas_of[uid] = replay.areas(replay.mastered(answers), tuple(units))

    current: int | None = None
    answers: list[tuple[str, str, str, int]] = []
    async for uid, qid, lesson_id, context, correct in store.raw.answer_events(unit, cutoff):
        if uid != current:
            if current is not None:
                finish(current, answers)
            current, answers = uid, []
        answers.append((qid, lesson_id, context, correct))
    if current is not None:
        finish(current, answers)

    # Informed: acknowledged an announcement of the topic by the cut-off.
    informed_of: dict[int, set[str]] = {}
    async for uid, topic in store.raw.acknowledgements(cutoff):
        if uid in users and topic in TOPICS:
            informed_of.setdefault(uid, set()).add(topic)

    out: dict[str, Any] = {
        "unit": unit,
        "as_of": as_of.isoformat(),
        "year": year,
        "registered": 0,
        "helpers": 0,
        "areas": dict.fromkeys(AREAS, 0),
        "proficient": 0,
        "informed": dict.fromkeys(TOPICS, 0),
        "sub_units": {},
        "breakdowns": {
            "sex": {k: [0, 0] for k in ("nam", "nu", "khong_noi")},
            "age": {k: [0, 0] for k in [b for b, _, _ in AGE_BANDS] + ["khong_ro"]},
            "groups": {k: [0, 0] for k in GROUPS},
        },
    }
    for uid, u in users.items():
        by = u["birth_year"]
        if by is not None and by + OLDER_AGE > year:
            out["helpers"] += 1
            continue
        areas = areas_of.get(uid, set())
        proficient = all(a in areas for a in NATIONAL_AREAS)
        out["registered"] += 1
        out["proficient"] += proficient
        for a in areas:
            out["areas"][a] += 1
        for t in informed_of.get(uid, ()):
            out["informed"][t] += 1
        sub = _sub_unit(unit, u)
        if sub is not None:
            s = out["sub_units"].setdefault(sub, _zero())
            s["registered"] += 1
            s["proficient"] += proficient
            for a in areas:
                s["areas"][a] += 1
        age = year - by if by is not None else None
        band = next((k for k, lo, hi in AGE_BANDS if age is not None and lo <= age <= hi), None)
        cells = [("sex", u["sex"] or "khong_noi"), ("age", band or "khong_ro")]
        cells += [("groups", g) for g, col in _GROUP_COLUMNS.items() if u[col] == 1]
        for dim, key in cells:
            out["breakdowns"][dim][key][0] += 1
            out["breakdowns"][dim][key][1] += proficient
    out["breakdowns"] = {
        dim: {k: tuple(v) for k, v in rows.items()} for dim, rows in out["breakdowns"].items()
    }
    return out
