"""One conversation turn: the learner, where the conversation stands, and the replies so far."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bot import texts
from bot.core.events import Button, OutFile, Reply
from bot.core.reach import OaRules
from lessons import Content
from scenarios.loader import Scenarios
from storage.repos import ProgressRepo, User, UserRepo
from storage.store import Store

PLACEHOLDER_KEYS = ("{ong_ba}", "{Ong_ba}", "{ten}")


@dataclass
class Turn:
    store: Store
    content: Content
    now: dt.datetime
    identity: str
    user: User | None
    conv_key: str | None  # None: nothing may be stored (before consent)
    state: str
    data: dict[str, Any]
    replies: list[Reply] = field(default_factory=list)
    scenarios: Scenarios = field(default_factory=Scenarios)
    media_dir: Path = Path("data/media")
    roles: list[tuple[str, str]] = field(default_factory=list)  # (role, unit) incl. admin ids
    web_url: str = "http://127.0.0.1:8081"  # where the web pages are (HOCSO_WEB_URL)
    #: Deep-link templates per channel for class codes ("https://t.me/<bot>?start={code}").
    links: dict[str, str] = field(default_factory=dict)
    #: Zalo OA's window and quota rules, for how many an announcement reaches now
    oa_rules: OaRules = field(default_factory=OaRules)
    #: Work for after the turn's transaction commits, before the replies leave the engine
    #: (report files: rendered off the event loop, holding no transaction).
    after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    #: a scam check of this event's text or picture, done before the turn (bot/core/scamcheck.py)
    scam: Any = None

    @property
    def users(self) -> UserRepo:
        return self.store.users

    @property
    def progress(self) -> ProgressRepo:
        return self.store.progress

    @property
    def tracked(self) -> bool:
        return self.user is not None and self.user.tracked

    # --- voice ---
    def address(self) -> str:
        form = self.user.address_form if self.user else None
        return form or self.data.get("address_form") or texts.DEFAULT_ADDRESS

    def voice(self) -> dict[str, str]:
        form = self.address()
        name = self.user.display_name if self.user else None
        return {
            "ong_ba": form,
            "Ong_ba": form[:1].upper() + form[1:],
            "ten": f"{form} {name}" if name else form,
        }

    def render(self, template: str, **kw: Any) -> str:
        """Fill a text template, then the placeholders of any content inserted into it."""
        v = self.voice()
        out = template.format(**v, **kw)
        for key in PLACEHOLDER_KEYS:
            out = out.replace(key, v[key[1:-1]])
        return out

    def say(
        self,
        template: str,
        buttons: list[tuple[str, str]] | None = None,
        files: list[OutFile] | None = None,
        **kw: Any,
    ) -> None:
        btns = [
            Button(bid, self.render(label) if "{" in label else label)
            for bid, label in buttons or []
        ]
        self.replies.append(Reply(self.identity, self.render(template, **kw), btns, files or []))

    def say_text(
        self,
        text: str,
        buttons: list[tuple[str, str]] | None = None,
        files: list[OutFile] | None = None,
    ) -> None:
        """Send text that is already rendered."""
        self.replies.append(
            Reply(
                self.identity, text, [Button(b, label) for b, label in buttons or []], files or []
            )
        )

    def attach(self, buttons: list[tuple[str, str]]) -> None:
        """Put buttons under the last message of the turn (after feedback and any news)."""
        last = self.replies[-1]
        self.replies[-1] = replace(last, buttons=[Button(b, label) for b, label in buttons])

    def current_buttons(self) -> list[Button]:
        return [Button(b[0], b[1]) for b in self.data.get("buttons", [])]

    def remember_buttons(self) -> None:
        """The buttons on screen are those of the last reply; typed numbers refer to them."""
        last = next((r for r in reversed(self.replies) if r.buttons), None)
        if self.replies:
            self.data["buttons"] = [[b.id, b.label] for b in last.buttons] if last else []

    async def save(self) -> None:
        if self.conv_key is None:
            return
        self.remember_buttons()
        await self.store.conversations.save(self.conv_key, self.state, self.data, self.now)
