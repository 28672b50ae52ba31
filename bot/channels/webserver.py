"""A small HTTP/1.1 server (h11 over asyncio streams) for webhooks and the local test servers.

Webhook requests are tiny and answered at once (the update is queued, not processed, before
the 200), so this needs no framework: routing by exact path, bounded bodies, keep-alive.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

import h11

log = logging.getLogger(__name__)

MAX_BODY = 2_000_000
READ_TIMEOUT = 30.0
IDLE_TIMEOUT = 75.0


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> object:
        """The body as JSON; ValueError for anything but valid UTF-8 JSON text (see parse_json)."""
        return parse_json(self.body)


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _check_unicode(obj: object) -> None:
    # Iterative: the depth is bounded by the parser already, but a walk needs no stack anyway.
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                raise ValueError("text contains a lone surrogate (not valid Unicode)")
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def parse_json(data: str | bytes) -> object:
    """JSON from outside (a webhook body, a simulator line), refused with a ValueError if it is
    not UTF-8, nested deeper than the parser goes, or holds a lone surrogate ("\\ud800": not
    Unicode, so it could be neither stored nor sent back)."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValueError(f"not valid UTF-8 (byte {exc.start})") from None
    try:
        obj = json.loads(data)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {exc.msg}") from None
    except RecursionError:
        raise ValueError("not valid JSON: nested too deeply") from None
    _check_unicode(obj)
    return obj


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of_json(cls, obj: object, status: int = 200) -> Response:
        return cls(status, json.dumps(obj, ensure_ascii=False).encode("utf-8"))

    @classmethod
    def text(cls, text: str, status: int) -> Response:
        return cls(status, text.encode("utf-8"), "text/plain; charset=utf-8")


Handler = Callable[[Request], Awaitable[Response]]


class _BodyTooLarge(Exception):
    pass


class HttpServer:
    """Serve `routes` (exact path -> handler) on host:port; port 0 picks a free one."""

    def __init__(
        self,
        routes: dict[str, Handler] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        fallback: Handler | None = None,
    ):
        self.routes = dict(routes or {})
        self.fallback = fallback
        self.host = host
        self.port = port
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task] = set()
        self._busy: set[asyncio.Task] = set()  # connections in the middle of a request

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self, grace: float = 2.0) -> None:
        """Stop listening, let requests being answered finish for `grace` seconds, then close."""
        if self._server is None:
            return
        self._server.close()
        for task in self._connections - self._busy:
            task.cancel()  # idle keep-alive connections
        if self._busy:
            await asyncio.wait(list(self._busy), timeout=grace)
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        await self._server.wait_closed()
        self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        conn = h11.Connection(h11.SERVER)
        try:
            while True:
                try:
                    request = await self._read_request(conn, reader)
                except _BodyTooLarge:
                    await self._send(conn, writer, Response.text("too large", 413))
                    break
                except (h11.RemoteProtocolError, ValueError):
                    if conn.our_state in (h11.IDLE, h11.SEND_RESPONSE):
                        with contextlib.suppress(Exception):
                            await self._send(conn, writer, Response.text("bad request", 400))
                    break
                if request is None:
                    break
                self._busy.add(task)
                try:
                    response = await self._dispatch(request)
                except Exception:
                    log.exception("handler for %s %s failed", request.method, request.path)
                    response = Response.text("internal error", 500)
                try:
                    await self._send(conn, writer, response)
                finally:
                    self._busy.discard(task)
                if conn.our_state is h11.MUST_CLOSE:
                    break
                conn.start_next_cycle()
        except (TimeoutError, ConnectionError, h11.LocalProtocolError):
            pass
        except asyncio.CancelledError:
            pass  # stop() closing this connection; end quietly (asyncio logs cancelled ones)
        finally:
            self._connections.discard(task)
            self._busy.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _dispatch(self, request: Request) -> Response:
        handler = self.routes.get(request.path) or self.fallback
        if handler is None:
            return Response.text("not found", 404)
        return await handler(request)

    async def _next_event(self, conn: h11.Connection, reader: asyncio.StreamReader, timeout: float):
        while True:
            event = conn.next_event()
            if event is not h11.NEED_DATA:
                return event
            data = await asyncio.wait_for(reader.read(65536), timeout)
            conn.receive_data(data)

    async def _read_request(
        self, conn: h11.Connection, reader: asyncio.StreamReader
    ) -> Request | None:
        event = await self._next_event(conn, reader, IDLE_TIMEOUT)
        if isinstance(event, h11.ConnectionClosed):
            return None
        if not isinstance(event, h11.Request):
            raise ValueError(f"unexpected {event!r}")
        headers = {k.decode().lower(): v.decode("latin-1") for k, v in event.headers}
        if int(headers.get("content-length", "0") or 0) > MAX_BODY:
            raise _BodyTooLarge
        body = bytearray()
        while True:
            part = await self._next_event(conn, reader, READ_TIMEOUT)
            if isinstance(part, h11.Data):
                body += part.data
                if len(body) > MAX_BODY:
                    raise _BodyTooLarge
            elif isinstance(part, h11.EndOfMessage):
                break
            else:
                raise ValueError(f"unexpected {part!r}")
        target = urlsplit(event.target.decode("latin-1"))
        return Request(
            event.method.decode(),
            target.path,
            dict(parse_qsl(target.query)),
            headers,
            bytes(body),
        )

    async def _send(
        self, conn: h11.Connection, writer: asyncio.StreamWriter, response: Response
    ) -> None:
        headers = [
            ("content-type", response.content_type),
            ("content-length", str(len(response.body))),
            *response.headers.items(),
        ]
        writer.write(conn.send(h11.Response(status_code=response.status, headers=headers)))
        if response.body:
            writer.write(conn.send(h11.Data(data=response.body)))
        writer.write(conn.send(h11.EndOfMessage()))
        await writer.drain()
