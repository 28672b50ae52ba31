"""`python -m bot run` killed with SIGKILL in the middle of a 2,000-recipient announcement and
started again: everyone gets the message exactly once, except at most the rows that were
'sending' at the kill (sent, but not yet recorded as sent)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from pathlib import Path

from storage.db import Database
from storage.store import Store
from tests.delivery.conftest import add_users, announce
from tests.fakes import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]
RECIPIENTS = 2000
FIRST_CHAT = 100_000


def env_for(tmp_path: Path, fake: FakeTelegram) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOCSO_")}
    env.update(
        PYTHONPATH=str(ROOT),
        HOCSO_DB_PATH=str(tmp_path / "run.db"),
        HOCSO_LOG_LEVEL="INFO",
        HOCSO_TELEGRAM_TOKEN=fake.token,
        HOCSO_TELEGRAM_BASE_URL=fake.base_url,
        HOCSO_TELEGRAM_BULK_RATE="250",  # the test's pace, not Telegram's
    )
    return env


async def start_bot(env: dict[str, str]) -> tuple[asyncio.subprocess.Process, list[str]]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    lines: list[str] = []

    async def read() -> None:
        async for raw in proc.stderr:
            lines.append(raw.decode("utf-8", "replace").rstrip())

    asyncio.get_running_loop().create_task(read())
    return proc, lines


def received(fake: FakeTelegram) -> Counter:
    return Counter(c.chat_id for c in fake.sent())


async def statuses(path: Path) -> tuple[dict[str, int], set[int]]:
    db = await Database.open(path)
    try:
        async with db.sql() as conn:
            counts = await Store(conn).outbox.summary(1)
            async with conn.execute("SELECT identity FROM outbox WHERE status = 'sending'") as cur:
                sending = {int(r[0].removeprefix("telegram:")) for r in await cur.fetchall()}
    finally:
        await db.close()
    return counts, sending


async def test_kill_9_mid_announcement_then_restart_sends_each_message_once(tmp_path):
    people = [f"telegram:{FIRST_CHAT + i}" for i in range(RECIPIENTS)]
    db = await Database.open(tmp_path / "run.db")
    await add_users(db, people)
    # urgent, so that the test means the same at any hour (quiet hours are tested elsewhere)
    assert await announce(db, 1, people, "Thông báo của Hội", urgent=True) == RECIPIENTS
    await db.close()

    async with FakeTelegram() as fake:
        env = env_for(tmp_path, fake)
        proc, lines = await start_bot(env)
        try:
            await fake.wait_for(lambda: len(fake.sent()) >= RECIPIENTS // 3, timeout=30)
        finally:
            proc.send_signal(signal.SIGKILL)
            await proc.wait()
        assert any("outbox delivery started (telegram 250/s" in line for line in lines), lines
        await asyncio.sleep(0.2)  # requests already on the wire land
        before = received(fake)
        counts, in_flight = await statuses(tmp_path / "run.db")
        assert 0 < counts["sent"] < RECIPIENTS and counts["pending"] > 0, counts  # mid-way
        # Everything the fake accepted is either recorded as sent or still marked 'sending'.
        assert counts["sent"] + counts["sending"] >= len(before)
        assert set(before) - in_flight <= {FIRST_CHAT + i for i in range(RECIPIENTS)}

        proc, lines = await start_bot(env)
        try:
            await fake.wait_for(lambda: len(received(fake)) == RECIPIENTS, timeout=30)
            t = time.monotonic()  # anything still to come would come now
            await fake.wait_for(lambda: time.monotonic() - t > 0.5, timeout=2)
        finally:
            proc.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(proc.wait(), 20)
        log = "\n".join(lines)
        assert code == 0, log
        assert f"{counts['sending']} rows left 'sending' by the last run put back" in log or (
            counts["sending"] == 0
        ), log
        assert "Traceback" not in log, log

    after = received(fake)
    twice = {chat for chat, n in after.items() if n > 1}
    assert set(after) == {FIRST_CHAT + i for i in range(RECIPIENTS)}  # nobody missed
    assert max(after.values()) <= 2
    assert twice <= in_flight, (sorted(twice - in_flight), len(in_flight))
    final, left = await statuses(tmp_path / "run.db")
    assert final == {"pending": 0, "sending": 0, "sent": RECIPIENTS, "failed": 0, "blocked": 0}
    assert not left
    print(
        f"killed with {len(before)} delivered, {len(in_flight)} rows 'sending'; twice: {len(twice)}"
    )
