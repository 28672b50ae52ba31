"""What is SQLite's own: migrations, pragmas, and upgrading a database written by older code.

What every backend must do (transactions, rollback, cascades, refusals kept as salted hashes)
is the contract suite beside this file: test_transactions.py, test_users.py and the rest.
"""

from storage import db as dbmod
from storage.db import Database
from storage.repos import ProgressRepo, UserRepo


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
