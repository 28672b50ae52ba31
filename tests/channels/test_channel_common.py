"""Shared channel helpers: splitting long texts, per-person ordering, typing, numbered choices."""

from __future__ import annotations

import asyncio

from bot.channels.common import (
    OrderedDispatcher,
    numbered_choices,
    split_text,
    text_length,
    typing_while,
)
from bot.core.events import Button


def test_short_text_is_one_piece():
    assert split_text("  Chào bác.\n\nMời bác chọn.  ", 100) == ["Chào bác.\n\nMời bác chọn."]
    assert split_text("   ", 100) == []


def test_split_packs_whole_paragraphs_up_to_the_limit():
    paras = ["a" * 40, "b" * 40, "c" * 40, "d" * 10]
    pieces = split_text("\n\n".join(paras), 90)
    assert pieces == ["a" * 40 + "\n\n" + "b" * 40, "c" * 40 + "\n\n" + "d" * 10]


def test_a_paragraph_too_long_is_split_at_lines_then_words():
    lines = ["dòng một " * 5, "dòng hai " * 5]
    pieces = split_text("\n".join(x.strip() for x in lines), 50)
    assert all(text_length(p) <= 50 for p in pieces)
    assert all(not p.startswith(" ") and not p.endswith(" ") for p in pieces)
    assert " ".join(" ".join(pieces).split()) == " ".join(" ".join(lines).split())
    one_word = split_text("x" * 120, 50)
    assert one_word == ["x" * 50, "x" * 50, "x" * 20]


def test_length_counts_emoji_as_telegram_does():
    assert text_length("📱") == 2
    assert all(text_length(p) <= 10 for p in split_text("📱" * 12, 10))


def test_numbered_choices_are_added_once():
    buttons = [Button("yes", "Đồng ý"), Button("no", "Không đồng ý")]
    assert numbered_choices("Bác đồng ý chứ?", buttons, "HINT") == (
        "Bác đồng ý chứ?\n\n1. Đồng ý\n2. Không đồng ý\n\nHINT"
    )
    listed = "Các bài:\n1. ✅ Bài một\n2. Bài hai"
    lessons = [Button("l1", "Bài một"), Button("l2", "Bài hai")]
    assert numbered_choices(listed, lessons, "HINT") == f"{listed}\n\nHINT"
    assert numbered_choices("Không có nút.", [], "HINT") == "Không có nút."


async def test_dispatcher_keeps_order_per_key_and_runs_keys_concurrently():
    d = OrderedDispatcher(limit=10)
    log: list[tuple[str, int]] = []
    gate = asyncio.Event()

    def job(key: str, i: int, wait: bool = False):
        async def run():
            if wait:
                await gate.wait()
            await asyncio.sleep(0.001 * (5 - i))
            log.append((key, i))

        return run

    d.submit("a", job("a", 0, wait=True))  # a is stuck behind its first job…
    for i in range(1, 5):
        d.submit("a", job("a", i))
        d.submit("b", job("b", i))
    await asyncio.sleep(0.05)
    assert [i for k, i in log if k == "b"] == [1, 2, 3, 4]  # …but b is not held up
    assert not [x for x in log if x[0] == "a"] and d.busy("a")
    gate.set()
    await d.close()
    assert [i for k, i in log if k == "a"] == [0, 1, 2, 3, 4]
    assert not d.busy("a") and not d.submit("a", job("a", 9))  # closed: takes no more


async def test_a_failing_job_does_not_stop_the_key():
    d = OrderedDispatcher()
    done = []

    async def boom():
        raise RuntimeError("boom")

    async def ok():
        done.append(1)

    d.submit(1, boom)
    d.submit(1, ok)
    await d.close()
    assert done == [1]


async def test_close_cancels_what_does_not_finish_in_time():
    d = OrderedDispatcher()
    d.submit("x", lambda: asyncio.sleep(10))
    await asyncio.sleep(0)
    await asyncio.wait_for(d.close(timeout=0.05), 1)
    assert not d.busy("x")


async def test_typing_only_when_slow():
    calls = []

    async def action():
        calls.append(1)

    async with typing_while(action, delay=0.05, every=0.05):
        await asyncio.sleep(0.01)
    assert calls == []
    async with typing_while(action, delay=0.02, every=0.05):
        await asyncio.sleep(0.1)
    assert 1 <= len(calls) <= 3
