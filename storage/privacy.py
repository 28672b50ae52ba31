"""Erasure (Nghị định 13/2023/NĐ-CP): a learner and every trace of them, in one transaction.

Rows that belong to the person cascade from `users`. What does not cascade is handled here:
messages queued or sent to any of their identities keep only their status (for the
announcement's counts), audit rows keep the action and the unit but not the person, nothing
they sent stays in the inbox, and report counters are re-keyed so that no row carries a key
derived from their birth year once nobody else shares it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from storage.sql import POSTGRESQL, Conn, dialect, for_update, greatest

#: `since` of the counters: everyone already 60 shares 2025 (migration 0060); a series left
#: only by erased people is moved to one of two shared keys that every past report reads alike.
SHARED_OLDER = 2025
SHARED_HELPER = 9999
_METRICS = (
    "registered, proficient, m_dich_vu_cong, m_thanh_toan, m_mua_sam, m_an_toan, m_dia_phuong,"
    " i_chuyen_doi_so, i_chuyen_doi_xanh, i_khoi_nghiep, i_viec_lam"
)
_ADD = ", ".join(
    f"{m} = stat_days.{m} + excluded.{m}" for m in _METRICS.replace(" ", "").split(",")
)


class PrivacyRepo:
    def __init__(self, conn: Conn, store: Any = None):
        self.conn = conn
        self.store = store

    async def identities_of(self, user_id: int) -> list[str]:
        async with self.conn.execute(
            "SELECT identity FROM users WHERE id = ? UNION SELECT identity FROM identities"
            " WHERE user_id = ?",
            (user_id, user_id),
        ) as cur:
            return [r[0] async for r in cur]

    async def erase(self, user_id: int, throttle_keys: list[str], now: dt.datetime) -> None:
        """Delete the learner and strip what refers to them. `throttle_keys`: the hashed keys
        under which their wrong code guesses were counted."""
        identities = await self.identities_of(user_id)
        async with self.conn.execute(
            "SELECT COALESCE(province_code, 0), COALESCE(commune_code, 0),"
            " COALESCE(branch_id, 0), "
            + greatest(self.conn, "COALESCE(birth_year + 60, 0)", "?")
            + ","
            " consent = 'given' AND registered_at IS NOT NULL FROM users WHERE id = ?",
            (SHARED_OLDER, user_id),
        ) as cur:
            key = await cur.fetchone()
        marks = ",".join("?" * len(identities))
        if identities:
            await self.conn.execute(
                f"UPDATE outbox SET identity = 'erased:' || id, payload = '{{}}',"
                " last_error = NULL, status = CASE WHEN status IN ('pending', 'sending')"
                f" THEN 'failed' ELSE status END WHERE identity IN ({marks})",
                identities,
            )
            await self.conn.execute(
                f"DELETE FROM outbox_messages WHERE identity IN ({marks})", identities
            )
            await self.conn.execute(f"DELETE FROM inbox WHERE chat IN ({marks})", identities)
            await self.conn.execute(f"DELETE FROM conversations WHERE key IN ({marks})", identities)
        if throttle_keys:
            await self.conn.execute(
                f"DELETE FROM link_attempts WHERE key IN ({','.join('?' * len(throttle_keys))})",
                throttle_keys,
            )
        if dialect(self.conn) == POSTGRESQL:
            await self.conn.execute(
                "UPDATE audit_log SET detail = (detail::jsonb - 'member')::text"
                " WHERE detail::jsonb -> 'member' = to_jsonb(?::bigint)",
                (user_id,),
            )
        else:
            await self.conn.execute(
                "UPDATE audit_log SET detail = json_remove(detail, '$.member')"
                " WHERE json_extract(detail, '$.member') = ?",
                (user_id,),
            )
        await self.conn.execute("DELETE FROM users WHERE id = ?", (user_id,))
        if self.store is not None:
            self.store.checkpoint_requested = True
        if key is not None and key[4] and key[3] > SHARED_OLDER:
            since = key[3]
            target = SHARED_HELPER if since > now.year else SHARED_OLDER
            # every series under that key, not only where the person was last: the rows of a
            # branch they left or a commune they moved from keep it too (netting to zero);
            # a commune's whole (-1) before its branches, the order the triggers write them in
            async with self.conn.execute(
                "SELECT DISTINCT province_code, commune_code, branch_id FROM stat_days"
                " WHERE since = ? ORDER BY province_code, commune_code, branch_id",
                (since,),
            ) as cur:
                series = await cur.fetchall()
            for p, c, b in series:
                await self._rekey(p, c, b, since, target)

    async def _rekey(self, p: int, c: int, b: int, since: int, target: int) -> None:
        """Move a counter series nobody holds any more to a shared key (same sums per day).

        Its rows are locked first: someone registering under the same key in another worker
        (born the same year, in a place she once was) changes one of them, and the sum must
        count that change, or the move would take their count away with hers."""
        await self.conn.execute(
            "SELECT 1 FROM stat_days WHERE province_code = ? AND commune_code = ?"
            f" AND branch_id = ? AND since = ?{for_update(self.conn)}",
            (p, c, b, since),
        )
        async with self.conn.execute(
            "SELECT SUM(registered) FROM stat_days WHERE province_code = ? AND commune_code = ?"
            " AND branch_id = ? AND since = ?",
            (p, c, b, since),
        ) as cur:
            held = (await cur.fetchone())[0]
        if held:  # someone still counted under this key: it is not theirs alone
            return
        await self.conn.execute(
            f"INSERT INTO stat_days SELECT province_code, commune_code, branch_id, day, ?,"
            f" {_METRICS} FROM stat_days WHERE province_code = ? AND commune_code = ?"
            " AND branch_id = ? AND since = ? AND true"
            " ON CONFLICT (province_code, branch_id, commune_code, day, since) DO UPDATE SET "
            + _ADD,
            (target, p, c, b, since),
        )
        await self.conn.execute(
            "DELETE FROM stat_days WHERE province_code = ? AND commune_code = ?"
            " AND branch_id = ? AND since = ?",
            (p, c, b, since),
        )
