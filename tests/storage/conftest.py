"""The storage contract: every test that takes `backend` runs once per storage backend.

As aiogram does for its FSM storages, one suite is parametrised over the backends, so a second
backend is proven by the very tests the first one passes. A backend is a name, a factory that
opens a fresh, migrated, empty `Database` for one test (and cleans up after it), the exception
its driver raises on a constraint violation, and optionally the environment variable it needs.

PostgreSQL is the second entry: a schema of its own per test, dropped afterwards, on the server
named by HOCSO_TEST_DATABASE_URL (`.ci/run` creates a fresh database for it).
Without that variable the PostgreSQL runs are reported as skipped, with the reason.

The tests reach the database only through the `Store` (`db.transaction()`, `db.reading()`),
never through SQL, so they say nothing a second backend could not honour. The one exception is
`dump`, each backend's own listing of every row, for what no repository reads back.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import asyncpg
import pytest

from storage.db import Database
from storage.pg import PgDatabase
from storage.store import Store

T = TypeVar("T")


@dataclass(frozen=True)
class Backend:
    name: str
    #: opens a fresh, migrated, empty database for one test and disposes of it afterwards
    open: Callable[[Path], AbstractAsyncContextManager[Database]]
    #: what the driver raises when a write breaks a constraint (unique, check, foreign key)
    integrity_error: type[BaseException]
    #: every row of every table, as {table: [{column: value}]}: for the few facts no repository
    #: reads back (audit rows, skill confirmations) and for erasure's search of everything
    dump: Callable[[Database], Awaitable[dict[str, list[dict]]]]
    #: the backend runs only when this environment variable is set (a server to talk to)
    needs_env: str | None = None

    def skip_reason(self) -> str | None:
        if self.needs_env and not os.environ.get(self.needs_env):
            return f"{self.name} storage contract: set {self.needs_env} to run it"
        return None


@asynccontextmanager
async def _sqlite(tmp_path: Path) -> AsyncIterator[Database]:
    db = await Database.open(tmp_path / "contract.db")
    try:
        yield db
    finally:
        await db.close()


async def _sqlite_dump(db: Database) -> dict[str, list[dict]]:
    async with db.sql() as conn:
        tables = await conn.execute_fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        return {
            t: [dict(r) for r in await conn.execute_fetchall(f'SELECT * FROM "{t}"')]
            for (t,) in tables
        }


PG_ENV = "HOCSO_TEST_DATABASE_URL"
#: a test's schema is thrown away: no need to wait for each commit to reach the disk
FAST = {"synchronous_commit": "off"}


@asynccontextmanager
async def pg_schema() -> AsyncIterator[tuple[str, str]]:
    """(url, schema): a fresh, empty schema on the test server, dropped afterwards."""
    url = os.environ[PG_ENV]
    schema = f"t_{secrets.token_hex(6)}"
    admin = await asyncpg.connect(url)
    try:
        await admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield url, schema
        finally:
            await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
    finally:
        await admin.close()


@asynccontextmanager
async def _postgresql(tmp_path: Path) -> AsyncIterator[Database]:
    async with pg_schema() as (url, schema):
        db = await PgDatabase.open(
            url, tmp_path / "contract.db", max_size=4, schema=schema, server_settings=FAST
        )
        try:
            yield db  # type: ignore[misc]
        finally:
            await db.close()


async def _postgresql_dump(db: Database) -> dict[str, list[dict]]:
    async with db.sql() as conn:
        tables = await conn.execute_fetchall(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
        return {
            t: [dict(r) for r in await conn.execute_fetchall(f'SELECT * FROM "{t}"')]
            for (t,) in tables
        }


BACKENDS: tuple[Backend, ...] = (
    Backend(
        "sqlite",
        open=_sqlite,
        integrity_error=sqlite3.IntegrityError,
        dump=_sqlite_dump,
    ),
    Backend(
        "postgresql",
        open=_postgresql,
        integrity_error=asyncpg.IntegrityConstraintViolationError,
        dump=_postgresql_dump,
        needs_env=PG_ENV,
    ),
)


def _params() -> list:
    out = []
    for b in BACKENDS:
        reason = b.skip_reason()
        marks = [pytest.mark.skip(reason=reason)] if reason else []
        out.append(pytest.param(b, id=b.name, marks=marks))
    return out


@pytest.fixture(params=_params())
def backend_kind(request) -> Backend:
    """The backend the current test runs on (its name, its integrity error)."""
    return request.param


@pytest.fixture
async def backend(backend_kind: Backend, tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh, opened, empty `Database` of each backend in turn."""
    async with backend_kind.open(tmp_path) as db:
        yield db


@pytest.fixture
def integrity_error(backend_kind: Backend) -> type[BaseException]:
    return backend_kind.integrity_error


@pytest.fixture
def dump(backend_kind: Backend, backend: Database) -> Callable[[], Awaitable[dict[str, list]]]:
    """`await dump()`: every table's rows, as dicts (read-only, outside any transaction)."""
    return lambda: backend_kind.dump(backend)


class Tx:
    """Run a body in one transaction (or under `reading()`) and return what it returns:
    `await tx(lambda s: s.users.create(...))`, `await tx.read(lambda s: s.users.by_id(1))`."""

    def __init__(self, db: Database):
        self.db = db

    async def __call__(self, body: Callable[[Store], Awaitable[T]]) -> T:
        async with self.db.transaction() as store:
            return await body(store)

    async def read(self, body: Callable[[Store], Awaitable[T]]) -> T:
        async with self.db.reading() as store:
            return await body(store)


@pytest.fixture
def tx(backend: Database) -> Tx:
    return Tx(backend)
