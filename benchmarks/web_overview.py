"""Web overview speed: a province's overview page over HTTP, and paging through its members.

Builds (or reuses, with --db) the synthetic province of benchmarks/report_speed.py, then serves
the web pages with uvicorn on a local port, as `python -m bot web` does, logs a leader and a
staff member of the province in through one-time links, and times over real HTTP:

- GET /don-vi/province:N (the overview: Report, targets, trend, sub-units), `--repeat` times,
  median printed; goal under 1 s for 1,000,000 learners;
- GET /don-vi/province:N/hoc-vien?trang=P for the first page, a middle one and the last of
  the first 10,000 members (50 a page, LIMIT/OFFSET: never all members at once).

    python benchmarks/web_overview.py [--learners 1000000] [--communes 100] [--db PATH]
        [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import httpx  # noqa: E402
import report_speed  # noqa: E402
import uvicorn  # noqa: E402

from bot.core.review import VN  # noqa: E402
from bot.web.app import create_app  # noqa: E402
from bot.web.auth import new_login  # noqa: E402
from lessons import load_content  # noqa: E402
from scenarios.loader import load_scenarios  # noqa: E402
from storage.db import Database  # noqa: E402


class _Server(uvicorn.Server):
    def capture_signals(self):
        import contextlib

        return contextlib.nullcontext()


async def _login(db: Database, client: httpx.AsyncClient, identity: str, role: str, unit: str):
    now = dt.datetime.now(dt.UTC)
    async with db.transaction() as store:
        user = await store.users.by_identity(identity) or await store.users.create(
            identity, "given", now
        )
        await store.staff.grant(user.id, role, unit, None, now)
        link = await new_login(store, user.id, now, str(client.base_url))
    r = await client.post(link)
    assert r.status_code == 303, r.status_code


async def measure(path: Path, args: argparse.Namespace) -> None:
    db = await Database.open(path)
    unit = f"province:{args.province}"
    app = create_app(db, idle_minutes=60)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    sock.setblocking(False)
    server = _Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.02)
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=120) as leader:
            await _login(db, leader, "bench:leader", "leader", unit)
            times = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                r = await leader.get(f"/don-vi/{unit}")
                times.append(time.perf_counter() - t0)
                assert r.status_code == 200 and "Mục tiêu" in r.text, r.status_code
            med = statistics.median(times)
            print(
                f"overview {unit}: median {med * 1000:.0f} ms of {args.repeat}"
                f" (min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f});"
                f" {len(r.content) / 1024:.0f} KiB; goal < 1000 ms: {'OK' if med < 1 else 'MISSED'}"
            )
        async with httpx.AsyncClient(base_url=base, timeout=120) as staff:
            await _login(db, staff, "bench:staff", "staff", unit)
            for page in (1, 100, 200):
                t0 = time.perf_counter()
                r = await staff.get(f"/don-vi/{unit}/hoc-vien?trang={page}")
                took = time.perf_counter() - t0
                assert r.status_code == 200, r.status_code
                rows = r.text.count("<tr>") - 1
                print(
                    f"members page {page} (of the first 10,000): {took * 1000:.0f} ms, {rows} rows"
                )
    finally:
        server.should_exit = True
        await task
        sock.close()
        await db.close()


async def main(args: argparse.Namespace) -> int:
    content = load_content()
    scenarios = load_scenarios(None, content.competency_area)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.db) if args.db else Path(tmp) / "bench.db"
        if not path.exists():
            print(f"building {args.learners:,} learners into {path}")
            t0 = time.perf_counter()
            db = await Database.open(path)
            await db.close()
            args.answers = 20
            args.seed = 1
            report_speed.build(path, content, scenarios, args, dt.datetime.now(VN).date())
            print(f"build: {time.perf_counter() - t0:.0f} s")
        else:
            print(f"reusing {path}")
        await measure(path, args)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=1_000_000)
    parser.add_argument("--communes", type=int, default=100)
    parser.add_argument("--province", type=int, default=1, help="code (1: Hà Nội)")
    parser.add_argument("--db", help="keep the database here; reused when it exists")
    parser.add_argument("--repeat", type=int, default=5)
    sys.exit(asyncio.run(main(parser.parse_args())))
