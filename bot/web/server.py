"""Serving the web pages with uvicorn, alone (`python -m bot web`) or beside the bot (`run`).

The pages listen on their own port (HOCSO_WEB_PORT), apart from the webhook server
(bot/channels/webserver.py): that server answers tiny webhook requests with deadlines, a
connection cap and the update stored before the 200, and none of that changes for pages that
render reports and files. See the README's "Trang quản lý trên web".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import socket

import uvicorn

from bot import texts
from bot.config import Settings
from bot.web.app import create_app
from storage.db import Database

log = logging.getLogger(__name__)


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self):  # the bot's own handlers stop everything (bot/app.py)
        yield


class WebServer:
    """uvicorn on a socket bound here (a busy port is an OSError to the caller, not an exit)."""

    def __init__(self, settings: Settings, db: Database, admins: frozenset[str]):
        secret = settings.web_secret.get_secret_value().encode() if settings.web_secret else None
        self.app = create_app(
            db,
            admins=admins,
            secret=secret or secrets.token_bytes(32),
            idle_minutes=settings.web_idle_minutes,
            public_url=settings.web_base_url(),
            links=settings.join_links(),
            oa_rules=settings.oa_rules(),
        )
        self.host, self.port = settings.web_host, settings.web_port
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            lifespan="off",
            proxy_headers=True,  # X-Forwarded-Proto from the TLS proxy: https links, Secure cookie
            forwarded_allow_ips="127.0.0.1",
            timeout_keep_alive=30,
            limit_concurrency=200,
            h11_max_incomplete_event_size=64 * 1024,
        )
        self.server = _Server(config)
        self.task: asyncio.Task | None = None
        self.sock: socket.socket | None = None

    async def start(self) -> None:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError:
            sock.close()
            raise
        sock.listen(128)
        sock.setblocking(False)
        self.sock = sock
        self.port = sock.getsockname()[1]
        self.task = asyncio.create_task(self.server.serve(sockets=[sock]))
        while not self.server.started and not self.task.done():
            await asyncio.sleep(0.02)
        if self.task.done():
            self.task.result()
        log.info("web pages on http://%s:%s", self.host, self.port)

    async def stop(self) -> None:
        if self.task is None:
            return
        self.server.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.task, 10)
        if self.sock is not None:
            self.sock.close()


async def serve_pages(settings: Settings, stop: asyncio.Event) -> int:
    """`python -m bot web`: the pages alone, on the configured database."""
    db = await Database.open(settings.database(), media=settings.db_path)
    try:
        web = WebServer(settings, db, settings.admins())
        await web.start()
        print(texts.CLI_WEB_PAGES.format(url=f"http://{web.host}:{web.port}"), flush=True)
        try:
            await stop.wait()
        finally:
            await web.stop()
    finally:
        await db.close()
    return 0
