"""What is measured: groqstream and its peers at each layer, and pure-Python floors.

Each target is a function from the reads of a stream (a list of bytes) to a
result that ``run.py`` compares across targets before timing anything, so no
target is measured doing less work than another. Peers are optional: a target
whose library is missing is reported, not an error.
"""

from __future__ import annotations

import importlib.util
import json
from typing import Any, Callable, Dict, List, Optional, Tuple

import groqstream as gs

Events = List[Tuple[str, str]]  # (event type, data)
Typed = Tuple[str, Optional[int]]  # (all delta.content, usage.total_tokens)


def available(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


# --- events layer -----------------------------------------------------------------------


def events_groqstream(pieces: List[bytes]) -> Events:
    return [(e.event, e.data) for e in gs.iter_events(pieces)]


def events_groq(pieces: List[bytes]) -> Events:
    from groq._streaming import SSEDecoder

    return [(e.event or "message", e.data) for e in SSEDecoder().iter_bytes(iter(pieces))]


def events_openai(pieces: List[bytes]) -> Events:
    from openai._streaming import SSEDecoder

    return [(e.event or "message", e.data) for e in SSEDecoder().iter_bytes(iter(pieces))]


def events_httpx_sse(pieces: List[bytes]) -> Events:
    import httpx
    from httpx_sse import EventSource

    response = httpx.Response(200, headers={"content-type": "text/event-stream"}, content=iter(pieces))
    return [(e.event, e.data) for e in EventSource(response).iter_sse()]


def events_sseclient(pieces: List[bytes]) -> Events:
    import sseclient

    return [(e.event, e.data) for e in sseclient.SSEClient(iter(pieces)).events()]


EVENT_TARGETS: Dict[str, Tuple[Optional[str], Callable[[List[bytes]], Events]]] = {
    "groqstream.iter_events": (None, events_groqstream),
    "groq SDK SSEDecoder": ("groq", events_groq),
    "openai SDK SSEDecoder": ("openai", events_openai),
    "httpx-sse EventSource": ("httpx_sse", events_httpx_sse),
    "sseclient-py": ("sseclient", events_sseclient),
}


# --- typed layer -------------------------------------------------------------------------


def _read_typed(chunks: Any) -> Typed:
    text: List[str] = []
    total = None
    for chunk in chunks:
        for choice in chunk.choices:
            if choice.delta.content:
                text.append(choice.delta.content)
        if chunk.usage is not None:
            total = chunk.usage.total_tokens
    return "".join(text), total


def typed_groqstream(pieces: List[bytes]) -> Typed:
    with gs.Stream(pieces, accumulate=False) as stream:
        return _read_typed(stream)


def typed_groqstream_accumulating(pieces: List[bytes]) -> Typed:
    with gs.Stream(pieces) as stream:
        return _read_typed(stream)


def _mock_client(pieces: List[bytes]) -> Any:
    import httpx

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=iter(pieces))

    return httpx.Client(transport=httpx.MockTransport(handler))


def typed_groqstream_httpx(pieces: List[bytes]) -> Typed:
    url = "http://bench.invalid/v1/chat/completions"
    with (
        _mock_client(pieces) as client,
        client.stream("POST", url) as response,
        gs.Stream(response.iter_bytes(), accumulate=False) as stream,
    ):
        return _read_typed(stream)


def typed_groq(pieces: List[bytes]) -> Typed:
    import groq

    with _mock_client(pieces) as http:
        client = groq.Groq(api_key="bench", base_url="http://bench.invalid", http_client=http, max_retries=0)
        stream = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}], stream=True)
        return _read_typed(stream)


def typed_openai(pieces: List[bytes]) -> Typed:
    import openai

    with _mock_client(pieces) as http:
        client = openai.OpenAI(api_key="bench", base_url="http://bench.invalid/v1", http_client=http, max_retries=0)
        stream = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}], stream=True)
        return _read_typed(stream)


TYPED_TARGETS: Dict[str, Tuple[Optional[str], Callable[[List[bytes]], Typed]]] = {
    "groqstream.Stream": (None, typed_groqstream),
    "groqstream.Stream (accumulating)": (None, typed_groqstream_accumulating),
    "groqstream.Stream via httpx MockTransport": ("httpx", typed_groqstream_httpx),
    "groq SDK Stream (MockTransport)": ("groq", typed_groq),
    "openai SDK Stream (MockTransport)": ("openai", typed_openai),
}


# --- accumulation ----------------------------------------------------------------------------


def accumulate_groqstream(pieces: List[bytes]) -> Typed:
    completion = gs.accumulate(gs.Stream(pieces, accumulate=False))
    text = "".join(c.message.content or "" for c in completion.choices)
    return text, completion.usage.total_tokens if completion.usage else None


# --- floors: what pure Python costs at the least ------------------------------------------------


def floor_split(data: bytes) -> int:
    return len(data.split(b"\n\n")) - 1


def floor_split_decode(data: bytes) -> int:
    return len([part.decode("utf-8") for part in data.split(b"\n\n")[:-1]])


def floor_split_json(data: bytes) -> int:
    return len([json.loads(part[6:]) for part in data.split(b"\n\n")[:-1] if part != b"data: [DONE]"])
