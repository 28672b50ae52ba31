"""SQLite through aiosqlite: WAL, foreign keys, numbered migrations applied at start.

`Database.open("postgresql://...")` opens the PostgreSQL backend instead (storage/pg.py):
same `transaction()`, `reading()` and `Store`, over a connection pool.

`transaction()` and `reading()` yield a `Store` (storage/store.py): repositories, no raw SQL.

One connection per process and one writer at a time (SQLite allows no more); `transaction()`
serialises coroutines so that one conversation turn reads and writes as a unit.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

import aiosqlite

from storage.store import Store


def is_url(target: object) -> bool:
    """A PostgreSQL URL (HOCSO_DATABASE_URL), as opposed to a SQLite file's path."""
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every migration shipped with the package, in order."""
    found = []
    for entry in resources.files("storage").joinpath("migrations").iterdir():
        m = _MIGRATION_NAME.match(entry.name)
        if m:
            found.append((int(m.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if len(versions) != len(set(versions)):
        raise RuntimeError(f"duplicate migration numbers: {versions}")
    return found


class Database:
    dialect = "sqlite"

    def __init__(self, conn: aiosqlite.Connection, path: Path):
        self.conn = conn  # tests and storage only; the application goes through `store`
        self.path = path
        self.store = Store(conn)
        self._lock = asyncio.Lock()
        self._riders: list[Callable[[Store], Awaitable[None]]] = []

    @classmethod
    async def open(cls, path: Path | str, *, media: Path | str | None = None) -> Database:
        """A SQLite file, or PostgreSQL when `path` is a postgresql:// URL (then `media` is
        the path beside which media files are kept, as beside a SQLite file)."""
        if is_url(path):
            from storage.pg import PgDatabase

            return await PgDatabase.open(str(path), media or Path("data/hocso.db"))  # type: ignore[return-value]
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(path, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute("PRAGMA synchronous = NORMAL")
        await conn.execute("PRAGMA busy_timeout = 5000")
        await conn.execute("PRAGMA secure_delete = ON")  # erased rows leave no bytes behind
        db = cls(conn, path)
        await db.migrate()
        return db

    async def close(self) -> None:
        async with self._lock:
            await self.conn.close()

    async def applied_versions(self) -> list[int]:
        await self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
            " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))"
        )
        async with self.conn.execute(
            "SELECT version FROM schema_migrations ORDER BY version"
        ) as cur:
            return [row[0] async for row in cur]

    async def migrate(self) -> list[int]:
        """Apply every migration not yet applied, each in its own transaction."""
        done = set(await self.applied_versions())
        applied = []
        async with self._lock:
            for version, name, sql in migrations():
                if version in done:
                    continue
                script = (
                    f"BEGIN IMMEDIATE;\n{sql}\n"
                    f"INSERT INTO schema_migrations (version, name) VALUES ({version}, '{name}');\n"
                    "COMMIT;"
                )
                try:
                    await self.conn.executescript(script)
                except Exception:
                    if self.conn.in_transaction:
                        await self.conn.execute("ROLLBACK")
                    raise
                applied.append(version)
        return applied

    def ride_along(self, write: Callable[[Store], Awaitable[None]]) -> None:
        """Run `write` at the start of every transaction: small deferred writes (an inbox row's
        done mark) go out with the next commit instead of waiting in line for their own."""
        self._riders.append(write)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Store]:
        """One writer at a time; commit on success, roll back on any exception. What the
        riders wrote is kept when only the body fails: they have handed their writes over."""
        async with self._lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            savepoint = False
            try:
                for ride in self._riders:
                    await ride(self.store)
                if self._riders:
                    await self.conn.execute("SAVEPOINT body")
                    savepoint = True
                yield self.store
            except BaseException:
                self.store.checkpoint_requested = False
                if savepoint:
                    with contextlib.suppress(Exception):  # else: all goes, as without riders
                        await self.conn.execute("ROLLBACK TO body")
                        await self.conn.execute("COMMIT")
                if self.conn.in_transaction:
                    await self.conn.execute("ROLLBACK")
                raise
            else:
                await self.conn.execute("COMMIT")
                if self.store.checkpoint_requested:
                    self.store.checkpoint_requested = False
                    await self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Store]:
        """Reads outside a turn (reports, the CLI) wait for the writer so they see whole turns."""
        async with self._lock:
            yield self.store

    @asynccontextmanager
    async def sql(self, write: bool = False) -> AsyncIterator[aiosqlite.Connection]:
        """The raw connection, for tests and maintenance scripts that inspect or seed tables;
        the application goes through `transaction()` and `reading()` and never sees SQL."""
        if not write:
            async with self._lock:
                yield self.conn
            return
        async with self._lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            else:
                await self.conn.execute("COMMIT")
