"""What every real channel needs: long texts split kindly, per-person ordering, a typing hint.

Channels are thin: they turn updates into core events, keep one person's turns in order while
serving many people at once, and turn replies back into messages the platform accepts.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from typing import Protocol

from bot.core.events import Button, Reply

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[object]]


# --- long texts ---


def text_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units): an emoji can count as two."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int) -> list[str]:
    """Split at paragraph boundaries, then lines, then words; never cut a word unless it alone
    is too long. Each piece fits in `limit` (UTF-16 units)."""
    text = text.strip()
    if not text:
        return []
    if text_length(text) <= limit:
        return [text]
    pieces: list[str] = []
    for para in re.split(r"\n\s*\n", text):
        pieces.extend(_fit(para.strip(), limit, "\n"))
    return _pack([p for p in pieces if p], limit, "\n\n")


def _fit(block: str, limit: int, sep: str) -> list[str]:
    """Break one block into parts that each fit, by lines, then words, then characters."""
    if text_length(block) <= limit:
        return [block]
    if sep == "\n":
        parts = [p for line in block.split("\n") for p in _fit(line, limit, " ")]
        return _pack(parts, limit, "\n")
    if sep == " ":
        parts = [p for word in block.split(" ") if word for p in _fit(word, limit, "")]
        return _pack(parts, limit, " ")
    out, cur = [], ""
    for ch in block:
        if text_length(cur + ch) > limit:
            out.append(cur)
            cur = ""
        cur += ch
    return [*out, cur] if cur else out


def _pack(parts: list[str], limit: int, sep: str) -> list[str]:
    out: list[str] = []
    for part in parts:
        if out and text_length(out[-1] + sep + part) <= limit:
            out[-1] = out[-1] + sep + part
        else:
            out.append(part)
    return out


# --- choices as text, for channels without buttons ---

_NUMBERED = re.compile(r"^\s*(\d{1,2})[.)]\s*(.*)$")


def bare_label(label: str) -> str:
    """A label without its own "1. " (a numbered list adds the number once)."""
    m = _NUMBERED.match(label)
    return m.group(2) if m else label


def already_numbered(text: str, buttons: list[Button]) -> bool:
    """The text already lists the choices as "1. …", "2. …" (questions, places, lessons)."""
    lines = [m.groups() for line in text.splitlines() if (m := _NUMBERED.match(line))]
    return all(
        any(n == str(i) and bare_label(b.label) in rest for n, rest in lines)
        for i, b in enumerate(buttons, 1)
    )


def numbered_choices(text: str, buttons: list[Button], hint: str) -> str:
    """The reply text with its choices as a numbered list, which the core accepts as answers."""
    if not buttons:
        return text
    if already_numbered(text, buttons):
        return f"{text}\n\n{hint}"
    lines = "\n".join(f"{i}. {bare_label(b.label)}" for i, b in enumerate(buttons, 1))
    return f"{text}\n\n{lines}\n\n{hint}"


# --- one person's turns in order, many people at once ---


class OrderedDispatcher:
    """Run jobs concurrently across keys but one at a time, in submission order, per key.

    `submit` is synchronous, so the order in which updates arrive is the order they run in.
    A key's worker exists only while it has work; `limit` caps turns in flight overall, and a
    person waiting behind their own earlier message holds no slot.
    """

    def __init__(self, limit: int = 128):
        self._queues: dict[Hashable, deque[Job]] = {}
        self._tasks: set[asyncio.Task] = set()
        self._slots = asyncio.Semaphore(limit)
        self._closed = False

    def submit(self, key: Hashable, job: Job) -> bool:
        if self._closed:
            log.warning("dispatcher closed; dropping a job for %s", key)
            return False
        queue = self._queues.get(key)
        if queue is not None:
            queue.append(job)
            return True
        self._queues[key] = deque([job])
        task = asyncio.create_task(self._drain(key), name=f"turns:{key}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return True

    def busy(self, key: Hashable) -> bool:
        return key in self._queues

    @property
    def pending(self) -> int:
        return sum(len(q) for q in self._queues.values())

    async def _drain(self, key: Hashable) -> None:
        queue = self._queues[key]
        try:
            while queue:
                async with self._slots:
                    try:
                        await queue[0]()
                    except Exception:
                        log.exception("job for %s failed", key)
                queue.popleft()
        finally:
            self._queues.pop(key, None)

    async def close(self, timeout: float = 30.0) -> None:
        """Take no more work; finish what is queued (in-flight replies), then cancel stragglers."""
        self._closed = True
        tasks = list(self._tasks)
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=timeout)
        for task in pending:
            task.cancel()
        if pending:
            log.warning("cancelled %d unfinished turns at shutdown", len(pending))
            await asyncio.gather(*pending, return_exceptions=True)


class BoundedMap(OrderedDict):
    """A dict that forgets its oldest entries (per-chat memory must not grow without bound)."""

    def __init__(self, size: int = 100_000):
        super().__init__()
        self._size = size

    def __setitem__(self, key, value) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        if len(self) > self._size:
            self.popitem(last=False)


# --- "typing…" ---


@contextlib.asynccontextmanager
async def typing_while(
    action: Callable[[], Awaitable[object]], delay: float = 0.8, every: float = 4.5
) -> AsyncIterator[None]:
    """Show "typing…" if the body takes longer than `delay`, renewed until it finishes."""

    async def keep_typing() -> None:
        await asyncio.sleep(delay)
        while True:
            try:
                await action()
            except Exception as exc:  # a hint only: never let it break the turn
                log.debug("typing action failed: %s", exc)
            await asyncio.sleep(every)

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def backoff_sleep(attempt: int, base: float = 1.0, cap: float = 30.0) -> None:
    await asyncio.sleep(min(cap, base * 2**attempt))


# --- what the app needs from a channel ---


class Channel(Protocol):
    name: str
    prefix: str  # identities this channel serves, e.g. "telegram:"

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def push(self, replies: list[Reply]) -> None:
        """Send replies nobody asked for just now (reminders), in order with that person's turns."""
        ...

    def bulk_parts(self, identity: str, reply: Reply) -> list[Part]:
        """One outbox message as platform calls, each tried once (raising a SendFailed)."""
        ...


class ReplySender:
    """What every real channel does with replies: its own identities' replies sent in order,
    others handed to `route`; unprompted replies (reminders) queued behind the person's turns
    and skipped if the person blocked the bot. A channel provides `prefix`, `engine`, `turns`,
    `route`, `chat_key(identity)` and `_send_turn(identity, replies)`."""

    prefix: str
    route: Callable[[list[Reply]], None] | None
    #: the process's role (`python -m bot run --role`): with several workers ("web",
    #: "worker") a channel must not trust what it alone remembers of a person
    role: str = "all"

    def chat_key(self, identity: str) -> Hashable:
        return identity.removeprefix(self.prefix)

    async def _send_turn(self, identity: str, replies: list[Reply]) -> None:
        raise NotImplementedError

    async def deliver(self, replies: list[Reply]) -> None:
        """Send replies in order; those for another channel's identities go to `route`."""
        for identity, mine in group_by_recipient(replies):
            if identity.startswith(self.prefix):
                await self._send_turn(identity, mine)
            elif self.route is not None:
                self.route(mine)
            else:
                log.warning("no channel for replies to %s", identity)

    def push(self, replies: list[Reply]) -> None:
        """Unprompted replies (reminders): queued behind the person's turns, skipped if blocked."""
        for identity, mine in group_by_recipient(replies):
            key = self.chat_key(identity)
            self.turns.submit(key, functools.partial(self._push_one, identity, mine))  # type: ignore[attr-defined]

    async def _push_one(self, identity: str, replies: list[Reply]) -> None:
        if await self.engine.is_blocked(identity):  # type: ignore[attr-defined]
            log.info("not sending to %s: blocked", identity)
            return
        await self._send_turn(identity, replies)


def group_by_recipient(replies: list[Reply]) -> list[tuple[str, list[Reply]]]:
    """Replies per identity, keeping their order."""
    out: dict[str, list[Reply]] = {}
    for r in replies:
        out.setdefault(r.to, []).append(r)
    return list(out.items())


# --- bulk sending: the outbox (bot/delivery.py) paces, waits and retries, not the channel ---

#: One platform call of a bulk message (a file, or one piece of a long text).
Part = Callable[[], Awaitable[None]]


class SendFailed(Exception):
    """A bulk part did not go through; the subclass tells the outbox what to do next."""


class RateLimited(SendFailed):
    """429: the channel's bulk sending must pause for `retry_after` seconds."""

    def __init__(self, retry_after: float, detail: str = ""):
        super().__init__(detail or f"retry after {retry_after}")
        self.retry_after = retry_after


class Unreachable(SendFailed):
    """403: the person blocked the bot (or left the platform)."""


class Transient(SendFailed):
    """Network trouble or a server error: worth trying again later."""


class Rejected(SendFailed):
    """The platform refused this message (400, a missing file): trying again will not help."""


class Waiting(SendFailed):
    """The platform would not take this message now but will later without our doing anything
    (Zalo OA outside the person's window): the row waits, with `reason` as its status for staff,
    for `retry_in` seconds or until the channel wakes it (the person wrote again). It costs no
    attempt."""

    def __init__(self, reason: str, retry_in: float):
        super().__init__(reason)
        self.reason = reason
        self.retry_in = retry_in
