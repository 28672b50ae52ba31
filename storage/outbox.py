"""The outbox of bulk messages: what is queued, and how far each announcement has got.

Functions take a connection inside the caller's transaction (as in storage/repos.py), so an
announcement and its recipients' rows are written together or not at all. Sending is done by
bot/delivery.py, which is the only writer of status changes after enqueuing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

import aiosqlite

from storage.repos import iso

STATUSES = ("pending", "sending", "sent", "failed", "blocked")


@dataclass
class OutboxItem:
    """One message to one person. `buttons` are (id, label) pairs, `files` (kind, path) pairs
    with kind "image", "document" or "audio"; `not_before` holds it back until then."""

    identity: str
    text: str
    buttons: list[tuple[str, str]] = field(default_factory=list)
    files: list[tuple[str, str]] = field(default_factory=list)
    announcement_id: int | None = None
    urgent: bool = False
    not_before: dt.datetime | None = None

    def payload(self) -> str:
        return json.dumps(
            {
                "text": self.text,
                "buttons": [[str(i), str(label)] for i, label in self.buttons],
                "files": [[str(kind), str(path)] for kind, path in self.files],
            },
            ensure_ascii=False,
        )


async def enqueue(
    conn: aiosqlite.Connection, items: Iterable[OutboxItem], now: dt.datetime | None = None
) -> int:
    """Queue messages; returns how many rows were added.

    INSERT OR IGNORE on (announcement_id, identity): enqueuing an announcement again adds only
    recipients it did not have. Rows without an announcement are never deduplicated (SQL NULLs
    are all distinct).
    """
    created = iso(now or dt.datetime.now(dt.UTC))
    rows = [
        (
            item.announcement_id,
            item.identity,
            item.payload(),
            int(bool(item.urgent)),
            iso(item.not_before) if item.not_before is not None else None,
            created,
        )
        for item in items
    ]
    if not rows:
        return 0
    before = conn.total_changes
    await conn.executemany(
        "INSERT OR IGNORE INTO outbox"
        " (announcement_id, identity, payload, urgent, not_before, status, attempts, created_at)"
        " VALUES (?, ?, ?, ?, ?, 'pending', 0, ?)",
        rows,
    )
    return conn.total_changes - before


async def summary(conn: aiosqlite.Connection, announcement_id: int | None) -> dict[str, int]:
    """Rows per status for one announcement, every status present (zero if none)."""
    counts = dict.fromkeys(STATUSES, 0)
    async with conn.execute(
        "SELECT status, COUNT(*) FROM outbox WHERE announcement_id IS ? GROUP BY status",
        (announcement_id,),
    ) as cur:
        async for status, n in cur:
            counts[status] = n
    return counts


async def failures(
    conn: aiosqlite.Connection, announcement_id: int | None
) -> list[tuple[str, int]]:
    """Why rows ended 'failed' (the reason in Vietnamese, as stored), most frequent first.
    People who blocked the bot are counted by `summary` as 'blocked', not here."""
    async with conn.execute(
        "SELECT COALESCE(last_error, ''), COUNT(*) FROM outbox"
        " WHERE announcement_id IS ? AND status = 'failed'"
        " GROUP BY 1 ORDER BY 2 DESC, 1",
        (announcement_id,),
    ) as cur:
        return [(reason, n) async for reason, n in cur]
