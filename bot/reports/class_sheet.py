"""The printable sheet for a class: A4, a big QR code with the deep link, the code in large type.

Rendered with segno (the QR code) and Pillow (the page, PNG and PDF), with the DejaVu fonts that
ship inside matplotlib, so Vietnamese diacritics print on any machine.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import segno
from PIL import Image, ImageDraw, ImageFont

from bot import texts

DPI = 150
A4 = (round(8.27 * DPI), round(11.69 * DPI))  # 1240 x 1754 pixels
_FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@dataclass(frozen=True)
class Sheet:
    code: str
    unit: str  # the branch's full name, e.g. "Chi hội Xóm Đông, Xã Phú Thịnh"
    link: str  # the deep link the QR code opens
    until: str  # "31/12/2026"
    zalo_link: str | None = None


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(
        str(_FONTS / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")), size
    )


def _centered(draw: ImageDraw.ImageDraw, y: int, text: str, font: ImageFont.FreeTypeFont) -> int:
    """Draw one line centred (shrinking the font until it fits); return the next line's top."""
    width = A4[0] - 2 * 80
    while draw.textlength(text, font=font) > width and font.size > 14:
        font = font.font_variant(size=font.size - 2)
    left = (A4[0] - draw.textlength(text, font=font)) / 2
    draw.text((left, y), text, font=font, fill="black")
    box = draw.textbbox((left, y), text, font=font)
    return box[3] + font.size // 2


def render_page(sheet: Sheet) -> Image.Image:
    page = Image.new("RGB", A4, "white")
    draw = ImageDraw.Draw(page)
    y = _centered(draw, 90, texts.SHEET_TITLE, _font(64, bold=True))
    y = _centered(draw, y, texts.SHEET_UNIT.format(unit=sheet.unit), _font(40))
    y = _centered(draw, y + 10, texts.SHEET_SCAN, _font(40, bold=True))
    buf = io.BytesIO()
    segno.make(sheet.link, error="m").save(buf, kind="png", scale=1, border=4)
    qr = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    side = 820  # about 14 cm: scanned from across a table
    qr = qr.resize((side, side), Image.NEAREST)
    page.paste(qr, ((A4[0] - side) // 2, y))
    y += side + 20
    y = _centered(draw, y, texts.SHEET_OR_TYPE, _font(40))
    y = _centered(draw, y, sheet.code, _font(150, bold=True))
    for step in texts.SHEET_STEPS:
        y = _centered(draw, y, step, _font(32))
    y = _centered(draw, y + 10, texts.SHEET_UNTIL.format(until=sheet.until), _font(30))
    if sheet.zalo_link:
        _centered(draw, y, texts.SHEET_ZALO.format(link=sheet.zalo_link), _font(30))
    return page


def write(sheet: Sheet, png: Path, pdf: Path) -> None:
    """Write the sheet as a PNG and a one-page A4 PDF."""
    png.parent.mkdir(parents=True, exist_ok=True)
    page = render_page(sheet)
    page.save(png, "PNG", dpi=(DPI, DPI))
    page.save(pdf, "PDF", resolution=DPI)
