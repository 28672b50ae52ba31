"""Report files are rendered after the turn's transaction commits, in the render worker: a
learner's reply is not delayed by a leader's report being rendered at the same time, nor by
the periodic reports of the 1st of the month."""

from __future__ import annotations

import asyncio
import statistics
import threading
import time

from bot import texts
from bot.core import reporting
from tests.reports.test_chat import grant
from tests.transcript import sign_up


def slow_rendering(monkeypatch, seconds: float = 1.0) -> threading.Event:
    """Rendering takes at least `seconds` (as a province's chart, Excel and Word do on a slow
    server) and burns CPU meanwhile; returns an event set when a render starts."""
    started = threading.Event()
    real = reporting._render_all

    def render_all(r, paths):
        started.set()
        t0 = time.perf_counter()
        real(r, paths)
        while time.perf_counter() - t0 < seconds:  # busy, like rendering, not sleeping
            sum(range(10_000))

    monkeypatch.setattr(reporting, "_render_all", render_all)
    return started


async def timed(coro) -> tuple[list[dict], float]:
    t0 = time.perf_counter()
    replies = await coro
    return replies, time.perf_counter() - t0


async def learner_while_rendering(sim, started: threading.Event, rendering) -> list[float]:
    """The learner's reply times while `rendering` (a task) is being rendered."""
    for _ in range(200):  # until the render worker has begun (bounded)
        if started.is_set():
            break
        await asyncio.sleep(0.01)
    assert started.is_set() and not rendering.done()
    times = []
    while not rendering.done() and len(times) < 20:
        _, t = await timed(sim.text("lan", "tiến độ"))
        times.append(t)
    assert not rendering.done() or len(times) >= 3  # the learner's turns overlapped the render
    return times


async def test_a_learner_is_answered_while_a_report_is_rendered(sim, monkeypatch):
    await sign_up(sim, "leader", name="Tâm")
    await sign_up(sim, "lan", name="Lan")
    await grant(sim, "leader", "leader", "commune:5800")
    await sim.text("leader", "menu")
    baseline = [(await timed(sim.text("lan", "tiến độ")))[1] for _ in range(10)]

    started = slow_rendering(monkeypatch, 1.0)
    report = asyncio.create_task(timed(sim.press("leader", texts.BTN_REPORT)))
    during = await learner_while_rendering(sim, started, report)
    replies, report_time = await report
    assert replies[0]["text"].startswith("📊 Xã Phú Thịnh")
    assert {f["kind"] for f in replies[0]["files"]} == {"image", "document"}

    print(
        f"\nreport turn {report_time * 1000:.0f} ms; learner replies meanwhile: median"
        f" {statistics.median(during) * 1000:.1f} ms, max {max(during) * 1000:.1f} ms"
        f" ({len(during)} turns; alone: median {statistics.median(baseline) * 1000:.1f} ms)"
    )
    assert report_time >= 1.0
    assert max(during) < 0.5 and statistics.median(during) < 0.25


async def test_periodic_reports_are_rendered_outside_the_transaction(sim, monkeypatch):
    await sign_up(sim, "leader", name="Tâm")
    await sign_up(sim, "lan", name="Lan")
    await grant(sim, "leader", "leader", "commune:5800")
    await sim.press("leader", texts.BTN_REPORT)
    await sim.press("leader", texts.RP_BTN_SUBSCRIBE)
    await sim.press("leader", texts.RP_BTN_MONTHLY)
    sim.clock.advance(40 * 86400)  # past the 1st at 08:00

    started = slow_rendering(monkeypatch, 1.0)
    due = asyncio.create_task(timed(sim.engine.run_due()))
    during = await learner_while_rendering(sim, started, due)
    _, due_time = await due
    print(
        f"\nperiodic report {due_time * 1000:.0f} ms; learner replies meanwhile: max"
        f" {max(during) * 1000:.1f} ms ({len(during)} turns)"
    )
    assert max(during) < 0.5
    rows = await sim.engine.db.conn.execute_fetchall("SELECT payload FROM outbox")
    assert len(rows) == 1 and ".docx" in rows[0][0]
    await sim.engine.run_due()  # the next run: not queued twice
    rows = await sim.engine.db.conn.execute_fetchall("SELECT COUNT(*) FROM outbox")
    assert rows[0][0] == 1
