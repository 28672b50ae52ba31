"""Helpers for transcript tests: sign a person up, and answer questions the way a learner would."""

from __future__ import annotations

import re

from lessons import Content
from lessons.schema import Question


async def sign_up(
    sim,
    user: str,
    *,
    address: str = "Bà",
    name: str = "Lan",
    year: str = "1955",
    province: str = "thai nguyen",
    commune: str = "phu thinh",
    reminder: str = "Không cần nhắc",
    profile: tuple[str, ...] = ("Bỏ qua",),
) -> list[dict]:
    """Sign up; `profile` answers the optional last step (sex, then groups), skipped by default.

    Returns the answer to the reminder choice followed by the replies to the last press, leaving
    out the optional step's questions in between, so `[1]` is still "Đăng ký xong" after a skip.
    """
    await sim.send(user=user, command="start")
    await sim.press(user, "Đồng ý")
    await sim.press(user, address)
    await sim.text(user, name)
    await sim.text(user, year)
    await sim.text(user, province)
    await sim.text(user, "1")
    await sim.text(user, commune)
    await sim.text(user, "1")
    replies = await sim.press(user, reminder)
    if not profile:
        return replies
    closing = replies[:-1]  # without the optional step's first question
    for answer in profile:
        replies = await sim.press(user, answer)
    return closing + replies


def question_on_screen(content: Content, replies: list[dict]) -> Question | None:
    """The question whose options are the buttons on screen (in the order shown; each button's
    id `opt:K` names the option by its index K in the file)."""
    if not replies:
        return None
    labels = [re.sub(r"^\d+\. ", "", b["label"]) for b in replies[-1]["buttons"]]
    if not replies[-1]["buttons"] or not all(
        b["id"].startswith("opt:") for b in replies[-1]["buttons"]
    ):
        return None
    order = shown_order(replies)
    shown = replies[-1]["text"]
    matches = [
        q
        for _, q in content.questions.values()
        if len(q.options) == len(labels)
        and sorted(order) == list(range(len(labels)))
        and all(
            _pattern(q.options[k].text).fullmatch(lab) for k, lab in zip(order, labels, strict=True)
        )
    ]
    for q in matches:
        if _pattern(q.text).search(shown):
            return q
    if matches:
        return matches[0]
    raise AssertionError(f"no question with options {labels}")


def _pattern(text: str) -> re.Pattern:
    """A content text as shown to a learner: placeholders become the chosen address form."""
    parts = re.split(r"(\{(?:ong_ba|Ong_ba|ten)\})", text)
    return re.compile(
        "".join(r"\w+(?: \w+)?" if p.startswith("{") else re.escape(p) for p in parts)
    )


def shown_order(replies: list[dict]) -> list[int]:
    """File indices of the options on screen, in the order shown."""
    return [int(b["id"][4:]) for b in replies[-1]["buttons"] if b["id"].startswith("opt:")]


def shown_position(replies: list[dict], k: int) -> int:
    """Where (0 first) the option with file index k is shown: what a typed number refers to."""
    return shown_order(replies).index(k)


def correct_index(q: Question) -> int:
    return next(i for i, o in enumerate(q.options) if o.correct)


def wrong_index(q: Question) -> int:
    return next(i for i, o in enumerate(q.options) if not o.correct)


def all_text(replies: list[dict]) -> str:
    return "\n".join(r["text"] for r in replies)


def labels(replies: list[dict]) -> list[str]:
    return [b["label"] for b in replies[-1]["buttons"]]


async def find_listed(sim, user: str, replies: list[dict], title: str) -> tuple[list[dict], str]:
    """Page a long list («Xem thêm») until a button names `title`; the replies and its label."""
    for _ in range(10):
        found = [lab for lab in labels(replies) if lab.endswith(title)]
        if found:
            return replies, found[0]
        replies = await sim.press(user, "more")
    raise AssertionError(f"{title!r} is not listed")


async def press_lesson(sim, user: str, replies: list[dict], lesson_id: str) -> list[dict]:
    """On an area's list, page on («Xem thêm») to the lesson and press it."""
    for _ in range(10):
        if f"lesson:{lesson_id}" in [b["id"] for b in replies[-1]["buttons"]]:
            return await sim.press(user, f"lesson:{lesson_id}")
        replies = await sim.press(user, "more")
    raise AssertionError(f"{lesson_id} is not listed")


def voiced(template: str, form: str = "bà", **kw) -> str:
    """A text as the bot says it to someone who chose `form` at sign-up ("Bà" by default)."""
    return template.format(ong_ba=form, Ong_ba=form[:1].upper() + form[1:], **kw)
