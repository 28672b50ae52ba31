"""The outbox as storage: enqueuing twice adds nobody twice; counts and reasons per announcement."""

from __future__ import annotations

import datetime as dt
import json

from storage import outbox
from storage.outbox import OutboxItem
from storage.store import Store
from tests.delivery.conftest import DAY, announce, rows


async def test_enqueuing_an_announcement_twice_adds_no_recipient_twice(db):
    people = [f"telegram:{n}" for n in range(1, 6)]
    assert await announce(db, 7, people) == 5
    assert await announce(db, 7, people) == 0  # the composer pressed twice, or crashed between
    assert await announce(db, 7, [*people, "zalo:new"]) == 1  # only the newcomer
    assert await announce(db, 8, people[:2]) == 2  # another announcement is another message
    assert await rows(db, "SELECT COUNT(*) FROM outbox WHERE announcement_id = 7") == [(6,)]


async def test_rows_without_an_announcement_are_not_deduplicated(db):
    assert await announce(db, None, ["telegram:1"]) == 1
    assert await announce(db, None, ["telegram:1"]) == 1


async def test_payload_fields_and_defaults(db):
    later = DAY + dt.timedelta(hours=2)
    item = OutboxItem(
        "telegram:9",
        "Họp chi hội",
        buttons=[("ann:ack:3", "Đã đọc")],
        files=[("image", "/tmp/x.png")],
        announcement_id=3,
        urgent=True,
        not_before=later,
    )
    async with db.sql(write=True) as conn:
        assert await Store(conn).outbox.enqueue([item], now=DAY) == 1
        assert await Store(conn).outbox.enqueue([]) == 0
    [(payload, urgent, not_before, status, attempts, created)] = await rows(
        db, "SELECT payload, urgent, not_before, status, attempts, created_at FROM outbox"
    )
    assert json.loads(payload) == {
        "text": "Họp chi hội",
        "buttons": [["ann:ack:3", "Đã đọc"]],
        "files": [["image", "/tmp/x.png"]],
    }
    assert (urgent, status, attempts) == (1, "pending", 0)
    assert not_before == "2026-11-23T05:00:00+00:00" and created == "2026-11-23T03:00:00+00:00"


async def test_summary_counts_every_status_and_failures_group_reasons(db):
    await announce(db, 1, [f"telegram:{n}" for n in range(6)])
    async with db.sql(write=True) as conn:
        assert await Store(conn).outbox.summary(1) == {
            "pending": 6, "sending": 0, "sent": 0, "failed": 0, "blocked": 0,
        }  # fmt: skip
        assert await Store(conn).outbox.summary(99) == dict.fromkeys(outbox.STATUSES, 0)
        assert await Store(conn).outbox.failures(1) == []
        for n, status, error in [
            (0, "sent", None),
            (1, "failed", "Lỗi A"),
            (2, "failed", "Lỗi B"),
            (3, "failed", "Lỗi B"),
            (4, "blocked", "Người nhận đã chặn bot"),
        ]:
            await conn.execute(
                "UPDATE outbox SET status = ?, last_error = ? WHERE identity = ?",
                (status, error, f"telegram:{n}"),
            )
        assert await Store(conn).outbox.summary(1) == {
            "pending": 1, "sending": 0, "sent": 1, "failed": 3, "blocked": 1,
        }  # fmt: skip
        assert await Store(conn).outbox.failures(1) == [("Lỗi B", 2), ("Lỗi A", 1)]


async def test_the_claim_query_uses_the_pending_index(db):
    plan = await rows(
        db,
        "EXPLAIN QUERY PLAN SELECT id FROM outbox WHERE status = 'pending'"
        " AND substr(identity, 1, 9) = 'telegram:' AND (not_before IS NULL OR not_before <= ?)"
        " AND (urgent = 1 OR 0 = 0) ORDER BY urgent DESC, id LIMIT 50",
        "2026-01-01",
    )
    detail = " ".join(str(r[-1]) for r in plan)
    assert "outbox_pending" in detail and "TEMP B-TREE" not in detail, detail
