"""HTTP/1.1 on asyncio streams for ``AsyncClient``: connect (TLS, proxy tunnels), send, read a response.

Why not a thread running the sync client: a blocked ``recv`` in a thread
cannot be cancelled, so a cancelled stream would keep its thread and socket
until the server sent something. On asyncio streams every wait is an
``await``: cancelling it aborts the transport at once, and nothing outlives
the task. The cost is this small HTTP/1.1 reader (status line, headers,
chunked and ``Content-Length`` bodies), which is all the API needs.

The reuse rules are those of ``client/http.py`` (see its docstring); the pool itself
lives in ``AsyncClient``, since its connections belong to one event loop.
"""

from __future__ import annotations

import asyncio
import re
import socket
import ssl
from typing import Dict, List, Optional, Tuple

from ..core.timeout import within
from .http import Headers, Origin

__all__ = ["AsyncConnection", "AsyncResponse", "connect"]

_MAX_HEAD_BYTES = 64 * 1024  # status line and headers together; the trailers after a chunked body too
_MAX_HEADERS = 200
# A line longer than this is refused by asyncio's StreamReader (its default limit), as http.client
# refuses one over its _MAXLINE of 64 KiB: a server that sends one is broken or hostile.
_MAX_LINE = 64 * 1024
# Exactly what RFC 9112 allows, not what int() takes ("-1", "+5", "1_0", " 5", non-ASCII digits):
# a negative size would read to the end of the connection, whatever its length.
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,16}")
# ASCII digits only: str.isdigit() also takes "²", which int() then refuses with a bare ValueError.
_DIGITS = re.compile(r"[0-9]{1,19}")


class ProtocolError(OSError):
    """The server's bytes are not an HTTP/1.1 response (reported as a connection error, and so retried)."""


async def _readline(reader: asyncio.StreamReader, what: str) -> bytes:
    """One line (``b""`` at EOF); a ``ProtocolError`` naming *what* for a line over 64 KiB.

    asyncio raises a bare ``ValueError`` there (its ``LimitOverrunError`` re-raised); that must not reach
    the caller as anything but a broken connection.
    """
    try:
        return await reader.readline()
    except ValueError:
        raise ProtocolError(f"the server sent a {what} longer than {_MAX_LINE} bytes") from None


class AsyncConnection:
    """One HTTP/1.1 connection on asyncio streams, bound to the loop that opened it."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, origin: Origin) -> None:
        self.reader = reader
        self.writer = writer
        self.origin = origin
        self.loop = asyncio.get_running_loop()

    def is_dropped(self) -> bool:
        """True when an idle connection cannot carry a request: closed by either side, or with stray bytes."""
        if self.loop is not asyncio.get_running_loop() or self.writer.transport.is_closing():
            return True
        return self.reader.at_eof() or bool(getattr(self.reader, "_buffer", b""))

    def abort(self) -> None:
        """Close at once, without waiting for anything (a broken or unfinished response)."""
        self.writer.transport.abort()

    async def request(
        self, method: str, target: str, headers: Dict[str, str], body: bytes, timeout: Optional[float]
    ) -> AsyncResponse:
        """Send a request and read the response's status line and headers."""
        # The headers were checked when the request was built (client/sanitize.py): no name or value can break a line.
        # A Host or Accept-Encoding given by the caller replaces the default, as http.client does.
        given = {name.lower() for name in headers}
        head = [f"{method} {target} HTTP/1.1"]
        if "host" not in given:
            head.append(f"Host: {self.origin.netloc}")
        if "accept-encoding" not in given:
            head.append("Accept-Encoding: identity")
        head += [f"{name}: {value}" for name, value in headers.items()]
        head.append(f"Content-Length: {len(body)}")
        self.writer.write("\r\n".join(head).encode("latin-1") + b"\r\n\r\n" + body)
        await within(self.writer.drain(), timeout)
        response: AsyncResponse = await within(self._read_head(), timeout)
        return response

    async def _read_head(self) -> AsyncResponse:
        lines: List[bytes] = []
        size = 0
        while True:
            line = await _readline(self.reader, "header line" if lines else "status line")
            if not line:
                raise ConnectionResetError("the server closed the connection before sending a response")
            size += len(line)
            if size > _MAX_HEAD_BYTES or len(lines) > _MAX_HEADERS:
                raise ProtocolError(f"response headers larger than {_MAX_HEAD_BYTES} bytes")
            if line in (b"\r\n", b"\n"):
                if lines and lines[0][:7] == b"HTTP/1." and lines[0][9:10] == b"1":  # a 1xx interim response: skip
                    lines, size = [], 0
                    continue
                break
            lines.append(line)
        status_line = lines[0].decode("latin-1").rstrip("\r\n")
        version, _, rest = status_line.partition(" ")
        code, _, reason = rest.partition(" ")
        if not version.startswith("HTTP/1.") or not _DIGITS.fullmatch(code) or len(code) != 3:
            raise ProtocolError(f"not an HTTP/1.x status line: {status_line[:100]!r}")
        items: List[Tuple[str, str]] = []
        for raw in lines[1:]:
            name, sep, value = raw.decode("latin-1").partition(":")
            if not sep:
                raise ProtocolError(f"malformed header line: {raw[:100]!r}")
            items.append((name.strip(), value.strip()))
        return AsyncResponse(self, int(code), reason, version, Headers(items))


class AsyncResponse:
    """A response whose head was read; the body is read with ``read()`` (``b""`` at its end)."""

    def __init__(self, connection: AsyncConnection, status: int, reason: str, version: str, headers: Headers) -> None:
        self.connection = connection
        self.status = status
        self.reason = reason
        self.version = version
        self.headers = headers
        tokens = {token.strip().lower() for token in headers.get("connection", "").split(",")}
        self.will_close = "close" in tokens or (version == "HTTP/1.0" and "keep-alive" not in tokens)
        self._chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        length = headers.get("content-length")
        self._left: Optional[int] = None  # bytes left: of the body (Content-Length) or of the current chunk
        if status in (204, 304):
            self._left = 0
        elif not self._chunked:
            if length is not None and _DIGITS.fullmatch(length.strip()):
                self._left = int(length)
            else:
                self.will_close = True  # the body ends when the connection does
        self.complete = self._left == 0 and not self._chunked
        """True once the body was read to its end."""
        self._chunk_started = False

    async def read(self, size: int) -> bytes:
        """Up to *size* bytes of the body as they arrive; ``b""`` at its end (or when the server cut it off)."""
        if self.complete:
            return b""
        reader = self.connection.reader
        if not self._chunked:
            data = await reader.read(size if self._left is None else min(size, self._left))
            if self._left is not None:
                self._left -= len(data)
                self.complete = self._left == 0
            elif not data:
                self.complete = True  # read until close: the close is the end
            return data
        if not self._left:
            if self._chunk_started and await _readline(reader, "chunk end") not in (b"\r\n", b"\n"):
                return b""  # not the CRLF after a chunk's data: the body ended early
            line = await _readline(reader, "chunk size line")
            if not line:  # the server closed where a chunk should start: the body just ended early
                return b""
            size_text = line.split(b";", 1)[0].strip()
            if not _CHUNK_SIZE.fullmatch(size_text):
                raise ProtocolError(f"malformed chunk size line: {line[:100]!r}")
            self._left = int(size_text, 16)
            self._chunk_started = True
            if self._left == 0:
                trailers = 0
                while True:
                    line = await _readline(reader, "trailer line")
                    if line in (b"\r\n", b"\n", b""):
                        break
                    trailers += len(line)
                    if trailers > _MAX_HEAD_BYTES:
                        raise ProtocolError(f"trailers larger than {_MAX_HEAD_BYTES} bytes after the body")
                self.complete = True
                return b""
        data = await reader.read(min(size, self._left))
        self._left -= len(data)
        return data

    async def read_all(self, limit: int) -> bytes:
        """The body, read to its end or until *limit* bytes are read (as ``http.client``'s ``read(limit)``)."""
        parts: List[bytes] = []
        total = 0
        while total < limit:
            data = await self.read(min(65536, limit - total))
            if not data:
                break
            total += len(data)
            parts.append(data)
        return b"".join(parts)

    @property
    def reusable(self) -> bool:
        """True when the body was read to its end and the server keeps the connection open."""
        return self.complete and not self.will_close


async def connect(origin: Origin, ssl_context: ssl.SSLContext, timeout: Optional[float]) -> AsyncConnection:
    """Open a connection to *origin* (TLS for https, through its proxy when it has one)."""
    connection: AsyncConnection = await within(_connect(origin, ssl_context), timeout)
    return connection


async def _connect(origin: Origin, ssl_context: ssl.SSLContext) -> AsyncConnection:
    tls = ssl_context if origin.scheme == "https" else None
    if origin.proxy is None:
        reader, writer = await asyncio.open_connection(
            origin.host, origin.port, ssl=tls, server_hostname=origin.host if tls else None
        )
    elif tls is None:  # plain HTTP through the proxy: requests carry absolute URLs
        reader, writer = await asyncio.open_connection(origin.proxy[0], origin.proxy[1])
    else:
        sock = await _tunnel(origin)
        try:
            reader, writer = await asyncio.open_connection(sock=sock, ssl=tls, server_hostname=origin.host)
        except BaseException:
            sock.close()
            raise
    sock_ = writer.get_extra_info("socket")
    if sock_ is not None:  # the request goes out in one write; no Nagle wait on the small ones
        sock_.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return AsyncConnection(reader, writer, origin)


async def _tunnel(origin: Origin) -> socket.socket:
    """A socket with a CONNECT tunnel through *origin*'s proxy to the server (TLS is started on it after)."""
    assert origin.proxy is not None
    proxy_host, proxy_port, auth = origin.proxy
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(proxy_host, proxy_port, type=socket.SOCK_STREAM)
    error: Optional[OSError] = None
    for family, kind, proto, _, address in infos:
        sock = socket.socket(family, kind, proto)
        try:
            sock.setblocking(False)
            await loop.sock_connect(sock, address)
            target = f"{origin.host}:{origin.port}"
            request = f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n"
            if auth:
                request += f"Proxy-Authorization: {auth}\r\n"
            await loop.sock_sendall(sock, (request + "\r\n").encode("latin-1"))
            head = b""
            while b"\r\n\r\n" not in head:
                data = await loop.sock_recv(sock, 4096)
                if not data or len(head) > _MAX_HEAD_BYTES:
                    raise ProtocolError(f"the proxy {proxy_host}:{proxy_port} closed the tunnel request")
                head += data
            status = head.split(b"\r\n", 1)[0].decode("latin-1")
            if status.split(" ")[1:2] != ["200"]:
                raise ProtocolError(f"the proxy {proxy_host}:{proxy_port} refused the tunnel: {status[:100]!r}")
            return sock
        except OSError as exc:
            sock.close()
            error = exc
        except BaseException:
            sock.close()
            raise
    raise error or OSError(f"cannot resolve the proxy {proxy_host}")
