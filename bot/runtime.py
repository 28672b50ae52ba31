"""Open the database and content and build the engine; shared by every command and channel."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.config import Settings
from bot.core import quiet, remaster
from bot.core.engine import Clock, Engine, utc_now
from lessons import load_content
from scenarios.loader import load_scenarios
from storage.db import Database


@asynccontextmanager
async def open_engine(
    settings: Settings | None = None, db_path: Path | str | None = None, clock: Clock = utc_now
) -> AsyncIterator[Engine]:
    settings = settings or Settings()
    quiet.configure(settings.quiet())
    content = load_content(settings.content_dir)
    scenarios = load_scenarios(settings.scenario_dir, content.competency_area)
    db = await Database.open(settings.database(db_path), media=settings.db_path)
    try:
        async with db.transaction() as store:  # once per mastery model: recompute from answers
            await remaster.migrate(store, content, scenarios, clock())
        engine = Engine(db, content, clock, scenarios, settings.admins(), settings.join_links())
        engine.web_url = settings.web_base_url()
        engine.oa_rules = settings.oa_rules()
        yield engine
    finally:
        await db.close()
