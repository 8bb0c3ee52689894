"""The one-line recipes of docs/transports.md, each run against a real local server.

Each recipe runs only when its library happens to be installed; the suite
itself needs nothing but pytest, so the others are skipped with a reason.
"""

from __future__ import annotations

import asyncio
import http.client
import importlib.util
import socket
import threading
import time
from pathlib import Path
from typing import Callable

import pytest

import groqstream as gs
from tests.servers import WAIT, Handler, RawServer, SSEServer

SAMPLE = (Path(gs.__file__).parent / "sample.sse").read_bytes()
TEXT = gs.Stream(SAMPLE).text()


def installed(name: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        importlib.util.find_spec(name) is None, reason=f"{name} is not installed (optional: only its recipe is tested)"
    )


def serve_sample(handler: Handler) -> None:
    handler.send_body(SAMPLE, pieces=13)


@installed("httpx")
def test_httpx_sync_recipe() -> None:
    import httpx

    with SSEServer(serve_sample) as server, httpx.Client() as client:
        with client.stream("POST", server.url + "/chat/completions", json={}) as response:
            text = gs.Stream(response.iter_bytes()).text()
    assert text == TEXT


@installed("httpx")
def test_httpx_async_recipe() -> None:
    import httpx

    async def main(url: str) -> str:
        async with httpx.AsyncClient() as client:
            async with client.stream("POST", url, json={}) as response:
                return await gs.AsyncStream(response.aiter_bytes()).text()

    with SSEServer(serve_sample) as server:
        assert asyncio.run(main(server.url + "/chat/completions")) == TEXT


@installed("requests")
def test_requests_recipe() -> None:
    import requests

    with SSEServer(serve_sample) as server:
        with requests.post(server.url + "/chat/completions", json={}, stream=True, timeout=WAIT) as response:
            text = gs.Stream(response.iter_content(chunk_size=None)).text()
    assert text == TEXT


@installed("aiohttp")
def test_aiohttp_recipe() -> None:
    import aiohttp

    async def main(url: str) -> str:
        async with aiohttp.ClientSession() as session:
            async with session.post(url, json={}) as response:
                return await gs.AsyncStream(response.content.iter_any()).text()

    with SSEServer(serve_sample) as server:
        assert asyncio.run(main(server.url + "/chat/completions")) == TEXT


def test_http_client_recipe() -> None:
    with SSEServer(serve_sample) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=WAIT)
        conn.request("POST", "/openai/v1/chat/completions", body=b"{}", headers={"Accept": "text/event-stream"})
        with gs.Stream(conn.getresponse()) as stream:
            text = stream.text()
        conn.close()
    assert text == TEXT


def test_http_client_recipe_reuses_its_connection_after_done() -> None:
    # The terminator of the chunked body comes after [DONE], in a read of its own: the stream reads it
    # (bounded) before closing, or the next response on the connection would begin with it.
    def scenario(handler: Handler) -> None:
        handler.start_sse()
        handler.chunk(SAMPLE)
        time.sleep(0.005)
        handler.end()

    with SSEServer(scenario, keep_alive=True) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=WAIT)
        for _ in range(20):
            conn.request("POST", "/openai/v1/chat/completions", body=b"{}")
            with gs.Stream(conn.getresponse()) as stream:
                assert stream.text() == TEXT
        conn.close()
    assert server.accepts == 1
    assert conn.timeout == WAIT


def seconds_until_closed(
    scenario: Callable[[Handler, threading.Event], None], read: Callable[[gs.Stream], None]
) -> float:
    """One stream over http.client from a server that waits on an event: seconds from the response to its close."""
    release = threading.Event()
    with SSEServer(lambda handler: scenario(handler, release), keep_alive=True) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=WAIT)
        conn.request("POST", "/openai/v1/chat/completions", body=b"{}")
        started = time.monotonic()
        with gs.Stream(conn.getresponse()) as stream:
            read(stream)
        elapsed = time.monotonic() - started
        release.set()
        conn.close()
    return elapsed


def test_http_client_stream_ends_within_the_drain_bound_when_the_body_stays_open() -> None:
    def scenario(handler: Handler, release: threading.Event) -> None:
        handler.start_sse()
        handler.chunk(SAMPLE)
        handler.chunk(b": more after [DONE]\n\n")
        release.wait(WAIT)  # the body never ends while the client drains
        handler.end()

    def read(stream: gs.Stream) -> None:
        assert stream.text() == TEXT

    # The drain gives up after DRAIN_MAX_SECONDS (50 ms); 1 s leaves room for a slow machine.
    assert seconds_until_closed(scenario, read) < 1.0


def test_http_client_early_break_closes_without_reading_the_rest() -> None:
    first = SAMPLE.index(b"\n\n") + 2

    def scenario(handler: Handler, release: threading.Event) -> None:
        handler.start_sse()
        handler.chunk(SAMPLE[:first])
        release.wait(WAIT)
        handler.chunk(SAMPLE[first:])
        handler.end()

    def read(stream: gs.Stream) -> None:
        for _ in stream:
            break

    assert seconds_until_closed(scenario, read) < 1.0


def test_socket_recipe() -> None:
    with RawServer(lambda conn: conn.sendall(SAMPLE)) as server:
        with gs.Stream(socket.create_connection(server.address, timeout=WAIT)) as stream:
            text = stream.text()
    assert text == TEXT
