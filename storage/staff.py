"""Repositories for units, roles, invitations, the audit log and announcements."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain import Unit
from storage.repos import iso
from storage.sql import Conn, lock_key

INVITE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


@dataclass(frozen=True)
class Branch:
    id: int
    commune_code: int
    name: str


@dataclass(frozen=True)
class Invitation:
    code: str
    role: str
    unit: str
    max_uses: int
    uses: int
    expires_at: str

    @property
    def is_class(self) -> bool:
        return self.max_uses > 1


@dataclass(frozen=True)
class ClassPerson:
    id: int
    address_form: str | None
    display_name: str | None
    registered_at: str | None
    last_active_at: str | None
    started_at: str | None
    joined_at: str | None
    state: str | None
    data: dict


@dataclass(frozen=True)
class OaReachRule:
    """Zalo OA's window as settings give it: opened by a message since `since`, at most
    `limit` messages in it; beyond it the package quota, where the operator allows it."""

    since: dt.datetime
    limit: int
    use_package_quota: bool = False


@dataclass
class ChannelReach:
    """Recipients on one channel: reachable now, waiting (until they write), blocked."""

    now: int = 0
    waiting: int = 0
    blocked: int = 0


@dataclass(frozen=True)
class RoleHolder:
    user_id: int
    role: str
    unit: str
    granted_at: str
    display_name: str | None
    address_form: str | None


@dataclass(frozen=True)
class Member:
    id: int
    identity: str
    address_form: str | None
    display_name: str | None
    province_code: int | None
    commune_code: int | None
    branch_id: int | None
    proficient: bool


class StaffRepo:
    def __init__(self, conn: Conn):
        self.conn = conn

    # --- roles ---
    async def roles(self, user_id: int) -> list[tuple[str, str]]:
        rows = await self.conn.execute_fetchall(
            "SELECT role, unit FROM roles WHERE user_id = ? ORDER BY role, unit", (user_id,)
        )
        return [(r[0], r[1]) for r in rows]

    async def grant(
        self, user_id: int, role: str, unit: str, by: int | None, now: dt.datetime
    ) -> None:
        await self.conn.execute(  # a role already held stays; a bad role is refused
            "INSERT INTO roles (user_id, role, unit, granted_by, granted_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, role, unit) DO NOTHING",
            (user_id, role, unit, by, iso(now)),
        )

    async def lock_roles(self) -> None:
        """Hold role removals until this transaction ends (PostgreSQL; SQLite has one writer),
        so that whoever removes a role checks their own roles after any removal in flight:
        removals are rare, and the check reads several rows no row lock would cover."""
        await lock_key(self.conn, "roles:removal")

    async def revoke(self, user_id: int, role: str, unit: str) -> bool:
        """Remove one role; False if the person did not hold it."""
        async with self.conn.execute(
            "DELETE FROM roles WHERE user_id = ? AND role = ? AND unit = ? RETURNING user_id",
            (user_id, role, unit),
        ) as cur:
            return await cur.fetchone() is not None

    async def role_holders(
        self, units: Sequence[str] | None, branch_communes: Sequence[int] = ()
    ) -> list[RoleHolder]:
        """Roles held at any of `units` or at a branch of one of `branch_communes` (None: every
        role), with the holder's name, by unit, role and name."""
        sql = (
            "SELECT r.user_id, r.role, r.unit, r.granted_at, u.display_name, u.address_form"
            " FROM roles r JOIN users u ON u.id = r.user_id"
        )
        args: tuple = ()
        if units is not None:
            conds = []
            if units:
                conds.append(f"r.unit IN ({', '.join('?' * len(units))})")
                args += tuple(units)
            if branch_communes:
                conds.append(
                    "r.unit IN (SELECT 'branch:' || CAST(b.id AS TEXT) FROM branches b"
                    f" WHERE b.commune_code IN ({', '.join('?' * len(branch_communes))}))"
                )
                args += tuple(branch_communes)
            sql += " WHERE " + (" OR ".join(conds) if conds else "1 = 0")
        sql += " ORDER BY r.unit, r.role, u.display_name, r.user_id"
        async with self.conn.execute(sql, args) as cur:
            return [RoleHolder(*r) async for r in cur]

    # --- branches ---
    async def create_branch(
        self, commune_code: int, name: str, by: int, now: dt.datetime
    ) -> Branch:
        cur = await self.conn.execute(
            "INSERT INTO branches (commune_code, name, created_by, created_at) VALUES (?, ?, ?, ?)"
            " RETURNING id",
            (commune_code, name, by, iso(now)),
        )
        return Branch((await cur.fetchone())[0], commune_code, name)

    async def branch(self, branch_id: int) -> Branch | None:
        rows = await self.conn.execute_fetchall(
            "SELECT id, commune_code, name FROM branches WHERE id = ?", (branch_id,)
        )
        return Branch(*rows[0]) if rows else None

    async def lock_branch_names(self, commune_code: int) -> None:
        """Hold the names of a commune's branches until this transaction ends (PostgreSQL;
        SQLite has one writer): names are compared without marks and case, which the unique
        constraint on (commune, name) cannot see, so two staff members adding «Xóm Đông» and
        «xom dong» at once must take turns between the check and the write."""
        await lock_key(self.conn, f"branches:commune:{int(commune_code)}")

    async def rename_branch(self, branch_id: int, name: str) -> None:
        await self.conn.execute("UPDATE branches SET name = ? WHERE id = ?", (name, branch_id))

    async def branch_of(self, user_id: int) -> int | None:
        rows = await self.conn.execute_fetchall(
            "SELECT branch_id FROM users WHERE id = ?", (user_id,)
        )
        return rows[0][0] if rows else None

    async def branches_in_commune(self, commune_code: int) -> list[Branch]:
        rows = await self.conn.execute_fetchall(
            "SELECT id, commune_code, name FROM branches WHERE commune_code = ? ORDER BY name",
            (commune_code,),
        )
        return [Branch(*r) for r in rows]

    async def all_branches(self) -> list[Branch]:
        """Every branch, by commune then name (searched by name in Python, folded)."""
        rows = await self.conn.execute_fetchall(
            "SELECT id, commune_code, name FROM branches ORDER BY commune_code, name"
        )
        return [Branch(*r) for r in rows]

    # --- invitations ---
    async def create_invitation(
        self,
        role: str,
        unit: str,
        by: int,
        now: dt.datetime,
        days: int = 14,
        max_uses: int = 1,
    ) -> str:
        """A code for a role or membership; `max_uses` > 1 makes a class code many people use."""
        code = "HS-" + "".join(secrets.choice(INVITE_ALPHABET) for _ in range(6))
        await self.conn.execute(
            "INSERT INTO invitations (code, role, unit, created_by, created_at, expires_at,"
            " max_uses) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (code, role, unit, by, iso(now), iso(now + dt.timedelta(days=days)), max_uses),
        )
        return code

    async def invitation(self, code: str, now: dt.datetime) -> Invitation | None:
        """A code that can still be used (not expired, closed or used up); None otherwise."""
        rows = await self.conn.execute_fetchall(
            "SELECT code, role, unit, max_uses, uses, expires_at FROM invitations"
            " WHERE code = ? AND closed_at IS NULL AND expires_at > ? AND uses < max_uses",
            (code, iso(now)),
        )
        return Invitation(*rows[0]) if rows else None

    async def used_by(self, code: str, user_id: int) -> bool:
        rows = await self.conn.execute_fetchall(
            "SELECT 1 FROM invitation_uses WHERE code = ? AND user_id = ? AND joined_at IS NOT NULL",
            (code, user_id),
        )
        return bool(rows)

    async def start_use(self, code: str, user_id: int, now: dt.datetime) -> None:
        """The person gave the code during sign-up: the class screen shows them from now."""
        await self.conn.execute(
            "INSERT INTO invitation_uses (code, user_id, started_at) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (code, user_id, iso(now)),
        )

    async def redeem(self, code: str, user_id: int, now: dt.datetime) -> tuple[str, str] | None:
        """(role, unit) of a usable code, now counted as used once more; None otherwise."""
        inv = await self.invitation(code, now)
        if inv is None:
            return None
        cur = await self.conn.execute(
            "UPDATE invitations SET uses = uses + 1, used_by = ?, used_at = ?"
            " WHERE code = ? AND uses < max_uses",
            (user_id, iso(now), code),
        )
        if cur.rowcount == 0:
            return None
        await self.start_use(code, user_id, now)
        await self.conn.execute(
            "UPDATE invitation_uses SET joined_at = ? WHERE code = ? AND user_id = ?",
            (iso(now), code, user_id),
        )
        return inv.role, inv.unit

    async def class_codes(self, unit: str, now: dt.datetime) -> list[Invitation]:
        """Open class codes of a branch, newest first."""
        rows = await self.conn.execute_fetchall(
            "SELECT code, role, unit, max_uses, uses, expires_at FROM invitations"
            " WHERE unit = ? AND max_uses > 1 AND closed_at IS NULL AND expires_at > ?"
            " ORDER BY created_at DESC, code",
            (unit, iso(now)),
        )
        return [Invitation(*r) for r in rows]

    async def close_code(self, code: str, now: dt.datetime) -> None:
        await self.conn.execute(
            "UPDATE invitations SET closed_at = ? WHERE code = ? AND closed_at IS NULL",
            (iso(now), code),
        )

    async def class_people(self, unit: str, since: dt.datetime) -> list[ClassPerson]:
        """Everyone who gave one of the unit's codes or joined the branch since `since`, with
        where their conversation stands."""
        branch = int(Unit.of(unit).code)
        rows = await self.conn.execute_fetchall(
            "SELECT u.id, u.address_form, u.display_name, u.registered_at, u.last_active_at,"
            " MIN(iu.started_at), MAX(iu.joined_at), c.state, c.data"
            " FROM users u"
            " LEFT JOIN invitation_uses iu ON iu.user_id = u.id"
            "  AND iu.code IN (SELECT code FROM invitations WHERE unit = ?)"
            " LEFT JOIN conversations c ON c.key = u.identity"
            " WHERE u.consent = 'given' AND (iu.user_id IS NOT NULL"
            "  OR (u.branch_id = ? AND u.last_active_at >= ?))"
            " GROUP BY u.id, c.key ORDER BY MIN(iu.started_at) NULLS FIRST, u.id",
            (unit, branch, iso(since)),
        )
        return [
            ClassPerson(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], json.loads(r[8] or "{}"))
            for r in rows
        ]

    # --- a code given before consent: kept by a salted hash, nothing personal ---
    async def keep_pending(self, key: str, code: str, now: dt.datetime) -> None:
        await self.conn.execute(
            "INSERT INTO pending_codes (key, code, kept_at) VALUES (?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE SET code = excluded.code, kept_at = excluded.kept_at",
            (key, code, iso(now)),
        )

    async def take_pending(self, key: str, since: dt.datetime) -> str | None:
        """The code kept for this key (if kept after `since`), forgotten once taken."""
        rows = await self.conn.execute_fetchall(
            "SELECT code FROM pending_codes WHERE key = ? AND kept_at >= ?", (key, iso(since))
        )
        await self.conn.execute(
            "DELETE FROM pending_codes WHERE key = ? OR kept_at < ?", (key, iso(since))
        )
        return rows[0][0] if rows else None

    # --- audit and population ---
    async def audit(
        self, actor_id: int | None, action: str, unit: str | None, now: dt.datetime, **detail: Any
    ) -> None:
        await self.conn.execute(
            "INSERT INTO audit_log (actor_id, action, unit, detail, at) VALUES (?, ?, ?, ?, ?)",
            (actor_id, action, unit, json.dumps(detail, ensure_ascii=False), iso(now)),
        )

    async def set_population(self, unit: str, n: int, by: int, now: dt.datetime) -> None:
        await self.conn.execute(
            "INSERT INTO unit_population (unit, older_residents, updated_by, updated_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (unit) DO UPDATE SET"
            " older_residents = excluded.older_residents, updated_by = excluded.updated_by,"
            " updated_at = excluded.updated_at",
            (unit, n, by, iso(now)),
        )

    async def population(self, unit: str) -> int | None:
        rows = await self.conn.execute_fetchall(
            "SELECT older_residents FROM unit_population WHERE unit = ?", (unit,)
        )
        return rows[0][0] if rows else None

    # --- members ---
    async def members(self, unit: str, limit: int | None = None) -> list[Member]:
        """Consenting, registered learners in `unit` and below."""
        where, args = unit_filter(unit)
        sql = (
            "SELECT id, identity, address_form, display_name, province_code, commune_code,"
            " branch_id, proficient FROM users WHERE consent = 'given' AND registered_at IS NOT NULL"
            f" AND {where} ORDER BY display_name, id"
        )
        if limit:
            sql += f" LIMIT {int(limit)}"
        rows = await self.conn.execute_fetchall(sql, args)
        return [Member(*r[:7], bool(r[7])) for r in rows]

    async def older_learners(self, user_ids: list[int], born_by: int) -> set[int]:
        """Those of `user_ids` born in `born_by` or before and holding no role."""
        if not user_ids:
            return set()
        marks = ",".join("?" * len(user_ids))
        rows = await self.conn.execute_fetchall(
            f"SELECT id FROM users WHERE id IN ({marks}) AND birth_year <= ?"
            " AND NOT EXISTS (SELECT 1 FROM roles r WHERE r.user_id = users.id)",
            (*user_ids, born_by),
        )
        return {r[0] for r in rows}

    async def areas_mastered(self, user_ids: list[int]) -> dict[int, set[str]]:
        if not user_ids:
            return {}
        marks = ",".join("?" * len(user_ids))
        rows = await self.conn.execute_fetchall(
            f"SELECT user_id, area FROM area_mastery WHERE mastered = 1 AND user_id IN ({marks})",
            user_ids,
        )
        out: dict[int, set[str]] = {u: set() for u in user_ids}
        for uid, area in rows:
            out[uid].add(area)
        return out

    async def recipients(self, unit: str, only_not: str | None) -> list[tuple[int, str]]:
        """(user id, identity) of the members an announcement to `unit` reaches; `only_not`:
        only those who have not mastered that area."""
        where, args = _recipients_where(unit, only_not)
        sql = "SELECT u.id, u.identity FROM users u WHERE " + where
        async with self.conn.execute(sql + " ORDER BY u.id", args) as cur:
            return [(r[0], r[1]) async for r in cur]

    async def reach(
        self, unit: str, only_not: str | None, oa: OaReachRule
    ) -> dict[str, ChannelReach]:
        """How many of an announcement's recipients each channel can reach now, counted in SQL.

        A person's channel is their identity's prefix. Those who blocked the bot (the linked
        identity's own flag first, as delivery checks it) are counted apart. Zalo OA followers
        are reachable now when their conversation window is open (wrote since `oa.since`, fewer
        than `oa.limit` messages sent since), or when the package quota may be used and Zalo
        has not said it is spent; the others wait until they write again."""
        where, args = _recipients_where(unit, only_not)
        sql = (
            "SELECT channel, is_blocked, now_ok, COUNT(*) FROM ("
            " SELECT CASE"
            "  WHEN substr(u.identity, 1, 9) = 'telegram:' THEN 'telegram'"
            "  WHEN substr(u.identity, 1, 8) = 'zalo_oa:' THEN 'zalo_oa'"
            "  WHEN substr(u.identity, 1, 5) = 'zalo:' THEN 'zalo'"
            "  ELSE 'other' END AS channel,"
            " CASE WHEN COALESCE(i.blocked, u.blocked) = 0 THEN 0 ELSE 1 END AS is_blocked,"
            " CASE WHEN substr(u.identity, 1, 8) <> 'zalo_oa:' THEN 1"
            "  WHEN w.last_user_at >= ? AND w.sent_since < ? THEN 1"
            "  WHEN ? = 1 AND NOT (w.quota_type IS NOT NULL AND w.quota_type <> 'reply'"
            "   AND COALESCE(w.remain, 1) = 0) THEN 1"
            "  ELSE 0 END AS now_ok"
            " FROM users u LEFT JOIN identities i ON i.identity = u.identity"
            " LEFT JOIN zalo_oa_window w ON w.identity = u.identity"
            " WHERE " + where + ") reach GROUP BY channel, is_blocked, now_ok"
        )
        head = (iso(oa.since), oa.limit, 1 if oa.use_package_quota else 0)
        out: dict[str, ChannelReach] = {}
        async with self.conn.execute(sql, (*head, *args)) as cur:
            async for channel, is_blocked, now_ok, n in cur:
                r = out.setdefault(channel, ChannelReach())
                if is_blocked:
                    r.blocked += n
                elif now_ok:
                    r.now += n
                else:
                    r.waiting += n
        return out

    async def confirm_skill(self, user_id: int, area: str, by: int, now: dt.datetime) -> None:
        await self.conn.execute(
            "INSERT INTO skill_confirmations (user_id, area, confirmed_by, at) VALUES (?, ?, ?, ?)",
            (user_id, area, by, iso(now)),
        )

    # --- announcements ---
    async def create_announcement(
        self,
        sender_id: int,
        unit: str,
        topic: str,
        text: str,
        only_not_area: str | None,
        send_at: dt.datetime,
        urgent: bool,
        now: dt.datetime,
        *,
        file_kind: str | None = None,
        file_path: str | None = None,
        form_key: str | None = None,
    ) -> int | None:
        """A scheduled announcement; `file_kind` is "image" or "document" when one goes with it.
        `form_key`: the web form's own key; None (nothing created) when that form was already
        sent, however many requests bring it at once."""
        cur = await self.conn.execute(
            "INSERT INTO announcements (sender_id, unit, topic, text, file_kind, file_path,"
            " only_not_area, send_at, urgent, status, created_at, form_key)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?, ?)"
            " ON CONFLICT (form_key) DO NOTHING RETURNING id",
            (
                sender_id,
                unit,
                topic,
                text,
                file_kind,
                file_path,
                only_not_area,
                iso(send_at),
                int(urgent),
                iso(now),
                form_key,
            ),
        )
        row = await cur.fetchone()
        return row[0] if row else None

    async def due_announcements(self, now: dt.datetime) -> list[tuple]:
        """(id, sender_id, unit, topic, text, only_not_area, urgent, file_kind, file_path)."""
        return await self.conn.execute_fetchall(
            "SELECT id, sender_id, unit, topic, text, only_not_area, urgent, file_kind, file_path"
            " FROM announcements WHERE status = 'scheduled' AND send_at <= ? ORDER BY send_at, id",
            (iso(now),),
        )

    async def mark_queued(self, announcement_id: int, recipients: int) -> bool:
        """Move a scheduled announcement to 'queued'; False if it was not scheduled any more
        (another worker queued it first), so it is queued once however many workers run."""
        cur = await self.conn.execute(
            "UPDATE announcements SET status = 'queued', recipients = ?"
            " WHERE id = ? AND status = 'scheduled'",
            (recipients, announcement_id),
        )
        return cur.rowcount == 1

    async def announcements_by(self, sender_id: int, limit: int = 5) -> list[tuple]:
        return await self.conn.execute_fetchall(
            "SELECT id, topic, text, status, send_at, recipients FROM announcements"
            " WHERE sender_id = ? ORDER BY id DESC LIMIT ?",
            (sender_id, limit),
        )

    async def ack(self, announcement_id: int, user_id: int, now: dt.datetime) -> bool:
        """Record "Đã đọc"; the first acknowledgement per topic counts the learner as informed."""
        cur = await self.conn.execute(
            "INSERT INTO announcement_acks (announcement_id, user_id, acked_at)"
            " VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (announcement_id, user_id, iso(now)),
        )
        if cur.rowcount == 0:
            return False
        await self.conn.execute(
            "INSERT INTO informed (user_id, topic, first_at)"
            " SELECT ?, topic, ? FROM announcements WHERE id = ? ON CONFLICT DO NOTHING",
            (user_id, iso(now), announcement_id),
        )
        return True

    async def acks(self, announcement_id: int) -> int:
        rows = await self.conn.execute_fetchall(
            "SELECT COUNT(*) FROM announcement_acks WHERE announcement_id = ?", (announcement_id,)
        )
        return rows[0][0]


def _recipients_where(unit: str, only_not: str | None) -> tuple[str, tuple]:
    """The condition on `users u` for an announcement's recipients (see `recipients`)."""
    where, args = unit_filter(unit)
    sql = (
        "u.consent = 'given' AND u.registered_at IS NOT NULL AND u.paused = 0 AND "
        + where.replace("branch_id", "u.branch_id")
        .replace("province_code", "u.province_code")
        .replace("commune_code", "u.commune_code")
    )
    if only_not:
        sql += (
            " AND NOT EXISTS (SELECT 1 FROM area_mastery a WHERE a.user_id = u.id"
            " AND a.area = ? AND a.mastered = 1)"
        )
        args = (*args, only_not)
    return sql, args


def unit_filter(unit: str) -> tuple[str, tuple]:
    """SQL condition on `users` for everyone in a unit and below it."""
    kind, code = Unit.of(unit).kind, Unit.of(unit).code
    if kind == "all":
        return "1 = 1", ()
    if kind == "province":
        return "province_code = ?", (int(code),)
    if kind == "commune":
        return "commune_code = ?", (int(code),)
    if kind == "branch":
        return "branch_id = ?", (int(code),)
    raise ValueError(f"unknown unit {unit!r}")
