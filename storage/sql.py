"""The connection interface every repository speaks, and its PostgreSQL implementation.

Repositories were written against aiosqlite's small surface: `execute(sql, params)` (awaited,
or used as `async with`) giving a cursor with `fetchone()`, `fetchall()`, `rowcount` and async
iteration, plus `execute_fetchall` and `executemany`. Keeping exactly that surface, rather than
inventing a new one, means the SQLite backend runs on the bare aiosqlite connection with no
layer in between, and code other people write against SQLite today runs on PostgreSQL unchanged
as long as its SQL is portable: `?` placeholders (translated to `$n` here), ON CONFLICT,
RETURNING instead of `lastrowid`, no SQLite-only functions. Where the two engines must differ,
a repository asks `dialect(conn)` and picks its snippet.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import Any, Protocol


class Conn(Protocol):
    """What a repository holds: the bare aiosqlite connection or a `PgConn`."""

    def execute(self, sql: str, params: Sequence = ...) -> Any: ...

    async def execute_fetchall(self, sql: str, params: Sequence = ...) -> Iterable[Any]: ...

    async def executemany(self, sql: str, seq: Iterable[Sequence]) -> Any: ...


SQLITE = "sqlite"
POSTGRESQL = "postgresql"


def dialect(conn: Any) -> str:
    """'postgresql' for a `PgConn`, 'sqlite' for the bare aiosqlite connection."""
    return getattr(conn, "dialect", SQLITE)


def greatest(conn: Any, *exprs: str) -> str:
    """SQL for the larger of scalar expressions: SQLite's two-argument max, PostgreSQL's GREATEST."""
    fn = "GREATEST" if dialect(conn) == POSTGRESQL else "max"
    return f"{fn}({', '.join(exprs)})"


def position(conn: Any, needle: str, haystack: str) -> str:
    """SQL for the 1-based position of `needle` in `haystack` (0 if absent)."""
    if dialect(conn) == POSTGRESQL:
        return f"strpos({haystack}, {needle})"
    return f"instr({haystack}, {needle})"


def for_update(conn: Any) -> str:
    """A SELECT's tail that locks the rows it reads until the transaction ends (PostgreSQL,
    where several workers write at once); nothing on SQLite, whose one writer at a time
    (`BEGIN IMMEDIATE`) already keeps the rows from changing under a read-then-write."""
    return " FOR UPDATE" if dialect(conn) == POSTGRESQL else ""


async def lock_key(conn: Any, key: str) -> None:
    """Wait for, then hold until the transaction ends, the lock named `key` (PostgreSQL's
    transaction-scoped advisory lock on its 64-bit hash): for a read-then-write that has no
    row to lock yet (a name about to be taken) or spans many rows. A no-op on SQLite, where
    `transaction()` admits one writer at a time. Conversation keys ("telegram:1") name the
    per-person lock every turn takes (ConversationRepo.load); other users of this lock put a
    word and a colon of their own first ("branches:commune:5800")."""
    if dialect(conn) == POSTGRESQL:
        await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", (key,))


#: SQLSTATEs of a transaction the server ended only to let others go on: a deadlock broken
#: (40P01) or a serialisation conflict (40001); running it again is safe and likely to work.
_RETRYABLE = frozenset({"40P01", "40001"})


def retryable(exc: BaseException) -> bool:
    """Whether `exc` is PostgreSQL ending the transaction to break a deadlock (or a conflict):
    everything it did is rolled back, so it can be run again. Never on SQLite."""
    return getattr(exc, "sqlstate", None) in _RETRYABLE


_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|\?")


@functools.lru_cache(maxsize=2048)
def to_numbered(sql: str) -> str:
    """`?` placeholders as `$1, $2, ...`, leaving string literals, identifiers and comments."""
    n = 0

    def sub(m: re.Match) -> str:
        nonlocal n
        if m.group(0) != "?":
            return m.group(0)
        n += 1
        return f"${n}"

    return _TOKENS.sub(sub, sql)


_ROWS = re.compile(r"^\s*(SELECT|WITH|VALUES)\b|\bRETURNING\b", re.IGNORECASE)


class PgCursor:
    """What aiosqlite's cursor offers the repositories: the rows and how many rows changed."""

    def __init__(self, rows: list, rowcount: int):
        self._rows = rows
        self._i = 0
        self.rowcount = rowcount

    async def fetchone(self) -> Any:
        if self._i >= len(self._rows):
            return None
        self._i += 1
        return self._rows[self._i - 1]

    async def fetchmany(self, size: int) -> list:
        rows, self._i = self._rows[self._i : self._i + size], min(self._i + size, len(self._rows))
        return rows

    @property
    def description(self) -> list[tuple]:
        """Column names as DB-API's (name, ...) tuples, read off the first row."""
        first = self._rows[0] if self._rows else {}
        return [(k, None, None, None, None, None, None) for k in first.keys()]  # noqa: SIM118 (a Record iterates values)

    async def fetchall(self) -> list:
        rest, self._i = self._rows[self._i :], len(self._rows)
        return rest

    def __aiter__(self) -> PgCursor:
        return self

    async def __anext__(self) -> Any:
        row = await self.fetchone()
        if row is None:
            raise StopAsyncIteration
        return row


class _Pending:
    """`await conn.execute(...)` and `async with conn.execute(...) as cur` both work."""

    def __init__(self, conn: PgConn, sql: str, params: Sequence):
        self._run = conn._run(sql, params)

    def __await__(self):
        return self._run.__await__()

    async def __aenter__(self) -> PgCursor:
        return await self._run

    async def __aexit__(self, *exc: object) -> None:
        return None


def _count(status: str) -> int:
    """Rows changed, from a command tag ('UPDATE 3', 'INSERT 0 1', 'DELETE 0')."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else -1


class PgConn:
    """One asyncpg connection (held for one transaction) with aiosqlite's surface."""

    dialect = POSTGRESQL

    def __init__(self, conn: Any):
        self.raw = conn
        #: rows changed by this connection so far (aiosqlite's `total_changes`)
        self.total_changes = 0

    async def _run(self, sql: str, params: Sequence) -> PgCursor:
        q = to_numbered(sql)
        args = tuple(params)
        if _ROWS.search(sql):
            rows = await self.raw.fetch(q, *args)
            count = len(rows)
            if sql.lstrip()[:6].upper() not in ("SELECT", "VALUES"):
                self.total_changes += count
            return PgCursor(rows, count)
        count = _count(await self.raw.execute(q, *args))
        self.total_changes += max(count, 0)
        return PgCursor([], count)

    def execute(self, sql: str, params: Sequence = ()) -> _Pending:
        return _Pending(self, sql, params)

    async def execute_fetchall(self, sql: str, params: Sequence = ()) -> list:
        return await self.raw.fetch(to_numbered(sql), *params)

    async def executemany(self, sql: str, seq: Iterable[Sequence]) -> None:
        """Each row in turn, so `total_changes` counts what was really written (an ON
        CONFLICT DO NOTHING row adds nothing), as SQLite counts it."""
        q = to_numbered(sql)
        stmt = await self.raw.prepare(q)
        for params in seq:
            await stmt.fetch(*params)
            self.total_changes += _count(stmt.get_statusmsg())
