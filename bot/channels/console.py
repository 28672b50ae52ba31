"""Chat with the bot in a terminal: the same engine, buttons shown as numbers."""

from __future__ import annotations

import asyncio
import getpass
import sys

from bot import texts
from bot.channels.common import bare_label
from bot.core.engine import Engine
from bot.core.events import Event, Reply


def render(reply: Reply) -> str:
    lines = [reply.text]
    if reply.buttons:
        lines.append("")
        lines.extend(f"  [{i}] {bare_label(b.label)}" for i, b in enumerate(reply.buttons, 1))
    for f in reply.files:
        lines.append(f"  (tệp: {f.path})")
    return "\n".join(lines)


def to_event(identity: str, line: str) -> Event:
    if line.startswith("/") and len(line) > 1:
        name, _, args = line[1:].partition(" ")
        return Event.cmd(identity, name, args.strip())
    return Event.message(identity, line)


async def chat(engine: Engine, identity: str | None = None) -> None:
    identity = identity or f"console:{getpass.getuser()}"
    print(texts.CLI_CHAT_INTRO)
    loop = asyncio.get_running_loop()
    first = True
    while True:
        if first:
            event = Event.cmd(identity, "start")
            first = False
        else:
            try:
                line = await loop.run_in_executor(None, input, "\n> ")
            except (EOFError, KeyboardInterrupt):
                print()
                return
            event = to_event(identity, line)
        for reply in await engine.handle(event):
            print("\n" + render(reply))
        sys.stdout.flush()
