"""Bodies that are no event stream, and HTTP responses with an error status, handed to Stream/AsyncStream.

The usual mistake: a 401 response (its body a JSON error) passed whole to
``gs.Stream``. The library names what it got, in the CLI's words (one shared
function, ``core.sniff``), instead of "stream ended without
[DONE] ... bytes of an unterminated event were discarded". Every case runs
sync and async; the HTTP cases go through real loopback servers and real
clients (httpx, requests and aiohttp are skipped when not installed).
"""

from __future__ import annotations

import asyncio
import gzip
import http.client
import importlib.util
import json
import random
import urllib.error
import urllib.request
from typing import Any, List, Optional

import pytest

import groqstream as gs
from groqstream.core.sniff import not_a_stream
from tests.helpers import run_stream
from tests.servers import WAIT, Handler, SSEServer

MODES = ["sync", "async"]

ERROR_BODY = json.dumps(
    {"error": {"message": "Invalid API Key", "type": "invalid_request_error", "code": "invalid_api_key"}}
).encode()
HTML = b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>\n"
CHUNK = b'data: {"id":"a","object":"chat.completion.chunk","created":1,"model":"m","choices":[]}\n\n'


def installed(name: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(importlib.util.find_spec(name) is None, reason=f"{name} is not installed (optional)")


def all_pieces(body: bytes) -> List[List[bytes]]:
    """The body whole and one byte at a time: what it is named does not depend on how it was read."""
    return [[body], [body[i : i + 1] for i in range(len(body))]]


# --- bodies -------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_json_error_body_raises_stream_api_error_with_the_servers_message_type_and_code(mode: str) -> None:
    for pieces in all_pieces(ERROR_BODY):
        chunks, error = run_stream(mode, pieces)
        assert chunks == []
        assert isinstance(error, gs.StreamAPIError), error
        assert (error.message, error.type, error.code) == (
            "Invalid API Key",
            "invalid_request_error",
            "invalid_api_key",
        )
        assert error.body == json.loads(ERROR_BODY)["error"]
        assert "Invalid API Key" in str(error) and "not an event stream" in str(error)
        assert "unterminated" not in str(error)


BODIES = {
    "html": HTML,
    "gzip": gzip.compress(CHUNK * 3 + b"data: [DONE]\n\n"),
    "binary": bytes(random.Random(7).randrange(256) for _ in range(300)),
    "json-document": json.dumps({"id": "x", "object": "chat.completion", "choices": []}).encode(),
    "plain-text": b"upstream connect error or disconnect/reset before headers\n",
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", sorted(BODIES))
def test_a_body_that_is_no_event_stream_is_named_as_the_cli_names_it(name: str, mode: str) -> None:
    body = BODIES[name]
    what = not_a_stream(body, complete=True)
    assert what is not None
    for pieces in all_pieces(body):
        chunks, error = run_stream(mode, pieces)
        assert chunks == []
        assert isinstance(error, gs.IncompleteStreamError), error
        assert error.looks_like == what
        assert str(error).startswith(f"the input is {what}")
        assert "unterminated" not in str(error)


def test_the_cli_and_the_library_share_one_sniffing_function() -> None:
    from groqstream.tools import report as _report

    assert _report.not_a_stream is not_a_stream


# The "binary" body (seeded random bytes: no NUL, few control bytes) is named text without an SSE line.
KINDS = {"html": "html", "gzip": "gzip", "binary": "text", "json-document": "json", "plain-text": "text"}


@pytest.mark.parametrize("name", sorted(BODIES))
def test_sniffing_returns_a_kind_beside_the_message_the_cli_prints(name: str) -> None:
    from groqstream.core.sniff import sniff

    found = sniff(BODIES[name], complete=True)
    assert found is not None
    assert found.kind == KINDS[name]
    assert found.message == not_a_stream(BODIES[name], complete=True)


def test_sniffing_names_a_json_error_and_an_empty_input_by_kind() -> None:
    from groqstream.core.sniff import sniff

    error = sniff(ERROR_BODY, complete=True)
    assert error is not None and error.kind == "json-error"
    assert error.message.startswith("a JSON error response, not an event stream: ")
    empty = sniff(b"", complete=True)
    assert empty is not None and (empty.kind, empty.message) == ("empty", "empty: no bytes at all")
    assert sniff(b"", complete=False) is None and sniff(CHUNK, complete=True) is None


@pytest.mark.parametrize("mode", MODES)
def test_a_json_error_body_is_raised_by_its_kind_not_by_the_wording_of_its_message(
    mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The CLI's wording may change; whether Stream raises the server's error must not depend on it.
    from groqstream.core import sniff as _sniff

    sniff = _sniff.sniff

    def reworded(head: bytes, *, complete: bool) -> Optional[_sniff.NotAStream]:
        found = sniff(head, complete=complete)
        return None if found is None else _sniff.NotAStream(found.kind, "an API's JSON error (reworded)")

    monkeypatch.setattr(_sniff, "sniff", reworded)
    chunks, error = run_stream(mode, [ERROR_BODY])
    assert chunks == [] and isinstance(error, gs.StreamAPIError) and error.code == "invalid_api_key", error


@pytest.mark.parametrize("mode", MODES)
def test_a_real_stream_cut_short_is_still_a_plain_truncation(mode: str) -> None:
    chunks, error = run_stream(mode, [CHUNK, b'data: {"id":"a","obj'])
    assert len(chunks) == 1
    assert isinstance(error, gs.IncompleteStreamError)
    assert error.looks_like is None
    assert "unterminated event" in str(error)


@pytest.mark.parametrize("mode", MODES)
def test_a_stream_of_comments_only_is_no_body_of_another_kind(mode: str) -> None:
    # Keep-alive comments and then the end: an event stream that never sent an event, not "text".
    chunks, error = run_stream(mode, [b": keep-alive\n\n", b": keep-alive\n\n"])
    assert chunks == []
    assert isinstance(error, gs.IncompleteStreamError) and error.looks_like is None


# --- HTTP responses with an error status -------------------------------------------------------


def json_error(status: int) -> Any:
    def scenario(handler: Handler) -> None:
        handler.send_json(status, json.loads(ERROR_BODY), x_request_id="req_123")

    return scenario


def html_error(handler: Handler) -> None:
    handler.send_response(502)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", str(len(HTML)))
    handler.end_headers()
    handler.wfile.write(HTML)


def check_status_error(error: Optional[BaseException], status: int, cls: type) -> None:
    assert isinstance(error, cls), repr(error)
    assert isinstance(error, gs.APIStatusError)
    assert error.status_code == status
    assert error.message == "Invalid API Key"
    assert (error.type, error.code, error.request_id) == ("invalid_request_error", "invalid_api_key", "req_123")
    assert str(error).startswith(f"HTTP {status}")


def consume(stream: gs.Stream) -> Optional[BaseException]:
    try:
        with stream:
            for _ in stream:
                pass
    except gs.GroqStreamError as exc:
        return exc
    return None


async def aconsume(stream: gs.AsyncStream) -> Optional[BaseException]:
    try:
        async with stream:
            async for _ in stream:
                pass
    except gs.GroqStreamError as exc:
        return exc
    return None


def test_an_http_client_response_with_401_says_so_before_reading_it_as_a_stream() -> None:
    with SSEServer(json_error(401)) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=WAIT)
        try:
            conn.request("POST", "/openai/v1/chat/completions", body=b"{}")
            response = conn.getresponse()
            stream = gs.Stream(response)
            error = consume(stream)
            check_status_error(error, 401, gs.client.AuthenticationError)
            assert response.isclosed()  # the stream closed its source, as for any error
        finally:
            conn.close()


def test_an_http_client_response_with_502_and_an_html_page_is_an_internal_server_error() -> None:
    with SSEServer(html_error) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=WAIT)
        try:
            conn.request("POST", "/openai/v1/chat/completions", body=b"{}")
            error = consume(gs.Stream(conn.getresponse()))
        finally:
            conn.close()
    assert isinstance(error, gs.client.InternalServerError) and error.status_code == 502
    assert "502 Bad Gateway" in error.message


def test_a_urllib_http_error_passed_to_stream_says_its_status() -> None:
    with SSEServer(json_error(401)) as server:
        request = urllib.request.Request(server.url + "/chat/completions", data=b"{}", method="POST")
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request, timeout=WAIT)
        error = consume(gs.Stream(caught.value))
    check_status_error(error, 401, gs.client.AuthenticationError)


def test_a_success_status_is_read_as_a_stream() -> None:
    def scenario(handler: Handler) -> None:
        handler.send_body(CHUNK + b"data: [DONE]\n\n")

    with SSEServer(scenario) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=WAIT)
        try:
            conn.request("POST", "/openai/v1/chat/completions", body=b"{}")
            assert len(list(gs.Stream(conn.getresponse()))) == 1
        finally:
            conn.close()


@installed("httpx")
def test_an_httpx_response_with_401_says_so() -> None:
    import httpx

    with SSEServer(json_error(401)) as server, httpx.Client(timeout=WAIT) as client:
        with client.stream("POST", server.url + "/chat/completions", json={}) as response:
            error = consume(gs.Stream(response))
    check_status_error(error, 401, gs.client.AuthenticationError)


@installed("httpx")
def test_an_async_httpx_response_with_429_says_so() -> None:
    import httpx

    async def main() -> Optional[BaseException]:
        async with httpx.AsyncClient(timeout=WAIT) as client:
            async with client.stream("POST", server.url + "/chat/completions", json={}) as response:
                return await aconsume(gs.AsyncStream(response))

    with SSEServer(json_error(429)) as server:
        error = asyncio.run(main())
    check_status_error(error, 429, gs.client.RateLimitError)


@installed("requests")
def test_a_requests_response_with_401_says_so() -> None:
    import requests

    with SSEServer(json_error(401)) as server, requests.Session() as session:
        with session.post(server.url + "/chat/completions", json={}, stream=True, timeout=WAIT) as response:
            error = consume(gs.Stream(response))
    check_status_error(error, 401, gs.client.AuthenticationError)


@installed("aiohttp")
def test_an_aiohttp_response_with_500_says_so() -> None:
    import aiohttp

    async def main() -> Optional[BaseException]:
        async with aiohttp.ClientSession() as session:
            async with session.post(server.url + "/chat/completions", json={}) as response:
                return await aconsume(gs.AsyncStream(response))

    with SSEServer(json_error(500)) as server:
        error = asyncio.run(main())
    check_status_error(error, 500, gs.client.InternalServerError)


def test_a_hostile_error_body_is_read_only_so_far() -> None:
    # A 500 whose body never ends: the message comes from the first bytes, and the stream does not hang.
    def scenario(handler: Handler) -> None:
        handler.start_sse(500, content_type="text/plain")
        for _ in range(1000):
            handler.chunk(b"x" * 4096)

    with SSEServer(scenario) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=WAIT)
        try:
            conn.request("POST", "/openai/v1/chat/completions", body=b"{}")
            error = consume(gs.Stream(conn.getresponse()))
        finally:
            conn.close()
    assert isinstance(error, gs.client.InternalServerError)
    assert len(error.message) <= 1000


@pytest.mark.parametrize("mode", MODES)
def test_a_json_error_body_raises_even_when_any_end_is_accepted(mode: str) -> None:
    # require_done=False accepts a stream cut anywhere; a body that is an error is still an error.
    chunks, error = run_stream(mode, [ERROR_BODY], require_done=False)
    assert isinstance(error, gs.StreamAPIError) and error.code == "invalid_api_key"
    chunks, error = run_stream(mode, [HTML], require_done=False)
    assert (chunks, error) == ([], None)


@pytest.mark.parametrize("body", [b'{"error": null, "note": "fine"}', b'[{"error": "x"}]', b'{"error": {"message": '])
def test_json_that_only_mentions_error_is_named_not_raised_as_the_servers_error(body: bytes) -> None:
    chunks, error = run_stream("sync", [body])
    assert chunks == []
    assert isinstance(error, gs.IncompleteStreamError) and error.looks_like is not None
    assert error.looks_like.startswith("a JSON error response, not an event stream")


def test_only_the_start_is_kept_and_only_until_the_first_event() -> None:
    from groqstream.core.pipeline import HEAD_BYTES

    stream = gs.Stream(iter([CHUNK, CHUNK, b"data: [DONE]\n\n"]))
    next(stream)
    next(stream)
    assert len(stream._decoder._head) == 0  # a real stream lets go of it at its first event
    stream = gs.Stream(iter([HTML * 100] * 10))
    with pytest.raises(gs.IncompleteStreamError) as caught:
        next(stream)
    assert len(stream._decoder._head) == HEAD_BYTES
    assert caught.value.looks_like is not None and caught.value.looks_like.startswith("an HTML page")
