"""The channel-agnostic conversation engine: `handle(event) -> replies`, state in storage.

Each event is one database transaction: the replay check, the learner, the conversation
position, the answers and mastery are read and written together, so a crash never leaves a
half-recorded turn, and a replayed update is answered with nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable

from bot import texts
from bot.core import (  # noqa: F401  (registers the screens)
    ask,
    learning,
    linking,
    media,
    onboarding,
    practice,
    reporting,
    review,
    scamcheck,
    staff,
    understand,
)
from bot.core.events import Button, Event, Reply
from bot.core.flow import SCREENS, Screen, go, leave_confirm
from bot.core.matching import (
    MAX_INPUT_CHARS,
    best_match,
    choice_index,
    clean,
    intent,
    small_int,
)
from bot.core.reach import OaRules
from bot.core.turn import Turn
from lessons import Content
from scenarios.loader import Scenarios
from storage.db import Database
from storage.outbox import OutboxItem
from storage.repos import iso
from storage.sql import retryable
from storage.store import Store

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
#: Reminders given in one transaction (Engine._remind).
REMINDER_BATCH = 50
#: Where a class code's QR code leads when no bot name is configured.
DEFAULT_LINKS = {"telegram": "https://t.me/HocSoBot?start={code}"}


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Engine:
    def __init__(
        self,
        db: Database,
        content: Content,
        clock: Clock = utc_now,
        scenarios: Scenarios | None = None,
        admins: frozenset[str] = frozenset(),
        links: dict[str, str] | None = None,
    ):
        self.db = db
        self.content = content
        self.clock = clock
        self.scenarios = scenarios if scenarios is not None else Scenarios()
        self.admins = admins  # identities that are admins everywhere (HOCSO_ADMIN_IDS)
        self.links = links if links is not None else dict(DEFAULT_LINKS)
        self.media_dir = db.path.parent / "media"  # scenario pictures, announcement files
        self.web_url = "http://127.0.0.1:8081"  # the web pages' address, for login links
        self.oa_rules = OaRules()  # Zalo OA's window (settings), for an announcement's reach

    async def handle(self, event: Event, inbox_id: int | None = None) -> list[Reply]:
        """Answer one event; an exception rolls the whole turn back and propagates.

        `inbox_id`: the stored update this event came from; it is marked answered, with the
        replies, in the turn's own transaction, so a crash can neither lose nor repeat the turn.
        """
        received = await self._receive(event)
        scam = await scamcheck.prepare(event, received)  # in a thread, before the transaction
        try:
            try:
                turn = await self._turn(event, received, scam, inbox_id)
            except Exception as exc:
                # PostgreSQL ended the turn to break a deadlock (two turns each waiting for
                # the other's person: linking each other at once): it was rolled back whole,
                # so it runs again, once; not with a file, which the first run may have kept.
                if received is not None or not retryable(exc):
                    raise
                log.warning("turn of %s ended by the database (%s); run again",
                            event.identity, type(exc).__name__)  # fmt: skip
                turn = await self._turn(event, received, scam, inbox_id)
        except BaseException:
            if received is not None:
                media.discard(received.path)
            raise
        if turn is None:
            return []
        for job in turn.after_commit:
            await job()
        return turn.replies

    async def _turn(
        self,
        event: Event,
        received: media.Received | None,
        scam: scamcheck.Verdict | None,
        inbox_id: int | None,
    ) -> Turn | None:
        """The turn's one transaction; None for a replayed event."""
        async with self.db.transaction() as store:
            now = self.clock()
            if event.dedupe_key and not await store.inbound.first_time(event.dedupe_key, now):
                log.info("duplicate event %s ignored", event.dedupe_key)
                if received is not None:
                    media.discard(received.path)
                if inbox_id is not None:
                    await store.inbox.answered(inbox_id, "[]")
                return None
            turn = await self._load(store, event.identity, now)
            if turn.user is not None and turn.user.tracked:  # first: report counters date
                await store.users.update(  # this turn's changes by it
                    turn.user.id, last_active_at=iso(now), reminders_ignored=0
                )
            turn.scam = scam
            await self._dispatch(turn, event, received)
            scamcheck.drop(turn)
            await turn.save()
            if inbox_id is not None:
                await store.inbox.answered(
                    inbox_id,
                    json.dumps([r.as_json() for r in turn.replies], ensure_ascii=False),
                )
        return turn

    async def _receive(self, event: Event) -> media.Received | None:
        """Download an attachment only where the person's screen takes files (staff writing an
        announcement), and outside the turn's transaction so a slow download holds up nobody."""
        if event.kind != "attachment":
            return None
        async with self.db.reading() as store:
            user = await linking.resolve(store, event.identity)
            saved = await store.conversations.load(user.identity) if user else None
        screen = SCREENS.get(saved[0]) if saved else None
        if screen is None or not screen.accepts_files:
            return None
        folder = scamcheck.FOLDER if screen.name.startswith("scam.") else "announcements"
        return await media.receive(event, (self.media_dir / folder).resolve())

    async def set_blocked(self, identity: str, blocked: bool) -> None:
        """Record that a person blocked (or unblocked) the bot on one channel."""
        async with self.db.transaction() as store:
            await linking.set_blocked(store, identity, blocked)

    async def announcement_of(self, identity: str, message_id: str) -> int | None:
        """The announcement a bulk message sent to `identity` as `message_id` carried (so a
        reaction on it can count as read), or None."""
        async with self.db.reading() as store:
            return await store.outbox.announcement_of(identity, message_id)

    async def is_blocked(self, identity: str) -> bool:
        """Whether nothing may be sent to this identity (checked before unprompted messages)."""
        async with self.db.reading() as store:
            return await linking.is_blocked(store, identity)

    async def run_due(self) -> list[Reply]:
        """Run work that has become due on the clock: report subscriptions, scheduled
        announcements and today's review reminders, all queued in the outbox (so nothing
        is sent from here, and the returned list stays empty for the callers that route it).

        Called every 30 s by the scheduler in `python -m bot run` and by the simulator's
        `advance_seconds`; everything it needs is in the database, so it survives restarts.
        """
        replies: list[Reply] = []
        # Periodic reports first, in transactions of their own: their files are rendered
        # between them, off the event loop.
        await reporting.queue_due_reports(self.db, self.clock(), self.media_dir, self.admins)
        async with self.db.transaction() as store:
            await staff.queue_due_announcements(store, self.clock())
        async with self.db.reading() as store:
            due = await review.due_reminders(store, self.clock())
        for start in range(0, len(due), REMINDER_BATCH):
            await self._remind(due[start : start + REMINDER_BATCH])
        return replies

    async def _remind(self, due: list[tuple[int, str, int]]) -> None:
        """Today's reminders of a few people, in one transaction: small batches, so that a
        person's next turn waits for their batch, not for the whole tick, and so that a tick
        reminding tens of thousands never holds one lock per person at once (PostgreSQL's
        shared lock table ran out at 12,857 advisory locks in one transaction)."""
        async with self.db.transaction() as store:
            now = self.clock()
            users = store.users
            since = review.day_start(now)
            for user_id, identity, _ in due:
                # Their turn in flight (another worker) first: then the claim reads the count
                # of ignored reminders it left (writing resets it), and the lock is taken
                # before the learner's row, in the order every turn takes them.
                await store.conversations.lock(identity)
                ignored = await users.claim_reminder(user_id, since, now)
                if ignored is None:
                    continue  # given today already (by another worker)
                t = await self._load(store, identity, now)
                if ignored >= review.MAX_IGNORED:
                    t.say(texts.REMINDERS_PAUSED)
                    await users.update(user_id, paused=1)
                else:
                    waiting = 0
                    if await review.due(store, user_id, now):  # what Ôn tập would ask now
                        waiting = len(await learning.review_queue(t))
                    if waiting:
                        t.say(
                            texts.REMINDER,
                            [("menu:review", texts.BTN_REVIEW_NOW), ("menu", texts.BTN_LATER)],
                            n=waiting,
                        )
                        t.state = "menu"  # the lesson in progress stays in the data for later
                        await users.update(user_id, reminders_ignored=ignored + 1)
                if t.replies:
                    await t.save()
                    # Into the outbox with the claim, in one transaction: a worker killed
                    # before sending loses nothing, and reminders keep the shared pace.
                    await store.outbox.enqueue([_queued(r) for r in t.replies], now)

    async def _load(self, store: Store, identity: str, now: dt.datetime) -> Turn:
        user = await linking.resolve(store, identity)  # also identities linked to a learner
        state, data, key, roles = "consent", {}, None, []
        if user is not None:
            key = user.identity
            saved = await store.conversations.load(user.identity)
            if store.locks_turns:  # PostgreSQL: now that this person's turns wait for this
                # one (ConversationRepo.load), read the learner again, as the last turn left them
                user = await linking.resolve(store, identity) or user
            if saved is not None and saved[0] in SCREENS:
                state, data = saved
            elif user.tracked and not user.registered_at:
                state = "onboard.address"
            else:
                state = "menu"
            if user.tracked:
                roles = await staff.roles_of(store, user.id, identity, self.admins)
        return Turn(
            store,
            self.content,
            now,
            identity,
            user,
            key,
            state,
            data,
            scenarios=self.scenarios,
            media_dir=self.media_dir,
            roles=roles,
            web_url=self.web_url,
            links=self.links,
            oa_rules=self.oa_rules,
        )

    def _signing_up(self, t: Turn) -> bool:
        return t.state == "consent" or t.state.startswith("onboard.")

    async def _dispatch(self, t: Turn, event: Event, received: media.Received | None) -> None:
        scr = SCREENS[t.state]
        if event.kind == "attachment" and received is not None and scr.accepts_files:
            await scr.on_file(t, received, clean(event.text or ""))
            return
        if event.kind == "attachment" and await scamcheck.offer_photo(t, event):
            return  # a photo outside a lesson: «Cháu kiểm tra tin này giúp bác nhé?»
        if event.kind == "attachment":
            if received is not None:  # the screen changed meanwhile: nobody wants the file
                media.discard(received.path)
            t.say(texts.ATTACHMENT.get(event.attachment or "other", texts.ATTACHMENT["other"]))
            await scr.reprompt(t, texts.ATTACHMENT_HINT)
            return
        if event.kind == "command":
            await self._command(t, scr, event)
            return
        raw = event.text or ""
        if len(raw) > MAX_INPUT_CHARS:
            await scr.reprompt(t, texts.TOO_LONG)
            return
        if event.kind == "text" and await linking.on_text(t, raw):
            return  # «liên kết»: linking Zalo and Telegram (bot/core/linking.py)
        text = clean(raw)
        if await self._global_words(t, scr, event, text):
            return
        if t.state == "confirm_stop" and event.kind == "text" and not self._answers_stop(text):
            scr = leave_confirm(t)  # not an answer to «dừng nhận tin nhắc?»: read it there
        button = self._resolve_button(t, scr, event, text)
        if button is not None and await scr.on_button(t, button.id):
            return
        if text:
            word = intent(text, data=scr.free_text)
            if word == "stop" and event.kind == "text":
                await scr.ask_stop(t)  # «thôi», «dung» (đúng?): asked before anything stops
                return
            if word is not None:
                await getattr(scr, word)(t)
                return
            if await scr.on_text(t, text):
                return  # (an announcement being written may well say «cảm ơn»)
            if not self._signing_up(t) and understand.thanks(text):
                t.say(texts.THANKS_REPLY)
                if buttons := t.current_buttons():
                    t.attach([(b.id, b.label) for b in buttons])
                return
            if not self._signing_up(t) and await SCREENS["menu"].on_text(t, text):
                return  # menu words ("tiến độ", "ôn tập"...) work from every screen
            if await scamcheck.offer_text(t, raw):
                return  # a pasted message with a link or a number, outside a lesson
            asking = not (self._signing_up(t) or scr.free_text or scr.letters)
            if asking and await ask.offer(t, text):
                return  # a question (not on a quiz, where it is a loose answer): lessons
        await scr.reprompt(t, texts.NOT_UNDERSTOOD)

    @staticmethod
    def _answers_stop(text: str) -> bool:
        """Whether text answers «Bác muốn dừng nhận tin nhắc phải không ạ?»."""
        return understand.yes_no(text) is not None or intent(text) in ("stop", "menu", "help")

    async def _global_words(self, t: Turn, scr: Screen, event: Event, text: str) -> bool:
        """«✅ Đã đọc» under an announcement and invitation codes work on any screen."""
        if event.kind == "button" and event.text.startswith(staff.REACTED):
            # A reaction (👍, ❤, 🙏) on an announcement: read, thanked once, never "chưa hiểu".
            ann_id = small_int(event.text.removeprefix(staff.REACTED))
            acked = ann_id is not None and await staff.acknowledge(t, ann_id, thank_again=False)
            if acked and t.replies and (buttons := t.current_buttons()):
                t.attach([(b.id, b.label) for b in buttons])
            return True
        ann_id = small_int(event.text[4:]) if event.text.startswith("ack:") else None
        is_ack = ann_id is not None or staff.is_ack_word(event.text or "", text, t.state)
        if is_ack and await staff.acknowledge(t, ann_id):
            if buttons := t.current_buttons():
                t.attach([(b.id, b.label) for b in buttons])
            return True
        if event.kind != "button" and (m := staff.INVITE_RE.search(text)) and len(text) <= 40:
            await self._code(t, scr, f"HS-{m.group(1)}")
            return True
        return False

    async def _code(self, t: Turn, scr: Screen, code: str) -> None:
        """An invitation or class code, typed or deep-linked, on any screen: kept through consent
        and sign-up (then the screen is shown again), applied at once afterwards."""
        before = t.tracked and bool(t.user.registered_at)
        await staff.redeem(t, code)
        if before:
            return
        if not t.tracked:
            t.say(texts.CONSENT, onboarding.CONSENT_BUTTONS)
            t.state = "consent"
        elif self._signing_up(t):
            await scr.show(t)

    def _resolve_button(self, t: Turn, scr: Screen, event: Event, text: str) -> Button | None:
        """A press by id or label, a typed number or letter, or text close to one label."""
        buttons = t.current_buttons()
        if event.kind == "button":
            for b in buttons or [Button(*b) for b in scr.fixed_buttons]:
                if event.text in (b.id, b.label):
                    return b
        if not buttons:
            return None
        # a label typed exactly, accents and all, is that button: the fuzzy match below folds
        # accents, and a typed «Bà» (a press seen by a worker that did not show the keyboard)
        # came out as «Bác»
        typed = (event.text or "").strip().casefold()
        exact = next((b for b in buttons if b.label.strip().casefold() == typed), None)
        if exact is not None:
            return exact
        if not scr.numbers_are_data:
            k = choice_index(text, len(buttons), letters=scr.letters, words=not scr.free_text)
            if k is not None:
                return buttons[k]
        if not scr.free_text and (said := word_button(text, buttons)) is not None:
            return said
        threshold = 100.0 if scr.exact_labels else 80.0
        found = best_match(
            text, [(str(i), [b.label]) for i, b in enumerate(buttons)], threshold=threshold
        )
        return buttons[int(found)] if found is not None else None

    async def _command(self, t: Turn, scr: Screen, event: Event) -> None:
        name = event.command.lower().lstrip("/")
        if name == "start" and (m := staff.INVITE_RE.search(event.text)):
            if not t.tracked:
                t.say(texts.WELCOME)  # deep link: /start HS-XXXXXX, before consent
            await self._code(t, scr, f"HS-{m.group(1)}")
        elif name == "start":
            if t.user is None:
                await go(t, "consent")
            elif self._signing_up(t):
                t.say(texts.SIGNUP_CONTINUE)
                await scr.show(t)
            else:
                t.say(texts.WELCOME_BACK)
                await go(t, "menu")
        elif name in ("menu", "help", "back", "stop", "resume"):
            await getattr(scr, name)(t)
        else:
            await scr.reprompt(t, texts.UNKNOWN_COMMAND)


#: Buttons a plain yes or no answers (never «Xóa hết»: deleting needs the button itself).
YES_IDS = frozenset({"stop:yes", "scam:yes"})
NO_IDS = frozenset({"stop:no", "scam:no", "delete:no"})


def word_button(text: str, buttons: list[Button]) -> Button | None:
    """The button a short answer means: yes/no on a question, «Tiếp» for "ok", "vâng ạ", "👍",
    «Xong» for "xog", and the one place found for "đúng rồi"."""
    by_id = {b.id: b for b in buttons}
    yes = next((b for b in buttons if b.id in YES_IDS), None)
    no = next((b for b in buttons if b.id in NO_IDS), None)
    places = [b for b in buttons if b.id.startswith("place:")]
    if len(places) == 1 and yes is None:
        yes = places[0]
    if yes is not None or no is not None:
        answer = understand.yes_no(text)
        if answer == "yes" and yes is not None:
            return yes
        if answer == "no" and no is not None:
            return no
    if "next" in by_id and understand.next_word(text):
        return by_id["next"]
    if "grp:done" in by_id and understand.done_word(text):
        return by_id["grp:done"]
    return None


def _queued(reply: Reply) -> OutboxItem:
    """A reply as an outbox row (what the outbox worker sends, paced, with a lease)."""
    return OutboxItem(
        reply.to,
        reply.text,
        [(b.id, b.label) for b in reply.buttons],
        [(f.kind, f.path) for f in reply.files],
    )
