"""Helpers for the race tests: two transactions made to meet at the point where a race bites.

A race needs one transaction to read before the other commits. The tests do not hope for that
interleaving: they put a `Rendezvous` inside a repository method (monkeypatched) so that two
concurrent flows both reach it before either goes on. Where the fix makes the second flow wait
on a lock before it gets there, the first one gives up waiting after `timeout` and commits
alone: the meeting is a strong hint, never a deadlock.

On SQLite, `Database.transaction()` admits one writer at a time in the process, so the second
flow always waits and the meeting always times out: the same tests then show that SQLite's
single writer needs none of the PostgreSQL locks.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Callable
from typing import Any


class Rendezvous:
    """`await meet()`: wait until `parties` callers have arrived, or `timeout` seconds."""

    def __init__(self, parties: int = 2, timeout: float = 1.0):
        self.parties = parties
        self.timeout = timeout
        self.arrived = 0
        self.met = False  # all parties were there at once (the race was really run)
        self._all = asyncio.Event()

    async def meet(self) -> None:
        self.arrived += 1
        if self.arrived >= self.parties:
            self.met = True
            self._all.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._all.wait(), self.timeout)


def meeting_before(monkeypatch, owner: type, method: str, rendezvous: Rendezvous) -> None:
    """Make `owner.method` meet at `rendezvous` first, then do what it does."""
    real: Callable[..., Any] = getattr(owner, method)

    @functools.wraps(real)
    async def wrapped(self, *args, **kwargs):
        await rendezvous.meet()
        return await real(self, *args, **kwargs)

    monkeypatch.setattr(owner, method, wrapped)


async def lock_waiters(db: Any) -> int:
    """Sessions of this PostgreSQL database waiting for a lock right now (0 on SQLite)."""
    if getattr(db, "dialect", "sqlite") != "postgresql":
        return 0
    async with db.sql() as conn:
        rows = await conn.execute_fetchall(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE NOT l.granted AND a.datname = current_database()"
        )
    return int(rows[0][0])


async def until_waiting(db: Any, n: int = 1, timeout: float = 5.0) -> bool:
    """Wait until `n` sessions wait for a lock (PostgreSQL); False if they never did. On SQLite
    the other flow is queued behind the process's one writer: give it a moment to get there."""
    if getattr(db, "dialect", "sqlite") != "postgresql":
        await asyncio.sleep(0.2)
        return True
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if await lock_waiters(db) >= n:
            return True
        await asyncio.sleep(0.02)
    return False


async def second_waits_for_first(db: Any, take: Callable[[Any], Any]) -> bool:
    """Whether a transaction that calls `take(store)` (a lock) keeps a second one that calls
    it waiting until the first commits: PostgreSQL by the lock itself, SQLite by its one
    writer at a time. Each takes it twice, to show that taking it again is harmless."""
    order: list[str] = []
    holding, release = asyncio.Event(), asyncio.Event()

    async def first():
        async with db.transaction() as s:
            await take(s)
            await take(s)
            holding.set()
            await release.wait()
            order.append("first commits")

    async def second():
        await holding.wait()
        async with db.transaction() as s:
            await take(s)
            order.append("second goes on")

    tasks = [asyncio.create_task(first()), asyncio.create_task(second())]
    await holding.wait()
    await asyncio.sleep(0.2)
    waited = order == []
    release.set()
    await asyncio.gather(*tasks)
    return waited and order == ["first commits", "second goes on"]
