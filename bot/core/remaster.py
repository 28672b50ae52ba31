"""Recompute stored mastery from the answer events when the mastery model changes.

`mastery`, `area_mastery` and `users.proficient` are kept beside the answers for speed; the
answers are the record. When bot.core.mastery.MODEL_VERSION differs from the one the database
was last computed with, every learner's answers (and practice results) are replayed through the
current model, once, at start-up, and the derived rows rewritten. The report counters follow
through their triggers (storage/migrations/0060_reports.sql); changes are dated on the day of
the recomputation, so reports already given for earlier days stay as they were.
"""

from __future__ import annotations

import datetime as dt
import logging

from bot.core import mastery
from lessons import Content
from lessons.schema import NATIONAL_AREAS
from scenarios.loader import Scenarios
from storage.repos import User
from storage.store import Store

log = logging.getLogger(__name__)

META_KEY = "mastery_model"


async def rebuild_learner(
    store: Store,
    content: Content,
    scenarios: Scenarios | None,
    user: User,
    now: dt.datetime,
) -> None:
    """Replay one learner's answers and rewrite their estimates, areas and proficient flag."""
    progress, users, user_id = store.progress, store.users, user.id
    learner = mastery.Learner(mastery.model_for(content, scenarios))
    counts: dict[str, list[int]] = {}
    for event in await progress.answer_events(user_id):
        for comp in learner.observe(*event):
            c = counts.setdefault(comp, [0, 0])
            c[0] += 1
            c[1] += int(event[3])
    rows = [
        (comp, learner.p[comp], learner.mastered(comp), n, right)
        for comp, (n, right) in sorted(counts.items())
    ]
    await progress.rewrite_mastery(user_id, rows, now)
    mastered = {r[0] for r in rows if r[2]}
    units = user.units()
    known = await progress.areas(user_id)
    areas = {}
    for area in content.areas:
        comps = content.competencies_in(area, units)
        areas[area] = bool(comps) and all(c in mastered for c in comps)
        if area in known or areas[area]:
            await progress.set_area(user_id, area, areas[area], now)
    proficient = all(areas.get(a, False) for a in NATIONAL_AREAS)
    if proficient != user.proficient:
        await users.set_proficient_on(user_id, proficient, now)


async def migrate(
    store: Store, content: Content, scenarios: Scenarios | None, now: dt.datetime
) -> int:
    """Recompute every learner once per model version; returns how many were recomputed."""
    meta = store.meta
    if await meta.get(META_KEY) == mastery.MODEL_VERSION:
        return 0
    # Every process (web, workers) runs this at start-up, and they start together: one
    # recomputes, the others wait here and find it done.
    await meta.lock(META_KEY)
    if await meta.get(META_KEY) == mastery.MODEL_VERSION:
        return 0
    ids = await store.users.tracked()
    for user in ids:
        await rebuild_learner(store, content, scenarios, user, now)
    await meta.set(META_KEY, mastery.MODEL_VERSION)
    if ids:
        log.info("mastery recomputed for %d learners (model %s)", len(ids), mastery.MODEL_VERSION)
    return len(ids)
