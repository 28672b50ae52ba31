"""store.staff, the class-code part: branch membership and renaming, class codes (many uses),
who started or finished with a code, codes kept before consent, and the older learners."""

from __future__ import annotations

import pytest

from storage.repos import iso
from storage.staff import Branch, ClassPerson, Invitation
from tests.storage.contract import COMMUNE, DAY, HOUR, MINUTE, NOW, learner


@pytest.fixture
async def admin(backend) -> int:
    async with backend.transaction() as s:
        return (await learner(s, "telegram:admin", display_name="Hòa")).id


@pytest.fixture
async def branch(tx, admin) -> Branch:
    return await tx(lambda s: s.staff.create_branch(COMMUNE, "Xóm Bãi", admin, NOW))


async def test_a_branch_is_renamed_and_a_user_belongs_to_one(backend, tx, admin, branch):
    async with backend.transaction() as s:
        await s.staff.rename_branch(branch.id, "Thôn Đông")
        await s.staff.rename_branch(branch.id + 99, "Không có")  # no such branch: nothing
        member = await learner(s, "telegram:m")
        await s.users.set_branch(member.id, branch.id)
    async with backend.reading() as s:
        assert await s.staff.branch(branch.id) == Branch(branch.id, COMMUNE, "Thôn Đông")
        assert await s.staff.branch(branch.id + 99) is None
        assert await s.staff.branch_of(member.id) == branch.id
        assert await s.staff.branch_of(admin) is None  # in no branch
        assert await s.staff.branch_of(member.id + 99) is None  # no such user


async def test_class_codes_are_open_many_use_codes_newest_first(backend, tx, admin, branch, dump):
    unit = f"branch:{branch.id}"
    async with backend.transaction() as s:
        old = await s.staff.create_invitation("member", unit, admin, NOW, max_uses=30)
        new = await s.staff.create_invitation("member", unit, admin, NOW + HOUR, max_uses=5)
        await s.staff.create_invitation("member", unit, admin, NOW)  # one use: not a class code
        short = await s.staff.create_invitation("member", unit, admin, NOW, days=1, max_uses=9)
        closed = await s.staff.create_invitation("member", unit, admin, NOW, max_uses=9)
        await s.staff.create_invitation("member", "branch:999", admin, NOW, max_uses=9)
        await s.staff.close_code(closed, NOW + MINUTE)
        await s.staff.close_code(closed, NOW + DAY)  # closing twice changes nothing
        await s.staff.close_code("HS-NOTONE", NOW)
    at = NOW + 2 * HOUR
    codes = await tx.read(lambda s: s.staff.class_codes(unit, at))
    assert [c.code for c in codes] == [new, *sorted([old, short])]  # same time: by code
    assert codes[0] == Invitation(new, "member", unit, 5, 0, iso(NOW + HOUR + 14 * DAY))
    assert all(c.is_class for c in codes)
    later = await tx.read(lambda s: s.staff.class_codes(unit, NOW + DAY))
    assert [c.code for c in later] == [new, old]  # the one-day code has expired
    assert await tx.read(lambda s: s.staff.class_codes("branch:1000", at)) == []
    async with backend.reading() as s:
        assert await s.staff.invitation(closed, at) is None  # closed: unusable
        assert await s.staff.invitation(short, NOW + DAY) is None  # expired
        assert await s.staff.invitation("HS-NOTONE", at) is None
        assert await s.staff.invitation(old, at) == Invitation(
            old, "member", unit, 30, 0, iso(NOW + 14 * DAY)
        )
    assert (await tx(lambda s: s.staff.redeem(closed, admin, at))) is None
    rows = {r["code"]: r for r in (await dump())["invitations"]}
    assert rows[closed]["closed_at"] == iso(NOW + MINUTE)


async def test_a_class_code_counts_each_use_until_it_is_used_up(backend, tx, admin, branch):
    unit = f"branch:{branch.id}"
    async with backend.transaction() as s:
        code = await s.staff.create_invitation("member", unit, admin, NOW, max_uses=2)
        a = await learner(s, "telegram:a")
        b = await learner(s, "telegram:b")
        c = await learner(s, "telegram:c")
    async with backend.transaction() as s:
        assert await s.staff.used_by(code, a.id) is False
        await s.staff.start_use(code, a.id, NOW)  # gave the code, not yet signed up
        assert await s.staff.used_by(code, a.id) is False
        assert await s.staff.redeem(code, a.id, NOW + MINUTE) == ("member", unit)
        assert await s.staff.used_by(code, a.id) is True
        assert await s.staff.used_by(code, b.id) is False
        assert (await s.staff.invitation(code, NOW + MINUTE)).uses == 1
        assert await s.staff.redeem(code, b.id, NOW + MINUTE) == ("member", unit)
        assert await s.staff.invitation(code, NOW + MINUTE) is None  # used up
        # a used-up code is still listed (with its count) until it is closed or expires
        assert await s.staff.class_codes(unit, NOW + MINUTE) == [
            Invitation(code, "member", unit, 2, 2, iso(NOW + 14 * DAY))
        ]
        assert await s.staff.redeem(code, c.id, NOW + MINUTE) is None
        assert await s.staff.used_by(code, c.id) is False
        assert await s.staff.used_by("HS-NOTONE", a.id) is False


async def test_the_class_screen_lists_who_gave_a_code_or_joined_lately(backend, tx, admin, branch):
    unit = f"branch:{branch.id}"
    async with backend.transaction() as s:
        first = await s.staff.create_invitation("member", unit, admin, NOW, max_uses=30)
        second = await s.staff.create_invitation("member", unit, admin, NOW, max_uses=30)
        other = await s.staff.create_invitation("member", "branch:999", admin, NOW, max_uses=30)
        late = await learner(s, "telegram:late", display_name="Lan", address_form="bà")
        early = await learner(s, "telegram:early", display_name="Bình")
        member = await learner(s, "telegram:member", last_active_at=iso(NOW))
        idle = await learner(s, "telegram:idle", last_active_at=iso(NOW - DAY))
        await s.users.set_branch(member.id, branch.id)
        await s.users.set_branch(idle.id, branch.id)
        elsewhere = await learner(s, "telegram:else")
        refused = await s.users.create("telegram:no", "refused", NOW)
        await s.staff.start_use(second, late.id, NOW + 2 * MINUTE)
        await s.staff.start_use(first, early.id, NOW + MINUTE)
        await s.staff.start_use(first, early.id, NOW + 5 * MINUTE)  # again: the first start stays
        await s.staff.redeem(second, early.id, NOW + 10 * MINUTE)  # a second code, joined
        await s.staff.start_use(other, elsewhere.id, NOW)
        await s.staff.start_use(first, refused.id, NOW)
        await s.conversations.save("telegram:late", "ask_name", {"step": 2}, NOW)
    people = await tx.read(lambda s: s.staff.class_people(unit, NOW - HOUR))
    # those who gave no code (a branch member, active since) come first, then by first start
    assert [p.id for p in people] == [member.id, early.id, late.id]
    by_id = {p.id: p for p in people}
    assert by_id[late.id] == ClassPerson(
        late.id,
        "bà",
        "Lan",
        iso(NOW),
        iso(NOW),  # sign-up made them active
        iso(NOW + 2 * MINUTE),
        None,
        "ask_name",
        {"step": 2},
    )
    assert by_id[early.id].started_at == iso(NOW + MINUTE)
    assert by_id[early.id].joined_at == iso(NOW + 10 * MINUTE)
    assert (by_id[early.id].state, by_id[early.id].data) == (None, {})
    assert (by_id[member.id].started_at, by_id[member.id].joined_at) == (None, None)
    assert idle.id not in by_id
    assert await tx.read(lambda s: s.staff.class_people("branch:1000", NOW - HOUR)) == []


async def test_a_code_given_before_consent_is_kept_taken_once_and_then_forgotten(tx):
    await tx(lambda s: s.staff.keep_pending("k1", "HS-AAAAAA", NOW))
    await tx(lambda s: s.staff.keep_pending("k1", "HS-BBBBBB", NOW + MINUTE))  # the latest wins
    await tx(lambda s: s.staff.keep_pending("k2", "HS-CCCCCC", NOW - DAY))
    await tx(lambda s: s.staff.keep_pending("k3", "HS-DDDDDD", NOW))
    assert await tx(lambda s: s.staff.take_pending("k1", NOW)) == "HS-BBBBBB"
    assert await tx(lambda s: s.staff.take_pending("k1", NOW)) is None  # taken: forgotten
    assert await tx(lambda s: s.staff.take_pending("k2", NOW - HOUR)) is None  # kept too long ago
    assert await tx(lambda s: s.staff.take_pending("k9", NOW)) is None
    assert await tx(lambda s: s.staff.take_pending("k3", NOW)) == "HS-DDDDDD"


async def test_a_stale_code_is_forgotten_when_any_other_is_taken(tx, dump):
    await tx(lambda s: s.staff.keep_pending("old", "HS-AAAAAA", NOW - DAY))
    await tx(lambda s: s.staff.keep_pending("new", "HS-BBBBBB", NOW))
    assert await tx(lambda s: s.staff.take_pending("none", NOW - HOUR)) is None
    assert [r["key"] for r in (await dump())["pending_codes"]] == ["new"]


async def test_older_learners_are_those_born_by_the_year_without_a_role(backend, tx, admin):
    async with backend.transaction() as s:
        old = await learner(s, "telegram:old", birth_year=1950)
        exactly = await learner(s, "telegram:60", birth_year=1966)
        young = await learner(s, "telegram:young", birth_year=1990)
        unknown = await learner(s, "telegram:unknown")
        staff = await learner(s, "telegram:staff", birth_year=1940)
        await s.staff.grant(staff.id, "staff", f"commune:{COMMUNE}", admin, NOW)
        elder = await learner(s, "telegram:elder", birth_year=1945)
    ids = [old.id, exactly.id, young.id, unknown.id, staff.id]  # elder not asked about
    assert await tx.read(lambda s: s.staff.older_learners(ids, 1966)) == {old.id, exactly.id}
    assert await tx.read(lambda s: s.staff.older_learners([elder.id, 9999], 1966)) == {elder.id}
    assert await tx.read(lambda s: s.staff.older_learners([], 1966)) == set()
