"""The compose form's picture or document, class-code sheets, and removing a role on the web."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import time
from pathlib import Path

import pytest
from PIL import Image

from bot.core.events import MAX_FILE_BYTES
from bot.core.staff import queue_due_announcements
from storage.db import Database
from tests.web.world import A_BRANCH, A_COMMUNE, B_COMMUNE, A, B, app_for, build_world, logged_in


def png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "orange").save(buf, "PNG")
    return buf.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
async def world(tmp_path):
    db = await Database.open(tmp_path / "w.db")
    w = await build_world(db, learners=12)
    yield w
    await db.close()


def fields(html: str, *names: str) -> dict[str, str]:
    """Hidden fields of the preview's confirmation form."""
    form = html[html.index("Xác nhận gửi") - 3000 : html.index("Xác nhận gửi")]
    out = {}
    for name in names:
        m = re.search(rf'name="{name}" value="([^"]*)"', form)
        if m:
            out[name] = m.group(1)
    return out


async def test_a_picture_is_checked_previewed_and_reaches_every_outbox_row(world, tmp_path):
    app = app_for(world)
    c, csrf = await logged_in(world, app, "staff_A")
    form = {"csrf": csrf, "text": "Ảnh lịch học tuần sau.", "topic": "khac", "only_not": ""}
    r = await c.post(
        f"/don-vi/{A_COMMUNE}/thong-bao",
        data=form,
        files={"file": ("lich hoc.png", png_bytes(), "image/png")},
    )
    assert r.status_code == 200 and "Xác nhận gửi" in r.text
    assert "📎 Gửi kèm" in r.text and "ảnh PNG" in r.text
    img = re.search(r'<img src="([^"]+)" alt="Ảnh gửi kèm"', r.text).group(1).replace("&amp;", "&")
    shown = await c.get(img)
    assert shown.status_code == 200 and shown.content == png_bytes()
    assert shown.headers["content-type"] == "image/png"
    assert (await c.get(img.replace("?k=", "?k=0"))).status_code == 404  # not its signature
    hidden = fields(r.text, "text", "topic", "only_not", "when", "kept", "kept_sig")
    assert re.fullmatch(r"[0-9a-f]{32}\.png", hidden["kept"])  # our name, not the sender's
    # the reach table: recipients by channel, now / waiting / blocked
    assert "Nhận được ngay" in r.text and "<td>Telegram</td>" in r.text
    # confirmed: the announcement owns the file (under a new name), every recipient gets it
    r = await c.post(
        f"/don-vi/{A_COMMUNE}/thong-bao", data={**hidden, "csrf": csrf, "confirm": "1"}
    )
    assert r.status_code == 200 and "Đã xếp lịch gửi" in r.text
    assert "📎 Có gửi kèm ảnh" in r.text
    async with world.db.transaction() as store:
        assert await queue_due_announcements(store, world.clock()) == 1
    async with world.db.sql() as conn:
        ann = await conn.execute_fetchall(
            "SELECT id, file_kind, file_path FROM announcements WHERE text LIKE 'Ảnh lịch%'"
        )
        payloads = await conn.execute_fetchall(
            "SELECT payload FROM outbox WHERE announcement_id = ?", (ann[0][0],)
        )
        audit = await conn.execute_fetchall(
            "SELECT detail FROM audit_log WHERE action = 'announce' ORDER BY id DESC LIMIT 1"
        )
    _, kind, path = ann[0]
    assert kind == "image" and path.endswith(".png") and hidden["kept"] not in path
    assert Path(path).parent.name == "announcements"  # beside the chat's, out of the drafts
    with open(path, "rb") as fh:
        assert fh.read() == png_bytes()
    assert len(payloads) > 0
    for (payload,) in payloads:
        assert json.loads(payload)["files"] == [["image", path]]
    assert json.loads(audit[0][0])["file"] == "image"
    # the same form sent again cannot attach (or drop) what is now the announcement's file
    again = await c.post(
        f"/don-vi/{A_COMMUNE}/thong-bao", data={**hidden, "csrf": csrf, "drop_file": "1"}
    )
    assert again.status_code == 400
    assert Path(path).read_bytes() == png_bytes()
    await c.aclose()


async def test_a_pdf_kept_through_an_edit_then_dropped(world):
    c, csrf = await logged_in(world, app_for(world), "staff_A")
    form = {"csrf": csrf, "text": "Giấy mời họp.", "topic": "khac", "only_not": ""}
    r = await c.post(
        f"/don-vi/{A}/thong-bao", data=form, files={"file": ("moi.pdf", PDF, "application/pdf")}
    )
    assert r.status_code == 200 and "tệp PDF" in r.text
    hidden = fields(r.text, "kept", "kept_sig")
    # edited words, no new file: the PDF stays
    r = await c.post(
        f"/don-vi/{A}/thong-bao", data={**form, **hidden, "text": "Giấy mời họp chi hội."}
    )
    assert "📎 Gửi kèm" in r.text and "tệp PDF" in r.text
    # kept at another unit: refused (the signature is the unit's)
    r = await c.post(f"/don-vi/{A_COMMUNE}/thong-bao", data={**form, **hidden})
    assert r.status_code == 400
    r = await c.post(f"/don-vi/{A}/thong-bao", data={**form, **hidden, "drop_file": "1"})
    assert r.status_code == 200 and "📎 Gửi kèm" not in r.text
    await c.aclose()


@pytest.mark.parametrize(
    ("name", "data", "mime", "says"),
    [
        ("virus.pdf", b"MZ\x90\x00 not a pdf at all", "application/pdf", "chỉ gửi kèm được ảnh"),
        ("anh.jpg", b"GIF89a....", "image/jpeg", "chỉ gửi kèm được ảnh"),
        ("chay.exe", b"MZ\x90\x00", "application/octet-stream", "chỉ gửi kèm được ảnh"),
        ("empty.pdf", b"", "application/pdf", "chỉ gửi kèm được ảnh"),
        ("lon.pdf", b"%PDF-" + b"0" * MAX_FILE_BYTES, "application/pdf", "lớn quá"),
    ],
)
async def test_files_that_are_not_what_they_say_or_too_big_are_refused(
    world, name, data, mime, says
):
    c, csrf = await logged_in(world, app_for(world), "staff_A")
    form = {"csrf": csrf, "text": "Thử tệp.", "topic": "khac", "only_not": ""}
    r = await c.post(f"/don-vi/{A}/thong-bao", data=form, files={"file": (name, data, mime)})
    assert r.status_code in (400, 413) and says in r.text
    assert "Xác nhận gửi" not in r.text
    folder = world.db.path.parent / "media" / "announcements"
    assert not folder.exists() or [f for f in folder.rglob("*") if f.is_file()] == []
    await c.aclose()


async def test_a_body_over_the_limit_is_refused_unread_and_uploads_keep_csrf(world):
    c, csrf = await logged_in(world, app_for(world), "staff_A")
    big = b"%PDF-" + b"0" * (MAX_FILE_BYTES + 100 * 1024)
    form = {"csrf": csrf, "text": "Thử.", "topic": "khac"}
    r = await c.post(
        f"/don-vi/{A}/thong-bao", data=form, files={"file": ("a.pdf", big, "application/pdf")}
    )
    assert r.status_code == 413 and "lớn quá" in r.text
    r = await c.post(
        f"/don-vi/{A}/thong-bao",
        data={**form, "csrf": "forged"},
        files={"file": ("a.png", png_bytes(), "image/png")},
    )
    assert r.status_code == 403
    folder = world.db.path.parent / "media" / "announcements"
    assert not folder.exists() or [f for f in folder.rglob("*") if f.is_file()] == []
    await c.aclose()


async def test_forms_without_a_file_refuse_a_huge_body_unread(world):
    """Login, logout, invitations, indicators, roles: a body over FORM_LIMIT gets 413 before
    any page reads it, whether its length is declared or it comes in chunks."""
    from bot.web.app import FORM_LIMIT

    c, csrf = await logged_in(world, app_for(world), "staff_A")
    huge = {"csrf": csrf, "cap": "60", "pad": "x" * (FORM_LIMIT + 1)}
    r = await c.post(f"/don-vi/{A_BRANCH}/ma-lop", data=huge)
    assert r.status_code == 413 and "dài quá" in r.text

    async def chunks():
        yield f"csrf={csrf}&cap=60&pad=".encode()
        for _ in range(FORM_LIMIT // 4096 + 2):
            yield b"x" * 4096

    r = await c.post(f"/don-vi/{A_BRANCH}/ma-lop", content=chunks())
    assert r.status_code == 413
    # nothing was created, and a normal form still works
    r = await c.get(f"/don-vi/{A_BRANCH}/ma-lop")
    assert "Chưa có mã lớp học nào đang mở" in r.text
    r = await c.post(f"/don-vi/{A_BRANCH}/ma-lop", data={"csrf": csrf, "cap": "60"})
    assert r.status_code == 200 and "Đã tạo mã lớp học" in r.text
    await c.aclose()


async def test_class_codes_listed_created_and_their_sheets_downloaded(world):
    c, csrf = await logged_in(world, app_for(world), "staff_A")
    r = await c.get(f"/don-vi/{A_BRANCH}/ma-lop")
    assert r.status_code == 200 and "Chưa có mã lớp học nào đang mở" in r.text
    r = await c.post(f"/don-vi/{A_BRANCH}/ma-lop", data={"csrf": csrf, "cap": "60"})
    code = re.search(r"Đã tạo mã lớp học (HS-[A-Z2-9]{6})", r.text).group(1)
    assert "0 / 60 người" in r.text
    pdf = await c.get(f"/don-vi/{A_BRANCH}/ma-lop/{code}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    assert f"ma-lop-{code}.pdf" in pdf.headers["content-disposition"]
    png = await c.get(f"/don-vi/{A_BRANCH}/ma-lop/{code}.png")
    assert png.content.startswith(b"\x89PNG") and Image.open(io.BytesIO(png.content)).size == (
        1240,
        1754,
    )
    # the same code under another unit, an unknown code or format: not found
    assert (await c.get(f"/don-vi/{A_COMMUNE}/ma-lop/{code}.pdf")).status_code == 404
    assert (await c.get(f"/don-vi/{A_BRANCH}/ma-lop/HS-AAAAAA.pdf")).status_code == 404
    assert (await c.get(f"/don-vi/{A_BRANCH}/ma-lop/{code}.exe")).status_code == 404
    assert (
        await c.post(f"/don-vi/{A_BRANCH}/ma-lop", data={"csrf": csrf, "cap": "7"})
    ).status_code == 400
    # at the commune: its branches to choose from
    r = await c.get(f"/don-vi/{A_COMMUNE}/ma-lop")
    assert "Chi hội Xóm Một" in r.text and "/don-vi/branch:1/ma-lop" in r.text
    async with world.db.sql() as conn:
        rows = await conn.execute_fetchall(
            "SELECT action, detail FROM audit_log WHERE actor_id = ? AND action IN"
            " ('invite', 'web:class_sheet_pdf', 'web:class_sheet_png') ORDER BY id",
            (world.ids["staff_A"],),
        )
    # the two downloads, and every try after them (each page view is audited)
    assert [a for a, _ in rows][:3] == ["invite", "web:class_sheet_pdf", "web:class_sheet_png"]
    assert json.loads(rows[0][1]) == {"role": "member", "code": code, "max_uses": 60, "via": "web"}
    # learners outside the branch's people and other provinces' admins see nothing
    admin_b, _ = await logged_in(world, app_for(world), "admin_B")
    assert (await admin_b.get(f"/don-vi/{A_BRANCH}/ma-lop/{code}.pdf")).status_code == 403
    await c.aclose()
    await admin_b.aclose()


async def test_an_admin_removes_a_role_after_confirming_and_the_session_ends_at_once(world):
    app = app_for(world)
    async with world.db.transaction() as store:  # a second role for staff_A, in B
        await store.staff.grant(world.ids["staff_A"], "staff", B_COMMUNE, None, world.clock())
    victim, _ = await logged_in(world, app, "staff_A")
    assert (await victim.get(f"/don-vi/{A}/hoc-vien")).status_code == 200
    admin, csrf = await logged_in(world, app, "admin_B")
    r = await admin.get(f"/don-vi/{B}/vai-tro")
    assert r.status_code == 200 and "staff_A" in r.text and "admin_B (anh chị)" in r.text
    target = {"user": str(world.ids["staff_A"]), "role": "staff", "where": B_COMMUNE}
    r = await admin.post(f"/don-vi/{B}/vai-tro/bo", data={**target, "csrf": csrf})
    assert r.status_code == 200 and "Anh chị có chắc muốn bỏ vai trò này?" in r.text
    async with world.db.transaction() as store:  # nothing yet
        assert (("staff", B_COMMUNE)) in await store.staff.roles(world.ids["staff_A"])
    r = await admin.post(f"/don-vi/{B}/vai-tro/bo", data={**target, "csrf": csrf, "confirm": "1"})
    assert r.status_code == 200 and "Đã bỏ vai trò" in r.text
    async with world.db.transaction() as store:
        assert await store.staff.roles(world.ids["staff_A"]) == [("staff", A)]
    # every web session of that person ended at once, though a role in A remains
    assert (await victim.get(f"/don-vi/{A}/hoc-vien")).status_code == 401
    again, _ = await logged_in(world, app, "staff_A")  # a new link works, with what is left
    assert (await again.get(f"/don-vi/{A}/hoc-vien")).status_code == 200
    assert (await again.get(f"/don-vi/{B_COMMUNE}/thong-bao")).status_code == 403
    async with world.db.sql() as conn:
        rows = await conn.execute_fetchall(
            "SELECT actor_id, unit, detail FROM audit_log WHERE action = 'role_removed'"
        )
    assert rows[0][0] == world.ids["admin_B"] and rows[0][1] == B_COMMUNE
    assert json.loads(rows[0][2]) == {
        "user": world.ids["staff_A"],
        "role": "staff",
        "sessions_ended": 1,
        "via": "web",
    }
    # the role is gone: a second confirmation finds nothing; a role outside B is not theirs
    r = await admin.post(f"/don-vi/{B}/vai-tro/bo", data={**target, "csrf": csrf, "confirm": "1"})
    assert r.status_code == 404
    outside = {**target, "where": A}
    r = await admin.post(f"/don-vi/{B}/vai-tro/bo", data={**outside, "csrf": csrf, "confirm": "1"})
    assert r.status_code == 404
    # one's own role: refused; without the CSRF token: refused
    mine = {"user": str(world.ids["admin_B"]), "role": "admin", "where": B}
    r = await admin.post(f"/don-vi/{B}/vai-tro/bo", data={**mine, "csrf": csrf, "confirm": "1"})
    assert r.status_code == 400 and "không tự bỏ" in r.text
    r = await admin.post(f"/don-vi/{B}/vai-tro/bo", data={**target, "confirm": "1"})
    assert r.status_code == 403
    for client in (victim, admin, again):
        await client.aclose()


async def test_the_web_preview_shows_each_channel_s_reach_now(world):
    now = world.clock()
    async with world.db.transaction() as store:
        for identity in ("zalo_oa:open", "zalo_oa:old", "zalo:z", "telegram:gone"):
            u = await store.users.create(identity, "given", now)
            await store.users.update(
                u.id,
                registered_at=now.isoformat(),
                province_code=19,
                commune_code=5800,
                blocked=identity == "telegram:gone",
            )
        await store.zalo_oa.user_wrote("zalo_oa:open", now - dt.timedelta(hours=1))
        await store.zalo_oa.user_wrote("zalo_oa:old", now - dt.timedelta(days=5))
    c, csrf = await logged_in(world, app_for(world), "staff_A")
    form = {"csrf": csrf, "text": "Họp chi hội.", "topic": "khac", "only_not": ""}
    r = await c.post(f"/don-vi/{A_COMMUNE}/thong-bao", data=form)
    html = r.text
    assert "Chờ họ nhắn lại" in html and "Đã chặn" in html
    row = re.search(r"<td data-label=\"Kênh\">Zalo OA</td>(.*?)</tr>", html).group(1)
    assert re.findall(r">(\d+)<", row) == ["1", "1", "0"]  # now, waiting, blocked
    assert "⏳ 1 người dùng Zalo OA sẽ nhận khi họ nhắn lại cho Hội" in html
    assert "🚫 1 người đã chặn Học Số" in html
    await c.aclose()


async def test_drafts_nobody_confirmed_are_removed_after_a_day(world):
    drafts = world.db.path.parent / "media" / "announcements" / "web-drafts"
    drafts.mkdir(parents=True)
    old, fresh = drafts / ("a" * 32 + ".png"), drafts / ("b" * 32 + ".png")
    for f in (old, fresh):
        f.write_bytes(png_bytes())
    two_days_ago = time.time() - 2 * 86400
    os.utime(old, (two_days_ago, two_days_ago))
    c, csrf = await logged_in(world, app_for(world), "staff_A")
    form = {"csrf": csrf, "text": "Thử.", "topic": "khac"}
    r = await c.post(
        f"/don-vi/{A}/thong-bao", data=form, files={"file": ("a.png", png_bytes(), "image/png")}
    )
    assert r.status_code == 200
    assert not old.exists() and fresh.exists()
    await c.aclose()
