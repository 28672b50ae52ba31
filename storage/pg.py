"""PostgreSQL through asyncpg: a connection pool, numbered migrations applied at start under an
advisory lock, and the same `transaction()` / `reading()` / `ride_along()` as the SQLite
`Database`, yielding the same `Store`.

Isolation: READ COMMITTED, as PostgreSQL ships. Counters are changed by `x = x + 1` in SQL and
by triggers, which row locks keep exact; what a turn reads and then writes back (the
conversation's state, the learner's row) is guarded by a transaction-scoped advisory lock on
the conversation key, taken when the turn loads its conversation (storage/repos.py
ConversationRepo.load): two workers never run turns of one person at the same time, and turns of
different people run in parallel. SERIALIZABLE with retries would need every caller to re-run
its whole body on a serialisation failure, which `async with transaction()` cannot do.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

import asyncpg

from storage.sql import PgConn
from storage.store import Store

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
#: pg_advisory_xact_lock key namespace for migrations (hashed with the schema name)
_MIGRATE_LOCK = "hocso.migrate."


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) of storage/migrations/postgresql, in order: one per SQLite one."""
    found = []
    for entry in resources.files("storage").joinpath("migrations", "postgresql").iterdir():
        m = _MIGRATION_NAME.match(entry.name)
        if m:
            found.append((int(m.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if len(versions) != len(set(versions)):
        raise RuntimeError(f"duplicate migration numbers: {versions}")
    return found


def _numeric(text: str) -> int | float:
    """SUM over BIGINT is NUMERIC in PostgreSQL; the repositories expect int (or float)."""
    return int(text) if text.lstrip("-").isdigit() else float(text)


async def _init(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec(
        "numeric", encoder=str, decoder=_numeric, schema="pg_catalog", format="text"
    )


class PgDatabase:
    """The PostgreSQL backend: same public surface as storage.db.Database."""

    dialect = "postgresql"

    def __init__(self, pool: asyncpg.Pool, url: str, path: Path):
        self.pool = pool
        self.url = url
        #: beside which media files are kept (engine.media_dir); no database file lives here
        self.path = path
        self._riders: list[Callable[[Store], Awaitable[None]]] = []

    @classmethod
    async def open(
        cls,
        url: str,
        path: Path | str = Path("data/hocso.db"),
        *,
        min_size: int = 1,
        max_size: int = 10,
        schema: str | None = None,
        server_settings: dict[str, str] | None = None,
    ) -> PgDatabase:
        """Connect a pool and migrate. `schema` (tests) puts every table in a schema of its
        own, which must exist; the URL may also carry `?search_path=...` (any setting given
        in the URL's query, or in `server_settings`, is set on each connection)."""
        settings = dict(server_settings or {})
        if schema:
            settings["search_path"] = schema
        pool = await asyncpg.create_pool(
            url, min_size=min_size, max_size=max_size, init=_init, server_settings=settings or None
        )
        db = cls(pool, url, Path(path))
        try:
            await db.migrate()
        except BaseException:
            await pool.close()
            raise
        return db

    async def close(self) -> None:
        await self.pool.close()

    async def _lock_migrations(self, conn: asyncpg.Connection) -> None:
        await conn.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended($1 || current_schema(), 0))",
            _MIGRATE_LOCK,
        )

    async def applied_versions(self) -> list[int]:
        async with self.pool.acquire() as conn, conn.transaction():
            await self._lock_migrations(conn)
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version BIGINT PRIMARY KEY, name TEXT NOT NULL,"
                " applied_at TEXT NOT NULL DEFAULT"
                " (to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')))"
            )
            rows = await conn.fetch("SELECT version FROM schema_migrations ORDER BY version")
        return [r[0] for r in rows]

    async def migrate(self) -> list[int]:
        """Apply every migration not yet applied, each in its own transaction under an advisory
        lock, so processes starting together apply each one exactly once."""
        await self.applied_versions()
        applied = []
        async with self.pool.acquire() as conn:
            for version, name, sql in migrations():
                async with conn.transaction():
                    await self._lock_migrations(conn)
                    if await conn.fetchval(
                        "SELECT 1 FROM schema_migrations WHERE version = $1", version
                    ):
                        continue  # another process got here first
                    await conn.execute(sql)
                    await conn.execute(
                        "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                        version,
                        name,
                    )
                applied.append(version)
        return applied

    def ride_along(self, write: Callable[[Store], Awaitable[None]]) -> None:
        """As Database.ride_along: run `write` at the start of every transaction."""
        self._riders.append(write)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Store]:
        """A pool connection in one transaction; commit on success, roll back on any
        exception, keeping what the riders wrote when only the body fails."""
        async with self.pool.acquire() as raw:
            store = Store(PgConn(raw))
            await raw.execute("BEGIN")
            savepoint = False
            try:
                for ride in self._riders:
                    await ride(store)
                if self._riders:
                    await raw.execute("SAVEPOINT body")
                    savepoint = True
                yield store
            except BaseException:
                if savepoint:
                    with contextlib.suppress(Exception):  # else: all goes, as without riders
                        await raw.execute("ROLLBACK TO SAVEPOINT body")
                        await raw.execute("COMMIT")
                if raw.is_in_transaction():
                    await raw.execute("ROLLBACK")
                raise
            else:
                await raw.execute("COMMIT")
            # SQLite checkpoints its WAL after an erasure; PostgreSQL's autovacuum reclaims
            # the dead rows (see docs: an operator may VACUUM after erasures)
            store.checkpoint_requested = False

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Store]:
        """Reads outside a turn see one snapshot of whole turns (REPEATABLE READ)."""
        async with self.pool.acquire() as raw, raw.transaction(isolation="repeatable_read"):
            yield Store(PgConn(raw))

    @asynccontextmanager
    async def sql(self, write: bool = False) -> AsyncIterator[PgConn]:
        """A pool connection with the repositories' surface, for tests and maintenance."""
        async with self.pool.acquire() as raw:
            if not write:
                yield PgConn(raw)
                return
            async with raw.transaction():
                yield PgConn(raw)
