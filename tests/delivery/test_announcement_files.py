"""Announcements with a picture or document: queued with the file for every recipient, and sent
through the real Telegram channel by the outbox worker."""

from __future__ import annotations

import json

import pytest

from bot.core import staff
from storage.staff import StaffRepo
from storage.store import Store
from tests.delivery.conftest import DAY, rows, settled

PEOPLE = [f"telegram:{3000 + i}" for i in range(4)]


async def registered(db, identities: list[str]) -> None:
    t = DAY.isoformat()
    async with db.sql(write=True) as conn:
        await conn.executemany(
            "INSERT INTO users (identity, consent, consent_at, created_at, last_active_at,"
            " registered_at) VALUES (?, 'given', ?, ?, ?, ?)",
            [(i, t, t, t, t) for i in identities],
        )


@pytest.mark.parametrize(
    ("kind", "name", "data", "method", "field"),
    [
        ("image", "a.jpg", b"\xff\xd8\xff\xe0 jpeg", "sendPhoto", "photo"),
        ("document", "b.pdf", b"%PDF-1.4 lich hoc", "sendDocument", "document"),
    ],
)
async def test_every_recipient_gets_the_file_then_the_words(
    db, engine, tg, fake_tg, start_deliverer, tmp_path, kind, name, data, method, field
):
    await registered(db, PEOPLE)
    path = tmp_path / name
    path.write_bytes(data)
    async with db.sql(write=True) as conn:
        ann = await StaffRepo(conn).create_announcement(
            None, "all", "khac", "Lịch học tháng 12", None, DAY, False, DAY,
            file_kind=kind, file_path=str(path),
        )  # fmt: skip
        assert await staff.queue_due_announcements(Store(conn), DAY) == 1

    payloads = [json.loads(p) for (p,) in await rows(db, "SELECT payload FROM outbox")]
    assert len(payloads) == len(PEOPLE)
    assert all(p["files"] == [[kind, str(path)]] for p in payloads)

    await start_deliverer([tg])
    counts = await settled(db, ann)
    assert counts["sent"] == len(PEOPLE) and counts["failed"] == 0
    for identity in PEOPLE:
        chat = int(identity.split(":")[1])
        calls = [c for c in fake_tg.calls if c.chat_id == chat and c.ok]
        assert [c.method for c in calls] == [method, "sendMessage"]
        assert "Lịch học tháng 12" in calls[1].params["text"]
    # Each send carried the bytes, or Telegram's file_id from an earlier upload of them.
    file_id = {"photo": "sent-photo", "document": "sent-doc"}[field]
    for c in fake_tg.sent(method=method):
        assert c.files.get(field) == data or c.params[field] == file_id
