"""store.privacy: erasure (Nghị định 13/2023/NĐ-CP) leaves nothing that names the person."""

from __future__ import annotations

import asyncio
import json

from storage.outbox import OutboxItem
from storage.repos import iso
from tests.concurrency import until_waiting
from tests.storage.contract import (
    COMMUNE,
    DAY,
    HOUR,
    MINUTE,
    NOW,
    OTHER_COMMUNE,
    OTHER_PROVINCE,
    PROVINCE,
    learner,
)

NAME = "Thảo Ngọc Vy"


async def test_identities_of(backend, tx):
    async with backend.transaction() as s:
        u = await learner(s, "telegram:1")
        other = await learner(s, "telegram:2")
        await s.identities.link("zalo:1", u.id, NOW)
        await s.identities.link("zalo:2", other.id, NOW)
    assert sorted(await tx.read(lambda s: s.privacy.identities_of(u.id))) == [
        "telegram:1",
        "zalo:1",
    ]
    assert await tx.read(lambda s: s.privacy.identities_of(other.id + 1)) == []


async def seed_vy(backend):
    """A learner with a second identity, a role, a branch, an acknowledged announcement, a
    skill confirmed, a subscription, a conversation, inbox rows, outbox rows in every state,
    a link code and wrong guesses; and a neighbour who keeps all of hers."""
    async with backend.transaction() as s:
        admin = await learner(s, "telegram:admin", display_name="Hòa")
        vy = await learner(s, "telegram:vy", display_name=NAME, birth_year=1971, sex="nu")
        await s.users.update(vy.id, last_active_at=iso(NOW + DAY), poor=True)
        kim = await learner(s, "telegram:kim", display_name="Kim")
        await s.identities.link("zalo:vy", vy.id, NOW)
        branch = await s.staff.create_branch(COMMUNE, "Xóm Bãi", vy.id, NOW)
        await s.users.set_branch(vy.id, branch.id)
        await s.staff.grant(vy.id, "staff", f"commune:{COMMUNE}", admin.id, NOW)
        code = await s.staff.create_invitation("member", f"branch:{branch.id}", vy.id, NOW)
        await s.staff.redeem(code, vy.id, NOW)
        ann = await s.staff.create_announcement(
            admin.id, "all", "chuyen_doi_so", "Lớp học", None, NOW, False, NOW
        )
        mine = await s.staff.create_announcement(
            vy.id, f"branch:{branch.id}", "viec_lam", "Việc làm", None, NOW, False, NOW
        )
        await s.staff.ack(ann, vy.id, NOW + DAY)
        await s.staff.confirm_skill(vy.id, "thanh_toan", admin.id, NOW)
        await s.staff.audit(admin.id, "confirm_skill", f"branch:{branch.id}", NOW, member=vy.id)
        await s.staff.audit(vy.id, "announce", f"branch:{branch.id}", NOW, announcement=mine)
        await s.reports.subscribe(vy.id, "all", "month", NOW + DAY)
        await s.progress.record_answer(vy.id, "q1", "l1", 0, True, "lesson", NOW)
        await s.progress.set_area(vy.id, "thanh_toan", True, NOW + DAY)
        await s.links.create(vy.id, "telegram:vy", NOW, 10 * MINUTE, 6)
        await s.throttle.fail("hash-of-vy", NOW, HOUR)
        await s.throttle.fail("hash-of-kim", NOW, HOUR)
        for who in ("telegram:vy", "zalo:vy", "telegram:kim"):
            await s.conversations.save(who, "menu", {"name": NAME if "vy" in who else "Kim"}, NOW)
        inbox = {
            who: await s.inbox.put(who.split(":")[0], f"u-{who}", who, f'{{"text": "{who}"}}', NOW)
            for who in ("telegram:vy", "zalo:vy", "telegram:kim")
        }
        await s.outbox.enqueue(
            [
                OutboxItem(who, f"Chào {who}", announcement_id=ann)
                for who in ("telegram:vy", "zalo:vy", "telegram:kim", "telegram:admin")
            ],
            NOW,
        )
        await s.outbox.enqueue([OutboxItem("telegram:vy", f"Báo cáo cho {NAME}")], NOW)
        claimed = await s.outbox.claim("telegram:", NOW, False, 10)
        sent = {r.identity: r.id for r in claimed}
        await s.outbox.record([("sent", 1, None, None, iso(NOW), sent["telegram:kim"])])
        await s.outbox.record([("failed", 1, "Lỗi mạng", None, None, sent["telegram:admin"])])
        # telegram:vy's rows stay 'sending' (a worker holds them); zalo:vy's 'pending'
    return {
        "vy": vy.id,
        "kim": kim.id,
        "admin": admin.id,
        "ann": ann,
        "mine": mine,
        "branch": branch.id,
        "inbox": inbox,
    }


async def erase_vy(backend, ids):
    async with backend.transaction() as s:
        await s.privacy.erase(ids["vy"], ["hash-of-vy"], NOW + 2 * DAY)


async def test_erasure_strips_the_outbox_down_to_status(backend, tx, dump):
    ids = await seed_vy(backend)
    before = await tx.read(lambda s: s.outbox.summary(ids["ann"]))
    assert before == {"pending": 1, "sending": 1, "sent": 1, "failed": 1, "blocked": 0}
    await erase_vy(backend, ids)
    async with backend.reading() as s:
        # the announcement's counts keep her rows; what was still to send will not go
        assert await s.outbox.summary(ids["ann"]) == {
            "pending": 0,
            "sending": 0,
            "sent": 1,
            "failed": 3,
            "blocked": 0,
        }
        assert await s.outbox.summary(None) == {
            "pending": 0,
            "sending": 0,
            "sent": 0,
            "failed": 1,
            "blocked": 0,
        }
        assert await s.outbox.received("telegram:vy", ids["ann"]) is False
        assert await s.outbox.received("telegram:kim", ids["ann"]) is True
        assert await s.outbox.pending_prefixes() == []
    assert await tx(lambda s: s.outbox.release_sending()) == 0
    assert await tx(lambda s: s.outbox.claim("", NOW + DAY, False, 100)) == []
    rows = (await dump())["outbox"]
    assert len(rows) == 5
    theirs = [r for r in rows if r["identity"] not in ("telegram:kim", "telegram:admin")]
    assert len(theirs) == 3
    for r in theirs:
        assert "vy" not in r["identity"] and json.loads(r["payload"]) == {}
        assert r["last_error"] is None and r["status"] == "failed"
    assert [r["last_error"] for r in rows if r["identity"] == "telegram:admin"] == ["Lỗi mạng"]


async def test_erasure_removes_what_she_sent_and_where_she_stood(backend, tx):
    ids = await seed_vy(backend)
    await erase_vy(backend, ids)
    async with backend.reading() as s:
        assert await s.inbox.status(ids["inbox"]["telegram:vy"]) is None
        assert await s.inbox.status(ids["inbox"]["zalo:vy"]) is None
        assert await s.inbox.status(ids["inbox"]["telegram:kim"]) == "pending"
        assert await s.conversations.load("telegram:vy") is None
        assert await s.conversations.load("zalo:vy") is None
        assert await s.conversations.load("telegram:kim") == ("menu", {"name": "Kim"})
        assert await s.throttle.failures("hash-of-vy", NOW, HOUR) == 0
        assert await s.throttle.failures("hash-of-kim", NOW, HOUR) == 1


async def test_erasure_deletes_the_learner_and_what_cascades(backend, tx):
    ids = await seed_vy(backend)
    vy = ids["vy"]
    await erase_vy(backend, ids)
    async with backend.reading() as s:
        assert await s.users.by_id(vy) is None
        assert await s.users.find("telegram:vy") is None and await s.users.find("zalo:vy") is None
        assert await s.identities.alias("zalo:vy") is None
        assert await s.privacy.identities_of(vy) == []
        assert await s.staff.roles(vy) == []
        assert await s.staff.acks(ids["ann"]) == 0
        assert await s.progress.mastery(vy) == {} and await s.progress.areas(vy) == {}
        assert await s.reports.subscription(vy, "all") is None
        assert [x async for x in s.raw.acknowledgements((NOW + 9 * DAY).isoformat())] == []
        # what she made for others stays, without her
        assert (await s.staff.branch(ids["branch"])).name == "Xóm Bãi"
        assert [r[0] for r in await s.staff.due_announcements(NOW)] == [ids["ann"], ids["mine"]]
        assert await s.users.by_id(ids["kim"]) is not None


async def test_nothing_anywhere_names_her_after_erasure(backend, tx, dump):
    ids = await seed_vy(backend)
    vy = ids["vy"]
    everything = await dump()
    flat = json.dumps(everything, ensure_ascii=False, default=str)
    assert NAME in flat and "telegram:vy" in flat and "zalo:vy" in flat
    await erase_vy(backend, ids)
    everything = await dump()
    flat = json.dumps(everything, ensure_ascii=False, default=str)
    for needle in (NAME, "telegram:vy", "zalo:vy", "hash-of-vy"):
        assert needle not in flat, needle
    people = {  # the columns that name a learner by id, outside the tables that cascade
        "audit_log": ("actor_id",),
        "announcements": ("sender_id",),
        "branches": ("created_by",),
        "invitations": ("created_by", "used_by"),
        "roles": ("user_id", "granted_by"),
        "skill_confirmations": ("user_id", "confirmed_by"),
    }
    for table, columns in people.items():
        for row in everything[table]:
            assert vy not in [row[c] for c in columns], (table, row)
    audit = {r["action"]: r for r in everything["audit_log"]}
    assert json.loads(audit["confirm_skill"]["detail"]) == {}  # the action and unit stay
    assert audit["confirm_skill"]["unit"] == f"branch:{ids['branch']}"
    assert audit["announce"]["actor_id"] is None
    # no counter keeps a key derived from her birth year (1971: older from 2031)
    for table in ("stat_days", "stat_cells"):
        for row in everything[table]:
            assert row["since"] != 2031 and row.get("val") != "1971", (table, row)


async def test_a_counter_key_she_shared_stays(backend, tx):
    async with backend.transaction() as s:
        a = await learner(s, "telegram:a", birth_year=1971)
        await learner(s, "telegram:b", birth_year=1971)
        await s.users.update(a.id, last_active_at=iso(NOW + DAY))
    await tx(lambda s: s.privacy.erase(a.id, [], NOW + DAY))
    got = await tx.read(lambda s: s.reports.by_sub_unit("all", (NOW + 9 * DAY).date()))
    assert [(p, since, n["registered"]) for p, since, n in got] == [(PROVINCE, 2031, 1)]


async def test_a_counter_key_she_held_alone_moves_to_a_shared_one(backend, tx):
    async with backend.transaction() as s:
        a = await learner(s, "telegram:a", birth_year=1971)
        await s.users.update(a.id, last_active_at=iso(NOW + DAY))
    await tx(lambda s: s.privacy.erase(a.id, [], NOW + DAY))
    by_day = await tx.read(lambda s: s.reports.history("all", (NOW + 9 * DAY).date(), [2026]))
    # past reports read alike: a helper then (since after 2026), who left later
    assert [(p, m, since, n["registered"]) for p, m, since, n in by_day] == [
        (PROVINCE, "2026-11", 2027, 0)
    ]
    got = await tx.read(lambda s: s.reports.by_sub_unit("all", NOW.date()))
    assert [(p, n["registered"]) for p, since, n in got] == [(PROVINCE, 1)]
    assert all(since != 2031 for _, since, _ in got)


async def test_an_erasure_beside_a_registration_sharing_her_key_keeps_its_count(backend, tx):
    """She left the commune today and is erased while someone born the same year registers
    there (another worker): her old series there looks unshared to the erasure, which moves
    it to a shared key, but it must not take the newcomer's count with it."""
    today = NOW + DAY
    async with backend.transaction() as s:
        her = await learner(s, "telegram:a", birth_year=1971)  # counted in COMMUNE since NOW
        await s.users.update(her.id, province_code=OTHER_PROVINCE, commune_code=OTHER_COMMUNE,
                             last_active_at=iso(today))  # fmt: skip
        new = await learner(s, "telegram:b", birth_year=1971, registered=False)
    registering, release = asyncio.Event(), asyncio.Event()

    async def registers():  # the newcomer's last sign-up step, in its own transaction
        async with backend.transaction() as s:
            await s.users.update(new.id, registered_at=iso(today), last_active_at=iso(today))
            registering.set()
            await release.wait()

    turn = asyncio.create_task(registers())
    await registering.wait()
    erasure = asyncio.create_task(tx(lambda s: s.privacy.erase(her.id, [], today)))
    assert await until_waiting(backend)
    release.set()
    await asyncio.gather(turn, erasure)
    got = await tx.read(lambda s: s.reports.by_sub_unit(f"province:{PROVINCE}", today.date()))
    assert sum(n["registered"] for code, _, n in got if code == COMMUNE) == 1


async def test_a_message_in_flight_at_her_erasure_is_not_remembered_under_her_name(
    backend, tx, dump
):
    """An announcement to her is being sent (claimed by a worker) when she is erased; the
    sender writes what it sent afterwards: the platform's message id must not be kept under
    her identity (a neighbour's is)."""
    async with backend.transaction() as s:
        vy = await learner(s, "telegram:vy")
        await learner(s, "telegram:kim")
        await s.outbox.enqueue([OutboxItem(i, "Họp") for i in ("telegram:vy", "telegram:kim")])
        rows = await s.outbox.claim("telegram:", NOW, False, 10, "w1", NOW + HOUR)
    await tx(lambda s: s.privacy.erase(vy.id, [], NOW))
    await tx(lambda s: s.outbox.remember_messages([(r.identity, f"m{r.id}", r.id) for r in rows]))
    kept = [(r["identity"], r["message_id"]) for r in (await dump())["outbox_messages"]]
    kim = next(r for r in rows if r.identity == "telegram:kim")
    assert kept == [("telegram:kim", f"m{kim.id}")]


async def test_erased_ids_are_never_given_again(backend, tx):
    ids = await seed_vy(backend)
    await erase_vy(backend, ids)
    newcomer = await tx(lambda s: s.users.create("telegram:vy", "given", NOW + 3 * DAY))
    assert newcomer.id > max(ids["vy"], ids["kim"], ids["admin"])
    async with backend.reading() as s:  # and so inherits none of her history
        assert await s.staff.roles(newcomer.id) == []
        assert await s.progress.recent_questions(newcomer.id) == []
        assert await s.outbox.latest_unacked("telegram:vy", newcomer.id) is None


async def test_an_erasure_rolled_back_keeps_everything(backend, tx, dump):
    ids = await seed_vy(backend)
    before = await dump()
    try:
        async with backend.transaction() as s:
            await s.privacy.erase(ids["vy"], ["hash-of-vy"], NOW + 2 * DAY)
            raise RuntimeError
    except RuntimeError:
        pass
    assert await dump() == before


async def test_erasing_a_refusal_or_nobody(backend, tx):
    async with backend.transaction() as s:
        key = await s.users.anon_key("telegram:9")
        refused = await s.users.create(key, "refused", NOW)
        await s.conversations.save(key, "consent", {}, NOW)
    await tx(lambda s: s.privacy.erase(refused.id, [], NOW))
    assert await tx.read(lambda s: s.users.find("telegram:9")) is None
    assert await tx.read(lambda s: s.conversations.load(key)) is None
    await tx(lambda s: s.privacy.erase(refused.id + 50, [], NOW))  # nobody: harmless
