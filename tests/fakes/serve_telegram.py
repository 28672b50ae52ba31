"""The fake Telegram Bot API in a process of its own (benchmarks/outbox_throughput.py):

    python -m tests.fakes.serve_telegram --rate-limit 30 --latency 0.15

prints {"url", "token"} as one JSON line, serves until its standard input closes, then prints
one JSON line per call it received (method, chat_id, status, at: time.monotonic()).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from tests.fakes.telegram_api import FakeTelegram


async def serve(rate_limit: float | None, latency: float) -> None:
    """Serve until standard input closes, then print the call log (see the module's doc)."""
    fake = FakeTelegram(rate_limit=rate_limit, latency=latency)
    async with fake:
        print(json.dumps({"url": fake.base_url, "token": fake.token}), flush=True)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sys.stdin.read)  # until the parent closes the pipe
    for c in fake.calls:
        print(json.dumps({"method": c.method, "chat_id": c.chat_id, "status": c.status,
                          "at": c.at}))  # fmt: skip
    sys.stdout.flush()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="The fake Telegram Bot API in its own process")
    parser.add_argument("--rate-limit", type=float, default=None, help="sends per second")
    parser.add_argument("--latency", type=float, default=0.0, help="round trip, seconds")
    args = parser.parse_args()
    asyncio.run(serve(args.rate_limit, args.latency))
