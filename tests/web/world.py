"""A small world for the web pages' tests: two provinces, roles, learners, an announcement."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import httpx

from bot.web.app import create_app
from bot.web.auth import new_login
from storage.db import Database
from storage.outbox import OutboxItem

NOW = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)  # 10:00 in Vietnam
# A is Thái Nguyên (province 19) with Phú Thịnh (commune 5800) and its branch 1;
# B is Hà Nội (province 1) with Hoàn Kiếm (commune 70).
A, A_COMMUNE, A_BRANCH = "province:19", "commune:5800", "branch:1"
B, B_COMMUNE = "province:1", "commune:70"
ROLES = {  # who: (identity, role, unit) — None: no role
    "learner": ("sim:learner", None, None),
    "staff_A": ("sim:staff_a", "staff", A),
    "leader_A": ("sim:leader_a", "leader", A),
    "admin_B": ("sim:admin_b", "admin", B),
}
SECRET = b"k" * 32


@dataclass
class Clock:
    now: dt.datetime = NOW

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass
class World:
    db: Database
    clock: Clock
    ids: dict[str, int] = field(default_factory=dict)
    announcement: int = 0


async def build_world(db: Database, learners: int = 12) -> World:
    w = World(db, Clock())
    t = NOW - dt.timedelta(days=60)
    async with db.sql(write=True) as c:
        await c.execute(
            "INSERT INTO branches (id, commune_code, name, created_by, created_at)"
            " VALUES (1, 5800, 'Xóm Một', NULL, ?)",
            (t.isoformat(),),
        )
        for who, (identity, role, unit) in ROLES.items():
            cur = await c.execute(
                "INSERT INTO users (identity, consent, consent_at, created_at, last_active_at,"
                " registered_at, display_name, address_form, province_code, commune_code)"
                " VALUES (?, 'given', ?, ?, ?, ?, ?, 'bà', 19, 5800)",
                (identity, t.isoformat(), t.isoformat(), NOW.isoformat(), t.isoformat(), who),
            )
            w.ids[who] = cur.lastrowid
            if role:
                await c.execute(
                    "INSERT INTO roles (user_id, role, unit, granted_by, granted_at)"
                    " VALUES (?, ?, ?, NULL, ?)",
                    (cur.lastrowid, role, unit, t.isoformat()),
                )
        for n in range(learners):
            active = NOW - dt.timedelta(days=3 if n % 3 else 45)
            cur = await c.execute(
                "INSERT INTO users (identity, consent, consent_at, created_at, last_active_at,"
                " registered_at, display_name, address_form, birth_year, province_code,"
                " commune_code, branch_id) VALUES (?, 'given', ?, ?, ?, ?, ?, 'ông', 1950, ?, ?, ?)",
                (
                    f"telegram:{100 + n}",
                    t.isoformat(),
                    t.isoformat(),
                    active.isoformat(),
                    t.isoformat(),
                    f"Học viên {n:02d}",
                    19 if n % 4 else 1,
                    5800 if n % 4 else 70,
                    1 if n % 2 and n % 4 else None,
                ),
            )
            if n % 2 == 0:
                for area in ("dich_vu_cong", "thanh_toan"):
                    await c.execute(
                        "INSERT INTO area_mastery VALUES (?, ?, 1, ?)",
                        (cur.lastrowid, area, t.isoformat()),
                    )
        await c.execute(
            "INSERT INTO unit_population (unit, older_residents, updated_by, updated_at)"
            " VALUES ('province:19', 400, NULL, ?)",
            (t.isoformat(),),
        )
    async with db.transaction() as store:
        w.announcement = await store.staff.create_announcement(
            w.ids["staff_A"], A_COMMUNE, "chuyen_doi_so", "Họp chi hội sáng thứ Bảy.", None,
            NOW - dt.timedelta(days=1), False, NOW - dt.timedelta(days=1),
        )  # fmt: skip
        await store.staff.mark_queued(w.announcement, 3)
        await store.outbox.enqueue(
            [
                OutboxItem(f"telegram:{100 + n}", "x", announcement_id=w.announcement)
                for n in (1, 2, 3)
            ],
            NOW,
        )
        await store.staff.ack(w.announcement, w.ids["learner"], NOW)
    return w


def app_for(w: World, public_url: str = "http://127.0.0.1:8081"):
    return create_app(
        w.db,
        admins=frozenset(),
        secret=SECRET,
        idle_minutes=30,
        public_url=public_url,
        clock=w.clock,
    )


async def login_link(w: World, who: str, base: str = "http://testserver") -> str:
    async with w.db.transaction() as store:
        return await new_login(store, w.ids[who], w.clock(), base)


def client(app, base: str = "http://testserver") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base)


async def logged_in(w: World, app, who: str) -> tuple[httpx.AsyncClient, str]:
    """A client holding `who`'s session, and the session's CSRF token ("" if refused)."""
    c = client(app)
    r = await c.post(await login_link(w, who))
    if r.status_code != 303:
        return c, ""
    home = await c.get("/")
    m = re.search(r'name="csrf" value="([^"]+)"', home.text)
    return c, m.group(1) if m else ""
