"""What channels hand to the core, and what the core hands back.

The core never sends anything itself (as in goflow): `Engine.handle(Event) -> list[Reply]`.
Identities are namespaced by channel ("telegram:123", "zalo:abc", "sim:u1", "console:local").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

EventKind = Literal["text", "button", "command", "attachment"]
AttachmentKind = Literal["sticker", "photo", "voice", "video", "file", "location", "other"]
FileKind = Literal["image", "document", "audio"]

#: Files larger than this are refused before anything is downloaded (and while downloading).
MAX_FILE_BYTES = 10 * 1024 * 1024


class FileTooLarge(Exception):
    """Raised by a channel's fetch when the file turns out larger than MAX_FILE_BYTES."""


@dataclass(frozen=True)
class IncomingFile:
    """A picture or document a person sent, not yet downloaded.

    The core calls `fetch(dest)` only where a file is wanted (a staff member composing an
    announcement), so learners' photos are never downloaded. `fetch` writes the bytes to `dest`,
    a path the core chose, and returns it; it may raise FileTooLarge. What the platform says
    about the file (`name`, `mime`, `size`) is a hint, checked again after download.
    """

    fetch: Callable[[Path], Awaitable[Path]] = field(compare=False, repr=False)
    name: str | None = None
    mime: str | None = None
    size: int | None = None


@dataclass(frozen=True)
class Event:
    identity: str
    kind: EventKind
    text: str = ""  # message text, button id or label, or command arguments
    command: str = ""  # for kind == "command": "start", "menu", "help", ...
    attachment: AttachmentKind | None = None
    #: A channel-unique id ("telegram:update:991"); a repeated id is answered with nothing.
    dedupe_key: str | None = None
    #: For kind == "attachment": how to get the picture or document, if the channel can.
    file: IncomingFile | None = None

    @classmethod
    def message(cls, identity: str, text: str, dedupe_key: str | None = None) -> Event:
        return cls(identity, "text", text=text, dedupe_key=dedupe_key)

    @classmethod
    def button(cls, identity: str, button: str, dedupe_key: str | None = None) -> Event:
        return cls(identity, "button", text=button, dedupe_key=dedupe_key)

    @classmethod
    def cmd(
        cls, identity: str, command: str, args: str = "", dedupe_key: str | None = None
    ) -> Event:
        return cls(identity, "command", text=args, command=command, dedupe_key=dedupe_key)

    @classmethod
    def attached(
        cls,
        identity: str,
        kind: AttachmentKind,
        dedupe_key: str | None = None,
        *,
        file: IncomingFile | None = None,
        caption: str = "",
    ) -> Event:
        """An attachment; a caption typed with a picture travels as `text`."""
        return cls(
            identity, "attachment", text=caption, attachment=kind, dedupe_key=dedupe_key, file=file
        )


@dataclass(frozen=True)
class Button:
    id: str
    label: str


@dataclass(frozen=True)
class OutFile:
    kind: FileKind
    path: str


@dataclass(frozen=True)
class Reply:
    to: str
    text: str
    buttons: list[Button] = field(default_factory=list)
    files: list[OutFile] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "to": self.to,
            "text": self.text,
            "buttons": [{"id": b.id, "label": b.label} for b in self.buttons],
            "files": [{"kind": f.kind, "path": f.path} for f in self.files],
        }

    @classmethod
    def from_json(cls, obj: dict) -> Reply:
        return cls(
            obj["to"],
            obj["text"],
            [Button(b["id"], b["label"]) for b in obj.get("buttons", [])],
            [OutFile(f["kind"], f["path"]) for f in obj.get("files", [])],
        )
