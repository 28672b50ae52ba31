"""👍 on an announcement counts as read on Telegram: the bot asks for reactions, keeps the
message_id of every bulk message it sends, and records the acknowledgement once, the update
stored in the inbox first like every other."""

from __future__ import annotations

import asyncio

from bot import texts
from bot.channels.telegram import ALLOWED_UPDATES
from bot.core.staff import queue_due_announcements
from tests.channels.conftest import TelegramPerson, tg_sign_up
from tests.delivery.conftest import DAY, rows, settled

CHAT = 7001


async def announced(db, engine, chat: int) -> int:
    """A staff member's announcement to the commune, queued for its members."""
    async with db.transaction() as s:
        sender = (await s.users.create(f"telegram:{chat + 1}", "given", DAY)).id
        ann = await s.staff.create_announcement(
            sender, "commune:5800", "chuyen_doi_so", "Họp chi hội 8 giờ sáng mai", None, DAY,
            False, DAY,
        )  # fmt: skip
        assert await queue_due_announcements(s, DAY) == 1
    return ann


async def acks(db, ann: int) -> list[tuple]:
    return await rows(db, "SELECT user_id FROM announcement_acks WHERE announcement_id = ?", ann)


async def test_a_reaction_on_an_announcement_counts_as_read_once(
    db, engine, tg, fake_tg, start_deliverer
):
    assert "message_reaction" in ALLOWED_UPDATES
    person = TelegramPerson(fake_tg, CHAT)
    await tg_sign_up(person)
    assert "message_reaction" in (fake_tg.allowed_updates or [])  # asked for by getUpdates
    ann = await announced(db, engine, CHAT)
    await start_deliverer([tg])
    assert (await settled(db, ann))["sent"] == 1
    sent = [c for c in fake_tg.sent(CHAT) if "Họp chi hội" in c.params.get("text", "")]
    assert len(sent) == 1
    message_id = sent[0].result["message_id"]
    async with db.reading() as s:
        for _ in range(100):  # the recorder writes the id beside the outcome
            if await s.outbox.announcement_of(f"telegram:{CHAT}", str(message_id)) == ann:
                break
            await asyncio.sleep(0.05)
        assert await s.outbox.announcement_of(f"telegram:{CHAT}", str(message_id)) == ann

    # A reaction on another message (a lesson's) changes nothing, and says nothing.
    before = len(fake_tg.calls)
    base = (await inbox(db))[0]
    fake_tg.inject(fake_tg.reaction(CHAT, message_id - 1))
    await until(lambda: finished(db, base + 1))
    assert await acks(db, ann) == []

    # 👍 on the announcement: read, thanked once.
    replies = await fake_tg.turn(CHAT, fake_tg.reaction(CHAT, message_id))
    assert [c.params["text"] for c in replies] == [_voice(texts.ACK_THANKS)]
    user_id = (await rows(db, "SELECT id FROM users WHERE identity = ?", f"telegram:{CHAT}"))[0][0]
    assert await acks(db, ann) == [(user_id,)]
    # ❤ instead of 👍, and the same update delivered twice: still one acknowledgement, no
    # second thanks; taking the reaction away does not un-read it.
    change = fake_tg.reaction(CHAT, message_id, new=("❤",), old=("👍",))
    update_id = fake_tg.inject(change)
    fake_tg.inject({**change, "update_id": update_id})
    fake_tg.inject(fake_tg.reaction(CHAT, message_id, new=(), old=("❤",)))
    await until(lambda: finished(db, base + 4))
    assert await acks(db, ann) == [(user_id,)]
    thanks = [c for c in fake_tg.calls[before:] if c.params.get("text") == _voice(texts.ACK_THANKS)]
    assert len(thanks) == 1
    # Every reaction update went through the inbox, the replay stored once.
    assert (await inbox(db))[0] == base + 4


def _voice(template: str) -> str:
    return template.format(ong_ba="bà", Ong_ba="Bà")


async def inbox(db) -> tuple[int, int]:
    """(rows in the inbox, rows not yet finished)."""
    got = await rows(
        db, "SELECT COUNT(*), COALESCE(SUM(status IN ('pending', 'answered')), 0) FROM inbox"
    )
    return got[0]


async def finished(db, n: int) -> bool:
    total, open_ = await inbox(db)
    return total >= n and not open_


async def until(check, timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise TimeoutError("condition not met")
