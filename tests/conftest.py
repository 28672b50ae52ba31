import datetime as dt
import io
import json
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

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
    db_path: Path | str,
    now: dt.datetime = START,
    admins: frozenset[str] = frozenset({"sim:admin"}),
    media: Path | None = None,
) -> tuple[Sim, Database]:
    """The engine on a SQLite file, or on PostgreSQL when `db_path` is a URL (`media` is then
    where its media files go, as beside a file)."""
    db = await Database.open(db_path, media=media)
    _OPEN.append(db)
    clock = simulator.SimClock(now)
    settings = Settings()
    content = load_content(settings.content_dir)
    scenarios = load_scenarios(settings.scenario_dir, content.competency_area)
    return Sim(Engine(db, content, clock, scenarios, admins), clock), db


PG_ENV = "HOCSO_TEST_DATABASE_URL"
#: the backends a backend-neutral test outside tests/storage runs on (PostgreSQL when PG_ENV is set)
BACKEND_PARAMS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgresql",
        id="postgresql",
        marks=pytest.mark.skipif(
            not os.environ.get(PG_ENV), reason=f"postgresql: set {PG_ENV} to run it"
        ),
    ),
]


@asynccontextmanager
async def fresh_database(kind: str, tmp_path: Path, name: str) -> AsyncIterator[Path | str]:
    """Where a fresh database of `kind` (a BACKEND_PARAMS id) is opened: a SQLite file `name`
    under `tmp_path`, or a PostgreSQL database of its own, dropped afterwards."""
    if kind == "sqlite":
        yield tmp_path / name
    else:
        async with pg_database() as url:
            yield url


@asynccontextmanager
async def pg_database(template: str | None = None) -> AsyncIterator[str]:
    """The URL of a fresh database on the test server (a copy of `template`, a database
    name, when given), dropped afterwards."""
    import asyncpg

    base = os.environ[PG_ENV]
    name = f"hocso_t_{secrets.token_hex(6)}"
    admin = await asyncpg.connect(base)
    try:
        tail = f' TEMPLATE "{template}"' if template else ""
        await admin.execute(f'CREATE DATABASE "{name}"{tail}')
        try:
            # thrown away after the test: commits need not wait for the disk
            yield urlunsplit(
                urlsplit(base)._replace(path=f"/{name}", query="synchronous_commit=off")
            )
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


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
        if getattr(db, "conn", None) is not None:
            if db.conn._running:
                await db.close()
        elif not db.pool.is_closing():  # PostgreSQL
            await db.close()


#: tests that run only on PostgreSQL (their ids do not say "postgresql")
_PG_ONLY = ("tests/storage/test_pg.py::test_two", "tests/storage/test_pg.py::test_a_failing",
            "tests/storage/test_pg.py::test_turns", "tests/storage/test_copy.py::test_a_sqlite")  # fmt: skip


def _on_postgresql(report) -> bool:
    if "[postgresql" in report.nodeid or "-postgresql" in report.nodeid:
        return True
    if report.nodeid.startswith(_PG_ONLY):
        return True
    return report.skipped and PG_ENV in str(report.longrepr)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """One line on the PostgreSQL half: how it went, or that it was skipped and how to run it."""
    reports = [
        r
        for key in ("passed", "failed", "skipped", "error")
        for r in terminalreporter.stats.get(key, [])
        if getattr(r, "when", "call") in ("call", "setup") and _on_postgresql(r)
    ]
    if not reports:
        return
    outcome = {"passed": 0, "failed": 0, "skipped": 0}
    for r in reports:
        if r.when == "call" or r.outcome != "passed":
            outcome[r.outcome] = outcome.get(r.outcome, 0) + 1
    if os.environ.get(PG_ENV):
        terminalreporter.write_line(
            f"PostgreSQL half: {outcome['passed']} passed, {outcome['failed']} failed,"
            f" {outcome['skipped']} skipped (on {PG_ENV})"
        )
    else:
        terminalreporter.write_line(
            f"PostgreSQL half SKIPPED: {outcome['skipped']} tests did not run;"
            f" set {PG_ENV}=postgresql://user@host/db (an empty database) to run them",
            yellow=True,
            bold=True,
        )
