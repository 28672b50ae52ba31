"""CI helper: create or drop the PostgreSQL database the storage contract's PostgreSQL half runs on.

pgdb.py create NAME   prints the database's URL (user postgres, else root; trust auth on
                      127.0.0.1:5432), or nothing and exit 1 if no server answers
pgdb.py drop URL      drops it (connections closed first)
"""

from __future__ import annotations

import asyncio
import sys
from urllib.parse import urlsplit, urlunsplit

import asyncpg

HOST, PORT = "127.0.0.1", 5432


async def create(name: str) -> int:
    for user in ("postgres", "root"):
        try:
            conn = await asyncpg.connect(
                host=HOST, port=PORT, user=user, database="postgres", timeout=5
            )
        except (OSError, asyncpg.PostgresError) as exc:
            print(f"PostgreSQL as {user}@{HOST}:{PORT}: {exc}", file=sys.stderr)
            continue
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        print(f"postgresql://{user}@{HOST}:{PORT}/{name}")
        return 0
    return 1


async def drop(url: str) -> int:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    conn = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")), timeout=5)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
    return 0


if __name__ == "__main__":
    action, arg = sys.argv[1], sys.argv[2]
    sys.exit(asyncio.run(create(arg) if action == "create" else drop(arg)))
