"""Every real Responses capture (../shared/fixtures/responses) and hand-made fixture, whole, split and byte by byte.

The expected final ``Response`` is derived from the stream's own bytes here,
without groqstream: the terminal event's ``response``; where its ``output``
is empty or null, the items of the ``response.output_item.done`` events by
``output_index``; for a body without a terminal event, the last snapshot
(``response.created``/``.in_progress``) with those items. Each runs sync and
async from one test.
"""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path
from typing import Any, AsyncIterator, Dict, List, Optional, Tuple

import pytest

import groqstream as gs
from tests.helpers import random_cuts

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "fixtures" / "responses"
HANDMADE = Path(__file__).resolve().parent / "fixtures" / "responses"
TERMINAL = ("response.completed", "response.incomplete", "response.failed")

CAPTURES = sorted(SHARED.glob("*.sse")) if SHARED.is_dir() else []
# The body cut mid-item has a provisional item built from deltas: its own test (test_responses.py) says what.
FILES = CAPTURES + [p for p in sorted(HANDMADE.glob("*.sse")) if p.name != "cut-before-terminal.sse"]


def dispatched_payloads(data: bytes) -> List[Dict[str, Any]]:
    """The JSON objects of the events a blank line dispatches, and a last unterminated one that is a whole terminal event."""
    text = data.decode("utf-8").replace("\r\n", "\n")
    blocks = text.split("\n\n")
    tail = blocks.pop()  # after the last blank line: nothing, or an unterminated event
    payloads = []
    for block in [*blocks, tail]:
        lines = [line[5:].lstrip(" ") if line.startswith("data:") else None for line in block.split("\n")]
        data_lines = [line for line in lines if line is not None]
        if not data_lines or data_lines == ["[DONE]"]:
            continue
        try:
            payload = json.loads("\n".join(data_lines))
        except ValueError:
            continue  # the cut tail of a body
        if block is tail and (type(payload) is not dict or payload.get("type") not in TERMINAL):
            continue  # an unterminated event is read only when it is a whole terminal event (unterminated-terminal)
        payloads.append(payload)
    return payloads


def expectation(data: bytes) -> Tuple[Optional[str], Dict[str, Any]]:
    """(the error class name expected, or None; the expected final/partial Response as JSON)."""
    payloads = dispatched_payloads(data)
    snapshot: Dict[str, Any] = {}
    done_items: Dict[int, Any] = {}
    error = None
    for payload in payloads:
        kind = payload["type"]
        if kind == "error":
            error = "StreamAPIError"
        if kind == "response.output_item.done" and payload.get("item") is not None:
            done_items[payload["output_index"]] = payload["item"]
        if kind in TERMINAL or kind in ("response.created", "response.in_progress", "response.queued"):
            snapshot = payload["response"]
        if kind in TERMINAL:
            if kind == "response.failed":
                error = "StreamAPIError"
            if not snapshot.get("output") and done_items:
                snapshot = dict(snapshot, output=[done_items[i] for i in sorted(done_items)])
            return error, snapshot
    snapshot = dict(snapshot, output=[done_items[i] for i in sorted(done_items)])
    return error or "IncompleteStreamError", snapshot


def read_sync(parts: List[bytes]) -> Tuple[Optional[str], Dict[str, Any], List[str]]:
    stream = gs.ResponseStream(iter(parts))
    types: List[str] = []
    try:
        for event in stream:
            types.append(event.type)
        response = stream.final_response()
    except gs.GroqStreamError as exc:
        return type(exc).__name__, exc.response.to_dict(), types  # type: ignore[attr-defined]
    return None, response.to_dict(), types


def read_async(parts: List[bytes]) -> Tuple[Optional[str], Dict[str, Any], List[str]]:
    async def source() -> AsyncIterator[bytes]:
        for part in parts:
            yield part

    async def consume() -> Tuple[Optional[str], Dict[str, Any], List[str]]:
        types: List[str] = []
        async with gs.AsyncResponseStream(source()) as stream:
            try:
                async for event in stream:
                    types.append(event.type)
                response = await stream.final_response()
            except gs.GroqStreamError as exc:
                return type(exc).__name__, exc.response.to_dict(), types  # type: ignore[attr-defined]
            return None, response.to_dict(), types

    return asyncio.run(asyncio.wait_for(consume(), 30))


def _check(path: Path, mode: str, reader: Any) -> None:
    data = path.read_bytes()
    error, expected = expectation(data)
    rng = random.Random(path.name)
    if mode == "whole":
        splits = [[data]]
    elif mode == "random":
        splits = [random_cuts(rng, data, longest) for longest in (7, 300, 5000)]
    else:
        splits = [[data[i : i + 1] for i in range(len(data))]]
    expected_types = [p["type"] for p in dispatched_payloads(data)]
    for parts in splits:
        got_error, got, types = reader(parts)
        assert got_error == error, f"{path.name} ({mode})"
        # Order-sensitive: the final Response's JSON is the terminal event's, key for key.
        assert json.dumps(got) == json.dumps(expected), f"{path.name} ({mode})"
        terminal = next((i for i, t in enumerate(expected_types) if t in TERMINAL), len(expected_types) - 1)
        assert types == expected_types[: terminal + 1]


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
@pytest.mark.parametrize("mode", ["whole", "random", "bytes"])
@pytest.mark.parametrize("reader", [read_sync, read_async], ids=["sync", "async"])
def test_every_capture_gives_the_response_its_own_events_describe(path: Path, mode: str, reader: Any) -> None:
    if mode == "bytes" and reader is read_async and path.stat().st_size > 60000:
        pytest.skip("one byte at a time async: the largest captures run sync (their async splits run above)")
    _check(path, mode, reader)


def test_the_shared_captures_are_there() -> None:
    if not CAPTURES:
        pytest.skip(f"the shared Responses captures are absent ({SHARED}): only the hand-made fixtures ran")
    assert len(CAPTURES) >= 40


# --- semantic events on real captures ------------------------------------------------------------


def semantic(name: str) -> Tuple[List[Any], gs.types.Response]:
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"shared fixture {name} is absent (../shared/fixtures/responses is not in this checkout)")
    stream = gs.ResponseStream(path.read_bytes())
    accumulator = gs.ResponseAccumulator()
    events = [semantic for event in stream for semantic in accumulator.add(event)]
    return events, stream.final_response()


@pytest.mark.parametrize(
    ("name", "list_key"),
    [("xai-grok-code-reasoning-summary.sse", "summary"), ("openrouter-gpt-oss-reasoning-text.sse", "content")],
)
def test_reasoning_deltas_build_the_reasoning_items_text(name: str, list_key: str) -> None:
    # xAI streams reasoning summaries (summary_text), gpt-oss on OpenRouter raw reasoning text (reasoning_text).
    events, final = semantic(name)
    reasoning = [item for item in final.output or () if item.type == "reasoning"]
    parts = getattr(reasoning[0], list_key)
    expected = "".join(part.text or "" for part in parts)
    deltas = [e for e in events if isinstance(e, gs.ReasoningDelta)]
    assert expected and "".join(e.delta for e in deltas) == expected == deltas[-1].snapshot
    assert [e.reasoning for e in events if isinstance(e, gs.ReasoningDone)][-1] == expected


@pytest.mark.parametrize(
    ("name", "item_type", "key"),
    [
        ("openai-mcp-call-o4-mini.sse", "mcp_call", "arguments"),
        ("xai-x-search-custom-tool.sse", "custom_tool_call", "input"),
    ],
)
def test_mcp_and_custom_tool_call_arguments_stream_as_tool_call_events(name: str, item_type: str, key: str) -> None:
    events, final = semantic(name)
    calls = [item for item in final.output or () if item.type == item_type]
    done = [e for e in events if isinstance(e, gs.ToolCallDone)]
    assert calls and [e.tool_call.function.arguments for e in done] == [getattr(c, key) for c in calls]
    assert [e.tool_call.function.name for e in done] == [getattr(c, "name", None) for c in calls]
    for call, finished in zip(calls, done):
        index = (final.output or []).index(call)
        deltas = [e for e in events if isinstance(e, gs.ToolCallArgumentsDelta) and e.tool_index == index]
        assert "".join(e.delta for e in deltas) == getattr(call, key)
        assert deltas[-1].partial == json.loads(getattr(call, key)) == finished.parsed_arguments()
