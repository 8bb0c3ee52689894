"""Client.responses_stream / responses and AsyncClient's, against real servers on 127.0.0.1 (issue #27).

The servers serve real Responses bodies (``../shared/fixtures/responses``, when present) and the hand-made
ones (``tests/fixtures/responses``); what a client streams must be what ``gs.ResponseStream`` reads from the
same bytes (the parsing itself is tested in test_responses.py and test_responses_captures.py). Each case runs
with ``Client`` and ``AsyncClient``.
"""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path
from typing import Any, Dict, List, NamedTuple, Optional

import pytest

import groqstream as gs
from groqstream.tools.capture import messages_digest
from tests.helpers import strip_capture
from tests.servers import WAIT, Handler, SSEServer

KEY = "gsk_test_secret_key_123"
KINDS = ["sync", "async"]
HANDMADE = Path(__file__).resolve().parent / "fixtures" / "responses"
SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures" / "responses"
TEXT = HANDMADE / "rotating-item-ids.sse"  # a short stream that ends in response.completed
TEXT_BODY = TEXT.read_bytes()

# A whole (non-streaming) Response, as OpenAI sends it for "stream": false.
RESPONSE: Dict[str, Any] = {
    "id": "resp_1",
    "object": "response",
    "created_at": 1700000000,
    "status": "completed",
    "model": "openai/gpt-oss-20b",
    "output": [
        {"type": "reasoning", "id": "rs_1", "summary": [], "content": [{"type": "reasoning_text", "text": "Hm."}]},
        {
            "type": "message",
            "id": "msg_1",
            "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": "Hello.", "annotations": [], "logprobs": []}],
        },
    ],
    "usage": {"input_tokens": 5, "output_tokens": 3, "total_tokens": 8},
    "error": None,
    "incomplete_details": None,
    "x_groq": {"id": "req_1"},
}


def fixture_paths() -> List[Path]:
    shared = sorted(SHARED.glob("*.sse")) if SHARED.is_dir() else []
    return sorted(HANDMADE.glob("*.sse")) + shared


class Outcome(NamedTuple):
    """What reading a Responses stream gave: the events, the final Response or the error (with its response)."""

    events: List[Dict[str, Any]]
    final: Optional[Dict[str, Any]]
    error: Optional[str]
    error_response: Optional[Dict[str, Any]]


def _outcome(events: List[Any], final: Any, error: Optional[BaseException]) -> Outcome:
    partial = getattr(error, "response", None)
    return Outcome(
        [event.to_dict() for event in events],
        final.to_dict() if final is not None else None,
        f"{type(error).__name__}: {error}" if error is not None else None,
        partial.to_dict() if partial is not None else None,
    )


def consume(stream: gs.ResponseStream) -> Outcome:
    events: List[Any] = []
    with stream:
        try:
            for event in stream:
                events.append(event)
            return _outcome(events, stream.final_response(), None)
        except gs.GroqStreamError as exc:
            return _outcome(events, None, exc)


async def aconsume(stream: gs.AsyncResponseStream) -> Outcome:
    events: List[Any] = []
    async with stream:
        try:
            async for event in stream:
                events.append(event)
            return _outcome(events, await stream.final_response(), None)
        except gs.GroqStreamError as exc:
            return _outcome(events, None, exc)


def make_client(kind: str, server: SSEServer, **options: Any) -> Any:
    options.setdefault("api_key", KEY)
    options.setdefault("max_retries", 0)
    options.setdefault("timeout", WAIT)
    cls = gs.client.Client if kind == "sync" else gs.client.AsyncClient
    return cls(base_url=server.url, **options)


def run(coroutine: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coroutine, WAIT * 3))


def stream_through(kind: str, server: SSEServer, requests: List[Dict[str, Any]], **options: Any) -> List[Outcome]:
    """Each request's ``responses_stream`` read to its end, on one client of *kind* (kept-alive connections)."""
    if kind == "sync":
        with make_client(kind, server, **options) as c:
            return [consume(c.responses_stream(**request)) for request in requests]

    async def main() -> List[Outcome]:
        async with make_client(kind, server, **options) as c:
            return [await aconsume(await c.responses_stream(**request)) for request in requests]

    result: List[Outcome] = run(main())
    return result


def call(kind: str, server: SSEServer, method: str, **request: Any) -> Any:
    """``client.<method>(**request)`` on a fresh client of *kind*: its result (an error propagates)."""
    options = request.pop("client_options", {})
    if kind == "sync":
        with make_client(kind, server, **options) as c:
            return getattr(c, method)(**request)

    async def main() -> Any:
        async with make_client(kind, server, **options) as c:
            return await getattr(c, method)(**request)

    return run(main())


def send_text(handler: Handler) -> None:
    handler.send_body(TEXT_BODY)


# --- the request -------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_responses_stream_posts_the_model_input_params_and_stream_true_to_base_url_responses(kind: str) -> None:
    with SSEServer(send_text) as server:
        (outcome,) = stream_through(
            kind,
            server,
            [
                dict(
                    model="openai/gpt-oss-20b",
                    input=[{"role": "user", "content": "Hi"}],
                    instructions="Be brief.",
                    max_output_tokens=64,
                    reasoning={"effort": "low"},
                    tools=[],
                    store=None,
                    extra_body={"temperature": 0.5},
                    extra_headers={"X-Trace": "t1"},
                    extra_query={"q": "a"},
                )
            ],
        )
    assert outcome.final is not None
    request = server.requests[0]
    assert request["path"] == "/openai/v1/responses?q=a"  # Groq's /openai/v1 + /responses
    assert json.loads(request["body"]) == {
        "model": "openai/gpt-oss-20b",
        "input": [{"role": "user", "content": "Hi"}],
        "instructions": "Be brief.",
        "max_output_tokens": 64,
        "reasoning": {"effort": "low"},
        "tools": [],
        "store": None,
        "stream": True,
        "temperature": 0.5,
    }
    headers = request["headers"]
    assert headers["authorization"] == f"Bearer {KEY}"
    assert headers["accept"] == "text/event-stream"
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"].startswith(f"groqstream/{gs.__version__} ")
    assert headers["x-trace"] == "t1"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("method", ["responses_stream", "responses"])
def test_an_unknown_parameter_is_a_type_error_and_nothing_is_sent(kind: str, method: str) -> None:
    with SSEServer(send_text) as server:
        with pytest.raises(TypeError, match=rf"^{method}\(\) got an unexpected keyword argument 'max_tokens'"):
            call(kind, server, method, model="m", input="Hi", max_tokens=5)
        with pytest.raises(TypeError, match="did you mean 'instructions'"):
            call(kind, server, method, model="m", input="Hi", instruction="x")
        with pytest.raises(TypeError, match="'messages'"):  # the chat name: Responses takes input=
            call(kind, server, method, model="m", input="Hi", messages=[])
    assert server.requests == []


def test_the_chat_methods_still_refuse_a_responses_parameter() -> None:
    c = gs.client.Client(api_key=KEY, base_url="http://127.0.0.1:9/v1")
    with pytest.raises(TypeError, match="'max_output_tokens'"):
        c.chat_stream(model="m", messages=[], max_output_tokens=5)  # type: ignore[call-arg]


# --- the stream ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_every_capture_streams_the_events_and_final_response_the_bytes_give(kind: str) -> None:
    paths = {path.name: path.read_bytes() for path in fixture_paths()}

    def scenario(handler: Handler) -> None:
        handler.send_body(paths[json.loads(handler.server.requests[-1]["body"])["input"]], pieces=5)

    with SSEServer(scenario, keep_alive=True) as server:
        outcomes = stream_through(kind, server, [dict(model="m", input=name) for name in paths])
    # A stream that ended normally gave its connection back; one that ended in an error may have closed it.
    assert server.accepts <= 1 + sum(outcome.error is not None for outcome in outcomes)
    kinds = set()
    for name, outcome in zip(paths, outcomes):
        assert outcome == consume(gs.ResponseStream(paths[name])), name
        kinds.add(outcome.error.split(":")[0] if outcome.error else "ok")
    assert {"ok", "StreamAPIError", "IncompleteStreamError"} <= kinds  # every ending went through a client
    if not SHARED.is_dir():
        pytest.skip(f"the shared Responses captures are absent ({SHARED}): only the hand-made fixtures ran")


@pytest.mark.parametrize("kind", KINDS)
def test_error_then_failed_raises_stream_api_error_carrying_the_final_response(kind: str) -> None:
    body = (HANDMADE / "error-then-failed.sse").read_bytes()
    with SSEServer(lambda handler: handler.send_body(body)) as server:
        (outcome,) = stream_through(kind, server, [dict(model="m", input="Hi")])
    assert outcome.error is not None and outcome.error.startswith("StreamAPIError: ")
    assert "The model crashed." in outcome.error
    assert outcome.error_response is not None and outcome.error_response["status"] == "failed"
    assert outcome.events[-1]["type"] == "response.failed"  # read on to the terminal event first


@pytest.mark.parametrize("kind", KINDS)
def test_the_stream_has_its_http_response_and_the_stream_options_apply(kind: str) -> None:
    body = (HANDMADE / "sequence-gaps.sse").read_bytes()

    def scenario(handler: Handler) -> None:
        handler.start_sse(X_Request_Id="req_9")
        handler.chunk(body)
        handler.end()

    async def amain(server: SSEServer) -> Any:
        async with make_client(kind, server) as c:
            stream = await c.responses_stream(model="m", input="Hi", strict=True)
            async with stream:
                with pytest.raises(gs.ChunkDecodeError, match="sequence_number"):
                    await stream.final_response()
            return stream

    with SSEServer(scenario) as server:
        if kind == "sync":
            with make_client(kind, server) as c, c.responses_stream(model="m", input="Hi", strict=True) as stream:
                with pytest.raises(gs.ChunkDecodeError, match="sequence_number"):
                    stream.final_response()
        else:
            stream = run(amain(server))
    assert isinstance(stream, gs.ResponseStream if kind == "sync" else gs.AsyncResponseStream)
    http = stream.response
    assert http is not None and http.status_code == 200 and http.request_id == "req_9"


@pytest.mark.parametrize("kind", KINDS)
def test_a_stall_mid_stream_is_a_timeout_that_counts_events(kind: str) -> None:
    first_two = _events(TEXT_BODY, 2)

    def scenario(handler: Handler) -> None:
        handler.start_sse()
        handler.chunk(first_two)
        handler.wait_for_client_close(timeout=5.0)  # stalls until the client gives up

    with SSEServer(scenario) as server:
        (outcome,) = stream_through(kind, server, [dict(model="m", input="Hi")], timeout=0.3)
    assert len(outcome.events) == 2
    assert outcome.error is not None and outcome.error.startswith("APITimeoutError: timed out while streaming")
    assert outcome.error.endswith("after 2 events")
    assert KEY not in outcome.error


def _events(body: bytes, n: int) -> bytes:
    """The first *n* events of *body* (skipping a leading comment block), each with its blank line."""
    blocks = [block for block in body.split(b"\n\n") if block and not block.startswith(b":")]
    return b"".join(block + b"\n\n" for block in blocks[:n])


# --- before the stream: retries and errors ---------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_429_and_5xx_are_retried_before_the_stream_as_for_chat(kind: str) -> None:
    statuses = iter([503, 429, 200])

    def scenario(handler: Handler) -> None:
        status = next(statuses)
        if status == 503:
            handler.send_json(503, {"error": {"message": "overloaded"}})
        elif status == 429:
            handler.send_json(429, {"error": {"message": "slow down"}}, retry_after="3")
        else:
            handler.send_body(TEXT_BODY)

    sleeps: List[float] = []

    async def asleep(delay: float) -> None:
        sleeps.append(delay)

    with SSEServer(scenario) as server:
        c = make_client(kind, server, max_retries=2)
        c._sleep = sleeps.append if kind == "sync" else asleep  # record the backoff instead of sleeping
        if kind == "sync":
            outcome = consume(c.responses_stream(model="m", input="Hi"))
        else:
            outcome = run(_astream(c, model="m", input="Hi"))
    assert outcome == consume(gs.ResponseStream(TEXT_BODY))
    assert len(server.requests) == 3 and all(r["path"] == "/openai/v1/responses" for r in server.requests)
    assert 0.25 <= sleeps[0] <= 0.5 and sleeps[1] == 3.0  # the backoff, then Retry-After


async def _astream(c: Any, **request: Any) -> Outcome:
    async with c:
        return await aconsume(await c.responses_stream(**request))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("method", ["responses_stream", "responses"])
def test_a_status_error_is_its_typed_subclass_with_the_servers_message(kind: str, method: str) -> None:
    def scenario(handler: Handler) -> None:
        handler.send_json(400, {"error": {"message": "input is required", "type": "invalid_request_error"}})

    with SSEServer(scenario) as server:
        with pytest.raises(gs.client.BadRequestError, match="input is required") as info:
            call(kind, server, method, model="m", input="", client_options={"max_retries": 2})
    assert info.value.status_code == 400 and KEY not in str(info.value)
    assert len(server.requests) == 1  # a 400 is not retried


@pytest.mark.parametrize("kind", KINDS)
def test_a_2xx_that_is_not_an_event_stream_is_refused_with_its_start(kind: str) -> None:
    with SSEServer(lambda handler: handler.send_json(200, RESPONSE)) as server:
        with pytest.raises(gs.client.UnexpectedContentTypeError, match="application/json") as info:
            call(kind, server, "responses_stream", model="m", input="Hi")
    assert info.value.body.startswith(b'{"id": "resp_1"')


# --- capture -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_capture_records_the_responses_stream_with_the_digest_of_its_input(kind: str) -> None:
    capture = io.BytesIO()
    source = [{"role": "user", "content": "Hi"}]
    with SSEServer(send_text) as server:
        (outcome,) = stream_through(kind, server, [dict(model="gpt-x", input=source, capture=capture)])
    assert outcome.final is not None
    recorded = capture.getvalue()
    header = recorded.split(b"\n", 1)[0].decode()
    assert header.startswith(": groqstream-capture ") and "gpt-x" in header
    assert messages_digest(source) in header
    assert strip_capture(recorded) == TEXT_BODY
    assert consume(gs.ResponseStream(recorded)) == outcome  # a capture replays as the stream read


# --- responses(): non-streaming --------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_responses_returns_the_typed_response_of_a_stream_false_request(kind: str) -> None:
    with SSEServer(lambda handler: handler.send_json(200, RESPONSE)) as server:
        response = call(kind, server, "responses", model="m", input="Hi", temperature=0.0, text={"verbosity": "low"})
    assert isinstance(response, gs.types.Response)
    assert response.to_dict() == RESPONSE and response.extra == {"x_groq": {"id": "req_1"}}
    assert response.output_text == "Hello." and response.usage is not None and response.usage.total_tokens == 8
    request = server.requests[0]
    assert request["path"] == "/openai/v1/responses"
    assert request["headers"]["accept"] == "application/json"
    assert json.loads(request["body"]) == {
        "model": "m",
        "input": "Hi",
        "temperature": 0.0,
        "text": {"verbosity": "low"},
        "stream": False,
    }


@pytest.mark.parametrize("kind", KINDS)
def test_responses_is_lenient_as_chat_is_and_refuses_what_is_not_a_response(kind: str) -> None:
    odd = {"id": "resp_2", "status": "incomplete", "output": [{"type": "brand_new_item", "id": "x_1"}], "new": 1}

    def scenario(handler: Handler) -> None:
        body = handler.server.requests[-1]["body"]
        if b'"input": "list"' in body:
            handler.send_json(200, [RESPONSE])
        elif b'"input": "typed"' in body:
            handler.send_json(200, {"id": 5, "output": []})
        else:
            handler.send_json(200, odd)

    with SSEServer(scenario) as server:
        response = call(kind, server, "responses", model="m", input="odd")
        assert response.to_dict() == odd and response.output[0].type == "brand_new_item"
        with pytest.raises(gs.ChunkDecodeError, match="a JSON list, not an object"):
            call(kind, server, "responses", model="m", input="list")
        with pytest.raises(gs.ChunkDecodeError) as info:
            call(kind, server, "responses", model="m", input="typed")
    assert info.value.path == "id"


@pytest.mark.parametrize("kind", KINDS)
def test_responses_is_retried_on_5xx_then_returns(kind: str) -> None:
    statuses = iter([500, 200])

    def scenario(handler: Handler) -> None:
        if next(statuses) == 500:
            handler.send_json(500, {"error": {"message": "oops"}}, retry_after_ms="0")
        else:
            handler.send_json(200, RESPONSE)

    with SSEServer(scenario) as server:
        response = call(kind, server, "responses", model="m", input="Hi", client_options={"max_retries": 1})
    assert response.id == "resp_1" and len(server.requests) == 2
