"""The outbox worker: sends queued bulk messages at each channel's pace and survives crashes.

Announcements are written to the `outbox` table (storage/outbox.py) and sent from here, never
from a conversation turn: interactive replies go straight through the channels and never wait
on bulk sending. One `Lane` per running channel claims due rows in small batches (status
'sending', in one transaction), sends each through the channel's `bulk_parts` (one platform
call per part, tried once) and records the outcome:

- paced: at most `rate` messages a second per channel, and per chat where the platform limits
  that (Telegram: 1/s);
- a 429 pauses that channel's bulk sending for `retry_after`, then the same part is tried
  again (a 429 is the platform's pace, not the row's fault, so it costs no attempt);
- network trouble and server errors put the row back with a growing delay, up to
  `max_attempts`, then 'failed' with a reason staff can read; a refusal (400) fails at once;
- a channel may say a message must wait for the person (Waiting: Zalo OA outside the window):
  the row goes back to 'pending' with the reason as its status, costing no attempt;
- 403 marks the person blocked (engine.set_blocked) and the row 'blocked'; rows to identities
  already blocked are marked 'blocked' when claimed, without a send;
- quiet hours: non-urgent rows wait while it is 21:00-07:00 in Vietnam;
- at start, rows left 'sending' by a crash go back to 'pending': only messages in flight at
  the crash can arrive twice. A multi-part message retried in the same process resumes after
  the parts already sent; after a restart it starts again from its first part.

Results are written by one recorder task, batched while sending is busy, so bulk sending takes
the database lock for short moments and conversation turns hardly notice it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import math
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from bot import texts
from bot.channels.common import (
    Channel,
    RateLimited,
    Rejected,
    SendFailed,
    Transient,
    Unreachable,
    Waiting,
)
from bot.config import Settings
from bot.core import linking
from bot.core.engine import Engine
from bot.core.events import Button, OutFile, Reply
from storage.db import Database
from storage.outbox import Outcome
from storage.repos import iso
from storage.store import Store

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]

VN = ZoneInfo("Asia/Ho_Chi_Minh")
QUIET_FROM = dt.time(21, 0)
QUIET_UNTIL = dt.time(7, 0)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def in_quiet_hours(now: dt.datetime) -> bool:
    """21:00-07:00 in Vietnam: nobody is woken by an announcement."""
    t = now.astimezone(VN).time()
    return t >= QUIET_FROM or t < QUIET_UNTIL


class Pacer:
    """Even spacing of one channel's bulk sends: `rate` a second overall, `chat_rate` a second
    per chat, and everyone held back while the platform's retry_after runs.

    Slots alone are not enough: when the event loop stalls (a full garbage collection, a slow
    query, a new connection), sends whose slots passed go out together, and the platform's
    window (Telegram: 30 in any one second) then holds more than `rate` and answers 429, which
    pauses everything for a whole retry_after. So every send also counts until one second
    after its answer (the platform saw it before that), and at most floor(`rate`) count at
    once: however the sends bunch up on the way, no second at the platform holds more, and a
    stall costs its own length instead of a one-second pause.
    """

    def __init__(self, rate: float, chat_rate: float | None = None):
        self.rate = rate
        self.chat_rate = chat_rate
        self._interval = 1.0 / rate
        self._chat_interval = 1.0 / chat_rate if chat_rate else 0.0
        self._next = 0.0
        self._chat_next: dict[str, float] = {}
        self.paused_until = 0.0
        self._window = max(1, math.floor(rate))  # sends that may count at once
        self._in_flight = 0
        self._answered: deque[float] = deque()  # when the sends of the last second were answered

    def pause(self, seconds: float) -> bool:
        """Hold every send until `seconds` from now; True if that moved the pause later."""
        until = time.monotonic() + seconds
        if until <= self.paused_until:
            return False
        self.paused_until = until
        return True

    async def send(self, chat: str, call: Callable[[], Awaitable[object]]) -> object:
        """Make one platform call to `chat` at this pace."""
        await self._acquire(chat)
        try:
            return await call()
        finally:
            self._in_flight -= 1
            self._answered.append(time.monotonic())

    async def _acquire(self, chat: str) -> None:
        """Wait for this chat's turn, then for a slot on the channel (after any pause) and
        room in the window."""
        if self._chat_interval:
            now = time.monotonic()
            start = max(now, self._chat_next.get(chat, 0.0))
            self._chat_next[chat] = start + self._chat_interval
            if len(self._chat_next) > 4096:  # forget chats whose spacing has passed
                self._chat_next = {k: v for k, v in self._chat_next.items() if v > now}
            if start > now:
                await asyncio.sleep(start - now)
        while True:
            now = time.monotonic()
            start = max(now, self._next, self.paused_until)
            self._next = start + self._interval
            if start > now:
                await asyncio.sleep(start - now)
            while (now := time.monotonic()) >= self.paused_until:  # no 429 while we waited
                crowded = self._crowded(now)
                if crowded <= 0:
                    self._in_flight += 1
                    return
                await asyncio.sleep(crowded)
            # a 429 arrived while we waited: take a slot after its pause

    def _crowded(self, now: float) -> float:
        """0 if a send may start now, else how long to wait before asking again."""
        answered = self._answered
        while answered and answered[0] <= now - 1.0:
            answered.popleft()
        if self._in_flight + len(answered) < self._window:
            return 0.0
        return answered[0] + 1.0 - now if answered else self._interval


@dataclass
class Lane:
    """One channel's bulk sending: its pace, the rows in flight, and what wakes its loop."""

    channel: Channel
    pacer: Pacer
    cap: int
    tasks: set[asyncio.Task] = field(default_factory=set)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    room: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def label(self) -> str:
        return self.channel.name.capitalize()


@dataclass
class Row:
    id: int
    identity: str
    payload: str
    urgent: bool
    attempts: int

    def reply(self) -> Reply:
        data = json.loads(self.payload)
        return Reply(
            self.identity,
            str(data.get("text") or ""),
            [Button(str(i), str(label)) for i, label in data.get("buttons") or []],
            [OutFile(kind, str(path)) for kind, path in data.get("files") or []],
        )


async def claim_rows(
    store: Store, prefix: str, now: dt.datetime, quiet: bool, limit: int
) -> list[Row]:
    """Claim one channel's due rows and settle those whose recipient blocked the bot."""
    rows = [Row(r.id, r.identity, r.payload, r.urgent, r.attempts)
            for r in await store.outbox.claim(prefix, now, quiet, limit)]  # fmt: skip
    blocked = await linking.blocked_among(store, [r.identity for r in rows])
    if blocked:
        await store.outbox.settle_blocked(
            [r.id for r in rows if r.identity in blocked], texts.DELIVERY_BLOCKED
        )
    return [r for r in rows if r.identity not in blocked]


async def drain_now(db: Database, prefix: str, now: dt.datetime) -> list[Reply]:
    """For a channel that delivers synchronously (the simulator): every due row of `prefix`,
    under the same rules as paced sending, claimed and recorded as sent in one transaction."""
    async with db.transaction() as store:
        rows = await claim_rows(store, prefix, now, in_quiet_hours(now), 1_000_000)
        await store.outbox.record([("sent", 1, None, None, iso(now), r.id) for r in rows])
    return [r.reply() for r in rows]


class Deliverer:
    """Sends the outbox through the running channels; `start()` beside them, `stop()` before."""

    def __init__(
        self,
        db: Database,
        engine: Engine,
        channels: Sequence[Channel],
        settings: Settings | None = None,
        *,
        clock: Clock = utc_now,
        max_attempts: int = 5,
        backoff: float = 5.0,
        backoff_cap: float = 600.0,
        batch: int = 50,
        idle_poll: float = 1.0,
        sweep_every: float = 30.0,
        grace: float = 5.0,
    ):
        settings = settings or Settings()
        self.db = db
        self.engine = engine
        self.clock = clock
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.backoff_cap = backoff_cap
        self.batch = batch
        self.idle_poll = idle_poll
        self.sweep_every = sweep_every
        self.grace = grace
        rates = {
            "telegram": (settings.telegram_bulk_rate, settings.telegram_chat_rate),
            "zalo": (settings.zalo_bulk_rate, None),
            "zalo_oa": (settings.zalo_oa_bulk_rate, None),
        }
        self.lanes: list[Lane] = []
        for ch in channels:
            if not hasattr(ch, "bulk_parts"):
                continue
            rate, chat_rate = rates.get(ch.name, (1.0, None))
            # About two seconds of sending claimed at once: enough to keep the pace through
            # slow responses, few enough that a crash leaves little marked 'sending'.
            cap = max(batch, math.ceil(rate * 2))
            self.lanes.append(Lane(ch, Pacer(rate, chat_rate), cap))
        self._progress: dict[int, int] = {}  # row id -> parts already sent (same process only)
        self._results: list[Outcome] = []
        #: (identity, platform message id, row id) of parts sent, kept so a reaction on the
        #: message finds its announcement (channels whose parts return an id: Telegram)
        self._sent_ids: list[tuple[str, str, int]] = []
        self._dirty = asyncio.Event()
        self._closing = False
        self._stopping = False
        self._stop_event = asyncio.Event()
        self._loops: list[asyncio.Task] = []
        self._recorder_task: asyncio.Task | None = None

    def describe(self) -> str:
        parts = []
        for lane in self.lanes:
            p = lane.pacer
            per_chat = f", {p.chat_rate:g}/s per chat" if p.chat_rate else ""
            parts.append(f"{lane.channel.name} {p.rate:g}/s{per_chat}")
        return "; ".join(parts) or "no channel"

    # --- lifecycle ---

    async def start(self) -> int:
        """Put back rows a crash left 'sending', then start sending. Returns rows put back."""
        async with self.db.transaction() as store:
            released = await store.outbox.release_sending()
        if released:
            log.warning("outbox: %d rows left 'sending' by the last run put back", released)
        self._recorder_task = asyncio.create_task(self._recorder(), name="outbox:recorder")
        self._loops = [
            asyncio.create_task(self._lane_loop(lane), name=f"outbox:{lane.channel.name}")
            for lane in self.lanes
        ]
        self._loops.append(asyncio.create_task(self._sweeper(), name="outbox:sweeper"))
        return released

    def wake(self) -> None:
        """Look for due rows now (after enqueuing, or when the clock was moved in tests)."""
        for lane in self.lanes:
            lane.wake.set()

    async def stop(self) -> None:
        """Claim nothing more; let messages in flight finish for `grace` seconds, put the rest
        back to 'pending', and write every outcome before returning."""
        self._stopping = True
        self._stop_event.set()
        for lane in self.lanes:
            lane.wake.set()
            lane.room.set()
        # The loops leave by themselves: cancelling one inside a claim's COMMIT could leave
        # rows 'sending' with nobody sending them.
        await asyncio.gather(*self._loops, return_exceptions=True)
        self._loops = []
        in_flight = [t for lane in self.lanes for t in lane.tasks]
        if in_flight:
            _, late = await asyncio.wait(in_flight, timeout=self.grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*in_flight, return_exceptions=True)
        if self._recorder_task is not None:
            self._closing = True
            self._dirty.set()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._recorder_task, 10.0)
            self._recorder_task = None

    # --- claiming ---

    async def _lane_loop(self, lane: Lane) -> None:
        low = max(1, min(self.batch, lane.cap) // 2)
        while not self._stopping:
            room = lane.cap - len(lane.tasks)
            if room < low:
                lane.room.clear()
                await lane.room.wait()
                continue
            lane.wake.clear()  # a wake() from here on is not lost
            try:
                rows = await self._claim(lane, min(room, self.batch))
            except Exception:
                log.exception("outbox: claiming %s rows failed", lane.channel.name)
                rows = []
            for row in rows:
                task = asyncio.create_task(self._deliver(lane, row), name=f"outbox:row:{row.id}")
                lane.tasks.add(task)
                task.add_done_callback(lambda t, lane=lane: self._done(lane, t))
            if not rows:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(lane.wake.wait(), self.idle_poll)

    @staticmethod
    def _done(lane: Lane, task: asyncio.Task) -> None:
        lane.tasks.discard(task)
        lane.room.set()

    async def _claim(self, lane: Lane, limit: int) -> list[Row]:
        """Due pending rows of this channel, urgent first, then oldest; blocked ones settled."""
        now = self.clock()
        quiet = in_quiet_hours(now)
        prefix = lane.channel.prefix
        async with self.db.transaction() as store:
            return await claim_rows(store, prefix, now, quiet, limit)

    async def _sweeper(self) -> None:
        """Fail rows that no running channel can send (e.g. zalo: while only Telegram runs),
        so they show in the announcement's report instead of waiting forever."""
        served = {lane.channel.prefix for lane in self.lanes}
        while not self._stopping:
            try:
                async with self.db.transaction() as store:
                    for prefix in await store.outbox.pending_prefixes():
                        if prefix in served:
                            continue
                        name = (prefix.rstrip(":") or "?").capitalize()
                        failed = await store.outbox.fail_pending(
                            prefix, texts.DELIVERY_NO_CHANNEL.format(channel=name)
                        )
                        log.warning("outbox: %d rows for %s failed: channel not running",
                                    failed, name)  # fmt: skip
            except Exception:
                log.exception("outbox: sweeping rows without a channel failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop_event.wait(), self.sweep_every)

    # --- sending one row ---

    async def _deliver(self, lane: Lane, row: Row) -> None:
        try:
            outcome = await self._send(lane, row)
        except asyncio.CancelledError:
            self._record(("pending", 0, None, None, None, row.id))  # shutdown: not sent
            raise
        except Exception as exc:
            log.exception("outbox: row %s failed unexpectedly", row.id)
            outcome = self._retry(lane, row, 0, f"{type(exc).__name__}: {exc}")
        self._record(outcome)

    async def _send(self, lane: Lane, row: Row) -> Outcome:
        try:
            parts = lane.channel.bulk_parts(row.identity, row.reply())  # type: ignore[attr-defined]
        except Rejected as exc:
            return self._failed(row, texts.DELIVERY_REJECTED.format(channel=lane.label, detail=exc))
        except (ValueError, TypeError, AttributeError):
            log.error("outbox: row %s has a malformed payload", row.id)
            return self._failed(row, texts.DELIVERY_BAD_PAYLOAD, attempt=0)
        if not parts:
            return self._failed(row, texts.DELIVERY_EMPTY, attempt=0)
        done = self._progress.pop(row.id, 0)
        while done < len(parts):
            if not row.urgent and in_quiet_hours(self.clock()):
                self._progress[row.id] = done
                return ("pending", 0, None, None, None, row.id)  # until 07:00
            try:
                message_id = await lane.pacer.send(row.identity, parts[done])
            except RateLimited as exc:
                if lane.pacer.pause(exc.retry_after):
                    log.warning(
                        "outbox: %s asked bulk sending to wait %.1f s (429)",
                        lane.channel.name,
                        exc.retry_after,
                    )
                continue
            except Waiting as exc:  # not now, and not the row's fault: no attempt counted
                self._progress[row.id] = done
                not_before = iso(self.clock() + dt.timedelta(seconds=exc.retry_in))
                return ("pending", 0, exc.reason, not_before, None, row.id)
            except Unreachable:
                log.info("outbox: %s has blocked the bot", row.identity)
                try:
                    await self.engine.set_blocked(row.identity, True)
                except Exception:
                    log.exception("outbox: could not mark %s blocked", row.identity)
                return ("blocked", 1, texts.DELIVERY_BLOCKED, None, None, row.id)
            except Rejected as exc:
                log.warning("outbox: %s refused row %s: %s", lane.channel.name, row.id, exc)
                return self._failed(
                    row, texts.DELIVERY_REJECTED.format(channel=lane.label, detail=exc)
                )
            except (Transient, SendFailed) as exc:
                return self._retry(lane, row, done, str(exc))
            if isinstance(message_id, (int, str)) and not isinstance(message_id, bool):
                self._sent_ids.append((row.identity, str(message_id), row.id))
            done += 1
        return ("sent", 1, None, None, iso(self.clock()), row.id)

    def _failed(self, row: Row, reason: str, attempt: int = 1) -> Outcome:
        return ("failed", attempt, reason, None, None, row.id)

    def _retry(self, lane: Lane, row: Row, done: int, detail: str) -> Outcome:
        attempts = row.attempts + 1
        reason = texts.DELIVERY_NETWORK.format(channel=lane.label, n=attempts)
        if attempts >= self.max_attempts:
            log.warning("outbox: row %s failed after %d attempts: %s", row.id, attempts, detail)
            return self._failed(row, reason)
        delay = min(self.backoff_cap, self.backoff * 2 ** (attempts - 1))
        delay *= random.uniform(0.8, 1.2)  # a network blip must not make every row retry at once
        log.info("outbox: row %s attempt %d failed (%s); again in %.1f s", row.id, attempts,
                 detail, delay)  # fmt: skip
        self._progress[row.id] = done
        not_before = iso(self.clock() + dt.timedelta(seconds=delay))
        return ("pending", 1, reason, not_before, None, row.id)

    # --- recording outcomes ---

    def _record(self, outcome: Outcome) -> None:
        if outcome[0] in ("sent", "failed", "blocked"):
            self._progress.pop(outcome[-1], None)
        self._results.append(outcome)
        self._dirty.set()

    async def _recorder(self) -> None:
        """Write outcomes as they come, all that queued up in one transaction."""
        while True:
            await self._dirty.wait()
            self._dirty.clear()
            if self._results or self._sent_ids:
                batch, self._results = self._results, []
                ids, self._sent_ids = self._sent_ids, []
                try:
                    async with self.db.transaction() as store:
                        await store.outbox.record(batch)
                        await store.outbox.remember_messages(ids)
                except Exception:
                    log.exception("outbox: could not record %d results", len(batch))
                    self._results[:0] = batch
                    self._sent_ids[:0] = ids
                    if self._closing:
                        return  # left 'sending': put back at the next start
                    await asyncio.sleep(1.0)
                    self._dirty.set()
                    continue
            if self._closing and not self._results:
                return
