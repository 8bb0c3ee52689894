"""SSEDecoder: every WHATWG "event stream interpretation" rule, one named test each.

Spec: HTML Living Standard, 9.2.6 "Parsing an event stream" and "Interpreting
an event stream"; the examples in 9.2.5/9.2.6 appear as named tests below.
"""

from __future__ import annotations

import asyncio
import pickle
from typing import List

import pytest

import groqstream as gs
from tests.helpers import agen, decode_events, splits


def events(data: bytes, **options: object) -> List[gs.ServerSentEvent]:
    return decode_events([data], **options)


def ev(data: str, event: str = "message", id: str = "", retry: int | None = None) -> gs.ServerSentEvent:  # noqa: A002
    return gs.ServerSentEvent(event=event, data=data, id=id, retry=retry)


# --- the spec's own examples -------------------------------------------------


def test_whatwg_example_stock_ticker_two_data_lines_join_with_lf() -> None:
    assert events(b"data: YHOO\ndata: +2\ndata: 10\n\n") == [ev("YHOO\n+2\n10")]


def test_whatwg_example_comment_ids_and_an_event_without_id() -> None:
    stream = b": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n"
    assert events(stream) == [ev("first event", id="1"), ev("second event", id=""), ev(" third event", id="")]


def test_whatwg_example_empty_data_and_unterminated_last_event() -> None:
    assert events(b"data\n\ndata\ndata\n\ndata:") == [ev(""), ev("\n")]


def test_whatwg_example_space_after_colon_is_optional() -> None:
    assert events(b"data:test\n\ndata: test\n\n") == [ev("test"), ev("test")]


def test_whatwg_example_named_events() -> None:
    stream = b"event: add\ndata: 73857293\n\nevent: remove\ndata: 2153\n\nevent: add\ndata: 113411\n\n"
    assert events(stream) == [ev("73857293", "add"), ev("2153", "remove"), ev("113411", "add")]


# --- field by field -----------------------------------------------------------


def test_only_one_leading_space_of_the_value_is_stripped() -> None:
    assert events(b"data:   x \n\n") == [ev("  x ")]


def test_field_name_is_everything_before_the_first_colon() -> None:
    assert events(b"data: a:b: c\n\n") == [ev("a:b: c")]


def test_line_without_colon_is_a_field_with_empty_value() -> None:
    assert events(b"data\n\n") == [ev("")]


def test_field_names_are_case_sensitive_and_unknown_fields_are_ignored() -> None:
    assert events(b"Data: no\nDATA: no\ndata : no\nfoo: bar\ndata: yes\n\n") == [ev("yes")]


def test_comment_lines_are_ignored_even_inside_an_event() -> None:
    assert events(b"data: a\n: comment\n:\ndata: b\n\n") == [ev("a\nb")]


def test_blank_line_with_empty_data_buffer_dispatches_nothing() -> None:
    assert events(b"\n\n\n: only a comment\n\nid: 5\n\n") == []


def test_event_type_defaults_to_message() -> None:
    assert events(b"data: x\n\n")[0].event == "message"


def test_empty_event_field_means_message() -> None:
    assert events(b"event:\ndata: x\n\n")[0].event == "message"


def test_event_type_resets_after_every_blank_line_even_without_dispatch() -> None:
    assert events(b"event: ping\n\ndata: x\n\nevent: a\ndata: y\n\ndata: z\n\n") == [ev("x"), ev("y", "a"), ev("z")]


def test_last_event_field_in_a_block_wins() -> None:
    assert events(b"event: a\nevent: b\ndata: x\n\n")[0].event == "b"


def test_id_is_sticky_across_later_events() -> None:
    assert [e.id for e in events(b"id: 7\ndata: a\n\ndata: b\n\n")] == ["7", "7"]


def test_id_set_in_a_block_without_data_still_applies_to_later_events() -> None:
    assert events(b"id: 9\n\ndata: a\n\n") == [ev("a", id="9")]


def test_empty_id_resets_the_last_event_id() -> None:
    assert [e.id for e in events(b"id: 7\ndata: a\n\nid\ndata: b\n\nid:\ndata: c\n\n")] == ["7", "", ""]


def test_id_containing_nul_is_ignored() -> None:
    assert [e.id for e in events(b"id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n")] == ["1", "1"]


def test_id_is_not_trimmed_beyond_one_space() -> None:
    assert events(b"id:  x \ndata: a\n\n")[0].id == " x "


def test_decoder_exposes_last_event_id_for_reconnection() -> None:
    decoder = gs.SSEDecoder()
    decoder.feed(b"id: 41\ndata: a\n\nid: 42\n")
    assert decoder.last_event_id == "42"


def test_retry_of_ascii_digits_is_reported_on_its_own_event_only() -> None:
    got = events(b"retry: 3000\ndata: a\n\ndata: b\n\n")
    assert [e.retry for e in got] == [3000, None]


@pytest.mark.parametrize("value", [b"", b"1.5", b"-1", b"12a", b"  12", b"\xd9\xa3", b"+5", b"1e3"])
def test_retry_that_is_not_all_ascii_digits_is_ignored(value: bytes) -> None:
    assert events(b"retry:" + value + b"\ndata: a\n\n")[0].retry is None


def test_retry_keeps_leading_zeros_as_decimal() -> None:
    assert events(b"retry: 03000\ndata: a\n\n")[0].retry == 3000


def test_reconnection_time_persists_on_the_decoder() -> None:
    decoder = gs.SSEDecoder()
    decoder.feed(b"retry: 250\n\ndata: a\n\n")
    assert decoder.reconnection_time == 250


def test_data_lines_are_kept_exactly_including_trailing_spaces_and_empties() -> None:
    assert events(b"data: a \ndata:\ndata:  \n\n") == [ev("a \n\n ")]


def test_unterminated_last_event_is_discarded_at_end_of_input() -> None:
    assert events(b"data: complete\n\ndata: partial\n") == [ev("complete")]


def test_unterminated_last_line_is_discarded_at_end_of_input() -> None:
    assert events(b"data: complete\n\ndata: partial") == [ev("complete")]


def test_event_is_returned_by_the_feed_that_completes_it() -> None:
    decoder = gs.SSEDecoder()
    assert decoder.feed(b"data: a\n") == []
    assert decoder.feed(b"\n") == [ev("a")]
    assert decoder.feed(b"data: b\r\r") == [ev("b")]  # CR-terminated: no waiting for a possible LF


# --- line ends, encoding and BOM -------------------------------------------------


@pytest.mark.parametrize("eol", [b"\n", b"\r", b"\r\n"])
def test_every_line_end_style_gives_the_same_events(eol: bytes) -> None:
    stream = eol.join([b"event: e", b"data: 1", b"data: 2", b"", b"data: 3", b"", b""])
    assert events(stream) == [ev("1\n2", "e"), ev("3")]


def test_mixed_line_ends_in_one_stream() -> None:
    assert events(b"data: a\r\ndata: b\rdata: c\n\r\n") == [ev("a\nb\nc")]


def test_one_leading_bom_is_stripped() -> None:
    assert events(b"\xef\xbb\xbfdata: a\n\n") == [ev("a")]


def test_only_one_bom_is_stripped() -> None:
    # The second BOM becomes part of the field name "\ufeffdata", an unknown field.
    assert events(b"\xef\xbb\xbf\xef\xbb\xbfdata: a\n\ndata: b\n\n") == [ev("b")]


def test_bom_not_at_stream_start_is_kept_in_data() -> None:
    assert events(b"data: \xef\xbb\xbfa\n\n") == [ev("\ufeffa")]


def test_bom_split_across_reads_is_still_stripped() -> None:
    assert decode_events([b"\xef", b"\xbb", b"\xbfdata: a\n\n"]) == [ev("a")]


def test_invalid_utf8_becomes_replacement_characters() -> None:
    assert events(b"data: a\xffb\xe2\x82c\n\n") == [ev("a\ufffdb\ufffdc")]


def test_strict_unicode_errors_raise_sse_protocol_error_with_offset() -> None:
    with pytest.raises(gs.SSEProtocolError) as info:
        events(b"data: ok\n\ndata: a\xffb\n\n", unicode_errors="strict")
    assert info.value.offset == 17
    assert "invalid UTF-8" in str(info.value)


def test_unknown_unicode_errors_option_is_rejected() -> None:
    with pytest.raises(ValueError, match="unicode_errors"):
        gs.SSEDecoder(unicode_errors="ignore")


def test_unicode_line_separator_stays_inside_data() -> None:
    assert events("data: a\u2028b\u0085c\n\n".encode()) == [ev("a\u2028b\u0085c")]


def test_nul_in_data_is_kept() -> None:
    assert events(b"data: a\x00b\n\n") == [ev("a\x00b")]


# --- positions, limits ------------------------------------------------------------


def test_event_offset_is_the_byte_where_its_block_starts() -> None:
    got = events(b": c\n\ndata: a\n\r\nid: 1\ndata: b\n\n")
    assert [e.offset for e in got] == [5, 15]


def test_offset_is_not_part_of_equality() -> None:
    assert gs.ServerSentEvent(data="a", offset=3) == gs.ServerSentEvent(data="a", offset=99)
    assert (gs.ServerSentEvent(data="a", offset=3) != gs.ServerSentEvent(data="a", offset=99)) is False
    assert hash(gs.ServerSentEvent(data="a", offset=3)) == hash(gs.ServerSentEvent(data="a", offset=99))
    assert len({gs.ServerSentEvent(data="a", offset=n) for n in range(5)}) == 1
    assert gs.ServerSentEvent(data="a") != gs.ServerSentEvent(data="b")
    assert gs.ServerSentEvent(data="a") != gs.ServerSentEvent(data="a", id="1")
    assert gs.ServerSentEvent(data="a") != ("message", "a", "", None, None)  # not equal to a bare tuple


def test_event_is_an_immutable_named_tuple() -> None:
    event = events(b"id: 7\nevent: tick\ndata: a\n\n")[0]
    assert event == gs.ServerSentEvent("tick", "a", "7", None) and event.offset == 0
    with pytest.raises(AttributeError):
        event.data = "b"  # type: ignore[misc]
    assert event._replace(data="b") == gs.ServerSentEvent("tick", "b", "7")
    assert event._asdict() == {"event": "tick", "data": "a", "id": "7", "retry": None, "offset": 0}
    copy = pickle.loads(pickle.dumps(event))
    assert copy == event and copy.offset == 0 and type(copy) is gs.ServerSentEvent
    assert repr(event) == "ServerSentEvent(event='tick', data='a', id='7', retry=None, offset=0)"


def test_event_json_parses_data() -> None:
    assert ev('{"a": [1, 2]}').json() == {"a": [1, 2]}


def test_event_data_past_the_limit_raises_naming_the_event_start() -> None:
    decoder = gs.SSEDecoder(max_event_bytes=20)
    assert decoder.feed(b"data: ok\n\n") == [ev("ok")]
    with pytest.raises(gs.SSEProtocolError) as info:
        decoder.feed(b"data: 0123456789\ndata: 0123456789\n")
    assert info.value.offset == 10
    assert info.value.limit == 20
    with pytest.raises(gs.SSEProtocolError):  # the decoder stays failed
        decoder.feed(b"\n")


def test_events_completed_before_a_limit_error_are_returned_first() -> None:
    decoder = gs.SSEDecoder(max_event_bytes=20)
    assert decoder.feed(b"data: a\n\ndata: b\n\n" + b"data: " + b"x" * 30 + b"\n") == [ev("a"), ev("b")]
    with pytest.raises(gs.SSEProtocolError):
        decoder.flush()


def test_many_comment_and_blank_lines_do_not_count_toward_the_limit() -> None:
    decoder = gs.SSEDecoder(max_event_bytes=64)
    assert decoder.feed(b": keep-alive\n\n" * 1000 + b"data: a\n\n") == [ev("a")]


def test_limit_errors_are_the_same_however_the_bytes_are_split() -> None:
    stream = b"data: a\n\n" + b"data: " + b"x" * 40 + b"\n\n"
    outcomes = set()
    for pieces in splits(stream):
        decoder = gs.SSEDecoder(max_event_bytes=32)
        got: List[gs.ServerSentEvent] = []
        try:
            for piece in pieces:
                got += decoder.feed(piece)
            decoder.flush()
        except gs.SSEProtocolError as exc:
            outcomes.add((tuple(e.data for e in got), exc.offset, str(exc), exc.text))
    assert len(outcomes) == 1  # the message and its snippet too: found by the fuzzer
    ((events, offset, _, text),) = outcomes
    assert (events, offset, text) == (("a",), 9, b"data: " + b"x" * 27)  # the limit (32) + 1 bytes


def test_one_huge_event_in_small_reads_is_accepted_below_the_limit() -> None:
    payload = b"x" * (1 << 20)
    pieces = [b"data: "] + [payload[i : i + 1024] for i in range(0, len(payload), 1024)] + [b"\n\n"]
    got = decode_events(pieces)
    assert len(got) == 1 and len(got[0].data) == 1 << 20


def test_pending_bytes_counts_the_unfinished_event() -> None:
    decoder = gs.SSEDecoder()
    decoder.feed(b"data: a\n\ndata: bc\nda")
    assert decoder.pending_bytes == 11
    assert decoder.bytes_received == 20


# --- iter_events / aiter_events -------------------------------------------------------


def test_iter_events_reads_bytes_iterables_and_files(tmp_path: pytest.TempPathFactory) -> None:
    stream = b"data: a\n\nevent: x\ndata: b\n\n"
    path = tmp_path / "s.sse"  # type: ignore[operator]
    path.write_bytes(stream)
    expected = [ev("a"), ev("b", "x")]
    assert list(gs.iter_events(stream)) == expected
    assert list(gs.iter_events([stream[:5], bytearray(stream[5:12]), memoryview(stream[12:])])) == expected
    with open(path, "rb") as fh:
        assert list(gs.iter_events(fh)) == expected


def test_iter_events_rejects_str_chunks_with_a_hint() -> None:
    with pytest.raises(TypeError, match="pass the raw response body"):
        list(gs.iter_events(["data: a\n\n"]))
    with pytest.raises(TypeError, match="bytes"):
        list(gs.iter_events("data: a\n\n"))


def test_aiter_events_gives_the_same_events_as_iter_events() -> None:
    stream = b"id: 1\r\ndata: a\r\n\r\ndata: b\r\n\r\n"

    async def collect() -> List[gs.ServerSentEvent]:
        return [e async for e in gs.aiter_events(agen([stream[:7], stream[7:]]))]

    assert asyncio.run(collect()) == list(gs.iter_events(stream)) == [ev("a", id="1"), ev("b", id="1")]


def test_aiter_events_rejects_a_sync_source_with_a_hint() -> None:
    async def collect() -> None:
        async for _ in gs.aiter_events(b"data: a\n\n"):
            pass

    with pytest.raises(TypeError, match="use Stream or iter_events"):
        asyncio.run(collect())


def test_strict_unicode_error_in_a_read_holding_exactly_one_event() -> None:
    decoder = gs.SSEDecoder(unicode_errors="strict")
    assert decoder.feed(b"data: ok\n\n") == [ev("ok")]
    with pytest.raises(gs.SSEProtocolError) as info:
        decoder.feed(b"data: a\xffb\n\n")
    assert info.value.offset == 17


def test_a_read_holding_one_event_after_an_unfinished_one_keeps_the_earlier_lines() -> None:
    decoder = gs.SSEDecoder()
    assert decoder.feed(b"event: tick\nid: 7\n") == []
    assert decoder.feed(b"data: x\n\n") == [ev("x", "tick", id="7")]


def test_retry_with_more_than_eighteen_digits_is_ignored_not_an_error() -> None:
    # Found by the fuzzer: int() refuses 4300+ digits on Python 3.11+ (and is slow on huge input before).
    assert events(b"retry: " + b"9" * 5004 + b"\ndata: a\n\n")[0].retry is None
    assert events(b"retry: " + b"9" * 19 + b"\ndata: a\n\n")[0].retry is None
    assert events(b"retry: " + b"9" * 18 + b"\ndata: a\n\n")[0].retry == 10**18 - 1
