"""store.zalo_oa: the Official Account's tokens (stored encrypted, renewed under a lease) and each
follower's conversation window; outbox rows waiting for that window."""

from __future__ import annotations

from storage.outbox import OutboxItem
from storage.repos import iso
from storage.zalo_oa import StoredTokens, Window
from tests.storage.contract import DAY, HOUR, MINUTE, NOW, learner

APP = "app-1"
LEASE = MINUTE


async def test_tokens_from_the_environment_are_stored_once_per_pair(backend, tx):
    assert await tx.read(lambda s: s.zalo_oa.tokens(APP)) is None
    seed = await tx(lambda s: s.zalo_oa.seed_tokens(APP, "A1", "R1", "mac1", NOW + DAY, NOW))
    assert seed is True
    assert await tx.read(lambda s: s.zalo_oa.tokens(APP)) == StoredTokens("A1", "R1", NOW + DAY, 1)
    # the same pair given again at the next start: what renewals stored stays
    assert await tx(lambda s: s.zalo_oa.claim_renewal(APP, NOW + HOUR, LEASE)) == 1
    held = NOW + HOUR + LEASE
    saved = await tx(
        lambda s: s.zalo_oa.save_renewal(APP, 1, "A2", "R2", NOW + 2 * DAY, NOW + HOUR, held)
    )
    assert saved is True
    assert (
        await tx(lambda s: s.zalo_oa.seed_tokens(APP, "A1", "R1", "mac1", NOW + DAY, NOW + DAY))
        is False
    )
    assert await tx.read(lambda s: s.zalo_oa.tokens(APP)) == StoredTokens(
        "A2", "R2", NOW + 2 * DAY, 2
    )
    # a new pair (the OA authorised again) replaces them, a generation later
    assert await tx(lambda s: s.zalo_oa.seed_tokens(APP, "A3", "R3", "mac2", NOW + DAY, NOW))
    assert await tx.read(lambda s: s.zalo_oa.tokens(APP)) == StoredTokens("A3", "R3", NOW + DAY, 3)
    assert await tx.read(lambda s: s.zalo_oa.tokens("app-2")) is None


async def test_one_renewal_at_a_time_under_a_lease(backend, tx):
    await tx(lambda s: s.zalo_oa.seed_tokens(APP, "A1", "R1", "mac1", NOW + HOUR, NOW))
    async with backend.transaction() as s:
        z = s.zalo_oa
        assert await z.claim_renewal(APP, NOW, LEASE) == 1
        assert await z.claim_renewal(APP, NOW + LEASE - MINUTE / 2, LEASE) is None  # held
        assert await z.claim_renewal(APP, NOW + LEASE, LEASE) == 1  # the holder died: expired
        assert await z.claim_renewal("app-2", NOW, LEASE) is None  # no such app
        held = NOW + 2 * LEASE
        assert await z.save_renewal(APP, 1, "A2", "R2", NOW + 2 * HOUR, NOW + LEASE, held)
        assert await z.tokens(APP) == StoredTokens("A2", "R2", NOW + 2 * HOUR, 2)
        assert await z.claim_renewal(APP, NOW + LEASE, LEASE) == 2  # saving ended the lease
        await z.release_renewal(APP, NOW + 2 * LEASE)
        assert await z.claim_renewal(APP, NOW + LEASE, LEASE) == 2  # so does releasing it
        await z.release_renewal("app-2", NOW)  # nothing to release: harmless


async def test_a_renewal_keeps_its_lease_while_it_runs(backend, tx):
    await tx(lambda s: s.zalo_oa.seed_tokens(APP, "A1", "R1", "mac1", NOW + HOUR, NOW))
    async with backend.transaction() as s:
        z = s.zalo_oa
        assert await z.claim_renewal(APP, NOW, LEASE) == 1
        assert await z.extend_renewal(APP, NOW + LEASE, NOW + 2 * LEASE) is True
        assert await z.claim_renewal(APP, NOW + LEASE, LEASE) is None  # still held
        assert await z.extend_renewal(APP, NOW + LEASE, NOW + 3 * LEASE) is False  # not that one
        assert await z.extend_renewal("app-2", NOW + LEASE, NOW + 3 * LEASE) is False


async def test_a_renewal_whose_lease_ran_out_undoes_nothing_of_the_next(backend, tx):
    """A worker's renewal outlived its lease (it stalled); another took the lease over and
    renewed. The first one's late release must not free the second's lease, nor its late
    save replace the second's tokens (a refresh token works once: the first's may be dead)."""
    await tx(lambda s: s.zalo_oa.seed_tokens(APP, "A1", "R1", "mac1", NOW + HOUR, NOW))
    first, second = NOW + LEASE, NOW + 2 * LEASE  # the two leases' ends
    assert await tx(lambda s: s.zalo_oa.claim_renewal(APP, NOW, LEASE)) == 1
    assert await tx(lambda s: s.zalo_oa.claim_renewal(APP, NOW + LEASE, LEASE)) == 1  # lapsed
    await tx(lambda s: s.zalo_oa.release_renewal(APP, first))  # the first gives up, late
    assert await tx(lambda s: s.zalo_oa.claim_renewal(APP, first + LEASE / 2, LEASE)) is None
    at = first + LEASE / 2
    assert await tx(lambda s: s.zalo_oa.save_renewal(APP, 1, "B2", "RB2", NOW + DAY, at, second))
    late = await tx(lambda s: s.zalo_oa.save_renewal(APP, 1, "A2", "RA2", NOW + DAY, at, first))
    assert late is False
    assert await tx.read(lambda s: s.zalo_oa.tokens(APP)) == StoredTokens("B2", "RB2", NOW + DAY, 2)


async def test_window_notes_written_late_by_another_worker_do_not_undo_a_newer_message(tx):
    """Each worker writes its notes behind, with its next transaction: a refusal or a send
    from before the person wrote again can reach the database after that message did."""
    who = "zalo_oa:1"
    await tx(lambda s: s.zalo_oa.user_wrote(who, NOW + 2 * MINUTE, "m2"))  # worker B
    await tx(lambda s: s.zalo_oa.closed(who, NOW + MINUTE))  # worker A, refused before it
    await tx(lambda s: s.zalo_oa.sent(who, "reply", 7, NOW + MINUTE))  # and sent before it
    assert await tx.read(lambda s: s.zalo_oa.window(who)) == Window(
        who, NOW + 2 * MINUTE, 0, "reply", 7, "m2"
    )
    await tx(lambda s: s.zalo_oa.sent(who, "reply", 6, NOW + 3 * MINUTE))  # after it: counted
    await tx(lambda s: s.zalo_oa.closed(who, NOW + 4 * MINUTE))  # a refusal after it: closed
    assert await tx.read(lambda s: s.zalo_oa.window(who)) == Window(who, None, 1, "reply", 6, "m2")


async def test_the_conversation_window(backend, tx):
    who = "zalo_oa:1"
    async with backend.transaction() as s:
        z = s.zalo_oa
        assert await z.window(who) is None
        await z.user_wrote(who, NOW)
        assert await z.window(who) == Window(who, NOW, 0, None, None)
        await z.sent(who, "reply", 7, NOW + MINUTE)
        await z.sent(who, "reply", 6, NOW + 2 * MINUTE)
        assert await z.window(who) == Window(who, NOW, 2, "reply", 6)
        await z.user_wrote(who, NOW + HOUR)  # a new window: the count starts again
        assert await z.window(who) == Window(who, NOW + HOUR, 0, "reply", 6)
        await z.closed(who, NOW + 2 * HOUR)
        assert await z.window(who) == Window(who, None, 0, "reply", 6)
        # sent to a learner who never wrote here (a proactive message)
        await learner(s, "zalo_oa:2")
        await z.sent("zalo_oa:2", "sub_quota", None, NOW)
        assert await z.window("zalo_oa:2") == Window("zalo_oa:2", None, 1, "sub_quota", None)
        # sent to an identity nobody holds (erased meanwhile) with no window: nothing kept
        await z.sent("zalo_oa:gone", "reply", 7, NOW)
        assert await z.window("zalo_oa:gone") is None
        await z.forget(who)
        assert await z.window(who) is None
        await z.closed("zalo_oa:404", NOW)  # nobody: harmless
        assert await z.window("zalo_oa:404") is None


async def test_the_window_keeps_the_message_a_reply_names(backend, tx):
    who = "zalo_oa:7"
    async with backend.transaction() as s:
        z = s.zalo_oa
        await z.user_wrote(who, NOW, "msg-1")
        assert (await z.window(who)).last_msg_id == "msg-1"
        await z.sent(who, "reply", 7, NOW + MINUTE)
        assert (await z.window(who)).last_msg_id == "msg-1"  # sending does not change it
        await z.user_wrote(who, NOW + HOUR, "msg-2")
        assert await z.window(who) == Window(who, NOW + HOUR, 0, "reply", 7, "msg-2")
        await z.user_wrote(who, NOW + 2 * HOUR)  # an event without an id keeps the last one
        assert await z.window(who) == Window(who, NOW + 2 * HOUR, 0, "reply", 7, "msg-2")
        await z.closed(who, NOW + 3 * HOUR)
        assert (await z.window(who)).last_msg_id == "msg-2"


async def test_reachable_counts_open_windows(backend, tx):
    async with backend.transaction() as s:
        z = s.zalo_oa
        await z.user_wrote("zalo_oa:1", NOW)
        await z.user_wrote("zalo_oa:2", NOW - 2 * DAY)  # too long ago
        await z.user_wrote("zalo_oa:3", NOW + HOUR)
        for _ in range(8):
            await z.sent("zalo_oa:3", "reply", None, NOW + HOUR)  # used up
        await z.sent("zalo_oa:4", "sub_quota", 1, NOW)  # never wrote
        assert await z.reachable(NOW - DAY, 8) == 1
        assert await z.reachable(NOW - DAY, 9) == 2
        assert await z.reachable(NOW - 3 * DAY, 9) == 3
        assert await z.reachable(NOW, 8) == 1  # wrote exactly then counts


async def test_waiting_rows_wake_when_the_person_writes(backend, tx):
    waiting, other = "hết hạn mức", "lỗi mạng"
    later = iso(NOW + 30 * DAY)
    await tx(
        lambda s: s.outbox.enqueue(
            [OutboxItem("zalo_oa:1", str(i), announcement_id=i) for i in range(4)]
            + [OutboxItem("zalo_oa:2", "x", announcement_id=1)],
            NOW,
        )
    )
    async with backend.transaction() as s:
        rows = await s.outbox.claim("zalo_oa:", NOW, False, 10)
        by = {(r.identity, r.payload): r.id for r in rows}
        ids = [r.id for r in rows if r.identity == "zalo_oa:1"]
        await s.outbox.record(
            [
                ("pending", 0, waiting, later, None, ids[0]),
                ("pending", 0, waiting, later, None, ids[1]),
                ("pending", 1, other, later, None, ids[2]),  # a retry, not a wait
                ("sent", 1, None, None, iso(NOW), ids[3]),
                ("pending", 0, waiting, later, None, max(by.values())),  # someone else's
            ]
        )
        assert await s.outbox.claim("zalo_oa:", NOW + HOUR, False, 10) == []
        assert await s.zalo_oa.wake_waiting("zalo_oa:1", [waiting], NOW + HOUR) == 2
        woken = await s.outbox.claim("zalo_oa:", NOW + HOUR, False, 10)
        assert sorted(r.id for r in woken) == sorted(ids[:2])
        assert await s.zalo_oa.wake_waiting("zalo_oa:9", [waiting], NOW + HOUR) == 0
        assert await s.zalo_oa.wake_waiting("zalo_oa:1", [], NOW + HOUR) == 0


async def test_a_window_goes_with_the_learner(backend, tx):
    async with backend.transaction() as s:
        a = await learner(s, "zalo_oa:1")
        await s.identities.link("zalo_oa:2", a.id, NOW)
        b = await learner(s, "zalo_oa:3")
        await s.identities.link("zalo_oa:4", b.id, NOW)
        for who in ("zalo_oa:1", "zalo_oa:2", "zalo_oa:3", "zalo_oa:4", "zalo_oa:5"):
            await s.zalo_oa.user_wrote(who, NOW)
    await tx(lambda s: s.privacy.erase(a.id, [], NOW))
    await tx(lambda s: s.users.delete(b.id))
    async with backend.reading() as s:
        for who in ("zalo_oa:1", "zalo_oa:2", "zalo_oa:3", "zalo_oa:4"):
            assert await s.zalo_oa.window(who) is None, who
        assert await s.zalo_oa.window("zalo_oa:5") is not None
