"""Races between conversations under several workers (docs/scaling.md, "Races audited under
several workers"): two flows of different people, or a flow and due work, touching the same
rows at once. Each test makes the two transactions meet where the race bites (tests/
concurrency.py) and checks that no rule is broken; each runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from bot import texts
from bot.core import engine as engine_module
from bot.core import linking, remaster, review
from bot.core.events import Event
from storage.repos import ConversationRepo, LinkRepo, ProgressRepo, iso
from storage.staff import StaffRepo
from tests.concurrency import Rendezvous, meeting_before, until_waiting
from tests.conftest import BACKEND_PARAMS, START, fresh_database, open_sim
from tests.storage.contract import learner as registered

NOW = START


@pytest.fixture(params=BACKEND_PARAMS)
async def sim(request, tmp_path: Path):
    """The engine on a fresh database of each backend (PostgreSQL: a database of its own)."""
    async with fresh_database(request.param, tmp_path, "races.db") as target:
        s, db = await open_sim(target, NOW, media=tmp_path / "races.db")
        try:
            yield s
        finally:
            await db.close()


async def learner(sim, identity: str) -> int:
    async with sim.engine.db.transaction() as s:
        await s.users.anon_key(identity)  # the salt, made once in a database's life
        return (await s.users.create(identity, "given", NOW)).id


async def resolved(sim, identity: str) -> int | None:
    async with sim.engine.db.reading() as s:
        user = await linking.resolve(s, identity)
    return user.id if user else None


def said(replies, template: str) -> bool:
    head = template.split("{")[0]
    return any(head in r.text for r in replies)


# --- linking one person's identities ---


async def test_a_link_code_links_one_identity_even_when_two_type_it_at_once(sim, monkeypatch):
    """Two identities type the same code at the same moment (different conversations, so
    different per-person locks): the code is valid once, so only one is linked."""
    a = await learner(sim, "sim:a")
    b, c = await learner(sim, "sim:b"), await learner(sim, "sim:c")
    async with sim.engine.db.transaction() as s:
        code = await s.links.create(a, "sim:a", NOW, linking.CODE_TTL, linking.CODE_DIGITS)
    meeting = Rendezvous()
    meeting_before(monkeypatch, LinkRepo, "use", meeting)
    got = await asyncio.gather(
        sim.engine.handle(Event.message("sim:b", f"liên kết {code}")),
        sim.engine.handle(Event.message("sim:c", f"liên kết {code}")),
    )
    linked = [who for who, mine in (("sim:b", b), ("sim:c", c)) if await resolved(sim, who) != mine]
    assert len(linked) == 1, linked
    assert [await resolved(sim, who) for who in linked] == [a]
    refused = got[1] if linked == ["sim:b"] else got[0]
    assert said(refused, texts.LINK_BAD_CODE)
    assert said(got[0] + got[1], texts.LINK_DONE)


async def test_two_channels_linking_each_other_at_once_end_as_one_learner(
    sim, content, monkeypatch
):
    """One person shows a code on each channel and types each code on the other, at once:
    each turn merges its learner into the other. They must end as one learner with the
    answers of both, never none (each deleting the other) or two. On PostgreSQL each turn
    waits for the other's person: the server ends one as a deadlock, the engine runs it again,
    and it finds its code gone with the learner merged away."""
    lesson, q = next(iter(content.questions.values()))
    a, b = await learner(sim, "sim:a"), await learner(sim, "sim:b")
    db = sim.engine.db
    async with db.transaction() as s:
        for who in (a, b):
            await s.progress.record_answer(who, q.id, lesson.id, 0, True, "lesson", NOW)
        code_a = await s.links.create(a, "sim:a", NOW, linking.CODE_TTL, linking.CODE_DIGITS)
        code_b = await s.links.create(b, "sim:b", NOW, linking.CODE_TTL, linking.CODE_DIGITS)
    meeting = Rendezvous()
    meeting_before(monkeypatch, LinkRepo, "find", meeting)  # both in, each holding its own
    got = await asyncio.gather(
        sim.engine.handle(Event.message("sim:a", f"liên kết {code_b}")),
        sim.engine.handle(Event.message("sim:b", f"liên kết {code_a}")),
    )
    assert sorted(said(r, texts.LINK_DONE) for r in got) == [False, True]
    assert sorted(said(r, texts.LINK_BAD_CODE) for r in got) == [False, True]
    ids = {await resolved(sim, "sim:a"), await resolved(sim, "sim:b")}
    assert len(ids) == 1 and None not in ids
    async with db.reading() as s:
        (one,) = ids
        assert len([e for e in await s.progress.answer_events(one) if e[0] == q.id]) == 2


async def test_linking_into_a_learner_waits_for_their_turn_and_keeps_its_answer(sim, content):
    """B links into A while A's own turn (another worker) is answering a question of the same
    competency: the merge's replay of A's answers must include that answer, not overwrite the
    mastery A's turn wrote with a count that misses it."""
    lesson, q = next(iter(content.questions.values()))
    comp = q.competencies[0]
    a, b = await learner(sim, "sim:a"), await learner(sim, "sim:b")
    db = sim.engine.db
    async with db.transaction() as s:
        for who in (a, b):  # one answer each, and the estimate it gave
            await s.progress.record_answer(who, q.id, lesson.id, 0, True, "lesson", NOW)
            await s.progress.set_mastery(who, comp, 0.5, False, True, NOW)
        code = await s.links.create(a, "sim:a", NOW, linking.CODE_TTL, linking.CODE_DIGITS)
    answering, release = asyncio.Event(), asyncio.Event()

    async def a_answers():  # A's turn, as the engine runs it: lock, answer, estimate
        async with db.transaction() as s:
            await s.conversations.load("sim:a")
            later = NOW + dt.timedelta(minutes=1)
            await s.progress.record_answer(a, q.id, lesson.id, 0, True, "lesson", later)
            await s.progress.set_mastery(a, comp, 0.6, False, True, later)
            answering.set()
            await release.wait()

    turn = asyncio.create_task(a_answers())
    await answering.wait()
    link = asyncio.create_task(sim.engine.handle(Event.message("sim:b", f"liên kết {code}")))
    assert await until_waiting(db)  # B's linking waits for A's turn ...
    release.set()
    await turn
    replies = await link  # ... then merges everything
    assert said(replies, texts.LINK_DONE)
    async with db.reading() as s:
        answers = [e for e in await s.progress.answer_events(a) if e[0] == q.id]
        row = (await s.progress.mastery(a))[comp]
    assert len(answers) == 3
    assert (row.attempts, row.correct) == (3, 3)


# --- due work beside turns ---


async def test_a_reminder_due_while_the_person_writes_counts_their_message(sim):
    """The person's fourth reminder would pause reminders (three ignored in a row), but they
    write at that very moment in another worker: the reminder must see the count their turn
    reset, not the one it listed before, and must not pause a person who just wrote."""
    db = sim.engine.db
    async with db.transaction() as s:
        user = await registered(
            s, "sim:r", reminder_time="08:00", reminders_ignored=review.MAX_IGNORED
        )
    writing, release = asyncio.Event(), asyncio.Event()

    async def turn():  # as Engine.handle: the person's lock, then "active, none ignored"
        async with db.transaction() as s:
            await s.conversations.load("sim:r")
            await s.users.update(user.id, last_active_at=iso(NOW), reminders_ignored=0)
            writing.set()
            await release.wait()

    writes = asyncio.create_task(turn())
    await writing.wait()
    due = asyncio.create_task(sim.engine.run_due())
    assert await until_waiting(db)  # the reminder waits for the turn ...
    release.set()
    await asyncio.gather(writes, due)
    async with db.reading() as s:
        after = await s.users.by_id(user.id)
        queued = await s.outbox.summary(None)
    assert not after.paused  # ... and sees that they wrote
    assert queued["pending"] == 0  # nothing to review yet: no reminder, no «tạm dừng»


async def test_reminders_are_given_in_small_transactions(sim, monkeypatch):
    """However many people share a reminder time, a tick holds few people's locks at once:
    each batch of reminders commits on its own."""
    monkeypatch.setattr(engine_module, "REMINDER_BATCH", 2)
    db = sim.engine.db
    async with db.transaction() as s:
        people = [
            await registered(s, f"sim:r{i}", reminder_time="08:00",
                             reminders_ignored=review.MAX_IGNORED)
            for i in range(5)
        ]  # fmt: skip
    held: list[list[str]] = []  # the conversation locks of each transaction
    real_transaction, real_lock = type(db).transaction, ConversationRepo.lock

    def transaction(self):
        held.append([])
        return real_transaction(self)

    async def lock(self, key: str) -> None:
        held[-1].append(key)
        await real_lock(self, key)

    monkeypatch.setattr(type(db), "transaction", transaction)
    monkeypatch.setattr(ConversationRepo, "lock", lock)
    await sim.engine.run_due()
    monkeypatch.undo()
    assert sorted({k for keys in held for k in keys}) == [u.identity for u in people]
    assert max(len(set(keys)) for keys in held) == 2
    async with db.reading() as s:
        assert [(await s.users.by_id(u.id)).paused for u in people] == [True] * 5  # reminded


# --- staff at work ---


async def test_two_staff_creating_the_same_branch_at_once_make_one(sim, monkeypatch):
    """Two staff members of a commune add «Xóm Đông» at the same moment (two conversations),
    one typing it without marks: a commune's branches have distinct names, compared without
    marks and case (which no unique constraint sees), so the second is told it exists."""
    db = sim.engine.db
    async with db.transaction() as s:
        for who in ("sim:s1", "sim:s2"):
            user = await registered(s, who)
            await s.staff.grant(user.id, "staff", "commune:5800", None, NOW)
            await s.conversations.save(
                who, "staff.branch", {"staff": {"unit": "commune:5800"}}, NOW
            )
    meeting = Rendezvous()
    meeting_before(monkeypatch, StaffRepo, "create_branch", meeting)
    got = await asyncio.gather(
        sim.engine.handle(Event.message("sim:s1", "Xóm Đông")),
        sim.engine.handle(Event.message("sim:s2", "xom dong")),
    )
    async with db.reading() as s:
        names = [b.name for b in await s.staff.branches_in_commune(5800)]
    assert len(names) == 1, names
    assert said(got[0] + got[1], texts.ST_BRANCH_DONE)
    assert said(got[0] + got[1], texts.ST_BRANCH_EXISTS)


async def test_a_branch_renamed_while_another_is_created_keeps_names_apart(sim, monkeypatch):
    """One staff member renames «Xóm Một» to «Xóm Đông» while another creates «xom dong»."""
    db = sim.engine.db
    async with db.transaction() as s:
        ids = []
        for who in ("sim:s1", "sim:s2"):
            user = await registered(s, who)
            await s.staff.grant(user.id, "staff", "commune:5800", None, NOW)
            ids.append(user.id)
        one = await s.staff.create_branch(5800, "Xóm Một", ids[0], NOW)
        await s.conversations.save(
            "sim:s1", "staff.branch.rename", {"staff": {"unit": f"branch:{one.id}"}}, NOW
        )
        await s.conversations.save(
            "sim:s2", "staff.branch", {"staff": {"unit": "commune:5800"}}, NOW
        )
    meeting = Rendezvous()
    meeting_before(monkeypatch, StaffRepo, "create_branch", meeting)
    meeting_before(monkeypatch, StaffRepo, "rename_branch", meeting)
    await asyncio.gather(
        sim.engine.handle(Event.message("sim:s1", "Xóm Đông")),
        sim.engine.handle(Event.message("sim:s2", "xom dong")),
    )
    async with db.reading() as s:
        names = sorted(b.name for b in await s.staff.branches_in_commune(5800))
    assert names in (["Xóm Đông"], ["Xóm Một", "xom dong"]), names


async def test_a_class_code_for_two_takes_two_even_when_three_type_it_at_once(sim, monkeypatch):
    """A class code's limit holds under several workers: three learners in three
    conversations give a code for two at the same moment; two join, the third is told it
    does not work (the use is counted by `uses < max_uses` in the UPDATE itself)."""
    db = sim.engine.db
    async with db.transaction() as s:
        staff = await registered(s, "sim:staff")
        branch = await s.staff.create_branch(5800, "Xóm Một", staff.id, NOW)
        code = await s.staff.create_invitation(
            "member", f"branch:{branch.id}", staff.id, NOW, days=30, max_uses=2
        )
        people = [await registered(s, f"sim:p{i}") for i in range(3)]
    meeting = Rendezvous(parties=3)
    meeting_before(monkeypatch, StaffRepo, "redeem", meeting)
    got = await asyncio.gather(
        *(sim.engine.handle(Event.message(p.identity, code)) for p in people)
    )
    assert meeting.met or db.dialect == "sqlite"  # all three were inside at once
    async with db.reading() as s:
        joined = [p.id for p in people if await s.staff.branch_of(p.id) == branch.id]
        left = await s.staff.invitation(code, NOW)
    assert len(joined) == 2 and left is None  # used up
    assert sum(said(r, texts.INVITE_JOINED_BRANCH) for r in got) == 2
    assert sum(said(r, texts.INVITE_BAD) for r in got) == 1


# --- processes starting together ---


async def test_processes_starting_together_recompute_mastery_once(sim, content, monkeypatch):
    """A new mastery model, and every process (web, workers) starting at once: each runs the
    recomputation at start-up. One does it; the others find it done, instead of failing on
    the rows the first one wrote (or rewriting them again)."""
    lesson, q = next(iter(content.questions.values()))
    db = sim.engine.db
    async with db.transaction() as s:
        user = await registered(s, "sim:m")
        for k in range(3):
            at = NOW + dt.timedelta(minutes=k)
            await s.progress.record_answer(user.id, q.id, lesson.id, 0, True, "lesson", at)
        await s.meta.set(remaster.META_KEY, "an older model")

    async def start() -> int:
        async with db.transaction() as s:
            return await remaster.migrate(s, content, sim.engine.scenarios, NOW)

    meeting_before(monkeypatch, ProgressRepo, "rewrite_mastery", Rendezvous())
    assert sorted(await asyncio.gather(start(), start())) == [0, 1]
    async with db.reading() as s:
        row = (await s.progress.mastery(user.id))[q.competencies[0]]
    assert (row.attempts, row.correct) == (3, 3)
