"""Who may do what, where. Checked in the core, whatever channel the request came from.

Units are "province:<code>", "commune:<code>", "branch:<id>" and "all" (the country). A role
at a unit holds for that unit and everything below it.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from bot import texts
from bot.core import places
from bot.core.matching import fold, has_marks
from bot.domain import Unit
from storage.store import Store

TYPO_SCORE = 80
_CHI_HOI = re.compile(r"^\s*chi\s+h[oộô]i\s+", re.I)

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
    "scam_examples",
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
            "scam_examples",
        }
    ),
    "leader": frozenset({"report", "scam_examples"}),
}


async def chain(store: Store, unit: str) -> list[str] | None:
    """The unit and every unit above it, or None if the unit does not exist."""
    u = Unit.parse(unit)
    if u is None:
        return None
    if u.kind == "all":
        return [u]
    if u.kind == "province":
        return [u, Unit.everywhere()] if places.province(u.code) else None
    if u.kind == "commune":
        c = places.commune(u.code)
        return [u, Unit.province(c.province_code), Unit.everywhere()] if c else None
    b = await store.staff.branch(u.code)
    if b is None:
        return None
    above = await chain(store, Unit.commune(b.commune_code))
    return [u, *(above or [])]


async def allowed(store: Store, roles: list[tuple[str, str]], action: str, unit: str) -> bool:
    """Whether any of `roles` grants `action` at `unit` (its own unit or one above it)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    above = await chain(store, unit)
    if above is None:
        return False
    return any(action in ROLE_ACTIONS.get(role, ()) and where in above for role, where in roles)


async def unit_name(store: Store, unit: str) -> str:
    u = Unit.parse(unit)
    kind, code = (u.kind, u.code) if u else (None, None)
    if kind == "all":
        return "cả nước"
    if kind == "province" and (p := places.province(code)):
        return p.name
    if kind == "commune" and (c := places.commune(code)):
        return f"{c.name} ({places.province(c.province_code).name})"
    if kind == "branch" and code == 0:
        return texts.REPORT_NO_BRANCH
    if kind == "branch" and (b := await store.staff.branch(code)):
        return f"{branch_title(b.name)}, {places.commune(b.commune_code).name}"
    return texts.UNIT_UNKNOWN


def branch_title(name: str) -> str:
    """ "Chi hội Xóm Đông" from "Xóm Đông", and never "Chi hội Chi hội Xóm Đông"."""
    return name if fold(name).startswith("chi hoi") else f"Chi hội {name}"


async def unit_codes(store: Store, unit: str) -> tuple[int | None, int | None, int | None]:
    """(province, commune, branch) of a unit, so "this unit and below" filters like learners."""
    u = Unit.parse(unit)
    kind, code = (u.kind, u.code) if u else (None, None)
    if kind == "province":
        return code, None, None
    if kind == "commune" and (c := places.commune(code)):
        return c.province_code, c.code, None
    if kind == "branch" and (b := await store.staff.branch(code)):
        c = places.commune(b.commune_code)
        return (c.province_code if c else None), b.commune_code, b.id
    return None, None, None


def _branch_place(b) -> places.Place | None:
    """A branch as a searchable place (its name without «Chi hội»), or None if its commune is
    gone."""
    c = places.commune(b.commune_code)
    if c is None:
        return None
    bare, marked = fold(b.name), fold(b.name, keep_marks=True)
    bare = bare.removeprefix("chi hoi ").strip() or bare
    marked = marked.removeprefix("chi hội ").strip() or marked
    return places.Place(b.id, b.name, c.province_code, bare, marked)


async def find_units(store: Store, query: str, *, fuzzy: bool = True) -> list[Unit]:
    """The units a person means by `query`: a code ("commune:16690", "all") or a Vietnamese name
    of a province, commune or branch, typed with or without diacritics and prefixes ("xã",
    "chi hội"). Exact names win over names that only contain the words; typos count only when
    nothing else matched. Provinces first, then communes, then branches."""
    text = query.strip()
    u = Unit.parse(text)
    if u is not None or ":" in text:  # a code ("commune:5800"), right or wrong: never a name
        return [u] if u is not None and await chain(store, u) else []
    if fold(text) in ("ca nuoc", "toan quoc", "all"):
        return [Unit.everywhere()]
    branches = tuple(p for b in await store.staff.all_branches() if (p := _branch_place(b)))
    bare = places._core(text)[0]
    as_branch = _CHI_HOI.sub("", text)
    branch_bare = places._core(as_branch)[0]
    if not bare:
        return []
    for fuzz_now in (False, True) if fuzzy else (False,):
        found: list[tuple[str, places.Place, bool]] = []
        provinces, _ = places.search_provinces(text, limit=100, fuzzy=fuzz_now)
        found += [("province", p, p.bare == bare) for p in provinces]
        communes, _ = places.search(text, places.all_communes(), limit=100, fuzzy=fuzz_now)
        found += [("commune", c, c.bare == bare) for c in communes]
        if branch_bare:
            hits, _ = places.search(as_branch, branches, limit=100, fuzzy=fuzz_now)
            found += [("branch", b, b.bare == branch_bare) for b in hits]
        if fuzz_now:  # typos only: close to the whole name, not to a piece of it
            found = [f for f in found if fuzz.ratio(bare, f[1].bare) >= TYPO_SCORE]
        if found:
            exact = [(k, p) for k, p, same in found if same]
            if has_marks(text):  # "Phú Thịnh" typed with its marks: not "Phù Thịnh"
                marked = fold(text, keep_marks=True)
                exact = [(k, p) for k, p in exact if p.marked in marked] or exact
            return [Unit(k, p.code) for k, p in (exact or [(k, p) for k, p, _ in found])]
    return []
