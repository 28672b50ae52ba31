"""`python -m bot run` with the Zalo OA channel: a review reminder that falls outside the person's
conversation window waits in the outbox ("Chờ người nhận nhắn lại") and goes out when they write
again; with the package-quota setting on, it goes at once and uses the OA's package quota."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from collections.abc import AsyncIterator

import pytest

from bot import texts
from tests.channels.test_run_command import start_bot, stop_bot, wait_line
from tests.channels.test_zalo_oa_channel import OaPerson, oa_lesson, oa_sign_up
from tests.channels.test_zalo_oa_run import oa_env, query, until
from tests.fakes.zalo_oa_api import FakeZaloOA

WINDOW = 3.0  # seconds standing for Zalo's 48 hours, at the bot and at the fake alike


@pytest.fixture
async def fake_oa() -> AsyncIterator[FakeZaloOA]:
    async with FakeZaloOA(window_hours=WINDOW / 3600, package_quota=0) as fake:
        yield fake


def reminder_texts(fake: FakeZaloOA, user: str) -> list[str]:
    head = texts.REMINDER.split("{")[0]  # "⏰ Chào "
    return [t for c in fake.sent_to(user) if (t := FakeZaloOA.text_of(c)).startswith(head)]


async def learner_with_a_review_due(fake: FakeZaloOA, url: str, tmp_path, user: str) -> None:
    """Sign up and take a lesson (review cards are made), then, as if days had passed: the
    cards are due and the reminder time (00:00) has come today."""
    person = OaPerson(fake, url, user, None)
    await oa_sign_up(person)
    assert await oa_lesson(person) >= 1
    conn = sqlite3.connect(tmp_path / "run.db", timeout=10)
    try:
        (uid,) = conn.execute(
            "SELECT id FROM users WHERE identity = ?", (f"zalo_oa:{user}",)
        ).fetchone()
        assert conn.execute(
            "SELECT count(*) FROM review_cards WHERE user_id = ?", (uid,)
        ).fetchone()[0]
        conn.execute(
            "UPDATE review_cards SET due = '2000-01-01T00:00:00+00:00' WHERE user_id = ?", (uid,)
        )
        conn.execute("UPDATE users SET reminder_time = '00:00' WHERE id = ?", (uid,))
        conn.commit()
    finally:
        conn.close()
    await asyncio.sleep(WINDOW + 0.5)  # the person's window closes


def outbox(tmp_path, user: str) -> list[tuple]:
    return query(
        tmp_path,
        "SELECT status, last_error, payload FROM outbox WHERE identity = ?",
        f"zalo_oa:{user}",
    )


async def test_oa_run_a_reminder_outside_the_window_waits_then_goes_when_they_write(
    tmp_path, fake_oa
):
    env, url = oa_env(
        tmp_path,
        fake_oa,
        HOCSO_ZALO_OA_WINDOW_HOURS=str(WINDOW / 3600),
        HOCSO_ZALO_OA_WAIT_RECHECK="2",
        HOCSO_QUIET_HOURS="off",  # a reminder is not urgent: whatever the time of the run
    )
    proc, lines = await start_bot(env)
    try:
        await wait_line(lines, "channel zalo_oa started (webhook", proc)
        await learner_with_a_review_due(fake_oa, url, tmp_path, "r1")

        # The next scheduler tick (every 30 s) makes the reminder; Zalo would refuse it now,
        # so it waits in the outbox with a status staff can read, and nothing is sent.
        waiting = await until(
            lambda: (
                outbox(tmp_path, "r1")
                and outbox(tmp_path, "r1")[0][:2] == ("pending", texts.DELIVERY_WAITING)
            ),
            timeout=45,
        )
        assert waiting, (outbox(tmp_path, "r1"), "\n".join(lines[-20:]))
        assert texts.DELIVERY_WAITING.lower().startswith("chờ người nhận nhắn lại")
        assert "⏰" in outbox(tmp_path, "r1")[0][2]  # the reminder itself waits there
        await asyncio.sleep(3)  # rechecked every 2 s: still waiting, still not sent
        assert reminder_texts(fake_oa, "r1") == []
        assert outbox(tmp_path, "r1")[0][:2] == ("pending", texts.DELIVERY_WAITING)

        # The person writes again: their window opens, the reminder goes, marked sent.
        person = OaPerson(fake_oa, url, "r1", None)
        await person.send("chào cháu")
        await fake_oa.wait_for(lambda: reminder_texts(fake_oa, "r1"), timeout=15)
        assert "câu ôn tập đang chờ bà" in reminder_texts(fake_oa, "r1")[0]
        sent = await until(lambda: [r[0] for r in outbox(tmp_path, "r1")] == ["sent"])
        assert sent, outbox(tmp_path, "r1")
        assert len(reminder_texts(fake_oa, "r1")) == 1  # once, not again at the next recheck
    finally:
        if proc.returncode is None:
            await stop_bot(proc, lines, signal.SIGTERM)


async def test_oa_run_with_the_package_quota_on_a_reminder_goes_at_once_and_uses_it(
    tmp_path, fake_oa
):
    env, url = oa_env(
        tmp_path,
        fake_oa,
        HOCSO_ZALO_OA_WINDOW_HOURS=str(WINDOW / 3600),
        HOCSO_ZALO_OA_WAIT_RECHECK="2",
        HOCSO_QUIET_HOURS="off",  # a reminder is not urgent: whatever the time of the run
        HOCSO_ZALO_OA_USE_PACKAGE_QUOTA="true",
    )
    proc, lines = await start_bot(env)
    try:
        await wait_line(lines, "channel zalo_oa started (webhook", proc)
        await learner_with_a_review_due(fake_oa, url, tmp_path, "q1")
        before = len(fake_oa.sent_to("q1"))
        fake_oa.package_quota = 3  # bought now (the follow's welcome found none)

        # Outside the window, without the person writing: sent from the package quota.
        await fake_oa.wait_for(lambda: reminder_texts(fake_oa, "q1"), timeout=45)
        assert fake_oa.package_quota == 2
        assert len(fake_oa.sent_to("q1")) == before + 1
        noted = await until(
            lambda: (
                query(
                    tmp_path,
                    "SELECT quota_type, remain FROM zalo_oa_window WHERE identity = 'zalo_oa:q1'",
                )
                == [("sub_quota", 2)]
            )
        )
        assert noted, query(tmp_path, "SELECT * FROM zalo_oa_window")
        # sent directly, so nothing waits in the outbox
        assert [r[0] for r in outbox(tmp_path, "q1")] in ([], ["sent"])
    finally:
        if proc.returncode is None:
            await stop_bot(proc, lines, signal.SIGTERM)
