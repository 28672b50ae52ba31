"""A fake Zalo Bot Platform server: POST /bot<token>/<method> with JSON, on 127.0.0.1.

getUpdates returns one update per call, or `{ok: false, error_code: 408}` when none arrived
within `timeout` seconds, as the real platform does. sendMessage refuses texts over 2,000
characters. `fail(...)` and `block(chat_id)` answer errors on demand. Photos people send
(`image(..., data=...)`) are served at /files/<name>, as Zalo's photo URLs; fetches are listed in
`downloads`.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from bot.channels.webserver import Request, Response
from tests.fakes.base import ApiError, Call, FakeServer

TEXT_LIMIT = 2000


class FakeZalo(FakeServer):
    def __init__(self, token: str = "9876543210:ZALOTEST"):
        super().__init__()
        self.token = token
        self.updates: list[dict] = []
        self.webhook: dict[str, Any] | None = None
        self._next_message_id = 1
        self.files: dict[str, bytes] = {}  # name under /files/ -> bytes
        self.downloads: list[str] = []

    @property
    def base_url(self) -> str:
        """What HOCSO_ZALO_BASE_URL should be (requests go to {base}{token}/{method})."""
        return f"{self.url}/bot"

    def _mid(self) -> str:
        mid = f"m{self._next_message_id:06d}"
        self._next_message_id += 1
        return mid

    # --- injecting updates ---

    def inject(self, update: dict) -> str:
        self.updates.append(update)
        self._updates_arrived.set()
        return update["message"]["message_id"]

    def _message(self, user_id: str, chat_type: str = "PRIVATE", **content: Any) -> dict:
        chat_id = user_id if chat_type == "PRIVATE" else f"g-{user_id}"
        return {
            "message_id": self._mid(),
            "date": int(time.time() * 1000),
            "chat": {"id": chat_id, "chat_type": chat_type},
            "from": {"id": user_id, "display_name": f"Người {user_id}", "is_bot": False},
            **content,
        }

    def text(self, user_id: str, text: str, chat_type: str = "PRIVATE") -> dict:
        return {
            "event_name": "message.text.received",
            "message": self._message(user_id, chat_type, text=text),
        }

    def image(self, user_id: str, data: bytes | None = None, caption: str | None = None) -> dict:
        """A photo; with `data` its URL points at this server, which serves the bytes."""
        url = "https://example.invalid/p.jpg"
        if data is not None:
            name = f"photo{len(self.files) + 1}.jpg"
            self.files[name] = data
            url = f"{self.url}/files/{name}"
        content: dict[str, Any] = {"photo": url}
        if caption:
            content["caption"] = caption
        return {
            "event_name": "message.image.received",
            "message": self._message(user_id, **content),
        }

    def sticker(self, user_id: str) -> dict:
        return {
            "event_name": "message.sticker.received",
            "message": self._message(user_id, sticker="abc123"),
        }

    async def post_to_webhook(
        self, update: dict, secret: str | None = None, url: str | None = None
    ) -> httpx.Response:
        """Deliver an update the way the platform does in webhook mode."""
        headers = {}
        token = secret if secret is not None else (self.webhook or {}).get("secret_token")
        if token:
            headers["X-Bot-Api-Secret-Token"] = token
        body = {"ok": True, "result": update}
        async with httpx.AsyncClient(trust_env=False) as client:
            return await client.post(url or self.webhook["url"], json=body, headers=headers)

    # --- what tests wait for ---

    def messages_after(self, chat_id: str, after: int) -> list[Call]:
        return [c for c in self.sent(chat_id) if c.index >= after]

    # --- HTTP ---

    async def _handle(self, request: Request) -> Response:
        """Photo URLs beside the Bot API methods."""
        if not request.path.startswith("/files/"):
            return await super()._handle(request)
        name = request.path.removeprefix("/files/")
        if name not in self.files:
            return Response.text("Not Found", 404)
        self.downloads.append(name)
        return Response(200, self.files[name], "image/jpeg")

    def parse(self, request: Request) -> tuple[dict[str, Any], dict[str, bytes]]:
        if not request.body:
            return {}, {}
        try:
            body = json.loads(request.body)
        except ValueError:
            return {}, {}
        return (body if isinstance(body, dict) else {}), {}

    # --- methods ---

    async def api_getMe(self, p: dict, f: dict) -> dict:
        return {
            "id": self.token.split(":", 1)[0],
            "account_name": "bot.HocSo",
            "account_type": "BASIC",
            "can_join_groups": False,
        }

    async def api_getUpdates(self, p: dict, f: dict) -> dict:
        if self.webhook:
            raise ApiError(400, "Webhook is set, getUpdates is not available")
        timeout = float(p.get("timeout") or 30)
        await self.wait_update(time.monotonic() + timeout, lambda: bool(self.updates))
        if not self.updates:
            raise ApiError(408, "Request timeout")
        return self.updates.pop(0)

    async def api_setWebhook(self, p: dict, f: dict) -> dict:
        secret = p.get("secret_token") or ""
        if not p.get("url") or not 8 <= len(secret) <= 256:
            raise ApiError(400, "Invalid url or secret_token")
        self.webhook = {"url": p["url"], "secret_token": secret}
        return {"url": p["url"], "updated_at": int(time.time() * 1000)}

    async def api_deleteWebhook(self, p: dict, f: dict) -> dict:
        self.webhook = None
        return {"url": "", "updated_at": int(time.time() * 1000)}

    async def api_getWebhookInfo(self, p: dict, f: dict) -> dict:
        return {"url": (self.webhook or {}).get("url", ""), "updated_at": 0}

    async def api_sendChatAction(self, p: dict, f: dict) -> dict:
        return {}

    async def api_sendMessage(self, p: dict, f: dict) -> dict:
        text = p.get("text") or ""
        if not p.get("chat_id"):
            raise ApiError(400, "chat_id is required")
        if not 1 <= len(text) <= TEXT_LIMIT:
            raise ApiError(400, "text must be 1 to 2000 characters")
        return {"message_id": self._mid(), "date": int(time.time() * 1000)}

    async def api_sendPhoto(self, p: dict, f: dict) -> dict:
        if not str(p.get("photo", "")).startswith(("http://", "https://")):
            raise ApiError(400, "photo must be a URL")
        return {"message_id": self._mid(), "date": int(time.time() * 1000)}
