"""The Zalo OA channel against its local stand-in (tests/fakes/zalo_oa_api.py).

latency     `python -m bot run` as a separate process with the OA channel; N followers sign up
            at the same time through signed webhooks, each sending the next message as soon as
            the previous answer has gone quiet. For every event: webhook POST -> first message
            at the fake OA API (first reply) and -> the turn's last message (whole turn);
            median and 99th percentile of each.
throughput  one announcement to N followers (open windows) through the real ZaloOaChannel and
            the outbox worker (bot/delivery.py) in this process, against a fake that accepts
            `--rate` messages/s (error -32 beyond it). Prints the achieved rate and how many
            followers got it never (lost) or more than once (duplicated), from the fake's log
            and from the outbox rows.

    python benchmarks/zalo_oa_channel.py latency [--users 50] [--steps 10]
    python benchmarks/zalo_oa_channel.py throughput [--users 10000] [--rate 10] [--bulk-rate 10]

At the default 10 messages/s (HOCSO_ZALO_OA_BULK_RATE) 10,000 followers take about 17 minutes;
--users 1000 is a quick check.

Measured on 2 cores (04/12/2026): throughput, 10,000 followers at 10/s: 1010.9 s, 9.89/s (98.9%),
no rate refusal, 0 lost, 0 duplicated, all 10,000 rows 'sent'. Latency, 50 followers x 10
events: first reply median 149 ms, p99 695 ms (an earlier run while the machine was busy: 729 /
1919 ms); 20 followers: 86 / 559 ms; one follower: 58 / 81 ms. The Telegram benchmark
(channel_latency.py, polling) gave 130 / 263 ms for 50 people on the same machine.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import math
import resource
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cryptography.fernet import Fernet  # noqa: E402

from bot.channels.zalo_oa import ZaloOaChannel  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.core.engine import Engine  # noqa: E402
from bot.delivery import Deliverer  # noqa: E402
from lessons import load_content  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.outbox import OutboxItem  # noqa: E402
from storage.store import Store  # noqa: E402
from tests.fakes.zalo_oa_api import FakeZaloOA  # noqa: E402

SIGN_UP = ["Đồng ý", "Bà", "Lan", "1955", "thai nguyen", "1", "phu thinh", "1",
           "Không cần nhắc", "Bỏ qua"]  # fmt: skip
ANNOUNCEMENT = 1
TEXT = (
    "Kính mời các bác dự buổi học «Dịch vụ công trực tuyến» lúc 8 giờ sáng thứ Bảy "
    "tại nhà văn hoá thôn. Các bác nhớ mang theo điện thoại và căn cước."
)
DAY = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)  # 10:00 in Vietnam: no quiet hours
QUIET = 0.25


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


# --- latency ---


async def follower(fake: FakeZaloOA, url: str, user: str, steps: int, first: list, whole: list):
    res = await fake.post_event(url, fake.follow(user))  # answered at the first message
    if res.status_code != 200:
        raise RuntimeError(f"webhook answered {res.status_code}")
    events = [fake.text(user, "Xin chào")] + [None] * (steps - 1)
    for i in range(steps):
        event = events[i] or fake.text(user, SIGN_UP[(i - 1) % len(SIGN_UP)])
        seen = len(fake.by_chat.get(user, []))
        t0 = time.monotonic()
        res = await fake.post_event(url, event)
        if res.status_code != 200:
            raise RuntimeError(f"webhook answered {res.status_code}")
        await fake.wait_chat(user, lambda calls, seen=seen: len(calls) > seen, timeout=30)
        while True:  # the turn is over when nothing more came for a moment
            n = len(fake.by_chat[user])
            await asyncio.sleep(QUIET)
            if len(fake.by_chat[user]) == n:
                break
        mine = [c for c in fake.by_chat[user][seen:] if c.ok]
        first.append(mine[0].at - t0)
        whole.append(mine[-1].at - t0)


async def latency(users: int, steps: int) -> int:
    from tests.channels.test_run_command import start_bot
    from tests.channels.test_zalo_oa_run import oa_env

    async with FakeZaloOA() as fake:
        with tempfile.TemporaryDirectory(prefix="hocso-bench-") as tmp:
            env, url = oa_env(Path(tmp), fake, HOCSO_LOG_LEVEL="WARNING")
            proc, _lines = await start_bot(env)
            try:
                deadline = time.monotonic() + 30
                while not fake.renewals and time.monotonic() < deadline:
                    await asyncio.sleep(0.05)  # started once the tokens were renewed
                await asyncio.sleep(1.0)
                first: list[float] = []
                whole: list[float] = []
                t0 = time.monotonic()
                await asyncio.gather(
                    *(follower(fake, url, f"b{i}", steps, first, whole) for i in range(users))
                )
                elapsed = time.monotonic() - t0
            finally:
                proc.send_signal(signal.SIGTERM)
                await asyncio.wait_for(proc.wait(), 30)
    bot_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    me = resource.getrusage(resource.RUSAGE_SELF)
    print(f"followers {users}, events {len(first)} in {elapsed:.1f} s "
          f"({len(first) / elapsed:.1f} events/s; each waits {QUIET} s of quiet)")  # fmt: skip
    for name, values in (("first reply", first), ("whole turn", whole)):
        print(f"{name:12} median {statistics.median(values) * 1000:.0f} ms   "
              f"p99 {percentile(values, 99) * 1000:.0f} ms")  # fmt: skip
    print(f"CPU: bot {bot_cpu.ru_utime + bot_cpu.ru_stime:.1f} s, "
          f"fake server and followers {me.ru_utime + me.ru_stime:.1f} s")  # fmt: skip
    return 0


# --- throughput ---


class Clock:
    def __init__(self, start: dt.datetime = DAY):
        self.start, self.t0 = start, time.monotonic()

    def __call__(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=time.monotonic() - self.t0)


async def throughput(users: int, rate: float, bulk_rate: float) -> int:
    clock = Clock()
    ids = [f"f{n}" for n in range(users)]
    identities = [f"zalo_oa:{u}" for u in ids]
    settings = Settings(_env_file=None, zalo_oa_bulk_rate=bulk_rate)
    async with FakeZaloOA(rate_limit=rate) as fake:
        for u in ids:  # every follower wrote recently: their window is open
            fake.person(u).last_interaction = fake.now()
            fake.person(u).msg_ids.add(f"m-{u}")
        with tempfile.TemporaryDirectory(prefix="hocso-bench-") as tmp:
            db = await Database.open(Path(tmp) / "bench.db")
            try:
                engine = Engine(db, load_content(), clock)
                t = clock().isoformat()
                async with db.sql(write=True) as conn:
                    await conn.executemany(
                        "INSERT INTO users (identity, consent, consent_at, address_form,"
                        " display_name, birth_year, registered_at, created_at, last_active_at)"
                        " VALUES (?, 'given', ?, 'bác', ?, 1955, ?, ?, ?)",
                        [(i, t, f"Hội viên {n}", t, t, t) for n, i in enumerate(identities)],
                    )
                    await conn.executemany(
                        "INSERT INTO zalo_oa_window (identity, last_user_at, sent_since,"
                        " last_msg_id, updated_at) VALUES (?, ?, 0, ?, ?)",
                        [(i, t, f"m-{i.removeprefix('zalo_oa:')}", t) for i in identities],
                    )
                    queued = await Store(conn).outbox.enqueue(
                        [OutboxItem(i, TEXT, announcement_id=ANNOUNCEMENT) for i in identities]
                    )
                channel = ZaloOaChannel(
                    engine, app_id=fake.app_id, oa_secret=fake.oa_secret,
                    app_secret=fake.app_secret, access_token=fake.access_token,
                    refresh_token=fake.refresh_token, token_key=Fernet.generate_key().decode(),
                    webhook_url="http://127.0.0.1/unused", base_url=fake.base_url,
                    oauth_url=fake.oauth_url,
                )  # fmt: skip
                await channel.start()
                deliverer = Deliverer(db, engine, [channel], settings, clock=clock)
                print(f"{queued} rows queued; sending at {deliverer.describe()} to a fake OA "
                      f"that accepts {rate:g}/s", file=sys.stderr, flush=True)  # fmt: skip
                t0 = time.monotonic()
                await deliverer.start()
                deadline = t0 + 2 * users / min(rate, bulk_rate) + 60
                while True:
                    async with db.sql() as conn:
                        counts = await Store(conn).outbox.summary(ANNOUNCEMENT)
                    if counts["pending"] == counts["sending"] == 0 or time.monotonic() > deadline:
                        break
                    await asyncio.sleep(0.2)
                elapsed = time.monotonic() - t0
                await deliverer.stop()
                await channel.stop()
            finally:
                await db.close()
    sends = [c for c in fake.calls if c.method == "message/cs"]
    got = Counter(c.chat_id for c in sends if c.ok)
    lost = sum(got[u] == 0 for u in ids)
    duplicated = sum(got[u] > 1 for u in ids)
    refused = sum(c.status == -32 for c in sends)
    achieved = sum(got[u] > 0 for u in ids) / elapsed
    print(f"followers       {users}")
    print(f"elapsed         {elapsed:.1f} s")
    print(f"achieved rate   {achieved:.2f}/s = {achieved / rate:.1%} of the fake's {rate:g}/s "
          f"(paced at {bulk_rate:g}/s)")  # fmt: skip
    print(f"rate refusals   {refused}")
    print(f"proactive       {sum(fake.person(u).proactive for u in ids)}"
          " (sent naming no message of theirs: paid at Zalo)")  # fmt: skip
    print(f"lost            {lost}   duplicated {duplicated} (fake's log)")
    print(f"outbox rows     {counts}")
    ok = lost == duplicated == 0 and counts["sent"] == users
    print("0 lost, 0 duplicated:", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    lat = sub.add_parser("latency")
    lat.add_argument("--users", type=int, default=50)
    lat.add_argument("--steps", type=int, default=10)
    thr = sub.add_parser("throughput")
    thr.add_argument("--users", type=int, default=10_000)
    thr.add_argument("--rate", type=float, default=10.0)
    thr.add_argument("--bulk-rate", type=float, default=10.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    if args.what == "latency":
        sys.exit(asyncio.run(latency(args.users, args.steps)))
    sys.exit(asyncio.run(throughput(args.users, args.rate, args.bulk_rate)))
