"""Every route × every role over HTTP: nobody sees or changes what chat would refuse them."""

from __future__ import annotations

import pytest

from bot.core.permissions import ROLE_ACTIONS
from storage.db import Database
from tests.web.world import (
    A_BRANCH,
    A_COMMUNE,
    B_COMMUNE,
    ROLES,
    A,
    B,
    app_for,
    build_world,
    logged_in,
)
from tests.web.world import client as make_client

# Units below each role's unit (inclusive); every other unit is outside it.
INSIDE = {A: {A, A_COMMUNE, A_BRANCH}, B: {B, B_COMMUNE}}
UNITS = [A, A_COMMUNE, A_BRANCH, B, B_COMMUNE, "all"]
# (method, path template, action the chat requires, form fields)
ROUTES = [
    ("GET", "/don-vi/{u}", "report", None),
    ("GET", "/don-vi/{u}/tai-ve.xlsx", "report", None),
    ("GET", "/don-vi/{u}/tai-ve.docx", "report", None),
    ("GET", "/don-vi/{u}/tai-ve.png", "report", None),
    ("GET", "/don-vi/{u}/hoc-vien", "members", None),
    ("GET", "/don-vi/{u}/thong-bao", "announce", None),
    ("POST", "/don-vi/{u}/thong-bao", "announce", {"text": "Họp", "topic": "khac"}),
    ("GET", "/don-vi/{u}/chi-tieu", "record_indicator", None),
    (
        "POST",
        "/don-vi/{u}/chi-tieu",
        "record_indicator",
        {"what": "entry", "indicator": "trees", "value": "3", "note": "thử"},
    ),
    ("GET", "/don-vi/{u}/nhat-ky", "invite_admin", None),
    ("GET", "/don-vi/{u}/moi", "invite_member", None),
    ("GET", "/don-vi/{u}/tin-nghi-ngo", "scam_examples", None),
    ("POST", "/don-vi/{u}/moi", "invite_staff", {"kind": "staff"}),
    ("POST", "/don-vi/{u}/moi", "invite_admin", {"kind": "admin"}),
    # residents and targets: admins only (the CLI's admin commands)
    ("POST", "/don-vi/{u}/chi-tieu", "invite_admin", {"what": "population", "value": "900"}),
    (
        "POST",
        "/don-vi/{u}/chi-tieu",
        "invite_admin",
        {"what": "target", "indicator": "proficient", "year": "2030", "value": "55"},
    ),
]
WHO = [*ROLES, "nobody"]


def expected(who: str, action: str, unit: str) -> bool:
    if who == "nobody":
        return False
    _, role, home = ROLES[who]
    return role is not None and action in ROLE_ACTIONS[role] and unit in INSIDE.get(home, ())


@pytest.fixture
async def world(tmp_path):
    db = await Database.open(tmp_path / "w.db")
    w = await build_world(db)
    yield w
    await db.close()


async def test_every_route_by_every_role(world):
    app = app_for(world)
    clients = {}
    for who in WHO:
        if who == "nobody":
            clients[who] = (make_client(app), "")
        else:
            clients[who] = await logged_in(world, app, who)
    assert clients["learner"][1] == "", "a learner must not get a session"
    assert all(clients[w][1] for w in ("staff_A", "leader_A", "admin_B"))
    wrongly_allowed, wrongly_refused, checked = [], [], 0
    for method, template, action, form in ROUTES:
        for unit in UNITS:
            path = template.format(u=unit)
            for who in WHO:
                c, csrf = clients[who]
                if method == "GET":
                    r = await c.get(path)
                else:
                    r = await c.post(path, data={**form, "csrf": csrf or "x"})
                ok = r.status_code == 200
                if ok and form and "what" in form and form["what"] != "entry":
                    ok = "Đã lưu" in r.text
                if ok and form and "kind" in form:
                    ok = "Mã mời" in r.text
                want = expected(who, action, unit)
                checked += 1
                if ok and not want:
                    wrongly_allowed.append((who, method, path, form, r.status_code))
                if want and not ok:
                    wrongly_refused.append((who, method, path, form, r.status_code))
                if not want:
                    assert r.status_code in (401, 403, 400), (who, method, path, r.status_code)
    # the home page: any role; the learner and nobody get no page
    for who in WHO:
        r = await clients[who][0].get("/")
        checked += 1
        want = who in ("staff_A", "leader_A", "admin_B")
        if (r.status_code == 200) != want:
            (wrongly_allowed if not want else wrongly_refused).append((who, "GET", "/"))
    print(
        f"\nweb permission matrix: {checked} route×unit×role checks,"
        f" {len(wrongly_allowed)} wrongly allowed, {len(wrongly_refused)} wrongly refused"
    )
    assert wrongly_allowed == []
    assert wrongly_refused == []
    for c, _ in clients.values():
        await c.aclose()


async def test_every_view_and_refusal_is_audited(world):
    app = app_for(world)
    c, _ = await logged_in(world, app, "staff_A")
    assert (await c.get(f"/don-vi/{A}/hoc-vien")).status_code == 200
    assert (await c.get(f"/don-vi/{A}")).status_code == 403
    async with world.db.sql() as conn:
        rows = await conn.execute_fetchall(
            "SELECT actor_id, action, unit FROM audit_log WHERE action LIKE 'web:%' ORDER BY id"
        )
    got = [tuple(r) for r in rows]
    me = world.ids["staff_A"]
    assert (me, "web:members", A) in got
    assert (me, "web:denied", A) in got
    assert any(a == "web:login" for _, a, _ in got)
    await c.aclose()


async def test_forms_without_the_csrf_token_are_refused(world):
    app = app_for(world)
    c, csrf = await logged_in(world, app, "staff_A")
    form = {"what": "entry", "indicator": "trees", "value": "3"}
    r = await c.post(f"/don-vi/{A}/chi-tieu", data=form)
    assert r.status_code == 403
    r = await c.post(f"/don-vi/{A}/chi-tieu", data={**form, "csrf": csrf + "x"})
    assert r.status_code == 403
    r = await c.post("/dang-xuat", data={"csrf": "nope"})
    assert r.status_code == 403
    r = await c.post(f"/don-vi/{A}/chi-tieu", data={**form, "csrf": csrf})
    assert r.status_code == 200 and "Đã lưu" in r.text
    await c.aclose()


async def test_the_audit_log_shows_only_the_admins_units(world):
    app = app_for(world)
    staff, _ = await logged_in(world, app, "staff_A")
    assert (await staff.get(f"/don-vi/{A}/hoc-vien")).status_code == 200
    admin, _ = await logged_in(world, app, "admin_B")
    r = await admin.get(f"/don-vi/{B}/nhat-ky")
    assert r.status_code == 200 and "web:audit_log" in r.text
    assert "web:members" not in r.text  # staff of A at province A: not B's business
    await staff.aclose()
    await admin.aclose()
