"""Repositories for the web pages (bot/web/): one-time login links, sessions, and the reads the
pages need beyond the chat's (a page of members, announcements with their delivery)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from storage.repos import iso
from storage.sql import Conn, position
from storage.staff import unit_filter

COLON = "':'"


@dataclass(frozen=True)
class WebSession:
    user_id: int
    csrf: str
    secure: bool
    created_at: str
    last_seen: str
    ended_at: str | None


@dataclass(frozen=True)
class MemberRow:
    id: int
    address_form: str | None
    display_name: str | None
    province_code: int | None
    commune_code: int | None
    branch_id: int | None
    proficient: bool
    last_active_at: str


@dataclass(frozen=True)
class AnnouncementRow:
    id: int
    unit: str
    topic: str
    text: str
    status: str
    send_at: str
    recipients: int
    file_kind: str | None


class WebRepo:
    def __init__(self, conn: Conn):
        self.conn = conn

    # --- one-time login links ---
    async def create_login(
        self, token_hash: str, user_id: int, now: dt.datetime, valid: dt.timedelta
    ) -> None:
        await self.conn.execute(
            "INSERT INTO web_logins (token_hash, user_id, created_at, expires_at)"
            " VALUES (?, ?, ?, ?)",
            (token_hash, user_id, iso(now), iso(now + valid)),
        )

    async def login_status(self, token_hash: str, now: dt.datetime) -> str:
        """ "ok" for a valid unused link (left unused), else "used", "expired" or "unknown"."""
        rows = await self.conn.execute_fetchall(
            "SELECT expires_at, used_at FROM web_logins WHERE token_hash = ?", (token_hash,)
        )
        if not rows:
            return "unknown"
        if rows[0][1] is not None:
            return "used"
        return "expired" if rows[0][0] <= iso(now) else "ok"

    async def redeem_login(self, token_hash: str, now: dt.datetime) -> tuple[str, int | None]:
        """("ok", user id) for a valid unused link, now used; else ("used" | "expired" |
        "unknown", None)."""
        rows = await self.conn.execute_fetchall(
            "SELECT user_id, expires_at, used_at FROM web_logins WHERE token_hash = ?",
            (token_hash,),
        )
        if not rows:
            return "unknown", None
        user_id, expires_at, used_at = rows[0]
        if used_at is not None:
            return "used", None
        if expires_at <= iso(now):
            return "expired", None
        cur = await self.conn.execute(
            "UPDATE web_logins SET used_at = ? WHERE token_hash = ? AND used_at IS NULL",
            (iso(now), token_hash),
        )
        return ("ok", user_id) if cur.rowcount == 1 else ("used", None)

    # --- sessions ---
    async def create_session(
        self, token_hash: str, user_id: int, csrf: str, secure: bool, now: dt.datetime
    ) -> None:
        await self.conn.execute(
            "INSERT INTO web_sessions (token_hash, user_id, csrf, secure, created_at, last_seen)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (token_hash, user_id, csrf, int(secure), iso(now), iso(now)),
        )

    async def session(self, token_hash: str) -> WebSession | None:
        rows = await self.conn.execute_fetchall(
            "SELECT user_id, csrf, secure, created_at, last_seen, ended_at FROM web_sessions"
            " WHERE token_hash = ?",
            (token_hash,),
        )
        if not rows:
            return None
        r = rows[0]
        return WebSession(r[0], r[1], bool(r[2]), r[3], r[4], r[5])

    async def touch(self, token_hash: str, now: dt.datetime) -> None:
        await self.conn.execute(
            "UPDATE web_sessions SET last_seen = ? WHERE token_hash = ?", (iso(now), token_hash)
        )

    async def end_session(self, token_hash: str, now: dt.datetime) -> None:
        await self.conn.execute(
            "UPDATE web_sessions SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL",
            (iso(now), token_hash),
        )

    async def end_sessions_of(self, user_id: int, now: dt.datetime) -> int:
        cur = await self.conn.execute(
            "UPDATE web_sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL",
            (iso(now), user_id),
        )
        return cur.rowcount

    # --- members, a page at a time ---
    async def member_count(self, unit: str, inactive_before: dt.datetime | None = None) -> int:
        where, args = unit_filter(unit)
        sql = (
            "SELECT COUNT(*) FROM users WHERE consent = 'given' AND registered_at IS NOT NULL"
            f" AND {where}"
        )
        if inactive_before is not None:
            sql += " AND last_active_at < ?"
            args = (*args, iso(inactive_before))
        rows = await self.conn.execute_fetchall(sql, args)
        return rows[0][0]

    async def members_page(
        self,
        unit: str,
        offset: int,
        limit: int,
        inactive_before: dt.datetime | None = None,
    ) -> list[MemberRow]:
        """One page of consenting, registered learners in `unit` and below, least recently
        active first (those who need a call come first)."""
        where, args = unit_filter(unit)
        sql = (
            "SELECT id, address_form, display_name, province_code, commune_code, branch_id,"
            " proficient, last_active_at FROM users WHERE consent = 'given'"
            f" AND registered_at IS NOT NULL AND {where}"
        )
        if inactive_before is not None:
            sql += " AND last_active_at < ?"
            args = (*args, iso(inactive_before))
        sql += " ORDER BY last_active_at, id LIMIT ? OFFSET ?"
        rows = await self.conn.execute_fetchall(sql, (*args, int(limit), int(offset)))
        return [MemberRow(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7]) for r in rows]

    async def confirmed(self, user_ids: list[int]) -> dict[int, set[str]]:
        """Areas staff have confirmed after a class, per learner."""
        out: dict[int, set[str]] = {u: set() for u in user_ids}
        if not user_ids:
            return out
        marks = ",".join("?" * len(user_ids))
        rows = await self.conn.execute_fetchall(
            f"SELECT user_id, area FROM skill_confirmations WHERE user_id IN ({marks})",
            user_ids,
        )
        for uid, area in rows:
            out[uid].add(area)
        return out

    # --- announcements and their delivery ---
    async def announcements(self, units: list[str], limit: int = 50) -> list[AnnouncementRow]:
        """The latest announcements sent to any of `units`."""
        if not units:
            return []
        marks = ",".join("?" * len(units))
        rows = await self.conn.execute_fetchall(
            "SELECT id, unit, topic, text, status, send_at, recipients, file_kind"
            f" FROM announcements WHERE unit IN ({marks}) ORDER BY send_at DESC, id DESC LIMIT ?",
            (*units, int(limit)),
        )
        return [AnnouncementRow(*r) for r in rows]

    async def announcement_units(self) -> list[str]:
        rows = await self.conn.execute_fetchall("SELECT DISTINCT unit FROM announcements")
        return [r[0] for r in rows]

    async def delivery(self, announcement_id: int) -> dict[str, dict[str, int]]:
        """channel (the identity's prefix) -> status -> rows, for one announcement."""
        out: dict[str, dict[str, int]] = {}
        async with self.conn.execute(
            f"SELECT substr(identity, 1, {position(self.conn, COLON, 'identity')} - 1), status,"
            " (last_error IS NOT NULL AND status = 'pending'), COUNT(*) FROM outbox"
            " WHERE announcement_id = ? GROUP BY 1, 2, 3",
            (announcement_id,),
        ) as cur:
            async for channel, status, retrying, n in cur:
                key = "waiting" if status == "pending" and retrying else status
                per = out.setdefault(channel or "?", {})
                per[key] = per.get(key, 0) + n
        return out

    # --- the audit log, for admins ---
    async def audit_entries(
        self, actions_like: str | None, unit: str | None, limit: int = 100
    ) -> list[tuple[str, int | None, str, str | None, dict]]:
        """(at, actor id, action, unit, detail) newest first."""
        sql = "SELECT at, actor_id, action, unit, detail FROM audit_log WHERE 1 = 1"
        args: list = []
        if actions_like:
            sql += " AND action LIKE ?"
            args.append(f"%{actions_like}%")
        if unit:
            sql += " AND unit = ?"
            args.append(unit)
        sql += " ORDER BY id DESC LIMIT ?"
        args.append(int(limit))
        rows = await self.conn.execute_fetchall(sql, args)
        return [(r[0], r[1], r[2], r[3], json.loads(r[4] or "{}")) for r in rows]
