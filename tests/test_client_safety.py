"""What the clients send and show, under attack: no injected header or request, no secret in any message.

Every case runs against both clients (``sync``: ``Client``, ``async``: ``AsyncClient``) and a raw ``socket``
server on 127.0.0.1 that records exactly the bytes it received, so "nothing was sent" and "one request, no
extra header" are read off the wire, not inferred from the client.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest

import groqstream as gs
from tests.servers import SSEServer, free_port

MESSAGES = [{"role": "user", "content": "Hi"}]
SHORT = 2.0  # the client's timeout in these tests: a failing case ends quickly instead of hanging
SMUGGLED = "v s3cr3t\r\nContent-Length: 0\r\n\r\nGET /SMUGGLED HTTP/1.1\r\nX: y"
OK_STREAM = (
    b'data: {"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[]}\n\ndata: [DONE]\n\n'
)
OK_RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n"
    b"Content-Length: %d\r\n\r\n%s" % (len(OK_STREAM), OK_STREAM)
)


def make(kind: str, **options: Any) -> Any:
    options.setdefault("max_retries", 0)
    options.setdefault("timeout", SHORT)
    return (gs.client.Client if kind == "sync" else gs.client.AsyncClient)(**options)


def call(kind: str, client: Any, **options: Any) -> str:
    """One streaming request through *client*, read to its end; the streamed text."""
    if kind == "sync":
        with client.chat_stream(model="m", messages=MESSAGES, **options) as stream:
            return str(stream.text())

    async def main() -> str:
        try:
            stream = await client.chat_stream(model="m", messages=MESSAGES, **options)
            async with stream:
                text: str = await stream.text()
            return text
        finally:
            await client.aclose()  # in its loop: an idle connection left to the finalizer would warn

    return asyncio.run(asyncio.wait_for(main(), SHORT * 3))


def chain(error: BaseException) -> Iterator[BaseException]:
    """*error* and every exception behind it (``__cause__`` and ``__context__``), each once."""
    seen: List[int] = []
    todo: List[Optional[BaseException]] = [error]
    while todo:
        exc = todo.pop()
        if exc is None or id(exc) in seen:
            continue
        seen.append(id(exc))
        yield exc
        todo += [exc.__cause__, exc.__context__]


def texts_of(error: BaseException) -> List[str]:
    return [text for exc in chain(error) for text in (str(exc), repr(exc), repr(exc.args))]


class Listener:
    """A socket listening on 127.0.0.1 that nobody serves: ``received()`` reads what was sent to it, if anything.

    A client that connected and wrote would find its connection accepted by the kernel (the backlog) and its
    bytes buffered, so reading them afterwards, without blocking, proves whether anything went out.
    """

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/v1"

    def received(self) -> bytes:
        self.sock.setblocking(False)
        data = b""
        while True:
            try:
                conn, _ = self.sock.accept()
            except BlockingIOError:
                return data
            with conn:
                conn.settimeout(0.2)
                try:
                    while True:
                        piece = conn.recv(65536)
                        if not piece:
                            break
                        data += piece
                except OSError:
                    pass

    def close(self) -> None:
        self.sock.close()


class ScriptedServer:
    """A raw HTTP server on 127.0.0.1: each connection's request is recorded byte for byte, then *reply* sent.

    After replying it reads on until the client closes, so bytes smuggled after the first request are
    recorded too. ``accepts`` counts connections (a retried request makes a second one).
    """

    def __init__(self, reply: bytes) -> None:
        self.reply = reply
        self.received: List[bytes] = []
        self.accepts = 0
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(8)
        self._sock.settimeout(0.005)  # how often the accepting loop looks at _stop: the wait of __exit__
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            self.accepts += 1
            with conn:
                conn.settimeout(SHORT)
                data = b""
                try:
                    while b"\r\n\r\n" not in data:
                        piece = conn.recv(65536)
                        if not piece:
                            break
                        data += piece
                    length = int(data.lower().split(b"content-length:")[1].split(b"\r\n")[0])
                    while len(data.split(b"\r\n\r\n", 1)[1]) < length:
                        data += conn.recv(65536)
                    if self.reply:  # then the end of the response: a body without a length ends here
                        conn.sendall(self.reply)
                        conn.shutdown(socket.SHUT_WR)
                    while True:  # anything after the request (a smuggled one) until the client closes
                        piece = conn.recv(65536)
                        if not piece:
                            break
                        data += piece
                except (OSError, IndexError, ValueError):
                    pass
                self.received.append(data)

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(SHORT * 2)
        self._sock.close()


KINDS = ["sync", "async"]

# --- header injection ----------------------------------------------------------------------------

# Each case: the client's options, the per-request options, and the secret part that must never be shown.
INJECTIONS: Dict[str, Callable[[str], Any]] = {
    "api_key with CRLF": lambda url: ({"api_key": "KEY s3cr3t\r\nX-Injected: 1"}, {}),
    "api_key with a bare LF": lambda url: ({"api_key": "KEY s3cr3t\nX-Injected: 1"}, {}),
    "default_headers value": lambda url: ({"default_headers": {"X-User": SMUGGLED}}, {}),
    "extra_headers value": lambda url: ({}, {"extra_headers": {"X-User": SMUGGLED}}),
    "extra_headers value with a bare CR": lambda url: ({}, {"extra_headers": {"X-User": "v s3cr3t\rX-Injected: 1"}}),
    "extra_headers value with NUL": lambda url: ({}, {"extra_headers": {"X-User": "v s3cr3t\x00"}}),
    "extra_headers folded value": lambda url: ({}, {"extra_headers": {"X-User": "v s3cr3t\r\n X-Injected: 1"}}),
    "extra_headers Authorization": lambda url: ({}, {"extra_headers": {"Authorization": "Bearer s3cr3t\r\nX: 1"}}),
    "header name with CRLF": lambda url: ({}, {"extra_headers": {"X-Injected: 1\r\nX-A": "v"}}),
    "header name with a colon": lambda url: ({"default_headers": {"X-Injected:1": "v"}}, {}),
    "header name with a space": lambda url: ({}, {"extra_headers": {"X Injected": "v"}}),
    "empty header name": lambda url: ({}, {"extra_headers": {"": "v"}}),
    "base_url with CRLF": lambda url: ({"base_url": url + "\r\nX-Injected: s3cr3t"}, {}),
    "base_url with a space": lambda url: ({"base_url": url + " HTTP/1.1\r\nX-Injected: s3cr3t"}, {}),
    "Content-Length set by hand": lambda url: ({}, {"extra_headers": {"Content-Length": "0"}}),
    "Transfer-Encoding set by hand": lambda url: ({"default_headers": {"Transfer-Encoding": "chunked"}}, {}),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", list(INJECTIONS))
def test_an_injected_header_or_request_is_refused_before_a_byte_is_sent(kind: str, case: str) -> None:
    listener = Listener()
    try:
        options, per_request = INJECTIONS[case](listener.url)
        options.setdefault("api_key", "k")
        with pytest.raises(ValueError) as info:
            call(kind, make(kind, base_url=options.pop("base_url", listener.url), **options), **per_request)
        sent = listener.received()
    finally:
        listener.close()
    assert sent == b""
    assert not isinstance(info.value, gs.GroqStreamError)  # a bad argument, not a failure of the server
    assert all("s3cr3t" not in text for text in texts_of(info.value)), texts_of(info.value)


@pytest.mark.parametrize("kind", KINDS)
def test_a_refused_header_is_named_and_the_rule_stated(kind: str) -> None:
    with pytest.raises(ValueError, match=r"extra_headers.*'X-User'.*line feed.*position 8") as info:
        call(
            kind,
            make(kind, base_url=f"http://127.0.0.1:{free_port()}/v1"),
            extra_headers={"X-User": SMUGGLED[:8] + "\n"},
        )
    assert "not shown" in str(info.value)
    with pytest.raises(ValueError, match=r"header name has a space at position 1 .*token"):
        make(kind, default_headers={"X Bad": "v"})


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("end", ["\n", "\r\n", " "])
def test_a_key_read_from_a_file_with_its_newline_is_refused_by_name_and_never_shown(
    kind: str, end: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ValueError, match=r"^api_key ends with") as info:
        make(kind, api_key="gsk_s3cr3t_key" + end)
    assert "strip()" in str(info.value) and all("s3cr3t" not in text for text in texts_of(info.value))
    monkeypatch.setenv("GROQ_API_KEY", "gsk_s3cr3t_key" + end)  # a .env file with CRLF line ends, say
    with pytest.raises(ValueError, match=r"^api_key \(from GROQ_API_KEY\) ends with") as info:
        make(kind)
    assert all("s3cr3t" not in text for text in texts_of(info.value))
    client = make(kind, api_key="ok")
    with pytest.raises(ValueError, match=r"^api_key ends with"):  # the setter checks too
        client.api_key = "gsk_s3cr3t_key" + end
    assert client.api_key == "ok"


@pytest.mark.parametrize("kind", KINDS)
def test_line_breaks_in_query_keys_and_values_are_percent_encoded_into_one_request(kind: str) -> None:
    with ScriptedServer(OK_RESPONSE) as server:
        client = make(
            kind, api_key="k", base_url=server.url, default_query={"q\r\nX-Injected: 1": "v\r\nX-Injected: 2"}
        )
        call(kind, client, extra_query={"e": "\r\n\r\nGET /SMUGGLED HTTP/1.1\r\n"})
    [received] = server.received
    assert received.count(b"HTTP/1.1\r\n") == 1 and b"SMUGGLED HTTP" not in received
    head = received.split(b"\r\n\r\n", 1)[0].lower()
    assert b"x-injected" not in head.split(b"\r\n", 1)[1]
    request_line = head.split(b"\r\n", 1)[0]
    assert b"%0d%0ax-injected%3a+1=v%0d%0ax-injected%3a+2" in request_line


@pytest.mark.parametrize("kind", KINDS)
def test_a_host_or_accept_encoding_given_by_the_caller_replaces_the_default_once(kind: str) -> None:
    with ScriptedServer(OK_RESPONSE) as server:
        client = make(
            kind,
            api_key="k",
            base_url=server.url,
            default_headers={"host": "api.example", "Accept-Encoding": "identity"},
        )
        call(kind, client)
    head = server.received[0].split(b"\r\n\r\n", 1)[0].lower()
    assert head.count(b"\r\nhost:") == 1 and b"\r\nhost: api.example" in head
    assert head.count(b"\r\naccept-encoding:") == 1 and head.count(b"\r\ncontent-length:") == 1


# --- lines over 64 KiB from a hostile server (AsyncClient: a bare ValueError before) ------------------

LONG = b"x" * (70 * 1024)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "reply",
    [b"HTTP/1.1 200 " + LONG + b"\r\n\r\n", b"HTTP/1.1 200 OK\r\nX-Long: " + LONG + b"\r\n\r\n"],
    ids=["status line", "header line"],
)
def test_a_status_or_header_line_over_64_kib_is_a_connection_error_and_is_retried(kind: str, reply: bytes) -> None:
    with ScriptedServer(reply) as server:
        client = make(kind, api_key="k", base_url=server.url, max_retries=1)
        if kind == "sync":
            client._sleep = lambda delay: None
        else:

            async def no_sleep(delay: float) -> None:
                pass

            client._sleep = no_sleep
        with pytest.raises(gs.APIConnectionError) as info:
            call(kind, client)
    assert server.accepts == 2  # retried once, like any broken connection
    assert not isinstance(info.value, gs.APITimeoutError)
    assert "line" in str(info.value) or "header" in str(info.value)


@pytest.mark.parametrize("kind", KINDS)
def test_a_chunk_size_line_over_64_kib_is_a_connection_error_naming_it(kind: str) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
    first = OK_STREAM.split(b"\n\n")[0] + b"\n\n"
    reply = head + b"%x\r\n%s\r\n" % (len(first), first) + b"1" + LONG + b"\r\n"
    with ScriptedServer(reply) as server:
        with pytest.raises(gs.APIConnectionError, match="chunk size") as info:
            call(kind, make(kind, api_key="k", base_url=server.url))
    assert info.value.chunks_received == 1 and not isinstance(info.value, gs.APITimeoutError)


@pytest.mark.parametrize("size", [b"-1", b"+5", b"1_0", b"\xb2", b""])
def test_a_chunk_size_that_is_not_hex_digits_is_a_connection_error(size: bytes) -> None:
    # AsyncClient's own reader (http.client, under Client, takes "+5" and "1_0" as int() does, and ends the
    # body at "-1" or "\xb2": a groqstream error either way, not tested here).
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
    with ScriptedServer(head + size + b"\r\n" + b"data: x\n\n" * 10) as server:
        with pytest.raises(gs.APIConnectionError, match="chunk size"):
            call("async", make("async", api_key="k", base_url=server.url))


@pytest.mark.parametrize("kind", KINDS)
def test_a_content_length_that_is_not_ascii_digits_means_the_body_ends_at_the_close(kind: str) -> None:
    reply = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: \xb2\r\n\r\n" + OK_STREAM
    with ScriptedServer(reply) as server:
        assert call(kind, make(kind, api_key="k", base_url=server.url)) == ""  # as http.client reads it


# --- secrets in the URL -------------------------------------------------------------------------------

SECRETS = ["alice", "hunter2pw", "s3cr3tA", "s3cr3tB", "s3cr3tC", "s3cr3tD"]
SECRET_QUERY = {
    "api-key": "s3cr3tA",
    "key": "s3cr3tB",
    "token": "s3cr3tC",
    "access_token": "s3cr3tD",
    "api-version": "2024-06",
}


def assert_no_secret(texts: List[str]) -> None:
    leaked = [(secret, text) for text in texts for secret in SECRETS if secret in text]
    assert not leaked, leaked


@pytest.mark.parametrize("kind", KINDS)
def test_url_credentials_and_secret_query_values_are_in_no_connection_error_or_repr(kind: str) -> None:
    url = f"http://alice:hunter2pw@127.0.0.1:{free_port()}/v1"
    client = make(kind, api_key="k", base_url=url, default_query=SECRET_QUERY)
    with pytest.raises(gs.APIConnectionError, match="connection refused") as info:
        call(kind, client)
    assert_no_secret([*texts_of(info.value), repr(client)])
    message = str(info.value)
    assert "127.0.0.1" in message and "api-version=2024-06" in message and "api-key=***" in message
    assert "http://***@127.0.0.1" in message and "http://***@127.0.0.1" in repr(client)
    assert client.base_url == url  # the attribute keeps what was given; only what is shown is masked


@pytest.mark.parametrize("kind", KINDS)
def test_secrets_in_the_url_are_in_no_status_error_response_or_timeout(kind: str) -> None:
    def scenario(handler: Any) -> None:
        handler.send_json(401, {"error": {"message": "Invalid API Key"}})

    with SSEServer(scenario) as server:
        base = server.url.replace("http://", "http://alice:hunter2pw@")
        client = make(kind, api_key="k", base_url=base, default_query=SECRET_QUERY)
        with pytest.raises(gs.client.AuthenticationError) as info:
            call(kind, client)
    assert info.value.response is not None
    assert_no_secret([*texts_of(info.value), repr(info.value.response), info.value.response.url])

    with ScriptedServer(b"") as silent:  # reads the request, answers nothing
        base = silent.url.replace("http://", "http://alice:hunter2pw@")
        client = make(kind, api_key="k", base_url=base, default_query=SECRET_QUERY, timeout=0.1)
        with pytest.raises(gs.APITimeoutError) as timeout:
            call(kind, client)
    assert_no_secret(texts_of(timeout.value))


def test_a_base_url_that_is_not_http_is_refused_without_its_credentials() -> None:
    for kind in KINDS:
        with pytest.raises(ValueError, match="not an http:// or https:// URL") as info:
            make(kind, base_url="ftp://alice:hunter2pw@example.com/v1?key=s3cr3tB")
        assert_no_secret(texts_of(info.value))


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://api.groq.com/openai/v1/chat/completions", "https://api.groq.com/openai/v1/chat/completions"),
        ("http://tok3n@[::1]:8000/v1", "http://***@[::1]:8000/v1"),
        ("http://a:b@c@host/v1?x=1", "http://***@host/v1?x=1"),
        (
            "https://h/v1?api-version=2024&api%2Dkey=s3cr3t&Sig=a%3D%3D&AUTH_TOKEN=s3cr3t&flag",
            "https://h/v1?api-version=2024&api%2Dkey=***&Sig=***&AUTH_TOKEN=***&flag",
        ),
        ("http://[::1/v1", "<a URL that does not parse>"),
    ],
)
def test_redact_url_masks_credentials_and_secret_query_values_and_nothing_else(url: str, shown: str) -> None:
    from groqstream.client.sanitize import redact_url

    assert redact_url(url) == shown


@pytest.mark.parametrize("kind", KINDS)
def test_a_header_value_that_is_not_a_string_is_a_type_error_naming_it(kind: str) -> None:
    with pytest.raises(TypeError, match=r"default_headers: the value of header 'X-Count' must be a str, got int"):
        make(kind, default_headers={"X-Count": 3})


# --- bodies read in total within the timeout (review of #24: sync chat() and error bodies were not) --------


class TrickleServer(ScriptedServer):
    """``ScriptedServer`` answering every request with *head*, then *body* one byte every 50 ms.

    A read timeout that each byte restarts never fires against it; one that holds in total does. The thread
    stops at the context's exit (within one tick), whatever the client did.
    """

    TICK = 0.05

    def __init__(self, head: bytes, body: bytes) -> None:
        super().__init__(head)
        self.body = body

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            with conn:
                try:
                    conn.settimeout(SHORT)
                    data = b""
                    while b"\r\n\r\n" not in data:
                        data += conn.recv(65536)
                    conn.sendall(self.reply)
                    for byte in self.body:
                        if self._stop.wait(self.TICK):
                            break
                        conn.sendall(bytes([byte]))
                except OSError:
                    pass


TRICKLED = b'{"error": {"message": "slow"}}'.ljust(80)  # 80 bytes: 4 s at one byte per 50 ms


def trickle_head(status: str, content_type: str, framing: str) -> bytes:
    length = f"Content-Length: {len(TRICKLED)}" if framing == "length" else "Transfer-Encoding: chunked"
    head = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n{length}\r\n\r\n".encode()
    return head


def trickle_body(framing: str) -> bytes:
    # Chunked: one chunk per byte, so even the chunk framing arrives a byte at a time.
    return TRICKLED if framing == "length" else b"".join(b"1\r\n%c\r\n" % byte for byte in TRICKLED) + b"0\r\n\r\n"


def run_chat(kind: str, client: Any, method: str) -> Any:
    if kind == "sync":
        with client:  # closes a kept-alive connection: the server's thread need not wait for it
            if method == "chat":
                return client.chat(model="m", messages=MESSAGES)
            return call(kind, client)

    async def main() -> Any:
        try:
            if method == "chat":
                return await client.chat(model="m", messages=MESSAGES)
            stream = await client.chat_stream(model="m", messages=MESSAGES)
            async with stream:
                return await stream.text()
        finally:
            await client.aclose()

    return asyncio.run(asyncio.wait_for(main(), SHORT * 5))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("framing", ["length", "chunked"])
@pytest.mark.parametrize(
    ("method", "status", "content_type", "error"),
    [
        ("chat", "200 OK", "application/json", "APITimeoutError"),
        ("chat", "500 Internal Server Error", "application/json", "InternalServerError"),
        ("chat_stream", "500 Internal Server Error", "application/json", "InternalServerError"),
        ("chat_stream", "200 OK", "application/json", "UnexpectedContentTypeError"),
    ],
    ids=["chat body", "chat error body", "chat_stream error body", "chat_stream unexpected body"],
)
def test_a_trickled_body_is_read_within_the_timeout_in_total(
    kind: str, framing: str, method: str, status: str, content_type: str, error: str
) -> None:
    # One byte every 50 ms for 4 s; the timeout is 0.15 s (three ticks) in total, as for the stream's reads
    # (async agreed).
    with TrickleServer(trickle_head(status, content_type, framing), trickle_body(framing)) as server:
        client = make(kind, api_key="k", base_url=server.url, timeout=0.15)
        start = time.monotonic()
        with pytest.raises(gs.GroqStreamError) as info:
            run_chat(kind, client, method)
        elapsed = time.monotonic() - start
    assert type(info.value).__name__ == error
    assert elapsed < 2.0, f"{kind} {method} held for {elapsed:.1f} s by a body trickled a byte at a time"


# --- hostile error and completion bodies: nesting past the recursion limit -----------------------------

DEEP = b"[" * 50_000


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("method", ["chat", "chat_stream"])
def test_an_error_body_nested_past_the_recursion_limit_is_shown_as_text(kind: str, method: str) -> None:
    reply = b"HTTP/1.1 500 Oops\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(DEEP), DEEP)
    with ScriptedServer(reply) as server:
        with pytest.raises(gs.client.InternalServerError) as info:
            run_chat(kind, make(kind, api_key="k", base_url=server.url), method)
    assert info.value.body == DEEP.decode() and str(info.value).startswith("HTTP 500: '[[[")


def test_a_stream_given_an_error_response_nested_past_the_recursion_limit_raises_the_status_error() -> None:
    import http.client

    reply = b"HTTP/1.1 500 Oops\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(DEEP), DEEP)
    with ScriptedServer(reply) as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=SHORT)
        try:
            connection.request("POST", "/v1/chat/completions", b"{}")
            stream = gs.Stream(connection.getresponse())
            with pytest.raises(gs.client.InternalServerError, match=r"^HTTP 500: '\[\[\["):
                next(stream)  # the error body is read, and the status raised, at the first chunk asked for
        finally:
            connection.close()


@pytest.mark.parametrize("kind", KINDS)
def test_a_completion_body_nested_past_the_recursion_limit_is_a_chunk_decode_error(kind: str) -> None:
    reply = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(DEEP), DEEP)
    with ScriptedServer(reply) as server:
        with pytest.raises(gs.ChunkDecodeError, match="not JSON"):
            run_chat(kind, make(kind, api_key="k", base_url=server.url), "chat")


# --- header names and URL credentials: never echoed ------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("name", "found"),
    [
        ("Authorization: Bearer gsk_s3cr3t", "':' at position 13"),
        ("Bearer gsk_s3cr3t", "a space at position 6"),
        ("X-s3cr3t\r\nX-A", r"a carriage return \(\\r\) at position 8"),
        ("X-s3cr3t:1", "':' at position 8"),
        ("X-s3cr3t\u00e9", "'\u00e9' at position 8"),
        ("", "empty"),
    ],
)
def test_a_header_name_that_is_not_a_token_is_refused_by_position_never_shown(kind: str, name: str, found: str) -> None:
    with pytest.raises(ValueError, match=rf"^default_headers: a header name (has|is) {found}") as info:
        make(kind, default_headers={name: ""})
    assert "token" in str(info.value)
    texts = texts_of(info.value)
    assert all("s3cr3t" not in text for text in texts), texts


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://u:p#ss@host/v1", "http://***@host/v1"),
        ("http://u:p/ss@host/v1", "http://***@host/v1"),
        ("http://u:p?ss@host/v1?key=s3cr3t", "http://***@host/v1?key=***"),
        ("http://u:12#ss@host:8000/v1", "http://***@host:8000/v1"),
        ("http://user#s3cr3t@host/v1", "http://***@host/v1"),
        ("http://u:p@s#s/s?s@host/v1", "http://***@host/v1"),
    ],
)
def test_redact_url_masks_credentials_whose_password_holds_a_delimiter(url: str, shown: str) -> None:
    from groqstream.client.sanitize import redact_url

    assert redact_url(url) == shown


@pytest.mark.parametrize("kind", KINDS)
def test_a_base_url_whose_password_holds_a_hash_shows_no_part_of_it(kind: str) -> None:
    url = f"http://alice:hunter2pw#x@127.0.0.1:{free_port()}/v1"
    try:
        client = make(kind, api_key="k", base_url=url)
    except ValueError as exc:  # refused: fine, if nothing of the password shows
        assert_no_secret(texts_of(exc))
        return
    with pytest.raises(gs.GroqStreamError) as info:
        call(kind, client)
    assert_no_secret([*texts_of(info.value), repr(client)])


def test_the_base_url_property_says_it_is_masked_only_where_shown() -> None:
    doc = gs.client.Client.base_url.__doc__ or ""
    assert "masked in repr and messages" in doc
