"""The permission matrix: every action, by every role, inside and outside its scope."""

import datetime as dt

import pytest

from bot.core.permissions import ACTIONS, ROLE_ACTIONS, allowed, chain
from storage.db import Database
from storage.staff import StaffRepo
from storage.store import Store

NOW = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
# Phú Thịnh (commune 5800) is in Thái Nguyên (province 19); Hoàn Kiếm (70) is in Hà Nội (1).
INSIDE = {
    "province:19": ["province:19", "commune:5800", "branch:1"],
    "commune:5800": ["commune:5800", "branch:1"],
    "branch:1": ["branch:1"],
}
OUTSIDE = {
    "province:19": ["province:1", "commune:70", "branch:2", "all"],
    "commune:5800": ["province:19", "commune:70", "branch:2", "all"],
    "branch:1": ["commune:5800", "branch:2", "province:19", "all"],
}


@pytest.fixture
async def conn(tmp_path):
    db = await Database.open(tmp_path / "p.db")
    async with db.sql(write=True) as c:
        c_ = StaffRepo(c)
        await c.execute(
            "INSERT INTO users (id, identity, consent, consent_at, created_at,"
            " last_active_at) VALUES (1, 'sim:s', 'given', 't', 't', 't')"
        )
        assert (await c_.create_branch(5800, "Xóm Một", 1, NOW)).id == 1
        assert (await c_.create_branch(70, "Tổ Hai", 1, NOW)).id == 2
    yield db.conn
    await db.close()


async def test_unit_chains(conn):
    assert await chain(Store(conn), "branch:1") == [
        "branch:1",
        "commune:5800",
        "province:19",
        "all",
    ]
    assert await chain(Store(conn), "commune:70") == ["commune:70", "province:1", "all"]
    for bad in ("branch:99", "commune:999999", "province:2", "xa:1", "province:x"):
        assert await chain(Store(conn), bad) is None


@pytest.mark.parametrize("role", ["admin", "leader", "staff"])
@pytest.mark.parametrize("home", list(INSIDE))
async def test_every_action_by_every_role_in_and_out_of_scope(conn, role, home):
    roles = [(role, home)]
    for action in ACTIONS:
        expected = action in ROLE_ACTIONS[role]
        for unit in INSIDE[home]:
            assert await allowed(Store(conn), roles, action, unit) == expected, (
                role,
                home,
                action,
                unit,
            )
        for unit in OUTSIDE[home]:
            assert not await allowed(Store(conn), roles, action, unit), (role, home, action, unit)


async def test_no_role_allows_nothing_and_national_admin_everything(conn):
    for action in ACTIONS:
        for unit in ("all", "province:19", "commune:70", "branch:2"):
            assert not await allowed(Store(conn), [], action, unit)
            assert await allowed(Store(conn), [("admin", "all")], action, unit)


async def test_unknown_action_is_a_programming_error(conn):
    with pytest.raises(ValueError):
        await allowed(Store(conn), [("admin", "all")], "drop_tables", "all")
