"""Small repository classes; each works on a connection inside the caller's transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any

from bot.domain import Unit
from storage.sql import POSTGRESQL, Conn, dialect, lock_key


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
            out.append(Unit.province(self.province_code))
        if self.commune_code is not None:
            out.append(Unit.commune(self.commune_code))
        return out


#: The priority groups named by the plans: one nullable 0/1 column each (migration 0050).
GROUP_COLUMNS = ("rural", "poor", "alone", "disabled")
SEXES = ("nam", "nu")

_USER_COLS = (
    "id, identity, consent, address_form, display_name, birth_year, province_code, commune_code,"
    " branch_code, registered_at, blocked, paused, proficient, reminder_time, sex, rural, poor,"
    " alone, disabled"
)


def _user(row: Any) -> User | None:
    if row is None:
        return None
    d = dict(row)
    for k in ("blocked", "paused", "proficient"):
        d[k] = bool(d[k])
    for k in GROUP_COLUMNS:
        d[k] = None if d[k] is None else bool(d[k])
    return User(**d)


class MetaRepo:
    def __init__(self, conn: Conn):
        self.conn = conn

    async def get(self, key: str) -> str | None:
        async with self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)) as cur:
            row = await cur.fetchone()
        return row[0] if row else None

    async def set(self, key: str, value: str) -> None:
        await self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    async def ping(self) -> bool:
        """The cheapest round trip to the database (health checks): True when it answers."""
        async with self.conn.execute("SELECT 1") as cur:
            row = await cur.fetchone()
        return row is not None and row[0] == 1

    async def lock(self, key: str) -> None:
        """Hold the one-off task named `key` (a recomputation at start-up) until this
        transaction ends, so that processes starting together run it once: the others wait,
        then read what it left (PostgreSQL; SQLite has one writer at a time)."""
        await lock_key(self.conn, f"meta:{key}")

    async def get_or_create(self, key: str, make: Any) -> str:
        """The value under `key`, made once: two workers making it at the same moment agree on
        the first one written (the loser's insert does nothing, and it reads the winner's)."""
        value = await self.get(key)
        if value is None:
            await self.conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                (key, make()),
            )
            value = await self.get(key)
        assert value is not None
        return value


class UserRepo:
    def __init__(self, conn: Conn):
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

    async def by_id(self, user_id: int) -> User | None:
        async with self.conn.execute(
            f"SELECT {_USER_COLS} FROM users WHERE id = ?", (user_id,)
        ) as cur:
            return _user(await cur.fetchone())

    async def find(self, identity: str) -> User | None:
        """The consenting user, or the anonymous refusal row, for a channel identity."""
        return await self.by_identity(identity) or await self.by_identity(
            await self.anon_key(identity)
        )

    async def create(self, identity: str, consent: str, now: dt.datetime) -> User:
        t = iso(now)
        if dialect(self.conn) == POSTGRESQL:  # an identity column: its sequence never reuses
            await self.conn.execute(
                "INSERT INTO users (identity, consent, consent_at, created_at, last_active_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (identity, consent, t, t, t),
            )
        else:  # ids are never reused (migration 0090)
            await self.conn.execute(
                "INSERT INTO users (id, identity, consent, consent_at, created_at, last_active_at)"
                " VALUES ((SELECT max(CAST(value AS INTEGER), (SELECT COALESCE(MAX(id), 0)"
                " FROM users)) + 1 FROM meta WHERE key = 'users_max_id'), ?, ?, ?, ?, ?)",
                (identity, consent, t, t, t),
            )
        user = await self.by_identity(identity)
        assert user is not None
        return user

    async def delete(self, user_id: int) -> None:
        await self.conn.execute("DELETE FROM users WHERE id = ?", (user_id,))

    async def reminder_candidates(self, local_hhmm: str) -> list[tuple[int, str, str | None, int]]:
        """(id, identity, last reminder, reminders ignored) of registered learners whose
        reminder time (Vietnam time) has come today and who take unprompted messages."""
        async with self.conn.execute(
            "SELECT id, identity, last_reminder_at, reminders_ignored FROM users"
            " WHERE reminder_time IS NOT NULL AND reminder_time <= ? AND paused = 0"
            " AND blocked = 0 AND consent = 'given' AND registered_at IS NOT NULL ORDER BY id",
            (local_hhmm,),
        ) as cur:
            return [tuple(r) async for r in cur]

    async def claim_reminder(
        self, user_id: int, since: dt.datetime, now: dt.datetime
    ) -> int | None:
        """Mark today's reminder as given, unless one was given at or after `since` (the start
        of the person's day): the check and the mark in one statement, so however many workers
        run the reminders, one of them gets each person. Returns the reminders ignored in a
        row as the row holds it now (not as a list read earlier had it: the person may have
        written since, which resets it), or None when it was not claimed."""
        async with self.conn.execute(
            "UPDATE users SET last_reminder_at = ? WHERE id = ?"
            " AND (last_reminder_at IS NULL OR last_reminder_at < ?) RETURNING reminders_ignored",
            (iso(now), user_id, iso(since)),
        ) as cur:
            row = await cur.fetchone()
        return None if row is None else int(row[0])

    async def set_branch(self, user_id: int, branch_id: int | None) -> None:
        await self.conn.execute("UPDATE users SET branch_id = ? WHERE id = ?", (branch_id, user_id))

    async def set_proficient_on(self, user_id: int, proficient: bool, now: dt.datetime) -> None:
        """Change the proficient flag outside a turn (a recomputation), dating the report
        counters' change at `now` (their trigger reads the day from last_active_at), then put
        last_active_at back: being recomputed is not being active."""
        async with self.conn.execute(
            "SELECT last_active_at FROM users WHERE id = ?", (user_id,)
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return
        await self.conn.execute(
            "UPDATE users SET proficient = ?, last_active_at = ? WHERE id = ?",
            (int(proficient), iso(now), user_id),
        )
        await self.conn.execute(
            "UPDATE users SET last_active_at = ? WHERE id = ?", (row[0], user_id)
        )

    async def tracked(self) -> list[User]:
        """Every consenting learner, in id order."""
        async with self.conn.execute(
            f"SELECT {_USER_COLS} FROM users WHERE consent = 'given' ORDER BY id"
        ) as cur:
            return [_user(r) async for r in cur]

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
        if not fields:  # nothing to change (an empty SET is not SQL)
            return
        cols = ", ".join(f"{k} = ?" for k in fields)
        await self.conn.execute(
            f"UPDATE users SET {cols} WHERE id = ?", (*fields.values(), user_id)
        )


class ConversationRepo:
    def __init__(self, conn: Conn):
        self.conn = conn

    async def load(self, key: str) -> tuple[str, dict] | None:
        """The conversation's state; on PostgreSQL this also locks the conversation for the
        rest of the transaction, so two workers never run turns of one person at once."""
        await self.lock(key)
        async with self.conn.execute(
            "SELECT state, data FROM conversations WHERE key = ?", (key,)
        ) as cur:
            row = await cur.fetchone()
        return (row[0], json.loads(row[1])) if row else None

    async def lock(self, key: str) -> None:
        """Wait for the person's running turn (another worker's) and keep their next one
        waiting until this transaction ends: for work on another person's rows than the
        turn's own (linking into them, their reminder). Taken again by the same transaction,
        it is already held. A no-op on SQLite (one writer at a time)."""
        await lock_key(self.conn, key)

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
    """Update ids the engine has handled, so a replayed event is answered with nothing."""

    def __init__(self, conn: Conn):
        self.conn = conn

    async def first_time(self, key: str, now: dt.datetime) -> bool:
        cur = await self.conn.execute(
            "INSERT INTO inbound_events (key, seen_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (key, iso(now)),
        )
        return cur.rowcount == 1


class IdentityRepo:
    """Channel identities linked to a learner (table `identities`), each with its own block flag."""

    def __init__(self, conn: Conn):
        self.conn = conn

    async def alias(self, identity: str) -> tuple[int, bool] | None:
        """(user id, blocked) of a linked identity, or None if it is nobody's alias."""
        async with self.conn.execute(
            "SELECT user_id, blocked FROM identities WHERE identity = ?", (identity,)
        ) as cur:
            row = await cur.fetchone()
        return (row[0], bool(row[1])) if row else None

    async def set_blocked(self, identity: str, blocked: bool) -> None:
        await self.conn.execute(
            "UPDATE identities SET blocked = ? WHERE identity = ?", (int(blocked), identity)
        )

    async def link(
        self, identity: str, user_id: int, now: dt.datetime, blocked: bool | None = None
    ) -> None:
        """Make `identity` resolve to `user_id`; `blocked` None keeps an existing flag."""
        if blocked is None:
            await self.conn.execute(
                "INSERT INTO identities (identity, user_id, linked_at) VALUES (?, ?, ?)"
                " ON CONFLICT (identity) DO UPDATE SET user_id = excluded.user_id",
                (identity, user_id, iso(now)),
            )
        else:
            await self.conn.execute(
                "INSERT INTO identities (identity, user_id, blocked, linked_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (identity) DO UPDATE SET"
                " user_id = excluded.user_id, blocked = excluded.blocked,"
                " linked_at = excluded.linked_at",
                (identity, user_id, int(blocked), iso(now)),
            )

    async def move(self, src: int, into: int) -> None:
        await self.conn.execute("UPDATE identities SET user_id = ? WHERE user_id = ?", (into, src))

    async def of_user(self, user_id: int) -> list[str]:
        async with self.conn.execute(
            "SELECT identity FROM identities WHERE user_id = ?", (user_id,)
        ) as cur:
            return [r[0] async for r in cur]

    async def blocked_among(self, identities: list[str]) -> dict[str, bool]:
        """Block flags of those identities found in `identities` or `users` (a linked
        identity's own flag first), in two queries; identities found in neither are left out."""
        flags: dict[str, bool] = {}
        for table in ("identities", "users"):
            rest = [i for i in dict.fromkeys(identities) if i not in flags]
            if not rest:
                break
            marks = ",".join("?" * len(rest))
            async with self.conn.execute(
                f"SELECT identity, blocked FROM {table} WHERE identity IN ({marks})", rest
            ) as cur:
                flags.update((i, bool(b)) for i, b in await cur.fetchall())
        return flags


class ThrottleRepo:
    """Wrong guesses counted per (hashed) key in a fixed window: link codes, invitation codes."""

    def __init__(self, conn: Conn):
        self.conn = conn

    async def failures(self, key: str, now: dt.datetime, window: dt.timedelta) -> int:
        async with self.conn.execute(
            "SELECT failures, window_start FROM link_attempts WHERE key = ?", (key,)
        ) as cur:
            row = await cur.fetchone()
        if row is None or dt.datetime.fromisoformat(row[1]) + window <= now:
            return 0
        return row[0]

    async def fail(self, key: str, now: dt.datetime, window: dt.timedelta) -> None:
        """Count one more failure, starting a new window if the last one is over: one
        statement, so concurrent failures (several workers) are all counted."""
        expired = iso(now - window)  # a window that started then or before is over
        await self.conn.execute(
            "INSERT INTO link_attempts (key, failures, window_start) VALUES (?, 1, ?)"
            " ON CONFLICT (key) DO UPDATE SET"
            " failures = CASE WHEN link_attempts.window_start <= ? THEN 1"
            "  ELSE link_attempts.failures + 1 END,"
            " window_start = CASE WHEN link_attempts.window_start <= ?"
            "  THEN excluded.window_start ELSE link_attempts.window_start END",
            (key, iso(now), expired, expired),
        )

    async def clear(self, key: str) -> None:
        await self.conn.execute("DELETE FROM link_attempts WHERE key = ?", (key,))


class LinkRepo:
    """One-time codes that link a second channel identity to a learner."""

    def __init__(self, conn: Conn):
        self.conn = conn

    async def create(
        self, user_id: int, identity: str, now: dt.datetime, ttl: dt.timedelta, digits: int
    ) -> str:
        """A fresh code for this learner (any older one of theirs, and expired ones, go)."""
        await self.conn.execute(
            "DELETE FROM link_codes WHERE expires_at <= ? OR user_id = ?", (iso(now), user_id)
        )
        while True:
            code = f"{secrets.randbelow(10**digits):0{digits}d}"
            cur = await self.conn.execute(
                "INSERT INTO link_codes (code, user_id, identity, expires_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (code, user_id, identity, iso(now + ttl)),
            )
            if cur.rowcount == 1:
                return code

    async def find(self, code: str, now: dt.datetime) -> tuple[int, str] | None:
        """(user id, identity it was shown on) of a valid code."""
        async with self.conn.execute(
            "SELECT user_id, identity FROM link_codes WHERE code = ? AND expires_at > ?",
            (code, iso(now)),
        ) as cur:
            row = await cur.fetchone()
        return (row[0], row[1]) if row else None

    async def use(self, code: str, now: dt.datetime) -> bool:
        """Use up a code still valid at `now`; False if it is not (any more): taken by someone
        typing it at the same moment, whose use committed first."""
        async with self.conn.execute(
            "DELETE FROM link_codes WHERE code = ? AND expires_at > ? RETURNING code",
            (code, iso(now)),
        ) as cur:
            return await cur.fetchone() is not None


@dataclass(frozen=True)
class InboxRow:
    id: int
    channel: str
    update_id: str
    chat: str
    payload: str
    status: str
    attempts: int
    replies: str | None


#: An update left unfinished by this many runs (it crashed them) is set aside as 'failed'.
INBOX_MAX_ATTEMPTS = 3


def skip_locked(conn: Any) -> str:
    """Where workers claim rows: on PostgreSQL, rows another worker's claim is locking right
    now are passed over instead of waited for (the claim re-checks the lease either way);
    SQLite has one writer at a time and needs nothing."""
    return " FOR UPDATE SKIP LOCKED" if getattr(conn, "dialect", "sqlite") == "postgresql" else ""


class InboxRepo:
    """Incoming updates, stored before they are acknowledged (migration 0080)."""

    def __init__(self, conn: Conn):
        self.conn = conn

    async def put(
        self, channel: str, update_id: str, chat: str, payload: str, now: dt.datetime
    ) -> int | None:
        """Store an update; its row id, or None if this channel sent that update id before."""
        async with self.conn.execute(
            "INSERT INTO inbox (channel, update_id, chat, payload, received_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (channel, update_id) DO NOTHING RETURNING id",
            (channel, update_id, chat, payload, iso(now)),
        ) as cur:
            row = await cur.fetchone()
        return row[0] if row else None

    async def open_rows(self, channel: str) -> list[InboxRow]:
        """Rows not yet done, oldest first: what a restart must finish."""
        async with self.conn.execute(
            "SELECT id, channel, update_id, chat, payload, status, attempts, replies FROM inbox"
            " WHERE channel = ? AND status IN ('pending', 'answered') ORDER BY id",
            (channel,),
        ) as cur:
            return [InboxRow(*r) async for r in cur]

    async def started(self, row_id: int) -> int:
        """Count an attempt at handling a row; the attempts so far."""
        async with self.conn.execute(
            "UPDATE inbox SET attempts = attempts + 1 WHERE id = ? RETURNING attempts", (row_id,)
        ) as cur:
            row = await cur.fetchone()
        return row[0] if row else 0

    # --- several workers (migration 0160): per-chat claims with a lease ---

    async def claim(
        self, channels: list[str], owner: str, now: dt.datetime, until: dt.datetime, limit: int
    ) -> list[InboxRow]:
        """Take up to `limit` rows for `owner` until `until`: for each chat of `channels`, its
        oldest open row, and only if that row is not under a live lease (the oldest open row is
        the one a worker holds), so a chat is handled by one worker at a time, in order. Each
        claim counts an attempt. Oldest first."""
        if not channels or limit <= 0:
            return []
        marks = ", ".join("?" for _ in channels)
        async with self.conn.execute(  # picked once: see OutboxRepo.claim
            "WITH picked AS MATERIALIZED (SELECT i.id FROM inbox i"
            f" WHERE i.status IN ('pending', 'answered') AND i.channel IN ({marks})"
            " AND (i.lease_until IS NULL OR i.lease_until < ?)"
            " AND NOT EXISTS (SELECT 1 FROM inbox o WHERE o.channel = i.channel"
            " AND o.chat = i.chat AND o.status IN ('pending', 'answered') AND o.id < i.id)"
            f" ORDER BY i.id LIMIT ?{skip_locked(self.conn)})"
            " UPDATE inbox SET lease_owner = ?, lease_until = ?, attempts = attempts + 1"
            " WHERE id IN (SELECT id FROM picked)"
            " AND (lease_until IS NULL OR lease_until < ?)"
            " RETURNING id, channel, update_id, chat, payload, status, attempts, replies",
            (*channels, iso(now), limit, owner, iso(until), iso(now)),
        ) as cur:
            rows = [InboxRow(*r) for r in await cur.fetchall()]
        rows.sort(key=lambda r: r.id)
        return rows

    async def claimable(self, channels: list[str], now: dt.datetime) -> bool:
        """Whether `claim` would find a row now: a read, so idle workers looking for work do
        not queue for the write lock (SQLite has one) every time they look."""
        if not channels:
            return False
        marks = ", ".join("?" for _ in channels)
        async with self.conn.execute(
            "SELECT 1 FROM inbox i"
            f" WHERE i.status IN ('pending', 'answered') AND i.channel IN ({marks})"
            " AND (i.lease_until IS NULL OR i.lease_until < ?)"
            " AND NOT EXISTS (SELECT 1 FROM inbox o WHERE o.channel = i.channel"
            " AND o.chat = i.chat AND o.status IN ('pending', 'answered') AND o.id < i.id)"
            " LIMIT 1",
            (*channels, iso(now)),
        ) as cur:
            return await cur.fetchone() is not None

    async def renew(self, owner: str, row_ids: list[int], until: dt.datetime) -> int:
        """Extend `owner`'s leases on rows still open; how many were extended. Rows another
        transaction is writing just now are passed over, not waited for (on PostgreSQL): a
        renewal must never take part in a deadlock, and the next one comes soon."""
        if not row_ids:
            return 0
        marks = ", ".join("?" for _ in row_ids)
        async with self.conn.execute(  # counted by RETURNING: sqlite3 has no rowcount after WITH
            f"WITH mine AS MATERIALIZED (SELECT id FROM inbox WHERE id IN ({marks})"
            " AND lease_owner = ? AND status IN ('pending', 'answered')"
            f" ORDER BY id{skip_locked(self.conn)})"
            " UPDATE inbox SET lease_until = ? WHERE id IN (SELECT id FROM mine) RETURNING id",
            (*row_ids, owner, iso(until)),
        ) as cur:
            return len(await cur.fetchall())

    async def release(self, row_id: int, owner: str) -> None:
        """Give a held row back at once (its handling failed): the next claim retries it."""
        await self.conn.execute(
            "UPDATE inbox SET lease_owner = NULL, lease_until = NULL"
            " WHERE id = ? AND lease_owner = ?",
            (row_id, owner),
        )

    async def answered(self, row_id: int, replies: str) -> None:
        """Inside the turn's transaction: handled, with the replies still to send."""
        await self.conn.execute(
            "UPDATE inbox SET status = 'answered', replies = ? WHERE id = ? AND status = 'pending'",
            (replies, row_id),
        )

    async def done(self, row_id: int, now: dt.datetime) -> None:
        await self.conn.execute(
            "UPDATE inbox SET status = 'done', replies = NULL, payload = '', done_at = ?"
            " WHERE id = ? AND status IN ('pending', 'answered')",
            (iso(now), row_id),
        )

    async def fail(self, row_id: int, now: dt.datetime) -> None:
        await self.conn.execute(
            "UPDATE inbox SET status = 'failed', done_at = ? WHERE id = ?", (iso(now), row_id)
        )

    async def status(self, row_id: int) -> str | None:
        async with self.conn.execute("SELECT status FROM inbox WHERE id = ?", (row_id,)) as cur:
            row = await cur.fetchone()
        return row[0] if row else None

    async def purge(self, before: dt.datetime) -> int:
        """Forget done rows older than `before` (their ids only guard against replays)."""
        cur = await self.conn.execute(
            "DELETE FROM inbox WHERE status = 'done' AND done_at < ?", (iso(before),)
        )
        return cur.rowcount

    async def forget_chat(self, chat: str) -> None:
        """Erasure: nothing a person sent stays behind."""
        await self.conn.execute("DELETE FROM inbox WHERE chat = ?", (chat,))


@dataclass(frozen=True)
class MasteryRow:
    competency: str
    p_known: float
    mastered: bool
    attempts: int
    correct: int


class ProgressRepo:
    def __init__(self, conn: Conn):
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
            " mastered = excluded.mastered, attempts = mastery.attempts + 1,"
            " correct = mastery.correct + excluded.correct, updated_at = excluded.updated_at",
            (user_id, competency, p_known, int(mastered), int(correct), iso(now)),
        )

    async def set_area(self, user_id: int, area: str, mastered: bool, now: dt.datetime) -> None:
        await self.conn.execute(
            "INSERT INTO area_mastery (user_id, area, mastered, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (user_id, area) DO UPDATE SET mastered = excluded.mastered,"
            " updated_at = excluded.updated_at WHERE area_mastery.mastered != excluded.mastered",
            (user_id, area, int(mastered), iso(now)),
        )

    async def areas(self, user_id: int) -> dict[str, bool]:
        async with self.conn.execute(
            "SELECT area, mastered FROM area_mastery WHERE user_id = ?", (user_id,)
        ) as cur:
            return {r[0]: bool(r[1]) async for r in cur}

    async def lesson_started(self, user_id: int, lesson_id: str, now: dt.datetime) -> None:
        await self.conn.execute(
            "INSERT INTO lesson_progress (user_id, lesson_id, started_at) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
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

    async def attempts_at(self, user_id: int, question_id: str) -> int:
        """How many times the learner has answered this question (lesson or review)."""
        async with self.conn.execute(
            "SELECT COUNT(*) FROM answers WHERE user_id = ? AND question_id = ?"
            " AND context != 'scenario'",
            (user_id, question_id),
        ) as cur:
            return (await cur.fetchone())[0]

    async def answer_events(self, user_id: int) -> list[tuple[str, str, str, bool]]:
        """(question id, lesson id, context, correct) of every answer, in the order given."""
        async with self.conn.execute(
            "SELECT question_id, lesson_id, context, correct FROM answers WHERE user_id = ?"
            " ORDER BY answered_at, id",
            (user_id,),
        ) as cur:
            return [(r[0], r[1], r[2], bool(r[3])) async for r in cur]

    async def rewrite_mastery(
        self, user_id: int, rows: list[tuple[str, float, bool, int, int]], now: dt.datetime
    ) -> None:
        """Rewrite all of a learner's estimates as (competency, p, mastered, attempts, correct)."""
        await self.conn.execute("DELETE FROM mastery WHERE user_id = ?", (user_id,))
        await self.conn.executemany(
            "INSERT INTO mastery (user_id, competency, p_known, mastered, attempts, correct,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(user_id, c, p, int(m), a, k, iso(now)) for c, p, m, a, k in rows],
        )

    async def recent_questions(self, user_id: int, limit: int = 20) -> list[str]:
        async with self.conn.execute(
            "SELECT question_id FROM answers WHERE user_id = ? ORDER BY id DESC LIMIT ?",
            (user_id, limit),
        ) as cur:
            return [r[0] async for r in cur]

    # --- spaced review (FSRS cards, stored as JSON) ---

    async def review_card(self, user_id: int, competency: str) -> str | None:
        async with self.conn.execute(
            "SELECT card FROM review_cards WHERE user_id = ? AND competency = ?",
            (user_id, competency),
        ) as cur:
            row = await cur.fetchone()
        return row[0] if row else None

    async def set_review_card(
        self, user_id: int, competency: str, card: str, due: dt.datetime
    ) -> None:
        await self.conn.execute(
            "INSERT INTO review_cards (user_id, competency, card, due) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (user_id, competency) DO UPDATE SET card = excluded.card,"
            " due = excluded.due",
            (user_id, competency, card, iso(due)),
        )

    async def due_reviews(self, user_id: int, now: dt.datetime) -> list[str]:
        """Competencies due for review, the most overdue first."""
        async with self.conn.execute(
            "SELECT competency FROM review_cards WHERE user_id = ? AND due <= ? ORDER BY due",
            (user_id, iso(now)),
        ) as cur:
            return [r[0] async for r in cur]

    async def scenarios_done_well(self, user_id: int) -> set[str]:
        async with self.conn.execute(
            "SELECT DISTINCT lesson_id FROM answers WHERE user_id = ? AND context = 'scenario'"
            " AND correct = 1",
            (user_id,),
        ) as cur:
            return {r[0] async for r in cur}

    # --- merging two learners (bot/core/linking.py decides, these move rows) ---

    async def answers_in_order(self, user_id: int) -> list[tuple[str, bool]]:
        """(question id, correct) of every answer, oldest first: the input of a replay."""
        async with self.conn.execute(
            "SELECT question_id, correct FROM answers WHERE user_id = ? ORDER BY answered_at, id",
            (user_id,),
        ) as cur:
            return [(r[0], bool(r[1])) async for r in cur]

    async def move_answers(self, src: int, into: int) -> None:
        await self.conn.execute("UPDATE answers SET user_id = ? WHERE user_id = ?", (into, src))

    async def move_mastery(self, src: int, into: int, competency: str) -> None:
        await self.conn.execute(
            "UPDATE mastery SET user_id = ? WHERE user_id = ? AND competency = ?",
            (into, src, competency),
        )

    async def replace_mastery(
        self,
        user_id: int,
        competency: str,
        p_known: float,
        mastered: bool,
        attempts: int,
        correct: int,
        now: dt.datetime,
    ) -> None:
        await self.conn.execute(
            "UPDATE mastery SET p_known = ?, mastered = ?, attempts = ?, correct = ?,"
            " updated_at = ? WHERE user_id = ? AND competency = ?",
            (p_known, int(mastered), attempts, correct, iso(now), user_id, competency),
        )

    async def lesson_rows(self, user_id: int) -> dict[str, LessonRow]:
        async with self.conn.execute(
            "SELECT lesson_id, started_at, completed_at, correct, total FROM lesson_progress"
            " WHERE user_id = ?",
            (user_id,),
        ) as cur:
            return {r[0]: LessonRow(*r) async for r in cur}

    async def move_lesson(self, src: int, into: int, lesson_id: str) -> None:
        await self.conn.execute(
            "UPDATE lesson_progress SET user_id = ? WHERE user_id = ? AND lesson_id = ?",
            (into, src, lesson_id),
        )

    async def put_lesson(self, user_id: int, row: LessonRow) -> None:
        """Overwrite a lesson's progress with merged values."""
        await self.conn.execute(
            "UPDATE lesson_progress SET started_at = ?, completed_at = ?, correct = ?, total = ?"
            " WHERE user_id = ? AND lesson_id = ?",
            (row.started_at, row.completed_at, row.correct, row.total, user_id, row.lesson_id),
        )


@dataclass(frozen=True)
class LessonRow:
    lesson_id: str
    started_at: str
    completed_at: str | None
    correct: int | None
    total: int | None
