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
import time
from typing import Any, Callable, Deque, Dict, Iterator, List, Optional, Tuple

WAIT = 10.0  # the longest any helper waits for the other side


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Each write goes out at once, as production servers send (nginx's tcp_nodelay): with Nagle,
    # a small write waits for the client's delayed ACK of the previous one (40 ms on Linux).
    disable_nagle_algorithm = True
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
        if not self.server.keep_alive:
            self.close_connection = True

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.idle_timeout)  # keep-alive: close a connection idle this long
        with self.server.lock:
            self.server.accepts += 1

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

    def __init__(
        self, scenario: Callable[[Handler], None], *, keep_alive: bool = False, idle_timeout: Optional[float] = None
    ) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.scenario = scenario
        self.keep_alive = keep_alive
        """Keep connections open after a response (HTTP/1.1 keep-alive); by default each is closed."""
        self.idle_timeout = idle_timeout
        """With keep_alive: close a connection that stays idle this many seconds."""
        self.accepts = 0
        """How many connections the server accepted."""
        self.lock = threading.Lock()
        self.requests: List[Dict[str, Any]] = []
        # shutdown() waits for the serving loop to look at its flag, once per poll_interval: at 0.05 s that was
        # ~40 ms at the end of every test with a server (6.8 s over 156 servers); at 5 ms it is 4 ms.
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.005}, daemon=True)

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


class TunnelProxy:
    """An HTTP proxy on 127.0.0.1 for ``CONNECT`` tunnels, optionally adding *delay* seconds to each direction.

    With a delay, every piece of data is forwarded *delay* seconds after it
    arrived (a delay line, not a rate limit), so a round trip through the proxy
    costs ``2 * delay`` more, as a far-away server would. ``tunnels`` counts
    the CONNECT requests; ``targets`` lists where they went.
    """

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.tunnels = 0
        self.targets: List[str] = []
        self.authorizations: List[Optional[str]] = []  # each CONNECT's Proxy-Authorization
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._listener.settimeout(0.01)  # how often the accepting loop looks at _stop: the wait of __exit__
        self._stop = threading.Event()
        self._threads: List[threading.Thread] = []
        self._sockets: List[socket.socket] = []
        self._lock = threading.Lock()
        self._accepter = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self._spawn(self._tunnel, client)

    def _spawn(self, target: Callable[..., None], *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _tunnel(self, client: socket.socket) -> None:
        with self._lock:
            self._sockets.append(client)
        client.settimeout(WAIT)
        head = b""
        while b"\r\n\r\n" not in head:
            data = client.recv(4096)
            if not data:
                client.close()
                return
            head += data
        request_line = head.split(b"\r\n", 1)[0].decode()
        method, target, _ = request_line.split(" ", 2)
        if method != "CONNECT":
            client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            client.close()
            return
        host, port = target.rsplit(":", 1)
        auth = [
            line.split(":", 1)[1].strip()
            for line in head.decode().split("\r\n")
            if line.lower().startswith("proxy-authorization:")
        ]
        with self._lock:
            self.tunnels += 1
            self.targets.append(target)
            self.authorizations.append(auth[0] if auth else None)
        upstream = socket.create_connection((host, int(port)), timeout=WAIT)
        upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            self._sockets.append(upstream)
        time.sleep(self.delay * 2)  # the CONNECT round trip
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        client.settimeout(None)
        upstream.settimeout(None)
        self._spawn(self._pipe, upstream, client)
        self._pipe(client, upstream)

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        """Forward bytes from *source* to *sink*, each piece *delay* seconds after it arrived."""
        import collections

        queue: Deque[Tuple[float, bytes]] = collections.deque()
        ready = threading.Condition()

        def send() -> None:
            while True:
                with ready:
                    while not queue:
                        ready.wait()
                    due, data = queue.popleft()
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                if not data:
                    with contextlib.suppress(OSError):
                        sink.shutdown(socket.SHUT_WR)
                    return
                try:
                    sink.sendall(data)
                except OSError:
                    return

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                data = b""
            with ready:
                queue.append((time.monotonic() + self.delay, data))
                ready.notify()
            if not data:
                break
        sender.join(WAIT + self.delay)

    def __enter__(self) -> TunnelProxy:
        self._accepter.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._accepter.join(WAIT)
        self._listener.close()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.close()


def eventually(predicate: Callable[[], object], timeout: float = WAIT) -> bool:
    """Wait until *predicate()* is true (a server thread's report, say); False after *timeout*."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True
