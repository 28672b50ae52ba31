"""Latency through the real Telegram channel: injected update -> reply at the Bot API server.

Starts the fake Telegram Bot API server (tests/fakes) in this process and `python -m bot run`
as a separate process pointed at it (HOCSO_TELEGRAM_BASE_URL), exactly as in production but on
loopback. 100 people sign up at the same time, each sending the next message as soon as the
previous answer is complete (10 updates each: /start, consent, address form, name, year,
province, its pick, commune, its pick, branch), so 1,000 updates in all.

With --think S each person pauses 0.5-1.5 x S seconds (reading) before each message, which
is closer to real use than the default back-to-back load (--think 0, the bot saturated).

For every update it measures, from the moment the update was queued for getUpdates:
  first reply  - the first message the bot sends back to that chat;
  whole turn   - the turn's last message (the one carrying the keyboard).
and prints median and 99th percentile of each.

    python benchmarks/channel_latency.py [--users 100] [--steps 10] [--think 0]

BENCH_PROFILE=out.prof runs the bot under cProfile; BENCH_EXTRA_PATH adds a directory to the
bot's PYTHONPATH (e.g. one with a sitecustomize.py that instruments it).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes import FakeTelegram  # noqa: E402
from tests.fakes.base import Call  # noqa: E402

PROFILE = (
    ["-m", "cProfile", "-o", os.environ["BENCH_PROFILE"]] if os.environ.get("BENCH_PROFILE") else []
)
SIGN_UP = [
    "/start",
    "Đồng ý",
    "Bà",
    "Lan",
    "1955",
    "thai nguyen",
    0,
    "phu thinh",
    0,
    "Không cần nhắc",
    "Bỏ qua",
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def is_message(c: Call) -> bool:
    return c.ok and c.method.startswith("send") and c.method != "sendChatAction"


async def person(
    fake: FakeTelegram, chat_id: int, steps: int, think: float, first: list, whole: list
) -> None:
    keyboard: list[str] = []
    rng = random.Random(chat_id)
    for step in SIGN_UP[:steps]:
        if think:
            await asyncio.sleep(rng.uniform(0.5, 1.5) * think)
        text = keyboard[step] if isinstance(step, int) else step
        seen = len(fake.by_chat.get(chat_id, []))
        uid = fake.inject(fake.text(chat_id, text))
        t0 = fake.injected_at[uid]

        def turn_end(calls: list[Call], seen: int = seen) -> Call | None:
            return next(
                (c for c in calls[seen:] if is_message(c) and "reply_markup" in c.params), None
            )

        end = await fake.wait_chat(chat_id, turn_end, timeout=30)
        replies = [c for c in fake.by_chat[chat_id][seen:] if is_message(c)]
        first.append(replies[0].at - t0)
        whole.append(end.at - t0)
        markup = end.params["reply_markup"]
        keyboard = [b["text"] for row in markup.get("keyboard", []) for b in row]


async def main(users: int, steps: int, think: float) -> int:
    async with FakeTelegram() as fake:
        with tempfile.TemporaryDirectory(prefix="hocso-bench-") as tmp:
            env = {k: v for k, v in os.environ.items() if not k.startswith("HOCSO_")}
            env.update(
                PYTHONPATH=os.pathsep.join(
                    [str(ROOT), *filter(None, [os.environ.get("BENCH_EXTRA_PATH")])]
                ),
                HOCSO_DB_PATH=str(Path(tmp) / "bench.db"),
                HOCSO_TELEGRAM_TOKEN=fake.token,
                HOCSO_TELEGRAM_BASE_URL=fake.base_url,
                HOCSO_LOG_LEVEL="WARNING",
            )
            proc = await asyncio.create_subprocess_exec(
                sys.executable, *PROFILE, "-m", "bot", "run", cwd=ROOT, env=env
            )
            try:
                await fake.wait_for(  # polling has started (its bootstrap clears the webhook)
                    lambda: any(c.method == "deleteWebhook" for c in fake.calls), timeout=30
                )
                first: list[float] = []
                whole: list[float] = []
                t0 = time.monotonic()
                await asyncio.gather(
                    *(person(fake, 10_000 + i, steps, think, first, whole) for i in range(users))
                )
                elapsed = time.monotonic() - t0
            finally:
                proc.terminate()
                code = await proc.wait()
    n = len(first)
    print(
        f"{n} updates from {users} people in {elapsed:.1f} s ({n / elapsed:.0f} updates/s),"
        f" think time {think:g} s"
    )
    for name, values in (("first reply", first), ("whole turn", whole)):
        print(
            f"{name:12s} median {statistics.median(values) * 1000:7.1f} ms"
            f"   p99 {percentile(values, 99) * 1000:7.1f} ms"
            f"   max {max(values) * 1000:7.1f} ms"
        )
    bot_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    own_cpu = resource.getrusage(resource.RUSAGE_SELF)
    print(
        f"CPU: bot {bot_cpu.ru_utime + bot_cpu.ru_stime:.1f} s,"
        f" fake server and driver {own_cpu.ru_utime + own_cpu.ru_stime:.1f} s"
    )
    print(f"bot exited with {code} after SIGTERM")
    return 0 if code == 0 else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--steps", type=int, default=10, choices=range(1, len(SIGN_UP) + 1))
    parser.add_argument("--think", type=float, default=0.0, help="mean pause before a message")
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.users, args.steps, args.think)))
