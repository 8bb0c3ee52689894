"""Reading what is left of an HTTP body after the stream's end, so its connection can carry the next request.

A stream ends at ``data: [DONE]``, but the HTTP body does not: the chunked
body's terminator (``0\\r\\n\\r\\n``) usually arrives just after it, often in
a read of its own. A client library returns a connection to its pool only
once the body was read to its end; closed earlier, the connection is dropped
(httpx, requests, aiohttp, our clients) or, on a bare ``http.client``
connection, the terminator is taken for the next response's status line
(``BadStatusLine: 0``). So ``Stream``/``AsyncStream`` read on after the end,
bounded: at most ``drain_bytes`` bytes and ``drain_seconds`` seconds, after
which the body is closed as an early ``break`` closes it (and the library
drops that connection). An early ``break`` or an error never drains.

Both bounds hold in total, however the peer slices what it sends: a server
that trickles a chunk-size line or trailer lines a byte every 10 ms makes one
read of the library call ``recv`` many times, and a timeout that each
``recv`` restarts bounds nothing (issue 24). So the bounds are applied where
the bytes arrive, below the library:

* async sources: every read is an ``await`` and is simply given the time
  left (``within``); any async source is drained, except a bare
  ``asyncio.StreamReader`` (a raw connection: nothing to reuse).
* sync sources: a blocked read can only be ended through its socket, so only
  sources whose socket can be found are drained. ``http.client`` responses
  (also under urllib, requests' urllib3 and groqstream's ``Client``) read
  through a ``socket.SocketIO``; while draining, its socket is replaced by a
  stand-in (``_Bounded``) whose every ``recv`` gets only the time and bytes
  left, and fails as a timeout once either is used up: no thread, and the
  bytes the library reads for itself (chunk-size lines, trailers) count too.
  httpx responses set the socket's timeout on every read through objects of
  their own, so a timer shuts the socket down when time is up (their bytes
  are bounded by h11, which refuses trailers over 16 KiB). Other sync
  iterables (an httpx ``iter_bytes()`` passed on its own, say) are closed
  without draining: nothing could stop a read that never returns.

A drain that used up a bound leaves the connection unusable (the
``SocketIO`` marked as timed out, or the socket shut down) and returns
False, so ``read_to_end`` is False and no pool takes the connection back.

Every attribute of another library that this module reads (each checked
against the installed library, real responses on loopback, by
tests/test_adapters.py, which says what changed when one moves; update this
list and the code together):

=====================  =========================================  =========================================
library                attribute                                   what it is, and why
=====================  =========================================  =========================================
http.client            ``HTTPResponse.fp``                         the response's buffered reader (public
                                                                   attribute, undocumented); None once closed
io (http.client)       ``fp.raw``                                  the ``socket.SocketIO`` under it (public io API)
socket (http.client)   ``SocketIO._sock``  (private)              the socket every ``recv_into`` goes to; swapped
                                                                   for ``_Bounded`` while a read is bounded.
                                                                   ``SocketIO.close()`` sets it to None
urllib3 (requests)     ``HTTPResponse._fp``  (private)            the ``http.client`` response under it
requests               ``Response.raw``                            the urllib3 response (documented)
httpx                  ``Response.extensions["network_stream"]``  httpcore's stream (documented extension),
                       ``.get_extra_info("socket")``               and its socket: shut down at the deadline
httpx                  ``Response.http_version``                   "HTTP/1.1" or "HTTP/2": only HTTP/1 is drained
=====================  =========================================  =========================================

Outside this module, one more private attribute is read by the clients:
``asyncio.StreamReader._buffer`` (``asyncio_http.AsyncConnection.is_dropped``:
an idle connection with stray bytes is not reused); the same test checks it.
"""

from __future__ import annotations

import contextlib
import sys
import time

TYPE_CHECKING = False  # as typing's, without importing typing at run time: see docs/architecture.md
if TYPE_CHECKING:
    import socket
    from typing import Any, Callable, Iterator, Optional, Tuple, TypeVar

    _T = TypeVar("_T")

__all__ = ["drain", "read_within", "socket_io", "socket_timeout"]


def _socket_of(source: Any) -> Optional[Tuple[Any, bool]]:
    """How to bound the reads of an HTTP/1.1 response *source*: its ``SocketIO`` (True), or its socket (False).

    Followed through ``raw`` and ``_fp`` links: a requests ``Response`` holds a
    urllib3 response, which holds an ``http.client`` one; groqstream's
    ``Client`` body holds an ``http.client`` one as ``raw``.
    """
    http_client = sys.modules.get("http.client")  # not imported here: a response of that type implies it
    for _ in range(3):
        if http_client is not None and isinstance(source, http_client.HTTPResponse):
            raw = socket_io(source)
            return None if raw is None else (raw, True)
        extensions = getattr(source, "extensions", None)  # an httpx response
        if isinstance(extensions, dict) and "network_stream" in extensions:
            if not str(getattr(source, "http_version", "")).startswith("HTTP/1"):
                return None  # HTTP/2 multiplexes streams on one socket: nothing to drain, and never to shut down
            sock = extensions["network_stream"].get_extra_info("socket")
            return None if sock is None else (sock, False)
        inner = getattr(source, "raw", None)  # requests' Response.raw: a urllib3 response
        source = inner if inner is not None else getattr(source, "_fp", None)  # urllib3's: an http.client one
        if source is None:
            return None
    return None


class _Bounded:
    """Stands in for the socket of a ``SocketIO`` while it is drained: each ``recv`` gets the time and bytes left.

    ``SocketIO.readinto`` is the only caller of ``recv_into`` under an
    ``http.client`` response, so every byte the library reads (body, chunk
    framing, trailers) passes here. Past a bound it raises ``socket.timeout``,
    which ``SocketIO`` remembers: the connection can read nothing more.
    """

    __slots__ = ("_budget", "_deadline", "_sock", "timeout")

    def __init__(self, sock: socket.socket, deadline: float, budget: int) -> None:
        self._sock = sock
        self._deadline = deadline
        self._budget = budget
        self.timeout = sock.gettimeout()
        """The socket's timeout now (set only when it would let a recv run past the deadline)."""

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        import socket

        left = self._deadline - time.monotonic()
        if left <= 0 or self._budget <= 0:
            raise socket.timeout("timed out")
        if self.timeout is None or self.timeout > left + _SLACK:
            # One recv waits at most the time left (under TLS too: _ssl keeps a deadline for one read). Set
            # only when needed: settimeout costs system calls, and most reads are one recv that ends at once.
            self._sock.settimeout(left)
            self.timeout = left
        size = min(nbytes or len(buffer), self._budget)
        received = self._sock.recv_into(buffer, size, flags)
        self._budget -= received
        return received

    def __getattr__(self, name: str) -> Any:  # fileno(), _decref_socketios()...: the socket's own
        return getattr(self._sock, name)


def socket_io(response: Any) -> Any:
    """The ``socket.SocketIO`` an ``http.client`` response reads through (``fp.raw``), or ``None``.

    ``None`` once the response was closed (``fp`` is None), or when it reads from something else.
    """
    raw = getattr(getattr(response, "fp", None), "raw", None)  # a socket's makefile(): a BufferedReader on SocketIO
    return raw if getattr(raw, "_sock", None) is not None else None


def socket_timeout(raw: Any) -> Optional[float]:
    """The timeout of the socket under the ``SocketIO`` *raw* (``None``: none, or no socket)."""
    sock = getattr(raw, "_sock", None)
    return None if sock is None else sock.gettimeout()


class _BoundedReads:
    """While in its ``with`` block, the ``SocketIO`` *raw* reads through ``_Bounded``: each recv gets what is left.

    On leaving, the real socket goes back only if the ``SocketIO`` still holds the stand-in: ``http.client``
    closes it at the body's end (``SocketIO.close()`` sets ``_sock`` to None), and a closed one must stay
    closed. The socket's own timeout is put back when ``_Bounded`` changed it, for the connection's next read.
    """

    __slots__ = ("_bounded", "_raw", "_sock", "_timeout")

    def __init__(self, raw: Any, deadline: float, budget: int) -> None:
        self._raw = raw
        self._sock = raw._sock
        self._bounded = _Bounded(self._sock, deadline, budget)
        self._timeout = self._bounded.timeout

    def __enter__(self) -> None:
        self._raw._sock = self._bounded

    def __exit__(self, *exc: object) -> None:
        if self._raw._sock is self._bounded:
            self._raw._sock = self._sock
        if self._bounded.timeout != self._timeout:
            with contextlib.suppress(OSError):  # closed meanwhile
                self._sock.settimeout(self._timeout)


def read_within(raw: Any, seconds: Optional[float], read: Callable[..., _T], *args: Any) -> _T:
    """``read(*args)``, a read of an ``http.client`` response over the ``SocketIO`` *raw*, within *seconds* in all.

    The clients' read timeout: a socket timeout alone bounds each ``recv``,
    and one read of a response head or of a body may ``recv`` many times (a
    server sending a byte every few seconds keeps it going for ever). Each
    ``recv`` is given the time left instead; past it, ``socket.timeout``.
    ``None`` (no timeout), or a *raw* that is not a ``SocketIO`` (see
    ``socket_io``): the read as it is.
    """
    if seconds is None or getattr(raw, "_sock", None) is None:
        return read(*args)
    with _BoundedReads(raw, time.monotonic() + seconds, sys.maxsize):
        return read(*args)


# How far past its deadline a recv may end (a socket timeout this close to the time left is kept as it is).
_SLACK = 0.001


def _shut_down_after(sock: socket.socket, seconds: float) -> Callable[[], bool]:
    """Shut *sock* down in *seconds* (ending a read blocked on it) unless the returned function is called first.

    The returned function disarms the timer and says whether it had fired.
    """
    import socket
    import threading

    lock = threading.Lock()
    disarmed = False
    fired = False

    def expire() -> None:
        nonlocal fired
        with lock:
            if not disarmed:
                fired = True
                with contextlib.suppress(OSError):  # the library closed it meanwhile
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the plain socket's: under TLS too

    def disarm() -> bool:
        nonlocal disarmed
        with lock:  # after this, expire() does nothing, even if its timer is already running
            disarmed = True
        timer.cancel()
        return fired

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    return disarm


def drain(source: Any, reads: Iterator[Any], drain_bytes: int, drain_seconds: float) -> bool:
    """Read on from *reads* (the reads of *source*, an HTTP response) until they end, within the bounds.

    True when the body's end was reached within them. Nothing is raised: the
    stream already ended well. When a bound is used up or the body breaks, the
    library finds its body unfinished and drops the connection; a source
    whose reads cannot be bounded is not read at all (see the module docstring).
    """
    found = _socket_of(source) if drain_seconds > 0 else None
    if found is None:
        return False
    deadline = time.monotonic() + drain_seconds
    holder, is_socket_io = found
    if is_socket_io:
        with _BoundedReads(holder, deadline, drain_bytes):
            return _read_on(reads, drain_bytes, deadline)
    disarm = _shut_down_after(holder, drain_seconds)
    try:
        reached_end = _read_on(reads, drain_bytes, deadline)
    finally:
        fired = disarm()
    return reached_end and not fired  # a shut-down socket's end of file is no end of the body


def _read_on(reads: Iterator[Any], drain_bytes: int, deadline: float) -> bool:
    """Read from *reads* until they end (True), or past *drain_bytes*, *deadline* or an error (False)."""
    total = 0
    try:
        while total <= drain_bytes and time.monotonic() < deadline:
            total += len(next(reads))
    except StopIteration:  # the body's end: the connection can carry the next request
        return True
    except Exception:  # a bound reached, the socket shut down, a broken body: the library drops that connection
        pass
    return False
