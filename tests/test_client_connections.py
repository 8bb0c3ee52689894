"""Client's kept-alive connections against real servers on 127.0.0.1: reuse, what is never reused, threads, fds, TLS, proxies."""

from __future__ import annotations

import base64
import contextlib
import gc
import socket
import threading
import time
from pathlib import Path
from typing import Any, Dict, List

import pytest

import groqstream as gs
from groqstream.core.stream import DEFAULT_DRAIN_SECONDS
from tests.servers import WAIT, Handler, RawServer, SSEServer, TunnelProxy, eventually, open_fds
from tests.test_client import MESSAGES, SAMPLE, SAMPLE_TEXT, self_signed, tls_server

__all__ = ["self_signed"]  # the fixture, imported for these tests

FIRST = SAMPLE[: SAMPLE.index(b"\n\n") + 2]  # the first event
COMPLETION = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1700000000,
    "model": "m",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello."}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
}


def kept_alive(scenario: Any = None, **options: Any) -> SSEServer:
    return SSEServer(scenario or (lambda handler: handler.send_body(SAMPLE)), keep_alive=True, **options)


def client(server: SSEServer, **options: Any) -> gs.client.Client:
    options.setdefault("api_key", "k")
    options.setdefault("max_retries", 0)
    options.setdefault("timeout", WAIT)
    return gs.client.Client(base_url=server.url, **options)


def test_sequential_streams_and_calls_reuse_one_connection() -> None:
    def scenario(handler: Handler) -> None:
        if b'"stream": false' in handler.server.requests[-1]["body"]:
            handler.send_json(200, COMPLETION)
        else:
            handler.send_body(SAMPLE)

    with kept_alive(scenario) as server, client(server) as c:
        for _ in range(20):
            with c.chat_stream(model="m", messages=MESSAGES) as stream:
                assert stream.text() == SAMPLE_TEXT
        for _ in range(5):
            assert c.chat(model="m", messages=MESSAGES).choices[0].message.content == "Hello."
        assert server.accepts == 1
        assert len(server.requests) == 25


def test_a_server_that_closes_after_each_response_gets_a_new_connection_each_time() -> None:
    with SSEServer(lambda handler: handler.send_body(SAMPLE)) as server, client(server) as c:  # closes, says nothing
        for _ in range(3):
            assert c.chat_stream(model="m", messages=MESSAGES).text() == SAMPLE_TEXT
        assert server.accepts == 3


def test_connection_close_in_the_response_keeps_nothing_in_the_pool() -> None:
    def scenario(handler: Handler) -> None:
        handler.send_json(200, COMPLETION, Connection="close")
        handler.close_connection = True

    with kept_alive(scenario) as server, client(server) as c:
        for _ in range(3):
            assert c.chat(model="m", messages=MESSAGES).id == "chatcmpl-1"
            assert c._pool.idle_count() == 0
        assert server.accepts == 3


def test_a_connection_the_server_closed_while_idle_is_not_reused() -> None:
    with kept_alive(idle_timeout=0.1) as server, client(server) as c:
        assert c.chat_stream(model="m", messages=MESSAGES).text() == SAMPLE_TEXT
        time.sleep(0.4)  # the server has closed it by now (four times its idle timeout)
        assert c.chat_stream(model="m", messages=MESSAGES).text() == SAMPLE_TEXT
        assert server.accepts == 2


def test_a_request_the_server_drops_on_a_reused_connection_is_sent_again_on_a_fresh_one() -> None:
    served: Dict[int, int] = {}

    def scenario(handler: Handler) -> None:
        count = served[id(handler)] = served.get(id(handler), 0) + 1
        if count == 2:  # the server closed its end as the request arrived: no response at all
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
            return
        handler.send_body(SAMPLE)

    with kept_alive(scenario) as server, client(server, max_retries=0) as c:
        assert c.chat_stream(model="m", messages=MESSAGES).text() == SAMPLE_TEXT
        assert c.chat_stream(model="m", messages=MESSAGES).text() == SAMPLE_TEXT  # not a retry: max_retries=0
        assert server.accepts == 2 and len(server.requests) == 3


def test_a_broken_stream_is_never_reused_and_the_next_request_succeeds() -> None:
    def scenario(handler: Handler) -> None:
        if len(handler.server.requests) == 1:
            handler.start_sse()
            handler.chunk(SAMPLE[:300])
            handler.reset()
            handler.close_connection = True
        else:
            handler.send_body(SAMPLE)

    with kept_alive(scenario) as server, client(server) as c:
        with pytest.raises((gs.IncompleteStreamError, gs.APIConnectionError)):
            c.chat_stream(model="m", messages=MESSAGES).text()
        assert c._pool.idle_count() == 0
        assert c.chat_stream(model="m", messages=MESSAGES).text() == SAMPLE_TEXT
        assert server.accepts == 2


def test_an_early_break_closes_the_connection_at_once_without_reading_on() -> None:
    seen_close: List[bool] = []

    def scenario(handler: Handler) -> None:
        if len(handler.server.requests) == 1:
            handler.start_sse()
            handler.chunk(SAMPLE[:400])
            seen_close.append(handler.wait_for_client_close())  # the rest is never sent
            handler.close_connection = True
        else:
            handler.send_body(SAMPLE)

    with kept_alive(scenario) as server, client(server) as c:
        started = time.monotonic()
        with c.chat_stream(model="m", messages=MESSAGES) as stream:
            for _ in stream:
                break
        assert time.monotonic() - started < WAIT / 2
        assert c._pool.idle_count() == 0
        assert c.chat_stream(model="m", messages=MESSAGES).text() == SAMPLE_TEXT
        assert server.accepts == 2
    assert eventually(lambda: seen_close) and seen_close == [True]


def test_a_timed_out_stream_is_never_reused() -> None:
    def scenario(handler: Handler) -> None:
        if len(handler.server.requests) == 1:
            handler.start_sse()
            handler.chunk(SAMPLE[:200])
            handler.wait_for_client_close(timeout=WAIT)
            handler.close_connection = True
        else:
            handler.send_body(SAMPLE)

    with kept_alive(scenario) as server, client(server, timeout=0.3) as c:
        with pytest.raises(gs.APITimeoutError):
            c.chat_stream(model="m", messages=MESSAGES).text()
        assert c.chat_stream(model="m", messages=MESSAGES).text() == SAMPLE_TEXT
        assert server.accepts == 2


def test_the_end_of_the_body_after_done_is_read_so_the_connection_is_reused() -> None:
    def scenario(handler: Handler) -> None:
        handler.start_sse()
        handler.chunk(SAMPLE)
        time.sleep(0.01)  # the terminating chunk comes a little after [DONE]
        handler.end()

    with kept_alive(scenario) as server, client(server) as c:
        for _ in range(3):
            assert c.chat_stream(model="m", messages=MESSAGES).text() == SAMPLE_TEXT
        assert server.accepts == 1


def test_a_body_held_open_after_done_delays_the_end_by_at_most_the_drain_bound() -> None:
    def scenario(handler: Handler) -> None:
        handler.start_sse()
        handler.chunk(SAMPLE)
        handler.chunk(b": still here\n\n")
        handler.wait_for_client_close(timeout=WAIT)  # never ends the body
        handler.close_connection = True

    with kept_alive(scenario) as server, client(server) as c:
        started = time.monotonic()
        assert c.chat_stream(model="m", messages=MESSAGES).text() == SAMPLE_TEXT
        assert time.monotonic() - started < DEFAULT_DRAIN_SECONDS + 2.0  # generous: shared machines
        assert c._pool.idle_count() == 0  # not reusable: dropped
        c.chat_stream(model="m", messages=MESSAGES).close()
        assert server.accepts == 2


def test_error_responses_are_read_to_their_end_and_keep_the_connection() -> None:
    def scenario(handler: Handler) -> None:
        if len(handler.server.requests) % 2:
            handler.send_json(400, {"error": {"message": "bad"}})
        else:
            handler.send_body(SAMPLE)

    with kept_alive(scenario) as server, client(server) as c:
        for _ in range(3):
            with pytest.raises(gs.client.BadRequestError):
                c.chat_stream(model="m", messages=MESSAGES)
            assert c.chat_stream(model="m", messages=MESSAGES).text() == SAMPLE_TEXT
        assert server.accepts == 1


def test_eight_threads_share_one_client() -> None:
    errors: List[BaseException] = []
    texts: List[str] = []
    lock = threading.Lock()

    with kept_alive() as server, client(server) as c:

        def work() -> None:
            try:
                for _ in range(10):
                    text = c.chat_stream(model="m", messages=MESSAGES).text()
                    with lock:
                        texts.append(text)
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(WAIT * 3)
        assert not errors
        assert texts == [SAMPLE_TEXT] * 80
        assert server.accepts <= 8  # at most one connection per thread at a time
        assert c._pool.idle_count() == server.accepts


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counting file descriptors needs Linux /proc")
def test_no_file_descriptor_growth_over_500_requests() -> None:
    with kept_alive() as server, client(server) as c:
        c.chat_stream(model="m", messages=MESSAGES).text()
        gc.collect()
        before = len(list(open_fds()))
        for i in range(500):
            with c.chat_stream(model="m", messages=MESSAGES) as stream:
                if i % 50 == 0:  # a few early breaks: those connections are closed, new ones opened
                    next(stream)
                else:
                    stream.text()
        gc.collect()
        after = len(list(open_fds()))
    assert after - before <= 1, f"{after - before} file descriptors more after 500 requests"


def test_close_closes_the_idle_connections_and_later_requests_raise() -> None:
    closed: List[bool] = []

    def scenario(handler: Handler) -> None:
        handler.send_body(SAMPLE)

    with kept_alive(scenario) as server:
        with client(server) as c:
            assert c.chat_stream(model="m", messages=MESSAGES).text() == SAMPLE_TEXT
            assert c._pool.idle_count() == 1
            sock = c._pool._idle[next(iter(c._pool._idle))][0].sock
            assert sock is not None
        closed.append(sock.fileno() == -1)
        assert c._pool.idle_count() == 0
        with pytest.raises(RuntimeError, match="closed"):
            c.chat_stream(model="m", messages=MESSAGES)
    assert eventually(lambda: closed) and closed == [True]


def test_tls_connections_are_kept_alive(self_signed: tuple[str, str]) -> None:
    import ssl

    cert, key = self_signed
    server = tls_server(cert, key)
    server.keep_alive = True
    with server:
        url = server.url.replace("http://", "https://")
        context = ssl.create_default_context(cafile=cert)
        with gs.client.Client(base_url=url, api_key="k", max_retries=0, ssl_context=context) as c:
            for _ in range(10):
                assert c.chat_stream(model="m", messages=MESSAGES).text() == SAMPLE_TEXT
        assert server.accepts == 1


def test_a_tls_body_trickled_after_done_ends_within_the_drain_bound(self_signed: tuple[str, str]) -> None:
    # Under TLS each record is read with the time left too (the ssl module keeps one deadline per read).
    import ssl

    def scenario(handler: Handler) -> None:
        handler.start_sse()
        handler.chunk(SAMPLE)
        handler.wfile.write(b"0\r\n")
        handler.wfile.flush()
        stop = time.monotonic() + 3.0  # gives up after 3 s: the code before the fix failed here, did not hang
        while time.monotonic() < stop:
            time.sleep(0.01)
            handler.wfile.write(b"X-Trailer: 1\r\n")
            handler.wfile.flush()
        handler.wfile.write(b"\r\n")
        handler.wfile.flush()

    cert, key = self_signed
    server = tls_server(cert, key)
    server.scenario = scenario
    server.keep_alive = True
    with server:
        url = server.url.replace("http://", "https://")
        context = ssl.create_default_context(cafile=cert)
        with gs.client.Client(base_url=url, api_key="k", max_retries=0, ssl_context=context, timeout=WAIT) as c:
            for _ in range(2):
                started = time.monotonic()
                with c.chat_stream(model="m", messages=MESSAGES) as stream:
                    assert stream.text() == SAMPLE_TEXT
                assert time.monotonic() - started < DEFAULT_DRAIN_SECONDS + 1.0  # 50 ms, not 3 s
                assert not stream.read_to_end
                assert c._pool.idle_count() == 0
        assert server.accepts == 2


def test_https_proxy_from_the_environment_tunnels_and_no_proxy_bypasses(
    self_signed: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import ssl

    cert, key = self_signed
    server = tls_server(cert, key)
    server.keep_alive = True
    with server, TunnelProxy() as proxy:
        url = server.url.replace("http://", "https://")
        context = ssl.create_default_context(cafile=cert)
        for name in ("HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTPS_PROXY", proxy.url.replace("http://", "http://me:secret@"))
        with gs.client.Client(base_url=url, api_key="k", max_retries=0, ssl_context=context) as c:
            for _ in range(5):
                assert c.chat_stream(model="m", messages=MESSAGES).text() == SAMPLE_TEXT
        assert proxy.tunnels == 1 and proxy.targets == [f"127.0.0.1:{server.port}"]
        assert proxy.authorizations == ["Basic " + base64.b64encode(b"me:secret").decode()]
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        with gs.client.Client(base_url=url, api_key="k", max_retries=0, ssl_context=context) as c:
            assert c.chat_stream(model="m", messages=MESSAGES).text() == SAMPLE_TEXT
        assert proxy.tunnels == 1  # bypassed
        assert server.accepts == 2


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_http_proxy_from_the_environment_gets_absolute_urls(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    for name in ("HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    with kept_alive() as proxy:  # answers as the server would: it sees what a proxy sees
        monkeypatch.setenv("HTTP_PROXY", f"http://user:p%40ss@127.0.0.1:{proxy.port}")
        target = "http://api.example:8080/v1"
        if kind == "sync":
            with gs.client.Client(base_url=target, api_key="k", max_retries=0) as c:
                for _ in range(2):
                    assert c.chat_stream(model="m", messages=MESSAGES).text() == SAMPLE_TEXT
        else:

            async def main() -> None:
                async with gs.client.AsyncClient(base_url=target, api_key="k", max_retries=0) as c:
                    for _ in range(2):
                        assert await (await c.chat_stream(model="m", messages=MESSAGES)).text() == SAMPLE_TEXT

            asyncio.run(main())
        assert proxy.accepts == 1
    assert [r["path"] for r in proxy.requests] == ["http://api.example:8080/v1/chat/completions"] * 2
    assert proxy.requests[0]["headers"]["host"] == "api.example:8080"
    assert proxy.requests[0]["headers"]["proxy-authorization"] == "Basic " + base64.b64encode(b"user:p@ss").decode()


# --- the read timeout holds for each read in total, however the server slices what it sends (issue 24) ---------


def trickling_server(head: bytes, piece: bytes) -> RawServer:
    """A raw server that answers one request with *head*, then *piece* every 20 ms for up to 3 s."""

    def scenario(conn: socket.socket) -> None:
        conn.settimeout(WAIT)
        request = b""
        while b"\r\n\r\n" not in request:
            request += conn.recv(65536)
        head_end = request.index(b"\r\n\r\n") + 4
        length = int(request.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        while len(request) < head_end + length:  # read the whole request: closing with unread bytes resets
            request += conn.recv(65536)
        with contextlib.suppress(OSError):  # the client gives up and closes
            conn.sendall(head)
            stop = time.monotonic() + 3.0  # the code before the fix waited all of it, and failed
            while time.monotonic() < stop:
                time.sleep(0.02)
                conn.sendall(piece)

    return RawServer(scenario)


STREAM_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"


@pytest.mark.parametrize(
    "head, piece",
    [
        pytest.param(b"HTTP/1.1 200 OK\r\nX-Slow: ", b"a", id="a header line"),
        pytest.param(STREAM_HEAD + b"10;ext=", b"a", id="a chunk-size line before the first chunk"),
        pytest.param(STREAM_HEAD + b"%x\r\n%s\r\n1" % (len(FIRST), FIRST), b"0", id="a chunk-size line mid-stream"),
    ],
)
def test_the_read_timeout_bounds_each_read_in_total_against_a_trickling_server(head: bytes, piece: bytes) -> None:
    with trickling_server(head, piece) as server:
        base_url = f"http://127.0.0.1:{server.address[1]}/v1"
        with gs.client.Client(api_key="k", base_url=base_url, timeout=0.3, max_retries=0) as c:
            started = time.monotonic()
            with pytest.raises(gs.APITimeoutError):
                c.chat_stream(model="m", messages=MESSAGES).text()
            assert time.monotonic() - started < 2.0  # 0.3 s (once or twice), not 3 s
