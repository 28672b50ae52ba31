"""Several bot processes on one database: `python -m bot run --role web|worker|all`.

`web` processes receive (webhooks, or polling) and only store each update in the durable inbox;
`worker` processes claim what is stored and handle it; `all` (the default) is one process doing
both, as before. Any number of workers can run against one database:

- an inbox row is claimed with a lease (migration 0160): for each chat only its oldest open row,
  and only while no other worker holds it, so a chat's updates are handled in order by one
  worker at a time while different chats go to different workers;
- outbox rows are claimed the same way (bot/delivery.py with an owner), in small batches, and
  an outcome is written only by the worker still holding the row;
- due work (reminders, scheduled announcements, report subscriptions) may run in every worker:
  each item is marked taken in the same statement that checks it is still due;
- a worker that is killed stops renewing its leases; when they run out, its rows go to the next
  worker that claims, so nothing is lost. A worker stopped cleanly hands its rows back at once.

What one worker holds it renews every third of the lease, so slow work never loses its rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import logging
import os
import secrets
import socket
from collections.abc import Sequence
from typing import Any

from bot.channels.inbox import replies_of
from storage.db import Database
from storage.repos import INBOX_MAX_ATTEMPTS, InboxRow

log = logging.getLogger(__name__)

ROLES = ("all", "web", "worker")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def worker_name() -> str:
    """Who holds a lease: host, process and a random tag (a pid can come back after a restart)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class InboxWorker:
    """Claims stored updates for this process's channels and hands each to its channel's
    per-chat dispatcher; renews the leases of what it holds (inbox rows and, for the outbox
    sender with the same owner, outbox rows) until they are finished."""

    def __init__(
        self,
        db: Database,
        channels: Sequence[Any],
        owner: str,
        *,
        lease: float = 60.0,
        poll: float = 0.2,
        batch: int = 64,
        renew_outbox: bool = True,
    ):
        self.db = db
        self.channels = {ch.name: ch for ch in channels if hasattr(ch, "inbox")}
        self.owner = owner
        self.lease = dt.timedelta(seconds=lease)
        self.poll = poll
        self.batch = batch
        self.renew_outbox = renew_outbox
        self.held: set[int] = set()
        self.claimed = 0  # rows claimed so far (for logs and tests)
        self._room = asyncio.Event()
        self._stopping = asyncio.Event()
        self._loop: asyncio.Task | None = None
        self._renewer: asyncio.Task | None = None

    async def start(self) -> None:
        self._loop = asyncio.create_task(self._claim_loop(), name="workers:inbox")
        self._renewer = asyncio.create_task(self._renew_loop(), name="workers:leases")

    async def stop_claiming(self) -> None:
        """Take nothing more; what is held goes on (the channels finish their queued turns)."""
        self._stopping.set()
        self._room.set()
        if self._loop is not None:
            with contextlib.suppress(Exception):
                await self._loop
            self._loop = None

    async def close(self) -> None:
        """After the channels stopped: stop renewing and hand back what is still held (turns
        cut short at shutdown), so another worker takes it at once instead of after the lease."""
        await self.stop_claiming()
        if self._renewer is not None:
            self._renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewer
            self._renewer = None
        left = sorted(self.held)
        if left:
            try:
                async with self.db.transaction() as store:
                    for row_id in left:
                        await store.inbox.release(row_id, self.owner)
                log.info("inbox: %d unfinished rows handed back", len(left))
            except Exception:
                log.exception(
                    "inbox: could not hand back %d rows (taken after the lease)", len(left)
                )

    # --- claiming ---

    async def _claim_loop(self) -> None:
        names = sorted(self.channels)
        while not self._stopping.is_set():
            room = self.batch - len(self.held)
            if room <= 0:
                self._room.clear()
                await self._room.wait()
                continue
            try:
                rows = await self._claim(names, room)
            except Exception:
                log.exception("inbox: claiming rows failed")
                rows = []
            for row in rows:
                ch = self.channels[row.channel]
                self.held.add(row.id)
                # refused only while shutting down: then still held, and handed back by close()
                ch.turns.submit(ch._turn_key(row.chat), functools.partial(self._run, ch, row))
            if not rows:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), self.poll)

    async def _claim(self, names: list[str], limit: int) -> list[InboxRow]:
        now = utc_now()
        async with self.db.reading() as store:  # looking costs no write lock
            if not await store.inbox.claimable(names, now):
                return []
        async with self.db.transaction() as store:
            rows = await store.inbox.claim(names, self.owner, now, now + self.lease, limit)
            keep = []
            for row in rows:
                if row.attempts > INBOX_MAX_ATTEMPTS:  # it brought workers down too often
                    await store.inbox.fail(row.id, now)
                    log.error("%s inbox row %d left unfinished %d times; set aside",
                              row.channel, row.id, row.attempts - 1)  # fmt: skip
                else:
                    keep.append(row)
        self.claimed += len(keep)
        return keep

    async def _run(self, ch: Any, row: InboxRow) -> None:
        """Handle one claimed row in its chat's turn; on failure give it back for a retry. A
        turn cancelled at shutdown stays held: `close()` hands it back."""
        try:
            if row.status == "answered":  # the turn is recorded: only its replies may be missing
                await ch._resend(row.id, replies_of(row))
            else:
                await ch._handle_row(row.id, ch._decode(row.payload))
        except Exception:
            log.exception("%s inbox row %d failed; it will be tried again", ch.name, row.id)
            self._forget(row.id)
            with contextlib.suppress(Exception):
                async with self.db.transaction() as store:
                    await store.inbox.release(row.id, self.owner)
            return
        self._forget(row.id)

    def _forget(self, row_id: int) -> None:
        self.held.discard(row_id)
        self._room.set()

    # --- leases ---

    async def _renew_loop(self) -> None:
        every = self.lease.total_seconds() / 3
        while True:
            await asyncio.sleep(every)
            try:
                until = utc_now() + self.lease
                async with self.db.transaction() as store:
                    if self.held:
                        await store.inbox.renew(self.owner, sorted(self.held), until)
                    if self.renew_outbox:
                        await store.outbox.renew(self.owner, until)
            except Exception:
                log.exception("could not renew leases")
