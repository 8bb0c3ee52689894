"""Real Groq captures (../shared/fixtures/captures): counts, error forms, Groq-specific fields."""

from __future__ import annotations

from typing import List, Optional

import pytest

import groqstream as gs
from tests.helpers import CAPTURES, content_of, requires_captures, run_stream

pytestmark = requires_captures

MODES = ["sync", "async"]


def read(name: str) -> bytes:
    return (CAPTURES / f"{name}.sse").read_bytes()


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("name", "count", "finish"),
    [
        ("groq-gpt-oss-120b-tool-call-usage", 25, "tool_calls"),
        ("groq-gpt-oss-120b-reasoning-content-usage", 50, "stop"),
        ("groq-compound-executed-tools-usage-breakdown", 226, "stop"),
        ("groq-deepseek-r1-parsed-reasoning", 1506, "stop"),
    ],
)
def test_normal_captures_parse_to_the_documented_chunk_counts(mode: str, name: str, count: int, finish: str) -> None:
    chunks, error = run_stream(mode, [read(name)])
    assert error is None
    assert len(chunks) == count
    assert chunks[-1].choices[0].finish_reason == finish


@pytest.mark.parametrize("mode", MODES)
def test_midstream_error_event_raises_after_every_chunk(mode: str) -> None:
    chunks, error = run_stream(mode, [read("groq-gpt-oss-120b-midstream-error-event")])
    assert len(chunks) == 94
    assert isinstance(error, gs.StreamAPIError)
    assert error.code == "tool_use_failed"
    assert error.type == "invalid_request_error"
    assert error.status_code == 400
    assert error.message.startswith("Tool call validation failed")
    assert error.failed_generation is not None and "get_something_by_name" in error.failed_generation
    assert error.chunks_received == 94
    assert isinstance(error.body, dict) and error.body["code"] == "tool_use_failed"
    assert error.event is not None and error.event.event == "error"


@pytest.mark.parametrize("mode", MODES)
def test_error_after_content_keeps_the_streamed_content(mode: str) -> None:
    chunks, error = run_stream(mode, [read("groq-gpt-oss-120b-error-after-content")])
    assert isinstance(error, gs.StreamAPIError)
    assert error.message == "Tool choice is required, but model did not call a tool"
    assert content_of(chunks) != ""
    assert error.chunks_received == len(chunks)


def test_tool_call_arrives_whole_with_both_usage_forms() -> None:
    chunks = list(gs.Stream(read("groq-gpt-oss-120b-tool-call-usage")))
    calls = [call for ch in chunks for call in ch.choices[0].delta.tool_calls or []]
    assert len(calls) == 1
    call = calls[0]
    assert call.id is not None and call.id.startswith("fc_")
    assert call.type == "function"
    assert call.function is not None and call.function.name == "get_something_by_name"
    assert call.function.arguments == '{"name":"example"}'
    last = chunks[-1]
    assert last.usage is not None and last.x_groq is not None and last.x_groq.usage is not None
    assert last.usage == last.x_groq.usage
    assert last.usage.completion_tokens_details is not None
    assert last.usage.completion_tokens_details.reasoning_tokens == 23


def test_gpt_oss_channel_is_kept_in_delta_extra() -> None:
    chunks = list(gs.Stream(read("groq-gpt-oss-120b-reasoning-content-usage")))
    channels = {c.choices[0].delta.extra.get("channel") for c in chunks if c.choices}
    assert "analysis" in channels
    reasoning = "".join(c.choices[0].delta.reasoning or "" for c in chunks if c.choices)
    assert reasoning and content_of(chunks)


def test_compound_stream_keeps_changing_ids_executed_tools_and_usage_breakdown() -> None:
    chunks = list(gs.Stream(read("groq-compound-executed-tools-usage-breakdown")))
    assert len({c.id for c in chunks}) > 100
    assert chunks[-1].id == "stub"
    assert chunks[0].system_fingerprint is None
    executed = [t for c in chunks for t in c.choices[0].delta.executed_tools or []]
    assert len(executed) == 2 and {t.index for t in executed} == {0}
    assert executed[0].type == "search" and executed[0].output is None
    assert executed[1].output is not None and "San Francisco" in executed[1].output
    x_groq: Optional[gs.types.XGroq] = chunks[-1].x_groq
    assert x_groq is not None and x_groq.id is None
    assert x_groq.usage is not None and x_groq.usage.total_tokens == 5362
    assert x_groq.usage_breakdown is not None and len(x_groq.usage_breakdown.models) == 4
    assert chunks[-1].usage is None
    assert "°" in content_of(chunks)


def test_long_reasoning_stream_has_first_and_last_x_groq() -> None:
    chunks: List[gs.ChatCompletionChunk] = list(gs.Stream(read("groq-deepseek-r1-parsed-reasoning")))
    assert chunks[0].x_groq is not None and chunks[0].x_groq.id == "req_01k5csb6ydetnt62dq1g7btwsq"
    assert chunks[-1].x_groq is not None and chunks[-1].x_groq.usage is not None
    assert sum(1 for c in chunks if c.choices and c.choices[0].delta.reasoning) == 782
