"""store.staff: roles, branches, invitations, audit, population, members, announcements, acks."""

from __future__ import annotations

import json
import re

import pytest

from storage.repos import iso
from storage.staff import Branch, ChannelReach, Member, OaReachRule, RoleHolder
from tests.concurrency import second_waits_for_first
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


async def test_roles_are_granted_once_and_listed_in_order(backend, tx, admin):
    async with backend.transaction() as s:
        u = await learner(s, "telegram:1")
        assert await s.staff.roles(u.id) == []
        await s.staff.grant(u.id, "staff", f"commune:{COMMUNE}", admin, NOW)
        await s.staff.grant(u.id, "leader", f"province:{PROVINCE}", admin, NOW)
        await s.staff.grant(u.id, "admin", "all", None, NOW)
        await s.staff.grant(u.id, "staff", f"commune:{COMMUNE}", admin, NOW + DAY)  # again
    assert await tx.read(lambda s: s.staff.roles(u.id)) == [
        ("admin", "all"),
        ("leader", f"province:{PROVINCE}"),
        ("staff", f"commune:{COMMUNE}"),
    ]
    assert await tx.read(lambda s: s.staff.roles(admin)) == []


async def test_only_the_three_roles_can_be_granted(tx, admin, integrity_error):
    with pytest.raises(integrity_error):
        await tx(lambda s: s.staff.grant(admin, "member", "all", None, NOW))
    assert await tx.read(lambda s: s.staff.roles(admin)) == []


async def test_branches(backend, tx, admin, integrity_error):
    async with backend.transaction() as s:
        b = await s.staff.create_branch(COMMUNE, "Xóm Bãi", admin, NOW)
        a = await s.staff.create_branch(COMMUNE, "Thôn Anh", admin, NOW)
        elsewhere = await s.staff.create_branch(OTHER_COMMUNE, "Xóm Bãi", admin, NOW)
    assert b == Branch(b.id, COMMUNE, "Xóm Bãi") and len({a.id, b.id, elsewhere.id}) == 3
    async with backend.reading() as s:
        assert await s.staff.branch(a.id) == a
        assert await s.staff.branch(max(a.id, b.id, elsewhere.id) + 1) is None
        assert await s.staff.branches_in_commune(COMMUNE) == [a, b]  # by name
        assert await s.staff.branches_in_commune(OTHER_COMMUNE) == [elsewhere]
        assert await s.staff.branches_in_commune(1) == []
        everything = await s.staff.all_branches()
        assert sorted(everything, key=lambda x: x.id) == sorted(
            [a, b, elsewhere], key=lambda x: x.id
        )
        assert [x.commune_code for x in everything] == sorted(x.commune_code for x in everything)
    with pytest.raises(integrity_error):  # one name per commune
        await tx(lambda s: s.staff.create_branch(COMMUNE, "Xóm Bãi", admin, NOW))


async def test_an_invitation_is_redeemed_once_before_it_expires(backend, tx, admin):
    async with backend.transaction() as s:
        code = await s.staff.create_invitation("staff", f"commune:{COMMUNE}", admin, NOW)
        short = await s.staff.create_invitation("member", "branch:1", admin, NOW, days=1)
        a = await learner(s, "telegram:a")
        b = await learner(s, "telegram:b")
    assert re.fullmatch(r"HS-[A-HJ-NP-Z2-9]{6}", code) and code != short
    async with backend.transaction() as s:
        assert await s.staff.redeem("HS-NOTONE", a.id, NOW) is None
        assert await s.staff.redeem(code, a.id, NOW + 14 * DAY - MINUTE) == (
            "staff",
            f"commune:{COMMUNE}",
        )
        assert await s.staff.redeem(code, b.id, NOW) is None  # used
        assert await s.staff.redeem(short, b.id, NOW + DAY) is None  # expired
    assert await tx(lambda s: s.staff.redeem(short, b.id, NOW)) == ("member", "branch:1")


async def test_audit_rows_keep_their_detail(tx, admin, dump):
    await tx(
        lambda s: s.staff.audit(
            admin, "confirm_skill", f"branch:{3}", NOW, member=7, area="thanh_toan", note="Tốt"
        )
    )
    await tx(lambda s: s.staff.audit(None, "system", None, NOW))
    # no repository reads the audit log back: the backend's dump does
    rows = sorted((await dump())["audit_log"], key=lambda r: r["id"])
    assert [(r["actor_id"], r["action"], r["unit"]) for r in rows] == [
        (admin, "confirm_skill", "branch:3"),
        (None, "system", None),
    ]
    assert json.loads(rows[0]["detail"]) == {"member": 7, "area": "thanh_toan", "note": "Tốt"}
    assert json.loads(rows[1]["detail"]) == {}


async def test_population(backend, tx, admin):
    unit = f"commune:{COMMUNE}"
    assert await tx.read(lambda s: s.staff.population(unit)) is None
    await tx(lambda s: s.staff.set_population(unit, 1200, admin, NOW))
    await tx(lambda s: s.staff.set_population(unit, 1250, admin, NOW + DAY))
    await tx(lambda s: s.staff.set_population("all", 0, admin, NOW))
    assert await tx.read(lambda s: s.staff.population(unit)) == 1250
    assert await tx.read(lambda s: s.staff.population("all")) == 0
    assert await tx.read(lambda s: s.reports.populations([unit, "all", "province:1"])) == {
        unit: 1250,
        "all": 0,
    }


async def test_members_by_unit_in_name_order(backend, tx, admin):
    async with backend.transaction() as s:
        branch = await s.staff.create_branch(COMMUNE, "Xóm Bãi", admin, NOW)
        c = await learner(s, "telegram:c", display_name="Cúc", address_form="bà")
        a = await learner(s, "zalo:a", display_name="An", proficient=True)
        a2 = await learner(s, "telegram:a2", display_name="An")
        far = await learner(
            s, "telegram:far", display_name="Bình", province=OTHER_PROVINCE, commune=OTHER_COMMUNE
        )
        await learner(s, "telegram:new", display_name="Chưa xong", registered=False)
        await s.users.create("anon:refused", "refused", NOW)
        await s.users.set_branch(c.id, branch.id)
    async with backend.reading() as s:
        everyone = await s.staff.members("all")
        assert [m.id for m in everyone] == [a.id, a2.id, far.id, c.id, admin]
        assert everyone[0] == Member(a.id, "zalo:a", None, "An", PROVINCE, COMMUNE, None, True)
        assert everyone[3] == Member(
            c.id, "telegram:c", "bà", "Cúc", PROVINCE, COMMUNE, branch.id, False
        )
        assert [m.id for m in await s.staff.members(f"province:{PROVINCE}")] == [
            a.id,
            a2.id,
            c.id,
            admin,
        ]
        assert [m.id for m in await s.staff.members(f"commune:{OTHER_COMMUNE}")] == [far.id]
        assert [m.id for m in await s.staff.members(f"branch:{branch.id}")] == [c.id]
        assert [m.id for m in await s.staff.members("all", limit=2)] == [a.id, a2.id]
        with pytest.raises(ValueError):
            await s.staff.members("hamlet:1")


async def test_areas_mastered(backend, tx, admin):
    async with backend.transaction() as s:
        u = await learner(s, "telegram:1")
        await s.progress.set_area(u.id, "thanh_toan", True, NOW)
        await s.progress.set_area(u.id, "mua_sam", True, NOW)
        await s.progress.set_area(u.id, "an_toan", False, NOW)
    got = await tx.read(lambda s: s.staff.areas_mastered([u.id, admin]))
    assert got == {u.id: {"thanh_toan", "mua_sam"}, admin: set()}
    assert await tx.read(lambda s: s.staff.areas_mastered([])) == {}


async def test_recipients(backend, tx, admin):
    async with backend.transaction() as s:
        branch = await s.staff.create_branch(COMMUNE, "Xóm Bãi", admin, NOW)
        a = await learner(s, "telegram:a")
        b = await learner(s, "zalo:b")
        await learner(s, "telegram:paused", paused=True)
        await learner(s, "telegram:unregistered", registered=False)
        far = await learner(s, "telegram:far", province=OTHER_PROVINCE, commune=OTHER_COMMUNE)
        await s.progress.set_area(b.id, "an_toan", True, NOW)
        await s.progress.set_area(a.id, "an_toan", False, NOW)
        await s.users.set_branch(b.id, branch.id)
    async with backend.reading() as s:
        everyone = [(admin, "telegram:admin"), (a.id, "telegram:a"), (b.id, "zalo:b")]
        assert await s.staff.recipients("all", None) == [
            *everyone,
            (far.id, "telegram:far"),
        ]  # by id
        assert await s.staff.recipients(f"commune:{COMMUNE}", None) == everyone
        assert await s.staff.recipients(f"province:{PROVINCE}", "an_toan") == everyone[:2]
        assert await s.staff.recipients(f"branch:{branch.id}", None) == [(b.id, "zalo:b")]
        assert await s.staff.recipients(f"branch:{branch.id}", "an_toan") == []


async def test_reach_counts_each_channel_now_waiting_and_blocked(backend, tx, admin):
    """Recipients per channel: Zalo OA followers outside their window wait, unless the package
    quota may be used and is not spent; blocked people are counted apart (the linked
    identity's own flag first)."""
    async with backend.transaction() as s:
        await learner(s, "telegram:a")
        await learner(s, "telegram:blocked", blocked=True)
        alias_blocked = await learner(s, "zalo:b")
        await s.identities.link("zalo:b", alias_blocked.id, NOW, blocked=True)
        await learner(s, "zalo:c")
        await learner(s, "zalo_oa:open")  # wrote an hour ago
        await s.zalo_oa.user_wrote("zalo_oa:open", NOW - HOUR)
        await learner(s, "zalo_oa:full")  # wrote, but 8 messages went out since
        await s.zalo_oa.user_wrote("zalo_oa:full", NOW - HOUR)
        for _ in range(8):
            await s.zalo_oa.sent("zalo_oa:full", "reply", None, NOW)
        await learner(s, "zalo_oa:old")  # wrote three days ago
        await s.zalo_oa.user_wrote("zalo_oa:old", NOW - 3 * DAY)
        await learner(s, "zalo_oa:spent")  # the package quota is used up for this person
        await s.zalo_oa.sent("zalo_oa:spent", "promotion", 0, NOW)
        await learner(s, "zalo_oa:never")  # followed, never wrote
        await learner(s, "zalo_oa:far", province=OTHER_PROVINCE, commune=OTHER_COMMUNE)
        await s.zalo_oa.user_wrote("zalo_oa:far", NOW)
        await learner(s, "zalo_oa:paused", paused=True)
        await s.zalo_oa.user_wrote("zalo_oa:paused", NOW)
        mastered = await learner(s, "telegram:mastered")
        await s.progress.set_area(mastered.id, "an_toan", True, NOW)
    window = OaReachRule(NOW - 2 * DAY, 8)
    here = f"province:{PROVINCE}"
    got = await tx.read(lambda s: s.staff.reach(here, None, window))
    assert got == {
        "telegram": ChannelReach(now=3, waiting=0, blocked=1),  # admin, a, mastered
        "zalo": ChannelReach(now=1, waiting=0, blocked=1),
        "zalo_oa": ChannelReach(now=1, waiting=4, blocked=0),
    }
    package = OaReachRule(NOW - 2 * DAY, 8, use_package_quota=True)
    got = await tx.read(lambda s: s.staff.reach(here, None, package))
    assert got["zalo_oa"] == ChannelReach(now=4, waiting=1, blocked=0)  # only "spent" waits
    got = await tx.read(lambda s: s.staff.reach(here, "an_toan", window))
    assert got["telegram"] == ChannelReach(now=2, waiting=0, blocked=1)
    assert await tx.read(lambda s: s.staff.reach("all", None, window)) != got
    assert (await tx.read(lambda s: s.staff.reach("all", None, window)))["zalo_oa"].now == 2
    # the totals are the recipients
    total = sum(
        r.now + r.waiting + r.blocked
        for r in (await tx.read(lambda s: s.staff.reach(here, None, window))).values()
    )
    assert total == len(await tx.read(lambda s: s.staff.recipients(here, None)))
    assert (
        await tx.read(lambda s: s.staff.reach(f"commune:{OTHER_COMMUNE + 1}", None, window)) == {}
    )


async def test_role_holders_by_unit_and_revoking_a_role(backend, tx, admin):
    async with backend.transaction() as s:
        branch = await s.staff.create_branch(COMMUNE, "Xóm Bãi", admin, NOW)
        other = await s.staff.create_branch(OTHER_COMMUNE, "Xóm Khác", admin, NOW)
        a = await learner(s, "telegram:1", display_name="An")
        b = await learner(s, "telegram:2", display_name="Bình")
        await s.staff.grant(a.id, "staff", f"commune:{COMMUNE}", admin, NOW)
        await s.staff.grant(a.id, "leader", f"province:{PROVINCE}", admin, NOW)
        await s.staff.grant(b.id, "staff", f"branch:{branch.id}", admin, NOW + HOUR)
        await s.staff.grant(b.id, "staff", f"branch:{other.id}", admin, NOW)
        await s.staff.grant(admin, "admin", "all", None, NOW)
    province = await tx.read(
        lambda s: s.staff.role_holders([f"province:{PROVINCE}", f"commune:{COMMUNE}"], [COMMUNE])
    )
    assert [(h.user_id, h.role, h.unit) for h in province] == [
        (b.id, "staff", f"branch:{branch.id}"),
        (a.id, "staff", f"commune:{COMMUNE}"),
        (a.id, "leader", f"province:{PROVINCE}"),
    ]
    assert province[0] == RoleHolder(
        b.id, "staff", f"branch:{branch.id}", iso(NOW + HOUR), "Bình", None
    )
    assert len(await tx.read(lambda s: s.staff.role_holders(None))) == 5
    assert await tx.read(lambda s: s.staff.role_holders([], [])) == []
    only_branch = await tx.read(lambda s: s.staff.role_holders([f"branch:{other.id}"]))
    assert [h.user_id for h in only_branch] == [b.id]
    assert await tx(lambda s: s.staff.revoke(a.id, "staff", f"commune:{COMMUNE}")) is True
    assert await tx(lambda s: s.staff.revoke(a.id, "staff", f"commune:{COMMUNE}")) is False
    assert await tx.read(lambda s: s.staff.roles(a.id)) == [("leader", f"province:{PROVINCE}")]


async def test_role_removals_are_taken_one_at_a_time(backend):
    """lock_roles(): a removal checks its remover's roles after any removal in flight."""
    assert await second_waits_for_first(backend, lambda s: s.staff.lock_roles())


async def test_a_communes_branch_names_are_taken_one_at_a_time(backend):
    """lock_branch_names(): the check of a new name and its branch go together."""
    assert await second_waits_for_first(backend, lambda s: s.staff.lock_branch_names(5800))


async def test_skill_confirmations_are_recorded(tx, admin, dump):
    async with tx.db.transaction() as s:
        u = await learner(s, "telegram:1")
        await s.staff.confirm_skill(u.id, "thanh_toan", admin, NOW)
        await s.staff.confirm_skill(u.id, "thanh_toan", admin, NOW + DAY)  # evidence, not a set
    rows = (await dump())["skill_confirmations"]  # read back by no repository
    assert (
        sorted((r["user_id"], r["area"], r["confirmed_by"]) for r in rows)
        == [(u.id, "thanh_toan", admin)] * 2
    )


async def announce(s, admin, text, send_at, *, urgent=False, topic="chuyen_doi_so", **kw):
    return await s.staff.create_announcement(
        admin, "all", topic, text, None, send_at, urgent, NOW, **kw
    )


async def test_an_announcement_form_sent_twice_makes_one(backend, tx, admin):
    async with backend.transaction() as s:
        first = await announce(s, admin, "Họp", NOW, form_key="k" * 24)
        again = await announce(s, admin, "Họp", NOW, form_key="k" * 24)  # the same form
        other = await announce(s, admin, "Họp", NOW, form_key="j" * 24)  # a new one
        chat = [await announce(s, admin, "Họp", NOW) for _ in range(2)]  # no key: no check
    assert isinstance(first, int) and again is None
    assert len({first, other, *chat}) == 4
    assert len(await tx.read(lambda s: s.staff.due_announcements(NOW))) == 4


async def test_announcements_fall_due_in_send_order(backend, tx, admin):
    async with backend.transaction() as s:
        later = await announce(s, admin, "Sau", NOW + HOUR)
        first = await announce(s, admin, "Trước", NOW - HOUR, urgent=True)
        now = await s.staff.create_announcement(
            admin,
            f"commune:{COMMUNE}",
            "viec_lam",
            "Bây giờ",
            "an_toan",
            NOW,
            False,
            NOW,
            file_kind="image",
            file_path="media/a.jpg",
        )
    due = await tx.read(lambda s: s.staff.due_announcements(NOW))
    assert [tuple(r) for r in due] == [
        (first, admin, "all", "chuyen_doi_so", "Trước", None, 1, None, None),
        (
            now,
            admin,
            f"commune:{COMMUNE}",
            "viec_lam",
            "Bây giờ",
            "an_toan",
            0,
            "image",
            "media/a.jpg",
        ),
    ]
    await tx(lambda s: s.staff.mark_queued(first, 12))
    assert [r[0] for r in await tx.read(lambda s: s.staff.due_announcements(NOW + HOUR))] == [
        now,
        later,
    ]
    mine = await tx.read(lambda s: s.staff.announcements_by(admin))
    assert [tuple(r)[:4] for r in mine] == [  # newest first
        (now, "viec_lam", "Bây giờ", "scheduled"),
        (first, "chuyen_doi_so", "Trước", "queued"),
        (later, "chuyen_doi_so", "Sau", "scheduled"),
    ]
    assert tuple(mine[1])[5] == 12
    assert [r[0] for r in await tx.read(lambda s: s.staff.announcements_by(admin, limit=1))] == [
        now
    ]


async def test_an_announcement_is_checked(tx, admin, integrity_error):
    with pytest.raises(integrity_error):
        await tx(lambda s: announce(s, admin, "x", NOW, topic="bong_da"))
    with pytest.raises(integrity_error):
        await tx(lambda s: announce(s, admin, "x", NOW, file_kind="video", file_path="v.mp4"))


async def test_acknowledgements_count_once(backend, tx, admin, integrity_error):
    async with backend.transaction() as s:
        ann = await announce(s, admin, "Lớp học", NOW)
        again = await announce(s, admin, "Lớp học 2", NOW)
        u = await learner(s, "telegram:1")
    assert await tx(lambda s: s.staff.ack(ann, u.id, NOW)) is True
    assert await tx(lambda s: s.staff.ack(ann, u.id, NOW + HOUR)) is False
    assert await tx(lambda s: s.staff.ack(again, u.id, NOW + HOUR)) is True
    assert await tx(lambda s: s.staff.ack(ann, admin, NOW)) is True
    assert await tx.read(lambda s: s.staff.acks(ann)) == 2
    assert await tx.read(lambda s: s.staff.acks(again)) == 1
    assert await tx.read(lambda s: s.staff.acks(again + 1)) == 0
    with pytest.raises(integrity_error):  # only real announcements
        await tx(lambda s: s.staff.ack(again + 1, u.id, NOW))
