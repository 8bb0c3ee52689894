"""Chunk-boundary invariance: the same bytes give the same events and chunks however they are split."""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest

import groqstream as gs
from tests.helpers import capture_paths, decode_events, fixture_paths, requires_captures, run_stream, splits

# Hand-made streams that stress the boundary cases: CR/LF pairs, BOM, multibyte characters.
TRICKY = {
    "crlf-blank-lines": b"data: a\r\n\r\ndata: b\r\n\r\n",
    "cr-only": b"event: x\rdata: 1\rdata: 2\r\rdata: 3\r\r",
    "bom-and-comment": b"\xef\xbb\xbf: hi\r\n\r\ndata: \xe2\x82\xac\xf0\x9f\x9a\x80\n\n",
    "mixed-ends-and-ids": b"id: 1\rdata: a\r\n\ndata: b\n\r\nid\r\ndata: c\r\r",
    "invalid-utf8": b"data: \xff\xe2\x82\n\ndata: \xf0\x9f\n\n",
    "unterminated-tail": b"data: a\n\ndata: b",
}


def event_tuples(events: List[gs.ServerSentEvent]) -> List[tuple[object, ...]]:
    # Include the offset: it must not depend on the split either.
    return [(e.event, e.data, e.id, e.retry, e.offset) for e in events]


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_tricky_streams_give_the_same_events_at_every_split(name: str) -> None:
    data = TRICKY[name]
    want = event_tuples(decode_events([data]))
    assert want  # every case has at least one event
    for pieces in splits(data):
        assert event_tuples(decode_events(pieces)) == want, pieces


def test_three_way_splits_of_a_crlf_stream() -> None:
    data = TRICKY["mixed-ends-and-ids"]
    want = event_tuples(decode_events([data]))
    for i in range(len(data) + 1):
        for j in range(i, len(data) + 1):
            assert event_tuples(decode_events([data[:i], data[i:j], data[j:]])) == want


@pytest.mark.parametrize("path", fixture_paths(), ids=lambda p: p.stem)
def test_own_fixtures_give_the_same_events_at_every_split(path: Path) -> None:
    data = path.read_bytes()
    want = event_tuples(decode_events([data]))
    for pieces in splits(data, every_offset_limit=2048):
        assert event_tuples(decode_events(pieces)) == want


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("path", fixture_paths(), ids=lambda p: p.stem)
def test_own_fixtures_give_the_same_chunks_and_outcome_at_random_splits(path: Path, mode: str) -> None:
    data = path.read_bytes()
    want_chunks, want_error = run_stream(mode, [data])
    for pieces in list(splits(data, every_offset_limit=0))[::20]:
        chunks, error = run_stream(mode, pieces)
        assert chunks == want_chunks
        assert type(error) is type(want_error)
        assert str(error) == str(want_error)


@requires_captures
@pytest.mark.parametrize("path", capture_paths(), ids=lambda p: p.stem)
def test_real_captures_give_the_same_events_at_every_split(path: Path) -> None:
    data = path.read_bytes()
    want = event_tuples(decode_events([data]))
    # Whole, byte by byte, 200 seeded two-way splits and seeded random pieces.
    for pieces in splits(data, seed=len(data)):
        assert event_tuples(decode_events(pieces)) == want


@requires_captures
@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("path", capture_paths(), ids=lambda p: p.stem)
def test_real_captures_give_the_same_chunks_at_seven_byte_and_random_splits(path: Path, mode: str) -> None:
    data = path.read_bytes()
    want_chunks, want_error = run_stream(mode, [data])
    sevens = [data[i : i + 7] for i in range(0, len(data), 7)]
    for pieces in [sevens, *list(splits(data, every_offset_limit=0, random_rounds=2))[-2:]]:
        chunks, error = run_stream(mode, pieces)
        assert chunks == want_chunks
        assert str(error) == str(want_error)
