"""Several workers on one database (migration 0160): store.inbox claims one chat's oldest open
row under a lease, store.outbox claims rows under a lease and takes over a dead worker's, and
the due work (reminders, announcements, report subscriptions) is taken once."""

from __future__ import annotations

import datetime as dt

from storage.outbox import OutboxItem
from storage.repos import iso
from tests.storage.contract import DAY, HOUR, MINUTE, NOW, learner

SEC = dt.timedelta(seconds=1)
LEASE = 60 * SEC


async def put(s, chat: str, update_id: str, channel: str = "telegram") -> int:
    return await s.inbox.put(channel, update_id, f"{channel}:{chat}", "{}", NOW)


async def test_inbox_claim_takes_the_oldest_open_row_of_each_chat(backend, tx):
    async with backend.transaction() as s:
        a1, b1, a2, b2 = [await put(s, c, u) for c, u in (("a", "1"), ("b", "2"), ("a", "3"),
                                                          ("b", "4"))]  # fmt: skip
        z1 = await put(s, "a", "1", channel="zalo")
    assert await tx.read(lambda s: s.inbox.claimable(["telegram"], NOW)) is True
    assert await tx.read(lambda s: s.inbox.claimable(["oa"], NOW)) is False
    assert await tx.read(lambda s: s.inbox.claimable([], NOW)) is False
    got = await tx(lambda s: s.inbox.claim(["telegram"], "w1", NOW, NOW + LEASE, 10))
    assert [(r.id, r.chat, r.attempts, r.status) for r in got] == [
        (a1, "telegram:a", 1, "pending"),
        (b1, "telegram:b", 1, "pending"),
    ]
    # while a chat's oldest row is held, nobody gets that chat: not its next row, not the row
    assert await tx.read(lambda s: s.inbox.claimable(["telegram"], NOW)) is False
    assert await tx(lambda s: s.inbox.claim(["telegram"], "w2", NOW, NOW + LEASE, 10)) == []
    # other channels are claimed only when asked for
    (z,) = await tx(lambda s: s.inbox.claim(["zalo", "telegram"], "w2", NOW, NOW + LEASE, 10))
    assert z.id == z1
    # a's first row done: its second is next, for whoever claims
    await tx(lambda s: s.inbox.done(a1, NOW))
    got = await tx(lambda s: s.inbox.claim(["telegram"], "w2", NOW, NOW + LEASE, 10))
    assert [r.id for r in got] == [a2]
    # a failed row does not hold its chat up either
    await tx(lambda s: s.inbox.fail(b1, NOW))
    got = await tx(lambda s: s.inbox.claim(["telegram"], "w1", NOW, NOW + LEASE, 10))
    assert [r.id for r in got] == [b2]
    assert await tx(lambda s: s.inbox.claim([], "w1", NOW, NOW + LEASE, 10)) == []
    assert await tx(lambda s: s.inbox.claim(["telegram"], "w1", NOW, NOW + LEASE, 0)) == []


async def test_inbox_claim_respects_the_limit_oldest_chats_first(backend, tx):
    async with backend.transaction() as s:
        ids = [await put(s, str(i), str(i)) for i in range(5)]
    got = await tx(lambda s: s.inbox.claim(["telegram"], "w1", NOW, NOW + LEASE, 2))
    assert [r.id for r in got] == ids[:2]
    got = await tx(lambda s: s.inbox.claim(["telegram"], "w2", NOW, NOW + LEASE, 10))
    assert [r.id for r in got] == ids[2:]


async def test_an_expired_inbox_lease_is_taken_over_and_renewed_leases_are_not(backend, tx):
    async with backend.transaction() as s:
        a, b = await put(s, "a", "1"), await put(s, "b", "2")
    await tx(lambda s: s.inbox.claim(["telegram"], "dead", NOW, NOW + LEASE, 10))
    # "alive" renews its row b; "dead" stops renewing a
    assert await tx(lambda s: s.inbox.claim(["telegram"], "w", NOW, NOW + LEASE, 10)) == []
    assert await tx(lambda s: s.inbox.renew("dead", [b], NOW + 3 * LEASE)) == 1
    assert await tx(lambda s: s.inbox.renew("other", [a], NOW + 3 * LEASE)) == 0  # not theirs
    later = NOW + LEASE + SEC
    got = await tx(lambda s: s.inbox.claim(["telegram"], "w", later, later + LEASE, 10))
    assert [(r.id, r.attempts) for r in got] == [(a, 2)]  # the second attempt at it
    # the one who lost it can no longer renew it; a row done is not renewed either
    assert await tx(lambda s: s.inbox.renew("dead", [a], later + LEASE)) == 0
    await tx(lambda s: s.inbox.done(a, later))
    assert await tx(lambda s: s.inbox.renew("w", [a], later + LEASE)) == 0


async def test_a_released_inbox_row_is_claimable_at_once(backend, tx):
    row = await tx(lambda s: put(s, "a", "1"))
    await tx(lambda s: s.inbox.claim(["telegram"], "w1", NOW, NOW + LEASE, 10))
    await tx(lambda s: s.inbox.release(row, "w2"))  # only the holder can give it back
    assert await tx(lambda s: s.inbox.claim(["telegram"], "w2", NOW, NOW + LEASE, 10)) == []
    await tx(lambda s: s.inbox.release(row, "w1"))
    (again,) = await tx(lambda s: s.inbox.claim(["telegram"], "w2", NOW, NOW + LEASE, 10))
    assert (again.id, again.attempts) == (row, 2)


async def test_an_answered_row_is_claimed_with_its_replies(backend, tx):
    row = await tx(lambda s: put(s, "a", "1"))
    await tx(lambda s: s.inbox.answered(row, '[{"text": "Dạ"}]'))
    (got,) = await tx(lambda s: s.inbox.claim(["telegram"], "w", NOW, NOW + LEASE, 10))
    assert (got.status, got.replies) == ("answered", '[{"text": "Dạ"}]')


async def enqueue(tx, n: int) -> None:
    items = [OutboxItem(f"telegram:{i}", f"Tin {i}", announcement_id=1) for i in range(n)]
    await tx(lambda s: s.outbox.enqueue(items, NOW))


async def test_outbox_rows_claimed_with_a_lease_go_to_one_worker(backend, tx):
    await enqueue(tx, 5)
    one = await tx(lambda s: s.outbox.claim("telegram:", NOW, False, 3, "w1", NOW + LEASE))
    two = await tx(lambda s: s.outbox.claim("telegram:", NOW, False, 3, "w2", NOW + LEASE))
    assert len(one) == 3 and len(two) == 2
    assert not {r.id for r in one} & {r.id for r in two}
    assert await tx(lambda s: s.outbox.claim("telegram:", NOW, False, 3, "w3", NOW + LEASE)) == []
    # w1 renews; w2 dies: after the lease its rows (and only those) go to the next claim
    assert await tx(lambda s: s.outbox.renew("w1", NOW + 3 * LEASE)) == 3
    later = NOW + LEASE + SEC
    taken = await tx(lambda s: s.outbox.claim("telegram:", later, False, 10, "w3", later + LEASE))
    assert sorted(r.id for r in taken) == sorted(r.id for r in two)
    # w2's late outcomes are not written over w3's hold; w3's are
    await tx(lambda s: s.outbox.record([("sent", 1, None, None, iso(NOW), two[0].id)], "w2"))
    assert await tx.read(lambda s: s.outbox.summary(1)) == {
        "pending": 0, "sending": 5, "sent": 0, "failed": 0, "blocked": 0,
    }  # fmt: skip
    await tx(lambda s: s.outbox.record([("sent", 1, None, None, iso(later), two[0].id)], "w3"))
    assert (await tx.read(lambda s: s.outbox.summary(1)))["sent"] == 1
    # a row recorded back to pending is claimable at once, by anyone
    await tx(lambda s: s.outbox.record([("pending", 1, "mạng", None, None, one[0].id)], "w1"))
    (back,) = await tx(lambda s: s.outbox.claim("telegram:", later, False, 10, "w3", later + LEASE))
    assert (back.id, back.attempts) == (one[0].id, 1)


async def test_outbox_claim_without_an_owner_leaves_sending_rows_alone(backend, tx):
    await enqueue(tx, 2)
    await tx(lambda s: s.outbox.claim("telegram:", NOW, False, 1, "w1", NOW + LEASE))
    later = NOW + DAY  # long past the lease: still one process alone never takes it over
    got = await tx(lambda s: s.outbox.claim("telegram:", later, False, 10))
    assert len(got) == 1
    assert (await tx.read(lambda s: s.outbox.summary(1)))["sending"] == 2


async def test_a_reminder_is_claimed_once_a_day(backend, tx):
    user = await tx(lambda s: learner(s, "telegram:1", reminder_time="08:00"))
    day = NOW - 8 * HOUR
    assert await tx(lambda s: s.users.claim_reminder(user.id, day, NOW)) == 0  # ignored so far
    assert await tx(lambda s: s.users.claim_reminder(user.id, day, NOW + MINUTE)) is None
    (got,) = await tx.read(lambda s: s.users.reminder_candidates("08:00"))
    assert got[2] == iso(NOW)
    # the next day it can be claimed again, and the claim reads the count as it stands
    await tx(lambda s: s.users.update(user.id, reminders_ignored=2))
    assert await tx(lambda s: s.users.claim_reminder(user.id, day + DAY, NOW + DAY)) == 2
    assert await tx(lambda s: s.users.claim_reminder(9999, day, NOW)) is None


async def test_a_scheduled_announcement_is_queued_once(backend, tx):
    async with backend.transaction() as s:
        admin = await learner(s, "telegram:admin")
        ann = await s.staff.create_announcement(
            admin.id, "all", "chuyen_doi_so", "Họp", None, NOW, False, NOW
        )
    assert await tx(lambda s: s.staff.mark_queued(ann, 3)) is True
    assert await tx(lambda s: s.staff.mark_queued(ann, 3)) is False
    assert await tx.read(lambda s: s.staff.due_announcements(NOW + HOUR)) == []


async def test_a_due_report_subscription_is_taken_once(backend, tx):
    async with backend.transaction() as s:
        a = await learner(s, "telegram:1")
        await s.reports.subscribe(a.id, "all", "month", NOW)
    assert await tx(lambda s: s.reports.take_due(a.id, "all", NOW, NOW + 30 * DAY)) is True
    assert await tx(lambda s: s.reports.take_due(a.id, "all", NOW, NOW + 30 * DAY)) is False
    assert await tx.read(lambda s: s.reports.due_subscriptions(NOW + DAY)) == []
    assert await tx(lambda s: s.reports.take_due(a.id, "none", NOW, NOW + DAY)) is False
