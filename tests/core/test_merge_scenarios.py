"""Merging two accounts replays every answer, practice scenarios included."""

from __future__ import annotations

import datetime as dt

from bot.config import Settings
from bot.core import mastery as bkt
from bot.core.linking import merge_users
from scenarios.loader import load_scenarios
from storage.db import Database
from storage.repos import ProgressRepo, UserRepo
from storage.store import Store

NOW = dt.datetime(2026, 11, 23, 3, tzinfo=dt.UTC)


async def test_a_scenario_finished_on_one_account_counts_after_the_merge(tmp_path, content):
    scenarios = load_scenarios(Settings().scenario_dir, content.competency_area)
    sc = next(iter(scenarios.by_id.values()))
    comp = sc.competencies[0]
    lesson, q = next(
        (lq for lq in content.questions.values() if comp in lq[1].competencies), (None, None)
    )
    assert q is not None, comp
    db = await Database.open(tmp_path / "m.db")
    try:
        async with db.sql(write=True) as conn:
            users, progress = UserRepo(conn), ProgressRepo(conn)
            a = await users.create("sim:a", "given", NOW)
            b = await users.create("sim:b", "given", NOW)
            params = bkt.question_params(lesson, q)
            scenario = bkt.scenario_params(sc)
            p = params.prior
            for k in range(2):  # two right answers on A
                at = NOW + dt.timedelta(minutes=k)
                await progress.record_answer(a.id, q.id, lesson.id, 0, True, "lesson", at)
                p = bkt.update(p, True, params)
            await progress.set_mastery(a.id, comp, p, bkt.is_mastered(p), True, NOW)
            # One good finish of the scenario on B, later.
            later = NOW + dt.timedelta(minutes=5)
            await progress.record_answer(b.id, sc.id, sc.id, 0, True, "scenario", later)
            pb = bkt.update(scenario.prior, True, scenario)
            await progress.set_mastery(b.id, comp, pb, bkt.is_mastered(pb), True, later)

            await merge_users(Store(conn), content, a, b, later, scenarios)
            row = (await progress.mastery(a.id))[comp]
        expected = bkt.update(p, True, scenario)
        assert (row.attempts, row.correct) == (3, 3)
        assert abs(row.p_known - expected) < 1e-9
    finally:
        await db.close()
