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

Bounding the time of a read is the part that differs per source:

* async sources: every read is an ``await`` and is simply given the time
  left (``within``); any async source is drained, except a bare
  ``asyncio.StreamReader`` (a raw connection: nothing to reuse).
* sync sources: a blocked read can only be ended through its socket, so only
  sources whose socket can be found are drained: ``http.client`` responses
  (also under urllib, requests' urllib3 and groqstream's ``Client``), whose
  reads keep the socket's timeout, so it is set to the time left; and httpx
  responses, whose every read sets the socket's timeout to the request's own
  read timeout, so a timer shuts the socket down when time is up. Other sync
  iterables (an httpx ``iter_bytes()`` passed on its own, say) are closed
  without draining: nothing could stop a read that never returns.
"""

from __future__ import annotations

import contextlib
import sys
import time

TYPE_CHECKING = False  # as typing's, without importing typing at run time: see docs/architecture.md
if TYPE_CHECKING:
    import socket
    from typing import Any, AsyncIterator, Callable, Iterator, Optional, Tuple

__all__ = ["DEFAULT_DRAIN_BYTES", "DEFAULT_DRAIN_SECONDS", "adrain", "check_limits", "drain"]

# Normally only the chunked body's last five bytes are left, already arrived or
# about to: these bounds cost nothing then, and little when a server sends more
# after [DONE] or holds the body open.
DEFAULT_DRAIN_BYTES = 64 * 1024
DEFAULT_DRAIN_SECONDS = 0.05


def check_limits(drain_bytes: int, drain_seconds: float) -> None:
    """Raise ``ValueError`` for a negative bound (0 is allowed: ``drain_seconds=0`` turns draining off)."""
    if drain_bytes < 0:
        raise ValueError(f"drain_bytes must be >= 0, got {drain_bytes!r}")
    if not drain_seconds >= 0:  # NaN too
        raise ValueError(f"drain_seconds must be >= 0, got {drain_seconds!r}")


def _socket_of(source: Any) -> Optional[Tuple[socket.socket, bool]]:
    """The socket under an HTTP/1.1 response *source*, and whether its reads keep the socket's timeout.

    Followed through ``raw`` and ``_fp`` links: a requests ``Response`` holds a
    urllib3 response, which holds an ``http.client`` one; groqstream's
    ``Client`` body holds an ``http.client`` one as ``raw``.
    """
    http_client = sys.modules.get("http.client")  # not imported here: a response of that type implies it
    for _ in range(3):
        if http_client is not None and isinstance(source, http_client.HTTPResponse):
            sock = getattr(getattr(source.fp, "raw", None), "_sock", None)  # a socket's makefile() → SocketIO
            return None if sock is None else (sock, True)
        extensions = getattr(source, "extensions", None)  # an httpx response
        if isinstance(extensions, dict) and "network_stream" in extensions:
            if not str(getattr(source, "http_version", "")).startswith("HTTP/1"):
                return None  # HTTP/2 multiplexes streams on one socket: nothing to drain, and never to shut down
            sock = extensions["network_stream"].get_extra_info("socket")
            return None if sock is None else (sock, False)
        inner = getattr(source, "raw", None)
        source = inner if inner is not None else getattr(source, "_fp", None)
        if source is None:
            return None
    return None


def _shut_down_after(sock: socket.socket, seconds: float) -> Callable[[], None]:
    """Shut *sock* down in *seconds* (ending a read blocked on it) unless the returned function is called first."""
    import socket
    import threading

    lock = threading.Lock()
    disarmed = False

    def expire() -> None:
        with lock:
            if not disarmed:
                with contextlib.suppress(OSError):  # the library closed it meanwhile
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the plain socket's: under TLS too

    def disarm() -> None:
        nonlocal disarmed
        with lock:  # after this, expire() does nothing, even if its timer is already running
            disarmed = True
        timer.cancel()

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    return disarm


def drain(source: Any, reads: Iterator[Any], drain_bytes: int, drain_seconds: float) -> bool:
    """Read on from *reads* (the reads of *source*, an HTTP response) until they end, within the bounds.

    True when the body's end was reached. Nothing is raised: the stream
    already ended well. When the bounds run out or the body breaks, the
    library finds its body unfinished and drops the connection; a source
    whose reads cannot be bounded is not read at all (see the module docstring).
    """
    found = _socket_of(source) if drain_seconds > 0 else None
    if found is None:
        return False
    sock, keeps_timeout = found
    deadline = time.monotonic() + drain_seconds
    timeout = sock.gettimeout()
    disarm = None if keeps_timeout else _shut_down_after(sock, drain_seconds)
    total = 0
    try:
        while total <= drain_bytes:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            if keeps_timeout:
                sock.settimeout(left)
            total += len(next(reads))
    except StopIteration:  # the body's end: the connection can carry the next request
        return True
    except Exception:  # a timeout, the socket shut down, a broken body: the library drops that connection
        pass
    finally:
        if disarm is not None:
            disarm()
        else:
            with contextlib.suppress(OSError):  # closed by the library after a timeout
                sock.settimeout(timeout)  # the connection's own timeout, for its next request
    return False


async def adrain(source: Any, reads: AsyncIterator[Any], drain_bytes: int, drain_seconds: float) -> bool:
    """Async ``drain``: read on from *reads* until they end, each read given the time left; True at the end."""
    import asyncio

    from ._timeout import within

    if drain_seconds <= 0 or isinstance(source, asyncio.StreamReader):
        return False
    loop = asyncio.get_running_loop()
    deadline = loop.time() + drain_seconds
    total = 0
    try:
        while total <= drain_bytes:
            left = deadline - loop.time()
            if left <= 0:
                break
            total += len(await within(reads.__anext__(), left))
    except StopAsyncIteration:
        return True
    except Exception:  # a timeout (the read was cancelled) or a broken body: the library drops the connection
        pass
    return False
