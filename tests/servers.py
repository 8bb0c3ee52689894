"""Real servers on 127.0.0.1 for transport tests: http.server (chunked) in a thread, and a raw TCP server.

A test gives a *scenario*: a function called with the request handler, which
writes whatever the test needs (status, headers, chunked body pieces, pauses,
a reset). Every server binds port 0 on 127.0.0.1 and is shut down by its
context manager; every wait in here has a timeout, so nothing can hang.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import socket
import socketserver
import struct
import threading
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

WAIT = 10.0  # the longest any helper waits for the other side


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: SSEServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep test output quiet
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        self.server.requests.append(
            {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
        )
        # The client may go away mid-response: several tests do that on purpose.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.server.scenario(self)
        self.close_connection = True

    do_GET = do_POST

    # --- writing helpers for scenarios ---------------------------------------------

    def start_sse(self, status: int = 200, content_type: str = "text/event-stream", **headers: str) -> None:
        """Send the status line and headers of a chunked response."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.flush()

    def chunk(self, data: bytes) -> None:
        """Send one HTTP chunk and flush it onto the wire."""
        if data:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

    def end(self) -> None:
        """Send the terminating zero-length chunk."""
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def send_body(self, data: bytes, *, pieces: int = 7) -> None:
        """Send a whole SSE body as a chunked response, cut into pieces."""
        self.start_sse()
        size = max(1, len(data) // pieces)
        for i in range(0, len(data), size):
            self.chunk(data[i : i + size])
        self.end()

    def send_json(self, status: int, payload: Any, **headers: str) -> None:
        """Send a complete JSON response (an API error, say)."""
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def reset(self) -> None:
        """Abort the connection with a TCP reset (SO_LINGER 0, then close)."""
        self.wfile.flush()
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()

    def wait_for_client_close(self, timeout: float = WAIT) -> bool:
        """True once the client closed its end (recv returns b"" or fails) within *timeout*."""
        self.connection.settimeout(timeout)
        try:
            while True:
                if not self.connection.recv(4096):
                    return True
        except socket.timeout:
            return False
        except OSError:
            return True


class SSEServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    """``with SSEServer(scenario) as server: ... server.url ...``"""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, scenario: Callable[[Handler], None]) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.scenario = scenario
        self.requests: List[Dict[str, Any]] = []
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        """The base URL, e.g. http://127.0.0.1:PORT/openai/v1."""
        return f"http://127.0.0.1:{self.server_address[1]}/openai/v1"

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def __enter__(self) -> SSEServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join(WAIT)


class RawServer:
    """A TCP server on 127.0.0.1 that runs ``scenario(conn)`` for one connection (no HTTP)."""

    def __init__(self, scenario: Callable[[socket.socket], None]) -> None:
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(1)
        self._listener.settimeout(WAIT)
        self.address: Tuple[str, int] = self._listener.getsockname()
        self._scenario = scenario
        self.error: Optional[BaseException] = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            conn, _ = self._listener.accept()
            with conn:
                self._scenario(conn)
        except BaseException as exc:  # reported by the test, never lost in the thread
            self.error = exc

    def __enter__(self) -> RawServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._thread.join(WAIT)
        self._listener.close()


def free_port() -> int:
    """A port on 127.0.0.1 with nothing listening (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def open_fds() -> Iterator[int]:
    """This process's open file descriptors (Linux /proc)."""
    import os

    return iter(sorted(int(fd) for fd in os.listdir("/proc/self/fd")))
