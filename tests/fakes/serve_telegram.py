"""The fake Telegram Bot API in a process of its own (benchmarks/outbox_throughput.py):

    python -m tests.fakes.serve_telegram --rate-limit 30 --latency 0.15

prints {"url", "token"} as one JSON line, serves until its standard input closes, then prints
one JSON line per call it received (method, chat_id, status, at: time.monotonic()).

In a container beside the bot (deploy/smoke.sh), where nothing holds its standard input:

    python -m tests.fakes.serve_telegram --host 0.0.0.0 --port 9000 --live --until-signal

prints each call's line as it is made (with the start of a message's text) and serves until
SIGTERM or SIGINT (`docker stop`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys

from bot.channels.webserver import HttpServer
from tests.fakes.base import Call
from tests.fakes.telegram_api import FakeTelegram


def _line(c: Call, text: bool = False) -> str:
    line = {"method": c.method, "chat_id": c.chat_id, "status": c.status, "at": c.at}
    if text and "text" in c.params:
        line["text"] = str(c.params["text"])[:200]
    return json.dumps(line, ensure_ascii=False)


class _LiveTelegram(FakeTelegram):
    """Prints each call as it is recorded (for `docker compose logs`)."""

    async def _record(self, call: Call) -> None:
        await super()._record(call)
        print(_line(call, text=True), flush=True)


async def _until_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def serve(
    rate_limit: float | None,
    latency: float,
    host: str = "127.0.0.1",
    port: int = 0,
    live: bool = False,
    until_signal: bool = False,
) -> None:
    """Serve until standard input closes (or a signal), then print the call log (module doc)."""
    fake = (_LiveTelegram if live else FakeTelegram)(rate_limit=rate_limit, latency=latency)
    fake.server = HttpServer(host=host, port=port, fallback=fake._handle)
    async with fake:
        print(json.dumps({"url": fake.base_url, "token": fake.token}), flush=True)
        if until_signal:
            await _until_signal()
        else:
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, sys.stdin.read)  # until the parent closes the pipe
    if not live:
        for c in fake.calls:
            print(_line(c))
    sys.stdout.flush()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="The fake Telegram Bot API in its own process")
    parser.add_argument("--rate-limit", type=float, default=None, help="sends per second")
    parser.add_argument("--latency", type=float, default=0.0, help="round trip, seconds")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=0, help="port (0: a free one)")
    parser.add_argument("--live", action="store_true", help="print each call as it is made")
    parser.add_argument(
        "--until-signal", action="store_true", help="serve until SIGTERM/SIGINT, not stdin EOF"
    )
    args = parser.parse_args()
    asyncio.run(
        serve(args.rate_limit, args.latency, args.host, args.port, args.live, args.until_signal)
    )
