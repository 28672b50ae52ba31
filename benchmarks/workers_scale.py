"""Several bot processes on one database: updates/s and update-to-answer latency of one
`python -m bot run` beside one `--role web` process with 1, 2 or 3 `--role worker` processes.

Every configuration runs against the same fake Telegram Bot API (tests/fakes) in webhook mode,
on a fresh SQLite database, with the same burst: N people send /start at once (each update is
POSTed to the webhook like Telegram does, 64 requests in flight). Throughput is updates
answered per second from the first POST to the last answer; latency is from an update's POST
to its answer (a 503, «not stored, try again», is retried after 0.5 s as Telegram would, and
counted). The figures are medians over the rounds, and ratios against one process.

This machine kind has 2 cores: beyond one worker per core the processes only share them, so
more workers here show the cost of the claims more than any gain; on more cores (and on
PostgreSQL, where writers do not queue for one file) workers add throughput.

    python benchmarks/workers_scale.py [--people 1000] [--rounds 3] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.channels.run_helpers import free_port  # noqa: E402
from tests.fakes import FakeTelegram  # noqa: E402

SECRET = "bench-workers-secret"
CONFIGS = [("one process", 0), ("web + 1 worker", 1), ("web + 2 workers", 2),
           ("web + 3 workers", 3)]  # fmt: skip


async def _start(env: dict[str, str], role: str) -> tuple[asyncio.subprocess.Process, list[str]]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--role", role, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    lines: list[str] = []

    async def read() -> None:
        async for raw in proc.stderr:
            lines.append(raw.decode("utf-8", "replace"))

    asyncio.get_running_loop().create_task(read())
    needle = "running; stop with" if role == "all" else f"role {role} started"
    deadline = time.monotonic() + 90
    while not any(needle in line for line in lines):
        if proc.returncode is not None or time.monotonic() > deadline:
            raise RuntimeError("did not start:\n" + "".join(lines))
        await asyncio.sleep(0.05)
    return proc, lines


async def one_run(
    fake: FakeTelegram, workers: int, people: int, tmp: Path
) -> tuple[float, list, int]:
    """One configuration on a fresh database: (updates/s, latencies, 503s retried)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOCSO_")}
    env.update(
        PYTHONPATH=str(ROOT),
        HOCSO_DB_PATH=str(tmp / f"bench-{time.monotonic_ns()}.db"),
        HOCSO_TELEGRAM_TOKEN=fake.token,
        HOCSO_TELEGRAM_BASE_URL=fake.base_url,
        HOCSO_TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}/tg",
        HOCSO_TELEGRAM_WEBHOOK_SECRET=SECRET,
        HOCSO_WEBHOOK_HOST="127.0.0.1",
        HOCSO_WEBHOOK_PORT=str(port),
        HOCSO_WEB_PORT="0",
        HOCSO_LOG_LEVEL="INFO",
        HOCSO_WORKER_POLL="0.05",
    )
    procs = [await _start(env, "all" if workers == 0 else "web")]
    for _ in range(workers):
        procs.append(await _start(env, "worker"))
    fake.calls.clear()
    fake.by_chat.clear()
    base = 20_000_000 + len(fake.injected_at) * 10 + workers * 1_000_000
    posted: dict[int, float] = {}
    retries: list[int] = []
    gate = asyncio.Semaphore(64)
    try:
        async with httpx.AsyncClient(trust_env=False, timeout=60) as client:

            async def post(i: int) -> None:
                chat = base + i
                update = {"update_id": base + i, **fake.command(chat, "start")}
                async with gate:
                    posted[chat] = time.monotonic()
                    while True:  # 503: not stored, deliver again (as Telegram does)
                        r = await client.post(
                            f"http://127.0.0.1:{port}/tg", json=update,
                            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                        )  # fmt: skip
                        if r.status_code != 503:
                            break
                        retries.append(chat)
                        await asyncio.sleep(0.5)
                    r.raise_for_status()

            t0 = time.monotonic()
            await asyncio.gather(*(post(i) for i in range(people)))
        waiting = set(posted)
        answered: dict[int, float] = {}
        while waiting:
            await asyncio.sleep(0.02)
            for chat in list(waiting):
                sent = [
                    c.at for c in fake.by_chat.get(chat, ()) if c.ok and c.method == "sendMessage"
                ]
                if sent:
                    waiting.discard(chat)
                    answered[chat] = min(sent)
            if time.monotonic() - t0 > 600:
                raise TimeoutError(f"{len(waiting)} people not answered")
        last = max(max(c.at for c in fake.by_chat[chat]) for chat in answered)
        latencies = sorted(answered[c] - posted[c] for c in answered)
        return people / (last - t0), latencies, len(retries)
    finally:
        for proc, _ in procs:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        for proc, _ in procs:
            try:
                await asyncio.wait_for(proc.wait(), 30)
            except TimeoutError:
                proc.kill()


def _pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))]


async def main(people: int, rounds: int, configs: list[tuple[str, int]]) -> int:
    rates: dict[str, list[float]] = {name: [] for name, _ in configs}
    p50: dict[str, list[float]] = {name: [] for name, _ in configs}
    p99: dict[str, list[float]] = {name: [] for name, _ in configs}
    retried = dict.fromkeys(rates, 0)
    async with FakeTelegram() as fake:
        with tempfile.TemporaryDirectory(prefix="hocso-workers-") as tmp:
            for _ in range(rounds):
                for name, workers in configs:  # alternating: the machine's load hits all alike
                    rate, lat, again = await one_run(fake, workers, people, Path(tmp))
                    rates[name].append(rate)
                    retried[name] += again
                    p50[name].append(_pct(lat, 0.5))
                    p99[name].append(_pct(lat, 0.99))
    print(f"{people} people send /start at once through the webhook; SQLite; "
          f"{os.cpu_count()} cores; medians of {rounds} round(s)")  # fmt: skip
    one = statistics.median(rates[configs[0][0]])
    for name, _ in configs:
        r = statistics.median(rates[name])
        print(
            f"  {name:16s} {r:7.1f} updates/s  ({r / one:.2f}x one process)"
            f"  p50 {statistics.median(p50[name]) * 1000:6.0f} ms"
            f"  p99 {statistics.median(p99[name]) * 1000:6.0f} ms"
            f"  runs {[round(x) for x in rates[name]]}  503s {retried[name]}"
        )
    return 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="150 people, one round, 0 and 2 workers")
    a = ap.parse_args()
    configs = CONFIGS
    if a.quick:
        a.people, a.rounds, configs = 150, 1, [CONFIGS[0], CONFIGS[2]]
    sys.exit(asyncio.run(main(a.people, a.rounds, configs)))
