"""Telegram through python-telegram-bot v22: updates become core events, replies become messages.

Choices are a **reply keyboard** (large buttons in place of the phone's keyboard), not inline
buttons: for older people the targets are big and always at the same place at the bottom, a
press shows up in the chat as their own words (so they see what they chose), nothing stale
stays pressable under old messages, and typing the same words works just as well. Inline
buttons are used only for a link (the "message me privately" button in groups).

Nothing is lost: every update is written to the durable inbox (bot/channels/inbox.py) before
Telegram is told it arrived: polling confirms an offset only with the next getUpdates, which is
sent after the batch is stored; the webhook answers 200 after the row is stored. Rows are then
handed to an `OrderedDispatcher` keyed by chat: many people at once, each person's updates
strictly in order; a restart finishes whatever the inbox still holds. Handlers are PTB handlers run by `Application.process_update` inside
that per-chat job, so PTB's filters (private/group, commands addressed to this bot, edits) and
its error handler are used as designed. A 429 is waited out inside the one person's job, so
other people are not held up.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import hmac
import json
import logging
import os
import warnings
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlsplit

from telegram import (
    BotCommand,
    ChatMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ChatAction, ChatType
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    MessageReactionHandler,
    filters,
)
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

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
    split_text,
    typing_while,
)
from bot.channels.inbox import Inbox, StoredUpdates, current_row
from bot.channels.webserver import Request, Response
from bot.core import staff
from bot.core.engine import Engine
from bot.core.events import (
    MAX_FILE_BYTES,
    AttachmentKind,
    Button,
    Event,
    FileTooLarge,
    IncomingFile,
    OutFile,
    Reply,
)
from bot.logs import Throttled

log = logging.getLogger(__name__)
refused = Throttled(log)  # forged or malformed requests: anyone can send them, so throttled
# Opt in to PTB's coming behaviour (time periods as timedelta; read at each use) rather than
# have PTB warn on every 429.
os.environ.setdefault("PTB_TIMEDELTA", "true")

PREFIX = "telegram:"
TEXT_LIMIT = 4096
COMMANDS = ("start", "menu", "help")
ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.MY_CHAT_MEMBER,
    Update.MESSAGE_REACTION,  # 👍 on an announcement counts as read
]
SHORT_LABEL = 12  # two such buttons share a row; longer ones get a row each
SECRET_HEADER = "x-telegram-bot-api-secret-token"

Route = Callable[[list[Reply]], None]


class UserBlocked(Exception):
    """Telegram answered 403: the person blocked the bot (or deleted their account)."""


def _int_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**63


def well_formed(update: Update) -> bool:
    """Whether the fields the channel reads have Telegram's types. `Update.de_json` builds
    objects from whatever it is given (a list as update_id, a number as text), so a body with
    a valid secret but the wrong shape is refused here rather than failing later."""
    if not _int_id(update.update_id) or update.update_id < 0:
        return False
    chat, user, m = update.effective_chat, update.effective_user, update.effective_message
    if (chat is not None and not _int_id(chat.id)) or (user is not None and not _int_id(user.id)):
        return False
    if m is not None and not all(
        v is None or isinstance(v, str) for v in (m.text, getattr(m, "caption", None))
    ):
        return False
    query = update.callback_query
    return query is None or query.data is None or isinstance(query.data, str)


def identity_of(chat_id: int) -> str:
    return f"{PREFIX}{chat_id}"


def keyboard(buttons: list[Button]) -> ReplyKeyboardMarkup:
    """Big buttons, one per row unless two short ones fit side by side."""
    rows: list[list[KeyboardButton]] = []
    pair: list[KeyboardButton] = []
    for b in buttons:
        if len(b.label) <= SHORT_LABEL:
            pair.append(KeyboardButton(b.label))
            if len(pair) == 2:
                rows.append(pair)
                pair = []
            continue
        if pair:
            rows.append(pair)
            pair = []
        rows.append([KeyboardButton(b.label)])
    if pair:
        rows.append(pair)
    return ReplyKeyboardMarkup(
        rows, resize_keyboard=True, is_persistent=True, input_field_placeholder=texts.TG_INPUT_HINT
    )


def _retry_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


def _default_voice(template: str) -> str:
    """Text said before the core knows how to address the person."""
    form = texts.DEFAULT_ADDRESS
    return template.format(ong_ba=form, Ong_ba=form.capitalize())


def incoming_file(bot, update: Update) -> IncomingFile | None:
    """A photo (its largest size) or a document, to be downloaded only if the core asks."""
    m = update.effective_message
    if m is None:
        return None
    if m.photo:
        media, name, mime = m.photo[-1], None, "image/jpeg"  # Telegram re-encodes photos
    elif m.document:
        media, name, mime = m.document, m.document.file_name, m.document.mime_type
    else:
        return None
    file_id, size = media.file_id, media.file_size

    async def fetch(dest: Path) -> Path:
        if size is not None and size > MAX_FILE_BYTES:
            raise FileTooLarge(file_id)
        found = await bot.get_file(file_id)
        if found.file_size is not None and found.file_size > MAX_FILE_BYTES:
            raise FileTooLarge(file_id)
        return await found.download_to_drive(dest)

    return IncomingFile(fetch, name=name, mime=mime, size=size)


def _attachment_kind(update: Update) -> AttachmentKind:
    m = update.effective_message
    if m is None:
        return "other"
    if m.sticker:
        return "sticker"
    if m.photo:
        return "photo"
    if m.voice or m.audio:
        return "voice"
    if m.video or m.video_note or m.animation:
        return "video"
    if m.document:
        return "file"
    if m.location or m.venue:
        return "location"
    return "other"


class TelegramChannel(StoredUpdates, ReplySender):
    name = "telegram"
    prefix = PREFIX

    def __init__(
        self,
        engine: Engine,
        token: str,
        *,
        base_url: str | None = None,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        poll_timeout: float = 10.0,
        typing_delay: float = 0.8,
        max_send_attempts: int = 5,
        route: Route | None = None,
    ):
        if webhook_url and not webhook_secret:
            raise ValueError("Telegram webhook mode needs a secret token")
        self.engine = engine
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.poll_timeout = poll_timeout
        self.typing_delay = typing_delay
        self.max_send_attempts = max_send_attempts
        self.route = route
        self.username: str | None = None

        builder = (
            Application.builder()
            .token(token)
            .request(
                HTTPXRequest(
                    connection_pool_size=256,
                    connect_timeout=10.0,
                    read_timeout=15.0,
                    write_timeout=15.0,
                    pool_timeout=10.0,
                    media_write_timeout=60.0,
                )
            )
        )
        if base_url:
            builder = builder.base_url(base_url)
            if base_url.endswith("/bot"):  # a Bot API server serves files at /file/bot<token>/
                builder = builder.base_file_url(base_url.removesuffix("/bot") + "/file/bot")
        # Our own polling loop (not PTB's Updater): an offset is confirmed only after the
        # updates before it are stored.
        builder = builder.get_updates_request(
            HTTPXRequest(connection_pool_size=2, read_timeout=poll_timeout + 10.0)
        ).updater(None)
        self.app = builder.build()
        self._add_handlers()
        self.turns = OrderedDispatcher()
        self.inbox = Inbox(engine.db, self.name, engine.clock)
        self.ready = False  # webhook calls before start() are asked to come back
        self._labels: BoundedMap = BoundedMap()  # chat id -> labels of the keyboard on screen
        self._file_ids: BoundedMap = BoundedMap(256)  # bulk files already uploaded
        self._poller: asyncio.Task | None = None
        self._stopping = asyncio.Event()

    @property
    def bot(self):
        return self.app.bot

    @property
    def webhook_path(self) -> str:
        return urlsplit(self.webhook_url or "").path or "/"

    @property
    def mode(self) -> str:
        return "webhook" if self.webhook_url else "polling"

    # --- lifecycle ---

    async def start(self) -> None:
        """Check the token (getMe), then receive updates by polling or through the webhook."""
        await self.app.initialize()
        self.username = self.bot.username
        try:
            await self.bot.set_my_commands([BotCommand(k, v) for k, v in texts.TG_COMMANDS.items()])
        except TelegramError as exc:
            log.warning("could not set the command menu: %s", exc)
        await self._recover()
        self.ready = True
        if not self.receiving:  # a worker: the web process receives
            return
        if self.webhook_url:
            await self.bot.set_webhook(
                self.webhook_url, secret_token=self.webhook_secret, allowed_updates=ALLOWED_UPDATES
            )
        else:
            await self.bot.delete_webhook()  # getUpdates is refused while a webhook is set
            self._poller = asyncio.create_task(self._poll(), name="telegram:polling")

    async def stop(self) -> None:
        """Stop taking updates, finish every queued turn and its replies, then close."""
        self.ready = False
        self._stopping.set()
        if self._poller is not None:
            await self._poller
            self._poller = None
        await self.turns.close()
        await self.inbox.flush()
        await self.app.shutdown()

    async def _poll(self) -> None:
        """getUpdates; store the batch; only then ask for the next (which confirms this one)."""
        offset: int | None = None
        failures = 0
        while not self._stopping.is_set():
            fetch = asyncio.ensure_future(
                self.bot.get_updates(
                    offset=offset,
                    timeout=dt.timedelta(seconds=self.poll_timeout),
                    allowed_updates=ALLOWED_UPDATES,
                )
            )
            stop = asyncio.ensure_future(self._stopping.wait())
            await asyncio.wait({fetch, stop}, return_when=asyncio.FIRST_COMPLETED)
            stop.cancel()
            if not fetch.done():  # stopping: what this call would return comes again next run
                fetch.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await fetch
                return
            try:
                updates = fetch.result()
            except RetryAfter as exc:
                await asyncio.sleep(_retry_seconds(exc))
                continue
            except TelegramError as exc:
                log.warning("telegram getUpdates failed (%s); trying again", exc)
                await backoff_sleep(min(failures, 5), base=0.5)
                failures += 1
                continue
            failures = 0
            if not updates:
                continue
            try:
                await self.receive(updates)
            except Exception:  # not stored: not confirmed either; fetched again
                log.exception("could not store %d telegram updates", len(updates))
                await backoff_sleep(2)
                continue
            offset = updates[-1].update_id + 1

    @staticmethod
    def _chat_of(update: Update) -> int:
        chat = update.effective_chat
        user = update.effective_user
        return chat.id if chat else (user.id if user else update.update_id)

    async def receive(self, updates: list[Update]) -> None:
        """Store updates durably (replays are dropped), then queue each new one behind the
        same chat's earlier ones. Malformed ones (see `well_formed`) are dropped first."""
        if not all(well_formed(u) for u in updates):
            refused.warning("malformed", "malformed telegram update ignored")
            updates = [u for u in updates if well_formed(u)]
        rows = await self.inbox.put_many(
            [(str(u.update_id), identity_of(self._chat_of(u)), u.to_json()) for u in updates]
        )
        for update, row_id in zip(updates, rows, strict=True):
            if row_id is None:
                log.info("update %s seen before, ignored", update.update_id)
                continue
            self._queue_row(self._chat_of(update), row_id, update)

    def _turn_key(self, identity: str) -> int:
        return int(identity.removeprefix(PREFIX))

    def _decode(self, payload: str) -> Update:
        return Update.de_json(json.loads(payload), self.bot)

    async def _process_stored(self, update: Update) -> None:
        """PTB's handlers, which call the engine with the row bound (StoredUpdates)."""
        await self.app.process_update(update)

    async def handle_webhook(self, request: Request) -> Response:
        """Telegram's POST: only with the secret header; queued, then acknowledged at once."""
        if request.method != "POST":
            return Response.text("method not allowed", 405)
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, (self.webhook_secret or "").encode()):
            refused.warning(
                "secret", "telegram webhook request with a wrong or missing secret refused"
            )
            return Response.text("forbidden", 403)
        if not self.ready:
            return Response.text("starting", 503)  # delivered again later
        try:
            update = Update.de_json(request.json(), self.bot)
        except Exception:
            return Response.text("bad update", 400)
        if update is None or not well_formed(update):
            refused.warning("malformed", "malformed telegram webhook update refused")
            return Response.text("bad update", 400)
        try:
            await self.receive([update])
        except Exception:
            log.exception("could not store telegram update %s", update.update_id)
            return Response.text("try again", 503)  # not stored: Telegram delivers it again
        return Response.of_json({"ok": True})

    # --- updates to events ---

    def _add_handlers(self) -> None:
        private = filters.ChatType.PRIVATE
        fresh = filters.UpdateType.MESSAGE
        self.app.add_handlers(
            [
                ChatMemberHandler(self._on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER),
                CallbackQueryHandler(self._on_callback),
                MessageReactionHandler(
                    self._on_reaction,
                    message_reaction_types=MessageReactionHandler.MESSAGE_REACTION_UPDATED,
                ),
                MessageHandler(filters.UpdateType.EDITED_MESSAGE & private, self._on_edited),
                MessageHandler(fresh & private & filters.COMMAND, self._on_command),
                MessageHandler(fresh & private & filters.TEXT, self._on_text),
                MessageHandler(fresh & private, self._on_attachment),
                # In groups only commands addressed to this bot (/start or /start@this_bot).
                CommandHandler(
                    list(COMMANDS), self._on_group_command, filters=fresh & filters.ChatType.GROUPS
                ),
            ]
        )
        self.app.add_error_handler(self._on_error)

    @staticmethod
    def _dedupe(update: Update) -> str:
        return f"telegram:update:{update.update_id}"

    async def _on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/start (with a deep-link argument), /menu, /help; other commands go to the core too."""
        word, _, args = (update.message.text or "").partition(" ")
        name = word[1:].split("@", 1)[0].lower()
        chat_id = update.effective_chat.id
        event = Event.cmd(identity_of(chat_id), name, args.strip(), self._dedupe(update))
        await self._turn(chat_id, event)

    async def _on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A press on the reply keyboard arrives as its label: the core gets it as a press (by
        label, which it resolves even where nothing is stored yet, as before consent)."""
        chat_id = update.effective_chat.id
        text = update.message.text or ""
        identity = identity_of(chat_id)
        if text in self._labels.get(chat_id, ()):
            event = Event.button(identity, text, self._dedupe(update))
        else:
            event = Event.message(identity, text, self._dedupe(update))
        await self._turn(chat_id, event)

    async def _on_attachment(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, voice, photos, locations…: a kind word from the core, then the choices again.
        Photos and documents carry a way to download them, used only where the core wants one
        (staff composing an announcement); a caption comes as the event's text."""
        chat_id = update.effective_chat.id
        event = Event.attached(
            identity_of(chat_id),
            _attachment_kind(update),
            self._dedupe(update),
            file=incoming_file(self.bot, update),
            caption=update.effective_message.caption or "",
        )
        await self._turn(chat_id, event)

    async def _on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Inline buttons (from older messages or other clients) are presses too."""
        query = update.callback_query
        with contextlib.suppress(TelegramError):
            await query.answer()
        if query.message is None or query.message.chat.type != ChatType.PRIVATE:
            return
        chat_id = query.message.chat.id
        event = Event.button(identity_of(chat_id), query.data or "", self._dedupe(update))
        await self._turn(chat_id, event)

    async def _on_reaction(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A reaction put on an announcement the bot sent (its message_id was kept when sent)
        counts as read; a reaction taken away, or on any other message, changes nothing."""
        change = update.message_reaction
        if change.chat.type != ChatType.PRIVATE or not change.new_reaction:
            return
        chat_id = change.chat.id
        identity = identity_of(chat_id)
        ann_id = await self.engine.announcement_of(identity, str(change.message_id))
        if ann_id is None:
            return
        event = Event.button(identity, f"{staff.REACTED}{ann_id}", self._dedupe(update))
        await self._turn(chat_id, event)

    async def _on_edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An edit is not a new answer (it could record one twice): ask for a new message."""
        chat_id = update.effective_chat.id
        await self._send_plain(chat_id, _default_voice(texts.EDITED_MESSAGE))

    async def _on_group_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Learning is personal: in a group, point to a private chat and store nothing."""
        markup = None
        if self.username:
            url = f"https://t.me/{self.username}?start=nhom"
            markup = InlineKeyboardMarkup([[InlineKeyboardButton(texts.BTN_OPEN_PRIVATE, url=url)]])
        await self._send_plain(update.effective_chat.id, texts.GROUP_PRIVATE_ONLY, markup)

    async def _on_my_chat_member(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Blocking the bot (kicked) stops all messages to the person; unblocking restores them."""
        change = update.my_chat_member
        if change.chat.type != ChatType.PRIVATE:
            log.info("bot is now %s in chat %s", change.new_chat_member.status, change.chat.id)
            return
        status = change.new_chat_member.status
        identity = identity_of(change.chat.id)
        if status in (ChatMember.BANNED, ChatMember.LEFT):
            await self.engine.set_blocked(identity, True)
            log.info("%s blocked the bot", identity)
        elif status in (ChatMember.MEMBER, ChatMember.ADMINISTRATOR):
            await self.engine.set_blocked(identity, False)
            log.info("%s unblocked the bot", identity)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the traceback with the update id; tell the person, briefly, in Vietnamese."""
        err = context.error
        update_id = getattr(update, "update_id", None)
        log.error(
            "telegram update %s failed", update_id, exc_info=(type(err), err, err.__traceback__)
        )
        if not isinstance(update, Update):
            return
        chat = update.effective_chat
        if chat is None or chat.type != ChatType.PRIVATE:
            return
        with contextlib.suppress(Exception):
            await self._send_plain(chat.id, _default_voice(texts.ERROR))

    # --- one turn ---

    async def _turn(self, chat_id: int, event: Event) -> None:
        async with typing_while(
            lambda: self.bot.send_chat_action(chat_id, ChatAction.TYPING), self.typing_delay
        ):
            replies = await self.engine.handle(event, inbox_id=current_row())
        await self.deliver(replies)

    def chat_key(self, identity: str) -> int:
        return int(identity.removeprefix(PREFIX))

    async def _send_turn(self, identity: str, replies: list[Reply]) -> None:
        """Files, then text split at paragraphs; the keyboard rides on the turn's last message."""
        chat_id = int(identity.removeprefix(PREFIX))
        with_buttons = next((r for r in reversed(replies) if r.buttons), None)
        if replies:
            self._labels[chat_id] = (
                {b.label for b in with_buttons.buttons} if with_buttons else set()
            )
        final = keyboard(with_buttons.buttons) if with_buttons else ReplyKeyboardRemove()
        sends: list[Callable[..., Awaitable[object]]] = []
        for r in replies:
            sends.extend(functools.partial(self._send_file, chat_id, f) for f in r.files)
            sends.extend(
                functools.partial(self.bot.send_message, chat_id, chunk)
                for chunk in split_text(r.text, TEXT_LIMIT)
            )
        try:
            for i, send in enumerate(sends):
                markup = final if i == len(sends) - 1 else None
                await self._call(functools.partial(send, reply_markup=markup))
        except UserBlocked:
            log.info("%s has blocked the bot; marking and stopping", identity)
            await self.engine.set_blocked(identity, True)

    async def _send_file(self, chat_id: int, f: OutFile, reply_markup=None) -> object:
        path = Path(f.path)
        if not path.is_file():
            log.error("file to send is missing: %s", path)
            return None
        if f.kind == "image":
            return await self.bot.send_photo(chat_id, photo=path, reply_markup=reply_markup)
        if f.kind == "audio":
            return await self.bot.send_audio(chat_id, audio=path, reply_markup=reply_markup)
        return await self.bot.send_document(chat_id, document=path, reply_markup=reply_markup)

    async def _send_plain(self, chat_id: int, text: str, markup=None) -> None:
        try:
            await self._call(
                functools.partial(self.bot.send_message, chat_id, text, reply_markup=markup)
            )
        except UserBlocked:
            await self.engine.set_blocked(identity_of(chat_id), True)

    async def _call(self, make: Callable[[], Awaitable[object]]) -> object:
        """One Bot API call, waiting out 429s (only this person waits) and retrying blips."""
        for attempt in range(self.max_send_attempts):
            last = attempt == self.max_send_attempts - 1
            try:
                return await make()
            except RetryAfter as exc:
                if last:
                    raise
                wait = _retry_seconds(exc)
                log.warning("telegram asked to wait %.1f s (429); retrying", wait)
                await asyncio.sleep(wait)
            except Forbidden as exc:
                raise UserBlocked(str(exc)) from exc
            except BadRequest:
                raise
            except NetworkError as exc:  # includes TimedOut
                if last:
                    raise
                log.warning("telegram network error (%s); retrying", exc)
                await backoff_sleep(attempt, base=0.5)
        raise AssertionError("unreachable")

    # --- bulk messages from the outbox (bot/delivery.py) ---

    def bulk_parts(self, identity: str, reply: Reply) -> list[Part]:
        """Files, then the text split at paragraphs: one Bot API call each, tried once.

        Buttons become the keyboard on the last part (a press then reaches the core as that
        button); without buttons no reply_markup is sent, so the keyboard the person has on
        screen stays. These sends skip the per-chat turn queue on purpose: bulk must never take
        a slot a conversation is waiting for, and the outbox does its own pacing.
        """
        try:
            chat_id = int(identity.removeprefix(PREFIX))
        except ValueError:
            raise Rejected(f"not a Telegram chat: {identity}") from None
        calls: list[Callable[..., Awaitable[object]]] = []
        for f in reply.files:
            if not Path(f.path).is_file():
                raise Rejected(f"file missing: {f.path}")
            calls.append(functools.partial(self._bulk_file, chat_id, f))
        calls.extend(
            functools.partial(self.bot.send_message, chat_id, chunk)
            for chunk in split_text(reply.text, TEXT_LIMIT)
        )
        parts: list[Part] = []
        for i, call in enumerate(calls):
            last = i == len(calls) - 1 and bool(reply.buttons)
            markup = keyboard(reply.buttons) if last else None
            labels = {b.label for b in reply.buttons} if last else None
            parts.append(functools.partial(self._bulk_call, chat_id, call, markup, labels))
        return parts

    async def _bulk_call(
        self,
        chat_id: int,
        call: Callable[..., Awaitable[object]],
        markup: ReplyKeyboardMarkup | None,
        labels: set[str] | None,
    ) -> int | None:
        """One part of a bulk message; returns Telegram's message_id of what was sent."""
        try:
            sent = await call(reply_markup=markup)
        except RetryAfter as exc:
            raise RateLimited(_retry_seconds(exc), str(exc)) from exc
        except Forbidden as exc:
            raise Unreachable(str(exc)) from exc
        except (BadRequest, ChatMigrated) as exc:
            raise Rejected(str(exc)) from exc
        except TelegramError as exc:  # NetworkError, TimedOut, 5xx, InvalidToken
            raise Transient(f"{type(exc).__name__}: {exc}") from exc
        except OSError as exc:  # the file went away after the check
            raise Rejected(f"{type(exc).__name__}: {exc}") from exc
        if labels is not None:
            self._labels[chat_id] = labels
        message_id = getattr(sent, "message_id", None)
        return message_id if _int_id(message_id) else None  # kept: a reaction names it

    async def _bulk_file(self, chat_id: int, f: OutFile, reply_markup=None) -> object:
        """Upload a file once; later recipients get Telegram's file_id instead of the bytes."""
        path = Path(f.path)
        st = path.stat()
        key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
        known = self._file_ids.get(key)
        if f.kind == "image":
            message = await self.bot.send_photo(chat_id, known or path, reply_markup=reply_markup)
            sent = message.photo[-1] if message.photo else None
        elif f.kind == "audio":
            message = await self.bot.send_audio(chat_id, known or path, reply_markup=reply_markup)
            sent = message.audio
        else:
            message = await self.bot.send_document(
                chat_id, known or path, reply_markup=reply_markup
            )
            sent = message.document
        if known is None and sent is not None:
            self._file_ids[key] = sent.file_id
        return message
