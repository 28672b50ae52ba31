"""The durable inbox every channel writes to before it tells the platform an update arrived.

A channel calls `Inbox.put` (the webhook before its 200, polling before the next getUpdates
confirms the offset) and hands the row to its per-chat dispatcher; the engine marks the row
answered, with its replies, inside the turn's transaction (`current_row()` tells it which row);
the channel marks it done once the replies are out. After a crash `recover()` gives back what
must be finished: 'pending' rows are handled again, 'answered' rows only have their replies sent.

Writes are grouped: while one transaction is being written, further puts and done marks wait
and go in the next one together, so a burst costs a few commits rather than one per update.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import functools
import json
import logging
from collections.abc import Callable
from typing import Any

from bot.core.events import Reply
from storage.db import Database
from storage.repos import INBOX_MAX_ATTEMPTS, InboxRow

log = logging.getLogger(__name__)

_ROW: contextvars.ContextVar[int | None] = contextvars.ContextVar("inbox_row", default=None)
#: Done rows are kept this long (their update ids guard against a platform's redelivery).
KEEP_DONE = dt.timedelta(days=2)


def current_row() -> int | None:
    """The inbox row of the update being handled in this task, if it came through an inbox."""
    return _ROW.get()


def replies_of(row: InboxRow) -> list[Reply]:
    return [Reply.from_json(r) for r in json.loads(row.replies or "[]")]


class Inbox:
    def __init__(
        self,
        db: Database,
        channel: str,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ):
        self.db = db
        self.channel = channel
        self.clock = clock
        self._puts: list[tuple[str, str, str, asyncio.Future]] = []
        self._done: list[int] = []
        self._writer: asyncio.Task | None = None
        self._idle = asyncio.Event()
        self._idle.set()
        db.ride_along(self._write_done)

    async def put(self, update_id: str, chat: str, payload: str) -> int | None:
        """Store one update durably; its row id, or None if it was stored before (a replay)."""
        fut = asyncio.get_running_loop().create_future()
        self._puts.append((update_id, chat, payload, fut))
        self._kick()
        return await fut

    async def put_many(self, items: list[tuple[str, str, str]]) -> list[int | None]:
        """Several updates in one go (a getUpdates batch), in order."""
        return list(await asyncio.gather(*(self.put(*i) for i in items)))

    def done(self, row_id: int) -> None:
        """The row's replies are out: written with the next transaction, whoever opens it (a
        turn usually, within milliseconds), or by our own writer when nothing else comes."""
        self._done.append(row_id)
        self._kick()

    async def _write_done(self, store) -> None:
        if self._done:
            done, self._done = self._done, []
            now = self.clock()
            for row_id in done:
                await store.inbox.done(row_id, now)

    async def flush(self) -> None:
        """Wait until every put and done mark so far is written."""
        while self._puts or self._done or not self._idle.is_set():
            await self._idle.wait()
            if self._puts or self._done:
                self._kick()
                await asyncio.sleep(0)

    async def recover(self) -> list[InboxRow]:
        """Rows the last run left unfinished, oldest first, each counted as one more attempt;
        a row that has been left behind too often (it brings the process down) is set aside,
        so one poisonous update cannot stop a chat for ever."""
        out = []
        async with self.db.transaction() as store:
            for row in await store.inbox.open_rows(self.channel):
                attempts = await store.inbox.started(row.id)
                if attempts > INBOX_MAX_ATTEMPTS:
                    await store.inbox.fail(row.id, self.clock())
                    log.error("%s inbox row %d left unfinished %d times; set aside",
                              self.channel, row.id, attempts - 1)  # fmt: skip
                else:
                    out.append(row)
        return out

    async def purge(self) -> int:
        async with self.db.transaction() as store:
            return await store.inbox.purge(self.clock() - KEEP_DONE)

    # --- handling one row in a task: the engine finds the row through the context ---

    @staticmethod
    def bind(row_id: int | None) -> contextvars.Token:
        return _ROW.set(row_id)

    @staticmethod
    def unbind(token: contextvars.Token) -> None:
        _ROW.reset(token)

    # --- group writes ---

    def _kick(self) -> None:
        if self._writer is None or self._writer.done():
            self._idle.clear()
            self._writer = asyncio.create_task(self._write(), name=f"inbox:{self.channel}")

    async def _write(self) -> None:
        try:
            while self._puts or self._done:
                puts, self._puts = self._puts, []
                try:
                    async with self.db.transaction() as store:  # done marks ride along
                        now = self.clock()
                        ids = [
                            await store.inbox.put(self.channel, uid, chat, payload, now)
                            for uid, chat, payload, _ in puts
                        ]
                except Exception as exc:
                    log.exception("%s inbox: could not write %d updates", self.channel, len(puts))
                    for *_, fut in puts:
                        if not fut.done():
                            fut.set_exception(exc)
                    if not puts:
                        await asyncio.sleep(0.5)
                    continue
                for (*_, fut), row_id in zip(puts, ids, strict=True):
                    if not fut.done():
                        fut.set_result(row_id)
        finally:
            self._idle.set()


class StoredUpdates:
    """What every channel does with its inbox rows, written once: handle a row with the row bound
    (so the engine marks it answered in the turn), finish what a crash left, resend replies.

    A channel provides `inbox`, `turns`, `name`, `deliver`, and `_turn_key` (the per-chat
    dispatcher key for an identity), `_process_stored` (handle one decoded update) and, if its
    payload is not plain JSON, `_decode`."""

    inbox: Inbox
    #: "all": receive and handle in this process (one process alone); "web": receive into the
    #: inbox only; "worker": receive nothing and handle the rows bot/workers.py claims.
    role: str = "all"

    @property
    def receiving(self) -> bool:
        """Whether this process takes updates from the platform (polling or webhook)."""
        return self.role != "worker"

    def _queue_row(self, key: Any, row_id: int, update: Any) -> None:
        """A freshly stored row: handled here in one process; left to the workers otherwise."""
        if self.role == "all":
            self.turns.submit(key, functools.partial(self._handle_row, row_id, update))

    def _decode(self, payload: str) -> Any:
        return json.loads(payload)

    async def _handle_row(self, row_id: int, update: Any) -> None:
        token = Inbox.bind(row_id)
        try:
            await self._process_stored(update)
        finally:
            Inbox.unbind(token)
        self.inbox.done(row_id)

    async def _recover(self) -> None:
        """Finish what the last run left in the inbox, in order, before taking new updates.
        With several processes the workers' claims do this instead (after the lease)."""
        if self.role != "all":
            return
        rows = await self.inbox.recover()
        if rows:
            log.warning("%s: %d stored updates left by the last run are finished now",
                        self.name, len(rows))  # fmt: skip
        for row in rows:
            key = self._turn_key(row.chat)
            if row.status == "answered":  # the turn is recorded: only its replies may be missing
                job = functools.partial(self._resend, row.id, replies_of(row))
            else:
                job = functools.partial(self._handle_row, row.id, self._decode(row.payload))
            self.turns.submit(key, job)

    async def _resend(self, row_id: int, replies: list[Reply]) -> None:
        await self.deliver(replies)
        self.inbox.done(row_id)
