"""Generators that run the push decoders over a byte source, sync and async.

All parsing lives in the push objects (``SSEDecoder``, ``ChunkDecoder``);
every function here is "read, feed, yield, flush", so the sync and async
paths cannot drift apart. The only difference is ``await``.

Byte sources, in the order they are recognised:

* sync: ``bytes``/``bytearray``/``memoryview`` (the whole body); an object
  with ``read1`` (binary files, ``http.client``/``urllib`` responses: returns
  what has arrived instead of waiting for a full buffer); ``recv`` (sockets);
  ``read``; otherwise any iterable of bytes-like chunks.
* async: an object with ``read`` and ``__aiter__`` (``asyncio.StreamReader``,
  aiohttp's ``StreamReader``): read in blocks, because iterating a
  StreamReader yields lines and fails on long ones; otherwise any async
  iterable of bytes-like chunks.

None of these functions closes the source; ``Stream``/``AsyncStream`` do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, AsyncGenerator, AsyncIterator, Generator, Iterator, List, Optional

from ._chunks import ChunkDecoder
from ._errors import GroqStreamError, IncompleteStreamError
from ._lines import DEFAULT_MAX_EVENT_BYTES
from ._sse import ServerSentEvent, SSEDecoder

if TYPE_CHECKING:
    from ._types import ChatCompletionChunk

__all__ = ["aiter_chunks", "aiter_events", "iter_chunks", "iter_events"]

# 64 KiB per read: large enough that a fast local stream costs few calls, and
# read1/recv return as soon as anything has arrived, so it adds no latency.
READ_SIZE = 65536

ByteSource = Any
"""``bytes``, a binary file or HTTP response, a socket, or an iterable of bytes-like chunks."""
AsyncByteSource = Any
"""An async iterable of bytes-like chunks, or an ``asyncio.StreamReader``."""


def _as_bytes(data: object) -> bytes:
    """Convert a chunk that is not ``bytes`` (callers check that first, on the hot path)."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)  # a copy: callers may reuse their buffer
    if isinstance(data, str):
        raise TypeError(
            "groqstream decodes bytes but got a str chunk; pass the raw response body "
            "(open files in binary mode 'rb', or use text.encode('utf-8'))"
        )
    raise TypeError(f"groqstream decodes bytes but got a {type(data).__name__} chunk: {data!r:.60}")


def iter_bytes(source: ByteSource) -> Iterator[bytes]:
    """Yield the bytes of a sync source as they arrive (see the module docstring)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        if source:
            yield bytes(source)
        return
    if isinstance(source, str):
        _as_bytes(source)  # raises the TypeError that explains what to pass
    read = getattr(source, "read1", None) or getattr(source, "recv", None) or getattr(source, "read", None)
    if read is not None:
        while True:
            data = read(READ_SIZE)
            if not data:
                if data is None:
                    raise TypeError("the source's read returned None: groqstream needs a blocking source")
                return
            yield data if type(data) is bytes else _as_bytes(data)
    if not hasattr(source, "__iter__"):
        if hasattr(source, "__aiter__"):
            raise TypeError("this is an async source: use AsyncStream or aiter_events")
        raise TypeError(
            f"cannot read bytes from a {type(source).__name__}: "
            "pass bytes, a binary file, a socket or an iterable of bytes"
        )
    for data in source:
        yield data if type(data) is bytes else _as_bytes(data)


async def aiter_bytes(source: AsyncByteSource) -> AsyncGenerator[bytes, None]:
    """Yield the bytes of an async source as they arrive (see the module docstring)."""
    if not hasattr(source, "__aiter__"):
        raise TypeError(
            f"expected an async iterable of bytes or an asyncio.StreamReader, got {type(source).__name__}; "
            "for bytes, files and sync iterables use Stream or iter_events"
        )
    read = getattr(source, "read", None)
    if read is not None:
        while True:
            data = await read(READ_SIZE)
            if not data:
                return
            yield data if type(data) is bytes else _as_bytes(data)
    async for data in source:
        yield data if type(data) is bytes else _as_bytes(data)


def iter_events(
    source: ByteSource, *, max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES, unicode_errors: str = "replace"
) -> Iterator[ServerSentEvent]:
    """Yield each server-sent event of a byte source as soon as its blank line arrives.

    Args:
        source: ``bytes``, a binary file or HTTP response, a socket, or an
            iterable of bytes-like chunks. It is not closed.
        max_event_bytes: see ``SSEDecoder``.
        unicode_errors: see ``SSEDecoder``.

    Raises:
        SSEProtocolError: past ``max_event_bytes`` (after every earlier event).
        TypeError: the source yields ``str`` or is not a byte source.
    """
    decoder = SSEDecoder(max_event_bytes=max_event_bytes, unicode_errors=unicode_errors)
    for data in iter_bytes(source):
        yield from decoder.feed(data)
    yield from decoder.flush()


async def aiter_events(
    source: AsyncByteSource, *, max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES, unicode_errors: str = "replace"
) -> AsyncIterator[ServerSentEvent]:
    """Async version of ``iter_events`` for an async iterable of bytes or an ``asyncio.StreamReader``."""
    decoder = SSEDecoder(max_event_bytes=max_event_bytes, unicode_errors=unicode_errors)
    reader = aiter_bytes(source)
    try:
        async for data in reader:
            for event in decoder.feed(data):
                yield event
    finally:
        # An async generator left suspended is only finalised by the event
        # loop's shutdown hook; close it now so the source is released promptly.
        await reader.aclose()
    for event in decoder.flush():
        yield event


class ChunkStreamDecoder:
    """Bytes in, chunks out: an ``SSEDecoder`` feeding a ``ChunkDecoder``.

    An error met part way through a ``feed`` is held back until the chunks
    decoded before it have been returned; it is raised by the next ``feed``
    or ``flush``. Check ``done`` after each ``feed``: once it is true, stop
    reading and call ``flush``.
    """

    def __init__(self, *, max_event_bytes: int, unicode_errors: str, require_done: bool) -> None:
        self.sse = SSEDecoder(max_event_bytes=max_event_bytes, unicode_errors=unicode_errors)
        self.chunks = ChunkDecoder(require_done=require_done)
        self._error: Optional[GroqStreamError] = None

    @property
    def done(self) -> bool:
        """True once ``[DONE]`` or an error was seen."""
        return self.chunks.done or self._error is not None

    def feed(self, data: bytes) -> List[ChatCompletionChunk]:
        """Decode more bytes; return the chunks they completed."""
        if self._error is not None:
            raise self._error
        out: List[ChatCompletionChunk] = []
        try:
            for event in self.sse.feed(data):
                out += self.chunks.feed(event)
                if self.chunks.done:
                    break
        except GroqStreamError as exc:
            self._error = exc
            if not out:
                raise
        return out

    def flush(self) -> List[ChatCompletionChunk]:
        """End of input: raise what is pending, or ``IncompleteStreamError`` when the stream was cut short."""
        if self._error is not None:
            raise self._error
        if not self.chunks.done:
            pending, received = self.sse.pending_bytes, self.sse.bytes_received
            self.sse.flush()
            if self.chunks.require_done:
                self._error = IncompleteStreamError(
                    chunks_received=self.chunks.chunks_received, bytes_received=received, pending_bytes=pending
                )
                raise self._error
        return self.chunks.flush()


def iter_chunks(source: ByteSource, decoder: ChunkStreamDecoder) -> Generator[ChatCompletionChunk, None, None]:
    """Yield the chunks of a sync byte source, stopping at ``[DONE]`` or an error."""
    for data in iter_bytes(source):
        yield from decoder.feed(data)
        if decoder.done:
            break
    yield from decoder.flush()


async def aiter_chunks(
    source: AsyncByteSource, decoder: ChunkStreamDecoder
) -> AsyncGenerator[ChatCompletionChunk, None]:
    """Yield the chunks of an async byte source, stopping at ``[DONE]`` or an error."""
    reader = aiter_bytes(source)
    try:
        async for data in reader:
            for chunk in decoder.feed(data):
                yield chunk
            if decoder.done:
                break
    finally:
        await reader.aclose()
    for chunk in decoder.flush():
        yield chunk
