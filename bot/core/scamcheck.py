"""«🔎 Kiểm tra tin nghi ngờ»: a learner sends a suspicious message, screenshot or QR photo.

```mermaid
stateDiagram-v2
    menu --> scam.ask: Kiểm tra tin nghi ngờ
    scam.ask --> scam.result: text or picture
    menu --> scam.offer: text with a link or a number, a photo (outside a lesson)
    scam.offer --> scam.result: Có, kiểm tra giúp
    scam.result --> scam.share: Gửi Hội làm ví dụ
    scam.result --> lesson.card: Học bài
```

The check itself (OCR, QR, rules, model) runs in a thread *before* the turn's transaction
(`prepare`, called by the engine), so it neither blocks other conversations nor holds the
database. Nothing the person sent is stored: the verdict lives only in this turn, and only a
masked copy waits in the conversation while the result (or the offer) is on screen, for the
person to choose to share it; it is dropped as soon as they move on.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from bot import texts
from bot.core import media
from bot.core.events import Event
from bot.core.flow import Screen, go, screen
from bot.core.media import Received
from bot.core.turn import Turn
from bot.domain import Unit
from bot.scamcheck import Verdict, check_image, check_text, has_contact
from bot.scamcheck.mask import mask

log = logging.getLogger(__name__)

#: Conversation data key of the masked verdict while the result or the offer is on screen.
KEY = "scamcheck"
SCREENS = ("scam.ask", "scam.offer", "scam.result", "scam.share")
#: Where a stray link, number or photo is offered a check: outside lessons, quizzes, practice
#: and sign-up, where free text means something else.
OFFER_ON = frozenset({"menu", "paused", "help", "learn", "choose_area", "choose_lesson",
                      "progress", "lesson.done", "practice.list", "scam.result"})  # fmt: skip
MIN_CHARS = 12
#: Pictures sent to the checker are downloaded here (under media/) and deleted once read.
FOLDER = "scamcheck"


async def prepare(event: Event, received: Received | None) -> Verdict | None:
    """Check what the event carries, in a thread, before the turn's transaction.

    Text is checked when it is long enough or carries a link or a number (cheap, no database);
    a picture only when the person sent it to the checker's screen (`received`): it is deleted
    as soon as it has been read. A photo sent elsewhere is never downloaded.
    """
    try:
        if event.kind == "text":
            text = event.text or ""
            if len(text.strip()) >= MIN_CHARS or has_contact(text):
                return await asyncio.to_thread(check_text, text)
            return None
        if event.kind != "attachment" or received is None or not received.path:
            return None
        if Path(received.path).parent.name != FOLDER:
            return None  # a file for another screen (an announcement): not ours
        if not received.ok or received.kind != "image":
            media.discard(received.path)
            return None
        try:
            return await asyncio.to_thread(check_image, received.path)
        finally:
            media.discard(received.path)
    except Exception:
        log.exception("scam check failed")
        return None


def _summary(v: Verdict, source_text: str) -> dict[str, Any]:
    """What the result screen needs, without anything that identifies the sender."""
    return {
        "verdict": v.verdict,
        "score": v.score,
        "signs": v.signs,
        "officials": v.officials,
        "socials": v.socials,
        "lesson": v.lesson,
        "unreadable": v.unreadable,
        "ocr_missing": v.ocr_missing,
        "advice": v.advice,
        "qr": [
            {
                "bank": q.bank,
                "bin": q.bin,
                "account": q.account,
                "amount": q.amount,
                "message": q.message,
            }
            for q in v.qr
        ],
        "qr_texts": [mask(x)[:200] for x in v.qr_texts],
        "masked": mask(source_text)[:1000],
    }


def _amount(raw: str | None) -> str:
    if not raw:
        return ""
    try:
        n = round(float(raw))
    except ValueError:
        return ""
    return texts.SCAM_QR_AMOUNT.format(amount=f"{n:,}".replace(",", "."))


def show_result(t: Turn, s: dict[str, Any]) -> None:
    """Say the verdict, the signs, any QR code, what to do and the matching lesson.

    Templates are rendered first; what came from the sender (a QR code's text) is inserted as
    a value, never read as a template.
    """
    r = t.render
    parts: list[str] = []
    if s.get("ocr_missing") and not s["qr"] and s.get("unreadable"):
        parts.append(r(texts.SCAM_OCR_MISSING))
    elif s.get("unreadable"):
        parts.append(r(texts.SCAM_UNREADABLE))
    else:
        parts.append(r(texts.SCAM_HEAD[s["verdict"]]))
        if s.get("advice"):
            parts.append(r(texts.SCAM_ADVICE))
    signs = [texts.SCAM_SIGNS[k] for k in s["signs"] if k in texts.SCAM_SIGNS][:4]
    if signs:
        parts.append(texts.SCAM_SIGNS_TITLE + "\n" + "\n".join(f"• {x}" for x in signs))
    if s["officials"]:
        parts.append(r(texts.SCAM_OFFICIAL, names=", ".join(s["officials"])))
    if s.get("socials"):  # results kept from before have no such key
        parts.append(r(texts.SCAM_SOCIAL, names=", ".join(s["socials"])))
    for q in s["qr"][:2]:
        bank = q["bank"] or r(texts.SCAM_QR_UNKNOWN_BANK, bin=q["bin"])
        message = r(texts.SCAM_QR_MESSAGE, message=q["message"]) if q["message"] else ""
        parts.append(
            r(texts.SCAM_QR, bank=bank, account=q["account"], amount=_amount(q["amount"]),
              message=message)
        )  # fmt: skip
    for x in s["qr_texts"][:2]:
        parts.append(r(texts.SCAM_QR_TEXT, text=x))
    todo = "unsure" if s.get("unreadable") else s["verdict"]
    parts.append(r(texts.SCAM_TODO[todo]))
    parts.append(r(texts.SCAM_FORGOTTEN))
    buttons: list[tuple[str, str]] = []
    lesson = t.content.lessons.get(s["lesson"]) if s.get("lesson") else None
    if lesson is not None:
        buttons.append(("scam:lesson", r(texts.BTN_SCAM_LESSON, title=lesson.title)))
    buttons.append(("scam:again", texts.BTN_SCAM_AGAIN))
    if s.get("masked") and not s.get("unreadable"):
        buttons.append(("scam:share", texts.BTN_SCAM_SHARE))
    buttons.append(("menu", texts.BTN_MENU))
    t.say_text("\n\n".join(parts), buttons)


async def result(t: Turn, v: Verdict, source_text: str) -> None:
    s = _summary(v, source_text)
    t.data[KEY] = s
    t.state = "scam.result"
    show_result(t, s)


def drop(t: Turn) -> None:
    """Forget the masked copy once the person has left the checker."""
    if t.state not in SCREENS:
        t.data.pop(KEY, None)


async def offer(t: Turn, v: Verdict | None, source_text: str) -> bool:
    """Outside a lesson, offer to check a stray link, number or photo; False if not here."""
    if v is None or t.state not in OFFER_ON:
        return False
    t.data[KEY] = _summary(v, source_text)
    t.state = "scam.offer"
    t.say(texts.SCAM_OFFER, [("scam:yes", texts.BTN_SCAM_YES), ("scam:no", texts.BTN_SCAM_NO)])
    return True


async def offer_photo(t: Turn, event: Event) -> bool:
    """A photo outside a lesson: offer a check; it is not downloaded unless they send it here."""
    if event.attachment != "photo" or t.state not in OFFER_ON:
        return False
    t.data[KEY] = {"photo": True}
    t.state = "scam.offer"
    t.say(texts.SCAM_OFFER, [("scam:yes", texts.BTN_SCAM_YES), ("scam:no", texts.BTN_SCAM_NO)])
    return True


async def offer_text(t: Turn, raw: str) -> bool:
    """A pasted message that nothing else understood, with a link or a phone number, or
    long and with signs of a scam (a forwarded message)."""
    v = t.scam
    if v is None or not (has_contact(raw) or (len(raw) >= 60 and v.verdict != "ok")):
        return False
    return await offer(t, v, raw)


@screen
class Ask(Screen):
    name = "scam.ask"
    free_text = True
    exact_labels = True
    accepts_files = True

    async def show(self, t: Turn) -> None:
        t.say(texts.SCAM_ASK, [("menu", texts.BTN_MENU)])

    async def on_button(self, t: Turn, bid: str) -> bool:
        if bid == "menu":
            await go(t, "menu")
            return True
        return False

    async def on_text(self, t: Turn, text: str) -> bool:
        if len(text) < MIN_CHARS and not has_contact(text):
            t.say(texts.SCAM_TOO_SHORT, [("menu", texts.BTN_MENU)])
            return True
        v = t.scam if t.scam is not None else await asyncio.to_thread(check_text, text)
        await result(t, v, text)
        return True

    async def on_file(self, t: Turn, received: Received, caption: str) -> None:
        media.discard(received.path)  # read already (prepare); never kept
        if t.scam is None:
            t.say(texts.ATTACHMENT["file"] if received.kind != "image" else texts.SCAM_UNREADABLE)
            await self.show(t)
            return
        await result(t, t.scam, caption)


@screen
class Offer(Screen):
    name = "scam.offer"

    async def show(self, t: Turn) -> None:
        t.say(texts.SCAM_OFFER, [("scam:yes", texts.BTN_SCAM_YES), ("scam:no", texts.BTN_SCAM_NO)])

    async def on_button(self, t: Turn, bid: str) -> bool:
        s = t.data.get(KEY)
        if bid == "scam:yes" and s is not None and s.get("photo"):
            t.data.pop(KEY, None)
            t.state = "scam.ask"  # takes pictures: the photo is read there, then deleted
            t.say(texts.SCAM_PHOTO_AGAIN, [("menu", texts.BTN_MENU)])
            return True
        if bid == "scam:yes" and s is not None:
            t.state = "scam.result"
            show_result(t, s)
            return True
        if bid in ("scam:yes", "scam:no"):
            t.data.pop(KEY, None)
            t.say(texts.SCAM_OFFER_DROPPED)
            await go(t, "menu")
            return True
        return False


@screen
class Result(Screen):
    name = "scam.result"

    async def show(self, t: Turn) -> None:
        s = t.data.get(KEY)
        if s is None:
            await go(t, "scam.ask")
            return
        show_result(t, s)

    async def on_button(self, t: Turn, bid: str) -> bool:
        s = t.data.get(KEY) or {}
        if bid == "scam:again":
            t.data.pop(KEY, None)
            await go(t, "scam.ask")
            return True
        if bid == "scam:share":
            if not s.get("masked"):
                t.say(texts.SCAM_SHARE_GONE)
                await go(t, "menu")
                return True
            await go(t, "scam.share")
            return True
        if bid == "scam:lesson":
            from bot.core.learning import start_lesson

            lesson = t.content.lessons.get(s.get("lesson") or "")
            t.data.pop(KEY, None)
            if lesson is None:
                await go(t, "menu")
            else:
                await start_lesson(t, lesson)
            return True
        if bid == "menu":
            t.data.pop(KEY, None)
            await go(t, "menu")
            return True
        return False

    async def on_text(self, t: Turn, text: str) -> bool:
        """Another message pasted straight after a result is checked too."""
        if t.scam is None or (len(text) < MIN_CHARS and not has_contact(text)):
            return False
        await result(t, t.scam, text)
        return True

    async def on_file(self, t: Turn, received: Received, caption: str) -> None:
        await SCREENS_ASK.on_file(t, received, caption)

    accepts_files = True


@screen
class Share(Screen):
    name = "scam.share"

    async def show(self, t: Turn) -> None:
        s = t.data.get(KEY) or {}
        t.say(
            texts.SCAM_SHARE_ASK,
            [
                ("scam:share_yes", texts.BTN_SCAM_SHARE_YES),
                ("scam:share_no", texts.BTN_SCAM_SHARE_NO),
            ],
            masked=s.get("masked", ""),
        )

    async def on_button(self, t: Turn, bid: str) -> bool:
        s = t.data.pop(KEY, None)
        if bid == "scam:share_yes" and s and s.get("masked"):
            units = t.user.units() if t.user else []
            branch = await t.store.staff.branch_of(t.user.id) if t.user else None
            if branch is not None:  # the narrowest unit, so the branch's staff see it too
                units.append(Unit.branch(branch))
            await t.store.scam_examples.add(
                s["masked"],
                s["verdict"],
                s["score"],
                s["signs"],
                units[-1] if units else None,
                t.now,
            )
            t.say(texts.SCAM_SHARED)
        elif bid == "scam:share_yes":
            t.say(texts.SCAM_SHARE_GONE)
        elif bid == "scam:share_no":
            t.say(texts.SCAM_NOT_SHARED)
        else:
            if s is not None:
                t.data[KEY] = s
            return False
        await go(t, "menu")
        return True


SCREENS_ASK = Ask()
