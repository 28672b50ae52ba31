"""The outbox of bulk messages: what is queued, and how far each announcement has got.

The repository works inside the caller's transaction (as in storage/repos.py), so an
announcement and its recipients' rows are written together or not at all. Sending is done by
bot/delivery.py, the only caller of the status changes after enqueuing (claim, record).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from storage.repos import iso, skip_locked
from storage.sql import Conn, position

COLON = "':'"

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


@dataclass(frozen=True)
class Claimed:
    """A row taken for sending (status 'sending')."""

    id: int
    identity: str
    payload: str
    urgent: bool
    attempts: int


#: One outcome: (status, attempts added, error or None, not_before or None, sent_at, row id).
Outcome = tuple[str, int, str | None, str | None, str | None, int]


class OutboxRepo:
    def __init__(self, conn: Conn):
        self.conn = conn

    async def enqueue(self, items: Iterable[OutboxItem], now: dt.datetime | None = None) -> int:
        """Queue messages; returns how many rows were added.

        ON CONFLICT DO NOTHING on (announcement_id, identity): enqueuing an announcement again adds
        only recipients it did not have. Rows without an announcement are never deduplicated
        (SQL NULLs are all distinct).
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
        before = self.conn.total_changes
        await self.conn.executemany(
            "INSERT INTO outbox"
            " (announcement_id, identity, payload, urgent, not_before, status, attempts,"
            " created_at) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?) ON CONFLICT DO NOTHING",
            rows,
        )
        return self.conn.total_changes - before

    async def summary(self, announcement_id: int | None) -> dict[str, int]:
        """Rows per status for one announcement, every status present (zero if none)."""
        counts = dict.fromkeys(STATUSES, 0)
        async with self.conn.execute(
            "SELECT status, COUNT(*) FROM outbox WHERE announcement_id IS NOT DISTINCT FROM ?"
            " GROUP BY status",
            (announcement_id,),
        ) as cur:
            async for status, n in cur:
                counts[status] = n
        return counts

    async def failures(self, announcement_id: int | None) -> list[tuple[str, int]]:
        """Why rows ended 'failed' (the reason in Vietnamese, as stored), most frequent first.
        People who blocked the bot are counted by `summary` as 'blocked', not here."""
        async with self.conn.execute(
            "SELECT COALESCE(last_error, ''), COUNT(*) FROM outbox"
            " WHERE announcement_id IS NOT DISTINCT FROM ? AND status = 'failed'"
            " GROUP BY 1 ORDER BY 2 DESC, 1",
            (announcement_id,),
        ) as cur:
            return [(reason, n) async for reason, n in cur]

    # --- the sender's side (bot/delivery.py) ---

    async def release_sending(self) -> int:
        """Put rows a crash left 'sending' back to 'pending'; how many."""
        cur = await self.conn.execute(
            "UPDATE outbox SET status = 'pending', claimed_at = NULL, lease_owner = NULL,"
            " lease_until = NULL WHERE status = 'sending'"
        )
        return cur.rowcount

    async def claim(
        self,
        prefix: str,
        now: dt.datetime,
        quiet: bool,
        limit: int,
        owner: str = "",
        until: dt.datetime | None = None,
    ) -> list[Claimed]:
        """Due rows of one channel (identity prefix), urgent first, then oldest; outside quiet
        hours or urgent. They become 'sending', held by `owner` until `until` (migration 0160).
        Rows another worker left 'sending' past its lease (it died) are taken over first."""
        lease = (owner or None, iso(until) if until is not None else None, iso(now))
        due = (len(prefix), prefix, iso(now), int(quiet))
        rows: list[Claimed] = []
        passes = [("pending", "")]
        if owner:  # several workers: also what a dead one left
            passes.insert(0, ("sending", " AND (lease_until IS NULL OR lease_until < ?)"))
        for status, lapsed in passes:
            if len(rows) >= limit:
                break
            # The rows are picked once, in a materialized CTE: as `id IN (SELECT … LIMIT n
            # FOR UPDATE SKIP LOCKED)` PostgreSQL may rescan the subquery while it updates,
            # skip the rows it has just updated, and take more than `limit`.
            async with self.conn.execute(
                "WITH picked AS MATERIALIZED ("
                f" SELECT id FROM outbox WHERE status = '{status}'"
                " AND substr(identity, 1, ?) = ?"
                " AND (not_before IS NULL OR not_before <= ?)"
                " AND (urgent = 1 OR ? = 0)"
                f"{lapsed} ORDER BY urgent DESC, id LIMIT ?{skip_locked(self.conn)})"
                " UPDATE outbox SET status = 'sending', lease_owner = ?, lease_until = ?,"
                " claimed_at = ? WHERE id IN (SELECT id FROM picked)"
                f" AND status = '{status}'{lapsed}"
                " RETURNING id, identity, payload, urgent, attempts",
                (*due, *((iso(now),) if lapsed else ()), limit - len(rows), *lease,
                 *((iso(now),) if lapsed else ())),
            ) as cur:  # fmt: skip
                rows += [Claimed(r[0], r[1], r[2], bool(r[3]), r[4]) for r in await cur.fetchall()]
        rows.sort(key=lambda r: (not r.urgent, r.id))
        return rows

    async def renew(self, owner: str, until: dt.datetime) -> int:
        """Extend every lease `owner` holds on rows it is still sending; how many. Rows being
        written just now (an outcome being recorded) are passed over, not waited for, so a
        renewal never takes part in a deadlock (see InboxRepo.renew)."""
        async with self.conn.execute(  # counted by RETURNING: sqlite3 has no rowcount after WITH
            "WITH mine AS MATERIALIZED (SELECT id FROM outbox WHERE lease_owner = ?"
            f" AND status = 'sending' ORDER BY id{skip_locked(self.conn)})"
            " UPDATE outbox SET lease_until = ? WHERE id IN (SELECT id FROM mine) RETURNING id",
            (owner, iso(until)),
        ) as cur:
            return len(await cur.fetchall())

    async def settle_blocked(self, row_ids: list[int], reason: str) -> None:
        await self.conn.executemany(
            "UPDATE outbox SET status = 'blocked', last_error = ?, claimed_at = NULL WHERE id = ?",
            [(reason, i) for i in row_ids],
        )

    async def record(self, outcomes: list[Outcome], owner: str = "") -> None:
        """Write sending outcomes; rows no longer 'sending' (or, given an `owner`, no longer
        held by it: its lease ran out and another worker took them) are left alone."""
        fence = " AND lease_owner = ?" if owner else ""
        await self.conn.executemany(
            "UPDATE outbox SET status = ?, attempts = attempts + ?,"
            " last_error = COALESCE(?, last_error), not_before = COALESCE(?, not_before),"
            " sent_at = ?, claimed_at = NULL, lease_owner = NULL, lease_until = NULL"
            f" WHERE id = ? AND status = 'sending'{fence}",
            [(*o, owner) for o in outcomes] if owner else outcomes,
        )

    # --- the shared pace of one channel's sends (bot/delivery.py, Pacer) ---

    async def reserve_sends(self, channel: str, count: int, interval: float, now: float) -> float:
        """Book `count` send slots `interval` seconds apart for `channel`, from its next free
        slot or `now` (Unix seconds), whichever is later; returns the first slot's time.

        One atomic UPDATE on the channel's row: workers booking at once get disjoint slots,
        so the channel's rate holds across all of them."""
        await self.conn.execute(
            "INSERT INTO send_pace (channel, next_at) VALUES (?, ?)"
            " ON CONFLICT (channel) DO NOTHING",
            (channel, now),
        )
        span = count * interval
        async with self.conn.execute(
            "UPDATE send_pace SET next_at ="
            " (CASE WHEN next_at > ? THEN next_at ELSE ? END) + ?"
            " WHERE channel = ? RETURNING next_at",
            (now, now, span, channel),
        ) as cur:
            row = await cur.fetchone()
        return float(row[0]) - span

    async def hold_sends(self, channel: str, until: float) -> None:
        """No slot of `channel` before `until` (Unix seconds): the platform asked to wait."""
        await self.conn.execute(
            "INSERT INTO send_pace (channel, next_at) VALUES (?, ?)"
            " ON CONFLICT (channel) DO UPDATE SET next_at = excluded.next_at"
            " WHERE send_pace.next_at < excluded.next_at",
            (channel, until),
        )

    async def pending_prefixes(self) -> list[str]:
        """Channel prefixes ("telegram:") that have pending rows."""
        async with self.conn.execute(
            f"SELECT DISTINCT substr(identity, 1, {position(self.conn, COLON, 'identity')})"
            " FROM outbox WHERE status = 'pending'"
        ) as cur:
            return [r[0] for r in await cur.fetchall()]

    async def fail_pending(self, prefix: str, reason: str) -> int:
        cur = await self.conn.execute(
            "UPDATE outbox SET status = 'failed', last_error = ?"
            " WHERE status = 'pending' AND substr(identity, 1, ?) = ?",
            (reason, len(prefix), prefix),
        )
        return cur.rowcount

    # --- acknowledgements ---

    async def latest_unacked(self, identity: str, user_id: int) -> int | None:
        """The newest announcement this identity received that the learner has not acked."""
        async with self.conn.execute(
            "SELECT o.announcement_id FROM outbox o WHERE o.identity = ? AND o.announcement_id"
            " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM announcement_acks k WHERE"
            " k.announcement_id = o.announcement_id AND k.user_id = ?) ORDER BY o.id DESC LIMIT 1",
            (identity, user_id),
        ) as cur:
            row = await cur.fetchone()
        return row[0] if row else None

    async def received(self, identity: str, announcement_id: int) -> bool:
        async with self.conn.execute(
            "SELECT 1 FROM outbox WHERE identity = ? AND announcement_id = ?",
            (identity, announcement_id),
        ) as cur:
            return await cur.fetchone() is not None

    # --- the platform's message ids, for reactions ---

    async def remember_messages(self, sent: list[tuple[str, str, int]]) -> None:
        """(identity, platform message id, outbox row) of each part sent; a repeat is ignored,
        and so is a part whose row no longer names that identity: its person was erased while
        it was in flight (the outcomes are written after the sends), and nothing may name them
        after that."""
        if sent:
            await self.conn.executemany(
                "INSERT INTO outbox_messages (identity, message_id, outbox_id)"
                " SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM outbox WHERE id = ? AND identity = ?)"
                " ON CONFLICT DO NOTHING",
                [(i, m, row, row, i) for i, m, row in sent],
            )

    async def announcement_of(self, identity: str, message_id: str) -> int | None:
        """The announcement a message sent to `identity` carried, or None (not a bulk message,
        not an announcement, or unknown)."""
        async with self.conn.execute(
            "SELECT o.announcement_id FROM outbox_messages m JOIN outbox o ON o.id = m.outbox_id"
            " WHERE m.identity = ? AND m.message_id = ? AND o.identity = m.identity",
            (identity, message_id),
        ) as cur:
            row = await cur.fetchone()
        return row[0] if row else None
