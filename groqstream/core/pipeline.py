"""Generators that run the push decoders over a byte source, sync and async.

All parsing lives in the push objects (``SSEDecoder``, ``ChunkDecoder``);
every function here is "read, feed, yield, flush", so the sync and async
paths cannot drift apart. The differences are ``await``, and that the sync
driver holds one-byte reads that end no line (see ``_QUIET_BYTES``), a
speed-up with no effect on results that async sources never need.

Byte sources, in the order they are recognised:

* sync: ``bytes``/``bytearray``/``memoryview`` (the whole body); an httpx
  response (``iter_bytes()``) or a requests one (``iter_content(None)``),
  so that ``Stream`` can also drain it (see ``_drain`` in ``core/stream.py``); an object with
  ``read1`` (binary files, ``http.client``/``urllib`` responses: returns what
  has arrived instead of waiting for a full buffer); ``recv`` (sockets);
  ``read``; otherwise any iterable of bytes-like chunks.
* async: an httpx response (``aiter_bytes()``) or an aiohttp one (its
  ``content``); an object with ``read`` and ``__aiter__``
  (``asyncio.StreamReader``, aiohttp's ``StreamReader``): read in blocks,
  because iterating a StreamReader yields lines and fails on long ones;
  otherwise any async iterable of bytes-like chunks.

None of these functions closes the source; ``Stream``/``AsyncStream`` do.
"""

from __future__ import annotations

import json
from functools import partial
from itertools import chain

from .chunks import ChunkDecoder
from .lines import DEFAULT_MAX_EVENT_BYTES, as_bytes
from .sse import ServerSentEvent, SSEDecoder

TYPE_CHECKING = False  # as typing's, without importing typing at run time: see docs/architecture.md
if TYPE_CHECKING:
    from typing import (
        Any,
        AsyncGenerator,
        AsyncIterator,
        Generator,
        Iterable,
        Iterator,
        List,
        Optional,
        Protocol,
        TypeVar,
    )

    from ..types import ChatCompletionChunk

    _Out = TypeVar("_Out")

    class _Decoder(Protocol[_Out]):
        @property
        def done(self) -> bool: ...

        def feed(self, data: bytes) -> Iterable[_Out]: ...

        def flush(self) -> List[_Out]: ...


__all__ = ["adrive", "aiter_bytes", "aiter_events", "drive", "iter_events", "reads"]

# 64 KiB per read: large enough that a fast local stream costs few calls, and
# read1/recv return as soon as anything has arrived, so it adds no latency.
READ_SIZE = 65536
# How much of an input is kept until its first event, to say what it is when none comes: any JSON error
# body of an API fits whole (to read its message), and an HTML page or binary data shows in its start.
HEAD_BYTES = 16384

# ByteSource: bytes, a binary file or HTTP response, a socket, or an iterable of bytes-like chunks.
# AsyncByteSource: an async iterable of bytes-like chunks, or an asyncio.StreamReader.
# Any to a type checker; at run time, where typing is not imported, a placeholder.
if TYPE_CHECKING:
    ByteSource = Any
    AsyncByteSource = Any
else:
    ByteSource = AsyncByteSource = object


def reads(source: ByteSource) -> Iterator[Any]:
    """An iterator over the reads of a sync source, as they arrive (see the module docstring).

    Reads are checked (and non-``bytes`` ones copied) by the decoder they are fed to.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        return iter((bytes(source),) if source else ())
    if isinstance(source, str):
        as_bytes(source)  # raises the TypeError that explains what to pass
    iter_bytes = getattr(source, "iter_bytes", None)  # an httpx response (its read() takes no size)
    if iter_bytes is not None:
        return iter(iter_bytes())
    iter_content = getattr(source, "iter_content", None)  # a requests response: None yields data as it arrives
    if iter_content is not None:
        return iter(iter_content(chunk_size=None))
    read = getattr(source, "read1", None) or getattr(source, "recv", None) or getattr(source, "read", None)
    if read is not None:
        return iter(partial(read, READ_SIZE), b"")  # calls read until it returns b"": no Python frame per read
    if not hasattr(source, "__iter__"):
        if hasattr(source, "__aiter__"):
            raise TypeError("this is an async source: use AsyncStream or aiter_events")
        raise TypeError(
            f"cannot read bytes from a {type(source).__name__}: "
            "pass bytes, a binary file, a socket or an iterable of bytes"
        )
    return iter(source)


# One-byte reads that end no line. A read of one of these cannot complete a
# line, so it is held back and joined to the next read: same events, same
# timing (an event can only be dispatched by a line end), and a set lookup of
# a one-byte bytes object is a fraction of a decoder call.
_QUIET_BYTES = frozenset(bytes((i,)) for i in range(256)) - {b"\n", b"\r"}


def drive(decoder: _Decoder[_Out], reads: Iterable[Any], limit: int) -> Iterator[_Out]:
    """The one sync loop: feed every read to *decoder* and iterate what it completes, flushing at the end.

    The loop itself (``_batches``) runs once per read and hands over the
    whole output of each ``feed``; ``chain.from_iterable`` then iterates each
    output in C, so a stream costs no Python frame per event.
    """
    return chain.from_iterable(_batches(decoder, reads, limit))


def _batches(decoder: _Decoder[_Out], reads: Iterable[Any], limit: int) -> Generator[Iterable[_Out], None, None]:
    """Yield ``decoder.feed(read)`` for every read, then ``decoder.flush()``.

    One-byte reads that end no line are held and joined to the next read
    (see ``_QUIET_BYTES``); held bytes never grow past *limit*, the decoder's
    line limit, so memory stays bounded. Stops reading once ``decoder.done``
    (checked after the previous output has been taken whole).
    """
    feed = decoder.feed
    held: List[bytes] = []
    for data in reads:
        if type(data) is bytes and len(data) == 1 and data in _QUIET_BYTES:
            held.append(data)
            if len(held) <= limit:
                continue
        if held:
            held.append(data if type(data) is bytes else as_bytes(data))
            data = b"".join(held)
            held = []
        yield feed(data)
        if decoder.done:
            break
    else:
        if held:
            yield feed(b"".join(held))
    yield decoder.flush()


async def aiter_bytes(source: AsyncByteSource) -> AsyncGenerator[Any, None]:
    """Yield the reads of an async source as they arrive (see the module docstring)."""
    if hasattr(source, "aiter_bytes"):  # an httpx response: its body's iterator is ours to close
        body = source.aiter_bytes()
        try:
            async for data in body:
                yield data
        finally:
            await body.aclose()  # left to the event loop, it would be finalised only at the loop's shutdown
        return
    if hasattr(getattr(source, "content", None), "readany"):  # an aiohttp response: the body is its StreamReader
        source = source.content
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
            yield data
    async for data in source:
        yield data


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
    return drive(decoder, reads(source), max_event_bytes)


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

    ``feed`` returns a lazy iterator that decodes each chunk as it is taken,
    so only one typed chunk of a read exists at a time (a 64 KiB read holds
    hundreds). An error met part way raises there, after every chunk before
    it has been handed out; the ``ChunkDecoder`` raises it again for every
    later event and at ``flush``. Check ``done`` after each ``feed``'s chunks
    have been taken: once it is true, stop reading and ``flush``.
    """

    def __init__(
        self, *, max_event_bytes: int, unicode_errors: str, require_done: Optional[bool], strict: bool
    ) -> None:
        self.sse = SSEDecoder(max_event_bytes=max_event_bytes, unicode_errors=unicode_errors)
        self.chunks = ChunkDecoder(require_done=require_done, strict=strict)
        # The first bytes, kept until the first event: an input that ends without one is named by them
        # (a JSON error, an HTML page, gzip...), not reported as a stream cut short.
        self._head = bytearray()
        self._keeping = True

    @property
    def done(self) -> bool:
        """True once ``[DONE]`` or an error was seen."""
        return self.chunks.done

    def feed(self, data: bytes) -> Iterator[ChatCompletionChunk]:
        """Decode more bytes; iterate the chunks they completed."""
        if self.chunks.error is not None:
            raise self.chunks.error
        events = self.sse.feed(data)  # first: it explains a read that is not bytes
        if self._keeping:
            self._keep(data, bool(events))
        # decode_event gives None for [DONE], skipped event types and whatever follows [DONE]:
        # filter(None, ...) drops those (a chunk is always true), all in C.
        return filter(None, map(self.chunks.decode_event, events))

    def _keep(self, data: bytes, dispatched: bool) -> None:
        """Keep the input's first bytes while no event has come (*dispatched*: this read completed one)."""
        if dispatched:
            self._head = bytearray()
            self._keeping = False
            return
        self._head += data[: HEAD_BYTES - len(self._head)]
        self._keeping = len(self._head) < HEAD_BYTES

    def flush(self) -> List[ChatCompletionChunk]:
        """End of input: raise what is pending, or ``IncompleteStreamError`` when the stream was cut short.

        An input that held no event at all and is recognisably something else
        (``sniff.sniff``) is named: a JSON error body raises
        ``StreamAPIError`` with the server's message, type and code; any other
        raises ``IncompleteStreamError`` whose ``looks_like`` says what it is.
        """
        if not self.chunks.done:
            # Only an unterminated event's data is lost at the end; a comment or a field without data is not.
            pending = self.sse.pending_bytes if self.sse.pending_data else 0
            received = self.sse.bytes_received
            self.sse.flush()
            unterminated = self.sse.unterminated
            looks_like = None
            if not self.chunks.events_received and unterminated is None:
                looks_like = self._looks_like(received)  # an error body raises even with require_done=False
            self.chunks.end(
                bytes_received=received, pending_bytes=pending, unterminated=unterminated, looks_like=looks_like
            )
        return self.chunks.flush()

    def _looks_like(self, received: int) -> Optional[str]:
        """What the input is, when it held no event; a JSON error body fails the decoder with its ``StreamAPIError``."""
        from . import sniff  # only for an input that held no event

        head = bytes(self._head)
        complete = received <= len(head)
        found = sniff.sniff(head, complete=complete)
        if found is None:
            return None
        if complete and found.kind == "json-error":
            try:
                payload = json.loads(head.decode("utf-8"))
            except (UnicodeDecodeError, ValueError, RecursionError):
                return found.message
            if type(payload) is dict and payload.get("error"):  # the in-stream rule: a non-empty "error" key
                self.chunks.fail_with_body_error(payload)
        return found.message


async def adrive(decoder: _Decoder[_Out], reads: AsyncIterator[Any]) -> AsyncGenerator[_Out, None]:
    """The one async loop: ``drive`` with ``async for``, stopping once ``decoder.done``, flushing at the end.

    *reads* is left open where the end was found: ``AsyncStream`` drains it,
    then closes it. (Async sources hand over whole network reads, so there is
    no run of one-byte reads to hold as ``drive`` does.)
    """
    async for data in reads:
        for out in decoder.feed(data):
            yield out
        if decoder.done:
            break
    for out in decoder.flush():
        yield out
