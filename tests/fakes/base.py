"""What both fake servers share: the HTTP server, a call log to wait on, failures on demand."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.channels.webserver import HttpServer, Request, Response


@dataclass
class Call:
    """One request the bot made: method, decoded parameters, when, and how it was answered."""

    index: int
    method: str
    params: dict[str, Any]
    at: float  # time.monotonic()
    status: int = 200
    files: dict[str, bytes] = field(default_factory=dict)
    result: Any = None  # what the fake answered (a sent message, with its message_id)

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class Failure:
    method: str
    status: int
    chat_id: Any = None
    retry_after: int | None = None
    times: int = 1
    description: str = ""


class FakeServer:
    """Base: routes /bot<token>/<method> to `api_<method>` coroutines, records every call."""

    token = ""

    def __init__(self) -> None:
        self.server = HttpServer(fallback=self._handle)
        self.calls: list[Call] = []
        self.by_chat: dict[Any, list[Call]] = {}  # the same calls, per chat_id
        self._chat_changed: dict[Any, asyncio.Event] = {}
        self.failures: list[Failure] = []
        self.blocked: set[Any] = set()
        self._changed = asyncio.Condition()
        self._updates_arrived = asyncio.Event()
        self.send_delay = 0.0  # seconds each send* call takes to answer (a slow platform)

    @property
    def url(self) -> str:
        return self.server.url

    async def start(self) -> None:
        await self.server.start()

    async def stop(self) -> None:
        await self.server.stop(grace=0.2)

    async def __aenter__(self):
        await self.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.stop()

    async def wait_update(self, deadline: float, ready: Callable[[], bool]) -> None:
        """Long poll: return when `ready()` or at `deadline` (monotonic)."""
        while not ready():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self._updates_arrived.clear()
            try:
                await asyncio.wait_for(self._updates_arrived.wait(), left)
            except TimeoutError:
                return

    # --- failures on demand ---

    def fail(
        self,
        method: str,
        status: int,
        *,
        chat_id: Any = None,
        retry_after: int | None = None,
        times: int = 1,
        description: str = "",
    ) -> None:
        """The next `times` calls of `method` (to `chat_id`, if given) fail with `status`."""
        self.failures.append(Failure(method, status, chat_id, retry_after, times, description))

    def block(self, chat_id: Any) -> None:
        """The person blocked the bot: every send to them is refused with 403."""
        self.blocked.add(chat_id)

    def unblock(self, chat_id: Any) -> None:
        self.blocked.discard(chat_id)

    def _failure_for(self, method: str, params: dict) -> Failure | None:
        for f in self.failures:
            if f.method == method and (f.chat_id is None or f.chat_id == params.get("chat_id")):
                f.times -= 1
                if f.times <= 0:
                    self.failures.remove(f)
                return f
        return None

    # --- the call log ---

    def sent(self, chat_id: Any = None, method: str | None = "sendMessage") -> list[Call]:
        """Successful calls of `method` (all methods if None), to `chat_id` if given."""
        return [
            c
            for c in self.calls
            if c.ok
            and (method is None or c.method == method)
            and (chat_id is None or c.chat_id == chat_id)
        ]

    def texts(self, chat_id: Any = None) -> list[str]:
        return [c.params.get("text", "") for c in self.sent(chat_id)]

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until `predicate()` is truthy (re-checked after every call); return its value."""
        deadline = time.monotonic() + timeout
        async with self._changed:
            while True:
                value = predicate()
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"condition not met in {timeout}s; calls: {self.summary()}")
                with contextlib.suppress(TimeoutError):  # re-check now and then, too
                    await asyncio.wait_for(self._changed.wait(), min(left, 0.02))

    def summary(self, last: int = 12) -> list[str]:
        return [f"{c.method}({c.chat_id})={c.status}" for c in self.calls[-last:]]

    async def wait_chat(
        self, chat_id: Any, predicate: Callable[[list[Call]], Any], timeout: float = 5.0
    ) -> Any:
        """Like `wait_for`, but woken only by calls to one chat: cheap with many people."""
        deadline = time.monotonic() + timeout
        event = self._chat_changed.setdefault(chat_id, asyncio.Event())
        while not (value := predicate(self.by_chat.get(chat_id, []))):
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"chat {chat_id}: condition not met in {timeout}s")
            event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), left)
        return value

    async def _record(self, call: Call) -> None:
        self.calls.append(call)
        if call.chat_id is not None:
            self.by_chat.setdefault(call.chat_id, []).append(call)
            if (event := self._chat_changed.get(call.chat_id)) is not None:
                event.set()
        async with self._changed:
            self._changed.notify_all()

    # --- HTTP ---

    async def _handle(self, request: Request) -> Response:
        prefix = "/bot"
        if not request.path.startswith(prefix):
            return Response.of_json(
                {"ok": False, "error_code": 404, "description": "Not Found"}, 404
            )
        token, _, method = request.path[len(prefix) :].partition("/")
        if token != self.token:
            return Response.of_json(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, 401
            )
        handler = getattr(self, f"api_{method}", None)
        params, files = self.parse(request)
        call = Call(len(self.calls), method, params, time.monotonic(), files=files)
        if handler is None:
            call.status = 404
            await self._record(call)
            return Response.of_json(
                {"ok": False, "error_code": 404, "description": "Not Found: method not found"}, 404
            )
        if self.send_delay and method.startswith("send") and method != "sendChatAction":
            await asyncio.sleep(self.send_delay)
        failure = self._failure_for(method, params)
        if failure is None and method.startswith("send") and params.get("chat_id") in self.blocked:
            failure = Failure(method, 403, description="Forbidden: bot was blocked by the user")
        if failure is not None:
            call.status = failure.status
            await self._record(call)
            return self.error_response(failure)
        try:
            result = await handler(params, files)
        except ApiError as exc:
            call.status = exc.status
            await self._record(call)
            return Response.of_json(
                {"ok": False, "error_code": exc.status, "description": exc.description},
                exc.status,
            )
        call.result = result
        await self._record(call)
        return Response.of_json({"ok": True, "result": result})

    def error_response(self, f: Failure) -> Response:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": f.status,
            "description": f.description or _DESCRIPTIONS.get(f.status, "Error"),
        }
        if f.retry_after is not None:
            body["parameters"] = {"retry_after": f.retry_after}
            body["description"] = f"Too Many Requests: retry after {f.retry_after}"
        return Response.of_json(body, f.status)

    def parse(self, request: Request) -> tuple[dict[str, Any], dict[str, bytes]]:
        raise NotImplementedError


class ApiError(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


_DESCRIPTIONS = {
    400: "Bad Request",
    403: "Forbidden: bot was blocked by the user",
    429: "Too Many Requests",
    500: "Internal Server Error",
}
