"""Pictures and documents staff send with an announcement: which ones we take, and taking them.

Only what older members can open on a phone is accepted: JPEG and PNG pictures, PDF, Word and
Excel. The file is saved under a name we make up (never the sender's), and its first bytes
must match its type, so a renamed program is not passed on to hundreds of members.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Literal

from bot.core.events import MAX_FILE_BYTES, Event, FileKind, FileTooLarge

log = logging.getLogger(__name__)

Problem = Literal["too_big", "unsupported", "failed"]

# extension -> (kind, signatures its first bytes may start with)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old Word and Excel
_ZIP = b"PK\x03\x04"  # docx, xlsx
TYPES: dict[str, tuple[FileKind, tuple[bytes, ...]]] = {
    ".jpg": ("image", (b"\xff\xd8\xff",)),
    ".png": ("image", (b"\x89PNG\r\n\x1a\n",)),
    ".pdf": ("document", (b"%PDF-",)),
    ".doc": ("document", (_OLE,)),
    ".xls": ("document", (_OLE,)),
    ".docx": ("document", (_ZIP,)),
    ".xlsx": ("document", (_ZIP,)),
}
MIMES = {
    "image/jpeg": ".jpg",
    "image/jpg": ".jpg",
    "image/png": ".png",
    "application/pdf": ".pdf",
    "application/msword": ".doc",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
}
_SUFFIXES = {".jpeg": ".jpg", **{ext: ext for ext in TYPES}}


@dataclass(frozen=True)
class Received:
    """The outcome of taking a file: where it is and what it is, or why it was not taken."""

    kind: FileKind | None = None
    path: str | None = None
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None and self.path is not None


def extension(event: Event) -> str | None:
    """Our extension for the file, from what the platform says; None if we do not take it."""
    f = event.file
    if f is None:
        return None
    return extension_of(f.mime, f.name, photo=event.attachment == "photo")


def extension_of(mime: str | None, name: str | None, *, photo: bool = False) -> str | None:
    """Our extension for a file of this declared type and name; None if we do not take it."""
    mime = (mime or "").split(";")[0].strip().lower()
    if mime in MIMES:
        return MIMES[mime]
    suffix = PurePath(name or "").suffix.lower()
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    if photo and not mime and not suffix:
        return ".jpg"  # platforms send photos as JPEG without saying so
    return None


def _sniff(path: Path, ext: str) -> str | None:
    """The extension the bytes really are (a PNG sent as .jpg is still a picture)."""
    with path.open("rb") as fh:
        head = fh.read(16)
    if any(head.startswith(sig) for sig in TYPES[ext][1]):
        return ext
    if TYPES[ext][0] == "image":
        for other in (".jpg", ".png"):
            if any(head.startswith(sig) for sig in TYPES[other][1]):
                return other
    return None


async def receive(event: Event, folder: Path) -> Received:
    """Download an announcement's file into `folder` under a new name, checked on arrival."""
    f = event.file
    if f is None:
        return Received(
            problem="failed" if event.attachment in ("photo", "file") else "unsupported"
        )
    ext = extension(event)
    if ext is None:
        return Received(problem="unsupported")
    if f.size is not None and f.size > MAX_FILE_BYTES:
        return Received(TYPES[ext][0], problem="too_big")
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / f"{uuid.uuid4().hex}{ext}"
    try:
        path = Path(await f.fetch(dest))
    except FileTooLarge:
        dest.unlink(missing_ok=True)
        return Received(TYPES[ext][0], problem="too_big")
    except Exception:
        log.exception("could not download a file from %s", event.identity)
        dest.unlink(missing_ok=True)
        return Received(TYPES[ext][0], problem="failed")
    if path != dest:  # a fetch that saved elsewhere: bring it under our name
        await asyncio.to_thread(path.replace, dest)
    return _checked(dest, ext)


def _checked(dest: Path, ext: str) -> Received:
    """A saved file kept if its size and first bytes pass, removed otherwise."""
    size = dest.stat().st_size
    if size > MAX_FILE_BYTES:
        dest.unlink(missing_ok=True)
        return Received(TYPES[ext][0], problem="too_big")
    real = _sniff(dest, ext) if size else None
    if real is None:
        dest.unlink(missing_ok=True)
        return Received(problem="unsupported")
    if real != ext:
        dest = dest.replace(dest.with_suffix(real))
    return Received(TYPES[real][0], str(dest))


async def accept(data: bytes, name: str | None, mime: str | None, folder: Path) -> Received:
    """The same checks for a file uploaded on the web page (already read, at most a little over
    MAX_FILE_BYTES): a type we take, the size, and bytes that really are that type."""
    ext = extension_of(mime, name)
    if ext is None:
        return Received(problem="unsupported")
    if len(data) > MAX_FILE_BYTES:
        return Received(TYPES[ext][0], problem="too_big")
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / f"{uuid.uuid4().hex}{ext}"
    await asyncio.to_thread(dest.write_bytes, data)
    return _checked(dest, ext)


def discard(path: str | None) -> None:
    """Remove a file nobody will send (a draft cancelled or replaced)."""
    if path:
        try:
            Path(path).unlink(missing_ok=True)
        except OSError as exc:
            log.warning("could not remove %s: %s", path, exc)
