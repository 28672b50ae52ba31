"""A fake Telegram Bot API server: the methods the bot uses, on 127.0.0.1.

Point python-telegram-bot at it with `base_url=fake.base_url`. Inject updates with
`inject(...)` (built by `text`, `command`, `sticker`, …); getUpdates long-polls for them. Every
call is in `calls`; `fail(...)` answers 429 with retry_after (or any status) on demand and
`block(chat_id)` answers 403 as Telegram does for a person who blocked the bot. With
`rate_limit=30` it enforces 30 sends in any one second, answering 429 + retry_after beyond that;
`latency=0.15` adds a 150 ms round trip (half before the request is handled, half after).
`python -m tests.fakes.serve_telegram` serves it from a process of its own.
Files people send (`photo(..., data=...)`, `document(...)`) are served by getFile and the
download URL /file/bot<token>/<file_path>; every download is listed in `downloads`.
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import json
import math
import time
from collections import deque
from typing import Any
from urllib.parse import parse_qsl, unquote

import httpx

from bot.channels.webserver import Request, Response
from tests.fakes.base import ApiError, Call, Failure, FakeServer

TEXT_LIMIT = 4096
_JSON_PARAMS = {"reply_markup", "allowed_updates", "commands", "entities", "reply_parameters"}


_KINDS = ("message", "edited_message", "callback_query", "my_chat_member", "chat_member",
          "message_reaction", "message_reaction_count")  # fmt: skip
_NOT_BY_DEFAULT = ("chat_member", "message_reaction", "message_reaction_count")


def _kind_of(update: dict) -> str:
    return next((k for k in update if k != "update_id"), "")


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class FakeTelegram(FakeServer):
    def __init__(
        self,
        token: str = "123:TEST",
        username: str = "hocso_test_bot",
        rate_limit: float | None = None,
        latency: float = 0.0,
    ):
        super().__init__()
        self.latency = latency  # the round trip added to every request, seconds
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.username = username
        self.updates: list[dict] = []
        self.injected_at: dict[int, float] = {}
        self._next_update_id = 1
        self._next_message_id = 1
        self.allowed_updates: list[str] | None = None  # as last set by getUpdates/setWebhook
        self.webhook: dict[str, Any] | None = None
        self.commands: list[dict] = []
        self.rate_limit = rate_limit  # sends accepted in any one second, as Telegram's ~30/s
        self._accepted: deque[float] = deque()
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, bytes)
        self.downloads: list[str] = []  # file paths fetched through the download URL

    def _failure_for(self, method: str, params: dict) -> Failure | None:
        """Failures asked for by `fail`, then the overall rate limit if one is set."""
        failure = super()._failure_for(method, params)
        if failure or not self.rate_limit or not method.startswith("send"):
            return failure
        if method == "sendChatAction":
            return None
        now = time.monotonic()
        while self._accepted and self._accepted[0] <= now - 1.0:
            self._accepted.popleft()
        if len(self._accepted) >= self.rate_limit:
            wait = self._accepted[0] + 1.0 - now
            return Failure(method, 429, retry_after=max(1, math.ceil(wait)))
        self._accepted.append(now)
        return None

    @property
    def base_url(self) -> str:
        """What HOCSO_TELEGRAM_BASE_URL should be (PTB appends the token)."""
        return f"{self.url}/bot"

    # --- injecting updates ---

    def inject(self, update: dict) -> int:
        """Queue an update for getUpdates; returns its update_id (kept if given: replays)."""
        update = dict(update)
        update.setdefault("update_id", self._next_update_id)
        self._next_update_id = max(self._next_update_id, update["update_id"] + 1)
        self.updates.append(update)
        self.injected_at.setdefault(update["update_id"], time.monotonic())
        self._updates_arrived.set()
        return update["update_id"]

    def _user(self, user_id: int) -> dict:
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": f"Người {user_id}",
            "language_code": "vi",
        }

    def _chat(self, chat_id: int) -> dict:
        if chat_id < 0:
            return {"id": chat_id, "type": "group", "title": "Chi hội"}
        return {"id": chat_id, "type": "private", "first_name": f"Người {chat_id}"}

    def message(self, chat_id: int, from_id: int | None = None, **content: Any) -> dict:
        mid = self._next_message_id
        self._next_message_id += 1
        return {
            "message_id": mid,
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": self._user(from_id or abs(chat_id)),
            **content,
        }

    def text(self, chat_id: int, text: str, from_id: int | None = None) -> dict:
        """A message update; a leading /command gets its bot_command entity, as Telegram does."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            word = text.split(" ", 1)[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(word)}]
        return {"message": self.message(chat_id, from_id, **content)}

    def command(self, chat_id: int, command: str, args: str = "") -> dict:
        return self.text(chat_id, f"/{command}" + (f" {args}" if args else ""))

    def sticker(self, chat_id: int) -> dict:
        sticker = {
            "file_id": "st1",
            "file_unique_id": "st1u",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
            "emoji": "👍",
        }
        return {"message": self.message(chat_id, sticker=sticker)}

    def add_file(self, data: bytes, file_path: str) -> str:
        """Keep a file a person sent; returns its file_id for getFile."""
        file_id = f"f{len(self.files) + 1}"
        self.files[file_id] = (file_path, data)
        return file_id

    def photo(self, chat_id: int, data: bytes | None = None, caption: str | None = None) -> dict:
        """A photo in two sizes, as Telegram sends it; with `data`, the larger is downloadable."""
        small = {"file_id": "ph1", "file_unique_id": "ph1u", "width": 90, "height": 90}
        sizes = [small]
        if data is not None:
            big = self.add_file(data, f"photos/file_{len(self.files) + 1}.jpg")
            sizes.append({"file_id": big, "file_unique_id": big + "u", "width": 800,
                          "height": 600, "file_size": len(data)})  # fmt: skip
        content: dict[str, Any] = {"photo": sizes}
        if caption:
            content["caption"] = caption
        return {"message": self.message(chat_id, **content)}

    def document(
        self,
        chat_id: int,
        data: bytes,
        file_name: str,
        mime_type: str,
        caption: str | None = None,
        file_size: int | None = None,
    ) -> dict:
        """A file sent as a document; `file_size` may claim more than `data` (a huge file)."""
        file_id = self.add_file(data, f"documents/file_{len(self.files) + 1}")
        doc = {"file_id": file_id, "file_unique_id": file_id + "u", "file_name": file_name,
               "mime_type": mime_type, "file_size": file_size or len(data)}  # fmt: skip
        content: dict[str, Any] = {"document": doc}
        if caption:
            content["caption"] = caption
        return {"message": self.message(chat_id, **content)}

    def voice(self, chat_id: int) -> dict:
        voice = {"file_id": "vo1", "file_unique_id": "vo1u", "duration": 3}
        return {"message": self.message(chat_id, voice=voice)}

    def location(self, chat_id: int) -> dict:
        return {"message": self.message(chat_id, location={"latitude": 21.6, "longitude": 105.8})}

    def edited(self, chat_id: int, text: str) -> dict:
        msg = self.message(chat_id, text=text, edit_date=int(time.time()))
        return {"edited_message": msg}

    def reaction(
        self, chat_id: int, message_id: int, new: tuple[str, ...] = ("👍",),
        old: tuple[str, ...] = (),
    ) -> dict:  # fmt: skip
        """A person's reaction on a message changed (`new` empty: taken away), as Telegram sends
        it to a bot that asked for "message_reaction" in allowed_updates."""
        return {
            "message_reaction": {
                "chat": self._chat(chat_id),
                "message_id": message_id,
                "user": self._user(abs(chat_id)),
                "date": int(time.time()),
                "old_reaction": [{"type": "emoji", "emoji": e} for e in old],
                "new_reaction": [{"type": "emoji", "emoji": e} for e in new],
            }
        }

    def callback(self, chat_id: int, data: str) -> dict:
        return {
            "callback_query": {
                "id": f"cb{self._next_update_id}",
                "from": self._user(chat_id),
                "chat_instance": "ci",
                "data": data,
                "message": self.message(chat_id, text="…"),
            }
        }

    def my_chat_member(self, chat_id: int, status: str) -> dict:
        """The person blocked ("kicked") or unblocked ("member") the bot."""
        bot = {"id": self.bot_id, "is_bot": True, "first_name": "Học Số", "username": self.username}
        old = "member" if status == "kicked" else "kicked"

        def member(s: str) -> dict:
            return {"user": bot, "status": s, **({"until_date": 0} if s == "kicked" else {})}

        return {
            "my_chat_member": {
                "chat": self._chat(chat_id),
                "from": self._user(abs(chat_id)),
                "date": int(time.time()),
                "old_chat_member": member(old),
                "new_chat_member": member(status),
            }
        }

    # --- what tests wait for ---

    def turn_ends(self, chat_id: int, after: int = 0) -> list[Call]:
        """Messages to `chat_id` after call `after` that close a turn (they carry the keyboard,
        or remove it: the channel puts reply_markup on every turn's last message)."""
        return [
            c
            for c in self.calls[after:]
            if c.ok and c.method.startswith("send") and c.method != "sendChatAction"
            and c.chat_id == chat_id and "reply_markup" in c.params
        ]  # fmt: skip

    async def turn(self, chat_id: int, update: dict, timeout: float = 5.0) -> list[Call]:
        """Inject an update and wait for the bot's whole answer; returns the messages sent."""
        start = len(self.calls)
        self.inject(update)
        await self.wait_for(lambda: self.turn_ends(chat_id, start), timeout)
        return [
            c
            for c in self.calls[start:]
            if c.ok and c.chat_id == chat_id and c.method.startswith("send")
            and c.method != "sendChatAction"
        ]  # fmt: skip

    async def post_to_webhook(
        self, update: dict, secret: str | None = None, url: str | None = None
    ) -> httpx.Response:
        """Deliver an update the way Telegram does in webhook mode."""
        assert self.webhook or url, "no webhook set"
        update = dict(update)
        update.setdefault("update_id", self._next_update_id)
        self._next_update_id = max(self._next_update_id, update["update_id"] + 1)
        headers = {}
        token = secret if secret is not None else (self.webhook or {}).get("secret_token")
        if token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = token
        async with httpx.AsyncClient(trust_env=False) as client:
            return await client.post(url or self.webhook["url"], json=update, headers=headers)

    # --- decoding requests (PTB sends form fields, or multipart with files) ---

    def parse(self, request: Request) -> tuple[dict[str, Any], dict[str, bytes]]:
        ctype = request.headers.get("content-type", "")
        raw: dict[str, Any] = {}
        files: dict[str, bytes] = {}
        if ctype.startswith("application/json"):
            raw = json.loads(request.body or b"{}")
        elif ctype.startswith("multipart/form-data"):
            head = f"Content-Type: {ctype}\r\n\r\n".encode()
            msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.body)
            for part in msg.iter_parts():
                name = part.get_param("name", header="content-disposition")
                payload = part.get_payload(decode=True) or b""
                if part.get_filename():
                    files[name] = payload
                    raw[name] = f"attach://{name}"
                else:
                    raw[name] = payload.decode("utf-8")
        elif request.body:
            raw = dict(parse_qsl(request.body.decode("utf-8"), keep_blank_values=True))
        params = {k: self._decode(k, v) for k, v in raw.items()}
        return params, files

    @staticmethod
    def _decode(key: str, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        if key in _JSON_PARAMS:
            return json.loads(value)
        if key in ("chat_id", "offset", "limit", "message_id") and value.lstrip("-").isdigit():
            return int(value)
        if key == "timeout":
            return float(value)
        return value

    def _sent(self, chat_id: Any, **content: Any) -> dict:
        if not isinstance(chat_id, int):
            raise ApiError(400, "Bad Request: chat not found")
        mid = self._next_message_id
        self._next_message_id += 1
        bot = {"id": self.bot_id, "is_bot": True, "first_name": "Học Số", "username": self.username}
        return {
            "message_id": mid,
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": bot,
            **content,
        }

    # --- files ---

    async def _handle(self, request: Request) -> Response:
        """The network's delay on the way in and on the way out, around `_serve`."""
        if not self.latency:
            return await self._serve(request)
        await asyncio.sleep(self.latency / 2)
        response = await self._serve(request)
        await asyncio.sleep(self.latency / 2)
        return response

    async def _serve(self, request: Request) -> Response:
        """The download URL beside the Bot API methods."""
        prefix = f"/file/bot{self.token}/"
        path = unquote(request.path)  # PTB percent-encodes the URL (the token's colon)
        if not path.startswith(prefix):
            return await super()._handle(request)
        file_path = path[len(prefix) :]
        data = next((d for p, d in self.files.values() if p == file_path), None)
        if data is None:
            return Response.text("Not Found", 404)
        self.downloads.append(file_path)
        return Response(200, data, "application/octet-stream")

    async def api_getFile(self, p: dict, f: dict) -> dict:
        found = self.files.get(str(p.get("file_id", "")))
        if found is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        file_path, data = found
        return {"file_id": p["file_id"], "file_unique_id": p["file_id"] + "u",
                "file_size": len(data), "file_path": file_path}  # fmt: skip

    # --- the Bot API methods the bot uses ---

    async def api_getMe(self, p: dict, f: dict) -> dict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Học Số",
            "username": self.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def api_getUpdates(self, p: dict, f: dict) -> list[dict]:
        offset = int(p.get("offset") or 0)
        timeout = float(p.get("timeout") or 0)
        limit = int(p.get("limit") or 100)
        if offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if p.get("allowed_updates") is not None:  # kept for later calls, as Telegram does
            self.allowed_updates = list(p["allowed_updates"])
        # Kinds the bot did not ask for are never delivered (reactions only when asked).
        allowed = self.allowed_updates or [k for k in _KINDS if k not in _NOT_BY_DEFAULT]
        self.updates = [
            u for u in self.updates if _kind_of(u) not in _KINDS or _kind_of(u) in allowed
        ]
        await self.wait_update(time.monotonic() + timeout, lambda: bool(self.updates))
        return self.updates[:limit]

    async def api_setWebhook(self, p: dict, f: dict) -> bool:
        self.webhook = {"url": p["url"], "secret_token": p.get("secret_token")}
        if p.get("allowed_updates") is not None:
            self.allowed_updates = list(p["allowed_updates"])
        return True

    async def api_deleteWebhook(self, p: dict, f: dict) -> bool:
        self.webhook = None
        return True

    async def api_getWebhookInfo(self, p: dict, f: dict) -> dict:
        return {"url": (self.webhook or {}).get("url", ""), "has_custom_certificate": False,
                "pending_update_count": 0}  # fmt: skip

    async def api_setMyCommands(self, p: dict, f: dict) -> bool:
        self.commands = p.get("commands", [])
        return True

    async def api_answerCallbackQuery(self, p: dict, f: dict) -> bool:
        return True

    async def api_sendChatAction(self, p: dict, f: dict) -> bool:
        return True

    async def api_sendMessage(self, p: dict, f: dict) -> dict:
        text = p.get("text", "")
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if _utf16_len(text) > TEXT_LIMIT:
            raise ApiError(400, "Bad Request: message is too long")
        return self._sent(p.get("chat_id"), text=text)

    async def api_sendPhoto(self, p: dict, f: dict) -> dict:
        if "photo" not in f and not str(p.get("photo", "")).strip():
            raise ApiError(400, "Bad Request: there is no photo in the request")
        size = {"file_id": "sent-photo", "file_unique_id": "sp", "width": 100, "height": 100}
        return self._sent(p.get("chat_id"), photo=[size])

    async def api_sendDocument(self, p: dict, f: dict) -> dict:
        doc = {"file_id": "sent-doc", "file_unique_id": "sd"}
        return self._sent(p.get("chat_id"), document=doc)

    async def api_sendAudio(self, p: dict, f: dict) -> dict:
        audio = {"file_id": "sent-audio", "file_unique_id": "sa", "duration": 1}
        return self._sent(p.get("chat_id"), audio=audio)
