"""AsyncClient against real servers on 127.0.0.1: streams, calls, reuse, errors, cancellation, TLS, proxies."""

from __future__ import annotations

import asyncio
import gc
import json
import threading
import time
from pathlib import Path
from typing import Any, List

import pytest

import groqstream as gs
from tests.servers import WAIT, Handler, SSEServer, TunnelProxy, eventually, free_port, open_fds
from tests.test_client import MESSAGES, SAMPLE, SAMPLE_TEXT, self_signed, tls_server
from tests.test_client_connections import COMPLETION, kept_alive

__all__ = ["self_signed"]  # the fixture, imported for these tests


def aclient(server: SSEServer, **options: Any) -> gs.client.AsyncClient:
    options.setdefault("api_key", "k")
    options.setdefault("max_retries", 0)
    options.setdefault("timeout", WAIT)
    return gs.client.AsyncClient(base_url=server.url, **options)


def run(coroutine: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coroutine, WAIT * 3))


def test_streams_and_calls_reuse_one_connection() -> None:
    def scenario(handler: Handler) -> None:
        if b'"stream": false' in handler.server.requests[-1]["body"]:
            handler.send_json(200, COMPLETION, X_Request_Id="req_1")
        else:
            handler.send_body(SAMPLE)

    async def main(server: SSEServer) -> None:
        async with aclient(server, default_headers={"X-Trace": "a"}) as c:
            for _ in range(10):
                stream = await c.chat_stream(model="m", messages=MESSAGES, temperature=0.5)
                async with stream:
                    assert await stream.text() == SAMPLE_TEXT
                assert stream.response is not None and stream.response.status_code == 200
            completion = await c.chat(model="m", messages=MESSAGES)
            assert completion.choices[0].message.content == "Hello."
            assert completion.response is not None and completion.response.request_id == "req_1"
            assert completion.to_dict() == COMPLETION

    with kept_alive(scenario) as server:
        run(main(server))
        assert server.accepts == 1
    body = json.loads(server.requests[0]["body"])
    assert body == {"model": "m", "messages": MESSAGES, "temperature": 0.5, "stream": True}
    assert server.requests[0]["headers"]["x-trace"] == "a"
    assert json.loads(server.requests[-1]["body"])["stream"] is False


def test_status_errors_and_retries_as_the_sync_client() -> None:
    def scenario(handler: Handler) -> None:
        if len(handler.server.requests) == 1:
            handler.send_json(503, {"error": {"message": "busy"}}, Retry_After="0")
        elif len(handler.server.requests) == 2:
            handler.send_body(SAMPLE)
        else:
            handler.send_json(401, {"error": {"message": "Invalid API Key"}}, X_Request_Id="req_9")

    async def main(server: SSEServer) -> None:
        c = aclient(server, max_retries=1)
        assert await (await c.chat_stream(model="m", messages=MESSAGES)).text() == SAMPLE_TEXT
        with pytest.raises(gs.client.AuthenticationError) as info:
            await c.chat(model="m", messages=MESSAGES)
        assert info.value.response is not None and info.value.response.headers["X-REQUEST-ID"] == "req_9"
        assert info.value.request_id == "req_9"
        await c.aclose()

    with kept_alive(scenario) as server:
        run(main(server))
        assert len(server.requests) == 3


def test_unknown_keywords_raise_and_stream_options_reach_the_stream() -> None:
    body = b'data: {"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}\n\n'

    async def main(server: SSEServer) -> None:
        c = aclient(server)
        with pytest.raises(TypeError, match=r"'temprature'.*did you mean 'temperature'"):
            await c.chat_stream(model="m", messages=MESSAGES, temprature=0.3)  # type: ignore[call-arg]
        stream = await c.chat_stream(model="m", messages=MESSAGES, require_done=False)
        assert await stream.text() == "Hi"  # no [DONE], choice unfinished: allowed by require_done=False
        await c.aclose()

    with SSEServer(lambda handler: handler.send_body(body)) as server:
        run(main(server))
    assert len(server.requests) == 1
    assert "require_done" not in json.loads(server.requests[0]["body"])


def test_cancelling_a_stream_closes_its_socket_and_leaves_nothing_behind() -> None:
    closed: List[bool] = []
    started = threading.Event()

    def scenario(handler: Handler) -> None:
        handler.start_sse()
        handler.chunk(SAMPLE[:300])
        started.set()
        closed.append(handler.wait_for_client_close())
        handler.close_connection = True

    async def main(server: SSEServer) -> None:
        c = aclient(server)
        stream = await c.chat_stream(model="m", messages=MESSAGES)

        async def consume() -> None:
            async for _ in stream:
                pass

        task = asyncio.ensure_future(consume())
        await asyncio.get_running_loop().run_in_executor(None, started.wait, WAIT)
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert c._idle == {}
        await c.aclose()
        current = asyncio.current_task()
        assert [t for t in asyncio.all_tasks() if t is not current] == []

    with SSEServer(scenario) as server:
        gc.collect()
        before = len(list(open_fds()))
        asyncio.run(main(server))  # not run(): its wait_for is a task of its own
        gc.collect()
        after = len(list(open_fds()))
    assert eventually(lambda: closed) and closed == [True]
    assert after <= before
    assert threading.active_count() <= 3  # the test server's threads only, no client thread


def test_cancelling_while_waiting_for_the_response_head_closes_the_connection() -> None:
    closed: List[bool] = []
    arrived = threading.Event()

    def scenario(handler: Handler) -> None:
        arrived.set()
        closed.append(handler.wait_for_client_close())  # never answers
        handler.close_connection = True

    async def main(server: SSEServer) -> None:
        c = aclient(server)
        task = asyncio.ensure_future(c.chat_stream(model="m", messages=MESSAGES))
        await asyncio.get_running_loop().run_in_executor(None, arrived.wait, WAIT)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(0)  # let the transport finish closing
        await c.aclose()

    with SSEServer(scenario) as server:
        run(main(server))
    assert eventually(lambda: closed) and closed == [True]


def test_an_early_break_and_a_broken_stream_are_never_reused() -> None:
    def scenario(handler: Handler) -> None:
        count = len(handler.server.requests)
        if count == 1:
            handler.start_sse()
            handler.chunk(SAMPLE[:400])
            handler.wait_for_client_close()
            handler.close_connection = True
        elif count == 2:
            handler.start_sse()
            handler.chunk(SAMPLE[:300])
            handler.reset()
            handler.close_connection = True
        else:
            handler.send_body(SAMPLE)

    async def main(server: SSEServer) -> None:
        c = aclient(server)
        stream = await c.chat_stream(model="m", messages=MESSAGES)
        async with stream:
            async for _ in stream:
                break
        with pytest.raises((gs.IncompleteStreamError, gs.APIConnectionError)):
            await (await c.chat_stream(model="m", messages=MESSAGES)).text()
        assert all(idle == [] for idle in c._idle.values())  # neither went back to the pool
        assert await (await c.chat_stream(model="m", messages=MESSAGES)).text() == SAMPLE_TEXT
        assert await (await c.chat_stream(model="m", messages=MESSAGES)).text() == SAMPLE_TEXT
        await c.aclose()

    with kept_alive(scenario) as server:
        run(main(server))
        assert server.accepts == 3  # the last two requests share one


def test_timeouts_connection_errors_and_non_json_bodies_are_groqstream_errors() -> None:
    def scenario(handler: Handler) -> None:
        if b'"stream": false' in handler.server.requests[-1]["body"]:
            body = b"<html>oops</html>"
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
            return
        handler.start_sse()
        handler.chunk(SAMPLE[:200])
        handler.wait_for_client_close()
        handler.close_connection = True

    async def main(server: SSEServer) -> None:
        c = aclient(server, timeout=0.3)
        with pytest.raises(gs.APITimeoutError) as info:
            await (await c.chat_stream(model="m", messages=MESSAGES)).text()
        assert "while reading the response of" in str(info.value)
        with pytest.raises(gs.ChunkDecodeError, match=r"not JSON.*oops"):
            await c.chat(model="m", messages=MESSAGES)
        await c.aclose()
        refused = gs.client.AsyncClient(base_url=f"http://127.0.0.1:{free_port()}", api_key="k", max_retries=0)
        with pytest.raises(gs.APIConnectionError, match="connection refused connecting to"):
            await refused.chat_stream(model="m", messages=MESSAGES)

    with SSEServer(scenario) as server:
        run(main(server))


def test_tls_through_an_https_proxy_tunnel(self_signed: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    import ssl

    cert, key = self_signed
    server = tls_server(cert, key)
    server.keep_alive = True
    for name in ("HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)

    async def main(url: str) -> None:
        context = ssl.create_default_context(cafile=cert)
        async with gs.client.AsyncClient(base_url=url, api_key="k", max_retries=0, ssl_context=context) as c:
            for _ in range(3):
                assert await (await c.chat_stream(model="m", messages=MESSAGES)).text() == SAMPLE_TEXT
        with pytest.raises(gs.APIConnectionError, match="TLS error"):
            untrusting = gs.client.AsyncClient(base_url=url, api_key="k", max_retries=0)
            await untrusting.chat_stream(model="m", messages=MESSAGES)

    with server, TunnelProxy() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        run(main(server.url.replace("http://", "https://")))
        assert proxy.tunnels == 2  # the kept-alive one, and the refused handshake
        assert server.accepts == 1  # (the refused handshake never reached a request handler)


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counting file descriptors needs Linux /proc")
def test_no_file_descriptor_growth_over_200_async_requests() -> None:
    async def main(server: SSEServer) -> int:
        async with aclient(server) as c:
            await (await c.chat_stream(model="m", messages=MESSAGES)).text()
            before = len(list(open_fds()))
            for i in range(200):
                stream = await c.chat_stream(model="m", messages=MESSAGES)
                async with stream:
                    if i % 40 == 0:
                        await stream.__anext__()
                    else:
                        await stream.text()
            return len(list(open_fds())) - before

    with kept_alive() as server:
        started = time.monotonic()
        assert run(main(server)) <= 1
        assert time.monotonic() - started < WAIT * 3


def test_within_times_out_once_and_never_swallows_a_cancellation() -> None:
    from groqstream.core.timeout import within

    async def main() -> None:
        with pytest.raises(asyncio.TimeoutError):
            await within(asyncio.sleep(5), 0.05)
        await asyncio.sleep(0.01)  # the task is not left cancelled
        assert await within(asyncio.sleep(0, result="ok"), 5) == "ok"
        task = asyncio.ensure_future(within(asyncio.sleep(5), 5))
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await within(asyncio.sleep(0, result=1), None) == 1

    run(main())


def raw_http(response: bytes, *, piece: int = 1) -> Any:
    """A one-connection server that reads the request, then sends *response* in pieces of *piece* bytes."""
    from tests.servers import RawServer

    def scenario(conn: Any) -> None:
        conn.settimeout(WAIT)
        head = b""
        while b"\r\n\r\n" not in head:
            head += conn.recv(65536)
        length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        body = head.split(b"\r\n\r\n", 1)[1]
        while len(body) < length:
            body += conn.recv(65536)
        for i in range(0, len(response), piece):
            conn.sendall(response[i : i + piece])
        conn.recv(1)  # until the client closes

    return RawServer(scenario)


def test_the_asyncio_reader_takes_chunk_extensions_trailers_interim_responses_and_any_split() -> None:
    response = (
        b"HTTP/1.1 100 Continue\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    events = [piece + b"\n\n" for piece in SAMPLE.split(b"\n\n")[:-1]]
    chunked = b"".join(b"%x;ext=1\r\n%s\r\n" % (len(event), event) for event in events) + b"0\r\nX-Trailer: t\r\n\r\n"
    bare_lf = chunked.replace(b"\r\n", b"\n")  # the sample's data has no CR: only the framing changes

    async def main(url: str) -> str:
        c = gs.client.AsyncClient(base_url=url, api_key="k", max_retries=0)
        text: str = await (await c.chat_stream(model="m", messages=MESSAGES)).text()
        await c.aclose()
        return text

    for body, piece in ((chunked, 1), (chunked, 7), (bare_lf, 3), (chunked, 4096)):
        with raw_http(response + body, piece=piece) as server:
            assert run(main(f"http://127.0.0.1:{server.address[1]}/v1")) == SAMPLE_TEXT
        assert server.error is None


def test_a_response_that_is_not_http_is_a_connection_error_naming_it() -> None:
    async def main(url: str) -> None:
        c = gs.client.AsyncClient(base_url=url, api_key="k", max_retries=0)
        with pytest.raises(gs.APIConnectionError, match=r"not an HTTP/1\.x status line"):
            await c.chat(model="m", messages=MESSAGES)

    with raw_http(b"SSH-2.0-OpenSSH_9.6\r\n\r\n") as server:
        run(main(f"http://127.0.0.1:{server.address[1]}/v1"))
