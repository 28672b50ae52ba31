"""The Zalo Official Account's tokens and each follower's conversation window (migration 0110).

Tokens are stored as the caller gives them (already encrypted: the key never reaches storage).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from storage.repos import iso
from storage.sql import Conn


@dataclass
class StoredTokens:
    access_enc: str
    refresh_enc: str
    expires_at: dt.datetime
    generation: int


@dataclass
class Window:
    identity: str
    last_user_at: dt.datetime | None
    sent_since: int
    quota_type: str | None
    remain: int | None
    last_msg_id: str | None = None  # the person's last message: a reply names it (0170)


def _time(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


class ZaloOaRepo:
    def __init__(self, conn: Conn):
        self.conn = conn

    # --- tokens ---

    async def tokens(self, app_id: str) -> StoredTokens | None:
        async with self.conn.execute(
            "SELECT access_enc, refresh_enc, expires_at, generation FROM zalo_oa_tokens"
            " WHERE app_id = ?",
            (app_id,),
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        return StoredTokens(row[0], row[1], dt.datetime.fromisoformat(row[2]), row[3])

    async def seed_tokens(
        self, app_id: str, access_enc: str, refresh_enc: str, seed_mac: str,
        expires_at: dt.datetime, now: dt.datetime,
    ) -> bool:  # fmt: skip
        """Store the tokens given in the environment unless these very tokens were stored
        before (later renewals replace them in the database only). True if stored."""
        async with self.conn.execute(
            "INSERT INTO zalo_oa_tokens (app_id, access_enc, refresh_enc, seed_mac, expires_at,"
            " renewed_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (app_id) DO UPDATE SET"
            " access_enc = excluded.access_enc, refresh_enc = excluded.refresh_enc,"
            " seed_mac = excluded.seed_mac, expires_at = excluded.expires_at,"
            " generation = zalo_oa_tokens.generation + 1, renewing_until = NULL,"
            " renewed_at = excluded.renewed_at"
            " WHERE zalo_oa_tokens.seed_mac IS DISTINCT FROM excluded.seed_mac"
            " RETURNING app_id",
            (app_id, access_enc, refresh_enc, seed_mac, iso(expires_at), iso(now)),
        ) as cur:
            return await cur.fetchone() is not None

    async def claim_renewal(self, app_id: str, now: dt.datetime, lease: dt.timedelta) -> int | None:
        """Take the renewal lease (until `now + lease`) if nobody holds it; the generation being
        renewed, or None. The holder keeps it with `extend_renewal` while its call to Zalo
        runs, and names it by that time in what follows (`save_renewal`, `release_renewal`)."""
        async with self.conn.execute(
            "UPDATE zalo_oa_tokens SET renewing_until = ? WHERE app_id = ?"
            " AND (renewing_until IS NULL OR renewing_until <= ?) RETURNING generation",
            (iso(now + lease), app_id, iso(now)),
        ) as cur:
            row = await cur.fetchone()
        return row[0] if row else None

    async def extend_renewal(self, app_id: str, held: dt.datetime, until: dt.datetime) -> bool:
        """Move the lease held until `held` on to `until`; False if it is not held so any more
        (it ran out and another worker took it, or the renewal ended)."""
        async with self.conn.execute(
            "UPDATE zalo_oa_tokens SET renewing_until = ? WHERE app_id = ? AND renewing_until = ?"
            " RETURNING app_id",
            (iso(until), app_id, iso(held)),
        ) as cur:
            return await cur.fetchone() is not None

    async def save_renewal(
        self, app_id: str, generation: int, access_enc: str, refresh_enc: str,
        expires_at: dt.datetime, now: dt.datetime, held: dt.datetime,
    ) -> bool:  # fmt: skip
        """Store the renewed tokens, a generation later, and end the lease; only while the
        lease held until `held` is still this renewal's and the tokens are still those of
        `generation`. False otherwise: another worker took over (or renewed) meanwhile, and
        what it stored stays."""
        async with self.conn.execute(
            "UPDATE zalo_oa_tokens SET access_enc = ?, refresh_enc = ?, expires_at = ?,"
            " generation = generation + 1, renewing_until = NULL, renewed_at = ?"
            " WHERE app_id = ? AND generation = ? AND renewing_until = ? RETURNING app_id",
            (access_enc, refresh_enc, iso(expires_at), iso(now), app_id, generation, iso(held)),
        ) as cur:
            return await cur.fetchone() is not None

    async def release_renewal(self, app_id: str, held: dt.datetime) -> None:
        """End the lease held until `held` without renewing (the call failed); a lease another
        worker took over meanwhile is left to it."""
        await self.conn.execute(
            "UPDATE zalo_oa_tokens SET renewing_until = NULL WHERE app_id = ? AND renewing_until = ?",
            (app_id, iso(held)),
        )

    # --- the conversation window ---

    async def window(self, identity: str) -> Window | None:
        async with self.conn.execute(
            "SELECT identity, last_user_at, sent_since, quota_type, remain, last_msg_id"
            " FROM zalo_oa_window WHERE identity = ?",
            (identity,),
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        return Window(row[0], _time(row[1]), row[2], row[3], row[4], row[5])

    async def user_wrote(self, identity: str, now: dt.datetime, msg_id: str | None = None) -> None:
        """The person wrote or pressed a button: a new window opens, answered by naming
        `msg_id` (an event without one keeps the last known id)."""
        await self.conn.execute(
            "INSERT INTO zalo_oa_window (identity, last_user_at, sent_since, last_msg_id,"
            " updated_at) VALUES (?, ?, 0, ?, ?) ON CONFLICT (identity) DO UPDATE SET"
            " last_user_at = excluded.last_user_at, sent_since = 0,"
            " last_msg_id = COALESCE(excluded.last_msg_id, zalo_oa_window.last_msg_id),"
            " updated_at = excluded.updated_at",
            (identity, iso(now), msg_id, iso(now)),
        )

    async def sent(
        self, identity: str, quota_type: str | None, remain: int | None, now: dt.datetime
    ) -> None:
        """One message went out at `now`; remember what Zalo said was left. Notes are written
        behind, by whichever worker sent it: a message sent before the person wrote again (in
        another worker, already written) does not count against their new window; and a
        message to someone erased meanwhile (the answer to «Xóa hết» itself) leaves no row
        naming them: nothing is written for an identity nobody holds that has no window."""
        await self.conn.execute(
            "INSERT INTO zalo_oa_window (identity, sent_since, quota_type, remain, updated_at)"
            " SELECT ?, 1, ?, ?, ? WHERE EXISTS (SELECT 1 FROM zalo_oa_window WHERE identity = ?)"
            " OR EXISTS (SELECT 1 FROM users WHERE identity = ?)"
            " OR EXISTS (SELECT 1 FROM identities WHERE identity = ?)"
            " ON CONFLICT (identity) DO UPDATE SET"
            " sent_since = zalo_oa_window.sent_since + CASE WHEN zalo_oa_window.last_user_at"
            "  IS NULL OR zalo_oa_window.last_user_at <= excluded.updated_at THEN 1 ELSE 0 END,"
            " quota_type = excluded.quota_type, remain = excluded.remain,"
            " updated_at = excluded.updated_at",
            (identity, quota_type, remain, iso(now), identity, identity, identity),
        )

    async def closed(self, identity: str, now: dt.datetime) -> None:
        """Zalo refused a message at `now` for being outside the window: the window is over,
        unless the person wrote after that refusal (noted by another worker, written first)."""
        await self.conn.execute(
            "UPDATE zalo_oa_window SET last_user_at = NULL, updated_at = ? WHERE identity = ?"
            " AND (last_user_at IS NULL OR last_user_at <= ?)",
            (iso(now), identity, iso(now)),
        )

    async def forget(self, identity: str) -> None:
        """Unfollowed: nothing about the window is kept."""
        await self.conn.execute("DELETE FROM zalo_oa_window WHERE identity = ?", (identity,))

    async def reachable(self, since: dt.datetime, limit: int) -> int:
        """Followers whose window is open now (wrote after `since`, fewer than `limit` sent)."""
        async with self.conn.execute(
            "SELECT count(*) FROM zalo_oa_window WHERE last_user_at >= ? AND sent_since < ?",
            (iso(since), limit),
        ) as cur:
            return (await cur.fetchone())[0]

    # --- outbox rows waiting for the person ---

    async def wake_waiting(self, identity: str, reasons: list[str], now: dt.datetime) -> int:
        """The person wrote again: their outbox rows held back for the window are due now."""
        if not reasons:
            return 0
        marks = ",".join("?" * len(reasons))
        async with self.conn.execute(
            "UPDATE outbox SET not_before = ? WHERE identity = ? AND status = 'pending'"
            f" AND last_error IN ({marks}) RETURNING id",
            (iso(now), identity, *reasons),
        ) as cur:
            return len(await cur.fetchall())
