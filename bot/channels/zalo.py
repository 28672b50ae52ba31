"""Zalo Bot Platform over httpx: the same shape as the Telegram channel, without buttons.

API: POST {base}{token}/{method} with a JSON body, answered `{ok, result, error_code,
description}`. Updates come by long polling (`getUpdates`, one update per call, error_code 408
when none arrived) or by webhook (header X-Bot-Api-Secret-Token). Zalo has no buttons, so a
reply's choices are sent as a numbered list; the core accepts the number or the words.
Messages are at most 2,000 characters, so long texts are split at paragraphs.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from bot import texts
from bot.channels.common import (
    BoundedMap,
    OrderedDispatcher,
    Part,
    RateLimited,
    Rejected,
    ReplySender,
    Transient,
    Unreachable,
    backoff_sleep,
    numbered_choices,
    split_text,
    typing_while,
)
from bot.channels.inbox import Inbox, StoredUpdates, current_row
from bot.channels.webserver import Request, Response
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
from bot.logs import Throttled

log = logging.getLogger(__name__)
refused = Throttled(log)  # forged or malformed requests: anyone can send them, so throttled

PREFIX = "zalo:"
TEXT_LIMIT = 2000
SECRET_HEADER = "x-bot-api-secret-token"
NO_UPDATE = 408
ATTACHMENTS: dict[str, AttachmentKind] = {
    "message.image.received": "photo",
    "message.sticker.received": "sticker",
    "message.voice.received": "voice",
    "message.video.received": "video",
    "message.file.received": "file",
    "message.location.received": "location",
}
COMMANDS = ("start", "menu", "help")

Route = Callable[[list[Reply]], None]


class ZaloError(Exception):
    def __init__(self, code: int | None, description: str, retry_after: float | None = None):
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description
        self.retry_after = retry_after


class UserBlocked(Exception):
    """Zalo refused to deliver to this person (403)."""


class ZaloApi:
    """The Bot API calls we use; the token only ever appears in the request URL."""

    def __init__(self, token: str, base_url: str, client: httpx.AsyncClient):
        self._url = f"{base_url}{token}/"
        self.client = client

    async def call(self, method: str, http_timeout: float | None = None, **params: Any) -> Any:
        try:
            res = await self.client.post(
                self._url + method,
                json=params,
                timeout=http_timeout if http_timeout is not None else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.HTTPError as exc:  # never echo the URL: it holds the token
            raise ZaloError(None, f"network: {type(exc).__name__}") from None
        try:
            body = res.json()
        except ValueError:
            raise ZaloError(res.status_code, "not JSON") from None
        if not isinstance(body, dict):
            raise ZaloError(res.status_code, "unexpected answer")
        if body.get("ok"):
            return body.get("result")
        params_ = body.get("parameters") or {}
        raise ZaloError(
            body.get("error_code") or res.status_code,
            str(body.get("description", "")),
            params_.get("retry_after") if isinstance(params_, dict) else None,
        )


def _scalar_id(value: object) -> bool:
    return (isinstance(value, str) and 0 < len(value) <= 128) or (
        isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63
    )


def well_formed(update: object) -> bool:
    """Whether an update has the shape the channel reads (types of every field it touches);
    anything else is refused (400 on the webhook) rather than failing half-way."""
    if not isinstance(update, dict):
        return False
    if not isinstance(update.get("event_name", ""), str):
        return False
    message = update.get("message")
    if message is None:
        return True  # no message: nothing to answer, acknowledged and ignored
    if not isinstance(message, dict):
        return False
    chat = message.get("chat")
    if chat is not None and not (
        isinstance(chat, dict)
        and _scalar_id(chat.get("id"))
        and isinstance(chat.get("chat_type", ""), str)
    ):
        return False
    mid = message.get("message_id")
    if mid is not None and not _scalar_id(mid):
        return False
    return all(
        message.get(k) is None or isinstance(message.get(k), str)
        for k in ("text", "caption", "photo")
    )


def identity_of(chat_id: str) -> str:
    return f"{PREFIX}{chat_id}"


def _default_voice(template: str) -> str:
    form = texts.DEFAULT_ADDRESS
    return template.format(ong_ba=form, Ong_ba=form.capitalize())


def photo_download(client: httpx.AsyncClient, url: str) -> IncomingFile:
    """A received photo (Zalo gives its URL), fetched only if the core asks, at most
    MAX_FILE_BYTES read. Zalo's Bot API sends photos only: no documents arrive this way."""

    async def fetch(dest: Path) -> Path:
        async with client.stream("GET", url, follow_redirects=True) as res:
            res.raise_for_status()
            declared = res.headers.get("content-length", "")
            if declared.isascii() and declared.isdigit() and int(declared) > MAX_FILE_BYTES:
                raise FileTooLarge(url)
            got = 0
            with dest.open("wb") as fh:
                async for chunk in res.aiter_bytes():
                    got += len(chunk)
                    if got > MAX_FILE_BYTES:
                        raise FileTooLarge(url)
                    fh.write(chunk)
        return dest

    return IncomingFile(fetch)  # JPEG or PNG: the core checks the bytes on arrival


class ZaloChannel(StoredUpdates, ReplySender):
    name = "zalo"
    prefix = PREFIX

    def __init__(
        self,
        engine: Engine,
        token: str,
        *,
        base_url: str = "https://bot-api.zaloplatforms.com/bot",
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        poll_timeout: float = 30.0,
        typing_delay: float = 0.8,
        max_send_attempts: int = 5,
        route: Route | None = None,
    ):
        if webhook_url and not webhook_secret:
            raise ValueError("Zalo webhook mode needs a secret token")
        self.engine = engine
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.poll_timeout = poll_timeout
        self.typing_delay = typing_delay
        self.max_send_attempts = max_send_attempts
        self.route = route
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(15.0, connect=10.0),
            limits=httpx.Limits(max_connections=256, max_keepalive_connections=64),
            trust_env=False,
        )
        self.api = ZaloApi(token, base_url, self.client)
        self.turns = OrderedDispatcher()
        self.ready = False  # webhook calls before start() are asked to come back
        self._choices: BoundedMap = BoundedMap()  # chat id -> labels listed in the last turn
        self.inbox = Inbox(engine.db, self.name, engine.clock)
        self._poller: asyncio.Task | None = None
        self.bot_name: str | None = None

    @property
    def webhook_path(self) -> str:
        return urlsplit(self.webhook_url or "").path or "/"

    @property
    def mode(self) -> str:
        return "webhook" if self.webhook_url else "polling"

    # --- lifecycle ---

    async def start(self) -> None:
        """Check the token (getMe); set the webhook, or clear it and start long polling."""
        me = await self.api.call("getMe")
        self.bot_name = me.get("account_name") if isinstance(me, dict) else None
        await self._recover()
        self.ready = True
        if not self.receiving:  # a worker: the web process receives
            return
        if self.webhook_url:
            await self.api.call(
                "setWebhook", url=self.webhook_url, secret_token=self.webhook_secret
            )
        else:
            with contextlib.suppress(ZaloError):  # getUpdates does not work while one is set
                await self.api.call("deleteWebhook")
            self._poller = asyncio.create_task(self._poll(), name="zalo:poller")

    async def stop(self) -> None:
        """Stop polling, finish every queued turn and its replies, then close the client."""
        self.ready = False
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None
        await self.turns.close()
        await self.inbox.flush()
        await self.client.aclose()

    async def _poll(self) -> None:
        failures = 0
        while True:
            try:
                update = await self.api.call(
                    "getUpdates",
                    http_timeout=self.poll_timeout + 10.0,
                    timeout=str(max(1, round(self.poll_timeout))),
                )
            except ZaloError as exc:
                if exc.code == NO_UPDATE:
                    failures = 0
                    continue
                log.warning("zalo getUpdates failed (%s); retrying", exc)
                await backoff_sleep(failures)
                failures += 1
                continue
            failures = 0
            if isinstance(update, dict):
                # Zalo's getUpdates has no offset: an update counts as delivered once returned,
                # so it is stored at once (webhook mode stores before answering 200).
                try:
                    await self.receive(update)
                except Exception:
                    log.exception("could not store a zalo update")

    @staticmethod
    def _chat_of(update: dict) -> str | None:
        message = update.get("message")
        if not isinstance(message, dict):
            return None
        chat = message.get("chat")
        chat_id = chat.get("id") if isinstance(chat, dict) else None
        return str(chat_id) if isinstance(chat_id, str | int) and str(chat_id) else None

    async def receive(self, update: dict) -> None:
        """Store an update durably (a replayed message id is dropped), then queue it behind the
        same chat's earlier ones. Updates that are not a chat's message are only logged, and
        malformed ones (see `well_formed`) dropped."""
        if not well_formed(update):
            refused.warning("malformed", "malformed zalo update ignored")
            return
        chat_id = self._chat_of(update)
        if chat_id is None:
            log.info("zalo update without a chat message ignored: %s", update.get("event_name"))
            return
        payload = json.dumps(update, ensure_ascii=False)
        message_id = update["message"].get("message_id")
        key = (
            f"msg:{message_id}"
            if isinstance(message_id, str | int)
            else "sha:" + hashlib.sha256(payload.encode()).hexdigest()
        )
        row_id = await self.inbox.put(key, identity_of(chat_id), payload)
        if row_id is None:
            log.info("zalo message %s seen before, ignored", message_id)
            return
        self._queue_row(chat_id, row_id, update)

    def _turn_key(self, identity: str) -> str:
        return identity.removeprefix(PREFIX)

    async def _process_stored(self, update: dict) -> None:
        await self._process(update)

    async def handle_webhook(self, request: Request) -> Response:
        """Zalo's POST: only with the secret header (compared in constant time)."""
        if request.method != "POST":
            return Response.text("method not allowed", 405)
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, (self.webhook_secret or "").encode()):
            refused.warning("secret", "zalo webhook request with a wrong or missing secret refused")
            return Response.text("forbidden", 403)
        if not self.ready:
            return Response.text("starting", 503)  # delivered again later
        try:
            body = request.json()
        except ValueError:
            return Response.text("bad update", 400)
        if not isinstance(body, dict) or (
            "result" in body and not isinstance(body["result"], dict)
        ):
            return Response.text("bad update", 400)
        update = body.get("result", body)
        if not well_formed(update):
            refused.warning("malformed", "malformed zalo webhook update refused")
            return Response.text("bad update", 400)
        try:
            await self.receive(update)
        except Exception:
            log.exception("could not store a zalo update")
            return Response.text("try again", 503)  # not stored: Zalo delivers it again
        return Response.of_json({"message": "Success"})

    # --- updates to events ---

    async def _process(self, update: dict) -> None:
        message = update["message"]
        chat = message.get("chat") or {}
        chat_id = str(chat["id"])
        try:
            if str(chat.get("chat_type", "PRIVATE")).upper() != "PRIVATE":
                await self._group(chat_id, update)
                return
            event = self._event(chat_id, update)
            async with typing_while(
                lambda: self.api.call("sendChatAction", chat_id=chat_id, action="typing"),
                self.typing_delay,
            ):
                replies = await self.engine.handle(event, inbox_id=current_row())
            await self.deliver(replies)
        except Exception:
            log.exception("zalo message %s failed", message.get("message_id"))
            with contextlib.suppress(Exception):
                await self._send_text(chat_id, _default_voice(texts.ERROR))

    def _event(self, chat_id: str, update: dict) -> Event:
        message = update["message"]
        identity = identity_of(chat_id)
        mid = message.get("message_id")
        dedupe = f"zalo:msg:{mid}" if mid is not None else None
        name = update.get("event_name", "")
        text = message.get("text")
        if name == "message.text.received" or (not name and isinstance(text, str)):
            text = text or ""
            if text.startswith("/") and len(text) > 1:
                word, _, args = text.partition(" ")
                return Event.cmd(identity, word[1:].lower(), args.strip(), dedupe)
            shown = self._choices.get(chat_id) or []
            k = choice_index(text, len(shown)) if shown else None
            if k is not None:  # "2" picks the second listed choice, even before consent
                return Event.button(identity, shown[k], dedupe)
            return Event.message(identity, text, dedupe)
        kind = ATTACHMENTS.get(name, "other")
        photo = message.get("photo")
        if kind == "photo" and isinstance(photo, str) and photo.startswith(("https://", "http://")):
            caption = message.get("caption")
            return Event.attached(
                identity,
                kind,
                dedupe,
                file=photo_download(self.client, photo),
                caption=caption if isinstance(caption, str) else "",
            )
        return Event.attached(identity, kind, dedupe)

    async def _group(self, chat_id: str, update: dict) -> None:
        """Learning is personal: in a group, answer only our commands, pointing to a private chat."""
        text = (update["message"].get("text") or "").strip()
        word = text.split(" ", 1)[0][1:].lower() if text.startswith("/") else ""
        if word in COMMANDS:
            await self._send_text(chat_id, texts.GROUP_PRIVATE_ONLY_ZALO)

    # --- replies to messages ---

    async def _send_turn(self, identity: str, replies: list[Reply]) -> None:
        chat_id = identity.removeprefix(PREFIX)
        listed = next((r for r in reversed(replies) if r.buttons), None)
        if replies:
            self._choices[chat_id] = [b.label for b in listed.buttons] if listed else []
        try:
            for r in replies:
                for f in r.files:
                    await self._send_file(chat_id, f.kind, f.path)
                text = numbered_choices(r.text, r.buttons, texts.ZALO_CHOOSE_HINT)
                for chunk in split_text(text, TEXT_LIMIT):
                    await self._send_text(chat_id, chunk)
        except UserBlocked:
            log.info("%s cannot be reached; marking blocked", identity)
            await self.engine.set_blocked(identity, True)

    async def _send_file(self, chat_id: str, kind: str, path: str) -> None:
        """Zalo takes photos by URL only; local files cannot be sent (logged, not fatal)."""
        if kind == "image" and path.startswith(("https://", "http://")):
            await self._call("sendPhoto", chat_id=chat_id, photo=path)
        else:
            log.warning("zalo cannot send %s %s (needs a public image URL)", kind, path)

    async def _send_text(self, chat_id: str, text: str) -> None:
        await self._call("sendMessage", chat_id=chat_id, text=text)

    async def _call(self, method: str, **params: Any) -> Any:
        """One send, waiting out 429s (only this person waits) and retrying network blips."""
        for attempt in range(self.max_send_attempts):
            last = attempt == self.max_send_attempts - 1
            try:
                return await self.api.call(method, **params)
            except ZaloError as exc:
                if exc.code == 403:
                    raise UserBlocked(exc.description) from exc
                retryable = exc.code is None or exc.code == 429 or exc.code >= 500
                if last or not retryable:
                    raise
                if exc.retry_after:
                    wait = float(exc.retry_after)
                    log.warning("zalo asked to wait %.1f s; retrying", wait)
                    await asyncio.sleep(wait)
                else:
                    log.warning("zalo %s failed (%s); retrying", method, exc)
                    await backoff_sleep(attempt, base=0.5)
        raise AssertionError("unreachable")

    # --- bulk messages from the outbox (bot/delivery.py) ---

    def bulk_parts(self, identity: str, reply: Reply) -> list[Part]:
        """The text with its choices numbered, split at 2,000 characters: one call each, tried
        once. Local files cannot go to Zalo (photos by URL only): skipped with a warning, as
        in conversations, so the words still arrive."""
        chat_id = identity.removeprefix(PREFIX)
        if not chat_id or chat_id == identity:
            raise Rejected(f"not a Zalo chat: {identity}")
        send = functools.partial(self._bulk_call, chat_id)
        parts: list[Part] = []
        for f in reply.files:
            if f.kind == "image" and f.path.startswith(("https://", "http://")):
                parts.append(functools.partial(send, "sendPhoto", photo=f.path))
            else:
                log.warning("zalo cannot send %s %s (needs a public image URL)", f.kind, f.path)
        text = numbered_choices(reply.text, reply.buttons, texts.ZALO_CHOOSE_HINT)
        chunks = split_text(text, TEXT_LIMIT)
        for i, chunk in enumerate(chunks):
            last = i == len(chunks) - 1 and bool(reply.buttons)
            labels = [b.label for b in reply.buttons] if last else None
            parts.append(functools.partial(send, "sendMessage", text=chunk, labels=labels))
        return parts

    async def _bulk_call(
        self, chat_id: str, method: str, labels: list[str] | None = None, **params: Any
    ) -> None:
        try:
            await self.api.call(method, chat_id=chat_id, **params)
        except ZaloError as exc:
            if exc.code == 429:
                raise RateLimited(float(exc.retry_after or 1.0), str(exc)) from exc
            if exc.code == 403:
                raise Unreachable(exc.description) from exc
            if exc.code is None or exc.code >= 500:
                raise Transient(str(exc)) from exc
            raise Rejected(str(exc)) from exc
        if labels is not None:  # a typed number then picks from these, as after a turn
            self._choices[chat_id] = labels
