"""Official provinces and communes after the 07/2025 reorganisation, from `vietnam-provinces`.

People type part of a name, with or without diacritics ("thai nguyen", "Phú Thịnh", "tp hue"),
and pick from a short numbered list; codes are never typed by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz, process
from vietnam_provinces import Province, Ward

from bot.core.matching import fold, has_marks

_PREFIX = re.compile(r"^(tinh|thanh pho|tp|xa|phuong|dac khu|p|x)\s+")
_PREFIX_MARKS = re.compile(r"^(tỉnh|thành phố|tp|xã|phường|đặc khu|p|x)\s+")


@dataclass(frozen=True)
class Place:
    code: int
    name: str
    province_code: int  # equals code for a province
    bare: str  # folded name without its administrative prefix
    marked: str  # same, diacritics kept


def _core(name: str) -> tuple[str, str]:
    bare = fold(name)
    marked = fold(name, keep_marks=True)
    for _ in range(2):  # "Thành phố Hà Nội", "tp. Huế"
        bare = _PREFIX.sub("", bare)
        marked = _PREFIX_MARKS.sub("", marked)
    return bare, marked


@cache
def provinces() -> tuple[Place, ...]:
    out = []
    for p in Province.iter_all():
        bare, marked = _core(p.name)
        out.append(Place(int(p.code), p.name, int(p.code), bare, marked))
    return tuple(sorted(out, key=lambda p: p.bare))


@cache
def communes(province_code: int) -> tuple[Place, ...]:
    out = []
    for w in Ward.iter_all():
        if int(w.province_code) == province_code:
            bare, marked = _core(w.name)
            out.append(Place(int(w.code), w.name, province_code, bare, marked))
    return tuple(sorted(out, key=lambda p: p.bare))


@cache
def all_communes() -> tuple[Place, ...]:
    return tuple(c for p in provinces() for c in communes(p.code))


@cache
def province(code: int) -> Place | None:
    return next((p for p in provinces() if p.code == code), None)


def commune(code: int) -> Place | None:
    try:
        w = Ward.from_code(code)  # type: ignore[arg-type]
    except (ValueError, KeyError):
        return None
    return next((c for c in communes(int(w.province_code)) if c.code == code), None)


#: Names people commonly use for a province instead of its official one.
PROVINCE_ALIASES = {
    "hcm": 79,
    "tphcm": 79,
    "tp hcm": 79,
    "sai gon": 79,
    "saigon": 79,
    "dac lac": 66,
    "xu thanh": 38,
    "sg": 79,
    "hn": 1,
    "hue": 46,
    "da nang": 48,
    "dn": 48,
    "hp": 31,
    "can tho": 92,
}


def search_provinces(query: str, limit: int = 5, fuzzy: bool = True) -> tuple[list[Place], int]:
    alias = PROVINCE_ALIASES.get(fold(query).replace("thanh pho ", "tp "))
    if alias is not None:
        found = province(alias)
        if found is not None:
            return [found], 1
    return search(query, provinces(), limit, fuzzy)


def search(
    query: str, places: tuple[Place, ...], limit: int = 5, fuzzy: bool = True
) -> tuple[list[Place], int]:
    """Best matches first, and how many matched in all (to suggest typing more)."""
    bare, marked = _core(query)
    if not bare:
        return [], 0
    keep = has_marks(query)

    def rank(p: Place) -> int | None:
        name = p.bare
        if name == bare:
            r = 0
        elif name.startswith(bare):
            r = 1
        elif f" {bare}" in f" {name}":
            r = 2
        elif bare in name:
            r = 3
        else:
            return None
        # When diacritics were typed, prefer names that carry the same ones.
        if keep and marked not in p.marked:
            r += 4
        return r

    ranked = [(r, p) for p in places if (r := rank(p)) is not None]
    if ranked:
        ranked.sort(key=lambda rp: (rp[0], len(rp[1].bare), rp[1].bare))
        return [p for _, p in ranked[:limit]], len(ranked)
    if not fuzzy:
        return [], 0
    # Typos: fall back to fuzzy similarity on the bare names.
    hits = process.extract(
        bare, [p.bare for p in places], scorer=fuzz.WRatio, limit=limit, score_cutoff=75
    )
    found = [places[i] for _, _, i in hits]
    return found, len(found)
