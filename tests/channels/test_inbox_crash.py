"""The durable inbox under `kill -9`: every update Telegram was told arrived is handled once.

300 people send /start while `python -m bot run` polls the fake Bot API; the process is killed
with SIGKILL part-way and started again. Every person is answered, no turn runs twice (the
engine would log a replayed update), and the inbox holds nothing unfinished.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import time

from tests.channels.test_run_command import clean_env, start_bot, stop_bot, wait_line
from tests.fakes.base import Call

PEOPLE = 300
CONSENT_WORDS = "đồng ý không"


def consent_messages(fake, chat_id: int) -> list[Call]:
    return [c for c in fake.sent(chat_id) if CONSENT_WORDS in str(c.params.get("text", ""))]


def answered(fake) -> int:
    return sum(bool(consent_messages(fake, 7000 + i)) for i in range(PEOPLE))


async def test_kill_9_mid_burst_then_restart_answers_everyone_once(tmp_path, fake_tg):
    env = clean_env(
        tmp_path,
        HOCSO_TELEGRAM_TOKEN="123:TEST",
        HOCSO_TELEGRAM_BASE_URL=fake_tg.base_url,
    )
    for i in range(PEOPLE):
        fake_tg.inject(fake_tg.command(7000 + i, "start"))

    proc, lines = await start_bot(env)
    await wait_line(lines, "channel telegram started", proc)
    await fake_tg.wait_for(lambda: answered(fake_tg) >= 60, timeout=60)
    proc.send_signal(signal.SIGKILL)
    await proc.wait()
    killed_at = time.monotonic()
    before = answered(fake_tg)
    assert before < PEOPLE, "the kill came too late to test anything"

    proc, lines = await start_bot(env)
    try:
        await wait_line(lines, "channel telegram started", proc)
        await fake_tg.wait_for(lambda: answered(fake_tg) == PEOPLE, timeout=120)
        await asyncio.sleep(0.5)  # anything sent twice would arrive by now
    finally:
        await stop_bot(proc, lines, signal.SIGTERM)

    log = "\n".join(lines)
    assert "duplicate event" not in log  # the engine never saw an update a second time
    twice = [i for i in range(PEOPLE) if len(consent_messages(fake_tg, 7000 + i)) > 1]
    print(f"answered before the kill: {before}; after restart: {PEOPLE}; "
          f"people whose reply was sent again: {len(twice)}")  # fmt: skip
    # Turns run exactly once; a reply goes out at least once. Only a reply already sent before
    # the kill, whose done mark had not been committed yet, can be sent again: never a turn
    # handled after the restart (how many is a matter of timing, so it is printed, not bounded).
    for i in twice:
        first, *_ = consent_messages(fake_tg, 7000 + i)
        assert first.at < killed_at, f"person {i} got a second reply without a crash between"
    with sqlite3.connect(tmp_path / "run.db") as db:
        statuses = dict(db.execute("SELECT status, COUNT(*) FROM inbox GROUP BY status"))
        events = db.execute("SELECT COUNT(*) FROM inbound_events").fetchone()[0]
    assert statuses == {"done": PEOPLE}
    assert events == PEOPLE  # each update handled by exactly one committed turn
