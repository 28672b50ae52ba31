"""A fake Zalo Official Account Open API (v3) and OAuth v4 server on 127.0.0.1.

It enforces what the real one does, as far as it is known (docs/zalo-oa.md says what is
confirmed): the `access_token` header on every call, tokens that expire and are renewed once
per refresh token (a used refresh token is refused), the consultation window (8 free messages
within 48 hours of the person's last interaction, counted as such only when the request names
one of the person's messages in `recipient.message_id`; otherwise, or beyond, the OA's package
quota as a proactive message, then refusal),
text length, buttons, upload size and type limits, an optional rate limit, and errors shaped
like Zalo's: HTTP 200 with `{"error": <negative code>, "message": ...}`.

It also plays Zalo's side of the webhook: `post_event` signs an event with the OA secret key
(X-ZEvent-Signature: mac=sha256(app_id + body + timestamp + secret)) and POSTs it to the bot;
user events open the person's window here as they do at Zalo.
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import hashlib
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

import httpx

from bot.channels.webserver import Request, Response
from tests.fakes.base import Call, FakeServer

TEXT_LIMIT = 2000
MAX_BUTTONS = 5
IMAGE_LIMIT = 1_000_000
FILE_LIMIT = 5_000_000

ERR_TOKEN = -216
ERR_PARAM = -201
ERR_TOO_LONG = -210
ERR_QUOTA = -211
ERR_WINDOW = -213
ERR_RATE = -32
ERR_REFRESH = -14014


@dataclass
class Person:
    followed: bool = True
    last_interaction: float | None = None  # fake wall time
    sent_since: int = 0
    msg_ids: set[str] = field(default_factory=set)  # what they sent (a reply may name one)
    proactive: int = 0  # messages that named no message of theirs (paid at Zalo)


@dataclass
class Upload:
    name: str
    data: bytes
    kind: str  # "image" | "file"


@dataclass
class FakeZaloOA(FakeServer):
    app_id: str = "1234567890123456789"
    oa_secret: str = "OA-SECRET-test-key"
    app_secret: str = "APP-SECRET-test-key"
    window_hours: float = 48.0
    window_messages: int = 8
    package_quota: int = 0  # free package messages left beyond the window
    token_lifetime: float = 90000.0
    rate_limit: float | None = None  # messages a second, or unlimited
    accepts_message_id: bool = True  # False: recipient.message_id is refused as a parameter
    renew_delay: float = 0.0  # OAuth answers this late (renewal races)
    people: dict[str, Person] = field(default_factory=dict)
    uploads: dict[str, Upload] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)  # what users send, served at /files/
    downloads: list[str] = field(default_factory=list)
    renewals: int = 0
    refused_tokens: int = 0

    def __post_init__(self) -> None:
        super().__init__()
        self.offset = 0.0  # seconds added to the wall clock (the window passes in tests)
        self._tokens: dict[str, float] = {}  # access token -> expires at (fake wall time)
        self._refresh: set[str] = set()
        self._n = 0
        self._sends: list[float] = []
        self._client: httpx.AsyncClient | None = None
        self.access_token, self.refresh_token = self._issue()

    # --- clock and tokens ---

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds

    def _next(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}{self._n:05d}"

    def _issue(self) -> tuple[str, str]:
        access, refresh = self._next("AT-"), self._next("RT-")
        self._tokens[access] = self.now() + self.token_lifetime
        self._refresh.add(refresh)
        return access, refresh

    def expire_tokens(self) -> None:
        """Every access token stops working now (as after 25 hours)."""
        for t in self._tokens:
            self._tokens[t] = 0.0

    @property
    def base_url(self) -> str:
        return self.url

    @property
    def oauth_url(self) -> str:
        return f"{self.url}/v4/oa/access_token"

    # --- people ---

    def person(self, user_id: str) -> Person:
        return self.people.setdefault(user_id, Person())

    def _interacted(self, user_id: str) -> None:
        p = self.person(user_id)
        p.last_interaction = self.now()
        p.sent_since = 0

    # --- events the bot receives ---

    def _event(self, name: str, user_id: str, **extra: Any) -> dict:
        return {
            "app_id": self.app_id,
            "user_id_by_app": f"app-{user_id}",
            "event_name": name,
            "timestamp": str(int(self.now() * 1000)),
            **extra,
        }

    def text(self, user_id: str, text: str) -> dict:
        return self._event(
            "user_send_text",
            user_id,
            sender={"id": user_id},
            recipient={"id": "oa1"},
            message={"msg_id": self._next("msg-"), "text": text},
        )

    def reaction(self, user_id: str, msg_id: str, icon: str = "/-strong") -> dict:
        """A follower's reaction on a message the OA sent (`icon` "/-remove": taken back)."""
        return self._event(
            "user_reacted_message",
            user_id,
            sender={"id": user_id},
            recipient={"id": "oa1"},
            message={"msg_id": msg_id, "react_icon": icon},
        )

    def image(self, user_id: str, data: bytes, caption: str = "") -> dict:
        name = f"u{self._n + 1}.jpg"
        self.files[name] = data
        return self._event(
            "user_send_image",
            user_id,
            sender={"id": user_id},
            recipient={"id": "oa1"},
            message={
                "msg_id": self._next("msg-"),
                "text": caption,
                "attachments": [{"type": "image", "payload": {"url": f"{self.url}/files/{name}"}}],
            },
        )

    def document(self, user_id: str, data: bytes, name: str) -> dict:
        stored = f"d{self._n + 1}-{name}"
        self.files[stored] = data
        return self._event(
            "user_send_file",
            user_id,
            sender={"id": user_id},
            recipient={"id": "oa1"},
            message={
                "msg_id": self._next("msg-"),
                "attachments": [
                    {
                        "type": "file",
                        "payload": {
                            "url": f"{self.url}/files/{stored}",
                            "name": name,
                            "size": str(len(data)),
                            "type": name.rsplit(".", 1)[-1],
                        },
                    }
                ],
            },
        )

    def follow(self, user_id: str) -> dict:
        self.person(user_id).followed = True
        return self._event(
            "follow", user_id, oa_id="oa1", follower={"id": user_id}, source="oa_profile"
        )

    def unfollow(self, user_id: str) -> dict:
        self.person(user_id).followed = False
        return self._event(
            "unfollow", user_id, oa_id="oa1", follower={"id": user_id}, source="oa_profile"
        )

    def sign(self, body: bytes, timestamp: str) -> str:
        data = self.app_id.encode() + body + timestamp.encode() + self.oa_secret.encode()
        return "mac=" + hashlib.sha256(data).hexdigest()

    async def post_event(
        self, url: str, event: dict, *, mac: str | None = None, body: bytes | None = None
    ) -> httpx.Response:
        """POST an event to the bot as Zalo does, signed unless `mac` is given; a user event
        opens the person's window here."""
        raw = body if body is not None else json.dumps(event, ensure_ascii=False).encode()
        headers = {
            "content-type": "application/json",
            "X-ZEvent-Signature": mac if mac is not None else self.sign(raw, event["timestamp"]),
        }
        user = (event.get("sender") or event.get("follower") or {}).get("id")
        if user and event.get("event_name", "").startswith(("user_send", "follow")):
            self._interacted(user)
            mid = (event.get("message") or {}).get("msg_id")
            if mid:
                self.person(user).msg_ids.add(str(mid))
        if self._client is None:  # one client: creating one costs an SSL context each time
            self._client = httpx.AsyncClient(trust_env=False, timeout=30)
        return await self._client.post(url, content=raw, headers=headers)

    async def stop(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        await super().stop()

    # --- what tests look at ---

    def sent_to(self, user_id: str) -> list[Call]:
        return [c for c in self.sent(user_id, "message/cs")]

    @staticmethod
    def text_of(call: Call) -> str:
        return call.params.get("message", {}).get("text", "")

    @staticmethod
    def buttons_of(call: Call) -> list[str]:
        payload = (call.params.get("message", {}).get("attachment") or {}).get("payload") or {}
        return [b["title"] for b in payload.get("buttons") or []]

    # --- HTTP ---

    async def _handle(self, request: Request) -> Response:
        path = request.path
        if path.startswith("/files/"):
            name = unquote(path.removeprefix("/files/"))
            if name not in self.files:
                return Response.text("Not Found", 404)
            self.downloads.append(name)
            return Response(200, self.files[name], "application/octet-stream")
        if path == "/v4/oa/access_token":
            return await self._oauth(request)
        routes = {
            "/v2.0/oa/getoa": self.api_getoa,
            "/v3.0/oa/message/cs": self.api_message,
            "/v2.0/oa/upload/image": self.api_upload_image,
            "/v2.0/oa/upload/file": self.api_upload_file,
        }
        handler = routes.get(path)
        params, files = self.parse(request)
        user = ((params.get("recipient") or {}) if isinstance(params, dict) else {}).get("user_id")
        if user is not None:
            params["chat_id"] = user
        method = path.rsplit("/", 2)[-2] + "/" + path.rsplit("/", 1)[-1]
        call = Call(len(self.calls), method, params, time.monotonic(), files=files)
        if handler is None:
            call.status = 404
            await self._record(call)
            return Response.of_json({"error": -404, "message": "Not Found"}, 404)
        token = request.headers.get("access_token", "")
        if self._tokens.get(token, 0.0) <= self.now():
            self.refused_tokens += 1
            return await self._error(call, ERR_TOKEN, "Access token is invalid")
        failure = self._failure_for(method, params)
        if failure is not None:
            return await self._error(call, failure.status, failure.description or "Error")
        try:
            data = await handler(params, files)
        except OAError as exc:
            return await self._error(call, exc.code, exc.message)
        await self._record(call)
        return Response.of_json({"error": 0, "message": "Success", "data": data})

    async def _error(self, call: Call, code: int, message: str) -> Response:
        call.status = code
        await self._record(call)
        return Response.of_json({"error": code, "message": message})

    async def _oauth(self, request: Request) -> Response:
        form = dict(parse_qsl(request.body.decode("utf-8")))
        if self.renew_delay:
            await asyncio.sleep(self.renew_delay)
        if (
            request.headers.get("secret_key") != self.app_secret
            or form.get("app_id") != self.app_id
            or form.get("grant_type") != "refresh_token"
            or form.get("refresh_token") not in self._refresh
        ):
            return Response.of_json(
                {
                    "error": ERR_REFRESH,
                    "error_name": "Invalid refresh token",
                    "error_description": "refresh token is invalid or used",
                }
            )
        self._refresh.discard(form["refresh_token"])  # one use only
        self.renewals += 1
        self.access_token, self.refresh_token = self._issue()
        return Response.of_json(
            {
                "access_token": self.access_token,
                "refresh_token": self.refresh_token,
                "expires_in": str(int(self.token_lifetime)),
            }
        )

    # --- the API ---

    async def api_getoa(self, params: dict, files: dict) -> dict:
        return {
            "oa_id": "oa1",
            "name": "Hội Người cao tuổi (thử)",
            "num_follower": len(self.people),
        }

    async def api_message(self, params: dict, files: dict) -> dict:
        recipient = params.get("recipient") or {}
        user = str(recipient.get("user_id") or "")
        message = params.get("message")
        if not user or not isinstance(message, dict):
            raise OAError(ERR_PARAM, "Parameters are invalid")
        p = self.people.get(user)
        if p is None or not p.followed:
            raise OAError(ERR_WINDOW, "User has not followed the OA or not interacted")
        answers = recipient.get("message_id")
        if answers is not None and (not self.accepts_message_id or str(answers) not in p.msg_ids):
            raise OAError(ERR_PARAM, "Parameters are invalid: message_id")
        self._validate(message)
        if self.rate_limit is not None:
            now = time.monotonic()
            self._sends = [t for t in self._sends if t > now - 1.0]
            if len(self._sends) >= self.rate_limit:
                raise OAError(ERR_RATE, "Exceeded the rate limit")
            self._sends.append(now)
        in_window = (
            answers is not None
            and p.last_interaction is not None
            and self.now() - p.last_interaction < self.window_hours * 3600
            and p.sent_since < self.window_messages
        )
        if in_window:
            p.sent_since += 1
            quota = {"quota_type": "reply", "remain": str(self.window_messages - p.sent_since)}
        elif self.package_quota > 0:
            self.package_quota -= 1
            p.sent_since += 1
            p.proactive += 1
            quota = {"quota_type": "sub_quota", "remain": str(self.package_quota)}
        elif (
            p.last_interaction is not None
            and self.now() - p.last_interaction < self.window_hours * 3600
        ):
            raise OAError(ERR_QUOTA, "Out of quota")
        else:
            raise OAError(ERR_WINDOW, "User has not interacted with the OA in the window")
        return {"message_id": self._next("oamsg-"), "user_id": user, "quota": quota}

    def _validate(self, message: dict) -> None:
        text = message.get("text")
        attachment = message.get("attachment")
        if text is None and attachment is None:
            raise OAError(ERR_PARAM, "Message is empty")
        if text is not None and (not isinstance(text, str) or len(text) > TEXT_LIMIT):
            raise OAError(ERR_TOO_LONG, "Text is too long")
        if attachment is None:
            return
        kind = attachment.get("type")
        payload = attachment.get("payload") or {}
        if kind == "file":
            up = self.uploads.get(payload.get("token", ""))
            if up is None or up.kind != "file":
                raise OAError(ERR_PARAM, "File token is invalid")
            return
        if kind != "template":
            raise OAError(ERR_PARAM, "Attachment type is invalid")
        if payload.get("template_type") == "media":
            for el in payload.get("elements") or []:
                up = self.uploads.get(el.get("attachment_id", ""))
                if el.get("media_type") != "image" or up is None or up.kind != "image":
                    raise OAError(ERR_PARAM, "Attachment id is invalid")
            return
        buttons = payload.get("buttons") or []
        if not buttons or len(buttons) > MAX_BUTTONS or text is None:
            raise OAError(ERR_PARAM, "Buttons are invalid")
        for b in buttons:
            if b.get("type") != "oa.query.show" or not b.get("title") or len(b["title"]) > 100:
                raise OAError(ERR_PARAM, "Button is invalid")

    async def api_upload_image(self, params: dict, files: dict) -> dict:
        data, name = files.get("file"), params.get("file", "")
        if data is None:
            raise OAError(ERR_PARAM, "File is missing")
        if len(data) > IMAGE_LIMIT:
            raise OAError(ERR_TOO_LONG, "Image is larger than 1 MB")
        if not (data.startswith(b"\xff\xd8") or data.startswith(b"\x89PNG")):
            raise OAError(ERR_PARAM, "Image type is not supported")
        attachment_id = self._next("img-")
        self.uploads[attachment_id] = Upload(name, data, "image")
        return {"attachment_id": attachment_id}

    async def api_upload_file(self, params: dict, files: dict) -> dict:
        data, name = files.get("file"), params.get("file", "")
        if data is None:
            raise OAError(ERR_PARAM, "File is missing")
        if len(data) > FILE_LIMIT:
            raise OAError(ERR_TOO_LONG, "File is larger than 5 MB")
        if not name.lower().endswith((".pdf", ".doc", ".docx")):
            raise OAError(ERR_PARAM, "File type is not supported")
        token = self._next("file-")
        self.uploads[token] = Upload(name, data, "file")
        return {"token": token}

    def parse(self, request: Request) -> tuple[dict[str, Any], dict[str, bytes]]:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith("application/json"):
            body = json.loads(request.body or b"{}")
            return (body if isinstance(body, dict) else {}), {}
        if ctype.startswith("multipart/form-data"):
            head = f"Content-Type: {ctype}\r\n\r\n".encode()
            msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.body)
            params: dict[str, Any] = {}
            files: dict[str, bytes] = {}
            for part in msg.iter_parts():
                name = part.get_param("name", header="content-disposition")
                payload = part.get_payload(decode=True) or b""
                if part.get_filename():
                    files[name] = payload
                    params[name] = part.get_filename()
                else:
                    params[name] = payload.decode("utf-8")
            return params, files
        return {}, {}


class OAError(Exception):
    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code = code
        self.message = message
