"""`python -m bot run` as a real process against the fake servers: it answers /start within a
second, a person signs up and finishes a lesson, and SIGTERM/SIGINT stop it cleanly."""

from __future__ import annotations

import asyncio
import signal
import sys
import time

from tests.channels.conftest import (
    TelegramPerson,
    ZaloPerson,
    tg_lesson,
    tg_sign_up,
    zalo_lesson,
    zalo_sign_up,
)
from tests.channels.run_helpers import ROOT, clean_env, start_bot, stop_bot, wait_line
from tests.fakes.base import Call


async def test_telegram_run_answers_start_within_a_second_and_teaches(tmp_path, fake_tg):
    env = clean_env(
        tmp_path, HOCSO_TELEGRAM_TOKEN="123:TEST", HOCSO_TELEGRAM_BASE_URL=fake_tg.base_url
    )
    proc, lines = await start_bot(env)
    try:
        await wait_line(lines, "channel telegram started (polling, bot hocso_test_bot)", proc)
        assert sum("channel " in line and " started" in line for line in lines) == 1
        uid = fake_tg.inject(fake_tg.command(6001, "start"))
        first: Call = (await fake_tg.wait_for(lambda: fake_tg.sent(6001), timeout=1.0))[0]
        assert first.at - fake_tg.injected_at[uid] < 1.0
        await fake_tg.wait_for(lambda: fake_tg.turn_ends(6001), timeout=2)
        assert "đồng ý không" in fake_tg.texts(6001)[-1]

        person = TelegramPerson(fake_tg, 6002)
        await tg_sign_up(person)
        answers, _ = await tg_lesson(person)
        assert answers >= 1
        assert "123:TEST" not in "\n".join(lines)  # the token never reaches the log
    finally:
        if proc.returncode is None:
            await stop_bot(proc, lines, signal.SIGTERM)


async def test_zalo_run_signs_up_and_teaches_then_stops_on_sigint(tmp_path, fake_zalo):
    env = clean_env(
        tmp_path, HOCSO_ZALO_BOT_TOKEN=fake_zalo.token, HOCSO_ZALO_BASE_URL=fake_zalo.base_url
    )
    proc, lines = await start_bot(env)
    try:
        await wait_line(lines, "channel zalo started (polling", proc)
        fake_zalo.inject(fake_zalo.text("zr1", "/start"))
        t0 = time.monotonic()
        await fake_zalo.wait_for(lambda: fake_zalo.sent("zr1"), timeout=1.0)
        assert time.monotonic() - t0 < 1.0

        person = ZaloPerson(fake_zalo, None, "zr2")
        await zalo_sign_up(person)
        assert await zalo_lesson(person) >= 1
    finally:
        if proc.returncode is None:
            await stop_bot(proc, lines, signal.SIGINT)


async def test_run_without_a_channel_says_what_to_set(tmp_path):
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT, env=clean_env(tmp_path),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode != 0
    assert "HOCSO_TELEGRAM_TOKEN" in err.decode() and "HOCSO_ZALO_BOT_TOKEN" in err.decode()
