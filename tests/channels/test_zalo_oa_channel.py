"""The Zalo OA channel in process: the real engine and database, the fake OA server, signed
webhooks through the real HTTP server, the outbox worker for what waits for the window."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import logging
import os
from collections.abc import AsyncIterator

import pytest
from cryptography.fernet import Fernet
from PIL import Image

from bot import texts
from bot.channels import zalo_oa
from bot.channels.webserver import HttpServer
from bot.channels.zalo_oa import ZaloOaChannel
from bot.config import Settings
from bot.core.engine import Engine
from bot.core.events import Button, Reply
from bot.core.staff import queue_due_announcements
from bot.delivery import Deliverer
from storage.outbox import OutboxItem
from storage.zalo_oa import Window
from tests.fakes.base import Call
from tests.fakes.zalo_oa_api import FakeZaloOA

KEY = Fernet.generate_key().decode()
PATH = "/zalo-oa/hook"


@pytest.fixture
async def fake_oa() -> AsyncIterator[FakeZaloOA]:
    async with FakeZaloOA() as fake:
        yield fake


def oa_channel(engine: Engine, fake: FakeZaloOA, url: str, **kw) -> ZaloOaChannel:
    kw.setdefault("access_token", fake.access_token)
    kw.setdefault("refresh_token", fake.refresh_token)
    return ZaloOaChannel(
        engine,
        app_id=fake.app_id,
        oa_secret=fake.oa_secret,
        app_secret=fake.app_secret,
        token_key=KEY,
        webhook_url=url,
        base_url=fake.base_url,
        oauth_url=fake.oauth_url,
        wall_ms=lambda: fake.now() * 1000,
        **kw,
    )


class Hooked:
    """A started channel behind a real webhook server."""

    def __init__(self, channel: ZaloOaChannel, web: HttpServer):
        self.channel = channel
        self.web = web

    @property
    def url(self) -> str:
        return self.web.url + PATH


@pytest.fixture
async def oa(engine, fake_oa) -> AsyncIterator[Hooked]:
    async with hooked(engine, fake_oa) as h:
        yield h


class hooked:
    def __init__(self, engine: Engine, fake: FakeZaloOA, **kw):
        self.engine, self.fake, self.kw = engine, fake, kw

    async def __aenter__(self) -> Hooked:
        at_daytime(self.fake)
        self.engine.clock = lambda: dt.datetime.fromtimestamp(self.fake.now(), dt.UTC)
        self.web = HttpServer({}, port=0)
        await self.web.start()
        channel = oa_channel(self.engine, self.fake, self.web.url + PATH, **self.kw)
        self.web.routes[PATH] = channel.handle_webhook
        await channel.start()
        return Hooked(channel, self.web)

    async def __aexit__(self, *exc) -> None:
        await self.web.stop()
        await self.channel_stop()

    async def channel_stop(self) -> None:
        handler = self.web.routes.get(PATH)
        if handler is not None:
            await handler.__self__.stop()


def at_daytime(fake: FakeZaloOA) -> None:
    """Move the fake's (and so the bot's) clock to 10:00 in Vietnam: no quiet hours."""
    now = dt.datetime.now(dt.UTC)
    target = now.replace(hour=3, minute=0, second=0, microsecond=0)  # 10:00 UTC+7
    fake.offset = (target - now).total_seconds()


class OaPerson:
    """A follower writing to the OA and pressing its buttons."""

    QUIET = 0.15

    def __init__(self, fake: FakeZaloOA, url: str, user: str, channel: ZaloOaChannel | None):
        self.fake, self.url, self.user, self.channel = fake, url, user, channel
        self.last: list[Call] = []

    async def post(self, event: dict, timeout: float = 5.0) -> list[Call]:
        start = len(self.fake.calls)
        res = await self.fake.post_event(self.url, event)
        assert res.status_code == 200, res.text
        return await self.wait(start, timeout)

    async def wait(self, start: int, timeout: float = 5.0) -> list[Call]:
        def mine() -> list[Call]:
            return [c for c in self.fake.sent_to(self.user) if c.index >= start]

        await self.fake.wait_for(
            lambda: mine() and (self.channel is None or not self.channel.turns.busy(self.user)),
            timeout,
        )
        while True:  # the bot in another process: wait until it has gone quiet
            n = len(mine())
            await asyncio.sleep(self.QUIET if self.channel is None else 0.02)
            if len(mine()) == n:
                break
        self.last = mine()
        return self.last

    async def send(self, text: str) -> list[Call]:
        return await self.post(self.fake.text(self.user, text))

    async def press(self, label: str) -> list[Call]:
        assert label in self.buttons, (label, self.buttons)
        return await self.send(label)  # oa.query.show sends the label back as text

    @property
    def buttons(self) -> list[str]:
        for call in reversed(self.last):
            if found := FakeZaloOA.buttons_of(call):
                return found
        return []

    @property
    def said(self) -> str:
        return "\n\n".join(FakeZaloOA.text_of(c) for c in self.last)

    def number_of(self, label: str) -> str:
        text = FakeZaloOA.text_of(self.last[-1])
        for line in text.splitlines():
            n, _, rest = line.partition(". ")
            if n.isdigit() and rest.strip() == label:
                return n
        raise AssertionError(f"{label!r} not listed in {text!r}")


async def oa_sign_up(person: OaPerson, by_number: bool = False) -> None:
    """Follow, then write: Zalo lets the OA answer a message freely, not a follow (with no
    package quota the welcome waits for the first message, which gets it)."""
    res = await person.fake.post_event(person.url, person.fake.follow(person.user))
    assert res.status_code == 200
    await person.send("Xin chào")
    assert "đồng ý không" in person.said, person.said

    async def choose(label: str) -> None:
        if by_number:
            await person.send(person.number_of(label))
        else:
            await person.press(label)

    await choose(texts.BTN_AGREE)
    await choose("Bà")
    await person.send("Lan")
    await person.send("1955")
    await person.send("thai nguyen")
    await person.send("1")
    await person.send("phu thinh")
    await person.send("1")
    await person.send("không cần nhắc")
    await choose(texts.BTN_SKIP)
    assert "Đăng ký xong" in person.said, person.said


async def oa_lesson(person: OaPerson) -> int:
    """The suggested lesson to its end, pressing buttons; the number of answers given."""
    await person.press(texts.BTN_LEARN)
    await person.press(
        texts.BTN_RESUME if texts.BTN_RESUME in person.buttons else texts.BTN_START_LESSON
    )
    answers = 0
    for _ in range(40):
        if "Xong bài" in person.said:
            return answers
        if FakeZaloOA.text_of(person.last[-1]).startswith("❓"):
            await person.press(person.buttons[0])
            answers += 1
        else:
            await person.press(texts.BTN_NEXT)
    raise AssertionError(f"lesson did not end: {person.said}")


def jpeg(size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 120, 200)).save(out, "JPEG")
    return out.getvalue()


async def rows(db, sql: str, *args) -> list[tuple]:
    async with db.sql() as conn, conn.execute(sql, args) as cur:
        return [tuple(r) async for r in cur]


# --- tests ---


async def test_follow_then_sign_up_and_a_lesson_by_buttons_all_free_replies(oa, fake_oa, db):
    person = OaPerson(fake_oa, oa.url, "u1", oa.channel)
    await oa_sign_up(person)
    assert await oa_lesson(person) >= 1
    # every answer named the person's message it answered: Zalo counts it as a free reply
    sent = fake_oa.sent_to("u1")
    named = {c.params["recipient"].get("message_id") for c in sent}
    assert None not in named and named <= fake_oa.person("u1").msg_ids
    assert fake_oa.person("u1").proactive == 0
    (last,) = await rows(db, "SELECT last_msg_id FROM zalo_oa_window")
    assert last[0] == sent[-1].params["recipient"]["message_id"]
    # choices are both numbered in the text and buttons; the hint says both work
    assert any(texts.ZALO_OA_CHOOSE_HINT in fake_oa.text_of(c) for c in fake_oa.sent_to("u1"))
    # the window was tracked from what Zalo answered
    (window,) = await rows(db, "SELECT quota_type, sent_since FROM zalo_oa_window")
    assert window[0] == "reply"
    # tokens are at rest encrypted, never in clear
    (stored,) = await rows(db, "SELECT access_enc, refresh_enc FROM zalo_oa_tokens")
    assert fake_oa.access_token not in "".join(stored)
    assert fake_oa.refresh_token not in "".join(stored)


async def test_typed_numbers_still_work(oa, fake_oa):
    person = OaPerson(fake_oa, oa.url, "u2", oa.channel)
    await oa_sign_up(person, by_number=True)


async def test_forged_stale_oversized_and_malformed_webhooks_never_reach_the_engine(
    oa, fake_oa, db
):
    event = fake_oa.text("u3", "xin chào")
    raw = json.dumps(event).encode()
    bad_mac = "mac=" + "0" * 64
    assert (await fake_oa.post_event(oa.url, event, mac=bad_mac)).status_code == 403
    assert (await fake_oa.post_event(oa.url, event, mac="")).status_code == 403
    # signed with another secret
    other = FakeZaloOA.sign.__get__(type("X", (), {"app_id": fake_oa.app_id, "oa_secret": "x"})())
    assert (
        await fake_oa.post_event(oa.url, event, mac=other(raw, event["timestamp"]))
    ).status_code == 403
    # the body changed after signing
    tampered = raw.replace(b"xin ch", b"XIN CH")
    mac = fake_oa.sign(raw, event["timestamp"])
    assert (await fake_oa.post_event(oa.url, event, mac=mac, body=tampered)).status_code == 403
    # signed long ago: a captured request replayed later
    old = fake_oa.text("u3", "cũ")
    fake_oa.advance(3600)
    assert (await fake_oa.post_event(oa.url, old)).status_code == 403
    # oversized and malformed
    big = dict(event, message={"msg_id": "m-big", "text": "a" * 70_000})
    assert (await fake_oa.post_event(oa.url, big)).status_code == 413
    junk = b"{not json"
    assert (
        await fake_oa.post_event(oa.url, event, body=junk, mac=fake_oa.sign(junk, "1"))
    ).status_code == 400
    assert await rows(db, "SELECT count(*) FROM inbox") == [(0,)]
    assert fake_oa.sent_to("u3") == []

    # The real one goes through; the same event delivered again is answered once.
    fresh = fake_oa.text("u3", "/start")
    person = OaPerson(fake_oa, oa.url, "u3", oa.channel)
    await person.post(fresh)
    n = len(fake_oa.sent_to("u3"))
    assert (await fake_oa.post_event(oa.url, fresh)).status_code == 200
    await asyncio.sleep(0.3)
    assert len(fake_oa.sent_to("u3")) == n
    assert await rows(db, "SELECT count(*) FROM inbox") == [(1,)]


async def test_unfollow_marks_blocked_and_follow_again_unblocks(oa, fake_oa, engine, db):
    person = OaPerson(fake_oa, oa.url, "u4", oa.channel)
    await oa_sign_up(person)
    res = await fake_oa.post_event(oa.url, fake_oa.unfollow("u4"))
    assert res.status_code == 200
    for _ in range(100):
        if await engine.is_blocked("zalo_oa:u4"):
            break
        await asyncio.sleep(0.02)
    assert await engine.is_blocked("zalo_oa:u4")
    res = await fake_oa.post_event(oa.url, fake_oa.follow("u4"))
    assert res.status_code == 200
    for _ in range(100):
        if not await engine.is_blocked("zalo_oa:u4"):
            break
        await asyncio.sleep(0.02)
    assert not await engine.is_blocked("zalo_oa:u4")


async def test_tokens_renew_once_when_expired_while_many_people_write(oa, fake_oa):
    people = [OaPerson(fake_oa, oa.url, f"r{i}", oa.channel) for i in range(6)]
    await asyncio.gather(*(p.send("/start") for p in people))
    before = fake_oa.renewals
    fake_oa.expire_tokens()
    fake_oa.renew_delay = 0.2  # renewal is slow: every sender meets it in flight
    got = await asyncio.gather(*(p.send("/start") for p in people))
    assert all(got)
    assert fake_oa.renewals == before + 1  # one renewal for all, and the new refresh token kept
    assert fake_oa.refused_tokens >= 1


async def test_renewal_is_shared_between_two_workers_through_the_database(
    engine, fake_oa, tmp_path
):
    async with hooked(engine, fake_oa) as a:
        # a second worker on the same database, with the tokens already stored
        b = oa_channel(engine, fake_oa, a.url, access_token=None, refresh_token=None)
        await b.tokens.load(None, None)
        fake_oa.expire_tokens()
        fake_oa.renew_delay = 0.3
        g = a.channel.tokens.generation
        await asyncio.gather(a.channel.tokens.renew(g), b.tokens.renew(g))
        assert fake_oa.renewals == 2  # the one at start, then one for both workers
        assert a.channel.tokens.generation == b.tokens.generation == g + 1
        await b.client.aclose()


async def test_a_slow_renewal_keeps_its_lease_so_no_second_worker_spends_the_refresh_token(
    engine, fake_oa, monkeypatch
):
    """Zalo answers a renewal after longer than the lease: the renewing worker keeps its lease
    while it waits, so the second worker waits for its result instead of renewing beside it
    with the same refresh token (which works once: Zalo would refuse one of them)."""
    monkeypatch.setattr(zalo_oa, "RENEW_LEASE", dt.timedelta(seconds=2))  # times are in seconds
    async with hooked(engine, fake_oa) as a:
        b = oa_channel(engine, fake_oa, a.url, access_token=None, refresh_token=None)
        await b.tokens.load(None, None)
        before = fake_oa.renewals
        fake_oa.expire_tokens()
        fake_oa.renew_delay = 3.0  # longer than the lease
        g = a.channel.tokens.generation
        first = asyncio.create_task(a.channel.tokens.renew(g))
        await asyncio.sleep(2.3)  # a lease not kept would have run out by now
        await asyncio.gather(first, b.tokens.renew(g))
        assert fake_oa.renewals == before + 1
        assert a.channel.tokens.generation == b.tokens.generation == g + 1
        await b.client.aclose()


async def test_a_worker_sees_a_window_another_worker_opened(engine, fake_oa):
    """Several workers: the person wrote through worker B; worker A, which last saw them long
    ago, must not hold A's unprompted message back on its own stale memory of the window
    (it would wait for the next recheck, an hour by default, with the window open)."""
    async with hooked(engine, fake_oa) as a:
        b = oa_channel(engine, fake_oa, a.url, access_token=None, refresh_token=None)
        await b.tokens.load(None, None)
        a.channel.role = b.role = "worker"  # as App sets it under `--role worker`
        who = "zalo_oa:w1"
        long_ago = engine.clock() - 2 * a.channel.window
        a.channel._windows[who] = Window(who, long_ago, 0, None, None)  # A's memory
        with pytest.raises(zalo_oa.OutsideWindow):
            await a.channel.gate(who)
        b._note_wrote(who, "msg-1")  # the person writes; B handles it
        async with engine.db.transaction():
            pass  # B's notes are written with its next transaction
        await a.channel.gate(who)  # open: A reads the window, not its memory
        assert a.channel._recipient("w1") == {"user_id": "w1", "message_id": "msg-1"}
        await b.client.aclose()


async def test_the_answer_to_an_erasure_leaves_no_window_naming_the_person(oa, fake_oa, db):
    """«Xóa hết» erases the follower, window included; the bot's answer to it is sent after,
    and its note (written behind, with a later transaction) must not bring the row back."""
    person = OaPerson(fake_oa, oa.url, "e1", oa.channel)
    await oa_sign_up(person)
    await person.send("giúp")
    await person.press(texts.BTN_DELETE_ME)
    await person.press(texts.BTN_DELETE_YES)
    async with db.transaction() as s:  # the notes of what was sent are written now
        assert await s.zalo_oa.window("zalo_oa:e1") is None
    await person.send("Xin chào")  # writing again later, as a stranger: a window again
    async with db.reading() as s:
        assert (await s.zalo_oa.window("zalo_oa:e1")).last_user_at is not None


async def test_a_reminder_outside_the_window_waits_in_the_outbox_until_the_person_writes(
    engine, fake_oa, db
):
    async with hooked(engine, fake_oa, window_hours=1.0) as h:
        person = OaPerson(fake_oa, h.url, "u5", h.channel)
        await oa_sign_up(person)
        deliverer = Deliverer(db, engine, [h.channel], Settings(), clock=engine.clock,
                              idle_poll=0.05)  # fmt: skip
        await deliverer.start()
        try:
            # Two hours later (the bot's window setting is one hour) a reminder is due.
            fake_oa.advance(7200)
            start = len(fake_oa.calls)
            reminder = Reply("zalo_oa:u5", "Đến giờ ôn bài rồi ạ.", [Button("review", "Ôn tập")])
            h.channel.push([reminder])
            for _ in range(100):
                got = await rows(db, "SELECT status, last_error FROM outbox")
                if got and got[0][1]:
                    break
                await asyncio.sleep(0.05)
            assert got == [("pending", texts.DELIVERY_WAITING)]
            assert [c for c in fake_oa.sent_to("u5") if c.index >= start] == []

            # The person writes: the reminder goes out at once, after their own answer.
            await person.send("menu")
            await fake_oa.wait_for(
                lambda: any("ôn bài" in fake_oa.text_of(c) for c in fake_oa.sent_to("u5"))
            )
            for _ in range(100):
                if (await rows(db, "SELECT status FROM outbox")) == [("sent",)]:
                    break
                await asyncio.sleep(0.05)
            assert await rows(db, "SELECT status FROM outbox") == [("sent",)]
        finally:
            await deliverer.stop()


async def test_an_announcement_with_a_picture_and_a_pdf_reaches_followers(
    oa, fake_oa, engine, db, tmp_path
):
    person = OaPerson(fake_oa, oa.url, "u6", oa.channel)
    await oa_sign_up(person)
    picture = tmp_path / "lop-hoc.jpg"
    picture.write_bytes(jpeg())
    big = tmp_path / "to.png"  # over 1 MB: made smaller before upload
    Image.frombytes("RGB", (900, 900), os.urandom(900 * 900 * 3)).save(big)
    assert big.stat().st_size > 1_000_000
    pdf = tmp_path / "ke-hoach.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% ke hoach\n")
    xlsx = tmp_path / "bang.xlsx"
    xlsx.write_bytes(b"PK\x03\x04")
    items = [
        OutboxItem("zalo_oa:u6", "Lớp học VNeID sáng thứ Bảy.", files=[("image", str(picture))]),
        OutboxItem("zalo_oa:u6", "Ảnh lớn.", files=[("image", str(big))]),
        OutboxItem("zalo_oa:u6", "Kế hoạch tháng 12.", files=[("document", str(pdf))]),
        OutboxItem("zalo_oa:u6", "Bảng điểm.", files=[("document", str(xlsx))]),
    ]
    async with db.transaction() as store:
        await store.outbox.enqueue(items)
    deliverer = Deliverer(db, engine, [oa.channel], Settings(), clock=engine.clock, idle_poll=0.05)
    await deliverer.start()

    async def statuses(expected: list[tuple]) -> list[tuple]:
        for _ in range(200):
            got = await rows(db, "SELECT status, last_error FROM outbox ORDER BY id")
            if got == expected:
                break
            await asyncio.sleep(0.05)
        return got

    try:
        # Eight free messages after the person's last one: the fourth announcement waits.
        sent = ("sent", None)
        waiting = ("pending", texts.DELIVERY_WAITING)
        assert await statuses([sent, sent, sent, waiting]) == [sent, sent, sent, waiting]
        await person.send("menu")
        assert await statuses([sent, sent, sent, ("sent", texts.DELIVERY_WAITING)])
    finally:
        await deliverer.stop()
    assert await rows(db, "SELECT DISTINCT status FROM outbox") == [("sent",)]
    kinds = sorted(u.kind for u in fake_oa.uploads.values())
    assert kinds == ["file", "image", "image"]  # the Excel file cannot go to OA: words only
    sent = [c.params["message"] for c in fake_oa.sent_to("u6")]
    media = [m for m in sent if "attachment" in m and "text" not in m]
    assert len(media) == 3
    assert any(m["attachment"]["type"] == "file" for m in media)
    assert any("Bảng điểm" in m.get("text", "") for m in sent)


def test_settings_are_checked_before_the_start():
    from bot.app import check

    base = {"zalo_oa_app_id": "1"}
    missing = check(Settings(_env_file=None, **base))
    assert len(missing) == 1 and "HOCSO_ZALO_OA_SECRET" in missing[0]
    full = dict(
        base,
        zalo_oa_secret="s",
        zalo_oa_refresh_token="RT-very-secret",
        zalo_oa_webhook_url="https://x.vn/oa",
        zalo_oa_token_key="not a key",
    )
    assert check(Settings(_env_file=None, **full)) == [texts.CLI_ZALO_OA_BAD_KEY]
    good = dict(full, zalo_oa_token_key=KEY)
    assert check(Settings(_env_file=None, **good)) == []
    same = dict(good, telegram_token="1:x", telegram_webhook_url="https://x.vn/oa",
                telegram_webhook_secret="s" * 12)  # fmt: skip
    assert check(Settings(_env_file=None, **same)) == [
        texts.CLI_WEBHOOK_SAME_PATH.format(path="/oa")
    ]
    assert "zalo_oa" in Settings(_env_file=None, **good).channels_configured()
    assert "RT-very-secret" not in repr(Settings(_env_file=None, **good))


async def test_erasure_removes_the_window_row(oa, fake_oa, db):
    person = OaPerson(fake_oa, oa.url, "u7", oa.channel)
    await oa_sign_up(person)
    await person.send("tiếp")
    assert await rows(db, "SELECT identity FROM zalo_oa_window") == [("zalo_oa:u7",)]
    async with db.transaction() as store:
        user = await store.users.by_identity("zalo_oa:u7")
        await store.privacy.erase(user.id, [], dt.datetime.now(dt.UTC))
    assert await rows(db, "SELECT identity FROM zalo_oa_window") == []


async def test_a_restart_keeps_the_renewed_tokens_and_new_ones_from_the_environment_win(
    engine, fake_oa
):
    first = (fake_oa.access_token, fake_oa.refresh_token)
    async with hooked(engine, fake_oa):
        assert fake_oa.renewals == 1  # the environment's refresh token is now used up
    # The same (stale) tokens in the environment: the stored, renewed ones are used.
    async with hooked(engine, fake_oa, access_token=first[0], refresh_token=first[1]):
        assert fake_oa.renewals == 1
    # The OA was authorised again: new tokens in the environment replace the stored ones.
    fresh = fake_oa._issue()
    async with hooked(engine, fake_oa, access_token=fresh[0], refresh_token=fresh[1]) as h:
        assert fake_oa.renewals == 2
        assert h.channel.tokens.generation >= 3


async def settle(db, timeout: float = 15.0) -> list[tuple]:
    for _ in range(int(timeout / 0.05)):
        got = await rows(db, "SELECT status, last_error FROM outbox ORDER BY id")
        if (
            got
            and all(s != "sending" for s, _ in got)
            and not any(s == "pending" and e is None for s, e in got)
        ):
            return got
        await asyncio.sleep(0.05)
    return got


async def test_the_package_quota_is_used_only_if_allowed_then_rows_wait_for_the_person(
    engine, fake_oa, db
):
    fake_oa.package_quota = 2
    async with hooked(engine, fake_oa, use_package_quota=True) as h:
        person = OaPerson(fake_oa, h.url, "q1", h.channel)
        await oa_sign_up(person)
        async with db.transaction() as store:
            await store.outbox.enqueue(
                [OutboxItem("zalo_oa:q1", f"Tin số {n}.") for n in range(12)]
            )
        deliverer = Deliverer(db, engine, [h.channel], Settings(), clock=engine.clock,
                              idle_poll=0.05)  # fmt: skip
        await deliverer.start()
        try:
            got = await settle(db)
        finally:
            await deliverer.stop()
    sent = [r for r in got if r[0] == "sent"]
    waiting = [r for r in got if r[0] == "pending"]
    assert fake_oa.package_quota == 0  # both package messages were used
    assert len(sent) + len(waiting) == 12 and waiting
    assert set(waiting) == {("pending", texts.DELIVERY_NO_QUOTA)}
    (window,) = await rows(db, "SELECT remain FROM zalo_oa_window")
    assert window == (0,)


async def test_the_oa_rate_limit_pauses_bulk_sending_and_nothing_is_lost(engine, fake_oa, db):
    fake_oa.window_messages = 100
    async with hooked(engine, fake_oa, window_messages=100) as h:
        people = [OaPerson(fake_oa, h.url, f"p{i}", h.channel) for i in range(12)]
        await asyncio.gather(*(p.send("/start") for p in people))
        fake_oa.rate_limit = 4
        async with db.transaction() as store:
            await store.outbox.enqueue(
                [OutboxItem(f"zalo_oa:p{i}", "Họp chi hội sáng mai ạ.") for i in range(12)]
            )
        settings = Settings(_env_file=None, zalo_oa_bulk_rate=50)
        deliverer = Deliverer(db, engine, [h.channel], settings, clock=engine.clock,
                              idle_poll=0.05)  # fmt: skip
        await deliverer.start()
        try:
            got = await settle(db, 20)
        finally:
            await deliverer.stop()
    assert got == [("sent", None)] * 12
    assert any(c.status == -32 for c in fake_oa.calls)  # it did meet the limit
    for i in range(12):
        assert sum("Họp chi hội" in fake_oa.text_of(c) for c in fake_oa.sent_to(f"p{i}")) == 1


async def test_a_reaction_on_an_announcement_counts_as_read(oa, fake_oa, engine, db):
    """Zalo OA sends «user_reacted_message» with the OA message's msg_id: the id kept when the
    announcement went out leads to it; acknowledged once, a reaction taken back changes nothing."""
    person = OaPerson(fake_oa, oa.url, "u9", oa.channel)
    await oa_sign_up(person)
    now = engine.clock()
    async with db.transaction() as s:
        sender = (await s.users.create("zalo_oa:staff", "given", now)).id
        ann = await s.staff.create_announcement(
            sender, "commune:5800", "chuyen_doi_so", "Họp chi hội sáng mai", None, now, False,
            now,
        )  # fmt: skip
        await queue_due_announcements(s, now)
    deliverer = Deliverer(db, engine, [oa.channel], Settings(), clock=engine.clock, idle_poll=0.05)
    await deliverer.start()
    try:
        for _ in range(200):
            kept = await rows(db, "SELECT message_id FROM outbox_messages WHERE identity = ?",
                              "zalo_oa:u9")  # fmt: skip
            if kept:
                break
            await asyncio.sleep(0.05)
    finally:
        await deliverer.stop()
    assert len(kept) == 1
    message_id = kept[0][0]
    sent = [c for c in fake_oa.sent_to("u9") if "Họp chi hội" in FakeZaloOA.text_of(c)]
    assert len(sent) == 1

    async def acks() -> list[tuple]:
        return await rows(
            db, "SELECT user_id FROM announcement_acks WHERE announcement_id = ?", ann
        )

    # A reaction on some other message: nothing recorded, nothing said.
    res = await fake_oa.post_event(oa.url, fake_oa.reaction("u9", "oamsg-other"))
    assert res.status_code == 200
    await asyncio.sleep(0.3)
    assert await acks() == []
    replies = await person.post(fake_oa.reaction("u9", message_id, "/-heart"))
    said = [FakeZaloOA.text_of(c) for c in replies]
    assert len(said) == 1 and said[0].startswith(texts.ACK_THANKS.format(ong_ba="bà", Ong_ba="Bà"))
    assert len(await acks()) == 1
    before = len(fake_oa.sent_to("u9"))
    await fake_oa.post_event(oa.url, fake_oa.reaction("u9", message_id, "/-strong"))
    await fake_oa.post_event(oa.url, fake_oa.reaction("u9", message_id, "/-remove"))
    await asyncio.sleep(0.3)
    assert len(await acks()) == 1 and len(fake_oa.sent_to("u9")) == before  # once, thanked once
    stored = await rows(db, "SELECT COUNT(*) FROM inbox WHERE chat = 'zalo_oa:u9'")
    assert stored[0][0] >= 4  # every reaction went through the inbox


async def test_a_follow_is_welcomed_only_if_zalo_takes_it_and_nothing_waits(engine, fake_oa, db):
    """A follow names no message to answer: Zalo counts a welcome as proactive. Without the
    package quota allowed nothing is sent, no error text follows and nothing waits in the
    outbox (the first message is welcomed instead); allowed, the welcome is tried once: it goes
    from the quota, or is dropped if Zalo refuses it."""
    async with hooked(engine, fake_oa) as oa:
        res = await fake_oa.post_event(oa.url, fake_oa.follow("f1"))
        assert res.status_code == 200
        person = OaPerson(fake_oa, oa.url, "f1", oa.channel)
        await person.send("chào cháu")
        assert "đồng ý không" in person.said
        assert all(c.status == 200 for c in fake_oa.calls if c.method == "message/cs")
    async with hooked(engine, fake_oa, use_package_quota=True) as oa:
        res = await fake_oa.post_event(oa.url, fake_oa.follow("f2"))
        assert res.status_code == 200
        await fake_oa.wait_for(lambda: any(c.status == -211 for c in fake_oa.calls), 5.0)
        await asyncio.sleep(0.1)
        assert fake_oa.sent_to("f2") == []  # refused once, no error text after it
        assert [c.status for c in fake_oa.calls if c.params.get("chat_id") == "f2"] == [-211]
        assert await rows(db, "SELECT count(*) FROM outbox") == [(0,)]
        fake_oa.package_quota = 10
        other = OaPerson(fake_oa, oa.url, "f3", oa.channel)
        await other.post(fake_oa.follow("f3"))
        assert "đồng ý không" in other.said
        assert fake_oa.person("f3").proactive == len(other.last) >= 2
        assert "message_id" not in other.last[0].params["recipient"]


async def test_if_zalo_refuses_the_named_message_replies_still_go_without_it(
    engine, fake_oa, caplog
):
    """The placement of `message_id` is from Zalo's help centre, not its v3 reference: if Zalo
    refused it as a parameter, the reply goes without it (counted as proactive), once logged."""
    fake_oa.accepts_message_id = False
    fake_oa.package_quota = 100
    async with hooked(engine, fake_oa) as oa:
        person = OaPerson(fake_oa, oa.url, "m1", oa.channel)
        with caplog.at_level(logging.WARNING, logger="bot.channels.zalo_oa"):
            await person.send("xin chào")
            assert "đồng ý không" in person.said
            await person.press(texts.BTN_AGREE)
        refused = [c for c in fake_oa.calls if c.status == -201]
        assert len(refused) == 1 and refused[0].params["recipient"]["message_id"]
        assert all("message_id" not in c.params["recipient"] for c in fake_oa.sent_to("m1"))
        assert oa.channel.reply_message_id is False
        warned = [r for r in caplog.records if "message_id" in r.getMessage()]
        assert len(warned) == 1
