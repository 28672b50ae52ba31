"""What the durable inbox costs: updates/s of `python -m bot run` beside bare python-telegram-bot.

Both run as their own process against the same fake Telegram Bot API (tests/fakes), in polling
mode, one after the other and alternating, on the same burst: N people each send /start at
once. "Bare PTB" is a plain `Application` with PTB's own Updater and one handler that answers
each message with one sendMessage (no database). "Học Số" is the whole bot: every update is
written to the inbox before its offset is confirmed, handled by the engine in a SQLite
transaction that marks the row answered, answered with the consent screen (one message), and
marked done. Throughput is updates answered per second from the first injection to the last
answer. The issue's goal: Học Số keeps at least 0.67x of bare PTB's throughput.

    python benchmarks/inbox_cost.py [--people 2000] [--rounds 3] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes import FakeTelegram  # noqa: E402

GOAL = 0.67
BARE_PTB = textwrap.dedent(
    """
    import os
    from telegram.ext import Application, MessageHandler, filters
    from telegram.request import HTTPXRequest

    async def answer(update, context):
        await context.bot.send_message(update.effective_chat.id, "ok")

    app = (
        Application.builder().token(os.environ["TOKEN"]).base_url(os.environ["BASE"])
        .request(HTTPXRequest(connection_pool_size=256))
        .get_updates_request(HTTPXRequest(connection_pool_size=2, read_timeout=20))
        .concurrent_updates(128).build()
    )
    app.add_handler(MessageHandler(filters.ALL, answer))
    app.run_polling(poll_interval=0.0, timeout=10, drop_pending_updates=False)
    """
)


async def one_run(fake: FakeTelegram, kind: str, people: int, tmp: Path) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOCSO_")}
    env["PYTHONPATH"] = str(ROOT)
    if kind == "bare":
        env.update(TOKEN=fake.token, BASE=fake.base_url)
        args = ["-c", BARE_PTB]
    else:
        env.update(
            HOCSO_DB_PATH=str(tmp / f"bench-{time.monotonic_ns()}.db"),
            HOCSO_TELEGRAM_TOKEN=fake.token,
            HOCSO_TELEGRAM_BASE_URL=fake.base_url,
            HOCSO_LOG_LEVEL="WARNING",
        )
        args = ["-m", "bot", "run"]
    fake.calls.clear()
    fake.by_chat.clear()
    base = 10_000_000 + len(fake.injected_at) * 10
    proc = await asyncio.create_subprocess_exec(sys.executable, *args, cwd=ROOT, env=env)
    try:
        await fake.wait_for(lambda: any(c.method == "getUpdates" for c in fake.calls), 60)
        await asyncio.sleep(0.3)
        t0 = time.monotonic()
        for i in range(people):
            fake.inject(fake.command(base + i, "start"))

        waiting = {base + i for i in range(people)}
        last = t0
        while waiting:  # polled, cheaply: checking after every call would slow the server
            await asyncio.sleep(0.02)
            for chat in list(waiting):
                if any(c.ok and c.method == "sendMessage" for c in fake.by_chat.get(chat, ())):
                    waiting.discard(chat)
                    last = max(last, *(c.at for c in fake.by_chat[chat]))
            if time.monotonic() - t0 > 600:
                raise TimeoutError(f"{len(waiting)} people not answered")
        return people / (last - t0)
    finally:
        proc.terminate()
        await proc.wait()


async def main(people: int, rounds: int) -> int:
    bare: list[float] = []
    ours: list[float] = []
    async with FakeTelegram() as fake:
        with tempfile.TemporaryDirectory(prefix="hocso-inbox-") as tmp:
            for _ in range(rounds):
                bare.append(await one_run(fake, "bare", people, Path(tmp)))
                ours.append(await one_run(fake, "ours", people, Path(tmp)))
    b, o = statistics.median(bare), statistics.median(ours)
    ratio = o / b
    print(f"{people} people send /start at once, {rounds} alternating runs each (medians)")
    print(f"  bare python-telegram-bot: {b:7.1f} updates/s  {[round(x) for x in bare]}")
    print(f"  Học Số with the inbox:    {o:7.1f} updates/s  {[round(x) for x in ours]}")
    print(f"  ratio: {ratio:.2f}x (goal >= {GOAL}x)")
    return 0 if ratio >= GOAL else 1


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="200 people, one round (for the tests)")
    a = ap.parse_args()
    if a.quick:
        a.people, a.rounds = 200, 1
    sys.exit(asyncio.run(main(a.people, a.rounds)))
