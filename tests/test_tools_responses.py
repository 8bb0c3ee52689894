"""The tools read Responses API captures (issue #27): replay, validate, stats and serve detect the format.

Real captures come from ../shared/fixtures/responses (skipped with a reason when absent), hand-made ones from
tests/fixtures/responses. Expectations are derived from the stream's own bytes (``expectation`` in
test_responses_captures.py), not by running the code under test.
"""

from __future__ import annotations

import http.client
import io
import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

import groqstream as gs
from groqstream.tools.capture import capture_format
from groqstream.tools.cli import main
from groqstream.tools.report import stats_of, validate
from tests.helpers import FIXTURES
from tests.test_responses_captures import CAPTURES, HANDMADE, SHARED, expectation

requires_shared = pytest.mark.skipif(not CAPTURES, reason=f"the shared Responses captures are absent ({SHARED})")


def handmade(name: str) -> Path:
    return HANDMADE / name


def timed_responses(gaps: List[float], *, usage: bool = True) -> bytes:
    """A timed Responses capture: created, one text item whose deltas arrive gaps[i] apart, then completed."""
    out = io.BytesIO()
    writer = gs.tools.CaptureWriter(out, model="gpt-test")
    base = {"id": "resp_t", "object": "response", "created_at": 1, "model": "gpt-test"}
    events: List[Tuple[float, Dict[str, Any]]] = [
        (0.05, {"type": "response.created", "response": dict(base, status="in_progress", output=[])}),
    ]
    at = 0.05
    text = ""
    for i, gap in enumerate(gaps):
        at += gap
        text += f"w{i} "
        delta = {"type": "response.output_text.delta", "output_index": 0, "content_index": 0, "delta": f"w{i} "}
        events.append((at, delta))
    message = {"type": "message", "id": "m", "role": "assistant", "status": "completed",
               "content": [{"type": "output_text", "text": text, "annotations": []}]}  # fmt: skip
    final = dict(base, status="completed", output=[message])
    if usage:
        final["usage"] = {"input_tokens": 7, "output_tokens": 10, "total_tokens": 17}
    events.append((at, {"type": "response.completed", "response": final}))
    for number, (when, payload) in enumerate(events):
        payload = dict(payload, sequence_number=number)
        writer.write(f"event: {payload['type']}\ndata: {json.dumps(payload)}\n\n".encode(), at=when)
    writer.close()
    return out.getvalue()


# --- which format ---------------------------------------------------------------------------------


def test_every_responses_capture_is_detected_as_responses_and_every_chat_fixture_as_chat() -> None:
    for path in CAPTURES + sorted(HANDMADE.glob("*.sse")):
        assert capture_format(path.read_bytes()) == "responses", path.name
    for path in sorted(FIXTURES.glob("*.sse")):
        assert capture_format(path.read_bytes()) == "chat", path.name


def test_the_format_is_read_from_the_data_type_without_event_lines_and_from_the_event_line_alone() -> None:
    no_event_lines = b'data: {"type":"response.created","response":{"id":"r","output":[]}}\n\n'
    event_line_only = b'event: response.created\ndata: {"response":{"id":"r"}}\n\n'
    assert capture_format(no_event_lines) == capture_format(event_line_only) == "responses"
    assert capture_format(b": comment\n\ndata: [DONE]\n\n") == "chat"


# --- replay ---------------------------------------------------------------------------------------


@requires_shared
def test_replay_final_prints_each_shared_captures_final_response(capsys: pytest.CaptureFixture[str]) -> None:
    for path in CAPTURES:
        error, expected = expectation(path.read_bytes())
        status = main(["replay", "--format", "final", str(path)])
        out, err = capsys.readouterr()
        assert json.loads(out) == expected, path.name
        assert status == (0 if error is None else 1), (path.name, err)


def test_replay_final_of_hand_made_fixtures_is_the_response_the_stream_itself_says(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name in ("completed-empty-output.sse", "null-item.sse", "error-then-failed.sse", "call-id-changed.sse"):
        error, expected = expectation(handmade(name).read_bytes())
        status = main(["replay", "--format", "final", str(handmade(name))])
        out, err = capsys.readouterr()
        assert json.loads(out) == expected, name
        assert status == (0 if error is None else 1)
        if error:  # the error's line says what the server said, after the final Response was printed
            assert err.startswith(f"groqstream: error in {handmade(name)}: server reported an error"), err


def test_replay_text_prints_output_text_and_tool_calls_and_a_response_summary(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["replay", str(handmade("call-id-changed.sse"))]) == 0
    out, err = capsys.readouterr()
    assert out == '[tool call] lookup({"q":1})\n'
    assert err == "-- 6 events, status=completed, usage: 5 input + 3 output = 8 tokens\n"
    assert main(["replay", str(handmade("missing-output-item-added.sse"))]) == 0
    out, err = capsys.readouterr()
    assert out == "Hello\n" and "status=completed" in err


@requires_shared
def test_replay_text_sets_reasoning_apart_from_the_answer(capsys: pytest.CaptureFixture[str]) -> None:
    path = SHARED / "deepseek-responses-reasoning-text.sse"
    assert main(["replay", str(path)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("[reasoning] ") and out.endswith("\nThe capital of France is Paris.\n"), out
    assert err.startswith("-- 27 events, status=completed, usage: 90 input + 15 output (7 of them reasoning)")
    assert main(["replay", "--no-reasoning", str(path)]) == 0
    assert capsys.readouterr()[0] == "The capital of France is Paris.\n"


def test_replay_of_a_cut_responses_body_prints_what_came_then_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(handmade("cut-before-terminal.sse"))]) == 1
    out, err = capsys.readouterr()
    assert out == "Partial answer\n"
    assert "stream ended without a terminal event" in err and err.count("\n") == 1


def test_replay_events_and_jsonl_show_the_responses_events_as_they_came(capsys: pytest.CaptureFixture[str]) -> None:
    data = handmade("sequence-gaps.sse").read_bytes()
    payloads = [json.loads(line[6:]) for line in data.decode().splitlines() if line.startswith("data: {")]
    assert main(["replay", "--format", "jsonl", str(handmade("sequence-gaps.sse"))]) == 0
    out, _ = capsys.readouterr()
    assert [json.loads(line) for line in out.splitlines()] == payloads
    assert main(["replay", "--format", "chunks", str(handmade("sequence-gaps.sse"))]) == 0
    out, _ = capsys.readouterr()
    assert out.splitlines()[0].startswith("#0 ResponseCreatedEvent(type='response.created'")


# --- validate -------------------------------------------------------------------------------------


def codes(findings: List[Any]) -> List[Tuple[str, str, Optional[int], Optional[int]]]:
    return [(f.severity, f.code, f.event_index, f.offset) for f in findings]


def offset_of(data: bytes, needle: bytes) -> int:
    """The byte offset of the event block that holds *needle* (its first line)."""
    at = data.index(needle)
    return data.rfind(b"\n\n", 0, at) + 2


def test_validate_reports_each_responses_deviation_as_a_note_with_its_event_and_offset() -> None:
    data = handmade("sequence-gaps.sse").read_bytes()
    found = {f.code: f for f in validate(data)}
    assert {"sequence-gap", "sequence-duplicate", "sequence-regression"} <= set(found)
    assert all(f.severity == "note" for f in found.values())
    gap = found["sequence-gap"]
    assert gap.event_index == 1 and gap.offset == offset_of(data, b'"sequence_number": 3}')
    assert "(2 times)" in gap.message


def test_validate_strict_makes_the_deviations_problems_but_never_the_servers_disagreements() -> None:
    data = handmade("missing-output-item-added.sse").read_bytes()
    assert [f.severity for f in validate(data) if f.code == "missing-item-added"] == ["note"]
    assert [f.severity for f in validate(data, strict=True) if f.code == "missing-item-added"] == ["problem"]
    changed = handmade("call-id-changed.sse").read_bytes()
    note = [f for f in validate(changed, strict=True) if f.code == "call-id-changed"]
    assert len(note) == 1 and note[0].severity == "note" and "'call_A' became 'call_B'" in note[0].message
    assert note[0].offset == offset_of(changed, b'"type": "response.output_item.done"')


def test_validate_reports_errors_a_cut_body_and_an_empty_terminal_output() -> None:
    failed = codes(validate(handmade("error-then-failed.sse").read_bytes()))
    assert [(s, c) for s, c, _, _ in failed] == [("problem", "error-event")]
    cut = handmade("cut-before-terminal.sse").read_bytes()
    assert {c for s, c, _, _ in codes(validate(cut)) if s == "problem"} == {"unterminated-event", "no-terminal-event"}
    empty = [f for f in validate(handmade("completed-empty-output.sse").read_bytes()) if f.severity == "note"]
    assert [f.code for f in empty] == ["empty-terminal-output"] and empty[0].offset is not None


def test_validate_reads_on_past_an_event_that_is_not_json() -> None:
    data = (
        b'event: response.created\ndata: {"type":"response.created","sequence_number":0,"response":{"id":"r"}}\n\n'
        b"event: response.output_text.delta\ndata: {not json\n\n"
        b'data: {"type":"response.completed","sequence_number":2,"response":{"id":"r","status":"completed",'
        b'"output":[],"usage":{"input_tokens":1,"output_tokens":1,"total_tokens":2}}}\n\n'
        b'data: {"type":"response.output_text.delta","output_index":0,"delta":"late"}\n\n'
    )
    found = codes(validate(data))
    assert ("problem", "invalid-json", 1, offset_of(data, b"{not json")) in found
    assert ("problem", "data-after-end", 3, offset_of(data, b'"delta":"late"')) in found
    assert not [c for _, c, _, _ in found if c == "no-terminal-event"]


@requires_shared
def test_validate_through_the_cli_reads_every_shared_capture(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["validate", "--json", *map(str, CAPTURES)])
    reports = json.loads(capsys.readouterr()[0])
    failing = {Path(r["file"]).name for r in reports if r["problems"]}
    # The one that really ends badly: a quota error. The terminal event without its blank line is a note.
    assert failing == {"openai-error-insufficient-quota-failed.sse"}
    assert status == 1
    unterminated = next(r for r in reports if Path(r["file"]).name == "openai-gpt4o-mini-text.sse")
    assert [f["code"] for f in unterminated["findings"]] == ["unterminated-terminal"]
    strict = validate((SHARED / "openai-gpt4o-mini-text.sse").read_bytes(), strict=True)
    assert {f.code for f in strict if f.severity == "problem"} == {"unterminated-event", "no-terminal-event"}


# --- stats ----------------------------------------------------------------------------------------


def test_stats_of_a_timed_responses_capture_measures_first_output_and_tokens_from_usage() -> None:
    stats = stats_of(timed_responses([0.2, 0.1, 0.1, 0.1]))
    assert stats.format == "responses" and stats.timed
    assert stats.time_to_first_output == pytest.approx(0.25)
    assert stats.total_time == pytest.approx(0.55)
    assert (stats.prompt_tokens, stats.completion_tokens, stats.total_tokens) == (7, 10, 17)
    assert stats.tokens_per_second == pytest.approx(10 / 0.3)
    assert stats.text_chunks == 4 and stats.content_chars == len("w0 w1 w2 w3 ")
    assert stats.finish_reason == "completed" and stats.error is None
    assert [kind for _, _, kind in stats.timeline] == ["text"] * 4


def test_stats_text_speaks_of_events_status_and_input_output_tokens(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", str(handmade("call-id-changed.sse"))]) == 0
    out = capsys.readouterr()[0]
    assert "format                 Responses API events" in out
    assert "status                 completed" in out
    assert "tokens                 5 input + 3 output = 8" in out
    assert main(["stats", str(handmade("error-then-failed.sse"))]) == 1
    out = capsys.readouterr()[0]
    assert "status                 failed" in out and "ended with             StreamAPIError" in out


@requires_shared
def test_stats_reads_every_shared_capture_and_takes_tokens_from_the_final_usage() -> None:
    for path in CAPTURES:
        data = path.read_bytes()
        error, expected = expectation(data)
        stats = stats_of(data)
        assert stats.format == "responses", path.name
        assert (stats.error is None) == (error is None), path.name
        usage = expected.get("usage") or {}
        assert stats.total_tokens == usage.get("total_tokens"), path.name
        assert stats.completion_tokens == usage.get("output_tokens"), path.name


# --- serve ----------------------------------------------------------------------------------------


def post(
    server: Any, path: str, body: Dict[str, Any], headers: Optional[Dict[str, str]] = None
) -> Tuple[int, Dict[str, str], bytes]:
    host, port = server.url[len("http://") :].rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("POST", path, json.dumps(body), {"Content-Type": "application/json", **(headers or {})})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def served_files() -> List[Path]:
    return CAPTURES + sorted(HANDMADE.glob("*.sse"))


def test_serve_answers_both_responses_paths_with_each_capture_byte_for_byte() -> None:
    paths = served_files()
    with gs.tools.serve(paths) as server:
        for number, path in enumerate(paths):
            route = "/v1/responses" if number % 2 else "/openai/v1/responses"
            status, headers, body = post(server, route, {"model": "m", "input": "hi", "stream": True})
            assert status == 200 and headers["content-type"] == "text/event-stream", path.name
            assert headers["x-groqstream-capture"] == path.name
            assert body == path.read_bytes(), path.name


def test_a_responses_stream_read_from_serve_ends_as_the_capture_says() -> None:
    names = ["call-id-changed.sse", "error-then-failed.sse", "cut-before-terminal.sse", "completed-empty-output.sse"]
    with gs.tools.serve([handmade(name) for name in names]) as server:
        host, port = server.url[len("http://") :].rsplit(":", 1)
        for name in names:
            error, expected = expectation(handmade(name).read_bytes())
            connection = http.client.HTTPConnection(host, int(port), timeout=10)
            connection.request("POST", "/v1/responses", json.dumps({"model": "m", "input": "x", "stream": True}))
            stream = gs.ResponseStream(connection.getresponse())
            try:
                got = ("ok", stream.final_response().to_dict())
            except gs.GroqStreamError as exc:
                got = (type(exc).__name__, exc.response.to_dict())  # type: ignore[attr-defined]
            finally:
                connection.close()
            if name == "cut-before-terminal.sse":  # its own test (test_responses.py) says what its partial is
                assert got[0] == "IncompleteStreamError"
                continue
            assert got == (error or "ok", expected), name


def test_serve_stream_false_is_the_final_response_and_a_failed_capture_says_why() -> None:
    captures = [handmade("call-id-changed.sse"), handmade("error-then-failed.sse")]
    with gs.tools.serve(captures) as server:
        status, headers, body = post(server, "/v1/responses", {"model": "m", "input": "x"})
        assert status == 200 and headers["content-type"] == "application/json"
        assert json.loads(body) == expectation(captures[0].read_bytes())[1]
        status, _, body = post(server, "/v1/responses", {"model": "m", "input": "x", "stream": False})
        assert status == 500
        message = json.loads(body)["error"]["message"]
        assert "error-then-failed.sse has no complete answer" in message and "The model crashed." in message


def test_serve_answers_each_endpoint_only_from_captures_of_its_format() -> None:
    chat = FIXTURES / "simple.sse" if (FIXTURES / "simple.sse").exists() else sorted(FIXTURES.glob("*.sse"))[0]
    responses = handmade("resumed-in-progress.sse")
    with gs.tools.serve([chat, responses]) as server:  # one playlist per format, in file order
        status, headers, _ = post(server, "/v1/responses", {"stream": True})
        assert status == 200 and headers["x-groqstream-capture"] == responses.name
        status, headers, _ = post(server, "/openai/v1/chat/completions", {"stream": True})
        assert status == 200 and headers["x-groqstream-capture"] == chat.name
        status, _, body = post(server, "/v1/responses", {"stream": True})
        assert status == 404 and "playlist exhausted: all 1 Responses API captures" in body.decode()
        named = {"X-Groqstream-Capture": chat.name}
        status, _, body = post(server, "/v1/responses", {"stream": True}, named)
        assert status == 404 and "is a chat stream: ask for it at /v1/chat/completions" in body.decode()
    with gs.tools.serve([chat]) as server:
        status, _, body = post(server, "/v1/responses", {"stream": True})
        assert status == 404 and "no Responses API capture to answer with" in body.decode()


def test_serve_by_request_picks_the_responses_capture_of_the_model() -> None:
    first, second = handmade("call-id-changed.sse"), handmade("null-item.sse")
    data = second.read_bytes().replace(b'"model": "gpt-test"', b'"model": "other-model"')
    with gs.tools.serve([first, ("other.sse", data)], match="request", loop=True) as server:
        status, headers, _ = post(server, "/v1/responses", {"model": "other-model", "input": "x", "stream": True})
        assert status == 200 and headers["x-groqstream-capture"] == "other.sse"
        assert [m for m in server.models] == ["gpt-test", "other-model"]


def test_a_fault_error_in_a_responses_stream_is_a_responses_error_event() -> None:
    with gs.tools.serve([handmade("call-id-changed.sse")], loop=True) as server:
        status, _, body = post(server, "/v1/responses", {"stream": True}, {"X-Groqstream-Fault": "error,after=2"})
        assert status == 200
        with pytest.raises(gs.StreamAPIError) as info:
            gs.ResponseStream(body).final_response()
        assert info.value.message == "fault asked for: an error event" and info.value.code == "server_error"
        assert body.endswith(
            b"event: error\ndata: " + json.dumps(json.loads(body.split(b"data: ")[-1])).encode() + b"\n\n"
        )


def test_a_timed_responses_capture_is_served_at_its_recorded_times() -> None:
    import time

    data = timed_responses([0.3])
    with gs.tools.serve([("timed.sse", data)]) as server:
        started = time.monotonic()
        status, _, body = post(server, "/v1/responses", {"stream": True})
        elapsed = time.monotonic() - started
    assert status == 200 and gs.ResponseStream(body).final_response().output_text == "w0 "
    assert elapsed >= 0.3  # the recorded 0.35 s to the delta (a lower bound: never flaky)


def test_the_openai_sdk_streams_a_response_from_serve() -> None:
    openai = pytest.importorskip("openai", reason="the openai SDK is not installed (CI installs it)")
    path = handmade("call-id-changed.sse")
    with gs.tools.serve([path], loop=True) as server:
        client = openai.OpenAI(base_url=server.url + "/v1", api_key="test-key", max_retries=0, timeout=10)
        try:
            events = list(client.responses.create(model="gpt-test", input="hi", stream=True))
            types = [event.type for event in events]
            assert types[0] == "response.created" and types[-1] == "response.completed"
            final = events[-1].response
            assert final.output[0].call_id == "call_B" and final.usage.total_tokens == 8
            got = client.responses.create(model="gpt-test", input="hi")  # stream: false
            assert got.id == final.id and got.output[0].call_id == "call_B"
        finally:
            client.close()
