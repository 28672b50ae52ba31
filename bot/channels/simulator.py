"""The scripted simulator: JSON lines in, JSON lines out, one turn at a time.

The contract every test and outside check uses (see README). Each input line is answered in
full, then `{"turn_done": N}` is written and flushed before the next line is read.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import logging
import mimetypes
import re
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot import texts
from bot.channels.webserver import parse_json
from bot.core.engine import Engine
from bot.core.events import MAX_FILE_BYTES, Event, FileTooLarge, IncomingFile, Reply
from bot.delivery import drain_now

log = logging.getLogger(__name__)
IDENTITY_PREFIX = "sim:"
#: A line longer than this (in bytes or characters) is refused unread; no real turn needs it.
MAX_LINE = 1_000_000
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class SimClock:
    """A clock that only moves when told to, so runs are reproducible."""

    def __init__(self, start: dt.datetime):
        self.t = start.astimezone(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += dt.timedelta(seconds=seconds)


_User = Field(min_length=1, max_length=64, pattern=r"^[^\s]+$")


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TextIn(_Base):
    user: str = _User
    text: str


class ButtonIn(_Base):
    user: str = _User
    button: str


class CommandIn(_Base):
    user: str = _User
    command: str = Field(min_length=1, max_length=32)
    args: str = ""


class AttachmentIn(_Base):
    user: str = _User
    attachment: Literal["sticker", "photo", "voice", "video", "file", "location"]
    #: For "photo" and "file": an existing file on this machine, copied as if downloaded.
    path: str | None = None
    caption: str = ""

    @field_validator("path")
    @classmethod
    def _existing_file(cls, value: str | None) -> str | None:
        if value is not None and not (Path(value).is_absolute() and Path(value).is_file()):
            raise ValueError("path must be an existing file, given as an absolute path")
        return value


class AdvanceIn(_Base):
    advance_seconds: float = Field(ge=0, le=10 * 365 * 86400)


_MODELS: list[type[_Base]] = [TextIn, ButtonIn, CommandIn, AttachmentIn, AdvanceIn]


def _short(value: object, limit: int = 60) -> str:
    """A piece of the input fit to quote in an error (short, no lone surrogates)."""
    text = str(value)
    text = text if len(text) <= limit else text[:limit] + "…"
    return _SURROGATE.sub("\ufffd", text)


def parse_line(line: str | bytes) -> _Base:
    """The input model for one line; raises ValueError with a readable reason."""
    if len(line) > MAX_LINE:
        raise ValueError(f"line longer than {MAX_LINE} characters")
    obj = parse_json(line)  # UTF-8, nesting and lone surrogates checked
    if not isinstance(obj, dict):
        raise ValueError("each line must be a JSON object")
    keys = set(obj)
    for model in _MODELS:
        if (
            set(model.model_fields) >= keys
            and {k for k, f in model.model_fields.items() if f.is_required()} <= keys
        ):
            try:
                return model.model_validate(obj)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(_short(p) for p in first["loc"])
                raise ValueError(f"{where}: {first['msg']}") from None
    shown = sorted(_short(k, 30) for k in keys)[:10]
    raise ValueError(f"unknown input object with keys {shown}")


def to_event(item: _Base) -> Event:
    identity = IDENTITY_PREFIX + item.user
    if isinstance(item, TextIn):
        return Event.message(identity, item.text)
    if isinstance(item, ButtonIn):
        return Event.button(identity, item.button)
    if isinstance(item, CommandIn):
        return Event.cmd(identity, item.command.lstrip("/"), item.args)
    assert isinstance(item, AttachmentIn)
    source = Path(item.path) if item.path and item.attachment in ("photo", "file") else None
    if source is None:
        return Event.attached(identity, item.attachment, caption=item.caption)
    return Event.attached(
        identity,
        item.attachment,
        file=IncomingFile(
            _copier(source),
            name=source.name,
            mime=mimetypes.guess_type(source.name)[0],
            size=source.stat().st_size,
        ),
        caption=item.caption,
    )


def _copier(source: Path):
    """The simulator's "download": a copy of a local file, refused past the size limit."""

    async def fetch(dest: Path) -> Path:
        if source.stat().st_size > MAX_FILE_BYTES:
            raise FileTooLarge(str(source))
        await asyncio.to_thread(shutil.copyfile, source, dest)
        return dest

    return fetch


async def deliver_outbox(engine: Engine) -> list[Reply]:
    """The simulator is a channel too: bulk messages now due for `sim:` people are sent here,
    under the same rules as the real delivery (quiet hours unless urgent, blocked skipped)."""
    return await drain_now(engine.db, "sim:", engine.clock())


def _emit(out: IO[str], obj: dict) -> None:
    """One JSON line, always valid UTF-8 (escaped if some text could not be encoded)."""
    line = json.dumps(obj, ensure_ascii=False)
    if _SURROGATE.search(line):
        line = json.dumps(obj, ensure_ascii=True)
    out.write(line + "\n")


def _split(lines: Iterable[str | bytes]) -> Iterator[str | bytes]:
    """Input lines; a binary stream is read line by line with a bound, so a huge line is
    skipped in pieces (its head kept, to be refused) rather than held in memory."""
    readline = getattr(lines, "readline", None)
    if readline is None or isinstance(lines, io.TextIOBase):
        yield from lines
        return
    while True:
        line = readline(MAX_LINE + 1)
        if not line:
            return
        if len(line) > MAX_LINE and not line.endswith(b"\n"):
            while (rest := readline(65536)) and not rest.endswith(b"\n"):
                pass
        yield line


def _reply_json(reply: Reply) -> dict:
    obj = reply.as_json()
    obj["to"] = obj["to"].removeprefix(IDENTITY_PREFIX)
    return obj


async def run(engine: Engine, clock: SimClock, lines: Iterable[str | bytes], out: IO[str]) -> int:
    """Drive the engine from JSON lines (text, or bytes from a binary stream); returns the
    number of input lines handled. No line stops the run: a bad one gets `{"error": ...}`."""
    n = 0
    for line in _split(lines):
        if not line.strip():
            continue
        n += 1
        try:
            item = parse_line(line)
        except ValueError as exc:
            _emit(out, {"error": texts.CLI_BAD_INPUT.format(n=n, error=exc)})
        else:
            for reply in await _turn(engine, clock, item, n):
                _emit(out, _reply_json(reply))
        _emit(out, {"turn_done": n})
        out.flush()
    return n


def _failed(identity: str) -> Reply:
    form = texts.DEFAULT_ADDRESS
    return Reply(identity, texts.ERROR.format(ong_ba=form, Ong_ba=form.capitalize()))


async def _turn(engine: Engine, clock: SimClock, item: _Base, n: int) -> list[Reply]:
    if isinstance(item, AdvanceIn):
        clock.advance(item.advance_seconds)
        try:
            return await engine.run_due() + await deliver_outbox(engine)
        except Exception:
            log.exception("due work after line %d failed", n)
            return []
    event = to_event(item)
    try:
        return await engine.handle(event)
    except Exception:
        log.exception("turn %d failed", n)
        return [_failed(event.identity)]
