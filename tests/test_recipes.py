"""The recipes of docs/transports.md, each run against a real local keep-alive server that counts its accepts.

Each third-party recipe runs only when its library happens to be installed
(CI installs them in a step of their own); the suite itself needs nothing
but pytest, so the others are skipped with a reason. groqstream's own
clients and ``http.client`` always run.

What every recipe must show (issue 17): 20 sequential streams on one client
use one connection (the body's end after ``[DONE]`` is drained, so the
library's pool takes the connection back); a body held open after ``[DONE]``
ends the stream within the drain bound; an early ``break`` or an error
closes the connection at once, reading nothing more; the bound is settable
and ``drain_seconds=0`` turns the drain off.
"""

from __future__ import annotations

import asyncio
import http.client
import importlib.util
import socket
import threading
import time
from pathlib import Path
from typing import Any, Callable, List, NamedTuple, Optional, Protocol

import pytest

import groqstream as gs
from tests.servers import WAIT, Handler, RawServer, SSEServer, eventually

SAMPLE = (Path(gs.__file__).parent / "sample.sse").read_bytes()
TEXT = gs.Stream(SAMPLE).text()
FIRST_EVENT = SAMPLE[: SAMPLE.index(b"\n\n") + 2]
ERROR_EVENT = b'data: {"error": {"message": "the model fell over", "type": "internal_server_error"}}\n\n'
PATH = "/openai/v1/chat/completions"
# The drain bound is 50 ms; every "ends within the bound" check allows 1 s, for a loaded machine.
WITHIN_THE_BOUND = 1.0


class Result(NamedTuple):
    """One stream as a recipe read it."""

    text: Optional[str]  # None when the stream was left early (a break, an error)
    seconds: float  # from the stream's start to its close
    read_to_end: bool


def consume(stream: gs.Stream, how: str) -> Result:
    """Read *stream* as a program would: all of it ("text"), its first chunk ("break"), or up to an error."""
    started = time.monotonic()
    text = None
    with stream:
        if how == "text":
            text = stream.text()
        elif how == "break":
            for _ in stream:
                break
        else:
            with pytest.raises(gs.StreamAPIError):
                stream.text()
    return Result(text, time.monotonic() - started, stream.read_to_end)


async def aconsume(stream: gs.AsyncStream, how: str) -> Result:
    """``consume`` for an ``AsyncStream``."""
    started = time.monotonic()
    text = None
    async with stream:
        if how == "text":
            text = await stream.text()
        elif how == "break":
            async for _ in stream:
                break
        else:
            with pytest.raises(gs.StreamAPIError):
                await stream.text()
    return Result(text, time.monotonic() - started, stream.read_to_end)


# --- the recipes: each opens *count* streams one after another on one client and reads each with `how` ----------
# They are written as docs/transports.md gives them; `options` are the Stream's (drain_seconds, say).


class Recipe(Protocol):
    def __call__(self, server: SSEServer, how: str, count: int, **options: Any) -> List[Result]: ...


def http_client_recipe(server: SSEServer, how: str, count: int, **options: Any) -> List[Result]:
    results = []
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=WAIT)
    try:
        for _ in range(count):
            conn.request("POST", PATH, body=b"{}", headers={"Content-Type": "application/json"})
            with gs.Stream(conn.getresponse(), **options) as stream:
                results.append(consume(stream, how))
            if not stream.read_to_end:
                conn.close()  # the body was left unfinished: the next request() opens a new connection
    finally:
        conn.close()
    return results


def httpx_recipe(server: SSEServer, how: str, count: int, **options: Any) -> List[Result]:
    import httpx

    with httpx.Client(timeout=WAIT) as client:
        results = []
        for _ in range(count):
            with client.stream("POST", server.url + "/chat/completions", json={}) as response:
                results.append(consume(gs.Stream(response, **options), how))
        return results


def httpx_async_recipe(server: SSEServer, how: str, count: int, **options: Any) -> List[Result]:
    import httpx

    async def main() -> List[Result]:
        async with httpx.AsyncClient(timeout=WAIT) as client:
            results = []
            for _ in range(count):
                async with client.stream("POST", server.url + "/chat/completions", json={}) as response:
                    results.append(await aconsume(gs.AsyncStream(response, **options), how))
            return results

    return asyncio.run(main())


def requests_recipe(server: SSEServer, how: str, count: int, **options: Any) -> List[Result]:
    import requests

    with requests.Session() as session:
        results = []
        for _ in range(count):
            with session.post(server.url + "/chat/completions", json={}, stream=True, timeout=WAIT) as response:
                results.append(consume(gs.Stream(response, **options), how))
        return results


def aiohttp_recipe(server: SSEServer, how: str, count: int, **options: Any) -> List[Result]:
    import aiohttp

    async def main() -> List[Result]:
        async with aiohttp.ClientSession() as session:
            results = []
            for _ in range(count):
                async with session.post(server.url + "/chat/completions", json={}) as response:
                    results.append(await aconsume(gs.AsyncStream(response, **options), how))
            return results

    return asyncio.run(main())


def client_recipe(server: SSEServer, how: str, count: int, **options: Any) -> List[Result]:
    with gs.client.Client(api_key="k", base_url=server.url, timeout=WAIT, max_retries=0) as client:
        return [consume(client.chat_stream(model="m", messages=[], **options), how) for _ in range(count)]


def async_client_recipe(server: SSEServer, how: str, count: int, **options: Any) -> List[Result]:
    async def main() -> List[Result]:
        async with gs.client.AsyncClient(api_key="k", base_url=server.url, timeout=WAIT, max_retries=0) as client:
            return [
                await aconsume(await client.chat_stream(model="m", messages=[], **options), how) for _ in range(count)
            ]

    return asyncio.run(main())


def installed(name: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        importlib.util.find_spec(name) is None, reason=f"{name} is not installed (optional: only its recipe is tested)"
    )


RECIPES = [
    pytest.param(http_client_recipe, id="http.client"),
    pytest.param(httpx_recipe, id="httpx", marks=installed("httpx")),
    pytest.param(httpx_async_recipe, id="httpx-async", marks=installed("httpx")),
    pytest.param(requests_recipe, id="requests", marks=installed("requests")),
    pytest.param(aiohttp_recipe, id="aiohttp", marks=installed("aiohttp")),
    pytest.param(client_recipe, id="gs.client.Client"),
    pytest.param(async_client_recipe, id="gs.client.AsyncClient"),
]


# --- what the server sends -----------------------------------------------------------------------------------


def end_after(seconds: float) -> Callable[[Handler], None]:
    """The sample, then the chunked body's terminator *seconds* later, in a write of its own."""

    def scenario(handler: Handler) -> None:
        handler.start_sse()
        handler.chunk(SAMPLE)
        time.sleep(seconds)
        handler.end()

    return scenario


@pytest.mark.parametrize("recipe", RECIPES)
def test_twenty_sequential_streams_use_one_connection(recipe: Recipe) -> None:
    with SSEServer(end_after(0.005), keep_alive=True) as server:
        results = recipe(server, "text", 20)
    assert [result.text for result in results] == [TEXT] * 20
    assert all(result.read_to_end for result in results)
    assert server.accepts == 1


@pytest.mark.parametrize("recipe", RECIPES)
def test_a_body_held_open_after_done_ends_the_stream_within_the_drain_bound(recipe: Recipe) -> None:
    release = threading.Event()

    def scenario(handler: Handler) -> None:
        handler.start_sse()
        handler.chunk(SAMPLE)
        handler.chunk(b": more after [DONE]\n\n")
        release.wait(WAIT)  # the body does not end while the client drains
        handler.end()

    with SSEServer(scenario, keep_alive=True) as server:
        try:
            (result,) = recipe(server, "text", 1)
        finally:
            release.set()
    assert result.text == TEXT
    assert result.seconds < WITHIN_THE_BOUND
    assert not result.read_to_end


@pytest.mark.parametrize("how", ["break", "error"])
@pytest.mark.parametrize("recipe", RECIPES)
def test_an_early_break_or_an_error_closes_the_connection_without_reading_on(recipe: Recipe, how: str) -> None:
    closed: List[bool] = []

    def scenario(handler: Handler) -> None:
        handler.start_sse()
        handler.chunk(FIRST_EVENT if how == "break" else ERROR_EVENT)
        closed.append(handler.wait_for_client_close())  # sends nothing more: a client reading on would wait here

    with SSEServer(scenario, keep_alive=True) as server:
        (result,) = recipe(server, how, 1, drain_seconds=WAIT)  # a drain now would take WAIT seconds
    assert result.seconds < WITHIN_THE_BOUND
    assert not result.read_to_end
    assert eventually(lambda: closed)  # the server's thread reports once it has seen the close (a busy machine: later)
    assert closed == [True]  # the client closed its connection, not kept it with a body half read


@pytest.mark.parametrize(
    "terminator_after, options, accepts",
    [
        # The end comes 150 ms after [DONE]: three times the default 50 ms bound, well inside 2 s.
        pytest.param(0.15, {"drain_seconds": 2.0}, 1, id="a longer bound waits for a late end"),
        pytest.param(0.15, {}, 2, id="the default bound does not"),
        pytest.param(0.005, {"drain_seconds": 0}, 2, id="drain_seconds=0 turns it off"),
    ],
)
@pytest.mark.parametrize("recipe", RECIPES)
def test_the_drain_bound_is_settable(recipe: Recipe, terminator_after: float, options: Any, accepts: int) -> None:
    with SSEServer(end_after(terminator_after), keep_alive=True) as server:
        results = recipe(server, "text", 2, **options)
    assert [result.text for result in results] == [TEXT] * 2
    assert all(result.read_to_end is (accepts == 1) for result in results)
    assert server.accepts == accepts


def test_drain_bounds_must_not_be_negative() -> None:
    with pytest.raises(ValueError, match="drain_bytes must be >= 0"):
        gs.Stream(SAMPLE, drain_bytes=-1)
    with pytest.raises(ValueError, match="drain_seconds must be >= 0"):
        gs.AsyncStream(SAMPLE, drain_seconds=float("nan"))


def test_more_than_drain_bytes_after_done_closes_the_body_unread() -> None:
    def scenario(handler: Handler) -> None:
        handler.start_sse()
        handler.chunk(SAMPLE)
        handler.chunk(b": padding\n" * 100)  # 1000 bytes after [DONE]
        handler.end()

    with SSEServer(scenario, keep_alive=True) as server:
        small = http_client_recipe(server, "text", 2, drain_bytes=500)
        large = http_client_recipe(server, "text", 2, drain_bytes=5000)
    assert [result.read_to_end for result in small + large] == [False, False, True, True]
    assert server.accepts == 2 + 1


# --- the other shapes a source can take ------------------------------------------------------------------------


@installed("httpx")
def test_an_httpx_body_iterator_is_read_but_not_drained() -> None:
    # `Stream(response.iter_bytes())`, the recipe before the response itself was accepted: nothing can bound
    # a read of a bare iterator, so it is closed unread after [DONE] and httpx opens a new connection.
    import httpx

    with SSEServer(end_after(0.005), keep_alive=True) as server, httpx.Client(timeout=WAIT) as client:
        for _ in range(2):
            with client.stream("POST", server.url + "/chat/completions", json={}) as response:
                with gs.Stream(response.iter_bytes()) as stream:
                    assert stream.text() == TEXT
                assert not stream.read_to_end
    assert server.accepts == 2


@installed("aiohttp")
def test_an_aiohttp_body_iterator_is_drained_like_the_response() -> None:
    import aiohttp

    async def main(url: str) -> None:
        async with aiohttp.ClientSession() as session:
            for _ in range(3):
                async with session.post(url, json={}) as response:
                    async with gs.AsyncStream(response.content.iter_any()) as stream:
                        assert await stream.text() == TEXT
                    assert stream.read_to_end

    with SSEServer(end_after(0.005), keep_alive=True) as server:
        asyncio.run(main(server.url + "/chat/completions"))
    assert server.accepts == 1


def test_a_bare_asyncio_stream_reader_is_not_drained() -> None:
    # A raw connection speaking SSE: nothing to reuse, so the end of the stream waits for nothing.
    release = threading.Event()

    def scenario(conn: socket.socket) -> None:
        conn.sendall(SAMPLE + b": more\n\n")
        release.wait(WAIT)

    async def main(port: int) -> float:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        started = time.monotonic()
        async with gs.AsyncStream(reader, drain_seconds=5.0) as stream:
            assert await stream.text() == TEXT
        writer.close()
        return time.monotonic() - started

    with RawServer(scenario) as server:
        try:
            assert asyncio.run(main(server.address[1])) < WITHIN_THE_BOUND
        finally:
            release.set()


def test_socket_recipe() -> None:
    with RawServer(lambda conn: conn.sendall(SAMPLE)) as server:
        with gs.Stream(socket.create_connection(server.address, timeout=WAIT)) as stream:
            text = stream.text()
    assert text == TEXT
    assert not stream.read_to_end  # [DONE] ended it, and a bare socket is not drained: nothing could reuse it


# --- a server that trickles what follows [DONE] (issue 24) ---------------------------------------------------
# Each byte or line arrives 10 ms after the last, so no single recv waits long: a drain that bounds each recv
# (and not the drain as a whole) reads on for as long as the server likes. These servers give up after
# TRICKLE_FOR seconds, so the code before the fix fails these tests instead of hanging.

TRICKLE_FOR = 3.0
TRICKLE_EVERY = 0.01


def trickle(head: bytes, piece: bytes, tail: bytes) -> Callable[[Handler], None]:
    """The sample as one chunk, then *head*, then *piece* every 10 ms for TRICKLE_FOR seconds, then *tail*."""

    def scenario(handler: Handler) -> None:
        handler.start_sse()
        handler.chunk(SAMPLE)
        sock = handler.connection
        sock.sendall(head)
        stop = time.monotonic() + TRICKLE_FOR
        while time.monotonic() < stop:
            time.sleep(TRICKLE_EVERY)
            sock.sendall(piece)  # fails (and the scenario ends) once the client has closed the connection
        sock.sendall(tail)

    return scenario


TRICKLES = [
    pytest.param(trickle(b"0\r\n", b"X-Trailer: 1\r\n", b"\r\n"), id="trailer lines"),
    pytest.param(trickle(b"0\r\nX-Trailer: ", b"a", b"\r\n\r\n"), id="one trailer line"),
    pytest.param(trickle(b"1", b"0", b"\r\n" + b"x" * 16 + b"\r\n0\r\n\r\n"), id="a chunk-size line"),
    pytest.param(trickle(b"1;ext=", b"a", b"\r\nx\r\n0\r\n\r\n"), id="a chunk extension"),
    pytest.param(trickle(b"fffff\r\n", b": x\n", b""), id="chunk data"),
    pytest.param(trickle(b"", b"", b"0\r\n\r\n"), id="nothing (a body that never ends)"),
]


@pytest.mark.parametrize("scenario", TRICKLES)
@pytest.mark.parametrize("recipe", RECIPES)
def test_a_body_trickled_after_done_ends_the_stream_within_the_drain_bound_in_total(
    recipe: Recipe, scenario: Callable[[Handler], None]
) -> None:
    with SSEServer(scenario, keep_alive=True) as server:
        results = recipe(server, "text", 2)
    assert [result.text for result in results] == [TEXT] * 2
    assert [result.seconds < WITHIN_THE_BOUND for result in results] == [True, True]  # 50 ms, not 3 s
    assert [result.read_to_end for result in results] == [False, False]
    assert server.accepts == 2  # the connection left unfinished was not reused


@pytest.mark.parametrize("recipe", RECIPES)
def test_drain_bytes_count_what_the_library_reads_for_itself_such_as_trailers(recipe: Recipe) -> None:
    # 2 MB of trailer lines, sent as fast as the connection takes them: http.client reads trailers inside one
    # read, out of sight of the stream, so only a bound on the bytes received holds drain_bytes.
    def scenario(handler: Handler) -> None:
        handler.start_sse()
        handler.chunk(SAMPLE)
        handler.connection.sendall(b"0\r\n" + b"X-Trailer: " + b"a" * 1000 + b"\r\n")
        for _ in range(2000):
            handler.connection.sendall(b"X-Trailer: " + b"a" * 1000 + b"\r\n")
        handler.connection.sendall(b"\r\n")

    with SSEServer(scenario, keep_alive=True) as server:
        (result,) = recipe(server, "text", 1, drain_seconds=WAIT)
    assert result.text == TEXT
    assert result.seconds < WITHIN_THE_BOUND
    assert not result.read_to_end
