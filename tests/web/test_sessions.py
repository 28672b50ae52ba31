"""Login links and sessions: one use, ten minutes, bound to a person; cookies; timeouts; logout."""

from __future__ import annotations

import datetime as dt

import pytest

from bot import texts
from bot.web import auth
from storage.db import Database
from tests.transcript import sign_up
from tests.web.world import A, app_for, build_world, client, logged_in, login_link


@pytest.fixture
async def world(tmp_path):
    db = await Database.open(tmp_path / "w.db")
    w = await build_world(db)
    yield w
    await db.close()


async def test_a_link_works_once_and_for_ten_minutes(world):
    app = app_for(world)
    link = await login_link(world, "leader_A")
    async with client(app) as c:
        for _ in range(3):  # opening the link (or a chat app's preview) uses nothing
            r = await c.get(link)
            assert r.status_code == 200 and "Vào trang quản lý" in r.text
        assert auth.COOKIE not in c.cookies
        r = await c.post(link)
        assert r.status_code == 303 and r.headers["location"] == "/"
        assert (await c.get(f"/don-vi/{A}")).status_code == 200
    async with client(app) as c:  # someone else with the same link
        r = await c.get(link)
        assert r.status_code == 403 and "đã được dùng" in r.text
        r = await c.post(link)
        assert r.status_code == 403 and "đã được dùng" in r.text
        assert auth.COOKIE not in c.cookies
    late = await login_link(world, "leader_A")
    world.clock.now += dt.timedelta(minutes=10, seconds=1)
    async with client(app) as c:
        r = await c.post(late)
        assert r.status_code == 403 and "hết hạn" in r.text
        r = await c.get(auth.LOGIN_PATH + "không-có")
        assert r.status_code == 403 and "không đúng" in r.text


async def test_only_hashes_are_stored(world):
    link = await login_link(world, "staff_A")
    token = link.rsplit("/", 1)[1]
    async with world.db.sql() as conn:
        rows = await conn.execute_fetchall("SELECT token_hash FROM web_logins")
    assert [r[0] for r in rows] == [auth.token_hash(token)]
    assert token not in str(rows)


async def test_cookie_flags_and_secure_behind_https(world):
    async with client(app_for(world)) as c:
        r = await c.post(await login_link(world, "staff_A"))
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    async with client(app_for(world, public_url="https://hocso.example.vn")) as c:
        r = await c.post(await login_link(world, "staff_A"))
    assert "secure" in r.headers["set-cookie"].lower()


async def test_a_forged_or_altered_cookie_is_no_session(world):
    app = app_for(world)
    c, _ = await logged_in(world, app, "staff_A")
    value = c.cookies[auth.COOKIE]
    token, mac = value.split(".")
    async with client(app) as other:
        other.cookies.set(auth.COOKIE, f"{token}.{'0' * len(mac)}")
        assert (await other.get("/")).status_code == 401
        other.cookies.set(auth.COOKIE, auth.sign(b"another key" * 3, token))
        assert (await other.get("/")).status_code == 401
    await c.aclose()


async def test_idle_timeout_ends_the_session(world):
    app = app_for(world)
    c, _ = await logged_in(world, app, "staff_A")
    world.clock.now += dt.timedelta(minutes=29)
    assert (await c.get("/")).status_code == 200  # a request keeps it alive
    world.clock.now += dt.timedelta(minutes=29)
    assert (await c.get("/")).status_code == 200
    world.clock.now += dt.timedelta(minutes=31)
    r = await c.get("/")
    assert r.status_code == 401 and "kết thúc" in r.text
    await c.aclose()


async def test_removing_the_role_ends_the_session_at_once(world):
    app = app_for(world)
    c, _ = await logged_in(world, app, "staff_A")
    assert (await c.get(f"/don-vi/{A}/hoc-vien")).status_code == 200
    async with world.db.sql(write=True) as conn:
        await conn.execute("DELETE FROM roles WHERE user_id = ?", (world.ids["staff_A"],))
    assert (await c.get(f"/don-vi/{A}/hoc-vien")).status_code == 401
    async with world.db.sql(write=True) as conn:  # given back: the ended session stays ended
        await conn.execute(
            "INSERT INTO roles VALUES (?, 'staff', ?, NULL, 't')", (world.ids["staff_A"], A)
        )
    assert (await c.get("/")).status_code == 401
    await c.aclose()


async def test_logout(world):
    app = app_for(world)
    c, csrf = await logged_in(world, app, "leader_A")
    old = c.cookies[auth.COOKIE]
    r = await c.post("/dang-xuat", data={"csrf": csrf})
    assert r.status_code == 200 and "đã đăng xuất" in r.text
    assert auth.COOKIE not in c.cookies
    c.cookies.set(auth.COOKIE, old)  # the old cookie, replayed
    assert (await c.get("/")).status_code == 401
    await c.aclose()


async def test_the_chat_button_sends_a_link_bound_to_the_person(sim):
    sim.engine.web_url = "https://hocso.example.vn"
    done = await sign_up(sim, "admin", name="Hòa")
    assert texts.BTN_STAFF in [b["label"] for b in done[-1]["buttons"]]
    await sim.press("admin", texts.BTN_STAFF)
    assert texts.BTN_ST_WEB in [b["label"] for b in sim.buttons("admin")]
    replies = await sim.press("admin", texts.BTN_ST_WEB)
    text = replies[0]["text"]
    assert "https://hocso.example.vn/dang-nhap/" in text and "10 phút" in text
    token = text.split("/dang-nhap/")[1].split()[0]
    async with sim.engine.db.sql() as conn:
        rows = await conn.execute_fetchall(
            "SELECT l.token_hash, u.identity FROM web_logins l JOIN users u ON u.id = l.user_id"
        )
    assert [tuple(r) for r in rows] == [(auth.token_hash(token), "sim:admin")]
    # a learner has no staff menu, so no button and no link
    learner = await sign_up(sim, "m2", name="Mai")
    assert texts.BTN_STAFF not in [b["label"] for b in learner[-1]["buttons"]]


async def test_pages_are_not_cached_framed_or_scripted(world):
    app = app_for(world)
    c, _ = await logged_in(world, app, "leader_A")
    for path in ("/", f"/don-vi/{A}", f"/don-vi/{A}/tai-ve.png"):
        r = await c.get(path)
        assert r.status_code == 200
        assert r.headers["cache-control"] == "no-store"
        assert r.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    await c.aclose()
