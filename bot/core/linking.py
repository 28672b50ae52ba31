"""One person on two channels: a one-time code links their Zalo and Telegram identities.

Typing «liên kết» on one channel shows a six-digit code; typing «liên kết 123 456» on the other
merges the learner behind the second identity into the one who showed the code, and from then
on both identities resolve to that one learner (table `identities`). Progress is merged, not
chosen: answers are moved, mastery of a competency practised on both sides is recomputed by
replaying all answers in time order, and lessons, areas and the proficient flag follow.

A code is valid once, for CODE_TTL; wrong codes are counted per (hashed) identity so that
nobody can reach another person's progress by guessing.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

import aiosqlite

from bot import texts
from bot.core import mastery as bkt
from bot.core.flow import SCREENS, go
from bot.core.matching import fold
from bot.core.turn import Turn
from lessons import Content
from lessons.schema import NATIONAL_AREAS
from scenarios.loader import Scenarios
from storage.repos import ConversationRepo, ProgressRepo, User, UserRepo, iso

CODE_TTL = dt.timedelta(minutes=15)
CODE_DIGITS = 6
MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(hours=1)

_REQUEST = re.compile(r"^lien ket\b")
_FILLER = frozenset({"tai", "khoan", "zalo", "telegram", "ma", "so", "voi", "bang", "la", "a"})


def parse(text: str) -> tuple[bool, str | None]:
    """(is a link request, the code typed or None); a malformed code comes back as ""."""
    words = fold(text).split()
    if len(words) < 2 or words[:2] != ["lien", "ket"]:
        return False, None
    rest = words[2:]
    if any(not w.isdigit() and w not in _FILLER for w in rest):
        return False, None  # a sentence that merely starts with the words
    digits = "".join(w for w in rest if w.isdigit())
    if not digits:
        return True, None
    return True, digits if len(digits) == CODE_DIGITS else ""


# --- resolving identities (used by the engine and the channels) ---


async def user_by_id(conn: aiosqlite.Connection, user_id: int) -> User | None:
    async with conn.execute("SELECT identity FROM users WHERE id = ?", (user_id,)) as cur:
        row = await cur.fetchone()
    return await UserRepo(conn).by_identity(row[0]) if row else None


async def _alias(conn: aiosqlite.Connection, identity: str) -> tuple[int, bool] | None:
    async with conn.execute(
        "SELECT user_id, blocked FROM identities WHERE identity = ?", (identity,)
    ) as cur:
        row = await cur.fetchone()
    return (row[0], bool(row[1])) if row else None


async def resolve(conn: aiosqlite.Connection, identity: str) -> User | None:
    """The learner behind a channel identity: their own, a refusal row, or a linked one."""
    user = await UserRepo(conn).find(identity)
    if user is not None:
        return user
    alias = await _alias(conn, identity)
    return await user_by_id(conn, alias[0]) if alias else None


async def set_blocked(conn: aiosqlite.Connection, identity: str, blocked: bool) -> None:
    """Blocking is per identity: a linked identity has its own flag."""
    if await _alias(conn, identity) is not None:
        await conn.execute(
            "UPDATE identities SET blocked = ? WHERE identity = ?", (int(blocked), identity)
        )
        return
    user = await UserRepo(conn).find(identity)
    if user is not None:
        await UserRepo(conn).update(user.id, blocked=int(blocked))


async def is_blocked(conn: aiosqlite.Connection, identity: str) -> bool:
    alias = await _alias(conn, identity)
    if alias is not None:
        return alias[1]
    user = await UserRepo(conn).find(identity)
    return bool(user and user.blocked)


# --- the conversation hook ---


async def on_text(t: Turn, text: str) -> bool:
    """Handle «liên kết» (show a code) and «liên kết <code>» (link); False for anything else."""
    is_request, code = parse(text)
    if not is_request:
        return False
    if code is None:
        await _show_code(t)
    else:
        await _redeem(t, code)
    return True


def _other_channel(identity: str) -> str:
    return texts.LINK_OTHER.get(identity.partition(":")[0], texts.LINK_OTHER_ANY)


def _keep_buttons(t: Turn) -> list[tuple[str, str]]:
    return [(b.id, b.label) for b in t.current_buttons()]


async def _show_code(t: Turn) -> None:
    if not t.tracked:
        t.say(texts.LINK_HOW, _keep_buttons(t))
        return
    now = iso(t.now)
    await t.conn.execute(
        "DELETE FROM link_codes WHERE expires_at <= ? OR user_id = ?", (now, t.user.id)
    )
    while True:
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        cur = await t.conn.execute(
            "INSERT OR IGNORE INTO link_codes (code, user_id, identity, expires_at)"
            " VALUES (?, ?, ?, ?)",
            (code, t.user.id, t.identity, iso(t.now + CODE_TTL)),
        )
        if cur.rowcount == 1:
            break
    t.say(
        texts.LINK_CODE,
        _keep_buttons(t),
        code=f"{code[:3]} {code[3:]}",
        other=_other_channel(t.identity),
        minutes=int(CODE_TTL.total_seconds() // 60),
    )


async def _too_many_failures(t: Turn, key: str) -> bool:
    async with t.conn.execute(
        "SELECT failures, window_start FROM link_attempts WHERE key = ?", (key,)
    ) as cur:
        row = await cur.fetchone()
    if row is None or dt.datetime.fromisoformat(row[1]) + FAILURE_WINDOW <= t.now:
        return False
    return row[0] >= MAX_FAILURES


async def _record_failure(t: Turn, key: str) -> None:
    async with t.conn.execute(
        "SELECT window_start FROM link_attempts WHERE key = ?", (key,)
    ) as cur:
        row = await cur.fetchone()
    if row is None or dt.datetime.fromisoformat(row[0]) + FAILURE_WINDOW <= t.now:
        await t.conn.execute(
            "INSERT OR REPLACE INTO link_attempts (key, failures, window_start) VALUES (?, 1, ?)",
            (key, iso(t.now)),
        )
    else:
        await t.conn.execute(
            "UPDATE link_attempts SET failures = failures + 1 WHERE key = ?", (key,)
        )


async def _redeem(t: Turn, code: str) -> None:
    key = await t.users.anon_key(f"link:{t.identity}")
    if await _too_many_failures(t, key):
        t.say(texts.LINK_TOO_MANY, _keep_buttons(t))
        return
    async with t.conn.execute(
        "SELECT user_id, identity FROM link_codes WHERE code = ? AND expires_at > ?",
        (code, iso(t.now)),
    ) as cur:
        row = await cur.fetchone()
    if row is None:
        await _record_failure(t, key)
        t.say(texts.LINK_BAD_CODE, _keep_buttons(t))
        return
    target_id, shown_on = row
    if shown_on == t.identity:
        t.say(texts.LINK_SAME_CHANNEL, _keep_buttons(t), other=_other_channel(t.identity))
        return
    await t.conn.execute("DELETE FROM link_codes WHERE code = ?", (code,))
    await t.conn.execute("DELETE FROM link_attempts WHERE key = ?", (key,))
    if t.user is not None and t.user.id == target_id:
        t.say(texts.LINK_ALREADY, _keep_buttons(t))
        return
    target = await user_by_id(t.conn, target_id)
    assert target is not None  # codes cascade with their user
    await link(t.conn, t.content, target, t.identity, t.user, t.now, t.scenarios)
    await _continue_as(t, target)


async def link(
    conn: aiosqlite.Connection,
    content: Content,
    target: User,
    identity: str,
    current: User | None,
    now: dt.datetime,
    scenarios: Scenarios | None = None,
) -> None:
    """Make `identity` resolve to `target`, merging whatever learner it resolved to before."""
    if current is not None:
        if current.tracked:
            await merge_users(conn, content, target, current, now, scenarios)
        else:  # an earlier refusal: only an anonymous row, nothing to keep
            await ConversationRepo(conn).delete(current.identity)
            await UserRepo(conn).delete(current.id)
    if identity != target.identity:
        await conn.execute(
            "INSERT INTO identities (identity, user_id, linked_at) VALUES (?, ?, ?)"
            " ON CONFLICT (identity) DO UPDATE SET user_id = excluded.user_id",
            (identity, target.id, iso(now)),
        )


async def _continue_as(t: Turn, target: User) -> None:
    """Carry on in the linked learner's conversation, where they left it."""
    t.user = await user_by_id(t.conn, target.id)
    t.conv_key = t.user.identity
    saved = await ConversationRepo(t.conn).load(t.conv_key)
    if saved is not None and saved[0] in SCREENS:
        t.state, t.data = saved
    elif not t.user.registered_at:
        t.state, t.data = "onboard.address", {}
    else:
        t.state, t.data = "menu", {}
    t.say(texts.LINK_DONE)
    if t.state.startswith("onboard."):
        await SCREENS[t.state].show(t)
    else:
        await go(t, "menu")


# --- merging two learners ---

_PROFILE = ("address_form", "display_name", "birth_year")
_PLACE = ("province_code", "commune_code", "branch_code")


async def merge_users(
    conn: aiosqlite.Connection,
    content: Content,
    into: User,
    src: User,
    now: dt.datetime,
    scenarios: Scenarios | None = None,
) -> None:
    """Move everything `src` learned into `into`, then delete `src` (its identities stay)."""
    users = UserRepo(conn)
    fill = {k: getattr(src, k) for k in _PROFILE if getattr(into, k) is None}
    if into.commune_code is None and src.commune_code is not None:
        fill.update({k: getattr(src, k) for k in _PLACE})  # a place is taken whole or not at all
    if not into.registered_at and src.registered_at:
        fill["registered_at"] = src.registered_at
    if into.sex is None and src.sex is not None:
        fill["sex"] = src.sex
    if into.groups() is None and (groups := src.groups()) is not None:
        fill.update(groups)  # the groups answer is taken whole, like a place
    fill = {k: v for k, v in fill.items() if v is not None}
    if fill:
        await users.update(into.id, **fill)

    await conn.execute("UPDATE answers SET user_id = ? WHERE user_id = ?", (into.id, src.id))
    await _merge_mastery(conn, content, into.id, src.id, now, scenarios)
    await _merge_lessons(conn, into.id, src.id)

    await conn.execute("UPDATE identities SET user_id = ? WHERE user_id = ?", (into.id, src.id))
    if not src.identity.startswith("anon:"):
        await conn.execute(
            "INSERT OR REPLACE INTO identities (identity, user_id, blocked, linked_at)"
            " VALUES (?, ?, ?, ?)",
            (src.identity, into.id, int(src.blocked), iso(now)),
        )
    await ConversationRepo(conn).delete(src.identity)
    await users.delete(src.id)
    merged = await user_by_id(conn, into.id)
    assert merged is not None
    await recompute_areas(conn, content, merged, now)


async def _merge_mastery(
    conn: aiosqlite.Connection,
    content: Content,
    into: int,
    src: int,
    now: dt.datetime,
    scenarios: Scenarios | None = None,
) -> None:
    progress = ProgressRepo(conn)
    mine, theirs = await progress.mastery(into), await progress.mastery(src)
    for comp in theirs.keys() - mine.keys():
        await conn.execute(
            "UPDATE mastery SET user_id = ? WHERE user_id = ? AND competency = ?",
            (into, src, comp),
        )
    shared = mine.keys() & theirs.keys()
    if not shared:
        return
    # Answers are already moved: replay them in time order for the shared competencies.
    replay: dict[str, tuple[float, int, int]] = {}
    async with conn.execute(
        "SELECT question_id, correct FROM answers WHERE user_id = ? ORDER BY answered_at, id",
        (into,),
    ) as cur:
        rows = [tuple(r) async for r in cur]
    for question_id, correct in rows:
        found = content.questions.get(question_id)
        if found is not None:
            lesson, q = found
            params, comps = bkt.BktParams(**lesson.bkt.model_dump()), q.competencies
        elif scenarios is not None and question_id in scenarios.by_id:  # a practice scenario
            from bot.core.practice import SCENARIO_BKT

            params, comps = SCENARIO_BKT, scenarios.by_id[question_id].competencies
        else:
            continue
        for comp in set(comps) & shared:
            p, attempts, right = replay.get(comp, (params.prior, 0, 0))
            replay[comp] = (bkt.update(p, bool(correct), params), attempts + 1, right + correct)
    for comp in shared:
        if comp in replay:
            p, attempts, right = replay[comp]
        else:  # the questions are gone from the content: keep the better-practised estimate
            best = max(mine[comp], theirs[comp], key=lambda r: r.attempts)
            p, attempts, right = best.p_known, best.attempts, best.correct
        await conn.execute(
            "UPDATE mastery SET p_known = ?, mastered = ?, attempts = ?, correct = ?,"
            " updated_at = ? WHERE user_id = ? AND competency = ?",
            (p, int(bkt.is_mastered(p)), attempts, right, iso(now), into, comp),
        )


async def _merge_lessons(conn: aiosqlite.Connection, into: int, src: int) -> None:
    async def rows(user_id: int) -> dict[str, tuple]:
        async with conn.execute(
            "SELECT lesson_id, started_at, completed_at, correct, total FROM lesson_progress"
            " WHERE user_id = ?",
            (user_id,),
        ) as cur:
            return {r[0]: tuple(r) async for r in cur}

    mine, theirs = await rows(into), await rows(src)
    for lesson_id, (_, started, completed, correct, total) in theirs.items():
        if lesson_id not in mine:
            await conn.execute(
                "UPDATE lesson_progress SET user_id = ? WHERE user_id = ? AND lesson_id = ?",
                (into, src, lesson_id),
            )
            continue
        _, my_started, my_completed, *_ = mine[lesson_id]
        await conn.execute(
            "UPDATE lesson_progress SET started_at = ? WHERE user_id = ? AND lesson_id = ?",
            (min(started, my_started), into, lesson_id),
        )
        if completed and (not my_completed or completed > my_completed):
            await conn.execute(
                "UPDATE lesson_progress SET completed_at = ?, correct = ?, total = ?"
                " WHERE user_id = ? AND lesson_id = ?",
                (completed, correct, total, into, lesson_id),
            )


async def recompute_areas(
    conn: aiosqlite.Connection, content: Content, user: User, now: dt.datetime
) -> None:
    """Areas and the proficient flag from the learner's mastery, as learning.trace keeps them:
    after a merge, or a move to another commune (whose local area has other competencies)."""
    progress = ProgressRepo(conn)
    rows = await progress.mastery(user.id)
    units = user.units()
    known = await progress.areas(user.id)
    for area in content.areas:
        comps = content.competencies_in(area, units)
        done = bool(comps) and all(rows.get(c) and rows[c].mastered for c in comps)
        if area in known or done:
            await progress.set_area(user.id, area, done, now)
    areas = await progress.areas(user.id)
    proficient = all(areas.get(a, False) for a in NATIONAL_AREAS)
    if proficient != user.proficient:
        await UserRepo(conn).update(user.id, proficient=int(proficient))
