import datetime as dt
import io
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.channels import simulator
from bot.config import Settings
from bot.core.engine import Engine
from lessons import Content, load_content
from scenarios.loader import load_scenarios
from storage.db import Database
from tests.fakes import FakeTelegram, FakeZalo

# `serve` (python -m bot run) also serves the web pages on HOCSO_WEB_PORT; tests that want them
# pass a free port (tests/web/test_server.py), the others leave 8081 alone.
os.environ.setdefault("HOCSO_WEB_PORT", "0")

START = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)  # 08:00 in Vietnam


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content()


class Sim:
    """Drives the real engine through the simulator's JSON-lines contract, in process."""

    def __init__(self, engine: Engine, clock: simulator.SimClock):
        self.engine = engine
        self.clock = clock
        self.turns = 0
        self.last: dict[str, list[dict]] = {}

    async def send(self, **obj) -> list[dict]:
        out = io.StringIO()
        await simulator.run(self.engine, self.clock, io.StringIO(json.dumps(obj) + "\n"), out)
        lines = [json.loads(x) for x in out.getvalue().splitlines()]
        assert lines[-1] == {"turn_done": 1}
        replies = lines[:-1]
        if "user" in obj:
            self.last[obj["user"]] = replies
        return replies

    async def text(self, user: str, text: str) -> list[dict]:
        return await self.send(user=user, text=text)

    async def press(self, user: str, button: str) -> list[dict]:
        return await self.send(user=user, button=button)

    def buttons(self, user: str) -> list[dict]:
        replies = self.last.get(user, [])
        return replies[-1]["buttons"] if replies else []


_OPEN: list[Database] = []


async def open_sim(
    db_path: Path, now: dt.datetime = START, admins: frozenset[str] = frozenset({"sim:admin"})
) -> tuple[Sim, Database]:
    db = await Database.open(db_path)
    _OPEN.append(db)
    clock = simulator.SimClock(now)
    settings = Settings()
    content = load_content(settings.content_dir)
    scenarios = load_scenarios(settings.scenario_dir, content.competency_area)
    return Sim(Engine(db, content, clock, scenarios, admins), clock), db


@pytest.fixture
async def fake_tg() -> AsyncIterator[FakeTelegram]:
    """A local Telegram Bot API server on 127.0.0.1 (channels and delivery tests)."""
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def fake_zalo() -> AsyncIterator[FakeZalo]:
    async with FakeZalo() as fake:
        yield fake


@pytest.fixture
async def sim(tmp_path):
    s, db = await open_sim(tmp_path / "t.db")
    yield s
    await db.close()


@pytest.fixture(autouse=True)
async def _close_databases():
    """A failing test must not leave a connection thread behind (it would hang the run)."""
    yield
    while _OPEN:
        db = _OPEN.pop()
        if db.conn._running:
            await db.close()
