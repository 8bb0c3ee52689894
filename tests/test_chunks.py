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
