"""The Responses stream's rules (docs/responses.md), one test each, on the hand-made fixtures and inline bodies."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
from pathlib import Path
from typing import Any, Dict, List

import pytest

import groqstream as gs
from groqstream.core.responses import RESPONSE_DEVIATION_RULES
from groqstream.types import (
    Response,
    ResponseFunctionToolCall,
    ResponseOutputItem,
    ResponseOutputMessage,
    ResponseStreamEvent,
    ResponseTextDeltaEvent,
)

HANDMADE = Path(__file__).resolve().parent / "fixtures" / "responses"


def body(*events: Dict[str, Any], names: bool = True) -> bytes:
    out = ""
    for event in events:
        out += (f"event: {event['type']}\n" if names else "") + "data: " + json.dumps(event) + "\n\n"
    return out.encode()


def response(status: str = "completed", output: Any = (), **more: Any) -> Dict[str, Any]:
    listed = None if output is None else list(output)
    return {"id": "resp_1", "object": "response", "status": status, "model": "m", "output": listed, **more}


MESSAGE = {
    "id": "msg_1",
    "type": "message",
    "status": "completed",
    "role": "assistant",
    "content": [{"type": "output_text", "text": "Hi", "annotations": []}],
}


def fixture(name: str) -> bytes:
    return (HANDMADE / name).read_bytes()


def rules(stream: Any) -> List[str]:
    return [d.rule for d in stream.deviations]


# --- types -----------------------------------------------------------------------------


def test_every_event_has_type_sequence_number_and_its_exact_json() -> None:
    data = {"type": "response.output_text.delta", "item_id": "m", "output_index": 0, "content_index": 0}
    data.update({"delta": "x", "logprobs": [], "obfuscation": "pad", "sequence_number": 3})
    event = ResponseStreamEvent.from_dict(data)
    assert isinstance(event, ResponseTextDeltaEvent)
    assert (event.type, event.sequence_number, event.delta, event.extra) == (
        data["type"],
        3,
        "x",
        {"obfuscation": "pad"},
    )
    assert json.dumps(event.to_dict()) == json.dumps(data)


def test_sequence_number_is_none_when_absent() -> None:
    event = ResponseStreamEvent.from_dict({"type": "response.in_progress", "response": response("in_progress")})
    assert event.sequence_number is None
    assert "sequence_number" not in event.to_dict()


def test_an_unknown_event_type_is_a_generic_event_never_refused() -> None:
    with gs.ResponseStream(fixture("unknown-event-type.sse")) as stream:
        events = list(stream)
        final = stream.final_response()
    unknown = [e for e in events if e.type.startswith("response.apply_patch_call_operation_diff")]
    assert [type(e) for e in unknown] == [ResponseStreamEvent, ResponseStreamEvent]
    assert unknown[0].extra["delta"] == "@@ -1 +1 @@" and unknown[0].sequence_number == 2
    assert type(final.output[1]) is ResponseOutputItem  # type: ignore[index]
    assert final.output[1].extra == {"status": "completed", "beam": 2}  # type: ignore[index]


def test_a_value_of_the_wrong_type_names_its_path() -> None:
    data = body({"type": "response.output_text.delta", "output_index": "zero", "delta": "x"})
    with pytest.raises(gs.ChunkDecodeError) as info:
        list(gs.ResponseStream(data))
    assert info.value.path == "output_index"
    assert "event #0" in str(info.value)


def test_output_text_is_computed_as_the_sdk_does() -> None:
    two = dict(MESSAGE, content=[{"type": "output_text", "text": "a"}, {"type": "refusal", "refusal": "no"}])
    final = Response.from_dict(response(output=[two, {"type": "function_call"}, MESSAGE]))
    assert final.output_text == "aHi"
    assert isinstance(final.output[0], ResponseOutputMessage)  # type: ignore[index]
    assert isinstance(final.output[1], ResponseFunctionToolCall)  # type: ignore[index]


# --- items by output_index ----------------------------------------------------------------


def test_rotating_item_ids_build_one_item_by_output_index() -> None:
    with gs.ResponseStream(fixture("rotating-item-ids.sse")) as stream:
        final = stream.final_response()
    assert [item.id for item in final.output or ()] == ["msg_rot9"]
    assert final.output_text == "One two."


def test_an_item_without_output_item_added_is_built_from_its_events() -> None:
    stream = gs.ResponseStream(fixture("missing-output-item-added.sse"))
    assert stream.final_response().output_text == "Hello"
    assert rules(stream) == ["missing-item-added", "missing-part-added"]


def test_a_null_item_is_ignored_and_recorded() -> None:
    stream = gs.ResponseStream(fixture("null-item.sse"))
    assert stream.final_response().output_text == "Hi"
    assert rules(stream) == ["null-item"]


def test_a_gap_in_output_index_is_no_error() -> None:
    data = body(
        {"type": "response.output_item.added", "output_index": 3, "item": dict(MESSAGE, content=[])},
        {"type": "response.output_text.delta", "output_index": 3, "content_index": 0, "delta": "Hi"},
        {"type": "response.completed", "response": response(output=[])},
    )
    stream = gs.ResponseStream(data)
    assert stream.final_response().output_text == "Hi"


# --- what supersedes what --------------------------------------------------------------------


def test_the_terminal_output_supersedes_what_the_events_built() -> None:
    data = body(
        {"type": "response.output_item.added", "output_index": 0, "item": dict(MESSAGE, content=[])},
        {"type": "response.output_text.delta", "output_index": 0, "content_index": 0, "delta": "draft"},
        {"type": "response.completed", "response": response(output=[MESSAGE])},
    )
    assert gs.ResponseStream(data).final_response().output_text == "Hi"


def test_an_empty_terminal_output_keeps_the_streamed_items_as_a_deviation() -> None:
    stream = gs.ResponseStream(fixture("completed-empty-output.sse"))
    final = stream.final_response()
    assert [item.type for item in final.output or ()] == ["function_call", "message"]
    assert final.usage is not None and final.usage.total_tokens == 8
    assert rules(stream) == ["empty-terminal-output"]


def test_the_added_form_is_provisional_and_done_replaces_it() -> None:
    added = {"type": "function_call", "id": "fc", "call_id": "c", "name": "f", "arguments": "", "status": "in_progress"}
    done = dict(added, arguments="{}", status="completed", encrypted="z")
    data = body(
        {"type": "response.output_item.added", "output_index": 0, "item": added},
        {"type": "response.output_item.done", "output_index": 0, "item": done},
        {"type": "response.completed", "response": response(output=None)},
    )
    stream = gs.ResponseStream(data)
    assert stream.final_response().output[0].to_dict() == done  # type: ignore[index]
    assert stream.notes == []


def test_a_call_id_that_changes_between_added_and_done_is_a_note_not_an_error() -> None:
    stream = gs.ResponseStream(fixture("call-id-changed.sse"))
    final = stream.final_response()
    assert final.output[0].call_id == "call_B"  # type: ignore[index, union-attr]
    assert [(n.rule, n.path) for n in stream.notes] == [("call-id-changed", "output[0].call_id")]
    assert stream.deviations == []


def test_text_the_deltas_built_differently_from_done_is_a_note() -> None:
    data = body(
        {"type": "response.output_item.added", "output_index": 0, "item": dict(MESSAGE, content=[])},
        {"type": "response.content_part.added", "output_index": 0, "content_index": 0, "part": {"type": "output_text"}},
        {"type": "response.output_text.delta", "output_index": 0, "content_index": 0, "delta": "X"},
        {"type": "response.output_text.done", "output_index": 0, "content_index": 0, "text": "Real"},
    )
    stream = gs.ResponseStream(data)
    with pytest.raises(gs.IncompleteStreamError) as info:
        stream.final_response()
    assert info.value.response.output_text == "Real"  # type: ignore[attr-defined]
    assert [n.rule for n in stream.notes] == ["text-changed"]


def test_obfuscation_padding_never_reaches_the_final_response() -> None:
    stream = gs.ResponseStream(fixture("call-id-changed.sse"))
    events = list(stream)
    assert any("obfuscation" in e.extra for e in events)
    assert "obfuscation" not in json.dumps(stream.final_response().to_dict())


# --- endings --------------------------------------------------------------------------------


def test_completed_and_incomplete_end_normally() -> None:
    data = body(
        {
            "type": "response.incomplete",
            "response": response("incomplete", [MESSAGE], incomplete_details={"reason": "max_output_tokens"}),
        }
    )
    final = gs.ResponseStream(data).final_response()
    assert final.status == "incomplete" and final.incomplete_details.reason == "max_output_tokens"  # type: ignore[union-attr]


def test_an_error_then_failed_raises_after_reading_on_carrying_the_final_response() -> None:
    stream = gs.ResponseStream(fixture("error-then-failed.sse"))
    seen = []
    with pytest.raises(gs.StreamAPIError) as info:
        for event in stream:
            seen.append(event.type)
    assert seen[-2:] == ["error", "response.failed"]  # read on to the terminal event, then raised
    assert (info.value.message, info.value.code) == ("The model crashed.", "server_error")
    assert info.value.response.status == "failed"  # type: ignore[attr-defined]


def test_a_flat_error_event_as_the_sdk_types_it_raises_too() -> None:
    data = body(
        {"type": "error", "code": "rate_limit", "message": "Slow down", "param": None},
        {"type": "response.failed", "response": response("failed")},
    )
    with pytest.raises(gs.StreamAPIError) as info:
        gs.ResponseStream(data).final_response()
    assert (info.value.message, info.value.code) == ("Slow down", "rate_limit")


def test_response_failed_alone_raises_with_its_error() -> None:
    data = body({"type": "response.failed", "response": response("failed", error={"code": "x", "message": "bad"})})
    with pytest.raises(gs.StreamAPIError, match="bad"):
        gs.ResponseStream(data).final_response()


def test_a_body_cut_before_the_terminal_event_carries_the_partial_response() -> None:
    stream = gs.ResponseStream(fixture("cut-before-terminal.sse"))
    with pytest.raises(gs.IncompleteStreamError, match="without a terminal event") as info:
        stream.final_response()
    partial = info.value.response  # type: ignore[attr-defined]
    assert partial.status == "in_progress" and partial.output_text == "Partial answer"
    assert info.value.pending_bytes


def test_a_resumed_stream_may_begin_at_in_progress() -> None:
    stream = gs.ResponseStream(fixture("resumed-in-progress.sse"))
    assert stream.final_response().output_text == "Resumed."
    assert stream.deviations == []
    assert stream.last_sequence_number == 12


def test_done_marker_after_the_terminal_event_is_accepted_and_before_it_is_a_cut() -> None:
    end = body({"type": "response.completed", "response": response(output=[MESSAGE])}, names=False)
    assert gs.ResponseStream(end + b"data: [DONE]\n\n").final_response().output_text == "Hi"
    with pytest.raises(gs.IncompleteStreamError):
        gs.ResponseStream(b"data: [DONE]\n\n").final_response()


def test_a_whole_terminal_event_without_its_blank_line_ends_the_stream_as_a_deviation() -> None:
    # openai-gpt4o-mini-text.sse: a complete response.completed missing only its blank line (as chat reads an
    # unterminated "data: [DONE]"). Every split, sync and async: the end comes at flush, after the last read.
    start = body({"type": "response.created", "sequence_number": 0, "response": response("in_progress")})
    completed = {"type": "response.completed", "sequence_number": 1, "response": response(output=[MESSAGE])}
    data = start + f"event: response.completed\ndata: {json.dumps(completed)}\n".encode()
    for parts in ([data], [data[i : i + 1] for i in range(len(data))]):
        stream = gs.ResponseStream(iter(parts))
        assert [event.type for event in stream] == ["response.created", "response.completed"]
        assert stream.final_response().output_text == "Hi" and stream.last_sequence_number == 1
        assert [(d.rule, d.event_index) for d in stream.deviations] == [("unterminated-terminal", 1)]

    async def read_async() -> str:
        async def source() -> Any:
            yield data

        async with gs.AsyncResponseStream(source()) as stream:
            return (await stream.final_response()).output_text or ""

    assert asyncio.run(asyncio.wait_for(read_async(), 10)) == "Hi"
    assert "unterminated-terminal" in RESPONSE_DEVIATION_RULES
    with pytest.raises(gs.ChunkDecodeError, match="unterminated-terminal"):
        gs.ResponseStream(data, strict=True).final_response()


def test_an_unterminated_failed_event_is_yielded_then_raised() -> None:
    failed = {
        "type": "response.failed",
        "response": response("failed", error={"code": "server_error", "message": "boom"}),
    }
    stream = gs.ResponseStream(f"data: {json.dumps(failed)}".encode())
    seen: List[str] = []
    with pytest.raises(gs.StreamAPIError, match="boom") as info:
        for event in stream:
            seen.append(event.type)
    assert seen == ["response.failed"]
    assert info.value.response.status == "failed"  # type: ignore[attr-defined]


def test_an_unterminated_last_event_that_is_no_whole_terminal_event_is_still_a_cut() -> None:
    start = body({"type": "response.created", "response": response("in_progress")})
    completed = json.dumps({"type": "response.completed", "response": response(output=[MESSAGE])})
    delta = json.dumps({"type": "response.output_text.delta", "output_index": 0, "content_index": 0, "delta": "x"})
    for tail in (f"data: {delta}\n", f"data: {completed[:-5]}\n", f"data: {completed}"[:-1]):
        with pytest.raises(gs.IncompleteStreamError, match="without a terminal event") as info:
            gs.ResponseStream(start + tail.encode()).final_response()
        assert info.value.pending_bytes


# --- sequence numbers and event names ---------------------------------------------------------


def test_sequence_gaps_duplicates_and_regressions_are_recorded() -> None:
    stream = gs.ResponseStream(fixture("sequence-gaps.sse"))
    stream.final_response()
    sequence = [d for d in stream.deviations if d.path == "sequence_number"]
    assert [(d.rule, d.count) for d in sequence] == [
        ("sequence-gap", 2),
        ("sequence-duplicate", 1),
        ("sequence-regression", 1),
    ]
    assert stream.last_sequence_number == 10


def test_data_without_event_lines_is_read_by_its_type() -> None:
    data = body({"type": "response.completed", "response": response(output=[MESSAGE])}, names=False)
    stream = gs.ResponseStream(data)
    assert stream.final_response().output_text == "Hi" and stream.deviations == []


def test_a_mismatching_event_name_is_recorded_and_the_data_wins() -> None:
    data = b'event: response.done\ndata: {"type": "response.completed", "response": {"output": []}}\n\n'
    stream = gs.ResponseStream(data)
    assert stream.final_response().output == []
    assert [(d.rule, d.path) for d in stream.deviations] == [("event-name-mismatch", "event")]


def test_data_without_a_type_takes_its_event_name_and_keeps_its_json() -> None:
    data = b'event: error\ndata: {"error": {"message": "boom", "code": "c"}}\n\n'
    events: List[Any] = []
    stream = gs.ResponseStream(data)
    with pytest.raises(gs.StreamAPIError, match="boom"):
        events.extend(stream)
    assert rules(stream) == ["type-from-event-name"]


# --- strict ---------------------------------------------------------------------------------

STRICT_CASES = {
    "event-name-mismatch": (b'event: x\ndata: {"type": "response.completed", "response": {}}\n\n', "event"),
    "type-from-event-name": (b'event: error\ndata: {"message": "m"}\n\n', "type"),
    "sequence-gap": (
        body({"type": "response.created", "sequence_number": 0}, {"type": "x", "sequence_number": 5}),
        "sequence_number",
    ),
    "sequence-duplicate": (
        body({"type": "x", "sequence_number": 1}, {"type": "x", "sequence_number": 1}),
        "sequence_number",
    ),
    "sequence-regression": (
        body({"type": "x", "sequence_number": 4}, {"type": "x", "sequence_number": 3}),
        "sequence_number",
    ),
    "missing-item-added": (fixture("missing-output-item-added.sse"), "output[0]"),
    "missing-part-added": (
        body(
            {"type": "response.output_item.added", "output_index": 0, "item": dict(MESSAGE, content=[])},
            {"type": "response.output_text.delta", "output_index": 0, "content_index": 0, "delta": "x"},
        ),
        "output[0].content[0]",
    ),
    "null-item": (fixture("null-item.sse"), "item"),
    "no-output-index": (body({"type": "response.output_text.delta", "item_id": "m", "delta": "x"}), "output_index"),
    "empty-terminal-output": (fixture("completed-empty-output.sse"), "response.output"),
    "unterminated-terminal": (b'data: {"type": "response.completed", "response": {"output": []}}\n', ""),
}


def test_every_rule_has_a_strict_case() -> None:
    assert set(STRICT_CASES) == set(RESPONSE_DEVIATION_RULES)


@pytest.mark.parametrize("rule", sorted(STRICT_CASES))
def test_strict_refuses_each_deviation_naming_its_path(rule: str) -> None:
    data, path = STRICT_CASES[rule]
    lenient = gs.ResponseStream(data)
    with contextlib.suppress(gs.IncompleteStreamError, gs.StreamAPIError):
        lenient.final_response()
    assert rule in rules(lenient)
    with pytest.raises(gs.ChunkDecodeError) as info:
        gs.ResponseStream(data, strict=True).final_response()
    assert info.value.path == path and rule in str(info.value)


# --- semantic events, sync and async, sources -----------------------------------------------------


def test_semantic_events_use_the_chat_accumulators_vocabulary() -> None:
    acc = gs.ResponseAccumulator()
    kinds = []
    text = ""
    for event in gs.ResponseStream(fixture("completed-empty-output.sse")):
        for semantic in acc.add(event):
            kinds.append(type(semantic).__name__)
            if isinstance(semantic, gs.ContentDelta):
                text += semantic.delta
            if isinstance(semantic, gs.ToolCallArgumentsDelta):
                assert semantic.name == "get_weather"
                partial = semantic.partial
            if isinstance(semantic, gs.ToolCallDone):
                assert semantic.parsed_arguments() == {"city": "Paris"}
    assert text == "Checking." and partial == {"city": "Paris"}
    assert kinds == [
        "ToolCallArgumentsDelta",
        "ToolCallArgumentsDelta",
        "ToolCallDone",
        "ContentDelta",
        "ContentDone",
        "Usage",
        "FinishReason",
    ]
    assert acc.response.output_text == "Checking."


def test_async_stream_gives_the_same_response() -> None:
    async def source() -> Any:
        for byte in fixture("call-id-changed.sse"):
            yield bytes([byte])

    async def main() -> Response:
        async with gs.AsyncResponseStream(source()) as stream:
            return await stream.final_response()

    final = asyncio.run(asyncio.wait_for(main(), 10))
    assert final.output[0].call_id == "call_B"  # type: ignore[index, union-attr]


def test_a_socket_source_is_read_and_closed() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(5)

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            conn.sendall(fixture("resumed-in-progress.sse"))

    thread = threading.Thread(target=serve)
    thread.start()
    client = socket.create_connection(server.getsockname(), timeout=5)
    with gs.ResponseStream(client) as stream:
        assert stream.final_response().output_text == "Resumed."
    thread.join(5)
    server.close()
    assert client.fileno() == -1  # closed by the stream


def test_iterating_after_close_raises_stream_closed() -> None:
    stream = gs.ResponseStream(fixture("resumed-in-progress.sse"))
    next(stream)
    stream.close()
    with pytest.raises(gs.StreamClosedError):
        next(stream)


def test_the_types_module_lists_every_responses_name_and_a_chat_stream_loads_none_of_them() -> None:
    import subprocess
    import sys

    import groqstream.types
    import groqstream.types.responses

    assert tuple(groqstream.types.responses.__all__) == groqstream.types._RESPONSES_NAMES
    code = (
        "import sys, groqstream as gs\n"
        "gs.Stream(open('groqstream/sample.sse', 'rb')).final_completion()\n"
        "print('groqstream.types.responses' in sys.modules, 'groqstream.core.responses' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=30)
    assert out.stdout.split() == ["False", "False"], out.stderr


def test_an_http_error_response_raises_its_status_error_with_its_own_response_attribute() -> None:
    # The stream never began: the status error's ``response`` stays what the status error says (the HTTP
    # response, or None for a bare http.client one), not a Response event snapshot put over it.
    import http.client

    from tests.servers import RawServer

    body = b'{"error": {"message": "slow down", "type": "rate_limit", "code": "rate_limited"}}'

    def scenario(conn: socket.socket) -> None:
        conn.recv(65536)
        head = (
            f"HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        conn.sendall(head.encode() + body)

    with RawServer(scenario) as server:
        connection = http.client.HTTPConnection(*server.address, timeout=5)
        connection.request("POST", "/v1/responses", body=b"{}")
        with pytest.raises(gs.client.RateLimitError) as info:
            gs.ResponseStream(connection.getresponse()).final_response()
        connection.close()
    assert "slow down" in str(info.value)
    assert not isinstance(info.value.response, Response)


def test_the_unions_of_item_part_and_annotation_classes_list_every_subclass_base_last() -> None:
    # pydantic reads a field of these unions by trying the members; a subclass missing from its union would
    # validate into the base class (its text lost), so each union lists them all, the base last (the fallback).
    from groqstream.types import responses as r

    for union, base in (
        (r.AnyOutputItem, r.ResponseOutputItem),
        (r.AnyContentPart, r.ResponseContentPart),
        (r.AnyAnnotation, r.ResponseAnnotation),
    ):
        members = list(union.__args__)  # type: ignore[attr-defined]
        assert members[-1] is base
        assert set(members[:-1]) == set(r._registry(base).values())


def test_the_event_count_is_stated_once_and_read_by_repr_and_the_closed_error() -> None:
    from groqstream.core.response_stream import _ResponseStreamBase

    assert "_received" not in vars(_ResponseStreamBase)  # events_received is the one counter
    stream = gs.ResponseStream(body({"type": "response.created", "response": response("in_progress")}) + b"x")
    next(stream)
    assert stream.events_received == 1 and "events_received=1" in repr(stream)
    stream.close()
    with pytest.raises(gs.StreamClosedError, match="after 1 event"):
        next(stream)
