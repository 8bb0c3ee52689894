"""Hostile input and faults: truncation at every byte, huge and odd shapes, failing sources, cancellation."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import tracemalloc
from pathlib import Path
from typing import Any, AsyncIterator, Generator, Iterator, List, Optional, Tuple

import pytest

import groqstream as gs
from tests.helpers import capture_paths, fixture_paths, requires_captures

SAMPLE = (Path(gs.__file__).parent / "sample.sse").read_bytes()


# --- truncation at every byte -------------------------------------------------------------


def dispatch_points(data: bytes) -> List[Tuple[int, str]]:
    """(prefix length at which each event is dispatched, its data), by a splitter independent of the decoder.

    An event is dispatched when the blank line that ends it is complete, if its
    block had a data line. A lone CR ends a line at once; a CR followed by LF is
    one line end. Enough of the rules for the fixtures, written separately.
    """
    points: List[Tuple[int, str]] = []
    data_lines: List[bytes] = []
    for match in re.finditer(rb"([^\r\n]*)(\r\n|\r|\n)", data):
        line = match.group(1)
        if match.start() == 0 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        if not line:
            if data_lines:
                points.append((match.end() if match.group(2) != b"\r\n" else match.end() - 1, ""))
            data_lines = []
        elif line == b"data" or line.startswith(b"data:"):
            data_lines.append(line)
    return points


def loses_data(tail: bytes) -> bool:
    """Whether input ending with *tail* (what follows the last dispatched event) discards data.

    True when the tail has a complete data line (of an event never ended) or
    ends in part of a line that is not a comment.
    """
    *complete, last = re.split(rb"\r\n|\r|\n", tail)
    data_line = any(line == b"data" or line.startswith(b"data:") for line in complete)
    return data_line or (last != b"" and not last.startswith(b":"))


def is_unterminated_done(tail: bytes) -> bool:
    """Whether *tail* (what follows the last dispatched event) is a ``data: [DONE]`` lacking only its blank line.

    Such an end is ``[DONE]`` (#25): the lines that are not comments are data
    (or id, retry, and an event type that is "message") lines whose data,
    joined, is ``[DONE]``.
    """
    lines = [line for line in re.split(rb"\r\n|\r|\n", tail) if line and not line.startswith(b":")]
    fields = [line.partition(b":") for line in lines]
    values = [(name, value[1:] if value.startswith(b" ") else value) for name, _, value in fields]
    data = [value for name, value in values if name == b"data"]
    types = [value for name, value in values if name == b"event"]
    message = not types or types[-1] in (b"", b"message")
    known = all(name in (b"data", b"id", b"retry", b"event") for name, _ in values)
    return known and message and b"\n".join(data).strip() == b"[DONE]"


def every_choice_finished(chunks: List[Any]) -> bool:
    """True when the chunks show at least one choice and every choice they show has a finish_reason."""
    seen = {c.index for chunk in chunks for c in chunk.choices}
    finished = {c.index for chunk in chunks for c in chunk.choices if c.finish_reason is not None}
    return bool(finished) and seen == finished


def run(data: bytes) -> Tuple[List[Any], Optional[type]]:
    chunks: List[Any] = []
    try:
        for chunk in gs.Stream(data):
            chunks.append(chunk)
    except gs.GroqStreamError as exc:
        return chunks, type(exc)
    return chunks, None


@pytest.mark.parametrize("path", fixture_paths(), ids=lambda p: p.stem)
def test_every_prefix_yields_the_complete_chunks_then_the_right_ending(path: Path) -> None:
    data = path.read_bytes()
    full, full_error = run(data)
    points = [end for end, _ in dispatch_points(data)]
    events = list(gs.iter_events(data))
    assert len(points) == len(events)  # the independent splitter agrees with the decoder on the whole stream
    # For each event: how many chunks the full run had yielded once it was dispatched, and whether it ended the stream.
    chunks_after, ending = [], []
    count = 0
    for event in events:
        is_chunk = event.event == "message" and event.data.strip() != "[DONE]" and '"error"' not in event.data[:20]
        count += is_chunk and count < len(full)
        chunks_after.append(count)
        ending.append(event.data.strip() == "[DONE]" or event.event == "error" or '"error":{' in event.data[:20])
    for cut in range(len(data) + 1):
        chunks, error = run(data[:cut])
        done = sum(1 for point in points if point <= cut)
        expected = chunks_after[done - 1] if done else 0
        assert chunks == full[: len(chunks)], cut  # nothing invented, nothing reordered
        if done and any(ending[:done]):
            assert (len(chunks), error) == (len(full), full_error), cut  # the stream had already ended
        else:
            assert len(chunks) == expected, cut
            tail = data[points[done - 1] if done else 0 : cut]
            if "x-groq-error" in path.stem and len(chunks) == len(full):
                assert error is gs.StreamAPIError
            elif is_unterminated_done(tail):
                assert error is None, cut  # 'data: [DONE]' without its blank line is [DONE] (#25)
            elif every_choice_finished(chunks) and not loses_data(data[points[done - 1] if done else 0 : cut]):
                assert error is None, cut  # no [DONE], but the answer is complete (#12)
            else:
                assert error is gs.IncompleteStreamError, cut


@requires_captures
@pytest.mark.parametrize("path", capture_paths(), ids=lambda p: p.stem)
def test_real_captures_cut_at_sampled_offsets_yield_a_prefix_of_the_chunks(path: Path) -> None:
    import random

    data = path.read_bytes()
    full, full_error = run(data)
    rng = random.Random(len(data))
    cuts = [*sorted(rng.sample(range(len(data)), 60)), len(data) - 1, len(data)]
    for cut in cuts:
        chunks, error = run(data[:cut])
        assert chunks == full[: len(chunks)], cut
        if cut == len(data):
            assert error is full_error
        else:
            assert error in (gs.IncompleteStreamError, full_error)


# --- hostile shapes ----------------------------------------------------------------------------


def test_a_gigabyte_without_a_line_end_fails_at_the_limit_reading_little_and_holding_little() -> None:
    block = b"x" * (1 << 20)
    reads = 0

    def source() -> Iterator[bytes]:
        nonlocal reads
        for piece in itertools.repeat(block, 1024):  # 1 GiB, never held whole
            reads += 1
            yield piece

    tracemalloc.start()
    with pytest.raises(gs.SSEProtocolError) as info:
        list(gs.iter_events(source()))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert info.value.offset == 0 and info.value.limit == gs.DEFAULT_MAX_EVENT_BYTES
    assert reads == 17  # stopped as soon as the line passed 16 MiB
    assert peak < 3 * gs.DEFAULT_MAX_EVENT_BYTES


def test_millions_of_empty_and_comment_lines_give_no_event_and_no_error() -> None:
    empty = itertools.repeat(b"\n" * 65536, 32)  # 2 Mi blank lines
    comments = itertools.repeat(b": keep-alive\n" * 5000, 200)  # a million comments in one block
    assert list(gs.iter_events(empty)) == []
    assert list(gs.iter_events(comments)) == []
    with pytest.raises(gs.IncompleteStreamError) as info:
        list(gs.Stream(itertools.repeat(b"\n" * 65536, 32)))
    assert info.value.chunks_received == 0


def test_one_event_with_a_million_data_lines() -> None:
    (event,) = gs.iter_events(itertools.chain(itertools.repeat(b"data: x\n" * 10000, 100), [b"\n"]))
    assert len(event.data) == 2_000_000 - 1 and event.data.count("\n") == 999_999


def test_a_ten_megabyte_id_is_kept() -> None:
    (event,) = gs.iter_events([b"id: ", b"i" * 10_000_000, b"\ndata: x\n\n"])
    assert len(event.id) == 10_000_000


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("1e400", "expected an integer, got number inf"),
        ("9" * 5000, "invalid JSON"),  # past Python's int digit limit: refused, not a crash
        ("NaN", "invalid JSON"),
        ("-Infinity", "invalid JSON"),
        ('"1"', "expected an integer, got string '1'"),
    ],
)
def test_hostile_numbers_are_chunk_decode_errors(value: str, reason: str) -> None:
    body = b'data: {"id":"a","object":"x","created":' + value.encode() + b',"model":"m","choices":[]}\n\n'
    with pytest.raises(gs.ChunkDecodeError) as info:
        list(gs.Stream(body))
    assert reason in str(info.value) and len(str(info.value)) < 500


def test_deep_nesting_is_a_chunk_decode_error_or_kept_and_copied_without_recursion() -> None:
    head = b'data: {"id":"a","object":"x","created":1,"model":"m","choices":[],"x":'
    too_deep = head + b"[" * 100_000 + b"]" * 100_000 + b"}\n\n"
    with pytest.raises(gs.ChunkDecodeError, match="nested too deeply"):
        list(gs.Stream(too_deep))
    deep = json.dumps({"id": "a", "object": "x", "created": 1, "model": "m", "choices": [], "x": [[[]]]})
    deep = deep.replace("[[[]]]", "[" * 900 + "]" * 900)
    chunk = next(gs.Stream(f"data: {deep}\n\ndata: [DONE]\n\n".encode()))
    assert chunk.to_dict() == json.loads(deep)  # a copy 900 levels deep, no RecursionError


def test_deeply_nested_value_in_a_wrong_place_gives_a_short_message() -> None:
    nested = "[" * 800 + "]" * 800
    head = b'data: {"id":"a","object":"x","created":1,"model":"m","choices":[{"index":0,"delta":'
    body = head + nested.encode() + b"}]}\n\n"
    with pytest.raises(gs.ChunkDecodeError) as info:
        list(gs.Stream(body))
    assert info.value.path == "choices[0].delta" and len(str(info.value)) < 300


def test_huge_wrong_value_is_not_copied_into_the_message() -> None:
    numbers = b",".join([b"1"] * 200_000)
    body = b'data: {"id":"a","object":"x","created":1,"model":"m","choices":[' + numbers + b"]}\n\n"
    with pytest.raises(gs.ChunkDecodeError) as info:
        list(gs.Stream(body))
    assert len(str(info.value)) < 300


def test_nul_bytes_lone_surrogates_and_duplicate_keys() -> None:
    raw_nul = b'data: {"id":"a\x00","object":"x","created":1,"model":"m","choices":[]}\n\n'
    with pytest.raises(gs.ChunkDecodeError, match="invalid JSON"):  # JSON forbids raw control characters in strings
        list(gs.Stream(raw_nul))
    escaped = b'data: {"id":"a\\u0000","object":"x","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"\\ud800"}}]}\n\n'
    chunk = next(gs.Stream(escaped))
    assert chunk.id == "a\x00" and chunk.choices[0].delta.content == "\ud800"
    duplicate = b'data: {"id":"first","id":"second","object":"x","created":1,"model":"m","choices":[]}\n\n'
    assert next(gs.Stream(duplicate)).id == "second"  # as json.loads: the last one wins


# --- faults -------------------------------------------------------------------------------------


class Source:
    """A sync source that can fail while reading or closing."""

    def __init__(self, fail_with: Optional[BaseException] = None, close_with: Optional[Exception] = None) -> None:
        self.fail_with, self.close_with, self.closed = fail_with, close_with, 0

    def __iter__(self) -> Iterator[bytes]:
        yield SAMPLE[:700]
        if self.fail_with is not None:
            raise self.fail_with
        yield SAMPLE[700:]

    def close(self) -> None:
        self.closed += 1
        if self.close_with is not None:
            raise self.close_with


def test_an_exception_from_the_source_propagates_unchanged_after_the_chunks_before_it() -> None:
    source = Source(fail_with=ConnectionResetError("peer went away"))
    got = []
    with pytest.raises(ConnectionResetError, match="peer went away"):
        for chunk in gs.Stream(source):
            got.append(chunk)
    assert len(got) == SAMPLE[:700].count(b"\n\n") and source.closed == 1


def test_keyboard_interrupt_is_never_swallowed_and_the_source_is_closed() -> None:
    source = Source(fail_with=KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        list(gs.Stream(source))
    assert source.closed == 1


def test_a_close_that_raises_after_a_stream_error_keeps_the_stream_error_with_a_note() -> None:
    source = Source(fail_with=ValueError("bad read"), close_with=OSError("close failed"))
    with pytest.raises(ValueError, match="bad read") as info:
        list(gs.Stream(source))
    assert any("close failed" in note for note in getattr(info.value, "__notes__", []))


def test_a_close_that_raises_at_a_normal_end_is_reported() -> None:
    source = Source(close_with=OSError("close failed"))
    with pytest.raises(OSError, match="close failed"):
        list(gs.Stream(source))


def test_generator_exit_passes_through_a_consumer_closed_early() -> None:
    source = Source()

    def texts() -> Generator[str, None, None]:
        with gs.Stream(source) as stream:
            for chunk in stream:
                yield chunk.choices[0].delta.content or "" if chunk.choices else ""

    consumer = texts()
    next(consumer)
    consumer.close()  # GeneratorExit inside the with block: must not be swallowed (no RuntimeError)
    assert source.closed == 1


def test_cancellation_at_every_await_point_leaves_the_source_closed() -> None:
    async def main(cancel_after: int) -> Tuple[bool, int]:
        closed = asyncio.Event()
        opened = False
        received = 0

        class Slow:
            def __aiter__(self) -> AsyncIterator[bytes]:
                nonlocal opened
                opened = True
                return self._gen()

            async def _gen(self) -> AsyncIterator[bytes]:
                for i in range(0, len(SAMPLE), 300):
                    await asyncio.sleep(0)
                    yield SAMPLE[i : i + 300]

            async def aclose(self) -> None:
                await asyncio.sleep(0)
                closed.set()

        async def consume() -> None:
            nonlocal received
            async with gs.AsyncStream(Slow()) as stream:
                async for _ in stream:
                    received += 1

        task = asyncio.ensure_future(consume())
        for _ in range(cancel_after):
            await asyncio.sleep(0)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        for _ in range(3):  # a close that a cancel interrupted finishes in the background (shielded)
            await asyncio.sleep(0)
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        return (closed.is_set() or not opened) and not others, received

    steps = 0
    while True:
        closed, received = asyncio.run(main(steps))
        assert closed, f"source left open when cancelled after {steps} steps"
        if received == SAMPLE.count(b"chat.completion.chunk"):
            break  # the stream had finished before the cancel: every await point was covered
        steps += 1
    assert steps > 10


# --- what the CLI shows ------------------------------------------------------------------------


def test_replay_escapes_terminal_control_sequences_unless_raw(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from groqstream.tools.cli import main

    content = "red \x1b[31mALERT\x1b[0m \u202egnp.exe\u202c done\r overwritten\x9b2J"
    chunk = {
        "id": "a",
        "object": "x",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": {"content": content}}],
    }
    path = tmp_path / "evil.sse"
    path.write_bytes(("data: " + json.dumps(chunk) + "\n\ndata: [DONE]\n\n").encode())
    assert main(["replay", str(path)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\u202e" not in out and "\r" not in out and "\x9b" not in out
    assert "\\u001b[31mALERT" in out and "\\u202egnp.exe" in out
    assert main(["replay", "--raw", str(path)]) == 0
    assert content in capsys.readouterr().out
    assert main(["replay", "--format", "jsonl", str(path)]) == 0
    line = capsys.readouterr().out
    assert "\x1b" not in line and "\u202e" not in line and "\x9b" not in line
    assert json.loads(line)["choices"][0]["delta"]["content"] == content  # escaped, and still lossless JSON
    assert main(["replay", "--format", "final", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["choices"][0]["message"]["content"] == content


def test_validate_escapes_keys_from_the_stream(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from groqstream.tools.cli import main

    path = tmp_path / "evil-key.sse"
    path.write_bytes(
        b'data: {"id":"a","object":"x","created":1,"model":"m","choices":[],"\\u001b[2J":1}\n\ndata: [DONE]\n\n'
    )
    main(["validate", str(path)])
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\u001b[2J" in out
