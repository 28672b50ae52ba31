"""The outbox worker through the real Telegram channel (python-telegram-bot) and the fake Bot API
server: pacing, 429 storms, blocked people, retries, quiet hours and restarts."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections import Counter

from bot import texts
from bot.channels.zalo import ZaloChannel
from bot.delivery import Pacer, SharedPace, in_quiet_hours
from storage.db import Database
from storage.store import Store
from tests.delivery.conftest import DAY, add_users, announce, rows, settled
from tests.fakes.base import ApiError
from tests.fakes.telegram_api import FakeTelegram


def ids(first: int, n: int) -> list[str]:
    return [f"telegram:{first + i}" for i in range(n)]


def received(fake: FakeTelegram) -> Counter:
    """Messages that got through, per chat."""
    return Counter(c.chat_id for c in fake.sent())


async def test_everyone_gets_the_message_once_at_the_configured_pace(
    db, tg, fake_tg, start_deliverer
):
    people = ids(1000, 20)
    await add_users(db, people)
    await announce(db, 1, people, "Mời bác dự buổi học")
    await start_deliverer([tg], rate=20.0, chat_rate=1.0)
    assert await settled(db, 1) == {"pending": 0, "sending": 0, "sent": 20, "failed": 0,
                                    "blocked": 0}  # fmt: skip
    assert received(fake_tg) == Counter({1000 + i: 1 for i in range(20)})
    sends = [c.at for c in fake_tg.sent()]
    assert sends[-1] - sends[0] >= 19 / 20 - 0.05  # 20 messages at 20/s take ~0.95 s
    # no buttons: no reply_markup, so the person's keyboard stays as it was
    assert all("reply_markup" not in c.params for c in fake_tg.sent())
    assert await rows(db, "SELECT DISTINCT attempts, last_error FROM outbox") == [(1, None)]


async def test_a_429_storm_delivers_everything_once_honouring_retry_after(
    db, tg, fake_tg, start_deliverer
):
    people = ids(2000, 30)
    await announce(db, 1, people)
    fake_tg.fail("sendMessage", 429, retry_after=1, times=10**6)  # every send refused ...
    storm_started = time.monotonic()
    await start_deliverer([tg], rate=50.0)
    await fake_tg.wait_for(lambda: sum(c.status == 429 for c in fake_tg.calls) >= 2, 5)
    await asyncio.sleep(2.0 - (time.monotonic() - storm_started))
    fake_tg.failures.clear()  # ... for two seconds
    assert (await settled(db, 1, timeout=15))["sent"] == 30
    assert received(fake_tg) == Counter({2000 + i: 1 for i in range(30)})
    refused = [c for c in fake_tg.calls if c.status == 429]
    assert 2 <= len(refused) <= 8  # paused after each, not hammering the server
    for r in refused:  # nothing was sent during the second after a 429 (beyond requests
        # already on their way when it arrived)
        early = [
            c for c in fake_tg.calls if c.method == "sendMessage" and 0.05 < c.at - r.at < 0.95
        ]
        assert early == [], (r.at, [c.at for c in early])
    # waiting out the platform's pace costs no attempt
    assert await rows(db, "SELECT DISTINCT attempts FROM outbox") == [(1,)]


async def test_sends_bunched_by_a_stalled_event_loop_still_keep_the_rate_in_every_second():
    pacer = Pacer(20.0)
    started: list[float] = []

    async def call() -> None:
        started.append(time.time())

    async def stall() -> None:
        await asyncio.sleep(0.25)
        time.sleep(0.3)  # e.g. a full garbage collection: six slots pass meanwhile

    await asyncio.gather(stall(), *(pacer.send(f"telegram:{i}", call) for i in range(40)))
    # at most 20 in any one second: the 21st after a send starts a second later or more
    # (slots alone would let the sends missed in the stall go out at once)
    assert min(b - a for a, b in zip(started, started[20:], strict=False)) >= 1.0
    assert pacer.skipped >= 1  # slots booked before the stall were given up, not used late


async def test_a_request_delayed_on_its_way_keeps_its_place_in_the_window_longer():
    """A request that took 0.3 s longer than the others may have reached the platform 0.3 s
    late: the sends after it keep every second at the platform within the rate however late
    it arrived, instead of drawing a 429 (slots alone put 21 into one second here)."""
    pacer = Pacer(20.0)
    started: list[float] = []

    async def call() -> None:
        started.append(time.time())
        await asyncio.sleep(0.3 if len(started) == 1 else 0.01)

    await asyncio.gather(*(pacer.send(f"telegram:{i}", call) for i in range(30)))
    for delay in (0.0, 0.1, 0.2, 0.29):  # when the slow one may have arrived
        arrived = sorted([started[0] + delay, *started[1:]])
        assert max(sum(t - 1.0 < a <= t for a in arrived) for t in arrived) <= 20, delay


async def test_a_long_steady_round_trip_costs_nothing():
    """A 150 ms round trip, every time: sends start on their slots, 0.05 s apart, as at 0 ms
    (the previous pacer's window, counted from each answer, lost 13% here)."""
    pacer = Pacer(20.0, limit=21)
    started: list[float] = []

    async def call() -> None:
        started.append(time.time())
        await asyncio.sleep(0.15)

    await asyncio.gather(*(pacer.send(f"telegram:{i}", call) for i in range(41)))
    # 2.0 s on the slots; a window counted from each answer would take 2.3 s
    assert started[40] - started[0] < 2.2, (pacer.skipped, pacer.guarded)
    assert pacer.gaps == 0.0  # alone on its schedule: no gap booked


async def test_two_workers_share_one_pace_through_the_database(tmp_path):
    """Two processes' pacers (two connections to one database) book from the same send_pace
    row: 20/s together, not 20/s each, and a 429's pause seen by one holds the other."""
    dbs = [await Database.open(tmp_path / "pace.db") for _ in range(2)]
    try:
        pacers = [Pacer(20.0, pace=SharedPace(db, "telegram"), limit=21) for db in dbs]
        started: list[float] = []

        async def call() -> None:
            started.append(time.time())

        await asyncio.gather(*(pacers[i % 2].send(f"telegram:{i}", call) for i in range(40)))
        started.sort()
        assert started[-1] - started[0] >= 39 / 20 - 0.1
        assert max(sum(t - 1.0 < a <= t for a in started) for t in started) <= 21
        assert all(p._shared_until > 0 for p in pacers)  # each saw the other booking

        assert await pacers[0].pause(1.0)
        t0 = time.time()
        # the other worker may still use the slots it had booked (0.1 s ahead at most), then
        # waits out the pause too
        for i in range(pacers[1].batch + 1):
            await pacers[1].send(f"telegram:x{i}", call)
        assert started[-1] - t0 >= 0.9
    finally:
        for db in dbs:
            await db.close()


async def test_conversations_do_not_wait_while_bulk_sending_is_paused(
    db, engine, tg, fake_tg, start_deliverer
):
    people = ids(3000, 5)
    await announce(db, 1, people)
    fake_tg.fail("sendMessage", 429, chat_id=3000, retry_after=3)
    await start_deliverer([tg], rate=50.0)
    await fake_tg.wait_for(lambda: any(c.status == 429 for c in fake_tg.calls))
    paused_at = time.monotonic()
    answer = await fake_tg.turn(777, fake_tg.command(777, "start"), timeout=2.0)
    assert answer and time.monotonic() - paused_at < 1.5  # answered while bulk still waits
    assert fake_tg.sent(3000) == []
    assert (await settled(db, 1, timeout=10))["sent"] == 5
    assert fake_tg.sent()[-5].at - paused_at >= 2.9  # bulk resumed after retry_after only


async def test_403_marks_the_person_blocked_and_later_rows_to_them_are_skipped(
    db, engine, tg, fake_tg, start_deliverer
):
    people = ids(4000, 3)
    await add_users(db, people)
    fake_tg.block(4001)
    await announce(db, 1, people)
    deliverer = await start_deliverer([tg])
    assert await settled(db, 1) == {"pending": 0, "sending": 0, "sent": 2, "failed": 0,
                                    "blocked": 1}  # fmt: skip
    assert await engine.is_blocked("telegram:4001")
    assert await rows(db, "SELECT identity FROM users WHERE blocked = 1") == [("telegram:4001",)]
    tried = len([c for c in fake_tg.calls if c.chat_id == 4001])
    assert tried == 1

    await announce(db, 2, people, "Thông báo thứ hai")
    deliverer.wake()
    assert await settled(db, 2) == {"pending": 0, "sending": 0, "sent": 2, "failed": 0,
                                    "blocked": 1}  # fmt: skip
    assert len([c for c in fake_tg.calls if c.chat_id == 4001]) == tried  # not even tried
    async with db.sql() as conn:
        assert await Store(conn).outbox.failures(2) == []  # blocked is its own count, not a failure
    assert await rows(
        db, "SELECT last_error FROM outbox WHERE identity = 'telegram:4001' AND announcement_id = 2"
    ) == [(texts.DELIVERY_BLOCKED,)]


async def test_network_errors_retry_with_backoff_then_fail_with_a_reason(
    db, tg, fake_tg, start_deliverer, clock
):
    await announce(db, 1, ["telegram:5001", "telegram:5002", "telegram:5003"])
    fake_tg.fail("sendMessage", 500, chat_id=5001, times=1)  # a blip
    fake_tg.fail("sendMessage", 502, chat_id=5002, times=100)  # down for this one
    fake_tg.fail("sendMessage", 400, chat_id=5003, description="Bad Request: chat not found")
    deliverer = await start_deliverer([tg], max_attempts=3, backoff=10.0)

    async def held_until(n: int) -> dt.datetime:
        """Wait for 5002's attempt `n` to be recorded; returns when it may be tried again."""
        while True:
            [(status, not_before, attempts)] = await rows(
                db, "SELECT status, not_before, attempts FROM outbox WHERE identity = ?",
                "telegram:5002",
            )  # fmt: skip
            if status == "pending" and attempts == n:
                return dt.datetime.fromisoformat(not_before)
            await asyncio.sleep(0.02)

    first = await held_until(1)  # backoff 10 s (+-20%), on the injected clock
    assert 8 <= (first - clock.now).total_seconds() <= 12
    clock.now = first
    deliverer.wake()
    second = await held_until(2)  # then 20 s
    assert 16 <= (second - clock.now).total_seconds() <= 24
    clock.now = second
    deliverer.wake()
    assert await settled(db, 1) == {"pending": 0, "sending": 0, "sent": 1, "failed": 2,
                                    "blocked": 0}  # fmt: skip
    assert fake_tg.texts(5001) == ["Thông báo"]
    network = texts.DELIVERY_NETWORK.format(channel="Telegram", n=3)
    rejected = texts.DELIVERY_REJECTED.format(channel="Telegram", detail="Chat not found")
    assert await rows(db, "SELECT identity, status, attempts, last_error FROM outbox") == [
        ("telegram:5001", "sent", 2, texts.DELIVERY_NETWORK.format(channel="Telegram", n=1)),
        ("telegram:5002", "failed", 3, network),
        ("telegram:5003", "failed", 1, rejected),  # a refusal is not retried
    ]
    assert len([c for c in fake_tg.calls if c.chat_id == 5002]) == 3
    async with db.sql() as conn:
        assert sorted(await Store(conn).outbox.failures(1)) == sorted([(network, 1), (rejected, 1)])


async def test_a_long_message_retried_after_an_error_resumes_after_the_parts_sent(
    db, tg, fake_tg, start_deliverer
):
    text = ("Đoạn một. " * 300).strip() + "\n\n" + ("Đoạn hai. " * 300).strip()  # two messages
    await announce(db, 1, ["telegram:5100"], text, buttons=[("ann:ack:1", "Đã đọc")])
    real = fake_tg.api_sendMessage
    calls = 0

    async def second_fails_once(p, f):
        nonlocal calls
        calls += 1
        if calls == 2:
            raise ApiError(500, "Internal Server Error")
        return await real(p, f)

    fake_tg.api_sendMessage = second_fails_once
    await start_deliverer([tg])
    assert (await settled(db, 1))["sent"] == 1
    sent = fake_tg.sent(5100)
    assert [c.params["text"][:8] for c in sent] == ["Đoạn một", "Đoạn hai"]  # none twice
    assert "reply_markup" not in sent[0].params
    keyboard = sent[1].params["reply_markup"]["keyboard"]
    assert [b["text"] for row in keyboard for b in row] == ["Đã đọc"]


def test_quiet_hours_are_21_to_7_in_vietnam():
    def vn(h: int, m: int = 0) -> dt.datetime:
        return dt.datetime(2026, 11, 23, h, m, tzinfo=dt.timezone(dt.timedelta(hours=7)))

    assert not in_quiet_hours(vn(7))
    assert not in_quiet_hours(vn(20, 59))
    assert in_quiet_hours(vn(21))
    assert in_quiet_hours(vn(0, 30))
    assert in_quiet_hours(vn(6, 59))
    assert in_quiet_hours(dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC))  # 22:00 in Vietnam


async def test_quiet_hours_hold_ordinary_rows_until_7_and_let_urgent_ones_through(
    db, tg, fake_tg, start_deliverer, clock
):
    clock.now = dt.datetime(2026, 11, 23, 15, 30, tzinfo=dt.UTC)  # 22:30 in Vietnam
    await announce(db, 1, ["telegram:6001"], "Họp chi hội sáng mai")
    await announce(db, 2, ["telegram:6002"], "Cảnh báo lừa đảo khẩn", urgent=True)
    deliverer = await start_deliverer([tg])
    await fake_tg.wait_for(lambda: fake_tg.texts(6002))
    await asyncio.sleep(0.3)
    assert fake_tg.texts(6001) == []
    clock.now = dt.datetime(2026, 11, 23, 23, 59, tzinfo=dt.UTC)  # 06:59
    deliverer.wake()
    await asyncio.sleep(0.3)
    assert fake_tg.texts(6001) == []
    clock.now = dt.datetime(2026, 11, 24, 0, 0, tzinfo=dt.UTC)  # 07:00
    deliverer.wake()
    await fake_tg.wait_for(lambda: fake_tg.texts(6001) == ["Họp chi hội sáng mai"])
    assert fake_tg.texts(6002) == ["Cảnh báo lừa đảo khẩn"]


async def test_a_row_waits_for_its_not_before(db, tg, fake_tg, start_deliverer, clock):
    await announce(db, 1, ["telegram:6101"], not_before=DAY + dt.timedelta(hours=1))
    deliverer = await start_deliverer([tg])
    await asyncio.sleep(0.3)
    assert fake_tg.texts(6101) == []
    clock.now = DAY + dt.timedelta(hours=1)
    deliverer.wake()
    await fake_tg.wait_for(lambda: fake_tg.texts(6101) == ["Thông báo"])


async def test_start_puts_back_rows_left_sending_and_fails_rows_without_a_channel(
    db, tg, fake_tg, start_deliverer
):
    people = ids(7000, 10)
    await announce(db, 1, [*people, "sim:someone"])
    async with db.sql(write=True) as conn:  # a crash left three claimed
        await conn.execute(
            "UPDATE outbox SET status = 'sending', claimed_at = '2026-11-23T02:59:00+00:00'"
            " WHERE id <= 3"
        )
    d = await start_deliverer([tg])
    assert await settled(db, 1) == {"pending": 0, "sending": 0, "sent": 10, "failed": 1,
                                    "blocked": 0}  # fmt: skip
    assert received(fake_tg) == Counter({7000 + i: 1 for i in range(10)})
    async with db.sql() as conn:
        no_channel = texts.DELIVERY_NO_CHANNEL.format(channel="Sim")
        assert await Store(conn).outbox.failures(1) == [(no_channel, 1)]
    await d.stop()
    assert await rows(db, "SELECT COUNT(*) FROM outbox WHERE claimed_at IS NOT NULL") == [(0,)]


async def test_stop_puts_unsent_rows_back_to_pending(db, tg, fake_tg, start_deliverer):
    await announce(db, 1, ids(7100, 10))
    d = await start_deliverer([tg], rate=4.0, grace=0.2)
    await fake_tg.wait_for(lambda: fake_tg.sent())
    await d.stop()
    async with db.sql() as conn:
        counts = await Store(conn).outbox.summary(1)
    assert counts["sending"] == 0
    assert counts["sent"] == len(fake_tg.sent()) and counts["pending"] == 10 - counts["sent"]
    assert counts["pending"] > 0


async def test_zalo_numbers_the_choices_and_honours_its_429(db, engine, fake_zalo, start_deliverer):
    zalo = ZaloChannel(engine, fake_zalo.token, base_url=fake_zalo.base_url, poll_timeout=1.0)
    await zalo.start()
    try:
        await announce(db, 1, ["zalo:z1", "zalo:z2"], "Mời bác họp",
                       buttons=[("ann:ack:1", "Đã đọc")])  # fmt: skip
        fake_zalo.fail("sendMessage", 429, retry_after=1)
        fake_zalo.block("z2")
        # Zalo's own pace (10/s): z2's slot comes after the 429 is back even on a busy machine
        # (at the 200/s test pace it could go out 5 ms after z1, before the 429 arrived).
        await start_deliverer([zalo], zalo_rate=10.0)
        assert (await settled(db, 1))["sent"] == 1
        [message] = fake_zalo.texts("z1")
        assert message.startswith("Mời bác họp") and "1. Đã đọc" in message
        sends = [c for c in fake_zalo.calls if c.method == "sendMessage"]
        assert sends[0].status == 429
        assert all(c.at - sends[0].at >= 0.95 for c in sends[1:])  # retry_after for both
        assert await engine.is_blocked("zalo:z2") is False  # no user row: nothing to mark
        assert await rows(db, "SELECT status FROM outbox WHERE identity = 'zalo:z2'") == [
            ("blocked",)
        ]
    finally:
        await zalo.stop()
