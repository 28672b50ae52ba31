"""Races on the web pages under several processes (docs/scaling.md, "Races audited under
several workers"): two requests of different people, or the same form sent twice, touching the
same rows at once. Each test makes the two transactions meet where the race bites (tests/
concurrency.py); each runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from pathlib import Path

import httpx
import pytest

from bot import texts
from bot.web.app import create_app
from bot.web.auth import new_login
from storage.db import Database
from storage.reports import ReportRepo
from storage.staff import StaffRepo
from tests.concurrency import Rendezvous, meeting_before
from tests.conftest import BACKEND_PARAMS, fresh_database
from tests.storage.contract import learner

NOW = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)  # 10:00 in Vietnam
PROVINCE = "province:19"


@pytest.fixture(params=BACKEND_PARAMS)
async def db(request, tmp_path: Path):
    async with fresh_database(request.param, tmp_path, "web.db") as target:
        opened = await Database.open(target, media=tmp_path / "web.db")
        try:
            yield opened
        finally:
            await opened.close()


@pytest.fixture
def app(db):
    return create_app(db, secret=b"k" * 32, public_url="http://testserver", clock=lambda: NOW)


async def people(db, *who: tuple[str, str, str]) -> dict[str, int]:
    """Registered learners holding a role each: {identity: user id}."""
    ids = {}
    async with db.transaction() as s:
        for identity, role, unit in who:
            user = await learner(s, identity, display_name=identity)
            await s.staff.grant(user.id, role, unit, None, NOW)
            ids[identity] = user.id
    return ids


async def session(db, app, user_id: int) -> tuple[httpx.AsyncClient, str]:
    """A client logged in as `user_id`, and its CSRF token."""
    async with db.transaction() as s:
        link = await new_login(s, user_id, NOW, "http://testserver")
    c = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    assert (await c.post(link)).status_code == 303
    m = re.search(r'name="csrf" value="([^"]+)"', (await c.get("/")).text)
    assert m is not None
    return c, m.group(1)


async def test_two_admins_removing_each_other_at_once_leaves_one_of_them(db, app, monkeypatch):
    """X removes Y's role while Y removes X's (two requests, perhaps two web processes). Each
    page checks that its viewer may still remove roles; in turn, the second would be refused,
    as its viewer's role is gone. Both going through would leave a removal made by someone who
    no longer had the right, so one of them must be refused."""
    ids = await people(db, ("sim:x", "admin", PROVINCE), ("sim:y", "admin", PROVINCE))
    (x, x_csrf), (y, y_csrf) = [await session(db, app, ids[who]) for who in ("sim:x", "sim:y")]
    meeting = Rendezvous()
    meeting_before(monkeypatch, StaffRepo, "revoke", meeting)

    def removal(user: str, csrf: str) -> dict[str, str]:
        return {"user": str(ids[user]), "role": "admin", "where": PROVINCE, "csrf": csrf,
                "confirm": "1"}  # fmt: skip

    got = await asyncio.gather(
        x.post(f"/don-vi/{PROVINCE}/vai-tro/bo", data=removal("sim:y", x_csrf)),
        y.post(f"/don-vi/{PROVINCE}/vai-tro/bo", data=removal("sim:x", y_csrf)),
    )
    assert sorted(r.status_code for r in got) == [200, 403]
    async with db.reading() as s:
        left = [who for who in ("sim:x", "sim:y") if await s.staff.roles(ids[who])]
    assert len(left) == 1
    for c in (x, y):
        await c.aclose()


def hidden(html: str, inside: str) -> dict[str, str]:
    """The hidden fields of the form holding `inside`."""
    at = html.index(inside)
    form = html[html.rindex("<form", 0, at) : html.index("</form>", at)]
    return dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form))


async def test_an_announcement_confirmed_twice_at_once_is_sent_once(db, app, monkeypatch):
    """A double click on «Xác nhận gửi» on a slow line: two requests with the same form, at
    the same moment (perhaps in two web processes). Everyone must get it once."""
    ids = await people(db, ("sim:staff", "staff", PROVINCE))
    c, csrf = await session(db, app, ids["sim:staff"])
    draft = {"csrf": csrf, "text": "Họp chi hội sáng thứ Bảy.", "topic": "chuyen_doi_so"}
    preview = await c.post(f"/don-vi/{PROVINCE}/thong-bao", data=draft)
    assert preview.status_code == 200 and "Xác nhận gửi" in preview.text
    confirm = hidden(preview.text, "Xác nhận gửi")
    assert confirm["confirm"] == "1" and confirm["form_key"]
    meeting = Rendezvous()
    meeting_before(monkeypatch, StaffRepo, "create_announcement", meeting)
    got = await asyncio.gather(
        *(c.post(f"/don-vi/{PROVINCE}/thong-bao", data=confirm) for _ in range(2))
    )
    assert [r.status_code for r in got] == [200, 200]
    assert all(texts.WEB_ANN_SCHEDULED.split("{")[0] in r.text for r in got)
    async with db.reading() as s:
        assert len(await s.staff.announcements_by(ids["sim:staff"])) == 1
    # a new preview is a new form: a second announcement of the same words is possible
    again = hidden((await c.post(f"/don-vi/{PROVINCE}/thong-bao", data=draft)).text,
                   "Xác nhận gửi")  # fmt: skip
    assert again["form_key"] != confirm["form_key"]
    assert (await c.post(f"/don-vi/{PROVINCE}/thong-bao", data=again)).status_code == 200
    async with db.reading() as s:
        assert len(await s.staff.announcements_by(ids["sim:staff"])) == 2
    await c.aclose()


async def test_an_indicator_entry_sent_twice_counts_once(db, app, monkeypatch):
    ids = await people(db, ("sim:staff", "staff", PROVINCE))
    c, _ = await session(db, app, ids["sim:staff"])
    page = await c.get(f"/don-vi/{PROVINCE}/chi-tieu")
    entry = hidden(page.text, 'name="what" value="entry"')
    assert entry["what"] == "entry" and entry["form_key"]
    entry |= {"indicator": "trees", "value": "12", "note": "trồng ở nhà văn hóa"}
    meeting = Rendezvous()
    meeting_before(monkeypatch, ReportRepo, "add_entry", meeting)
    got = await asyncio.gather(
        *(c.post(f"/don-vi/{PROVINCE}/chi-tieu", data=entry) for _ in range(2))
    )
    assert [r.status_code for r in got] == [200, 200]
    async with db.reading() as s:
        totals = await s.reports.indicator_totals(PROVINCE, NOW.date())
    assert totals["trees"] == (12, 1)
    await c.aclose()
