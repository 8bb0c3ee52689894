"""ChunkDecoder: [DONE], in-band errors in all three Groq forms, bad JSON with positions."""

from __future__ import annotations

import json
from typing import Any, Dict, List

import pytest

import groqstream as gs

CHUNK = {
    "id": "c1",
    "object": "chat.completion.chunk",
    "created": 1,
    "model": "m",
    "choices": [{"index": 0, "delta": {"content": "a"}, "finish_reason": None}],
}


def message(data: Any, event: str = "message", offset: int = 0) -> gs.ServerSentEvent:
    text = data if isinstance(data, str) else json.dumps(data)
    return gs.ServerSentEvent(event=event, data=text, offset=offset)


def feed(decoder: gs.ChunkDecoder, *events: gs.ServerSentEvent) -> List[gs.ChatCompletionChunk]:
    out: List[gs.ChatCompletionChunk] = []
    for event in events:
        out += decoder.feed(event)
    return out


def test_message_events_become_chunks() -> None:
    decoder = gs.ChunkDecoder()
    chunks = feed(decoder, message(CHUNK), message(CHUNK))
    assert [c.choices[0].delta.content for c in chunks] == ["a", "a"]
    assert decoder.chunks_received == 2 and not decoder.done


def test_done_ends_the_stream_and_later_events_are_ignored() -> None:
    decoder = gs.ChunkDecoder()
    assert feed(decoder, message(CHUNK), message("[DONE]"), message(CHUNK), message("not json")) != []
    assert decoder.done and decoder.chunks_received == 1
    assert decoder.flush() == []


def test_other_event_types_are_skipped() -> None:
    decoder = gs.ChunkDecoder()
    assert feed(decoder, message({"progress": 1}, event="progress"), message("x", event="ping")) == []
    assert decoder.events_received == 2


def test_flush_without_done_raises_incomplete_stream_error() -> None:
    decoder = gs.ChunkDecoder()
    feed(decoder, message(CHUNK))
    with pytest.raises(gs.IncompleteStreamError) as info:
        decoder.flush()
    assert info.value.chunks_received == 1


def test_require_done_false_accepts_a_stream_without_done() -> None:
    decoder = gs.ChunkDecoder(require_done=False)
    feed(decoder, message(CHUNK))
    assert decoder.flush() == []


ERROR_BODY: Dict[str, Any] = {
    "message": "Tool call validation failed",
    "type": "invalid_request_error",
    "code": "tool_use_failed",
    "failed_generation": '{"name": "x"}',
    "status_code": 400,
}


def test_error_event_raises_stream_api_error_with_every_field() -> None:
    decoder = gs.ChunkDecoder()
    feed(decoder, message(CHUNK))
    event = message({"error": ERROR_BODY}, event="error", offset=1234)
    with pytest.raises(gs.StreamAPIError) as info:
        decoder.feed(event)
    error = info.value
    assert (error.message, error.type, error.code, error.status_code) == (
        "Tool call validation failed",
        "invalid_request_error",
        "tool_use_failed",
        400,
    )
    assert error.failed_generation == '{"name": "x"}'
    assert error.body == ERROR_BODY
    assert error.chunks_received == 1
    assert error.event is event
    assert "after 1 chunk" in str(error) and "byte 1234" in str(error) and "tool_use_failed" in str(error)
    with pytest.raises(gs.StreamAPIError):  # the decoder stays failed
        decoder.flush()


def test_error_event_with_plain_text_data_still_raises() -> None:
    with pytest.raises(gs.StreamAPIError) as info:
        gs.ChunkDecoder().feed(message("upstream timed out", event="error"))
    assert info.value.message == "upstream timed out"
    assert info.value.code is None


def test_top_level_error_key_in_a_message_raises() -> None:
    with pytest.raises(gs.StreamAPIError) as info:
        gs.ChunkDecoder().feed(message({"error": {"message": "rate limited", "code": 429, "status_code": "429"}}))
    assert info.value.message == "rate limited"
    assert info.value.code == "429"  # codes are strings, whatever the server sent
    assert info.value.status_code == 429


def test_error_given_as_a_string_raises_with_that_message() -> None:
    with pytest.raises(gs.StreamAPIError) as info:
        gs.ChunkDecoder().feed(message({"error": "internal error"}))
    assert info.value.message == "internal error"


def test_null_error_key_is_not_an_error() -> None:
    chunk = dict(CHUNK, error=None)
    assert gs.ChunkDecoder().feed(message(chunk))[0].extra == {"error": None}


def test_x_groq_error_chunk_is_returned_before_the_error_is_raised() -> None:
    decoder = gs.ChunkDecoder()
    chunk = dict(CHUNK, x_groq={"id": "req", "error": "stream stopped: overloaded"})
    got = decoder.feed(message(chunk))
    assert len(got) == 1 and got[0].x_groq is not None and got[0].x_groq.error == "stream stopped: overloaded"
    assert decoder.done
    with pytest.raises(gs.StreamAPIError) as info:
        decoder.flush()
    assert info.value.message == "stream stopped: overloaded"
    assert info.value.chunks_received == 1
    assert info.value.body == {"id": "req", "error": "stream stopped: overloaded"}


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("{not json", "invalid JSON"),
        ('{"a": NaN}', "invalid JSON"),
        ('{"a": -Infinity}', "invalid JSON"),
        ("[" * 100_000 + "]" * 100_000, "JSON nested too deeply"),
    ],
)
def test_invalid_json_raises_chunk_decode_error_with_position(data: str, reason: str) -> None:
    decoder = gs.ChunkDecoder()
    feed(decoder, message(CHUNK))
    event = message(data, offset=77)
    with pytest.raises(gs.ChunkDecodeError) as info:
        decoder.feed(event)
    assert info.value.reason.startswith(reason)
    assert info.value.event is event and info.value.event_index == 1 and info.value.offset == 77
    assert str(info.value).startswith("event #1 at byte 77: ")
    assert len(str(info.value)) < 400  # the offending text is truncated


def test_wrongly_shaped_chunk_names_path_and_position() -> None:
    bad = dict(CHUNK, choices=[{"index": 0, "delta": {"content": ["x"]}}])
    with pytest.raises(gs.ChunkDecodeError) as info:
        gs.ChunkDecoder().feed(message(bad, offset=5))
    assert info.value.path == "choices[0].delta.content"
    assert str(info.value).startswith(
        "event #0 at byte 5: ChatCompletionChunk.choices[0].delta.content: expected a string"
    )


@pytest.mark.parametrize("data", ["[1, 2]", '"text"', "42", "null"])
def test_json_that_is_not_an_object_raises(data: str) -> None:
    with pytest.raises(gs.ChunkDecodeError, match="expected an object"):
        gs.ChunkDecoder().feed(message(data))


def test_done_with_surrounding_whitespace_still_ends_the_stream() -> None:
    decoder = gs.ChunkDecoder()
    decoder.feed(message("[DONE] "))
    assert decoder.done


def test_status_code_that_is_not_a_number_is_none_and_body_is_kept() -> None:
    with pytest.raises(gs.StreamAPIError) as info:
        gs.ChunkDecoder().feed(message({"error": {"message": "x", "status_code": "bad", "code": True}}, event="error"))
    assert info.value.status_code is None and info.value.code is None
    assert info.value.body == {"message": "x", "status_code": "bad", "code": True}


def test_a_failed_decoder_raises_the_same_error_on_every_later_feed() -> None:
    decoder = gs.ChunkDecoder()
    with pytest.raises(gs.ChunkDecodeError) as first:
        decoder.feed(message("{bad"))
    with pytest.raises(gs.ChunkDecodeError) as second:
        decoder.feed(message(CHUNK))
    assert second.value is first.value


# --- lenient reading, deviations, strict=True (#12) ---------------------------------------------


def chunk_with(**changes: Any) -> Dict[str, Any]:
    data: Dict[str, Any] = json.loads(json.dumps(CHUNK))
    data.update(changes)
    return data


def without(key: str) -> Dict[str, Any]:
    data = chunk_with()
    del data[key]
    return data


@pytest.mark.parametrize(
    ("source", "rule", "path", "read_as"),
    [
        (without("id"), "missing-key", "id", ("id", "")),
        (without("object"), "missing-key", "object", ("object", "")),
        (without("model"), "missing-key", "model", ("model", "")),
        (without("created"), "missing-key", "created", ("created", 0)),
        (chunk_with(created=None), "null-key", "created", ("created", 0)),
        (chunk_with(created=1757876416.5661082), "float-for-integer", "created", ("created", 1757876416)),
        (chunk_with(created=1.0e9), "float-for-integer", "created", ("created", 1000000000)),
        (without("choices"), "missing-key", "choices", ("choices", [])),
    ],
)
def test_an_absent_key_with_an_obvious_empty_meaning_gets_it_and_is_recorded(
    source: Dict[str, Any], rule: str, path: str, read_as: Any
) -> None:
    decoder = gs.ChunkDecoder()
    (chunk,) = decoder.feed(message(source, offset=40))
    key, value = read_as
    assert getattr(chunk, key) == value and type(getattr(chunk, key)) is type(value)
    (deviation,) = decoder.deviations
    assert (deviation.rule, deviation.path, deviation.event_index, deviation.offset, deviation.count) == (
        rule,
        path,
        0,
        40,
        1,
    )
    assert rule in gs.types.DEVIATION_RULES
    assert json.dumps(chunk.to_dict()) == json.dumps(source)  # what was absent stays absent, a float stays a float
    with pytest.raises(gs.ChunkDecodeError) as info:
        gs.ChunkDecoder(strict=True).feed(message(source))
    assert info.value.path == path


@pytest.mark.parametrize(
    ("choice", "path", "reason"),
    [
        ({"delta": {"content": "a"}}, "choices[0].index", "absent; read as 0 (its position in the list)"),
        ({"index": 0}, "choices[0].delta", "absent; read as an empty ChoiceDelta"),
        ({"index": 0, "delta": None}, "choices[0].delta", "null; read as an empty ChoiceDelta"),
    ],
)
def test_a_choice_without_index_or_delta_is_read(choice: Dict[str, Any], path: str, reason: str) -> None:
    decoder = gs.ChunkDecoder()
    (chunk,) = decoder.feed(message(chunk_with(choices=[choice])))
    assert chunk.choices[0].index == 0 and isinstance(chunk.choices[0].delta, gs.types.ChoiceDelta)
    (deviation,) = decoder.deviations
    assert (deviation.path, deviation.message) == (path, reason)


def test_the_second_choice_without_index_gets_its_position() -> None:
    source = chunk_with(choices=[{"index": 0, "delta": {}}, {"delta": {"content": "b"}}])
    (chunk,) = gs.ChunkDecoder().feed(message(source))
    assert [c.index for c in chunk.choices] == [0, 1]


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"choices": "all of them"}, "choices"),  # a string cannot mean a list of choices
        ({"id": 7}, "id"),
        ({"created": "yesterday"}, "created"),
        ({"created": float("inf")}, "created"),  # not a number with an integer in it
        ({"choices": [{"index": 0.5, "delta": {}}]}, "choices[0].index"),  # a fraction only for timestamps
        ({"choices": [{"index": 0, "delta": {"content": 5}}]}, "choices[0].delta.content"),
        ({"choices": [{"index": 0, "delta": {"content": ["x"]}}]}, "choices[0].delta.content"),  # not parts
        ({"choices": [{"index": 0, "delta": {"content": [{"text": "x"}]}}]}, "choices[0].delta.content[0].type"),
        ({"usage": {"prompt_tokens": "9"}}, "usage.prompt_tokens"),
    ],
)
def test_what_has_no_meaning_is_refused_even_leniently(change: Dict[str, Any], path: str) -> None:
    source = chunk_with(**change)
    if change.get("created") == float("inf"):
        event = message(json.dumps(source).replace("Infinity", "1e400"))
    else:
        event = message(source)
    decoder = gs.ChunkDecoder()
    with pytest.raises(gs.ChunkDecodeError) as info:
        decoder.feed(event)
    assert info.value.path == path
    assert decoder.deviations == []


def test_deviations_of_one_kind_are_counted_once_per_place_with_the_first_event() -> None:
    decoder = gs.ChunkDecoder()
    feed(decoder, message(CHUNK), message(without("id"), offset=100), message(without("id"), offset=200))
    two_choices = chunk_with(choices=[{"delta": {}}, {"delta": {}}])
    feed(decoder, message(two_choices, offset=300))
    assert [(d.rule, d.path, d.event_index, d.offset, d.count) for d in decoder.deviations] == [
        ("missing-key", "id", 1, 100, 2),
        ("missing-key", "choices[0].index", 3, 300, 2),  # choices[1].index is the same place, counted
    ]
    assert str(decoder.deviations[0]) == "missing-key (2 times): id: absent; read as '' (event #1 at byte 100)"


def test_content_parts_are_typed_and_their_text_is_the_content() -> None:
    parts = [
        {"type": "thinking", "thinking": [{"type": "text", "text": "2+2 is 4."}], "signature": "s"},
        {"type": "text", "text": "It is "},
        {"type": "text", "text": "4."},
    ]
    source = chunk_with(choices=[{"index": 0, "delta": {"content": parts}}])
    decoder = gs.ChunkDecoder()
    (chunk,) = decoder.feed(message(source))
    delta = chunk.choices[0].delta
    assert delta.content == "It is 4." and delta.reasoning_text == "2+2 is 4."
    assert delta.content_parts is not None and [p.type for p in delta.content_parts] == ["thinking", "text", "text"]
    assert delta.content_parts[0].extra == {"signature": "s"}
    assert [d.rule for d in decoder.deviations] == ["content-parts"]
    assert json.dumps(chunk.to_dict()) == json.dumps(source)
    thinking_only = chunk_with(choices=[{"index": 0, "delta": {"content": parts[:1]}}])
    (chunk,) = gs.ChunkDecoder().feed(message(thinking_only))
    assert chunk.choices[0].delta.content is None  # no text part: nothing to show as content


def test_tool_call_indices_are_inferred_across_chunks_per_choice() -> None:
    def call(choice: int = 0, **fields: Any) -> gs.ServerSentEvent:
        return message(chunk_with(choices=[{"index": choice, "delta": {"tool_calls": [fields]}}]))

    decoder = gs.ChunkDecoder()
    chunks = feed(
        decoder,
        call(id="a", function={"name": "f", "arguments": "{"}),  # a new id: the first call
        call(function={"arguments": "}"}),  # no id: the last call again
        call(id="b", function={"name": "g"}),  # a new id: the next call
        call(choice=1, function={"arguments": "x"}),  # another choice counts its own calls
        call(id="a", function={"arguments": "{}"}),  # a known id: its call
        call(id="", function={"arguments": "!"}),  # an empty id is no id
    )
    indices = [(c.choices[0].index, c.choices[0].delta.tool_calls[0].index) for c in chunks]  # type: ignore[index]
    assert indices == [(0, 0), (0, 0), (0, 1), (1, 0), (0, 0), (0, 0)]
    (deviation,) = decoder.deviations
    assert (deviation.rule, deviation.count) == ("tool-call-index", 6)
    assert chunks[1].to_dict()["choices"][0]["delta"]["tool_calls"][0] == {"function": {"arguments": "}"}}


def test_a_chunk_the_strict_decoder_refuses_on_a_later_key_is_read_from_its_text_again() -> None:
    # The strict decoder decodes choices in place before it meets the bad created; the lenient one must
    # not see those half-decoded objects.
    source = chunk_with(choices=[{"index": 0, "delta": {"content": "a"}}] * 3, created=2.0)
    (chunk,) = gs.ChunkDecoder().feed(message(source))
    assert [c.delta.content for c in chunk.choices] == ["a", "a", "a"] and chunk.created == 2


# --- the end of a stream without [DONE] (#12) -----------------------------------------------------


def finished(index: int = 0, reason: str = "stop") -> gs.ServerSentEvent:
    return message(chunk_with(choices=[{"index": index, "delta": {}, "finish_reason": reason}]))


def opened(index: int = 0) -> gs.ServerSentEvent:
    return message(chunk_with(choices=[{"index": index, "delta": {"content": "x"}, "finish_reason": None}]))


def test_no_done_after_every_choice_finished_is_an_end_and_a_deviation() -> None:
    decoder = gs.ChunkDecoder()
    feed(decoder, opened(0), opened(1), finished(1), finished(0, "length"), opened(0))  # a trailing null is fine
    assert decoder.flush() == [] and decoder.done
    (deviation,) = decoder.deviations
    assert (deviation.rule, deviation.path, deviation.event_index) == ("no-done", "", None)
    assert "every choice (0, 1) had a finish_reason" in deviation.message


@pytest.mark.parametrize(
    ("events", "unfinished"),
    [
        ([opened(0), opened(1), finished(0)], (1,)),
        ([opened(0)], (0,)),
        ([message(chunk_with(choices=[]))], ()),  # no choice at all: nothing was answered
        ([], ()),
    ],
)
def test_no_done_while_a_choice_is_unfinished_is_incomplete(events: List[gs.ServerSentEvent], unfinished: Any) -> None:
    decoder = gs.ChunkDecoder()
    feed(decoder, *events)
    with pytest.raises(gs.IncompleteStreamError) as info:
        decoder.flush()
    assert info.value.unfinished == unfinished
    if unfinished:
        assert str(info.value).endswith(f"choice {unfinished[0]} had no finish_reason")
    assert decoder.deviations == []


@pytest.mark.parametrize(
    ("options", "ends"), [({"require_done": True}, False), ({"strict": True}, False), ({"require_done": False}, True)]
)
def test_require_done_and_strict_decide_the_end_without_done(options: Dict[str, Any], ends: bool) -> None:
    decoder = gs.ChunkDecoder(**options)
    feed(decoder, opened(0), finished(0))
    if ends:
        assert decoder.flush() == [] and decoder.deviations == []
    else:
        with pytest.raises(gs.IncompleteStreamError) as info:
            decoder.flush()
        assert info.value.unfinished is None


def test_an_unterminated_last_event_makes_even_a_finished_stream_incomplete() -> None:
    body = json.dumps(chunk_with(choices=[{"index": 0, "delta": {}, "finish_reason": "stop"}]))
    assert len(list(gs.Stream(f"data: {body}\n\n".encode()))) == 1
    with pytest.raises(gs.IncompleteStreamError) as info:
        list(gs.Stream(f'data: {body}\n\ndata: {{"usage'.encode()))
    assert info.value.pending_bytes == len('data: {"usage')
    # A comment or a field without data at the end loses nothing: still an end.
    for tail in (": keep-alive", ": keep-alive\n", "event: ping\n", "\n"):
        stream = gs.Stream(f"data: {body}\n\n{tail}".encode())
        assert len(list(stream)) == 1 and [d.rule for d in stream.deviations] == ["no-done"], tail


# --- data: [DONE] without its blank line (Gemini, older llama.cpp) -------------------------------

DONE_ENDINGS = ["data: [DONE]", "data: [DONE]\n", "data: [DONE]\r\n", "data:[DONE]  ", "data: [DONE]\r"]


@pytest.mark.parametrize("ending", DONE_ENDINGS, ids=repr)
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_an_unterminated_done_at_the_end_is_done_and_a_deviation(ending: str, mode: str) -> None:
    from tests.helpers import run_stream

    first = f"data: {json.dumps(CHUNK)}\n\n"
    body = (first + ending).encode()
    for pieces in ([body], [body[i : i + 1] for i in range(len(body))]):
        chunks, error = run_stream(mode, pieces)
        assert error is None and len(chunks) == 1
    with gs.Stream(body, require_done=True) as stream:  # [DONE] was there: a required one too
        assert len(list(stream)) == 1
    (deviation,) = stream.deviations
    assert (deviation.rule, deviation.path, deviation.event_index, deviation.offset) == (
        "unterminated-done",
        "",
        1,
        len(first),
    )
    assert deviation.rule in gs.types.DEVIATION_RULES


def test_strict_refuses_an_unterminated_done_naming_the_event() -> None:
    first = f"data: {json.dumps(CHUNK)}\n\n"
    stream = gs.Stream((first + "data: [DONE]").encode(), strict=True)
    assert len([next(stream)]) == 1
    with pytest.raises(gs.ChunkDecodeError) as info:
        next(stream)
    assert (info.value.path, info.value.event_index, info.value.offset) == ("", 1, len(first))
    assert str(info.value).startswith(f"event #1 at byte {len(first)}: ")
    assert "[DONE]" in str(info.value) and "blank line" in str(info.value)


def test_an_unterminated_event_that_would_be_a_chunk_is_still_a_truncation() -> None:
    first = f"data: {json.dumps(CHUNK)}\n\n"
    finished = json.dumps(chunk_with(choices=[{"index": 0, "delta": {}, "finish_reason": "stop"}]))
    for tail in (f"data: {finished}", f"data: {finished}\n", "data: [DONE", "event: error\ndata: [DONE]"):
        with pytest.raises(gs.IncompleteStreamError) as info:
            list(gs.Stream((first + tail).encode()))
        assert info.value.pending_bytes == len(tail.encode()), tail


def test_the_sse_decoder_still_discards_an_unterminated_event_but_says_what_it_was() -> None:
    decoder = gs.SSEDecoder()
    assert decoder.feed(b"id: 7\ndata: [DONE]") == []
    assert decoder.flush() == []
    assert decoder.unterminated == gs.ServerSentEvent(data="[DONE]", id="7")
    assert decoder.unterminated.offset == 0
    assert decoder.last_event_id == "7"
    decoder = gs.SSEDecoder()
    decoder.feed(b"data: x\n\n: comment")
    decoder.flush()
    assert decoder.unterminated is None


# --- usage inside the choice (Moonshot / Kimi) ---------------------------------------------------

USAGE = {"prompt_tokens": 19, "completion_tokens": 13, "total_tokens": 32}


def moonshot_last(**top: Any) -> Dict[str, Any]:
    return chunk_with(choices=[{"index": 0, "delta": {}, "finish_reason": "stop", "usage": dict(USAGE)}], **top)


def test_usage_inside_the_choice_is_the_chunks_usage_and_a_deviation() -> None:
    decoder = gs.ChunkDecoder()
    chunk = feed(decoder, message(CHUNK), message(moonshot_last()))[-1]
    assert chunk.usage == gs.types.CompletionUsage.from_dict(USAGE)
    assert chunk.choices[0].extra == {"usage": USAGE}
    assert chunk.to_dict() == moonshot_last()  # exactly what was sent: no top-level usage added
    (deviation,) = decoder.deviations
    assert (deviation.rule, deviation.path, deviation.event_index) == ("usage-in-choice", "choices[0].usage", 1)
    assert deviation.rule in gs.types.DEVIATION_RULES


def test_a_top_level_usage_wins_over_the_one_inside_the_choice() -> None:
    top = {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}
    decoder = gs.ChunkDecoder()
    (chunk,) = feed(decoder, message(moonshot_last(usage=top)))
    assert chunk.usage == gs.types.CompletionUsage.from_dict(top)
    assert [d.rule for d in decoder.deviations] == ["usage-in-choice"]


def test_strict_refuses_usage_inside_the_choice_with_its_path() -> None:
    decoder = gs.ChunkDecoder(strict=True)
    feed(decoder, message(CHUNK))
    with pytest.raises(gs.ChunkDecodeError) as info:
        feed(decoder, message(moonshot_last()))
    assert (info.value.path, info.value.event_index) == ("choices[0].usage", 1)
    with pytest.raises(gs.ChunkDecodeError):
        gs.ChatCompletionChunk.from_dict(moonshot_last())
    deviations: List[gs.Deviation] = []
    chunk = gs.ChatCompletionChunk.from_dict(moonshot_last(), strict=False, deviations=deviations)
    assert chunk.usage is not None and chunk.usage.total_tokens == 32
    assert [d.path for d in deviations] == ["choices[0].usage"]
