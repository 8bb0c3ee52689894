"""LineDecoder: CR/LF/CRLF across reads, linear buffering, the length limit."""

from __future__ import annotations

import pytest

import groqstream as gs
from groqstream.core.lines import LineDecoder


def feed_all(decoder: LineDecoder, *pieces: bytes) -> list[bytes]:
    lines: list[bytes] = []
    for piece in pieces:
        lines += decoder.feed(piece)
    return lines


def test_lf_crlf_and_cr_each_end_a_line_and_are_kept() -> None:
    assert LineDecoder().feed(b"a\nb\r\nc\rd") == [b"a\n", b"b\r\n", b"c\r"]


def test_cr_at_end_of_read_pairs_with_next_lf() -> None:
    decoder = LineDecoder()
    assert decoder.feed(b"a\r") == [b"a\r"]  # returned at once: no waiting for the next read
    assert decoder.feed(b"\nb\n") == [b"b\n"]  # the LF completed the CRLF, it is not an empty line
    assert decoder.offset == 5


def test_cr_at_end_of_read_followed_by_other_byte_is_a_lone_cr() -> None:
    decoder = LineDecoder()
    assert feed_all(decoder, b"a\r", b"b\n") == [b"a\r", b"b\n"]


def test_cr_then_empty_read_then_lf_still_pairs() -> None:
    decoder = LineDecoder()
    assert feed_all(decoder, b"a\r", b"", b"\n", b"\n") == [b"a\r", b"\n"]


def test_two_crs_are_two_lines() -> None:
    assert LineDecoder().feed(b"\r\r") == [b"\r", b"\r"]


def test_unicode_line_separators_do_not_end_lines() -> None:
    text = "a\u2028b\u0085c\x0bd\x0ce\x1cf\n".encode()
    assert LineDecoder().feed(text) == [text]


def test_line_split_across_many_reads_is_joined() -> None:
    decoder = LineDecoder()
    assert feed_all(decoder, b"da", b"ta: ", b"\xe2\x82", b"\xac", b"\n") == ["data: €\n".encode()]


def test_flush_returns_the_unterminated_tail() -> None:
    decoder = LineDecoder()
    assert decoder.feed(b"a\nbc") == [b"a\n"]
    assert decoder.pending_bytes == 2
    assert decoder.flush() == [b"bc"]
    assert decoder.flush() == []


def test_batch_offset_counts_bytes_before_the_returned_lines() -> None:
    decoder = LineDecoder()
    decoder.feed(b"ab\r")
    decoder.feed(b"\ncd")
    lines = decoder.feed(b"e\n")
    assert lines == [b"cde\n"]
    assert decoder.batch_offset == 4


def test_line_past_the_limit_without_end_raises_naming_offset() -> None:
    decoder = LineDecoder(max_line_bytes=10)
    assert decoder.feed(b"ok\n") == [b"ok\n"]
    decoder.feed(b"x" * 6)
    with pytest.raises(gs.SSEProtocolError) as info:
        decoder.feed(b"y" * 6)
    assert info.value.offset == 3
    assert info.value.limit == 10
    assert "byte 3" in str(info.value) and "max_event_bytes=10" in str(info.value)


def test_line_exactly_at_the_limit_is_accepted() -> None:
    decoder = LineDecoder(max_line_bytes=10)
    assert decoder.feed(b"x" * 10 + b"\r\n") == [b"x" * 10 + b"\r\n"]


def test_long_complete_line_in_one_read_raises_the_same_error() -> None:
    decoder = LineDecoder(max_line_bytes=10)
    with pytest.raises(gs.SSEProtocolError) as info:
        decoder.feed(b"x" * 11 + b"\n")
    assert info.value.offset == 0


def test_lines_before_a_long_line_are_returned_then_the_error_sticks() -> None:
    decoder = LineDecoder(max_line_bytes=10)
    assert decoder.feed(b"a\nb\n" + b"z" * 20 + b"\n") == [b"a\n", b"b\n"]
    with pytest.raises(gs.SSEProtocolError) as info:
        decoder.feed(b"more\n")
    assert info.value.offset == 4
    with pytest.raises(gs.SSEProtocolError) as again:
        decoder.flush()
    assert again.value is info.value


def test_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_line_bytes"):
        LineDecoder(max_line_bytes=0)


def test_unterminated_tail_past_the_limit_after_complete_lines_fails_on_the_next_call() -> None:
    decoder = LineDecoder(max_line_bytes=10)
    assert decoder.feed(b"a\n" + b"b" * 11) == [b"a\n"]
    with pytest.raises(gs.SSEProtocolError) as info:
        decoder.feed(b"\n")
    assert info.value.offset == 2


def test_long_block_with_short_lines_and_a_long_tail_fails_on_the_next_call() -> None:
    decoder = LineDecoder(max_line_bytes=10)
    assert decoder.feed(b"aaaaaa\nbbbbbb\n" + b"c" * 11) == [b"aaaaaa\n", b"bbbbbb\n"]
    with pytest.raises(gs.SSEProtocolError) as info:
        decoder.flush()
    assert info.value.offset == 14


def test_a_long_line_in_reads_of_4_kib_or_more_is_buffered_as_pieces_not_recopied() -> None:
    # Linear time: each read is kept as it is and the pieces are joined once, when
    # the line ends. (Timing belongs in benchmarks; this checks the mechanism.)
    decoder = LineDecoder()
    pieces = [bytes([65 + i % 26]) * 4096 for i in range(100)]
    for piece in pieces:
        assert decoder.feed(piece) == []
    assert decoder._pending == pieces
    assert decoder.feed(b"\n") == [b"".join(pieces) + b"\n"]


def test_small_reads_of_a_long_line_are_gathered_so_memory_follows_the_bytes_not_the_reads() -> None:
    # A list of a million 1-byte pieces costs far more than a MiB, and joining them allocated 80 bytes per
    # piece (a 16 MiB line in 1-byte reads: 1.4 GB). Small reads are gathered in 64 KiB buffers as they come.
    import tracemalloc

    size = 128 * 1024
    decoder = LineDecoder()
    tracemalloc.start()
    try:
        for _ in range(size):
            decoder.feed(b"x")
        (line,) = decoder.feed(b"\n")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert line == b"x" * size + b"\n"
    assert peak < 4 * size  # about 2x: the gathered bytes and the line; it was 90x
    assert len(decoder._pending) == 0
