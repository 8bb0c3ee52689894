"""Timed captures: CaptureWriter -> CaptureDecoder round trips, exact bytes, and times from a real pausing server."""

from __future__ import annotations

import io
import random
import threading
from pathlib import Path
from typing import List, Optional, Tuple

import pytest

import groqstream as gs
from tests.helpers import capture_paths, decode_events, fixture_paths, splits, strip_capture
from tests.servers import WAIT, Handler, SSEServer

SAMPLE = (Path(gs.__file__).parent / "sample.sse").read_bytes()


def record(pieces: List[bytes], times: List[float], **options: object) -> bytes:
    out = io.BytesIO()
    writer = gs.tools.CaptureWriter(out, clock=lambda: 0.0, **options)  # type: ignore[arg-type]
    for piece, at in zip(pieces, times):
        writer.write(piece, at=at)
    writer.close()
    return out.getvalue()


def completion_times(pieces: List[bytes], times: List[float]) -> List[float]:
    """For each event of the stream, the time of the piece whose bytes completed it."""
    decoder = gs.SSEDecoder()
    result: List[float] = []
    for piece, at in zip(pieces, times):
        result += [at] * len(decoder.feed(piece))
    return result


@pytest.mark.parametrize("path", fixture_paths() + capture_paths(), ids=lambda p: p.stem)
def test_writer_keeps_every_byte_and_the_reader_recovers_events_and_times(path: Path) -> None:
    data = path.read_bytes()
    rng = random.Random(len(data))
    for pieces in [[data], *list(splits(data, seed=1, every_offset_limit=0, random_rounds=3))[-3:]]:
        times = sorted(rng.uniform(0, 10) for _ in pieces)
        captured = record(pieces, times, model="m")
        assert strip_capture(captured) == data
        timed = list(gs.tools.iter_capture(captured))
        assert [t.event for t in timed] == decode_events([data])
        assert [t.time for t in timed] == pytest.approx(completion_times(pieces, times), abs=1e-6)


def test_a_timed_capture_is_a_plain_sse_stream_with_the_same_events() -> None:
    pieces = [SAMPLE[i : i + 100] for i in range(0, len(SAMPLE), 100)]
    captured = record(pieces, [i / 10 for i in range(len(pieces))])
    assert decode_events([captured]) == decode_events([SAMPLE])
    assert gs.Stream(captured).text() == gs.Stream(SAMPLE).text()


def test_header_names_format_model_and_start() -> None:
    import datetime

    out = io.BytesIO()
    start = datetime.datetime(2026, 11, 21, 1, 2, 3, 456789, tzinfo=datetime.timezone.utc)
    writer = gs.tools.CaptureWriter(out, model="llama-3.3-70b-versatile", start=start)
    writer.write(b"data: x\n\n", at=0.5)
    writer.close()
    assert out.getvalue() == (
        b": groqstream-capture 1 model=llama-3.3-70b-versatile start=2026-11-21T01:02:03.456789Z\n"
        b": t=0.500000\ndata: x\n\n"
    )
    decoder = gs.tools.CaptureDecoder()
    assert [(t.time, t.event.data) for t in decoder.feed(out.getvalue())] == [(0.5, "x")]
    assert decoder.header == gs.tools.CaptureHeader(1, "llama-3.3-70b-versatile", "2026-11-21T01:02:03.456789Z")


def test_nothing_is_inserted_between_a_cr_and_its_lf() -> None:
    captured = record([b"data: a\r\n\r", b"\ndata: b\r\n\r\n"], [1.0, 2.0])
    assert b"\r: t=" not in captured and b"\r\n\r\n" in captured
    assert strip_capture(captured) == b"data: a\r\n\r\ndata: b\r\n\r\n"
    assert [(t.time, t.event.data) for t in gs.tools.iter_capture(captured)] == [(2.0, "a"), (2.0, "b")]


def test_a_bom_stays_at_the_start_of_the_file() -> None:
    captured = record([b"\xef\xbb", b"\xbfdata: a\n\n"], [0.1, 0.2])
    assert captured.startswith(b"\xef\xbb\xbf: groqstream-capture 1")
    assert [(t.time, t.event.data) for t in gs.tools.iter_capture(captured)] == [(0.2, "a")]


def test_an_unterminated_tail_is_kept_on_close() -> None:
    captured = record([b"data: a\n\ndata: cut"], [1.5])
    assert strip_capture(captured) == b"data: a\n\ndata: cut"


def test_untimed_captures_read_with_no_times() -> None:
    timed = list(gs.tools.iter_capture(SAMPLE))
    assert len(timed) == SAMPLE.count(b"\n\n") and {t.time for t in timed} == {None}


def test_foreign_comments_are_ignored_by_the_reader() -> None:
    data = b": t=soon\n: groqstream-capture x\n: t=-1\ndata: a\n\n: t=2.5\ndata: b\n\n"
    decoder = gs.tools.CaptureDecoder()
    assert [(t.time, t.event.data) for t in decoder.feed(data)] == [(None, "a"), (2.5, "b")]
    assert decoder.header is None


def test_times_apply_to_the_events_after_them_within_one_feed() -> None:
    data = b": t=1\ndata: a\n\n: t=2\ndata: b\n\ndata: c\n\n: t=3\n"
    assert [(t.time, t.event.data) for t in gs.tools.CaptureDecoder().feed(data)] == [
        (1.0, "a"),
        (2.0, "b"),
        (2.0, "c"),
    ]


def test_recorded_times_reflect_the_servers_pauses(tmp_path: Path) -> None:
    events = SAMPLE.split(b"\n\n")[:-1]
    pause_after = {3, 6}
    release = threading.Event()

    def scenario(handler: Handler) -> None:
        handler.start_sse()
        for i, event in enumerate(events):
            handler.chunk(event + b"\n\n")
            if i in pause_after:
                release.wait(0.5)  # never set: a 0.5 s pause
        handler.end()

    path = tmp_path / "timed.sse"
    with SSEServer(scenario) as server, open(path, "wb") as fh:
        client = gs.client.Client(base_url=server.url, api_key="k", max_retries=0, timeout=WAIT)
        client.chat_stream(model="m", messages=[{"role": "user", "content": "x"}], capture=fh).text()
    timed = list(gs.tools.iter_capture(path.read_bytes()))
    times: List[Optional[float]] = [t.time for t in timed]
    assert all(t is not None for t in times) and times == sorted(times)  # type: ignore[type-var]
    gaps: List[Tuple[float, int]] = sorted(
        ((b or 0.0) - (a or 0.0), i) for i, (a, b) in enumerate(zip(times, times[1:]))
    )
    assert {i for _, i in gaps[-2:]} == pause_after
    assert all(gap >= 0.45 for gap, _ in gaps[-2:])
