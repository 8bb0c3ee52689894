"""Stream and AsyncStream: the same cases sync and async, sources, closing, errors."""

from __future__ import annotations

import asyncio
import io
import socket
import threading
from pathlib import Path
from typing import AsyncIterator, Iterator, List, Set

import pytest

import groqstream as gs
from tests.helpers import agen, content_of, expected, fixture_paths, run_stream

MODES = ["sync", "async"]
SAMPLE = (Path(gs.__file__).parent / "sample.sse").read_bytes()


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("path", fixture_paths(), ids=lambda p: p.stem)
def test_each_fixture_gives_its_expected_outcome(path: Path, mode: str) -> None:
    want = expected(path)
    chunks, error = run_stream(mode, [path.read_bytes()])
    assert len(chunks) == want["chunks"]
    assert content_of(chunks) == want["content"]
    outcome = "done" if error is None else type(error).__name__
    assert outcome == want["outcome"]
    finish = [c.finish_reason for ch in chunks for c in ch.choices if c.index == 0 and c.finish_reason]
    assert (finish[-1] if finish else None) == want["finish_reason"]
    totals = [u.total_tokens for ch in chunks for u in (ch.usage, ch.x_groq and ch.x_groq.usage) if u]
    assert (totals[-1] if totals else None) == want["usage_total_tokens"]
    if "error_message" in want:
        assert isinstance(error, gs.StreamAPIError)
        assert error.message == want["error_message"]
        assert error.chunks_received == want["chunks"]
    if "error_code" in want:
        assert isinstance(error, gs.StreamAPIError)
        assert (error.code, error.status_code) == (want["error_code"], want["error_status_code"])


@pytest.mark.parametrize("mode", MODES)
def test_tool_call_fragments_arrive_under_their_own_index(mode: str) -> None:
    path = next(p for p in fixture_paths() if p.stem == "tool-calls-fragments")
    chunks, error = run_stream(mode, [path.read_bytes()])
    assert error is None
    arguments: dict[str, str] = {}
    for chunk in chunks:
        for call in chunk.choices[0].delta.tool_calls or []:
            if call.function and call.function.arguments:
                arguments[str(call.index)] = arguments.get(str(call.index), "") + call.function.arguments
    assert arguments == expected(path)["tool_arguments"]


@pytest.mark.parametrize("drain_seconds", [gs.client.DEFAULT_DRAIN_SECONDS, 0])
@pytest.mark.parametrize("mode", MODES)
def test_nothing_after_done_is_parsed_and_only_a_drain_reads_it(mode: str, drain_seconds: float) -> None:
    # After [DONE] the rest is never parsed. It is read only to drain: async sources are (bounded),
    # a sync iterable is not (nothing could bound a read of it), drain_seconds=0 reads nothing.
    pieces = [
        b'data: {"id":"a","object":"x","created":1,"model":"m","choices":[]}\n\n',
        b"data: [DONE]\n\n",
        b"data: {bad",
    ]
    read: List[bytes] = []

    def source() -> Iterator[bytes]:
        for piece in pieces:
            read.append(piece)
            yield piece

    if mode == "sync":
        assert len(list(gs.Stream(source(), drain_seconds=drain_seconds))) == 1
    else:

        async def asource() -> AsyncIterator[bytes]:
            for piece in source():
                yield piece

        async def consume() -> int:
            return len([c async for c in gs.AsyncStream(asource(), drain_seconds=drain_seconds)])

        assert asyncio.run(consume()) == 1
    drained = mode == "async" and drain_seconds > 0
    assert read == (pieces if drained else pieces[:2])


@pytest.mark.parametrize("mode", MODES)
def test_truncated_stream_yields_every_complete_chunk_then_raises(mode: str) -> None:
    body = SAMPLE[: SAMPLE.index(b"data: [DONE]") - 30]
    chunks, error = run_stream(mode, [body])
    full, _ = run_stream(mode, [SAMPLE])
    assert chunks == full[: len(chunks)] and len(chunks) == len(full) - 1
    assert isinstance(error, gs.IncompleteStreamError)
    assert error.chunks_received == len(chunks)
    assert error.bytes_received == len(body)
    assert error.pending_bytes and error.pending_bytes > 0
    assert f"{len(body)} bytes" in str(error)


@pytest.mark.parametrize("mode", MODES)
def test_require_done_false_ends_quietly(mode: str) -> None:
    body = SAMPLE[: SAMPLE.index(b"data: [DONE]")]
    chunks, error = run_stream(mode, [body], require_done=False)
    assert error is None and len(chunks) == SAMPLE.count(b"chat.completion.chunk")


@pytest.mark.parametrize("mode", MODES)
def test_chunks_before_a_bad_event_in_the_same_read_are_not_lost(mode: str) -> None:
    good = SAMPLE[: SAMPLE.index(b"data: [DONE]")]
    chunks, error = run_stream(mode, [good + b"data: {oops}\n\n"])
    assert len(chunks) == SAMPLE.count(b"chat.completion.chunk")
    assert isinstance(error, gs.ChunkDecodeError)
    assert error.event_index == len(chunks) and error.offset == len(good)


@pytest.mark.parametrize("mode", MODES)
def test_limit_error_comes_after_the_earlier_chunks(mode: str) -> None:
    first = SAMPLE[: SAMPLE.index(b"\n\n") + 2]
    chunks, error = run_stream(mode, [first + b"data: " + b"x" * 5000], max_event_bytes=4096)
    assert len(chunks) == 1
    assert isinstance(error, gs.SSEProtocolError) and error.offset == len(first)


# --- sources ------------------------------------------------------------------


class Closable(io.BytesIO):
    closed_calls = 0

    def close(self) -> None:
        Closable.closed_calls += 1
        super().close()


def test_stream_reads_a_binary_file_and_closes_it(tmp_path: Path) -> None:
    path = tmp_path / "s.sse"
    path.write_bytes(SAMPLE)
    fh = open(path, "rb")  # noqa: SIM115 - the stream closes it
    with gs.Stream(fh) as stream:
        assert content_of(stream).startswith("Server-sent events")
    assert fh.closed


def test_stream_prefers_read1_and_does_not_wait_for_a_full_buffer() -> None:
    class Response:
        """Like http.client.HTTPResponse: read1 returns what has arrived, read would block."""

        def __init__(self) -> None:
            self.parts = [SAMPLE[:100], SAMPLE[100:]]

        def read1(self, n: int) -> bytes:
            return self.parts.pop(0) if self.parts else b""

        def read(self, n: int) -> bytes:  # pragma: no cover - must not be used
            raise AssertionError("read() used although read1() exists")

    assert len(list(gs.Stream(Response()))) == SAMPLE.count(b"chat.completion.chunk")


def test_stream_reads_a_socket_with_recv() -> None:
    left, right = socket.socketpair()

    def serve() -> None:
        for i in range(0, len(SAMPLE), 97):
            right.sendall(SAMPLE[i : i + 97])
        right.close()

    thread = threading.Thread(target=serve)
    thread.start()
    with gs.Stream(left) as stream:
        text = content_of(stream)
    thread.join()
    assert text.endswith("20 °C.")
    assert left.fileno() == -1  # closed by the stream


def test_stream_accepts_whole_bytes_bytearray_and_memoryview() -> None:
    for source in (SAMPLE, bytearray(SAMPLE), memoryview(SAMPLE)):
        assert content_of(gs.Stream(source)).endswith("20 °C.")


def test_stream_rejects_str_with_a_hint() -> None:
    with pytest.raises(TypeError, match="pass the raw response body"):
        list(gs.Stream([SAMPLE.decode()]))


def test_stream_rejects_a_text_mode_file_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "s.sse"
    path.write_bytes(SAMPLE)
    with open(path, encoding="utf-8") as fh, pytest.raises(TypeError, match="binary mode"):
        list(gs.Stream(fh))


def test_stream_rejects_an_async_source_with_a_hint() -> None:
    with pytest.raises(TypeError, match="use AsyncStream"):
        list(gs.Stream(agen([SAMPLE])))


def test_async_stream_reads_an_asyncio_stream_reader() -> None:
    async def main() -> str:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            for i in range(0, len(SAMPLE), 1000):
                writer.write(SAMPLE[i : i + 1000])
                await writer.drain()
            writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        text = ""
        async with gs.AsyncStream(reader) as stream:
            async for chunk in stream:
                text += chunk.choices[0].delta.content or "" if chunk.choices else ""
        writer.close()
        await writer.wait_closed()
        server.close()
        await server.wait_closed()
        return text

    assert asyncio.run(main()).endswith("20 °C.")


def test_async_stream_rejects_a_sync_source_with_a_hint() -> None:
    async def main() -> None:
        async for _ in gs.AsyncStream(SAMPLE):
            pass

    with pytest.raises(TypeError, match="use Stream"):
        asyncio.run(main())


# --- closing ------------------------------------------------------------------


class TrackedSource:
    """A sync iterable source that records close() calls."""

    def __init__(self, body: bytes = SAMPLE, size: int = 200) -> None:
        self.pieces = [body[i : i + size] for i in range(0, len(body), size)]
        self.closed = 0

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.pieces)

    def close(self) -> None:
        self.closed += 1


class TrackedAsyncSource:
    """An async iterable source that records aclose() calls."""

    def __init__(self, body: bytes = SAMPLE, size: int = 200) -> None:
        self.pieces = [body[i : i + size] for i in range(0, len(body), size)]
        self.closed = 0

    async def __aiter_impl(self) -> AsyncIterator[bytes]:
        for piece in self.pieces:
            yield piece

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self.__aiter_impl()

    async def aclose(self) -> None:
        self.closed += 1


def test_source_is_closed_when_iteration_completes() -> None:
    source = TrackedSource()
    list(gs.Stream(source))
    assert source.closed == 1


def test_source_is_closed_when_iteration_fails() -> None:
    source = TrackedSource(SAMPLE[:500])
    with pytest.raises(gs.IncompleteStreamError):
        list(gs.Stream(source))
    assert source.closed == 1


def test_with_block_closes_after_early_break_and_then_iteration_raises() -> None:
    source = TrackedSource()
    with gs.Stream(source) as stream:
        for _ in stream:
            break
    assert source.closed == 1
    with pytest.raises(gs.StreamClosedError, match="closed after 1 chunk;"):
        next(stream)


def test_close_is_idempotent_and_exhausted_stream_stays_exhausted() -> None:
    source = TrackedSource()
    stream = gs.Stream(source)
    assert len(list(stream)) > 0
    assert list(stream) == []  # ended normally: simply exhausted
    stream.close()
    stream.close()
    assert source.closed == 1
    with pytest.raises(gs.StreamClosedError):
        next(stream)


def test_exception_in_the_loop_body_closes_via_with() -> None:
    source = TrackedSource()
    with pytest.raises(ZeroDivisionError), gs.Stream(source) as stream:
        for _ in stream:
            1 / 0  # noqa: B018
    assert source.closed == 1


def test_source_exception_propagates_unchanged_and_closes() -> None:
    class Broken(TrackedSource):
        def __iter__(self) -> Iterator[bytes]:
            yield SAMPLE[:300]
            raise ConnectionResetError("peer reset")

    source = Broken()
    with pytest.raises(ConnectionResetError, match="peer reset"):
        list(gs.Stream(source))
    assert source.closed == 1


def test_chunks_received_and_last_event_id_are_exposed() -> None:
    stream = gs.Stream(b"id: 5\n" + SAMPLE)
    chunks = list(stream)
    assert stream.chunks_received == len(chunks) and stream.last_event_id == "5"


def test_async_stream_closes_its_source_on_completion_break_and_aclose() -> None:
    async def main() -> List[int]:
        done = TrackedAsyncSource()
        async for _ in gs.AsyncStream(done):
            pass
        broke = TrackedAsyncSource()
        async with gs.AsyncStream(broke) as stream:
            async for _ in stream:
                break
        with pytest.raises(gs.StreamClosedError):
            await stream.__anext__()
        explicit = TrackedAsyncSource()
        other = gs.AsyncStream(explicit)
        await other.aclose()
        await other.aclose()
        return [done.closed, broke.closed, explicit.closed]

    assert asyncio.run(main()) == [1, 1, 1]


def test_async_stream_closes_a_source_whose_close_is_sync() -> None:
    class SyncClose:
        def __init__(self) -> None:
            self.closed = False

        def __aiter__(self) -> AsyncIterator[bytes]:
            return agen([SAMPLE])

        def close(self) -> None:
            self.closed = True

    source = SyncClose()

    async def main() -> None:
        async for _ in gs.AsyncStream(source):
            pass

    asyncio.run(main())
    assert source.closed


def test_async_stream_cancellation_closes_the_source() -> None:
    async def main() -> int:
        source_closed = asyncio.Event()
        started = asyncio.Event()

        class Slow:
            def __aiter__(self) -> AsyncIterator[bytes]:
                return self.gen()

            async def gen(self) -> AsyncIterator[bytes]:
                yield SAMPLE[: SAMPLE.index(b"\n\n") + 2]
                await asyncio.sleep(3600)
                yield b""  # pragma: no cover

            async def aclose(self) -> None:
                source_closed.set()

        async def consume() -> None:
            async for _ in gs.AsyncStream(Slow()):
                started.set()

        task = asyncio.ensure_future(consume())
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return int(source_closed.is_set())

    assert asyncio.run(main()) == 1


def test_stream_options_are_keyword_only() -> None:
    with pytest.raises(TypeError, match=r"^Stream\(\) takes one positional argument, the source"):
        gs.Stream(SAMPLE, 1024)  # type: ignore[call-arg]


def test_chunks_that_are_not_bytes_like_are_rejected_naming_the_type() -> None:
    with pytest.raises(TypeError, match="got a int chunk"):
        list(gs.Stream([SAMPLE[:10], 5]))


def test_non_blocking_reader_returning_none_is_rejected() -> None:
    class NonBlocking:
        def read(self, n: int) -> None:
            return None

    with pytest.raises(TypeError, match="blocking source"):
        list(gs.Stream(NonBlocking()))


def test_an_object_that_is_no_byte_source_is_rejected() -> None:
    with pytest.raises(TypeError, match="cannot read bytes from a int"):
        list(gs.iter_events(5))


@pytest.mark.parametrize("mode", MODES)
def test_empty_body_is_an_incomplete_stream(mode: str) -> None:
    chunks, error = run_stream(mode, [b""])
    assert chunks == [] and isinstance(error, gs.IncompleteStreamError)
    assert (error.chunks_received, error.bytes_received, error.pending_bytes) == (0, 0, 0)
    assert list(gs.iter_events(b"")) == []


def test_aiter_events_reads_a_stream_reader_to_eof() -> None:
    async def main() -> List[gs.ServerSentEvent]:
        reader = asyncio.StreamReader()
        reader.feed_data(b"data: a\r\n\r\ndata: b\n\ndata: unterminated")
        reader.feed_eof()
        return [event async for event in gs.aiter_events(reader)]

    assert [e.data for e in asyncio.run(main())] == ["a", "b"]


def test_accumulate_false_keeps_nothing_and_final_completion_says_why() -> None:
    stream = gs.Stream(SAMPLE, accumulate=False)
    next(stream)
    assert stream._accumulator is None
    with pytest.raises(RuntimeError, match=r"accumulate=True\): 1 chunk was already read"):
        stream.final_completion()
    fresh = gs.Stream(SAMPLE, accumulate=False)
    assert fresh.text() == gs.Stream(SAMPLE).text()  # nothing read yet: it can still keep everything


def test_chunks_received_counts_chunks_yielded_not_chunks_decoded() -> None:
    stream = gs.Stream(SAMPLE)  # one read decodes all 40 chunks at once
    next(stream)
    next(stream)
    assert stream.chunks_received == 2


# --- lenient reading and strict=True (#12) ----------------------------------------------------

QUIRKS = Path(__file__).resolve().parent / "fixtures" / "quirks"


@pytest.mark.parametrize("mode", MODES)
def test_stream_records_deviations_and_strict_refuses_them(mode: str) -> None:
    data = (QUIRKS / "missing-envelope-keys.sse").read_bytes()
    chunks, error = run_stream(mode, [data])
    assert error is None and len(chunks) == 4 and chunks[-1].extra == {"cost": "0"}
    chunks, error = run_stream(mode, [data], strict=True)
    assert chunks == [] and isinstance(error, gs.ChunkDecodeError) and error.path == "created"


@pytest.mark.parametrize("mode", MODES)
def test_deviations_are_readable_while_and_after_streaming(mode: str) -> None:
    data = (QUIRKS / "gemini-tool-calls-without-index.sse").read_bytes()

    async def collect_async() -> List[List[str]]:
        seen: List[List[str]] = []
        async with gs.AsyncStream(agen([data])) as stream:
            async for _ in stream:
                seen.append([d.rule for d in stream.deviations])
        seen.append([str(d) for d in stream.deviations])
        return seen

    if mode == "sync":
        seen: List[List[str]] = []
        with gs.Stream(data) as stream:
            for _ in stream:
                seen.append([d.rule for d in stream.deviations])
        seen.append([str(d) for d in stream.deviations])
    else:
        seen = asyncio.run(collect_async())
    assert seen[:3] == [[], ["tool-call-index"], ["tool-call-index"]]
    assert seen[3] == [
        "tool-call-index (3 times): choices[0].delta.tool_calls[0].index: absent; read as 0 "
        f"(a new id starts the next call, no id continues the last) (event #1 at byte {data.index(b'data:', 1)})"
    ]


@pytest.mark.parametrize("mode", MODES)
def test_a_stream_without_done_whose_choices_finished_completes(mode: str) -> None:
    body = SAMPLE[: SAMPLE.index(b"data: [DONE]")]
    chunks, error = run_stream(mode, [body])
    assert error is None and chunks[-1].choices[0].finish_reason == "stop"
    assert gs.Stream(body).text() == gs.Stream(SAMPLE).text()
    _, error = run_stream(mode, [body], require_done=True)
    assert isinstance(error, gs.IncompleteStreamError) and error.unfinished is None


# --- manners: a misspelt option, counts in words, a repr that shows the state --------------------


@pytest.mark.parametrize("cls", [gs.Stream, gs.AsyncStream])
def test_a_misspelt_option_names_the_public_class_and_the_closest_keyword(cls: type) -> None:
    with pytest.raises(TypeError) as caught:
        cls(b"", strictt=True)
    message = str(caught.value)
    assert message.startswith(f"{cls.__name__}() got an unexpected keyword argument 'strictt'"), message
    assert "did you mean 'strict'?" in message and "_StreamBase" not in message
    with pytest.raises(TypeError, match=r"Stream\(\) got an unexpected keyword argument 'colour'$"):
        gs.Stream(b"", colour=True)  # type: ignore[call-arg]


@pytest.mark.parametrize("mode", MODES)
def test_one_chunk_is_counted_as_one_chunk(mode: str) -> None:
    one = b'data: {"id":"a","object":"x","created":1,"model":"m","choices":[{"index":0,"delta":{}}]}\n\n'
    chunks, error = run_stream(mode, [one])
    assert len(chunks) == 1 and isinstance(error, gs.IncompleteStreamError)
    assert "after 1 chunk and" in str(error), str(error)
    finished = one.replace(b'"delta":{}', b'"delta":{},"finish_reason":"stop"')
    with gs.Stream(finished) as stream:
        list(stream)
    (deviation,) = stream.deviations
    assert "after 1 chunk;" in deviation.message, deviation.message


def test_a_stream_repr_shows_its_state() -> None:
    stream = gs.Stream(SAMPLE)
    assert repr(stream) == "<Stream chunks_received=0 reading>"
    next(stream)
    assert repr(stream) == "<Stream chunks_received=1 reading>"
    list(stream)
    assert repr(stream) == f"<Stream chunks_received={stream.chunks_received} finished>"
    stream = gs.Stream(SAMPLE.replace(b"data: [DONE]", b""))
    list(stream)
    assert repr(stream).endswith("finished deviations=['no-done']>")
    stream = gs.Stream(SAMPLE[:300])
    with pytest.raises(gs.IncompleteStreamError):
        list(stream)
    assert repr(stream) == f"<Stream chunks_received={stream.chunks_received} failed: IncompleteStreamError>"
    stream = gs.Stream(SAMPLE)
    stream.close()
    assert repr(stream) == "<Stream chunks_received=0 closed>"


def test_an_async_stream_repr_shows_its_state() -> None:
    async def main() -> List[str]:
        stream = gs.AsyncStream(agen([SAMPLE]))
        seen = [repr(stream)]
        async for _ in stream:
            pass
        seen.append(repr(stream))
        return seen

    before, after = asyncio.run(main())
    assert before == "<AsyncStream chunks_received=0 reading>"
    assert after.startswith("<AsyncStream chunks_received=") and after.endswith(" finished>")


def test_a_client_timeout_after_one_chunk_says_one_chunk() -> None:
    from groqstream.client.sync_client import _connection_error

    error = _connection_error(socket.timeout("timed out"), "http://127.0.0.1:1/openai/v1/chat/completions", 1)
    assert isinstance(error, gs.APITimeoutError) and str(error).endswith("after 1 chunk"), str(error)


# --- one decision in one place --------------------------------------------------------------------


def test_every_stream_class_holds_only_its_io_or_its_format() -> None:
    # Every decision (what reads the source, what an item or an ending does, draining, a failed close, the
    # final result) lives in one base for every format; the sync and async I/O classes hold the same methods
    # in their two forms, so they cannot drift (STYLE.md section 1); each public class holds only its result
    # methods, so chat and Responses cannot drift either (issue #27).
    from groqstream.core import response_stream, stream

    def own(cls: type) -> Set[str]:
        return {name for name, value in vars(cls).items() if callable(value)}

    io = {"_reads_of", "_drive", "_release", "_read_all"}
    assert own(stream._SyncStream) == io | {"__iter__", "__next__", "__enter__", "__exit__", "close"}
    shielded = {"_close"}  # the half of _release that asyncio.shield runs
    assert own(stream._AsyncStream) == io | shielded | {"__aiter__", "__anext__", "__aenter__", "__aexit__", "aclose"}
    assert own(gs.Stream) == own(gs.AsyncStream) == {"final_completion", "text"}
    assert own(gs.ResponseStream) == own(gs.AsyncResponseStream) == {"final_response"}
    for format_class in (stream._ChatStream, response_stream._ResponseStreamBase):
        assert not own(format_class) & (own(stream._SyncStream) | own(stream._AsyncStream)), format_class
