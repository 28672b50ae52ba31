"""store.outbox: queueing without duplicates, claiming, recording outcomes, crash recovery,
per-announcement counts and acknowledgements."""

from __future__ import annotations

import json

import pytest

from storage.outbox import Claimed, OutboxItem
from storage.repos import iso
from tests.storage.contract import HOUR, MINUTE, NOW, learner

ZERO = {"pending": 0, "sending": 0, "sent": 0, "failed": 0, "blocked": 0}


def counts(**n: int) -> dict[str, int]:
    return {**ZERO, **n}


async def test_enqueue_counts_rows_and_skips_recipients_already_queued(tx):
    items = [OutboxItem(f"telegram:{i}", "Chào", announcement_id=1) for i in range(3)]
    assert await tx(lambda s: s.outbox.enqueue(items, NOW)) == 3
    assert await tx(lambda s: s.outbox.enqueue(items, NOW)) == 0
    more = [*items, OutboxItem("zalo:9", "Chào", announcement_id=1)]
    assert await tx(lambda s: s.outbox.enqueue(more, NOW)) == 1
    # a recipient twice in one batch is one row
    twice = OutboxItem("zalo:8", "Chào", announcement_id=1)
    assert await tx(lambda s: s.outbox.enqueue([twice, twice], NOW)) == 1
    # the same person for another announcement is another row
    again = OutboxItem("telegram:0", "x", announcement_id=2)
    assert await tx(lambda s: s.outbox.enqueue([again])) == 1
    assert await tx.read(lambda s: s.outbox.summary(1)) == counts(pending=5)
    assert await tx.read(lambda s: s.outbox.summary(2)) == counts(pending=1)
    assert await tx(lambda s: s.outbox.enqueue([], NOW)) == 0


async def test_messages_without_an_announcement_are_never_deduplicated(tx):
    item = OutboxItem("telegram:1", "Báo cáo tháng")
    assert await tx(lambda s: s.outbox.enqueue([item, item], NOW)) == 2
    assert await tx(lambda s: s.outbox.enqueue([item], NOW)) == 1
    assert await tx.read(lambda s: s.outbox.summary(None)) == counts(pending=3)


async def test_claim_takes_one_channels_due_rows_urgent_first(backend, tx):
    later = NOW + HOUR
    await tx(
        lambda s: s.outbox.enqueue(
            [
                OutboxItem("telegram:1", "a", [("ack:1", "✅ Đã đọc")], announcement_id=1),
                OutboxItem("zalo:1", "b", announcement_id=1),
                OutboxItem("telegram:2", "c", announcement_id=1, not_before=later),
                OutboxItem("telegram:3", "d", files=[("image", "/m/a.jpg")], urgent=True),
                OutboxItem("telegram:4", "e", announcement_id=1, not_before=NOW),
            ],
            NOW,
        )
    )
    async with backend.transaction() as s:
        got = await s.outbox.claim("telegram:", NOW, quiet=False, limit=10)
        assert [(c.identity, c.urgent, c.attempts) for c in got] == [
            ("telegram:3", True, 0),
            ("telegram:1", False, 0),
            ("telegram:4", False, 0),
        ]
        assert all(isinstance(c, Claimed) for c in got)
        assert json.loads(got[0].payload) == {
            "text": "d",
            "buttons": [],
            "files": [["image", "/m/a.jpg"]],
        }
        assert json.loads(got[1].payload)["buttons"] == [["ack:1", "✅ Đã đọc"]]
        # claimed rows are not claimed again; held rows wait for their time
        assert await s.outbox.claim("telegram:", NOW, quiet=False, limit=10) == []
        assert [c.identity for c in await s.outbox.claim("telegram:", later, False, 10)] == [
            "telegram:2"
        ]
        assert await s.outbox.summary(1) == counts(pending=1, sending=3)


async def test_claim_respects_the_limit_and_quiet_hours(backend, tx):
    await tx(
        lambda s: s.outbox.enqueue(
            [OutboxItem(f"telegram:{i}", str(i), announcement_id=1) for i in range(5)]
            + [OutboxItem("telegram:u", "urgent", announcement_id=1, urgent=True)],
            NOW,
        )
    )
    async with backend.transaction() as s:
        quiet = await s.outbox.claim("telegram:", NOW, quiet=True, limit=10)
        assert [c.identity for c in quiet] == ["telegram:u"]  # only urgent ones at night
        first = await s.outbox.claim("telegram:", NOW, quiet=False, limit=2)
        assert [c.identity for c in first] == ["telegram:0", "telegram:1"]  # oldest first
        rest = await s.outbox.claim("telegram:", NOW, quiet=False, limit=10)
        assert [c.identity for c in rest] == ["telegram:2", "telegram:3", "telegram:4"]
        assert await s.outbox.claim("zalo:", NOW, quiet=False, limit=10) == []


async def test_record_settles_only_rows_still_being_sent(backend, tx):
    await tx(
        lambda s: s.outbox.enqueue(
            [OutboxItem(f"telegram:{i}", str(i), announcement_id=1) for i in range(4)], NOW
        )
    )
    async with backend.transaction() as s:
        a, b, c, d = await s.outbox.claim("telegram:", NOW, False, 10)
        retry_at = iso(NOW + MINUTE)
        await s.outbox.record(
            [
                ("sent", 1, None, None, iso(NOW), a.id),
                ("failed", 1, "Lỗi mạng", None, None, b.id),
                ("pending", 1, "Quá tải", retry_at, None, c.id),
                ("blocked", 1, "Đã chặn", None, None, d.id),
            ]
        )
        assert await s.outbox.summary(1) == counts(sent=1, failed=1, pending=1, blocked=1)
        # a second outcome for a settled row changes nothing
        await s.outbox.record([("failed", 1, "late", None, None, a.id)])
        assert await s.outbox.summary(1) == counts(sent=1, failed=1, pending=1, blocked=1)
        # the retried row waits for its not_before, then comes back with its attempt counted
        assert await s.outbox.claim("telegram:", NOW, False, 10) == []
        (again,) = await s.outbox.claim("telegram:", NOW + MINUTE, False, 10)
        assert (again.id, again.attempts) == (c.id, 1)
        # an error recorded earlier is kept when the next outcome gives none
        await s.outbox.record([("failed", 1, None, None, None, c.id)])
        assert await s.outbox.failures(1) == [("Lỗi mạng", 1), ("Quá tải", 1)]


async def test_failures_are_grouped_most_frequent_first(backend, tx):
    await tx(
        lambda s: s.outbox.enqueue(
            [OutboxItem(f"telegram:{i}", str(i), announcement_id=7) for i in range(6)], NOW
        )
    )
    async with backend.transaction() as s:
        rows = await s.outbox.claim("telegram:", NOW, False, 10)
        reasons = ["B lỗi", "A lỗi", "B lỗi", None, "C lỗi", None]
        await s.outbox.record(
            [("failed", 1, why, None, None, r.id) for why, r in zip(reasons, rows, strict=True)]
        )
    # ties by reason; a failure without a reason is counted under ''
    assert await tx.read(lambda s: s.outbox.failures(7)) == [
        ("", 2),
        ("B lỗi", 2),
        ("A lỗi", 1),
        ("C lỗi", 1),
    ]
    assert await tx.read(lambda s: s.outbox.failures(8)) == []


async def test_settle_blocked(backend, tx):
    await tx(
        lambda s: s.outbox.enqueue(
            [OutboxItem(f"telegram:{i}", str(i), announcement_id=1) for i in range(3)], NOW
        )
    )
    async with backend.transaction() as s:
        rows = await s.outbox.claim("telegram:", NOW, False, 10)
        await s.outbox.settle_blocked([rows[0].id, rows[2].id], "Người nhận đã chặn")
        await s.outbox.settle_blocked([], "nobody")
        assert await s.outbox.summary(1) == counts(blocked=2, sending=1)
        assert await s.outbox.failures(1) == []  # blocked people are not failures


async def test_release_sending_after_a_crash(backend, tx):
    await tx(
        lambda s: s.outbox.enqueue(
            [OutboxItem(f"telegram:{i}", str(i), announcement_id=1) for i in range(3)]
            + [OutboxItem("zalo:1", "z", announcement_id=1)],
            NOW,
        )
    )
    async with backend.transaction() as s:
        taken = await s.outbox.claim("telegram:", NOW, False, 2)
        await s.outbox.record([("sent", 1, None, None, iso(NOW), taken[0].id)])
    assert await tx(lambda s: s.outbox.release_sending()) == 1
    assert await tx(lambda s: s.outbox.release_sending()) == 0
    assert await tx.read(lambda s: s.outbox.summary(1)) == counts(sent=1, pending=3)
    again = await tx(lambda s: s.outbox.claim("telegram:", NOW, False, 10))
    assert [r.identity for r in again] == ["telegram:1", "telegram:2"]  # back in their place
    assert again[0].id == taken[1].id


async def test_pending_prefixes_and_fail_pending(backend, tx):
    await tx(
        lambda s: s.outbox.enqueue(
            [
                OutboxItem("telegram:1", "a", announcement_id=1),
                OutboxItem("telegram:2", "b", announcement_id=1),
                OutboxItem("zalo:1", "c", announcement_id=1),
                OutboxItem("zalooa:1", "d", announcement_id=1),
            ],
            NOW,
        )
    )
    # order unspecified: compared as a set
    assert sorted(await tx.read(lambda s: s.outbox.pending_prefixes())) == [
        "telegram:",
        "zalo:",
        "zalooa:",
    ]
    assert await tx(lambda s: s.outbox.fail_pending("zalo:", "Kênh Zalo chưa bật")) == 1
    assert await tx(lambda s: s.outbox.fail_pending("zalo:", "again")) == 0
    assert sorted(await tx.read(lambda s: s.outbox.pending_prefixes())) == [
        "telegram:",
        "zalooa:",
    ]
    assert await tx.read(lambda s: s.outbox.summary(1)) == counts(pending=3, failed=1)
    assert await tx.read(lambda s: s.outbox.failures(1)) == [("Kênh Zalo chưa bật", 1)]


async def test_latest_unacked_and_received(backend, tx):
    async with backend.transaction() as s:
        u = await learner(s, "telegram:1")
        first = await s.staff.create_announcement(
            u.id, "all", "chuyen_doi_so", "1", None, NOW, False, NOW
        )
        second = await s.staff.create_announcement(
            u.id, "all", "viec_lam", "2", None, NOW, False, NOW
        )
        assert await s.outbox.latest_unacked("telegram:1", u.id) is None
        await s.outbox.enqueue([OutboxItem("telegram:1", "1", announcement_id=first)], NOW)
        await s.outbox.enqueue([OutboxItem("telegram:1", "report")], NOW)  # not an announcement
        await s.outbox.enqueue([OutboxItem("telegram:1", "2", announcement_id=second)], NOW)
        await s.outbox.enqueue([OutboxItem("zalo:1", "2", announcement_id=second)], NOW)
    async with backend.transaction() as s:
        assert await s.outbox.latest_unacked("telegram:1", u.id) == second  # the newest
        await s.staff.ack(second, u.id, NOW)
        assert await s.outbox.latest_unacked("telegram:1", u.id) == first
        await s.staff.ack(first, u.id, NOW)
        assert await s.outbox.latest_unacked("telegram:1", u.id) is None
        assert await s.outbox.latest_unacked("zalo:1", u.id) is None  # acked by the learner
        assert await s.outbox.received("telegram:1", first) is True
        assert await s.outbox.received("zalo:1", first) is False
        assert await s.outbox.received("telegram:2", second) is False


@pytest.mark.parametrize("status", ["sent", "failed", "blocked"])
async def test_settled_rows_are_never_claimed_again(backend, tx, status):
    await tx(lambda s: s.outbox.enqueue([OutboxItem("telegram:1", "a", announcement_id=1)], NOW))
    async with backend.transaction() as s:
        (row,) = await s.outbox.claim("telegram:", NOW, False, 10)
        await s.outbox.record([(status, 1, None, None, None, row.id)])
    assert await tx(lambda s: s.outbox.release_sending()) == 0
    assert await tx(lambda s: s.outbox.claim("telegram:", NOW + HOUR, False, 10)) == []
    assert await tx(lambda s: s.outbox.fail_pending("telegram:", "x")) == 0
    assert await tx.read(lambda s: s.outbox.summary(1)) == counts(**{status: 1})


# --- the shared pace of sending (bot/delivery.Pacer) ---


async def test_send_slots_are_booked_from_now_and_never_overlap(tx):
    t0 = 1_800_000_000.0
    # an idle channel: the first slot is now
    assert await tx(lambda s: s.outbox.reserve_sends("telegram", 3, 0.5, t0)) == t0
    # the next booking starts where the last ended, even if asked earlier
    assert await tx(lambda s: s.outbox.reserve_sends("telegram", 2, 0.5, t0 + 0.1)) == t0 + 1.5
    # each channel has its own pace
    assert await tx(lambda s: s.outbox.reserve_sends("zalo", 1, 0.1, t0)) == t0
    # after a quiet spell the slots start at now again, not in the past
    assert await tx(lambda s: s.outbox.reserve_sends("telegram", 1, 0.5, t0 + 10)) == t0 + 10


async def test_concurrent_bookings_get_disjoint_slots(tx):
    t0 = 1_800_000_000.0
    starts = []
    for _ in range(10):  # as ten workers would, each in its own transaction
        starts.append(await tx(lambda s: s.outbox.reserve_sends("telegram", 4, 0.25, t0)))
    assert starts == [t0 + i for i in range(10)]


async def test_a_hold_moves_the_next_slot_later_never_earlier(tx):
    t0 = 1_800_000_000.0
    await tx(lambda s: s.outbox.hold_sends("telegram", t0 + 5))  # a 429 before any booking
    assert await tx(lambda s: s.outbox.reserve_sends("telegram", 1, 1.0, t0)) == t0 + 5
    await tx(lambda s: s.outbox.hold_sends("telegram", t0 + 2))  # an older, shorter pause
    assert await tx(lambda s: s.outbox.reserve_sends("telegram", 1, 1.0, t0)) == t0 + 6
    await tx(lambda s: s.outbox.hold_sends("telegram", t0 + 30))
    assert await tx(lambda s: s.outbox.reserve_sends("telegram", 2, 1.0, t0 + 1)) == t0 + 30
    # the other channels are not held
    assert await tx(lambda s: s.outbox.reserve_sends("zalo", 1, 1.0, t0)) == t0


async def test_sent_message_ids_lead_back_to_their_announcement(backend, tx):
    async with backend.transaction() as s:
        u = await learner(s, "telegram:1")
        ann = await s.staff.create_announcement(
            u.id, "all", "chuyen_doi_so", "1", None, NOW, False, NOW
        )
        await s.outbox.enqueue([OutboxItem("telegram:1", "1", announcement_id=ann)], NOW)
        await s.outbox.enqueue([OutboxItem("telegram:1", "report")], NOW)  # not an announcement
        rows = await s.outbox.claim("telegram:", NOW, False, 10)
    by_text = {json.loads(r.payload)["text"]: r.id for r in rows}
    async with backend.transaction() as s:
        await s.outbox.remember_messages(
            [("telegram:1", "501", by_text["1"]), ("telegram:1", "502", by_text["1"]),
             ("telegram:1", "503", by_text["report"])]
        )  # fmt: skip
        await s.outbox.remember_messages([("telegram:1", "501", by_text["1"])])  # again: ignored
        await s.outbox.remember_messages([])
    async with backend.reading() as s:
        assert await s.outbox.announcement_of("telegram:1", "501") == ann
        assert await s.outbox.announcement_of("telegram:1", "502") == ann  # a file, then text
        assert await s.outbox.announcement_of("telegram:1", "503") is None  # not an announcement
        assert await s.outbox.announcement_of("telegram:2", "501") is None  # someone else's chat
        assert await s.outbox.announcement_of("telegram:1", "999") is None
