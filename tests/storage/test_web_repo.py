"""store.web: one-time login links, sessions, a page of members, skill confirmations,
announcements with their delivery, and the audit log as admins read it."""

from __future__ import annotations

import pytest

from storage.outbox import OutboxItem
from storage.repos import iso
from storage.web import AnnouncementRow, MemberRow, WebSession
from tests.storage.contract import (
    COMMUNE,
    DAY,
    HOUR,
    MINUTE,
    NOW,
    OTHER_COMMUNE,
    OTHER_PROVINCE,
    PROVINCE,
    learner,
)


@pytest.fixture
async def admin(backend) -> int:
    async with backend.transaction() as s:
        return (await learner(s, "telegram:admin", display_name="Hòa")).id


async def test_a_login_link_is_used_once_before_it_expires(tx, admin):
    await tx(lambda s: s.web.create_login("h1", admin, NOW, 15 * MINUTE))
    await tx(lambda s: s.web.create_login("h2", admin, NOW, 15 * MINUTE))
    async with tx.db.reading() as s:
        assert await s.web.login_status("h1", NOW) == "ok"
        assert await s.web.login_status("h1", NOW + 15 * MINUTE - MINUTE) == "ok"
        assert await s.web.login_status("h1", NOW + 15 * MINUTE) == "expired"
        assert await s.web.login_status("nope", NOW) == "unknown"
    assert await tx.read(lambda s: s.web.login_status("h1", NOW)) == "ok"  # asking uses nothing
    assert await tx(lambda s: s.web.redeem_login("h1", NOW + MINUTE)) == ("ok", admin)
    assert await tx(lambda s: s.web.redeem_login("h1", NOW + MINUTE)) == ("used", None)
    assert await tx.read(lambda s: s.web.login_status("h1", NOW + MINUTE)) == "used"
    assert await tx.read(lambda s: s.web.login_status("h1", NOW + DAY)) == "used"  # used wins
    assert await tx(lambda s: s.web.redeem_login("h2", NOW + 15 * MINUTE)) == ("expired", None)
    assert await tx(lambda s: s.web.redeem_login("nope", NOW)) == ("unknown", None)


async def test_a_login_link_hash_is_unique(tx, admin, integrity_error):
    await tx(lambda s: s.web.create_login("h1", admin, NOW, HOUR))
    with pytest.raises(integrity_error):
        await tx(lambda s: s.web.create_login("h1", admin, NOW, HOUR))


async def test_sessions_are_seen_and_ended(backend, tx, admin):
    async with backend.transaction() as s:
        other = await learner(s, "telegram:other")
        await s.web.create_session("s1", admin, "c1", True, NOW)
        await s.web.create_session("s2", admin, "c2", False, NOW)
        await s.web.create_session("s3", other.id, "c3", True, NOW)
    assert await tx.read(lambda s: s.web.session("s1")) == WebSession(
        admin, "c1", True, iso(NOW), iso(NOW), None
    )
    assert await tx.read(lambda s: s.web.session("nope")) is None
    await tx(lambda s: s.web.touch("s1", NOW + HOUR))
    await tx(lambda s: s.web.touch("nope", NOW + HOUR))  # nothing to touch
    assert (await tx.read(lambda s: s.web.session("s1"))).last_seen == iso(NOW + HOUR)
    await tx(lambda s: s.web.end_session("s1", NOW + 2 * HOUR))
    await tx(lambda s: s.web.end_session("s1", NOW + 3 * HOUR))  # the first end stays
    s1 = await tx.read(lambda s: s.web.session("s1"))
    assert (s1.ended_at, s1.secure) == (iso(NOW + 2 * HOUR), True)
    assert (await tx.read(lambda s: s.web.session("s2"))).secure is False
    # all of one person's open sessions: counted, the already ended one not again
    assert await tx(lambda s: s.web.end_sessions_of(admin, NOW + 4 * HOUR)) == 1
    assert await tx(lambda s: s.web.end_sessions_of(admin, NOW + 5 * HOUR)) == 0
    assert (await tx.read(lambda s: s.web.session("s2"))).ended_at == iso(NOW + 4 * HOUR)
    assert (await tx.read(lambda s: s.web.session("s1"))).ended_at == iso(NOW + 2 * HOUR)
    assert (await tx.read(lambda s: s.web.session("s3"))).ended_at is None


async def test_members_are_paged_least_recently_active_first(backend, tx, admin):
    async with backend.transaction() as s:
        await s.users.update(admin, last_active_at=iso(NOW + DAY))
        a = await learner(s, "telegram:a", display_name="An", last_active_at=iso(NOW - 3 * DAY))
        b = await learner(s, "telegram:b", address_form="bà", last_active_at=iso(NOW - DAY))
        c = await learner(s, "telegram:c", proficient=1, last_active_at=iso(NOW - DAY))
        far = await learner(
            s, "telegram:far", province=OTHER_PROVINCE, commune=OTHER_COMMUNE,
            last_active_at=iso(NOW - 9 * DAY),
        )  # fmt: skip
        await learner(s, "telegram:unregistered", registered=False)
        await s.users.create("telegram:refused", "refused", NOW)
        branch = await s.staff.create_branch(COMMUNE, "Xóm Bãi", admin, NOW)
        await s.users.set_branch(b.id, branch.id)
    unit = f"commune:{COMMUNE}"
    async with backend.reading() as s:
        assert await s.web.member_count("all") == 5
        assert await s.web.member_count(unit) == 4
        assert await s.web.member_count(f"province:{OTHER_PROVINCE}") == 1
        assert await s.web.member_count(f"branch:{branch.id}") == 1
        assert await s.web.member_count(unit, inactive_before=NOW - DAY) == 1  # strictly before
        assert await s.web.member_count(unit, inactive_before=NOW) == 3
        page = await s.web.members_page(unit, 0, 10)
        assert [m.id for m in page] == [a.id, b.id, c.id, admin]  # same time: by id
        assert page[0] == MemberRow(
            a.id, None, "An", PROVINCE, COMMUNE, None, False, iso(NOW - 3 * DAY)
        )
        assert (page[1].address_form, page[1].branch_id) == ("bà", branch.id)
        assert page[2].proficient is True
        assert [m.id for m in await s.web.members_page(unit, 1, 2)] == [b.id, c.id]
        assert await s.web.members_page(unit, 4, 2) == []
        assert [m.id for m in await s.web.members_page("all", 0, 1)] == [far.id]
        assert [m.id for m in await s.web.members_page(unit, 0, 10, NOW)] == [a.id, b.id, c.id]
        assert [m.id for m in await s.web.members_page(unit, 1, 10, NOW)] == [b.id, c.id]


async def test_confirmed_areas_per_learner(backend, tx, admin):
    async with backend.transaction() as s:
        u = await learner(s, "telegram:u")
        v = await learner(s, "telegram:v")
        await s.staff.confirm_skill(u.id, "thanh_toan", admin, NOW)
        await s.staff.confirm_skill(u.id, "thanh_toan", admin, NOW + DAY)
        await s.staff.confirm_skill(u.id, "an_toan", admin, NOW)
    assert await tx.read(lambda s: s.web.confirmed([u.id, v.id])) == {
        u.id: {"thanh_toan", "an_toan"},
        v.id: set(),
    }
    assert await tx.read(lambda s: s.web.confirmed([])) == {}


async def announce(s, admin, unit, text, send_at, **kw):
    return await s.staff.create_announcement(
        admin, unit, "chuyen_doi_so", text, None, send_at, False, NOW, **kw
    )


async def test_announcements_to_units_latest_first(backend, tx, admin):
    commune = f"commune:{COMMUNE}"
    async with backend.transaction() as s:
        a = await announce(s, admin, commune, "Một", NOW)
        b = await announce(s, admin, "all", "Hai", NOW + HOUR, file_kind="image", file_path="x")
        c = await announce(s, admin, commune, "Ba", NOW + HOUR)
        d = await announce(s, admin, f"province:{PROVINCE}", "Bốn", NOW + DAY)
        await s.staff.mark_queued(a, 12)
    async with backend.reading() as s:
        got = await s.web.announcements([commune, "all"])
        assert [r.id for r in got] == [c, b, a]  # by send time, then the newer id
        assert got[1] == AnnouncementRow(
            b, "all", "chuyen_doi_so", "Hai", "scheduled", iso(NOW + HOUR), 0, "image"
        )
        assert (got[2].status, got[2].recipients) == ("queued", 12)
        assert [r.id for r in await s.web.announcements([commune, "all"], limit=1)] == [c]
        assert [r.id for r in await s.web.announcements([f"province:{PROVINCE}"])] == [d]
        assert await s.web.announcements([]) == []
        assert await s.web.announcements(["branch:1"]) == []
        assert sorted(await s.web.announcement_units()) == sorted(
            ["all", commune, f"province:{PROVINCE}"]
        )


async def test_no_announcement_units_without_announcements(tx):
    assert await tx.read(lambda s: s.web.announcement_units()) == []


async def test_delivery_is_counted_per_channel_and_status(backend, tx, admin):
    async with backend.transaction() as s:
        ann = await announce(s, admin, "all", "Một", NOW)
        other = await announce(s, admin, "all", "Hai", NOW)
        items = [OutboxItem(f"telegram:{i}", "x", announcement_id=ann) for i in range(5)]
        items += [OutboxItem(f"zalo:{i}", "x", announcement_id=ann) for i in range(2)]
        items += [OutboxItem("telegram:9", "x", announcement_id=other)]
        await s.outbox.enqueue(items, NOW)
    async with backend.transaction() as s:
        a, b, c, d = await s.outbox.claim("telegram:", NOW, False, 4)
        later = iso(NOW + HOUR)
        await s.outbox.record(
            [
                ("sent", 1, None, None, iso(NOW), a.id),
                ("failed", 1, "forbidden", None, None, b.id),
                ("pending", 1, "timeout", later, None, c.id),  # to be tried again: waiting
                ("blocked", 1, "blocked", None, None, d.id),
            ]
        )
    assert await tx.read(lambda s: s.web.delivery(ann)) == {
        "telegram": {"sent": 1, "failed": 1, "waiting": 1, "blocked": 1, "pending": 1},
        "zalo": {"pending": 2},
    }
    assert await tx.read(lambda s: s.web.delivery(other)) == {"telegram": {"pending": 1}}
    assert await tx.read(lambda s: s.web.delivery(other + 99)) == {}


async def test_audit_entries_newest_first_filtered(backend, tx, admin):
    async with backend.transaction() as s:
        await s.staff.audit(admin, "role_granted", "all", NOW, role="staff", to=2)
        await s.staff.audit(admin, "branch_renamed", "branch:1", NOW, name="Thôn Đông")
        await s.staff.audit(None, "class_code_closed", "branch:1", NOW + MINUTE)
        await s.staff.audit(admin, "role_granted", f"commune:{COMMUNE}", NOW + HOUR)
    async with backend.reading() as s:
        everything = await s.web.audit_entries(None, None)
        assert [e[2] for e in everything] == [
            "role_granted",
            "class_code_closed",
            "branch_renamed",
            "role_granted",
        ]  # the order they were written, newest first
        assert everything[2] == (
            iso(NOW),
            admin,
            "branch_renamed",
            "branch:1",
            {"name": "Thôn Đông"},
        )
        assert everything[1] == (iso(NOW + MINUTE), None, "class_code_closed", "branch:1", {})
        assert everything[3][4] == {"role": "staff", "to": 2}
        assert [e[3] for e in await s.web.audit_entries("role", None)] == [
            f"commune:{COMMUNE}",
            "all",
        ]
        assert [e[2] for e in await s.web.audit_entries("code", "branch:1")] == [
            "class_code_closed"
        ]
        assert [e[2] for e in await s.web.audit_entries(None, "branch:1", limit=1)] == [
            "class_code_closed"
        ]
        assert await s.web.audit_entries("nothing", None) == []
