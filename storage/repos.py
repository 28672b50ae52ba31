"""Small repository classes; each works on a connection inside the caller's transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any

import aiosqlite


def iso(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).isoformat(timespec="seconds")


@dataclass
class User:
    id: int
    identity: str
    consent: str
    address_form: str | None
    display_name: str | None
    birth_year: int | None
    province_code: int | None
    commune_code: int | None
    branch_code: str | None
    registered_at: str | None
    blocked: bool
    paused: bool
    proficient: bool
    reminder_time: str | None = None
    # Optional and self-declared, for the reports' breakdowns; None means "not said".
    sex: str | None = None  # 'nam' | 'nu'
    rural: bool | None = None
    poor: bool | None = None
    alone: bool | None = None
    disabled: bool | None = None

    @property
    def tracked(self) -> bool:
        return self.consent == "given"

    def groups(self) -> dict[str, bool] | None:
        """Priority groups as answered, or None if the question was skipped (all unsaid)."""
        answers = {k: getattr(self, k) for k in GROUP_COLUMNS}
        if all(v is None for v in answers.values()):
            return None
        return {k: bool(v) for k, v in answers.items()}

    def units(self) -> list[str]:
        out = []
        if self.province_code is not None:
            out.append(f"province:{self.province_code}")
        if self.commune_code is not None:
            out.append(f"commune:{self.commune_code}")
        return out


#: The priority groups named by the plans: one nullable 0/1 column each (migration 0050).
GROUP_COLUMNS = ("rural", "poor", "alone", "disabled")
SEXES = ("nam", "nu")

_USER_COLS = (
    "id, identity, consent, address_form, display_name, birth_year, province_code, commune_code,"
    " branch_code, registered_at, blocked, paused, proficient, reminder_time, sex, rural, poor,"
    " alone, disabled"
)


def _user(row: aiosqlite.Row | None) -> User | None:
    if row is None:
        return None
    d = dict(row)
    for k in ("blocked", "paused", "proficient"):
        d[k] = bool(d[k])
    for k in GROUP_COLUMNS:
        d[k] = None if d[k] is None else bool(d[k])
    return User(**d)


class MetaRepo:
    def __init__(self, conn: aiosqlite.Connection):
        self.conn = conn

    async def get(self, key: str) -> str | None:
        async with self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)) as cur:
            row = await cur.fetchone()
        return row[0] if row else None

    async def get_or_create(self, key: str, make: Any) -> str:
        value = await self.get(key)
        if value is None:
            value = make()
            await self.conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, value))
        return value


class UserRepo:
    def __init__(self, conn: aiosqlite.Connection):
        self.conn = conn

    async def anon_key(self, identity: str) -> str:
        """A salted hash standing in for the identity of someone who refused consent."""
        salt = await MetaRepo(self.conn).get_or_create(
            "identity_salt", lambda: secrets.token_hex(16)
        )
        digest = hmac.new(salt.encode(), identity.encode(), hashlib.sha256).hexdigest()
        return f"anon:{digest[:32]}"

    async def by_identity(self, identity: str) -> User | None:
        async with self.conn.execute(
            f"SELECT {_USER_COLS} FROM users WHERE identity = ?", (identity,)
        ) as cur:
            return _user(await cur.fetchone())

    async def find(self, identity: str) -> User | None:
        """The consenting user, or the anonymous refusal row, for a channel identity."""
        return await self.by_identity(identity) or await self.by_identity(
            await self.anon_key(identity)
        )

    async def create(self, identity: str, consent: str, now: dt.datetime) -> User:
        t = iso(now)
        await self.conn.execute(
            "INSERT INTO users (identity, consent, consent_at, created_at, last_active_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (identity, consent, t, t, t),
        )
        user = await self.by_identity(identity)
        assert user is not None
        return user

    async def delete(self, user_id: int) -> None:
        await self.conn.execute("DELETE FROM users WHERE id = ?", (user_id,))

    _EDITABLE = frozenset(
        {
            "address_form",
            "display_name",
            "birth_year",
            "province_code",
            "commune_code",
            "branch_code",
            "registered_at",
            "blocked",
            "paused",
            "proficient",
            "last_active_at",
            "reminder_time",
            "last_reminder_at",
            "reminders_ignored",
            "sex",
            *GROUP_COLUMNS,
        }
    )

    async def update(self, user_id: int, **fields: Any) -> None:
        bad = set(fields) - self._EDITABLE
        if bad:
            raise ValueError(f"not editable: {sorted(bad)}")
        if fields.get("sex") not in (None, *SEXES):
            raise ValueError(f"sex must be one of {SEXES} or None")
        for k in GROUP_COLUMNS:
            if k in fields and fields[k] is not None:
                fields[k] = int(bool(fields[k]))
        cols = ", ".join(f"{k} = ?" for k in fields)
        await self.conn.execute(
            f"UPDATE users SET {cols} WHERE id = ?", (*fields.values(), user_id)
        )


class ConversationRepo:
    def __init__(self, conn: aiosqlite.Connection):
        self.conn = conn

    async def load(self, key: str) -> tuple[str, dict] | None:
        async with self.conn.execute(
            "SELECT state, data FROM conversations WHERE key = ?", (key,)
        ) as cur:
            row = await cur.fetchone()
        return (row[0], json.loads(row[1])) if row else None

    async def save(self, key: str, state: str, data: dict, now: dt.datetime) -> None:
        await self.conn.execute(
            "INSERT INTO conversations (key, state, data, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE SET state = excluded.state, data = excluded.data,"
            " updated_at = excluded.updated_at",
            (key, state, json.dumps(data, ensure_ascii=False), iso(now)),
        )

    async def delete(self, key: str) -> None:
        await self.conn.execute("DELETE FROM conversations WHERE key = ?", (key,))


class InboundRepo:
    def __init__(self, conn: aiosqlite.Connection):
        self.conn = conn

    async def first_time(self, key: str, now: dt.datetime) -> bool:
        """Record an update id; False if it was already handled."""
        cur = await self.conn.execute(
            "INSERT OR IGNORE INTO inbound_events (key, seen_at) VALUES (?, ?)", (key, iso(now))
        )
        return cur.rowcount == 1


@dataclass(frozen=True)
class MasteryRow:
    competency: str
    p_known: float
    mastered: bool
    attempts: int
    correct: int


class ProgressRepo:
    def __init__(self, conn: aiosqlite.Connection):
        self.conn = conn

    async def record_answer(
        self,
        user_id: int,
        question_id: str,
        lesson_id: str,
        option_index: int,
        correct: bool,
        context: str,
        now: dt.datetime,
    ) -> None:
        await self.conn.execute(
            "INSERT INTO answers (user_id, question_id, lesson_id, option_index, correct, context,"
            " answered_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (user_id, question_id, lesson_id, option_index, int(correct), context, iso(now)),
        )

    async def mastery(self, user_id: int) -> dict[str, MasteryRow]:
        async with self.conn.execute(
            "SELECT competency, p_known, mastered, attempts, correct FROM mastery WHERE user_id = ?",
            (user_id,),
        ) as cur:
            return {r[0]: MasteryRow(r[0], r[1], bool(r[2]), r[3], r[4]) async for r in cur}

    async def set_mastery(
        self,
        user_id: int,
        competency: str,
        p_known: float,
        mastered: bool,
        correct: bool,
        now: dt.datetime,
    ) -> None:
        await self.conn.execute(
            "INSERT INTO mastery (user_id, competency, p_known, mastered, attempts, correct,"
            " updated_at) VALUES (?, ?, ?, ?, 1, ?, ?)"
            " ON CONFLICT (user_id, competency) DO UPDATE SET p_known = excluded.p_known,"
            " mastered = excluded.mastered, attempts = attempts + 1,"
            " correct = correct + excluded.correct, updated_at = excluded.updated_at",
            (user_id, competency, p_known, int(mastered), int(correct), iso(now)),
        )

    async def set_area(self, user_id: int, area: str, mastered: bool, now: dt.datetime) -> None:
        await self.conn.execute(
            "INSERT INTO area_mastery (user_id, area, mastered, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (user_id, area) DO UPDATE SET mastered = excluded.mastered,"
            " updated_at = excluded.updated_at WHERE mastered != excluded.mastered",
            (user_id, area, int(mastered), iso(now)),
        )

    async def areas(self, user_id: int) -> dict[str, bool]:
        async with self.conn.execute(
            "SELECT area, mastered FROM area_mastery WHERE user_id = ?", (user_id,)
        ) as cur:
            return {r[0]: bool(r[1]) async for r in cur}

    async def lesson_started(self, user_id: int, lesson_id: str, now: dt.datetime) -> None:
        await self.conn.execute(
            "INSERT OR IGNORE INTO lesson_progress (user_id, lesson_id, started_at) VALUES (?, ?, ?)",
            (user_id, lesson_id, iso(now)),
        )

    async def lesson_completed(
        self, user_id: int, lesson_id: str, correct: int, total: int, now: dt.datetime
    ) -> None:
        await self.conn.execute(
            "UPDATE lesson_progress SET completed_at = ?, correct = ?, total = ?"
            " WHERE user_id = ? AND lesson_id = ?",
            (iso(now), correct, total, user_id, lesson_id),
        )

    async def lessons(self, user_id: int) -> dict[str, bool]:
        """lesson id -> completed, for every lesson the learner started."""
        async with self.conn.execute(
            "SELECT lesson_id, completed_at IS NOT NULL FROM lesson_progress WHERE user_id = ?",
            (user_id,),
        ) as cur:
            return {r[0]: bool(r[1]) async for r in cur}

    async def recent_questions(self, user_id: int, limit: int = 20) -> list[str]:
        async with self.conn.execute(
            "SELECT question_id FROM answers WHERE user_id = ? ORDER BY id DESC LIMIT ?",
            (user_id, limit),
        ) as cur:
            return [r[0] async for r in cur]
