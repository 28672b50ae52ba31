"""Who may do what, where. Checked in the core, whatever channel the request came from.

Units are "province:<code>", "commune:<code>", "branch:<id>" and "all" (the country). A role
at a unit holds for that unit and everything below it.
"""

from __future__ import annotations

from bot.core import places
from storage.store import Store

ACTIONS = (
    "announce",
    "invite_member",
    "invite_staff",
    "invite_leader",
    "invite_admin",
    "members",
    "confirm_skill",
    "set_population",
    "create_branch",
    "record_indicator",
    "report",
)
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(ACTIONS),
    "staff": frozenset(
        {
            "announce",
            "invite_member",
            "members",
            "confirm_skill",
            "set_population",
            "create_branch",
            "record_indicator",
        }
    ),
    "leader": frozenset({"report"}),
}


async def chain(store: Store, unit: str) -> list[str] | None:
    """The unit and every unit above it, or None if the unit does not exist."""
    kind, _, code = unit.partition(":")
    if unit == "all":
        return ["all"]
    if not code.isdigit():
        return None
    if kind == "province":
        return [unit, "all"] if places.province(int(code)) else None
    if kind == "commune":
        c = places.commune(int(code))
        return [unit, f"province:{c.province_code}", "all"] if c else None
    if kind == "branch":
        b = await store.staff.branch(int(code))
        if b is None:
            return None
        above = await chain(store, f"commune:{b.commune_code}")
        return [unit, *(above or [])]
    return None


async def allowed(store: Store, roles: list[tuple[str, str]], action: str, unit: str) -> bool:
    """Whether any of `roles` grants `action` at `unit` (its own unit or one above it)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    above = await chain(store, unit)
    if above is None:
        return False
    return any(action in ROLE_ACTIONS.get(role, ()) and where in above for role, where in roles)


def unit_of(
    province_code: int | None, commune_code: int | None, branch_id: int | None
) -> str | None:
    """The most specific unit a member belongs to."""
    if branch_id is not None:
        return f"branch:{branch_id}"
    if commune_code is not None:
        return f"commune:{commune_code}"
    if province_code is not None:
        return f"province:{province_code}"
    return None


async def unit_name(store: Store, unit: str) -> str:
    kind, _, code = unit.partition(":")
    if unit == "all":
        return "cả nước"
    if kind == "province" and (p := places.province(int(code))):
        return p.name
    if kind == "commune" and (c := places.commune(int(code))):
        return f"{c.name} ({places.province(c.province_code).name})"
    if kind == "branch" and (b := await store.staff.branch(int(code))):
        return f"Chi hội {b.name}, {places.commune(b.commune_code).name}"
    return unit


async def unit_codes(store: Store, unit: str) -> tuple[int | None, int | None, int | None]:
    """(province, commune, branch) of a unit, so "this unit and below" filters like learners."""
    kind, _, code = unit.partition(":")
    if kind == "province":
        return int(code), None, None
    if kind == "commune" and (c := places.commune(int(code))):
        return c.province_code, c.code, None
    if kind == "branch" and (b := await store.staff.branch(int(code))):
        c = places.commune(b.commune_code)
        return (c.province_code if c else None), b.commune_code, b.id
    return None, None, None
