"""`/healthz`: can this process reach its database? For the container's HEALTHCHECK, compose's
`depends_on` and a load balancer in front of the webhook and web servers.

A cheap query (SELECT 1 through the Store) under a short deadline: 200 {"status": "ok"} when it
answers, 503 {"status": "unavailable"} when the database is down, unreachable or too busy to
answer in time. Nothing else is said: no error text, no path, no address, no version.
"""

from __future__ import annotations

import asyncio
import logging

from bot.channels.webserver import Request, Response
from storage.db import Database

log = logging.getLogger(__name__)

PATH = "/healthz"
#: long enough for a busy moment, short enough for a health checker's own timeout (Docker: 30 s)
DEADLINE = 3.0
OK = {"status": "ok"}
DOWN = {"status": "unavailable"}


async def database_ok(db: Database, deadline: float = DEADLINE) -> bool:
    """True when the database answers a trivial query within `deadline` seconds."""
    try:
        async with asyncio.timeout(deadline):
            async with db.reading() as store:
                return await store.meta.ping()
    except Exception as exc:  # the kind only: a driver's message may carry an address
        log.warning("health check: the database did not answer (%s)", type(exc).__name__)
        return False


def webhook_route(db: Database):
    """The `/healthz` handler for the webhook server (bot/channels/webserver.HttpServer)."""

    async def healthz(request: Request) -> Response:
        if await database_ok(db):
            return Response.of_json(OK)
        return Response.of_json(DOWN, 503)

    return healthz
