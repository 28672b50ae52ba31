"""Spaced review with FSRS, and the daily reminder that says how much is waiting.

Each competency a learner has practised has an FSRS card. Every answer (lesson, review or
scenario) reviews the card: right is "Good", wrong is "Again". "Ôn tập" asks what is due first,
and one reminder a day, at the learner's chosen time (Vietnam time), says how many questions are
waiting. Reminders ignored three times in a row pause themselves; "bắt đầu" resumes them.
All of it is rows in the database, so a restart loses and repeats nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from fsrs import Card, Rating, Scheduler

from bot.domain import VN  # Vietnam time, defined once
from storage.store import Store

MAX_IGNORED = 3
REVIEW_MAX = 10  # questions in one review session at most
#: Reminders only in the daytime: 07:00 to 20:59 Vietnam time (no messages at night).
EARLIEST, LATEST = dt.time(7, 0), dt.time(20, 59)
SCHEDULER = Scheduler(enable_fuzzing=False)  # deterministic: tests and restarts agree


async def schedule(
    store: Store,
    user_id: int,
    competencies: list[str],
    correct: bool,
    now: dt.datetime,
) -> None:
    """Review each competency's card with the answer just given."""
    rating = Rating.Good if correct else Rating.Again
    now = now.astimezone(dt.UTC)
    for comp in competencies:
        saved = await store.progress.review_card(user_id, comp)
        card = Card.from_dict(json.loads(saved)) if saved else Card(due=now)
        card, _ = SCHEDULER.review_card(card, rating, now)
        await store.progress.set_review_card(user_id, comp, json.dumps(card.to_dict()), card.due)


async def due(store: Store, user_id: int, now: dt.datetime) -> list[str]:
    """Competencies due for review, the most overdue first."""
    return await store.progress.due_reviews(user_id, now)


_TIME = re.compile(r"^(\d{1,2})(?:\s*(?:h|g|gio|:)\s*(\d{2})?)?\s*(sang|trua|chieu|toi)?$")


def parse_time(folded: str) -> dt.time | None:
    """ "7", "7 giờ sáng", "3 giờ chiều", "19h", "8:30 tối" (folded, without diacritics)."""
    m = _TIME.match(folded.replace("phut", "").strip())
    if not m:
        return None
    hour, minute, part = int(m.group(1)), int(m.group(2) or 0), m.group(3)
    if part in ("chieu", "toi") and hour < 12:
        hour += 12
    if part == "trua" and hour < 11:
        hour += 12
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


def say_time(value: str) -> str:
    """ "19:30" as people say it: "7 giờ 30 tối"."""
    hour, minute = int(value[:2]), int(value[3:])
    part = "sáng" if hour < 11 else "trưa" if hour < 13 else "chiều" if hour < 18 else "tối"
    shown = hour if hour <= 12 else hour - 12
    return f"{shown} giờ" + (f" {minute}" if minute else "") + f" {part}"


def in_daytime(t: dt.time) -> bool:
    return EARLIEST <= t <= LATEST


def day_start(now: dt.datetime) -> dt.datetime:
    """Midnight of `now`'s day in Vietnam: one reminder a day means none since then."""
    local = now.astimezone(VN)
    return dt.datetime.combine(local.date(), dt.time(0), tzinfo=VN)


async def due_reminders(store: Store, now: dt.datetime) -> list[tuple[int, str, int]]:
    """(user id, identity, reminders ignored) for everyone whose reminder time has come today."""
    local = now.astimezone(VN)
    out = []
    for user_id, identity, last, ignored in await store.users.reminder_candidates(
        local.strftime("%H:%M")
    ):
        if last and dt.datetime.fromisoformat(last).astimezone(VN).date() >= local.date():
            continue  # at most one a day
        out.append((user_id, identity, ignored))
    return out
