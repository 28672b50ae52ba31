"""A small HTTP/1.1 server (h11 over asyncio streams) for webhooks and the local test servers.

Webhook requests are tiny and answered at once (the update is queued, not processed, before
the 200), so this needs no framework: routing by exact path, bounded bodies, keep-alive, and
deadlines and a connection cap so that slow or idle clients cannot hold the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import logging
import re
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

import h11

from bot.logs import Throttled

log = logging.getLogger(__name__)

MAX_BODY = 2_000_000
HEADER_TIMEOUT = 10.0  # seconds for a request's whole head
BODY_TIMEOUT = 30.0  # seconds for its whole body
IDLE_TIMEOUT = 75.0  # seconds a kept-alive connection may wait for its next request
SEND_TIMEOUT = 30.0  # seconds a client may take to read an answer


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


def fd_limit(want: int = 65536) -> int:
    """The process's limit on open files, raised towards `want` (up to the hard limit) first:
    each connection holds one, and the default of 1,024 is soon reached by idle clients."""
    try:
        import resource
    except ImportError:  # not on this platform
        return 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
    return soft if soft != resource.RLIM_INFINITY else want


#: Files kept free for everything else (the database, outgoing HTTP, logs) when the connection
#: cap is derived from the open-file limit.
FD_RESERVE = 256
#: Connections accepted in one go; the files of those closed to make room are freed before the
#: next batch, so at most this many are open beyond the cap.
ACCEPT_BATCH = 64


class HttpServer:
    """Serve `routes` (exact path -> handler) on host:port; port 0 picks a free one.

    Built to stay up when clients misbehave (slowloris and the like):
    - a request's head must arrive within `header_timeout` seconds of the connection (or, on
      a kept-alive connection, of its first byte), and its body within `body_timeout`, however
      slowly the bytes trickle; an idle kept-alive connection is closed after `idle_timeout`;
      a client that stops reading its answer is dropped after `send_timeout`;
    - at most `max_connections` are open (and never more than the open-file limit allows,
      less FD_RESERVE): a new connection beyond it replaces the oldest one still waiting for a
      request head, or, if every one is busy answering, is closed at once;
    - bodies above `max_body` bytes are refused (413) before they are read;
    - none of this logs a line per connection: refusals are counted (`stats`) and logged at
      most once a minute.
    """

    def __init__(
        self,
        routes: dict[str, Handler] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        fallback: Handler | None = None,
        *,
        max_connections: int = 2048,
        header_timeout: float = HEADER_TIMEOUT,
        body_timeout: float = BODY_TIMEOUT,
        idle_timeout: float = IDLE_TIMEOUT,
        send_timeout: float = SEND_TIMEOUT,
        max_body: int = MAX_BODY,
    ):
        self.routes = dict(routes or {})
        self.fallback = fallback
        self.host = host
        self.port = port
        self.max_connections = max_connections
        self.header_timeout = header_timeout
        self.body_timeout = body_timeout
        self.idle_timeout = idle_timeout
        self.send_timeout = send_timeout
        self.max_body = max_body
        self.stats = {"served": 0, "refused": 0, "evicted": 0, "timed_out": 0, "bad": 0}
        self._listener: socket.socket | None = None
        self._connections: set[asyncio.Task] = set()
        self._sockets: dict[asyncio.Task, socket.socket] = {}  # accepted, task not started yet
        self._busy: set[asyncio.Task] = set()  # connections in the middle of a request
        # Connections waiting for a request head, oldest first (the first to go at the cap),
        # with what closes them: the socket until the task starts, then the stream.
        self._waiting: dict[asyncio.Task, socket.socket | asyncio.StreamWriter | None] = {}
        self._log = Throttled(log)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        budget = max(16, fd_limit() - FD_RESERVE)
        if budget < self.max_connections:
            log.info("at most %d connections (open-file limit)", budget)
            self.max_connections = budget
        # A burst of connections waits in the kernel's queue (backlog) rather than being turned
        # away; `_accept` takes them, enforcing the cap one connection at a time.
        self._listener = socket.create_server((self.host, self.port), backlog=1024)
        self._listener.setblocking(False)
        self.port = self._listener.getsockname()[1]
        asyncio.get_running_loop().add_reader(self._listener, self._accept)

    async def stop(self, grace: float = 2.0) -> None:
        """Stop listening, let requests being answered finish for `grace` seconds, then close."""
        if self._listener is None:
            return
        asyncio.get_running_loop().remove_reader(self._listener)
        self._listener.close()
        self._listener = None
        for task in self._connections - self._busy:
            task.cancel()  # idle keep-alive connections
        if self._busy:
            await asyncio.wait(list(self._busy), timeout=grace)
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        for sock in self._sockets.values():
            sock.close()  # those whose task was cancelled before it started
        self._sockets.clear()

    def _accept(self) -> None:
        """Take the connections waiting in the kernel's queue, a bounded batch at a time, each
        counted against the cap before the next is taken (asyncio's own server accepts a whole
        batch before counting any). Called when the listening socket is readable."""
        assert self._listener is not None
        for _ in range(ACCEPT_BATCH):
            try:
                sock, _ = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                if exc.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                    # Out of files (something else holds them): free one, pause accepting.
                    self.stats["refused"] += 1
                    self._log.warning("emfile", "no file left to accept a connection: %s", exc)
                    self._make_room()
                    self._pause_accepting(0.05)
                return  # otherwise e.g. the client gave up before we accepted
            if len(self._connections) >= self.max_connections and not self._make_room():
                self.stats["refused"] += 1
                self._log.warning(
                    "refused", "connection limit (%d) reached: new connection closed",
                    self.max_connections,
                )  # fmt: skip
                sock.close()
                continue
            sock.setblocking(False)
            with contextlib.suppress(OSError):  # answers go out at once (no Nagle delay)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            task = asyncio.create_task(self._serve_socket(sock))
            self._connections.add(task)
            self._sockets[task] = sock
            self._waiting[task] = sock  # it has sent no request yet

    def _pause_accepting(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        loop.remove_reader(self._listener)

        def resume() -> None:
            if self._listener is not None:
                loop.add_reader(self._listener, self._accept)

        loop.call_later(seconds, resume)

    def _make_room(self) -> bool:
        """Close the oldest connection still waiting for a request head; False if none is."""
        for task, holder in self._waiting.items():
            if not task.done():
                del self._waiting[task]
                self._connections.discard(task)
                # Its file is freed at once where possible, not when the task next runs.
                if isinstance(holder, socket.socket):  # accepted, not started
                    self._sockets.pop(task, None)
                    holder.close()
                elif holder is not None:
                    holder.transport.abort()
                task.cancel()  # (being set up: its socket is closed as it is cancelled)
                self.stats["evicted"] += 1
                self._log.warning(
                    "evicted", "connection limit (%d) reached: the oldest idle one closed",
                    self.max_connections,
                )  # fmt: skip
                return True
        return False

    async def _serve_socket(self, sock: socket.socket) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._sockets.pop(task, None)
        if task in self._waiting:
            self._waiting[task] = None  # being set up
        try:
            reader, writer = await asyncio.open_connection(sock=sock)
        except BaseException:
            sock.close()
            self._connections.discard(task)
            self._waiting.pop(task, None)
            raise
        await self._serve(reader, writer)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        conn = h11.Connection(h11.SERVER)
        fresh = True
        try:
            while True:
                self._waiting[task] = writer
                try:
                    request = await self._read_request(conn, reader, fresh)
                except _BodyTooLarge:
                    self._waiting.pop(task, None)
                    await self._send(conn, writer, Response.text("too large", 413))
                    break
                except (h11.RemoteProtocolError, ValueError):
                    self._waiting.pop(task, None)
                    if task in self._connections:  # not one closed by _make_room
                        self.stats["bad"] += 1
                    if conn.our_state in (h11.IDLE, h11.SEND_RESPONSE):
                        with contextlib.suppress(Exception):
                            await self._send(conn, writer, Response.text("bad request", 400))
                    break
                finally:
                    self._waiting.pop(task, None)
                fresh = False
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
                    self.stats["served"] += 1
                finally:
                    self._busy.discard(task)
                if conn.our_state is h11.MUST_CLOSE:
                    break
                conn.start_next_cycle()
        except TimeoutError:
            self.stats["timed_out"] += 1
            self._log.info("timeout", "a client too slow to send or read a request was dropped")
        except (ConnectionError, h11.LocalProtocolError):
            pass
        except asyncio.CancelledError:
            pass  # stop() or _make_room() closing this connection; end quietly
        finally:
            self._connections.discard(task)
            self._busy.discard(task)
            self._waiting.pop(task, None)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _dispatch(self, request: Request) -> Response:
        handler = self.routes.get(request.path) or self.fallback
        if handler is None:
            return Response.text("not found", 404)
        return await handler(request)

    async def _next_event(self, conn: h11.Connection, reader: asyncio.StreamReader, deadline):
        """The next h11 event, all of it read before `deadline` (loop time); with no deadline,
        the first bytes may take `idle_timeout`, and the deadline runs from them."""
        loop = asyncio.get_running_loop()
        while True:
            event = conn.next_event()
            if event is not h11.NEED_DATA:
                return event, deadline
            if deadline is None:
                data = await asyncio.wait_for(reader.read(65536), self.idle_timeout)
                deadline = loop.time() + self.header_timeout
            else:
                left = deadline - loop.time()
                if left <= 0:
                    raise TimeoutError
                data = await asyncio.wait_for(reader.read(65536), left)
            conn.receive_data(data)

    async def _read_request(
        self, conn: h11.Connection, reader: asyncio.StreamReader, fresh: bool
    ) -> Request | None:
        loop = asyncio.get_running_loop()
        head_deadline = loop.time() + self.header_timeout if fresh else None
        event, _ = await self._next_event(conn, reader, head_deadline)
        if isinstance(event, h11.ConnectionClosed):
            return None
        if not isinstance(event, h11.Request):
            raise ValueError(f"unexpected {event!r}")
        headers = {k.decode().lower(): v.decode("latin-1") for k, v in event.headers}
        if int(headers.get("content-length", "0") or 0) > self.max_body:
            raise _BodyTooLarge
        body = bytearray()
        body_deadline = loop.time() + self.body_timeout
        while True:
            part, _ = await self._next_event(conn, reader, body_deadline)
            if isinstance(part, h11.Data):
                body += part.data
                if len(body) > self.max_body:
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
        await asyncio.wait_for(writer.drain(), self.send_timeout)
