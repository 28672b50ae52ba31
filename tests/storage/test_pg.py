"""What is PostgreSQL's own: its migrations (one per SQLite one, each applied once even when
processes start together), placeholders, and the per-conversation lock that keeps one person's
turns in order across workers. The rest is the contract suite, run on both backends."""

from __future__ import annotations

import asyncio
import datetime as dt
import os

import pytest

from storage import db as sqlite_db
from storage import pg
from storage.sql import retryable, to_numbered
from tests.storage.conftest import PG_ENV, pg_schema

needs_pg = pytest.mark.skipif(
    not os.environ.get(PG_ENV), reason=f"postgresql: set {PG_ENV} to run it"
)
NOW = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)


def test_placeholders_are_numbered_outside_literals_and_comments():
    sql = "SELECT '?', \"a?\" FROM t WHERE a = ? AND b IN (?, ?) -- why?\n AND c = ?"
    assert to_numbered(sql) == (
        "SELECT '?', \"a?\" FROM t WHERE a = $1 AND b IN ($2, $3) -- why?\n AND c = $4"
    )
    assert to_numbered("SELECT 'it''s ?' || ?") == "SELECT 'it''s ?' || $1"


def test_a_deadlock_or_a_serialisation_conflict_may_be_run_again():
    class Ended(Exception):
        def __init__(self, sqlstate: str):
            self.sqlstate = sqlstate

    assert retryable(Ended("40P01")) and retryable(Ended("40001"))
    assert not retryable(Ended("23505"))  # a unique violation is an answer, not bad luck
    assert not retryable(ValueError("x"))


def test_every_sqlite_migration_has_its_postgresql_twin():
    assert [(v, n) for v, n, _ in pg.migrations()] == [(v, n) for v, n, _ in sqlite_db.migrations()]


@needs_pg
async def test_two_processes_starting_at_once_apply_each_migration_once(tmp_path):
    async with pg_schema() as (url, schema):
        opened = await asyncio.gather(
            *(pg.PgDatabase.open(url, tmp_path / "x.db", max_size=2, schema=schema) for _ in "ab")
        )
        try:
            a, b = opened
            all_versions = [v for v, _, _ in pg.migrations()]
            assert await a.applied_versions() == all_versions
            assert await b.migrate() == []
            async with a.sql() as conn:
                rows = await conn.execute_fetchall(
                    "SELECT version, COUNT(*) FROM schema_migrations GROUP BY version"
                )
            assert sorted(tuple(r) for r in rows) == [(v, 1) for v in all_versions]
            # and both work on the one schema
            async with a.transaction() as s:
                await s.users.create("sim:a", "given", NOW)
            async with b.reading() as s:
                assert (await s.users.by_identity("sim:a")) is not None
        finally:
            for db in opened:
                await db.close()


@needs_pg
async def test_a_failing_migration_leaves_nothing_behind(tmp_path, monkeypatch):
    shipped = pg.migrations()
    bad = (9999, "9999_bad.sql", "CREATE TABLE half_done (x INT); SELECT no_such_function();")
    monkeypatch.setattr(pg, "migrations", lambda: [*shipped, bad])
    async with pg_schema() as (url, schema):
        with pytest.raises(Exception, match="no_such_function"):
            await pg.PgDatabase.open(url, tmp_path / "x.db", schema=schema)
        monkeypatch.setattr(pg, "migrations", lambda: shipped)
        db = await pg.PgDatabase.open(url, tmp_path / "x.db", schema=schema)
        try:
            assert await db.applied_versions() == [v for v, _, _ in shipped]
            async with db.sql() as conn:
                found = await conn.execute_fetchall(
                    "SELECT 1 FROM information_schema.tables"
                    " WHERE table_schema = current_schema() AND table_name = 'half_done'"
                )
            assert found == []
        finally:
            await db.close()


@needs_pg
async def test_turns_of_one_person_wait_for_each_other_and_others_do_not(tmp_path):
    """ConversationRepo.load locks the conversation until the transaction ends."""
    async with pg_schema() as (url, schema):
        db = await pg.PgDatabase.open(url, tmp_path / "x.db", max_size=4, schema=schema)
        try:
            order: list[str] = []
            first_holds = asyncio.Event()
            release = asyncio.Event()

            async def first():
                async with db.transaction() as s:
                    await s.conversations.load("sim:a")
                    order.append("first in")
                    first_holds.set()
                    await release.wait()
                    await s.conversations.save("sim:a", "menu", {"n": 1}, NOW)
                    order.append("first out")

            async def second(key: str):
                await first_holds.wait()
                async with db.transaction() as s:
                    got = await s.conversations.load(key)
                    order.append(f"{key} in: {got}")

            a = asyncio.create_task(first())
            other = asyncio.create_task(second("sim:b"))
            same = asyncio.create_task(second("sim:a"))
            await asyncio.wait_for(other, 5)  # another person is not held up
            await asyncio.sleep(0.3)
            assert not same.done()  # the same person waits ...
            release.set()
            await asyncio.gather(a, same)
            assert order == [  # ... and then sees what the first turn wrote
                "first in",
                "sim:b in: None",
                "first out",
                "sim:a in: ('menu', {'n': 1})",
            ]
        finally:
            await db.close()
