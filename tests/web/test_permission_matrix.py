"""Every route × every role over HTTP: nobody sees or changes what chat would refuse them."""

from __future__ import annotations

import pytest

from bot.core.permissions import ROLE_ACTIONS
from bot.web.app import draft_sig
from storage.db import Database
from tests.web.world import (
    A_BRANCH,
    A_COMMUNE,
    B_COMMUNE,
    ROLES,
    SECRET,
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
    (
        "POST",
        "/don-vi/{u}/thong-bao",
        "announce",
        {"text": "Họp", "topic": "khac", "_file": ("a.pdf", b"%PDF-1.4 x", "application/pdf")},
    ),
    ("GET", "/don-vi/{u}/chi-tieu", "record_indicator", None),
    (
        "POST",
        "/don-vi/{u}/chi-tieu",
        "record_indicator",
        {"what": "entry", "indicator": "trees", "value": "3", "note": "thử"},
    ),
    ("GET", "/don-vi/{u}/nhat-ky", "invite_admin", None),
    ("GET", "/don-vi/{u}/vai-tro", "invite_admin", None),
    ("GET", "/don-vi/{u}/ma-lop", "invite_member", None),
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
# Routes that need something of their unit: (method, path of the unit, action, form, units
# where it exists). Built by `prepare` once the world is made.
WHO = [*ROLES, "nobody"]
HELPER = "sim:helper"  # holds a staff role at every unit, for the removal routes


async def prepare(w) -> list[tuple]:
    """A draft picture signed for every unit, a class code of branch A, and a role at every
    unit held by someone else (to be shown for confirmation, then removed)."""
    media = w.db.path.parent / "media" / "announcements" / "web-drafts"
    media.mkdir(parents=True, exist_ok=True)
    name = "ab" * 16 + ".png"
    (media / name).write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    async with w.db.transaction() as store:
        helper = await store.users.create(HELPER, "given", w.clock())
        for unit in UNITS:
            await store.staff.grant(helper.id, "staff", unit, None, w.clock())
        code = await store.staff.create_invitation(
            "member", A_BRANCH, w.ids["staff_A"], w.clock(), days=30, max_uses=30
        )
    drafts = {u: f"/don-vi/{u}/thong-bao/tep/{name}?k={draft_sig(SECRET, u, name)}" for u in UNITS}
    remove = {"user": str(helper.id), "role": "staff"}
    return [
        ("GET", drafts.__getitem__, "announce", None, UNITS),
        ("POST", "/don-vi/{u}/ma-lop", "invite_member", {"cap": "30"}, [A_BRANCH]),
        ("GET", f"/don-vi/{{u}}/ma-lop/{code}.pdf", "invite_member", None, [A_BRANCH]),
        ("GET", f"/don-vi/{{u}}/ma-lop/{code}.png", "invite_member", None, [A_BRANCH]),
        ("POST", "/don-vi/{u}/vai-tro/bo", "invite_admin", {**remove, "where": "{u}"}, UNITS),
        (
            "POST",
            "/don-vi/{u}/vai-tro/bo",
            "invite_admin",
            {**remove, "where": "{u}", "confirm": "1"},
            UNITS,
        ),
    ]


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
    routes = [(*r, UNITS) for r in ROUTES] + await prepare(world)
    for method, template, action, form, units in routes:
        for unit in units:
            path = template(unit) if callable(template) else template.format(u=unit)
            for who in WHO:
                c, csrf = clients[who]
                if method == "GET":
                    r = await c.get(path)
                else:
                    data = {k: v.format(u=unit) for k, v in form.items() if k != "_file"}
                    files = {"file": form["_file"]} if "_file" in form else None
                    r = await c.post(path, data={**data, "csrf": csrf or "x"}, files=files)
                ok = r.status_code == 200
                if ok and form and "what" in form and form["what"] != "entry":
                    ok = "Đã lưu" in r.text
                if ok and form and "kind" in form:
                    ok = "Mã mời" in r.text
                if ok and form and "_file" in form:
                    ok = "📎 Gửi kèm" in r.text
                if ok and form and "cap" in form:  # created at a branch; elsewhere: which one
                    ok = (
                        "Đã tạo mã lớp học" in r.text
                        if unit == A_BRANCH
                        else "Đã tạo" not in r.text
                    )
                if ok and form and "where" in form:
                    ok = ("Đã bỏ vai trò" if "confirm" in form else "Anh chị có chắc") in r.text
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
