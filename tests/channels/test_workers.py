"""Several `python -m bot run` processes on one database, as an operator runs them: one
`--role web` receiving Telegram webhooks into the inbox and two or three `--role worker`
processes claiming what it stored, against the fake Bot API.

A burst from many chats must come out with every chat's updates handled in order, each once
(0 lost, 0 duplicated); an announcement in the outbox reaches each recipient once; the due
reminders go out once per person however many workers run them; and a worker killed with
SIGKILL mid-burst loses nothing: its rows are taken over once its lease has run out.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import os
import secrets
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import texts
from bot.core import review
from storage.db import Database
from storage.outbox import OutboxItem
from tests.channels.run_helpers import clean_env, free_port, start_bot, stop_bot, wait_line
from tests.storage.contract import learner

SECRET = "workers-test-secret"
LEASE = 6.0  # renewed every 2 s: long enough that a loaded machine's stalls do not lapse it
#: what each chat says, in order: a different order gives a different conversation
SCRIPT = ["/start", texts.BTN_AGREE, "Bà", "Lan", "1955"]


def _postgres_skip() -> str | None:
    """These tests run on SQLite; on PostgreSQL once storage/ has that backend."""
    import storage.db

    if "postgresql://" not in Path(storage.db.__file__).read_text(encoding="utf-8"):
        return "PostgreSQL backend not in storage/ yet: the several-worker tests run on SQLite"
    if not os.environ.get("HOCSO_TEST_DATABASE_URL"):
        return "set HOCSO_TEST_DATABASE_URL to run the several-worker tests on PostgreSQL"
    return None


@contextlib.asynccontextmanager
async def _database(backend: str, tmp_path: Path) -> AsyncIterator[tuple[str, dict[str, str]]]:
    """(what Database.open takes, the processes' extra environment): the SQLite file, or a
    fresh PostgreSQL database on the HOCSO_TEST_DATABASE_URL server, dropped afterwards."""
    if backend == "sqlite":
        yield str(tmp_path / "run.db"), {}
        return
    import asyncpg

    server = os.environ["HOCSO_TEST_DATABASE_URL"]
    name = f"hocso_workers_{secrets.token_hex(6)}"
    admin = await asyncpg.connect(server)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = server.rsplit("/", 1)[0] + "/" + name
        try:
            yield url, {"HOCSO_DATABASE_URL": url}
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def _env(tmp_path: Path, fake_tg, port: int, extra: dict[str, str]) -> dict[str, str]:
    return clean_env(
        tmp_path,
        HOCSO_TELEGRAM_TOKEN=fake_tg.token,
        HOCSO_TELEGRAM_BASE_URL=fake_tg.base_url,
        HOCSO_TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}/tg",
        HOCSO_TELEGRAM_WEBHOOK_SECRET=SECRET,
        HOCSO_WEBHOOK_HOST="127.0.0.1",
        HOCSO_WEBHOOK_PORT=str(port),
        HOCSO_LEASE_SECONDS=str(LEASE),
        HOCSO_WORKER_POLL="0.05",
        HOCSO_RUN_DUE_SECONDS="1",
        HOCSO_QUIET_HOURS="off",  # reminders are not urgent: whatever the time of the run
        **extra,
    )


async def _seed(path: str, reminders: range, outbox: range) -> None:
    """People whose reminder is due (the fourth one they would ignore: «cháu tạm dừng nhắc»,
    one message each) and an urgent announcement already in the outbox."""
    db = await Database.open(path)
    try:
        async with db.transaction() as s:
            for chat in reminders:
                await learner(
                    s, f"telegram:{chat}", reminder_time="00:00",
                    reminders_ignored=review.MAX_IGNORED,
                )  # fmt: skip
            await s.outbox.enqueue(
                [OutboxItem(f"telegram:{c}", f"Thông báo số {c}", urgent=True) for c in outbox]
            )
    finally:
        await db.close()


class Cluster:
    """The processes of one test; every one is stopped at the end, killed if need be."""

    def __init__(self, env: dict[str, str]):
        self.env = env
        self.procs: list[tuple[asyncio.subprocess.Process, list[str]]] = []

    async def start(self, role: str) -> tuple[asyncio.subprocess.Process, list[str]]:
        proc, lines = await start_bot(self.env, "--role", role)
        self.procs.append((proc, lines))
        await wait_line(lines, f"role {role} started", proc, timeout=60)
        return proc, lines

    async def stop(self) -> None:
        for proc, lines in self.procs:
            if proc.returncode is None:
                await stop_bot(proc, lines, signal.SIGTERM)

    def kill_all(self) -> None:
        for proc, _ in self.procs:
            if proc.returncode is None:
                proc.kill()


async def _burst(fake_tg, chats: range, port: int) -> dict[int, list[int]]:
    """Each chat sends the script, one message after the other's 200; all chats at once.
    Returns each chat's update ids in the order they were sent."""
    url = f"http://127.0.0.1:{port}/tg"
    sent: dict[int, list[int]] = collections.defaultdict(list)
    ids = iter(range(1, 10**6))

    async def chat(c: int) -> None:
        for text in SCRIPT:
            uid = next(ids)
            update = {"update_id": uid, **fake_tg.text(c, text)}
            for _ in range(50):  # a 503 («try again») is Telegram's cue to deliver it again
                r = await fake_tg.post_to_webhook(update, url=url, secret=SECRET)
                if r.status_code == 200:
                    break
                await asyncio.sleep(0.1)
            assert r.status_code == 200, r.text
            sent[c].append(uid)

    await asyncio.gather(*(chat(c) for c in chats))
    return sent


def _ends(fake_tg, chat: int) -> int:
    return len(fake_tg.turn_ends(chat))


async def _state(path: str) -> dict:
    """What the database says: handled update keys (in handling order on SQLite, where the
    rowid says it), inbox and outbox rows."""
    db = await Database.open(path)
    order = " ORDER BY rowid" if getattr(db, "dialect", "sqlite") == "sqlite" else ""
    try:
        async with db.sql() as conn:
            handled = [r[0] for r in await conn.execute_fetchall(
                "SELECT key FROM inbound_events" + order)]  # fmt: skip
            inbox = await conn.execute_fetchall(
                "SELECT status, lease_owner, COUNT(*) FROM inbox GROUP BY 1, 2"
            )
            outbox = await conn.execute_fetchall("SELECT status, COUNT(*) FROM outbox GROUP BY 1")
    finally:
        await db.close()
    return {"handled": handled, "ordered": bool(order), "inbox": [tuple(r) for r in inbox],
            "outbox": dict(tuple(r) for r in outbox)}  # fmt: skip


async def _held_by(path: str, pid: int) -> tuple[int, int]:
    """(open inbox rows, outbox rows being sent) a worker process holds, by its lease name."""
    db = await Database.open(path)
    try:
        async with db.sql() as conn:
            like = f"%:{pid}:%"
            (inbox,) = await conn.execute_fetchall(
                "SELECT COUNT(*) FROM inbox WHERE lease_owner LIKE ?"
                " AND status IN ('pending', 'answered')",
                (like,),
            )
            (outbox,) = await conn.execute_fetchall(
                "SELECT COUNT(*) FROM outbox WHERE lease_owner LIKE ? AND status = 'sending'",
                (like,),
            )
    finally:
        await db.close()
    return inbox[0], outbox[0]


def _check_order(state: dict, sent: dict[int, list[int]]) -> None:
    """Every update handled once, and each chat's in the order it was sent (where the
    database keeps the handling order; elsewhere the identical transcripts show it)."""
    handled = state["handled"]
    keys = [int(k.rsplit(":", 1)[1]) for k in handled if k.startswith("telegram:update:")]
    assert len(keys) == len(set(keys)) == sum(len(v) for v in sent.values())
    if not state["ordered"]:
        return
    position = {uid: i for i, uid in enumerate(keys)}
    for chat, uids in sent.items():
        assert [position[u] for u in uids] == sorted(position[u] for u in uids), chat


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_three_workers_share_a_burst_in_order_each_update_once(
    tmp_path, fake_tg, backend, capsys
):
    if backend == "postgresql" and (reason := _postgres_skip()):
        pytest.skip(reason)
    chats, reminded, announced = range(1001, 1041), range(5001, 5021), range(7001, 7061)
    port = free_port()
    async with _database(backend, tmp_path) as (target, extra):
        env = _env(tmp_path, fake_tg, port, extra)
        await _seed(target, reminded, announced)
        await _three_workers(env, fake_tg, port, target, chats, reminded, announced, capsys,
                             backend)  # fmt: skip


async def _three_workers(env, fake_tg, port, target, chats, reminded, announced, capsys, backend):
    """The test above, inside its database."""
    cluster = Cluster(env)
    try:
        await cluster.start("web")
        for _ in range(3):
            await cluster.start("worker")
        t0 = time.monotonic()
        sent = await _burst(fake_tg, chats, port)
        stored = time.monotonic() - t0
        await fake_tg.wait_for(
            lambda: all(_ends(fake_tg, c) >= len(SCRIPT) for c in chats), timeout=120
        )
        handled = time.monotonic() - t0
        await fake_tg.wait_for(lambda: all(fake_tg.sent(c) for c in announced), timeout=60)
        await fake_tg.wait_for(lambda: all(fake_tg.sent(c) for c in reminded), timeout=60)
        await asyncio.sleep(3 * 1.0 + 0.5)  # three more rounds of due work by every worker
    finally:
        try:
            await cluster.stop()
        finally:
            cluster.kill_all()
    # each chat: one answer per update (0 lost, 0 duplicated), the same conversation
    assert {c: _ends(fake_tg, c) for c in chats} == dict.fromkeys(chats, len(SCRIPT))
    transcripts = {tuple(fake_tg.texts(c)) for c in chats}
    assert len(transcripts) == 1
    assert "Đăng ký" not in transcripts.pop()[-1]  # still signing up: the script is partial
    state = await _state(target)
    _check_order(state, sent)
    owners = collections.Counter()
    for status, owner, n in state["inbox"]:
        assert status == "done", state["inbox"]
        owners[owner] += n
    assert sum(owners.values()) == len(chats) * len(SCRIPT)
    assert len(owners) >= 2, owners  # the work was shared
    # the announcement: each recipient once; the reminder: each person once
    assert [len(fake_tg.sent(c)) for c in announced] == [1] * len(announced)
    # reminders go through the outbox too (queued with their claim: a kill loses none)
    assert state["outbox"] == {"sent": len(announced) + len(reminded)}
    pause = texts.REMINDERS_PAUSED.split("{", 1)[0]
    assert [len(fake_tg.sent(c)) for c in reminded] == [1] * len(reminded)
    assert all(fake_tg.texts(c)[0].startswith(pause) for c in reminded)
    n = len(chats) * len(SCRIPT)
    with capsys.disabled():
        print(
            f"\n[{backend}] web + 3 workers: {n} updates from {len(chats)} chats stored in "
            f"{stored:.2f} s, all answered in {handled:.2f} s ({n / handled:.0f} updates/s); "
            f"split {sorted(owners.values(), reverse=True)}; {len(announced)} announcements "
            f"and {len(reminded)} reminders sent once each"
        )


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_a_worker_killed_mid_burst_loses_nothing(tmp_path, fake_tg, backend, capsys, request):
    if backend == "postgresql" and (reason := _postgres_skip()):
        pytest.skip(reason)
    chats, announced = range(2001, 2031), range(8001, 8301)
    port = free_port()
    fake_tg.send_delay = 0.15  # a slow platform: the victim always has rows in hand
    async with _database(backend, tmp_path) as (target, extra):
        env = _env(tmp_path, fake_tg, port, extra)
        await _killed(env, fake_tg, port, target, chats, announced, capsys, backend)


async def _killed(env, fake_tg, port, target, chats, announced, capsys, backend):
    """The test above, inside its database."""
    cluster = Cluster(env)
    try:
        await cluster.start("web")
        victim, _ = await cluster.start("worker")
        await cluster.start("worker")
        burst = asyncio.create_task(_burst(fake_tg, chats, port))
        await asyncio.sleep(0.5)
        await _seed(target, range(0), announced)  # while the workers run and the burst comes
        # kill when the victim holds rows of both kinds (or, on a slow day, of either kind)
        started = time.monotonic()
        deadline = started + 60
        while True:
            held = await _held_by(target, victim.pid)
            if (held[0] and held[1]) or (any(held) and time.monotonic() - started > 20):
                break
            assert time.monotonic() < deadline, "the victim never held rows"
            await asyncio.sleep(0.02)
        victim.send_signal(signal.SIGKILL)
        await victim.wait()
        killed_at = time.monotonic()
        held = await _held_by(target, victim.pid)  # frozen now
        sent = await burst
        await fake_tg.wait_for(
            lambda: all(_ends(fake_tg, c) >= len(SCRIPT) for c in chats), timeout=120
        )
        await fake_tg.wait_for(lambda: all(fake_tg.sent(c) for c in announced), timeout=60)
        recovered = time.monotonic() - killed_at
        await asyncio.sleep(0.5)
        survivors = [p for p in cluster.procs if p[0] is not victim]
        for proc, lines in survivors:
            await stop_bot(proc, lines, signal.SIGTERM)
    finally:
        cluster.kill_all()
    state = await _state(target)
    # every update handled exactly once, each chat in order, every row finished
    _check_order(state, sent)
    assert {status for status, _, _ in state["inbox"]} == {"done"}, state["inbox"]
    assert state["outbox"] == {"sent": len(announced)}
    # nothing lost: every chat has all its answers, every recipient the announcement
    extra_turns = sum(_ends(fake_tg, c) - len(SCRIPT) for c in chats)
    extra_bulk = sum(len(fake_tg.sent(c)) - 1 for c in announced)
    assert all(_ends(fake_tg, c) >= len(SCRIPT) for c in chats)
    assert all(fake_tg.sent(c) for c in announced)
    # what can come twice is only what the victim had in hand: a turn whose replies it was
    # sending (the turn itself is not repeated), a bulk message it had sent but not recorded
    assert 0 <= extra_turns <= held[0]
    assert 0 <= extra_bulk <= held[1]
    assert recovered >= LEASE - 0.5  # its rows waited for the lease, no longer than needed
    with capsys.disabled():
        print(
            f"\n[{backend}] SIGKILL mid-burst: the victim held {held[0]} inbox and {held[1]} "
            f"outbox rows; all {len(chats) * len(SCRIPT)} updates handled once and "
            f"{len(announced)} announcements delivered {recovered:.1f} s after the kill "
            f"(lease {LEASE:g} s); sent again: {extra_turns} turn replies, {extra_bulk} "
            f"announcements"
        )
