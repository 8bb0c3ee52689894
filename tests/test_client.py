"""Client against real HTTP servers on 127.0.0.1: requests, status errors, retries, faults, closing, leaks."""

from __future__ import annotations

import gc
import json
import os
import ssl
import sys
import threading
from pathlib import Path
from typing import Any, List

import pytest

import groqstream as gs
from tests.helpers import content_of, strip_capture
from tests.servers import WAIT, Handler, SSEServer, free_port, open_fds

SAMPLE = (Path(gs.__file__).parent / "sample.sse").read_bytes()
SAMPLE_TEXT = gs.Stream(SAMPLE).text()
FIRST_EVENTS = SAMPLE[: SAMPLE.index(b"\n\n", SAMPLE.index(b"\n\n") + 2) + 2]  # two complete events
MESSAGES = [{"role": "user", "content": "Hi"}]


def client(server: SSEServer, **options: Any) -> gs.client.Client:
    options.setdefault("api_key", "gsk_test_secret_key_123")
    options.setdefault("max_retries", 0)
    return gs.client.Client(base_url=server.url, **options)


def send_sample(handler: Handler) -> None:
    handler.send_body(SAMPLE)


# --- the request -------------------------------------------------------------------


def test_chat_stream_posts_streaming_json_with_the_right_headers() -> None:
    with SSEServer(send_sample) as server:
        c = client(server, default_headers={"X-Trace": "t1"})
        with c.chat_stream(model="llama-3.3-70b-versatile", messages=MESSAGES, temperature=0.2) as s:
            assert content_of(s) == SAMPLE_TEXT
    request = server.requests[0]
    assert request["path"] == "/openai/v1/chat/completions"
    assert json.loads(request["body"]) == {
        "temperature": 0.2,
        "stream": True,
        "model": "llama-3.3-70b-versatile",
        "messages": MESSAGES,
    }
    headers = request["headers"]
    assert headers["authorization"] == "Bearer gsk_test_secret_key_123"
    assert headers["accept"] == "text/event-stream"
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"].startswith(f"groqstream/{gs.__version__} ")
    assert headers["x-trace"] == "t1"


def test_api_key_from_the_environment_and_groq_base_url_read_as_the_sdk_reads_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with SSEServer(send_sample) as server:
        host = f"http://127.0.0.1:{server.port}"
        monkeypatch.setenv("GROQ_API_KEY", "gsk_from_env")
        monkeypatch.setenv("GROQ_BASE_URL", host + "/")  # the SDK's meaning: a host, /openai/v1 added
        c = gs.client.Client(max_retries=0)
        assert c.base_url == host + "/openai/v1"
        assert c.chat_stream(model="m", messages=MESSAGES).text() == SAMPLE_TEXT
        monkeypatch.setenv("GROQ_BASE_URL", host + "/openai/v1")  # already the API root: not doubled
        assert gs.client.Client().base_url == host + "/openai/v1"
        # base_url= is the OpenAI-style API root (vLLM, Ollama, OpenRouter...), whatever the environment says
        assert gs.client.Client(base_url=host + "/v1/").base_url == host + "/v1"
    assert server.requests[0]["path"] == "/openai/v1/chat/completions"
    assert server.requests[0]["headers"]["authorization"] == "Bearer gsk_from_env"


def test_a_base_url_that_is_not_http_fails_at_construction() -> None:
    for bad in ("localhost:8000/v1", "ftp://example.com/v1", "http:///v1"):
        with pytest.raises(ValueError, match="not an http:// or https:// URL"):
            gs.client.Client(base_url=bad)


def test_default_base_url_is_groq(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GROQ_BASE_URL", raising=False)
    assert gs.client.Client().base_url == "https://api.groq.com/openai/v1"


def test_default_tls_context_verifies_certificates() -> None:
    context = gs.client.Client()._ssl_context
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


def test_the_api_key_is_in_no_repr_error_or_capture(tmp_path: Path) -> None:
    secret = "gsk_test_secret_key_123"

    def scenario(handler: Handler) -> None:
        if handler.path.endswith("/chat/completions") and b"fail" in handler.server.requests[-1]["body"]:
            handler.send_json(401, {"error": {"message": "Invalid API Key", "type": "invalid_request_error"}})
        else:
            handler.send_body(SAMPLE)

    with SSEServer(scenario) as server:
        c = client(server)
        assert secret not in repr(c) and "api_key=set" in repr(c)
        capture = tmp_path / "capture.sse"
        with open(capture, "wb") as fh:
            c.chat_stream(model="m", messages=MESSAGES, capture=fh).text()
        assert strip_capture(capture.read_bytes()) == SAMPLE
        with pytest.raises(gs.client.AuthenticationError) as info:
            c.chat_stream(model="fail", messages=MESSAGES)
    texts = [str(info.value), repr(info.value), repr(info.value.headers), repr(info.value.body)]
    assert all(secret not in text for text in texts)
    refused = gs.client.Client(base_url=f"http://127.0.0.1:{free_port()}", api_key=secret, max_retries=0)
    with pytest.raises(gs.APIConnectionError) as failed:
        refused.chat_stream(model="m", messages=MESSAGES)
    assert secret not in str(failed.value) and secret not in repr(failed.value.__cause__)


# --- status errors -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, gs.client.BadRequestError),
        (401, gs.client.AuthenticationError),
        (403, gs.client.PermissionDeniedError),
        (404, gs.client.NotFoundError),
        (413, gs.client.RequestTooLargeError),
        (422, gs.client.UnprocessableEntityError),
        (429, gs.client.RateLimitError),
        (500, gs.client.InternalServerError),
        (503, gs.client.InternalServerError),
        (418, gs.APIStatusError),
    ],
)
def test_status_errors_have_their_class_and_the_body_fields(status: int, cls: type) -> None:
    body = {"error": {"message": f"failure {status}", "type": "invalid_request_error", "code": "model_not_found"}}

    def scenario(handler: Handler) -> None:
        handler.send_json(status, body, x_request_id="req_abc", retry_after="7")

    with SSEServer(scenario) as server, pytest.raises(gs.APIStatusError) as info:
        client(server).chat_stream(model="m", messages=MESSAGES)
    error = info.value
    assert type(error) is cls
    assert (error.status_code, error.message, error.type, error.code) == (
        status,
        f"failure {status}",
        "invalid_request_error",
        "model_not_found",
    )
    assert error.request_id == "req_abc" and error.headers["x-request-id"] == "req_abc"
    assert error.body == body["error"]
    assert f"HTTP {status} (request req_abc)" in str(error)
    if cls is gs.client.RateLimitError:
        assert isinstance(error, gs.client.RateLimitError) and error.retry_after == 7.0


def test_non_json_error_body_becomes_the_message() -> None:
    def scenario(handler: Handler) -> None:
        body = b"upstream connect error"
        handler.send_response(502)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    with SSEServer(scenario) as server, pytest.raises(gs.client.InternalServerError) as info:
        client(server).chat_stream(model="m", messages=MESSAGES)
    assert info.value.message == "upstream connect error" and info.value.body == "upstream connect error"


def test_missing_key_401_says_how_to_give_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GROQ_API_KEY", raising=False)

    def scenario(handler: Handler) -> None:
        handler.send_json(401, {"error": {"message": "Invalid API Key"}})

    with SSEServer(scenario) as server, pytest.raises(gs.client.AuthenticationError, match="set GROQ_API_KEY"):
        gs.client.Client(base_url=server.url, max_retries=0).chat_stream(model="m", messages=MESSAGES)
    assert "authorization" not in server.requests[0]["headers"]


def test_a_200_that_is_not_an_event_stream_is_a_clear_error() -> None:
    def scenario(handler: Handler) -> None:
        handler.send_json(200, {"id": "x", "object": "chat.completion", "choices": []})

    with SSEServer(scenario) as server, pytest.raises(gs.client.UnexpectedContentTypeError) as info:
        client(server).chat_stream(model="m", messages=MESSAGES)
    assert info.value.content_type == "application/json" and info.value.body.startswith(b'{"id"')
    assert "expected a text/event-stream response" in str(info.value)


# --- retries -----------------------------------------------------------------------


def retrying_client(server: SSEServer, max_retries: int = 2) -> tuple[gs.client.Client, List[float]]:
    c = client(server, max_retries=max_retries)
    sleeps: List[float] = []
    c._sleep = sleeps.append  # record the backoff instead of sleeping
    return c, sleeps


def test_5xx_and_429_are_retried_then_the_stream_works() -> None:
    def scenario(handler: Handler) -> None:
        attempt = len(handler.server.requests)
        if attempt == 1:
            handler.send_json(503, {"error": {"message": "overloaded"}})
        elif attempt == 2:
            handler.send_json(429, {"error": {"message": "slow down"}}, retry_after="3")
        else:
            handler.send_body(SAMPLE)

    with SSEServer(scenario) as server:
        c, sleeps = retrying_client(server)
        assert c.chat_stream(model="m", messages=MESSAGES).text() == SAMPLE_TEXT
    assert len(server.requests) == 3
    assert 0.25 <= sleeps[0] <= 0.5  # first backoff: 0.5 s with jitter
    assert sleeps[1] == 3.0  # Retry-After wins when longer


def test_retries_stop_after_max_retries_and_raise_the_last_error() -> None:
    def scenario(handler: Handler) -> None:
        handler.send_json(500, {"error": {"message": f"attempt {len(handler.server.requests)}"}})

    with SSEServer(scenario) as server:
        c, sleeps = retrying_client(server, max_retries=2)
        with pytest.raises(gs.client.InternalServerError, match="attempt 3"):
            c.chat_stream(model="m", messages=MESSAGES)
    assert len(server.requests) == 3 and len(sleeps) == 2 and sleeps[1] > sleeps[0] * 0.9


def test_client_errors_are_not_retried() -> None:
    def scenario(handler: Handler) -> None:
        handler.send_json(400, {"error": {"message": "bad"}})

    with SSEServer(scenario) as server:
        c, sleeps = retrying_client(server)
        with pytest.raises(gs.client.BadRequestError):
            c.chat_stream(model="m", messages=MESSAGES)
    assert len(server.requests) == 1 and sleeps == []


def test_connection_refused_is_retried_then_raised() -> None:
    c = gs.client.Client(base_url=f"http://127.0.0.1:{free_port()}", api_key="k", max_retries=2)
    sleeps: List[float] = []
    c._sleep = sleeps.append
    with pytest.raises(gs.APIConnectionError, match="connection refused") as info:
        c.chat_stream(model="m", messages=MESSAGES)
    assert not isinstance(info.value, gs.APITimeoutError)
    assert len(sleeps) == 2 and info.value.chunks_received == 0


def test_nothing_is_retried_once_the_stream_began() -> None:
    def scenario(handler: Handler) -> None:
        handler.start_sse()
        handler.chunk(FIRST_EVENTS)
        handler.reset()

    with SSEServer(scenario) as server:
        c, sleeps = retrying_client(server)
        stream = c.chat_stream(model="m", messages=MESSAGES)
        got = []
        with pytest.raises(gs.APIConnectionError) as info:
            for chunk in stream:
                got.append(chunk)
    assert len(got) == 2 and info.value.chunks_received == 2
    assert len(server.requests) == 1 and sleeps == []


# --- faults mid-stream ---------------------------------------------------------------


def test_server_closing_mid_event_gives_every_complete_chunk_then_incomplete() -> None:
    def scenario(handler: Handler) -> None:
        handler.start_sse()
        handler.chunk(FIRST_EVENTS + b'data: {"id":"chatcmpl-')
        handler.wfile.flush()
        handler.connection.shutdown(2)  # closed mid-body, without the terminating chunk

    with SSEServer(scenario) as server:
        stream = client(server).chat_stream(model="m", messages=MESSAGES)
        got = []
        with pytest.raises(gs.IncompleteStreamError) as info:
            for chunk in stream:
                got.append(chunk)
    assert len(got) == 2 and info.value.chunks_received == 2


def test_stall_past_the_read_timeout_raises_timeout_with_chunks_received() -> None:
    release = threading.Event()

    def scenario(handler: Handler) -> None:
        handler.start_sse()
        handler.chunk(FIRST_EVENTS)
        release.wait(WAIT)  # stall until the test is over

    with SSEServer(scenario) as server:
        stream = client(server, timeout=0.3).chat_stream(model="m", messages=MESSAGES)
        got = []
        with pytest.raises(gs.APITimeoutError) as info:
            for chunk in stream:
                got.append(chunk)
        release.set()
    assert len(got) == 2 and info.value.chunks_received == 2
    assert "timed out while streaming" in str(info.value)


def test_no_response_at_all_times_out_before_the_stream() -> None:
    release = threading.Event()

    def scenario(handler: Handler) -> None:
        release.wait(WAIT)

    with SSEServer(scenario) as server:
        with pytest.raises(gs.APITimeoutError) as info:
            client(server, timeout=0.3).chat_stream(model="m", messages=MESSAGES)
        release.set()
    assert info.value.chunks_received == 0 and "timed out connecting" in str(info.value)


def test_error_event_through_the_client_raises_stream_api_error() -> None:
    error = (
        b'event: error\ndata: {"error":{"message":"tool call failed","code":"tool_use_failed","status_code":400}}\n\n'
    )

    def scenario(handler: Handler) -> None:
        handler.send_body(FIRST_EVENTS + error)

    with SSEServer(scenario) as server:
        stream = client(server).chat_stream(model="m", messages=MESSAGES)
        with pytest.raises(gs.StreamAPIError) as info:
            stream.final_completion()
    assert info.value.code == "tool_use_failed" and info.value.chunks_received == 2
    assert info.value.completion is not None and info.value.completion.choices[0].message.content is not None


# --- closing promptly and leaking nothing --------------------------------------------------


def closing_server(results: List[bool]) -> SSEServer:
    def scenario(handler: Handler) -> None:
        handler.start_sse()
        handler.chunk(FIRST_EVENTS)
        results.append(handler.wait_for_client_close())

    return SSEServer(scenario)


def wait_for(results: List[bool]) -> bool:
    for _ in range(int(WAIT / 0.01)):
        if results:
            return results[0]
        threading.Event().wait(0.01)
    return False


def test_early_break_in_a_with_block_closes_the_connection() -> None:
    results: List[bool] = []
    with closing_server(results) as server:
        with client(server).chat_stream(model="m", messages=MESSAGES) as stream:
            for _ in stream:
                break
        assert wait_for(results)


def test_close_closes_the_connection() -> None:
    results: List[bool] = []
    with closing_server(results) as server:
        stream = client(server).chat_stream(model="m", messages=MESSAGES)
        next(stream)
        stream.close()
        assert wait_for(results)


def test_an_exception_in_the_loop_body_closes_the_connection() -> None:
    results: List[bool] = []
    with closing_server(results) as server:
        with pytest.raises(KeyError), client(server).chat_stream(model="m", messages=MESSAGES) as stream:
            for _ in stream:
                raise KeyError("user code failed")
        assert wait_for(results)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts descriptors in /proc/self/fd")
def test_no_file_descriptor_leaks_over_200_streams() -> None:
    def scenario(handler: Handler) -> None:
        kind = len(handler.server.requests) % 4
        if kind == 0:
            handler.send_body(SAMPLE)
        elif kind == 1:
            handler.start_sse()
            handler.chunk(FIRST_EVENTS)
            handler.reset()
        elif kind == 2:
            handler.send_json(500, {"error": {"message": "no"}})
        else:
            handler.send_body(FIRST_EVENTS)

    with SSEServer(scenario) as server:
        c = client(server)

        def one() -> None:
            try:
                with c.chat_stream(model="m", messages=MESSAGES) as stream:
                    for i, _ in enumerate(stream):
                        if i == 5:
                            break
            except gs.GroqStreamError:
                pass

        one()  # warm up: lazy imports and caches open what they open once
        gc.collect()
        before = list(open_fds())
        for _ in range(200):
            one()
        gc.collect()
        after = list(open_fds())
    assert len(server.requests) == 201
    assert after == before, f"{len(after) - len(before)} descriptors leaked"


def test_capture_records_exactly_the_bytes_received_even_when_cut(tmp_path: Path) -> None:
    def scenario(handler: Handler) -> None:
        handler.start_sse()
        handler.chunk(FIRST_EVENTS)
        handler.chunk(b"data: {partial")
        handler.connection.shutdown(2)

    path = tmp_path / "cut.sse"
    with SSEServer(scenario) as server, open(path, "wb") as fh, pytest.raises(gs.IncompleteStreamError):
        client(server).chat_stream(model="m", messages=MESSAGES, capture=fh).text()
    assert strip_capture(path.read_bytes()) == FIRST_EVENTS + b"data: {partial"


def test_bad_max_retries_is_rejected() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        gs.client.Client(max_retries=-1)


def test_no_environment_needed_to_construct(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GROQ_API_KEY", "GROQ_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    assert "api_key=not set" in repr(gs.client.Client())
    assert os.environ.get("GROQ_API_KEY") is None


# --- TLS --------------------------------------------------------------------------------


@pytest.fixture(scope="session")  # one certificate for the three modules that import this fixture
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: cannot make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = str(folder / "cert.pem"), str(folder / "key.pem")
    subprocess.run(
        # An EC P-256 key: made in milliseconds, where an RSA-2048 one took ~0.4 s (TLS verifies either alike).
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


def tls_server(cert: str, key: str) -> SSEServer:
    server = SSEServer(send_sample)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    return server


def test_tls_is_verified_by_default_and_a_given_context_is_used(self_signed: tuple[str, str]) -> None:
    cert, key = self_signed
    with tls_server(cert, key) as server:
        url = server.url.replace("http://", "https://")
        with pytest.raises(gs.APIConnectionError, match="TLS error") as info:
            gs.client.Client(base_url=url, api_key="k", max_retries=0).chat_stream(model="m", messages=MESSAGES)
        assert "certificate verify failed" in str(info.value).lower() or "CERTIFICATE_VERIFY_FAILED" in str(info.value)
        trusting = ssl.create_default_context(cafile=cert)
        c = gs.client.Client(base_url=url, api_key="k", max_retries=0, ssl_context=trusting)
        assert c.chat_stream(model="m", messages=MESSAGES).text() == SAMPLE_TEXT


@pytest.mark.parametrize(
    ("reason", "kind"),
    [
        (__import__("socket").gaierror(-2, "Name or service not known"), "DNS lookup failed"),
        (ConnectionResetError(104, "Connection reset by peer"), "connection reset"),
        (ssl.SSLError(1, "bad handshake"), "TLS error"),
        (OSError(113, "No route to host"), "connection failed"),
    ],
)
def test_connection_failures_are_named(reason: OSError, kind: str) -> None:
    import urllib.error

    from groqstream.client.sync_client import _connection_error

    error = _connection_error(urllib.error.URLError(reason), "https://api.example/v1")
    assert type(error) is gs.APIConnectionError and str(error).startswith(
        f"{kind} connecting to https://api.example/v1"
    )


# --- the SDK's request options ------------------------------------------------------------------

NO_DONE_UNFINISHED = (
    b'data: {"id":"x","object":"chat.completion.chunk","created":1,"model":"m",'
    b'"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}\n\n'
)


def test_an_unknown_keyword_raises_type_error_naming_it_and_sends_nothing() -> None:
    with SSEServer(send_sample) as server:
        c = client(server)
        for method in (c.chat_stream, c.chat):
            with pytest.raises(
                TypeError, match=r"unexpected keyword argument 'temprature'; did you mean 'temperature'"
            ):
                method(model="m", messages=MESSAGES, temprature=0.3)  # type: ignore[call-arg]
            with pytest.raises(TypeError, match=r"'frobnicate'.*extra_body"):
                method(model="m", messages=MESSAGES, frobnicate=True)  # type: ignore[call-arg]
    assert server.requests == []


def test_named_parameters_extra_body_extra_query_and_default_query_go_where_the_sdk_puts_them() -> None:
    with SSEServer(send_sample) as server:
        c = client(server, default_query={"api-version": "2024-10-21"})
        stream = c.chat_stream(
            model="m",
            messages=MESSAGES,
            temperature=0.3,
            tools=[{"type": "function", "function": {"name": "f"}}],
            stream_options={"include_usage": True},
            extra_body={"temperature": 0.9, "top_k": 40},
            extra_query={"trace": "1"},
        )
        stream.text()
    request = server.requests[0]
    assert request["path"] == "/openai/v1/chat/completions?api-version=2024-10-21&trace=1"
    body = json.loads(request["body"])
    assert body["temperature"] == 0.9 and body["top_k"] == 40  # extra_body wins, as in the SDK
    assert body["stream_options"] == {"include_usage": True} and body["tools"][0]["function"]["name"] == "f"
    assert body["stream"] is True


def test_extra_headers_add_override_and_remove_headers_per_request() -> None:
    with SSEServer(send_sample) as server:
        c = client(server, default_headers={"X-Team": "a", "User-Agent": "my-app/1"})
        c.chat_stream(model="m", messages=MESSAGES, extra_headers={"x-team": "b", "X-Extra": "1"}).text()
        c.chat_stream(
            model="m", messages=MESSAGES, extra_headers={"Authorization": "Bearer other", "X-Team": None}
        ).text()
    first, second = (request["headers"] for request in server.requests)
    assert first["x-team"] == "b" and first["x-extra"] == "1" and first["user-agent"] == "my-app/1"
    assert first["authorization"] == "Bearer gsk_test_secret_key_123"
    assert second["authorization"] == "Bearer other" and "x-team" not in second


def test_stream_options_reach_the_stream_and_never_the_body() -> None:
    with SSEServer(lambda handler: handler.send_body(NO_DONE_UNFINISHED)) as server:
        c = client(server)
        with pytest.raises(gs.IncompleteStreamError):
            c.chat_stream(model="m", messages=MESSAGES).text()
        assert c.chat_stream(model="m", messages=MESSAGES, require_done=False).text() == "Hi"
        with pytest.raises(gs.SSEProtocolError):
            c.chat_stream(model="m", messages=MESSAGES, max_event_bytes=16).text()
        stream = c.chat_stream(model="m", messages=MESSAGES, accumulate=False, strict=True)
        with pytest.raises(gs.IncompleteStreamError):
            list(stream)
    for request in server.requests:
        assert set(json.loads(request["body"])) == {"model", "messages", "stream"}


def test_a_per_request_timeout_replaces_the_clients() -> None:
    def scenario(handler: Handler) -> None:
        handler.start_sse()
        handler.chunk(FIRST_EVENTS)
        handler.wait_for_client_close(timeout=WAIT)

    with SSEServer(scenario) as server:
        c = client(server, timeout=WAIT)
        started = __import__("time").monotonic()
        with pytest.raises(gs.APITimeoutError, match="while streaming"):
            c.chat_stream(model="m", messages=MESSAGES, timeout=0.3).text()
        assert __import__("time").monotonic() - started < WAIT / 2


def test_408_409_are_retried_and_x_should_retry_overrides_the_status() -> None:
    statuses = iter([408, 409, 200, 400, 200, 503])

    def scenario(handler: Handler) -> None:
        status = next(statuses)
        if status == 200:
            handler.send_body(SAMPLE)
        elif status == 400:
            handler.send_json(400, {"error": {"message": "try again"}}, x_should_retry="true")
        elif status == 503:
            handler.send_json(503, {"error": {"message": "do not"}}, x_should_retry="false")
        else:
            handler.send_json(status, {"error": {"message": str(status)}})

    with SSEServer(scenario) as server:
        c, sleeps = retrying_client(server, max_retries=2)
        assert c.chat_stream(model="m", messages=MESSAGES).text() == SAMPLE_TEXT  # 408, 409, then 200
        assert c.chat_stream(model="m", messages=MESSAGES).text() == SAMPLE_TEXT  # 400 + x-should-retry: true
        with pytest.raises(gs.client.InternalServerError, match="do not"):
            c.chat_stream(model="m", messages=MESSAGES)
    assert len(server.requests) == 6 and len(sleeps) == 3


def test_retry_after_ms_is_read_first() -> None:
    statuses = iter([429, 200])

    def scenario(handler: Handler) -> None:
        if next(statuses) == 429:
            handler.send_json(429, {"error": {"message": "slow"}}, retry_after_ms="2500", retry_after="1")
        else:
            handler.send_body(SAMPLE)

    with SSEServer(scenario) as server:
        c, sleeps = retrying_client(server, max_retries=1)
        c.chat_stream(model="m", messages=MESSAGES).text()
    assert sleeps == [2.5]


# --- non-streaming calls and response metadata ----------------------------------------------------

GROQ_COMPLETION = {
    "id": "chatcmpl-9",
    "object": "chat.completion",
    "created": 1730000000,
    "model": "llama-3.3-70b-versatile",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "Hello there."}, "logprobs": None, "finish_reason": "stop"}
    ],
    "usage": {"queue_time": 0.01, "prompt_tokens": 9, "prompt_time": 0.001, "completion_tokens": 3,
              "completion_time": 0.002, "total_tokens": 12, "total_time": 0.003},
    "system_fingerprint": "fp_1",
    "x_groq": {"id": "req_01", "usage": {"dram_cached_tokens": 0, "sram_cached_tokens": 0}},
    "service_tier": "on_demand",
}  # fmt: skip


def test_chat_returns_a_typed_completion_with_its_response() -> None:
    def scenario(handler: Handler) -> None:
        handler.send_json(200, GROQ_COMPLETION, x_request_id="req_01", x_ratelimit_remaining_tokens="5999")

    with SSEServer(scenario) as server:
        c = client(server)
        completion = c.chat(model="llama-3.3-70b-versatile", messages=MESSAGES, seed=1)
    assert isinstance(completion, gs.ChatCompletion)
    assert completion.choices[0].message.content == "Hello there."
    assert completion.usage is not None and completion.usage.total_tokens == 12
    assert completion.x_groq is not None and completion.x_groq.id == "req_01"
    assert completion.to_dict() == GROQ_COMPLETION  # the response does not leak into the wire form
    response = completion.response
    assert response is not None and response.status_code == 200 and response.request_id == "req_01"
    assert response.headers["X-RateLimit-Remaining-Tokens"] == "5999"  # case-insensitive
    assert response.url == server.url + "/chat/completions"
    body = json.loads(server.requests[0]["body"])
    assert body == {"model": "llama-3.3-70b-versatile", "messages": MESSAGES, "seed": 1, "stream": False}
    assert server.requests[0]["headers"]["accept"] == "application/json"


def test_chat_reads_leniently_records_deviations_and_refuses_what_is_no_completion() -> None:
    lenient = {k: v for k, v in GROQ_COMPLETION.items() if k not in ("object", "id")}
    bodies = iter([lenient, lenient, [1, 2]])

    def scenario(handler: Handler) -> None:
        handler.send_json(200, next(bodies))

    with SSEServer(scenario) as server:
        c = client(server)
        deviations: List[gs.Deviation] = []
        completion = c.chat(model="m", messages=MESSAGES, deviations=deviations)
        assert completion.id == "" and {d.path for d in deviations} == {"id", "object"}
        with pytest.raises(gs.ChunkDecodeError, match="id"):
            c.chat(model="m", messages=MESSAGES, strict=True)
        with pytest.raises(gs.ChunkDecodeError, match="a JSON list, not an object"):
            c.chat(model="m", messages=MESSAGES)


def test_chat_has_the_same_status_errors_and_retries() -> None:
    statuses = iter([503, 200, 404])

    def scenario(handler: Handler) -> None:
        status = next(statuses)
        if status == 200:
            handler.send_json(200, GROQ_COMPLETION)
        else:
            handler.send_json(status, {"error": {"message": f"status {status}"}}, x_request_id=f"r{status}")

    with SSEServer(scenario) as server:
        c, sleeps = retrying_client(server, max_retries=1)
        assert c.chat(model="m", messages=MESSAGES).id == "chatcmpl-9"
        with pytest.raises(gs.client.NotFoundError) as info:
            c.chat(model="m", messages=MESSAGES)
    assert len(sleeps) == 1
    assert info.value.response is not None and info.value.response.status_code == 404
    assert info.value.response.request_id == "r404" == info.value.request_id


def test_stream_response_and_its_final_completion_carry_the_response() -> None:
    def scenario(handler: Handler) -> None:
        handler.start_sse(x_request_id="req_s", X_Custom="a")
        handler.chunk(SAMPLE)
        handler.end()

    with SSEServer(scenario) as server:
        with client(server).chat_stream(model="m", messages=MESSAGES) as stream:
            assert stream.response is not None
            assert stream.response.status_code == 200 and stream.response.request_id == "req_s"
            assert stream.response.headers.get("x-custom") == "a" and "X-CUSTOM" in stream.response.headers
            completion = stream.final_completion()
    assert completion.response is stream.response
    assert gs.Stream(SAMPLE).final_completion().response is None


def test_unexpected_content_type_error_has_the_response() -> None:
    with SSEServer(lambda handler: handler.send_json(200, GROQ_COMPLETION, x_request_id="r1")) as server:
        with pytest.raises(gs.client.UnexpectedContentTypeError) as info:
            client(server).chat_stream(model="m", messages=MESSAGES)
    assert info.value.response is not None and info.value.response.request_id == "r1"


def test_headers_are_case_insensitive_and_keep_repeated_values() -> None:
    headers = gs.client.Headers([("Set-Cookie", "a=1"), ("set-cookie", "b=2"), ("X-Request-Id", "r")])
    assert headers["SET-COOKIE"] == "a=1, b=2" and headers.get_list("Set-Cookie") == ["a=1", "b=2"]
    assert list(headers) == ["set-cookie", "x-request-id"] and len(headers) == 2 and "x-REQUEST-id" in headers
    assert gs.client.Response(200, headers, "http://x/v1").request_id == "r"
