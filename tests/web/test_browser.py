"""End to end in a real browser: Debian's Chromium, headless, driven by Playwright for Python.

Login by link, every page at phone and desktop widths (screenshots written to
build/test-output/web/, or $HOCSO_TEST_OUTPUT), a compose-and-send, a download, logout, and
an expired and a reused link. Skipped, saying why, where /usr/bin/chromium is absent
(`apt-get install -y chromium`; `.ci/run` does it). Never `playwright install`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import shutil
import socket
from pathlib import Path

import pytest
import uvicorn

from storage.db import Database
from tests.web.world import A_COMMUNE, A, B, app_for, build_world, login_link

CHROMIUM = Path(os.environ.get("HOCSO_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
OUT = Path(os.environ.get("HOCSO_TEST_OUTPUT", "build/test-output")) / "web"
WIDTHS = {"phone": (360, 740), "desktop": (1280, 900)}

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None,
    reason=f"no browser at {CHROMIUM}: install Debian's Chromium (apt-get install -y chromium)"
    " to run the end-to-end web tests",
)


class _Quiet(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # older uvicorn
        pass

    def capture_signals(self):  # newer uvicorn
        return contextlib.nullcontext()


@pytest.fixture
async def site(tmp_path):
    from playwright.async_api import async_playwright

    db = await Database.open(tmp_path / "e2e.db")
    world = await build_world(db, learners=60)
    app = app_for(world)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    sock.setblocking(False)
    port = sock.getsockname()[1]
    server = _Quiet(uvicorn.Config(app, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.02)
    OUT.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield world, f"http://127.0.0.1:{port}", browser
        finally:
            await browser.close()
            server.should_exit = True
            await task
            sock.close()
            await db.close()


async def _shoot(page, name: str) -> list[Path]:
    paths = []
    for label, (w, h) in WIDTHS.items():
        await page.set_viewport_size({"width": w, "height": h})
        path = OUT / f"{name}-{label}-{w}.png"
        await page.screenshot(path=str(path), full_page=True)
        # readable at 360 px: nothing wider than the screen but the scrolling tables
        if label == "phone":
            overflow = await page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, (name, overflow)
        paths.append(path)
    return paths


async def test_leader_and_staff_pages_in_chromium(site):
    world, base, browser = site
    context = await browser.new_context(accept_downloads=True, locale="vi-VN")
    page = await context.new_page()

    # a leader of province A: login by link, home, overview, a sub-unit, downloads, logout
    link = await login_link(world, "leader_A", base)
    await page.goto(link)
    shots = await _shoot(page, "0-dang-nhap")
    await page.get_by_role("button", name="Vào trang quản lý").click()
    await page.wait_for_load_state()
    assert page.url == base + "/"
    assert await page.get_by_text("Xin chào").count() == 1
    shots += await _shoot(page, "1-trang-dau")
    await page.get_by_role("link", name="Thái Nguyên").click()
    await page.wait_for_load_state()
    assert "Mục tiêu" in await page.content()
    assert await page.locator("svg.chart").count() == 1
    shots += await _shoot(page, "2-tong-quan-tinh")
    await page.get_by_role("link", name="Phú Thịnh").first.click()
    await page.wait_for_load_state()
    assert f"/don-vi/{A_COMMUNE}" in page.url
    shots += await _shoot(page, "3-tong-quan-xa")
    async with page.expect_download() as info:
        await page.get_by_role("link", name="📊 Bảng Excel").click()
    download = await info.value
    saved = OUT / download.suggested_filename
    await download.save_as(str(saved))
    assert saved.read_bytes()[:2] == b"PK" and saved.stat().st_size > 2000
    cookies = await context.cookies()
    session = next(c for c in cookies if c["name"] == "hocso_web")
    assert session["httpOnly"] and session["sameSite"] == "Lax"
    await page.get_by_role("button", name="Đăng xuất").click()
    await page.wait_for_load_state()
    assert "đã đăng xuất" in await page.content()
    shots += await _shoot(page, "4-da-dang-xuat")
    await page.goto(f"{base}/don-vi/{A}")
    assert "Phiên làm việc đã kết thúc" in await page.content()

    # the used link, and a link that waited past ten minutes
    await page.goto(link)
    assert "đã được dùng" in await page.content()
    shots += await _shoot(page, "5-duong-dan-da-dung")
    late = await login_link(world, "staff_A", base)
    world.clock.now += dt.timedelta(minutes=11)
    await page.goto(late)
    assert "hết hạn" in await page.content()

    # staff of A: members, announcements (compose, preview, confirm), other indicators
    await page.goto(await login_link(world, "staff_A", base))
    await page.get_by_role("button", name="Vào trang quản lý").click()
    await page.wait_for_load_state()
    await page.goto(f"{base}/don-vi/{A}/hoc-vien")
    content = await page.content()
    assert "Học viên 0" in content and "Trang 1 / 1" in content
    shots += await _shoot(page, "6-hoc-vien")
    await page.get_by_role("link", name="Thông báo").first.click()
    await page.wait_for_load_state()
    assert "Họp chi hội sáng thứ Bảy." in await page.content()
    await page.fill("#text", "Mời các cụ đến lớp học điện thoại chiều thứ Năm.")
    await page.select_option("#topic", "chuyen_doi_so")
    await page.get_by_role("button", name="Xem trước").click()
    await page.wait_for_load_state()
    assert "Gửi tới" in await page.content()
    shots += await _shoot(page, "7-thong-bao-xem-truoc")
    await page.get_by_role("button", name="✅ Xác nhận gửi").click()
    await page.wait_for_load_state()
    assert "Đã xếp lịch gửi" in await page.content()
    shots += await _shoot(page, "8-thong-bao")
    async with world.db.sql() as conn:
        rows = await conn.execute_fetchall(
            "SELECT unit, topic, status FROM announcements WHERE text LIKE 'Mời các cụ%'"
        )
    assert [tuple(r) for r in rows] == [(A, "chuyen_doi_so", "scheduled")]
    await page.get_by_role("link", name="Chỉ tiêu khác").click()
    await page.wait_for_load_state()
    await page.fill("#value", "25")
    await page.fill("#note", "trồng ở thôn Đông")
    await page.get_by_role("button", name="Lưu").first.click()
    await page.wait_for_load_state()
    assert "Đã lưu" in await page.content()
    shots += await _shoot(page, "9-chi-tieu-khac")
    await page.goto(f"{base}/don-vi/branch:1/moi")
    await page.get_by_role("button", name="Tạo mã mời").click()
    await page.wait_for_load_state()
    assert "Mã mời làm thành viên chi hội" in await page.content()
    shots += await _shoot(page, "9b-moi")
    # a page outside the staff member's permissions
    await page.goto(f"{base}/don-vi/{A}")
    assert "không có quyền" in await page.content()
    await page.get_by_role("button", name="Đăng xuất").click()

    # an admin of province B: the audit log of B, filtered
    await page.goto(await login_link(world, "admin_B", base))
    await page.get_by_role("button", name="Vào trang quản lý").click()
    await page.wait_for_load_state()
    await page.goto(f"{base}/don-vi/{B}/nhat-ky")
    await page.fill("#viec", "web:")
    await page.get_by_role("button", name="Lọc").click()
    await page.wait_for_load_state()
    assert "web:audit_log" in await page.content()
    shots += await _shoot(page, "10-nhat-ky")
    await context.close()
    print(f"\nweb e2e: {len(shots)} screenshots in {OUT}")
    assert all(p.stat().st_size > 1000 for p in shots)


async def test_compose_with_a_picture_class_sheet_and_role_removal_in_chromium(site, tmp_path):
    """Staff attach a picture (seen in the preview, sent to every recipient), download a
    class-code sheet; an admin removes a role, and that person's open page ends at once."""
    import io

    from PIL import Image

    from bot.core.staff import queue_due_announcements
    from tests.web.world import A_BRANCH, B_COMMUNE

    world, base, browser = site
    picture = tmp_path / "lich-hoc.png"
    buf = io.BytesIO()
    Image.new("RGB", (320, 200), (30, 120, 200)).save(buf, "PNG")
    picture.write_bytes(buf.getvalue())
    async with world.db.transaction() as store:  # staff_A also helps in Hà Nội
        await store.staff.grant(world.ids["staff_A"], "staff", B_COMMUNE, None, world.clock())

    staff_ctx = await browser.new_context(accept_downloads=True, locale="vi-VN")
    page = await staff_ctx.new_page()
    await page.goto(await login_link(world, "staff_A", base))
    await page.get_by_role("button", name="Vào trang quản lý").click()
    await page.wait_for_load_state()
    await page.goto(f"{base}/don-vi/{A_COMMUNE}/thong-bao")
    await page.fill("#text", "Lịch học điện thoại tháng Mười Hai, xem ảnh kèm theo.")
    await page.select_option("#topic", "chuyen_doi_so")
    await page.set_input_files("#file", str(picture))
    await page.get_by_role("button", name="Xem trước").click()
    await page.wait_for_load_state()
    content = await page.content()
    assert "📎 Gửi kèm" in content and "Nhận được ngay" in content
    width = await page.eval_on_selector("img.attached", "img => img.naturalWidth")
    assert width == 320  # the picture itself is shown, not a broken image
    shots = await _shoot(page, "11-thong-bao-kem-anh")
    await page.get_by_role("button", name="✅ Xác nhận gửi").click()
    await page.wait_for_load_state()
    assert "Đã xếp lịch gửi" in await page.content()
    async with world.db.transaction() as store:
        assert await queue_due_announcements(store, world.clock()) == 1
    async with world.db.sql() as conn:
        rows = await conn.execute_fetchall(
            "SELECT a.file_kind, COUNT(o.id), SUM(o.payload LIKE '%' || a.file_path || '%')"
            " FROM announcements a JOIN outbox o ON o.announcement_id = a.id"
            " WHERE a.text LIKE 'Lịch học điện thoại%' GROUP BY a.id"
        )
    kind, recipients, with_file = rows[0]
    assert kind == "image" and recipients > 0 and with_file == recipients

    # the class-code sheet of branch A: create, download the PDF
    await page.goto(f"{base}/don-vi/{A_BRANCH}/ma-lop")
    await page.select_option("#cap", "60")
    await page.get_by_role("button", name="Tạo mã lớp học").click()
    await page.wait_for_load_state()
    assert "Đã tạo mã lớp học" in await page.content()
    shots += await _shoot(page, "12-ma-lop")
    async with page.expect_download() as info:
        await page.get_by_role("link", name="📄 Tải PDF").first.click()
    download = await info.value
    saved = OUT / download.suggested_filename
    await download.save_as(str(saved))
    assert saved.read_bytes()[:5] == b"%PDF-" and saved.stat().st_size > 10_000

    # an admin of B removes staff_A's role in Hà Nội, after confirming
    admin_ctx = await browser.new_context(locale="vi-VN")
    admin = await admin_ctx.new_page()
    await admin.goto(await login_link(world, "admin_B", base))
    await admin.get_by_role("button", name="Vào trang quản lý").click()
    await admin.wait_for_load_state()
    await admin.goto(f"{base}/don-vi/{B}/vai-tro")
    shots += await _shoot(admin, "13-vai-tro")
    row = admin.locator("tr", has_text="staff_A")
    await row.get_by_role("button", name="Bỏ vai trò").click()
    await admin.wait_for_load_state()
    assert "Anh chị có chắc muốn bỏ vai trò này?" in await admin.content()
    shots += await _shoot(admin, "14-vai-tro-xac-nhan")
    await admin.get_by_role("button", name="Xác nhận bỏ vai trò").click()
    await admin.wait_for_load_state()
    assert "Đã bỏ vai trò" in await admin.content()
    # staff_A's open page: the next click finds the session ended
    await page.goto(f"{base}/don-vi/{A}/hoc-vien")
    assert "Phiên làm việc đã kết thúc" in await page.content()
    await staff_ctx.close()
    await admin_ctx.close()
    assert all(p.stat().st_size > 1000 for p in shots)
