"""The SSE decoder's fast paths give exactly what the field rules give, line by line.

``SSEDecoder`` decodes a read that is one ``data:`` event, and a block that is
a run of them, without applying the rules line by line (see ``core/sse.py``).
Fed one byte at a time, no read is ever such a block, so every line goes
through the rules: that is the reference here. Each stream below almost
qualifies for a fast path and differs in one way that the fast path must
notice (a CR, a second line, a field, invalid UTF-8, the limit...).
"""

from __future__ import annotations

from typing import List, Optional, Tuple

import pytest

import groqstream as gs

Outcome = Tuple[List[Tuple[object, ...]], Optional[Tuple[str, Optional[int]]]]

NEAR_MISSES = {
    "plain run": b"data: a\n\ndata: b\n\ndata: \n\ndata: c\n\n",
    "cr inside data": b"data: a\rb\n\ndata: c\n\n",
    "crlf run": b"data: a\r\n\r\ndata: b\r\n\r\n",
    "cr line ends": b"data: a\r\rdata: b\r\r",
    "second data line": b"data: a\n\ndata: b\ndata: c\n\ndata: d\n\n",
    "event field mid-run": b"data: a\n\nevent: x\ndata: b\n\ndata: c\n\n",
    "id field mid-run": b"data: a\n\nid: 7\ndata: b\n\ndata: c\n\n",
    "retry field mid-run": b"data: a\n\nretry: 10\ndata: b\n\ndata: c\n\n",
    "comment mid-run": b"data: a\n\n: ping\n\ndata: b\n\n",
    "no space after colon": b"data:a\n\ndata: b\n\n",
    "two spaces after colon": b"data:  a\n\ndata: b\n\n",
    "separator-like text in data": b"data: x\\n\\ndata: y\n\ndata: b\n\n",
    "extra blank line": b"data: a\n\n\ndata: b\n\n",
    "run ending mid-event": b"data: a\n\ndata: b\n",
    "bom first": b"\xef\xbb\xbfdata: a\n\ndata: b\n\n",
    "bom later stays": b"data: a\n\ndata: \xef\xbb\xbfb\n\n",
    "invalid utf-8 mid-run": b"data: a\n\ndata: \xff\xe2\x82\n\ndata: c\n\n",
    "truncated character at the end": b"data: a\n\ndata: \xf0\x9f\x9a\n\n",
    "line separators are not line ends": "data: a\u2028b\u0085c\n\n".encode(),
    "nul in data": b"data: a\x00b\n\ndata: c\n\n",
    "data line then a field": b"data: a\nid: 1\n\ndata: b\n\n",
}


def outcome(pieces: List[bytes], **options: object) -> Outcome:
    """Every event (with its offset) and the error, if any, of feeding *pieces* then flushing."""
    decoder = gs.SSEDecoder(**options)  # type: ignore[arg-type]
    got: List[gs.ServerSentEvent] = []
    error = None
    try:
        for piece in pieces:
            got += decoder.feed(piece)
        got += decoder.flush()
    except gs.SSEProtocolError as exc:
        error = (str(exc), exc.offset)
    return [tuple(e) for e in got], error


def reads_per_event(data: bytes) -> List[bytes]:
    """The stream cut after every blank line: each read is one event, the live-stream shape."""
    pieces = [part + b"\n\n" for part in data.split(b"\n\n")]
    pieces[-1] = pieces[-1][:-2]
    return [p for p in pieces if p]


def one_byte_at_a_time(data: bytes) -> List[bytes]:
    return [data[i : i + 1] for i in range(len(data))]


# An event first, so the decoder is past the stream start (a BOM is no longer possible) for the rest.
PRIMER = b"data: first\n\n"


@pytest.mark.parametrize("unicode_errors", ["replace", "strict"])
@pytest.mark.parametrize("name", sorted(NEAR_MISSES))
def test_fast_paths_match_the_line_rules(name: str, unicode_errors: str) -> None:
    for data in (NEAR_MISSES[name], PRIMER + NEAR_MISSES[name]):
        want = outcome(one_byte_at_a_time(data), unicode_errors=unicode_errors)
        assert outcome([data], unicode_errors=unicode_errors) == want, "one read"
        assert outcome(reads_per_event(data), unicode_errors=unicode_errors) == want, "a read per event"
        reference = outcome(one_byte_at_a_time(PRIMER + data), unicode_errors=unicode_errors)
        for i in range(len(data) + 1):  # and each two-way split, the first piece read by an idle decoder
            assert outcome([PRIMER, data[:i], data[i:]], unicode_errors=unicode_errors) == reference, i


@pytest.mark.parametrize("limit", range(14, 24))
def test_fast_paths_apply_the_limit_exactly_as_the_rules_do(limit: int) -> None:
    # Data lines of 12 to 20 bytes around limits of 14 to 23: "data: " + n bytes + LF counts n + 7.
    data = PRIMER + b"".join(b"data: " + b"x" * n + b"\n\n" for n in range(6, 15))
    want = outcome(one_byte_at_a_time(data), max_event_bytes=limit)
    assert outcome([data], max_event_bytes=limit) == want
    assert outcome(reads_per_event(data), max_event_bytes=limit) == want


def test_a_run_carries_the_last_event_id_and_no_retry() -> None:
    decoder = gs.SSEDecoder()
    assert decoder.feed(b"id: 42\nretry: 5\ndata: a\n\n") == [gs.ServerSentEvent(data="a", id="42", retry=5)]
    run = decoder.feed(b"data: b\n\ndata: c\n\n")
    assert [(e.data, e.id, e.retry, e.offset) for e in run] == [("b", "42", None, 25), ("c", "42", None, 34)]
    assert decoder.feed(b"data: d\n\n") == [gs.ServerSentEvent(data="d", id="42")]
    assert decoder.bytes_received == 52 and decoder.pending_bytes == 0


def test_a_huge_block_of_small_events_takes_the_limit_per_event() -> None:
    # The block is far over the limit, yet every event in it is under: all are decoded.
    data = b"data: abc\n\n" * 10_000
    assert [e.data for e in gs.SSEDecoder(max_event_bytes=64).feed(data)] == ["abc"] * 10_000
