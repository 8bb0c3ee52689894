"""Every source kind end to end against real local servers, and no added latency.

The latency tests need no clock: the server sends one event, then waits for
the consumer to acknowledge it before sending anything else. A decoder that
held the event back waiting for more input would never acknowledge, and the
server's wait would run out (recorded as a failure).
"""

from __future__ import annotations

import asyncio
import http.client
import os
import threading
import urllib.request
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Iterator, List

import pytest

import groqstream as gs
from tests.servers import WAIT, Handler, RawServer, SSEServer

SAMPLE = (Path(gs.__file__).parent / "sample.sse").read_bytes()
FIRST = SAMPLE[: SAMPLE.index(b"\n\n") + 2]
REST = SAMPLE[len(FIRST) :]
N_CHUNKS = SAMPLE.count(b"chat.completion.chunk")
N_EVENTS = SAMPLE.count(b"\n\n")


class Pause:
    """The server side of the handshake: send FIRST, wait for the ack, send REST."""

    def __init__(self) -> None:
        self.ack = threading.Event()
        self.acked_in_time: List[bool] = []

    def run(self, send: Callable[[bytes], Any]) -> None:
        send(FIRST)
        self.acked_in_time.append(self.ack.wait(WAIT))
        send(REST)


def consume(items: Iterator[Any], pause: Pause) -> int:
    count = 0
    for _ in items:
        count += 1
        pause.ack.set()  # we hold the first item while the server is still paused
    return count


def open_source(kind: str, pause: Pause, stack: List[Any]) -> Any:
    """Start a server for *kind* and return the client-side source it feeds."""
    if kind in ("http.client", "urllib"):

        def scenario(handler: Handler) -> None:
            handler.start_sse()
            pause.run(handler.chunk)
            handler.end()

        server = SSEServer(scenario).__enter__()
        stack.append(server)
        if kind == "http.client":
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=WAIT)
            conn.request("POST", "/openai/v1/chat/completions", body=b"{}")
            response = conn.getresponse()
            stack.append(conn)
            return response
        return urllib.request.urlopen(server.url + "/chat/completions", data=b"{}", timeout=WAIT)
    if kind == "socket":
        raw = RawServer(lambda conn: pause.run(conn.sendall)).__enter__()
        stack.append(raw)
        import socket

        return socket.create_connection(raw.address, timeout=WAIT)
    if kind == "file":
        read_fd, write_fd = os.pipe()

        def writer() -> None:
            with os.fdopen(write_fd, "wb", buffering=0) as out:
                pause.run(out.write)

        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        stack.append(thread)
        return os.fdopen(read_fd, "rb")  # a BufferedReader: read1 returns what the pipe holds
    raise AssertionError(kind)


def close_all(stack: List[Any]) -> None:
    for item in reversed(stack):
        if isinstance(item, threading.Thread):
            item.join(WAIT)
        elif isinstance(item, (SSEServer, RawServer)):
            item.__exit__(None, None, None)
        else:
            item.close()


SYNC_KINDS = ["http.client", "urllib", "socket", "file"]


@pytest.mark.parametrize("api", ["Stream", "iter_events"])
@pytest.mark.parametrize("kind", SYNC_KINDS)
def test_sync_sources_deliver_each_event_before_the_server_sends_more(kind: str, api: str) -> None:
    pause = Pause()
    stack: List[Any] = []
    try:
        source = open_source(kind, pause, stack)
        if api == "Stream":
            with gs.Stream(source) as stream:
                count = consume(stream, pause)
            assert count == N_CHUNKS
        else:
            assert consume(gs.iter_events(source), pause) == N_EVENTS
            source.close()
    finally:
        pause.ack.set()
        close_all(stack)
    assert pause.acked_in_time == [True], "the first event was held back until more data arrived"


def test_stream_closes_an_http_client_response() -> None:
    pause = Pause()
    stack: List[Any] = []
    try:
        response = open_source("http.client", pause, stack)
        with gs.Stream(response) as stream:
            for _ in stream:
                pause.ack.set()
                break
        assert response.isclosed()
    finally:
        pause.ack.set()
        close_all(stack)


# --- asyncio -----------------------------------------------------------------------------


@pytest.mark.parametrize("api", ["AsyncStream", "aiter_events"])
def test_async_stream_reader_delivers_each_event_before_the_server_sends_more(api: str) -> None:
    async def main() -> List[bool]:
        ack = asyncio.Event()
        acked: List[bool] = []

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.write(FIRST)
            await writer.drain()
            try:
                await asyncio.wait_for(ack.wait(), WAIT)
                acked.append(True)
            except asyncio.TimeoutError:
                acked.append(False)
            writer.write(REST)
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        count = 0
        iterator: AsyncIterator[Any] = gs.AsyncStream(reader) if api == "AsyncStream" else gs.aiter_events(reader)
        async for _ in iterator:
            count += 1
            ack.set()
        writer.close()
        await writer.wait_closed()
        server.close()
        await server.wait_closed()
        assert count == (N_CHUNKS if api == "AsyncStream" else N_EVENTS)
        return acked

    assert asyncio.run(main()) == [True]


@pytest.mark.parametrize("api", ["AsyncStream", "aiter_events"])
def test_async_iterable_delivers_each_event_before_the_source_sends_more(api: str) -> None:
    async def main() -> List[bool]:
        ack = asyncio.Event()
        acked: List[bool] = []

        async def source() -> AsyncIterator[bytes]:
            yield FIRST
            try:
                await asyncio.wait_for(ack.wait(), WAIT)
                acked.append(True)
            except asyncio.TimeoutError:
                acked.append(False)
            yield REST

        iterator: AsyncIterator[Any] = gs.AsyncStream(source()) if api == "AsyncStream" else gs.aiter_events(source())
        async for _ in iterator:
            ack.set()
        return acked

    assert asyncio.run(main()) == [True]


def test_async_stream_cancellation_closes_the_tcp_connection() -> None:
    async def main() -> bool:
        client_closed = asyncio.Event()
        first_sent = asyncio.Event()

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.write(FIRST)
            await writer.drain()
            first_sent.set()
            if await reader.read(1) == b"":  # EOF: the client closed its side
                client_closed.set()
            writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)

        class Connection:
            """An async source that owns its writer, the way an HTTP library's response does."""

            def __aiter__(self) -> AsyncIterator[bytes]:
                return self._chunks()

            async def _chunks(self) -> AsyncIterator[bytes]:
                while data := await reader.read(65536):
                    yield data

            async def aclose(self) -> None:
                writer.close()
                await writer.wait_closed()

        async def consume() -> None:
            async with gs.AsyncStream(Connection()) as stream:
                async for _ in stream:
                    pass

        task = asyncio.ensure_future(consume())
        await first_sent.wait()
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.wait_for(client_closed.wait(), WAIT)
        server.close()
        await server.wait_closed()
        return client_closed.is_set()

    assert asyncio.run(main())
