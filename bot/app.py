"""`python -m bot run`: the engine, every configured channel, the webhook server and the
scheduler in one asyncio process, stopped cleanly by SIGINT or SIGTERM.

`--role` splits it over several processes on one database (bot/workers.py): `web` receives
into the inbox (webhook server, or polling) and does nothing else; `worker` receives nothing,
claims inbox and outbox rows and runs the due work; `all` (the default) does everything alone.

Stopping finishes what people are waiting for: no new updates are taken, every queued turn is
answered, then the database is closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import signal
import sys

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from pydantic import SecretStr

from bot import health, logs, texts
from bot.channels.common import Channel, group_by_recipient
from bot.channels.webserver import HttpServer
from bot.config import Settings
from bot.core.engine import Engine
from bot.core.events import Reply
from bot.delivery import Deliverer
from bot.runtime import open_engine
from bot.workers import ROLES, InboxWorker, worker_name

log = logging.getLogger(__name__)

# Telegram allows A-Z, a-z, 0-9, _ and - (1-256); Zalo wants 8-256 characters: ask for both.
_SECRET = re.compile(r"^[A-Za-z0-9_-]{8,256}$")


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def check(settings: Settings) -> list[str]:
    """Problems that must stop the start, in the operator's language."""
    problems = []
    webhooks = [
        ("Telegram", "HOCSO_TELEGRAM_WEBHOOK_SECRET", settings.telegram_token,
         settings.telegram_webhook_url, settings.telegram_webhook_secret),
        ("Zalo", "HOCSO_ZALO_WEBHOOK_SECRET", settings.zalo_bot_token,
         settings.zalo_webhook_url, settings.zalo_webhook_secret),
    ]  # fmt: skip
    paths = []
    if settings.zalo_oa_app_id:
        problems.extend(_check_zalo_oa(settings))
        if settings.zalo_oa_webhook_url:
            paths.append(settings.zalo_oa_webhook_url)
    for channel, var, token, url, secret in webhooks:
        if not (token and url):
            continue
        if not _SECRET.match(_secret(secret) or ""):
            problems.append(texts.CLI_WEBHOOK_NO_SECRET.format(channel=channel, var=var))
        paths.append(url)
    if len(paths) >= 2:
        from urllib.parse import urlsplit

        seen: set[str] = set()
        for path in (urlsplit(u).path or "/" for u in paths):
            if path in seen:
                problems.append(texts.CLI_WEBHOOK_SAME_PATH.format(path=path))
            seen.add(path)
    return problems


def _check_zalo_oa(settings: Settings) -> list[str]:
    needed = {
        "HOCSO_ZALO_OA_SECRET": settings.zalo_oa_secret,
        "HOCSO_ZALO_OA_TOKEN_KEY": settings.zalo_oa_token_key,
        "HOCSO_ZALO_OA_WEBHOOK_URL": settings.zalo_oa_webhook_url,
        # needed on the first start only; later the tokens come from the database
        "HOCSO_ZALO_OA_REFRESH_TOKEN": settings.zalo_oa_refresh_token,
    }
    missing = [name for name, value in needed.items() if not value]
    if missing:
        return [texts.CLI_ZALO_OA_MISSING.format(names=", ".join(missing))]
    from cryptography.fernet import Fernet

    try:
        Fernet(_secret(settings.zalo_oa_token_key).encode())
    except (ValueError, TypeError):
        return [texts.CLI_ZALO_OA_BAD_KEY]
    return []


def build_channels(
    settings: Settings, engine: Engine, *, poll_timeout: float | None = None
) -> list[Channel]:
    from bot.channels.telegram import TelegramChannel
    from bot.channels.zalo import ZaloChannel

    channels: list[Channel] = []
    extra = {} if poll_timeout is None else {"poll_timeout": poll_timeout}
    if settings.telegram_token:
        channels.append(
            TelegramChannel(
                engine,
                _secret(settings.telegram_token),
                base_url=settings.telegram_base_url,
                webhook_url=settings.telegram_webhook_url,
                webhook_secret=_secret(settings.telegram_webhook_secret),
                **extra,
            )
        )
    if settings.zalo_bot_token:
        channels.append(
            ZaloChannel(
                engine,
                _secret(settings.zalo_bot_token),
                base_url=settings.zalo_base_url,
                webhook_url=settings.zalo_webhook_url,
                webhook_secret=_secret(settings.zalo_webhook_secret),
                **extra,
            )
        )
    if settings.zalo_oa_app_id:
        from bot.channels.zalo_oa import ZaloOaChannel

        channels.append(
            ZaloOaChannel(
                engine,
                app_id=settings.zalo_oa_app_id,
                oa_secret=_secret(settings.zalo_oa_secret),
                app_secret=_secret(settings.zalo_oa_app_secret),
                access_token=_secret(settings.zalo_oa_access_token),
                refresh_token=_secret(settings.zalo_oa_refresh_token),
                token_key=_secret(settings.zalo_oa_token_key),
                webhook_url=settings.zalo_oa_webhook_url,
                base_url=settings.zalo_oa_base_url,
                oauth_url=settings.zalo_oa_oauth_url,
                window_hours=settings.zalo_oa_window_hours,
                window_messages=settings.zalo_oa_window_messages,
                use_package_quota=settings.zalo_oa_use_package_quota,
                reply_message_id=settings.zalo_oa_reply_message_id,
                signature_max_age=settings.zalo_oa_signature_max_age,
                renew_before=settings.zalo_oa_renew_before,
                wait_recheck=settings.zalo_oa_wait_recheck,
            )
        )
    return channels


class App:
    """Channels, webhook server and scheduler around one engine."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        *,
        poll_timeout: float | None = None,
        role: str = "all",
    ):
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}")
        self.settings = settings
        self.engine = engine
        self.role = role
        self.channels = build_channels(settings, engine, poll_timeout=poll_timeout)
        for ch in self.channels:
            ch.route = self.route  # type: ignore[attr-defined]
            ch.role = role  # type: ignore[attr-defined]
        routes = {
            ch.webhook_path: ch.handle_webhook  # type: ignore[attr-defined]
            for ch in self.channels
            if getattr(ch, "webhook_url", None) and role != "worker"
        }
        if routes:  # the load balancer's and the container's check, beside the webhooks
            routes[health.PATH] = health.webhook_route(engine.db)
        self.web = (
            HttpServer(
                routes,
                settings.webhook_host,
                settings.webhook_port,
                max_connections=settings.webhook_max_connections,
            )
            if routes
            else None
        )
        self.scheduler = AsyncIOScheduler(timezone=settings.timezone)
        self._started: list[Channel] = []
        self._tick_task: asyncio.Task | None = None
        self.deliverer: Deliverer | None = None  # the outbox of bulk messages
        self.owner = worker_name() if role == "worker" else ""  # whose leases (bot/workers.py)
        self.worker: InboxWorker | None = None  # claims stored updates (role worker)
        self.starting = ""
        self.pages = None  # bot/web/server.py WebServer, when HOCSO_WEB_PORT is set

    def route(self, replies: list[Reply]) -> None:
        """Hand replies to the channel that owns each identity (e.g. "zalo:…")."""
        for identity, mine in group_by_recipient(replies):
            channel = next((c for c in self._started if identity.startswith(c.prefix)), None)
            if channel is None:
                log.warning("no running channel for %s; %d replies dropped", identity, len(mine))
                continue
            channel.push(mine)

    async def start(self) -> None:
        if self.web is not None:
            await self.web.start()
            log.info("webhook server listening on %s:%s", self.web.host, self.web.port)
        if self.settings.web_port and self.role != "worker":  # pages for leaders and staff
            from bot.web.server import WebServer

            pages = WebServer(self.settings, self.engine.db, self.engine.admins)
            try:
                await pages.start()
                self.pages = pages
            except OSError as exc:  # the chat must go on: learners first
                log.error("web pages not served (HOCSO_WEB_PORT %s): %s", pages.port, exc)
        for ch in self.channels:
            self.starting = ch.name
            try:
                await ch.start()
            except BaseException:
                with contextlib.suppress(Exception):
                    await ch.stop()  # close what the half-started channel opened
                raise
            self._started.append(ch)
            who = getattr(ch, "username", None) or getattr(ch, "bot_name", None) or "?"
            mode = ch.mode if self.role != "worker" else "worker"  # type: ignore[attr-defined]
            log.info("channel %s started (%s, bot %s)", ch.name, mode, who)
        if self.role != "web":
            await self._start_work()
        self.scheduler.add_job(
            self.purge_inboxes,
            "interval",
            hours=1,
            id="inbox.purge",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
        )
        self.scheduler.start()
        if self.role != "all":
            log.info("role %s started%s", self.role, f" as {self.owner}" if self.owner else "")

    async def _start_work(self) -> None:
        """The outbox sender and the due work; as a worker also the inbox claims."""
        s = self.settings
        self.deliverer = Deliverer(
            self.engine.db, self.engine, self._started, s, clock=self.engine.clock,
            owner=self.owner, lease=s.lease_seconds,
            # several workers: small claims, so the shared pace is not held by one of them
            **({"batch": 10} if self.owner else {}),
        )  # fmt: skip
        await self.deliverer.start()
        log.info("outbox delivery started (%s)", self.deliverer.describe())
        if self.role == "worker":
            self.worker = InboxWorker(
                self.engine.db, self._started, self.owner, lease=s.lease_seconds,
                poll=s.worker_poll, batch=s.worker_batch,
            )  # fmt: skip
            await self.worker.start()
        self.scheduler.add_job(
            self.tick,
            "interval",
            seconds=s.run_due_seconds,
            id="engine.run_due",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
        )

    async def purge_inboxes(self) -> None:
        """Forget inbox rows done more than two days ago (the inbox is not an archive)."""
        for ch in self._started:
            inbox = getattr(ch, "inbox", None)
            if inbox is not None:
                try:
                    if n := await inbox.purge():
                        log.info("%s inbox: %d old rows forgotten", ch.name, n)
                except Exception:
                    log.exception("%s inbox: purge failed", ch.name)

    async def tick(self) -> None:
        """Run due work (reminders, announcements) and send what it produced."""
        if self._tick_task is None or self._tick_task.done():
            self._tick_task = asyncio.create_task(self._run_due())
        try:
            await asyncio.shield(self._tick_task)  # a scheduler shutdown must not cut a turn
        except asyncio.CancelledError:
            if self._tick_task.done():
                raise
            # the scheduler is shutting down: stop() waits for the due work itself, and this
            # is no failure for the scheduler to log

    async def _run_due(self) -> None:
        try:
            replies = await self.engine.run_due()
        except Exception:
            log.exception("scheduled work failed")
            return
        if replies:
            self.route(replies)

    async def stop(self) -> None:
        if self.worker is not None:  # claim nothing more; what is held is finished below
            await self.worker.stop_claiming()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self._tick_task is not None:
            with contextlib.suppress(Exception):
                await self._tick_task
        if self.deliverer is not None:  # before the channels it sends through
            await self.deliverer.stop()
            self.deliverer = None
            log.info("outbox delivery stopped")
        if self.web is not None:
            await self.web.stop()
        if self.pages is not None:
            await self.pages.stop()
            self.pages = None
        for ch in reversed(self._started):
            try:
                await ch.stop()
            except Exception:
                log.exception("channel %s did not stop cleanly", ch.name)
            log.info("channel %s stopped", ch.name)
        self._started.clear()
        if self.worker is not None:  # hand back what the channels could not finish
            await self.worker.close()
            self.worker = None


def _scrub(text: str, settings: Settings) -> str:
    return logs.Redactor(logs.secrets_of(settings)).redact(text)


async def serve(
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
    poll_timeout: float | None = None,
    role: str = "all",
) -> int:
    """Run until SIGINT/SIGTERM (or `stop` is set); 0 after a clean stop, non-zero on a bad start."""
    problems = check(settings)
    if problems:
        for p in problems:
            print(p, file=sys.stderr)
        return 2
    # Bot API URLs contain the token, and setWebhook's parameters the secret: whatever logs them
    # (httpx at INFO, PTB at DEBUG), they are redacted; the libraries log warnings only unless
    # asked (HOCSO_LOG_LIBRARIES).
    logs.install(logs.secrets_of(settings))
    logs.cap_libraries(settings)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
            signals.append(sig)
    try:
        async with open_engine(settings) as engine:
            app = App(settings, engine, poll_timeout=poll_timeout, role=role)
            try:
                try:
                    await app.start()
                except Exception as exc:
                    message = texts.CLI_CHANNEL_FAILED.format(
                        channel=app.starting or "?",
                        error=_scrub(f"{type(exc).__name__}: {exc}", settings),
                    )
                    log.error(message)
                    print(message, file=sys.stderr)
                    return 1
                log.info("running; stop with Ctrl+C or SIGTERM")
                await stop.wait()
                log.info("stopping: finishing replies in flight")
            finally:
                await app.stop()
        log.info("stopped; database closed")
        return 0
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)
