"""``serve`` left running in a test suite: bounded, answering every bad request, and honest in its log (#24, #25).

Each test talks to the real server with raw ``socket`` clients (or groqstream's
own), on 127.0.0.1; every read has a timeout, so nothing here can hang.
"""

from __future__ import annotations

import io
import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

import groqstream as gs
from tests.servers import eventually

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "groqstream" / "sample.sse"
MESSAGES = [{"role": "user", "content": "hi"}]
READ = 5.0  # the longest any raw read here waits for the server


def address(server: gs.tools.CaptureServer) -> Tuple[str, int]:
    host, port = server.url[len("http://") :].rsplit(":", 1)
    return host.strip("[]"), int(port)


def connect(server: gs.tools.CaptureServer, timeout: float = READ) -> socket.socket:
    return socket.create_connection(address(server), timeout=timeout)


class Reply:
    """An HTTP response read off a raw socket: status, headers (lower-case names), body."""

    def __init__(self, status: int, headers: Dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def json(self) -> Any:
        return json.loads(self.body)


def read_reply(sock: socket.socket) -> Reply:
    """One response with a Content-Length body (what serve's errors are)."""
    data = b""
    while b"\r\n\r\n" not in data:
        piece = sock.recv(65536)
        if not piece:
            raise AssertionError(f"the server closed the connection without an answer: {data!r}")
        data += piece
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        piece = sock.recv(65536)
        if not piece:
            break
        body += piece
    return Reply(int(lines[0].split()[1]), headers, body)


def exchange(server: gs.tools.CaptureServer, request: bytes) -> Reply:
    with connect(server) as sock:
        sock.sendall(request)
        return read_reply(sock)


def post(body: bytes, *headers: str, path: str = "/v1/chat/completions") -> bytes:
    head = "".join(f"{h}\r\n" for h in headers)
    return f"POST {path} HTTP/1.1\r\nHost: x\r\n{head}\r\n".encode() + body


def json_post(payload: Dict[str, Any], *headers: str) -> bytes:
    data = json.dumps(payload).encode()
    return post(data, f"Content-Length: {len(data)}", *headers)


def closed_by_server(sock: socket.socket) -> bool:
    """Whether the server closed its side (EOF, or a reset), within READ seconds."""
    try:
        while sock.recv(65536):
            pass
    except ConnectionError:
        pass
    return True


# --- bodies: bounded, and every malformed request answered in JSON ------------------------------------


def test_a_body_over_the_cap_gets_413_at_once_without_being_read() -> None:
    with gs.tools.serve([SAMPLE], loop=True, max_body_bytes=1000) as server:
        with connect(server) as sock:
            # 100 MB announced, none sent: today's server would wait to read them all.
            sock.sendall(post(b"", "Content-Length: 100000000"))
            reply = read_reply(sock)
            assert reply.status == 413 and reply.headers["connection"] == "close"
            assert "at most 1000 (max_body_bytes, --max-body)" in reply.json()["error"]["message"]
            assert closed_by_server(sock)
        assert exchange(server, json_post({"stream": False, "pad": "x" * 900})).status == 200  # under the cap
        assert exchange(server, json_post({"stream": False, "pad": "x" * 1000})).status == 413


def test_a_client_that_expects_100_continue_hears_the_413_before_sending() -> None:
    with gs.tools.serve([SAMPLE], loop=True, max_body_bytes=1000) as server:
        with connect(server) as sock:
            sock.sendall(post(b"", "Content-Length: 5000", "Expect: 100-continue"))
            reply = read_reply(sock)
        assert eventually(lambda: server.requests == 1)
    assert reply.status == 413 and server.served[-1].status == 413


def test_four_large_bodies_at_once_do_not_grow_the_server() -> None:
    # What used to cost 820 MB of RSS: each body is refused from its header, so nothing of it is kept (the
    # bytes the client still sends are never read). Counted, not timed: every answer is a 413.
    with gs.tools.serve([SAMPLE], loop=True) as server:
        replies: List[int] = []

        def send() -> None:
            with connect(server) as sock:
                sock.sendall(post(b"", f"Content-Length: {100 * 1024 * 1024}"))
                replies.append(read_reply(sock).status)

        threads = [threading.Thread(target=send) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(READ * 2)
        assert replies == [413] * 4


@pytest.mark.parametrize(
    ("length", "status"),
    [("abc", 400), ("1e3", 400), ("-1", 400), ("+5", 400), ("5, 6", 400), (str(10**15), 413), (str(10**23), 413)],
)
def test_a_malformed_content_length_is_a_json_4xx(length: str, status: int, capfd: pytest.CaptureFixture[str]) -> None:
    log = io.StringIO()
    with gs.tools.serve([SAMPLE], loop=True, log=log) as server:
        with connect(server) as sock:
            sock.sendall(post(b"{}", f"Content-Length: {length}"))
            reply = read_reply(sock)
            assert reply.status == status and "error" in reply.json(), reply.body
            assert closed_by_server(sock)  # the body was not read: the connection cannot go on
        assert eventually(lambda: server.requests == 1)
    assert server.served[-1].status == status
    assert "Traceback" not in capfd.readouterr().err


def test_two_different_content_lengths_are_refused() -> None:
    with gs.tools.serve([SAMPLE], loop=True) as server:
        reply = exchange(server, post(b"{}", "Content-Length: 2", "Content-Length: 0"))
    assert reply.status == 400 and "is not one number of bytes" in reply.json()["error"]["message"]


def test_a_chunked_request_body_is_refused_with_411() -> None:
    with gs.tools.serve([SAMPLE], loop=True) as server:
        reply = exchange(server, post(b"2\r\n{}\r\n0\r\n\r\n", "Transfer-Encoding: chunked"))
    assert reply.status == 411 and reply.headers["connection"] == "close"


@pytest.mark.parametrize(
    ("body", "headers", "message"),
    [
        (b"[" * 100_000, (), "the request body is not JSON"),  # a RecursionError in json
        (b"\xff\xfe{}", (), "the request body is not JSON"),
        (b"[1]", (), "not a JSON object"),
        (b"{}", ("X-Groqstream-Fault: after=1,stall=inf",), "is not a number of seconds"),
        (b"{}", ("X-Groqstream-Fault: after=1,stall=1e300",), "is not a number of seconds"),
        (b"{}", ("X-Groqstream-Fault: status=429,retry-after=nan",), "is not a number of seconds"),
        (b"{}", ("X-Groqstream-Fault: after=" + "9" * 5000,), "after="),
    ],
)
def test_a_bad_body_or_fault_is_a_json_400_before_any_stream(
    body: bytes, headers: Tuple[str, ...], message: str, capfd: pytest.CaptureFixture[str]
) -> None:
    with gs.tools.serve([SAMPLE], loop=True) as server:
        reply = exchange(server, post(body, f"Content-Length: {len(body)}", *headers))
    assert reply.status == 400, reply.body
    assert message in reply.json()["error"]["message"]
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize(
    ("request_line", "status"),
    [
        (b"GARBAGE\r\n\r\n", 400),
        (b"GET / HTTP/1.1 extra\r\n\r\n", 400),
        (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", 414),
        (b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 120 + b"\r\n", 431),
        (b"DELETE /v1/models HTTP/1.1\r\nHost: x\r\n\r\n", 405),
        (b"GET / HTTP/9.9\r\n\r\n", 505),
    ],
)
def test_what_http_server_cannot_parse_is_answered_in_the_apis_json_shape(request_line: bytes, status: int) -> None:
    with gs.tools.serve([SAMPLE], loop=True) as server:
        reply = exchange(server, request_line)
    assert reply.status == status and reply.headers["content-type"] == "application/json"
    error = reply.json()["error"]
    assert error["type"] == "invalid_request_error" and error["message"]


def test_an_unexpected_failure_is_a_json_500_and_one_log_line(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    from groqstream.tools import server as _serve

    def broken(self: Any, name: Optional[str], body: Dict[str, Any]) -> Any:
        raise TypeError("a bug")

    monkeypatch.setattr(_serve._Chooser, "choose", broken)
    log = io.StringIO()
    with gs.tools.serve([SAMPLE], loop=True, log=log) as server:
        reply = exchange(server, json_post({"stream": True}))
        assert eventually(lambda: server.requests == 1)
    assert reply.status == 500 and "TypeError" in reply.json()["error"]["message"]
    assert "error=internal error: TypeError" in log.getvalue()
    assert "Traceback" not in capfd.readouterr().err


# --- the log ----------------------------------------------------------------------------------


def test_control_characters_from_the_network_are_escaped_in_the_log() -> None:
    log = io.StringIO()
    with gs.tools.serve([SAMPLE], loop=True, log=log) as server:
        exchange(server, b"GET /\x1b[2J\x1b]0;owned\x07\x9b31m HTTP/1.1\r\nHost: x\r\n\r\n")
        exchange(server, b"P\x1bST / HTTP/1.1\r\nHost: x\r\n\r\n")
        exchange(server, b"GET /v1/models?api-key=secret HTTP/1.1\r\nHost: x\r\n\r\n")
        assert eventually(lambda: server.requests == 3)
    text = log.getvalue()
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", text), repr(text)
    assert "GET /\\x1b[2J\\x1b]0;owned\\x07\\x9b31m 404" in text
    assert "P\\x1bST" in text
    assert "secret" not in text and "GET /v1/models?… 200" in text


# --- connections: backlog, cap, idle timeout, descriptors ---------------------------------------------


def test_a_hundred_pending_connections_wait_in_the_backlog() -> None:
    # Not started: nothing accepts, so every connection must fit in the kernel's queue (5 used to fit; the
    # sixth and later were dropped or reset). Then all of them are served.
    server = gs.tools.CaptureServer([SAMPLE], loop=True, delay=False)
    socks: List[socket.socket] = []
    try:
        for _ in range(100):
            socks.append(connect(server, timeout=2.0))
        server.start()
        for sock in socks:
            sock.sendall(b"GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n")
        assert [read_reply(sock).status for sock in socks] == [200] * 100
    finally:
        for sock in socks:
            sock.close()
        server.close()


def test_past_max_connections_a_new_connection_gets_a_503_and_a_slot_frees_when_one_closes() -> None:
    with gs.tools.serve([SAMPLE], loop=True, max_connections=3) as server:
        held = [connect(server) for _ in range(3)]
        for sock in held:  # each served once and kept alive: three open connections
            sock.sendall(b"GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n")
            assert read_reply(sock).status == 200
        with connect(server) as extra:
            extra.sendall(b"GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n")
            reply = read_reply(extra)
        assert reply.status == 503 and reply.headers["retry-after"] == "1"
        assert "max_connections" in reply.json()["error"]["message"] and server.refused == 1
        held.pop().close()
        assert eventually(lambda: server._httpd._open == 2)
        assert exchange(server, b"GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n").status == 200
        for sock in held:
            sock.close()


def test_past_max_connections_a_client_writing_its_request_in_two_sends_reads_the_503_not_a_reset() -> None:
    # http.client (so groqstream's Client) sends the head and the body in two writes. The refusal used to close
    # with the head unread, so the kernel answered with a reset and the body's write failed: 26 of 30 Client
    # calls saw "connection reset", not the 503. Now what has arrived is read first, and the close is a FIN.
    body = json.dumps({"model": "m", "messages": MESSAGES, "stream": True}).encode()
    head = post(b"", f"Content-Length: {len(body)}")
    with gs.tools.serve([SAMPLE], loop=True, max_connections=1) as server:
        with connect(server) as held:
            held.sendall(b"GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n")
            assert read_reply(held).status == 200
            outcomes: List[str] = []
            for _ in range(30):
                with connect(server) as sock:
                    try:
                        sock.sendall(head)
                        time.sleep(0.005)  # the server refuses in between, as it does for http.client
                        sock.sendall(body)
                        outcomes.append(str(read_reply(sock).status))
                    except OSError as exc:
                        outcomes.append(type(exc).__name__)
        assert eventually(lambda: server.refused == 30)
    assert outcomes == ["503"] * 30


def test_a_refused_client_that_stays_silent_is_answered_at_once_and_closed_after_the_linger(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from groqstream.tools import server as server_module

    monkeypatch.setattr(server_module, "LINGER_SECONDS", 0.2)  # 1 s by default
    with gs.tools.serve([SAMPLE], loop=True, max_connections=1) as server:
        with connect(server) as held:
            held.sendall(b"GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n")
            assert read_reply(held).status == 200
            silent = [connect(server) for _ in range(5)]  # connected, nothing sent, never closed by the client
            try:
                replies = [read_reply(sock).status for sock in silent]  # the 503 comes without the request
                assert all(closed_by_server(sock) for sock in silent)  # and the end of it (a FIN)
                # Held, reading what the clients might still send; then closed.
                assert eventually(lambda: server._httpd.lingerer._held == 5)
                assert eventually(lambda: server._httpd.lingerer._held == 0, timeout=READ)
            finally:
                for sock in silent:
                    sock.close()
        # The accept loop was not held up by them: a slot freed is served at once.
        assert eventually(lambda: server._httpd._open == 0)
        assert exchange(server, b"GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n").status == 200
    assert replies == [503] * 5


def trickle(sock: socket.socket, first: bytes, byte: bytes, every: float = 0.05, limit: float = READ) -> Reply:
    """Send *first*, then *byte* every *every* seconds until the server answers (or *limit* s pass); the answer."""
    sock.sendall(first)
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        readable, _, _ = select.select([sock], [], [], every)
        if readable:
            break
        try:
            sock.send(byte)
        except OSError:  # the server answered and closed: read what it said
            break
    return read_reply(sock)


@pytest.mark.parametrize("where", ["head", "body"])
def test_a_request_trickled_in_past_request_timeout_gets_408_and_is_closed(where: str) -> None:
    # A byte every 50 ms never trips the 5 s idle timeout (which is per read): only a deadline for the whole
    # request ends it. With 256 such connections a trickler used to hold every slot for as long as it liked.
    if where == "head":
        first, byte = b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nX-Slow: ", b"a"
    else:
        first, byte = post(b"{", "Content-Length: 100000"), b" "
    log = io.StringIO()
    with gs.tools.serve([SAMPLE], loop=True, idle_timeout=5.0, request_timeout=0.3, log=log) as server:
        with connect(server) as sock:
            started = time.monotonic()
            reply = trickle(sock, first, byte)
            elapsed = time.monotonic() - started
            assert closed_by_server(sock)
        assert eventually(lambda: server.requests == 1)
    assert reply.status == 408 and reply.headers["connection"] == "close"
    error = reply.json()["error"]
    assert error["code"] == "request_timeout" and "request_timeout, --request-timeout" in error["message"]
    assert 0.25 < elapsed < 3.0  # the 0.3 s deadline, not the 5 s limit of the trickle
    entry = server.served[-1]
    assert (entry.method, entry.path, entry.status) == ("POST", "/v1/chat/completions", 408)
    assert "POST /v1/chat/completions 408" in log.getvalue()


def test_request_timeout_starts_with_a_requests_first_byte_not_while_a_connection_is_idle() -> None:
    with gs.tools.serve([SAMPLE], loop=True, idle_timeout=5.0, request_timeout=0.2) as server:
        with connect(server) as sock:
            sock.sendall(b"GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n")
            assert read_reply(sock).status == 200
            time.sleep(0.3)  # idle between requests longer than request_timeout: the connection stays open
            # The next request takes a while to arrive, less than the deadline: served.
            sock.sendall(b"GET /v1/models HTTP/1.1\r\n")
            time.sleep(0.02)
            sock.sendall(b"Host: x\r\n\r\n")
            assert read_reply(sock).status == 200


def test_an_idle_connection_is_closed_and_its_thread_freed() -> None:
    with gs.tools.serve([SAMPLE], loop=True, idle_timeout=0.2) as server:
        with connect(server) as sock:
            sock.sendall(b"GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n")
            assert read_reply(sock).status == 200
            started = time.monotonic()
            assert closed_by_server(sock)
            assert time.monotonic() - started < READ - 1  # closed by the server, not by our read timeout
        assert eventually(lambda: server._httpd._open == 0)
        # groqstream's client replaces a pooled connection the server closed while idle.
        client = gs.client.Client(base_url=server.url + "/v1", api_key="k", max_retries=0)
        client.chat_stream(model="m", messages=MESSAGES).text()
        time.sleep(0.4)
        assert client.chat_stream(model="m", messages=MESSAGES).text()
        client.close()


_EMFILE_CHILD = """
import os, resource, sys
resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
import groqstream as gs
server = gs.tools.serve([sys.argv[1]], loop=True, delay=False, idle_timeout=30)
print(server.url, flush=True)
for _ in range(2):  # CPU seconds used so far, each time the parent asks
    sys.stdin.readline()
    times = os.times()
    print(times.user + times.system, flush=True)
sys.stdin.readline()  # serve on until the parent is done
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_NOFILE and EMFILE as Linux has them")
def test_at_the_descriptor_limit_serve_backs_off_instead_of_spinning_and_serves_again_once_freed() -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", _EMFILE_CHILD, str(SAMPLE)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert child.stdin is not None and child.stdout is not None
    socks: List[socket.socket] = []
    try:
        url = child.stdout.readline().strip()
        host, port = url[len("http://") :].rsplit(":", 1)
        for _ in range(90):  # more than the child's 64 descriptors: it runs out, the rest wait in the backlog
            try:
                socks.append(socket.create_connection((host, int(port)), timeout=1.0))
            except OSError:
                break
        time.sleep(0.2)
        child.stdin.write("\n")
        child.stdin.flush()
        before = float(child.stdout.readline())
        time.sleep(1.0)  # a second out of descriptors: spinning would burn all of it
        child.stdin.write("\n")
        child.stdin.flush()
        spent = float(child.stdout.readline()) - before
        assert len(socks) >= 70 and spent < 0.3, (len(socks), spent)
        for sock in socks[:40]:  # free some descriptors: the server takes its backlog and serves again
            sock.close()
        client = gs.client.Client(base_url=url + "/v1", api_key="k", max_retries=0, timeout=READ)
        assert client.chat_stream(model="m", messages=MESSAGES).text()
        client.close()
    finally:
        for sock in socks:
            sock.close()
        child.kill()
        child.communicate(timeout=10)


# --- what is recorded ---------------------------------------------------------------------------


def test_served_keeps_the_newest_entries_and_counts_all() -> None:
    with gs.tools.serve([SAMPLE], loop=True, keep_served=5) as server:
        for i in range(12):
            exchange(server, f"GET /n{i} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        assert eventually(lambda: server.requests == 12)
    assert [entry.path for entry in server.served] == [f"/n{i}" for i in range(7, 12)]


def test_served_keeps_the_path_with_secret_query_values_masked() -> None:
    # The log line already hid the query; ServedRequest.path kept it, so a client's ?api-key= sat in
    # server.served (and in whatever a test printed of it). Masked with the clients' rule (redact_url).
    with gs.tools.serve([SAMPLE], loop=True) as server:
        exchange(server, b"GET /v1/models?api-key=s3cret&limit=2 HTTP/1.1\r\nHost: x\r\n\r\n")
        exchange(server, json_post({"stream": False}).replace(b"completions ", b"completions?access_token=s3cret "))
        exchange(server, b"GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n")
        assert eventually(lambda: server.requests == 3)
    # Sorted: each handler thread records its request after answering, so two may record in either order.
    assert sorted(entry.path for entry in server.served) == [
        "/v1/chat/completions?access_token=***",
        "/v1/models",
        "/v1/models?api-key=***&limit=2",
    ]
    assert "s3cret" not in repr(list(server.served))


def test_a_client_leaving_mid_stream_is_logged_with_what_it_was_sent() -> None:
    log = io.StringIO()
    with gs.tools.serve([SAMPLE], loop=True, rate=40.0, log=log) as server:
        with connect(server) as sock:
            sock.sendall(json_post({"stream": True}))
            data = b""
            while data.count(b"data: ") < 3:
                piece = sock.recv(65536)
                assert piece, data
                data += piece
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # a reset
        assert eventually(lambda: server.requests == 1)
    entry = server.served[-1]
    assert entry.status == 200 and entry.error == "client gone"
    assert 3 <= entry.events < 41 and entry.bytes >= len(data.split(b"\r\n\r\n", 1)[1]) // 2, entry
    assert f"events={entry.events} bytes={entry.bytes}" in log.getvalue()


def test_a_dropped_connection_is_logged_with_what_it_was_sent() -> None:
    with gs.tools.serve([SAMPLE], loop=True, fault="after=3,drop") as server:
        with connect(server) as sock:
            sock.sendall(json_post({"stream": True}))
            assert closed_by_server(sock)
        assert eventually(lambda: server.requests == 1)
    blocks = server.captures[0].blocks
    half = len(blocks[3].data) // 2
    assert server.served[-1].events == 3
    assert server.served[-1].bytes == sum(len(b.data) for b in blocks[:3]) + half


# --- addresses -------------------------------------------------------------------------------------


def _has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _has_ipv6_loopback(), reason="no IPv6 loopback (::1) on this machine")
def test_serve_listens_on_ipv6_loopback() -> None:
    log = io.StringIO()
    with gs.tools.serve([SAMPLE], loop=True, host="::1", log=log) as server:
        assert server.url.startswith("http://[::1]:") and server.loopback
        client = gs.client.Client(base_url=server.url + "/v1", api_key="k", max_retries=0)
        assert client.chat_stream(model="m", messages=MESSAGES).text() == gs.Stream(SAMPLE.read_bytes()).text()
        client.close()
    assert "warning" not in log.getvalue()


def test_all_interfaces_gets_a_one_line_warning_and_loopback_none() -> None:
    log = io.StringIO()
    exposed = gs.tools.CaptureServer([SAMPLE], host="0.0.0.0", log=log)  # bound, never started, closed at once
    exposed.close()
    lines = log.getvalue().splitlines()
    assert len(lines) == 1 and "reachable from other machines" in lines[0] and not exposed.loopback
    quiet = io.StringIO()
    gs.tools.CaptureServer([SAMPLE], log=quiet).close()
    assert quiet.getvalue() == ""


def test_get_root_names_the_path_in_its_404() -> None:
    with gs.tools.serve([SAMPLE]) as server:
        reply = exchange(server, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert reply.status == 404
    assert reply.json()["error"]["message"].startswith("no route for GET / (try POST /v1/chat/completions")


# --- faults: the first N requests only, and the real API's error types -------------------------------


@pytest.mark.parametrize(
    ("status", "kind", "code"),
    [
        (400, "invalid_request_error", "fault"),
        (401, "invalid_request_error", "invalid_api_key"),
        (404, "invalid_request_error", "fault"),
        (429, "requests", "rate_limit_exceeded"),
        (500, "internal_server_error", "fault"),
        (503, "internal_server_error", "fault"),
    ],
)
def test_status_faults_use_the_error_type_the_real_api_uses(status: int, kind: str, code: str) -> None:
    with gs.tools.serve([SAMPLE], loop=True) as server:
        reply = exchange(server, json_post({"stream": True}, f"X-Groqstream-Fault: status={status}"))
    assert reply.status == status
    assert reply.json()["error"] == {"message": f"fault asked for: status {status}", "type": kind, "code": code}


def test_times_limits_a_flag_fault_to_the_first_requests() -> None:
    with gs.tools.serve([SAMPLE], loop=True, fault="status=503,times=2") as server:
        statuses = [exchange(server, json_post({"stream": False})).status for _ in range(4)]
        assert eventually(lambda: server.requests == 4)
    assert statuses == [503, 503, 200, 200]
    assert [entry.fault for entry in server.served] == ["status=503,times=2"] * 2 + [""] * 2


def test_fault_counts_are_kept_for_the_most_recently_used_spellings_only(monkeypatch: pytest.MonkeyPatch) -> None:
    # One count per spelling of X-Groqstream-Fault with times=N: a client sending a new spelling per request
    # used to grow the table without end. It is an LRU of 1,000 spellings (4 here, to keep the test short).
    from groqstream.tools import server as server_module

    assert server_module.FAULT_SPELLINGS_KEPT == 1000
    monkeypatch.setattr(server_module, "FAULT_SPELLINGS_KEPT", 4)

    def status(server: gs.tools.CaptureServer, spelling: str) -> int:
        return exchange(server, json_post({"stream": False}, f"X-Groqstream-Fault: {spelling}")).status

    with gs.tools.serve([SAMPLE], loop=True) as server:
        first = "status=429,times=1"
        assert [status(server, first), status(server, first)] == [429, 200]  # counted: used up
        assert [status(server, f"status=500,after={n},times=1") for n in range(1, 4)] == [500] * 3
        assert status(server, first) == 200  # still among the 4 most recent: still used up
        assert [status(server, f"status=500,after={n},times=1") for n in range(4, 40)] == [500] * 36
        assert len(server._fault_uses) == 4
        assert status(server, first) == 429  # forgotten: it applies again, as to a new spelling


def test_our_client_retrying_a_429_once_then_succeeds() -> None:
    headers = {"X-Groqstream-Fault": "status=429,retry-after=0,times=1"}
    with gs.tools.serve([SAMPLE], loop=True) as server:
        client = gs.client.Client(base_url=server.url + "/v1", api_key="k", max_retries=1)
        text = client.chat_stream(model="m", messages=MESSAGES, extra_headers=headers).text()
        client.close()
        assert eventually(lambda: server.requests == 2)
    assert text == gs.Stream(SAMPLE.read_bytes()).text()
    assert [entry.status for entry in server.served] == [429, 200]


@pytest.mark.parametrize("sdk", ["groq", "openai"])
def test_an_sdk_retrying_a_429_once_then_succeeds(sdk: str) -> None:
    module = pytest.importorskip(sdk, reason=f"the {sdk} SDK is not installed (optional: CI installs it)")
    headers = {"X-Groqstream-Fault": "status=429,retry-after=0.1,times=1"}
    with gs.tools.serve([SAMPLE], loop=True) as server:
        if sdk == "groq":
            client = module.Groq(api_key="k", base_url=server.url, max_retries=1)
        else:
            client = module.OpenAI(api_key="k", base_url=server.url + "/v1", max_retries=1)
        chunks = client.chat.completions.create(model="m", messages=MESSAGES, stream=True, extra_headers=headers)
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        assert eventually(lambda: server.requests == 2)
    assert text == gs.Stream(SAMPLE.read_bytes()).text()
    assert [entry.status for entry in server.served] == [429, 200]


# --- the command ----------------------------------------------------------------------------


def start_cli(*args: str) -> Tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "groqstream", "serve", "--port", "0", *args],
        cwd=ROOT, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stderr is not None
    lines = []
    for line in process.stderr:
        lines.append(line)
        match = re.search(r"listening on (http://\S+)", line)
        if match:
            return process, match.group(1)
    raise AssertionError("".join(lines))


@pytest.mark.skipif(not hasattr(signal, "SIGTERM") or os.name != "posix", reason="SIGTERM as POSIX sends it")
def test_sigterm_stops_the_command_as_ctrl_c_does() -> None:
    process, url = start_cli(str(SAMPLE), "--loop")
    try:
        client = gs.client.Client(base_url=url + "/v1", api_key="k", max_retries=0)
        assert client.chat_stream(model="m", messages=MESSAGES).text()
        client.close()
    finally:
        process.send_signal(signal.SIGTERM)
        _, rest = process.communicate(timeout=20)
    assert process.returncode == 0 and "serve: stopped" in rest


def test_a_busy_port_is_named_with_the_way_out() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "groqstream", "serve", "--port", str(port), str(SAMPLE)],
            cwd=ROOT, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert result.returncode == 2
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr and "--port 0" in result.stderr


def test_the_commands_limits_are_options_and_help_needs_no_source_tree(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        gs_main(["serve", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--max-body" in text and "--max-connections" in text and "--idle-timeout" in text
    assert "--request-timeout" in text
    assert "python -m pydoc groqstream.CaptureServer" in text and "not in the wheel" in text
    with pytest.raises(SystemExit) as exited:
        gs_main(["serve", "--max-body", "lots", str(SAMPLE)])
    assert exited.value.code == 2


def gs_main(argv: List[str]) -> int:
    from groqstream.tools.cli import main

    return main(argv)
