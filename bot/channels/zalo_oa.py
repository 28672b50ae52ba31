"""Zalo Official Account (Open API v3) over httpx: the channel the associations already own.

Receiving: Zalo POSTs events to our webhook, signed in the header X-ZEvent-Signature as
`mac=` + sha256_hex(app_id + raw body + timestamp + OA secret key). The signature is compared
in constant time and the (signed) timestamp must be recent, so a captured request cannot be
replayed later; a replay within that time is dropped by the inbox (msg_id). Every accepted
event is stored in the durable inbox before the 200.

Sending: consultation messages, POST {base}/v3.0/oa/message/cs with the header `access_token`.
Choices are numbered in the text (typed numbers still work) and, up to MAX_BUTTONS, also sent as
`oa.query.show` buttons whose press comes back as the label's text. Pictures and documents are
uploaded (upload/image, upload/file) and sent by attachment id or file token.

Tokens: the access token lasts about 25 hours; it is renewed with the refresh token through
Zalo's OAuth endpoint before it expires and after an invalid-token error. Both tokens are kept
in the database encrypted (Fernet, key from the environment); a lease row makes sure two
workers never renew at once (Zalo's refresh token can be used once).

The window: Zalo lets an OA send a limited number of free messages within a window after the
person's last message (settings: 8 in 48 hours by default), and beyond that only from a paid
package quota. Replies to a person's own message always go. Reminders and announcements outside
the window wait in the outbox ("Chờ người nhận nhắn lại") until the person writes again, or use
the package quota if the operator allows it; what Zalo reports (`quota_type`, `remain`) is kept
per person.

Error codes not confirmed against Zalo's own documentation are marked so in docs/zalo-oa.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import hashlib
import hmac
import io
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from cryptography.fernet import Fernet, InvalidToken

from bot import texts
from bot.channels.common import (
    BoundedMap,
    OrderedDispatcher,
    Part,
    RateLimited,
    Rejected,
    ReplySender,
    Transient,
    Waiting,
    backoff_sleep,
    numbered_choices,
    split_text,
)
from bot.channels.inbox import Inbox, StoredUpdates, current_row
from bot.channels.webserver import Request, Response
from bot.channels.zalo import photo_download
from bot.core import staff
from bot.core.engine import Engine
from bot.core.events import (
    MAX_FILE_BYTES,
    AttachmentKind,
    Event,
    FileTooLarge,
    IncomingFile,
    Reply,
)
from bot.core.matching import choice_index
from storage.db import Database
from storage.outbox import OutboxItem
from storage.zalo_oa import Window

log = logging.getLogger(__name__)

PREFIX = "zalo_oa:"
TEXT_LIMIT = 2000  # Zalo refuses longer texts (error -210 on the third-party record)
MAX_BUTTONS = 5
TITLE_LIMIT = 100
MAX_BODY = 64_000  # a webhook event is a few hundred bytes
SIGNATURE_HEADER = "x-zevent-signature"
IMAGE_LIMIT = 1_000_000
FILE_LIMIT = 5_000_000
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png"}
FILE_SUFFIXES = {".pdf", ".doc", ".docx"}
RENEW_LEASE = dt.timedelta(seconds=30)

# Zalo's error codes (the "error" field, with HTTP 200); see docs/zalo-oa.md for what is sure.
TOKEN_ERRORS = {-216, -124}  # access token invalid / expired
WINDOW_ERRORS = {-213, -230}  # outside the consultation window / no recent interaction
QUOTA_ERRORS = {-211}  # out of quota
RATE_ERRORS = {-32}  # too many requests
PARAM_ERRORS = {-201}  # parameters are invalid

ATTACHMENTS: dict[str, AttachmentKind] = {
    "user_send_image": "photo",
    "user_send_gif": "sticker",
    "user_send_sticker": "sticker",
    "user_send_audio": "voice",
    "user_send_video": "video",
    "user_send_file": "file",
    "user_send_location": "location",
}
#: What a follower can do that reaches us and deserves an answer.
USER_EVENTS = {
    "user_send_text", "user_send_link", "user_send_business_card", "user_submit_info",
    "follow", "unfollow", "user_click_chatnow", "user_reacted_message", *ATTACHMENTS,
}  # fmt: skip
#: A reaction taken back (Zalo sends the reaction event again with this icon).
UNREACTED = {"", "/-remove"}

Clock = Callable[[], dt.datetime]


class OaError(Exception):
    def __init__(self, code: int | None, message: str, status: int = 200):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status

    @property
    def transient(self) -> bool:
        return self.code is None or self.status >= 500


class OutsideWindow(Exception):
    """Zalo would not take an unprompted message now; `reason` is the outbox status."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def identity_of(user_id: str) -> str:
    return f"{PREFIX}{user_id}"


def _default_voice(template: str) -> str:
    form = texts.DEFAULT_ADDRESS
    return template.format(ong_ba=form, Ong_ba=form.capitalize())


def signature(app_id: str, body: bytes, timestamp: str, secret: str) -> str:
    """Zalo's webhook MAC: sha256 hex of app id + raw body + timestamp + OA secret key."""
    data = app_id.encode() + body + timestamp.encode() + secret.encode()
    return hashlib.sha256(data).hexdigest()


# --- tokens ---


class TokenBox:
    """The OA's access and refresh tokens: encrypted in the database, renewed by one worker."""

    def __init__(
        self,
        db: Database,
        client: httpx.AsyncClient,
        *,
        app_id: str,
        app_secret: str,
        key: str,
        oauth_url: str,
        clock: Clock,
        renew_before: float,
    ):
        self.db = db
        self.client = client
        self.app_id = app_id
        self._app_secret = app_secret
        self._fernet = Fernet(key.encode())
        self._key = key.encode()
        self.oauth_url = oauth_url
        self.clock = clock
        self.renew_before = dt.timedelta(seconds=renew_before)
        self._access = ""
        self.expires_at = dt.datetime.min.replace(tzinfo=dt.UTC)
        self.generation = 0
        self.renewals = 0
        self._lock = asyncio.Lock()

    def _seal(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def _open(self, value: str) -> str:
        try:
            return self._fernet.decrypt(value.encode()).decode()
        except InvalidToken:
            raise RuntimeError(
                "stored Zalo OA tokens do not open with HOCSO_ZALO_OA_TOKEN_KEY"
            ) from None

    async def load(self, access: str | None, refresh: str | None) -> None:
        """Adopt the stored tokens. Tokens from the environment are stored on the first start,
        and again only when they change (the OA was authorised anew); their age is unknown, so
        they count as due for renewal."""
        now = self.clock()
        async with self.db.transaction() as store:
            if access and refresh:
                mac = hmac.new(self._key, f"{access}:{refresh}".encode(), "sha256").hexdigest()
                await store.zalo_oa.seed_tokens(
                    self.app_id, self._seal(access), self._seal(refresh), mac, now, now
                )
            stored = await store.zalo_oa.tokens(self.app_id)
        if stored is None:
            raise RuntimeError(
                "no Zalo OA tokens: set HOCSO_ZALO_OA_ACCESS_TOKEN and _REFRESH_TOKEN"
            )
        self._adopt(stored)

    def _adopt(self, stored) -> None:
        self._access = self._open(stored.access_enc)
        self.expires_at = stored.expires_at
        self.generation = stored.generation

    async def access(self) -> tuple[str, int]:
        """A valid access token (renewed first if it is about to expire) and its generation."""
        if self.clock() >= self.expires_at - self.renew_before:
            await self.renew(self.generation)
        return self._access, self.generation

    async def renew(self, stale_generation: int) -> None:
        """Renew unless someone already replaced the token of `stale_generation`; one renewal
        at a time in this process (a lock) and across processes (a lease in the database,
        kept while the call to Zalo runs: a refresh token works once, so a second worker
        must never start a renewal beside a slow one)."""
        async with self._lock:
            if self.generation != stale_generation:
                return  # renewed while we waited
            deadline = time.monotonic() + RENEW_LEASE.total_seconds() + 5
            while True:
                now = self.clock()
                async with self.db.transaction() as store:
                    stored = await store.zalo_oa.tokens(self.app_id)
                    if stored is not None and stored.generation != stale_generation:
                        self._adopt(stored)  # another worker renewed it
                        return
                    claimed = await store.zalo_oa.claim_renewal(self.app_id, now, RENEW_LEASE)
                if claimed is not None:
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError("Zalo OA token renewal lease never released")
                await asyncio.sleep(0.2)  # another worker is renewing: wait for its result
            refresh = self._open(stored.refresh_enc)
            lease = _Lease(self, now + RENEW_LEASE)
            try:
                async with lease:
                    access, new_refresh, expires_in = await self._oauth(refresh)
            except BaseException:
                with contextlib.suppress(Exception):
                    async with self.db.transaction() as store:
                        await store.zalo_oa.release_renewal(self.app_id, lease.held)
                raise
            now = self.clock()
            expires_at = now + dt.timedelta(seconds=expires_in)
            async with self.db.transaction() as store:
                saved = await store.zalo_oa.save_renewal(
                    self.app_id, claimed, self._seal(access), self._seal(new_refresh),
                    expires_at, now, lease.held,
                )  # fmt: skip
                self._adopt(await store.zalo_oa.tokens(self.app_id))
            if not saved:  # the lease was lost (the database did not answer in time)
                log.warning("zalo_oa: another worker took the token renewal over; its tokens kept")
                return
            self.renewals += 1
            log.info("zalo_oa: access token renewed (valid %.1f h)", expires_in / 3600)

    async def _oauth(self, refresh: str) -> tuple[str, str, float]:
        try:
            res = await self.client.post(
                self.oauth_url,
                data={
                    "app_id": self.app_id,
                    "grant_type": "refresh_token",
                    "refresh_token": refresh,
                },
                headers={"secret_key": self._app_secret},
            )
            body = res.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise OaError(None, f"oauth: {type(exc).__name__}") from None
        if not isinstance(body, dict) or not body.get("access_token"):
            code = body.get("error") if isinstance(body, dict) else None
            what = body.get("error_name") or body.get("message") if isinstance(body, dict) else ""
            raise OaError(code, f"oauth refused: {what}", res.status_code)  # never the tokens
        try:
            expires_in = float(body.get("expires_in") or 90000)
        except (TypeError, ValueError):
            expires_in = 90000.0
        return str(body["access_token"]), str(body.get("refresh_token") or refresh), expires_in


class _Lease:
    """While its body runs, keep the renewal lease held until `held`: moved on every third of
    RENEW_LEASE, as the inbox's leases are (bot/workers.py), so it lapses only when this
    process is gone. `held` is the lease's end as last stored."""

    def __init__(self, box: TokenBox, held: dt.datetime):
        self.box = box
        self.held = held
        self._task: asyncio.Task | None = None

    async def __aenter__(self) -> _Lease:
        self._task = asyncio.create_task(self._keep(), name="zalo_oa:renewal-lease")
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _keep(self) -> None:
        every = RENEW_LEASE.total_seconds() / 3
        while True:
            await asyncio.sleep(every)
            until = self.box.clock() + RENEW_LEASE
            try:
                async with self.box.db.transaction() as store:
                    kept = await store.zalo_oa.extend_renewal(self.box.app_id, self.held, until)
            except Exception:
                log.exception("zalo_oa: could not keep the renewal lease")
                continue
            if not kept:
                return
            self.held = until


# --- the API ---


class ZaloOaApi:
    """The Open API calls we use; the access token travels in a header, renewed when refused."""

    def __init__(self, base_url: str, client: httpx.AsyncClient, tokens: TokenBox):
        self.base = base_url.rstrip("/")
        self.client = client
        self.tokens = tokens

    async def call(self, method: str, path: str, **kw: Any) -> dict:
        for attempt in (0, 1):
            token, generation = await self.tokens.access()
            try:
                return await self._once(method, path, token, **kw)
            except OaError as exc:
                if exc.code in TOKEN_ERRORS and attempt == 0:
                    log.warning("zalo_oa: access token refused (%s); renewing", exc.code)
                    await self.tokens.renew(generation)
                    continue
                raise
        raise AssertionError("unreachable")

    async def _once(self, method: str, path: str, token: str, **kw: Any) -> dict:
        try:
            res = await self.client.request(
                method, self.base + path, headers={"access_token": token}, **kw
            )
        except httpx.HTTPError as exc:
            raise OaError(None, f"network: {type(exc).__name__}") from None
        if res.status_code == 429:
            raise OaError(-32, "too many requests", 429)
        try:
            body = res.json()
        except ValueError:
            code = None if res.status_code >= 500 else -1
            raise OaError(code, "not JSON", res.status_code) from None
        if not isinstance(body, dict):
            raise OaError(-1, "unexpected answer", res.status_code)
        code = body.get("error", 0)
        if code == 0 and res.status_code < 400:
            data = body.get("data")
            return data if isinstance(data, dict) else {}
        return self._raise(code, body, res.status_code)

    @staticmethod
    def _raise(code: Any, body: dict, status: int) -> dict:
        raise OaError(code if isinstance(code, int) else None, str(body.get("message", "")), status)


def _msg_id(event: dict) -> str | None:
    """The id of the person's own message in an event (None for follow, reactions...)."""
    if not str(event.get("event_name", "")).startswith("user_send"):
        return None
    message = event.get("message")
    mid = message.get("msg_id") if isinstance(message, dict) else None
    return str(mid) if isinstance(mid, str | int) and str(mid) else None


def _quota(data: dict) -> tuple[str | None, int | None]:
    """What Zalo said about the quota a message used: (quota_type, remain)."""
    q = data.get("quota") if isinstance(data.get("quota"), dict) else data
    kind = q.get("quota_type")
    try:
        remain = int(q["remain"]) if q.get("remain") is not None else None
    except (TypeError, ValueError):
        remain = None
    return (str(kind) if kind else None), remain


def shrink_image(path: Path, limit: int = IMAGE_LIMIT) -> bytes | None:
    """A JPEG of the picture under `limit` bytes (Zalo takes 1 MB at most), or None."""
    from PIL import Image

    try:
        with Image.open(path) as img:
            img = img.convert("RGB")
            for side, quality in ((2048, 85), (1600, 80), (1280, 75), (960, 70)):
                img.thumbnail((side, side))
                out = io.BytesIO()
                img.save(out, "JPEG", quality=quality, optimize=True)
                if out.tell() <= limit:
                    return out.getvalue()
    except OSError:
        return None
    return None


# --- the channel ---


class ZaloOaChannel(StoredUpdates, ReplySender):
    name = "zalo_oa"
    prefix = PREFIX
    mode = "webhook"

    def __init__(
        self,
        engine: Engine,
        *,
        app_id: str,
        oa_secret: str,
        app_secret: str | None = None,
        access_token: str | None,
        refresh_token: str | None,
        token_key: str,
        webhook_url: str,
        base_url: str = "https://openapi.zalo.me",
        oauth_url: str = "https://oauth.zaloapp.com/v4/oa/access_token",
        window_hours: float = 48.0,
        window_messages: int = 8,
        use_package_quota: bool = False,
        reply_message_id: bool = True,
        signature_max_age: float = 300.0,
        renew_before: float = 3600.0,
        wait_recheck: float = 3600.0,
        max_send_attempts: int = 5,
        wall_ms: Callable[[], float] = lambda: time.time() * 1000,
        route: Callable[[list[Reply]], None] | None = None,
    ):
        if not webhook_url:
            raise ValueError("Zalo OA needs a webhook URL")
        self.engine = engine
        self.app_id = app_id
        self._secret = oa_secret
        self.webhook_url = webhook_url
        self.window = dt.timedelta(hours=window_hours)
        self.window_messages = window_messages
        self.use_package_quota = use_package_quota
        self.reply_message_id = reply_message_id
        self.signature_max_age_ms = signature_max_age * 1000
        self.wait_recheck = wait_recheck
        self.max_send_attempts = max_send_attempts
        self.wall_ms = wall_ms
        self.route = route
        self.clock: Clock = engine.clock
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(30.0, connect=10.0),
            limits=httpx.Limits(max_connections=256, max_keepalive_connections=64),
            trust_env=False,
        )
        self.tokens = TokenBox(
            engine.db, self.client, app_id=app_id, app_secret=app_secret or oa_secret,
            key=token_key, oauth_url=oauth_url, clock=self.clock, renew_before=renew_before,
        )  # fmt: skip
        self._initial = (access_token, refresh_token)
        self.api = ZaloOaApi(base_url, self.client, self.tokens)
        self.turns = OrderedDispatcher()
        self.ready = False
        self.inbox = Inbox(engine.db, self.name, engine.clock)
        self.bot_name: str | None = None
        self._choices: BoundedMap = BoundedMap()  # user id -> labels offered last
        self._windows: BoundedMap = BoundedMap()  # identity -> Window (written behind)
        self._uploads: BoundedMap = BoundedMap(4096)  # (path, size, mtime) -> message attachment
        self._upload_locks: dict[tuple, asyncio.Lock] = {}
        self._wrote: dict[str, tuple[dt.datetime, str | None]] = {}
        self._sent: list[tuple[str, str | None, int | None, dt.datetime]] = []
        self._closed: dict[str, dt.datetime] = {}
        self._forget: set[str] = set()
        engine.db.ride_along(self._write_behind)

    @property
    def webhook_path(self) -> str:
        return urlsplit(self.webhook_url).path or "/"

    # --- lifecycle ---

    async def start(self) -> None:
        """Open the tokens (renewing them if due), check them on the OA profile, finish what
        the last run left in the inbox, then take webhooks."""
        await self.tokens.load(*self._initial)
        self._initial = (None, None)
        oa = await self.api.call("GET", "/v2.0/oa/getoa")
        self.bot_name = str(oa.get("name") or "?")
        await self._recover()
        self.ready = True

    async def stop(self) -> None:
        self.ready = False
        await self.turns.close()
        await self.inbox.flush()
        with contextlib.suppress(Exception):
            async with self.engine.db.transaction():
                pass  # the window notes ride along
        await self.client.aclose()

    # --- receiving ---

    async def handle_webhook(self, request: Request) -> Response:
        """Zalo's POST: signed, fresh and well formed, or refused before it reaches anything."""
        if request.method != "POST":
            return Response.text("method not allowed", 405)
        if len(request.body) > MAX_BODY:
            return Response.text("too large", 413)
        given = request.headers.get(SIGNATURE_HEADER, "").strip()
        given = given[4:] if given.lower().startswith("mac=") else given
        try:
            body = request.json()
        except (ValueError, UnicodeDecodeError):
            return Response.text("bad event", 400)
        if not isinstance(body, dict):
            return Response.text("bad event", 400)
        stamp = str(body.get("timestamp") or "")
        if str(body.get("app_id") or "") != self.app_id or not stamp.isdigit():
            log.warning("zalo_oa webhook for another app or without a timestamp refused")
            return Response.text("forbidden", 403)
        expected = signature(self.app_id, request.body, stamp, self._secret)
        if not hmac.compare_digest(given.lower().encode(), expected.encode()):
            log.warning("zalo_oa webhook with a wrong or missing signature refused")
            return Response.text("forbidden", 403)
        if abs(self.wall_ms() - int(stamp)) > self.signature_max_age_ms:
            log.warning("zalo_oa webhook signed too long ago (replayed?) refused")
            return Response.text("stale", 403)
        if not self.ready:
            return Response.text("starting", 503)  # Zalo delivers it again
        try:
            await self.receive(body)
        except Exception:
            log.exception("could not store a zalo_oa event")
            return Response.text("try again", 503)
        return Response.of_json({"message": "Success"})

    @staticmethod
    def _user_of(event: dict) -> str | None:
        name = event.get("event_name")
        if name in ("follow", "unfollow"):
            who = (event.get("follower") or {}).get("id")
        elif name == "user_click_chatnow":
            who = event.get("user_id") or (event.get("sender") or {}).get("id")
        else:
            who = (event.get("sender") or {}).get("id")
        return str(who) if isinstance(who, str | int) and str(who) else None

    async def receive(self, event: dict) -> None:
        """Store a follower's event durably (a replayed msg_id is dropped) and queue it behind
        the same person's earlier ones; the OA's own echoes and read receipts are ignored."""
        name = event.get("event_name")
        user = self._user_of(event)
        if name not in USER_EVENTS or user is None:
            log.debug("zalo_oa event %s ignored", name)
            return
        message = event.get("message") if isinstance(event.get("message"), dict) else {}
        mid = message.get("msg_id")
        key = (
            f"msg:{mid}"
            if isinstance(mid, str | int) and str(mid) and name != "user_reacted_message"
            else f"ev:{name}:{user}:{mid}:{event.get('timestamp')}"  # a reaction names the OA's
        )
        payload = json.dumps(event, ensure_ascii=False)
        row_id = await self.inbox.put(key, identity_of(user), payload)
        if row_id is None:
            log.info("zalo_oa event %s seen before, ignored", key)
            return
        self._queue_row(user, row_id, event)

    def _turn_key(self, identity: str) -> str:
        return identity.removeprefix(PREFIX)

    async def _process_stored(self, update: dict) -> None:
        await self._process(update)

    async def _process(self, event: dict) -> None:
        user = self._user_of(event) or ""
        identity = identity_of(user)
        name = event.get("event_name")
        if name == "unfollow":  # as a 403 on Telegram: nothing more is sent
            log.info("%s unfollowed the OA; marking blocked", identity)
            self._forget.add(identity)
            self._windows.pop(identity, None)
            await self.engine.set_blocked(identity, True)
            return
        if name == "user_reacted_message":
            await self._reacted(user, event)
            return
        mid = _msg_id(event)
        if mid is not None:
            self._note_wrote(identity, mid)
        else:
            self._forget.discard(identity)
        try:
            if name == "follow":
                await self.engine.set_blocked(identity, False)
            replies = await self.engine.handle(self._event(user, event), inbox_id=current_row())
            if mid is not None:
                await self.deliver(replies)
            else:
                await self._offer(identity, replies)
        except Exception:
            log.exception("zalo_oa event %s for %s failed", name, identity)
            with contextlib.suppress(Exception):
                await self._send(user, {"text": _default_voice(texts.ERROR)})

    async def _offer(self, identity: str, replies: list[Reply]) -> None:
        """An answer to something that is not a message (following, "Quan tâm", opening the
        chat): Zalo names no message it could answer, so it may count as proactive. It is tried
        once, and only where the operator allows the package quota; otherwise, or if Zalo will
        not take it, nothing waits for later: the person's first message gets the same welcome
        (the OA's own welcome text asks them to write, docs/zalo-oa.md)."""
        if not self.use_package_quota:
            log.info("zalo_oa: %s followed; welcomed at their first message", identity)
            return
        try:
            await self.deliver(replies)
        except OaError as exc:
            if exc.code not in WINDOW_ERRORS | QUOTA_ERRORS:
                raise
            log.info("zalo_oa welcome to %s not sent: %s (no message of theirs to answer)",
                     identity, exc.code)  # fmt: skip

    async def _reacted(self, user: str, event: dict) -> None:
        """A reaction on an announcement the OA sent (its message_id kept when sent) counts as
        read; on any other message, or taken back, it changes nothing. Not counted as the
        person writing (the free window is left as it was)."""
        identity = identity_of(user)
        message = event.get("message") if isinstance(event.get("message"), dict) else {}
        mid, icon = message.get("msg_id"), message.get("react_icon")
        if not isinstance(mid, str | int) or not str(mid) or str(icon or "") in UNREACTED:
            return
        ann_id = await self.engine.announcement_of(identity, str(mid))
        if ann_id is None:
            return
        dedupe = f"zalo_oa:react:{user}:{mid}:{event.get('timestamp')}"
        try:
            event_ = Event.button(identity, f"{staff.REACTED}{ann_id}", dedupe)
            replies = await self.engine.handle(event_, inbox_id=current_row())
            await self.deliver(replies)
        except Exception:
            log.exception("zalo_oa reaction for %s failed", identity)

    def _event(self, user: str, event: dict) -> Event:
        identity = identity_of(user)
        name = event.get("event_name", "")
        message = event.get("message") if isinstance(event.get("message"), dict) else {}
        mid = message.get("msg_id")
        dedupe = f"zalo_oa:msg:{mid}" if mid else f"zalo_oa:{name}:{user}:{event.get('timestamp')}"
        if name in ("follow", "user_click_chatnow"):
            return Event.cmd(identity, "start", "", dedupe)  # greets and asks for consent
        if name == "user_send_text":
            text = str(message.get("text") or "")
            if text.startswith("/") and len(text) > 1:
                word, _, args = text.partition(" ")
                return Event.cmd(identity, word[1:].lower(), args.strip(), dedupe)
            shown = self._choices.get(user) or []
            if text.strip() in shown:  # an oa.query.show button sends its label back
                return Event.button(identity, text.strip(), dedupe)
            k = choice_index(text, len(shown)) if shown else None
            if k is not None:
                return Event.button(identity, shown[k], dedupe)
            return Event.message(identity, text, dedupe)
        kind = ATTACHMENTS.get(name, "other")
        attachments = message.get("attachments") or []
        payload = (attachments[0] or {}).get("payload") if attachments else None
        payload = payload if isinstance(payload, dict) else {}
        url = payload.get("url")
        caption = message.get("text") if isinstance(message.get("text"), str) else ""
        if isinstance(url, str) and url.startswith(("https://", "http://")):
            if kind == "photo":
                return Event.attached(
                    identity, kind, dedupe, file=photo_download(self.client, url), caption=caption
                )
            if kind == "file":
                size = payload.get("size")
                return Event.attached(
                    identity,
                    kind,
                    dedupe,
                    file=self._file_download(url, payload.get("name"), size),
                    caption=caption,
                )
        return Event.attached(identity, kind, dedupe)

    def _file_download(self, url: str, name: Any, size: Any) -> IncomingFile:
        fetch = photo_download(self.client, url).fetch  # the same bounded download
        declared = int(size) if str(size or "").isdigit() else None
        if declared is not None and declared > MAX_FILE_BYTES:

            async def too_large(dest: Path) -> Path:
                raise FileTooLarge(url)

            fetch = too_large
        return IncomingFile(fetch, name=str(name) if name else None, size=declared)

    # --- the window, kept in memory and written with the next transaction ---

    def _note_wrote(self, identity: str, msg_id: str | None = None) -> None:
        now = self.clock()
        old = self._windows.get(identity)
        msg_id = msg_id or (old.last_msg_id if old is not None else None)
        self._wrote[identity] = (now, msg_id)
        self._forget.discard(identity)
        self._windows[identity] = Window(identity, now, 0, None, None, msg_id)

    def _note_sent(self, identity: str, quota_type: str | None, remain: int | None) -> None:
        now = self.clock()
        self._sent.append((identity, quota_type, remain, now))
        w = self._windows.get(identity)
        if w is not None:
            w.sent_since += 1
            w.quota_type, w.remain = quota_type, remain

    def _note_closed(self, identity: str) -> None:
        self._closed[identity] = self.clock()
        w = self._windows.get(identity)
        if w is not None:
            w.last_user_at = None

    async def _write_behind(self, store) -> None:
        if self._wrote:
            wrote, self._wrote = self._wrote, {}
            for identity, (at, msg_id) in wrote.items():
                await store.zalo_oa.user_wrote(identity, at, msg_id)
                await store.zalo_oa.wake_waiting(
                    identity, [texts.DELIVERY_WAITING, texts.DELIVERY_NO_QUOTA], at
                )
        if self._sent:
            sent, self._sent = self._sent, []
            for identity, kind, remain, at in sent:
                await store.zalo_oa.sent(identity, kind, remain, at)
        if self._closed:
            closed, self._closed = self._closed, {}
            for identity, at in closed.items():
                await store.zalo_oa.closed(identity, at)
        if self._forget:
            forget, self._forget = self._forget, set()
            for identity in forget:
                await store.zalo_oa.forget(identity)

    async def _window_of(self, identity: str) -> Window | None:
        """The person's window: this process's memory of it when it is the only one handling
        messages; with several workers (`--role worker`) the person may have written through
        another one, so the stored window is read, in a transaction, which writes this
        worker's own notes first (`_write_behind` rides along)."""
        w = self._windows.get(identity)
        if w is None or self.role != "all":
            async with self.engine.db.transaction() as store:
                w = await store.zalo_oa.window(identity)
            if w is not None:
                self._windows[identity] = w
        return w

    def _wrote_lately(self, w: Window | None) -> bool:
        """The person wrote within the window's hours (how many were sent since aside)."""
        return (
            w is not None
            and w.last_user_at is not None
            and self.clock() - w.last_user_at < self.window
        )

    async def gate(self, identity: str) -> None:
        """Raise OutsideWindow unless an unprompted message may go to this person now."""
        w = await self._window_of(identity)
        if self._wrote_lately(w) and w.sent_since < self.window_messages:
            return
        exhausted = w is not None and w.quota_type not in (None, "reply") and w.remain == 0
        if self.use_package_quota and not exhausted:
            return  # Zalo decides, from the OA's package
        raise OutsideWindow(texts.DELIVERY_NO_QUOTA if exhausted else texts.DELIVERY_WAITING)

    async def reachable_now(self) -> int:
        """Followers an announcement would reach at once (their window is open)."""
        async with self.engine.db.reading() as store:
            return await store.zalo_oa.reachable(self.clock() - self.window, self.window_messages)

    # --- sending ---

    def _recipient(self, user: str) -> dict:
        """Zalo counts a message as one of the free replies only when it names the person's
        message it answers; naming only the user makes it a paid, proactive one (Zalo OA help
        centre, docs/zalo-oa.md). So while the window is open the last message is named."""
        recipient = {"user_id": user}
        w = self._windows.get(identity_of(user)) if self.reply_message_id else None
        if self._wrote_lately(w) and w.last_msg_id:
            recipient["message_id"] = w.last_msg_id
        return recipient

    async def _send(self, user: str, message: dict) -> dict:
        """One consultation message; the quota it used is noted for the person. Should Zalo
        refuse the named message as a parameter while the same message without it goes, the
        name is dropped for the rest of the run (logged once) rather than failing every reply."""
        recipient = self._recipient(user)

        async def post(recipient: dict) -> dict:
            body = {"recipient": recipient, "message": message}
            return await self.api.call("POST", "/v3.0/oa/message/cs", json=body)

        try:
            data = await post(recipient)
        except OaError as exc:
            if exc.code not in PARAM_ERRORS or "message_id" not in recipient:
                raise
            data = await post({"user_id": user})
            if self.reply_message_id:
                self.reply_message_id = False
                log.warning(
                    "zalo_oa refused recipient.message_id (%s); replies now name only the user"
                    " and Zalo may count them as proactive: see docs/zalo-oa.md",
                    exc.code,
                )
        self._note_sent(identity_of(user), *_quota(data))
        return data

    async def _send_retrying(self, user: str, message: dict) -> None:
        """A reply in a conversation: network trouble and 429s are waited out (only this person
        waits); a refusal is raised."""
        for attempt in range(self.max_send_attempts):
            last = attempt == self.max_send_attempts - 1
            try:
                await self._send(user, message)
                return
            except OaError as exc:
                retryable = exc.transient or exc.code in RATE_ERRORS
                if last or not retryable:
                    raise
                log.warning("zalo_oa send failed (%s); retrying", exc.code)
                await backoff_sleep(attempt, base=0.5)

    def _messages(self, reply: Reply) -> list[tuple[str, Any]]:
        """A reply as OA messages: ("file", OutFile) for each file, then ("text", message)
        for each piece of the text; the buttons ride on the last piece."""
        out: list[tuple[str, Any]] = [("file", f) for f in reply.files]
        # Zalo takes at most five buttons: the first five ride as buttons, every choice is
        # numbered in the text (a learner's menu has six since the scam checker, issue 14).
        buttons = reply.buttons[:MAX_BUTTONS]
        hint = texts.ZALO_OA_CHOOSE_HINT if buttons else texts.ZALO_CHOOSE_HINT
        chunks = split_text(numbered_choices(reply.text, reply.buttons, hint), TEXT_LIMIT)
        for i, chunk in enumerate(chunks):
            message: dict[str, Any] = {"text": chunk}
            if buttons and i == len(chunks) - 1:
                message["attachment"] = {
                    "type": "template",
                    "payload": {
                        "buttons": [
                            {
                                "title": b.label[:TITLE_LIMIT],
                                "type": "oa.query.show",
                                "payload": b.label,
                            }
                            for b in buttons
                        ]
                    },
                }
            out.append(("text", message))
        return out

    async def _send_turn(self, identity: str, replies: list[Reply]) -> None:
        """Replies to the person's own message: inside the window by definition."""
        user = identity.removeprefix(PREFIX)
        listed = next((r for r in reversed(replies) if r.buttons), None)
        if replies:
            self._choices[user] = [b.label for b in listed.buttons] if listed else []
        for r in replies:
            for kind, item in self._messages(r):
                if kind == "file":
                    message = await self._attachment(item.kind, item.path)
                    if message is None:
                        continue
                else:
                    message = item
                await self._send_retrying(user, message)

    async def _push_one(self, identity: str, replies: list[Reply]) -> None:
        """A reminder: sent if the window allows, otherwise left in the outbox for later."""
        if await self.engine.is_blocked(identity):
            log.info("not sending to %s: blocked", identity)
            return
        for i, r in enumerate(replies):
            try:
                await self.gate(identity)
                await self._send_turn(identity, [r])
            except (OutsideWindow, OaError) as exc:
                # Not dropped: the outbox sends it when the window opens, or retries it (network
                # trouble) and records why if it never can.
                if isinstance(exc, OaError) and exc.code in WINDOW_ERRORS:
                    self._note_closed(identity)
                await self._queue_for_later(identity, replies[i:])
                return

    async def _queue_for_later(self, identity: str, replies: list[Reply]) -> None:
        items = [
            OutboxItem(
                identity,
                r.text,
                [(b.id, b.label) for b in r.buttons],
                [(f.kind, f.path) for f in r.files],
            )
            for r in replies
        ]
        async with self.engine.db.transaction() as store:
            await store.outbox.enqueue(items, self.clock())
        log.info("zalo_oa: %d messages for %s wait in the outbox for the window", len(items),
                 identity)  # fmt: skip

    # --- files ---

    async def _attachment(self, kind: str, path: str) -> dict | None:
        """The message carrying an uploaded picture or document (uploaded once per file), or
        None if OA cannot take it (logged: the words still go)."""
        p = Path(path)
        try:
            stat = p.stat()
        except OSError:
            log.warning("zalo_oa: file %s missing; not sent", path)
            return None
        key = (str(p), stat.st_size, stat.st_mtime_ns)
        if (cached := self._uploads.get(key)) is not None:
            return cached
        lock = self._upload_locks.setdefault(key, asyncio.Lock())
        async with lock:
            if (cached := self._uploads.get(key)) is not None:
                return cached
            message = await self._upload(kind, p, stat.st_size)
            if message is not None:
                self._uploads[key] = message
        self._upload_locks.pop(key, None)
        return message

    async def _upload(self, kind: str, p: Path, size: int) -> dict | None:
        suffix = p.suffix.lower()
        if kind == "image":
            data = p.read_bytes() if suffix in IMAGE_SUFFIXES and size <= IMAGE_LIMIT else None
            name = p.name
            if data is None:
                data = await asyncio.to_thread(shrink_image, p)
                name = p.stem + ".jpg"
            if data is None:
                log.warning("zalo_oa: picture %s cannot be made small enough; not sent", p)
                return None
            mime = "image/png" if name.lower().endswith(".png") else "image/jpeg"
            got = await self.api.call(
                "POST", "/v2.0/oa/upload/image", files={"file": (name, data, mime)}
            )
            attachment_id = got.get("attachment_id")
            if not attachment_id:
                raise OaError(-1, "upload gave no attachment id")
            return {
                "attachment": {
                    "type": "template",
                    "payload": {
                        "template_type": "media",
                        "elements": [{"media_type": "image", "attachment_id": attachment_id}],
                    },
                }
            }
        if suffix not in FILE_SUFFIXES or size > FILE_LIMIT:
            log.warning("zalo_oa takes PDF and Word files up to 5 MB; %s not sent", p.name)
            return None
        mime = "application/pdf" if suffix == ".pdf" else "application/msword"
        got = await self.api.call(
            "POST", "/v2.0/oa/upload/file", files={"file": (p.name, p.read_bytes(), mime)}
        )
        token = got.get("token")
        if not token:
            raise OaError(-1, "upload gave no file token")
        return {"attachment": {"type": "file", "payload": {"token": token}}}

    # --- bulk messages from the outbox (bot/delivery.py) ---

    def bulk_parts(self, identity: str, reply: Reply) -> list[Part]:
        """Each file, then each piece of the text (buttons on the last): one message each,
        tried once, each only if the window (or the allowed package quota) lets it go now."""
        user = identity.removeprefix(PREFIX)
        if not user or user == identity:
            raise Rejected(f"not a Zalo OA follower: {identity}")
        parts: list[Part] = []
        for kind, item in self._messages(reply):
            labels = [b.label for b in reply.buttons] if kind == "text" else None
            parts.append(functools.partial(self._bulk_one, identity, kind, item, labels))
        return parts

    async def _bulk_one(self, identity: str, kind: str, item: Any, labels: list[str] | None):
        user = identity.removeprefix(PREFIX)
        try:
            await self.gate(identity)
            if kind == "file":
                message = await self._attachment(item.kind, item.path)
                if message is None:
                    return  # OA cannot take this file: the words still go
            else:
                message = item
            sent = await self._send(user, message)
        except OutsideWindow as exc:
            raise Waiting(exc.reason, self.wait_recheck) from None
        except OaError as exc:
            if exc.code in WINDOW_ERRORS:
                self._note_closed(identity)
                raise Waiting(texts.DELIVERY_WAITING, self.wait_recheck) from exc
            if exc.code in QUOTA_ERRORS:
                self._note_sent(identity, "package", 0)
                raise Waiting(texts.DELIVERY_NO_QUOTA, self.wait_recheck) from exc
            if exc.code in RATE_ERRORS:
                raise RateLimited(1.0, str(exc)) from exc
            if exc.transient or exc.code in TOKEN_ERRORS:
                raise Transient(str(exc)) from exc
            raise Rejected(str(exc)) from exc
        except (OSError, RuntimeError) as exc:
            raise Transient(f"{type(exc).__name__}: {exc}") from exc
        if labels:  # a typed number then picks from these, as after a turn
            self._choices[user] = labels
        message_id = sent.get("message_id")
        return str(message_id) if isinstance(message_id, str | int) and str(message_id) else None
