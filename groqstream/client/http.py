"""HTTP for the clients: response metadata, origins and proxies, and a kept-alive ``http.client`` pool.

What both clients share is here: ``Headers`` and ``Response`` (what a caller
sees of an HTTP response), ``Origin`` (where a request goes: scheme, host,
port, and the proxy from the environment), and the sync ``ConnectionPool``.
The asyncio side is in ``client/asyncio_http.py``. Nothing here parses SSE.

Reuse rules (the pool's whole contract): a connection goes back only after
its response was read to the end and the server did not say it will close;
an idle connection that the server closed (or that has unread bytes) is
dropped when taken out; a request that fails on a reused connection before
a response arrived is sent once more on a fresh one (the server closed an
idle connection just as it was reused: the usual keep-alive race).
"""

from __future__ import annotations

import base64
import http.client
import select
import ssl
import threading
import urllib.parse
import urllib.request
from typing import Dict, Iterable, Iterator, List, Mapping, NamedTuple, Optional, Tuple

from .adapters import read_within, socket_io, socket_timeout
from .sanitize import redact_url

__all__ = ["ConnectionPool", "Headers", "Origin", "Proxies", "Response"]

# How many idle connections a client keeps per origin (more are closed when released).
MAX_IDLE_PER_ORIGIN = 8


class Headers(Mapping[str, str]):
    """Response headers: names case-insensitive, repeated headers joined with ``", "`` (``get_list`` for each)."""

    def __init__(self, items: Iterable[Tuple[str, str]] = ()) -> None:
        self._items: List[Tuple[str, str]] = list(items)
        joined: Dict[str, str] = {}
        for name, value in self._items:
            key = name.lower()
            joined[key] = f"{joined[key]}, {value}" if key in joined else value
        self._joined = joined

    def __getitem__(self, name: str) -> str:
        return self._joined[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._joined

    def __iter__(self) -> Iterator[str]:
        return iter(self._joined)  # lower-case names

    def __len__(self) -> int:
        return len(self._joined)

    def get_list(self, name: str) -> List[str]:
        """Every value of header *name*, in order (``[]`` when absent)."""
        key = name.lower()
        return [value for item, value in self._items if item.lower() == key]

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"


class Response:
    """What came back for a request: status, headers, URL. On ``Stream.response``, ``ChatCompletion.response``
    and ``APIStatusError.response``."""

    __slots__ = ("headers", "http_version", "reason_phrase", "status_code", "url")

    def __init__(
        self, status_code: int, headers: Headers, url: str, *, reason_phrase: str = "", http_version: str = "HTTP/1.1"
    ) -> None:
        self.status_code = status_code
        """The HTTP status, e.g. ``200``."""
        self.headers = headers
        """The response headers (names case-insensitive)."""
        self.url = url
        """The URL the request went to."""
        self.reason_phrase = reason_phrase
        """The status line's text, e.g. ``"OK"``."""
        self.http_version = http_version
        """``"HTTP/1.1"`` (or ``"HTTP/1.0"``)."""

    @property
    def request_id(self) -> Optional[str]:
        """The ``x-request-id`` header (Groq's and OpenAI's request ID), or ``None``."""
        return self.headers.get("x-request-id")

    def __repr__(self) -> str:
        return f"<Response [{self.status_code} {self.reason_phrase}] {self.url}>"


class Origin(NamedTuple):
    """Where a connection goes: the server, and the proxy in between (``None``: direct)."""

    scheme: str  # "http" or "https"
    host: str
    port: int
    proxy: Optional[Tuple[str, int, Optional[str]]]  # (host, port, Proxy-Authorization value)

    def target(self, path_and_query: str) -> str:
        """The request target: the path, or the absolute URL when a plain-HTTP request goes through a proxy."""
        if self.proxy is not None and self.scheme == "http":
            return f"http://{self.netloc}{path_and_query}"
        return path_and_query

    @property
    def netloc(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


class Proxies:
    """The environment's proxies (``HTTPS_PROXY``, ``HTTP_PROXY``, ``NO_PROXY``), read once, as urllib does."""

    def __init__(self, environment: bool = True) -> None:
        self._proxies = urllib.request.getproxies() if environment else {}
        self._origins: Dict[Tuple[str, str, int], Origin] = {}
        self._lock = threading.Lock()

    def origin(self, url: str) -> Tuple[Origin, str]:
        """The origin of *url* and its path with query; ``ValueError`` for a URL that is not http(s)."""
        parts = urllib.parse.urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.hostname:
            shown = redact_url(url)
            raise ValueError(
                f"not an http:// or https:// URL: {shown!r} (a base_url is e.g. 'http://localhost:8000/v1')"
            )
        port = _port(parts, url) or (443 if scheme == "https" else 80)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        key = (scheme, parts.hostname, port)
        origin = self._origins.get(key)
        if origin is None:
            origin = Origin(scheme, parts.hostname, port, self._proxy(scheme, parts.hostname, port))
            with self._lock:
                self._origins[key] = origin
        return origin, path

    def _proxy(self, scheme: str, host: str, port: int) -> Optional[Tuple[str, int, Optional[str]]]:
        proxy = self._proxies.get(scheme)
        if not proxy or urllib.request.proxy_bypass(f"{host}:{port}") or urllib.request.proxy_bypass(host):
            return None
        parts = urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        if parts.scheme != "http" or not parts.hostname:
            shown = redact_url(proxy)
            raise ValueError(f"unsupported proxy {shown!r} for {scheme}:// (an http:// proxy is expected)")
        auth = None
        if parts.username is not None:
            credentials = f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}"
            auth = "Basic " + base64.b64encode(credentials.encode()).decode()
        return parts.hostname, _port(parts, proxy) or 80, auth


def _port(parts: urllib.parse.SplitResult, url: str) -> Optional[int]:
    """``parts.port``, whose ``ValueError`` would show the text after the colon: a password, when one holds a
    "#", "/" or "?" (``http://user:pa#ss@host`` reads as host ``user``, port ``pa``)."""
    try:
        return parts.port
    except ValueError:
        pass  # raised below, outside this block: its message must not be the new error's __context__
    shown = redact_url(url)
    raise ValueError(f"the port of {shown!r} is not a number from 0 to 65535 (percent-encode a password)")


class _HTTPResponse(http.client.HTTPResponse):
    """An ``http.client`` response whose status line and headers are read within the timeout in total.

    ``http.client`` reads the head line by line, and a socket timeout only
    bounds each ``recv``: a server sending a header a byte at a time would
    hold the request for ever (issue 24).
    """

    def begin(self) -> None:
        raw = socket_io(self)
        read_within(raw, socket_timeout(raw), super().begin)


def response_headers(response: http.client.HTTPResponse) -> Headers:
    return Headers(response.getheaders())


def _is_dropped(connection: http.client.HTTPConnection) -> bool:
    """True when an idle connection cannot carry a request: closed, or readable (EOF or stray bytes)."""
    sock = connection.sock
    if sock is None:
        return True
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):  # closed under us
        return True
    return bool(readable)


class ConnectionPool:
    """Idle ``http.client`` connections per origin, shared safely between threads."""

    def __init__(self, ssl_context: ssl.SSLContext) -> None:
        self._ssl_context = ssl_context
        self._idle: Dict[Origin, List[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()
        self.closed = False
        """Set by ``close()``: released connections are closed from then on."""

    def connection(
        self, origin: Origin, timeout: Optional[float], *, fresh: bool = False
    ) -> Tuple[http.client.HTTPConnection, bool]:
        """An idle connection to *origin*, else a new one (not yet connected); and whether it is reused."""
        if not fresh:
            while True:
                with self._lock:
                    idle = self._idle.get(origin)
                    connection = idle.pop() if idle else None
                if connection is None:
                    break
                if _is_dropped(connection):
                    connection.close()
                    continue
                connection.timeout = timeout
                if connection.sock is not None:
                    connection.sock.settimeout(timeout)
                return connection, True
        return self._new(origin, timeout), False

    def _new(self, origin: Origin, timeout: Optional[float]) -> http.client.HTTPConnection:
        connection = self._connection(origin, timeout)
        connection.response_class = _HTTPResponse
        return connection

    def _connection(self, origin: Origin, timeout: Optional[float]) -> http.client.HTTPConnection:
        connection: http.client.HTTPConnection
        if origin.proxy is None:
            if origin.scheme == "https":
                return http.client.HTTPSConnection(origin.host, origin.port, timeout=timeout, context=self._ssl_context)
            return http.client.HTTPConnection(origin.host, origin.port, timeout=timeout)
        proxy_host, proxy_port, auth = origin.proxy
        if origin.scheme == "https":  # a CONNECT tunnel through the proxy, TLS inside it
            connection = http.client.HTTPSConnection(proxy_host, proxy_port, timeout=timeout, context=self._ssl_context)
            connection.set_tunnel(origin.host, origin.port, headers={"Proxy-Authorization": auth} if auth else None)
        else:  # plain HTTP: the proxy gets the absolute URL (Origin.target)
            connection = http.client.HTTPConnection(proxy_host, proxy_port, timeout=timeout)
        return connection

    def release(self, origin: Origin, connection: http.client.HTTPConnection) -> None:
        """Keep a connection whose last response was read to its end, for the next request."""
        with self._lock:
            idle = self._idle.setdefault(origin, [])
            if not self.closed and connection.sock is not None and len(idle) < MAX_IDLE_PER_ORIGIN:
                idle.append(connection)
                return
        connection.close()

    def idle_count(self) -> int:
        """How many idle connections the pool holds (all origins)."""
        with self._lock:
            return sum(len(idle) for idle in self._idle.values())

    def close(self) -> None:
        """Close every idle connection; connections in use are closed when their response ends."""
        with self._lock:
            self.closed = True
            idle = [connection for connections in self._idle.values() for connection in connections]
            self._idle.clear()
        for connection in idle:
            connection.close()


def reusable(response: http.client.HTTPResponse) -> bool:
    """True when *response* was read to its end and the server keeps the connection open."""
    return response.isclosed() and not response.will_close
