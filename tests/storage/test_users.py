"""store.users and store.meta: learners, refusals, editable fields, ids never reused."""

from __future__ import annotations

import asyncio
import re

import pytest

from storage.repos import iso
from tests.concurrency import second_waits_for_first
from tests.storage.contract import COMMUNE, DAY, MINUTE, NOW, PROVINCE, learner


async def test_create_returns_a_fresh_learner(tx):
    user = await tx(lambda s: s.users.create("telegram:1", "given", NOW))
    assert isinstance(user.id, int) and user.id > 0
    assert (user.identity, user.consent, user.tracked) == ("telegram:1", "given", True)
    assert user.registered_at is None and user.display_name is None and user.birth_year is None
    assert (user.blocked, user.paused, user.proficient) == (False, False, False)
    assert user.sex is None and user.groups() is None and user.units() == []
    assert user.reminder_time is None


async def test_find_by_identity_and_id(tx):
    a = await tx(lambda s: s.users.create("telegram:1", "given", NOW))
    b = await tx(lambda s: s.users.create("zalo:1", "given", NOW))
    async with tx.db.reading() as s:
        assert (await s.users.by_identity("zalo:1")).id == b.id
        assert (await s.users.by_id(a.id)).identity == "telegram:1"
        assert (await s.users.find("telegram:1")).id == a.id
        assert await s.users.by_identity("telegram:2") is None
        assert await s.users.by_id(b.id + 100) is None
        assert await s.users.find("telegram:2") is None
    assert b.id != a.id


async def test_one_row_per_identity(tx, integrity_error):
    await tx(lambda s: s.users.create("telegram:1", "given", NOW))
    with pytest.raises(integrity_error):
        await tx(lambda s: s.users.create("telegram:1", "refused", NOW))


async def test_a_refusal_is_kept_under_a_salted_hash(backend, tx):
    async with backend.transaction() as s:
        key = await s.users.anon_key("telegram:42")
        assert re.fullmatch(r"anon:[0-9a-f]{32}", key)  # nothing of the identity in it
        assert key == await s.users.anon_key("telegram:42")
        assert key != await s.users.anon_key("telegram:43")
        refused = await s.users.create(key, "refused", NOW)
    assert refused.tracked is False
    # the salt is kept: the same key in a later transaction, so `find` still knows them
    assert await tx(lambda s: s.users.anon_key("telegram:42")) == key
    found = await tx.read(lambda s: s.users.find("telegram:42"))
    assert (found.id, found.consent, found.identity) == (refused.id, "refused", key)
    assert await tx.read(lambda s: s.users.by_identity("telegram:42")) is None


async def test_update_round_trips_every_editable_field(backend, tx):
    user = await tx(lambda s: s.users.create("telegram:1", "given", NOW))
    fields = {
        "address_form": "bà",
        "display_name": "Nguyễn Thị Hoa",
        "birth_year": 1958,
        "province_code": PROVINCE,
        "commune_code": COMMUNE,
        "branch_code": "X1",
        "registered_at": iso(NOW),
        "blocked": True,
        "paused": True,
        "proficient": True,
        "last_active_at": iso(NOW),
        "reminder_time": "19:30",
        "last_reminder_at": iso(NOW),
        "reminders_ignored": 2,
        "sex": "nu",
        "rural": True,
        "poor": False,
        "alone": None,
        "disabled": 1,
    }
    await tx(lambda s: s.users.update(user.id, **fields))
    got = await tx.read(lambda s: s.users.by_id(user.id))
    assert got.address_form == "bà" and got.display_name == "Nguyễn Thị Hoa"
    assert (got.birth_year, got.province_code, got.commune_code) == (1958, PROVINCE, COMMUNE)
    assert got.branch_code == "X1" and got.registered_at == iso(NOW)
    assert (got.blocked, got.paused, got.proficient) == (True, True, True)
    assert got.reminder_time == "19:30" and got.sex == "nu"
    assert (got.rural, got.poor, got.alone, got.disabled) == (True, False, None, True)
    assert got.groups() == {"rural": True, "poor": False, "alone": False, "disabled": True}
    assert got.units() == [f"province:{PROVINCE}", f"commune:{COMMUNE}"]
    # back to "not said"
    await tx(lambda s: s.users.update(user.id, sex=None, rural=None, poor=None, disabled=None))
    got = await tx.read(lambda s: s.users.by_id(user.id))
    assert got.sex is None and got.groups() is None


async def test_update_refuses_what_is_not_editable(tx):
    user = await tx(lambda s: s.users.create("telegram:1", "given", NOW))
    for bad in ({"identity": "x"}, {"consent": "refused"}, {"id": 9}, {"sex": "other"}):
        with pytest.raises(ValueError):
            await tx(lambda s, bad=bad: s.users.update(user.id, **bad))
    got = await tx.read(lambda s: s.users.by_id(user.id))
    assert (got.identity, got.consent, got.id, got.sex) == ("telegram:1", "given", user.id, None)


async def test_update_with_nothing_changes_nothing(tx):
    user = await tx(lambda s: s.users.create("telegram:1", "given", NOW))
    await tx(lambda s: s.users.update(user.id))
    assert await tx.read(lambda s: s.users.by_id(user.id)) == user


async def test_update_checks_the_schema(tx, integrity_error):
    user = await tx(lambda s: s.users.create("telegram:1", "given", NOW))
    for bad in ({"birth_year": 1800}, {"address_form": "anh"}):
        with pytest.raises(integrity_error):
            await tx(lambda s, bad=bad: s.users.update(user.id, **bad))


async def test_delete_takes_what_belongs_to_the_learner(backend, tx):
    async with backend.transaction() as s:
        user = await learner(s, "telegram:1")
        other = await learner(s, "telegram:2")
        await s.identities.link("zalo:1", user.id, NOW)
        await s.progress.record_answer(user.id, "q1", "l1", 0, True, "lesson", NOW)
        await s.progress.set_mastery(user.id, "c1", 0.5, False, True, NOW)
        await s.progress.lesson_started(user.id, "l1", NOW)
        await s.staff.grant(user.id, "staff", "all", None, NOW)
        code = await s.links.create(user.id, "telegram:1", NOW, 10 * MINUTE, 6)
        await s.progress.record_answer(other.id, "q1", "l1", 0, True, "lesson", NOW)
    await tx(lambda s: s.users.delete(user.id))
    async with backend.reading() as s:
        assert await s.users.by_id(user.id) is None
        assert await s.identities.alias("zalo:1") is None
        assert await s.progress.recent_questions(user.id) == []
        assert await s.progress.mastery(user.id) == {}
        assert await s.progress.lessons(user.id) == {}
        assert await s.staff.roles(user.id) == []
        assert await s.links.find(code, NOW) is None
        assert await s.progress.recent_questions(other.id) == ["q1"]
    await tx(lambda s: s.users.delete(user.id))  # deleting nobody is harmless


async def test_user_ids_are_never_reused(backend, tx):
    """Migration 0090's high-water mark: the next person never inherits an erased id."""
    a = await tx(lambda s: s.users.create("telegram:a", "given", NOW))
    b = await tx(lambda s: s.users.create("telegram:b", "given", NOW))
    await tx(lambda s: s.users.delete(b.id))
    c = await tx(lambda s: s.users.create("telegram:c", "given", NOW))
    assert c.id > b.id > a.id
    await tx(lambda s: s.users.delete(c.id))
    await tx(lambda s: s.users.delete(a.id))
    d = await tx(lambda s: s.users.create("telegram:d", "given", NOW))
    assert d.id > c.id
    # and within one transaction
    async with backend.transaction() as s:
        e = await s.users.create("telegram:e", "given", NOW)
        await s.users.delete(e.id)
        f = await s.users.create("telegram:f", "given", NOW)
    assert f.id > e.id > d.id


async def test_reminder_candidates(backend, tx):
    async with backend.transaction() as s:
        due = await learner(s, "telegram:due", reminder_time="08:00")
        early = await learner(s, "zalo:early", reminder_time="07:15", reminders_ignored=2)
        await s.users.update(early.id, last_reminder_at=iso(NOW))
        await learner(s, "telegram:later", reminder_time="08:01")
        await learner(s, "telegram:none")
        await learner(s, "telegram:paused", reminder_time="07:00", paused=True)
        await learner(s, "telegram:blocked", reminder_time="07:00", blocked=True)
        await learner(s, "telegram:unregistered", reminder_time="07:00", registered=False)
        refused = await s.users.create("anon:x", "refused", NOW)
        await s.users.update(refused.id, reminder_time="07:00", registered_at=iso(NOW))
    got = await tx.read(lambda s: s.users.reminder_candidates("08:00"))
    # order unspecified: compared as a set
    assert sorted(got) == sorted(
        [(due.id, "telegram:due", None, 0), (early.id, "zalo:early", iso(NOW), 2)]
    )
    assert await tx.read(lambda s: s.users.reminder_candidates("06:59")) == []


async def test_set_branch(backend, tx):
    async with backend.transaction() as s:
        user = await learner(s, "telegram:1")
        branch = await s.staff.create_branch(COMMUNE, "Xóm Bãi", user.id, NOW)
        await s.users.set_branch(user.id, branch.id)
    members = await tx.read(lambda s: s.staff.members(f"branch:{branch.id}"))
    assert [(m.id, m.branch_id) for m in members] == [(user.id, branch.id)]
    await tx(lambda s: s.users.set_branch(user.id, None))
    assert await tx.read(lambda s: s.staff.members(f"branch:{branch.id}")) == []


async def test_meta_get_or_create_makes_a_value_once(tx):
    made = []

    def make():
        made.append(1)
        return f"v{len(made)}"

    assert await tx.read(lambda s: s.meta.get("k")) is None
    assert await tx(lambda s: s.meta.get_or_create("k", make)) == "v1"
    assert await tx(lambda s: s.meta.get_or_create("k", make)) == "v1"
    assert made == [1]
    assert await tx.read(lambda s: s.meta.get("k")) == "v1"


async def test_meta_get_or_create_by_two_at_once_agrees_on_the_first(backend):
    """Two workers making the same value at the same moment (PostgreSQL runs them together;
    SQLite one after the other): both get the first one written, neither fails."""
    first_wrote = asyncio.Event()

    async def first() -> str:
        async with backend.transaction() as s:
            value = await s.meta.get_or_create("salt", lambda: "A")
            first_wrote.set()
            await asyncio.sleep(0.2)  # the other one tries while this is not yet committed
            return value

    async def second() -> str:
        await first_wrote.wait()
        async with backend.transaction() as s:
            return await s.meta.get_or_create("salt", lambda: "B")

    assert await asyncio.gather(first(), second()) == ["A", "A"]


async def test_a_meta_task_is_run_by_one_transaction_at_a_time(backend):
    """meta.lock(): processes starting together take a one-off task in turn."""
    assert await second_waits_for_first(backend, lambda s: s.meta.lock("mastery_model"))


async def test_meta_set_overwrites(tx):
    await tx(lambda s: s.meta.set("k", "a"))
    await tx(lambda s: s.meta.set("k", "b"))
    assert await tx.read(lambda s: s.meta.get("k")) == "b"
    assert await tx(lambda s: s.meta.get_or_create("k", lambda: "c")) == "b"


async def test_tracked_is_every_consenting_learner_in_id_order(backend, tx):
    async with backend.transaction() as s:
        a = await learner(s, "telegram:a")
        await s.users.create(await s.users.anon_key("telegram:r"), "refused", NOW)
        b = await learner(s, "zalo:b", registered=False)
    assert [u.id for u in await tx.read(lambda s: s.users.tracked())] == [a.id, b.id]


async def test_set_proficient_on_dates_the_change_without_counting_as_activity(backend, tx):
    later = NOW + 3 * DAY
    async with backend.transaction() as s:
        u = await learner(s, "telegram:a", birth_year=1950)
        await s.users.set_proficient_on(u.id, True, later)
        await s.users.set_proficient_on(u.id + 99, True, later)  # nobody: harmless
    async with backend.reading() as s:
        assert (await s.users.by_id(u.id)).proficient is True
        # the counters change on `later`'s day, not before
        (before,) = await s.reports.by_sub_unit("all", (later - DAY).date())
        (after,) = await s.reports.by_sub_unit("all", later.date())
        assert (before[2]["proficient"], after[2]["proficient"]) == (0, 1)
        # and the learner was not active then: still last seen at sign-up
        assert await s.reports.active("all", NOW + DAY, 2000) == 0


async def test_meta_ping_answers_while_the_database_is_up(tx):
    assert await tx.read(lambda s: s.meta.ping()) is True
    assert await tx(lambda s: s.meta.ping()) is True
