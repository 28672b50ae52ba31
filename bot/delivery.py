"""The outbox worker: sends queued bulk messages at each channel's pace and survives crashes.

Announcements are written to the `outbox` table (storage/outbox.py) and sent from here, never
from a conversation turn: interactive replies go straight through the channels and never wait
on bulk sending. One `Lane` per running channel claims due rows in small batches (status
'sending', in one transaction), sends each through the channel's `bulk_parts` (one platform
call per part, tried once) and records the outcome:

- paced by when sends start: at most `rate` messages a second per channel across every worker
  process (slots booked from one row per channel in the database), and per chat where the
  platform limits that (Telegram: 1/s);
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
from bot.core import linking, quiet
from bot.core.engine import Engine
from bot.core.events import Button, OutFile, Reply
from storage.db import Database
from storage.outbox import Outcome
from storage.repos import iso
from storage.store import Store

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def in_quiet_hours(now: dt.datetime) -> bool:
    """Nobody is woken by an announcement (21:00-07:00 in Vietnam unless set otherwise)."""
    return quiet.current().holds(now)


class LocalPace:
    """The pace of one process alone (tests, or a single worker without shared state):
    the next free slot kept in memory."""

    def __init__(self) -> None:
        self.next_at = 0.0

    async def reserve(self, count: int, interval: float) -> float:
        start = max(self.next_at, time.time())
        self.next_at = start + count * interval
        return start

    async def hold(self, until: float) -> None:
        self.next_at = max(self.next_at, until)


class SharedPace:
    """One channel's pace shared by every worker process through the database: slots are
    booked in small batches by one atomic UPDATE (storage/outbox.reserve_sends), and a 429's
    pause moves the channel's next slot for all of them (hold_sends)."""

    def __init__(self, db: Database, channel: str):
        self.db = db
        self.channel = channel

    async def reserve(self, count: int, interval: float) -> float:
        async with self.db.transaction() as store:
            return await store.outbox.reserve_sends(self.channel, count, interval, time.time())

    async def hold(self, until: float) -> None:
        async with self.db.transaction() as store:
            await store.outbox.hold_sends(self.channel, until)


#: the platform counts sends in any window of this many seconds (Telegram: 30 in any second)
WINDOW = 1.0
#: bulk messages Telegram accepts per bot token in any WINDOW (its Bot API FAQ: about 30/s)
TELEGRAM_LIMIT = 30


class Pacer:
    """One channel's bulk sends paced by when they *start*: `rate` a second overall (across
    every worker sharing `pace`), `chat_rate` a second per chat, everyone held back while the
    platform's retry_after runs.

    Slots: each send takes the next slot of the channel's schedule (slots 1/rate apart, booked
    from `pace` a few at a time, never more than `ahead` seconds early), waits for it and
    starts, without waiting for earlier answers: with rows enough in flight (Lane.cap) the pace
    is the same at 0 ms and at 150 ms round trip. (The previous pacer counted each send until
    one second after its answer, so its rate fell as latency grew: 86.8% of the limit at
    150 ms.) A slot missed by more than `late` (the event loop stalled: a full garbage
    collection, a slow query) is given up, not used late.

    Jitter guard: evenly spaced starts still reach the platform unevenly. A request held up on
    its way (a busy machine, a congested link) arrives late, beside the next one, and the
    platform's window then holds one more than `rate`: Telegram answers 429 and everything
    waits a whole retry_after. So each send also counts for this worker until WINDOW after it
    started *plus its excess delay* (its round trip minus the shortest recent one: the most it
    can have arrived late), and at most `limit` (the platform's: Telegram's 30) count at once.
    With the slots a little below the limit it costs nothing until a request is held up by
    more than that margin, and the round trip's own length never counts (unlike the previous
    pacer's window); a late request pushes the next sends back by just its lateness, instead of
    a 429's whole second. The guard sees this worker's sends only, so a request later than the
    margin between `rate` and the limit also books a gap of its excess lateness in the shared
    schedule: every worker's sends that would share its window start that much later
    (docs/pacing.md).
    """

    def __init__(
        self,
        rate: float,
        chat_rate: float | None = None,
        pace: LocalPace | SharedPace | None = None,
        *,
        limit: int | None = None,
        ahead: float = 0.1,
    ):
        self.rate = rate
        self.chat_rate = chat_rate
        self.pace = pace or LocalPace()
        self._interval = 1.0 / rate
        self._chat_interval = 1.0 / chat_rate if chat_rate else 0.0
        self._chat_next: dict[str, float] = {}
        # slots booked at once: about `ahead` seconds' worth (a 29/s channel books 3 at a time)
        self.batch = max(1, math.ceil(rate * ahead))
        self.ahead = ahead
        self.late = self._interval
        self.paused_until = 0.0  # time.time()
        self.skipped = 0  # slots given up after a stall (for benchmarks and logs)
        self.guarded = 0.0  # seconds sends were held back by the jitter guard
        self._slots: deque[float] = deque()
        self._booked_until = 0.0
        self._lock = asyncio.Lock()
        # sends that may count at once: the platform's own limit where it has one (Telegram:
        # 30 in any second), else the rate's; with the slots a little below it, the guard
        # binds only when a request is held up by more than that margin
        # (an operator pacing above it, e.g. with Telegram's paid broadcasts, is obeyed)
        self._window = max(limit or 0, math.ceil(rate), 1)
        # how late a request may arrive before its window could hold one send too many: the
        # gap between `rate` and the platform's limit (28.8/s under Telegram's 30: 42 ms).
        # None without a known limit below which we pace: then no gaps are booked.
        self.margin = limit / rate - 1.0 if limit and rate < limit else None
        self.gaps = 0.0  # seconds of gap put into the shared schedule after late requests
        self._shared_until = 0.0  # other workers booked slots lately (time.time())
        self._counting: list[list[float]] = []  # [start, counts until] of recent sends
        self._rtts: deque[float] = deque(maxlen=256)  # recent round trips

    async def pause(self, seconds: float) -> bool:
        """Hold every send (in every worker) until `seconds` from now; True if that moved the
        pause later."""
        until = time.time() + seconds
        if until <= self.paused_until:
            return False
        self.paused_until = until
        self._slots.clear()
        try:
            await self.pace.hold(until)
        except Exception:
            log.exception("outbox: could not share a pause with the other workers")
        return True

    async def send(self, chat: str, call: Callable[[], Awaitable[object]]) -> object:
        """Make one platform call to `chat` at this pace."""
        await self._acquire(chat)
        started = time.time()
        entry = [started, math.inf]  # counts while in flight
        self._counting.append(entry)
        try:
            return await call()
        finally:
            rtt = time.time() - started
            self._rtts.append(rtt)
            excess = rtt - min(self._rtts)
            entry[1] = started + WINDOW + excess
            if self.margin is not None and excess > self.margin and started < self._shared_until:
                await self._gap(excess - self.margin)  # the other workers' sends must make room

    async def _gap(self, seconds: float) -> None:
        """A gap of `seconds` in the channel's shared schedule: the other workers' guard (this
        worker's sees only its own sends). Booked only while other workers are booking slots
        too: alone, the guard already holds back exactly the sends that need it."""
        self.gaps += seconds
        try:
            await self.pace.reserve(1, seconds)
        except Exception:
            log.exception("outbox: could not share a late request's gap with the other workers")

    async def _acquire(self, chat: str) -> None:
        """Wait for this chat's turn, then for a slot on the channel that is still on time,
        outside any pause, with room in the jitter guard."""
        if self._chat_interval:
            now = time.monotonic()
            start = max(now, self._chat_next.get(chat, 0.0))
            self._chat_next[chat] = start + self._chat_interval
            if len(self._chat_next) > 4096:  # forget chats whose spacing has passed
                self._chat_next = {k: v for k, v in self._chat_next.items() if v > now}
            if start > now:
                await asyncio.sleep(start - now)
        while True:
            slot = await self._next_slot()
            wait = slot - time.time()
            if wait > 0:
                await asyncio.sleep(wait)
            while (now := time.time()) - slot <= self.late and now >= self.paused_until:
                room = self._room_at(now)
                if room <= now:
                    return
                self.guarded += min(room, slot + self.late) - now
                await asyncio.sleep(min(room, slot + self.late) - now)
            if now >= self.paused_until:
                self.skipped += 1
            # late (a stall, or the guard held it past its slot), or a 429 arrived while we
            # waited: take a later slot

    def _room_at(self, now: float) -> float:
        """When a send may start as far as the jitter guard goes (`now` if at once)."""
        self._counting = counting = [e for e in self._counting if e[1] > now]
        over = len(counting) - self._window
        if over < 0:
            return now
        ends = sorted(e[1] for e in counting)
        end = ends[over]
        return end if end != math.inf else now + self._interval / 4  # answers still due

    async def _next_slot(self) -> float:
        """The next slot of this worker's booking, booking more when it runs out."""
        async with self._lock:
            while True:
                if not self._slots:
                    wait = max(self._booked_until - self.ahead, self.paused_until) - time.time()
                    if wait > 0:
                        await asyncio.sleep(wait)
                    now = time.time()
                    first = await self.pace.reserve(self.batch, self._interval)
                    if self._booked_until and first > max(now, self._booked_until) + self._interval:
                        # someone else booked since our last batch: gaps matter for a while
                        self._shared_until = now + 10 * WINDOW
                    self._slots.extend(first + i * self._interval for i in range(self.batch))
                    self._booked_until = self._slots[-1]
                slot = self._slots.popleft()
                if slot >= self.paused_until:
                    return slot


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
    store: Store,
    prefix: str,
    now: dt.datetime,
    quiet: bool,
    limit: int,
    owner: str = "",
    until: dt.datetime | None = None,
) -> list[Row]:
    """Claim one channel's due rows (for `owner` until `until` when several workers share the
    outbox) and settle those whose recipient blocked the bot."""
    claimed = await store.outbox.claim(prefix, now, quiet, limit, owner, until)
    rows = [Row(r.id, r.identity, r.payload, r.urgent, r.attempts) for r in claimed]
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
        shared_pace: bool = True,
        owner: str = "",
        lease: float = 60.0,
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
        # Several workers (bot/workers.py): rows are claimed with a lease in this name, and the
        # crash leftovers are taken over after their lease instead of all at start.
        self.owner = owner
        self.lease = dt.timedelta(seconds=lease)
        rates = {
            "telegram": (settings.telegram_bulk_rate, settings.telegram_chat_rate),
            "zalo": (settings.zalo_bulk_rate, None),
            "zalo_oa": (settings.zalo_oa_bulk_rate, None),
        }
        limits = {"telegram": TELEGRAM_LIMIT}  # others publish no per-second window
        self.lanes: list[Lane] = []
        for ch in channels:
            if not hasattr(ch, "bulk_parts"):
                continue
            rate, chat_rate = rates.get(ch.name, (1.0, None))
            # About two seconds of sending claimed at once: requests enough in flight to keep
            # the pace through a round trip of up to ~2 s (sends start on their slots without
            # waiting for earlier answers), few enough that a crash leaves little 'sending'.
            cap = max(batch, math.ceil(rate * 2))
            pace = SharedPace(db, ch.name) if shared_pace else LocalPace()
            pacer = Pacer(rate, chat_rate, pace, limit=limits.get(ch.name))
            self.lanes.append(Lane(ch, pacer, cap))
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
        released = 0
        if not self.owner:  # alone on the database: whatever is 'sending' was ours
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
        until = utc_now() + self.lease if self.owner else None  # leases run on real time
        async with self.db.transaction() as store:
            return await claim_rows(store, prefix, now, quiet, limit, self.owner, until)

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
                if await lane.pacer.pause(exc.retry_after):
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
                        await store.outbox.record(batch, self.owner)
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
