"""Draw a scenario's phone screen (incoming call, SMS, app page) as a PNG.

A scam SMS shown as a picture looks like the real thing and cannot be tapped. The font is
DejaVu Sans, which covers every Vietnamese letter; it comes with matplotlib (a dependency), so
nothing is downloaded at run time. Files are named by a hash of what they show, so each picture
is drawn once and a restart reuses it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from scenarios.schema import Screen

WIDTH, HEIGHT, MIN_HEIGHT = 720, 1080, 480
BG = "#f4f6f8"
DARK = "#1f2933"
MUTED = "#52606d"
ACCENT = {"call": "#0b6e4f", "sms": "#1c64f2", "app": "#b7410e"}
RENDER_VERSION = 2


@cache
def font_file(bold: bool = False) -> Path:
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("matplotlib (which ships the DejaVu Sans font) is not installed")
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    path = Path(spec.submodule_search_locations[0]) / "mpl-data" / "fonts" / "ttf" / name
    if not path.exists():
        raise RuntimeError(f"font not found: {path}")
    return path


@cache
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_file(bold)), size)


def wrap(text: str, f: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    for para in text.splitlines() or [""]:
        line = ""
        for word in para.split():
            trial = f"{line} {word}".strip()
            if f.getlength(trial) <= width or not line:
                line = trial
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines


def _status_bar(d: ImageDraw.ImageDraw) -> None:
    d.rectangle([0, 0, WIDTH, 56], fill=DARK)
    d.text((28, 12), "09:41", font=font(28, True), fill="white")
    d.text((WIDTH - 130, 12), "▮▮▮ 4G", font=font(26), fill="white")


def _call(d: ImageDraw.ImageDraw, s: Screen) -> int:
    d.rectangle([0, 56, WIDTH, HEIGHT], fill="#102a43")
    y = 200
    for line in s.lines[:2]:
        for part in wrap(line, font(34), WIDTH - 80):
            d.text((WIDTH / 2, y), part, font=font(34), fill="#d9e2ec", anchor="mm")
            y += 48
    y += 40
    for part in wrap(s.title, font(60, True), WIDTH - 80):
        d.text((WIDTH / 2, y), part, font=font(60, True), fill="white", anchor="mm")
        y += 76
    for line in s.lines[2:]:
        for part in wrap(line, font(32), WIDTH - 80):
            d.text((WIDTH / 2, y), part, font=font(32), fill="#d9e2ec", anchor="mm")
            y += 44
    for cx, colour, label in ((190, "#d64545", "Từ chối"), (530, "#3ebd93", "Nghe")):
        d.ellipse([cx - 75, 800, cx + 75, 950], fill=colour)
        d.text((cx, 990), label, font=font(34, True), fill="white", anchor="mm")
    return HEIGHT


def _sms(d: ImageDraw.ImageDraw, s: Screen) -> int:
    d.rectangle([0, 56, WIDTH, 156], fill="white")
    size = 40
    while size > 24 and font(size, True).getlength(s.title) > WIDTH - 80:
        size -= 2
    d.text((40, 106), s.title, font=font(size, True), fill=DARK, anchor="lm")
    d.line([0, 156, WIDTH, 156], fill="#cbd2d9", width=2)
    f = font(36)
    lines = [p for line in s.lines for p in wrap(line, f, WIDTH - 160)]
    box_h = 40 + 50 * len(lines)
    d.rounded_rectangle([40, 210, WIDTH - 60, 210 + box_h], radius=28, fill="#e4e7eb")
    for i, part in enumerate(lines):
        d.text((70, 230 + 50 * i), part, font=f, fill=DARK)
    d.text((44, 230 + box_h), "Tin nhắn", font=font(26), fill=MUTED)
    return 300 + box_h


def _app(d: ImageDraw.ImageDraw, s: Screen) -> int:
    d.rectangle([0, 56, WIDTH, 176], fill=ACCENT["app"])
    size = 42
    while size > 24 and font(size, True).getlength(s.title) > WIDTH - 80:
        size -= 2  # a long app name shrinks rather than running off the screen
    d.text((40, 116), s.title, font=font(size, True), fill="white", anchor="lm")
    y = 210
    f = font(36)
    for line in s.lines:
        parts = wrap(line, f, WIDTH - 120)
        h = 30 + 48 * len(parts)
        d.rounded_rectangle(
            [30, y, WIDTH - 30, y + h], radius=18, fill="white", outline="#cbd2d9", width=2
        )
        for i, part in enumerate(parts):
            d.text((60, y + 16 + 48 * i), part, font=f, fill=DARK)
        y += h + 18
        if y > HEIGHT - 80:
            break
    return y + 30


def render(screen: Screen, out_dir: Path) -> Path:
    """The PNG for `screen` under `out_dir`, drawn if not already there."""
    key = json.dumps([RENDER_VERSION, screen.model_dump()], ensure_ascii=False, sort_keys=True)
    path = out_dir / f"{screen.kind}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.png"
    if path.exists():
        return path
    out_dir.mkdir(parents=True, exist_ok=True)
    img = Image.new("RGB", (WIDTH, HEIGHT), BG)
    d = ImageDraw.Draw(img)
    bottom = {"call": _call, "sms": _sms, "app": _app}[screen.kind](d, screen)
    _status_bar(d)
    img = img.crop((0, 0, WIDTH, max(MIN_HEIGHT, min(HEIGHT, bottom))))  # no empty phone below
    tmp = path.with_suffix(".tmp")
    img.save(tmp, "PNG", optimize=True)
    tmp.replace(path)  # atomic: a half-written picture is never sent
    return path
