"""The clients' policy (``client/policy.py``) on its own: every decision made without a socket or a sleep.

``Client`` and ``AsyncClient`` only drive it (their own I/O, their own sleep); the tests against real servers
are in test_client.py, test_async_client.py and test_client_safety.py. Here each decision is checked directly,
once, for both clients.
"""

from __future__ import annotations

import random
import ssl
from typing import Any

import pytest

import groqstream as gs
from groqstream.client import policy
from groqstream.client.http import Headers, Response

URL = "http://alice:pw@127.0.0.1:9/v1"
CONTEXT = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # made once: the default one loads the CA store (~0.1 s)


def client(kind: str = "sync", **options: Any) -> Any:
    options.setdefault("api_key", "gsk_key")
    options.setdefault("base_url", URL)
    options.setdefault("ssl_context", CONTEXT)
    return (gs.client.Client if kind == "sync" else gs.client.AsyncClient)(**options)


def build(c: Any, endpoint: policy.Endpoint = policy.CHAT, params: Any = None, **options: Any) -> policy.Request:
    fields = {"model": "m", "messages": [{"role": "user", "content": "Hi"}]}
    if endpoint is policy.RESPONSES:
        fields = {"model": "m", "input": "Hi"}
    arguments: Any = dict(
        fields=fields, stream=True, extra_headers=None, extra_query=None, extra_body=None, timeout=policy.NOT_GIVEN,
    )  # fmt: skip
    arguments.update(options)
    request: policy.Request = c._build(endpoint, "a_method", dict(params or {}), **arguments)
    return request


def response(status: int, **headers: str) -> Response:
    return Response(status, Headers([(name.replace("_", "-"), value) for name, value in headers.items()]), "u")


@pytest.mark.parametrize(
    "name", ["_build", "_retry_delay", "_after_failure", "_after_status", "_completion", "_response"]
)
def test_both_clients_take_each_decision_from_the_one_policy(name: str) -> None:
    assert getattr(gs.client.Client, name) is getattr(policy._ClientBase, name)
    assert getattr(gs.client.AsyncClient, name) is getattr(policy._ClientBase, name)


def test_the_request_carries_the_key_the_merged_headers_and_the_masked_url() -> None:
    c = client(default_headers={"x-team": "a", "User-Agent": "mine"}, default_query={"api-key": "s3cr3t"})
    request = build(c, extra_headers={"X-Team": "b", "Accept": None}, extra_query={"q": "a b"}, timeout=3.0)
    assert request.headers["Authorization"] == "Bearer gsk_key"
    assert request.headers["X-Team"] == "b" and "x-team" not in request.headers  # names case-insensitive
    assert "Accept" not in request.headers and request.headers["User-Agent"] == "mine"
    assert request.url == "http://***@127.0.0.1:9/v1/chat/completions?api-key=***&q=a+b"
    assert request.target == "/v1/chat/completions?api-key=s3cr3t&q=a+b"  # the real one goes on the wire
    assert request.timeout == 3.0 and build(c).timeout == c.timeout


def test_no_retry_is_left_after_max_retries_and_none_for_a_client_error() -> None:
    c = client(max_retries=2)
    assert c._retry_delay(0, None) is not None and c._retry_delay(1, None) is not None
    assert c._retry_delay(2, None) is None
    for status in (400, 401, 403, 404, 422):
        assert c._retry_delay(0, response(status).headers, status) is None
    for status in (408, 409, 429, 500, 503):
        assert c._retry_delay(0, response(status).headers, status) is not None


def test_the_backoff_doubles_with_jitter_and_is_capped() -> None:
    c = client(max_retries=10)
    random.seed(7)
    for attempt in range(8):
        delay = c._retry_delay(attempt, None)
        assert delay is not None
        full = min(8.0, 0.5 * 2.0**attempt)
        assert full * 0.5 <= delay <= full


def test_x_should_retry_overrides_the_status_and_retry_after_is_honoured_up_to_a_minute() -> None:
    c = client(max_retries=1)
    assert c._retry_delay(0, response(400, x_should_retry="true").headers, 400) is not None
    assert c._retry_delay(0, response(500, x_should_retry="false").headers, 500) is None
    assert c._retry_delay(0, response(429, retry_after="5").headers, 429) == 5.0
    assert c._retry_delay(0, response(429, retry_after="3600").headers, 429) == 60.0
    assert c._retry_delay(0, response(429, retry_after_ms="0").headers, 429) == 0.0


def test_after_a_failure_the_error_names_the_masked_url_and_keeps_the_cause() -> None:
    c = client(max_retries=0)
    request = build(c)
    cause = ConnectionRefusedError(111, "refused")
    retry = c._after_failure(request, 0, cause)
    assert retry.delay is None and retry.error.__cause__ is cause
    with pytest.raises(gs.APIConnectionError, match=r"^connection refused connecting to http://\*\*\*@127"):
        retry.delay_or_raise()
    assert c._after_failure(request, 0, TimeoutError()).error.__class__ is gs.APITimeoutError


def test_after_a_status_the_error_is_its_subclass_and_the_delay_the_servers() -> None:
    c = client(max_retries=1, api_key=None)
    c.api_key = None
    retry = c._after_status(build(c), 0, response(429, retry_after="2"), b'{"error": {"message": "slow down"}}')
    assert isinstance(retry.error, gs.client.RateLimitError) and retry.error.retry_after == 2.0
    assert retry.delay_or_raise() == 2.0
    missing = c._after_status(build(c), 0, response(401), b"{}")
    assert "no API key was given" in str(missing.error) and missing.delay is None


def test_a_completion_body_over_the_limit_or_not_an_object_is_an_error() -> None:
    c = client()
    request = build(c, stream=False)
    options: Any = dict(strict=False, deviations=None)
    with pytest.raises(gs.APIConnectionError, match="larger than"):
        c._completion(request, b" " * (policy.MAX_COMPLETION_BODY + 1), response(200), **options)
    with pytest.raises(gs.ChunkDecodeError, match="a JSON list, not an object"):
        c._completion(request, b"[]", response(200), **options)
    with pytest.raises(gs.ChunkDecodeError, match="recursion limit"):
        c._completion(request, b"[" * 50_000, response(200), **options)


def test_an_unread_body_is_an_error_only_for_a_completion() -> None:
    request = build(client())
    assert policy._ClientBase._unread(request, TimeoutError(), whole=False) == b""
    with pytest.raises(gs.APITimeoutError, match="while reading the response of"):
        policy._ClientBase._unread(request, TimeoutError(), whole=True)
