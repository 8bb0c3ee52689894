"""Every attribute of another library that ``client/adapters.py`` reads, checked on a real loopback response.

The drain and the clients' read timeouts bound reads below the library (see the adapters module's
docstring), which means reading a few attributes the libraries do not promise to keep. Each test here
opens a real response from an ``http.server`` on 127.0.0.1 with one library (http.client always; urllib3,
requests and httpx when installed, skipped with a reason otherwise: CI step 2b installs them) and checks
each attribute the adapters module lists, so that a release that moves one fails here, loudly, with what
to update, rather than leaving the drain silently off.
"""

from __future__ import annotations

import asyncio
import http.client
import socket
import time
from typing import Any, Iterator

import pytest

from groqstream.client import adapters
from tests.servers import Handler, SSEServer

# Larger than http.client's read buffer (8 KiB), so that reading it must recv after the head, however the
# server's writes were coalesced: a comment line, then the end.
BODY = b":" + b"x" * 65536 + b"\n\ndata: [DONE]\n\n"


def scenario(handler: Handler) -> None:
    handler.send_body(BODY, pieces=2)


@pytest.fixture()
def server() -> Iterator[SSEServer]:
    with SSEServer(scenario) as running:
        yield running


def expect(obj: Any, attribute: str, kind: Any, *, library: str, owner: str) -> Any:
    """``getattr(obj, attribute)``, failing with what changed (and where to fix it) when it is not a *kind*."""
    marker = object()
    value = getattr(obj, attribute, marker)
    if value is marker:
        pytest.fail(
            f"library {library} changed: attribute {attribute} of {owner} is gone; update client/adapters.py",
            pytrace=False,
        )
    if not isinstance(value, kind):
        pytest.fail(
            f"library {library} changed: attribute {attribute} of {owner} is now a {type(value).__name__}, "
            f"not a {getattr(kind, '__name__', kind)}; update client/adapters.py",
            pytrace=False,
        )
    return value


@pytest.fixture()
def connection(server: SSEServer) -> Iterator[http.client.HTTPConnection]:
    opened = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        opened.request("POST", "/v1/chat/completions", b"{}")
        yield opened
    finally:
        opened.close()


# --- http.client (also under urllib, urllib3, requests and groqstream's Client) ----------------------------


def test_http_client_reads_through_a_socket_io_whose_sock_is_the_socket(
    connection: http.client.HTTPConnection,
) -> None:
    response = connection.getresponse()
    try:
        fp = expect(response, "fp", object, library="http.client", owner="HTTPResponse")
        raw = expect(fp, "raw", socket.SocketIO, library="http.client", owner="HTTPResponse.fp")
        expect(raw, "_sock", socket.socket, library="socket", owner="SocketIO")
        assert adapters.socket_io(response) is raw
        # What the stand-in relies on: every byte the response reads goes through _sock.recv_into.
        with adapters._BoundedReads(raw, time.monotonic() + 5, 3):
            assert isinstance(raw._sock, adapters._Bounded)
            with pytest.raises(socket.timeout):  # 3 bytes allowed, then the budget is used up
                response.read()
        assert raw._sock is not None and not isinstance(raw._sock, adapters._Bounded)
    finally:
        response.close()


def test_http_client_closes_its_socket_io_at_the_end_of_the_body_and_read_within_keeps_it_closed(
    connection: http.client.HTTPConnection,
) -> None:
    response = connection.getresponse()
    raw = adapters.socket_io(response)
    assert raw is not None
    body = adapters.read_within(raw, 5.0, response.read)  # to the end: http.client closes the SocketIO
    assert body == BODY
    if not raw.closed:
        pytest.fail(
            "library http.client changed: the SocketIO of HTTPResponse.fp is no longer closed at the body's end; "
            "update client/adapters.py",
            pytrace=False,
        )
    # SocketIO.close() sets _sock to None; the real socket must not be put back into a closed SocketIO.
    assert raw._sock is None, "read_within put the socket back into a SocketIO that http.client had closed"
    assert adapters.socket_io(response) is None


# --- urllib3 and requests --------------------------------------------------------------------------------


def test_urllib3_keeps_the_http_client_response_as_fp(server: SSEServer) -> None:
    urllib3 = pytest.importorskip("urllib3", reason="urllib3 is not installed (CI step 2b installs it)")
    with urllib3.PoolManager() as pool:
        response = pool.request("POST", f"{server.url}/chat/completions", body=b"{}", preload_content=False)
        try:
            inner = expect(response, "_fp", http.client.HTTPResponse, library="urllib3", owner="HTTPResponse")
            assert adapters.socket_io(inner) is not None
            found = adapters._socket_of(response)
            assert found is not None and found[1] is True, "adapters._socket_of no longer finds urllib3's SocketIO"
        finally:
            response.release_conn()


def test_requests_keeps_the_urllib3_response_as_raw(server: SSEServer) -> None:
    requests = pytest.importorskip("requests", reason="requests is not installed (CI step 2b installs it)")
    urllib3 = pytest.importorskip("urllib3", reason="urllib3 is not installed (CI step 2b installs it)")
    with requests.Session() as session:
        session.trust_env = False  # loopback only: no proxy from the environment
        response = session.post(f"{server.url}/chat/completions", data=b"{}", stream=True)
        try:
            raw = expect(response, "raw", urllib3.response.HTTPResponse, library="requests", owner="Response")
            expect(raw, "_fp", http.client.HTTPResponse, library="urllib3", owner="HTTPResponse")
            found = adapters._socket_of(response)
            assert found is not None and found[1] is True, "adapters._socket_of no longer finds requests' SocketIO"
        finally:
            response.close()


# --- httpx -----------------------------------------------------------------------------------------------


def test_httpx_exposes_the_network_stream_and_its_socket(server: SSEServer) -> None:
    httpx = pytest.importorskip("httpx", reason="httpx is not installed (CI step 2b installs it)")
    with httpx.Client(trust_env=False) as client:
        with client.stream("POST", f"{server.url}/chat/completions", content=b"{}") as response:
            extensions = expect(response, "extensions", dict, library="httpx", owner="Response")
            if "network_stream" not in extensions:
                pytest.fail(
                    "library httpx changed: Response.extensions has no 'network_stream'; update client/adapters.py",
                    pytrace=False,
                )
            stream = extensions["network_stream"]
            get_extra_info = expect(stream, "get_extra_info", object, library="httpx", owner="the network stream")
            sock = get_extra_info("socket")
            if not isinstance(sock, socket.socket):
                pytest.fail(
                    f"library httpx changed: network_stream.get_extra_info('socket') gives a {type(sock).__name__}, "
                    "not a socket; update client/adapters.py",
                    pytrace=False,
                )
            version = expect(response, "http_version", str, library="httpx", owner="Response")
            assert version == "HTTP/1.1"
            assert adapters._socket_of(response) == (sock, False)
            response.read()


# --- asyncio (read outside adapters.py, by asyncio_http) -------------------------------------------------


def test_asyncio_stream_reader_keeps_its_buffer() -> None:
    async def main() -> None:
        reader = asyncio.StreamReader()
        reader.feed_data(b"stray")
        buffer = expect(reader, "_buffer", (bytes, bytearray), library="asyncio", owner="StreamReader")
        assert bytes(buffer) == b"stray"

    asyncio.run(main())
