"""Text in a screenshot, read by Tesseract (Debian packages tesseract-ocr, tesseract-ocr-vie).

Tesseract runs as a subprocess; when it is missing, `available()` is False and a screenshot
gets the honest answer that the bot could not read it, never a verdict.
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from functools import lru_cache
from pathlib import Path

TIMEOUT_S = 20


@lru_cache(maxsize=1)
def available() -> bool:
    exe = shutil.which("tesseract")
    if exe is None:
        return False
    try:
        out = subprocess.run(
            [exe, "--list-langs"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "vie" in out.stdout.split()


class OcrUnavailable(RuntimeError):
    pass


def read_text(path: str | Path) -> str:
    """Vietnamese text in the picture (empty when there is none); raises OcrUnavailable."""
    if not available():
        raise OcrUnavailable("tesseract with Vietnamese data is not installed")
    from PIL import Image, ImageOps

    with Image.open(path) as im:
        gray = ImageOps.grayscale(im)
        if gray.width < 1000 or gray.width > 2000:  # small ones read better enlarged,
            width = 1000 if gray.width < 1000 else 2000  # huge ones take too long
            k = width / gray.width
            gray = gray.resize((width, max(1, int(gray.height * k))), Image.Resampling.LANCZOS)
        ppm = _to_png_bytes(gray)
    try:
        out = subprocess.run(
            ["tesseract", "stdin", "stdout", "-l", "vie", "--psm", "6"],
            input=ppm,
            capture_output=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return ""
    return unicodedata.normalize("NFC", out.stdout.decode("utf-8", errors="replace")).strip()


def _to_png_bytes(im) -> bytes:
    import io

    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()
