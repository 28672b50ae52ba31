import datetime as dt
import sqlite3

import pytest

from storage import db as dbmod
from storage.db import Database
from storage.repos import ProgressRepo, UserRepo

NOW = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)


async def test_migrations_on_an_empty_database(tmp_path):
    db = await Database.open(tmp_path / "a.db")
    versions = await db.applied_versions()
    assert versions == [v for v, _, _ in dbmod.migrations()]
    async with db.conn.execute("PRAGMA journal_mode") as cur:
        assert (await cur.fetchone())[0] == "wal"
    async with db.conn.execute("PRAGMA foreign_keys") as cur:
        assert (await cur.fetchone())[0] == 1
    await db.close()


async def test_migrations_on_an_existing_database_keep_data(tmp_path, monkeypatch):
    all_migrations = dbmod.migrations()
    monkeypatch.setattr(dbmod, "migrations", lambda: all_migrations[:1])
    db = await Database.open(tmp_path / "b.db")
    assert await db.applied_versions() == [1]
    async with db.sql(write=True) as conn:  # written as the old schema's code would
        await conn.execute(
            "INSERT INTO users (id, identity, consent, consent_at, created_at, last_active_at)"
            " VALUES (7, 'sim:x', 'given', 't', 't', 't')"
        )
        await conn.execute("INSERT INTO mastery VALUES (7, 'dvc.a', 0.5, 0, 1, 1, 't')")
    await db.close()

    monkeypatch.setattr(dbmod, "migrations", lambda: all_migrations)
    db = await Database.open(tmp_path / "b.db")
    assert await db.applied_versions() == [v for v, _, _ in all_migrations]
    assert await db.migrate() == []  # nothing twice
    async with db.sql(write=True) as conn:
        user = await UserRepo(conn).find("sim:x")
        assert user.id == 7 and user.reminder_time is None
        assert (await ProgressRepo(conn).mastery(7))["dvc.a"].p_known == 0.5
    await db.close()


async def test_a_failed_transaction_leaves_nothing(tmp_path):
    db = await Database.open(tmp_path / "c.db")
    with pytest.raises(RuntimeError):
        async with db.sql(write=True) as conn:
            await UserRepo(conn).create("sim:y", "given", NOW)
            raise RuntimeError("boom")
    async with db.sql() as conn:
        assert await UserRepo(conn).find("sim:y") is None
    await db.close()


async def test_foreign_keys_cascade_on_delete(tmp_path):
    db = await Database.open(tmp_path / "d.db")
    async with db.sql(write=True) as conn:
        user = await UserRepo(conn).create("sim:z", "given", NOW)
        await ProgressRepo(conn).record_answer(user.id, "q", "l", 0, True, "lesson", NOW)
        await UserRepo(conn).delete(user.id)
        assert await conn.execute_fetchall("SELECT * FROM answers") == []
    with pytest.raises(sqlite3.IntegrityError):
        async with db.sql(write=True) as conn:
            await ProgressRepo(conn).record_answer(999, "q", "l", 0, True, "lesson", NOW)
    await db.close()


async def test_refusal_identity_is_a_salted_hash(tmp_path):
    db = await Database.open(tmp_path / "e.db")
    async with db.sql(write=True) as conn:
        users = UserRepo(conn)
        key = await users.anon_key("telegram:42")
        assert key.startswith("anon:") and "telegram" not in key and len(key) == 37
        assert key == await users.anon_key("telegram:42")
        await users.create(key, "refused", NOW)
        assert (await users.find("telegram:42")).consent == "refused"
    await db.close()
