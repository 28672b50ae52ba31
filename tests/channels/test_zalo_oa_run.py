"""`python -m bot run` with the Zalo OA channel, as a real process against the fake OA server:
sign-up and a lesson pressing buttons, forged and replayed webhooks refused, unfollow, token
renewal while messages are in flight, and announcements with a picture and a PDF that wait for
followers outside the window and go out when they write again."""

from __future__ import annotations

import asyncio
import signal
import socket
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot import texts
from tests.channels.test_run_command import clean_env, start_bot, stop_bot, wait_line
from tests.channels.test_zalo_oa_channel import OaPerson, jpeg, oa_lesson, oa_sign_up
from tests.fakes.zalo_oa_api import FakeZaloOA
from tests.transcript import voiced

PATH = "/hooks/zalo-oa"


@pytest.fixture
async def fake_oa() -> AsyncIterator[FakeZaloOA]:
    async with FakeZaloOA() as fake:
        yield fake


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def oa_env(tmp_path: Path, fake: FakeZaloOA, **extra: str) -> tuple[dict[str, str], str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}{PATH}"
    env = clean_env(
        tmp_path,
        HOCSO_ZALO_OA_APP_ID=fake.app_id,
        HOCSO_ZALO_OA_SECRET=fake.oa_secret,
        HOCSO_ZALO_OA_APP_SECRET=fake.app_secret,
        HOCSO_ZALO_OA_ACCESS_TOKEN=fake.access_token,
        HOCSO_ZALO_OA_REFRESH_TOKEN=fake.refresh_token,
        HOCSO_ZALO_OA_TOKEN_KEY=Fernet.generate_key().decode(),
        HOCSO_ZALO_OA_WEBHOOK_URL=url,
        HOCSO_ZALO_OA_BASE_URL=fake.base_url,
        HOCSO_ZALO_OA_OAUTH_URL=fake.oauth_url,
        HOCSO_WEBHOOK_HOST="127.0.0.1",
        HOCSO_WEBHOOK_PORT=str(port),
        **extra,
    )
    return env, url


def query(tmp_path: Path, sql: str, *args) -> list[tuple]:
    """Read the running bot's database (WAL: readers do not disturb the writer)."""
    conn = sqlite3.connect(f"file:{tmp_path / 'run.db'}?mode=ro", uri=True, timeout=5)
    try:
        return [tuple(r) for r in conn.execute(sql, args)]
    finally:
        conn.close()


async def until(check, timeout: float = 10.0, every: float = 0.1):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = check()
        if value or asyncio.get_running_loop().time() > deadline:
            return value
        await asyncio.sleep(every)


async def test_oa_run_sign_up_lesson_webhooks_unfollow_and_token_renewal(tmp_path, fake_oa):
    env, url = oa_env(tmp_path, fake_oa)
    proc, lines = await start_bot(env)
    try:
        await wait_line(lines, "channel zalo_oa started (webhook", proc)
        assert fake_oa.renewals == 1  # tokens from the environment are renewed at once

        person = OaPerson(fake_oa, url, "e1", None)
        await oa_sign_up(person)
        assert await oa_lesson(person) >= 1

        # Forged, tampered and replayed requests are refused; the engine never sees them.
        event = fake_oa.text("e9", "/start")
        assert (await fake_oa.post_event(url, event, mac="mac=" + "f" * 64)).status_code == 403
        fake_oa.advance(-3600)  # signed an hour ago
        stale = fake_oa.text("e9", "/start")
        fake_oa.advance(3600)
        assert (await fake_oa.post_event(url, stale)).status_code == 403
        assert fake_oa.sent_to("e9") == []
        first = OaPerson(fake_oa, url, "e9", None)
        await first.post(event)
        n = len(fake_oa.sent_to("e9"))
        assert (await fake_oa.post_event(url, event)).status_code == 200  # replayed at once
        await asyncio.sleep(0.5)
        assert len(fake_oa.sent_to("e9")) == n

        # The access token expires while several people are writing: one renewal, no loss.
        people = [OaPerson(fake_oa, url, f"t{i}", None) for i in range(5)]
        await asyncio.gather(*(p.send("/start") for p in people))
        fake_oa.expire_tokens()
        fake_oa.renew_delay = 0.3
        replies = await asyncio.gather(*(p.send("/start") for p in people))
        assert all(replies)
        assert fake_oa.renewals == 2

        # Unfollow: the person is marked blocked, as a 403 does on Telegram.
        res = await fake_oa.post_event(url, fake_oa.unfollow("e1"))
        assert res.status_code == 200
        blocked = await until(
            lambda: query(tmp_path, "SELECT blocked FROM identities WHERE identity = ?",
                          "zalo_oa:e1") == [(1,)]
            or query(tmp_path, "SELECT blocked FROM users WHERE identity = ?", "zalo_oa:e1")
            == [(1,)]
        )  # fmt: skip
        assert blocked
        log = "\n".join(lines)
        for secret in (fake_oa.oa_secret, fake_oa.app_secret, fake_oa.access_token,
                       fake_oa.refresh_token, env["HOCSO_ZALO_OA_TOKEN_KEY"]):  # fmt: skip
            assert secret not in log
    finally:
        if proc.returncode is None:
            await stop_bot(proc, lines, signal.SIGTERM)


async def test_oa_run_announcements_with_a_picture_and_a_pdf_wait_for_the_window(tmp_path, fake_oa):
    # A window of 20 seconds stands for Zalo's 48 hours.
    env, url = oa_env(
        tmp_path,
        fake_oa,
        HOCSO_ADMIN_IDS="zalo_oa:boss",
        HOCSO_ZALO_OA_WINDOW_HOURS=str(20 / 3600),
        HOCSO_ZALO_OA_WAIT_RECHECK="2",
    )
    proc, lines = await start_bot(env)
    try:
        await wait_line(lines, "channel zalo_oa started (webhook", proc)
        members = [OaPerson(fake_oa, url, f"m{i}", None) for i in range(2)]
        for m in members:
            await oa_sign_up(m)
        admin = OaPerson(fake_oa, url, "boss", None)
        await oa_sign_up(admin)

        async def choose(label: str) -> None:
            if label in admin.buttons:
                await admin.press(label)
            else:
                await admin.send(admin.number_of(label))

        async def announce(text: str, event: dict) -> None:
            if texts.BTN_ST_ANNOUNCE not in FakeZaloOA.text_of(admin.last[-1]):
                await choose(texts.BTN_STAFF)
            await choose(texts.BTN_ST_ANNOUNCE)
            await choose("cả nước")
            await admin.send(text)
            assert voiced(texts.ST_ANN_FILE_ASK) in admin.said
            await admin.post(event, timeout=10)
            assert texts.ST_ANN_TOPIC in admin.said, admin.said
            await choose(texts.TOPICS["chuyen_doi_so"])
            await choose(texts.BTN_ST_AUD_ALL)
            await choose(texts.BTN_ST_URGENT)  # no quiet hours, whatever the time of the run
            await choose(texts.BTN_ST_SEND)

        await announce("Lớp học VNeID sáng thứ Bảy ạ.", fake_oa.image("boss", jpeg()))
        pdf = b"%PDF-1.4\n% ke hoach thang 12\n"
        await announce("Kế hoạch tháng 12 ạ.", fake_oa.document("boss", pdf, "Kế hoạch.pdf"))
        assert len(fake_oa.downloads) == 2

        # Queued at the next scheduler tick (30 s); the members wrote more than 20 s ago.
        waiting = await until(
            lambda: (
                query(
                    tmp_path,
                    "SELECT count(*) FROM outbox WHERE identity IN ('zalo_oa:m0', 'zalo_oa:m1')"
                    " AND status = 'pending' AND last_error = ?",
                    texts.DELIVERY_WAITING,
                )
                == [(4,)]
            ),
            timeout=60,
        )
        assert waiting, query(tmp_path, "SELECT identity, status, last_error FROM outbox")

        def media(user: str) -> list:
            return [m for c in fake_oa.sent_to(user) if "text" not in (m := c.params["message"])]

        assert media("m0") == []

        # m0 writes again: both announcements reach them, the picture and the PDF uploaded.
        await members[0].send("menu")
        await fake_oa.wait_for(
            lambda: len(media("m0")) == 2,
            timeout=15,
        )  # fmt: skip
        assert sorted(u.kind for u in fake_oa.uploads.values()) == ["file", "image"]
        assert (
            fake_oa.uploads[next(k for k in fake_oa.uploads if k.startswith("file-"))].data == pdf
        )
        sent_m0 = await until(
            lambda: (
                query(
                    tmp_path,
                    "SELECT count(*) FROM outbox WHERE identity = 'zalo_oa:m0' AND status = 'sent'",
                )
                == [(2,)]
            )
        )
        assert sent_m0
        # m1 has not written: still waiting, with a status staff can read
        assert (
            query(
                tmp_path,
                "SELECT status, last_error FROM outbox WHERE identity = 'zalo_oa:m1'",
            )
            == [("pending", texts.DELIVERY_WAITING)] * 2
        )
    finally:
        if proc.returncode is None:
            await stop_bot(proc, lines, signal.SIGINT)
