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

from bot import texts
from bot.core import mastery as bkt
from bot.core.flow import SCREENS, go
from bot.core.matching import fold
from bot.core.turn import Turn
from lessons import Content
from lessons.schema import NATIONAL_AREAS
from scenarios.loader import Scenarios
from storage.repos import LessonRow, User
from storage.store import Store

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


async def resolve(store: Store, identity: str) -> User | None:
    """The learner behind a channel identity: their own, a refusal row, or a linked one."""
    user = await store.users.find(identity)
    if user is not None:
        return user
    alias = await store.identities.alias(identity)
    return await store.users.by_id(alias[0]) if alias else None


async def set_blocked(store: Store, identity: str, blocked: bool) -> None:
    """Blocking is per identity: a linked identity has its own flag."""
    if await store.identities.alias(identity) is not None:
        await store.identities.set_blocked(identity, blocked)
        return
    user = await store.users.find(identity)
    if user is not None:
        await store.users.update(user.id, blocked=int(blocked))


async def is_blocked(store: Store, identity: str) -> bool:
    alias = await store.identities.alias(identity)
    if alias is not None:
        return alias[1]
    user = await store.users.find(identity)
    return bool(user and user.blocked)


async def blocked_among(store: Store, identities: list[str]) -> set[str]:
    """`is_blocked` for a whole batch (the outbox claims 50 rows at a time): two queries, and
    one by one only for identities found in neither table (a refusal's hashed row, a stranger)."""
    flags = await store.identities.blocked_among(identities)
    for i in dict.fromkeys(identities):
        if i not in flags:
            flags[i] = await is_blocked(store, i)
    return {i for i, b in flags.items() if b}


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
    code = await t.store.links.create(t.user.id, t.identity, t.now, CODE_TTL, CODE_DIGITS)
    t.say(
        texts.LINK_CODE,
        _keep_buttons(t),
        code=f"{code[:3]} {code[3:]}",
        other=_other_channel(t.identity),
        minutes=int(CODE_TTL.total_seconds() // 60),
    )


async def too_many_failures(t: Turn, key: str) -> bool:
    """Whether `key` (a hashed identity) guessed wrong too often within the window."""
    return await t.store.throttle.failures(key, t.now, FAILURE_WINDOW) >= MAX_FAILURES


async def record_failure(t: Turn, key: str) -> None:
    await t.store.throttle.fail(key, t.now, FAILURE_WINDOW)


async def _redeem(t: Turn, code: str) -> None:
    key = await t.users.anon_key(f"link:{t.identity}")
    if await too_many_failures(t, key):
        t.say(texts.LINK_TOO_MANY, _keep_buttons(t))
        return
    row = await t.store.links.find(code, t.now)
    if row is None:
        await record_failure(t, key)
        t.say(texts.LINK_BAD_CODE, _keep_buttons(t))
        return
    target_id, shown_on = row
    if shown_on == t.identity:
        t.say(texts.LINK_SAME_CHANNEL, _keep_buttons(t), other=_other_channel(t.identity))
        return
    # The learner behind the code is another person (another conversation): their own turn
    # may be running in another worker, and someone else may be typing this code right now.
    # Wait for their lock, then use the code only if it is still there, and merge into them
    # as their last turn left them (PostgreSQL; SQLite has one writer at a time).
    target = await t.store.users.by_id(target_id)
    if target is not None:
        await t.store.conversations.lock(target.identity)
    if target is None or not await t.store.links.use(code, t.now):
        t.say(texts.LINK_BAD_CODE, _keep_buttons(t))  # used up meanwhile
        return
    await t.store.throttle.clear(key)
    if t.user is not None and t.user.id == target_id:
        t.say(texts.LINK_ALREADY, _keep_buttons(t))
        return
    target = await t.store.users.by_id(target_id)
    assert target is not None  # codes cascade with their user, and the code was there
    await link(t.store, t.content, target, t.identity, t.user, t.now, t.scenarios)
    await _continue_as(t, target)


async def link(
    store: Store,
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
            await merge_users(store, content, target, current, now, scenarios)
        else:  # an earlier refusal: only an anonymous row, nothing to keep
            await store.conversations.delete(current.identity)
            await store.users.delete(current.id)
    if identity != target.identity:
        await store.identities.link(identity, target.id, now)


async def _continue_as(t: Turn, target: User) -> None:
    """Carry on in the linked learner's conversation, where they left it."""
    t.user = await t.store.users.by_id(target.id)
    t.conv_key = t.user.identity
    saved = await t.store.conversations.load(t.conv_key)
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
    store: Store,
    content: Content,
    into: User,
    src: User,
    now: dt.datetime,
    scenarios: Scenarios | None = None,
) -> None:
    """Move everything `src` learned into `into`, then delete `src` (its identities stay)."""
    users = store.users
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

    await store.progress.move_answers(src.id, into.id)
    await _merge_mastery(store, content, into.id, src.id, now, scenarios)
    await _merge_lessons(store, into.id, src.id)

    await store.identities.move(src.id, into.id)
    if not src.identity.startswith("anon:"):
        await store.identities.link(src.identity, into.id, now, blocked=src.blocked)
    await store.conversations.delete(src.identity)
    await users.delete(src.id)
    merged = await users.by_id(into.id)
    assert merged is not None
    await recompute_areas(store, content, merged, now)


async def _merge_mastery(
    store: Store,
    content: Content,
    into: int,
    src: int,
    now: dt.datetime,
    scenarios: Scenarios | None = None,
) -> None:
    progress = store.progress
    mine, theirs = await progress.mastery(into), await progress.mastery(src)
    for comp in theirs.keys() - mine.keys():
        await progress.move_mastery(src, into, comp)
    # Answers are already moved: replay them all in time order through the mastery model, since
    # evidence from one account (a lesson taken) can complete a competency of the other.
    learner = bkt.Learner(bkt.model_for(content, scenarios))
    counts: dict[str, tuple[int, int]] = {}
    for event in await progress.answer_events(into):
        for comp in learner.observe(*event):
            attempts, right = counts.get(comp, (0, 0))
            counts[comp] = (attempts + 1, right + int(event[3]))
    for comp in mine.keys() | theirs.keys():
        if comp in counts:
            p, mastered = learner.p[comp], learner.mastered(comp)
            attempts, right = counts[comp]
        else:  # the questions are gone from the content: keep the better-practised estimate
            best = max(
                (r for r in (mine.get(comp), theirs.get(comp)) if r), key=lambda r: r.attempts
            )
            p, mastered, attempts, right = best.p_known, best.mastered, best.attempts, best.correct
        await progress.replace_mastery(into, comp, p, mastered, attempts, right, now)


async def _merge_lessons(store: Store, into: int, src: int) -> None:
    progress = store.progress
    mine, theirs = await progress.lesson_rows(into), await progress.lesson_rows(src)
    for lesson_id, row in theirs.items():
        if lesson_id not in mine:
            await progress.move_lesson(src, into, lesson_id)
            continue
        merged = mine[lesson_id]
        merged = LessonRow(
            lesson_id,
            min(row.started_at, merged.started_at),
            merged.completed_at,
            merged.correct,
            merged.total,
        )
        if row.completed_at and (not merged.completed_at or row.completed_at > merged.completed_at):
            merged = LessonRow(
                lesson_id, merged.started_at, row.completed_at, row.correct, row.total
            )
        await progress.put_lesson(into, merged)


async def recompute_areas(store: Store, content: Content, user: User, now: dt.datetime) -> None:
    """Areas and the proficient flag from the learner's mastery, as learning.trace keeps them:
    after a merge, or a move to another commune (whose local area has other competencies)."""
    progress = store.progress
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
        await store.users.update(user.id, proficient=int(proficient))
